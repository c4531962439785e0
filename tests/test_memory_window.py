"""Eq. 8 audio-window selection, phi, the 9-frame clip and KOK slots built from in-memory and on-disk shots."""

from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from generator.audio import write_wav
from generator.errors import EchoError
from generator.memory import (
    AudioWindow,
    clip_indices,
    kok_slot,
    phi,
    select_audio_window,
    window_mel_frames,
)
from generator.types import GeneratedShot, MemorySource

SR = 16000
SPAN_S = 3.80  # 381 mel frames: the centres of the first and last frame are 380 hops apart


def quiet(seconds: float, sr: int = SR, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 1e-3, round(seconds * sr)).astype(np.float32)


def add_burst(wave: np.ndarray, start_s: float, end_s: float, sr: int = SR) -> np.ndarray:
    t = np.arange(round(start_s * sr), round(end_s * sr))
    wave[t] += (0.8 * np.sin(2 * np.pi * 440 * t / sr)).astype(np.float32)
    return wave


def test_window_length_is_the_official_delta() -> None:
    assert window_mel_frames() == 381
    assert window_mel_frames(0.01) == 1


@pytest.mark.parametrize("burst_start", [0.3, 3.1, 5.6])
def test_a_loud_burst_falls_inside_the_chosen_window(burst_start: float) -> None:
    wave = add_burst(quiet(9.64), burst_start, burst_start + 1.0)
    window = select_audio_window(wave, SR)
    assert window.end_s - window.start_s == pytest.approx(SPAN_S)
    assert window.start_s <= burst_start and burst_start + 1.0 <= window.end_s


def test_speech_filling_one_candidate_window_is_chosen_exactly() -> None:
    # Candidate starts are multiples of Delta // 4 = 95 mel frames = 0.95 s; speech over [3.8, 7.6] s
    # fills the candidate starting at 4 * 0.95 s, and no other candidate covers it.
    wave = add_burst(quiet(9.64), 3.8, 7.6)
    window = select_audio_window(wave, SR)
    assert window == AudioWindow(start_s=3.8, end_s=3.8 + SPAN_S, center_s=3.8 + SPAN_S / 2)


def test_the_last_candidate_is_always_scanned() -> None:
    # 9.64 s gives 965 mel frames; the stride grid stops at 3.80 s, the true last start is 5.84 s.
    wave = add_burst(quiet(9.64), 8.8, 9.64)
    window = select_audio_window(wave, SR)
    assert window.end_s == pytest.approx(9.64) and window.start_s == pytest.approx(9.64 - SPAN_S)


def test_window_is_found_at_other_sample_rates() -> None:
    wave = add_burst(quiet(8.0, sr=44100), 6.5, 7.5, sr=44100)
    window = select_audio_window(wave, 44100)
    assert window.start_s <= 6.5 and window.end_s >= 7.5


def test_ties_go_to_the_earliest_window() -> None:
    # Two bit-identical 400 Hz bursts filling the candidate windows at 0.95 s and 5.70 s: equal energy.
    wave = np.zeros(round(10.45 * SR), np.float32)
    period = (0.5 * np.sin(2 * np.pi * np.arange(40) / 40)).astype(np.float32)
    for start in (0.95, 5.70):
        wave[round(start * SR) : round((start + 3.8) * SR)] = np.tile(period, 1520)
    assert select_audio_window(wave, SR).start_s == pytest.approx(0.95)


def test_near_ties_from_float_rounding_go_to_the_earliest_window() -> None:
    # The later burst is louder by a relative 3e-7 (float32 steps), as another CPU's FFT/BLAS sums may make it.
    wave = np.zeros(round(10.45 * SR), np.float32)
    period = (0.5 * np.sin(2 * np.pi * np.arange(40) / 40)).astype(np.float32)
    for start, gain in ((0.95, 1.0), (5.70, 1.0 + 1.5e-7)):
        wave[round(start * SR) : round((start + 3.8) * SR)] = np.tile(period * np.float32(gain), 1520)
    assert select_audio_window(wave, SR).start_s == pytest.approx(0.95)
    wave[round(5.70 * SR) : round((5.70 + 3.8) * SR)] *= np.float32(1.01)  # a real difference still wins
    assert select_audio_window(wave, SR).start_s == pytest.approx(5.70)


def test_short_audio_is_taken_whole_and_silence_gives_the_centre() -> None:
    assert select_audio_window(quiet(2.0), SR) == AudioWindow(start_s=0.0, end_s=2.0, center_s=1.0)
    assert select_audio_window(np.zeros(0, np.float32), SR) == AudioWindow(start_s=0.0, end_s=0.0, center_s=0.0)
    silent = select_audio_window(np.zeros(8 * SR, np.float32), SR)
    assert silent.center_s == pytest.approx(4.0) and silent.end_s - silent.start_s == pytest.approx(SPAN_S)


def test_phi_maps_time_to_the_frame_on_screen_and_clamps() -> None:
    assert phi(0.0, 25, 121) == 0
    assert phi(0.039, 25, 121) == 0
    assert phi(0.04, 25, 121) == 1
    assert phi(5.7, 25, 241) == 142
    assert phi(100.0, 25, 121) == 120
    assert phi(-1.0, 25, 121) == 0


def test_clip_indices_are_nine_frames_clamped_with_the_key_frame_last() -> None:
    assert clip_indices(100, 241) == list(range(96, 105))
    assert clip_indices(1, 241) == [0, 0, 0, 0, 1, 2, 3, 4, 5]
    assert clip_indices(239, 241) == [235, 236, 237, 238, 239, 240, 240, 240, 240]
    assert clip_indices(3, 4) == [0, 0, 1, 2, 3, 3, 3, 3, 3]


def marked_frames(count: int, height: int = 32, width: int = 32) -> np.ndarray:
    frames = np.zeros((count, height, width, 3), np.uint8)
    frames[:, :, :, 0] = np.arange(count, dtype=np.uint8)[:, None, None]
    return frames


def test_kok_slot_pairs_the_loudest_window_with_the_frame_of_the_same_moment(tmp_path: Path) -> None:
    audio = add_burst(quiet(9.64), 3.8, 7.6)
    shot = GeneratedShot(
        video_path=tmp_path / "unused.mp4",
        audio_path=tmp_path / "unused.wav",
        num_frames=241,
        width=32,
        height=32,
        sample_rate=SR,
        backend="test",
        seed=0,
        frames=marked_frames(241),
        audio=audio,
    )
    slot = kok_slot(shot, "SHOT_2", MemorySource(kind="take", take_id=7, shot_number=2))
    centre = phi(3.8 + SPAN_S / 2, 25, 241)
    assert centre == 142
    assert slot.source.frame_index == centre + 4 and slot.key_frame[0, 0, 0] == centre + 4
    assert [int(f[0, 0, 0]) for f in slot.clip] == list(range(centre - 4, centre + 5))
    assert slot.source.start_s == pytest.approx(3.8) and slot.source.end_s == pytest.approx(3.8 + SPAN_S)
    assert slot.source.take_id == 7 and slot.label == "SHOT_2"
    np.testing.assert_array_equal(slot.audio, audio[round(3.8 * SR) : round((3.8 + SPAN_S) * SR)])
    assert slot.sample_rate == SR


def write_indexed_video(path: Path, count: int) -> None:
    """Frame i shows the bits of i as eight black/white stripes, which survive H.264 compression."""
    writer = imageio_ffmpeg.write_frames(str(path), (64, 32), fps=25, macro_block_size=16, quality=9)
    writer.send(None)
    for index in range(count):
        bits = np.array([(index >> b) & 1 for b in range(8)], np.uint8) * 255
        writer.send(np.ascontiguousarray(np.repeat(np.repeat(bits[None, :, None], 8, 1), 32, 0).repeat(3, 2)))
    writer.close()


def decode_index(frame: np.ndarray) -> int:
    stripes = frame[16, 4::8, 0] > 127
    return int(sum(int(bit) << b for b, bit in enumerate(stripes)))


def test_kok_slot_decodes_files_when_the_shot_is_not_in_memory(tmp_path: Path) -> None:
    write_indexed_video(tmp_path / "shot.mp4", 121)
    audio = add_burst(quiet(4.84, sr=22050), 0.2, 0.9, sr=22050)
    write_wav(tmp_path / "shot.wav", audio, 22050)
    shot = GeneratedShot(
        video_path=tmp_path / "shot.mp4",
        audio_path=tmp_path / "shot.wav",
        num_frames=121,
        width=64,
        height=32,
        sample_rate=22050,
        backend="test",
        seed=0,
    )
    slot = kok_slot(shot, "PREVIOUS_SHOT", MemorySource(kind="take", take_id=1))
    assert slot.source.start_s == 0.0
    expected = clip_indices(phi(SPAN_S / 2, 25, 121), 121)
    assert [decode_index(frame) for frame in slot.clip] == expected
    assert decode_index(slot.key_frame) == expected[-1] == slot.source.frame_index
    assert slot.audio.size == round(SPAN_S * 22050) and slot.sample_rate == 22050


def test_kok_slot_on_a_corrupt_video_is_an_echo_error(tmp_path: Path) -> None:
    (tmp_path / "broken.mp4").write_bytes(b"\x00" * 100)
    write_wav(tmp_path / "shot.wav", quiet(2.0), SR)
    shot = GeneratedShot(
        video_path=tmp_path / "broken.mp4",
        audio_path=tmp_path / "shot.wav",
        num_frames=49,
        width=64,
        height=32,
        sample_rate=SR,
        backend="test",
        seed=0,
    )
    with pytest.raises(EchoError, match=r"broken\.mp4"):
        kok_slot(shot, "SHOT_1", MemorySource(kind="take", take_id=1))
