"""Echo's stereo 48 kHz audio end to end (issue 13, item 5): the take's wav and mp4 keep both channels, so do a
registered take and the exported film; only a memory slot's audio is mixed down to mono."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tiny_echo import TINY_FRAMES, TINY_SAMPLE_RATE, TINY_SIZE, TWO_STEP_SIGMAS, tiny_request

from generator.audio import read_wav
from generator.echo.config import EchoConfig
from generator.echo.pipeline import EchoGenerator
from generator.media import probe
from generator.memory import frame_energy, kok_slot
from generator.types import GeneratedShot, MemorySource
from tools.base import Toolbox
from workspace.db import open_workspace
from workspace.export import export_project
from workspace.project_view import read_project_state

SAMPLES = TINY_SAMPLE_RATE * TINY_FRAMES // 25


@pytest.fixture(scope="module")
def echo(tiny_echo_model_dir: Path) -> EchoGenerator:
    return EchoGenerator(EchoConfig(model_dir=tiny_echo_model_dir, device="cpu"), sigmas=TWO_STEP_SIGMAS)


@pytest.fixture(scope="module")
def shot(echo: EchoGenerator, tmp_path_factory: pytest.TempPathFactory) -> GeneratedShot:
    return echo.generate(tiny_request(seed=3), [], out_dir=tmp_path_factory.mktemp("echo-shot"))


def test_the_take_keeps_the_vocoders_two_channels_at_48k(shot: GeneratedShot) -> None:
    wave, rate = read_wav(shot.audio_path, mono=False)
    assert (rate, wave.shape, shot.audio.shape) == (48000, (SAMPLES, 2), (SAMPLES, 2))
    np.testing.assert_allclose(wave, shot.audio, atol=1.5 / 32767)  # 16-bit PCM
    assert np.abs(wave[:, 0] - wave[:, 1]).max() > 0.01, "two channels, not one copied"
    video = probe(shot.video_path)
    assert (video.audio_channels, video.audio_sample_rate) == ("stereo", 48000)


def test_the_take_reports_its_voiced_energy_only_in_speech_mode(echo: EchoGenerator, shot: GeneratedShot,
                                                                tmp_path: Path) -> None:  # fmt: skip
    assert shot.speech_energy.shape == frame_energy(shot.audio, shot.sample_rate).shape
    assert np.all(shot.speech_energy >= 0)
    energy_mode = EchoGenerator(EchoConfig(device="cpu", memory_window="energy"), sigmas=TWO_STEP_SIGMAS,
                                pipeline=echo.load())  # fmt: skip
    assert energy_mode.generate(tiny_request(seed=3), [], out_dir=tmp_path).speech_energy is None


def test_memory_audio_is_mixed_down_only_in_the_slot(shot: GeneratedShot) -> None:
    in_memory = kok_slot(shot, "SHOT_1", MemorySource(kind="take", take_id=1))
    on_disk = kok_slot(shot.model_copy(update={"audio": None, "speech_energy": None}), "SHOT_1",
                       MemorySource(kind="take", take_id=1))  # fmt: skip
    for slot in (in_memory, on_disk):
        assert slot.audio.shape == (SAMPLES,) and slot.sample_rate == 48000  # a 1 s take is taken whole
        np.testing.assert_allclose(slot.audio, shot.audio.mean(axis=1), atol=1.5 / 32767)


def test_a_registered_echo_take_exports_as_stereo(echo: EchoGenerator, tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path / "home")
    toolbox = Toolbox(workspace, actor="test")

    def call(tool: str, **args: object) -> dict:
        result = toolbox.call(tool, args)
        assert result.ok, result.message
        return result.data

    project_id = call("create_project", title="Stereo")["project_id"]
    call("add_scene", project_id=project_id, name="Harbour")
    call("set_shot_plan", project_id=project_id, shots=[{"scene_id": "S1", "num_frames": TINY_FRAMES}])
    condition = call("record_condition", project_id=project_id, number=1, prompt="A shot.", fields={})
    take = echo.generate(tiny_request(seed=4), [], out_dir=workspace.media.staging_dir())
    call(
        "register_take", project_id=project_id, number=1, condition_id=condition["condition_id"],
        video=str(take.video_path), audio=str(take.audio_path), **take.take_facts(),
    )  # fmt: skip

    with workspace.read_session() as session:
        stored = read_project_state(session, project_id).shots[0].current_take
    film = probe(export_project(workspace, project_id, tmp_path / "out").film)

    wave, rate = read_wav(workspace.media.resolve(stored.audio_path), mono=False)
    assert (rate, wave.shape) == (48000, (SAMPLES, 2))
    assert (film.audio_channels, film.audio_sample_rate) == ("stereo", 48000)
    assert (film.width, film.height, film.num_frames) == (TINY_SIZE, TINY_SIZE, TINY_FRAMES)
