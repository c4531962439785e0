"""What a story says, read into a `Concept` for the offline planner: its people, places (each with its time and
weather), object, arc and tone. A story's cast and places lists win over its prose; a story saved before it had them
states them in `Cast:`/`Places:`/`Time:`/`Weather:` lines at the end of its description, which are read instead.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from director.offline.cast import MAX_CAST, cast_from_idea, find_names, find_roles
from director.offline.cast_cards import CastMember, new_name, with_article
from director.offline.story_lines import ARCS
from director.offline.vocabulary import (
    ACTIVITY_PLACES,
    AGES,
    DEFAULT_TONE,
    FALLBACK_OBJECTS,
    FALLBACK_PLACES,
    OBJECTS,
    PLACE_SYNONYMS,
    PLACE_WORDS,
    PLACES,
    ROLE_WORDS,
    ROLES,
    TIME_PHRASES,
    TIME_WORDS,
    TONES,
    WEATHER_WORDS,
    ZH_CITIES,
    Place,
    Tone,
    find_words,
    pick,
)
from director.schemas import CastEntry, StoryDraft
from generator.text import has_cjk

_CAST_LINE = re.compile(r"^Cast:\s*(?P<cast>.+?)\.?\s*$", re.MULTILINE)
_PLACES_LINE = re.compile(r"^Places:\s*(?P<places>.+?)\.?\s*$", re.MULTILINE)
_TIME_LINE = re.compile(r"^Time:\s*(?P<time>.+?)\.?\s*$", re.MULTILINE)
_WEATHER_LINE = re.compile(r"^Weather:\s*(?P<weather>.+?)\.?\s*$", re.MULTILINE)
_MACHINE_LINES = re.compile(r"^(?:Cast|Places|Time|Weather):.*$", re.MULTILINE)
_COMPANIONS = ("inventor", "grandfather", "cat", "robot", "explorer", "girl", "fisherman")
_PLACE_NAME = re.compile(
    r"\b(?:in|at|on|to|from|near|across|through|into|around|over|outside)\s+(?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+)?)"
)
_PLACE_STOP = frozenset(
    ["a", "an", "the", "his", "her", "their", "my", "our", "its", "in", "at", "on", "to", "of", "through", "into",
     "across", "around", "from", "near", "by", "over", "inside", "outside"]
)  # fmt: skip


@dataclass(frozen=True)
class Site:
    """A place of the story as the creator described it: 'haunted library', 'city (Shanghai)' at night in the rain."""

    place: Place
    words: tuple[str, ...] = ()
    label: str = ""  # a proper name: Shanghai, Paris
    time: str = ""
    weather: str = ""  # a key of WEATHER

    @property
    def phrase(self) -> str:
        return " ".join([*self.words, self.place.noun])

    def entry(self) -> str:
        """The site as the story's places list states it: 'rainy city (Shanghai), at night, in the rain'."""
        parts = [f"{self.phrase} ({self.label})" if self.label else self.phrase]
        parts += [TIME_PHRASES.get(self.time, f"at {self.time}")] if self.time else []
        parts += [f"in the {self.weather}"] if self.weather else []
        return ", ".join(parts)


@dataclass(frozen=True)
class Concept:
    language: str
    cast: list[CastMember]
    sites: list[Site]
    thing: str
    tone: Tone
    seed: str
    arc: str = ""
    thing_stated: bool = True  # False: the plan invented the object, so shots of an arc story leave it out

    @property
    def places(self) -> list[Place]:
        return [site.place for site in self.sites]


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


def story_concept(story: StoryDraft, seed: str) -> Concept:
    """The concept of a written story: its cast and places lists where it has them, else what its text says."""
    text = "\n".join([f"{story.title}. {story.description}", *story.beats])
    concept = derive_concept(text, seed, tone_of_style(story.style, story.description))
    in_text = concept.sites[0]  # carries the time and weather the text states
    cast = _with_companions(_members(story.cast), concept.language, seed) if story.cast else concept.cast
    sites = _listed_sites(story.places, in_text.time, in_text.weather) or concept.sites
    return replace(concept, cast=cast, sites=sites)


def derive_concept(text: str, seed: str, tone: Tone | None = None) -> Concept:
    """People, places with their time and weather, the story object, the arc and the tone found in (or chosen for)
    the text."""
    prose = _MACHINE_LINES.sub("", text)
    language = "zh" if has_cjk(prose) else "en"
    written = _CAST_LINE.search(text) is not None
    time_line = _TIME_LINE.search(text) if written else None
    weather_line = _WEATHER_LINE.search(text) if written else None
    time = time_line["time"] if time_line else ("" if written else _first(prose, TIME_WORDS))
    weather = weather_line["weather"] if weather_line else ("" if written else _first(prose, WEATHER_WORDS))
    sites = [replace(site, time=time, weather=weather) for site in _sites_in(text, seed)]
    return Concept(
        language,
        _cast_in(text, language, seed),
        sites,
        _thing_in(text, seed),
        tone or tone_in(text),
        seed,
        arc=next((arc for arc, pattern in ARCS if pattern.search(prose)), ""),
        thing_stated=bool(find_words(prose, OBJECTS.items())),
    )


def _first(text: str, vocabulary: list[tuple[str, str]]) -> str:
    hits = find_words(text, vocabulary, plural=False)
    return hits[0][2] if hits else ""


def _sites_in(text: str, seed: str) -> list[Site]:
    """The Places line when present, else the places the text names (only those); two invented ones if none."""
    if match := _PLACES_LINE.search(text):
        listed = [site for entry in match["places"].split(",") if (site := _site_of(entry.strip()))]
        if listed:
            return listed[:4]
    if sites := _named_sites(text):
        return sites[:4]
    if activity := _first(text, ACTIVITY_PLACES):
        return [Site(PLACES[activity])]
    first = pick(FALLBACK_PLACES, seed, "place", 0)
    second = pick([noun for noun in FALLBACK_PLACES if noun != first], seed, "place", 1)
    return [Site(PLACES[first]), Site(PLACES[second])]


def _listed_sites(places: list[str], time: str, weather: str) -> list[Site]:
    """The sites of a places list ('harbour, at dawn, in the rain'), each with the time and weather its entry states,
    else the given ones; entries naming no known place are left out."""
    sites: list[Site] = []
    for entry in places:
        head = re.split(r"[,，]", entry, maxsplit=1)[0].strip()
        # a bare proper name ("Paris") is a place the way it is after "in"
        found = [site] if (site := _site_of(head)) else _named_sites(f"in {head}")
        sites += [
            replace(site, time=_first(entry, TIME_WORDS) or time, weather=_first(entry, WEATHER_WORDS) or weather)
            for site in found
            if not any((known.place, known.label) == (site.place, site.label) for known in sites)
        ]
    return sites[:4]


def _named_sites(text: str) -> list[Site]:
    """The places the text names, the first with the proper name the text gives it ("in Paris")."""
    sites: list[Site] = []
    covered_until = -1
    in_roles = [(position, position + len(word)) for position, word, _ in find_words(text, ROLE_WORDS)]
    for position, word, noun in find_words(text, PLACE_WORDS):
        if position < covered_until or any(site.place.noun == noun for site in sites):
            continue
        covered_until = position + len(word)
        part_of_role = any(start <= position < end for start, end in in_roles)  # "lighthouse keeper"
        words = () if has_cjk(word) or part_of_role else _place_words(text, position)
        sites.append(Site(PLACES[noun], words))
    label = _place_name(text)
    if sites and label:
        sites[0] = Site(sites[0].place, sites[0].words, label)
    elif label:
        sites.append(Site(PLACES["city" if label in ZH_CITIES.values() else "land"], (), label))
    return sites


def _site_of(entry: str) -> Site | None:
    label = ""
    if match := re.fullmatch(r"(?P<phrase>.+?)\s*\((?P<label>[^)]+)\)", entry):
        entry, label = match["phrase"], match["label"]
    words = entry.split()
    if not words or words[-1] not in PLACES:
        return None
    return Site(PLACES[words[-1]], tuple(words[:-1]), label)


def _place_words(text: str, position: int) -> tuple[str, ...]:
    """Descriptive words right before a place noun ('a haunted castle library' -> haunted), skipping other places."""
    words: list[str] = []
    for token in reversed(re.findall(r"[\w'-]+|[^\w\s]", text[:position])[-5:]):
        lowered = token.lower()
        if lowered in _PLACE_STOP or not re.fullmatch(r"[a-z][\w-]*", token) or len(words) == 2:
            break
        if lowered in PLACES or lowered in PLACE_SYNONYMS or lowered in ROLES:
            continue
        words.insert(0, lowered)
    return tuple(words)


def _place_name(text: str) -> str:
    for word, english in ZH_CITIES.items():
        if word in text:
            return english
    people = find_names(text)
    for match in _PLACE_NAME.finditer(text):
        if match["name"] not in people and match["name"].lower() not in PLACES:
            return match["name"]
    return ""


def _thing_in(text: str, seed: str) -> str:
    hits = find_words(text, OBJECTS.items())
    return hits[0][2] if hits else pick(FALLBACK_OBJECTS, seed, "thing")


def cast_entries(text: str) -> list[CastEntry]:
    """The named entries of the text's Cast line ("Cast: Ash, a young wizard; ..."); [] without one."""
    if not (match := _CAST_LINE.search(text)):
        return []
    entries = []
    for entry in match["cast"].split(";"):
        name, _, phrase = entry.partition(",")
        if name.strip():
            entries.append(CastEntry(name=name.strip(), description=phrase.strip()))
    return entries


def _cast_in(text: str, language: str, seed: str) -> list[CastMember]:
    """1-3 people: the Cast line when present, else the people of the text; at least two for a story."""
    entries = cast_entries(text)
    return _with_companions(_members(entries) if entries else cast_from_idea(text, language, seed), language, seed)


def _members(entries: list[CastEntry]) -> list[CastMember]:
    """The first three people of a cast list, each with the role its description names last ("Mira's cat")."""
    members = []
    for entry in entries[:MAX_CAST]:
        roles = find_roles(entry.description)
        members.append(CastMember(entry.name, roles[-1][2] if roles else None, entry.description, named=True))
    return members


def _with_companions(cast: list[CastMember], language: str, seed: str) -> list[CastMember]:
    """The cast with invented companions added until a story has two people."""
    cast = list(cast)
    represented = {member.role.noun for member in cast if member.role}
    while len(cast) < 2:
        companion = pick([ROLES[noun] for noun in _COMPANIONS if noun not in represented], seed, len(cast))
        represented.add(companion.noun)
        name = new_name(companion, language, seed, {member.name for member in cast})
        words = f"{pick(AGES[companion.age], seed, companion.noun)} {companion.noun}" if companion.human else ""
        phrase = words or companion.noun
        cast.append(CastMember(name, companion, with_article(phrase)))
    return cast
