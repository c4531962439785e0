"""plan: cards and the shot plan through the typed tools (paper Sec. 5.2); at most two characters per shot,
durations snapped to the model's 1+8k frame counts."""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import emit, say
from director.nodes.story import draft_of
from director.prompt_fit import ShotCards, frames_for_speech, prompt_overflow, speech_over_budget
from director.schemas import ShotPlanDraft, ShotSpec
from director.shot_edits import name_key
from generator.errors import EchoError
from generator.types import FPS, MAX_CHARACTERS_PER_SHOT, nearest_frame_count
from workspace.project_view import ProjectState, load_project_state


def _cards(ctx: DirectorContext, project: ProjectState, draft: ShotPlanDraft) -> tuple[dict[str, str], dict[str, str]]:
    """Name -> char id and name -> scene id; cards whose name already exists are reused, not duplicated."""
    pid = project.project.id
    characters = {name_key(card.name): card.char_id for card in project.characters}
    for spec in draft.characters:
        if name_key(spec.name) not in characters:
            added = ctx.tool("add_character", project_id=pid, **spec.model_dump())
            characters[name_key(spec.name)] = added["char_id"]
    scenes = {name_key(card.name): card.scene_id for card in project.scenes}
    for spec in draft.scenes:
        if name_key(spec.name) not in scenes:
            scenes[name_key(spec.name)] = ctx.tool("add_scene", project_id=pid, **spec.model_dump())["scene_id"]
    return characters, scenes


def shot_input(spec: ShotSpec, characters: dict[str, str], scenes: dict[str, str], default_scene: str) -> dict:
    """A planned shot as `ShotInput` arguments: names -> stable ids, speakers added to the cast while there is
    room (at most two), lines of anyone else dropped rather than breaking the two-character rule."""
    cast: list[str] = []
    for name in spec.characters:
        char_id = characters.get(name_key(name))
        if char_id and char_id not in cast and len(cast) < MAX_CHARACTERS_PER_SHOT:
            cast.append(char_id)
    dialogue = []
    for line in spec.dialogue:
        speaker = characters.get(name_key(line.speaker))
        if speaker and speaker not in cast and len(cast) < MAX_CHARACTERS_PER_SHOT:
            cast.append(speaker)
        if speaker in cast:
            delivered = {"delivery": line.delivery} if line.delivery else {}
            dialogue.append({"speaker": speaker, "text": line.text, **delivered})
    return {
        "scene_id": scenes.get(name_key(spec.scene), default_scene),
        "characters": cast,
        "action": spec.action,
        "dialogue": dialogue,
        "camera": spec.camera,
        "num_frames": nearest_frame_count(spec.duration_s),
        "sound_effects": spec.sound_effects,
        "music": spec.music,
    }


FIT_ATTEMPTS = 2


def fitted_shots(
    ctx: DirectorContext, project: ProjectState, draft: ShotPlanDraft, ids: tuple[dict[str, str], dict[str, str]]
) -> list[dict[str, Any]]:
    """Every planned shot as `ShotInput` arguments whose caption fits the limit and whose dialogue fits the speech
    budget: a shot over the limit goes back to the planner with the measured overflow (twice at most), a shot too
    short for its lines is lengthened, before anything is saved or rendered."""
    characters, scenes = ids
    cards = ShotCards.of(project)
    default_scene = scenes[name_key(draft.scenes[0].name)]
    shots = []
    for index in range(len(draft.shots)):
        shot = shot_input(draft.shots[index], characters, scenes, default_scene)
        for _ in range(FIT_ATTEMPTS):
            overflow = prompt_overflow(index + 1, shot, cards)
            if overflow is None:
                break
            emit("progress", f"Shot {index + 1}'s prompt is {overflow.over_by} characters too long; shortening it")
            draft.shots[index] = ctx.planner.fit_shot(draft, index, overflow)
            shot = shot_input(draft.shots[index], characters, scenes, default_scene)
        else:
            overflow = prompt_overflow(index + 1, shot, cards)
            if overflow is not None:
                raise EchoError(
                    f"shot {index + 1}'s prompt is still {overflow.over_by} characters over the "
                    f"{overflow.limit}-character limit after asking the planner to shorten it {FIT_ATTEMPTS} times; "
                    "shorten the character cards (they repeat in every shot) or the story's style, then plan again"
                )
        if problem := speech_over_budget(shot):
            if (frames := frames_for_speech(shot)) is None:
                raise EchoError(f"shot {index + 1}: {problem}; plan again with shorter lines")
            shot["num_frames"] = frames
        shots.append(shot)
    return shots


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    pid = state["project_id"]
    project = load_project_state(ctx.workspace, pid)
    if project.story is None:
        return say("There is no story to plan yet; tell me your idea first.")
    emit("progress", "Planning characters, scenes and shots", fraction=0.0)
    source = project.story.screenplay or state.get("idea") or project.project.idea
    draft = ctx.planner.plan_shots(draft_of(project.story, project.project.language), state.get("num_shots"), source)
    ids = _cards(ctx, project, draft)
    shots = fitted_shots(ctx, load_project_state(ctx.workspace, pid), draft, ids)
    ctx.tool("set_shot_plan", project_id=pid, shots=shots)
    cast = ", ".join(spec.name for spec in draft.characters) or "no named characters"
    places = ", ".join(spec.name for spec in draft.scenes)
    seconds = sum(shot["num_frames"] for shot in shots) / FPS
    return {
        "include_stale": False,
        **say(f"Planned {len(shots)} shots ({seconds:.0f} s) with {cast} in {places}. Generating them now."),
    }
