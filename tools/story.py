"""Tools: write a new story version, confirm a story version."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from generator.errors import EchoError
from generator.types import LANGUAGE_PATTERN
from tools.base import ProjectArgs, ToolArgs, ToolContext, ToolOutput, tool, touch
from workspace.models import StoryVersion
from workspace.queries import get_project, latest_story, story_version


class CastInput(ToolArgs):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=1_000)


class WriteStoryArgs(ProjectArgs):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=20_000, description="Global story description to confirm")
    style: str = Field(default="", max_length=2_000, description="Visual style sentence used in every shot")
    screenplay: str = Field(default="", max_length=200_000)
    language: str | None = Field(
        default=None,
        pattern=LANGUAGE_PATTERN,
        description="The story's one spoken language (e.g. en, zh); it becomes the project's language",
    )
    cast: list[CastInput] = Field(default_factory=list, max_length=50, description="Every person or creature")
    places: list[str] = Field(default_factory=list, max_length=50)
    beats: list[str] = Field(default_factory=list, max_length=200, description="The events in order")


class ConfirmStoryArgs(ProjectArgs):
    version: int | None = Field(default=None, ge=1, description="Story version to confirm; omit for the latest")


STORY_FIELDS = ("title", "description", "style", "screenplay", "cast", "places", "beats")


def story_fields(story: StoryVersion) -> dict[str, Any]:
    """The fields of a story version that write_story takes."""
    return story.model_dump(include=set(STORY_FIELDS))


def _add_story(ctx: ToolContext, args: WriteStoryArgs, confirmed: bool = False) -> StoryVersion:
    project = get_project(ctx.session, args.project_id)
    previous = latest_story(ctx.session, args.project_id)
    version = previous.version + 1 if previous else 1
    story = StoryVersion(
        project_id=args.project_id,
        version=version,
        confirmed=confirmed,
        **args.model_dump(exclude={"project_id", "language"}),
    )
    ctx.session.add(story)
    if args.language:
        project.language = args.language
    touch(project)
    return story


@tool("write_story", WriteStoryArgs)
def write_story(ctx: ToolContext, args: WriteStoryArgs) -> ToolOutput:
    """Save a new (unconfirmed) version of the project's story: title, global description, style, screenplay."""
    version = _add_story(ctx, args).version
    return ToolOutput(f"saved story version {version} (not yet confirmed)", {"version": version})


def write_story_copy(ctx: ToolContext, project_id: int, fields: dict[str, Any], confirmed: bool) -> int:
    """Save `fields` (see story_fields) as the next story version, checked as write_story checks them, with the
    given confirmed flag: a rename keeps the flag of the version it replaces, an undo that of the version it brings
    back, so neither asks the user to confirm the story again. Returns the new version number."""
    return _add_story(ctx, WriteStoryArgs(project_id=project_id, **fields), confirmed).version


@tool("confirm_story", ConfirmStoryArgs)
def confirm_story(ctx: ToolContext, args: ConfirmStoryArgs) -> ToolOutput:
    """Mark a story version (default: the latest) as confirmed by the user."""
    project = get_project(ctx.session, args.project_id)
    latest = latest_story(ctx.session, args.project_id)
    if latest is None:
        raise EchoError(f"project {args.project_id} has no story yet; write one with write_story first")
    story = latest
    if args.version is not None and args.version != latest.version:
        found = story_version(ctx.session, args.project_id, args.version)
        if found is None:
            raise EchoError(f"unknown story version {args.version}; valid versions: 1..{latest.version}")
        story = found
    story.confirmed = True
    ctx.session.add(story)
    touch(project)
    return ToolOutput(f"confirmed story version {story.version}", {"version": story.version})
