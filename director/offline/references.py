"""What a message points at, read against the project brief: shot numbers (digits, ordinals, 'the last shot', 镜头4,
第四个镜头), the cast members and scenes it names (by name, id or a role word of their card), and seconds."""

from __future__ import annotations

import re
from dataclasses import dataclass

from director.briefs import CardBrief, ProjectBrief, SceneBrief
from director.offline.vocabulary import ROLE_SYNONYMS

ORDINALS = {
    word: number
    for number, word in enumerate(
        ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
         "twelfth"],
        start=1,
    )
}  # fmt: skip
CARDINALS = {
    word: number
    for number, word in enumerate(
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"], start=1
    )
}
ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
ZH_NUMBER = r"\d+|[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九]"
NUMBER = rf"\d+|{'|'.join(CARDINALS)}|{ZH_NUMBER}"
_PLACEHOLDER = "§"  # where a shot reference stood in a message's shape
_LATIN_BEFORE = r"(?<![A-Za-z0-9_\u00c0-\u024f])"  # a name next to Chinese text is still a whole word
_LATIN_AFTER = r"(?![A-Za-z0-9_\u00c0-\u024f])"
_ROLE_REFERENCE = re.compile(r"\b(?:the|our|my)\s+([a-z]+)\b", re.IGNORECASE)
_SHOT_REFERENCES = [
    re.compile(r"\b(?:the\s+)?shot\s*(?:#|no\.?\s*|number\s*)?(?P<number>\d+)\b", re.IGNORECASE),
    re.compile(r"(?<![\w&])#\s*(?P<number>\d+)\b"),
    re.compile(r"\b(?:the\s+)?(?P<number>\d+)(?:st|nd|rd|th)\s+shot\b", re.IGNORECASE),
    re.compile(rf"\b(?:the\s+)?(?P<word>{'|'.join(ORDINALS)}|last|final)\s+shot\b", re.IGNORECASE),
    re.compile(rf"\bshot\s+(?P<word>{'|'.join(CARDINALS)})\b", re.IGNORECASE),
    re.compile(rf"第\s*(?P<number>{ZH_NUMBER})\s*个?(?:镜头|分镜)"),
    re.compile(rf"(?:镜头|分镜)\s*(?P<number>{ZH_NUMBER})"),
    re.compile(r"最后(?:一个|的)?(?:镜头|分镜)"),
]
_SECONDS = re.compile(
    rf"(?<![A-Za-z])(?P<amount>\d+(?:\.\d+)?|{'|'.join(CARDINALS)}|{ZH_NUMBER})\s*(?:s|secs?|seconds?|秒钟?)(?![A-Za-z])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ShotRef:
    start: int
    end: int
    number: int | None  # None for 'the last shot' of a project without shots


def shot_refs(text: str, shot_count: int) -> list[ShotRef]:
    """Every shot the text names, in order; 'the last shot' is shot `shot_count`."""
    found: list[ShotRef] = []
    for pattern in _SHOT_REFERENCES:
        for match in pattern.finditer(text):
            if any(match.start() < ref.end and ref.start < match.end() for ref in found):
                continue
            groups = match.groupdict()
            word = (groups.get("word") or "").lower()
            if groups.get("number"):
                number: int | None = count_of(groups["number"])
            elif word in ORDINALS or word in CARDINALS:
                number = ORDINALS.get(word) or CARDINALS[word]
            else:  # the last or final shot
                number = shot_count or None
            found.append(ShotRef(match.start(), match.end(), number))
    return sorted(found, key=lambda ref: ref.start)


def shaped(text: str, refs: list[ShotRef]) -> str:
    """The text with each shot reference replaced by the placeholder, whitespace collapsed: 'move § before §'."""
    for ref in reversed(refs):
        text = f"{text[: ref.start]}{_PLACEHOLDER}{text[ref.end :]}"
    return " ".join(text.split())


def count_of(token: str) -> int:
    """12, 'twelve', '十二' -> 12."""
    token = token.strip().lower()
    if token.isdigit():
        return int(token)
    if token in CARDINALS:
        return CARDINALS[token]
    tens, ten, ones = token.partition("十")
    if not ten:
        return ZH_DIGITS[token]
    return (ZH_DIGITS[tens] if tens else 1) * 10 + (ZH_DIGITS[ones] if ones else 0)


def seconds_in(text: str) -> float | None:
    """The seconds a text states ('6 seconds', 'six seconds', '6.5s', '6秒', '六秒'), or None."""
    match = _SECONDS.search(text)
    if match is None:
        return None
    amount = match["amount"]
    return float(amount) if amount[0].isdigit() else float(count_of(amount))


def cards_named(text: str, brief: ProjectBrief) -> list[CardBrief]:
    """The cast members the text names by name or id, in order of first mention."""
    found = []
    for card in brief.characters:
        positions = [_position(text, ref) for ref in (card.name, card.char_id)]
        hits = [position for position in positions if position is not None]
        if hits:
            found.append((min(hits), card))
    return [card for _, card in sorted(found, key=lambda hit: hit[0])]


def target_card(text: str, brief: ProjectBrief) -> CardBrief | None:
    """The character a message is about: the first it names by name or id, else 'the <role>' of exactly one card."""
    if named := cards_named(text, brief):
        return named[0]
    roles = (card_with_role(word, brief) for word in _ROLE_REFERENCE.findall(text))
    return next((card for card in roles if card is not None), None)


def card_of(ref: str, brief: ProjectBrief) -> CardBrief | None:
    """The card `ref` means: a name or id ('Mae', 'ID_B'), or a role word of exactly one card ('the neighbour')."""
    ref = re.sub(r"^(?:the|my|our)\s+", "", " ".join(ref.split()).strip(" .,!?'\"“”"), flags=re.IGNORECASE)
    if not ref:
        return None
    if (card := brief.character(ref)) is not None:
        return card
    return card_with_role(ref, brief)


def card_with_role(word: str, brief: ProjectBrief) -> CardBrief | None:
    """The one card whose identity sentence uses the role word ('neighbour', 'neighbor', 'baker')."""
    words = {word.lower(), ROLE_SYNONYMS.get(word.lower(), word.lower())}
    matching = [
        card
        for card in brief.characters
        if any(re.search(rf"\b{re.escape(w)}\b", card.identity, re.IGNORECASE) for w in words)
    ]
    return matching[0] if len(matching) == 1 else None


def scenes_named(text: str, brief: ProjectBrief) -> list[SceneBrief]:
    """The scenes the text names by name or id (case-insensitive: 'the cafe', 'S2'), in order of first mention."""
    found = []
    for scene in brief.scenes:
        hits = [
            match.start()
            for ref in (scene.name, scene.scene_id)
            if (match := re.search(rf"{_LATIN_BEFORE}{re.escape(ref)}{_LATIN_AFTER}", text, re.IGNORECASE))
        ]
        if hits:
            found.append((min(hits), scene))
    return [scene for _, scene in sorted(found, key=lambda hit: hit[0])]


def _position(text: str, word: str) -> int | None:
    if not word:
        return None
    match = re.search(rf"{_LATIN_BEFORE}{re.escape(word)}{_LATIN_AFTER}", text)
    return match.start() if match else None
