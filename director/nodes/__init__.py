"""The Director graph's stages, one module per stage. Each node is `run(state, ctx) -> state update`.

Nodes that ask the user (`interrupt()`) do nothing with side effects before asking: LangGraph re-runs an
interrupted node from its start when the answer arrives.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from typing import Any

from langgraph.config import get_stream_writer
from langgraph.types import interrupt

from director.graph_state import DirectorEvent, EventKind, turn


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


CRASH_ENV = "ECHO_DIRECTOR_CRASH_AT"


def crash_point(stage: str, shot_number: int) -> None:
    """Test hook for crash recovery: with ECHO_DIRECTOR_CRASH_AT=<stage>:<shot> (e.g. `generate:7`) the process
    kills itself with SIGKILL right after that stage's side effects for that shot, before LangGraph checkpoints
    the step — exactly what a power cut or `kill -9` does. Unset in normal use."""
    if os.environ.get(CRASH_ENV) == f"{stage}:{shot_number}":
        os.kill(os.getpid(), signal.SIGKILL)
