"""Handlers of the page's editors: the shot inspector, the cards, export and settings. Like the chat's handlers,
each takes plain component values, changes state only through the typed tools (actor "user"), and turns an
`EchoError` into a message on the page with the project left as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from director.ui import views
from director.ui.context import AppContext
from director.ui.handlers import chosen_shot, viewed_project, warning
from director.ui.tab_guard import tab_project
from generator.errors import EchoError
from tools.references import attach_reference
from workspace.export import FILM_NAME, ExportBlocked, default_export_dir, export_project
from workspace.uploads import UploadKind

CARDS_TAB = "Cards"


class Editors:
    def __init__(self, ctx: AppContext, run_started: dict[int, float]) -> None:
        self.ctx = ctx
        self.run_started = run_started  # the chat's: project id -> when its latest Director run began

    # -- shot inspector ---------------------------------------------------------------------------------------

    def inspect(self, choice: str | None, number: float | None) -> tuple[Any, ...]:
        """(header, video, dialogue, prompt, memory gallery, versions dropdown, the project shown)."""
        try:
            project_id = self.ctx.project_id(choice)
            state = self.ctx.state(project_id)
            if number is None:
                raise EchoError("type a shot number or click a shot in the storyboard")
            details = views.shot_details(self.ctx.workspace, state, int(number))
        except EchoError as error:
            return (warning(error), None, "", "", [], gr.update(choices=[], value=None), None)
        return (
            details.header,
            details.video,
            details.dialogue,
            details.prompt,
            details.memory,
            gr.update(choices=details.versions, value=details.current_version),
            project_id,
        )

    def clear_inspector(self) -> tuple[Any, ...]:
        """Another film was opened: the inspector shows nothing of the last one (inspector outputs, number, status)."""
        return (views.INSPECTOR_HINT, None, "", "", [], gr.update(choices=[], value=None), None, None, "")

    def pick_shot(self, choice: str | None, selected: gr.SelectData) -> tuple[Any, ...]:
        """A storyboard click: open that shot in the inspector tab (and clear the last shot's status line)."""
        number = int(selected.index) + 1
        return (number, gr.Tabs(selected="shot"), *self.inspect(choice, number), "")

    def rollback(
        self, choice: str | None, shown: int | None, number: float | None, version: int | None
    ) -> tuple[Any, ...]:
        """(status, storyboard) after making an earlier take current again."""
        try:
            project_id = viewed_project(self.ctx, choice, shown)
            shot_number = chosen_shot(self.ctx.state(project_id), number)
            if version is None:
                raise EchoError("pick a version in the list first")
            result = self.ctx.call_tool(
                "rollback_shot", {"project_id": project_id, "number": shot_number, "version": int(version)}
            )
        except EchoError as error:
            gr.Warning(str(error))
            return (warning(error), gr.skip())
        status = f"Shot {shot_number} now uses version {int(version)}."
        if fields := result.data["restored_fields"]:
            status += f" Its {', '.join(fields)} are back to that version's."
        if stale := result.data["stale_shots"]:
            status += f" Now stale (they remembered the replaced take): {', '.join(map(str, stale))}."
        if restored := result.data["restored_shots"]:
            status += f" No longer stale: {', '.join(map(str, restored))}."
        return (status, views.storyboard(self.ctx.workspace, self.ctx.state(project_id)))

    # -- cards ------------------------------------------------------------------------------------------------

    def load_cards(self, choice: str | None) -> tuple[Any, ...]:
        """(character dropdown, its 7 fields, scene dropdown, its 4 fields)."""
        state = self.ctx.state_or_none(choice)
        characters = views.character_choices(state)
        scenes = views.scene_choices(state)
        first_character = characters[0][1]
        first_scene = scenes[0][1] if scenes else None
        return (
            gr.update(choices=characters, value=first_character),
            *views.character_fields(self.ctx.workspace, views.character_card(state, first_character)),
            gr.update(choices=scenes, value=first_scene),
            *views.scene_fields(views.scene_card(state, first_scene)),
        )

    def pick_character(self, choice: str | None, char_id: str | None) -> tuple[Any, ...]:
        card = views.character_card(self.ctx.state_or_none(choice), char_id)
        return views.character_fields(self.ctx.workspace, card)

    def pick_scene(self, choice: str | None, scene_id: str | None) -> tuple[str, str, str, str]:
        return views.scene_fields(views.scene_card(self.ctx.state_or_none(choice), scene_id))

    def upload_reference(
        self, kind: UploadKind, choice: str | None, shown: int | None, char_id: str | None, upload: str | None
    ) -> tuple[str, Any, Any]:
        """(status, reference image, reference audio) after a checked upload."""
        try:
            project_id = tab_project(self.ctx, choice, shown, CARDS_TAB, unfilled_ok=True)
            if not upload:
                raise EchoError("choose a file to upload")
            if char_id in (None, views.NEW_CHARACTER):
                raise EchoError("save the new character first, then add its reference")
            attach_reference(self.ctx.workspace, project_id, char_id, upload, kind).raise_if_failed()
        except EchoError as error:
            gr.Warning(str(error))
            return (warning(error), gr.skip(), gr.skip())
        fields = self.pick_character(choice, char_id)
        what = "reference image" if kind == "image" else "voice sample"
        return (f"Stored the {what} of {char_id}.", fields[5], fields[6])

    def upload_image(
        self, choice: str | None, shown: int | None, char_id: str | None, upload: str | None
    ) -> tuple[str, Any, Any]:
        return self.upload_reference("image", choice, shown, char_id, upload)

    def upload_audio(
        self, choice: str | None, shown: int | None, char_id: str | None, upload: str | None
    ) -> tuple[str, Any, Any]:
        return self.upload_reference("audio", choice, shown, char_id, upload)

    def save_scene(
        self,
        choice: str | None,
        shown: int | None,
        scene_id: str | None,
        name: str,
        location: str,
        time_of_day: str,
        description: str,
    ) -> str:
        try:
            project_id = tab_project(self.ctx, choice, shown, CARDS_TAB, unfilled_ok=True)
            if not scene_id:
                raise EchoError("this project has no scenes yet; approve a story first")
            fields = {"name": name, "location": location, "time_of_day": time_of_day, "description": description}
            self.ctx.call_tool("update_scene", {"project_id": project_id, "scene_id": scene_id, **fields})
        except EchoError as error:
            gr.Warning(str(error))
            return warning(error)
        return f"Saved scene {scene_id}."

    # -- export -----------------------------------------------------------------------------------------------

    def export(self, choice: str | None, force: bool, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        """(status, downloadable files, film player)."""
        try:
            project_id = self.ctx.project_id(choice)
            result = export_project(
                self.ctx.workspace,
                project_id,
                self._export_dir(project_id),
                force=bool(force),
                progress=lambda fraction, text: progress(fraction, desc=text),
            )
        except ExportBlocked as blocked:
            message = views.export_blocked_message(blocked)
            gr.Warning(message)
            return (warning(message), gr.skip(), gr.skip())
        except EchoError as error:
            gr.Warning(str(error))
            return (warning(error), gr.skip(), gr.skip())
        downloads = views.export_downloads(result)
        return (views.export_summary(result), downloads, str(result.film))

    def last_export(self, choice: str | None) -> tuple[Any, ...]:
        """(status, downloads, film) of the project's latest export, e.g. one the Director made from the chat."""
        try:
            folder = self._export_dir(self.ctx.project_id(choice))
        except EchoError:
            return ("", None, None)
        film = folder / FILM_NAME
        if not film.is_file():
            return ("Nothing exported yet: press **Export film**.", None, None)
        return (views.last_export_summary(folder), views.folder_downloads(folder), str(film))

    def after_reply(self, choice: str | None) -> tuple[Any, ...]:
        """(tabs, export status, downloads, film): when the Director's last run exported the film (asked in the
        chat), open the Export tab on it; otherwise change nothing."""
        try:
            project_id = self.ctx.project_id(choice)
        except EchoError:
            return (gr.skip(),) * 4
        film = self._export_dir(project_id) / FILM_NAME
        started = self.run_started.get(project_id)
        if started is None or not film.is_file() or film.stat().st_mtime < started:
            return (gr.skip(),) * 4
        return (gr.Tabs(selected="export"), *self.last_export(choice))

    def _export_dir(self, project_id: int) -> Path:
        return default_export_dir(self.ctx.workspace, project_id)

    # -- settings ---------------------------------------------------------------------------------------------

    def show_settings(self) -> tuple[Any, ...]:
        s = self.ctx.settings
        return (s.llm_base_url or "", s.llm_model, s.backend, s.width, s.height, s.review_mode)

    def apply_settings(
        self,
        llm_base_url: str,
        llm_model: str,
        llm_api_key: str,
        backend: str,
        width: float,
        height: float,
        review: bool,
    ) -> str:
        changes: dict[str, Any] = {
            "llm_base_url": llm_base_url.strip() or None,
            "llm_model": llm_model.strip() or self.ctx.settings.llm_model,
            "backend": backend,
            "width": int(width),
            "height": int(height),
            "review_mode": bool(review),
        }
        if llm_api_key.strip():
            changes["llm_api_key"] = llm_api_key.strip()
        try:
            s = self.ctx.update_settings(**changes)
        except EchoError as error:
            gr.Warning(str(error))
            return warning(error)
        planner = f"LLM {s.llm_model} at {s.llm_base_url}" if s.llm_configured else "the built-in offline planner"
        review = "pausing after every shot for your review" if s.review_mode else "without pausing between shots"
        return f"Applied: {planner}; {s.backend} backend at {s.width}x{s.height}; {review}."
