"""Structured outputs of the Director's planning stages (paper Sec. 5.2, 5.4).

The LLM planner asks the model for these models; the offline planner builds them deterministically. Every
graph node consumes only these types, so either planner can stand behind the graph.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from generator.types import LANGUAGE_PATTERN

Intent = Literal[
    "new_story",  # a fresh idea or pasted screenplay
    "answer",  # reply to the Director's question
    "approve",  # yes / looks good / go ahead
    "edit_story",  # change the proposed story (title, synopsis, tone, ending)
    "revise_shot",  # free feedback on one generated shot: diagnose, change, regenerate it
    "edit_shot",  # set fields of one shot directly (shot_number + shot_edit)
    "edit_card",  # change a character or scene card by meaning (card_edits)
    "add_character",  # new_character
    "remove_character",  # character
    "rename_character",  # character -> new_name, in the card and every shot
    "insert_shot",  # new_shot at target_number (1-based; count + 1 = at the end)
    "delete_shot",  # shot_number
    "move_shot",  # shot_number -> target_number
    "duplicate_shot",  # shot_number (the copy follows it)
    "undo",  # undo the last change
    "rollback_shot",  # shot_number back to take version
    "generate",  # (re)generate pending or stale shots
    "export",  # produce the final film
    "question",  # ask about the story, a shot, a character, memory: answered in reply, nothing changes
    "cannot",  # understood as a request this planner cannot apply: reply says what and how to do it instead
]


class ClarifyQuestions(BaseModel):
    """What a shot plan still needs from the user; empty `questions` means the idea is complete enough."""

    missing: list[str] = Field(default_factory=list, description="e.g. characters, setting, length, tone")
    questions: list[str] = Field(default_factory=list)


LANGUAGE_NAMES = {
    "english": "en", "chinese": "zh", "mandarin": "zh", "中文": "zh", "汉语": "zh", "普通话": "zh",
    "cantonese": "yue", "japanese": "ja", "korean": "ko", "french": "fr", "german": "de", "spanish": "es",
}  # fmt: skip


class CastEntry(BaseModel):
    name: str = Field(min_length=1)
    description: str = Field(default="", description="Who they are, as the idea states it (age, role, species)")


class StoryDraft(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, description="Global story description (prose) for the user to confirm")
    style: str = Field(default="", description="Visual style sentence used in every shot")
    screenplay: str = ""
    language: str = Field(default="en", description="The story's one spoken language as a code: en, zh, ...")
    cast: list[CastEntry] = Field(default_factory=list, description="Every person or creature of the story")
    places: list[str] = Field(default_factory=list, description="Every place of the story")
    beats: list[str] = Field(default_factory=list, description="The story's events in order, one sentence each")
    notes: list[str] = Field(
        default_factory=list, description="What the idea asked for that the story could not place, told to the creator"
    )

    @field_validator("language", mode="before")
    @classmethod
    def _language_code(cls, value: object) -> str:
        """A code for the language, also when a model names it ("Mandarin", "English", "中文")."""
        text = str(value or "en").strip().replace("_", "-")
        named = LANGUAGE_NAMES.get(text.casefold())
        if named:
            return named
        return text if re.fullmatch(LANGUAGE_PATTERN, text) else "en"


class CharacterSpec(BaseModel):
    name: str = Field(min_length=1)
    identity: str = Field(min_length=1, description="One sentence: age, build, face, hair")
    appearance: str = ""
    clothing: str = ""
    voice: str = Field(default="", description="One sentence describing the voice timbre")


class SceneSpec(BaseModel):
    name: str = Field(min_length=1)
    location: str = ""
    time_of_day: str = ""
    description: str = ""


class DialogueSpec(BaseModel):
    speaker: str = Field(description="Character name (as in the character list)")
    text: str = Field(min_length=1)
    delivery: str = Field(default="", max_length=80, description="How it is said, e.g. 'soft, hesitant voice'")


class ShotSpec(BaseModel):
    scene: str = Field(description="Scene name (as in the scene list)")
    characters: list[str] = Field(default_factory=list, max_length=2, description="Character names, at most two")
    action: str = ""
    dialogue: list[DialogueSpec] = Field(default_factory=list)
    camera: str = "static medium shot"
    duration_s: float = Field(default=5.0, gt=0, le=9.64)
    sound_effects: str = ""
    music: str = ""


CardField = Literal["identity", "appearance", "clothing", "voice", "location", "time_of_day", "description"]


class CardEdit(BaseModel):
    """One card field rewritten by meaning: `value` is the whole new sentence, never the creator's instruction."""

    card: str = Field(min_length=1, description="Character or scene name or id (ID_A, S1)")
    field: CardField
    value: str = Field(min_length=1, description="The complete new text of the field")


class ShotEdit(BaseModel):
    """Direct changes to one shot; None leaves a field as it is. Names or ids are accepted for people and scene."""

    action: str | None = None
    dialogue: list[DialogueSpec] | None = None
    camera: str | None = None
    duration_s: float | None = Field(default=None, gt=0, le=9.64)
    characters: list[str] | None = Field(default=None, max_length=2)
    scene: str | None = None
    sound_effects: str | None = None
    music: str | None = None

    def is_empty(self) -> bool:
        return all(value is None for value in self.model_dump().values())


class RouteDecision(BaseModel):
    intent: Intent
    shot_number: int | None = Field(default=None, description="The 1-based shot the request is about")
    feedback: str = Field(default="", description="The user's instruction, cleaned up")
    reply: str = Field(default="", description="For question: the answer; for cannot: what cannot be done and how")
    version: int | None = Field(default=None, ge=1, description="For rollback_shot: the take version to go back to")
    all_shots: bool = Field(
        default=False, description="For generate: regenerate every shot, not only pending and stale ones"
    )
    target_number: int | None = Field(
        default=None, ge=1, description="For move_shot: the new number; for insert_shot: the number the new shot gets"
    )
    character: str = Field(default="", description="For remove/rename_character: the name or id (ID_A)")
    new_name: str = Field(default="", description="For rename_character: the new name")
    new_character: CharacterSpec | None = Field(default=None, description="For add_character: the new card")
    card_edits: list[CardEdit] = Field(default_factory=list, description="For edit_card: the rewritten fields")
    shot_edit: ShotEdit | None = Field(default=None, description="For edit_shot: the fields that change")
    new_shot: ShotSpec | None = Field(default=None, description="For insert_shot: the new shot")


class ShotPlanDraft(BaseModel):
    characters: list[CharacterSpec] = Field(default_factory=list)
    scenes: list[SceneSpec] = Field(min_length=1)
    shots: list[ShotSpec] = Field(min_length=1)


class RevisionDiagnosis(BaseModel):
    """Where feedback on one shot lands: which condition fields change and which memory entries to drop."""

    diagnosis: str
    action: str | None = None
    dialogue: list[DialogueSpec] | None = None
    camera: str | None = None
    sound_effects: str | None = None
    music: str | None = None
    duration_s: float | None = Field(default=None, gt=0, le=9.64)
    drop_memory_labels: list[str] = Field(default_factory=list)
    new_seed: bool = Field(default=True, description="Draw a new seed for the regenerated take")


class CritiqueVerdict(BaseModel):
    ok: bool
    issues: list[str] = Field(default_factory=list)
    fix: ShotEdit | None = Field(default=None, description="The change to the shot that resolves the issues")


class PromptOverflow(BaseModel):
    """A planned shot whose compiled prompt is over the limit, with what the planner may spend per field."""

    shot_number: int
    prompt_chars: int
    limit: int
    fixed_chars: int = Field(description="Characters of card sentences, style and scene, repeated in every shot")
    budgets: dict[str, int] = Field(description="Most characters each shot field may use: action, dialogue, ...")

    @property
    def over_by(self) -> int:
        return self.prompt_chars - self.limit
