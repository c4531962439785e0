"""Tools: character cards (stable ids ID_A, ID_B, ...) and scene cards (S1, S2, ...). Cards are append-only:
every edit or deletion adds a version, so a take made with an older card can still be explained."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from generator.errors import EchoError
from generator.types import CHARACTER_ID_PATTERN
from tools.base import ProjectArgs, ToolContext, ToolOutput, tool, touch
from workspace.models import CharacterCard, SceneCard
from workspace.queries import (
    Card,
    active_shots,
    character_index,
    current_characters,
    current_scenes,
    get_project,
)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".flac", ".ogg")
MAX_CHARACTERS = 26 * 27  # ID_A .. ID_ZZ


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
