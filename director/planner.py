"""The planner contract: the language-understanding steps of the Director, behind one protocol.

`LLMPlanner` (director/llm.py) asks an OpenAI-compatible model for the structured outputs in
director/schemas.py, guided by the skills; `OfflinePlanner` (director/offline/planner.py) builds the same
outputs deterministically from the user's text when no endpoint is configured.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Protocol

from director.briefs import ProjectBrief, ShotBrief
from director.offline.planner import OfflinePlanner
from director.schemas import (
    ClarifyQuestions,
    CritiqueVerdict,
    PromptOverflow,
    RevisionDiagnosis,
    RouteDecision,
    ShotPlanDraft,
    ShotSpec,
    StoryDraft,
)
from director.settings import Settings
from skills import load_skill

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


class Planner(Protocol):
    def route(self, message: str, brief: ProjectBrief) -> RouteDecision:
        """What the creator wants from `message`, given the project (story, cast, shots, recent turns, pending
        question). Questions are answered in `reply`; requests the planner cannot apply get intent `cannot`."""
        ...

    def clarify(self, idea: str) -> ClarifyQuestions: ...

    def write_story(self, idea: str, feedback: str = "", previous: StoryDraft | None = None) -> StoryDraft:
        """A new draft; with `previous`, that draft with `feedback` applied (returned unchanged when the feedback
        cannot be applied: the caller then says so)."""
        ...

    def plan_shots(self, story: StoryDraft, num_shots: int | None, idea: str = "") -> ShotPlanDraft:
        """Cards, scenes and shots for the confirmed story; `idea` is the creator's own text (idea or screenplay)."""
        ...

    def fit_shot(self, plan: ShotPlanDraft, index: int, overflow: PromptOverflow) -> ShotSpec:
        """Shot `plan.shots[index]` rewritten so its prompt fits `overflow.limit`; cards are never changed."""
        ...

    def diagnose_revision(self, shot: ShotBrief, feedback: str) -> RevisionDiagnosis: ...

    def critique(self, shot: ShotBrief) -> CritiqueVerdict: ...


def get_planner(settings: Settings, chat_model: BaseChatModel | None = None) -> Planner:
    """The LLM planner when a chat model is given or an endpoint is configured, else the offline planner."""
    if chat_model is None and not settings.llm_configured:
        return OfflinePlanner(default_shots=settings.default_shots)
    from director.llm import LLMPlanner, build_chat_model  # the LLM client stack loads only when an LLM is used

    return LLMPlanner(
        chat_model if chat_model is not None else build_chat_model(settings),
        method=settings.llm_structured_method,
        max_retries=settings.llm_max_retries,
        skills=functools.partial(load_skill, home=settings.home_dir),
        default_shots=settings.default_shots,
        critic=settings.llm_critic,
    )
