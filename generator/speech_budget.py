"""How long dialogue takes to say, estimated from its text: a backend that cannot measure its speech (echo) still
reports when the lines will not fit the shot, so the critic can lengthen it or the planner can split it.

Rates are those of natural, unhurried delivery: 2.5 words a second for space-separated languages, 4 characters
a second for Chinese and Japanese; a short pause between lines and a little room before the first and after the
last, as the preview lays lines out.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.text import CJK
from generator.types import DialogueLine

WORDS_PER_S = 2.5
CJK_CHARACTERS_PER_S = 4.0
PAUSE_BETWEEN_LINES_S = 0.3
ROOM_AROUND_LINES_S = 0.5  # before the first line and after the last, together


def line_seconds(text: str) -> float:
    """Seconds one line takes: its CJK characters at CJK_CHARACTERS_PER_S, its other words at WORDS_PER_S."""
    characters = len(CJK.findall(text))
    words = len(CJK.sub(" ", text).split())
    return characters / CJK_CHARACTERS_PER_S + words / WORDS_PER_S


def dialogue_seconds(lines: Sequence[DialogueLine]) -> float:
    """Seconds the lines need in one shot, pauses and room included; 0 for a silent shot."""
    if not lines:
        return 0.0
    spoken = sum(line_seconds(line.text) for line in lines)
    return spoken + PAUSE_BETWEEN_LINES_S * (len(lines) - 1) + ROOM_AROUND_LINES_S


def speech_overflow_s(lines: Sequence[DialogueLine], duration_s: float) -> float:
    """Estimated seconds of dialogue that do not fit a shot of `duration_s` (0 when they fit)."""
    return round(max(0.0, dialogue_seconds(lines) - duration_s), 3)
