"""Word lists of the offline planner and the deterministic picker that chooses from them.

The lists are data: director/offline/words.json (people, places, times, card wording, tones) and the species lexicon
the preview renderer draws from (generator/preview/species.json), so a creature the planner writes is the creature
the preview draws. Choices are seeded by a hash of the idea (never Python's salted `hash`), so the same idea always
gives the same characters, places and shots.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

from generator.preview.creatures import SPECIES_LEXICON
from generator.text import has_cjk

Item = TypeVar("Item")
WORDS = json.loads(Path(__file__).with_name("words.json").read_text(encoding="utf-8"))


def pick(options: Sequence[Item], *seed_parts: object) -> Item:
    """A stable choice from `options` for the given seed parts."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in seed_parts).encode("utf-8")).digest()
    return options[int.from_bytes(digest[:8], "big") % len(options)]


def find_words(text: str, vocabulary: Iterable[tuple[str, Item]], plural: bool = True) -> list[tuple[int, str, Item]]:
    """(position, word, value) for every vocabulary word in the text, in order of appearance, the longest word where
    several start at one place: whole words (with an optional plural ending) for alphabetic words, anywhere for CJK
    words."""
    lowered = text.lower()
    values, patterns = _compiled_list(vocabulary, plural)
    found = [(match.start(), match[1], values[match[1]]) for pattern in patterns for match in pattern.finditer(lowered)]
    return sorted(found, key=lambda hit: (hit[0], -len(hit[1])))


_BY_LIST: OrderedDict[tuple[int, bool], tuple[object, dict, list[re.Pattern[str]]]] = OrderedDict()
_BY_LIST_MAX = 64
_BY_LIST_LOCK = threading.Lock()


def _compiled_list(vocabulary: Iterable[tuple[str, Item]], plural: bool) -> tuple[dict, list[re.Pattern[str]]]:
    """The patterns of a word list, found by the list itself: hashing a 700-entry list's contents on every call
    cost more than the search. The entry keeps the list alive, so its id is not reused while it is held; lists
    built per call also hit the contents cache, and the `_BY_LIST_MAX` lists used last are held."""
    key = (id(vocabulary), plural)
    with _BY_LIST_LOCK:  # the app plans from several threads
        held = _BY_LIST.get(key)
        if held is not None and held[0] is vocabulary:
            _BY_LIST.move_to_end(key)
            return held[1], held[2]
    values, patterns = _compiled(tuple(vocabulary), plural)
    if isinstance(vocabulary, (list, tuple)):
        with _BY_LIST_LOCK:
            _BY_LIST[key] = (vocabulary, values, patterns)
            if len(_BY_LIST) > _BY_LIST_MAX:
                _BY_LIST.popitem(last=False)
    return values, patterns


@cache
def _compiled(vocabulary: tuple[tuple[str, Item], ...], plural: bool) -> tuple[dict[str, Item], list[re.Pattern[str]]]:
    values = dict(vocabulary)
    words = sorted(values, key=len, reverse=True)
    latin = "|".join(re.escape(word) for word in words if not has_cjk(word))
    cjk = "|".join(re.escape(word) for word in words if has_cjk(word))
    ending = r"(?:e?s)?" if plural else ""
    patterns = [re.compile(rf"(?<!\w)({latin}){ending}(?!\w)")] if latin else []
    return values, patterns + ([re.compile(f"({cjk})")] if cjk else [])


@dataclass(frozen=True)
class Role:
    noun: str  # English noun used in prompts
    gender: str  # "female", "male" or "neutral": the default when the text says nothing else
    age: str  # "child", "teen", "young", "adult", "old"
    human: bool = True
    clothing: str = ""
    gendered: bool = False  # the noun itself fixes the gender (girl, king), so pronouns cannot change it
    kin: bool = False  # a relation (granddaughter, rival): introduced as someone's, e.g. "Tomas's granddaughter"


@dataclass(frozen=True)
class Species:
    """A creature of the shared lexicon, as a card describes it."""

    colours: tuple[str, ...]  # the first is the default, replaced by a colour the text gives
    body: str  # "{colour}" marks where the colour goes; no age words
    features: str
    voices: tuple[str, ...]


@dataclass(frozen=True)
class Place:
    noun: str
    interior: bool
    description: str
    sound: str


@dataclass(frozen=True)
class Tone:
    name: str
    keywords: tuple[str, ...]  # mood words, in an idea or in feedback ("darker")
    genre: tuple[str, ...]  # words of an idea that suggest the tone ("vault", "hare")
    style: str
    mood: str
    music: tuple[str, str, str]  # calm, tense, resolved
    zh_style: str = ""  # the same in Chinese, for a Chinese story
    zh_mood: str = ""
    zh_music: tuple[str, ...] = ()

    def style_in(self, language: str) -> str:
        return self.zh_style if language == "zh" else self.style


def _role(noun: str, gender: str, age: str, clothing: str = "", *flags: str) -> Role:
    return Role(noun, gender, age, clothing=clothing, gendered="gendered" in flags, kin="kin" in flags)


SPECIES = {
    noun: Species(tuple(entry["colours"]), entry["body"], entry["features"], tuple(entry["voices"]))
    for noun, entry in SPECIES_LEXICON.items()
}
ROLES: dict[str, Role] = {noun: _role(noun, *values) for noun, values in WORDS["roles"].items()}
ROLES |= {noun: Role(noun, "neutral", entry["age"], human=False) for noun, entry in SPECIES_LEXICON.items()}
ROLE_SYNONYMS: dict[str, str] = WORDS["role_synonyms"] | {
    word: noun for noun, entry in SPECIES_LEXICON.items() for word in entry["words"] if word != noun
}
ROLE_WORDS = [
    *((noun, role) for noun, role in ROLES.items()),
    *((word, ROLES[noun]) for word, noun in ROLE_SYNONYMS.items()),
]
VERB_NOUNS = frozenset(WORDS["verb_nouns"])  # role words that are verbs too ("to cook"): people only after "a", "her"
PLACES = {noun: Place(noun, *values) for noun, values in WORDS["places"].items()}
PLACE_SYNONYMS: dict[str, str] = WORDS["place_synonyms"]
PLACE_WORDS = [*((noun, noun) for noun in PLACES), *PLACE_SYNONYMS.items()]  # (word in text, place noun)
CITIES: list[str] = WORDS["cities"]
REGIONS: list[str] = WORDS["regions"]
ZH_CITIES: dict[str, str] = WORDS["zh_cities"]
CHINESE_PLACES = frozenset(WORDS["chinese_places"])
PINYIN_SURNAMES = frozenset(WORDS["pinyin_surnames"])
ACTIVITY_PLACES = [tuple(pair) for pair in WORDS["activity_places"]]
FALLBACK_PLACES: list[str] = WORDS["fallback_places"]
# places often named in passing ("died in a car crash in Vienna", "坐飞机去北京"): the story is there only when the
# idea names nowhere else
PASSING_PLACES = frozenset(WORDS["passing_places"])
NAMES: dict[tuple[str, str], list[str]] = {tuple(key.split()): names for key, names in WORDS["names"].items()}
GIVEN_NAMES = {gender: frozenset(names) for gender, names in WORDS["given_names"].items()}
CREATURE_NAMES: dict[str, list[str]] = WORDS["creature_names"]
AGES: dict[str, list[str]] = WORDS["ages"]
AGE_WORDS: dict[str, str] = WORDS["age_words"]
DECADES: dict[str, str] = WORDS["decades"]
GENDER_WORDS: dict[str, str] = WORDS["gender_words"]
COLOURS = tuple(WORDS["colours"])
ZH_MODIFIERS: dict[str, str] = WORDS["zh_modifiers"]
GARMENTS = tuple(WORDS["garments"])
TIME_WORDS = [tuple(pair) for pair in WORDS["time_words"]]
SEASONS = [tuple(pair) for pair in WORDS["seasons"]]
TIME_PHRASES: dict[str, str] = WORDS["time_phrases"]
WEATHER_WORDS = [tuple(pair) for pair in WORDS["weather_words"]]
WEATHER = {kind: tuple(looks) for kind, looks in WORDS["weather"].items()}  # (how it looks, how it sounds)
BUILDS: list[str] = WORDS["builds"]
FACES: list[str] = WORDS["faces"]
HAIR: dict[str, list[str]] = WORDS["hair"]
EYES: list[str] = WORDS["eyes"]
EAST_ASIAN_EYES: list[str] = WORDS["east_asian_eyes"]
FEATURES: list[str] = WORDS["features"]
CLOTHES: list[str] = WORDS["clothes"]
VOICE_OWNERS: dict[str, str] = WORDS["voice_owners"]
VOICE_QUALITIES: list[str] = WORDS["voice_qualities"]
YOUNG_VOICE_QUALITIES: list[str] = WORDS["young_voice_qualities"]  # for children and teenagers
TRAIT_VOICES: dict[str, str] = WORDS["trait_voices"]
CAMERAS: list[str] = WORDS["cameras"]
ZH = WORDS["zh"]  # the card, scene and shot wording of a Chinese story (director/offline/zh_cards.py)
TONES = {
    name: Tone(
        name, tuple(t["keywords"]), tuple(t["genre"]), t["style"], t["mood"], tuple(t["music"]),
        ZH["tones"][name]["style"], ZH["tones"][name]["mood"], tuple(ZH["tones"][name]["music"]),
    )
    for name, t in WORDS["tones"].items()
}  # fmt: skip
DEFAULT_TONE: str = WORDS["default_tone"]
