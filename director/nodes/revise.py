"""revise: feedback on one shot -> localise it to condition fields and memory entries (planner.diagnose_revision)
-> update the shot -> regenerate only that shot -> record the Revision -> mark later shots that remembered the
replaced take stale and offer to regenerate them (paper Sec. 5.4)."""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import ask, chose, say
from director.nodes.route import decision_update, project_context
from director.nodes.shot_context import ShotContext, load_shot_context
from director.schemas import RevisionDiagnosis
from generator.errors import EchoError
from generator.text import as_sentence
from generator.types import FPS, nearest_frame_count
from workspace.history import dependents_in
from workspace.project_view import load_project_state

REGENERATE, KEEP = "Regenerate", "Keep"


def shot_summary(shot_ctx: ShotContext) -> str:
    """The shot as the planner reads it (one `key: value` line per field) when localising feedback or critiquing."""
    shot = shot_ctx.shot
    names = {char_id: card.name for char_id, card in shot_ctx.characters.items()}
    dialogue = " | ".join(f'{names.get(d["speaker"], d["speaker"])}: "{d["text"]}"' for d in shot.dialogue)
    fields = {
        "shot": str(shot.number),
        "scene": shot_ctx.scene().name or shot.scene_id,
        "characters": ", ".join(names.get(c, c) for c in shot.characters) or "none",
        "action": shot.action,
        "dialogue": dialogue,
        "camera": shot.camera,
        "sound_effects": shot.sound_effects,
        "music": shot.music,
        "duration_s": f"{shot.num_frames / FPS:.2f}",
    }
    take = shot.current_take
    if take and take.memory_sources:
        fields["memory"] = ", ".join(str(source.get("label")) for source in take.memory_sources)
    if shot.latest_condition_prompt:
        fields["prompt"] = shot.latest_condition_prompt
    return "\n".join(f"{key}: {' '.join(value.split())}" for key, value in fields.items())


def shot_list(numbers: list[int]) -> str:
    """'shot 3', 'shots 3 and 4', 'shots 1, 2 and 3'."""
    if len(numbers) == 1:
        return f"shot {numbers[0]}"
    return f"shots {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def stale_sentence(numbers: list[int], why: str) -> str:
    """'Shot 3 remembered the old take and is now stale.' (`why` says what the shots did)."""
    verb = "is" if len(numbers) == 1 else "are"
    return as_sentence(f"{shot_list(numbers)} {why} and {verb} now stale")


def _speaker_ids(shot_ctx: ShotContext) -> dict[str, str]:
    ids = {char_id.casefold(): char_id for char_id in shot_ctx.shot.characters}
    for char_id in shot_ctx.shot.characters:
        card = shot_ctx.characters.get(char_id)
        if card:
            ids[card.name.casefold()] = char_id
    return ids


def shot_changes(shot_ctx: ShotContext, diagnosis: RevisionDiagnosis) -> dict[str, Any]:
    """The `update_shot` fields the diagnosis changes; dialogue speakers are mapped to the shot's character ids."""
    shot = shot_ctx.shot
    changes: dict[str, Any] = {
        name: value
        for name in ("action", "camera", "sound_effects", "music")
        if (value := getattr(diagnosis, name)) is not None and value != getattr(shot, name)
    }
    if diagnosis.dialogue is not None:
        speakers = _speaker_ids(shot_ctx)
        dialogue = []
        for line in diagnosis.dialogue:
            speaker = speakers.get(line.speaker.strip().casefold())
            if speaker is None:
                valid = ", ".join(sorted(set(speakers.values()))) or "nobody (the shot has no characters)"
                raise EchoError(
                    f"the revision gives a line to {line.speaker!r}, who is not in shot {shot.number}; "
                    f"speakers in this shot: {valid}"
                )
            dialogue.append({"speaker": speaker, "text": line.text})
        if dialogue != shot.dialogue:
            changes["dialogue"] = dialogue
    if diagnosis.duration_s is not None and nearest_frame_count(diagnosis.duration_s) != shot.num_frames:
        changes["num_frames"] = nearest_frame_count(diagnosis.duration_s)
    return changes


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    decision = state["decision"]
    number = decision.get("shot_number")
    if number is None:
        return {"outcome": "done", **say("Which shot should I change? Say e.g. 'shot 3: slower camera'.")}
    pid = state["project_id"]
    feedback = (decision.get("feedback") or state.get("user_message", "")).strip()
    shot_ctx = load_shot_context(ctx, pid, number)
    take = shot_ctx.shot.current_take
    if take is None:
        raise EchoError(f"shot {number} has no take yet, so there is nothing to revise; generate it first")
    diagnosis = ctx.planner.diagnose_revision(shot_summary(shot_ctx), feedback)
    changes = shot_changes(shot_ctx, diagnosis)
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
            "from_take_id": take.id,
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
    answer = ask(f"Regenerate stale {shot_list(state.get('stale', []))} now?", [REGENERATE, KEEP])
    if chose(answer, KEEP):
        return {"outcome": "done", **say("Kept them as they are; say 'generate' any time to regenerate stale shots.")}
    if chose(answer, REGENERATE):
        return {"outcome": "regenerate", "include_stale": True}
    decision = ctx.planner.route(answer, project_context(load_project_state(ctx.workspace, state["project_id"])))
    if decision.intent in ("approve", "generate"):
        return {"outcome": "regenerate", "include_stale": True}
    return {"outcome": "dispatch", "user_message": answer, **decision_update(decision, answer)}
