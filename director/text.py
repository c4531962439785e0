"""Small text helpers shared by the planner and the Director's messages (CJK-aware)."""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE_ENDS = (".", "!", "?", "。", "！", "？")


def has_cjk(text: str) -> bool:
    return bool(CJK.search(text))


def as_sentence(text: str) -> str:
    """One line, capitalised, ending in a full stop (。 after Chinese) unless it already ends a sentence."""
    text = " ".join(text.split()).strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(_SENTENCE_ENDS) else text + ("。" if has_cjk(text[-1:]) else ".")
