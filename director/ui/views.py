"""Turn project snapshots into what the page shows: choices, chat messages, storyboard tiles, shot details."""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from sqlmodel import col, select

from director.take_scores import stored_scores
from generator.errors import EchoError
from generator.prompt import MAX_PROMPT_CHARS
from generator.types import FPS, valid_frame_counts
from workspace.db import Workspace
from workspace.export import ExportBlocked, ExportResult
from workspace.history import HistoryManager
from workspace.models import ShotCondition, Take
from workspace.project_view import CharacterView, ProjectState, SceneView, ShotView, TakeView, list_projects

PLACEHOLDER_SIZE = (320, 192)
NEW_CHARACTER = "__new__"


@dataclass
class ShotDetails:
    header: str
    video: str | None
    dialogue: str
    prompt: str
    memory: list[Tile] = field(default_factory=list)
    versions: list[tuple[str, int]] = field(default_factory=list)
    current_version: int | None = None


INSPECTOR_HINT = "Click a shot in the **Storyboard**, or type its number and press **Show shot**."
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def literal(text: object) -> str:
    """User text for a Markdown view, shown exactly as typed: Markdown marks are escaped and HTML is written as
    entities, so a title or message can neither style the page nor load a remote image."""
    escaped = html.escape(str(text), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)


def director_markdown(text: object) -> str:
    """The Director's own lines keep their emphasis, but whatever user text they quote cannot add HTML, an
    image (which the browser would fetch) or a link: those marks are escaped."""
    escaped = html.escape(str(text), quote=False)
    return escaped.replace("![", "!\\[").replace("](", "]\\(")


def project_choices(workspace: Workspace) -> list[tuple[str, str]]:
    """Newest first, labelled `#id · title`; the value is the id as text."""
    return [(f"#{p.id} · {p.title}", str(p.id)) for p in reversed(list_projects(workspace))]


def chat_messages(turns: list[Any]) -> list[dict[str, str]]:
    """Director transcript turns (role, text) as Chatbot messages."""
    return [
        {"role": turn.role, "content": literal(turn.text) if turn.role == "user" else director_markdown(turn.text)}
        for turn in turns
        if turn.text
    ]


def media_path(workspace: Workspace, relative: str | None) -> str | None:
    """The absolute path of a stored file, or None when it is missing or would leave the home."""
    if not relative:
        return None
    try:
        path = workspace.media.resolve(relative)
    except EchoError:
        return None
    return str(path) if path.is_file() else None


Tile = tuple[str | Image.Image, str]  # a gallery tile: an image file in the home (or a drawn image), its caption


@functools.cache
def placeholder(text: str) -> Image.Image:
    """A grey tile with a short text. An image, not a file: the app serves files only from the home's media
    folders, and a file elsewhere (a home outside the working directory) would be refused."""
    image = Image.new("RGB", PLACEHOLDER_SIZE, (58, 60, 66))
    draw = ImageDraw.Draw(image)
    draw.text((16, PLACEHOLDER_SIZE[1] // 2 - 10), text, fill=(220, 220, 225), font=ImageFont.load_default(18))
    return image


def shot_caption(shot: ShotView, making: bool = False) -> str:
    take = shot.current_take
    parts = [f"Shot {shot.number}", "generating now" if making else shot.status]
    if take is not None:
        parts.append(f"v{take.version}")
    if shot.status == "stale" and not making:
        parts.append("⚠ stale: regenerate")
    return " · ".join(parts)


TILE_LINE_CHARS = 60
STALE_MARKER = "⚠ STALE: regenerate to update"


def one_line(text: str, limit: int = TILE_LINE_CHARS) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def seconds(num_frames: int) -> str:
    return f"{num_frames / FPS:.1f} s"


def tile_caption(state: ProjectState, shot: ShotView, making: bool = False) -> str:
    """A storyboard tile's lines: number, length, version and status (`layout.BOARD_FILTER_JS` filters on this
    first line); who is in it; what happens; the first line of dialogue; and, for a stale shot, what to do."""
    names = {c.char_id: c.name for c in state.characters}
    take = shot.current_take
    head = [f"Shot {shot.number}", seconds(shot.num_frames)]
    head += [f"v{take.version}"] if take is not None else []
    head.append("generating now" if making else shot.status)
    lines = [" · ".join(head), one_line(", ".join(names.get(c, c) for c in shot.characters) or "no characters")]
    if shot.action.strip():
        lines.append(one_line(shot.action))
    if shot.dialogue:
        first = shot.dialogue[0]
        more = f" (+{len(shot.dialogue) - 1} more)" if len(shot.dialogue) > 1 else ""
        spoken = one_line(f'{names.get(first["speaker"], first["speaker"])}: "{first["text"]}"', TILE_LINE_CHARS - 10)
        lines.append(spoken + more)
    if shot.status == "stale" and not making:
        lines.append(STALE_MARKER)
    return "\n".join(lines)


def storyboard(workspace: Workspace, state: ProjectState, making: int | None = None) -> list[Tile]:
    """One tile per shot: its current key frame (or a grey placeholder) and its caption."""
    tiles = []
    for shot in state.shots:
        take = shot.current_take
        frame = media_path(workspace, take.keyframe_paths[0]) if take and take.keyframe_paths else None
        now = shot.number == making
        tiles.append(
            (
                frame or placeholder("generating..." if now else "not generated yet"),
                tile_caption(state, shot, making=now),
            )
        )
    return tiles


def duration_choices() -> list[tuple[str, int]]:
    """Every length a shot can have (1+8k frames at 25 fps), labelled in seconds."""
    return [(f"{n / FPS:.2f} s", n) for n in valid_frame_counts()]


def prompt_length(length: int) -> str:
    """'1,243 / 1,500 characters' as HTML, red with how far over when it is over the limit."""
    text = f"{length:,} / {MAX_PROMPT_CHARS:,} characters"
    if length <= MAX_PROMPT_CHARS:
        return f'<span class="prompt-length">{text}</span>'
    over = f"{text}: {length - MAX_PROMPT_CHARS:,} over the limit, shorten the shot before saving"
    return f'<span class="prompt-length over" style="color: #d32f2f; font-weight: 600">{over}</span>'


def visibility(shown: bool) -> bool | str:
    """How a control that comes and goes is shown: hidden with no gap, but kept in the page. Gradio 6 unmounts a
    component set to visible=False and can apply an update it held back while unmounted after a newer one when it
    mounts it again (the Generate button came back reading "Generate 0 pending shots" with one pending)."""
    return True if shown else "hidden"


def pending_shots(state: ProjectState | None) -> list[int]:
    """Shots of an approved story that still need a take: never generated, or stale."""
    if state is None or state.story is None or not state.story.confirmed:
        return []
    return [s.number for s in state.shots if s.current_take is None or s.status == "stale"]


def generate_label(pending: list[int]) -> str:
    noun = "shot" if len(pending) == 1 else "shots"
    return f"Generate {len(pending)} pending {noun}"


def story_summary(state: ProjectState) -> str:
    if state.story is None:
        return f"**{literal(state.project.title)}** — no story yet: tell the Director your idea in the chat."
    story = state.story
    approval = "approved" if story.confirmed else "waiting for your approval"
    title = f"**{literal(story.title)}** (story v{story.version}, {approval})"
    if not story.confirmed:
        return f"{title} — press **Approve** under the chat, or tell the Director what to change."
    done = sum(1 for s in state.shots if s.current_take is not None)
    text = f"{title} — {done}/{len(state.shots)} shots generated"
    stale = sum(1 for s in state.shots if s.status == "stale")
    if stale:
        text += f", {stale} stale (an earlier shot they remember has changed)"
    elif state.shots and done == len(state.shots):
        text += " — ready: open **Export** to download the film"
    return text


def shot_details(workspace: Workspace, state: ProjectState, number: int) -> ShotDetails:
    shot = state.shot(number)
    takes = HistoryManager(workspace).takes(state.project.id, number)
    take = shot.current_take
    names = {c.char_id: c.name for c in state.characters}
    scenes = {s.scene_id: s.name for s in state.scenes}
    cast = ", ".join(names.get(c, c) for c in shot.characters) or "no characters"
    place = scenes.get(shot.scene_id or "", shot.scene_id or "no scene")
    header = f"### {literal(shot_caption(shot))}\n{literal(place)} · {literal(cast)}"
    if shot.action:
        header += f"\n\n{literal(shot.action)}"
    if take is None:
        header += "\n\nNot generated yet: press **Generate pending shots** under the chat."
    scores = takes_scores(state, takes)
    return ShotDetails(
        header=header,
        video=media_path(workspace, take.video_path) if take else None,
        dialogue=dialogue_text(state, shot, take) + (f"\n\n{scores}" if scores else ""),
        prompt=take_prompt(workspace, take) or shot.latest_condition_prompt or "",
        memory=memory_tiles(workspace, state, take),
        versions=[(version_label(t), t.version) for t in takes],
        current_version=take.version if take else None,
    )


def take_prompt(workspace: Workspace, take: TakeView | None) -> str | None:
    """The prompt this take was generated from (after a rollback it differs from the shot's latest one)."""
    if take is None or take.condition_id is None:
        return None
    with workspace.read_session() as session:
        condition = session.get(ShotCondition, take.condition_id)
    return condition.prompt if condition else None


def dialogue_text(state: ProjectState, shot: ShotView, take: TakeView | None) -> str:
    names = {c.char_id: c.name for c in state.characters}
    if take is not None and take.dialogue_timings:
        lines = [
            f"- `{t['start_s']:.1f}–{t['end_s']:.1f} s` **{literal(names.get(t['speaker'], t['speaker']))}**: "
            f"{literal(t['text'])}"
            for t in take.dialogue_timings
        ]
    else:
        lines = [f"- **{literal(names.get(d['speaker'], d['speaker']))}**: {literal(d['text'])}" for d in shot.dialogue]
    return "\n".join(lines) or "_No dialogue in this shot._"


NOT_MEASURED = "not measured: made with the critic's measuring off (ECHO_CRITIC_MEASURE=false)"


def take_scores(state: ProjectState, take: TakeView) -> str:
    """A take's measured scores against the critic's thresholds, or why it has none, as Markdown."""
    stored = stored_scores(take.metadata)
    names = {c.char_id: c.name for c in state.characters}
    return literal(stored.line(names) if stored else NOT_MEASURED)


def takes_scores(state: ProjectState, takes: list[TakeView]) -> str:
    """Each take's scores, newest first, for the inspector."""
    lines = [
        f"- **v{take.version}**{' (current)' if take.is_current else ''}: {take_scores(state, take)}"
        for take in reversed(takes)
    ]
    return "**Measured scores of each take**\n" + "\n".join(lines) if lines else ""


def version_label(take: TakeView) -> str:
    marker = " (current)" if take.is_current else ""
    return f"v{take.version} · {take.status} · {take.created_at:%Y-%m-%d %H:%M}{marker}"


def memory_tiles(workspace: Workspace, state: ProjectState, take: TakeView | None) -> list[Tile]:
    """One thumbnail per memory slot the take was conditioned on, labelled with what it is and where from."""
    if take is None:
        return []
    earlier_takes = _memory_takes(workspace, state, take)
    cards = {c.char_id: c for c in state.characters}
    tiles = []
    for source in take.memory_sources:
        image = media_path(workspace, source.get("key_frame"))
        label = str(source.get("label", "memory"))
        if source.get("take_id") in earlier_takes:
            number, earlier = earlier_takes[source["take_id"]]
            image = image or media_path(workspace, earlier.memory_window.get("key_frame"))
            label = f"Shot {number} v{earlier.version}" + (" · previous shot" if label == "PREVIOUS_SHOT" else "")
        elif source.get("card_id") in cards:
            card = cards[source["card_id"]]
            image = image or media_path(workspace, card.reference_image)
            label = f"{card.name} (character card)"
        tiles.append((image or placeholder("no picture"), label))
    return tiles


def _memory_takes(workspace: Workspace, state: ProjectState, take: TakeView) -> dict[int, tuple[int, Take]]:
    """take id -> (shot number, take) of the earlier takes in `take`'s memory whose shot is still in the plan."""
    ids = [source["take_id"] for source in take.memory_sources if source.get("take_id") is not None]
    numbers = {shot.id: shot.number for shot in state.shots}
    with workspace.read_session() as session:
        query = select(Take).where(col(Take.id).in_(ids), Take.project_id == state.project.id)
        return {t.id: (numbers[t.shot_id], t) for t in session.exec(query).all() if t.shot_id in numbers}


def character_choices(state: ProjectState | None) -> list[tuple[str, str]]:
    cards = state.characters if state else []
    return [(f"{c.char_id} · {c.name}", c.char_id) for c in cards] + [("+ new character", NEW_CHARACTER)]


def scene_choices(state: ProjectState | None) -> list[tuple[str, str]]:
    return [(f"{s.scene_id} · {s.name}", s.scene_id) for s in (state.scenes if state else [])]


def character_card(state: ProjectState | None, char_id: str | None) -> CharacterView | None:
    return next((c for c in state.characters if c.char_id == char_id), None) if state else None


def scene_card(state: ProjectState | None, scene_id: str | None) -> SceneView | None:
    return next((s for s in state.scenes if s.scene_id == scene_id), None) if state else None


def character_fields(workspace: Workspace, card: CharacterView | None) -> tuple[Any, ...]:
    """(name, identity, appearance, clothing, voice, reference image path, reference audio path)."""
    if card is None:
        return ("", "", "", "", "", None, None)
    return (
        card.name,
        card.identity,
        card.appearance,
        card.clothing,
        card.voice,
        media_path(workspace, card.reference_image),
        media_path(workspace, card.reference_audio),
    )


def scene_fields(card: SceneView | None) -> tuple[str, str, str, str]:
    if card is None:
        return ("", "", "", "")
    return (card.name, card.location, card.time_of_day, card.description)


def export_downloads(result: ExportResult) -> list[str]:
    """The film and its companion files (subtitles, timelines, manifest); per-shot files stay in the folder."""
    return [str(result.out_dir / name) for name in result.files if "/" not in name]


def folder_downloads(folder: Path) -> list[str]:
    """The same files, read from an export folder on disk."""
    return sorted(str(path) for path in folder.iterdir() if path.is_file())


def export_summary(result: ExportResult) -> str:
    text = (
        f"Exported {result.shot_count} shots ({result.duration_s:.1f} s of film) in {result.elapsed_s:.1f} s. "
        "Play it below; download **film.mp4** (and its subtitles and editor timelines) from the list under it. "
        f"The files are also in `{result.out_dir}`."
    )
    if result.skipped:
        text += "\n\nLeft out: " + "; ".join(f"shot {s.number} ({s.reason})" for s in result.skipped)
    return text


def last_export_summary(folder: Path) -> str:
    made = datetime.fromtimestamp(folder.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    return f"Last export: {made}. Download **film.mp4** below; press **Export film** again after changing shots."


def export_blocked_message(blocked: ExportBlocked) -> str:
    return (
        f"cannot export yet, fix these shots first: {blocked.listing}. "
        "Or export anyway by ticking **Export even if some shots are missing or stale**."
    )
