"""Terminal front end of the Director: `chat`, `make`, `revise` and `generate` (resume) commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable

from tqdm import tqdm

from director.graph_state import DirectorEvent
from director.session import DirectorSession
from director.settings import Settings, open_home
from generator.text import printable
from workspace.project_view import load_project_state, resolve_project

QUIT_WORDS = {"quit", "exit", "bye", ":q"}
FAILED = 2  # the exit status of every failure, as for the other commands


class EventPrinter:
    """Prints Director events: chat lines as text, generation progress as one bar over the project's shots."""

    def __init__(self, session: DirectorSession, show_progress: bool = True) -> None:
        self.session = session
        self.show_progress = show_progress
        self.bar: tqdm | None = None
        self.failed = False
        self.question: DirectorEvent | None = None

    def show(self, events: Iterable[DirectorEvent]) -> None:
        self.question = None
        for event in events:
            self._show(event)
        self._close_bar()

    def _show(self, event: DirectorEvent) -> None:
        if event.kind in ("message", "question", "error"):
            self._close_bar()
            prefix = {"message": "director> ", "question": "director?> ", "error": "error: "}[event.kind]
            print(f"{prefix}{printable(event.text)}", file=sys.stderr if event.kind == "error" else sys.stdout)
            if event.options:
                print(f"           [{printable(' / '.join(event.options))}]")
            self.failed |= event.kind == "error"
            if event.kind == "question":
                self.question = event
        elif event.kind in ("progress", "shot_done") and self.show_progress:
            bar = self._bar(event)
            if bar is None:
                print(f"  {printable(event.text)}")
                return
            bar.set_description(printable(event.text)[:70])
            if event.kind == "shot_done":
                bar.update(1)

    def _bar(self, event: DirectorEvent) -> tqdm | None:
        if event.shot_number is None:
            return self.bar
        if self.bar is None and self.session.project_id is not None:
            shots = load_project_state(self.session.workspace, self.session.project_id).shots
            done = sum(1 for shot in shots if shot.current_take is not None and shot.status != "stale")
            self.bar = tqdm(total=len(shots), initial=min(done, len(shots)), unit="shot", dynamic_ncols=True)
        return self.bar

    def _close_bar(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _converse(printer: EventPrinter, ask: Callable[[str], str]) -> None:
    """Answer the Director's questions at the prompt until it stops asking (or the user quits)."""
    while printer.question is not None:
        answer = ask("you> ").strip()
        if answer.casefold() in QUIT_WORDS:
            return
        if answer:
            printer.show(printer.session.send(answer))


def _read_line(prompt: str) -> str:
    try:
        return input(prompt)
    except EOFError:
        return "quit"


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    session = DirectorSession(settings, _project_id(settings, args.project))
    printer = EventPrinter(session)
    for turn in session.transcript()[-10:]:
        print(f"{'you' if turn.role == 'user' else 'director'}> {printable(turn.text)}")
    if session.project_id is None:
        print("director> What story shall we make? Describe an idea or paste a screenplay ('quit' to leave).")
    while True:
        message = _read_line("you> ").strip()
        if message.casefold() in QUIT_WORDS:
            break
        if message:
            printer.show(session.send(message))
    if session.project_id is not None:
        print(f"project {session.project_id}")
    session.close()
    return 0


def cmd_make(args: argparse.Namespace, settings: Settings) -> int:
    session = DirectorSession(settings)
    printer = EventPrinter(session)
    printer.show(session.send(args.idea, num_shots=args.shots, auto_approve=args.yes))
    if not args.yes:
        _converse(printer, _read_line)
    if session.project_id is not None:
        print(f"project {session.project_id}")
    session.close()
    return FAILED if printer.failed else 0


def cmd_revise(args: argparse.Namespace, settings: Settings) -> int:
    session = DirectorSession(settings, _project_id(settings, args.project))
    printer = EventPrinter(session)
    printer.show(session.revise(args.shot, args.feedback))
    if printer.question is not None:
        print(f"(answer with `echo-director chat {session.project_id}` or run `generate {session.project_id}`)")
    session.close()
    return FAILED if printer.failed else 0


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    session = DirectorSession(settings, _project_id(settings, args.project))
    printer = EventPrinter(session)
    printer.show(session.generate_pending())
    session.close()
    return FAILED if printer.failed else 0


def _project_id(settings: Settings, ref: str | None) -> int | None:
    if ref is None:
        return None
    workspace = open_home(settings)
    try:
        return resolve_project(workspace, ref)
    finally:
        workspace.close()
