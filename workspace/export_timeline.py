"""An editor timeline of the exported shots: OpenTimelineIO, plus FCP XML and CMX 3600 EDL through OTIO adapters.

`timeline.otio` points at the per-shot files with paths relative to the export folder (it stays valid when the
folder moves); FCP XML gets absolute file:// URLs because editors resolve its `pathurl` literally.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from workspace.export_text import Chapter

OTIO_NAME = "timeline.otio"
ADAPTER_FILES = {"fcp_xml": "timeline.xml", "cmx_3600": "timeline.edl"}


@dataclass(frozen=True)
class TimelineShot:
    number: int
    relative_file: str
    num_frames: int
    fps: int
    take_id: int
    take_version: int


def _frames(count: float, fps: int) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(count, fps)


def _clip(shot: TimelineShot, url: str) -> otio.schema.Clip:
    available = otio.opentime.TimeRange(_frames(0, shot.fps), _frames(shot.num_frames, shot.fps))
    reference = otio.schema.ExternalReference(target_url=url, available_range=available)
    return otio.schema.Clip(
        name=f"Shot {shot.number:03d} v{shot.take_version}",
        media_reference=reference,
        source_range=available,
        metadata={"echo_director": {"shot": shot.number, "take_id": shot.take_id, "version": shot.take_version}},
    )


def build_timeline(
    title: str, shots: Sequence[TimelineShot], chapters: Sequence[Chapter], url: Callable[[TimelineShot], str]
) -> otio.schema.Timeline:
    """One video and one audio track of back-to-back clips, and a marker per chapter on the whole stack."""
    fps = shots[0].fps if shots else 25
    timeline = otio.schema.Timeline(name=title, global_start_time=_frames(0, fps))
    video = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="Audio", kind=otio.schema.TrackKind.Audio)
    for shot in shots:
        video.append(_clip(shot, url(shot)))
        audio.append(_clip(shot, url(shot)))
    timeline.tracks.extend([video, audio])
    for chapter in chapters:
        start = round(chapter.start_s * fps)
        marked = otio.opentime.TimeRange(_frames(start, fps), _frames(round(chapter.end_s * fps) - start, fps))
        timeline.tracks.markers.append(
            otio.schema.Marker(name=chapter.title, marked_range=marked, color=otio.schema.MarkerColor.GREEN)
        )
    return timeline


def write_timelines(
    title: str, shots: Sequence[TimelineShot], chapters: Sequence[Chapter], folder: Path, final_folder: Path
) -> dict[str, str]:
    """Write timeline.otio and whichever adapter formats load here; returns {format: file name}.

    `folder` is where files are written now, `final_folder` where the export will live (for absolute URLs).
    """
    timeline = build_timeline(title, shots, chapters, lambda shot: shot.relative_file)
    otio.adapters.write_to_file(timeline, str(folder / OTIO_NAME), adapter_name="otio_json")
    written = {"otio_json": OTIO_NAME}
    available = set(otio.adapters.available_adapter_names())
    absolute = build_timeline(title, shots, chapters, lambda shot: (final_folder / shot.relative_file).as_uri())
    for adapter, name in ADAPTER_FILES.items():
        if adapter in available:
            otio.adapters.write_to_file(absolute, str(folder / name), adapter_name=adapter)
            written[adapter] = name
    return written
