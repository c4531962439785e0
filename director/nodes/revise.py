"""revise: feedback on one shot -> localise it to condition fields and memory entries (planner.diagnose_revision)
-> update the shot -> regenerate only that shot -> record the Revision -> mark later shots that remembered the
replaced take stale and offer to regenerate them (paper Sec. 5.4)."""

from __future__ import annotations

from typing import Any

from director.briefs import ShotBrief, load_shot_brief, route_message
from director.graph_state import DirectorContext, DirectorState
from director.nodes import ask, chose, say
from director.nodes.route import decision_update
from director.schemas import RevisionDiagnosis
from director.shot_edits import character_id_of
from generator.errors import EchoError
from generator.text import as_sentence
from generator.types import nearest_frame_count
from workspace.history import dependents_in

REGENERATE, KEEP = "Regenerate", "Keep"


def shot_list(numbers: list[int]) -> str:
    """'shot 3', 'shots 3 and 4', 'shots 1, 2 and 3'."""
    if len(numbers) == 1:
        return f"shot {numbers[0]}"
    return f"shots {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def stale_sentence(numbers: list[int], why: str) -> str:
    """'Shot 3 remembered the old take and is now stale.' (`why` says what the shots did)."""
    verb = "is" if len(numbers) == 1 else "are"
    return as_sentence(f"{shot_list(numbers)} {why} and {verb} now stale")


def shot_changes(brief: ShotBrief, diagnosis: RevisionDiagnosis) -> dict[str, Any]:
    """The `update_shot` fields the diagnosis changes; dialogue speakers are mapped to the shot's character ids."""
    changes: dict[str, Any] = {
        name: value
        for name in ("action", "camera", "sound_effects", "music")
        if (value := getattr(diagnosis, name)) is not None and value != getattr(brief, name)
    }
    if diagnosis.dialogue is not None:
        dialogue = []
        for line in diagnosis.dialogue:
            try:
                speaker = character_id_of(line.speaker, brief.characters)
            except EchoError:
                valid = ", ".join(f"{c.name} ({c.char_id})" for c in brief.characters) or "nobody (no characters)"
                raise EchoError(
                    f"the revision gives a line to {line.speaker!r}, who is not in shot {brief.number}; "
                    f"speakers in this shot: {valid}"
                ) from None
            dialogue.append({"speaker": speaker, "text": line.text})
        if dialogue != [{"speaker": line.speaker, "text": line.text} for line in brief.dialogue]:
            changes["dialogue"] = dialogue
    if diagnosis.duration_s is not None and nearest_frame_count(diagnosis.duration_s) != brief.num_frames:
        changes["num_frames"] = nearest_frame_count(diagnosis.duration_s)
    return changes


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    decision = state["decision"]
    number = decision.get("shot_number")
    if number is None:
        return {"outcome": "done", **say("Which shot should I change? Say e.g. 'shot 3: slower camera'.")}
    pid = state["project_id"]
    feedback = (decision.get("feedback") or state.get("user_message", "")).strip()
    brief = load_shot_brief(ctx, pid, number)
    if brief.take is None:
        raise EchoError(
            f"shot {number} has no take yet, so there is nothing to revise; generate it first, or change its "
            f"fields directly (e.g. 'shot {number}: make it 6 seconds')"
        )
    diagnosis = ctx.planner.diagnose_revision(brief, feedback)
    changes = shot_changes(brief, diagnosis)
    if changes:
        ctx.tool("update_shot", project_id=pid, number=number, **changes)
    return {
        **say(f"Revising shot {number}: {diagnosis.diagnosis}"),
        "outcome": "regenerate",
        "mode": "revise",
        "shot_number": number,
        "extended": [n for n in state.get("extended", []) if n != number],
        "revision": {
            "feedback": feedback,
            "diagnosis": diagnosis.diagnosis,
            "changes": {**changes, "drop_memory_labels": diagnosis.drop_memory_labels},
            "from_take_id": brief.take.take_id,
            "drop_labels": diagnosis.drop_memory_labels,
            "new_seed": diagnosis.new_seed,
        },
    }


def finish(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    """Record the revision and mark the later shots whose memory used the replaced take stale."""
    pid, number, revision = state["project_id"], state["shot_number"], state["revision"]
    ctx.tool(
        "record_revision",
        project_id=pid,
        number=number,
        feedback=revision["feedback"],
        diagnosis=revision["diagnosis"],
        changes=revision["changes"],
        from_take_id=revision["from_take_id"],
        to_take_id=state["take_id"],
    )
    with ctx.workspace.read_session() as session:
        stale = dependents_in(session, pid, revision["from_take_id"])
    dependents = [n for n, _ in stale]
    if stale:
        ctx.tool("mark_stale", project_id=pid, take_ids=[take.id for _, take in stale], reason="memory")
    text = f"Shot {number} is revised. {as_sentence(revision['diagnosis'])}"
    if dependents:
        text += " " + stale_sentence(dependents, "remembered the old take")
    update = {"stale": dependents, "mode": "plan", **say(text)}
    if state.get("resume_loop"):
        return {**update, "outcome": "continue"}
    return {**update, "outcome": "offer" if dependents else "done"}


def offer_regenerate(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    """Ask whether to regenerate the stale shots; any other answer is handled as a new message."""
    question = f"Regenerate stale {shot_list(state.get('stale', []))} now?"
    answer = ask(question, [REGENERATE, KEEP])
    if chose(answer, KEEP):
        return {"outcome": "done", **say("Kept them as they are; say 'generate' any time to regenerate stale shots.")}
    if chose(answer, REGENERATE):
        return {"outcome": "regenerate", "include_stale": True}
    decision = route_message(ctx, state, answer, pending_question=question)
    if decision.intent in ("approve", "generate"):
        return {"outcome": "regenerate", "include_stale": True}
    return {
        "outcome": "dispatch",
        "user_message": answer,
        **decision_update(decision, answer, ctx, state["project_id"]),
    }
