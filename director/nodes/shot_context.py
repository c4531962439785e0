"""One consistent read of what the per-shot stages need, without loading the whole project (fast at 1,000 shots)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Row
from sqlmodel import Session, col, select

from director.graph_state import DirectorContext
from director.prompt_fit import character_in_shot, scene_in_shot
from generator.errors import EchoError
from generator.types import CharacterInShot, SceneInShot
from workspace.models import ShotPlan
from workspace.project_view import (
    CharacterView,
    SceneView,
    ShotView,
    StoryView,
    TakeView,
    character_view,
    scene_view,
    shot_view,
    story_view,
    take_view,
)
from workspace.queries import (
    current_characters,
    current_scenes,
    get_project,
    latest_story,
    number_range_text,
    project_take,
)


@dataclass(frozen=True)
class EarlierShot:
    number: int
    shot_id: int
    current_take_id: int | None


@dataclass(frozen=True)
class ShotContext:
    project_id: int
    language: str
    shot: ShotView
    story: StoryView | None
    characters: dict[str, CharacterView]
    scenes: dict[str, SceneView]
    earlier: list[EarlierShot]

    @property
    def number(self) -> int:
        return self.shot.number

    def cast(self, ctx: DirectorContext) -> list[CharacterInShot]:
        """The shot's characters as the generator sees them; reference files resolved inside the home."""
        media = ctx.workspace.media
        return [
            character_in_shot(
                card,
                reference_image=media.resolve(card.reference_image) if card.reference_image else None,
                reference_audio=media.resolve(card.reference_audio) if card.reference_audio else None,
            )
            for card in (self.characters[char_id] for char_id in self.shot.characters if char_id in self.characters)
        ]

    def scene(self) -> SceneInShot:
        return scene_in_shot(self.scenes.get(self.shot.scene_id), self.shot.scene_id)


def plan_rows(session: Session, project_id: int) -> Sequence[Row[tuple[int, int | None, str]]]:
    """(id, current_take_id, status) of the active shots in order: a few columns, because building ORM rows for
    a 1,000-shot plan costs ~20 ms and every per-shot stage reads this."""
    query = (
        select(ShotPlan.id, ShotPlan.current_take_id, ShotPlan.status)
        .where(ShotPlan.project_id == project_id, col(ShotPlan.deleted).is_(False))
        .order_by(ShotPlan.position, ShotPlan.id)
    )
    return session.exec(query).all()


def load_shot_context(ctx: DirectorContext, project_id: int, number: int) -> ShotContext:
    with ctx.workspace.read_session() as session:
        project = get_project(session, project_id)
        rows = plan_rows(session, project_id)
        if not 1 <= number <= len(rows):
            raise EchoError(f"unknown shot {number}; {number_range_text(len(rows))}")
        story = latest_story(session, project_id)
        return ShotContext(
            project_id=project_id,
            language=project.language,
            shot=shot_view(session, session.get(ShotPlan, rows[number - 1][0]), number),
            story=story_view(story) if story else None,
            characters={c.char_id: character_view(c) for c in current_characters(session, project_id)},
            scenes={s.scene_id: scene_view(s) for s in current_scenes(session, project_id)},
            earlier=[EarlierShot(n, row.id, row.current_take_id) for n, row in enumerate(rows[: number - 1], start=1)],
        )


def load_takes(ctx: DirectorContext, project_id: int, take_ids: list[int]) -> dict[int, TakeView]:
    with ctx.workspace.read_session() as session:
        return {take_id: _take(session, project_id, take_id) for take_id in dict.fromkeys(take_ids)}


def _take(session: Session, project_id: int, take_id: int) -> TakeView:
    return take_view(project_take(session, project_id, take_id), None, None)
