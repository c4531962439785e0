"""A `ShotEdit` (names, seconds) as `update_shot` arguments (ids, frame counts): used by direct shot edits from
the chat and by the critic's fixes, so both resolve people and places the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from director.briefs import CardBrief, SceneBrief
from director.schemas import ShotEdit
from generator.errors import EchoError
from generator.types import nearest_frame_count


def name_key(text: str) -> str:
    """A name or id as compared: whitespace collapsed, case folded."""
    return " ".join(text.split()).casefold()


def character_id_of(ref: str, characters: Sequence[CardBrief]) -> str:
    """The id of the character named or identified by `ref`; EchoError listing the cast otherwise."""
    key = name_key(ref)
    for card in characters:
        if key in (card.char_id.casefold(), name_key(card.name)):
            return card.char_id
    cast = ", ".join(f"{card.name} ({card.char_id})" for card in characters) or "nobody yet"
    raise EchoError(f"there is no character {ref!r}; the cast is {cast}")


def scene_id_of(ref: str, scenes: Sequence[SceneBrief]) -> str:
    key = name_key(ref)
    for scene in scenes:
        if key in (scene.scene_id.casefold(), name_key(scene.name)):
            return scene.scene_id
    known = ", ".join(f"{scene.name} ({scene.scene_id})" for scene in scenes) or "none yet"
    raise EchoError(f"there is no scene {ref!r}; the scenes are {known}")


def shot_edit_changes(
    edit: ShotEdit, characters: Sequence[CardBrief], scenes: Sequence[SceneBrief], shot_characters: Sequence[str]
) -> dict[str, Any]:
    """`update_shot` fields for `edit`. A speaker who is not in the shot joins it when the edit does not set the
    characters itself (the tool refuses more than two)."""
    changes: dict[str, Any] = {
        name: value
        for name in ("action", "camera", "sound_effects", "music")
        if (value := getattr(edit, name)) is not None
    }
    cast = list(shot_characters)
    if edit.characters is not None:
        cast = list(dict.fromkeys(character_id_of(ref, characters) for ref in edit.characters))
        changes["characters"] = cast
    if edit.dialogue is not None:
        lines = [{"speaker": character_id_of(line.speaker, characters), "text": line.text} for line in edit.dialogue]
        joining = [line["speaker"] for line in lines if line["speaker"] not in cast]
        if joining and edit.characters is None:
            changes["characters"] = cast + list(dict.fromkeys(joining))
        changes["dialogue"] = lines
    if edit.scene is not None:
        changes["scene_id"] = scene_id_of(edit.scene, scenes)
    if edit.duration_s is not None:
        changes["num_frames"] = nearest_frame_count(edit.duration_s)
    return changes
