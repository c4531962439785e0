"""Paper-exact visual memory: a slot's 9-frame clip goes through the video VAE and its last latent is the memory;
a still image (card slots, or `visual_memory="image"`) is encoded exactly as diffusers encodes a memory image."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from diffusers.modular_pipelines import EchoBlocks
from PIL import Image
from tiny_echo import TINY_SIZE, TOKENS_PER_FRAME, TWO_STEP_SIGMAS, tiny_echo_components, tiny_request, tiny_slot

from director.settings import Settings
from generator.echo.config import EchoConfig
from generator.echo.memory_blocks import echo_director_blocks
from generator.echo.pipeline import EchoGenerator
from generator.errors import EchoError
from generator.memory import load_slots_json, save_slots
from generator.types import GeneratorError

SIZE = {"height": TINY_SIZE, "width": TINY_SIZE}


@pytest.fixture(scope="module")
def components() -> dict:
    return tiny_echo_components()


@pytest.fixture(scope="module")
def pipeline(components: dict) -> object:
    pipeline = echo_director_blocks().init_pipeline()
    pipeline.update_components(**components)
    return pipeline


@pytest.fixture
def encoded_frames(pipeline: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The number of frames of every video-VAE encode."""
    calls: list[int] = []
    encode = pipeline.vae.encode

    def spy(pixels: torch.Tensor, *args: object, **kwargs: object) -> object:
        calls.append(pixels.shape[2])
        return encode(pixels, *args, **kwargs)

    monkeypatch.setattr(pipeline.vae, "encode", spy)
    yield calls


def _memory_latents(pipeline: object, **inputs: object) -> list[torch.Tensor]:
    """The memory video latents the denoiser receives, from one 9-frame, one-step run of the pipeline."""
    return pipeline(prompt="a man", num_frames=9, sigmas=[1.0, 0.0], output="memory_video_latents", **SIZE, **inputs)


def test_a_clip_is_encoded_as_nine_frames_and_only_its_last_latent_is_kept(
    pipeline: object, encoded_frames: list[int]
) -> None:
    clip = tiny_slot("SHOT_1", seed=1, with_clip=True).clip

    (latents,) = _memory_latents(pipeline, memory_visuals=[clip])

    assert encoded_frames == [9]
    vae = pipeline.vae
    pixels = torch.from_numpy(clip).permute(3, 0, 1, 2)[None].float() / 127.5 - 1.0  # (1, 3, 9, H, W)
    both = vae.encode(pixels).latent_dist.mode()  # 9 frames -> 2 latent frames (causal, 8x in time)
    mean, std = (statistic.view(1, -1, 1, 1, 1) for statistic in (vae.latents_mean, vae.latents_std))
    expected = (both[:, :, -1:] - mean) * vae.config.scaling_factor / std
    assert both.shape[2] == 2 and latents.shape == expected.shape == (1, 4, 1, TINY_SIZE // 8, TINY_SIZE // 8)
    torch.testing.assert_close(latents, expected)
    (key_frame_only,) = _memory_latents(pipeline, memory_visuals=[clip[-1]])
    assert not torch.allclose(latents, key_frame_only)


def test_an_image_is_encoded_exactly_as_diffusers_encodes_a_memory_image(pipeline: object, components: dict) -> None:
    images = [tiny_slot("ID_A", seed=2).key_frame, tiny_slot("ID_B", seed=3).key_frame]
    stock = EchoBlocks().init_pipeline()
    stock.update_components(**components)

    ours = _memory_latents(pipeline, memory_visuals=images)
    theirs = _memory_latents(stock, memory_images=[Image.fromarray(image) for image in images])

    assert len(ours) == len(theirs) == 2
    for mine, reference in zip(ours, theirs, strict=True):
        assert torch.equal(mine, reference)


@pytest.mark.parametrize(("mode", "frames"), [("clip", [9, 1]), ("image", [1, 1])])
def test_the_generator_sends_clips_in_clip_mode_and_key_frames_in_image_mode(
    pipeline: object, encoded_frames: list[int], tmp_path: Path, mode: str, frames: list[int]
) -> None:
    take, card = tiny_slot("SHOT_1", seed=1, with_clip=True), tiny_slot("ID_A", seed=2)
    echo = EchoGenerator(EchoConfig(device="cpu", visual_memory=mode), sigmas=TWO_STEP_SIGMAS, pipeline=pipeline)

    shot = echo.generate(tiny_request(), [take, card], out_dir=tmp_path)

    assert encoded_frames == frames
    assert shot.metadata["memory_visuals"] == ["clip" if mode == "clip" else "image", "image"]
    assert shot.metadata["tokens"]["memory_video"] == 2 * TOKENS_PER_FRAME  # one latent frame per slot either way


def test_the_clip_changes_the_shot_that_its_key_frame_alone_would_give(pipeline: object, tmp_path: Path) -> None:
    take = tiny_slot("SHOT_1", seed=1, with_clip=True)

    def render(mode: str) -> np.ndarray:
        echo = EchoGenerator(EchoConfig(device="cpu", visual_memory=mode), sigmas=TWO_STEP_SIGMAS, pipeline=pipeline)
        return echo.generate(tiny_request(seed=7), [take], out_dir=tmp_path / mode).frames

    assert not np.array_equal(render("image"), render("clip"))


def test_a_clip_that_is_not_nine_frames_of_the_key_frame_size_is_refused(pipeline: object, tmp_path: Path) -> None:
    take = tiny_slot("SHOT_1", seed=1, with_clip=True)
    short = take.model_copy(update={"clip": take.clip[:8]})
    echo = EchoGenerator(EchoConfig(device="cpu"), sigmas=TWO_STEP_SIGMAS, pipeline=pipeline)

    with pytest.raises(
        GeneratorError, match=r"memory slot 'SHOT_1' has a uint8 clip of shape \(8, 32, 32, 3\); it must"
    ):
        echo.generate(tiny_request(), [short], out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_slots_files_keep_the_clip(tmp_path: Path) -> None:
    take, card = tiny_slot("SHOT_1", seed=1, with_clip=True), tiny_slot("ID_A", seed=2)

    loaded = load_slots_json(save_slots([take, card], tmp_path / "slots.json"))

    np.testing.assert_array_equal(loaded[0].clip, take.clip)
    assert loaded[1].clip is None


def test_a_slots_file_with_a_bad_clip_is_refused(tmp_path: Path) -> None:
    path = save_slots([tiny_slot("SHOT_1", seed=1, with_clip=True)], tmp_path / "slots.json")
    (clip_file,) = tmp_path.glob("*.clip.npy")
    np.save(clip_file, np.zeros((3, 8, 8, 3), np.uint8))

    with pytest.raises(EchoError, match=r"entry 0: memory clip .*clip.npy must hold 9 uint8 frames"):
        load_slots_json(path)


def test_the_visual_memory_mode_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert Settings(home=tmp_path, backend="echo").generator_config.visual_memory == "clip"
    monkeypatch.setenv("ECHO_VISUAL_MEMORY", "image")
    assert Settings(home=tmp_path, backend="echo").generator_config.visual_memory == "image"
