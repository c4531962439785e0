"""Read-only snapshots of a project (paper Sec. 5.3: the project state P_t) for the Director, UI and export."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from generator.errors import EchoError
from workspace.db import Workspace
from workspace.models import CharacterCard, Project, SceneCard, ShotCondition, ShotPlan, StoryVersion, Take
from workspace.queries import (
    active_shots_with_current_take,
    current_characters,
    current_scenes,
    current_take_of,
    get_project,
    latest_condition,
    latest_conditions,
    latest_story,
    number_range_text,
    project_listing,
)


class ProjectView(BaseModel):
    id: int
    title: str
    idea: str
    language: str
    created_at: datetime
    updated_at: datetime


class StoryView(BaseModel):
    version: int
    title: str
    description: str
    style: str
    screenplay: str
    confirmed: bool
    cast: list[dict[str, Any]] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    beats: list[str] = Field(default_factory=list)


class CharacterView(BaseModel):
    char_id: str
    version: int
    name: str
    identity: str
    appearance: str
    clothing: str
    voice: str
    reference_image: str | None = Field(default=None, description="Home-relative path")
    reference_audio: str | None = Field(default=None, description="Home-relative path")


class SceneView(BaseModel):
    scene_id: str
    version: int
    name: str
    location: str
    time_of_day: str
    description: str


class TakeView(BaseModel):
    """One generated version of a shot. Paths are home-relative (resolve with `workspace.media.resolve`)."""

    id: int
    shot_id: int
    shot_number: int | None = Field(description="Current 1-based number of its shot; None if the shot was deleted")
    version: int
    condition_id: int | None
    backend: str
    seed: int
    video_path: str
    audio_path: str
    keyframe_paths: list[str]
    memory_window: dict[str, Any]
    memory_sources: list[dict[str, Any]]
    dialogue_timings: list[dict[str, Any]]
    num_frames: int
    fps: int
    width: int
    height: int
    sample_rate: int
    status: str
    metadata: dict[str, Any]
    is_current: bool
    created_at: datetime

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps


class ShotView(BaseModel):
    id: int
    number: int = Field(description="1-based position among the project's shots")
    scene_id: str
    characters: list[str]
    action: str
    dialogue: list[dict[str, Any]]
    camera: str
    num_frames: int
    sound_effects: str
    music: str
    continuity: list[int] = Field(description="Ids of the shots this one continues")
    status: str
    current_take: TakeView | None
    latest_condition_id: int | None
    latest_condition_version: int | None
    latest_condition_prompt: str | None


class ProjectState(BaseModel):
    project: ProjectView
    story: StoryView | None = Field(description="Latest story version")
    characters: list[CharacterView]
    scenes: list[SceneView]
    shots: list[ShotView]

    def shot(self, number: int) -> ShotView:
        if not 1 <= number <= len(self.shots):
            raise EchoError(f"unknown shot {number}; {number_range_text(len(self.shots))}")
        return self.shots[number - 1]

    def character(self, char_id: str) -> CharacterView:
        for card in self.characters:
            if card.char_id == char_id:
                return card
        raise EchoError(
            f"unknown character {char_id}; valid: {', '.join(c.char_id for c in self.characters) or 'none'}"
        )

    def scene(self, scene_id: str) -> SceneView:
        for card in self.scenes:
            if card.scene_id == scene_id:
                return card
        raise EchoError(f"unknown scene {scene_id}; valid: {', '.join(s.scene_id for s in self.scenes) or 'none'}")


def project_view(project: Project) -> ProjectView:
    return ProjectView.model_validate(project, from_attributes=True)


def story_view(story: StoryVersion) -> StoryView:
    return StoryView.model_validate(story, from_attributes=True)


def character_view(card: CharacterCard) -> CharacterView:
    return CharacterView.model_validate(card, from_attributes=True)


def scene_view(card: SceneCard) -> SceneView:
    return SceneView.model_validate(card, from_attributes=True)


def take_view(take: Take, shot: ShotPlan | None, shot_number: int | None) -> TakeView:
    """`shot` is the take's shot row (for `is_current`); `shot_number` None when that shot is deleted."""
    data = take.model_dump(exclude={"metadata_"})
    data.update(
        metadata=take.metadata_,
        shot_number=shot_number,
        is_current=shot is not None and shot.current_take_id == take.id,
    )
    return TakeView.model_validate(data)


def shot_view(session: Session, shot: ShotPlan, number: int) -> ShotView:
    return _shot_view(shot, number, current_take_of(session, shot), latest_condition(session, shot.id))


def _shot_view(shot: ShotPlan, number: int, take: Take | None, condition: ShotCondition | None) -> ShotView:
    data = shot.model_dump(exclude={"position", "current_take_id", "deleted", "created_at", "updated_at"})
    data.update(
        number=number,
        current_take=take_view(take, shot, number) if take else None,
        latest_condition_id=condition.id if condition else None,
        latest_condition_version=condition.version if condition else None,
        latest_condition_prompt=condition.prompt if condition else None,
    )
    return ShotView.model_validate(data)


def read_project_state(session: Session, project_id: int) -> ProjectState:
    project = get_project(session, project_id)
    story = latest_story(session, project_id)
    shots = active_shots_with_current_take(session, project_id)
    conditions = latest_conditions(session, [shot.id for shot, _ in shots])
    return ProjectState(
        project=project_view(project),
        story=story_view(story) if story else None,
        characters=[character_view(c) for c in current_characters(session, project_id)],
        scenes=[scene_view(s) for s in current_scenes(session, project_id)],
        shots=[
            _shot_view(shot, number, take, conditions.get(shot.id))
            for number, (shot, take) in enumerate(shots, start=1)
        ],
    )


def load_project_state(workspace: Workspace, project_id: int) -> ProjectState:
    """A consistent snapshot of the project; EchoError for an unknown project (the message lists what exists)."""
    with workspace.read_session() as session:
        return read_project_state(session, project_id)


def list_projects(workspace: Workspace) -> list[ProjectView]:
    with workspace.read_session() as session:
        return [project_view(p) for p in session.exec(select(Project).order_by(Project.id)).all()]


def resolve_project(workspace: Workspace, ref: str | int) -> int:
    """A project id from a numeric id or an exact title."""
    text = str(ref).strip()
    with workspace.read_session() as session:
        # ASCII digits only ("²" passes str.isdigit), few enough for SQLite's integers
        if re.fullmatch(r"[0-9]{1,18}", text):
            return get_project(session, int(text)).id  # type: ignore[return-value]
        matches = session.exec(select(Project.id).where(Project.title == text).order_by(Project.id)).all()
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise EchoError(f"several projects are titled {text!r} (ids {', '.join(map(str, matches))}); use the id")
        raise EchoError(f"unknown project {text!r}; existing projects: {project_listing(session)}")
