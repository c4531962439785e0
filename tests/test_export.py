"""Export end to end on real projects: tools write the project, ffmpeg encodes the takes, export joins them.

Takes are synthetic (a coloured frame pattern and a tone at a chosen level, encoded with generator.media)
so frame identity and loudness can be checked exactly; tests/test_export_preview.py exports preview renders.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from director.cli import main as cli_main
from generator.audio import write_wav
from generator.errors import EchoError
from generator.media import encode_mp4, extract_audio, ffmpeg_exe, probe, read_frames
from tools.base import Toolbox
from workspace.db import Workspace, open_workspace
from workspace.export import ExportResult, export_project
from workspace.export_audio import gated_loudness_db

FPS = 25
RATE = 22050


@dataclass
class SyntheticShot:
    scene: str
    num_frames: int = 33
    size: tuple[int, int] = (320, 192)
    level_db: float = -20.0
    lines: list[tuple[str, str, float, float]] = field(default_factory=list)  # speaker, text, start, end
    rate: int = RATE
    stereo: bool = False  # the right channel a fifth above the left (1.5 x its frequency)


def _frames(number: int, count: int, width: int, height: int) -> np.ndarray:
    """A moving bar over a gradient tinted per shot: every frame differs, every shot differs."""
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :, None]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None, None]
    tint = np.array([(60 * number) % 256, 120, 255 - (40 * number) % 256], dtype=np.float32)
    base = (0.5 * x + 0.3 * y + 0.2 * tint).clip(0, 255).astype(np.uint8)
    frames = np.repeat(base[None], count, axis=0)
    for index in range(count):
        left = (index * 7) % (width - 16)
        frames[index, :, left : left + 16] = 255
    return frames


def _tone(level_db: float, seconds: float, frequency: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (math.sqrt(2) * 10 ** (level_db / 20) * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def _shot_audio(shot: SyntheticShot, number: int) -> np.ndarray:
    left = _tone(shot.level_db, shot.num_frames / FPS, 220.0 * number, shot.rate)
    if not shot.stereo:
        return left
    return np.stack([left, _tone(shot.level_db, shot.num_frames / FPS, 330.0 * number, shot.rate)], axis=1)


def register_synthetic_take(workspace: Workspace, toolbox: Toolbox, project_id: int, number: int, shot: SyntheticShot,
                            memory_sources: list[dict] | None = None) -> int:  # fmt: skip
    width, height = shot.size
    staging = workspace.media.staging_dir()
    wav = write_wav(staging / "shot.wav", _shot_audio(shot, number), shot.rate)
    video = encode_mp4(_frames(number, shot.num_frames, width, height), FPS, width, height, wav, staging / "shot.mp4")
    condition = toolbox.call(
        "record_condition",
        {"project_id": project_id, "number": number, "prompt": f"Shot {number} prompt.", "fields": {"n": number}},
    )
    assert condition.ok, condition.message
    timings = [{"speaker": s, "text": t, "start_s": a, "end_s": b} for s, t, a, b in shot.lines]
    result = toolbox.call("register_take", {
        "project_id": project_id, "number": number, "condition_id": condition.data["condition_id"],
        "backend": "synthetic", "seed": number, "video": str(video), "audio": str(wav),
        "memory_sources": memory_sources or [], "dialogue_timings": timings, "num_frames": shot.num_frames,
        "fps": FPS, "width": width, "height": height, "sample_rate": shot.rate,
    })  # fmt: skip
    assert result.ok, result.message
    return result.data["take_id"]


def build_project(
    workspace: Workspace, shots: list[SyntheticShot], *, render: int | None = None
) -> tuple[int, list[int]]:
    """A project with two characters, scenes S1 (Harbour) and S2 (Lighthouse), and `shots`; the first `render`
    shots (all by default) get a take, each later take remembering the first one."""
    toolbox = Toolbox(workspace, actor="test")
    project_id = toolbox.call("create_project", {"title": "Export test"}).data["project_id"]
    assert toolbox.call("write_story", {"project_id": project_id, "title": "The Keeper", "description": "A tale."}).ok
    for name in ("Mara", "Tomas"):
        assert toolbox.call("add_character", {"project_id": project_id, "name": name, "identity": f"{name}."}).ok
    for name in ("Harbour", "Lighthouse"):
        assert toolbox.call("add_scene", {"project_id": project_id, "name": name}).ok
    plan = [
        {"scene_id": s.scene, "characters": ["ID_A", "ID_B"], "num_frames": s.num_frames,
         "dialogue": [{"speaker": speaker, "text": text} for speaker, text, _, _ in s.lines]}
        for s in shots
    ]  # fmt: skip
    assert toolbox.call("set_shot_plan", {"project_id": project_id, "shots": plan}).ok
    take_ids: list[int] = []
    for number, shot in enumerate(shots[:render], start=1):
        sources = [{"kind": "take", "take_id": take_ids[0], "shot_number": 1, "label": "SHOT_1"}] if take_ids else []
        take_ids.append(register_synthetic_take(workspace, toolbox, project_id, number, shot, sources))
    return project_id, take_ids


def open_home(home: Path) -> Workspace:
    return open_workspace(home)


def srt_times(text: str) -> list[tuple[float, float]]:
    def seconds(stamp: str) -> float:
        h, m, s = stamp.replace(",", ".").split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    return [(seconds(a), seconds(b)) for a, b in re.findall(r"(\S+) --> (\S+)", text)]


COPY_SHOTS = [
    SyntheticShot("S1", 33, lines=[("ID_A", "Light the lamp.", 0.2, 1.0)]),
    SyntheticShot("S1", 25, lines=[("ID_B", "It is lit.", 0.1, 0.6), ("ID_A", "Good.", 0.7, 0.95)]),
    SyntheticShot("S2", 41, lines=[("ID_B", "Ships ahead!", 0.5, 1.4)]),
]


@pytest.fixture(scope="module")
def copy_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, int, ExportResult]:
    root = tmp_path_factory.mktemp("copy_export")
    workspace = open_home(root / "home")
    project_id, _ = build_project(workspace, COPY_SHOTS)
    steps: list[tuple[float, str]] = []
    result = export_project(workspace, project_id, root / "out" / "film", progress=lambda f, m: steps.append((f, m)))
    assert steps[-1][0] == 1.0 and [f for f, _ in steps] == sorted(f for f, _ in steps)
    return workspace, project_id, result


def test_matching_takes_are_joined_without_reencoding(copy_export) -> None:
    workspace, _, result = copy_export
    assert result.video_reencoded is False
    film = probe(result.film)
    assert (film.num_frames, film.width, film.height, film.video_codec, film.audio_codec) == (
        99,
        320,
        192,
        "h264",
        "aac",
    )
    assert film.duration_s == pytest.approx(99 / FPS, abs=1 / FPS)
    assert result.duration_s == pytest.approx(99 / FPS)
    # Stream copy means the decoded film IS the decoded shots, bit for bit, at every cut.
    first_shot = read_frames(result.out_dir / "shots/shot-001.mp4")
    second_shot = read_frames(result.out_dir / "shots/shot-002.mp4", [0, 24])
    assert np.array_equal(read_frames(result.film, range(33)), first_shot)
    assert np.array_equal(read_frames(result.film, [33, 57]), second_shot)
    # Per-shot files are byte copies of the current takes.
    take = workspace.media.resolve(json.loads((result.out_dir / "manifest.json").read_text())["takes"][0]["video_path"])
    assert (result.out_dir / "shots/shot-001.mp4").read_bytes() == take.read_bytes()
    assert sorted(result.files) == sorted([
        "film.mp4", "film.srt", "film.vtt", "chapters.json", "manifest.json", "timeline.otio", "timeline.xml",
        "timeline.edl", "shots/shot-001.mp4", "shots/shot-002.mp4", "shots/shot-003.mp4",
    ])  # fmt: skip
    assert not [p for p in result.out_dir.parent.iterdir() if p.name.startswith(".")], "temp folders left behind"


def test_subtitles_are_timed_on_the_film_clock(copy_export) -> None:
    _, _, result = copy_export
    srt = (result.out_dir / "film.srt").read_text()
    expected = [(0.2, 1.0), (1.32 + 0.1, 1.32 + 0.6), (1.32 + 0.7, 1.32 + 0.95), (2.32 + 0.5, 2.32 + 1.4)]
    assert srt_times(srt) == [(pytest.approx(a), pytest.approx(b)) for a, b in expected]
    assert "Mara: Light the lamp." in srt and "Tomas: Ships ahead!" in srt
    vtt = (result.out_dir / "film.vtt").read_text()
    assert vtt.startswith("WEBVTT")
    assert srt_times(vtt) == srt_times(srt)
    assert "<v Tomas>It is lit." in vtt


def test_chapters_follow_scenes_in_the_mp4_and_json(copy_export) -> None:
    _, _, result = copy_export
    chapters = json.loads((result.out_dir / "chapters.json").read_text())
    assert [(c["title"], c["start_s"], c["end_s"], c["shots"]) for c in chapters] == [
        ("Harbour", 0.0, 2.32, [1, 2]),
        ("Lighthouse", 2.32, 3.96, [3]),
    ]
    header = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(result.film)], capture_output=True, text=True)
    embedded = re.findall(r"Chapter #\d+:\d+: start ([\d.]+), end ([\d.]+)\s+Metadata:\s+title\s+: (.+)", header.stderr)
    assert [(float(a), float(b), t.strip()) for a, b, t in embedded] == [
        (0.0, 2.32, "Harbour"),
        (2.32, 3.96, "Lighthouse"),
    ]
    assert re.search(r"title\s+: The Keeper", header.stderr)


def test_timelines_round_trip(copy_export) -> None:
    _, _, result = copy_export
    timeline = otio.adapters.read_from_file(str(result.out_dir / "timeline.otio"))
    video, audio = timeline.video_tracks(), timeline.audio_tracks()
    assert len(video) == 1 and len(audio) == 1
    for track in (video[0], audio[0]):
        clips = list(track.find_clips())
        assert [c.source_range.duration.to_frames() for c in clips] == [33, 25, 41]
        assert [c.media_reference.target_url for c in clips] == [f"shots/shot-00{n}.mp4" for n in (1, 2, 3)]
        assert all((result.out_dir / c.media_reference.target_url).is_file() for c in clips)
    assert timeline.duration().to_seconds() == pytest.approx(3.96)
    assert [(m.name, m.marked_range.start_time.to_frames()) for m in timeline.tracks.markers] == [
        ("Harbour", 0), ("Lighthouse", 58),
    ]  # fmt: skip
    fcp = otio.adapters.read_from_file(str(result.out_dir / "timeline.xml"), adapter_name="fcp_xml")
    fcp_clips = list(fcp.video_tracks()[0].find_clips())
    assert [c.source_range.duration.to_frames() for c in fcp_clips] == [33, 25, 41]
    assert fcp_clips[0].media_reference.target_url == (result.out_dir / "shots/shot-001.mp4").as_uri()
    edl = otio.adapters.read_from_file(str(result.out_dir / "timeline.edl"), adapter_name="cmx_3600", rate=FPS)
    assert [c.source_range.duration.to_frames() for c in edl.video_tracks()[0].find_clips()] == [33, 25, 41]


def test_manifest_lists_shots_takes_conditions_and_memory(copy_export) -> None:
    _, project_id, result = copy_export
    manifest = json.loads((result.out_dir / "manifest.json").read_text())
    assert manifest["project"]["id"] == project_id and manifest["story"]["title"] == "The Keeper"
    assert [(s["number"], s["scene_id"], s["film_start_s"], s["file"]) for s in manifest["shots"]] == [
        (1, "S1", 0.0, "shots/shot-001.mp4"),
        (2, "S1", 1.32, "shots/shot-002.mp4"),
        (3, "S2", 2.32, "shots/shot-003.mp4"),
    ]
    assert manifest["shots"][0]["characters"] == [{"id": "ID_A", "name": "Mara"}, {"id": "ID_B", "name": "Tomas"}]
    assert manifest["shots"][0]["dialogue"] == [{"speaker": "ID_A", "text": "Light the lamp.", "name": "Mara"}]
    assert [(t["version"], t["backend"], t["seed"]) for t in manifest["takes"]] == [
        (1, "synthetic", n) for n in (1, 2, 3)
    ]
    assert [(c["shot_number"], c["prompt"], c["fields"]) for c in manifest["conditions"]] == [
        (n, f"Shot {n} prompt.", {"n": n}) for n in (1, 2, 3)
    ]
    first_take = manifest["takes"][0]["id"]
    assert [m["sources"] for m in manifest["memory_sources"]][1][0]["take_id"] == first_take
    assert manifest["film"]["video_reencoded"] is False and manifest["skipped"] == []


def test_different_sizes_are_reencoded_to_the_first_shot(tmp_path: Path) -> None:
    workspace = open_home(tmp_path / "home")
    shots = [SyntheticShot("S1", 25), SyntheticShot("S2", 33, size=(256, 160))]
    project_id, _ = build_project(workspace, shots)
    result = export_project(workspace, project_id, tmp_path / "out")
    assert result.video_reencoded is True
    film = probe(result.film)
    assert (film.num_frames, film.width, film.height, film.has_audio) == (58, 320, 192, True)
    assert film.duration_s == pytest.approx(58 / FPS, abs=1 / FPS)
    # The smaller shot is letterboxed, not stretched: 256x160 scales to 307x192, centred between black bars.
    frame = read_frames(result.film, [40])[0].max(axis=(0, 2))
    picture = np.flatnonzero(frame > 40)
    assert 305 <= picture.size <= 309 and picture[0] in (6, 7) and frame[:5].max() < 25


def test_loudness_is_evened_across_shots(tmp_path: Path) -> None:
    workspace = open_home(tmp_path / "home")
    shots = [SyntheticShot("S1", 49, level_db=-12.0), SyntheticShot("S1", 49, level_db=-24.0)]
    project_id, _ = build_project(workspace, shots)
    result = export_project(
        workspace, project_id, tmp_path / "Mara's cut, v2"
    )  # a quote in the path: concat list escaping
    audio = extract_audio(result.film, RATE)
    cut = round(49 / FPS * RATE)
    guard = RATE // 20  # AAC blurs a few ms around the cut
    first, second = gated_loudness_db(audio[guard : cut - guard], RATE), gated_loudness_db(audio[cut + guard :], RATE)
    assert first is not None and second is not None
    assert abs(first - second) < 2.0, (first, second)
    manifest = json.loads((result.out_dir / "manifest.json").read_text())
    assert manifest["shots"][1]["gain_db"] - manifest["shots"][0]["gain_db"] == pytest.approx(12.0, abs=0.5)


def film_channels(film: Path, rate: int) -> np.ndarray:
    """The film's audio as (samples, channels) float32, decoded without mixing the channels down."""
    probed = probe(film)
    channels = {"mono": 1, "stereo": 2}[probed.audio_channels]
    decoded = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(film), "-map", "0:a:0", "-ar", str(rate), "-f", "f32le", "pipe:1"],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(decoded.stdout, dtype="<f4").reshape(-1, channels)


def dominant_hz(wave: np.ndarray, rate: int) -> float:
    return float(np.argmax(np.abs(np.fft.rfft(wave))) * rate / wave.size)


def test_a_stereo_48k_take_stays_stereo_in_the_film(tmp_path: Path) -> None:
    workspace = open_home(tmp_path / "home")
    shots = [SyntheticShot("S1", 49), SyntheticShot("S1", 49, rate=48000, stereo=True)]
    project_id, _ = build_project(workspace, shots)

    result = export_project(workspace, project_id, tmp_path / "out")

    copy, film = probe(result.out_dir / "shots/shot-002.mp4"), probe(result.film)
    assert (copy.audio_channels, copy.audio_sample_rate) == ("stereo", 48000)
    assert (film.audio_channels, film.audio_sample_rate) == ("stereo", 48000)
    audio = film_channels(result.film, 48000)
    cut, guard = round(49 / FPS * 48000), 48000 // 10  # AAC blurs a few ms around the cut
    mono_shot, stereo_shot = audio[guard : cut - guard], audio[cut + guard : 2 * cut - guard]
    assert [round(dominant_hz(mono_shot[:, c], 48000)) for c in (0, 1)] == [220, 220]  # the mono take on both sides
    assert np.corrcoef(mono_shot[:, 0], mono_shot[:, 1])[0, 1] > 0.99
    assert [round(dominant_hz(stereo_shot[:, c], 48000)) for c in (0, 1)] == [440, 660]


def test_stale_or_missing_shots_block_unless_forced(tmp_path: Path, workspace_snapshot) -> None:
    workspace = open_home(tmp_path / "home")
    shots = [SyntheticShot("S1", 25), SyntheticShot("S1", 25), SyntheticShot("S2", 25)]
    project_id, take_ids = build_project(workspace, shots, render=2)
    assert Toolbox(workspace).call("mark_stale", {"project_id": project_id, "take_ids": [take_ids[1]]}).ok
    home_before = workspace_snapshot(workspace, include_audit=True)
    out = tmp_path / "exports" / "film"
    with pytest.raises(EchoError) as blocked:
        export_project(workspace, project_id, out)
    message = str(blocked.value)
    assert "shot 2: stale" in message and "shot 3: not generated yet" in message and "--force" in message
    assert "shot 1" not in message
    assert not out.exists() and not (tmp_path / "exports").exists()

    result = export_project(workspace, project_id, out, force=True)
    assert [(s.number, s.reason.split(":")[0]) for s in result.skipped] == [(2, "stale"), (3, "not generated yet")]
    assert probe(result.film).num_frames == 25 and result.shot_count == 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["number"] for s in manifest["skipped"]] == [2, 3] and [s["number"] for s in manifest["shots"]] == [1]
    assert workspace_snapshot(workspace, include_audit=True) == home_before, "export must only read the workspace"


def test_failed_export_leaves_nothing_and_keeps_an_earlier_export(tmp_path: Path) -> None:
    workspace = open_home(tmp_path / "home")
    project_id, _ = build_project(workspace, [SyntheticShot("S1", 25), SyntheticShot("S2", 25)])
    out = tmp_path / "out"
    first = export_project(workspace, project_id, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    manifest = json.loads((out / "manifest.json").read_text())
    workspace.media.resolve(manifest["takes"][1]["video_path"]).write_bytes(b"not a video")
    with pytest.raises(EchoError, match="regenerate"):
        export_project(workspace, project_id, out)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "out"]
    assert first.film.is_file()


def test_output_folder_rules(tmp_path: Path) -> None:
    workspace = open_home(tmp_path / "home")
    project_id, _ = build_project(workspace, [SyntheticShot("S1", 25)])
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(EchoError, match="not empty"):
        export_project(workspace, project_id, foreign)
    with pytest.raises(EchoError, match="workspace"):
        export_project(workspace, project_id, tmp_path / "home" / "projects" / "x")
    with pytest.raises(EchoError, match="contains the project home"):
        export_project(workspace, project_id, tmp_path)
    with pytest.raises(EchoError, match="unknown project"):
        export_project(workspace, 99, tmp_path / "out")
    # An earlier export is replaced, but never a file added by hand there (tests/test_export_safety.py has more).
    first = export_project(workspace, project_id, tmp_path / "again")
    (tmp_path / "again" / "notes.txt").write_text("old")
    with pytest.raises(EchoError, match=r"no earlier export wrote: notes\.txt\. .*choose an empty or new folder"):
        export_project(workspace, project_id, tmp_path / "again")
    assert (tmp_path / "again" / "notes.txt").read_text() == "old"
    on_disk = sorted(p.relative_to(first.out_dir).as_posix() for p in first.out_dir.rglob("*") if p.is_file())
    assert on_disk == sorted([*first.files, "notes.txt"])
    (tmp_path / "again" / "notes.txt").unlink()
    assert export_project(workspace, project_id, tmp_path / "again").film.is_file()
    assert (foreign / "holiday.jpg").read_bytes() == b"x"


def test_cli_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`echo-director export` through the CLI's own entry point (in process: the parser imports every stage)."""
    home = tmp_path / "home"
    workspace = open_home(home)
    build_project(workspace, [SyntheticShot("S1", 25), SyntheticShot("S1", 25)], render=1)
    workspace.close()
    arguments = ["--home", str(home), "export", "Export test", "--out"]
    assert cli_main([*arguments, str(tmp_path / "a")]) == 2
    assert "shot 2: not generated yet" in capsys.readouterr().err and not (tmp_path / "a").exists()
    assert cli_main([*arguments, str(tmp_path / "b"), "--force"]) == 0
    printed = capsys.readouterr().out
    assert "skipped shot 2" in printed and "[100%]" in printed and "stream-copied" in printed
    assert probe(tmp_path / "b" / "film.mp4").num_frames == 25
