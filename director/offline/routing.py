"""Offline routing: one RouteDecision per message, from English and Chinese patterns read against the project
brief's typed fields (story, cast, scenes, shots, pending question), never against formatted text.

The order settles overlaps: a pasted screenplay, undo and rollback, approval, questions; then, with a story, shot
structure, and for a message naming a shot its fields or free feedback, else cast changes, export and generate,
card edits and story edits. A message that clearly asks for something no pattern can apply gets `cannot`, never a
guess."""

from __future__ import annotations

import re

from director.briefs import ProjectBrief
from director.offline.answers import answer, is_question
from director.offline.cannot import cannot
from director.offline.card_edits import card_edit_decision
from director.offline.cast_changes import cast_decision
from director.offline.references import ShotRef, cards_named, shaped, shot_refs, target_card
from director.offline.screenplay import parse_screenplay
from director.offline.shot_fields import shot_edit_decision
from director.offline.story_concept import find_tone
from director.offline.structure import history_decision, structure_decision
from director.schemas import RouteDecision

_FILLER = r"(?:please|thanks|thank you|now|then|so|and|just|all|it|that|this|the|story|plan|shots?)"
_APPROVAL = (
    r"(?:yes|yeah|yep|yup|y|ok|okay|sure|approved?|confirm(?:ed)?|looks? (?:good|great|fine)|sounds good|lgtm|"
    r"go ahead|go for it|perfect|great|fine|good|do it|proceed|continue|👍|好的?|可以|继续|同意|没问题|行|确认|不错)"
)
_APPROVE = re.compile(rf"^(?:(?:{_APPROVAL}|{_FILLER})[\s,.!。！，~]*)+$", re.IGNORECASE)
_CONTINUE = re.compile(r"^(?:continue|继续)[\s.!。！]*$", re.IGNORECASE)
_POLITE = re.compile(
    r"^(?:(?:please|pls|kindly|can you|could you|would you|will you|can we|could we|let's|lets|"
    r"i (?:want|would like|'d like) (?:you )?to|i'd like (?:you )?to|请|麻烦你?|帮我|帮忙|能不能|能否|可不可以|可以)"
    r"\s*[,，]?\s*)+",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"(?:[\s,，]*(?:please|thanks|thank you|for me|吧|吗|好吗|可以吗|谢谢))*[\s.!?。！？~]*$", re.I)
_EXPORT = re.compile(r"\bexport\b|\bdownload\b|\bfinal (?:film|video|cut|movie)\b|导出|成片", re.IGNORECASE)
_GENERATE = re.compile(
    r"\b(?:generate|render|regenerate|re-generate|re-render|rerender|continue|make the (?:shots|video|film|movie)|"
    r"start (?:generating|rendering|shooting|the shots))\b|重新生成|生成|渲染|开始拍|重拍",
    re.IGNORECASE,
)
_ALL_SHOTS = re.compile(r"\b(?:all|every|each)\b(?:\s+(?:the|of the))?\s+shots?\b|所有|全部|每个镜头", re.I)
_GENERATE_ONE = re.compile(
    r"^(?:re-?generate|re-?render|rerender|generate|render|redo|reshoot)\s+§(?:\s+again)?$|^(?:重新生成|生成|重拍|渲染)§$|"
    r"^(?:把)?§(?:重新生成|重拍|再生成一次)(?:一下|一次)?$",
    re.IGNORECASE,
)
_STORY_WORDS = re.compile(
    r"\bmake (?:it|the story) (?:\w+er|more|less|a bit)\b|\bchange the (?:ending|beginning|story|title|plot|tone)\b|"
    r"\b(?:call|name|rename) (?:the )?\w+|\b(?:darker|lighter|funnier|scarier|happier|sadder)\b|\binstead\b|"
    r"\breplace\b|\bthe (?:story|ending|title|plot)\b|故事|结局|标题|更(?:黑暗|搞笑|温暖|浪漫)",
    re.IGNORECASE,
)
# The story edits director/offline/story_edits.py applies; with shots planned, other story rewrites are refused.
_STORY_EDITS = re.compile(
    r"^(?:new (?:story|description)|the story (?:is|should be)|replace (?:the )?(?:story|description) with|"
    r"use this(?: story)? instead)\b|^(?:replace|change)\s+[\"“'].+[\"”']\s+(?:with|to|into)\s+[\"“']|"
    r"^(?:(?:change|set) the title to|(?:call|name|title) it|the title (?:is|should be)|title\s*[:：])|"
    r"\b(?:change the ending|the ending should be|make it end|end the story)\b",
    re.IGNORECASE,
)
_TONE_REQUEST = re.compile(
    r"^(?:make\s+(?:it|the story|the film|the whole thing|everything)\s+)?(?:a bit\s+|more\s+|much\s+)?"
    r"(?P<tone>[\w-]+)(?:\s+(?:tone|mood))?$|^(?:故事)?(?:更|变得更?)(?P<zh>\S+?)(?:一点|一些)?$",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"^(?:make|change|set|turn|add|remove|delete|replace|rewrite|give|let|put|move|swap|split|merge|fix|improve|"
    r"update|edit|use|switch|drop|cut|insert|create|rename|write|shorten|lengthen|increase|decrease|reduce|take)\b|"
    r"\bshould\b|^(?:把|让|改|换|删|加|添加|去掉|增加|移|调|将)",
    re.IGNORECASE,
)
_STORY_NOUN = re.compile(r"\b(?:story|plot|ending|title|synopsis)\b|故事|剧情|结局|标题", re.IGNORECASE)
_SHOT_OPENER = re.compile(r"^[\s:：,，.。-]*(?:(?:in|for|on|of|at)\b\s*)?[\s:：,，的]*", re.IGNORECASE)
_SHOT_SUBJECT = re.compile(
    r"^(?:is|are|looks?|feels?|seems?|sounds?|should|needs?|has|was|could|must|would|has to)\b", re.IGNORECASE
)


def route_message(text: str, brief: ProjectBrief) -> RouteDecision:
    if parse_screenplay(text) is not None:
        return RouteDecision(intent="new_story", feedback=text)
    polite, command = _command(text)
    refs = shot_refs(command, len(brief.shots))
    shape = shaped(command, refs)
    if (decision := history_decision(command, shape, refs, brief)) is not None:
        return decision
    if _APPROVE.match(text):
        go_on = brief.story is not None and brief.story.confirmed and _CONTINUE.match(text) is not None
        return RouteDecision(intent="generate" if go_on else "approve", feedback=text)
    if is_question(command if polite else text):
        return RouteDecision(intent="question", feedback=text, reply=answer(text, brief))
    if brief.story is None:
        return RouteDecision(intent="answer" if brief.pending_question else "new_story", feedback=text)
    if (decision := structure_decision(command, shape, refs, brief)) is not None:
        return decision
    if refs:
        return _about_a_shot(command, shape, refs, brief)
    return _about_the_project(command, brief)


def _command(text: str) -> tuple[bool, str]:
    """Whether the message opens politely ('can you', '请'), and the request without that and trailing courtesy."""
    flat = " ".join(text.split())
    stripped = _POLITE.sub("", flat, count=1)
    command = _TRAILING.sub("", stripped).strip() or flat
    return stripped != flat, command


def _about_a_shot(command: str, shape: str, refs: list[ShotRef], brief: ProjectBrief) -> RouteDecision:
    number = refs[0].number
    if _GENERATE_ONE.match(shape):
        return RouteDecision(intent="generate", shot_number=number, feedback=command)
    if len(refs) == 1 and (decision := shot_edit_decision(command, shape, number, brief)) is not None:
        return decision
    return RouteDecision(intent="revise_shot", shot_number=number, feedback=_feedback(command, refs[0]))


def _about_the_project(command: str, brief: ProjectBrief) -> RouteDecision:
    planned = bool(brief.characters or brief.shots)
    if planned and (decision := cast_decision(command, brief)) is not None:
        return decision
    if _EXPORT.search(command):
        return RouteDecision(intent="export", feedback=command)
    if _GENERATE.search(command):
        return RouteDecision(intent="generate", all_shots=bool(_ALL_SHOTS.search(command)), feedback=command)
    if planned and (decision := card_edit_decision(command, brief)) is not None:
        return decision
    if not brief.shots and _STORY_WORDS.search(command):
        return RouteDecision(intent="edit_story", feedback=command)
    if brief.shots and _is_story_edit(command):
        return RouteDecision(intent="edit_story", feedback=command)
    if brief.pending_question:
        return RouteDecision(intent="answer", feedback=command)
    if brief.shots and (refused := _refused(command, brief)) is not None:
        return refused
    return RouteDecision(intent="answer", feedback=command)


def _is_story_edit(command: str) -> bool:
    if _STORY_EDITS.search(command):
        return True
    tone = _TONE_REQUEST.match(command)
    return tone is not None and find_tone(tone["tone"] or tone["zh"]) is not None


def _refused(command: str, brief: ProjectBrief) -> RouteDecision | None:
    """`cannot` for a clear request no offline pattern applies to; None for a message that is not a request. A
    request about one character is about their card; one naming the story, or several characters, about the story."""
    request = _REQUEST.search(command) is not None
    card = target_card(command, brief)
    about_story = _STORY_NOUN.search(command) is not None or len(cards_named(command, brief)) > 1
    if request and card and not about_story:
        return cannot(
            f"I couldn't tell which part of {card.name}'s card (identity, appearance, clothing or voice) to "
            "change, or how.",
            "Cards",
            hint=f"Say it as '{card.name} wears a red scarf', '{card.name}'s voice should be deep', "
            f"'{card.name}'s hair should be grey' or '{card.name} is a man'.",
        )
    if _STORY_WORDS.search(command) or (request and (about_story or card)):
        return _story_refused()
    if request:
        return cannot(
            "I couldn't work out what to change from that.",
            "Story",
            "Cards",
            "Shot inspector",
            hint="Name the shot ('shot 3: ...') or the character ('Mae wears ...'); 'help' lists what I understand.",
        )
    return None


def _story_refused() -> RouteDecision:
    return cannot(
        "With shots planned, I can only change the story's tone, title or ending, or replace it.",
        "Story",
        hint="Say 'make it darker', 'change the title to ...' or 'change the ending to ...'.",
    )


def _feedback(command: str, ref: ShotRef) -> str:
    """The feedback without the shot reference: 'shot 3: make it a close-up' -> 'make it a close-up'; a reference
    that is the subject becomes 'it' ('the third shot is too dark' -> 'it is too dark')."""
    before, after = command[: ref.start].strip(), command[ref.end :]
    if before and not re.fullmatch(r"(?:in|for|on|of|at)", before, re.IGNORECASE):
        text = f"{command[: ref.start]}it{after}"
    else:
        rest = _SHOT_OPENER.sub("", after, count=1)
        text = f"it {rest}" if _SHOT_SUBJECT.match(rest) else rest
    return " ".join(text.split()) or command
