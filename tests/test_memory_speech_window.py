"""The memory window chosen by speech (issue 13, item 4): a loud music peak no longer wins over quieter speech, for
preview takes (their dialogue stem) and echo takes (silero-vad); `memory_window="energy"` keeps the paper's rule."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest
from preview_helpers import TOM

from director.settings import Settings
from generator.audio import resample
from generator.memory import AudioWindow, frame_energy, kok_slot, select_audio_window
from generator.preview import renderer
from generator.preview.config import PreviewConfig
from generator.preview.renderer import SAMPLE_RATE as PREVIEW_RATE
from generator.preview.renderer import PreviewGenerator
from generator.preview.speech import synthesize, voice_for_character
from generator.types import DialogueLine, GeneratedShot, MemorySource, ShotRequest
from generator.vad import SPEECH_THRESHOLD, speech_probability, voiced_energy

LINE = "We sail at dawn, so pack the nets tonight."
ECHO_RATE = 48000
SHOT_S = 9.64
SPEECH_AT_S = 0.5
MUSIC_S = (5.5, 9.3)


@cache
def espeak_line() -> np.ndarray:
    """A real spoken line (eSpeak NG through the preview's speech module) at 22.05 kHz, peak 0.25."""
    wave, rate = synthesize(LINE, voice_for_character(TOM))
    assert rate == PREVIEW_RATE
    return (0.25 * wave / np.abs(wave).max()).astype(np.float32)


def music_burst(seconds: float, rate: int) -> np.ndarray:
    """Sustained chords with a kick on every beat, peak 0.9: much more mel energy than the speech."""
    t = np.arange(round(seconds * rate)) / rate
    chord = sum(np.sin(2 * np.pi * hz * t) for hz in (220.0, 277.2, 329.6, 440.0))
    kick = np.sin(2 * np.pi * 55 * t) * np.exp(-18 * (t % 0.5))
    wave = chord + 2.0 * kick
    return (0.9 * wave / np.abs(wave).max()).astype(np.float32)


def soundtrack(rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(full mix, dialogue stem) of a 9.64 s shot: the line from 0.5 s, a louder music burst over 5.5-9.3 s, and
    faint room tone throughout."""
    speech = resample(espeak_line(), PREVIEW_RATE, rate)
    stem = np.zeros(round(SHOT_S * rate), np.float32)
    start = round(SPEECH_AT_S * rate)
    stem[start : start + speech.size] = speech
    mix = stem + np.random.default_rng(0).normal(0.0, 0.003, stem.size).astype(np.float32)
    mix[round(MUSIC_S[0] * rate) : round(MUSIC_S[1] * rate)] += music_burst(MUSIC_S[1] - MUSIC_S[0], rate)
    return mix, stem


def speech_span_s() -> tuple[float, float]:
    return SPEECH_AT_S, SPEECH_AT_S + espeak_line().size / PREVIEW_RATE


def covers(window: AudioWindow, start_s: float, end_s: float) -> bool:
    return window.start_s <= start_s + 0.05 and end_s - 0.05 <= window.end_s


def on_the_music(window: AudioWindow) -> bool:
    return MUSIC_S[0] - 0.5 <= window.start_s and window.end_s <= MUSIC_S[1] + 0.5


def shot_of(audio: np.ndarray, rate: int, speech_energy: np.ndarray | None, tmp_path: Path) -> GeneratedShot:
    frames = np.zeros((241, 32, 32, 3), np.uint8)
    frames[..., 0] = np.arange(241, dtype=np.uint8)[:, None, None]
    return GeneratedShot(
        video_path=tmp_path / "unused.mp4",
        audio_path=tmp_path / "unused.wav",
        num_frames=241,
        width=32,
        height=32,
        sample_rate=rate,
        backend="test",
        seed=0,
        frames=frames,
        audio=audio,
        speech_energy=speech_energy,
    )


def test_the_music_is_louder_than_the_speech_so_the_energy_rule_takes_it() -> None:
    mix, stem = soundtrack(PREVIEW_RATE)
    music = frame_energy(mix, PREVIEW_RATE)[round(MUSIC_S[0] * 100) : round(MUSIC_S[1] * 100)].mean()
    assert music > 5 * frame_energy(stem, PREVIEW_RATE)[50:250].mean()
    assert on_the_music(select_audio_window(mix, PREVIEW_RATE))


def test_preview_path_the_dialogue_stem_picks_the_speech_and_the_slot_keeps_the_mix(tmp_path: Path) -> None:
    mix, stem = soundtrack(PREVIEW_RATE)
    shot = shot_of(mix, PREVIEW_RATE, frame_energy(stem, PREVIEW_RATE), tmp_path)

    slot = kok_slot(shot, "SHOT_1", MemorySource(kind="take", take_id=1))

    window = AudioWindow(start_s=slot.source.start_s, end_s=slot.source.end_s, center_s=slot.source.start_s)
    assert covers(window, *speech_span_s()) and window.end_s < MUSIC_S[0]
    start = round(window.start_s * PREVIEW_RATE)
    np.testing.assert_array_equal(slot.audio, mix[start:][: slot.audio.size])  # the mix, room tone included
    assert not np.array_equal(slot.audio, stem[start:][: slot.audio.size])
    centre_frame = slot.source.frame_index - 4
    assert speech_span_s()[0] * 25 <= centre_frame <= speech_span_s()[1] * 25, "the key frame is while speaking"


def test_echo_path_silero_weighting_picks_the_speech_of_a_stereo_take(tmp_path: Path) -> None:
    mix, _ = soundtrack(ECHO_RATE)
    stereo = np.stack([mix, 0.8 * mix], axis=1)

    voiced = voiced_energy(stereo, ECHO_RATE)

    slot = kok_slot(shot_of(stereo, ECHO_RATE, voiced, tmp_path), "SHOT_1", MemorySource(kind="take", take_id=1))

    window = select_audio_window(stereo, ECHO_RATE, speech_energy=voiced)
    assert covers(window, *speech_span_s()) and window.end_s < MUSIC_S[0]
    assert slot.source.start_s == pytest.approx(window.start_s, abs=1e-4)
    assert slot.audio.ndim == 1 and slot.sample_rate == ECHO_RATE
    expected = 0.9 * mix[round(window.start_s * ECHO_RATE) :][: slot.audio.size]
    np.testing.assert_allclose(slot.audio, expected, atol=1e-6)


def test_energy_mode_keeps_the_loudest_window(tmp_path: Path) -> None:
    mix, _ = soundtrack(ECHO_RATE)
    slot = kok_slot(shot_of(mix, ECHO_RATE, None, tmp_path), "SHOT_1", MemorySource(kind="take", take_id=1))
    window = select_audio_window(mix, ECHO_RATE)
    assert (slot.source.start_s, slot.source.end_s) == pytest.approx((window.start_s, window.end_s), abs=1e-4)
    assert on_the_music(window)


def test_silero_hears_the_line_and_not_the_music() -> None:
    line = speech_probability(espeak_line(), PREVIEW_RATE)
    music = speech_probability(music_burst(3.0, ECHO_RATE), ECHO_RATE)
    assert line.size == pytest.approx(espeak_line().size / PREVIEW_RATE / 0.032, abs=1)
    assert np.mean(line >= SPEECH_THRESHOLD) > 0.7
    assert music.max() < SPEECH_THRESHOLD


def test_no_speech_falls_back_to_the_energy_rule() -> None:
    music = np.zeros(round(SHOT_S * ECHO_RATE), np.float32)
    music[round(6.0 * ECHO_RATE) : round(8.0 * ECHO_RATE)] = music_burst(2.0, ECHO_RATE)
    voiced = voiced_energy(music, ECHO_RATE)
    assert not voiced.any()
    assert select_audio_window(music, ECHO_RATE, speech_energy=voiced) == select_audio_window(music, ECHO_RATE)
    silent_stem = frame_energy(np.zeros_like(music), ECHO_RATE)
    assert select_audio_window(music, ECHO_RATE, speech_energy=silent_stem) == select_audio_window(music, ECHO_RATE)


def test_a_short_line_sits_in_the_middle_of_the_window_not_at_its_edge() -> None:
    # Speech over mel frames 400-500 (4-5 s) fits whole in the candidates starting at 1.90, 2.85 and 3.80 s; the
    # earliest would put the key frame at 3.80 s, before the line starts.
    energy = np.full(965, 1e-3)
    energy[400:500] = 1.0
    window = select_audio_window(np.zeros(round(SHOT_S * 16000), np.float32), 16000, speech_energy=energy)
    assert window.start_s == pytest.approx(2.85) and 4.0 <= window.center_s <= 5.0


def loud_music_bed(_text: str, num_samples: int, sample_rate: int) -> tuple[np.ndarray, str]:
    bed = np.zeros(num_samples, np.float32)
    start, end = round(MUSIC_S[0] * sample_rate), min(num_samples, round(MUSIC_S[1] * sample_rate))
    bed[start:end] = 4.0 * music_burst((end - start) / sample_rate, sample_rate)
    return bed, "test burst"


@pytest.mark.parametrize("mode", ["speech", "energy"])
def test_preview_takes_report_their_dialogue_energy_in_speech_mode(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(renderer, "music_bed", loud_music_bed)
    request = ShotRequest(prompt="Tom speaks.", characters=[TOM], dialogue=[DialogueLine(speaker="ID_B", text=LINE)],
                          music="loud drums", num_frames=241, width=64, height=64)  # fmt: skip
    shot = PreviewGenerator(PreviewConfig(memory_window=mode, subtitles=False)).generate(request, out_dir=tmp_path)

    slot = kok_slot(shot, "SHOT_1", MemorySource(kind="take", take_id=1))

    spoken = shot.dialogue_timings[0]
    window = AudioWindow(start_s=slot.source.start_s, end_s=slot.source.end_s, center_s=slot.source.start_s)
    if mode == "speech":
        assert shot.speech_energy.shape == frame_energy(shot.audio, shot.sample_rate).shape
        assert covers(window, spoken.start_s, spoken.end_s) and window.end_s < MUSIC_S[0]
    else:
        assert shot.speech_energy is None and on_the_music(window)


def test_the_memory_window_is_a_setting_of_both_backends(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for backend in ("preview", "echo"):
        assert Settings(home=tmp_path, backend=backend).generator_config.memory_window == "speech"
    monkeypatch.setenv("ECHO_MEMORY_WINDOW", "energy")
    for backend in ("preview", "echo"):
        assert Settings(home=tmp_path, backend=backend).generator_config.memory_window == "energy"
