"""Character cards for the offline planner's cast, and the facts a card is written from: the `CastMember` itself,
gender, age group, culture, a new name when the creator gave none, worn clothing, and face, hair and eye choices.

What the creator stated comes first and is never contradicted (a Chongqing boy is not blond, a drummer in her
seventies is not forty); the rest is chosen deterministically. The cards of one cast differ from each other in
clothing, voice and look, because those sentences are what tells the characters apart in every prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from director.offline.vocabulary import (
    AGE_WORDS,
    AGES,
    BUILDS,
    CLOTHES,
    COLOURS,
    CREATURE_NAMES,
    DECADES,
    EAST_ASIAN_EYES,
    EYES,
    FACES,
    FEATURES,
    GARMENTS,
    GENDER_WORDS,
    GIVEN_NAMES,
    HAIR,
    NAMES,
    PINYIN_SURNAMES,
    ROLE_WORDS,
    SPECIES,
    TRAIT_VOICES,
    VOICE_OWNERS,
    VOICE_QUALITIES,
    WORDS,
    YOUNG_VOICE_QUALITIES,
    ZH,
    Role,
    find_words,
    pick,
)
from director.schemas import CharacterSpec
from generator.text import has_cjk, upper_first

EAST_ASIAN = "east asian"
GARMENT = "|".join(sorted((re.escape(garment) for garment in GARMENTS), key=len, reverse=True))
YEARS_OLD = re.compile(
    r"\b(?P<years>\d{1,3})[- ]years?[- ]old\b|\b(?P<written>[a-z]+(?:-[a-z]+)?)-years?-old\b", re.IGNORECASE
)
_DECADE = re.compile(rf"\b(?:(?P<decade>[1-9])0s|(?P<word>{'|'.join(DECADES)}))\b", re.IGNORECASE)
_DIGIT_DECADES = {"1": "teen", "2": "young", "3": "adult", "4": "adult", "5": "adult"}
_PINYIN = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxzcsryw])?(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|"
    r"ia|ie|iu|ua|uo|ui|er|a|o|e|i|u)",
    re.IGNORECASE,
)
_WRITTEN_NUMBERS: dict[str, int] = WORDS["written_numbers"]
_AGE_ORDER = ["child", "teen", "young", "adult", "old"]
_PRONOUN_GENDER = {"she": "female", "her": "female", "he": "male", "his": "male", "him": "male"}


@dataclass(frozen=True)
class CastMember:
    name: str
    role: Role | None
    phrase: str  # "a young wizard in a red cloak": how the story introduces them, with every stated fact
    span: tuple[int, int] | None = None  # where the idea mentions them first (for naming them in the synopsis)
    named: bool = False  # the creator gave the name


@dataclass
class Taken:
    """What earlier cards of the same cast already use, so the next card says something else."""

    sentences: set[str] = field(default_factory=set)
    colours: set[tuple[str, str]] = field(default_factory=set)  # (species, colour)


def gender_of(name: str, role: Role | None, seed: str, phrase: str = "") -> str:
    """The gender a card is written with: words in the phrase, a gendered role, a known name, the role's default."""
    return stated_gender(name, role, phrase) or pick(["female", "male"], seed, name, "gender")


def age_of(phrase: str, role: Role | None) -> str:
    """The age group the phrase states ("young", "teenage", "70-year-old", "in her seventies", "70s"), else the
    role's usual one."""
    if (years := _years(phrase)) is not None:
        return "child" if years < 13 else "teen" if years < 20 else "young" if years < 36 else (
            "adult" if years < 60 else "old")  # fmt: skip
    if decade := _DECADE.search(phrase):
        return DECADES[decade["word"].lower()] if decade["word"] else _DIGIT_DECADES.get(decade["decade"], "old")
    stated = [AGE_WORDS[word] for word in re.findall(r"[\w-]+", phrase.lower()) if word in AGE_WORDS]
    stated = [age for age in stated if age != "child"] or stated  # "a little old lady" is old
    if not stated:  # the oldest role the phrase names: "Mei Lin's granddaughter, a university student" is young
        roles = [found.age for _, _, found in find_words(phrase, ROLE_WORDS) if found.human]
        return max(roles, key=_AGE_ORDER.index) if roles else role.age if role is not None else "young"
    if stated[0] == "young" and role is not None and role.age == "child":
        return "child"
    return stated[0]


def states_age(phrase: str) -> bool:
    words = re.findall(r"[\w-]+", phrase.lower())
    return any(word in AGE_WORDS for word in words) or bool(_years(phrase) is not None or _DECADE.search(phrase))


def _years(phrase: str) -> int | None:
    match = YEARS_OLD.search(phrase)
    if match is None:
        return None
    if match["years"]:
        return int(match["years"])
    parts = [_WRITTEN_NUMBERS.get(part) for part in match["written"].lower().split("-")]
    return None if None in parts else sum(parts)  # type: ignore[arg-type]


def new_name(role: Role | None, language: str, seed: str, taken: set[str], gender: str = "", culture: str = "") -> str:
    """A name for someone the creator described but did not name, from the story's language and culture."""
    if role is not None and not role.human:
        options = CREATURE_NAMES[language]
    else:
        names = "pinyin" if culture == EAST_ASIAN and language == "en" else language
        options = NAMES[(names, gender or (role.gender if role is not None else "neutral"))]
    start = options.index(pick(options, seed, role.noun if role else "", len(taken)))
    for offset in range(len(options)):
        candidate = options[(start + offset) % len(options)]
        if candidate not in taken:
            return candidate
    return f"{options[start]} {len(taken) + 1}"


def culture_of(name: str, story_culture: str) -> str:
    """East Asian for a Chinese name, or for someone unnamed or with a pinyin-like name in a Chinese setting."""
    tokens = name.split()
    if has_cjk(name) or any(token in PINYIN_SURNAMES for token in tokens):
        return EAST_ASIAN
    pinyin = all(_PINYIN.fullmatch(token) or _two_syllables(token) for token in tokens)
    return story_culture if story_culture == EAST_ASIAN and pinyin else ""


def _two_syllables(token: str) -> bool:
    return any(_PINYIN.fullmatch(token[:cut]) and _PINYIN.fullmatch(token[cut:]) for cut in range(1, len(token)))


def cast_cards(
    members: list[CastMember], seed: str, story_culture: str = "", introductions: dict[str, str] | None = None
) -> list[CharacterSpec]:
    """One card per member, each distinct from the ones before it."""
    taken = Taken()
    cards = []
    for member in members:
        introduction = (introductions or {}).get(member.name, "")
        culture = culture_of(member.name, story_culture) if member.named or introduction else story_culture
        cards.append(character_card(member, seed, introduction, taken, culture))
    return cards


def character_card(
    member: CastMember, seed: str, introduction: str = "", taken: Taken | None = None, culture: str = ""
) -> CharacterSpec:
    """Identity, appearance, clothing and voice sentences: the stated facts first, then deterministic choices."""
    taken = taken if taken is not None else Taken()
    role = member.role
    if role is not None and not role.human and role.noun in SPECIES:
        return _creature_card(member, introduction or member.phrase, seed, taken)
    said = introduction or member.phrase
    key = (seed, member.name)
    gender = gender_of(member.name, role, seed, said)
    age = age_of(said, role)
    what = f", {introduction.rstrip('.')}" if introduction else f" is {_who(member, gender, age, key)}"
    eyes = re.search(r"\b([\w]+)-eyed\b", said.lower())
    eye_colour = eyes[1] if eyes else pick(EAST_ASIAN_EYES if culture == EAST_ASIAN else EYES, *key, "eyes")
    return CharacterSpec(
        name=member.name,
        identity=f"{member.name}{what}, {_look(said, gender, age, culture, key, taken)}.",
        appearance=f"{eye_colour.capitalize()} eyes and {pick(FEATURES, *key, 'feature')}.",
        clothing=_clothing(_worn_in(said), role, key, taken),
        voice=_voice(said, gender, age, key, taken),
    )


def _look(said: str, gender: str, age: str, culture: str, key: tuple[str, str], taken: Taken) -> str:
    """Build, face and (unless stated) hair, unlike any earlier card's."""
    hairs = _hair(gender, age, culture)
    for salt in range(len(BUILDS)):
        look = f"{pick(BUILDS, *key, salt, 'build')}, with {pick(_faces(age), *key, salt, 'face')}"
        look += "" if "hair" in said.lower() else f" and {pick(hairs, *key, salt, 'hair')}"
        if look not in taken.sentences:
            break
    taken.sentences.add(look)
    return look


def _who(member: CastMember, gender: str, age: str, key: tuple[str, str]) -> str:
    """'a retired jazz drummer in her seventies' as stated, with an age when the idea gives none."""
    stated = _without_worn(member.phrase)
    if not stated:
        noun = {"female": "woman", "male": "man"}.get(gender, "person")
        if age in ("child", "teen"):
            noun = {"female": "girl", "male": "boy"}.get(gender, "child" if age == "child" else "teenager")
        return with_article(f"{pick(AGES[age], *key, 'age')} {noun}")
    human = member.role is None or member.role.human
    return stated if states_age(stated) or not human else f"{stated}, {pick(AGES[age], *key, 'age')}"


def _creature_card(member: CastMember, said: str, seed: str, taken: Taken) -> CharacterSpec:
    assert member.role is not None
    species = SPECIES[member.role.noun]
    stated = next((word for word in re.findall(r"[\w-]+", said.lower()) if word in COLOURS), None)
    free = [colour for colour in species.colours if (member.role.noun, colour) not in taken.colours]
    colour = stated or (free or list(species.colours))[0]
    taken.colours.add((member.role.noun, colour))
    voices = [f"{upper_first(voice)}." for voice in species.voices]
    voices += [f"A {quality} voice." for quality in VOICE_QUALITIES]
    worn = _worn_in(said)
    return CharacterSpec(
        name=member.name,
        identity=f"{member.name} is {_without_worn(said)}: {species.body.format(colour=colour)}.",
        appearance=f"{species.features}.",
        clothing=f"Wears {worn}." if worn else "",
        voice=_distinct(voices[0], taken, voices),
    )


def _distinct(first: str, taken: Taken, options: list[str]) -> str:
    """The first of the options no earlier card of the cast uses."""
    chosen = next((option for option in [first, *options] if option not in taken.sentences), first)
    taken.sentences.add(chosen)
    return chosen


def stated_gender(name: str, role: Role | None, phrase: str) -> str:
    """The gender the phrase, role or name settles without a random choice ("" when none does)."""
    if said := _gender_words(phrase):
        return said
    if role is not None and role.gendered:
        return role.gender
    first = name.split()[0] if name.split() else name
    for (_, gender), names in NAMES.items():
        if gender != "neutral" and (name in names or first in names):
            return gender
    for gender, names in GIVEN_NAMES.items():
        if first in names or name in names:
            return gender
    return _prefix_gender(name) or (role.gender if role is not None and role.gender != "neutral" else "")


def _prefix_gender(name: str) -> str:
    """The gender a Chinese reader hears in a familiar form of address: 老 + a surname (老王, 老李) is a man unless
    the words say otherwise; 小 + a name (小美) says nothing, so it stays a seeded choice ("" for every other name)."""
    return ZH["name_prefix_genders"].get(surname_prefix(name), "")


def surname_prefix(name: str) -> str:
    """The prefix of a familiar Chinese form of address, 老 or 小 + a surname ('老王' -> '老'); "" for other names."""
    prefix, surname = name[:1], name[1:]
    return prefix if len(surname) == 1 and surname in ZH["surnames"] else ""


def _gender_words(phrase: str) -> str:
    if has_cjk(phrase):
        return next((gender for word, gender in ZH["gender_words"].items() if word in phrase), "")
    words = re.findall(r"[\w-]+", phrase.lower())
    said = next((GENDER_WORDS[word] for word in words if word in GENDER_WORDS), "")
    return said or next((_PRONOUN_GENDER[word] for word in words if word in _PRONOUN_GENDER), "")


def _worn_in(phrase: str) -> str:
    match = re.search(rf"\b(?:in|wearing)\s+(?P<what>(?:(?!\bin\b).)*?(?:{GARMENT}))(?!\w)", phrase, re.IGNORECASE)
    return match["what"] if match else ""


def _without_worn(phrase: str) -> str:
    return re.sub(
        rf",?\s+(?:in|wearing)\s+(?:(?!\bin\b).)*?(?:{GARMENT})(?!\w)", "", phrase, flags=re.IGNORECASE
    ).strip()


def _clothing(worn: str, role: Role | None, key: tuple[str, str], taken: Taken) -> str:
    usual = role.clothing if role is not None and role.clothing else ""
    overlapping = usual and any(re.search(rf"\b{garment}\b", usual) for garment in re.findall(GARMENT, worn))
    if worn:
        return _distinct(f"Wears {worn}{f', with {usual}' if usual and not overlapping else ''}.", taken, [])
    start = CLOTHES.index(pick(CLOTHES, *key, "clothes"))
    options = [f"Wears {CLOTHES[(start + offset) % len(CLOTHES)]}." for offset in range(len(CLOTHES))]
    return _distinct(f"Wears {usual}." if usual else options[0], taken, options)


def _voice(said: str, gender: str, age: str, key: tuple[str, str], taken: Taken) -> str:
    """'Speaks in a soft, hesitant teenage voice.': a quality the phrase suggests (shy, proud) or a chosen one, and
    whose voice it is, so cards stay readable by voice_owner (director/offline/card_words.py)."""
    owner = VOICE_OWNERS[f"{gender if gender in ('female', 'male') else 'neutral'} {age}"]
    words = re.findall(r"[\w-]+|[\u4e00-\u9fff]+的", said.lower())
    trait = next((TRAIT_VOICES[word] for word in words if word in TRAIT_VOICES), "")
    pool = YOUNG_VOICE_QUALITIES if age in ("child", "teen") else VOICE_QUALITIES
    start = pool.index(pick(pool, *key, "voice"))
    qualities = [trait] if trait else []
    qualities += [pool[(start + offset) % len(pool)] for offset in range(len(pool))]
    options = [
        f"Speaks in {with_article(' '.join(part for part in (quality, owner) if part))} voice." for quality in qualities
    ]
    return _distinct(options[0], taken, options)


def _faces(age: str) -> list[str]:
    return FACES if age in ("adult", "old") else [face for face in FACES if "weathered" not in face]


def _hair(gender: str, age: str, culture: str) -> list[str]:
    kind = gender if gender in ("female", "male") else "neutral"
    prefix = "east asian " if culture == EAST_ASIAN else ""
    options = HAIR[f"{prefix}old" if age == "old" else f"{prefix}{kind}"]
    if gender == "female":
        options = [hair for hair in options if "beard" not in hair]
    if gender == "male":
        options = [hair for hair in options if "bun" not in hair]
    if age != "old":
        options = [hair for hair in options if not re.search(r"silver|grey|white|beard|stubble|shaved", hair)]
    return options or HAIR["neutral"]


def with_article(phrase: str) -> str:
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"
