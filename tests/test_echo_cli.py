"""`echo-director render` with the echo backend, as a user runs it, against a saved tiny pipeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tiny_echo import TINY_FRAMES, TINY_SAMPLE_RATE, TOKENS_PER_FRAME, tiny_request, tiny_slot

from generator.echo.pipeline import ECHO_SIGMAS
from generator.media import probe
from generator.memory import save_slots

CLI = Path(sys.executable).with_name("echo-director")


def _render(tmp_path: Path, model_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    request = tmp_path / "request.json"
    request.write_text(tiny_request(seed=11).model_dump_json())
    env = {**os.environ, "ECHO_DEVICE": "cpu", "ECHO_DTYPE": "float32", "ECHO_HOME": str(tmp_path / "home")}
    # the word order of the issue and the README: flags after the subcommand
    command = [str(CLI), "render", str(request), "--backend", "echo", "--model-dir", str(model_dir), *extra]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_render_with_memory_writes_an_echo_shot(tiny_echo_model_dir: Path, tmp_path: Path) -> None:
    slots = [tiny_slot("ID_A", seed=1), tiny_slot("SHOT_1", seed=2, with_audio=False)]
    slots_json = save_slots(slots, tmp_path / "memory" / "slots.json")

    result = _render(tmp_path, tiny_echo_model_dir, "--out", str(tmp_path / "out"), "--memory", str(slots_json))

    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "out" / "shot.json").read_text())
    assert (summary["backend"], summary["sample_rate"], summary["num_frames"]) == ("echo", TINY_SAMPLE_RATE, 25)
    assert summary["metadata"]["sigmas"] == list(ECHO_SIGMAS) and summary["metadata"]["steps"] == 8
    assert summary["metadata"]["memory_slots"] == ["ID_A", "SHOT_1"]
    assert summary["metadata"]["tokens"]["memory_video"] == 2 * TOKENS_PER_FRAME
    assert probe(tmp_path / "out" / "shot.mp4").num_frames == TINY_FRAMES
    assert "denoising step 8/8 done" in result.stderr


def test_render_without_a_complete_model_dir_explains_and_writes_nothing(tmp_path: Path) -> None:
    result = _render(tmp_path, tmp_path / "no-weights", "--out", str(tmp_path / "out"))

    assert result.returncode == 2
    assert "does not exist. Check ECHO_MODEL_DIR / --model-dir" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()
