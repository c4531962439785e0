"""edit_card: rewrite character or scene card fields by meaning (the planner gives each field's complete new
sentence), refuse an edit that would push any shot's prompt over the limit, then mark the takes that showed the
old card stale and offer to regenerate them."""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import say
from director.nodes.revise import shot_list, stale_sentence
from director.prompt_fit import caption_breaks, shots_over_limit
from director.schemas import CardEdit
from generator.errors import EchoError
from workspace.project_view import CharacterView, ProjectState, SceneView, load_project_state

CHARACTER_FIELDS = ("identity", "appearance", "clothing", "voice")
SCENE_FIELDS = ("location", "time_of_day", "description")
NO_EDIT = (
    "I could not tell which card sentence to change, so nothing changed. Say it as e.g. 'Mae wears a red scarf' "
    "or 'Mae's voice is deep and gruff', edit the card in the Cards tab, or configure an LLM endpoint."
)


def card_of(project: ProjectState, ref: str) -> CharacterView | SceneView:
    key = " ".join(ref.split()).casefold()
    for card in project.characters:
        if key in (card.char_id.casefold(), card.name.casefold()):
            return card
    for scene in project.scenes:
        if key in (scene.scene_id.casefold(), scene.name.casefold()):
            return scene
    names = ", ".join([f"{c.name} ({c.char_id})" for c in project.characters] + [s.name for s in project.scenes])
    raise EchoError(f"there is no card {ref!r}; the cards are {names or 'none yet'}")


def edited_cards(
    project: ProjectState, edits: list[CardEdit]
) -> tuple[dict[str, CharacterView], dict[str, SceneView], list[str]]:
    """The project's cards with `edits` applied (not saved), and a description of each change."""
    characters = {card.char_id: card for card in project.characters}
    scenes = {scene.scene_id: scene for scene in project.scenes}
    changed: list[str] = []
    for edit in edits:
        card = card_of(project, edit.card)
        if isinstance(card, CharacterView):
            if edit.field not in CHARACTER_FIELDS:
                raise EchoError(f"{card.name} is a character; a character card has {', '.join(CHARACTER_FIELDS)}")
            characters[card.char_id] = characters[card.char_id].model_copy(update={edit.field: edit.value})
        else:
            if edit.field not in SCENE_FIELDS:
                raise EchoError(f"{card.name} is a scene; a scene card has {', '.join(SCENE_FIELDS)}")
            scenes[card.scene_id] = scenes[card.scene_id].model_copy(update={edit.field: edit.value})
        changed.append(f'{card.name}\'s {edit.field.replace("_", " ")}: "{edit.value}"')
    return characters, scenes, changed


def apply_card_edits(ctx: DirectorContext, project_id: int, edits: list[CardEdit]) -> tuple[str, list[int]]:
    """Save the edits unless a prompt would overflow; (what happened, the shot numbers that became stale)."""
    project = load_project_state(ctx.workspace, project_id)
    characters, scenes, changed = edited_cards(project, edits)
    touched = {char_id for char_id, card in characters.items() if card != project.character(char_id)}
    touched_scenes = {scene_id for scene_id, card in scenes.items() if card != project.scene(scene_id)}
    if not touched and not touched_scenes:
        return "The cards already say that; nothing changed.", []
    users = [shot for shot in project.shots if touched & set(shot.characters) or shot.scene_id in touched_scenes]
    over = shots_over_limit(project, [shot.number for shot in users], characters, scenes)
    if over:
        worst = ", ".join(f"shot {o.shot_number} by {o.over_by}" for o in over)
        text = (
            f"The card was not changed: with that text the prompts of {shot_list([o.shot_number for o in over])} "
            f"would be over the {over[0].limit}-character limit ({worst} characters). Use a shorter sentence."
        )
        return text, []
    if broken := caption_breaks(project, [shot.number for shot in users], characters, scenes):
        number, problem = next(iter(broken.items()))
        text = (
            f"The card was not changed: with that text the captions of {shot_list(list(broken))} would break the "
            f"model's caption contract (shot {number}: {problem})."
        )
        return text, []
    for char_id in touched:
        fields = characters[char_id].model_dump(include=set(CHARACTER_FIELDS))
        ctx.tool("update_character", project_id=project_id, char_id=char_id, **fields)
    for scene_id in touched_scenes:
        fields = scenes[scene_id].model_dump(include=set(SCENE_FIELDS))
        ctx.tool("update_scene", project_id=project_id, scene_id=scene_id, **fields)
    generated = [shot for shot in users if shot.current_take is not None]
    if generated:
        ctx.tool("mark_stale", project_id=project_id, take_ids=[shot.current_take.id for shot in generated])
    stale = [shot.number for shot in generated]
    note = " " + stale_sentence(stale, "showed the old card") if stale else ""
    return "Updated " + "; ".join(changed) + "." + note, stale


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    edits = [CardEdit.model_validate(edit) for edit in state["decision"].get("card_edits", [])]
    if not edits:
        return {"outcome": "done", **say(NO_EDIT)}
    text, stale = apply_card_edits(ctx, state["project_id"], edits)
    return {"outcome": "offer" if stale else "done", "stale": stale, **say(text)}
