"""Voice-sample uploads across WAV layouts, long and lying FLACs, non-finite and silent sound.

Every file is either decoded or refused with an EchoError that says what is wrong and what to do; a refusal leaves
the home and the card as they were; a long file is refused from its header, and a file whose header understates its
length is cut off while decoding, so neither can make the app hold hours of sound.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from generator.audio import WavError, read_wav, wav_format
from generator.errors import EchoError
from generator.media import ffmpeg_exe, probe
from tools.base import Toolbox
from tools.references import attach_reference
from workspace.db import Workspace, open_workspace
from workspace.project_view import load_project_state
from workspace.uploads import MAX_AUDIO_S, decode_audio

REPO = Path(__file__).resolve().parents[1]
RATE = 16_000
MEMORY_BOUND_BYTES = 200 * 1024 * 1024
EXPORT_HINT = r"; export it as 16-bit PCM WAV or FLAC$"


@pytest.fixture
def voice_project(tmp_path: Path) -> Iterator[tuple[Workspace, int]]:
    """A project with character ID_A in a home with the default (20 MB) upload limit."""
    workspace = open_workspace(tmp_path / "home")
    toolbox = Toolbox(workspace, actor="director")
    project_id = toolbox.call("create_project", {"title": "Voices"}).data["project_id"]
    assert toolbox.call("add_character", {"project_id": project_id, "name": "Mara", "identity": "a tall woman"}).ok
    yield workspace, project_id
    workspace.close()


def voice(seconds: float = 1.5, rate: int = RATE, amplitude: float = 0.3) -> np.ndarray:
    """A voiced-sounding tone (180 Hz and two harmonics) peaking near `amplitude`."""
    t = np.arange(round(seconds * rate)) / rate
    tone = np.sin(2 * np.pi * 180 * t) + 0.5 * np.sin(2 * np.pi * 360 * t) + 0.25 * np.sin(2 * np.pi * 540 * t)
    return (amplitude * tone / np.max(np.abs(tone))).astype(np.float64)


def riff(
    tag: int,
    channels: int,
    rate: int,
    bits: int,
    payload: bytes,
    *,
    declared_data: int | None = None,
    extensible: bool = False,
) -> bytes:
    """A RIFF/WAVE file written byte by byte, header fields as given (however wrong)."""
    block = channels * ((bits + 7) // 8)
    byte_rate = (rate * block) & 0xFFFFFFFF
    fmt = struct.pack("<HHIIHH", 0xFFFE if extensible else tag, channels, rate, byte_rate, block, bits)
    if extensible:
        subformat = struct.pack("<H", tag) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt += struct.pack("<HHI", 22, bits, 0) + subformat
    size = len(payload) if declared_data is None else declared_data
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", size) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def int_pcm(values: np.ndarray, width: int) -> bytes:
    """Little-endian two's-complement samples of `width` bytes (interleaved if `values` is 2-D)."""
    flat = np.asarray(values, dtype=np.int64).reshape(-1) & ((1 << (8 * width)) - 1)
    return b"".join(int(v).to_bytes(width, "little") for v in flat)


def card_audio(workspace: Workspace, project_id: int) -> str | None:
    return load_project_state(workspace, project_id).character("ID_A").reference_audio


def make_flac(path: Path, seconds: float, rate: int, *, tone: bool = False) -> Path:
    """A mono FLAC made by the real ffmpeg: silence, or a 180 Hz tone peaking at 0.3."""
    lavfi = f"aevalsrc=0.3*sin(2*PI*180*t):s={rate}" if tone else f"anullsrc=r={rate}:cl=mono"
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", lavfi]
    subprocess.run([*args, "-t", str(seconds), "-c:a", "flac", str(path)], check=True, capture_output=True)
    return path


def with_declared_samples(flac: bytes, total_samples: int) -> bytes:
    """The FLAC with STREAMINFO's 36-bit total-sample count replaced, so its header lies about its length."""
    assert flac[:4] == b"fLaC" and flac[4] & 0x7F == 0  # STREAMINFO is the first metadata block
    field = int.from_bytes(flac[18:26], "big")
    field = (field >> 36 << 36) | total_samples
    return flac[:18] + field.to_bytes(8, "big") + flac[26:]


# ---------------------------------------------------------------- WAV layouts that decode


def _u8() -> tuple[bytes, np.ndarray]:
    values = np.round(voice() * 127 + 128).astype(np.uint8)
    return riff(1, 1, RATE, 8, values.tobytes()), (values.astype(np.float64) - 128) / 128


def _s12_in_16() -> tuple[bytes, np.ndarray]:
    values = np.round(voice() * 2047).astype(np.int64) << 4  # 12 valid bits, left-justified in a 16-bit container
    return riff(1, 1, RATE, 12, int_pcm(values, 2)), values / 32768


def _s16_stereo() -> tuple[bytes, np.ndarray]:
    left = np.round(voice() * 32767).astype(np.int64)
    right = -left // 2
    return riff(1, 2, RATE, 16, int_pcm(np.stack([left, right], 1), 2)), (left + right) / 2 / 32768


def _s24() -> tuple[bytes, np.ndarray]:
    values = np.round(voice() * (2**23 - 1)).astype(np.int64)
    return riff(1, 1, RATE, 24, int_pcm(values, 3)), values / 2**23


def _s24_extensible_stereo() -> tuple[bytes, np.ndarray]:
    values = np.round(voice(rate=48_000) * (2**23 - 1)).astype(np.int64)
    payload = int_pcm(np.stack([values, values], 1), 3)
    return riff(1, 2, 48_000, 24, payload, extensible=True), values / 2**23


def _s32() -> tuple[bytes, np.ndarray]:
    values = np.round(voice() * (2**31 - 1)).astype(np.int64)
    return riff(1, 1, RATE, 32, int_pcm(values, 4)), values / 2**31


def _f32_stereo() -> tuple[bytes, np.ndarray]:
    samples = np.stack([voice(rate=44_100), 0.5 * voice(rate=44_100)], 1).astype("<f4")
    return riff(3, 2, 44_100, 32, samples.tobytes()), samples.astype(np.float64).mean(axis=1)


def _f64() -> tuple[bytes, np.ndarray]:
    samples = voice().astype("<f8")
    return riff(3, 1, RATE, 64, samples.tobytes()), samples


def _f32_hot() -> tuple[bytes, np.ndarray]:
    samples = (4.0 * voice()).astype("<f4")  # legal float WAV above full scale: stored clipped
    return riff(3, 1, RATE, 32, samples.tobytes()), np.clip(samples, -1.0, 1.0)


def _truncated_data_chunk() -> tuple[bytes, np.ndarray]:
    values = np.round(voice(1.25) * 32767).astype(np.int64)
    payload = int_pcm(values, 2) + b"\x7f"  # the header promises 10x more; a stray byte ends the file
    return riff(1, 1, RATE, 16, payload, declared_data=20 * len(payload)), values / 32768


DECODABLE: dict[str, Callable[[], tuple[bytes, np.ndarray]]] = {
    "8-bit": _u8,
    "12-bit-in-16": _s12_in_16,
    "16-bit-stereo": _s16_stereo,
    "24-bit": _s24,
    "24-bit-extensible-stereo": _s24_extensible_stereo,
    "32-bit": _s32,
    "float32-stereo": _f32_stereo,
    "float64": _f64,
    "float32-above-full-scale": _f32_hot,
    "truncated-data-chunk": _truncated_data_chunk,
}


@pytest.mark.parametrize("layout", DECODABLE)
def test_wav_layout_is_decoded_and_stored(voice_project, tmp_path: Path, layout: str) -> None:
    workspace, project_id = voice_project
    payload, expected = DECODABLE[layout]()
    source = tmp_path / "voice.wav"
    source.write_bytes(payload)
    rate = struct.unpack_from("<I", payload, 24)[0]

    result = attach_reference(workspace, project_id, "ID_A", source, "audio")

    assert result.ok, result.message
    stored, stored_rate = read_wav(workspace.media.resolve(card_audio(workspace, project_id)))
    assert stored_rate == rate
    assert stored.shape == expected.shape
    np.testing.assert_allclose(stored, expected, atol=1.5 / 32768)


# ---------------------------------------------------------------- WAV files that are refused

SILENCE = np.zeros(2 * RATE, dtype=np.int64)
FAINT = np.round(np.random.default_rng(3).uniform(-1, 1, 2 * RATE) * 10 ** (-70 / 20) * 2**23).astype(np.int64)
NAN_FLOATS = np.full(2 * RATE, np.nan, dtype="<f4")
ONE_INF = voice(2.0).astype("<f4")
ONE_INF[RATE] = np.inf
VOICE16 = int_pcm(np.round(voice(2.0) * 32767), 2)
FMT_ONLY_TEN_BYTES = b"RIFF" + struct.pack("<I", 22) + b"WAVE" + b"fmt " + struct.pack("<I", 10) + bytes(10)

REFUSED: dict[str, tuple[bytes, str]] = {
    "0-bit": (riff(1, 1, RATE, 0, VOICE16), r": unsupported WAV format: 0 bits per sample" + EXPORT_HINT),
    "4-bit": (riff(1, 1, RATE, 4, VOICE16), r": unsupported WAV format: 4 bits per sample" + EXPORT_HINT),
    "40-bit": (riff(1, 1, RATE, 40, VOICE16), r": unsupported WAV format: 40 bits per sample" + EXPORT_HINT),
    "float16": (riff(3, 1, RATE, 16, VOICE16), r": unsupported WAV format: 16-bit float samples" + EXPORT_HINT),
    "mp3-in-wav": (riff(0x55, 1, RATE, 16, VOICE16), r"format tag 85 \(MP3\)" + EXPORT_HINT),
    "mu-law": (riff(7, 1, 8000, 8, VOICE16), r"format tag 7 \(mu-law\)" + EXPORT_HINT),
    "absurd-channel-count": (riff(1, 5000, RATE, 16, VOICE16), r"5000 channels \(at most 64\)" + EXPORT_HINT),
    "zero-channels": (riff(1, 0, RATE, 16, VOICE16), r": invalid WAV header: 0 channels" + EXPORT_HINT),
    "zero-sample-rate": (riff(1, 1, 0, 16, VOICE16), r": invalid WAV header: sample rate 0 Hz" + EXPORT_HINT),
    "100-Hz": (riff(1, 1, 100, 16, VOICE16), r"sampled at 100 Hz; a voice sample needs 8000 to 192000 Hz"),
    "4-GHz": (riff(1, 1, 2**32 - 1, 16, VOICE16), r"sampled at 4294967295 Hz; a voice sample needs 8000 to"),
    "no-data-chunk": (riff(1, 1, RATE, 16, b"")[:-8], r": invalid WAV header: no data chunk" + EXPORT_HINT),
    "fmt-chunk-too-short": (FMT_ONLY_TEN_BYTES, r": invalid WAV header: fmt chunk too short" + EXPORT_HINT),
    "data-cut-to-a-quarter-second": (
        riff(1, 1, RATE, 16, VOICE16[: RATE // 2], declared_data=len(VOICE16)),
        r"holds 0\.25 s of sound; a voice sample needs at least 1 s",
    ),
    "data-shorter-than-a-frame": (riff(1, 2, RATE, 24, b"\x01\x02\x03\x04"), r"holds 0\.00 s of sound"),
    "all-nan": (riff(3, 1, RATE, 32, NAN_FLOATS.tobytes()), r"contains 32000 NaN or infinite samples; export it"),
    "one-infinity": (riff(3, 1, RATE, 32, ONE_INF.tobytes()), r"contains 1 NaN or infinite samples; export it"),
    "digital-silence": (
        riff(1, 1, RATE, 16, int_pcm(SILENCE, 2)),
        r"is silent \(it holds no sound, under -60 dBFS\); upload a recording in which the voice can be heard",
    ),
    "dc-offset-only": (riff(1, 1, RATE, 8, bytes([200]) * 2 * RATE), r"is silent \(it holds no sound"),
    "faint-hiss": (riff(1, 1, RATE, 24, int_pcm(FAINT, 3)), r"is silent \(its loudest sound is -7\d dBFS"),
    "five-minutes-and-a-second": (
        riff(1, 1, 8000, 8, bytes([128, 140]) * 4000 * 301),
        r"is 301 s long; a voice sample can be at most 300 s \(5 minutes\): trim it and upload again",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_wav_is_refused_with_a_clear_message_and_nothing_changes(
    voice_project, workspace_snapshot, tmp_path: Path, case: str
) -> None:
    workspace, project_id = voice_project
    payload, message = REFUSED[case]
    source = tmp_path / "voice.wav"
    source.write_bytes(payload)
    before = workspace_snapshot(workspace)

    with pytest.raises(EchoError, match=message) as refused:
        attach_reference(workspace, project_id, "ID_A", source, "audio")

    assert type(refused.value) is EchoError and str(refused.value).startswith("'voice.wav'")
    assert workspace_snapshot(workspace) == before
    assert card_audio(workspace, project_id) is None


def test_every_corrupted_header_byte_is_decoded_or_refused_as_an_echo_error(tmp_path: Path) -> None:
    """Each of the 44 header bytes of a good WAV set to 0x00, 0x01, 0x7f and 0xff: never a raw exception."""
    good = riff(1, 1, RATE, 16, VOICE16)
    outcomes = {"decoded": 0, "refused": 0}
    for position in range(44):
        for value in (0x00, 0x01, 0x7F, 0xFF):
            source = tmp_path / f"h{position}-{value}.wav"
            source.write_bytes(good[:position] + bytes([value]) + good[position + 1 :])
            try:
                samples, rate = decode_audio(source)
            except EchoError as error:
                assert "; " in str(error) and "Traceback" not in str(error)
                outcomes["refused"] += 1
            else:
                assert samples.dtype == np.float32 and np.isfinite(samples).all()
                assert np.abs(samples).max() <= 1.0 and 8000 <= rate <= 192_000
                assert 1.0 <= samples.size / rate <= MAX_AUDIO_S
                outcomes["decoded"] += 1
    assert outcomes["decoded"] > 50 and outcomes["refused"] > 20, outcomes


def test_reader_keeps_non_finite_samples_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "odd.wav"
    path.write_bytes(riff(3, 1, RATE, 32, np.array([0.5, np.nan, np.inf, -2.0], "<f4").tobytes()))

    cleaned, _ = read_wav(path)
    raw, _ = read_wav(path, sanitize=False)

    np.testing.assert_array_equal(cleaned, [0.5, 0.0, 1.0, -1.0])
    assert raw[0] == 0.5 and np.isnan(raw[1]) and raw[2] == np.inf and raw[3] == -2.0


def test_header_is_read_without_the_samples_and_names_what_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    path.write_bytes(riff(1, 2, 48_000, 24, bytes(6 * 48_000 * 3 + 5)))
    header = wav_format(path)
    assert (header.channels, header.sample_rate, header.sample_bytes, header.frames) == (2, 48_000, 3, 144_000)
    assert header.duration_s == 3.0

    path.write_bytes(riff(1, 1, RATE, 4, VOICE16))
    with pytest.raises(WavError, match=r"^long\.wav is not a readable WAV file") as refused:
        read_wav(path)
    assert refused.value.reason == "unsupported WAV format: 4 bits per sample"


# ---------------------------------------------------------------- files decoded by ffmpeg


@pytest.fixture(scope="module")
def two_hour_flac(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two hours of 8 kHz silence: under 1 MB on disk, 690 MB once decoded to 24 kHz float."""
    path = make_flac(tmp_path_factory.mktemp("flac") / "two hours.flac", 7200, 8000)
    assert path.stat().st_size < 1_500_000
    return path


def test_two_hour_flac_is_refused_from_its_header_before_decoding(
    voice_project, workspace_snapshot, two_hour_flac: Path
) -> None:
    workspace, project_id = voice_project
    before = workspace_snapshot(workspace)

    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(EchoError) as refused:
            attach_reference(workspace, project_id, "ID_A", two_hour_flac, "audio")
        elapsed = time.monotonic() - started
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert str(refused.value) == (
        "'two hours.flac' is 7200 s long; a voice sample can be at most 300 s (5 minutes): trim it and upload again"
    )
    assert peak_bytes < 16 * 1024 * 1024, f"{peak_bytes / 2**20:.0f} MB traced while refusing"
    assert elapsed < 20.0
    assert workspace_snapshot(workspace) == before and card_audio(workspace, project_id) is None


MEASURE_DECODE = """
import json, re, sys, time
from pathlib import Path
from generator.errors import EchoError
from workspace.uploads import decode_audio

def peak_rss():  # VmHWM belongs to this process image; ru_maxrss would carry the forking parent's peak over exec
    return int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text())[1]) * 1024

baseline = peak_rss()
started = time.monotonic()
try:
    wave, rate = decode_audio(Path(sys.argv[1]))
    message = None
except EchoError as error:
    message = str(error)
seconds = time.monotonic() - started
print(json.dumps({"message": message, "growth_bytes": peak_rss() - baseline, "seconds": seconds}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="peak RSS is read from Linux /proc")
def test_flac_whose_header_understates_its_length_is_cut_off_while_decoding(
    two_hour_flac: Path, tmp_path: Path
) -> None:
    liar = tmp_path / "liar.flac"
    liar.write_bytes(with_declared_samples(two_hour_flac.read_bytes(), 10 * 8000))
    assert probe(liar).duration_s == pytest.approx(10.0)  # the header says 10 s; the stream holds two hours

    run = subprocess.run(
        [sys.executable, "-c", MEASURE_DECODE, str(liar)], cwd=REPO, capture_output=True, text=True, timeout=120
    )

    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["message"] == (
        "'liar.flac' is more than 300 s long; a voice sample can be at most 300 s (5 minutes): trim it and upload again"
    )
    assert report["growth_bytes"] < MEMORY_BOUND_BYTES, f"max RSS grew {report['growth_bytes'] / 2**20:.0f} MB"
    assert report["seconds"] < 30.0


def test_flac_voice_is_decoded_at_24_khz_and_stored(voice_project, tmp_path: Path) -> None:
    workspace, project_id = voice_project
    source = make_flac(tmp_path / "voice.flac", 3, 16_000, tone=True)

    assert attach_reference(workspace, project_id, "ID_A", source, "audio").ok

    stored, rate = read_wav(workspace.media.resolve(card_audio(workspace, project_id)))
    assert rate == 24_000 and abs(stored.size - 3 * 24_000) <= 24
    assert 0.25 < np.abs(stored).max() < 0.35


def test_silent_flac_is_refused(voice_project, workspace_snapshot, tmp_path: Path) -> None:
    workspace, project_id = voice_project
    source = make_flac(tmp_path / "quiet.flac", 3, 16_000)
    before = workspace_snapshot(workspace)

    with pytest.raises(EchoError, match=r"^'quiet\.flac' is silent \(it holds no sound, under -60 dBFS\); upload a"):
        attach_reference(workspace, project_id, "ID_A", source, "audio")
    assert workspace_snapshot(workspace) == before


def test_file_with_no_sound_track_is_refused(voice_project, tmp_path: Path) -> None:
    workspace, project_id = voice_project
    source = tmp_path / "picture.mp4"
    args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:s=64x64:d=2"]
    subprocess.run([*args, "-pix_fmt", "yuv420p", str(source)], check=True, capture_output=True)

    with pytest.raises(EchoError, match=r"^'picture\.mp4' has no sound track; upload a WAV, FLAC, MP3, M4A or OGG"):
        attach_reference(workspace, project_id, "ID_A", source, "audio")
    assert card_audio(workspace, project_id) is None
