"""ORM look-ups shared by the read-only views and the tools; unknown ids raise EchoError naming what exists."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from generator.errors import EchoError
from workspace.models import (
    CharacterCard,
    Project,
    SceneCard,
    ShotCondition,
    ShotPlan,
    StoryVersion,
    Take,
    ToolCall,
)

Card = TypeVar("Card", CharacterCard, SceneCard)


def project_listing(session: Session) -> str:
    """'1 (Title), 2 (Other)' for error messages."""
    existing = session.exec(select(Project.id, Project.title).order_by(Project.id)).all()
    return ", ".join(f"{pid} ({title})" for pid, title in existing) or "none yet; create one with `new`"


def get_project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise EchoError(f"unknown project {project_id}; existing projects: {project_listing(session)}")
    return project


def _active_shots_query(project_id: int) -> SelectOfScalar[ShotPlan]:
    return (
        select(ShotPlan)
        .where(ShotPlan.project_id == project_id, col(ShotPlan.deleted).is_(False))
        .order_by(ShotPlan.position, ShotPlan.id)
    )


def active_shots(session: Session, project_id: int) -> list[ShotPlan]:
    """Non-deleted shots in plan order; the shot number the user sees is the index + 1."""
    return list(session.exec(_active_shots_query(project_id)).all())


def active_shots_with_current_take(session: Session, project_id: int) -> list[tuple[ShotPlan, Take | None]]:
    """Non-deleted shots in plan order, each with its current take (None before the first take), in one query."""
    query = (
        select(ShotPlan, Take)
        .outerjoin(Take, col(Take.id) == ShotPlan.current_take_id)
        .where(ShotPlan.project_id == project_id, col(ShotPlan.deleted).is_(False))
        .order_by(ShotPlan.position, ShotPlan.id)
    )
    return [(shot, take) for shot, take in session.exec(query).all()]


def number_range_text(count: int) -> str:
    return f"valid shot numbers: 1..{count}" if count else "the project has no shots yet"


MAX_SHOT_NUMBER = 1_000_000


def shot_at(session: Session, project_id: int, number: int) -> ShotPlan:
    """Shot `number` (1-based, plan order), loading only that row (a 1,000-shot plan costs ~20 ms to load)."""
    in_range = 1 <= number <= MAX_SHOT_NUMBER  # SQLite's OFFSET takes 64-bit integers only
    shot = session.exec(_active_shots_query(project_id).offset(number - 1).limit(1)).first() if in_range else None
    if shot is None:
        count = session.exec(
            select(func.count()).where(ShotPlan.project_id == project_id, col(ShotPlan.deleted).is_(False))
        ).one()
        raise EchoError(f"unknown shot {number} in project {project_id}; {number_range_text(count)}")
    return shot


def shot_number(session: Session, project_id: int, shot_id: int) -> int | None:
    """The number shot `shot_id` has in the plan now; None when it is deleted or not a shot of this project."""
    ids = [shot.id for shot in active_shots(session, project_id)]
    return ids.index(shot_id) + 1 if shot_id in ids else None


def renumber(shots: Sequence[ShotPlan]) -> None:
    """Store positions 1..n in the given order."""
    for index, shot in enumerate(shots, start=1):
        if shot.position != index:
            shot.position = index


def latest_story(session: Session, project_id: int) -> StoryVersion | None:
    query = select(StoryVersion).where(StoryVersion.project_id == project_id).order_by(col(StoryVersion.version).desc())
    return session.exec(query).first()


def story_version(session: Session, project_id: int, version: int) -> StoryVersion | None:
    query = select(StoryVersion).where(StoryVersion.project_id == project_id, StoryVersion.version == version)
    return session.exec(query).first()


def _latest_rows(session: Session, model: type[Card], project_id: int, key: str) -> list[Card]:
    key_column = getattr(model, key)
    newest = (
        select(key_column, func.max(model.version).label("version"))
        .where(model.project_id == project_id)
        .group_by(key_column)
        .subquery()
    )
    query = (
        select(model)
        .join(newest, (key_column == getattr(newest.c, key)) & (model.version == newest.c.version))
        .where(model.project_id == project_id)
    )
    return list(session.exec(query).all())


def card_history(session: Session, model: type[Card], key: str, project_id: int, card_id: str) -> list[Card]:
    """Every version of one card, oldest first; empty for an id the project never had."""
    query = (
        select(model).where(model.project_id == project_id, getattr(model, key) == card_id).order_by(col(model.version))
    )
    return list(session.exec(query).all())


def character_index(char_id: str) -> int:
    """ID_A -> 0, ID_Z -> 25, ID_AA -> 26 (spreadsheet-column letters)."""
    value = 0
    for letter in char_id.removeprefix("ID_"):
        value = value * 26 + ord(letter) - ord("A") + 1
    return value - 1


def current_characters(session: Session, project_id: int, include_deleted: bool = False) -> list[CharacterCard]:
    """The newest version of every character card, ordered by id."""
    cards = _latest_rows(session, CharacterCard, project_id, "char_id")
    return sorted((c for c in cards if include_deleted or not c.deleted), key=lambda c: character_index(c.char_id))


def current_scenes(session: Session, project_id: int, include_deleted: bool = False) -> list[SceneCard]:
    """The newest version of every scene card, ordered by number (S2 before S10)."""
    cards = _latest_rows(session, SceneCard, project_id, "scene_id")
    return sorted((c for c in cards if include_deleted or not c.deleted), key=lambda c: int(c.scene_id[1:]))


def latest_condition(session: Session, shot_id: int) -> ShotCondition | None:
    query = select(ShotCondition).where(ShotCondition.shot_id == shot_id).order_by(col(ShotCondition.version).desc())
    return session.exec(query).first()


def latest_conditions(session: Session, shot_ids: Sequence[int]) -> dict[int, ShotCondition]:
    """The newest condition of each of these shots that has one, by shot id, in one query."""
    newest = (
        select(ShotCondition.shot_id, func.max(ShotCondition.version).label("version"))
        .where(col(ShotCondition.shot_id).in_(shot_ids))
        .group_by(ShotCondition.shot_id)
        .subquery()
    )
    query = select(ShotCondition).join(
        newest, (ShotCondition.shot_id == newest.c.shot_id) & (ShotCondition.version == newest.c.version)
    )
    return {condition.shot_id: condition for condition in session.exec(query).all()}


def next_version(session: Session, model: type[ShotCondition] | type[Take], shot_id: int) -> int:
    """The version number the next condition or take of this shot gets (1 for the first)."""
    newest = session.exec(select(func.max(model.version)).where(model.shot_id == shot_id)).one()
    return (newest or 0) + 1


def shot_takes(session: Session, shot_id: int) -> list[Take]:
    return list(session.exec(select(Take).where(Take.shot_id == shot_id).order_by(Take.version)).all())


def project_take(session: Session, project_id: int, take_id: int) -> Take:
    take = session.get(Take, take_id)
    if take is None or take.project_id != project_id:
        raise EchoError(f"unknown take {take_id} in project {project_id}; see `history {project_id}` for take ids")
    return take


def current_take_of(session: Session, shot: ShotPlan) -> Take | None:
    return session.get(Take, shot.current_take_id) if shot.current_take_id else None


def last_successful_call(
    session: Session,
    project_id: int,
    tools: Collection[str],
    excluding: Collection[int] = (),
    skip_actors: Collection[str] = (),
) -> ToolCall | None:
    """The project's newest successful call of one of `tools` whose id is not in `excluding`, by an actor not in
    `skip_actors` (audit table)."""
    query = (
        select(ToolCall)
        .where(
            ToolCall.project_id == project_id,
            col(ToolCall.ok).is_(True),
            col(ToolCall.tool).in_(tools),
            col(ToolCall.id).not_in(excluding),
            col(ToolCall.actor).not_in(skip_actors),
        )
        .order_by(col(ToolCall.id).desc())
    )
    return session.exec(query).first()


def successful_call_results(session: Session, project_id: int, tool: str) -> list[dict[str, Any]]:
    """The result data of the project's successful calls of `tool`, oldest first."""
    query = (
        select(ToolCall.result)
        .where(ToolCall.project_id == project_id, col(ToolCall.ok).is_(True), ToolCall.tool == tool)
        .order_by(col(ToolCall.id))
    )
    return [result for result in session.exec(query).all() if result is not None]
