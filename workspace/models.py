"""SQLModel tables of the persistent Director workspace (paper Sec. 5.1, 5.3): project state P_t and history H_t.

Versioned records (stories, cards, conditions, takes) are append-only: an edit adds a row with the next
version, so every earlier version stays readable and a rollback is a pointer move, never a rewrite.
Paths stored here are relative to the home directory.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str
    idea: str = ""
    language: str = "en"
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class StoryVersion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    version: int
    title: str
    description: str = Field(description="Global story description shown to the user for confirmation")
    screenplay: str = ""
    style: str = Field(default="", description="Visual style sentence repeated in every shot")
    cast: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default="[]"),
        description="[{name, description}] of every person or creature",
    )
    places: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    beats: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    confirmed: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class CharacterCard(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("project_id", "char_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    char_id: str = Field(description="Stable anchor id: ID_A, ID_B, ...")
    version: int
    name: str
    identity: str
    appearance: str = ""
    clothing: str = ""
    voice: str = ""
    reference_image: str | None = None
    reference_audio: str | None = None
    deleted: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class SceneCard(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("project_id", "scene_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    scene_id: str = Field(description="Stable id: S1, S2, ...")
    version: int
    name: str
    location: str = ""
    time_of_day: str = ""
    description: str = ""
    deleted: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class ShotPlan(SQLModel, table=True):
    """One planned shot. `position` is the 1-based shot number the user sees; `id` never changes."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    position: int
    scene_id: str = ""
    characters: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    action: str = ""
    dialogue: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False), description="[{speaker, text}]"
    )
    camera: str = ""
    num_frames: int = 121
    sound_effects: str = ""
    music: str = ""
    continuity: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False), description="Shot ids this shot follows"
    )
    status: str = Field(default="planned", description="planned | generated | approved | stale")
    current_take_id: int | None = Field(default=None, foreign_key="take.id")
    deleted: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ShotCondition(SQLModel, table=True):
    """The compiled condition c_t of a shot (paper Eq. 16), versioned per shot."""

    __table_args__ = (UniqueConstraint("shot_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    shot_id: int = Field(foreign_key="shotplan.id", index=True)
    version: int
    prompt: str
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str = Field(default="compile", description="compile | revision | user")
    created_at: datetime = Field(default_factory=utcnow)


class Take(SQLModel, table=True):
    """One generated version of a shot, with everything needed to rebuild its memory slot (KOK)."""

    __table_args__ = (UniqueConstraint("shot_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    shot_id: int = Field(foreign_key="shotplan.id", index=True)
    version: int
    condition_id: int | None = Field(default=None, foreign_key="shotcondition.id")
    backend: str
    seed: int
    video_path: str
    audio_path: str
    keyframe_paths: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    memory_window: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="KOK window of this take: {start_s, end_s, frame_index, key_frame, audio}",
    )
    memory_sources: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="The memory slots this take was conditioned on: [{label, kind, take_id, card_id, ...}]",
    )
    dialogue_timings: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    num_frames: int
    fps: int = 25
    width: int
    height: int
    sample_rate: int
    status: str = Field(default="generated", description="generated | approved | rejected | stale")
    metadata_: dict[str, Any] = Field(default_factory=dict, sa_column=Column("metadata", JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Revision(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    shot_id: int = Field(foreign_key="shotplan.id", index=True)
    feedback: str
    diagnosis: str = ""
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    from_take_id: int | None = Field(default=None, foreign_key="take.id")
    to_take_id: int | None = Field(default=None, foreign_key="take.id")
    created_at: datetime = Field(default_factory=utcnow)


class ToolCall(SQLModel, table=True):
    """Audit log: every tool call, successful or not."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int | None = Field(default=None, index=True)
    tool: str
    actor: str = "director"
    args: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ok: bool
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class LlmCall(SQLModel, table=True):
    """Usage log: every request the Director made to its LLM, retries included, with its token counts."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int | None = Field(default=None, index=True)
    purpose: str = Field(description="route | clarify | story | plan | fit | revise | critique")
    model: str
    prompt_tokens: int
    completion_tokens: int
    estimated: bool = Field(description="The server reported no usage: tokens are characters / 4")
    ok: bool = Field(description="The answer was used; false for an HTTP failure or a rejected answer")
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
