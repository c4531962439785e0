"""Video I/O through the bundled ffmpeg: encode, probe, decode, audio extraction, PNG."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generator.audio import read_wav, write_wav
from generator.media import (
    MediaError,
    encode_mp4,
    extract_audio,
    probe,
    read_frames,
    save_png,
    write_shot_files,
)


def _gradient_frames(count: int, height: int = 64, width: int = 96) -> np.ndarray:
    """Smooth frames (easy for H.264) whose brightness encodes the frame index."""
    frames = np.zeros((count, height, width, 3), dtype=np.uint8)
    for index in range(count):
        frames[index] = int(index * 255 / max(count - 1, 1))
    frames[:, :, : width // 2, 0] = 200  # a static red half to check channel order
    return frames


def _tone(tmp_path: Path, seconds: float, sample_rate: int = 22050, hz: float = 440.0) -> Path:
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    return write_wav(tmp_path / "tone.wav", 0.5 * np.sin(2 * np.pi * hz * t), sample_rate)


def test_encode_mp4_has_exact_frames_size_fps_and_audio(tmp_path: Path) -> None:
    frames = _gradient_frames(33)
    out = encode_mp4(iter(frames), 25, 96, 64, _tone(tmp_path, 33 / 25), tmp_path / "clip.mp4")
    info = probe(out)
    assert (info.num_frames, info.width, info.height, info.fps) == (33, 96, 64, 25.0)
    assert info.video_codec == "h264" and info.audio_codec == "aac" and info.has_audio
    assert info.audio_sample_rate == 22050
    assert abs(info.duration_s - 33 / 25) < 0.1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_read_frames_returns_requested_frames_in_order(tmp_path: Path) -> None:
    frames = _gradient_frames(25)
    out = encode_mp4(frames, 25, 96, 64, None, tmp_path / "clip.mp4")
    picked = read_frames(out, [20, 3, 3])
    assert picked.shape == (3, 64, 96, 3)
    assert np.abs(picked[0].astype(int) - frames[20]).mean() < 4
    assert np.abs(picked[1].astype(int) - frames[3]).mean() < 4
    assert picked[1, 10, 10, 0] > 150 and picked[1, 10, 10, 1] < 80  # the red half stays red: RGB order kept
    assert read_frames(out).shape[0] == 25
    with pytest.raises(MediaError, match=r"outside 0\.\.24"):
        read_frames(out, [25])


def test_extract_audio_resamples_and_keeps_the_tone(tmp_path: Path) -> None:
    out = encode_mp4(_gradient_frames(25), 25, 96, 64, _tone(tmp_path, 1.0), tmp_path / "clip.mp4")
    audio = extract_audio(out, 16000)
    assert abs(len(audio) / 16000 - 1.0) < 0.1
    spectrum = np.abs(np.fft.rfft(audio[2000:14000]))
    assert abs(np.argmax(spectrum) * 16000 / 12000 - 440) < 5


def test_bad_frame_aborts_without_leaving_files(tmp_path: Path) -> None:
    frames = [np.zeros((64, 96, 3), np.uint8), np.zeros((32, 96, 3), np.uint8)]
    with pytest.raises(MediaError, match="frame 1"):
        encode_mp4(frames, 25, 96, 64, None, tmp_path / "clip.mp4")
    assert list(tmp_path.iterdir()) == []


def test_missing_audio_and_odd_size_are_refused(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="does not exist"):
        encode_mp4(_gradient_frames(25), 25, 96, 64, tmp_path / "nope.wav", tmp_path / "clip.mp4")
    with pytest.raises(MediaError, match="even"):
        encode_mp4(_gradient_frames(25, 63, 95), 25, 95, 63, None, tmp_path / "clip.mp4")
    assert list(tmp_path.iterdir()) == []


def test_probe_refuses_a_file_that_is_not_media(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all" * 100)
    with pytest.raises(MediaError, match=r"junk\.mp4"):
        probe(junk)
    with pytest.raises(MediaError, match="does not exist"):
        probe(tmp_path / "missing.mp4")


def test_probe_reads_a_wav_as_audio_only(tmp_path: Path) -> None:
    info = probe(_tone(tmp_path, 0.5, 16000))
    assert info.has_audio and not info.has_video and info.audio_sample_rate == 16000


def test_save_png_round_trips(tmp_path: Path) -> None:
    frame = np.random.default_rng(0).integers(0, 255, (20, 30, 3), dtype=np.uint8)
    path = save_png(tmp_path / "key.png", frame)
    assert np.array_equal(np.asarray(Image.open(path)), frame)
    with pytest.raises(MediaError):
        save_png(tmp_path / "bad.png", np.zeros((4, 4), np.float32))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.png"]


def test_wav_written_by_audio_module_is_read_back_by_ffmpeg(tmp_path: Path) -> None:
    path = _tone(tmp_path, 0.25)
    wave, rate = read_wav(path)
    assert np.allclose(extract_audio(path, rate)[: len(wave)], wave, atol=1e-3)


def test_write_shot_files_writes_mp4_and_wav_with_normal_permissions(
    tmp_path: Path, process_umask: Callable[[int], int]
) -> None:
    process_umask(0o022)
    audio = (0.5 * np.sin(2 * np.pi * 440 * np.arange(22050) / 22050)).astype(np.float32)
    video, wav = write_shot_files(_gradient_frames(25), 25, 96, 64, audio, 22050, tmp_path / "shot")
    assert (video.name, wav.name) == ("shot.mp4", "shot.wav")
    info = probe(video)
    assert info.num_frames == 25 and info.has_audio and info.audio_sample_rate == 22050
    wave, rate = read_wav(wav)
    assert rate == 22050 and np.allclose(wave, audio, atol=1e-4)
    assert stat.S_IMODE(wav.stat().st_mode) == 0o644 and stat.S_IMODE(video.stat().st_mode) == 0o644
    assert sorted(p.name for p in video.parent.iterdir()) == ["shot.mp4", "shot.wav"]


def test_write_shot_files_leaves_no_wav_when_the_video_fails(tmp_path: Path) -> None:
    frames = [np.zeros((64, 96, 3), np.uint8), np.zeros((32, 96, 3), np.uint8)]
    with pytest.raises(MediaError, match="frame 1"):
        write_shot_files(frames, 25, 96, 64, np.zeros(22050, np.float32), 22050, tmp_path / "shot")
    assert list((tmp_path / "shot").iterdir()) == []
