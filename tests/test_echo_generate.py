"""The echo backend end to end on CPU: a tiny random JoyAI-Echo pipeline loaded from disk like real weights."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from tiny_echo import (
    TARGET_AUDIO_TOKENS,
    TARGET_VIDEO_TOKENS,
    TINY_FRAMES,
    TINY_SAMPLE_RATE,
    TINY_SIZE,
    TOKENS_PER_FRAME,
    TWO_STEP_SIGMAS,
    memory_audio_latent_count,
    tiny_request,
    tiny_slot,
)

from generator.audio import read_wav
from generator.echo.config import EchoConfig
from generator.echo.pipeline import EchoGenerator
from generator.media import probe
from generator.types import DialogueLine, GeneratorError


@pytest.fixture(scope="module")
def echo(tiny_echo_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> EchoGenerator:
    return EchoGenerator(EchoConfig(model_dir=tiny_echo_model_dir, device="cpu"), sigmas=TWO_STEP_SIGMAS)


@pytest.fixture
def transformer_calls(echo: EchoGenerator) -> Iterator[list[tuple[int, int]]]:
    """(video tokens, audio tokens) of every transformer forward, memory tokens included."""
    calls: list[tuple[int, int]] = []

    def record(_module: object, _args: tuple, kwargs: dict) -> None:
        calls.append((kwargs["hidden_states"].shape[1], kwargs["audio_hidden_states"].shape[1]))

    hook = echo.load().transformer.register_forward_pre_hook(record, with_kwargs=True)
    yield calls
    hook.remove()


@pytest.mark.parametrize("pattern", ["", "A", "S", "ASASASS"], ids=["0-slots", "1-audio", "1-silent", "7-mixed"])
def test_shot_shapes_files_and_memory_tokens(
    echo: EchoGenerator, transformer_calls: list[tuple[int, int]], tmp_path: Path, pattern: str
) -> None:
    memory = [tiny_slot(f"SLOT_{i}", seed=i, with_audio=kind == "A") for i, kind in enumerate(pattern)]
    steps: list[tuple[float, str]] = []

    shot = echo.generate(tiny_request(seed=5), memory, progress=lambda f, s: steps.append((f, s)), out_dir=tmp_path)

    assert shot.frames.shape == (TINY_FRAMES, TINY_SIZE, TINY_SIZE, 3) and shot.frames.dtype == np.uint8
    assert shot.sample_rate == TINY_SAMPLE_RATE
    assert shot.audio.shape == (TINY_SAMPLE_RATE * TINY_FRAMES // 25, 2) and shot.audio.dtype == np.float32
    assert (shot.backend, shot.num_frames, shot.width, shot.height) == ("echo", TINY_FRAMES, TINY_SIZE, TINY_SIZE)
    wave, rate = read_wav(shot.audio_path)
    assert rate == TINY_SAMPLE_RATE and len(wave) == len(shot.audio)
    info = probe(shot.video_path)
    assert (info.width, info.height, info.num_frames) == (TINY_SIZE, TINY_SIZE, TINY_FRAMES)
    assert (info.audio_codec, info.audio_sample_rate) == ("aac", TINY_SAMPLE_RATE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.mp4", "shot.wav"]

    memory_video = TOKENS_PER_FRAME * len(memory)
    memory_audio = memory_audio_latent_count(2.0) * len(memory) if "A" in pattern else 0
    assert transformer_calls == [(memory_video + TARGET_VIDEO_TOKENS, memory_audio + TARGET_AUDIO_TOKENS)] * 2
    tokens = shot.metadata["tokens"]
    assert (tokens["memory_video"], tokens["memory_audio"]) == (memory_video, memory_audio)
    assert shot.metadata["memory_slots"] == [slot.label for slot in memory]
    assert shot.metadata["silent_memory_slots"] == [f"SLOT_{i}" for i, kind in enumerate(pattern) if kind == "S"]
    assert shot.metadata["steps"] == 2 and shot.metadata["sigmas"] == list(TWO_STEP_SIGMAS)

    fractions = [fraction for fraction, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert [s for _, s in steps if s.startswith("denoising")] == [
        "denoising step 1/2 done",
        "denoising step 2/2 done; decoding video and audio",
    ]


def test_same_seed_same_shot_other_seed_or_memory_changes_it(echo: EchoGenerator, tmp_path: Path) -> None:
    memory = [tiny_slot("ID_A", seed=1), tiny_slot("SHOT_2", seed=2, with_audio=False)]

    def render(seed: int, slots: list, name: str) -> tuple[np.ndarray, np.ndarray]:
        shot = echo.generate(tiny_request(seed=seed), slots, out_dir=tmp_path / name)
        return shot.frames, shot.audio

    first = render(7, memory, "a")
    assert all(np.array_equal(x, y) for x, y in zip(first, render(7, memory, "b"), strict=True))
    assert not np.array_equal(first[0], render(8, memory, "c")[0])

    other_image = [tiny_slot("ID_A", seed=1), tiny_slot("SHOT_2", seed=99, with_audio=False)]
    assert not np.array_equal(first[0], render(7, other_image, "d")[0])

    other_voice = [memory[0].model_copy(update={"audio": memory[0].audio[::-1].copy()}), memory[1]]
    voiced = render(7, other_voice, "e")
    assert not (np.array_equal(first[0], voiced[0]) and np.array_equal(first[1], voiced[1]))


def test_first_frame_of_the_shot_size_conditions_the_shot(echo: EchoGenerator, tmp_path: Path) -> None:
    path = tmp_path / "first.png"
    Image.fromarray(np.full((TINY_SIZE, TINY_SIZE, 3), 200, dtype=np.uint8)).save(path)

    shot = echo.generate(tiny_request(first_frame=path), [], out_dir=tmp_path / "out")

    assert shot.metadata["tokens"]["first_frame"] == TOKENS_PER_FRAME


def test_dialogue_timings_share_the_shot_by_words(echo: EchoGenerator, tmp_path: Path) -> None:
    from generator.types import CharacterInShot

    cast = [CharacterInShot(id="ID_A", name="Tom", identity="an old man")]
    lines = [DialogueLine(speaker="ID_A", text="one two three"), DialogueLine(speaker="ID_A", text="four")]
    shot = echo.generate(tiny_request(characters=cast, dialogue=lines), [], out_dir=tmp_path)

    assert [(t.text, t.start_s, t.end_s) for t in shot.dialogue_timings] == [
        ("one two three", 0.0, 0.75),
        ("four", 0.75, 1.0),
    ]


@pytest.mark.parametrize(
    ("make_input", "message"),
    [
        (lambda tmp: ([tiny_slot(f"S{i}", seed=i) for i in range(8)], None), "at most 7 memory slots"),
        (lambda tmp: ([], _image(tmp / "wide.png", 64, 32)), "is 64x32 but the shot is 32x32"),
        (lambda tmp: ([], tmp / "missing.png"), "first frame: Cannot read image"),
    ],
    ids=["8-slots", "wrong-size-first-frame", "missing-first-frame"],
)
def test_bad_input_fails_before_any_compute(
    echo: EchoGenerator, transformer_calls: list, tmp_path: Path, make_input, message: str
) -> None:
    memory, first_frame = make_input(tmp_path)
    out_dir = tmp_path / "out"

    with pytest.raises(GeneratorError, match=message):
        echo.generate(tiny_request(first_frame=first_frame), memory, out_dir=out_dir)

    assert transformer_calls == [] and not out_dir.exists()


def _image(path: Path, width: int, height: int) -> Path:
    Image.fromarray(np.zeros((height, width, 3), dtype=np.uint8)).save(path)
    return path


def test_out_of_memory_becomes_advice_and_writes_nothing(echo: EchoGenerator, tmp_path: Path) -> None:
    def exhaust(*_: object) -> None:
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    hook = echo.load().transformer.register_forward_pre_hook(exhaust)
    try:
        with pytest.raises(GeneratorError, match=r"ran out of memory while generating 32x32, 25 frames.*ECHO_OFFLOAD"):
            echo.generate(tiny_request(), [tiny_slot("ID_A", seed=1)], out_dir=tmp_path / "out")
    finally:
        hook.remove()
    assert not (tmp_path / "out").exists()


def test_speech_that_cannot_fit_is_reported_from_the_text(echo: EchoGenerator, tmp_path: Path) -> None:
    """Echo does not say when its speech runs over, so the overflow is estimated from the dialogue: the critic
    lengthens such a shot (or the planner splits it) as it does for preview takes."""
    from generator.types import CharacterInShot

    cast = [CharacterInShot(id="ID_A", name="Tom", identity="an old man")]
    short = echo.generate(tiny_request(characters=cast, dialogue=[DialogueLine(speaker="ID_A", text="Hi.")]), [],
                          out_dir=tmp_path / "short")  # fmt: skip
    assert short.speech_fits and short.metadata["speech_needed_s"] == pytest.approx(0.9)

    long_line = DialogueLine(speaker="ID_A", text="We sail at dawn, so pack the nets and the lamps tonight.")
    shot = echo.generate(tiny_request(characters=cast, dialogue=[long_line]), [], out_dir=tmp_path / "long")
    assert shot.speech_overflow_s == pytest.approx(12 / 2.5 + 0.5 - shot.duration_s, abs=1e-3)
    assert shot.metadata["suggested_num_frames"] >= 121 and shot.metadata["speech_estimate"] == "from the text"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("one two three four five", 2.0), ("我们明天早上出发", 2.0), ("Tom 说 你好", 3 / 4 + 1 / 2.5), ("", 0.0)],
)
def test_line_seconds_count_words_and_characters(text: str, seconds: float) -> None:
    from generator.speech_budget import line_seconds

    assert line_seconds(text) == pytest.approx(seconds)
