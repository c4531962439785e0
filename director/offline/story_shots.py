"""A confirmed story turned into exactly the requested number of shots, deterministically (no LLM).

Every beat is at least one shot whose action is the beat itself, people called by name; spare shots open on the
place or stay with the people of a beat (never a new event), and a plan with fewer shots than beats gives a shot two
beats. Each shot is where its beat says, with that place's time and weather; its lines come from its event and its
people (director/offline/story_lines.py); everyone in the cast appears somewhere when there is room.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from director.offline.cast_cards import CastMember, cast_cards
from director.offline.clauses import LINES, joined, kind_of, named_only, sentence, who
from director.offline.story import ENDING_MARKERS, MOOD_SENTENCE, at, introduced, story_beats, zh_place, zh_time
from director.offline.story_concept import Concept, Site, seed_of, story_concept
from director.offline.story_lines import lines_for
from director.offline.timing import shot_seconds, speech_seconds
from director.offline.vocabulary import CAMERAS, TIME_PHRASES, WEATHER, ZH, pick
from director.offline.zh_cards import zh_cast_cards
from director.schemas import SceneSpec, ShotPlanDraft, ShotSpec, StoryDraft
from generator.text import has_cjk, upper_first

_MACHINE_LINES = re.compile(r"^(?:Cast|Places|Time|Weather):.*$", re.MULTILINE)
_TIMES = ["early morning", "late afternoon", "dusk", "night", "a grey morning", "golden hour"]


@dataclass
class _Shot:
    beat: int
    action: str  # the beat's action, or empty for a shot that shows its place or people ("establish", "stay")
    names: list[str]
    site: Site
    kind: str
    coverage: str = ""
    lines: list = field(default_factory=list)


def plan_from_story(story: StoryDraft, num_shots: int) -> ShotPlanDraft:
    """Exactly `num_shots` shots of the story's beats, cast, places and time."""
    seed = seed_of(f"{story.title}\n{story.description}")
    concept = story_concept(story, seed)
    beats = [beat for beat in story.beats or _beats_of(story.description, concept) if beat.strip()]
    actions = [named_only(beat, concept.cast, concept.language) for beat in beats]
    shots = _shots(actions, num_shots, concept)
    _bring_everyone_in(shots, concept.cast)
    scenes = list(dict.fromkeys(shot.site for shot in shots))
    zh = concept.language == "zh"
    specs = [_zh_scene_spec(site, seed) if zh else _scene_spec(site, seed) for site in scenes]
    used: set[str] = set()
    planned = [
        _spec(shot, index, len(shots), concept, specs[scenes.index(shot.site)].name, used)
        for index, shot in enumerate(shots)
    ]
    _vary_cameras(planned, seed, zh)
    present = {name for shot in planned for name in shot.characters}
    members = [member for member in concept.cast if member.name in present]
    cast_seed = seed_of("|".join(f"{member.name}:{member.phrase}" for member in concept.cast))
    cards = zh_cast_cards(members, cast_seed) if zh else cast_cards(members, cast_seed, concept.culture)
    return ShotPlanDraft(characters=cards, scenes=specs, shots=planned)


def _beats_of(description: str, concept: Concept) -> list[str]:
    """The beats of a story saved without them: its sentences when it already ends, else its events and an end."""
    prose = MOOD_SENTENCE.sub("", _MACHINE_LINES.sub("", description)).strip()
    if any(marker in prose for marker in ENDING_MARKERS):
        return [part for part in re.split(r"(?<=[.!?。！？])\s*", prose) if part.strip()]
    return story_beats(introduced(prose, concept.cast, concept.language), concept)


def _shots(actions: list[str], count: int, concept: Concept) -> list[_Shot]:
    if count <= len(actions):
        groups = [
            actions[index * len(actions) // count : (index + 1) * len(actions) // count] for index in range(count)
        ]
        merged: list[_Shot] = []
        for index, group in enumerate(groups):
            merged.append(
                _beat_shot(
                    index,
                    ("" if concept.language == "zh" else " ").join(group),
                    concept,
                    merged,
                    _later_places(groups[index + 1 :], concept),
                )
            )
        return merged
    extra = [1 + (count - len(actions)) // len(actions) + (index < (count - len(actions)) % len(actions))
             for index in range(len(actions))]  # fmt: skip
    shots: list[_Shot] = []
    for index, (action, shots_of_beat) in enumerate(zip(actions, extra, strict=True)):
        main = _beat_shot(
            index, action, concept, shots, _later_places([[later] for later in actions[index + 1 :]], concept)
        )
        sites = _sites_named(action, concept.sites) or [main.site]
        spare = ["establish"] if index == 0 and shots_of_beat > 1 else []
        spare += ["stay"] * (shots_of_beat - 1 - len(spare))
        later = sites[1:] or sites  # the places the beat names after the first, for the shots that stay with it
        covering = [replace(main, action="", coverage=kind, site=main.site if kind == "establish" else
                            later[min(number, len(later) - 1)]) for number, kind in enumerate(spare)]  # fmt: skip
        if spare[:1] == ["establish"]:
            shots += [covering[0], main, *covering[1:]]
        else:  # the last beat ends the film on its own action
            shots += [*covering, main] if index == len(actions) - 1 else [main, *covering]
    return shots


def _beat_shot(index: int, action: str, concept: Concept, earlier: list[_Shot], places_later: bool) -> _Shot:
    """The shot of a beat: the people it names (else those of the shot before) where it says, else where the shot
    before was; when no later beat says where, a listed place no shot has been yet comes first."""
    previous = earlier[-1] if earlier else None
    names = who(action, concept.cast, concept.language)[:2] or (previous.names if previous else [concept.cast[0].name])
    unused = [site for site in concept.sites if all(shot.site != site for shot in earlier)]
    stay = [previous.site] if previous and places_later else []
    site = next(
        iter(_sites_named(action, concept.sites) + stay + unused), previous.site if previous else concept.sites[0]
    )
    return _Shot(index, action, list(names), site, kind_of(action, concept.language))


def _later_places(groups: list[list[str]], concept: Concept) -> bool:
    return any(_sites_named(" ".join(group), concept.sites) for group in groups)


def _sites_named(text: str, sites: list[Site]) -> list[Site]:
    """The sites the text mentions, in the order it mentions them."""
    found = []
    for site in sites:
        terms = [term for term in (site.noun, site.place.noun, site.label) if term]
        spots = [match.start() for term in terms if (match := _mention(term).search(text))]
        if spots:
            found.append((min(spots), site))
    return [site for _, site in sorted(found, key=lambda pair: pair[0])]


def _mention(term: str) -> re.Pattern[str]:
    """A place's word as a whole word ('car', not the start of 'card'; 'harbours' too); Chinese as written."""
    if has_cjk(term):
        return re.compile(re.escape(term))
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?:s|es)?(?![\w-])", re.IGNORECASE)


def _bring_everyone_in(shots: list[_Shot], cast: list[CastMember]) -> None:
    """Someone the beats never name joins a shot that shows people: beside a single character, else in place of
    the second character of a shot that has no event of its own."""
    opened: set[int] = set()
    for member in cast:
        if any(member.name in shot.names for shot in shots):
            continue
        beside = [index for index, shot in enumerate(shots) if len(shot.names) < 2]
        instead = [index for index, shot in enumerate(shots) if shot.coverage and index not in opened]
        if beside:
            shots[beside[-1]].names.append(member.name)
        elif instead:
            shots[instead[0]].names = [shots[instead[0]].names[0], member.name]
        opened.update(beside[-1:] or instead[:1])


def _spec(shot: _Shot, index: int, count: int, concept: Concept, scene: str, used: set[str]) -> ShotSpec:
    zh = concept.language == "zh"
    action = shot.action or _coverage(shot, index, zh)
    lines = [] if shot.coverage == "establish" else lines_for(shot.kind, shot.names, concept.language, used,
                                                               int(concept.seed, 16) + index)  # fmt: skip
    stage = min(2, index * 3 // count)
    establishing = ZH["establishing_camera"] if zh else "static wide establishing shot"
    return ShotSpec(
        scene=scene,
        characters=shot.names,
        action=action,
        dialogue=lines,
        camera=establishing if shot.coverage == "establish" else "",
        duration_s=shot_seconds(sum(speech_seconds(line.text) for line in lines), minimum_s=4.0),
        sound_effects=_zh_sound(shot.site) if zh else _sound(shot.site),
        music=f"{concept.tone.zh_music[stage]}。" if zh else upper_first(concept.tone.music[stage]) + ".",
    )


def _sound(site: Site) -> str:
    weather = WEATHER.get(site.weather)
    return upper_first(f"{weather[1]}, {site.place.sound}" if weather else site.place.sound) + "."


def _zh_sound(site: Site) -> str:
    weather = ZH["weather"].get(site.weather)
    return "，".join([*weather[1:], _zh_place_words(site)[1]] if weather else [_zh_place_words(site)[1]]) + "。"


def _coverage(shot: _Shot, index: int, zh: bool) -> str:
    """A shot without an event of its own: the place seen wide, or the people of the beat."""
    kind = shot.coverage if shot.coverage == "establish" else ("pair" if len(shot.names) > 1 else "solo")
    options = LINES["coverage"][f"zh_{kind}" if zh else kind]
    template = options[index % len(options)]
    time = f" {TIME_PHRASES.get(shot.site.time, f'at {shot.site.time}')}" if shot.site.time and not zh else ""
    names = joined(shot.names, "zh" if zh else "en")
    place = zh_place(shot.site) if zh else shot.site.phrase
    are = "is" if len(shot.names) == 1 else "are"
    filled = template.format(a=shot.names[0], b=shot.names[-1], names=names, are=are, place=place, time=time,
                             at=at(shot.site))  # fmt: skip
    return sentence(filled, "zh" if zh else "en")


def _vary_cameras(shots: list[ShotSpec], seed: str, zh: bool) -> None:
    """A camera for each shot that is not the one before it; only an opening shot is an establishing one."""
    cameras = ZH["cameras"] if zh else [camera for camera in CAMERAS if "establishing" not in camera]
    previous = ""
    for index, shot in enumerate(shots):
        if not shot.camera:
            camera = pick(cameras, seed, index)
            shot.camera = cameras[(cameras.index(camera) + 1) % len(cameras)] if camera == previous else camera
        previous = shot.camera


def _scene_spec(site: Site, seed: str) -> SceneSpec:
    place = site.place
    if site.label and place.noun in ("city", "land"):
        where, name = f"the streets of {site.label}" if place.noun == "city" else site.label, site.label
    else:
        named = f"the {site.label}" if site.label else f"the {site.phrase}"
        side = "inside" if place.interior else "outside" if not site.label else at(site).split()[0]
        where = f"{side} {named}" + (f" in {site.city}" if site.city else "")
        name = site.label or site.noun.title()
    weather = WEATHER.get(site.weather)
    sky = f"; {weather[0]}{' outside' if place.interior else ''}" if weather else ""
    return SceneSpec(
        name=name,
        location=where,
        time_of_day=" ".join(part for part in (site.season, site.time) if part) or pick(_TIMES, seed, place.noun),
        description=f"{upper_first(where)}: {place.description}{sky}.",
    )


def _zh_scene_spec(site: Site, seed: str) -> SceneSpec:
    """The scene of a Chinese story, in Chinese: '面包店', '面包店里', '黎明', '面包店：摆满刚出炉面包的小面包店…。'"""
    place = zh_place(site)
    where = f"{place}的街头" if site.place.noun == "city" else f"{place}里" if site.place.interior else place
    season = ZH["seasons"].get(site.season, "")
    time = zh_time(site.time) if site.time or season else zh_time(pick(_TIMES, seed, site.place.noun))
    weather = ZH["weather"].get(site.weather)
    sky = f"；{weather[0]}" if weather else ""
    return SceneSpec(
        name=place,
        location=where,
        time_of_day=f"{season}{time}",
        description=f"{where}：{_zh_place_words(site)[0]}{sky}。",
    )


def _zh_place_words(site: Site) -> tuple[str, str]:
    """How the place looks and sounds, in Chinese."""
    known = ZH["places"].get(site.place.noun)
    if known:
        return known[0], known[1]
    look, sound = ZH["interior" if site.place.interior else "exterior"]
    return look.format(place=zh_place(site)), sound
