"""Creator feedback applied to a story draft without an LLM: tone, renames, titles, endings, explicit text.

Edits change the draft's cast, places and beats along with its prose. Feedback no edit recognises leaves the draft
unchanged, so the caller can tell the creator it was not understood instead of pasting it into the story.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from director.offline.cast import find_roles
from director.offline.story import ENDING_MARKERS, MOOD_SENTENCE, mood_sentence
from director.offline.story_concept import cast_entries, find_tone
from director.schemas import CastEntry, StoryDraft
from generator.errors import EchoError

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
    r"^(?:please\s+)?(?:(?:change|set) the title to|(?:call|name|title) it|the title (?:is|should be)|title\s*[:：])\s*"
    r"[\"“']?(?P<title>[^\"”']+?)[\"”']?\.?$",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"[A-Z\u4e00-\u9fff][\w'-]*")
# "rename Felix to Mae", "call the wizard Merlin", "name the old wizard Ada Stone": the new name ends the clause,
# which opens the feedback or follows a conjunction, so "...they name the baby Rose" in a new ending is no rename
_RENAME = re.compile(
    r"(?:^|[,;.!]\s*|\b(?i:and|so|then|also|just|please)\s+)(?i:rename|call|name)\s+(?:(?i:the)\s+)?(?!(?i:it|him|her|them)\b)"
    r"(?P<rest>.+?)(?=\s*(?:[,;.!]|\band\b|$))"
)
_ZH_RENAME = re.compile(
    r"(?:^|[，。；,;]\s*)请?(?:把|将|给)?(?P<who>[^，。；,;\s]+?)(?:的名字)?(?:改名为|改名叫|改名成|重命名为|改叫|"
    r"的名字改(?:为|成))\s*(?P<new>[\w'-]+(?: [A-Z][\w'-]*)?)"
)
_ENDING = re.compile(
    r"\b(?:change the ending|the ending should be|make it end|end the story|ending(?=\s*(?:[:：]|with\b|so that\b)))"
    r"\s*(?:to|so that|with|:|：|,)?\s*(?P<ending>.+)$|(?:把)?结局(?:改成|改为|换成|应该是)\s*(?P<zh>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_ENDING_SENTENCE = re.compile(rf"(?:{'|'.join(map(re.escape, ENDING_MARKERS))})[^.。\n]*[.。]")


def apply_story_feedback(draft: StoryDraft, feedback: str) -> StoryDraft:
    """The draft with every recognised edit applied; the same draft when no edit recognises the feedback."""
    feedback = " ".join(feedback.split())
    for whole_edit in (_replace_all, _replace_text, _retitle):
        if (edited := whole_edit(draft, feedback)) is not None:
            return edited
    edited = draft
    for edit in (_rename, _retone, _new_ending):
        edited = edit(edited, feedback) or edited
    return edited


def _replace_all(draft: StoryDraft, feedback: str) -> StoryDraft | None:
    """A new story: what listed the old one's people, places and events (and its screenplay) goes with it."""
    if not (match := _REPLACE_ALL.match(feedback)):
        return None
    return draft.model_copy(
        update={"description": match["text"].strip(), "screenplay": "", "cast": [], "places": [], "beats": []}
    )


def _replace_text(draft: StoryDraft, feedback: str) -> StoryDraft | None:
    if not (match := _REPLACE_TEXT.match(feedback)):
        return None
    old, new = match["old"], match["new"]
    if not any(old in text for text in _texts(draft)):
        raise EchoError(f"{old!r} does not appear in the story; quote text exactly as it is written there")
    return _rewritten(draft, lambda text: text.replace(old, new))


def _retitle(draft: StoryDraft, feedback: str) -> StoryDraft | None:
    if not (match := _TITLE.match(feedback)):
        return None
    return draft.model_copy(update={"title": match["title"].strip()[:200]})


def _rename(draft: StoryDraft, feedback: str) -> StoryDraft | None:
    if zh := _ZH_RENAME.search(feedback):
        candidates = [(zh["who"], zh["new"])]
    elif english := _RENAME.search(feedback):
        candidates = _name_splits(english["rest"])
    else:
        return None
    if not candidates:
        return None
    for who, new in candidates:
        if (old := _character_called(draft, who)) is not None:
            return _rewritten(draft, partial(_swap_name, old=old, new=new))
    raise EchoError(
        f"no character matching {candidates[0][0]!r} in the story; use a name or role from its cast "
        f"({', '.join(entry.name for entry in _cast(draft)) or 'nobody is listed'})"
    )


def _name_splits(rest: str) -> list[tuple[str, str]]:
    """(who, new name) readings of the words after the verb: the one or two words after 'to'/'as' ('Felix to Mae');
    else the capitalised words after the last lowercase one ('old wizard Ada Stone'); else, all being capitalised
    ('Ada Stone Vera'), the last word or the last two, the caller keeping the reading whose first part is someone."""
    if separated := re.fullmatch(r"(?P<who>.+?)\s+(?i:to|as)\s+(?P<new>\S+(?: \S+)?)", rest):
        return [(separated["who"], separated["new"])]
    words = rest.split()
    named = len(words)
    while named and _NAME_WORD.fullmatch(words[named - 1]):
        named -= 1
    if named:
        return [(" ".join(words[:named]), " ".join(words[named:]))] if 1 <= len(words) - named <= 2 else []
    return [(" ".join(words[:-size]), " ".join(words[-size:])) for size in (1, 2) if size < len(words)]


def _character_called(draft: StoryDraft, who: str) -> str | None:
    """The name of the character the creator means: a name in the cast or the story, or the one whose role matches."""
    cast = _cast(draft)
    wanted = who.casefold()
    for entry in cast:
        if wanted == entry.name.casefold() or wanted in entry.name.casefold().split():
            return entry.name
    everything = "\n".join(_texts(draft))
    if who[:1].isupper() and re.search(rf"(?<![^\W\u4e00-\u9fff]){re.escape(who)}(?![^\W\u4e00-\u9fff])", everything):
        return who
    roles = {role.noun for _, _, role in find_roles(who)}
    for entry in cast:
        described = entry.description.lower()
        if re.search(rf"\b{re.escape(wanted)}\b", described) or roles & {hit[2].noun for hit in find_roles(described)}:
            return entry.name
    introduced = re.search(rf"\b([A-Z][\w'-]+),? (?:the|a|an) (?:[\w-]+ ){{0,3}}?{re.escape(who)}\b", everything)
    return introduced[1] if introduced else None


def _swap_name(text: str, old: str, new: str) -> str:
    """`old` replaced by `new` wherever it stands as a name (also in a screenplay's capitalised cues); Chinese text
    has no spaces, so only letters of other scripts bound a name."""
    spellings = "|".join(dict.fromkeys(map(re.escape, (old, old.upper()))))
    pattern = rf"(?<![^\W\u4e00-\u9fff])(?:{spellings})(?![^\W\u4e00-\u9fff])"
    return re.sub(pattern, lambda match: new if match[0] == old else new.upper(), text)


def _retone(draft: StoryDraft, feedback: str) -> StoryDraft | None:
    if (tone := find_tone(feedback)) is None:
        return None
    language = "zh" if draft.language.startswith("zh") else "en"
    mood = mood_sentence(tone, language)
    description = (
        MOOD_SENTENCE.sub(mood, draft.description)
        if MOOD_SENTENCE.search(draft.description)
        else _before_cast(draft.description, mood)
    )
    return draft.model_copy(update={"description": description, "style": tone.style_in(language)})


def _new_ending(draft: StoryDraft, feedback: str) -> StoryDraft | None:
    if not (match := _ENDING.search(feedback)):
        return None
    ending = (match["ending"] or match["zh"]).strip().rstrip(".。")
    chinese = draft.language == "zh"
    sentence = f"{ENDING_MARKERS[1] if chinese else ENDING_MARKERS[0]}{ending}{'。' if chinese else '.'}"
    description = (
        _ENDING_SENTENCE.sub(sentence, draft.description, count=1)
        if _ENDING_SENTENCE.search(draft.description)
        else _before_cast(draft.description, sentence)
    )
    beats = draft.beats
    if beats:
        beats = [*beats[:-1], sentence] if beats[-1].startswith(ENDING_MARKERS) else [*beats, sentence]
    return draft.model_copy(update={"description": description, "beats": beats})


def _before_cast(description: str, sentence: str) -> str:
    """Add a sentence to the prose, keeping the Cast/Places lines of a story saved before drafts listed them last."""
    prose, newline, tail = description.partition("\nCast:")
    return f"{prose.rstrip()} {sentence}{newline}{tail}" if newline else f"{description.rstrip()} {sentence}"


def _cast(draft: StoryDraft) -> list[CastEntry]:
    return draft.cast or cast_entries(draft.description)


def _texts(draft: StoryDraft) -> list[str]:
    people = [text for entry in draft.cast for text in (entry.name, entry.description)]
    return [draft.title, draft.description, draft.screenplay, *people, *draft.places, *draft.beats]


def _rewritten(draft: StoryDraft, change: Callable[[str], str]) -> StoryDraft:
    """The draft with `change` applied to every text it holds: title, prose, screenplay, cast, places and beats."""
    cast = [CastEntry(name=change(entry.name), description=change(entry.description)) for entry in draft.cast]
    return draft.model_copy(
        update={
            "title": change(draft.title)[:200],
            "description": change(draft.description),
            "screenplay": change(draft.screenplay),
            "cast": cast,
            "places": [change(place) for place in draft.places],
            "beats": [change(beat) for beat in draft.beats],
        }
    )
