"""The folders users have load as JoyAI-Echo (tiny random weights), and every way they can be wrong is one message.

Layouts (tests/tiny_echo.py, LAYOUTS): what diffusers' converter writes, the official converter's output plus an
LTX-2.3 Diffusers base folder, a merged folder with model_index.json, and what save_pretrained writes. All hold the
same tiny weights with Echo 1.5's 48 kHz `LTX2VocoderWithBWE`, so every layout must render the same shot.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from diffusers.pipelines.ltx2 import LTX2VocoderWithBWE
from tiny_echo import (
    LAYOUTS,
    TINY_FRAMES,
    TWO_STEP_SIGMAS,
    TinyFolders,
    save_tiny_echo,
    save_tiny_layout,
    tiny_echo_pipeline,
    tiny_request,
    tiny_slot,
    tiny_vocoder,
)

from director.settings import Settings
from generator.echo import loading
from generator.echo.config import EchoConfig
from generator.echo.layouts import find_layout
from generator.echo.pipeline import EchoGenerator
from generator.types import GeneratorError

CLI = Path(sys.executable).with_name("echo-director")
Shot = tuple[np.ndarray, np.ndarray]


@pytest.fixture(scope="module")
def layouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TinyFolders]:
    root = tmp_path_factory.mktemp("layouts")
    return {layout: save_tiny_layout(root / layout, layout) for layout in LAYOUTS}


def _render(generator: EchoGenerator, out_dir: Path) -> Shot:
    memory = [tiny_slot("ID_A", seed=4), tiny_slot("SHOT_1", seed=5, with_clip=True)]
    shot = generator.generate(tiny_request(seed=3), memory, out_dir=out_dir)
    return shot.frames, shot.audio


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Shot:
    generator = EchoGenerator(sigmas=TWO_STEP_SIGMAS, pipeline=tiny_echo_pipeline())
    return _render(generator, tmp_path_factory.mktemp("reference"))


def _generator(folders: TinyFolders, **overrides: object) -> EchoGenerator:
    config = EchoConfig(model_dir=folders.model_dir, base_model_dir=folders.base_model_dir, device="cpu", **overrides)
    return EchoGenerator(config, sigmas=TWO_STEP_SIGMAS)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_renders_the_same_48khz_shot(
    layouts: dict[str, TinyFolders], reference: Shot, tmp_path: Path, layout: str
) -> None:
    generator = _generator(layouts[layout])

    frames, audio = _render(generator, tmp_path)

    assert isinstance(generator.load().vocoder, LTX2VocoderWithBWE)
    assert audio.shape == (48_000 * TINY_FRAMES // 25, 2)  # stereo, as the vocoder gives it
    assert np.abs(frames.astype(int) - reference[0]).max() <= 1
    np.testing.assert_allclose(audio, reference[1], atol=1e-5)


def test_base_folder_gives_only_gemma_and_comes_from_the_settings(
    layouts: dict[str, TinyFolders], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folders = layouts["official_converter"]
    monkeypatch.setenv("ECHO_MODEL_DIR", str(folders.model_dir))
    monkeypatch.setenv("ECHO_BASE_MODEL_DIR", str(folders.base_model_dir))
    config = Settings(home=tmp_path / "home", backend="echo", device="cpu").generator_config

    layout = find_layout(config.model_dir, config.base_model_dir)

    from_base = {name for name, part in layout.parts.items() if part.root == folders.base_model_dir}
    assert from_base == {"text_encoder", "tokenizer"}  # the base folder's own vocoder (a decoy) is never read
    assert layout.parts["vocoder"].class_name == "LTX2VocoderWithBWE"


def test_a_gemma_folder_with_everything_at_its_root_is_a_base_folder(layouts: dict[str, TinyFolders]) -> None:
    gemma = layouts["diffusers_converter"].model_dir.parent / "gemma-3"  # laid out as google/gemma-3-12b-it

    layout = find_layout(layouts["official_converter"].model_dir, gemma)

    assert {
        (part.root, part.subfolder) for name, part in layout.parts.items() if name in ("text_encoder", "tokenizer")
    } == {(gemma, None)}


def test_the_plain_16khz_vocoder_still_loads(tmp_path: Path) -> None:
    generator = _generator(TinyFolders(save_tiny_echo(tmp_path / "model", bwe=False)))

    shot = generator.generate(tiny_request(), [], out_dir=tmp_path / "out")

    assert shot.sample_rate == 16_000 and shot.audio.shape == (16_000 * TINY_FRAMES // 25, 2)


def _copy(folders: TinyFolders, tmp_path: Path) -> TinyFolders:
    model = shutil.copytree(folders.model_dir, tmp_path / "model")
    base = None if folders.base_model_dir is None else shutil.copytree(folders.base_model_dir, tmp_path / "base")
    return TinyFolders(Path(model), None if base is None else Path(base))


def _edit_json(path: Path, **changes: object) -> None:
    path.write_text(json.dumps(json.loads(path.read_text()) | changes))


def _hub_gemma(folders: TinyFolders) -> TinyFolders:
    index = folders.model_dir / "modular_model_index.json"
    data = json.loads(index.read_text())
    for name in ("text_encoder", "tokenizer"):
        data[name][2]["pretrained_model_name_or_path"] = "google/gemma-3-12b-it"
    index.write_text(json.dumps(data))
    return folders


def _plain_vocoder_weights(folders: TinyFolders) -> TinyFolders:
    plain = tiny_vocoder(16, bwe=False)
    plain.save_pretrained(folders.model_dir / "plain")
    shutil.move(
        folders.model_dir / "plain" / "diffusion_pytorch_model.safetensors",
        folders.model_dir / "vocoder" / "diffusion_pytorch_model.safetensors",
    )
    return folders


BROKEN = {
    # id: (layout, how to break a copy of it, the message)
    "missing-part": (
        "official_converter",
        lambda f: shutil.rmtree(f.model_dir / "vocoder") or f,
        r"model is incomplete: missing or empty component folder\(s\) vocoder .*Re-run the converter",
    ),
    "official-without-base": (
        "official_converter",
        lambda f: TinyFolders(f.model_dir),
        r"model has no Gemma 3 tokenizer or text_encoder \(the official converter writes only .*\)\. "
        r"Set ECHO_BASE_MODEL_DIR / --base-model-dir to a local folder",
    ),
    "base-without-gemma": (
        "official_converter",
        lambda f: shutil.rmtree(f.base_model_dir / "text_encoder") or f,
        r"Base folder .*base \(ECHO_BASE_MODEL_DIR / --base-model-dir\) holds no Gemma 3 text_encoder\. Set",
    ),
    "base-missing": (
        "official_converter",
        lambda f: TinyFolders(f.model_dir, f.model_dir.parent / "nowhere"),
        r"Base folder .*nowhere does not exist\. Check ECHO_BASE_MODEL_DIR / --base-model-dir",
    ),
    "gemma-on-the-hub": (
        "diffusers_converter",
        _hub_gemma,
        r"has no Gemma 3 tokenizer or text_encoder; its modular_model_index.json takes them from "
        r"'google/gemma-3-12b-it' \(local folders only: nothing is downloaded\)\. Set ECHO_BASE",
    ),
    "index-names-the-wrong-vocoder": (
        "model_index",
        lambda f: _edit_json(f.model_dir / "model_index.json", vocoder=["ltx2", "LTX2Vocoder"]) or f,
        r"model_index.json names vocoder as LTX2Vocoder, but .*vocoder/config.json holds LTX2VocoderWithBWE, so its "
        r'weights would not load\. Set that entry to \["ltx2", "LTX2VocoderWithBWE"\]',
    ),
    "index-library-diffusers-cannot-import": (
        "model_index",
        lambda f: _edit_json(f.model_dir / "model_index.json", connectors=["diffusers", "LTX2TextConnectors"]) or f,
        r'names connectors as \["diffusers", "LTX2TextConnectors"\], which diffusers cannot import\. '
        r'Set that entry to \["ltx2", "LTX2TextConnectors"\]',
    ),
    "index-entry-malformed": (
        "model_index",
        lambda f: _edit_json(f.model_dir / "model_index.json", vae="AutoencoderKLLTX2Video") or f,
        r"model_index.json: the vae entry is not \[library, class\]",
    ),
    "index-not-json": (
        "model_index",
        lambda f: (f.model_dir / "model_index.json").write_text("{oops") and f,
        r"Cannot read .*model_index.json: .*Restore it from the converter's output",
    ),
    "wrong-folder-copied": (
        "official_converter",
        lambda f: _edit_json(f.model_dir / "vocoder" / "config.json", _class_name="AutoencoderKLLTX2Video") or f,
        r"vocoder/config.json describes AutoencoderKLLTX2Video, but Echo's vocoder is LTX2VocoderWithBWE or "
        r"LTX2Vocoder\. Copy the vocoder/ folder",
    ),
    "weights-of-another-class": (
        "official_converter",
        _plain_vocoder_weights,
        r"model/vocoder does not hold the weights of its LTX2VocoderWithBWE: \d+ tensor\(s\) such as .* are missing "
        r"from its weight files\. Convert the release checkpoint again",
    ),
}


@pytest.mark.parametrize(("layout", "breakage", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_every_broken_folder_is_one_message_naming_it(
    layouts: dict[str, TinyFolders], tmp_path: Path, layout: str, breakage, message: str
) -> None:
    generator = _generator(breakage(_copy(layouts[layout], tmp_path)))

    with pytest.raises(GeneratorError, match=message):
        generator.generate(tiny_request(), [], out_dir=tmp_path / "out")
    assert not generator.loaded and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "error",
    [torch.OutOfMemoryError("CUDA out of memory"), RuntimeError("DefaultCPUAllocator: can't allocate memory")],
    ids=["torch", "cpu-allocator"],
)
def test_running_out_of_memory_while_loading_names_the_folder(
    layouts: dict[str, TinyFolders], monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    class Exhausted:
        @classmethod
        def from_pretrained(cls, *_: object, **__: object) -> None:
            raise error

    monkeypatch.setitem(loading.CLASSES, "LTX2VideoTransformer3DModel", Exhausted)

    with pytest.raises(GeneratorError, match=r"Out of memory while loading transformer from .*model/transformer: "):
        _generator(layouts["model_index"]).load()


def test_running_out_of_gpu_memory_while_placing_names_the_folder_and_the_offload_fix(
    layouts: dict[str, TinyFolders], monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhaust(*_: object) -> None:
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(loading, "place_components", exhaust)

    with pytest.raises(GeneratorError, match=r"out of memory while moving JoyAI-Echo from .*model to cpu\. Try"):
        _generator(layouts["save_pretrained"]).load()


def test_the_cli_prints_one_line_for_a_folder_without_gemma(layouts: dict[str, TinyFolders], tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(tiny_request().model_dump_json())
    env = {**os.environ, "ECHO_DEVICE": "cpu", "ECHO_HOME": str(tmp_path / "home")}
    model_dir = str(layouts["official_converter"].model_dir)
    command = [str(CLI), "render", str(request), "--backend", "echo", "--model-dir", model_dir, "--out", "out"]

    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)

    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "has no Gemma 3 tokenizer or text_encoder" in result.stderr and "ECHO_BASE_MODEL_DIR" in result.stderr
    assert not (tmp_path / "out").exists()
