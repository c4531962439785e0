"""The Director graph's stages, one module per stage. Each node is `run(state, ctx) -> state update`.

Nodes that ask the user (`interrupt()`) do nothing with side effects before asking: LangGraph re-runs an
interrupted node from its start when the answer arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langgraph.config import get_stream_writer
from langgraph.types import interrupt

from director.graph_state import DirectorContext, DirectorEvent, EventKind, turn
from workspace.recovery import orphans_dir, quarantine_orphan_takes


def emit(kind: EventKind, text: str = "", **fields: Any) -> None:
    """Stream an event to whoever runs the graph (CLI progress bar, UI chat)."""
    get_stream_writer()(DirectorEvent(kind=kind, text=text, **fields).model_dump())


def say(text: str, options: Sequence[str] = ()) -> dict[str, Any]:
    """A chat line from the Director: streamed now and kept in the checkpointed transcript."""
    emit("message", text, options=list(options))
    return {"messages": [turn("assistant", text)]}


def ask(text: str, options: Sequence[str] = ()) -> str:
    """Pause the graph until the user answers; the session resumes it with `Command(resume=answer)`."""
    return str(interrupt({"text": text, "options": list(options)})).strip()


def chose(answer: str, option: str) -> bool:
    return answer.strip().casefold() == option.casefold()


def become_writer(ctx: DirectorContext, project_id: int) -> None:
    """Take the project's writer lock (EchoError naming the holder if another process has it); the first time in
    a run, set aside take files an interrupted run linked in but never recorded, and say so."""
    if ctx.lock_project(project_id):
        orphans = quarantine_orphan_takes(ctx.workspace, project_id)
        if orphans:
            folder = orphans_dir(ctx.workspace, project_id)
            emit("message", f"An interrupted run left {len(orphans)} take files that no take uses; moved to {folder}.")
