"""The generated history H_t (paper Sec. 5.3): every take of every shot, the current take of each shot, and
which later shots were conditioned on a given take (so a revision can mark them stale)."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from workspace.db import Workspace
from workspace.models import Take
from workspace.project_view import TakeView, take_view
from workspace.queries import (
    active_shots,
    active_shots_with_current_take,
    current_take_of,
    get_project,
    project_take,
    shot_at,
    shot_takes,
)


def memory_take_ids(take: Take) -> list[int]:
    """Ids of the earlier takes whose KOK memory `take` was generated with."""
    return [source["take_id"] for source in take.memory_sources if source.get("take_id") is not None]


def dependents_in(session: Session, project_id: int, take_id: int) -> list[tuple[int, Take]]:
    """(number, current take) of the other shots whose current take used `take_id` as a memory source."""
    take = project_take(session, project_id, take_id)
    return [
        (number, current)
        for number, (shot, current) in enumerate(active_shots_with_current_take(session, project_id), start=1)
        if shot.id != take.shot_id and current is not None and take_id in memory_take_ids(current)
    ]


class HistoryManager:
    """Read-only queries over takes; changes go through the tools (register_take, rollback_shot, mark_stale)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def takes(self, project_id: int, number: int | None = None) -> list[TakeView]:
        """Takes of one shot in version order, or of every shot (by shot number, then version)."""
        with self.workspace.read_session() as session:
            get_project(session, project_id)
            if number is not None:
                shot = shot_at(session, project_id, number)
                return [take_view(t, shot, number) for t in shot_takes(session, shot.id)]
            shots = active_shots(session, project_id)
            query = select(Take).where(col(Take.shot_id).in_([s.id for s in shots])).order_by(Take.version)
            by_shot: dict[int, list[Take]] = defaultdict(list)
            for take in session.exec(query).all():
                by_shot[take.shot_id].append(take)
            return [take_view(t, s, n) for n, s in enumerate(shots, start=1) for t in by_shot[s.id]]

    def current_take(self, project_id: int, number: int) -> TakeView | None:
        with self.workspace.read_session() as session:
            get_project(session, project_id)
            shot = shot_at(session, project_id, number)
            take = current_take_of(session, shot)
            return take_view(take, shot, number) if take else None

    def dependents(self, project_id: int, take_id: int) -> list[int]:
        """Numbers of the other shots whose current take used `take_id` as a memory source."""
        with self.workspace.read_session() as session:
            get_project(session, project_id)
            return [number for number, _ in dependents_in(session, project_id, take_id)]
