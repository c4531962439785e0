"""Shot fields + cards -> the structured condition and its prompt length, so the plan, card edits and shot edits
can check the prompt limit before anything renders (the compile stage uses the same condition)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from director.schemas import PromptOverflow
from generator.prompt import MAX_PROMPT_CHARS, ShotCondition, compose_prompt
from generator.types import CharacterInShot, DialogueLine, SceneInShot
from workspace.models import ShotCondition as ConditionRow
from workspace.project_view import CharacterView, ProjectState, SceneView

SHOT_TEXT_FIELDS = ("action", "dialogue", "camera", "sound_effects", "music")
# In the fields of a condition the creator saved: the prompt compiled from the shot and its cards at that moment.
WRITTEN_FOR = "compiled_prompt"


def character_in_shot(card: CharacterView, **references: Any) -> CharacterInShot:
    return CharacterInShot(
        id=card.char_id,
        name=card.name,
        identity=card.identity,
        appearance=card.appearance,
        clothing=card.clothing,
        voice=card.voice,
        **references,
    )


def scene_in_shot(card: SceneView | None, scene_id: str) -> SceneInShot:
    if card is None:
        return SceneInShot(id=scene_id)
    parts = [card.location, card.time_of_day, card.description]
    return SceneInShot(id=card.scene_id, name=card.name, description=". ".join(p.strip(". ") for p in parts if p))


def shot_condition(
    fields: Mapping[str, Any], cast: list[CharacterInShot], scene: SceneInShot, style: str
) -> ShotCondition:
    """The condition c_t of a shot from its plan fields (`ShotPlan` / `ShotInput` names) and its cards."""
    return ShotCondition(
        characters=cast,
        action=fields.get("action", ""),
        dialogue=[DialogueLine(speaker=d["speaker"], text=d["text"]) for d in fields.get("dialogue", [])],
        style=style,
        camera=fields.get("camera", ""),
        background=scene.description or scene.name,
        sound_effects=fields.get("sound_effects", ""),
        music=fields.get("music", ""),
    )


def condition_record(condition: ShotCondition, scene: SceneInShot, num_frames: int) -> dict[str, Any]:
    """The structured fields `record_condition` keeps beside a prompt (a rollback restores the plan from them)."""
    references = {"characters": {"__all__": {"reference_image", "reference_audio"}}}
    return {
        **condition.model_dump(mode="json", exclude=references),
        "scene": scene.model_dump(mode="json"),
        "num_frames": num_frames,
    }


def written_prompt(latest: ConditionRow | None, compiled: str) -> str | None:
    """The prompt the creator wrote for a shot (the Shot tab's Advanced box), while it still describes the shot:
    its newest condition is the creator's and was written for the prompt that the shot and its cards compile to
    now. None otherwise; a later edit of the shot's fields or of a card is compiled afresh."""
    if latest is None or latest.source != "user" or latest.prompt == compiled:
        return None
    return latest.prompt if latest.fields.get(WRITTEN_FOR) == compiled else None


def planned_condition(
    fields: Mapping[str, Any], characters: Mapping[str, CharacterView], scenes: Mapping[str, SceneView], style: str
) -> ShotCondition:
    cast = [character_in_shot(characters[c]) for c in fields.get("characters", []) if c in characters]
    scene_id = fields.get("scene_id", "")
    return shot_condition(fields, cast, scene_in_shot(scenes.get(scene_id), scene_id), style)


def field_chars(fields: Mapping[str, Any], name: str) -> int:
    """Characters a shot field costs in the prompt (a dialogue line: its text and about four of framing)."""
    if name == "dialogue":
        return sum(len(line["text"]) + 4 for line in fields.get("dialogue", []))
    return len(fields.get(name, "") or "")


def prompt_overflow(
    number: int,
    fields: Mapping[str, Any],
    characters: Mapping[str, CharacterView],
    scenes: Mapping[str, SceneView],
    style: str,
) -> PromptOverflow | None:
    """None when the shot's prompt fits; else how far over it is and what each shot field may spend (shares of
    what the cards, style and scene leave, in proportion to what each field uses now)."""
    condition = planned_condition(fields, characters, scenes, style)
    length = len(compose_prompt(condition))
    if length <= MAX_PROMPT_CHARS:
        return None
    bare = {**fields, "action": "", "dialogue": [], "camera": "", "sound_effects": "", "music": ""}
    fixed = len(compose_prompt(planned_condition(bare, characters, scenes, style).model_copy(update={"action": "."})))
    available = max(MAX_PROMPT_CHARS - fixed, 0)
    used = {name: field_chars(fields, name) for name in SHOT_TEXT_FIELDS}
    total = sum(used.values()) or 1
    budgets = {name: available * chars // total for name, chars in used.items() if chars}
    return PromptOverflow(
        shot_number=number, prompt_chars=length, limit=MAX_PROMPT_CHARS, fixed_chars=fixed, budgets=budgets
    )


def shots_over_limit(
    project: ProjectState,
    numbers: Iterable[int],
    characters: Mapping[str, CharacterView] | None = None,
    scenes: Mapping[str, SceneView] | None = None,
) -> list[PromptOverflow]:
    """The shots among `numbers` whose prompts would be over the limit with the given cards (default: the
    current ones), e.g. to refuse a card edit before it is saved."""
    cards = characters if characters is not None else {card.char_id: card for card in project.characters}
    places = scenes if scenes is not None else {scene.scene_id: scene for scene in project.scenes}
    style = project.story.style if project.story else ""
    over = []
    for number in numbers:
        shot = project.shot(number)
        overflow = prompt_overflow(number, shot.model_dump(), cards, places, style)
        if overflow is not None:
            over.append(overflow)
    return over
