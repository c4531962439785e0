"""story: write the global story description (write_story tool), then ask the user to approve or edit it."""

from __future__ import annotations

from typing import Any

from director.briefs import route_message
from director.graph_state import DirectorContext, DirectorState
from director.nodes import ask, chose, say
from director.schemas import StoryDraft
from workspace.project_view import ProjectView, StoryView, project_view, story_view
from workspace.queries import get_project, latest_story

APPROVE, EDIT = "Approve", "Edit"
REVIEW_QUESTION = "Shall I plan the shots for this story? Approve it, or tell me what to change."


def draft_of(story: StoryView, language: str) -> StoryDraft:
    return StoryDraft(
        title=story.title,
        description=story.description,
        style=story.style,
        screenplay=story.screenplay,
        language=language,
        cast=story.cast,
        places=story.places,
        beats=story.beats,
    )


def project_and_story(ctx: DirectorContext, project_id: int) -> tuple[ProjectView, StoryView | None]:
    """The project and its latest story, without the rest of the project; EchoError for an unknown project."""
    with ctx.workspace.read_session() as session:
        project = get_project(session, project_id)
        story = latest_story(session, project_id)
        return project_view(project), story_view(story) if story else None


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    project, story = project_and_story(ctx, state["project_id"])
    feedback = state.get("story_feedback", "")
    previous = draft_of(story, project.language) if feedback and story else None
    idea = state.get("idea") or project.idea
    draft = ctx.planner.write_story(idea, feedback=feedback, previous=previous)
    if previous is not None and draft == previous:
        text = (
            f'I could not apply "{feedback}" to the story, so it is unchanged (still version {story.version}). '
            "Edit the title or synopsis in the Story tab, say it another way (e.g. 'rename Felix to Mae', "
            "'make it funnier', 'change the ending to ...'), or configure an LLM endpoint for free-form changes."
        )
        return {"story_feedback": "", "story_question": REVIEW_QUESTION, **say(text)}
    written = ctx.tool(
        "write_story",
        project_id=state["project_id"],
        title=draft.title,
        description=draft.description,
        style=draft.style,
        screenplay=draft.screenplay,
        language=draft.language,
        cast=[entry.model_dump() for entry in draft.cast],
        places=draft.places,
        beats=draft.beats,
    )
    return {"story_feedback": "", "story_question": REVIEW_QUESTION, **say(story_text(draft, written["version"]))}


def story_text(draft: StoryDraft, version: int) -> str:
    """The story as the creator reviews it: title, prose, then who, where and what happens."""
    text = f"**{draft.title}** (story version {version})\n\n{draft.description}"
    if draft.cast:
        people = "; ".join(
            f"{entry.name}, {entry.description}" if entry.description else entry.name for entry in draft.cast
        )
        text += f"\n\nCast: {people}"
    if draft.places:
        text += "\n\nPlaces: " + "; ".join(draft.places)
    if draft.beats and not all(beat in draft.description for beat in draft.beats):  # prose that tells them: once
        text += "\n\nWhat happens:\n" + "\n".join(f"{n}. {beat}" for n, beat in enumerate(draft.beats, start=1))
    if draft.style:
        text += f"\n\nStyle: {draft.style}"
    if draft.notes:
        text += "\n\n" + "\n".join(f"Note: {note}" for note in draft.notes)
    return text


def review(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    """Approval gate: 'approved' -> plan, 'edit' -> story again with the feedback, 'ask' -> ask once more."""
    if state.get("auto_approve"):
        return confirm(state, ctx)
    answer = ask(state.get("story_question") or REVIEW_QUESTION, [APPROVE, EDIT])
    if chose(answer, EDIT):
        return {"outcome": "ask", "story_question": "What should change in the story?"}
    if not chose(answer, APPROVE):
        decision = route_message(ctx, state, answer, pending_question=state.get("story_question") or REVIEW_QUESTION)
        if decision.intent == "question":
            return {"outcome": "ask", **say(decision.reply or "Ask me about the story, or approve it.")}
        if decision.intent != "approve":
            return {"outcome": "edit", "story_feedback": decision.feedback or answer}
    return confirm(state, ctx)


def confirm(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    confirmed = ctx.tool("confirm_story", project_id=state["project_id"])
    return {"outcome": "approved", **say(f"Story version {confirmed['version']} approved. Planning the shots.")}


def approve(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    """A bare 'yes' outside a question: confirm an unconfirmed story, else continue generating."""
    _, story = project_and_story(ctx, state["project_id"])
    if story is None:
        return {"outcome": "nothing", **say("There is no story to approve yet; tell me your idea first.")}
    if not story.confirmed:
        return confirm(state, ctx)
    return {"outcome": "generate", "include_stale": True}
