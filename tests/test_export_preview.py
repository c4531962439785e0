"""Export of a project whose takes were rendered by the real preview backend (speech, animatic, H.264 + AAC)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from generator.media import extract_audio, probe, read_frames
from generator.preview.renderer import PreviewGenerator
from generator.types import CharacterInShot, DialogueLine, SceneInShot, ShotRequest
from tools.base import Toolbox
from workspace.db import Workspace, open_workspace
from workspace.export import export_project
from workspace.export_text import format_srt, shot_cues

CAST = [
    CharacterInShot(id="ID_A", name="Mara", identity="A woman with short black hair.", voice="a low female voice"),
    CharacterInShot(id="ID_B", name="Tomas", identity="An old man with a white beard.", voice="a deep male voice"),
]
SCENES = [SceneInShot(id="S1", name="Harbour", description="sunset"), SceneInShot(id="S2", name="Lamp room")]
SHOTS = [  # scene index, frames, speaker, line
    (0, 33, "ID_A", "The storm is here."),
    (0, 25, "ID_B", "Light the lamp."),
    (1, 33, "ID_A", "It is lit now."),
]


def render_and_register(workspace: Workspace, toolbox: Toolbox, project_id: int) -> None:
    generator = PreviewGenerator()
    for number, (scene, frames, speaker, line) in enumerate(SHOTS, start=1):
        request = ShotRequest(
            prompt=f"Shot {number}.", characters=CAST, dialogue=[DialogueLine(speaker=speaker, text=line)],
            scene=SCENES[scene], num_frames=frames, width=320, height=192, seed=number,
        )  # fmt: skip
        shot = generator.generate(request, [], None, workspace.media.staging_dir())
        result = toolbox.call("register_take", {
            "project_id": project_id, "number": number, "backend": shot.backend, "seed": shot.seed,
            "video": str(shot.video_path), "audio": str(shot.audio_path),
            "dialogue_timings": [t.model_dump() for t in shot.dialogue_timings], "num_frames": shot.num_frames,
            "fps": shot.fps, "width": shot.width, "height": shot.height, "sample_rate": shot.sample_rate,
        })  # fmt: skip
        assert result.ok, result.message


def test_preview_project_exports_as_one_film(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path / "home")
    toolbox = Toolbox(workspace, actor="test")
    project_id = toolbox.call("create_project", {"title": "Preview film"}).data["project_id"]
    for card in CAST:
        assert toolbox.call(
            "add_character", {"project_id": project_id, "name": card.name, "identity": card.identity}
        ).ok
    for scene in SCENES:
        assert toolbox.call("add_scene", {"project_id": project_id, "name": scene.name}).ok
    plan = [
        {"scene_id": SCENES[scene].id, "characters": ["ID_A", "ID_B"], "num_frames": frames,
         "dialogue": [{"speaker": speaker, "text": line}]}
        for scene, frames, speaker, line in SHOTS
    ]  # fmt: skip
    assert toolbox.call("set_shot_plan", {"project_id": project_id, "shots": plan}).ok
    render_and_register(workspace, toolbox, project_id)

    result = export_project(workspace, project_id, tmp_path / "film")
    assert result.video_reencoded is False and result.shot_count == 3
    film = probe(result.film)
    assert film.num_frames == 91 and film.has_audio and film.audio_sample_rate == 48_000
    assert film.duration_s == pytest.approx(91 / 25, abs=1 / 25)
    assert np.array_equal(
        read_frames(result.film, [33, 57]), read_frames(result.out_dir / "shots/shot-002.mp4", [0, 24])
    )
    speech = extract_audio(result.film, 16_000)
    assert speech.size == pytest.approx(91 / 25 * 16_000, abs=400) and np.abs(speech).max() > 0.05

    manifest = json.loads((result.out_dir / "manifest.json").read_text())
    names = {"ID_A": "Mara", "ID_B": "Tomas"}
    cues = [
        cue
        for shot in manifest["shots"]
        for cue in shot_cues(shot["dialogue_timings"], shot["film_start_s"], shot["duration_s"], names)
    ]
    assert (result.out_dir / "film.srt").read_text() == format_srt(cues)
    assert [cue.text for cue in cues] == [line for *_, line in SHOTS]
    assert cues[1].start_s >= 33 / 25 and cues[2].start_s >= 58 / 25
    timeline = otio.adapters.read_from_file(str(result.out_dir / "timeline.otio"))
    assert [c.duration().to_frames() for c in timeline.video_tracks()[0].find_clips()] == [33, 25, 33]
