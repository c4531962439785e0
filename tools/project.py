"""Tool: create a project."""

from __future__ import annotations

from pydantic import Field

from generator.types import LANGUAGE_PATTERN
from tools.base import ToolArgs, ToolContext, ToolOutput, tool
from workspace.models import Project


class CreateProjectArgs(ToolArgs):
    title: str = Field(min_length=1, max_length=200, description="Project title (or the idea's first words)")
    idea: str = Field(default="", max_length=20_000, description="The user's idea or pasted screenplay")
    language: str = Field(default="en", min_length=2, max_length=16, pattern=LANGUAGE_PATTERN)


@tool("create_project", CreateProjectArgs)
def create_project(ctx: ToolContext, args: CreateProjectArgs) -> ToolOutput:
    """Create a new story project. Returns its project_id."""
    project = Project(title=args.title, idea=args.idea, language=args.language)
    ctx.session.add(project)
    ctx.session.flush()
    return ToolOutput(f"created project {project.id} {project.title!r}", {"project_id": project.id})
