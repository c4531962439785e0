"""What the Director graph carries: the checkpointed conversation state, the events it streams, and the
runtime context (workspace, tools, planner, generator) its nodes work with.

Only plain JSON-like values live in `DirectorState` because every step is checkpointed to SQLite; heavy objects
(memory slot arrays, the generator) stay in `DirectorContext`, which is rebuilt per process.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, Field

from workspace.locks import ProjectLock

if TYPE_CHECKING:
    from director.planner import Planner
    from director.settings import Settings
    from generator.types import Generator, MemorySlot
    from tools.base import Toolbox
    from workspace.db import Workspace
    from workspace.index import ShotIndex

EventKind = Literal["message", "question", "progress", "shot_done", "error", "done"]
Mode = Literal["plan", "revise"]


class DirectorEvent(BaseModel):
    """One thing the Director tells the user while it works (chat line, question, progress, finished shot)."""

    kind: EventKind
    text: str = ""
    fraction: float | None = None
    shot_number: int | None = None
    options: list[str] = Field(default_factory=list)


class ChatTurn(BaseModel):
    role: Literal["user", "assistant"]
    text: str


class DirectorState(TypedDict, total=False):
    project_id: int
    messages: Annotated[list[dict[str, str]], operator.add]  # ChatTurn dumps, appended by every node
    user_message: str
    forced_decision: dict[str, Any] | None  # a RouteDecision dump that skips the LLM router (CLI/UI buttons)
    decision: dict[str, Any]  # the RouteDecision being acted on
    outcome: str  # what the last deciding node chose; graph.py maps it to the next node
    auto_approve: bool  # `make --yes`: approve the story and every take without asking
    num_shots: int | None
    idea: str
    questions: list[str]
    story_feedback: str
    story_question: str
    mode: Mode
    include_stale: bool  # the generation loop also regenerates stale shots
    regenerate: list[int]  # ids of shots the creator asked to render again although they have a current take
    only_shots: list[int]  # ids: this run renders only these shots (the app's Regenerate button); empty: all
    shot_number: int | None
    revision: dict[str, Any] | None  # {feedback, diagnosis, changes, from_take_id, drop_labels, new_seed}
    retrieved: list[int]  # take ids of R_t, most relevant first
    condition: dict[str, Any]  # {condition_id, prompt, fields, seed, num_frames}
    memory: list[dict[str, Any]]  # slot descriptors: {label, source, key_frame, audio}
    generated: dict[str, Any] | None  # {staging: folder, take: StagedTake dump} until the take is registered
    take_id: int | None
    resume_loop: bool  # a revision asked for during shot review: continue the generation loop afterwards
    extended: list[int]  # shot numbers already lengthened once for speech overflow
    critic_fixed: list[int]  # shots regenerated with the critic's fix whose new take is not critiqued yet
    critic: dict[str, Any] | None  # the take's critique shown at shot review: {findings, fix (ShotEdit dump), scores}
    measured: list[dict[str, Any]]  # takes measured in this run whose shot is not finished: {shot_number, take_id,
    # version, check (TakeCheck dump)}; the critic keeps the best of them
    critic_scores: str  # the kept take's measurement, for the review question
    reseed: list[int]  # shot numbers whose next render must take a new seed (the critic regenerates a weak take)
    stale: list[int]  # shot numbers offered for regeneration after a revision


def turn(role: Literal["user", "assistant"], text: str) -> dict[str, str]:
    return ChatTurn(role=role, text=text).model_dump()


@dataclass
class DirectorContext:
    """Per-process services the nodes use; the generator and the shot index load lazily (both are heavy)."""

    settings: Settings
    workspace: Workspace
    toolbox: Toolbox
    planner: Planner
    generator_override: Generator | None = None
    slot_cache: dict[tuple[int, int, int], list[MemorySlot]] = field(default_factory=dict)
    locks: dict[int, ProjectLock] = field(default_factory=dict)  # projects this process is the writer of
    _generator: Generator | None = None
    _index: ShotIndex | None = None

    @property
    def generator(self) -> Generator:
        if self._generator is None:
            from generator.registry import get_generator

            self._generator = self.generator_override or get_generator(
                self.settings.backend, self.settings.generator_config
            )
        return self._generator

    @property
    def index(self) -> ShotIndex:
        if self._index is None:
            from workspace.index import ShotIndex

            self._index = ShotIndex(self.settings.home_layout.chroma_dir)
        return self._index

    def lock_project(self, project_id: int) -> bool:
        """Become the project's one writer until `release_locks` (EchoError naming the holder if another is);
        True when this call took the lock, False when this process already held it."""
        lock = self.locks.setdefault(project_id, ProjectLock(self.workspace.home, project_id))
        if lock.held:
            return False
        lock.acquire()
        return True

    def release_locks(self) -> None:
        for lock in self.locks.values():
            lock.release()

    def tool(self, tool_name: str, /, actor: str | None = None, **args: Any) -> dict[str, Any]:
        """Call a workspace tool (as `actor` when given, else the toolbox's); a refused call becomes an EchoError
        carrying the tool's message."""
        toolbox = self.toolbox if actor is None else self.toolbox.as_actor(actor)
        return toolbox.call(tool_name, args).raise_if_failed().data
