"""Text side-cars of an exported film: SRT and WebVTT subtitles, scene chapters (ffmetadata and JSON)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Cue:
    """One spoken line, timed on the whole film's clock."""

    start_s: float
    end_s: float
    speaker: str
    text: str


@dataclass(frozen=True)
class Chapter:
    """A run of consecutive shots in the same scene."""

    title: str
    scene_id: str
    start_s: float
    end_s: float
    shot_numbers: tuple[int, ...]


def shot_cues(timings: Sequence[dict], offset_s: float, duration_s: float, speaker_names: dict[str, str]) -> list[Cue]:
    """A take's dialogue timings moved onto the film clock, clipped to the shot (speech past its end is cut)."""
    cues = []
    for timing in timings:
        start = max(0.0, float(timing["start_s"]))
        end = min(duration_s, float(timing["end_s"]))
        text = _WHITESPACE.sub(" ", str(timing.get("text", ""))).strip()
        if end <= start or not text:
            continue
        speaker = str(timing.get("speaker", ""))
        cues.append(Cue(offset_s + start, offset_s + end, speaker_names.get(speaker, speaker), text))
    return cues


def _clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def format_srt(cues: Sequence[Cue]) -> str:
    blocks = []
    for index, cue in enumerate(cues, start=1):
        label = f"{cue.speaker}: {cue.text}" if cue.speaker else cue.text
        blocks.append(f"{index}\n{_clock(cue.start_s, ',')} --> {_clock(cue.end_s, ',')}\n{label}\n")
    return "\n".join(blocks)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def format_vtt(cues: Sequence[Cue]) -> str:
    blocks = ["WEBVTT\n"]
    for cue in cues:
        # A voice span names the speaker without printing it into the line; "-->" cannot appear in cue text.
        text = _vtt_escape(cue.text.replace("-->", "->"))
        body = f"<v {_vtt_escape(cue.speaker)}>{text}" if cue.speaker else text
        blocks.append(f"{_clock(cue.start_s, '.')} --> {_clock(cue.end_s, '.')}\n{body}\n")
    return "\n".join(blocks)


def scene_chapters(shots: Sequence[tuple[int, str, float, float]], scene_names: dict[str, str]) -> list[Chapter]:
    """Group (shot number, scene id, film offset, duration) rows, in film order, into one chapter per scene run."""
    chapters: list[Chapter] = []
    for number, scene_id, offset_s, duration_s in shots:
        last = chapters[-1] if chapters else None
        if last is not None and last.scene_id == scene_id:
            chapters[-1] = Chapter(
                last.title, scene_id, last.start_s, offset_s + duration_s, (*last.shot_numbers, number)
            )
        else:
            title = scene_names.get(scene_id) or scene_id or f"Shot {number}"
            chapters.append(Chapter(title, scene_id, offset_s, offset_s + duration_s, (number,)))
    return chapters


def _ffmetadata_escape(value: str) -> str:
    return re.sub(r"([=;#\\\n])", r"\\\1", value)


def format_ffmetadata(title: str, chapters: Sequence[Chapter]) -> str:
    """ffmpeg's metadata file format: the film title plus one [CHAPTER] per scene run (millisecond clock)."""
    lines = [";FFMETADATA1", f"title={_ffmetadata_escape(title)}", ""]
    for chapter in chapters:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(chapter.start_s * 1000)}",
            f"END={round(chapter.end_s * 1000)}",
            f"title={_ffmetadata_escape(chapter.title)}",
            "",
        ]
    return "\n".join(lines)


def chapters_json(chapters: Sequence[Chapter]) -> list[dict]:
    return [
        {
            "index": index,
            "title": chapter.title,
            "scene_id": chapter.scene_id,
            "start_s": round(chapter.start_s, 3),
            "end_s": round(chapter.end_s, 3),
            "shots": list(chapter.shot_numbers),
        }
        for index, chapter in enumerate(chapters, start=1)
    ]
