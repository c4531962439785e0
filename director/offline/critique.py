"""The offline critic: deterministic checks of one shot and its compiled prompt (card sentences present verbatim,
at most two characters, the length limit, a music statement, dialogue that fits the shot) and the obvious fix where
there is one: a shot too short for its dialogue gets a duration that fits it (the take's measured overflow once
there is a take, an estimate from the words before)."""

from __future__ import annotations

import re

from director.briefs import ShotBrief
from director.offline.timing import MAX_SHOT_S, shot_seconds, speech_seconds
from director.schemas import CritiqueVerdict, ShotEdit
from generator.prompt import ANCHOR_FIELDS, MAX_PROMPT_CHARS
from generator.types import MAX_CHARACTERS_PER_SHOT

_ANCHOR_ID = re.compile(r"\bID_[A-Z]{1,2}\b")
_MUSIC = re.compile(r"music|bgm", re.IGNORECASE)


def critique_shot(shot: ShotBrief) -> CritiqueVerdict:
    issues = _prompt_issues(shot) if shot.prompt else []
    ids = sorted({card.char_id for card in shot.characters} | set(_ANCHOR_ID.findall(shot.prompt)))
    if len(ids) > MAX_CHARACTERS_PER_SHOT:
        issues.append(f"{len(ids)} characters ({', '.join(ids)}) in one shot; keep at most {MAX_CHARACTERS_PER_SHOT}")
    fix = None
    if shot.take is not None:  # a take measured its speech: trust that over the estimate
        if shot.take.speech_overflow_s > 0:
            issues.append(f"the speech ran {shot.take.speech_overflow_s:.1f} s past the end of the last take")
            longer = shot_seconds(shot.duration_s + shot.take.speech_overflow_s)
            fix = ShotEdit(duration_s=longer) if longer > shot.duration_s else None
    elif (speech := sum(speech_seconds(line.text) for line in shot.dialogue)) > shot.duration_s:
        fits = speech <= MAX_SHOT_S
        remedy = "lengthen the shot" if fits else f"split the lines over two shots ({MAX_SHOT_S:.2f} s is the longest)"
        issues.append(f"{speech:.1f} s of dialogue does not fit the {shot.duration_s:.2f} s shot; {remedy}")
        fix = ShotEdit(duration_s=shot_seconds(speech)) if fits else None
    return CritiqueVerdict(ok=not issues, issues=issues, fix=fix)


def _prompt_issues(shot: ShotBrief) -> list[str]:
    issues = []
    prompt = " ".join(shot.prompt.split())
    for card in shot.characters:
        sentences = {name: " ".join(getattr(card, name).split()) for name in ANCHOR_FIELDS}
        missing = [name for name, text in sentences.items() if text and text not in prompt]
        if missing:
            issues.append(f"the prompt lacks {card.char_id}'s card sentence ({', '.join(missing)}) verbatim")
    if len(shot.prompt) > MAX_PROMPT_CHARS:
        issues.append(f"the prompt has {len(shot.prompt)} characters; shorten it to {MAX_PROMPT_CHARS}")
    if not _MUSIC.search(shot.prompt):
        issues.append("the prompt has no background-music statement")
    return issues
