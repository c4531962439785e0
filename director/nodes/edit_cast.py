"""edit_cast: add, remove and rename characters from the chat. A rename reaches the card, every shot and the
story; removing a character takes them out of their shots (their lines go with them); shots that change and
already have a take become stale, and the Director offers to regenerate them."""

from __future__ import annotations

from typing import Any

from director.briefs import project_brief
from director.graph_state import DirectorContext, DirectorState
from director.nodes import say
from director.nodes.edit_card import apply_card_edits
from director.nodes.revise import shot_list, stale_sentence
from director.schemas import CardEdit, CharacterSpec
from director.shot_edits import character_id_of
from generator.errors import EchoError
from workspace.project_view import ProjectState, load_project_state


def _add(ctx: DirectorContext, project: ProjectState, decision: dict[str, Any]) -> dict[str, Any]:
    if not decision.get("new_character"):
        raise EchoError("say who to add, e.g. 'add a dog named Pip'")
    spec = CharacterSpec.model_validate(decision["new_character"])
    if any(card.name.casefold() == spec.name.casefold() for card in project.characters):
        raise EchoError(f"there is already a character named {spec.name}; give the new one another name")
    added = ctx.tool("add_character", project_id=project.project.id, **spec.model_dump())
    text = (
        f"Added {spec.name} ({added['char_id']}): {spec.identity} Put them in a shot with e.g. "
        f"'add a shot at the end where {spec.name} ...' or 'shot 3 should have {spec.name}'."
    )
    return {"outcome": "done", **say(text)}


def _remove(ctx: DirectorContext, project: ProjectState, char_id: str) -> dict[str, Any]:
    pid = project.project.id
    card = project.character(char_id)
    users = [shot for shot in project.shots if char_id in shot.characters]
    dropped_lines = 0
    for shot in users:
        dialogue = [line for line in shot.dialogue if line["speaker"] != char_id]
        dropped_lines += len(shot.dialogue) - len(dialogue)
        characters = [c for c in shot.characters if c != char_id]
        ctx.tool("update_shot", project_id=pid, number=shot.number, characters=characters, dialogue=dialogue)
    ctx.tool("delete_character", project_id=pid, char_id=char_id)
    text = f"Removed {card.name} ({char_id}) from the cast."
    if users:
        text += f" They left {shot_list([shot.number for shot in users])}"
        text += f", with their {dropped_lines} line{'s' if dropped_lines != 1 else ''}." if dropped_lines else "."
        named = [shot.number for shot in users if card.name in shot.action]
        if named:
            text += f" The action of {shot_list(named)} still mentions {card.name}; edit it in the Shot inspector."
    stale = [shot.number for shot in users if shot.current_take is not None]
    return {"outcome": "offer" if stale else "done", "stale": stale, **say(text)}


def _rename(ctx: DirectorContext, project: ProjectState, char_id: str, decision: dict[str, Any]) -> dict[str, Any]:
    """Rename everywhere, then apply the card rewrites that came with it ('make the neighbour a boy named Theo
    who plays trumpet': the identity changes too)."""
    new_name = decision.get("new_name", "").strip()
    if not new_name:
        raise EchoError("say the new name, e.g. 'rename Felix to Mae'")
    renamed = ctx.tool("rename_character", project_id=project.project.id, char_id=char_id, new_name=new_name)
    text = f"Renamed {renamed['old_name']} to {renamed['new_name']} ({char_id}) on the card"
    if renamed["changed_shots"]:
        text += f", in {shot_list(renamed['changed_shots'])}"
    if renamed.get("story_version"):
        text += f" and in the story (version {renamed['story_version']})"
    stale = renamed["stale_shots"]
    text += "." + (" " + stale_sentence(stale, "showed the old name") if stale else "")
    edits = [CardEdit.model_validate(edit) for edit in decision.get("card_edits", [])]
    if edits:
        edits = [
            edit.model_copy(update={"card": char_id}) if edit.card == renamed["old_name"] else edit for edit in edits
        ]
        edited, also_stale = apply_card_edits(ctx, project.project.id, edits)
        text += " " + edited
        stale = sorted(set(stale) | set(also_stale))
    return {"outcome": "offer" if stale else "done", "stale": stale, **say(text)}


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid, decision = state["project_id"], state["decision"]
    project = load_project_state(ctx.workspace, pid)
    if decision["intent"] == "add_character":
        return _add(ctx, project, decision)
    if not decision.get("character"):
        raise EchoError("say which character, by name or id (e.g. ID_B)")
    char_id = character_id_of(decision["character"], project_brief(project).characters)
    if decision["intent"] == "remove_character":
        return _remove(ctx, project, char_id)
    return _rename(ctx, project, char_id, decision)
