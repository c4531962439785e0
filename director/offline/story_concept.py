"""What a story's text says, read into a `Concept` for the offline planner: its people, places, time, weather,
object, arc and tone. A story's `Cast:`/`Places:`/`Time:`/`Weather:` lines win over the prose when present.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

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
    TIME_WORDS,
    TONES,
    WEATHER_WORDS,
    ZH_CITIES,
    Place,
    Tone,
    find_words,
    pick,
)
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
    """A place of the story as the creator described it: 'haunted library', 'city (Shanghai)'."""

    place: Place
    words: tuple[str, ...] = ()
    label: str = ""  # a proper name: Shanghai, Paris

    @property
    def phrase(self) -> str:
        return " ".join([*self.words, self.place.noun])

    def entry(self) -> str:
        return f"{self.phrase} ({self.label})" if self.label else self.phrase


@dataclass(frozen=True)
class Concept:
    language: str
    cast: list[CastMember]
    sites: list[Site]
    thing: str
    tone: Tone
    seed: str
    time: str = ""
    weather: str = ""
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


def derive_concept(text: str, seed: str, tone: Tone | None = None) -> Concept:
    """People, places, time, weather, the story object, the arc and the tone found in (or chosen for) the text."""
    prose = _MACHINE_LINES.sub("", text)
    language = "zh" if has_cjk(prose) else "en"
    written = _CAST_LINE.search(text) is not None
    time = _TIME_LINE.search(text) if written else None
    weather = _WEATHER_LINE.search(text) if written else None
    return Concept(
        language,
        _cast_in(text, language, seed),
        _sites_in(text, seed),
        _thing_in(text, seed),
        tone or tone_in(text),
        seed,
        time=time["time"] if time else ("" if written else _first(prose, TIME_WORDS)),
        weather=weather["weather"] if weather else ("" if written else _first(prose, WEATHER_WORDS)),
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
    elif not sites and (activity := _first(text, ACTIVITY_PLACES)):
        sites.append(Site(PLACES[activity]))
    elif not sites:
        first = pick(FALLBACK_PLACES, seed, "place", 0)
        second = pick([noun for noun in FALLBACK_PLACES if noun != first], seed, "place", 1)
        sites = [Site(PLACES[first]), Site(PLACES[second])]
    return sites[:4]


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


def cast_entries(text: str) -> list[tuple[str, str]]:
    """(name, phrase) of each entry of the text's Cast line ("Cast: Ash, a young wizard; ..."); [] without one."""
    if not (match := _CAST_LINE.search(text)):
        return []
    entries = []
    for entry in match["cast"].split(";"):
        name, _, phrase = entry.partition(",")
        entries.append((name.strip(), phrase.strip()))
    return entries


def _cast_in(text: str, language: str, seed: str) -> list[CastMember]:
    """1-3 people: the Cast line when present, else the people of the text; at least two for a story."""
    if entries := cast_entries(text):
        cast = []
        for name, phrase in entries:
            roles = find_roles(phrase)
            if name:
                cast.append(CastMember(name, roles[-1][2] if roles else None, phrase, named=True))
        cast = cast[:MAX_CAST]
    else:
        cast = cast_from_idea(text, language, seed)
    represented = {member.role.noun for member in cast if member.role}
    while len(cast) < 2:
        companion = pick([ROLES[noun] for noun in _COMPANIONS if noun not in represented], seed, len(cast))
        represented.add(companion.noun)
        name = new_name(companion, language, seed, {member.name for member in cast})
        words = f"{pick(AGES[companion.age], seed, companion.noun)} {companion.noun}" if companion.human else ""
        phrase = words or companion.noun
        cast.append(CastMember(name, companion, with_article(phrase)))
    return cast
