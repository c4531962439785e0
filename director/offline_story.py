"""A one-line idea turned into a story and a coherent shot plan, deterministically (no LLM).

The story's description ends with `Cast:` and `Places:` lines, so the plan reads the same people and places the
creator confirmed (including renames they asked for). Arc: setup, discovery, conflict, climax, resolution.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from typing import TypeVar

from director.offline_cast import CastMember, character_card, find_names, find_roles, new_name
from director.offline_timing import has_cjk, shot_seconds, speech_seconds
from director.offline_vocabulary import (
    AGES,
    CAMERAS,
    DEFAULT_TONE,
    FALLBACK_OBJECTS,
    FALLBACK_PLACES,
    OBJECTS,
    PLACE_SYNONYMS,
    PLACE_WORDS,
    PLACES,
    ROLES,
    TONES,
    Place,
    Role,
    Tone,
    find_words,
    pick,
)
from director.schemas import DialogueSpec, SceneSpec, ShotPlanDraft, ShotSpec, StoryDraft

Option = TypeVar("Option", str, list[tuple[str, str]])
STAGES = ("setup", "discovery", "conflict", "climax", "resolution")
_REQUEST_PREFIX = re.compile(
    r"^(?:please\s+)?(?:(?:make|create|write|generate|tell|give)\s+(?:me\s+)?)?(?:an?\s+)?(?:short\s+|long\s+)?"
    r"(?:(?:film|video|story|movie|animation|clip)\s+)?(?:about|of|where|in which)\s+",
    re.IGNORECASE,
)
_CAST_LINE = re.compile(r"^Cast:\s*(?P<cast>.+?)\.?\s*$", re.MULTILINE)
_PLACES_LINE = re.compile(r"^Places:\s*(?P<places>.+?)\.?\s*$", re.MULTILINE)
_TIMES = ["early morning", "late afternoon", "dusk", "night", "a grey morning", "golden hour"]
_COMPANIONS = ("inventor", "grandfather", "cat", "robot", "explorer", "girl", "fisherman")
ENDING_MARKERS = ("In the end, ", "最后，")
_ZH_WORD = {english: word for word, english in {**PLACE_SYNONYMS, **OBJECTS}.items() if has_cjk(word)}


@dataclass(frozen=True)
class Concept:
    language: str
    cast: list[CastMember]
    places: list[Place]
    thing: str
    tone: Tone
    seed: str


def seed_of(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def tone_in(text: str) -> Tone:
    return find_tone(text) or TONES[DEFAULT_TONE]


def find_tone(text: str) -> Tone | None:
    """The tone whose keyword appears first in the text (whole words for English), if any."""
    hits = find_words(text, [(keyword, tone) for tone in TONES.values() for keyword in tone.keywords], plural=False)
    return hits[0][2] if hits else None


def tone_of_style(style: str, text: str) -> Tone:
    return next((tone for tone in TONES.values() if tone.style == style), None) or tone_in(f"{style} {text}")


def derive_concept(text: str, seed: str, tone: Tone | None = None) -> Concept:
    """People, places, the story object and the tone found in (or chosen for) the text."""
    language = "zh" if has_cjk(text) else "en"
    places = _places_in(text, seed)
    return Concept(language, _cast_in(text, language, seed), places, _thing_in(text, seed), tone or tone_in(text), seed)


def write_story_from_idea(idea: str) -> StoryDraft:
    seed = seed_of(idea)
    concept = derive_concept(idea, seed)
    premise = _premise(idea)
    hero, other = concept.cast[0], concept.cast[1]
    first, last = concept.places[0].noun, concept.places[-1].noun
    thing = concept.thing
    habit = pick(["quiet days", "long nights", "every morning"], seed)
    found = pick(["hidden among forgotten things", "where nothing should be", "glowing faintly in the dark"], seed)
    reaction = pick([f"wants the {thing} for themselves", f"warns that the {thing} is dangerous",
                     "does not believe a word of it"], seed)  # fmt: skip
    stake = pick([f"protect the {thing}", f"unlock the secret of the {thing}",
                  f"return the {thing} where it belongs"], seed)  # fmt: skip
    outcome = pick(["find an unexpected friendship", "understand each other at last", "watch the sunrise together"],
                   seed)  # fmt: skip
    if concept.language == "zh":
        sentences = [
            premise,
            f"{hero.name}在{_zh(first)}过着平静的日子。",
            f"直到有一天，{hero.name}发现了一个神秘的{_zh(thing)}。",
            f"{other.name}对此{pick(['充满怀疑', '另有打算', '十分担忧'], seed)}，两人之间起了冲突。",
            f"在最关键的时刻，{hero.name}必须在{_zh(last)}冒险守护{_zh(thing)}。",
            f"最后，{hero.name}和{other.name}{pick(['成了真正的朋友', '终于理解了彼此', '一起迎来了日出'], seed)}。",
        ]
    else:
        sentences = [
            premise,
            f"{hero.name}, {hero.phrase}, spends {habit} in the {first}.",
            f"Everything changes when {hero.name} discovers a {thing} {found}.",
            f"{other.name}, {other.phrase}, {reaction}, and the two clash.",
            f"At the height of the trouble in the {last}, {hero.name} must risk everything to {stake}.",
            f"In the end, {hero.name} and {other.name} {outcome}.",
        ]
    sentences.append(_mood_sentence(concept.tone))
    description = (
        ("" if concept.language == "zh" else " ").join(sentences)
        + "\n"
        + _cast_line(concept.cast)
        + "\n"
        + _places_line(concept.places)
    )
    if concept.language == "zh":
        title = f"{hero.name}与{_zh(thing)}"
    else:
        title = pick(
            [
                f"{hero.name} and the {thing.title()}",
                f"The {thing.title()} of the {first.title()}",
                f"The {first.title()} {thing.title()}",
            ],
            seed,
            "title",
        )
    return StoryDraft(title=title, description=description, style=concept.tone.style, language=concept.language)


def plan_from_story(story: StoryDraft, num_shots: int) -> ShotPlanDraft:
    """Exactly `num_shots` shots following the story's arc, cast and places."""
    seed = seed_of(f"{story.title}\n{story.description}")
    concept = derive_concept(f"{story.title}. {story.description}", seed, tone_of_style(story.style, story.description))
    scene_count = max(1, min(len(concept.places), 4, math.ceil(num_shots / 3)))
    scenes = [_scene_spec(place, seed) for place in concept.places[:scene_count]]
    shots: list[ShotSpec] = []
    for index in range(num_shots):
        stage = STAGES[round(index * 4 / (num_shots - 1)) if num_shots > 1 else 1]
        scene = scenes[min(scene_count - 1, index * scene_count // num_shots)]
        place = concept.places[scenes.index(scene)]
        shots.append(_shot(concept, stage, index, scene.name, place, previous=shots[-1] if shots else None))
    used = {name for shot in shots for name in shot.characters}
    characters = [character_card(member, seed) for member in concept.cast if member.name in used]
    return ShotPlanDraft(characters=characters, scenes=scenes, shots=shots)


def mood_sentence_pattern() -> re.Pattern[str]:
    return re.compile(r"The mood is [^.]*\.")


def _mood_sentence(tone: Tone) -> str:
    return f"The mood is {tone.mood}."


def _cast_line(cast: list[CastMember]) -> str:
    return "Cast: " + "; ".join(f"{member.name}, {member.phrase}" for member in cast) + "."


def _places_line(places: list[Place]) -> str:
    return "Places: " + ", ".join(place.noun for place in places) + "."


def _premise(idea: str) -> str:
    first = " ".join(idea.split())
    first = _REQUEST_PREFIX.sub("", first, count=1)
    first = first[:300].rstrip(" ,;:")
    first = first[:1].upper() + first[1:]
    return first if first.endswith((".", "!", "?", "。", "！", "？")) else first + ("。" if has_cjk(first) else ".")


def _zh(noun: str) -> str:
    return _ZH_WORD.get(noun, noun)


def _places_in(text: str, seed: str) -> list[Place]:
    if match := _PLACES_LINE.search(text):
        listed = [PLACES[noun.strip()] for noun in match["places"].split(",") if noun.strip() in PLACES]
        if listed:
            return listed[:4]
    found = find_words(text, PLACE_WORDS)
    nouns = list(dict.fromkeys(noun for _, _, noun in found))
    while len(nouns) < 2:
        nouns.append(pick([noun for noun in FALLBACK_PLACES if noun not in nouns], seed, "place", len(nouns)))
    return [PLACES[noun] for noun in nouns[:4]]


def _thing_in(text: str, seed: str) -> str:
    hits = find_words(text, OBJECTS.items())
    return hits[0][2] if hits else pick(FALLBACK_OBJECTS, seed, "thing")


def _cast_in(text: str, language: str, seed: str) -> list[CastMember]:
    """1-3 people: the Cast line when present, else names and roles in the text; at least two for a story."""
    cast: list[CastMember] = []
    if match := _CAST_LINE.search(text):
        for entry in match["cast"].split(";"):
            name, _, phrase = (part.strip() for part in entry.partition(","))
            roles = find_roles(phrase)
            if name:
                cast.append(CastMember(name, roles[0][2] if roles else None, phrase))
        text = _CAST_LINE.sub("", text)
    roles = find_roles(text)
    represented = {member.role.noun for member in cast if member.role}
    names = [name for name in find_names(text) if all(member.name != name for member in cast)] if not cast else []
    for _, words, role in roles:
        if len(cast) >= 3:
            break
        if role.noun in represented:
            continue
        represented.add(role.noun)
        taken = {member.name for member in cast}
        name = names.pop(0) if names else new_name(role, language, seed, taken)
        cast.append(CastMember(name, role, _phrase(words, role, seed)))
    for name in names[: max(0, 3 - len(cast))]:
        cast.append(CastMember(name, None, _phrase("", None, seed + name)))
    while len(cast) < 2:
        companion = pick([ROLES[noun] for noun in _COMPANIONS if noun not in represented], seed, len(cast))
        represented.add(companion.noun)
        name = new_name(companion, language, seed, {member.name for member in cast})
        cast.append(CastMember(name, companion, _phrase(companion.noun, companion, seed)))
    return cast


def _phrase(words: str, role: Role | None, seed: str) -> str:
    if role is None:
        return f"{pick(AGES['young'] + AGES['adult'], seed, 'phrase')} traveller"
    noun = words if words and not has_cjk(words) else role.noun
    if not role.human:
        return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"
    return f"{pick(AGES[role.age], seed, noun)} {noun}"


def _scene_spec(place: Place, seed: str) -> SceneSpec:
    side = "Inside" if place.interior else "Outside"
    return SceneSpec(
        name=place.noun.title(),
        location=f"{side.lower()} the {place.noun}",
        time_of_day=pick(_TIMES, seed, place.noun),
        description=f"{side}: {place.description}.",
    )


_ACTIONS = {
    "setup": [
        "{a} moves slowly through the {place}, going about a familiar routine.",
        "{a} pauses by a window in the {place}, lost in thought.",
        "{a} and {b} share a quiet moment in the {place}.",
    ],
    "discovery": [
        "{a} notices a {thing} half-hidden in the {place} and picks it up carefully.",
        "{a} turns the {thing} over in both hands as it begins to glow.",
        "{a} shows the {thing} to {b}, eyes wide with wonder.",
    ],
    "conflict": [
        "{b} steps forward and confronts {a} about the {thing}; they argue face to face.",
        "{a} pulls the {thing} away from {b}, and the argument grows heated.",
        "{a} struggles alone as the {thing} slips out of control.",
    ],
    "climax": [
        "{a} raises the {thing} high as light and wind sweep through the {place}.",
        "{a} and {b} brace together as the {thing} blazes brighter than ever.",
        "{a} makes a desperate leap to save the {thing}.",
    ],
    "resolution": [
        "{a} and {b} sit side by side, smiling as calm returns to the {place}.",
        "{a} places the {thing} gently where it belongs and exhales.",
        "{a} and {b} walk away together as the light softens.",
    ],
}
_LINES = {
    "en": {
        "setup": [
            [("a", "Another quiet day in the {place}.")],
            [("a", "Everything is just where I left it.")],
            [("b", "You're up early."), ("a", "I couldn't sleep.")],
        ],
        "discovery": [
            [("a", "Wait... what is this {thing} doing here?")],
            [("a", "It's warm. It's almost alive.")],
            [("a", "Look what I found."), ("b", "I've never seen anything like it.")],
        ],
        "conflict": [
            [("b", "You shouldn't have touched the {thing}."), ("a", "I can't just leave it.")],
            [("b", "Give it to me, now."), ("a", "Not a chance.")],
            [("a", "Why won't you listen to me?")],
        ],
        "climax": [
            [("a", "Now or never. Hold on!")],
            [("b", "Together, then!"), ("a", "Together.")],
            [("a", "I won't let it fall!")],
        ],
        "resolution": [
            [("a", "We did it. The {place} is safe again.")],
            [("b", "I'll never forget this."), ("a", "Neither will I.")],
            [("a", "Home, at last.")],
        ],
    },
    "zh": {
        "setup": [
            [("a", "又是{place}里平静的一天。")],
            [("a", "一切都还在原来的地方。")],
            [("b", "你起得真早。"), ("a", "我睡不着。")],
        ],
        "discovery": [
            [("a", "等等……这个{thing}怎么会在这里？")],
            [("a", "它是温热的，好像活着一样。")],
            [("a", "你看我找到了什么。"), ("b", "我从来没见过这样的东西。")],
        ],
        "conflict": [
            [("b", "你不该碰那个{thing}。"), ("a", "我不能丢下它不管。")],
            [("b", "马上把它给我。"), ("a", "绝对不行。")],
            [("a", "你为什么就是不听我说？")],
        ],
        "climax": [
            [("a", "现在不做就来不及了，抓紧！")],
            [("b", "那就一起！"), ("a", "一起。")],
            [("a", "我不会让它掉下去！")],
        ],
        "resolution": [
            [("a", "我们成功了，{place}又安全了。")],
            [("b", "我永远不会忘记今天。"), ("a", "我也是。")],
            [("a", "终于回家了。")],
        ],
    },
}


def _shot(concept: Concept, stage: str, index: int, scene: str, place: Place, previous: ShotSpec | None) -> ShotSpec:
    cast = concept.cast
    hero = cast[0].name
    partner = cast[1 + index % (len(cast) - 1)].name if len(cast) > 1 else ""
    solo = (stage in ("setup", "discovery") and index % 2 == 0) or not partner
    names = {"a": hero, "b": "" if solo else partner}
    variant = int(concept.seed, 16) + index
    action = _fill(_choose(_ACTIONS[stage], variant, solo), names, concept, place)
    lines = [
        DialogueSpec(speaker=names[slot], text=_fill(text, names, concept, place, localise=True))
        for slot, text in _choose(_LINES[concept.language][stage], variant, solo)
        if names[slot]
    ]
    camera = pick(CAMERAS, concept.seed, index)
    if previous is not None and camera == previous.camera:
        camera = CAMERAS[(CAMERAS.index(camera) + 1) % len(CAMERAS)]
    speech = sum(speech_seconds(line.text) for line in lines)
    music = concept.tone.music[{"setup": 0, "discovery": 0, "conflict": 1, "climax": 1, "resolution": 2}[stage]]
    return ShotSpec(
        scene=scene,
        characters=[hero] if solo else [hero, partner],
        action=action,
        dialogue=lines,
        camera=camera,
        duration_s=shot_seconds(speech, minimum_s=4.0),
        sound_effects=place.sound[:1].upper() + place.sound[1:] + ".",
        music=music[:1].upper() + music[1:] + ".",
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
        thing=_zh(concept.thing) if zh else concept.thing,
        place=_zh(place.noun) if zh else place.noun,
    )
