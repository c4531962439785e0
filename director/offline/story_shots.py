"""A confirmed story turned into exactly the requested number of shots, deterministically (no LLM): its arc over the
shots, its cast, places with their time and weather, the tone's music, and a camera that changes from shot to shot.
"""

from __future__ import annotations

import math
from typing import TypeVar

from director.offline.cast_cards import character_card
from director.offline.story import zh_noun
from director.offline.story_concept import Concept, Site, seed_of, story_concept
from director.offline.story_lines import (
    ACTIONS,
    ARC_ACTIONS,
    ARC_LINES,
    LINES,
    ON_PLACES,
    PLAIN_ACTIONS,
    PLAIN_LINES,
    TIMES,
)
from director.offline.timing import shot_seconds, speech_seconds
from director.offline.vocabulary import CAMERAS, WEATHER, Place, pick
from director.schemas import DialogueSpec, SceneSpec, ShotPlanDraft, ShotSpec, StoryDraft
from generator.text import upper_first

Option = TypeVar("Option", str, list[tuple[str, str]])
STAGES = ("setup", "discovery", "conflict", "climax", "resolution")


def plan_from_story(story: StoryDraft, num_shots: int) -> ShotPlanDraft:
    """Exactly `num_shots` shots following the story's arc, cast, places and time."""
    seed = seed_of(f"{story.title}\n{story.description}")
    concept = story_concept(story, seed)
    scene_count = max(1, min(len(concept.sites), 4, math.ceil(num_shots / 3)))
    scenes = [_scene_spec(site, seed) for site in concept.sites[:scene_count]]
    shots: list[ShotSpec] = []
    for index in range(num_shots):
        stage = STAGES[round(index * 4 / (num_shots - 1)) if num_shots > 1 else 1]
        scene_index = min(scene_count - 1, index * scene_count // num_shots)
        site = concept.sites[scene_index]
        shot = _shot(concept, stage, index, scenes[scene_index].name, site, previous=shots[-1] if shots else None)
        shots.append(shot)
    used = {name for shot in shots for name in shot.characters}
    characters = [character_card(member, seed) for member in concept.cast if member.name in used]
    return ShotPlanDraft(characters=characters, scenes=scenes, shots=shots)


def _scene_spec(site: Site, seed: str) -> SceneSpec:
    place = site.place
    side = "Inside" if place.interior else "Outside"
    where = f"{side.lower()} the {site.phrase}" + (f" in {site.label}" if site.label and place.noun != "city" else "")
    if site.label and place.noun == "city":
        where = f"the streets of {site.label}"
    elif site.label and place.noun == "land":
        where = site.label
    weather = WEATHER.get(site.weather)
    sky = f"; {weather[0]}{' outside' if place.interior else ''}" if weather else ""
    return SceneSpec(
        name=site.label if site.label and place.noun in ("city", "land") else place.noun.title(),
        location=where,
        time_of_day=site.time or pick(TIMES, seed, place.noun),
        description=f"{upper_first(where)}: {place.description}{sky}.",
    )


def _shot(concept: Concept, stage: str, index: int, scene: str, site: Site, previous: ShotSpec | None) -> ShotSpec:
    place = site.place
    cast = concept.cast
    hero = cast[0].name
    partner = cast[1 + index % (len(cast) - 1)].name if len(cast) > 1 else ""
    solo = (stage in ("setup", "discovery") and index % 2 == 0) or not partner
    names = {"a": hero, "b": "" if solo else partner}
    variant = int(concept.seed, 16) + index
    plain = bool(concept.arc) and not concept.thing_stated
    actions = ARC_ACTIONS.get((concept.arc, stage)) or (plain and PLAIN_ACTIONS.get(stage)) or ACTIONS[stage]
    action = _fill(_choose(actions, variant, solo), names, concept, place)
    said = (
        ARC_LINES[concept.language].get((concept.arc, stage))
        or (plain and PLAIN_LINES[concept.language].get(stage))
        or LINES[concept.language][stage]
    )
    lines = [
        DialogueSpec(speaker=names[slot], text=_fill(text, names, concept, place, localise=True))
        for slot, text in _choose(said, variant, solo)
        if names[slot]
    ]
    camera = pick(CAMERAS, concept.seed, index)
    if previous is not None and camera == previous.camera:
        camera = CAMERAS[(CAMERAS.index(camera) + 1) % len(CAMERAS)]
    speech = sum(speech_seconds(line.text) for line in lines)
    music = concept.tone.music[{"setup": 0, "discovery": 0, "conflict": 1, "climax": 1, "resolution": 2}[stage]]
    weather = WEATHER.get(site.weather)
    sound = f"{weather[1]}, {place.sound}" if weather else place.sound
    return ShotSpec(
        scene=scene,
        characters=[hero] if solo else [hero, partner],
        action=action,
        dialogue=lines,
        camera=camera,
        duration_s=shot_seconds(speech, minimum_s=4.0),
        sound_effects=upper_first(sound) + ".",
        music=upper_first(music) + ".",
    )


def _choose(options: list[Option], variant: int, solo: bool) -> Option:
    """One of the options, preferring those that use the partner exactly when the partner is in the shot."""
    fitting = [option for option in options if _needs_partner(option) != solo] or options
    return fitting[variant % len(fitting)]


def _needs_partner(option: str | list[tuple[str, str]]) -> bool:
    return "{b}" in option if isinstance(option, str) else any(slot == "b" for slot, _ in option)


def _fill(text: str, names: dict[str, str], concept: Concept, place: Place, localise: bool = False) -> str:
    zh = localise and concept.language == "zh"
    return text.format(
        a=names["a"],
        b=names["b"],
        thing=zh_noun(concept.thing) if zh else concept.thing,
        place=zh_noun(place.noun) if zh else place.noun,
        at=f"{'on' if place.noun in ON_PLACES else 'in'} the {place.noun}",
    )
