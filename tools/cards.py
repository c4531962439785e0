"""Tools: character cards (stable ids ID_A, ID_B, ...) and scene cards (S1, S2, ...). Cards are append-only:
every edit or deletion adds a version, so a take made with an older card can still be explained."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field

from generator.errors import EchoError
from generator.types import CHARACTER_ID_PATTERN
from tools.base import ProjectArgs, ToolContext, ToolOutput, tool, touch
from tools.story import story_fields, write_story_copy
from workspace.models import CharacterCard, SceneCard, ShotPlan, utcnow
from workspace.queries import (
    Card,
    active_shots,
    card_history,
    character_index,
    current_characters,
    current_scenes,
    get_project,
    latest_story,
)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".flac", ".ogg")
MAX_CHARACTERS = 26 * 27  # ID_A .. ID_ZZ
CARD_SENTENCES = ("identity", "appearance", "clothing", "voice")
SHOT_TEXTS = ("action", "camera", "sound_effects", "music")
# A letter or digit next to a name makes it part of another word ("Mia" in "Miami"); Chinese and Japanese put no
# spaces between words, so ideographs and kana next to it do not.
_WORD_CHAR = r"[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"


@dataclass(frozen=True)
class CardKind:
    """Character or scene card: what code handling both needs to tell them apart."""

    noun: str
    key: str
    model: type[CharacterCard] | type[SceneCard]


CHARACTERS = CardKind("character", "char_id", CharacterCard)
SCENES = CardKind("scene", "scene_id", SceneCard)


def character_id(index: int) -> str:
    """0 -> ID_A, 25 -> ID_Z, 26 -> ID_AA (spreadsheet-column letters)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return f"ID_{letters}"


Name = Annotated[str, Field(min_length=1, max_length=200)]
CharacterId = Annotated[str, Field(pattern=CHARACTER_ID_PATTERN.pattern, description="Stable id such as ID_A")]
SceneId = Annotated[str, Field(pattern=r"^S[1-9][0-9]*$", description="Stable id such as S1")]


class AddCharacterArgs(ProjectArgs):
    name: Name
    identity: str = Field(min_length=1, max_length=2_000, description="One sentence: age, build, face, hair")
    appearance: str = Field(default="", max_length=2_000)
    clothing: str = Field(default="", max_length=2_000)
    voice: str = Field(default="", max_length=2_000, description="One sentence describing the voice timbre")
    reference_image: str | None = Field(default=None, description="Home-relative path of an uploaded image")
    reference_audio: str | None = Field(default=None, description="Home-relative path of an uploaded voice sample")


class UpdateCharacterArgs(ProjectArgs):
    """Only the given fields change; "" clears a reference path."""

    char_id: CharacterId
    name: str | None = Field(default=None, min_length=1, max_length=200)
    identity: str | None = Field(default=None, min_length=1, max_length=2_000)
    appearance: str | None = Field(default=None, max_length=2_000)
    clothing: str | None = Field(default=None, max_length=2_000)
    voice: str | None = Field(default=None, max_length=2_000)
    reference_image: str | None = None
    reference_audio: str | None = None


class CharacterRefArgs(ProjectArgs):
    char_id: CharacterId


class RenameCharacterArgs(CharacterRefArgs):
    new_name: Name = Field(description="The new name; it replaces the old one in the card, the shots and the story")


class AddSceneArgs(ProjectArgs):
    name: Name
    location: str = Field(default="", max_length=1_000)
    time_of_day: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=4_000, description="Background: place, lighting, mood")


class UpdateSceneArgs(ProjectArgs):
    scene_id: SceneId
    name: str | None = Field(default=None, min_length=1, max_length=200)
    location: str | None = Field(default=None, max_length=1_000)
    time_of_day: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=4_000)


class SceneRefArgs(ProjectArgs):
    scene_id: SceneId


def _checked_reference(ctx: ToolContext, field: str, relative: str | None, suffixes: tuple[str, ...]) -> str | None:
    """A reference file must already be inside the home (uploads are stored there) and have a media suffix."""
    if not relative:
        return None
    path = ctx.workspace.media.resolve(relative)
    if not path.is_file():
        raise EchoError(f"{field}: {relative!r} does not exist in the project home; upload the file first")
    if path.suffix.lower() not in suffixes:
        raise EchoError(f"{field}: {relative!r} must be one of {', '.join(suffixes)}")
    return ctx.workspace.media.relative(path)


def _checked_references(ctx: ToolContext, values: dict[str, Any]) -> dict[str, Any]:
    for field, suffixes in (("reference_image", IMAGE_SUFFIXES), ("reference_audio", AUDIO_SUFFIXES)):
        if field in values:
            values[field] = _checked_reference(ctx, field, values[field], suffixes)
    return values


def _card(cards: list[Card], key: str, card_id: str, project_id: int, kind: str) -> Card:
    for card in cards:
        if getattr(card, key) == card_id:
            if card.deleted:
                raise EchoError(f"{kind} {card_id} was deleted; add a new one instead")
            return card
    valid = ", ".join(getattr(c, key) for c in cards if not c.deleted) or "none yet"
    raise EchoError(f"unknown {kind} {card_id} in project {project_id}; valid: {valid}")


def _new_version(ctx: ToolContext, card: Card, changes: dict[str, Any]) -> Card:
    data = card.model_dump(exclude={"id", "created_at"})
    data.update(changes, version=card.version + 1)
    row: Card = type(card)(**data)
    ctx.session.add(row)
    return row


def _changes(args: ProjectArgs, key: str) -> dict[str, Any]:
    changes = args.model_dump(exclude={"project_id", key}, exclude_none=True)
    if not changes:
        raise EchoError(f"nothing to change: give at least one field besides project_id and {key}")
    return changes


def _users(ctx: ToolContext, project_id: int, uses: Any) -> list[int]:
    return [n for n, shot in enumerate(active_shots(ctx.session, project_id), start=1) if uses(shot)]


@tool("add_character", AddCharacterArgs)
def add_character(ctx: ToolContext, args: AddCharacterArgs) -> ToolOutput:
    """Add a character card; it gets the next stable id (ID_A, ID_B, ...). Reference paths must be uploads
    already stored in the project home."""
    project = get_project(ctx.session, args.project_id)
    values = _checked_references(ctx, args.model_dump(exclude={"project_id"}))
    cards = current_characters(ctx.session, args.project_id, include_deleted=True)
    index = max((character_index(c.char_id) for c in cards), default=-1) + 1
    if index >= MAX_CHARACTERS:
        raise EchoError(f"a project can have at most {MAX_CHARACTERS} characters")
    char_id = character_id(index)
    ctx.session.add(CharacterCard(project_id=args.project_id, char_id=char_id, version=1, **values))
    touch(project)
    return ToolOutput(f"added character {char_id} ({args.name})", {"char_id": char_id})


@tool("update_character", UpdateCharacterArgs)
def update_character(ctx: ToolContext, args: UpdateCharacterArgs) -> ToolOutput:
    """Change fields of a character card (a new card version). Omitted fields keep their value."""
    project = get_project(ctx.session, args.project_id)
    cards = current_characters(ctx.session, args.project_id, include_deleted=True)
    card = _card(cards, "char_id", args.char_id, args.project_id, "character")
    row = _new_version(ctx, card, _checked_references(ctx, _changes(args, "char_id")))
    touch(project)
    return ToolOutput(
        f"updated {args.char_id} to version {row.version}", {"char_id": args.char_id, "version": row.version}
    )


@tool("delete_character", CharacterRefArgs)
def delete_character(ctx: ToolContext, args: CharacterRefArgs) -> ToolOutput:
    """Delete a character card; refused while shots still use the character."""
    project = get_project(ctx.session, args.project_id)
    cards = current_characters(ctx.session, args.project_id, include_deleted=True)
    card = _card(cards, "char_id", args.char_id, args.project_id, "character")
    users = _users(ctx, args.project_id, lambda shot: args.char_id in shot.characters)
    if users:
        raise EchoError(f"{args.char_id} is still in shots {', '.join(map(str, users))}; change those shots first")
    _new_version(ctx, card, {"deleted": True})
    touch(project)
    return ToolOutput(f"deleted character {args.char_id}", {"char_id": args.char_id})


@tool("add_scene", AddSceneArgs)
def add_scene(ctx: ToolContext, args: AddSceneArgs) -> ToolOutput:
    """Add a scene card; it gets the next stable id (S1, S2, ...)."""
    project = get_project(ctx.session, args.project_id)
    cards = current_scenes(ctx.session, args.project_id, include_deleted=True)
    scene_id = f"S{max((int(c.scene_id[1:]) for c in cards), default=0) + 1}"
    ctx.session.add(
        SceneCard(project_id=args.project_id, scene_id=scene_id, version=1, **args.model_dump(exclude={"project_id"}))
    )
    touch(project)
    return ToolOutput(f"added scene {scene_id} ({args.name})", {"scene_id": scene_id})


@tool("update_scene", UpdateSceneArgs)
def update_scene(ctx: ToolContext, args: UpdateSceneArgs) -> ToolOutput:
    """Change fields of a scene card (a new card version). Omitted fields keep their value."""
    project = get_project(ctx.session, args.project_id)
    cards = current_scenes(ctx.session, args.project_id, include_deleted=True)
    card = _card(cards, "scene_id", args.scene_id, args.project_id, "scene")
    row = _new_version(ctx, card, _changes(args, "scene_id"))
    touch(project)
    return ToolOutput(
        f"updated {args.scene_id} to version {row.version}", {"scene_id": args.scene_id, "version": row.version}
    )


@tool("delete_scene", SceneRefArgs)
def delete_scene(ctx: ToolContext, args: SceneRefArgs) -> ToolOutput:
    """Delete a scene card; refused while shots are set in it."""
    project = get_project(ctx.session, args.project_id)
    cards = current_scenes(ctx.session, args.project_id, include_deleted=True)
    card = _card(cards, "scene_id", args.scene_id, args.project_id, "scene")
    users = _users(ctx, args.project_id, lambda shot: shot.scene_id == args.scene_id)
    if users:
        raise EchoError(
            f"{args.scene_id} is still used by shots {', '.join(map(str, users))}; change those shots first"
        )
    _new_version(ctx, card, {"deleted": True})
    touch(project)
    return ToolOutput(f"deleted scene {args.scene_id}", {"scene_id": args.scene_id})


def restore_deleted_card(ctx: ToolContext, kind: CardKind, project_id: int, card_id: str) -> None:
    """Bring a deleted card back (the undo of a deletion): a new version with the fields it had before."""
    project = get_project(ctx.session, project_id)
    versions = card_history(ctx.session, kind.model, kind.key, project_id, card_id)
    if not versions:
        raise EchoError(f"unknown {kind.noun} {card_id} in project {project_id}")
    if not versions[-1].deleted:
        raise EchoError(f"{kind.noun} {card_id} is not deleted; there is nothing to restore")
    before = versions[-2]  # a card's first version is never a deletion
    fields = _checked_references(ctx, before.model_dump(exclude={"id", "created_at", "version"}))
    _new_version(ctx, versions[-1], fields)
    touch(project)


def _renamer(old: str, new: str) -> Callable[[str], str]:
    """Replaces `old` where it is a whole word, case-sensitively; "Felix's" becomes "Mae's"."""
    pattern = re.compile(rf"(?<!{_WORD_CHAR}){re.escape(old)}(?!{_WORD_CHAR})")
    return lambda text: pattern.sub(lambda _: new, text)


def _check_new_name(cards: list[CharacterCard], card: CharacterCard, new_name: str) -> None:
    if new_name == card.name:
        raise EchoError(f"{card.char_id} is already called {new_name!r}; give a different name")
    for other in cards:
        if other.char_id != card.char_id and not other.deleted and other.name.casefold() == new_name.casefold():
            raise EchoError(f"{other.char_id} is already called {other.name!r}; choose a name no other character has")


def _renamed_texts(shot: ShotPlan, rename: Callable[[str], str]) -> dict[str, Any]:
    texts: dict[str, Any] = {field: rename(getattr(shot, field)) for field in SHOT_TEXTS}
    texts["dialogue"] = [{**line, "text": rename(line["text"])} for line in shot.dialogue]
    return texts


def _rename_in_shots(
    ctx: ToolContext, project_id: int, char_id: str, rename: Callable[[str], str]
) -> tuple[list[int], list[int]]:
    """Renames in every shot's text; returns the numbers of the shots whose text changed and of those now stale."""
    changed, stale = [], []
    for number, shot in enumerate(active_shots(ctx.session, project_id), start=1):
        texts = _renamed_texts(shot, rename)
        edited = any(getattr(shot, field) != value for field, value in texts.items())
        # update_shot's rule: a take made from the old text, or showing the old card, no longer matches the plan
        outdated = shot.current_take_id is not None and (edited or char_id in shot.characters)
        if edited:
            for field, value in texts.items():
                setattr(shot, field, value)
            changed.append(number)
        if outdated:
            shot.status = "stale"
            stale.append(number)
        if edited or outdated:
            shot.updated_at = utcnow()
            ctx.session.add(shot)
    return changed, stale


def _rename_in_story(ctx: ToolContext, project_id: int, rename: Callable[[str], str]) -> int | None:
    """A new version of the latest story with the name replaced, when it mentions the name; its version."""
    story = latest_story(ctx.session, project_id)
    if story is None:
        return None
    fields = story_fields(story)
    renamed = {
        **fields,
        "title": rename(story.title),
        "description": rename(story.description),
        "screenplay": rename(story.screenplay),
        "cast": [{key: rename(value) for key, value in entry.items()} for entry in story.cast],
        "places": [rename(place) for place in story.places],
        "beats": [rename(beat) for beat in story.beats],
    }
    return write_story_copy(ctx, project_id, renamed, story.confirmed) if renamed != fields else None


def _rename_message(data: dict[str, Any]) -> str:
    message = f"renamed {data['char_id']} from {data['old_name']} to {data['new_name']} on the card"
    if data["changed_shots"]:
        message += f", in shots {', '.join(map(str, data['changed_shots']))}"
    if data["story_version"]:
        message += f" and in the story (version {data['story_version']})"
    if data["stale_shots"]:
        message += f"; shots {', '.join(map(str, data['stale_shots']))} have takes and are now stale (regenerate them)"
    return message


@tool("rename_character", RenameCharacterArgs)
def rename_character(ctx: ToolContext, args: RenameCharacterArgs) -> ToolOutput:
    """Rename a character: the card gets the new name, and the old one (as a whole word, "Felix's" too) is
    replaced in the card's sentences, in the text of every shot and in the latest story. Shots that have a take and
    show the character or whose text changed become 'stale'."""
    project = get_project(ctx.session, args.project_id)
    cards = current_characters(ctx.session, args.project_id, include_deleted=True)
    card = _card(cards, "char_id", args.char_id, args.project_id, "character")
    _check_new_name(cards, card, args.new_name)
    rename = _renamer(card.name, args.new_name)
    sentences = {field: rename(getattr(card, field)) for field in CARD_SENTENCES}
    _new_version(ctx, card, {"name": args.new_name, **sentences})
    changed, stale = _rename_in_shots(ctx, args.project_id, args.char_id, rename)
    data = {
        "char_id": args.char_id,
        "old_name": card.name,
        "new_name": args.new_name,
        "changed_shots": changed,
        "stale_shots": stale,
        "story_version": _rename_in_story(ctx, args.project_id, rename),
    }
    touch(project)
    return ToolOutput(_rename_message(data), data)
