"""The film's video: the shots joined by ffmpeg, stream-copied when they can be, muxed with the soundtrack.

Stream copy goes through the concat demuxer with an explicit `duration` per shot, so every cut lands exactly on
num_frames / fps whatever the AAC padding of the shot files. The demuxer shifts the video by the first shot's
audio priming delay (its earliest stream start); the `setts` filter moves the first video packet back to 0 so
picture and soundtrack start together. The soundtrack is encoded at 48 kHz, where an AAC frame (21 ms) is
shorter than a video frame, so the film's audio never outlasts its video by a frame; the "fast" AAC coder is
about three times quicker than the default and transparent at 192 kb/s for speech and preview music.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator.errors import EchoError
from generator.media import ffmpeg_exe

AUDIO_BITRATE = "192k"
FILM_AUDIO_RATE = 48_000
REENCODE_CRF = "18"
REENCODE_PRESET = "veryfast"
FractionCallback = Callable[[float], None]
_VIDEO_STREAM = re.compile(r"Stream #0:\d+.*?: Video: (.+)")
_BITRATE = re.compile(r",\s*\d+(\.\d+)? kb/s")


@dataclass(frozen=True)
class FilmShot:
    video: Path
    num_frames: int
    fps: int


def video_signature(path: Path) -> str:
    """The first video stream's codec parameters as ffmpeg reports them (codec, profile, pixel format, size,
    aspect, frame rate, time base), minus the bitrate: two files with equal signatures can be stream-joined."""
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True, check=False
    )
    match = _VIDEO_STREAM.search(result.stderr)
    if match is None:
        raise EchoError(f"{path.name} has no readable video stream; regenerate that shot and export again")
    return _BITRATE.sub("", match.group(1)).replace(" (default)", "").strip()


def can_stream_copy(shots: Sequence[FilmShot]) -> bool:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return len(set(pool.map(video_signature, [shot.video for shot in shots]))) == 1


def _quote_concat_path(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


def concat_list(shots: Sequence[FilmShot]) -> str:
    lines = ["ffconcat version 1.0"]
    for shot in shots:
        lines += [f"file {_quote_concat_path(shot.video.resolve())}", f"duration {shot.num_frames / shot.fps:.6f}"]
    return "\n".join(lines) + "\n"


def _run_ffmpeg(arguments: list[str], what: str, total_s: float, progress: FractionCallback | None) -> None:
    """Run ffmpeg, turning its `-progress` reports (output time written so far) into fractions of `total_s`."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y",
               "-progress", "pipe:1", *arguments]  # fmt: skip
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        assert process.stdout is not None
        for line in process.stdout:
            if progress is not None and line.startswith("out_time_us=") and line[12:].strip().isdigit():
                progress(min(1.0, int(line[12:]) / 1e6 / total_s))
        code = process.wait()
        stderr.seek(0)
        message = stderr.read().decode(errors="replace")
    if code != 0:
        detail = message.strip().splitlines()[-3:]
        raise EchoError(
            f"ffmpeg failed while {what}: {' / '.join(detail) or 'no message'}. "
            "Check the shot files with `echo-director history` and regenerate any that do not play."
        )


def _output_arguments(soundtrack_index: int, metadata_index: int, out_path: Path) -> list[str]:
    return [
        "-map", f"{soundtrack_index}:a:0",
        "-map_metadata", str(metadata_index), "-map_chapters", str(metadata_index),
        "-c:a", "aac", "-aac_coder", "fast", "-b:a", AUDIO_BITRATE, "-ar", str(FILM_AUDIO_RATE),
        "-movflags", "+faststart", "-f", "mp4", str(out_path),
    ]  # fmt: skip


def _film_seconds(shots: Sequence[FilmShot]) -> float:
    return sum(shot.num_frames / shot.fps for shot in shots)


def join_stream_copy(
    shots: Sequence[FilmShot],
    soundtrack: Path,
    metadata: Path,
    work_dir: Path,
    out: Path,
    progress: FractionCallback | None = None,
) -> None:
    """Concatenate identical-parameter shots without touching their video packets; encode only the audio."""
    listing = work_dir / "concat.txt"
    listing.write_text(concat_list(shots), encoding="utf-8")
    arguments = [
        "-f", "concat", "-safe", "0", "-i", str(listing),
        "-i", str(soundtrack), "-f", "ffmetadata", "-i", str(metadata),
        "-map", "0:v:0", "-c:v", "copy", "-bsf:v", "setts=pts=PTS-STARTPTS:dts=DTS-STARTPTS",
        *_output_arguments(1, 2, out),
    ]  # fmt: skip
    _run_ffmpeg(arguments, "joining the shots", _film_seconds(shots), progress)


def join_reencode(
    shots: Sequence[FilmShot],
    size: tuple[int, int],
    soundtrack: Path,
    metadata: Path,
    out: Path,
    progress: FractionCallback | None = None,
) -> None:
    """Decode every shot, fit it into `size` (scaled, letterboxed), cut it to its frame count, encode once."""
    width, height = size
    fps = shots[0].fps
    inputs: list[str] = []
    chains = []
    for index, shot in enumerate(shots):
        inputs += ["-i", str(shot.video)]
        chains.append(
            f"[{index}:v:0]scale={width}:{height}:force_original_aspect_ratio=decrease,"
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={fps},format=yuv420p,"
            f"trim=end_frame={shot.num_frames},setpts=PTS-STARTPTS[v{index}]"
        )
    joined = "".join(f"[v{index}]" for index in range(len(shots)))
    graph = ";".join([*chains, f"{joined}concat=n={len(shots)}:v=1:a=0[film]"])
    arguments = [
        *inputs, "-i", str(soundtrack), "-f", "ffmetadata", "-i", str(metadata),
        "-filter_complex", graph, "-map", "[film]",
        "-c:v", "libx264", "-preset", REENCODE_PRESET, "-crf", REENCODE_CRF, "-pix_fmt", "yuv420p", "-r", str(fps),
        *_output_arguments(len(shots), len(shots) + 1, out),
    ]  # fmt: skip
    _run_ffmpeg(arguments, "re-encoding the shots into one film", _film_seconds(shots), progress)
