"""Creator feedback applied to a story draft without an LLM: tone, renames, titles, endings, explicit text."""

from __future__ import annotations

import re
from collections.abc import Callable

from director.offline.story import ENDING_MARKERS, MOOD_SENTENCE, mood_sentence
from director.offline.story_concept import cast_entries, find_tone
from director.schemas import StoryDraft
from generator.errors import EchoError
from generator.text import upper_first

Edit = Callable[[StoryDraft, str], StoryDraft | None]

_REPLACE_ALL = re.compile(
    r"^(?:new (?:story|description)|the story (?:is|should be)|replace (?:the )?(?:story|description) with|"
    r"use this(?: story)? instead)\s*[:：]?\s*(?P<text>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_REPLACE_TEXT = re.compile(
    r"^(?:replace|change)\s+[\"“'](?P<old>[^\"”']+)[\"”']\s+(?:with|to|into)\s+[\"“'](?P<new>[^\"”']+)[\"”']\.?$",
    re.IGNORECASE,
)
_TITLE = re.compile(
    r"^(?:(?:change|set) the title to|(?:call|name|title) it|the title (?:is|should be)|title\s*[:：])\s*"
    r"[\"“']?(?P<title>[^\"”']+?)[\"”']?\.?$",
    re.IGNORECASE,
)
_RENAME = re.compile(
    r"\b(?:call|name|rename)\s+(?:the\s+)?(?P<who>[\w\u4e00-\u9fff]+(?:\s[\w\u4e00-\u9fff]+)?)\s+(?:to\s+|as\s+)?"
    r"(?P<new>[A-Z\u4e00-\u9fff][\w\u4e00-\u9fff'-]*)\s*\.?$",
    re.IGNORECASE,
)
_ENDING = re.compile(
    r"\b(?:change the ending|the ending should be|make it end|end the story|ending)\s*(?:to|so that|with|:|,)?\s*"
    r"(?P<ending>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_ENDING_SENTENCE = re.compile(rf"(?:{'|'.join(map(re.escape, ENDING_MARKERS))})[^.。\n]*[.。]")


def apply_story_feedback(draft: StoryDraft, feedback: str) -> StoryDraft:
    """The draft with every recognised edit applied; unrecognised feedback is added to the description."""
    feedback = " ".join(feedback.split())
    for whole_edit in (_replace_all, _replace_text, _retitle):
        if (edited := whole_edit(draft, feedback)) is not None:
            return edited
    edited = draft
    changed = False
    for edit in (_rename, _retone, _new_ending):
        if (result := edit(edited, feedback)) is not None:
            edited, changed = result, True
    if changed:
        return edited
    addition = upper_first(feedback)
    if not addition.endswith((".", "!", "?", "。", "！", "？")):
        addition += "."
    return _with_text(draft, _before_cast(draft.description, addition), draft.title, draft.screenplay)


def _replace_all(draft: StoryDraft, feedback: str) -> StoryDraft | None:
    if not (match := _REPLACE_ALL.match(feedback)):
        return None
    return draft.model_copy(update={"description": match["text"].strip()})


def _replace_text(draft: StoryDraft, feedback: str) -> StoryDraft | None:
    if not (match := _REPLACE_TEXT.match(feedback)):
        return None
    old, new = match["old"], match["new"]
    if not any(old in text for text in (draft.title, draft.description, draft.screenplay)):
        raise EchoError(f"{old!r} does not appear in the story; quote text exactly as it is written there")
    return _with_text(
        draft, draft.description.replace(old, new), draft.title.replace(old, new), draft.screenplay.replace(old, new)
    )


def _retitle(draft: StoryDraft, feedback: str) -> StoryDraft | None:
    if not (match := _TITLE.match(feedback)):
        return None
    return draft.model_copy(update={"title": match["title"].strip()[:200]})


def _rename(draft: StoryDraft, feedback: str) -> StoryDraft | None:
    if not (match := _RENAME.search(feedback)):
        return None
    who, new = match["who"], match["new"]
    old = _character_called(draft, who)
    if old is None:
        raise EchoError(f"no character matching {who!r} in the story; use a name or role that appears in its Cast line")

    def swap(text: str) -> str:
        text = re.sub(rf"(?<!\w){re.escape(old)}(?!\w)", new, text)
        return re.sub(rf"(?<!\w){re.escape(old.upper())}(?!\w)", new.upper(), text) if old.upper() != old else text

    return _with_text(draft, swap(draft.description), swap(draft.title), swap(draft.screenplay))


def _character_called(draft: StoryDraft, who: str) -> str | None:
    """The name of the character the creator means: a name in the story, or the one whose role matches."""
    everything = f"{draft.description}\n{draft.screenplay}"
    if re.search(rf"(?<!\w){re.escape(who)}(?!\w)", everything, re.IGNORECASE) and who[:1].isupper():
        return who
    for name, phrase in cast_entries(draft.description):
        if re.search(rf"\b{re.escape(who.lower())}\b", phrase.lower()):
            return name
    introduced = re.search(rf"\b([A-Z][\w'-]+),? (?:the|a|an) (?:[\w-]+ ){{0,3}}?{re.escape(who)}\b", everything)
    return introduced[1] if introduced else None


def _retone(draft: StoryDraft, feedback: str) -> StoryDraft | None:
    if (tone := find_tone(feedback)) is None:
        return None
    mood = mood_sentence(tone)
    description = (
        MOOD_SENTENCE.sub(mood, draft.description)
        if MOOD_SENTENCE.search(draft.description)
        else _before_cast(draft.description, mood)
    )
    return draft.model_copy(update={"description": description, "style": tone.style})


def _new_ending(draft: StoryDraft, feedback: str) -> StoryDraft | None:
    if not (match := _ENDING.search(feedback)):
        return None
    ending = match["ending"].strip().rstrip(".。")
    chinese = draft.language == "zh"
    sentence = f"{ENDING_MARKERS[1] if chinese else ENDING_MARKERS[0]}{ending}{'。' if chinese else '.'}"
    description = (
        _ENDING_SENTENCE.sub(sentence, draft.description, count=1)
        if _ENDING_SENTENCE.search(draft.description)
        else (_before_cast(draft.description, sentence))
    )
    return draft.model_copy(update={"description": description})


def _before_cast(description: str, sentence: str) -> str:
    """Add a sentence to the prose, keeping the Cast/Places lines last."""
    prose, newline, tail = description.partition("\nCast:")
    return f"{prose.rstrip()} {sentence}{newline}{tail}" if newline else f"{description.rstrip()} {sentence}"


def _with_text(draft: StoryDraft, description: str, title: str, screenplay: str) -> StoryDraft:
    return draft.model_copy(update={"description": description, "title": title[:200], "screenplay": screenplay})
