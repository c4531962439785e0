"""Handlers of the project picker and the chat with the Director (the editors' are in `editors.py`). Each takes
plain component values and returns the values of its outputs.

State changes go only through the Director session or the typed tools (actor "user"); every handler turns an
`EchoError` into a message on the page and leaves the project as it was.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import gradio as gr

from director.graph_state import DirectorEvent
from director.session import DirectorSession
from director.ui import views
from director.ui.context import AppContext
from director.ui.progress import RunProgress, bar
from generator.errors import EchoError
from workspace.project_view import ProjectState

OPTION_BUTTONS = 3
START_HINT = "No film open yet. Type your idea in the chat on the left and press **Send**."


def warning(problem: object) -> str:
    return f"⚠ {views.director_markdown(problem)}"


def option_updates(options: list[str]) -> list[Any]:
    """The Director's suggested answers as up to three visible buttons; the first is the one to press."""
    shown = options[:OPTION_BUTTONS]
    return [
        gr.update(value=label, visible=True, variant="primary" if index == 0 else "secondary")
        for index, label in enumerate(shown)
    ] + [gr.update(visible=views.visibility(False)) for _ in range(OPTION_BUTTONS - len(shown))]


def project_update(ctx: AppContext, project_id: int | None) -> Any:
    return gr.update(choices=views.project_choices(ctx.workspace), value=str(project_id) if project_id else None)


def activity_update(html: str) -> Any:
    """The progress bar above the tabs: shown while the Director works, hidden (no gap) otherwise."""
    return gr.update(value=html, visible=views.visibility(bool(html)))


# While the Director works, its runs stream their outputs as diffs of the previous chunk; the Generate button is
# only hidden then, and set with its label by `Handlers.refresh` chained after the run (a plain, whole update).
HIDE_GENERATE = gr.update(visible=views.visibility(False))


def generate_update(state: ProjectState | None) -> Any:
    """The "Generate N pending shots" button, shown only while an approved story has shots without a usable take."""
    pending = views.pending_shots(state)
    return gr.update(value=views.generate_label(pending), visible=views.visibility(bool(pending)))


def chosen_shot(state: ProjectState, number: float | None) -> int:
    """The shot number typed or clicked in the inspector; EchoError when none is chosen or it does not exist."""
    if number is None:
        raise EchoError("pick a shot first: click it in the storyboard or type its number")
    return state.shot(int(number)).number


def viewed_project(ctx: AppContext, choice: str | None, shown: int | None) -> int:
    """The open film's id, when the shot view an action came from shows that film; EchoError otherwise (the
    creator opened another film after opening the shot: acting now would change the wrong film)."""
    project_id = ctx.project_id(choice)
    if shown is not None and int(shown) != project_id:
        raise EchoError(
            f"the Shot tab still shows a shot of film #{int(shown)}, but film #{project_id} is open now; nothing was "
            "changed. Click the shot in this film's storyboard, then try again"
        )
    return project_id


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
        """Page (re)load: reopen the film worked on last (else the newest) exactly as it was, conversation included."""
        last = self.ctx.last_project()
        choices = views.project_choices(self.ctx.workspace)
        return self.open_project(str(last) if last is not None else choices[0][1] if choices else None)

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
        self.ctx.remember(project_id)
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

    def clear_chat(self, choice: str | None) -> tuple[Any, ...]:
        """The chat's Clear button: the film's conversation is really forgotten, not only hidden (chat, options...)."""
        if not choice:
            return ([], *option_updates([]))
        try:
            self.ctx.director(self.ctx.project_id(choice)).clear_conversation()
        except EchoError as error:
            gr.Warning(str(error))
            director = self.ctx.director(self.ctx.project_id(choice))
            return (self._conversation(director), *option_updates(self._options(director)))
        return ([], *option_updates([]))

    def refresh(self, choice: str | None) -> tuple[Any, Any]:
        """(summary, generate button) after a change made outside the Director, e.g. a rollback."""
        state = self.ctx.state_or_none(choice)
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
            chat.append({"role": "user", "content": views.literal(message.strip())})
        yield from self._drive(director, director.send(message), chat)

    def generate(self, choice: str | None) -> Iterator[tuple]:
        try:
            director = self.ctx.director(self.ctx.project_id(choice))
        except EchoError as error:
            yield self._failed(error)
            return
        yield from self._drive(director, director.generate_pending(), self._conversation(director))

    def regenerate(self, choice: str | None, numbers: list[int]) -> Iterator[tuple]:
        """Render exactly `numbers` again (e.g. the shots a card edit made stale), streamed into the chat."""
        try:
            director = self.ctx.director(self.ctx.project_id(choice))
        except EchoError as error:
            yield self._failed(error)
            return
        yield from self._drive(director, director.regenerate(numbers), self._conversation(director))

    def revise(self, choice: str | None, shown: int | None, number: float | None, feedback: str) -> Iterator[tuple]:
        """Regenerate one shot from the inspector's feedback box; (director outputs..., shot status, feedback box).

        A refusal shows next to the button and keeps the typed feedback; a finished revision empties the box."""
        try:
            project_id = viewed_project(self.ctx, choice, shown)
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
        chat = [
            *self._conversation(director),
            {"role": "user", "content": views.literal(f"Shot {shot_number}: {feedback.strip()}")},
        ]
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

        Yields (project, chat, option buttons..., storyboard, summary, activity, generate button); the button is
        hidden while the Director works and left as it is at the end: chain `refresh` after the event."""
        keep = gr.skip()
        notes: list[dict] = []
        progress_bubble: dict | None = None
        offered: list[str] = []
        shown_project = director.project_id  # the dropdown already shows it; a new film gets its id on the way
        run = RunProgress()
        if director.project_id is not None:
            self.run_started[director.project_id] = time.time()
        activity = bar(None, "The Director is thinking...")
        yield (keep, chat, *option_updates([]), keep, keep, activity_update(activity), HIDE_GENERATE)
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
                progress_bubble["content"] = views.director_markdown(f"Working: {event.text}")
            elif event.kind == "shot_done":
                run.finish_shot(event.shot_number)
                state = self.ctx.state(director.project_id)
                storyboard, summary = views.storyboard(self.ctx.workspace, state), views.story_summary(state)
                chat.append({"role": "assistant", "content": views.director_markdown(f"✓ {event.text}")})
                progress_bubble = None
            elif event.kind in ("message", "question"):
                chat.append({"role": "assistant", "content": views.director_markdown(event.text)})
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
        conversation = self._conversation(director)
        asking = 1 if conversation and director.pending_question() is not None else 0  # the question stays last
        yield (
            project_update(self.ctx, director.project_id),
            conversation[: len(conversation) - asking] + notes + conversation[len(conversation) - asking :],
            *option_updates(self._options(director) or offered),
            views.storyboard(self.ctx.workspace, state) if state else [],
            views.story_summary(state) if state else START_HINT,
            activity_update(""),
            keep,  # a streamed button update can come back with an older label: `settled` sets it after the run
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
