"""The Story tab's handlers: edit the story's fields directly (each save is a new story version, written with
write_story in the project's language), look at earlier versions and restore one (a new version with its
fields), undo the project's last change, and approve the story through the Director, as the chat's button does.

A save refuses when the story changed since the tab was filled (a chat edit, say), so it never overwrites a
version the creator has not seen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr
from sqlmodel import col, select

from director.nodes.story import APPROVE
from director.ui import views
from director.ui.context import AppContext
from director.ui.handlers import Handlers, unchanged, warning
from director.ui.tab_guard import tab_project
from generator.errors import EchoError
from workspace.models import StoryVersion
from workspace.project_view import StoryView, story_view

TAB = "Story"
CAST_HEADERS = ["Name", "Description"]
EDITABLE = ("title", "description", "style", "cast", "places", "beats")
NO_STORY = "No story yet: describe your idea in the chat (the Director writes the first version), or write one here."
LABEL_TITLE_CHARS = 60


def story_versions(ctx: AppContext, project_id: int) -> list[StoryView]:
    """Every version of the project's story, oldest first."""
    with ctx.workspace.read_session() as session:
        query = select(StoryVersion).where(StoryVersion.project_id == project_id).order_by(col(StoryVersion.version))
        return [story_view(row) for row in session.exec(query).all()]


def version_label(story: StoryView, latest: int) -> str:
    title = story.title if len(story.title) <= LABEL_TITLE_CHARS else story.title[: LABEL_TITLE_CHARS - 1] + "…"
    approval = "approved" if story.confirmed else "not approved"
    return f"v{story.version} · {approval} · {title}" + (" (latest)" if story.version == latest else "")


def version_markdown(story: StoryView) -> str:
    """A story version as the creator reads it (all of it is user text, shown literally)."""
    approval = "approved" if story.confirmed else "not approved yet"
    parts = [f"**Version {story.version}: {views.literal(story.title)}** ({approval})"]
    parts.append(views.literal(story.description))
    if story.cast:
        people = [", ".join(part for part in (e.get("name", ""), e.get("description", "")) if part) for e in story.cast]
        parts.append("Cast: " + "; ".join(views.literal(person) for person in people))
    if story.places:
        parts.append("Places: " + "; ".join(views.literal(place) for place in story.places))
    if story.beats:
        parts.append("\n".join(f"{n}. {views.literal(beat)}" for n, beat in enumerate(story.beats, start=1)))
    if story.style:
        parts.append(f"Style: {views.literal(story.style)}")
    return "\n\n".join(parts)


def cast_rows(story: StoryView | None) -> list[list[str]]:
    rows = [[str(entry.get("name", "")), str(entry.get("description", ""))] for entry in (story.cast if story else [])]
    return rows or [["", ""]]


def parse_cast(rows: Any) -> list[dict[str, str]]:
    """The cast table's rows as write_story's cast; blank rows are dropped, a description without a name is refused."""
    cast = []
    for number, row in enumerate(rows or [], start=1):
        cells = [("" if cell is None else str(cell)).strip() for cell in list(row)[:2]] + ["", ""]
        name, description = cells[0], cells[1]
        if not name and description:
            raise EchoError(f"cast row {number} has a description but no name; type the name or clear the row")
        if name:
            cast.append({"name": name, "description": description})
    return cast


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def editable_fields(story: StoryView) -> dict[str, Any]:
    return story.model_dump(include=set(EDITABLE))


class StoryEditor:
    def __init__(self, ctx: AppContext, handlers: Handlers) -> None:
        self.ctx = ctx
        self.handlers = handlers

    def load(self, choice: str | None) -> tuple[Any, ...]:
        """(title, synopsis, style, cast, places, beats, versions, version view, shown film, base version, status)."""
        form = self.form(choice)
        return (*form, NO_STORY if form[-2] is not None and form[-1] is None else "")

    def form(self, choice: str | None) -> tuple[Any, ...]:
        """The form filled from the open film's latest story (after the Director changed it, say)."""
        try:
            return self._form(self.ctx.project_id(choice))
        except EchoError:
            return self._empty_form(None)

    def save(
        self,
        choice: str | None,
        shown: int | None,
        base: int | None,
        title: str,
        synopsis: str,
        style: str,
        cast: Any,
        places: str,
        beats: str,
    ) -> tuple[Any, ...]:
        """A new story version from the form; (form..., status). A refusal keeps what was typed."""
        try:
            project_id = tab_project(self.ctx, choice, shown, TAB)
            state = self.ctx.state(project_id)
            latest = state.story
            if (latest.version if latest else None) != base:
                raise EchoError(
                    f"the story changed since this tab was filled (it is at version {latest.version if latest else 0} "
                    "now, e.g. from the chat); nothing was saved. Press **Reload** to see it, then edit again"
                )
            fields = {
                "title": (title or "").strip(),
                "description": (synopsis or "").strip(),
                "style": (style or "").strip(),
                "cast": parse_cast(cast),
                "places": lines(places),
                "beats": lines(beats),
            }
            if latest is not None and fields == editable_fields(latest):
                raise EchoError(f"nothing to save: the fields are those of story version {latest.version}")
            screenplay = latest.screenplay if latest else ""
            args = {"project_id": project_id, "screenplay": screenplay, "language": state.project.language, **fields}
            version = self.ctx.call_tool("write_story", args).data["version"]
        except EchoError as error:
            return self._refused(error)
        return (*self._form(project_id), self._saved(f"Saved story version {version}.", bool(state.shots)))

    def view_version(self, choice: str | None, shown: int | None, version: int | None) -> str:
        """The picked version, read-only (the form keeps the latest one)."""
        try:
            project_id = tab_project(self.ctx, choice, shown, TAB)
            return version_markdown(self._version(project_id, version))
        except EchoError as error:
            return warning(error)

    def restore(self, choice: str | None, shown: int | None, version: int | None) -> tuple[Any, ...]:
        """Write the picked version's fields as the newest version; (form..., status)."""
        try:
            project_id = tab_project(self.ctx, choice, shown, TAB)
            state = self.ctx.state(project_id)
            old = self._version(project_id, version)
            if state.story is not None and old.version == state.story.version:
                raise EchoError(f"version {old.version} is the latest already; pick an earlier one in the list")
            fields = {**editable_fields(old), "screenplay": old.screenplay}
            args = {"project_id": project_id, "language": state.project.language, **fields}
            new = self.ctx.call_tool("write_story", args).data["version"]
        except EchoError as error:
            return self._refused(error)
        status = f"Restored version {old.version} as story version {new}."
        return (*self._form(project_id), self._saved(status, bool(state.shots)))

    def undo(self, choice: str | None, shown: int | None) -> tuple[Any, ...]:
        """Undo the project's last story, card, cast or shot edit; (form..., status, storyboard)."""
        try:
            project_id = tab_project(self.ctx, choice, shown, TAB)
            data = self.ctx.call_tool("undo_last_change", {"project_id": project_id}).data
        except EchoError as error:
            return (*self._refused(error), gr.skip())
        status = f"Undone: {views.director_markdown(data['message'])}."
        if data["stale_shots"]:
            status += f" Now stale: shots {', '.join(map(str, data['stale_shots']))}."
        state = self.ctx.state(project_id)
        return (*self._form(project_id), status, views.storyboard(self.ctx.workspace, state))

    def approve(self, choice: str | None, shown: int | None) -> Iterator[tuple]:
        """Approve the latest story through the Director (it then plans and renders the shots, as after the chat's
        Approve button); (director outputs..., status)."""
        try:
            project_id = tab_project(self.ctx, choice, shown, TAB)
            story = self.ctx.state(project_id).story
            if story is None:
                raise EchoError("there is no story to approve yet; write one here or describe your idea in the chat")
            if story.confirmed:
                raise EchoError(f"story version {story.version} is approved already; nothing was changed")
        except EchoError as error:
            gr.Warning(str(error))
            yield (*unchanged(), warning(error))
            return
        outputs: tuple = tuple(unchanged())
        for outputs in self.handlers.send(APPROVE, choice):
            yield (*outputs, f"Approving story version {story.version}... (the chat shows each step)")
        after = self.ctx.state(project_id).story
        if after is not None and after.confirmed:
            yield (*outputs, f"Story version {after.version} approved.")
        else:
            yield (*outputs, warning("the story was not approved; the chat says why"))

    # -- internals --------------------------------------------------------------------------------------------

    def _version(self, project_id: int, version: int | None) -> StoryView:
        if version is None:
            raise EchoError("pick a version in the list first")
        versions = story_versions(self.ctx, project_id)
        found = next((story for story in versions if story.version == int(version)), None)
        if found is None:
            valid = f"1..{versions[-1].version}" if versions else "none (no story yet)"
            raise EchoError(f"unknown story version {int(version)}; valid versions: {valid}")
        return found

    def _form(self, project_id: int) -> tuple[Any, ...]:
        versions = story_versions(self.ctx, project_id)
        if not versions:
            return self._empty_form(project_id)
        latest = versions[-1]
        choices = [(version_label(story, latest.version), story.version) for story in reversed(versions)]
        return (
            latest.title,
            latest.description,
            latest.style,
            cast_rows(latest),
            "\n".join(latest.places),
            "\n".join(latest.beats),
            gr.update(choices=choices, value=latest.version),
            version_markdown(latest),
            project_id,
            latest.version,
        )

    def _empty_form(self, project_id: int | None) -> tuple[Any, ...]:
        return ("", "", "", cast_rows(None), "", "", gr.update(choices=[], value=None), "", project_id, None)

    def _refused(self, error: EchoError) -> tuple[Any, ...]:
        gr.Warning(str(error))
        return (*[gr.skip()] * 10, warning(error))

    def _saved(self, status: str, has_shots: bool) -> str:
        replan = " (a new plan replaces the current shots)" if has_shots else ""
        return f"{status} It waits for your approval: press **Approve story** and the Director plans the shots{replan}."
