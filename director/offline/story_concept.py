"""What a story says, read into a `Concept` for the offline planner: its people, its places (each with the time,
season and weather the text states), its tone and culture. A story's cast and places lists win over its prose; a
story saved before it had them states them in `Cast:`/`Places:`/`Time:`/`Weather:` lines at the end of its
description, which are read instead.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from director.offline.cast import MAX_CAST, cast_from_idea, find_names, find_roles
from director.offline.cast_cards import EAST_ASIAN, CastMember, new_name
from director.offline.vocabulary import (
    ACTIVITY_PLACES,
    CHINESE_PLACES,
    CITIES,
    DEFAULT_TONE,
    FALLBACK_PLACES,
    PASSING_PLACES,
    PLACE_WORDS,
    PLACES,
    REGIONS,
    ROLE_WORDS,
    ROLES,
    SEASONS,
    TIME_PHRASES,
    TIME_WORDS,
    TONES,
    WEATHER_WORDS,
    WORDS,
    ZH_CITIES,
    Place,
    Tone,
    find_words,
    pick,
)
from director.offline.zh_cards import own_words
from director.schemas import CastEntry, StoryDraft
from generator.text import has_cjk

_CAST_LINE = re.compile(r"^Cast:\s*(?P<cast>.+?)\.?\s*$", re.MULTILINE)
_PLACES_LINE = re.compile(r"^Places:\s*(?P<places>.+?)\.?\s*$", re.MULTILINE)
_TIME_LINE = re.compile(r"^Time:\s*(?P<time>.+?)\.?\s*$", re.MULTILINE)
_WEATHER_LINE = re.compile(r"^Weather:\s*(?P<weather>.+?)\.?\s*$", re.MULTILINE)
_MACHINE_LINES = re.compile(r"^(?:Cast|Places|Time|Weather):.*$", re.MULTILINE)
_PLACE_NAME = re.compile(
    r"(?:\b(?i:in|at|on|to|from|near|across|through|into|around|over|outside|inside|along)\s+"
    r"(?:the\s+)?|[在去到从]\s*)(?P<name>[A-Z][a-z'\u2019]+(?:\s+[A-Z][a-z]+)*)"
)
_PLACE_STOP = frozenset(WORDS["place_stop"])
_ENTRY = re.compile(r"^\s*(?P<phrase>[^,(（，]+?)\s*(?:[(（](?P<names>[^)）]*)[)）])?\s*(?:[,，]\s*(?P<rest>.*))?$")
MAX_SITES = 4


@dataclass(frozen=True)
class Site:
    """A place of the story as the creator described it: 'haunted library', 'bridge (Charles Bridge, Prague)' at
    night in the rain."""

    place: Place
    words: tuple[str, ...] = ()
    label: str = ""  # the place's own name: "Charles Bridge"; a city's name for a city
    city: str = ""  # the city or region it is in: "Prague"
    time: str = ""
    season: str = ""
    weather: str = ""  # a key of WEATHER
    said: str = ""  # the noun as the creator wrote it ("space station"), when it is not the place's own noun

    @property
    def noun(self) -> str:
        return self.said or self.place.noun

    @property
    def phrase(self) -> str:
        return " ".join([*self.words, self.noun])

    @property
    def names(self) -> list[str]:
        return [name for name in (self.label, self.city) if name]

    def entry(self) -> str:
        """The site as the story's places list states it: 'rainy city (Shanghai), at night, in the rain'."""
        parts = [f"{self.phrase} ({', '.join(self.names)})" if self.names else self.phrase]
        parts += [TIME_PHRASES.get(self.time, f"at {self.time}")] if self.time else []
        parts += [f"in {self.season}"] if self.season else []
        parts += [f"in the {self.weather}"] if self.weather else []
        return ", ".join(parts)


@dataclass(frozen=True)
class Concept:
    language: str
    cast: list[CastMember]
    sites: list[Site]
    tone: Tone
    seed: str
    culture: str = ""

    @property
    def places(self) -> list[Place]:
        return [site.place for site in self.sites]


def seed_of(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


def language_of(text: str) -> str:
    """Chinese when the text has more Chinese characters than Latin words ("Lily 和她的狗 Max ..." is Chinese, "Chen
    Wei, a rider in 深圳, ..." is English)."""
    cjk = sum(1 for char in text if has_cjk(char))
    return "zh" if cjk and cjk >= len(re.findall(r"[A-Za-z]+", text)) else "en"


def tone_in(text: str) -> Tone:
    """The tone a mood word asks for, else the one the idea's genre suggests (a heist, a fable), else the default."""
    if found := find_tone(text):
        return found
    genre = find_words(text, [(word, tone) for tone in TONES.values() for word in tone.genre], plural=False)
    return genre[0][2] if genre else TONES[DEFAULT_TONE]


def find_tone(text: str) -> Tone | None:
    """The tone whose mood word appears first in the text (whole words for English), if any."""
    hits = find_words(text, [(keyword, tone) for tone in TONES.values() for keyword in tone.keywords], plural=False)
    return hits[0][2] if hits else None


def tone_of_style(style: str, text: str) -> Tone:
    found = next((tone for tone in TONES.values() if style in (tone.style, tone.zh_style)), None)
    return found or tone_in(f"{style} {text}")


def story_concept(story: StoryDraft, seed: str) -> Concept:
    """The concept of a written story: its cast and places lists where it has them, else what its text says."""
    text = "\n".join([f"{story.title}. {story.description}", *story.beats])
    concept = derive_concept(text, seed, tone_of_style(story.style, story.description))
    in_text = concept.sites[0]  # carries the time and weather the text states
    cast = members_of(story.cast) if story.cast else concept.cast
    sites = _listed_sites(story.places, in_text) or concept.sites
    return replace(concept, cast=cast, sites=sites, culture=culture_in(text, sites))


def derive_concept(text: str, seed: str, tone: Tone | None = None) -> Concept:
    """People, places with their time and weather, tone and culture found in (or chosen for) the text."""
    prose = _MACHINE_LINES.sub("", text)
    language = language_of(prose)
    written = _CAST_LINE.search(text) is not None
    found = _sites_in(text, seed)
    culture = culture_in(text, found)
    entries = cast_entries(text)
    cast = members_of(entries) if entries else cast_from_idea(prose, language, seed, culture)
    if language == "zh":  # 小雨 and 林雪 are names, not the weather
        prose = re.sub("|".join(re.escape(member.name) for member in cast) or "^$", "", prose)
    time_line = _TIME_LINE.search(text) if written else None
    weather_line = _WEATHER_LINE.search(text) if written else None
    time = time_line["time"] if time_line else ("" if written else _time_in(prose))
    weather = weather_line["weather"] if weather_line else ("" if written else first_of(prose, WEATHER_WORDS))
    season = "" if written else first_of(prose, SEASONS)
    sites = [replace(site, time=time, weather=weather, season=season) for site in found]
    return Concept(language, cast or _someone(language, seed, culture), sites, tone or tone_in(prose), seed, culture)


def culture_in(text: str, sites: list[Site]) -> str:
    chinese = language_of(text) == "zh" or any(name in CHINESE_PLACES for site in sites for name in site.names)
    return EAST_ASIAN if chinese else ""


def _someone(language: str, seed: str, culture: str) -> list[CastMember]:
    """An idea that states nobody still needs one person to follow."""
    role = ROLES["traveller"]
    phrase = "旅人" if language == "zh" else "a traveller"
    return [CastMember(new_name(role, language, seed, set(), culture=culture), role, phrase)]


def _time_in(text: str) -> str:
    """The first time of day the text states; 'night market' and 'night-shift' are no time."""
    for position, word, time in find_words(text, TIME_WORDS, plural=False):
        if not _PLACE_AFTER_TIME.match(text[position + len(word) :]):
            return time
    return ""


_PLACE_AFTER_TIME = re.compile(
    rf"(?:-|\s+(?:{'|'.join(re.escape(word) for word, _ in PLACE_WORDS if not has_cjk(word))})\b)", re.IGNORECASE
)


def first_of(text: str, vocabulary: list[tuple[str, str]]) -> str:
    hits = find_words(text, vocabulary, plural=False)
    return hits[0][2] if hits else ""


def _sites_in(text: str, seed: str) -> list[Site]:
    """The Places line when present, else the places the text names (only those); one chosen if it names none."""
    if match := _PLACES_LINE.search(text):
        listed = [site for entry in match["places"].split(",") if (site := site_of(entry.strip()))]
        if listed:
            return listed[:MAX_SITES]
    if sites := named_sites(text):
        return sites[:MAX_SITES]
    if activity := first_of(text, ACTIVITY_PLACES):
        return [Site(PLACES[activity])]
    return [Site(PLACES[pick(FALLBACK_PLACES, seed, "place")])]


def _listed_sites(places: list[str], in_text: Site) -> list[Site]:
    """The sites of a places list ('harbour, at dawn, in the rain'), each with the time and weather its entry states,
    else the text's; entries naming no known place are left out."""
    sites: list[Site] = []
    for entry in places:
        head = _ENTRY.match(entry)
        # a bare proper name ("Paris") is a place the way it is after "in"
        found = [site] if (site := site_of(entry)) else named_sites(f"in {head['phrase'] if head else entry}")
        sites += [
            replace(
                site,
                time=first_of(entry, TIME_WORDS) or in_text.time,
                weather=first_of(entry, WEATHER_WORDS) or in_text.weather,
                season=first_of(entry, SEASONS) or in_text.season,
            )
            for site in found
            if not any((known.place, known.label) == (site.place, site.label) for known in sites)
        ]
    return sites[:MAX_SITES]


def site_of(entry: str) -> Site | None:
    """The site a places-list entry names: 'bridge (Charles Bridge, Prague), in the evening'."""
    match = _ENTRY.match(entry)
    if match is None:
        return None
    words = match["phrase"].split()
    if words and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    said = " ".join(words[-2:]) if " ".join(words[-2:]).lower() in dict(PLACE_WORDS) else (words[-1] if words else "")
    noun = dict(PLACE_WORDS).get(said.lower())
    if noun is None:
        return None
    words = words[: len(words) - len(said.split())]
    names = [name.strip() for name in (match["names"] or "").split(",") if name.strip()]
    label, city = _label_and_city(names, noun)
    return Site(PLACES[noun], tuple(words), label, city, said="" if said == noun else said)


def _label_and_city(names: list[str], noun: str) -> tuple[str, str]:
    if len(names) >= 2:
        return names[0], names[1]
    if names and noun not in ("city", "land") and (names[0] in CITIES or names[0] in REGIONS):
        return "", names[0]
    return (names[0] if names else ""), ""


def named_sites(text: str) -> list[Site]:
    """The places the text names: place nouns with the words before them ('a haunted castle library'), named places
    ('the Charles Bridge', 'Central Park'), and the city they are in ('in Prague'); a city alone is the place."""
    sites = sorted(_noun_sites(text) + _proper_sites(text), key=lambda found: found[0])
    staying = [site for _, site, origin in sites if not origin]
    found = [site for site in staying if site.place.noun not in PASSING_PLACES]
    cities = _cities(text, bool(found))
    if not found and not cities:
        found = staying or [site for _, site, _ in sites]
    if not found:
        return [
            Site(PLACES["city" if city in CITIES or city in ZH_CITIES.values() else "land"], (), city)
            for city in cities[:1]
        ]
    if cities:  # "the city's stalls" in a story set in Taipei: that city
        found = [replace(site, label=site.label or cities[0]) if site.place.noun == "city" else site for site in found]
    return [
        replace(site, city=cities[0]) if cities and not site.city and site.place.noun != "city" else site
        for site in found
    ]


NOT_PLACES = re.compile(
    "|".join(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])" for phrase in WORDS["not_places"]), re.IGNORECASE
)


def _noun_sites(text: str) -> list[tuple[int, Site, bool]]:
    """(position, site, whether the story may not happen there: 'friends from the same street', 'a street cook')."""
    in_roles = [(position, position + len(word)) for position, word, _ in find_words(text, ROLE_WORDS)]
    not_places = [(match.start(), match.end()) for match in NOT_PLACES.finditer(text)]
    hits = _longest(find_words(text, PLACE_WORDS))
    sites: list[tuple[int, Site, bool]] = []
    for index, (position, word, noun) in enumerate(hits):
        if any(site.place.noun == noun and not origin for _, site, origin in sites):
            continue
        if any(start <= position < end for start, end in not_places):
            continue  # "a piggy bank", "a car crash": a thing or an event, not a place
        nxt = hits[index + 1] if index + 1 < len(hits) else None
        if nxt is not None and re.fullmatch(r"[ \t-]?", text[position + len(word) : nxt[0]]):
            continue  # "mountain village": the village, described by the mountain
        if re.search(r"\bfor\s+(?:(?:an?|the|\w+)\s+)?$", text[:position], re.IGNORECASE) or _in_name(text, position):
            continue  # "leaves for art school": where they go, not where the story is
        part_of_role = any(start <= position < end for start, end in in_roles)  # "lighthouse keeper"
        words = () if has_cjk(word) or part_of_role else _place_words(text, position)
        said = text[position : position + len(word)].lower()
        origin = part_of_role or bool(re.search(r"\bfrom\s+(?:[\w-]+\s+){0,2}$", text[:position], re.IGNORECASE))
        if not origin:  # "a taxi driver ... in his car": the car where the story is, not the taxi of the role
            sites = [found for found in sites if found[1].place.noun != noun]
        sites.append((position, Site(PLACES[noun], words, said="" if said == noun else said), origin))
    return sites


def _longest(hits: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """The hits not inside a longer one ('space station', not its 'station')."""
    kept: list[tuple[int, str, str]] = []
    for hit in hits:
        if not kept or hit[0] >= kept[-1][0] + len(kept[-1][1]):
            kept.append(hit)
    return kept


def _in_name(text: str, position: int) -> bool:
    """'Central Park', 'Charles Bridge': the noun ends a proper name, which _proper_sites reads."""
    return text[position : position + 1].isupper() and bool(re.search(r"[A-Z][a-z]+\s+$", text[:position]))


def _proper_sites(text: str) -> list[tuple[int, Site, bool]]:
    sites = []
    for match in _PLACE_NAME.finditer(text):
        name = match["name"]
        noun = dict(PLACE_WORDS).get(name.split()[-1].lower())
        if noun is not None and len(name.split()) > 1:
            sites.append((match.start("name"), Site(PLACES[noun], (), name), False))
    return sites


def _cities(text: str, other_places: bool) -> list[str]:
    """Cities and regions the text names; one the story only comes from ('arrives from London') counts only when
    nothing else places it."""
    found: list[tuple[int, str, bool]] = [(text.find(word), english, False) for word, english in ZH_CITIES.items()
                                          if word in text]  # fmt: skip
    for match in _PLACE_NAME.finditer(text):
        name = match["name"]
        if not dict(PLACE_WORDS).get(name.split()[-1].lower()) and name not in find_names(text):
            found.append((match.start(), name, match[0].lower().startswith("from")))
    for city in [*CITIES, *REGIONS]:
        if (position := _whole(text, city)) >= 0 and not any(city == name for _, name, _ in found):
            found.append((position, city, False))
    found.sort()
    staying = [name for _, name, origin in found if not origin]
    return staying or ([] if other_places else [name for _, name, _ in found])


def _whole(text: str, word: str) -> int:
    match = re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text)
    return match.start() if match else -1


def _place_words(text: str, position: int) -> tuple[str, ...]:
    """Descriptive words right before a place noun ('a haunted castle library' -> haunted castle)."""
    words: list[str] = []
    for token in reversed(re.findall(r"[\w'-]+|[^\w\s]", text[:position])[-5:]):
        lowered = token.lower()
        if lowered in _PLACE_STOP or not re.fullmatch(r"[a-z][\w-]*", token) or len(words) == 2:
            break
        words.insert(0, lowered)
    return tuple(words)


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


def members_of(entries: list[CastEntry]) -> list[CastMember]:
    """The people of a cast list, each with the role its description names first ("a robot friend" is a robot,
    "Mira's cat" a cat)."""
    members = []
    for entry in entries[:MAX_CAST]:
        roles = find_roles(own_words(entry.description))  # '王奶奶的孙子' is a grandson
        members.append(CastMember(entry.name, roles[0][2] if roles else None, entry.description, named=True))
    return members
