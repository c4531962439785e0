"""Offline fit_shot: one planned shot's own fields trimmed to the per-field budgets the graph measured
(director/prompt_fit.py), cheapest first: sound effects, music and camera, then the action by whole sentences and
clauses, and only then whole dialogue lines, and only lines the planner wrote itself. Text is never cut mid-word and
a field is never emptied; the cards, style and scene are never touched."""

from __future__ import annotations

import re
from collections.abc import Collection

from director.prompt_fit import field_chars
from director.schemas import DialogueSpec, PromptOverflow, ShotSpec
from generator.errors import EchoError
from generator.text import has_cjk

_CHEAP_FIELDS = ("sound_effects", "music", "camera")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
_CLAUSE_END = re.compile(r"\s*(?:[,;:，；：]|\s—\s|\s+(?=(?:and|but|while|as|then|before|after)\s))\s*")

_CONNECTIVES = frozenset(["with", "from", "to", "on", "in", "at", "of", "and", "into", "onto", "over", "under",
                          "through", "across", "as", "while", "then", "for", "by", "toward", "towards"])  # fmt: skip
Line = tuple[str, str]


def fit_to_budgets(shot: ShotSpec, overflow: PromptOverflow, own_lines: Collection[Line] = ()) -> ShotSpec:
    """The shot trimmed until the characters saved cover `overflow.over_by`; EchoError when nothing can be trimmed.
    `own_lines` are the (speaker, text) lines the planner wrote itself, the only ones it may drop."""
    changes: dict[str, object] = {}
    saved = 0
    for field in (*_CHEAP_FIELDS, "action"):
        budget = overflow.budgets.get(field)
        text: str = getattr(shot, field)
        if saved >= overflow.over_by or budget is None or len(text) <= budget:
            continue
        trimmed = _trimmed(text, budget, by_words=field != "action")
        if len(trimmed) < len(text):
            changes[field] = trimmed
            saved += len(text) - len(trimmed)
    if saved < overflow.over_by and (budget := overflow.budgets.get("dialogue")) is not None:
        lines = list(shot.dialogue)
        while lines and _cost(lines) > budget and saved < overflow.over_by and _line(lines[-1]) in own_lines:
            saved += _cost(lines) - _cost(lines[:-1])
            lines.pop()
        if len(lines) < len(shot.dialogue):
            changes["dialogue"] = lines
    if not changes:
        raise EchoError(
            f"shot {overflow.shot_number}'s prompt is {overflow.prompt_chars} characters, {overflow.over_by} over the "
            f"{overflow.limit}-character limit, and the offline planner cannot trim its own fields any further "
            f"(the cards, style and scene take {overflow.fixed_chars}); shorten the character cards or the style, or "
            "shorten the shot's action or dialogue yourself"
        )
    return shot.model_copy(update=changes)


def _trimmed(text: str, budget: int, by_words: bool) -> str:
    """The longest opening of `text` within `budget` made of whole sentences, else of whole clauses of the first
    sentence, else (when `by_words`) of whole words ending before a connective ('with', 'to', ...); the first clause
    when even that is over. A cut sentence keeps the text's closing punctuation."""
    text = " ".join(text.split())
    sentences = [part for part in _SENTENCE_END.split(text) if part]
    if kept := _longest(sentences, budget, " "):
        return kept
    first = sentences[0].rstrip(".!?。！？")
    end = ("。" if has_cjk(first) else ".") if first != sentences[0] else ""
    clauses = [part for part in _CLAUSE_END.split(first) if part]
    if kept := _longest(clauses, budget - len(end), "，" if has_cjk(first) else ", "):
        return kept + end
    if by_words and not has_cjk(first) and (kept := _before_connective(clauses[0].split(), budget - len(end))):
        return kept + end
    shortest = clauses[0] + end
    return shortest if len(shortest) < len(text) else text


def _before_connective(words: list[str], budget: int) -> str:
    """The longest run of opening words within `budget` that the next word (a connective) could continue."""
    cuts = [" ".join(words[:n]) for n in range(1, len(words)) if words[n].lower() in _CONNECTIVES]
    return max((cut for cut in cuts if len(cut) <= budget), key=len, default="")


def _longest(parts: list[str], budget: int, joiner: str) -> str:
    kept: list[str] = []
    for part in parts:
        if len(joiner.join([*kept, part])) > budget:
            break
        kept.append(part)
    return joiner.join(kept)


def _cost(lines: list[DialogueSpec]) -> int:
    return field_chars({"dialogue": [line.model_dump() for line in lines]}, "dialogue")


def _line(line: DialogueSpec) -> Line:
    return line.speaker, line.text
