"""generator.audio: wav I/O, resampling, the numpy log-mel (checked against independent references), envelopes."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers.audio_utils import mel_filter_bank

from generator.audio import (
    hz_to_mel,
    log_mel,
    mel_filterbank,
    mel_to_hz,
    peak,
    read_wav,
    resample,
    speech_envelope,
    write_wav,
)
from generator.errors import EchoError


def tone(freq: float, seconds: float, sr: int, amplitude: float = 0.5) -> np.ndarray:
    return (amplitude * np.sin(2 * np.pi * freq * np.arange(round(seconds * sr)) / sr)).astype(np.float32)


def riff(fmt_tag: int, channels: int, sr: int, bits: int, payload: bytes) -> bytes:
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, sr, sr * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_wav_round_trip_keeps_samples_within_16_bit_precision(tmp_path: Path) -> None:
    signal = tone(440, 0.5, 22050) * np.linspace(0, 1, 11025, dtype=np.float32)
    path = write_wav(tmp_path / "a.wav", signal, 22050)
    back, sr = read_wav(path)
    assert sr == 22050 and back.dtype == np.float32 and back.shape == signal.shape
    assert np.max(np.abs(back - signal)) < 1.0 / 16000
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]  # no temp files left behind


def test_write_wav_clips_out_of_range_and_replaces_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    write_wav(path, np.zeros(100, np.float32), 16000)
    write_wav(path, np.array([2.0, -3.0, 0.25], np.float32), 8000)
    back, sr = read_wav(path)
    assert sr == 8000
    np.testing.assert_allclose(back, [32767 / 32768, -32767 / 32768, 0.25], atol=1e-4)


def test_read_wav_mixes_stereo_down_and_reads_float_and_24_bit(tmp_path: Path) -> None:
    left, right = np.full(50, 0.5, np.float32), np.full(50, -0.25, np.float32)
    with wave.open(str(tmp_path / "stereo.wav"), "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(16000)
        writer.writeframes((np.stack([left, right], 1) * 32767).astype("<i2").tobytes())
    mono, _ = read_wav(tmp_path / "stereo.wav")
    np.testing.assert_allclose(mono, 0.125, atol=1e-4)
    both, _ = read_wav(tmp_path / "stereo.wav", mono=False)
    assert both.shape == (50, 2)
    np.testing.assert_allclose(both, np.stack([left, right], 1), atol=1e-4)

    floats = np.array([0.1, -0.7, 0.9], "<f4")
    (tmp_path / "float.wav").write_bytes(riff(3, 1, 48000, 32, floats.tobytes()))
    back, sr = read_wav(tmp_path / "float.wav")
    assert sr == 48000
    np.testing.assert_allclose(back, floats, atol=1e-7)

    value = -(2**22)  # -0.5 full scale in 24-bit two's complement
    (tmp_path / "s24.wav").write_bytes(riff(1, 1, 16000, 24, (value & 0xFFFFFF).to_bytes(3, "little") * 4))
    back, _ = read_wav(tmp_path / "s24.wav")
    np.testing.assert_allclose(back, -0.5)


@pytest.mark.parametrize(
    "payload",
    [b"", b"not a wav at all", b"RIFF\x10\x00\x00\x00WAVEjunk\x00\x00\x00\x00", riff(85, 1, 16000, 16, b"\x00" * 8)],
    ids=["empty", "text", "no-chunks", "mp3-in-wav"],
)
def test_read_wav_rejects_corrupt_files_with_a_clear_message(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(payload)
    with pytest.raises(EchoError, match="not a readable WAV"):
        read_wav(path)


def test_read_wav_missing_file_is_an_echo_error(tmp_path: Path) -> None:
    with pytest.raises(EchoError, match="Cannot read audio file"):
        read_wav(tmp_path / "missing.wav")


def test_resample_keeps_pitch_and_duration() -> None:
    out = resample(tone(1000, 1.0, 44100), 44100, 16000)
    assert out.dtype == np.float32 and out.size == 16000
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) - 1000) <= 1  # 1 Hz bins for a 1 s signal
    stereo = resample(np.stack([tone(1000, 1.0, 48000), tone(3000, 1.0, 48000)], axis=1), 48000, 16000)
    assert stereo.shape == (16000, 2)
    assert [int(np.argmax(np.abs(np.fft.rfft(stereo[:, c])))) for c in (0, 1)] == [1000, 3000]


def test_mel_filterbank_matches_transformers_reference_for_both_scales() -> None:
    for scale, norm, fmin, fmax, n_mels in [("slaney", "slaney", 0.0, None, 128), ("htk", None, 20.0, 7600.0, 80)]:
        reference = mel_filter_bank(
            num_frequency_bins=513,
            num_mel_filters=n_mels,
            min_frequency=fmin,
            max_frequency=fmax or 8000.0,
            sampling_rate=16000,
            norm=norm,
            mel_scale=scale,
        )
        np.testing.assert_allclose(mel_filterbank(16000, 1024, n_mels, fmin, fmax, scale, norm), reference.T, atol=1e-6)
    freqs = np.array([0.0, 500.0, 1000.0, 4000.0, 8000.0])
    np.testing.assert_allclose(mel_to_hz(hz_to_mel(freqs)), freqs, atol=1e-6)


def test_log_mel_equals_torch_stft_pipeline() -> None:
    signal = np.random.default_rng(0).normal(0, 0.1, 16000).astype(np.float32)
    stft = torch.stft(
        torch.from_numpy(signal),
        n_fft=1024,
        hop_length=160,
        window=torch.hann_window(1024),
        center=True,
        pad_mode="reflect",
        return_complex=True,
    )
    expected = np.log(np.maximum(mel_filterbank(16000, 1024, 128) @ stft.abs().numpy(), 1e-5))
    np.testing.assert_allclose(log_mel(signal, 16000), expected, atol=1e-3)


def test_log_mel_pure_tone_peaks_in_the_matching_mel_bin() -> None:
    mel = log_mel(tone(1000, 2.0, 22050), 22050)
    assert mel.shape == (128, 201) and mel.dtype == np.float32  # 2 s at hop 160 after resampling to 16 kHz
    centres = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(8000.0), 130))[1:-1]
    peak_bin = int(np.argmax(mel[:, 50:150].mean(axis=1)))
    assert abs(peak_bin - int(np.argmin(np.abs(centres - 1000.0)))) <= 1
    assert mel[peak_bin, 100] - mel[:, 100].mean() > 5.0  # far above the average bin


def test_log_mel_of_silence_and_tiny_input_is_the_floor() -> None:
    mel = log_mel(np.zeros(10, np.float32), 16000)
    assert mel.shape == (128, 7)  # padded to one FFT window, centred frames
    np.testing.assert_allclose(mel, np.log(1e-5), rtol=1e-6)


def test_speech_envelope_follows_loudness_per_video_frame() -> None:
    sr, fps = 16000, 25
    signal = np.zeros(sr, np.float32)
    signal[sr // 2 :] = tone(300, 0.5, sr, amplitude=0.8)
    signal[: sr // 2] = np.random.default_rng(1).normal(0, 1e-4, sr // 2)  # hiss below the gate
    envelope = speech_envelope(signal, sr, fps)
    assert envelope.shape == (25,)
    assert np.all(envelope[:12] == 0.0) and np.all(envelope[13:] > 0.95) and envelope.max() == pytest.approx(1.0)
    assert speech_envelope(signal, sr, fps, num_frames=30)[-5:].tolist() == [0.0] * 5


def test_peak() -> None:
    assert peak(np.array([0.1, -0.6, 0.3])) == pytest.approx(0.6) and peak(np.array([])) == 0.0
