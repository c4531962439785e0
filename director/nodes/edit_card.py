"""edit_card: change a character or scene card from a chat instruction (update_character / update_scene), then
mark the takes that showed the old card stale and offer to regenerate them.

Without an LLM the edit is deterministic: the card is the one named in the message, the field is chosen by
keywords, and the new text is the quoted part of the message (replacing the field) or, when nothing is
quoted, the instruction appended to the field (the card sentence is repeated verbatim in every prompt).
"""

from __future__ import annotations

import re
from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import say
from director.nodes.revise import stale_sentence
from workspace.project_view import CharacterView, ProjectState, SceneView, load_project_state

CHARACTER_FIELDS = (
    ("voice", ("voice", "speaks", "sounds", "accent", "tone", "声音")),
    (
        "clothing",
        (
            "wear",
            "coat",
            "dress",
            "shirt",
            "jacket",
            "hat",
            "clothes",
            "outfit",
            "costume",
            "robe",
            "boots",
            "scarf",
            "uniform",
            "衣",
            "穿",
        ),
    ),
    ("identity", ("age", "old", "young", "hair", "face", "eyes", "beard", "tall", "short", "build")),
)
SCENE_FIELDS = (
    ("time_of_day", ("night", "morning", "dawn", "dusk", "evening", "noon", "midnight", "sunset", "sunrise", "day")),
    ("location", ("location", "place", "set in", "move to")),
)
_QUOTED = re.compile(r"[\"“]([^\"”]+)[\"”]")


def _mentions(text: str, *names: str) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) for name in names if name)


def _field(text: str, table: tuple[tuple[str, tuple[str, ...]], ...], default: str) -> str:
    lowered = text.casefold()
    return next((name for name, words in table if any(word in lowered for word in words)), default)


def _new_value(text: str, old: str) -> str:
    quoted = _QUOTED.search(text)
    if quoted:
        return quoted.group(1).strip()
    instruction = text.strip().rstrip(".")
    instruction = instruction[:1].upper() + instruction[1:]
    return f"{old.strip().rstrip('.')}. {instruction}." if old.strip() else f"{instruction}."


def _target(project: ProjectState, text: str) -> CharacterView | SceneView | None:
    for card in project.characters:
        if _mentions(text, card.name, card.char_id):
            return card
    for scene in project.scenes:
        if _mentions(text, scene.name, scene.scene_id):
            return scene
    return None


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid = state["project_id"]
    text = state["decision"].get("feedback") or state["user_message"]
    project = load_project_state(ctx.workspace, pid)
    card = _target(project, text)
    if card is None:
        names = ", ".join([c.name for c in project.characters] + [s.name for s in project.scenes]) or "none yet"
        return {"outcome": "done", **say(f"Which card should change? Name a character or scene: {names}.")}
    if isinstance(card, CharacterView):
        field = _field(text, CHARACTER_FIELDS, "appearance")
        ctx.tool(
            "update_character", project_id=pid, char_id=card.char_id, **{field: _new_value(text, getattr(card, field))}
        )
        users = [shot for shot in project.shots if card.char_id in shot.characters]
    else:
        field = _field(text, SCENE_FIELDS, "description")
        ctx.tool(
            "update_scene", project_id=pid, scene_id=card.scene_id, **{field: _new_value(text, getattr(card, field))}
        )
        users = [shot for shot in project.shots if shot.scene_id == card.scene_id]
    generated = [shot for shot in users if shot.current_take is not None]
    if generated:
        ctx.tool("mark_stale", project_id=pid, take_ids=[shot.current_take.id for shot in generated])
    stale = [shot.number for shot in generated]
    note = " " + stale_sentence(stale, "showed the old card") if stale else ""
    return {
        "outcome": "offer" if stale else "done",
        "stale": stale,
        **say(f"Updated the {field.replace('_', ' ')} of {card.name}.{note}"),
    }
