"""Typed context for the planner: what the Director knows when it routes a message (`ProjectBrief`) and when it
revises or critiques one shot (`ShotBrief`), built from the workspace.

Planners read these fields; nothing formats the project into text for a planner to parse back. The LLM planner
renders a brief into its prompt in one place (director/llm_prompts.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from director.graph_state import ChatTurn, DirectorContext, DirectorState
from director.nodes.shot_context import ShotContext, load_shot_context, plan_rows
from director.prompt_fit import scene_in_shot, shot_condition
from director.schemas import RouteDecision
from generator.prompt import ShotCondition
from generator.text import clip
from generator.types import FPS, CharacterInShot
from workspace.models import ShotPlan
from workspace.project_view import (
    CharacterView,
    ProjectState,
    SceneView,
    ShotView,
    TakeView,
    load_project_state,
    shot_view,
)

RECENT_TURNS = 6
SUMMARY_CHARS = 160


class CardBrief(BaseModel):
    char_id: str
    name: str
    identity: str = ""
    appearance: str = ""
    clothing: str = ""
    voice: str = ""
    has_reference_image: bool = False
    has_reference_audio: bool = False


class SceneBrief(BaseModel):
    scene_id: str
    name: str
    location: str = ""
    time_of_day: str = ""
    description: str = ""


class StoryBrief(BaseModel):
    title: str
    synopsis: str
    style: str = ""
    version: int
    confirmed: bool
    has_screenplay: bool = False


class LineBrief(BaseModel):
    speaker: str = Field(description="Character id (ID_A)")
    speaker_name: str
    text: str


class TakeBrief(BaseModel):
    take_id: int
    version: int
    status: str
    seed: int
    backend: str
    memory: list[str] = Field(default_factory=list, description="Labels of the memory entries the take used")
    speech_overflow_s: float = 0.0


class ShotLine(BaseModel):
    """One shot as the project brief lists it."""

    number: int
    scene_id: str
    characters: list[str] = Field(description="Character ids")
    summary: str = Field(description="The action, clipped to one line")
    first_line: str = Field(default="", description="The first dialogue line, 'Name: text'")
    duration_s: float
    status: str = Field(description="planned | generated | approved | stale")
    version: int | None = Field(default=None, description="Version of the current take; None before generation")
    memory: list[str] = Field(default_factory=list, description="Memory entries the current take used")


class ProjectBrief(BaseModel):
    """What the router sees: the story, cast, scenes, every shot in one line, recent turns, the pending question."""

    project_id: int
    idea: str = ""
    language: str = "en"
    story: StoryBrief | None = None
    characters: list[CardBrief] = Field(default_factory=list)
    scenes: list[SceneBrief] = Field(default_factory=list)
    shots: list[ShotLine] = Field(default_factory=list)
    recent_turns: list[ChatTurn] = Field(default_factory=list)
    pending_question: str = Field(default="", description="The question the Director is waiting on, if any")

    def character(self, ref: str) -> CardBrief | None:
        """The card whose id or name is `ref` (case-insensitive)."""
        key = " ".join(ref.split()).casefold()
        return next((c for c in self.characters if key in (c.char_id.casefold(), c.name.casefold())), None)

    def scene(self, ref: str) -> SceneBrief | None:
        key = " ".join(ref.split()).casefold()
        return next((s for s in self.scenes if key in (s.scene_id.casefold(), s.name.casefold())), None)


class ShotBrief(BaseModel):
    """What revision and critique see of one shot: its fields, cards, scene, neighbours, prompt and take."""

    number: int
    shot_count: int
    scene: SceneBrief | None
    characters: list[CardBrief]
    action: str
    dialogue: list[LineBrief]
    camera: str
    sound_effects: str
    music: str
    num_frames: int
    status: str
    previous: ShotLine | None = None
    next: ShotLine | None = None
    prompt: str = Field(default="", description="The latest compiled prompt")
    take: TakeBrief | None = None
    style: str = ""
    language: str = "en"

    @property
    def duration_s(self) -> float:
        return self.num_frames / FPS

    def condition(self) -> ShotCondition:
        """The condition the shot compiles to now, built as the compile stage builds it."""
        cast = [
            CharacterInShot(**card.model_dump(include={"name", "identity", "appearance", "clothing", "voice"}),
                            id=card.char_id)
            for card in self.characters
        ]  # fmt: skip
        fields = {
            **self.model_dump(include={"action", "camera", "sound_effects", "music", "num_frames"}),
            "dialogue": [line.model_dump(include={"speaker", "text"}) for line in self.dialogue],
        }
        scene = scene_in_shot(self.scene, self.scene.scene_id if self.scene else "")
        return shot_condition(fields, cast, scene, self.style, self.language)


def card_brief(card: CharacterView) -> CardBrief:
    return CardBrief(
        **card.model_dump(include={"char_id", "name", "identity", "appearance", "clothing", "voice"}),
        has_reference_image=bool(card.reference_image),
        has_reference_audio=bool(card.reference_audio),
    )


def scene_brief(card: SceneView) -> SceneBrief:
    return SceneBrief(**card.model_dump(include={"scene_id", "name", "location", "time_of_day", "description"}))


def take_brief(take: TakeView) -> TakeBrief:
    overflow = take.metadata.get("speech_overflow_s", 0.0)
    return TakeBrief(
        take_id=take.id,
        version=take.version,
        status=take.status,
        seed=take.seed,
        backend=take.backend,
        memory=memory_labels(take),
        speech_overflow_s=float(overflow) if isinstance(overflow, int | float) else 0.0,
    )


def memory_labels(take: TakeView | None) -> list[str]:
    return [str(source.get("label")) for source in take.memory_sources if source.get("label")] if take else []


def shot_line(shot: ShotView, names: dict[str, str]) -> ShotLine:
    first = shot.dialogue[0] if shot.dialogue else None
    return ShotLine(
        number=shot.number,
        scene_id=shot.scene_id,
        characters=list(shot.characters),
        summary=clip(" ".join(shot.action.split()), SUMMARY_CHARS),
        first_line=f"{names.get(first['speaker'], first['speaker'])}: {first['text']}" if first else "",
        duration_s=round(shot.num_frames / FPS, 2),
        status=shot.status,
        version=shot.current_take.version if shot.current_take else None,
        memory=memory_labels(shot.current_take),
    )


def project_brief(
    project: ProjectState, messages: list[dict[str, Any]] | None = None, pending_question: str = ""
) -> ProjectBrief:
    names = {card.char_id: card.name for card in project.characters}
    story = project.story
    turns = [ChatTurn.model_validate(entry) for entry in (messages or [])[-RECENT_TURNS:]]
    return ProjectBrief(
        project_id=project.project.id,
        idea=project.project.idea,
        language=project.project.language,
        story=StoryBrief(
            title=story.title,
            synopsis=story.description,
            style=story.style,
            version=story.version,
            confirmed=story.confirmed,
            has_screenplay=bool(story.screenplay.strip()),
        )
        if story
        else None,
        characters=[card_brief(card) for card in project.characters],
        scenes=[scene_brief(card) for card in project.scenes],
        shots=[shot_line(shot, names) for shot in project.shots],
        recent_turns=turns,
        pending_question=pending_question,
    )


def load_shot_brief(ctx: DirectorContext, project_id: int, number: int) -> ShotBrief:
    """The shot brief of shot `number` (EchoError naming the valid range for an unknown shot)."""
    shot_ctx = load_shot_context(ctx, project_id, number)
    names = {char_id: card.name for char_id, card in shot_ctx.characters.items()}
    with ctx.workspace.read_session() as session:
        rows = plan_rows(session, project_id)
        neighbours = [
            shot_line(shot_view(session, session.get(ShotPlan, rows[n - 1][0]), n), names)
            if 1 <= n <= len(rows)
            else None
            for n in (number - 1, number + 1)
        ]
    return shot_brief(shot_ctx, len(rows), neighbours[0], neighbours[1])


def shot_brief(
    shot_ctx: ShotContext, shot_count: int, previous: ShotLine | None = None, following: ShotLine | None = None
) -> ShotBrief:
    shot = shot_ctx.shot
    names = {char_id: card.name for char_id, card in shot_ctx.characters.items()}
    scene = shot_ctx.scenes.get(shot.scene_id)
    return ShotBrief(
        number=shot.number,
        shot_count=shot_count,
        scene=scene_brief(scene) if scene else None,
        characters=[card_brief(shot_ctx.characters[c]) for c in shot.characters if c in shot_ctx.characters],
        action=shot.action,
        dialogue=[
            LineBrief(
                speaker=line["speaker"], speaker_name=names.get(line["speaker"], line["speaker"]), text=line["text"]
            )
            for line in shot.dialogue
        ],
        camera=shot.camera,
        sound_effects=shot.sound_effects,
        music=shot.music,
        num_frames=shot.num_frames,
        status=shot.status,
        previous=previous,
        next=following,
        prompt=shot.latest_condition_prompt or "",
        take=take_brief(shot.current_take) if shot.current_take else None,
        style=shot_ctx.story.style if shot_ctx.story else "",
        language=shot_ctx.language,
    )


def load_brief(ctx: DirectorContext, state: DirectorState, pending_question: str = "") -> ProjectBrief:
    """The project as the planner sees it, with the recent turns of this conversation."""
    project = load_project_state(ctx.workspace, state["project_id"])
    return project_brief(project, state.get("messages", []), pending_question)


def route_message(
    ctx: DirectorContext, state: DirectorState, message: str, pending_question: str = ""
) -> RouteDecision:
    return ctx.planner.route(message, load_brief(ctx, state, pending_question))
