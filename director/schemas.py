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
    "edit_story",  # change the proposed story
    "revise_shot",  # feedback on one shot
    "edit_card",  # change a character or scene card
    "generate",  # (re)generate pending or stale shots
    "export",  # produce the final film
    "question",  # ask about the project
]


class RouteDecision(BaseModel):
    intent: Intent
    shot_number: int | None = Field(default=None, description="For revise_shot: the 1-based shot number")
    feedback: str = Field(default="", description="The user's instruction, cleaned up")
    reply: str = Field(default="", description="A short answer when intent is question")


class ClarifyQuestions(BaseModel):
    """What a shot plan still needs from the user; empty `questions` means the idea is complete enough."""

    missing: list[str] = Field(default_factory=list, description="e.g. characters, setting, length, tone")
    questions: list[str] = Field(default_factory=list)


LANGUAGE_NAMES = {
    "english": "en", "chinese": "zh", "mandarin": "zh", "中文": "zh", "汉语": "zh", "普通话": "zh",
    "cantonese": "yue", "japanese": "ja", "korean": "ko", "french": "fr", "german": "de", "spanish": "es",
}  # fmt: skip


class StoryDraft(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, description="Global story description for the user to confirm")
    style: str = Field(default="", description="Visual style sentence used in every shot")
    screenplay: str = ""
    language: str = Field(default="en", description="The story's one spoken language as a code: en, zh, ...")

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


class ShotSpec(BaseModel):
    scene: str = Field(description="Scene name (as in the scene list)")
    characters: list[str] = Field(default_factory=list, max_length=2, description="Character names, at most two")
    action: str = ""
    dialogue: list[DialogueSpec] = Field(default_factory=list)
    camera: str = "static medium shot"
    duration_s: float = Field(default=5.0, gt=0, le=9.64)
    sound_effects: str = ""
    music: str = ""


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
