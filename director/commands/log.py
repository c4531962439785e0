"""`echo-director log PROJECT`: the project's tool calls, then every LLM call with its tokens, and totals."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from sqlmodel import col, select

from director.commands.project import cmd_log as print_tool_calls
from director.settings import Settings, open_home
from generator.text import clip, printable
from workspace.models import LlmCall
from workspace.project_view import resolve_project

ERROR_CHARS = 100


def cmd_log(args: argparse.Namespace, settings: Settings) -> int:
    workspace = open_home(settings)
    try:
        project_id = resolve_project(workspace, args.project)
        with workspace.read_session() as session:
            calls = session.exec(
                select(LlmCall).where(LlmCall.project_id == project_id).order_by(col(LlmCall.id))
            ).all()
    finally:
        workspace.close()
    print_tool_calls(args, settings)
    print("\n".join(_llm_call_lines(calls)))
    return 0


def _llm_call_lines(calls: Sequence[LlmCall]) -> list[str]:
    """One line per call (time, purpose, model, tokens with "~" for estimates, outcome), then the totals."""
    if not calls:
        return ["LLM calls: none (the offline planner makes none)"]
    lines = [f"LLM calls ({len(calls)}):"]
    for call in calls:
        outcome = "ok" if call.ok else f"failed: {clip(call.error or '', ERROR_CHARS)}"
        lines.append(
            f"{call.created_at:%Y-%m-%d %H:%M:%S}  {call.purpose:<8}  {printable(call.model)}  "
            f"prompt {_tokens(call.prompt_tokens, call.estimated)}  "
            f"completion {_tokens(call.completion_tokens, call.estimated)}  {printable(outcome)}"
        )
    estimated = any(call.estimated for call in calls)
    failed = sum(not call.ok for call in calls)
    lines.append(
        f"total: {len(calls)} calls ({failed} failed), "
        f"prompt {_tokens(sum(call.prompt_tokens for call in calls), estimated)} tokens, "
        f"completion {_tokens(sum(call.completion_tokens for call in calls), estimated)} tokens"
    )
    return lines


def _tokens(count: int, estimated: bool) -> str:
    return f"~{count:,}" if estimated else f"{count:,}"
