"""CLI handlers for project commands: new, list, show, history, log (rich tables on stdout)."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlmodel import col, select

from director.settings import Settings, open_home
from generator.text import clip, printable
from tools.base import Toolbox
from workspace.history import HistoryManager
from workspace.models import ToolCall
from workspace.project_view import ProjectState, TakeView, list_projects, load_project_state, resolve_project

TITLE_LENGTH = 60


class PlainTextConsole(Console):
    """Prints user text as it is: no markup, emoji codes or highlighting, and no control characters, so a title
    like "[/red]" or one holding escape codes cannot restyle, hide or break the output."""

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(printable(text), **options)


def _console() -> Console:
    return PlainTextConsole(width=160, soft_wrap=False, markup=False, highlight=False, emoji=False)


def cmd_new(args: argparse.Namespace, settings: Settings) -> int:
    idea = str(args.idea).strip()
    title = clip(idea.splitlines()[0] if idea else "", TITLE_LENGTH)
    result = Toolbox(open_home(settings), actor="user").call("create_project", {"title": title, "idea": idea})
    result.raise_if_failed()
    print(result.data["project_id"])
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    projects = list_projects(open_home(settings))
    if not projects:
        print('no projects yet; create one with: echo-director new "your idea"')
        return 0
    table = Table("id", "title", "language", "updated")
    for project in projects:
        table.add_row(str(project.id), project.title, project.language, f"{project.updated_at:%Y-%m-%d %H:%M}")
    _console().print(table)
    return 0


def _take_cell(take: TakeView | None) -> str:
    return f"v{take.version} {take.status} ({take.backend}, seed {take.seed})" if take else "-"


def print_project(state: ProjectState, console: Console) -> None:
    project = state.project
    console.print(f"Project {project.id}: {project.title}  (language {project.language})", style="bold")
    if project.idea:
        console.print(f"Idea: {clip(project.idea, 300)}")
    if state.story:
        story = state.story
        flag = "confirmed" if story.confirmed else "not confirmed"
        console.print()
        console.print(f"Story v{story.version} ({flag}): {story.title}", style="bold")
        console.print(story.description)
        if story.style:
            console.print(f"Style: {story.style}")
    else:
        console.print("\nNo story yet.")

    characters = Table("id", "name", "identity", "clothing", "voice", "references", title="Characters")
    for card in state.characters:
        references = ", ".join(p for p in (card.reference_image, card.reference_audio) if p) or "-"
        characters.add_row(
            card.char_id, card.name, clip(card.identity, 80), clip(card.clothing, 40), clip(card.voice, 40), references
        )
    scenes = Table("id", "name", "location", "time", "description", title="Scenes")
    for scene in state.scenes:
        scenes.add_row(scene.scene_id, scene.name, scene.location, scene.time_of_day, clip(scene.description, 80))
    shots = Table(
        "#", "scene", "characters", "action", "dialogue", "frames", "status", "current take", title="Shot plan"
    )
    for shot in state.shots:
        dialogue = " / ".join(f"{line['speaker']}: {line['text']}" for line in shot.dialogue)
        shots.add_row(
            str(shot.number),
            shot.scene_id,
            ", ".join(shot.characters) or "-",
            clip(shot.action, 50),
            clip(dialogue, 50) or "-",
            str(shot.num_frames),
            shot.status,
            _take_cell(shot.current_take),
        )
    for table, items in ((characters, state.characters), (scenes, state.scenes), (shots, state.shots)):
        console.print()
        console.print(table if items else f"{table.title}: none yet")


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    workspace = open_home(settings)
    print_project(load_project_state(workspace, resolve_project(workspace, args.project)), _console())
    return 0


def cmd_history(args: argparse.Namespace, settings: Settings) -> int:
    workspace = open_home(settings)
    project_id = resolve_project(workspace, args.project)
    takes = HistoryManager(workspace).takes(project_id, args.shot)
    if not takes:
        print("no takes yet")
        return 0
    table = Table("shot", "take id", "version", "status", "current", "backend", "seed", "memory from", "video")
    for take in takes:
        sources = ", ".join(str(s.get("label") or s.get("card_id") or s.get("take_id")) for s in take.memory_sources)
        table.add_row(
            str(take.shot_number),
            str(take.id),
            str(take.version),
            take.status,
            "*" if take.is_current else "",
            take.backend,
            str(take.seed),
            sources or "-",
            take.video_path,
        )
    _console().print(table)
    return 0


def cmd_log(args: argparse.Namespace, settings: Settings) -> int:
    workspace = open_home(settings)
    project_id = resolve_project(workspace, args.project)
    with workspace.read_session() as session:
        calls = session.exec(select(ToolCall).where(ToolCall.project_id == project_id).order_by(col(ToolCall.id))).all()
    table = Table("time (UTC)", "actor", "tool", "ok", "arguments", "result / error")
    for call in calls:
        arguments = ", ".join(f"{key}={value!r}" for key, value in call.args.items() if key != "project_id")
        outcome = str(call.result) if call.ok else str(call.error)
        table.add_row(
            f"{call.created_at:%Y-%m-%d %H:%M:%S}",
            call.actor,
            call.tool,
            "yes" if call.ok else "NO",
            clip(arguments, 70),
            clip(outcome, 60),
        )
    _console().print(table)
    return 0
