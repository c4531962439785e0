"""Loading JoyAI-Echo from a local folder: the save/load round trip, memory options, and clear failures."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from tiny_echo import TWO_STEP_SIGMAS, tiny_echo_pipeline, tiny_request, tiny_slot

from director.settings import Settings
from generator.echo.config import EchoConfig
from generator.echo.loading import resolve_dtype
from generator.echo.pipeline import ECHO_SIGMAS, EchoGenerator
from generator.registry import get_generator
from generator.types import GeneratorError


def _config(model_dir: Path | None, **overrides: object) -> EchoConfig:
    return EchoConfig(model_dir=model_dir, device="cpu", **overrides)


def _shot(generator: EchoGenerator, out_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    shot = generator.generate(tiny_request(seed=3), [tiny_slot("ID_A", seed=4)], out_dir=out_dir)
    return shot.frames, shot.audio


def assert_same_shot(shot: tuple[np.ndarray, np.ndarray], reference: tuple[np.ndarray, np.ndarray]) -> None:
    """Equal up to float rounding (a loaded model may pick other kernels than the one built in memory)."""
    assert np.abs(shot[0].astype(int) - reference[0]).max() <= 1
    np.testing.assert_allclose(shot[1], reference[1], atol=1e-5)


@pytest.fixture(scope="module")
def reference_shot(tiny_echo_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """The shot from the in-memory tiny pipeline that `tiny_echo_model_dir` was saved from."""
    generator = EchoGenerator(sigmas=TWO_STEP_SIGMAS, pipeline=tiny_echo_pipeline())
    return _shot(generator, tmp_path_factory.mktemp("reference"))


def test_saved_pipeline_loads_back_through_the_user_path(
    tiny_echo_model_dir: Path, reference_shot: tuple, tmp_path: Path
) -> None:
    generator = get_generator(
        "echo",
        Settings(home=tmp_path / "home", backend="echo", model_dir=tiny_echo_model_dir, device="cpu").generator_config,
    )
    assert isinstance(generator, EchoGenerator) and not generator.loaded  # lazy: nothing loaded yet
    generator.sigmas = TWO_STEP_SIGMAS

    frames, audio = _shot(generator, tmp_path / "out")

    pipeline = generator.load()
    assert pipeline.transformer.dtype == torch.float32 and pipeline.audio_vae.dtype == torch.float32
    assert_same_shot((frames, audio), reference_shot)


@pytest.mark.parametrize("offload", ["model", "group", "sequential"])
def test_offload_modes_give_the_same_shot(
    tiny_echo_model_dir: Path, reference_shot: tuple, tmp_path: Path, offload: str
) -> None:
    config = _config(tiny_echo_model_dir, offload=offload, vae_tiling=offload == "group")
    generator = EchoGenerator(config, sigmas=TWO_STEP_SIGMAS)

    frames, audio = _shot(generator, tmp_path / "out")

    assert generator.load().vae.use_tiling == (offload == "group")
    assert_same_shot((frames, audio), reference_shot)


def _copy_without(model_dir: Path, tmp_path: Path, component: str) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    shutil.rmtree(copy / component)
    return copy


def test_missing_component_fails_fast_naming_it(tiny_echo_model_dir: Path, tmp_path: Path) -> None:
    generator = EchoGenerator(_config(_copy_without(tiny_echo_model_dir, tmp_path, "vocoder")))

    with pytest.raises(GeneratorError, match=r"incomplete: missing or empty component folder\(s\) vocoder"):
        generator.generate(tiny_request(), [], out_dir=tmp_path / "out")
    assert not generator.loaded and not (tmp_path / "out").exists()


def test_corrupt_weights_name_the_component(tiny_echo_model_dir: Path, tmp_path: Path) -> None:
    broken = _copy_without(tiny_echo_model_dir, tmp_path, "tokenizer")
    shutil.copytree(tiny_echo_model_dir / "tokenizer", broken / "tokenizer")
    (broken / "transformer" / "diffusion_pytorch_model.safetensors").write_bytes(b"not a safetensors file")

    with pytest.raises(GeneratorError, match=r"Cannot load transformer \(LTX2VideoTransformer3DModel\) from .*/transf"):
        EchoGenerator(_config(broken)).load()


@pytest.mark.parametrize(
    ("model_dir", "message"),
    [
        (None, "set ECHO_MODEL_DIR"),
        (Path("/nonexistent/echo"), "does not exist"),
        (Path(__file__).parent, "is not a JoyAI-Echo folder: no modular_model_index.json or model_index.json"),
    ],
    ids=["unset", "missing", "not-a-pipeline"],
)
def test_unusable_model_dir_says_what_to_do(tmp_path: Path, model_dir: Path | None, message: str) -> None:
    with pytest.raises(GeneratorError, match=message):
        EchoGenerator(_config(model_dir)).load()


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on machines without CUDA")
def test_no_cuda_says_how_to_proceed(tiny_echo_model_dir: Path, tmp_path: Path) -> None:
    config = EchoConfig(model_dir=tiny_echo_model_dir, device="cuda")
    with pytest.raises(GeneratorError, match=r"from .*model: the echo backend needs a CUDA GPU.*--backend preview"):
        EchoGenerator(config).load()


def test_bad_device_and_bad_sigmas_are_rejected(tiny_echo_model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(GeneratorError, match="is not a device"):
        EchoGenerator(EchoConfig(model_dir=tiny_echo_model_dir, device="gpu-please")).load()
    with pytest.raises(GeneratorError, match="non-increasing values ending at 0"):
        EchoGenerator(sigmas=[1.0, 0.5])


def test_dtype_defaults_to_bf16_on_cuda_and_float32_on_cpu() -> None:
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert resolve_dtype(EchoConfig(), cuda) == torch.bfloat16
    assert resolve_dtype(EchoConfig(), cpu) == torch.float32
    assert resolve_dtype(EchoConfig(dtype="bfloat16"), cpu) == torch.bfloat16
    assert resolve_dtype(EchoConfig(dtype="float16"), cuda) == torch.float16


def test_default_schedule_is_the_official_eight_step_dmd() -> None:
    from diffusers.modular_pipelines.echo.denoise import DEFAULT_ECHO_SIGMAS

    assert EchoGenerator().sigmas == ECHO_SIGMAS == DEFAULT_ECHO_SIGMAS
    assert ECHO_SIGMAS == (1.0, 0.99375, 0.9875, 0.98125, 0.975, 0.909375, 0.725, 0.421875, 0.0)
