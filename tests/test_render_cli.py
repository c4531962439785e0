"""`echo-director render REQUEST.json --out DIR [--memory SLOTS.json]`, in process and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from preview_helpers import MARA, TOM, shot_request

from director.commands.render import render_request, summarise
from director.settings import Settings
from generator.errors import EchoError
from generator.media import probe, save_png
from generator.memory import card_slot, save_slots
from generator.request_file import load_request
from generator.types import DialogueLine

CLI = Path(sys.executable).with_name("echo-director")


def _write_request(folder: Path, **overrides: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = shot_request(**({"num_frames": 25} | overrides)).model_dump(mode="json")
    path = folder / "request.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ECHO_HOME": str(cwd / "home")}
    return subprocess.run([str(CLI), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_render_command_end_to_end_with_memory(tmp_path: Path) -> None:
    face = np.zeros((64, 48, 3), np.uint8)
    face[..., 1] = 255
    save_png(tmp_path / "job" / "mara.png", face)
    relative_face = MARA.model_copy(update={"reference_image": Path("mara.png")})
    request = _write_request(tmp_path / "job", characters=[relative_face, TOM], num_frames=73)
    save_slots(
        [card_slot(MARA.model_copy(update={"reference_image": tmp_path / "job" / "mara.png"}), width=320, height=192)],
        tmp_path / "slots" / "memory.json",
    )

    result = _run_cli("render", "job/request.json", "--out", "out", "--memory", "slots/memory.json", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "rendered 73 frames" in result.stdout and "ID_A" in result.stdout and "warning" not in result.stdout
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["memory", "shot.json", "shot.mp4", "shot.wav"]
    info = probe(out / "shot.mp4")
    assert (info.num_frames, info.width, info.height, info.has_audio) == (73, 320, 192, True)
    summary = json.loads((out / "shot.json").read_text())
    assert summary["backend"] == "preview" and len(summary["dialogue_timings"]) == 2
    assert summary["metadata"]["faces"]["ID_A"] == "reference_image"  # resolved relative to request.json
    assert summary["metadata"]["memory_labels"] == ["ID_A"]
    assert request.exists()

    # the written memory (given slots + this shot's KOK slot) continues the next render
    again = _run_cli("render", "job/request.json", "--out", "next", "--memory", "out/memory/slots.json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    labels = json.loads((tmp_path / "next" / "shot.json").read_text())["metadata"]["memory_labels"]
    assert labels == ["ID_A", "SHOT_out"]


def test_render_command_rejects_a_bad_request_and_writes_nothing(tmp_path: Path) -> None:
    data = shot_request().model_dump(mode="json") | {"num_frames": 30, "width": 100}
    (tmp_path / "bad.json").write_text(json.dumps(data))

    result = _run_cli("render", "bad.json", "--out", "out", cwd=tmp_path)

    assert result.returncode == 2
    assert "num_frames must be 1+8k" in result.stderr and "valid: 25, 33" in result.stderr
    assert "width must be a positive multiple of 32" in result.stderr
    assert not (tmp_path / "out").exists()


def test_request_file_paths_may_be_relative_to_the_file_or_absolute(tmp_path: Path) -> None:
    faces = tmp_path / "faces"
    faces.mkdir()
    mara = MARA.model_copy(update={"reference_image": Path("faces/mara.png")})
    tom = TOM.model_copy(update={"reference_image": faces / "tom.png", "reference_audio": tmp_path / "tom.wav"})
    request = load_request(_write_request(tmp_path, characters=[mara, tom], first_frame=faces / "first.png"))
    assert request.characters[0].reference_image == faces / "mara.png"
    assert request.characters[1].reference_image == faces / "tom.png"
    assert request.characters[1].reference_audio == tmp_path / "tom.wav"
    assert request.first_frame == faces / "first.png"


def test_unknown_speaker_in_json_names_the_valid_ids(tmp_path: Path) -> None:
    data = shot_request().model_dump(mode="json")
    data["dialogue"][0]["speaker"] = "ID_Z"
    (tmp_path / "request.json").write_text(json.dumps(data))
    with pytest.raises(EchoError, match=r"dialogue\.speaker: unknown speaker 'ID_Z'; valid values: \['ID_A', 'ID_B'\]"):
        render_request(tmp_path / "request.json", tmp_path / "out", Settings(home=tmp_path))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("content", "expected"), [("{not json", "not valid JSON"), ("[1, 2]", "not list")])
def test_unreadable_request_files_are_explained(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "request.json").write_text(content)
    with pytest.raises(EchoError, match=expected):
        load_request(tmp_path / "request.json")
    with pytest.raises(EchoError, match="cannot read shot request"):
        load_request(tmp_path / "missing.json")


def test_out_must_be_a_folder_and_memory_must_load(tmp_path: Path) -> None:
    request = _write_request(tmp_path)
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(EchoError, match="is a file"):
        render_request(request, tmp_path / "taken", Settings(home=tmp_path))
    (tmp_path / "slots.json").write_text(json.dumps({"label": "ID_A"}))
    with pytest.raises(EchoError, match="JSON list of memory slots"):
        render_request(request, tmp_path / "out", Settings(home=tmp_path), memory_path=tmp_path / "slots.json")
    assert not (tmp_path / "out").exists()


def test_overflow_is_warned_about_in_the_summary(tmp_path: Path) -> None:
    long_line = DialogueLine(speaker="ID_A", text="This sentence is far too long to be spoken inside a single second.")
    request = _write_request(tmp_path, dialogue=[long_line])
    shot = render_request(request, tmp_path / "out", Settings(home=tmp_path))
    text = summarise(shot, tmp_path / "out")
    assert "did not fit the shot" in text and f"use num_frames {shot.metadata['suggested_num_frames']}" in text
