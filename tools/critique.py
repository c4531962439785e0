"""Tool: record what the critic found in a take and what the Director did about it, in the take's metadata."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from tools.base import ToolContext, ToolOutput, tool, touch
from tools.takes import TakeArgs
from workspace.models import utcnow
from workspace.queries import get_project, project_take

CRITIQUE_KEY = "critique"

CritiqueAction = Literal["regenerate", "ask", "accepted", "kept"]


class RecordCritiqueArgs(TakeArgs):
    findings: list[str] = Field(default_factory=list, max_length=100, description="The problems found, one each")
    action: CritiqueAction = Field(
        description="regenerate: the fix was applied and the shot regenerated; ask: put to the creator; "
        "accepted: the creator applied the fix; kept: the take stays as it is"
    )
    fix: dict[str, Any] | None = Field(default=None, description="The shot change proposed or applied")


@tool("record_critique", RecordCritiqueArgs)
def record_critique(ctx: ToolContext, args: RecordCritiqueArgs) -> ToolOutput:
    """Append the critic's findings on a take and the action taken (regenerate, ask, accepted, kept) to the take's
    metadata."""
    project = get_project(ctx.session, args.project_id)
    take = project_take(ctx.session, args.project_id, args.take_id)
    entry = {"findings": args.findings, "action": args.action, "fix": args.fix, "at": utcnow().isoformat()}
    entries = [*take.metadata_.get(CRITIQUE_KEY, []), entry]
    take.metadata_ = {**take.metadata_, CRITIQUE_KEY: entries}  # a new dict: SQLAlchemy sees the JSON change
    ctx.session.add(take)
    touch(project)
    return ToolOutput(
        f"recorded the critique of take {take.id} ({args.action})", {"take_id": take.id, "critiques": len(entries)}
    )
