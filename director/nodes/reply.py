"""reply: answer a question from the project's content, or say honestly what the Director could not do and how
to do it instead; nothing changes."""

from __future__ import annotations

from typing import Any

from director.briefs import ProjectBrief, load_brief
from director.graph_state import DirectorContext, DirectorState
from director.nodes import say

CANNOT_FALLBACK = (
    "I could not apply that, and nothing changed. Use the app's editors (Story, Cards, Shot inspector), or "
    "configure an LLM endpoint (ECHO_LLM_BASE_URL) for free-form requests."
)


def status_text(brief: ProjectBrief) -> str:
    """Where the project stands, for a question the planner did not answer itself."""
    story = brief.story
    if story is None:
        return "There is no story yet: tell me your idea or paste a screenplay."
    generated = sum(1 for shot in brief.shots if shot.version is not None)
    stale = [str(shot.number) for shot in brief.shots if shot.status == "stale"]
    parts = [
        f"'{story.title}' (story version {story.version}, {'approved' if story.confirmed else 'not approved yet'}).",
        f"{len(brief.shots)} shots planned, {generated} generated." if brief.shots else "No shots planned yet.",
    ]
    if stale:
        parts.append(f"Stale: shots {', '.join(stale)}.")
    if brief.characters:
        parts.append("Cast: " + ", ".join(f"{card.name} ({card.char_id})" for card in brief.characters) + ".")
    return " ".join(parts)


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    decision = state["decision"]
    reply = decision.get("reply", "").strip()
    if not reply:
        reply = CANNOT_FALLBACK if decision["intent"] == "cannot" else status_text(load_brief(ctx, state))
    return say(reply)
