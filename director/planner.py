"""The planner contract: the language-understanding steps of the Director, behind one protocol.

`LLMPlanner` (director/llm.py) asks an OpenAI-compatible model for the structured outputs in
director/schemas.py, guided by the skills; `OfflinePlanner` (director/offline_planner.py) builds the same
outputs deterministically from the user's text when no endpoint is configured.
"""

from __future__ import annotations

from typing import Protocol

from director.schemas import (
    ClarifyQuestions,
    CritiqueVerdict,
    RevisionDiagnosis,
    RouteDecision,
    ShotPlanDraft,
    StoryDraft,
)


class Planner(Protocol):
    def route(self, message: str, context: str) -> RouteDecision:
        """What the user wants; `context` summarises the project state and any pending question."""
        ...

    def clarify(self, idea: str) -> ClarifyQuestions: ...

    def write_story(self, idea: str, feedback: str = "", previous: StoryDraft | None = None) -> StoryDraft: ...

    def plan_shots(self, story: StoryDraft, num_shots: int | None) -> ShotPlanDraft: ...

    def diagnose_revision(self, shot_summary: str, feedback: str) -> RevisionDiagnosis: ...

    def critique(self, shot_summary: str, prompt: str) -> CritiqueVerdict: ...
