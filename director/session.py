"""`DirectorSession`: the one API the app and the CLI use to talk to the Director graph of a project.

Each project is one LangGraph thread (`project-<id>`) checkpointed in SQLite, so a restarted process sees the
same conversation, the same pending question, and continues an interrupted generation where it stopped.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command, StateSnapshot
from pydantic import ValidationError

from director.error_log import failure_message
from director.graph_state import ChatTurn, DirectorContext, DirectorEvent, turn
from director.planner import Planner, get_planner
from director.schemas import RouteDecision
from director.settings import Settings, open_home
from director.shot_count import requested_shot_count
from generator.errors import EchoError, format_validation_error
from generator.types import Generator
from tools.base import Toolbox
from workspace.db import enable_wal, home_init_lock
from workspace.models import LlmCall
from workspace.project_view import load_project_state
from workspace.queries import shot_at

if TYPE_CHECKING:
    from director.llm import LlmCallRecord

MAX_MESSAGE_CHARS = 20_000
# Every shot walks ~8 nodes; the limit only guards against a wiring loop, never a long project.
RECURSION_LIMIT = 100_000


def thread_id(project_id: int) -> str:
    return f"project-{project_id}"


def open_checkpointer(settings: Settings) -> SqliteSaver:
    settings.home_dir.mkdir(parents=True, exist_ok=True)
    with home_init_lock(settings.home_dir):
        enable_wal(settings.home_layout.checkpoint_path)
        connection = sqlite3.connect(settings.home_layout.checkpoint_path, check_same_thread=False, timeout=30)
        saver = SqliteSaver(connection)
        saver.setup()
    return saver


def _project_title(message: str) -> str:
    first_line = next((line.strip() for line in message.splitlines() if line.strip()), "Untitled")
    return first_line if len(first_line) <= 80 else first_line[:77].rstrip() + "..."


def _question_event(payload: dict[str, Any]) -> DirectorEvent:
    """An `ask()` payload as the question the user sees."""
    return DirectorEvent(kind="question", text=payload.get("text", ""), options=payload.get("options", []))


def _pending_question(snapshot: StateSnapshot) -> DirectorEvent | None:
    return _question_event(snapshot.interrupts[0].value) if snapshot.interrupts else None


class DirectorSession:
    """A conversation with the Director about one project (created on the first message when none is given)."""

    def __init__(
        self,
        settings: Settings,
        project_id: int | None = None,
        planner: Planner | None = None,
        generator: Generator | None = None,
    ) -> None:
        from director.graph import build_graph

        self.settings = settings
        self.workspace = open_home(settings)
        if project_id is not None:
            load_project_state(self.workspace, project_id)  # EchoError naming the projects that exist
        self.project_id = project_id
        self.context = DirectorContext(
            settings=settings,
            workspace=self.workspace,
            toolbox=Toolbox(self.workspace, actor="director"),
            planner=planner or get_planner(settings),
            generator_override=generator,
        )
        if hasattr(self.context.planner, "recorder"):  # the LLM planner: its calls are logged under the project
            self.context.planner.recorder = self._record_llm_call
        self._checkpointer = open_checkpointer(settings)
        self._graph = build_graph(self.context, self._checkpointer)
        self._busy = threading.Lock()

    # -- public API -------------------------------------------------------------------------------------------

    def send(
        self, message: str, *, num_shots: int | None = None, auto_approve: bool = False
    ) -> Iterator[DirectorEvent]:
        """Talk to the Director: answers the pending question if there is one, else starts from routing."""
        text = (message or "").strip()
        if not text:
            yield DirectorEvent(kind="error", text="the message is empty; type an idea, an answer or an instruction")
            return
        if len(text) > MAX_MESSAGE_CHARS:
            yield DirectorEvent(
                kind="error",
                text=f"the message has {len(text):,} characters; the limit is {MAX_MESSAGE_CHARS:,} — shorten it",
            )
            return
        if self.project_id is None:
            self.project_id = self._create_project(text)
        elif (question := self.pending_question()) is not None:
            asked = [turn("assistant", question.text), turn("user", text)]
            yield from self._run(
                Command(resume=text, update={"messages": asked}), reask=self._graph.get_state(self._config()).config
            )
            return
        yield from self._run(self._new_input(text, None, num_shots=num_shots, auto_approve=auto_approve))

    def revise(self, shot_number: int, feedback: str) -> Iterator[DirectorEvent]:
        """Regenerate one shot from feedback; later shots that remembered the old take become stale."""
        text = (feedback or "").strip()
        if self.project_id is None or not text:
            problem = "no project is open" if self.project_id is None else "the feedback is empty"
            yield DirectorEvent(kind="error", text=f"{problem}; open a project and say what should change in the shot")
            return
        try:
            with self.workspace.read_session() as session:
                shot_at(session, self.project_id, shot_number)  # one row, not the whole project
        except EchoError as error:  # refused before the conversation records anything
            yield DirectorEvent(kind="error", text=str(error))
            return
        decision = RouteDecision(intent="revise_shot", shot_number=shot_number, feedback=text)
        yield from self._run(self._new_input(f"Shot {shot_number}: {text}", decision))

    def regenerate(self, shot_numbers: Sequence[int]) -> Iterator[DirectorEvent]:
        """Render exactly these shots (again), whatever else is pending or stale: the app's Regenerate buttons."""
        if self.project_id is None:
            yield DirectorEvent(kind="error", text="no project is open; open a project and pick a shot")
            return
        try:
            with self.workspace.read_session() as session:
                shot_ids = [shot_at(session, self.project_id, number).id for number in shot_numbers]
        except EchoError as error:  # refused before the conversation records anything
            yield DirectorEvent(kind="error", text=str(error))
            return
        if not shot_ids:
            yield DirectorEvent(kind="error", text="no shot to regenerate was given")
            return
        shots = ", ".join(map(str, shot_numbers))
        decision = RouteDecision(intent="generate", all_shots=True, feedback=f"regenerate shots {shots}")
        graph_input = self._new_input(f"Regenerate shot{'s' if len(shot_ids) > 1 else ''} {shots}.", decision)
        yield from self._run({**graph_input, "only_shots": shot_ids})

    def generate_pending(self) -> Iterator[DirectorEvent]:
        """Generate every shot without a current take (and stale ones); continues a crashed run first."""
        if self.project_id is None:
            yield DirectorEvent(kind="error", text="no project is open; send an idea first or open a project")
            return
        if self._interrupted_run():
            yield from self._run(None)
            return
        decision = RouteDecision(intent="generate", feedback="generate pending and stale shots")
        yield from self._run(self._new_input("Generate the pending shots.", decision))

    def clear_conversation(self) -> None:
        """Forget the conversation (its turns and any pending question); the film itself is unchanged, and the
        next message starts a fresh conversation about it. Refused while the Director is working."""
        project_id = self._require_project()
        if not self._busy.acquire(blocking=False):
            raise EchoError("the Director is still working; clear the conversation when it has finished")
        try:
            self._checkpointer.delete_thread(thread_id(project_id))
        finally:
            self._busy.release()

    def pending_question(self) -> DirectorEvent | None:
        if self.project_id is None:
            return None
        return _pending_question(self._graph.get_state(self._config()))

    def transcript(self) -> list[ChatTurn]:
        """The conversation so far, ending with the pending question if there is one."""
        if self.project_id is None:
            return []
        snapshot = self._graph.get_state(self._config())
        turns = [ChatTurn(**entry) for entry in snapshot.values.get("messages", [])]
        question = _pending_question(snapshot)
        return [*turns, ChatTurn(role="assistant", text=question.text)] if question else turns

    def close(self) -> None:
        self._checkpointer.conn.close()
        self.workspace.close()

    # -- internals --------------------------------------------------------------------------------------------

    def _config(self) -> dict[str, Any]:
        return {"configurable": {"thread_id": thread_id(self._require_project())}, "recursion_limit": RECURSION_LIMIT}

    def _require_project(self) -> int:
        if self.project_id is None:
            raise EchoError("no project yet: send an idea first, or open an existing project")
        return self.project_id

    def _record_llm_call(self, call: LlmCallRecord) -> None:
        with self.workspace.session() as db:
            db.add(LlmCall(project_id=self.project_id, **dataclasses.asdict(call)))

    def _interrupted_run(self) -> bool:
        """A run that stopped (crash, error) before finishing, as opposed to one waiting for an answer."""
        snapshot = self._graph.get_state(self._config())
        return bool(snapshot.next) and not snapshot.interrupts

    def _create_project(self, idea: str) -> int:
        data = self.context.tool("create_project", title=_project_title(idea), idea=idea)
        return int(data["project_id"])

    def _new_input(
        self, text: str, decision: RouteDecision | None, *, num_shots: int | None = None, auto_approve: bool = False
    ) -> dict[str, Any]:
        graph_input: dict[str, Any] = {
            "project_id": self._require_project(),
            "user_message": text,
            "messages": [turn("user", text)],
            "forced_decision": decision.model_dump() if decision else None,
            "auto_approve": auto_approve,
            "only_shots": [],
        }
        requested = num_shots or requested_shot_count(text)
        if requested:  # a later message without a count keeps the one asked for earlier
            graph_input["num_shots"] = requested
        return graph_input

    def _run(self, graph_input: Any, reask: dict[str, Any] | None = None) -> Iterator[DirectorEvent]:
        """Run the graph; when answering a question (`reask`: the checkpoint that asked it) fails, the question
        is asked again, so the conversation keeps its buttons and the next message answers it."""
        if not self._busy.acquire(blocking=False):
            yield DirectorEvent(kind="error", text="the Director is still working on the previous request; wait")
            return
        try:
            failed = yield from self._stream(graph_input, self._config())
            if failed and reask is not None and self.pending_question() is None:
                yield from self._stream(None, {**reask, "recursion_limit": RECURSION_LIMIT})
            yield DirectorEvent(kind="done")
        finally:
            self.context.release_locks()
            self._busy.release()

    def _stream(self, graph_input: Any, config: dict[str, Any]) -> collections.abc.Generator[DirectorEvent, None, bool]:
        """Stream the run's events; True when it failed (the error is one of the events)."""
        try:
            for mode, chunk in self._graph.stream(graph_input, config, stream_mode=["custom", "updates"]):
                if mode == "custom":
                    yield DirectorEvent(**chunk)
                elif "__interrupt__" in chunk:
                    yield _question_event(chunk["__interrupt__"][0].value)
            return False
        except EchoError as error:
            yield DirectorEvent(kind="error", text=str(error))
        except ValidationError as error:
            yield DirectorEvent(
                kind="error", text=f"invalid value: {format_validation_error(error, whole_value='value')}"
            )
        except Exception as error:  # a full disk or a bug: one line in the chat, a bug's traceback in the home's log
            doing = f"the Director on project {self.project_id}"
            yield DirectorEvent(kind="error", text=failure_message(error, self.settings.home_dir, doing))
        return True
