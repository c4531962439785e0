"""Tools: record what the critic found in a take and what the Director did about it, and the take's measured
scores, in the take's metadata (no schema change: `Take.metadata_` is JSON)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from generator.errors import EchoError
from generator.evaluation.models import TakeScores
from tools.base import ToolArgs, ToolContext, ToolOutput, tool, touch
from tools.takes import TakeArgs
from workspace.models import utcnow
from workspace.queries import get_project, project_take

CRITIQUE_KEY = "critique"
SCORES_KEY = "scores"

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


class ScoreCheck(ToolArgs):
    """A take's measurements against the critic's thresholds."""

    shortfalls: list[str] = Field(default_factory=list, max_length=100, description="Each threshold missed")
    margins: list[float] = Field(default_factory=list, max_length=100, description="Margin to each threshold")


class RecordScoresArgs(TakeArgs):
    scores: dict[str, Any] | None = Field(
        default=None, description="The take's measurements (a TakeScores dump); none when it could not be measured"
    )
    check: ScoreCheck | None = None
    reason: str = Field(default="", max_length=2_000, description="Why nothing was measured, or a caveat")


@tool("record_scores", RecordScoresArgs)
def record_scores(ctx: ToolContext, args: RecordScoresArgs) -> ToolOutput:
    """Keep the critic's measurements of a take (speech accuracy, voice and face to their cards, lip sync) and how
    they compare with its thresholds in the take's metadata, replacing earlier ones; or why it was not measured."""
    project = get_project(ctx.session, args.project_id)
    take = project_take(ctx.session, args.project_id, args.take_id)
    if args.scores is None and not args.reason:
        raise EchoError("say why the take was not measured (reason), or give its scores")
    scores = TakeScores.model_validate(args.scores).model_dump(mode="json") if args.scores is not None else None
    if scores is not None and scores["take_id"] != take.id:
        raise EchoError(f"the scores are of take {scores['take_id']}, not of take {take.id}")
    check = args.check.model_dump() if args.check else None
    entry = {"scores": scores, "check": check, "reason": args.reason, "at": utcnow().isoformat()}
    take.metadata_ = {**take.metadata_, SCORES_KEY: entry}
    ctx.session.add(take)
    touch(project)
    measured = "measured" if scores is not None else "not measured"
    return ToolOutput(f"recorded the scores of take {take.id} ({measured})", {"take_id": take.id})
