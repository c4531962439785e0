"""The built-in planner used when no LLM endpoint is configured: deterministic rules over the user's text.

Routing reads the message against the project brief (director/offline/routing.py); stories and shot plans come from
director/offline/story.py and story_shots.py (one-line ideas) and director/offline/screenplay.py (pasted
screenplays); revision.py maps feedback to condition fields clause by clause, critique.py checks a shot, and
fitting.py trims a shot whose prompt is over the limit.
"""

from __future__ import annotations

import re

from director.briefs import ProjectBrief, ShotBrief
from director.offline.critique import critique_shot
from director.offline.fitting import Line, fit_to_budgets
from director.offline.revision import diagnose_feedback
from director.offline.routing import route_message
from director.offline.screenplay import parse_screenplay, plan_from_screenplay, story_from_screenplay
from director.offline.story import write_story_from_idea
from director.offline.story_concept import derive_concept, seed_of, tone_of_style
from director.offline.story_edits import apply_story_feedback
from director.offline.story_shots import plan_from_story
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
from director.shot_count import MAX_REQUESTED_SHOTS, without_shot_count
from generator.errors import EchoError
from generator.text import has_cjk

MAX_MESSAGE_CHARS = 100_000
_GENERIC_WORDS = frozenset(
    [
        "a", "an", "the", "make", "create", "write", "generate", "give", "me", "please", "video", "film", "movie",
        "story", "clip", "something", "anything", "cool", "nice", "good", "short", "long", "about", "of", "with", "for",
        "some", "kind", "sort", "i", "want", "would", "like", "to", "do", "can", "you", "it", "one", "new", "great",
        "awesome", "fun", "my"
    ]
)  # fmt: skip


class OfflinePlanner:
    """The Planner protocol without a language model; the same input always gives the same output, except that
    `fit_shot` may drop only dialogue lines this planner wrote itself in its latest story-based plan."""

    def __init__(self, default_shots: int = 6) -> None:
        self.default_shots = default_shots
        self._own_lines: frozenset[Line] = frozenset()

    def route(self, message: str, brief: ProjectBrief) -> RouteDecision:
        return route_message(_checked_text(message, "message"), brief)

    def clarify(self, idea: str) -> ClarifyQuestions:
        text = _checked_text(idea, "idea")
        if parse_screenplay(text) is not None:
            return ClarifyQuestions()
        words = re.findall(r"[A-Za-z\u00c0-\u024f']+", text)
        size = len(words) + sum(1 for char in text if has_cjk(char)) / 2
        content = [word for word in words if word.lower() not in _GENERIC_WORDS]
        if size >= 4 and (content or has_cjk(text)):
            return ClarifyQuestions()
        concept = derive_concept(text, seed_of(text))
        missing, questions = [], []
        if not content and not has_cjk(text):
            missing.append("characters")
            questions.append("Who is the story about?")
        if not any(place.noun in text.lower() for place in concept.places):
            missing.append("setting")
            questions.append("Where does it take place?")
        missing.append("events")
        questions.append("What happens, and how should it end?")
        return ClarifyQuestions(missing=missing, questions=questions[:3])

    def write_story(self, idea: str, feedback: str = "", previous: StoryDraft | None = None) -> StoryDraft:
        if previous is None:
            text = _checked_text(idea, "idea")
            screenplay = parse_screenplay(text)
            draft = (
                story_from_screenplay(text, screenplay)
                if screenplay is not None
                else write_story_from_idea(without_shot_count(text) or text)
            )
        else:
            draft = previous
        if feedback.strip():
            draft = apply_story_feedback(draft, _checked_text(feedback, "feedback"))
        return draft

    def plan_shots(self, story: StoryDraft, num_shots: int | None, idea: str = "") -> ShotPlanDraft:
        if num_shots is not None and not 1 <= num_shots <= MAX_REQUESTED_SHOTS:
            raise EchoError(f"a plan needs between 1 and {MAX_REQUESTED_SHOTS} shots; got {num_shots}")
        self._own_lines = frozenset()
        for source in (story.screenplay, story.description):
            if source.strip() and (screenplay := parse_screenplay(source)) is not None:
                tone = tone_of_style(story.style, source)
                return plan_from_screenplay(screenplay, num_shots, tone, seed_of(source))
        plan = plan_from_story(story, num_shots or self.default_shots)
        self._own_lines = frozenset((line.speaker, line.text) for shot in plan.shots for line in shot.dialogue)
        return plan

    def fit_shot(self, plan: ShotPlanDraft, index: int, overflow: PromptOverflow) -> ShotSpec:
        if not 0 <= index < len(plan.shots):
            raise EchoError(f"the plan has {len(plan.shots)} shots; there is no shot {index + 1} to shorten")
        return fit_to_budgets(plan.shots[index], overflow, self._own_lines)

    def diagnose_revision(self, shot: ShotBrief, feedback: str) -> RevisionDiagnosis:
        return diagnose_feedback(shot, _checked_text(feedback, "feedback"))

    def critique(self, shot: ShotBrief) -> CritiqueVerdict:
        return critique_shot(shot)


def _checked_text(text: str, what: str) -> str:
    if not text or not text.strip():
        raise EchoError(f"the {what} is empty; type what you want (an idea, a screenplay, or feedback)")
    if len(text) > MAX_MESSAGE_CHARS:
        raise EchoError(f"the {what} has {len(text):,} characters; keep it under {MAX_MESSAGE_CHARS:,} (split it up)")
    return text.strip()
