"""Event handlers of the page. Each takes plain component values and returns the values of its outputs.

State changes go only through the Director session or the typed tools (actor "user"); every handler turns an
`EchoError` into a message on the page and leaves the project as it was.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from director.graph_state import DirectorEvent
from director.session import DirectorSession
from director.ui import views
from director.ui.context import AppContext
from director.ui.progress import RunProgress, bar
from generator.errors import EchoError
from tools.references import attach_reference
from workspace.export import FILM_NAME, ExportBlocked, default_export_dir, export_project
from workspace.project_view import ProjectState
from workspace.uploads import UploadKind

OPTION_BUTTONS = 3
START_HINT = "No film open yet. Type your idea in the chat on the left and press **Send**."


def warning(problem: object) -> str:
    return f"⚠ {problem}"


def option_updates(options: list[str]) -> list[Any]:
    """The Director's suggested answers as up to three visible buttons; the first is the one to press."""
    shown = options[:OPTION_BUTTONS]
    return [
        gr.update(value=label, visible=True, variant="primary" if index == 0 else "secondary")
        for index, label in enumerate(shown)
    ] + [gr.update(visible=False) for _ in range(OPTION_BUTTONS - len(shown))]


def project_update(ctx: AppContext, project_id: int | None) -> Any:
    return gr.update(choices=views.project_choices(ctx.workspace), value=str(project_id) if project_id else None)


def activity_update(html: str) -> Any:
    """The progress bar above the tabs: shown while the Director works, hidden (no gap) otherwise."""
    return gr.update(value=html, visible=bool(html))


def generate_update(state: ProjectState | None) -> Any:
    """The "Generate N pending shots" button, shown only while an approved story has shots without a usable take."""
    pending = views.pending_shots(state)
    return gr.update(value=views.generate_label(pending), visible=bool(pending))


def chosen_shot(state: ProjectState, number: float | None) -> int:
    """The shot number typed or clicked in the inspector; EchoError when none is chosen or it does not exist."""
    if number is None:
        raise EchoError("pick a shot first: click it in the storyboard or type its number")
    return state.shot(int(number)).number


def current_version(state: ProjectState, number: int) -> int | None:
    take = state.shot(number).current_take
    return take.version if take else None


def unchanged() -> list[Any]:
    """Leave all of the Director's outputs (project, chat, options..., storyboard, summary, activity, generate)."""
    return [gr.skip()] * (OPTION_BUTTONS + 6)


class Handlers:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.run_started: dict[int, float] = {}  # project id -> when its latest Director run began

    # -- project picker ---------------------------------------------------------------------------------------

    def load(self) -> tuple[Any, ...]:
        """Page (re)load: reopen the newest project exactly as it was, conversation included."""
        choices = views.project_choices(self.ctx.workspace)
        return self.open_project(choices[0][1] if choices else None)

    def open_project(self, choice: str | None) -> tuple[Any, ...]:
        """(project, chat, option buttons..., storyboard, summary, activity, generate button)."""
        if not choice:
            return self._nothing_open(START_HINT)
        try:
            project_id = self.ctx.project_id(choice)
            director = self.ctx.director(project_id)
            state = self.ctx.state(project_id)
        except EchoError as error:
            gr.Warning(str(error))
            return self._nothing_open(warning(error))
        return (
            project_update(self.ctx, project_id),
            self._conversation(director),
            *option_updates(self._options(director)),
            views.storyboard(self.ctx.workspace, state),
            views.story_summary(state),
            activity_update(""),
            generate_update(state),
        )

    def _nothing_open(self, summary: str) -> tuple[Any, ...]:
        idle = activity_update("")
        return (project_update(self.ctx, None), [], *option_updates([]), [], summary, idle, generate_update(None))

    def new_film(self) -> tuple[Any, ...]:
        return self.open_project(None)

    def refresh(self, choice: str | None) -> tuple[Any, Any]:
        """(summary, generate button) after a change made outside the Director, e.g. a rollback."""
        state = self._state_or_none(choice)
        return (views.story_summary(state) if state else START_HINT, generate_update(state))

    # -- the Director -----------------------------------------------------------------------------------------

    def send(self, message: str, choice: str | None) -> Iterator[tuple]:
        """Chat: a new idea (creates the project), an answer to the pending question, or an instruction."""
        try:
            director = self.ctx.director(self.ctx.project_id(choice) if choice else None)
        except EchoError as error:
            yield self._failed(error)
            return
        chat = self._conversation(director)
        if (message or "").strip():
            chat.append({"role": "user", "content": message.strip()})
        yield from self._drive(director, director.send(message), chat)

    def generate(self, choice: str | None) -> Iterator[tuple]:
        try:
            director = self.ctx.director(self.ctx.project_id(choice))
        except EchoError as error:
            yield self._failed(error)
            return
        yield from self._drive(director, director.generate_pending(), self._conversation(director))

    def revise(self, choice: str | None, number: float | None, feedback: str) -> Iterator[tuple]:
        """Regenerate one shot from the inspector's feedback box; (director outputs..., shot status, feedback box).

        A refusal shows next to the button and keeps the typed feedback; a finished revision empties the box."""
        try:
            project_id = self.ctx.project_id(choice)
            director = self.ctx.director(project_id)
            state = self.ctx.state(project_id)
            shot_number = chosen_shot(state, number)
            if not (feedback or "").strip():
                raise EchoError(f"type what should change in shot {shot_number} first")
        except EchoError as error:
            gr.Warning(str(error))
            yield (*unchanged(), warning(error), gr.skip())
            return
        before = current_version(state, shot_number)
        chat = [*self._conversation(director), {"role": "user", "content": f"Shot {shot_number}: {feedback.strip()}"}]
        outputs: tuple = tuple(unchanged())
        for outputs in self._drive(director, director.revise(shot_number, feedback), chat):
            yield (*outputs, f"Revising shot {shot_number}... (the chat shows each step)", gr.skip())
        after = current_version(self.ctx.state(project_id), shot_number)
        if after is not None and after != before:
            yield (*outputs, f"Shot {shot_number} is now version {after}.", "")
        else:
            yield (*outputs, warning(f"shot {shot_number} was not changed; the chat says why"), gr.skip())

    def _drive(self, director: DirectorSession, events: Iterator[DirectorEvent], chat: list[dict]) -> Iterator[tuple]:
        """Stream the Director's steps into the chat and a progress bar; refresh the storyboard as shots are made.

        Yields (project, chat, option buttons..., storyboard, summary, activity, generate button)."""
        keep = gr.skip()
        notes: list[dict] = []
        progress_bubble: dict | None = None
        offered: list[str] = []
        shown_project = director.project_id  # the dropdown already shows it; a new film gets its id on the way
        run = RunProgress()
        if director.project_id is not None:
            self.run_started[director.project_id] = time.time()
        activity = bar(None, "The Director is thinking...")
        yield (keep, chat, *option_updates([]), keep, keep, activity_update(activity), gr.update(visible=False))
        for event in events:
            storyboard = summary = keep
            if event.kind == "progress":
                if event.shot_number is not None and event.shot_number != run.current:
                    state = self.ctx.state(director.project_id)
                    run.start_shot(event.shot_number, set(views.pending_shots(state)))
                    storyboard = views.storyboard(self.ctx.workspace, state, making=event.shot_number)
                    summary = views.story_summary(state)
                activity = run.html(event.text, event.fraction)
                if progress_bubble is None:
                    progress_bubble = {"role": "assistant", "content": ""}
                    chat.append(progress_bubble)
                progress_bubble["content"] = f"Working: {event.text}"
            elif event.kind == "shot_done":
                run.finish_shot(event.shot_number)
                state = self.ctx.state(director.project_id)
                storyboard, summary = views.storyboard(self.ctx.workspace, state), views.story_summary(state)
                chat.append({"role": "assistant", "content": f"✓ {event.text}"})
                progress_bubble = None
            elif event.kind in ("message", "question"):
                chat.append({"role": "assistant", "content": event.text})
                offered = event.options
                progress_bubble = None
            elif event.kind == "error":
                note = {"role": "assistant", "content": warning(event.text)}
                chat.append(note)
                notes.append(note)
                progress_bubble = None
            else:
                continue
            project = keep
            if director.project_id != shown_project:
                shown_project = director.project_id
                project = project_update(self.ctx, shown_project)
            yield (project, chat, *[keep] * OPTION_BUTTONS, storyboard, summary, activity_update(activity), keep)
        self.ctx.adopt(director)
        state = self.ctx.state(director.project_id) if director.project_id else None
        yield (
            project_update(self.ctx, director.project_id),
            self._conversation(director) + notes,
            *option_updates(self._options(director) or offered),
            views.storyboard(self.ctx.workspace, state) if state else [],
            views.story_summary(state) if state else START_HINT,
            activity_update(""),
            generate_update(state),
        )

    def _failed(self, error: EchoError) -> tuple:
        """The Director's outputs unchanged except the summary line, which shows the problem."""
        gr.Warning(str(error))
        outputs = unchanged()
        outputs[OPTION_BUTTONS + 3] = warning(error)
        return tuple(outputs)

    def _conversation(self, director: DirectorSession) -> list[dict]:
        return views.chat_messages(director.transcript())

    def _options(self, director: DirectorSession) -> list[str]:
        question = director.pending_question()
        return question.options if question else []

    def _storyboard(self, project_id: int | None) -> list[tuple[str, str]]:
        return views.storyboard(self.ctx.workspace, self.ctx.state(project_id)) if project_id else []

    # -- shot inspector ---------------------------------------------------------------------------------------

    def inspect(self, choice: str | None, number: float | None) -> tuple[Any, ...]:
        """(header, video, dialogue, prompt, memory gallery, versions dropdown)."""
        try:
            state = self.ctx.state(self.ctx.project_id(choice))
            if number is None:
                raise EchoError("type a shot number or click a shot in the storyboard")
            details = views.shot_details(self.ctx.workspace, state, int(number))
        except EchoError as error:
            return (warning(error), None, "", "", [], gr.update(choices=[], value=None))
        return (
            details.header,
            details.video,
            details.dialogue,
            details.prompt,
            details.memory,
            gr.update(choices=details.versions, value=details.current_version),
        )

    def pick_shot(self, choice: str | None, selected: gr.SelectData) -> tuple[Any, ...]:
        """A storyboard click: open that shot in the inspector tab (and clear the last shot's status line)."""
        number = int(selected.index) + 1
        return (number, gr.Tabs(selected="shot"), *self.inspect(choice, number), "")

    def rollback(self, choice: str | None, number: float | None, version: int | None) -> tuple[Any, ...]:
        """(status, storyboard) after making an earlier take current again."""
        try:
            project_id = self.ctx.project_id(choice)
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
        if stale := result.data["stale_shots"]:
            status += f" Now stale (they remembered the replaced take): {', '.join(map(str, stale))}."
        if restored := result.data["restored_shots"]:
            status += f" No longer stale: {', '.join(map(str, restored))}."
        return (status, self._storyboard(project_id))

    # -- cards ------------------------------------------------------------------------------------------------

    def load_cards(self, choice: str | None) -> tuple[Any, ...]:
        """(character dropdown, its 7 fields, scene dropdown, its 4 fields)."""
        state = self._state_or_none(choice)
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
        card = views.character_card(self._state_or_none(choice), char_id)
        return views.character_fields(self.ctx.workspace, card)

    def pick_scene(self, choice: str | None, scene_id: str | None) -> tuple[str, str, str, str]:
        return views.scene_fields(views.scene_card(self._state_or_none(choice), scene_id))

    def save_character(
        self,
        choice: str | None,
        char_id: str | None,
        name: str,
        identity: str,
        appearance: str,
        clothing: str,
        voice: str,
    ) -> tuple[str, Any]:
        """(status, character dropdown)."""
        fields = {"name": name, "identity": identity, "appearance": appearance, "clothing": clothing, "voice": voice}
        try:
            project_id = self.ctx.project_id(choice)
            if char_id in (None, views.NEW_CHARACTER):
                result = self.ctx.call_tool("add_character", {"project_id": project_id, **fields})
            else:
                result = self.ctx.call_tool(
                    "update_character", {"project_id": project_id, "char_id": char_id, **fields}
                )
        except EchoError as error:
            gr.Warning(str(error))
            return (warning(error), gr.skip())
        saved = result.data.get("char_id", char_id)
        state = self.ctx.state(project_id)
        note = " Shots already made keep the old look until you regenerate them." if state.shots else ""
        return (f"Saved {saved}.{note}", gr.update(choices=views.character_choices(state), value=saved))

    def upload_reference(
        self, kind: UploadKind, choice: str | None, char_id: str | None, upload: str | None
    ) -> tuple[str, Any, Any]:
        """(status, reference image, reference audio) after a checked upload."""
        try:
            project_id = self.ctx.project_id(choice)
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

    def upload_image(self, choice: str | None, char_id: str | None, upload: str | None) -> tuple[str, Any, Any]:
        return self.upload_reference("image", choice, char_id, upload)

    def upload_audio(self, choice: str | None, char_id: str | None, upload: str | None) -> tuple[str, Any, Any]:
        return self.upload_reference("audio", choice, char_id, upload)

    def save_scene(
        self, choice: str | None, scene_id: str | None, name: str, location: str, time_of_day: str, description: str
    ) -> str:
        try:
            project_id = self.ctx.project_id(choice)
            if not scene_id:
                raise EchoError("this project has no scenes yet; approve a story first")
            fields = {"name": name, "location": location, "time_of_day": time_of_day, "description": description}
            self.ctx.call_tool("update_scene", {"project_id": project_id, "scene_id": scene_id, **fields})
        except EchoError as error:
            gr.Warning(str(error))
            return warning(error)
        return f"Saved scene {scene_id}."

    def _state_or_none(self, choice: str | None) -> ProjectState | None:
        try:
            return self.ctx.state(self.ctx.project_id(choice))
        except EchoError:
            return None

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
