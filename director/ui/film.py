"""The Film tab's handlers: watch the current takes in order without exporting. A chapter list (one chapter per
run of shots in the same scene) names every shot with its status, stale and missing ones marked; clicking a row
plays that shot's take, "Play all" plays the takes joined into one file (`film_reel`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from director.nodes.revise import shot_list
from director.ui import views
from director.ui.context import AppContext
from director.ui.film_reel import build_reel
from director.ui.handlers import warning
from director.ui.tab_guard import tab_project
from generator.errors import EchoError
from workspace.db import Workspace
from workspace.project_view import ProjectState, ShotView, TakeView

TAB = "Film"
CHAPTER_HEADERS = ["Chapter (scene)", "Shot", "Status", "Starts at", "Length"]
FILM_HINT = "Open a film, then click a row to watch that shot, or press **Play all**."


@dataclass(frozen=True)
class FilmRow:
    number: int
    chapter: str  # "2 · Shore" on the first shot of a chapter, "" on the shots that continue it
    status: str
    start_s: float | None  # where the shot starts in "Play all"; None when it is left out
    take: TakeView | None
    video: str | None


def clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def shot_status(shot: ShotView, video: str | None) -> str:
    take = shot.current_take
    if take is None:
        return "✗ missing: not generated yet"
    if video is None:
        return f"✗ missing: the file of v{take.version} is gone (regenerate)"
    if shot.status == "stale":
        return f"⚠ stale v{take.version}: regenerate"
    if shot.status == "rejected":
        return f"⚠ rejected v{take.version}"
    return f"✓ {shot.status} v{take.version}"


def film_rows(workspace: Workspace, state: ProjectState) -> list[FilmRow]:
    scenes = {scene.scene_id: scene.name for scene in state.scenes}
    rows: list[FilmRow] = []
    offset, chapter, scene = 0.0, 0, None
    for shot in state.shots:
        take = shot.current_take
        video = views.media_path(workspace, take.video_path) if take else None
        label = ""
        if not rows or shot.scene_id != scene:
            chapter, scene = chapter + 1, shot.scene_id
            label = f"{chapter} · {scenes.get(shot.scene_id) or shot.scene_id or 'no scene'}"
        rows.append(FilmRow(shot.number, label, shot_status(shot, video), offset if video else None, take, video))
        if take is not None and video:
            offset += take.duration_s
    return rows


def chapter_table(rows: list[FilmRow]) -> list[list[str]]:
    return [
        [
            row.chapter,
            str(row.number),
            row.status,
            clock(row.start_s) if row.start_s is not None else "—",
            f"{row.take.duration_s:.1f} s" if row.take else "—",
        ]
        for row in rows
    ]


def film_summary(state: ProjectState, rows: list[FilmRow]) -> str:
    playable = [row for row in rows if row.video]
    if not rows:
        return "No shots yet: approve a story and the Director plans and renders them."
    seconds = sum(row.take.duration_s for row in playable if row.take)
    text = f"**{views.literal(state.story.title if state.story else state.project.title)}**: "
    text += f"{len(playable)} of {len(rows)} shots playable, {clock(seconds)} of film."
    if stale := [row.number for row in rows if row.status.startswith("⚠ stale")]:
        text += f" Stale (played as they are): {shot_list(stale)}."
    if missing := [row.number for row in rows if not row.video]:
        text += f" Missing (left out of Play all): {shot_list(missing)}."
    return text


class Film:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def load(self, choice: str | None) -> tuple[Any, ...]:
        """(summary, chapter table, player, now playing, shown project)."""
        try:
            project_id = self.ctx.project_id(choice)
            state = self.ctx.state(project_id)
        except EchoError:
            return (FILM_HINT, [], None, "", None)
        rows = film_rows(self.ctx.workspace, state)
        return (film_summary(state, rows), chapter_table(rows), None, "", project_id)

    def pick(self, choice: str | None, shown: int | None, selected: gr.SelectData) -> tuple[Any, str]:
        """A click on a chapter row plays that row's shot."""
        return self.play_shot(choice, shown, int(selected.index[0]) + 1)

    def play_shot(self, choice: str | None, shown: int | None, number: int) -> tuple[Any, str]:
        """(player, now playing)."""
        try:
            project_id = tab_project(self.ctx, choice, shown, TAB)
            state = self.ctx.state(project_id)
            state.shot(number)
            row = film_rows(self.ctx.workspace, state)[number - 1]
            if row.video is None or row.take is None:
                raise EchoError(f"shot {number} cannot play: {row.status.removeprefix('✗ ')}")
        except EchoError as error:
            gr.Warning(str(error))
            return (gr.skip(), warning(error))
        start = f", at {clock(row.start_s)} in the film" if row.start_s is not None else ""
        return (row.video, f"Playing shot {number} (v{row.take.version}, {row.status}{start}).")

    def play_all(self, choice: str | None, shown: int | None) -> tuple[Any, str]:
        """(player, now playing): the playable takes joined in order."""
        try:
            project_id = tab_project(self.ctx, choice, shown, TAB)
            rows = film_rows(self.ctx.workspace, self.ctx.state(project_id))
            playing = [row for row in rows if row.video and row.take]
            if not playing:
                raise EchoError("no shot has a take to play yet; generate the shots first")
            reel = build_reel(self.ctx.workspace, project_id, [row.take for row in playing])
        except EchoError as error:
            gr.Warning(str(error))
            return (gr.skip(), warning(error))
        text = f"Playing {shot_list([row.number for row in playing])} in order ({clock(reel.duration_s)})"
        if reel.video_copied is None:
            text += ", joined earlier."
        else:
            how = "video copied" if reel.video_copied else "video re-encoded to one size"
            text += f", joined in {reel.elapsed_s:.1f} s ({how}, sound encoded once)."
        if missing := [row.number for row in rows if not row.video]:
            text += f" Left out: {shot_list(missing)} (no take)."
        return (str(reel.path), text)
