"""The built-in planner used when no LLM endpoint is configured: deterministic rules over the user's text.

Routing is a table of patterns; stories and shot plans come from director/offline/story.py and story_shots.py
(one-line ideas) and director/offline/screenplay.py (pasted screenplays); director/offline/revision.py maps revision
feedback to condition fields clause by clause.
"""

from __future__ import annotations

import re

from director.offline.revision import diagnose_feedback, summary_dialogue, summary_fields, summary_seconds
from director.offline.screenplay import Screenplay, parse_screenplay, plan_from_screenplay
from director.offline.story import write_story_from_idea
from director.offline.story_concept import derive_concept, seed_of, tone_in, tone_of_style
from director.offline.story_edits import apply_story_feedback
from director.offline.story_shots import plan_from_story
from director.offline.timing import speech_seconds
from director.schemas import (
    ClarifyQuestions,
    CritiqueVerdict,
    RevisionDiagnosis,
    RouteDecision,
    ShotPlanDraft,
    StoryDraft,
)
from director.shot_count import MAX_REQUESTED_SHOTS, without_shot_count
from generator.errors import EchoError
from generator.prompt import MAX_PROMPT_CHARS
from generator.text import has_cjk
from generator.types import MAX_CHARACTERS_PER_SHOT

MAX_MESSAGE_CHARS = 100_000

_FILLER = r"(?:please|thanks|thank you|now|then|so|and|just|all|it|that|this|the|story|plan|shots?)"
_APPROVAL = (
    r"(?:yes|yeah|yep|yup|y|ok|okay|sure|approved?|confirm(?:ed)?|looks? (?:good|great|fine)|sounds good|lgtm|"
    r"go ahead|go for it|perfect|great|fine|good|do it|proceed|continue|👍|好的?|可以|继续|同意|没问题|行|确认|不错)"
)
_APPROVE = re.compile(rf"^(?:(?:{_APPROVAL}|{_FILLER})[\s,.!。！，~]*)+$", re.IGNORECASE)
_ORDINALS = {
    word: number
    for number, words in enumerate(
        [
            ("first", "one"),
            ("second", "two"),
            ("third", "three"),
            ("fourth", "four"),
            ("fifth", "five"),
            ("sixth", "six"),
            ("seventh", "seven"),
            ("eighth", "eight"),
            ("ninth", "nine"),
            ("tenth", "ten"),
            ("eleventh", "eleven"),
            ("twelfth", "twelve"),
        ],
        start=1,
    )
    for word in words
}
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_SHOT_REFERENCES = [
    re.compile(r"\bshot\s*(?:#|no\.?\s*|number\s*)?(?P<number>\d+)\b", re.IGNORECASE),
    re.compile(r"(?<![\w&])#\s*(?P<number>\d+)\b"),
    re.compile(rf"\b(?:the\s+)?(?P<word>{'|'.join(_ORDINALS)}|last)\s+shot\b", re.IGNORECASE),
    re.compile(rf"\bshot\s+(?P<word>{'|'.join(_ORDINALS)})\b", re.IGNORECASE),
    re.compile(r"第\s*(?P<number>\d+|[一二两三四五六七八九十]+)\s*个?(?:镜头|场戏|个镜头)"),
    re.compile(r"镜头\s*(?P<number>\d+)"),
]
_EXPORT = re.compile(r"\bexport\b|\bdownload\b|\bfinal (?:film|video|cut|movie)\b|导出|成片", re.IGNORECASE)
_GENERATE = re.compile(
    r"\b(?:generate|render|regenerate|continue|make the (?:shots|video|film|movie)|start (?:generating|rendering|"
    r"shooting|the shots))\b|生成|渲染|开始拍",
    re.IGNORECASE,
)
_CARD_ATTRIBUTE = (
    r"(?:coat|hair|eyes?|dress|voice|face|clothes|clothing|shirt|hat|jacket|look|looks|outfit|age|beard|cloak|robe|"
    r"boots|scarf|glasses|skin|costume|appearance)"
)
_EDIT_CARD = re.compile(
    rf"\b[A-Z][\w-]*'s\s+(?:\w+\s+){{0,2}}{_CARD_ATTRIBUTE}\b|\b(?:character|scene) card\b|"
    rf"\b[A-Z][\w-]+ should (?:wear|have|look|sound)\b|的(?:衣服|外套|头发|声音|样子)"
)
_EDIT_STORY = re.compile(
    r"\bmake (?:it|the story) (?:\w+er|more|less|a bit)\b|\bchange the (?:ending|beginning|story|title|plot|tone)\b|"
    r"\b(?:call|name|rename) (?:the )?\w+|\b(?:darker|lighter|funnier|scarier|happier|sadder)\b|\binstead\b|"
    r"\breplace\b|\bthe (?:story|ending|title|plot)\b|故事|结局|标题|更(?:黑暗|搞笑|温暖|浪漫)",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"[?？]\s*$|^(?:what|how|why|when|where|who|which|can|could|is|are|does|do|did|will|should|would)\b|吗\s*$|"
    r"什么|怎么|为什么|多少",
    re.IGNORECASE,
)
_NO_STORY = re.compile(r"\bno story\b|^\s*$", re.IGNORECASE)
_PENDING = re.compile(r"pending question|question pending|waiting for (?:an? )?(?:answer|reply)", re.IGNORECASE)
_SHOT_COUNT = re.compile(r"(\d+) shots? planned", re.IGNORECASE)
_GENERIC_WORDS = frozenset(
    [
        "a", "an", "the", "make", "create", "write", "generate", "give", "me", "please", "video", "film", "movie",
        "story", "clip", "something", "anything", "cool", "nice", "good", "short", "long", "about", "of", "with", "for",
        "some", "kind", "sort", "i", "want", "would", "like", "to", "do", "can", "you", "it", "one", "new", "great",
        "awesome", "fun", "my"
    ]
)  # fmt: skip


class OfflinePlanner:
    """The Planner protocol without a language model; the same input always gives the same output."""

    def __init__(self, default_shots: int = 6) -> None:
        self.default_shots = default_shots

    def route(self, message: str, context: str) -> RouteDecision:
        text = _checked_text(message, "message")
        has_story = not _NO_STORY.search(context or "")
        if parse_screenplay(text) is not None:
            return RouteDecision(intent="new_story", feedback=text)
        if (number := _shot_number(text, context)) is not None:
            return RouteDecision(intent="revise_shot", shot_number=number, feedback=_without_shot_reference(text))
        if _APPROVE.match(text):
            confirmed = has_story and "not confirmed" not in context.lower() and "confirmed" in context.lower()
            is_continue = text.strip(" .!。").lower() in {"continue", "继续"}
            return RouteDecision(intent="generate" if confirmed and is_continue else "approve", feedback=text)
        if _EXPORT.search(text):
            return RouteDecision(intent="export", feedback=text)
        if _GENERATE.search(text):
            return RouteDecision(intent="generate", feedback=text)
        if has_story and _EDIT_CARD.search(text):
            return RouteDecision(intent="edit_card", feedback=text)
        if has_story and _EDIT_STORY.search(text):
            return RouteDecision(intent="edit_story", feedback=text)
        if _QUESTION.search(text):
            return RouteDecision(intent="question", feedback=text, reply=_offline_reply(context))
        if _PENDING.search(context or "") or has_story:
            return RouteDecision(intent="answer", feedback=text)
        return RouteDecision(intent="new_story", feedback=text)

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
                _story_from_screenplay(text, screenplay)
                if screenplay is not None
                else write_story_from_idea(without_shot_count(text) or text)
            )
        else:
            draft = previous
        if feedback.strip():
            draft = apply_story_feedback(draft, _checked_text(feedback, "feedback"))
        return draft

    def plan_shots(self, story: StoryDraft, num_shots: int | None) -> ShotPlanDraft:
        if num_shots is not None and not 1 <= num_shots <= MAX_REQUESTED_SHOTS:
            raise EchoError(f"a plan needs between 1 and {MAX_REQUESTED_SHOTS} shots; got {num_shots}")
        for source in (story.screenplay, story.description):
            if source.strip() and (screenplay := parse_screenplay(source)) is not None:
                tone = tone_of_style(story.style, source)
                return plan_from_screenplay(screenplay, num_shots, tone, seed_of(source))
        return plan_from_story(story, num_shots or self.default_shots)

    def diagnose_revision(self, shot_summary: str, feedback: str) -> RevisionDiagnosis:
        return diagnose_feedback(shot_summary, _checked_text(feedback, "feedback"))

    def critique(self, shot_summary: str, prompt: str) -> CritiqueVerdict:
        shot = summary_fields(shot_summary)
        issues: list[str] = []
        anchors = sorted(set(re.findall(r"\bID_[A-Z]{1,2}\b", prompt)))
        if len(anchors) > MAX_CHARACTERS_PER_SHOT:
            issues.append(f"{len(anchors)} characters ({', '.join(anchors)}) in one shot; keep at most two")
        if len(prompt) > MAX_PROMPT_CHARS:
            issues.append(f"the prompt has {len(prompt)} characters; shorten it to {MAX_PROMPT_CHARS}")
        if prompt and not re.search(r"music|bgm", prompt, re.IGNORECASE):
            issues.append("the prompt has no background-music statement")
        speech = sum(speech_seconds(line.text) for line in summary_dialogue(shot))
        duration = summary_seconds(shot)
        if duration and speech > duration:
            issues.append(f"{speech:.1f} s of dialogue does not fit the {duration:g} s shot; shorten it or lengthen it")
        return CritiqueVerdict(ok=not issues, issues=issues)


def _checked_text(text: str, what: str) -> str:
    if not text or not text.strip():
        raise EchoError(f"the {what} is empty; type what you want (an idea, a screenplay, or feedback)")
    if len(text) > MAX_MESSAGE_CHARS:
        raise EchoError(f"the {what} has {len(text):,} characters; keep it under {MAX_MESSAGE_CHARS:,} (split it up)")
    return text.strip()


def _shot_number(text: str, context: str) -> int | None:
    for pattern in _SHOT_REFERENCES:
        if match := pattern.search(text):
            groups = match.groupdict()
            if groups.get("number"):
                return _number(groups["number"])
            word = groups["word"].lower()
            if word == "last":
                counted = _SHOT_COUNT.search(context or "")
                return int(counted[1]) if counted else None
            return _ORDINALS[word]
    return None


def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token.startswith("十"):  # 十, 十二
        return 10 + (_ZH_DIGITS.get(token[1:], 0) if len(token) > 1 else 0)
    if "十" in token:  # 二十, 二十三
        tens, _, ones = token.partition("十")
        return _ZH_DIGITS[tens] * 10 + (_ZH_DIGITS.get(ones, 0))
    return _ZH_DIGITS[token]


def _without_shot_reference(text: str) -> str:
    for pattern in _SHOT_REFERENCES:
        text = pattern.sub("", text, count=1) if pattern.search(text) else text
    cleaned = re.sub(r"^(?:\W+|(?:in|for|on|of|at)\b\s*)+", "", " ".join(text.split()), flags=re.IGNORECASE)
    return cleaned or text


def _offline_reply(context: str) -> str:
    state = context.strip() or "There is no project yet."
    return (
        f"{state} (Offline mode: no LLM is configured.) Tell me an idea or paste a screenplay and I will write the "
        "story and plan the shots; say 'go ahead' to approve, 'shot N ...' to revise one shot, or 'export' for the "
        "film."
    )


def _story_from_screenplay(text: str, screenplay: Screenplay) -> StoryDraft:
    scenes = [scene.name for scene in screenplay.scenes]
    opening = next((beat.text for scene in screenplay.scenes for beat in scene.beats if not beat.speaker), "")
    description = (
        f"A screenplay in {len(scenes)} scene{'s' if len(scenes) != 1 else ''} ({', '.join(scenes)}) with "
        f"{', '.join(screenplay.characters) or 'no speaking characters'}."
        + (f" It opens: {opening}" if opening else "")
    )
    return StoryDraft(
        title=(screenplay.title or scenes[0])[:200],
        description=description,
        style=tone_in(text).style,
        screenplay=text,
        language="zh" if has_cjk(text) else "en",
    )
