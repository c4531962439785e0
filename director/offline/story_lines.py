"""Lines of dialogue for the offline planner's shots, written from each shot's event and who is in it: the kind of
event (a race, a lesson, a heist; director/offline/lines.json) chooses what the first character says and how the
second answers. No line is said twice in a film: a shot whose lines are all used takes other ones, or none.
"""

from __future__ import annotations

import re

from director.offline.clauses import LINES
from director.schemas import DialogueSpec


def lines_for(kind: str, names: list[str], language: str, used: set[str], variant: int) -> list[DialogueSpec]:
    """One line for a character alone; a line and its answer for two."""
    speakers = dict(zip("ab", [*names, ""][:2], strict=True))
    lines = []
    for slot in ("a", "b") if speakers["b"] else ("a",):
        if text := _line(kind, slot, language, speakers, used, variant):
            lines.append(DialogueSpec(speaker=speakers[slot], text=text))
    return lines


def _line(kind: str, slot: str, language: str, speakers: dict[str, str], used: set[str], variant: int) -> str:
    key = f"zh_{slot}" if language == "zh" else slot
    own = LINES["kinds"][kind][key] if kind else []
    generic = LINES["generic"][key]
    options = own[variant % len(own) :] + own[: variant % len(own)] if own else []
    options += generic[variant % len(generic) :] + generic[: variant % len(generic)]
    for template in options:
        if "{b}" in template and not speakers["b"]:
            continue
        text = template.format(a=speakers["a"], b=speakers["b"])
        spoken = re.sub(r"\W+", " ", text).strip().lower()
        if spoken not in used:
            used.add(spoken)
            return text
    return ""
