"""How many shots a creator's message asks for ("a 12 shot film", "…, 6 shots", "6个镜头")."""

from __future__ import annotations

import re

MAX_REQUESTED_SHOTS = 200
_COUNT = re.compile(r"\b(\d{1,3})[\s-]*(?:shots?\b|个镜头|镜头)", re.IGNORECASE)
_COUNT_PHRASE = re.compile(
    r"[,;(，；（]?\s*(?:(?:in|with|over|across)\s+)?(?:about\s+)?\d{1,3}[\s-]*(?:shots?\b|个镜头|镜头)\s*[)）]?",
    re.IGNORECASE,
)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?。，；！？])")


def requested_shot_count(text: str) -> int | None:
    """'a 12 shot film about ...' -> 12; None when the text asks for no plausible count."""
    match = _COUNT.search(text)
    return int(match.group(1)) if match and 1 <= int(match.group(1)) <= MAX_REQUESTED_SHOTS else None


def without_shot_count(text: str) -> str:
    """The idea without its length request, so '..., 6 shots' does not end up in the story itself."""
    if not _COUNT_PHRASE.search(text):
        return text.strip()
    text = _COUNT_PHRASE.sub(" ", text)
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.split()))
    return text.strip(" ,;，；")
