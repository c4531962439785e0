"""Small text helpers shared by the planner and the Director's messages (CJK-aware)."""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE_ENDS = (".", "!", "?", "。", "！", "？")


def has_cjk(text: str) -> bool:
    return bool(CJK.search(text))


def upper_first(text: str) -> str:
    """The text with its first letter capitalised and the rest as written ("in Paris" -> "In Paris")."""
    return text[:1].upper() + text[1:]


def as_sentence(text: str) -> str:
    """One line, capitalised, ending in a full stop (。 after Chinese) unless it already ends a sentence."""
    text = upper_first(" ".join(text.split()).strip())
    return text if text.endswith(_SENTENCE_ENDS) else text + ("。" if has_cjk(text[-1:]) else ".")


def clip(text: str, limit: int) -> str:
    """One line of at most `limit` characters, ending in "…" when it was cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """The text without control characters (escape sequences, NUL, bell), for printing to a terminal."""
    return _CONTROL.sub("", text)
