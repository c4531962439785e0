"""The offline critic: deterministic checks of one shot and its caption (the caption contract of generator/caption.py:
anchors, declarations, labels, language, length and speech budget; at most two characters; dialogue that fits the
shot) and the obvious fix where there is one: a shot too short for its dialogue gets a duration that fits it (the
take's measured overflow once there is a take, an estimate from the words before, and the speech budget)."""

from __future__ import annotations

import re

from director.briefs import ShotBrief
from director.offline.timing import MAX_SHOT_S, shot_seconds, speech_seconds
from director.prompt_fit import frames_for_speech, speech_over_budget
from director.schemas import CritiqueVerdict, ShotEdit
from generator.prompt import prompt_problems
from generator.types import FPS, MAX_CHARACTERS_PER_SHOT

_ANCHOR_ID = re.compile(r"\bID_[A-Z]{1,2}\b")


def critique_shot(shot: ShotBrief) -> CritiqueVerdict:
    issues = prompt_problems(shot.prompt, shot.condition()) if shot.prompt else []
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
    fields = {"num_frames": shot.num_frames, "dialogue": [line.model_dump() for line in shot.dialogue]}
    budget_frames = frames_for_speech(fields) if speech_over_budget(fields) else None
    if budget_frames and budget_frames / FPS > max(shot.duration_s, fix.duration_s or 0.0 if fix else 0.0):
        fix = ShotEdit(duration_s=round(budget_frames / FPS, 2))  # the speech budget asks for more time
    return CritiqueVerdict(ok=not issues, issues=issues, fix=fix)
