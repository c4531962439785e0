"""The export's building blocks on their own: subtitle and chapter text, loudness measurement and gains."""

from __future__ import annotations

import math

import numpy as np
import pytest

from generator.audio import read_wav
from workspace.export_audio import (
    CEILING_DB,
    LOWEST_TARGET_DB,
    TARGET_DB,
    build_soundtrack,
    even_gains,
    gated_loudness_db,
)
from workspace.export_text import (
    Cue,
    chapters_json,
    format_ffmetadata,
    format_srt,
    format_vtt,
    scene_chapters,
    shot_cues,
)


def tone(level_db: float, seconds: float, rate: int = 16000, frequency: float = 440.0) -> np.ndarray:
    """A sine whose RMS is `level_db` dBFS."""
    t = np.arange(round(seconds * rate)) / rate
    return (math.sqrt(2) * 10 ** (level_db / 20) * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def test_shot_cues_move_to_film_clock_and_clip_at_the_cut() -> None:
    timings = [
        {"speaker": "ID_A", "text": "Hello  there,\nfriend.", "start_s": 0.2, "end_s": 1.0},
        {"speaker": "ID_B", "text": "Too late", "start_s": 1.1, "end_s": 2.5},
        {"speaker": "ID_B", "text": "Never heard", "start_s": 2.0, "end_s": 2.4},
    ]
    cues = shot_cues(timings, offset_s=10.0, duration_s=1.32, speaker_names={"ID_A": "Mara"})
    assert cues == [
        Cue(10.2, 11.0, "Mara", "Hello there, friend."),
        Cue(11.1, 11.32, "ID_B", "Too late"),
    ]


def test_srt_and_vtt_formats() -> None:
    cues = [Cue(3661.2346, 3662.5, "Mara", "Fish & <chips> --> now"), Cue(0.0, 0.5, "", "narration")]
    srt = format_srt(cues)
    assert srt.splitlines()[:3] == ["1", "01:01:01,235 --> 01:01:02,500", "Mara: Fish & <chips> --> now"]
    assert "2\n00:00:00,000 --> 00:00:00,500\nnarration\n" in srt
    vtt = format_vtt(cues)
    assert vtt.startswith("WEBVTT\n\n01:01:01.235 --> 01:01:02.500\n<v Mara>Fish &amp; &lt;chips&gt; -&gt; now\n")
    assert vtt.rstrip().endswith("00:00:00.000 --> 00:00:00.500\nnarration")


def test_chapters_group_consecutive_shots_of_a_scene() -> None:
    rows = [(1, "S1", 0.0, 1.0), (2, "S1", 1.0, 2.0), (3, "S2", 3.0, 1.0), (4, "S1", 4.0, 1.5)]
    chapters = scene_chapters(rows, {"S1": "Harbour", "S2": ""})
    assert [(c.title, c.start_s, c.end_s, c.shot_numbers) for c in chapters] == [
        ("Harbour", 0.0, 3.0, (1, 2)),
        ("S2", 3.0, 4.0, (3,)),
        ("Harbour", 4.0, 5.5, (4,)),
    ]
    assert chapters_json(chapters)[1] == {
        "index": 2, "title": "S2", "scene_id": "S2", "start_s": 3.0, "end_s": 4.0, "shots": [3],
    }  # fmt: skip
    metadata = format_ffmetadata("A=B; #1", chapters)
    assert metadata.startswith(";FFMETADATA1\ntitle=A\\=B\\; \\#1\n")
    assert "[CHAPTER]\nTIMEBASE=1/1000\nSTART=3000\nEND=4000\ntitle=S2\n" in metadata


def test_gated_loudness_ignores_silence_and_reads_the_level() -> None:
    speech = tone(-23.0, 3.0)
    with_pauses = np.concatenate([np.zeros(16000, np.float32), speech, np.zeros(32000, np.float32)])
    assert gated_loudness_db(with_pauses, 16000) == pytest.approx(-23.0, abs=0.5)
    assert gated_loudness_db(np.zeros(16000, np.float32), 16000) is None
    assert gated_loudness_db(tone(-30.0, 0.1), 16000) == pytest.approx(-30.0, abs=0.5)


def test_gains_reach_one_target_without_passing_the_ceiling() -> None:
    gains, target = even_gains([-14.0, -26.0, None], [0.3, 0.08, 0.0])
    assert target == TARGET_DB
    assert gains == [pytest.approx(-6.0), pytest.approx(6.0), 0.0]
    # A peaky shot (crest 20 dB) lowers the common target so its peak lands on the ceiling.
    gains, target = even_gains([-20.0, -30.0], [1.0, 0.1])
    assert target == pytest.approx(TARGET_DB - (0.0 - CEILING_DB))
    assert 20 * math.log10(1.0) + gains[0] == pytest.approx(CEILING_DB)
    assert gains[1] - gains[0] == pytest.approx(10.0)
    _, target = even_gains([-60.0], [1.0])
    assert target == LOWEST_TARGET_DB


def test_soundtrack_places_shots_on_the_video_clock(tmp_path) -> None:
    from generator.audio import write_wav

    loud, quiet = tmp_path / "loud.wav", tmp_path / "quiet.wav"
    write_wav(loud, tone(-14.0, 1.5, rate=22050), 22050)  # longer than its shot: trimmed
    write_wav(quiet, tone(-26.0, 0.5, rate=16000), 16000)  # shorter and at another rate: padded, resampled
    levels, target, rate = build_soundtrack([loud, quiet], [1.0, 1.32], tmp_path / "film.wav")
    wave, read_rate = read_wav(tmp_path / "film.wav")
    assert (rate, read_rate, wave.size) == (22050, 22050, round(2.32 * 22050))
    first, second = wave[:22050], wave[22050 : 22050 + 11025]
    assert gated_loudness_db(first, rate) == pytest.approx(target, abs=0.5)
    assert gated_loudness_db(second, rate) == pytest.approx(target, abs=0.5)
    assert np.abs(wave[22050 + 11100 :]).max() == 0.0
    assert [round(level.gain_db) for level in levels] == [round(target + 14), round(target + 26)]


def test_the_space_estimate_counts_the_soundtrack_at_the_richest_rate_and_channels(tmp_path) -> None:
    from generator.audio import write_wav
    from workspace.export_folder import space_need

    mono = write_wav(tmp_path / "preview.wav", np.zeros(22050, np.float32), 22050)  # 1 s
    stereo = write_wav(tmp_path / "echo.wav", np.zeros((96000, 2), np.float32), 48000)  # 2 s
    need = space_need([], [mono, stereo, tmp_path / "missing.wav"])
    assert need.soundtrack_bytes == 3 * 48000 * 2 * 2  # the mono shot is spread to 48 kHz stereo too
    assert need.soundtrack_bytes > need.shot_bytes and need.needed_bytes > need.soundtrack_bytes
