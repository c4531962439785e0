"""Character cards for the offline planner's cast, and the facts a card is written from: the `CastMember` itself,
gender, age group, a new name when the creator gave none, worn clothing, and face, hair and eye choices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from director.offline.vocabulary import (
    AGE_WORDS,
    AGES,
    BUILDS,
    CLOTHES,
    COLOURS,
    CREATURES,
    EYES,
    FACES,
    FEATURES,
    GARMENTS,
    GENDER_WORDS,
    GIVEN_NAMES,
    HAIR,
    NAMES,
    NON_HUMAN_NAMES,
    VOICES,
    Role,
    pick,
)
from director.schemas import CharacterSpec

GARMENT = "|".join(sorted((re.escape(garment) for garment in GARMENTS), key=len, reverse=True))
YEARS_OLD = re.compile(r"\b(?P<years>\d{1,3})[- ]years?[- ]old\b|\b(?P<written>\w+)-year-old\b", re.IGNORECASE)
_WRITTEN_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip


@dataclass(frozen=True)
class CastMember:
    name: str
    role: Role | None
    phrase: str  # "a young wizard in a red cloak": how the story introduces them, with every stated fact
    span: tuple[int, int] | None = None  # where the idea mentions them first (for naming them in the synopsis)
    named: bool = False  # the creator gave the name


def gender_of(name: str, role: Role | None, seed: str, phrase: str = "") -> str:
    """The gender a card is written with: words in the phrase, a gendered role, a known name, the role's default."""
    return stated_gender(name, role, phrase) or pick(["female", "male"], seed, name, "gender")


def age_of(phrase: str, role: Role | None) -> str:
    """The age group the phrase states ("young", "teenage", "70-year-old"), else the role's usual one."""
    if match := YEARS_OLD.search(phrase):
        years = int(match["years"]) if match["years"] else _WRITTEN_NUMBERS.get(match["written"].lower().split("-")[-1])
        if years is not None:
            return "child" if years < 13 else "teen" if years < 20 else "young" if years < 36 else (
                "adult" if years < 60 else "old")  # fmt: skip
    stated = [AGE_WORDS[word] for word in re.findall(r"[\w-]+", phrase.lower()) if word in AGE_WORDS]
    stated = [age for age in stated if age != "child"] or stated  # "a little old lady" is old
    if not stated:
        return role.age if role is not None else "young"
    if stated[0] == "young" and role is not None and role.age == "child":
        return "child"
    return stated[0]


def new_name(role: Role | None, language: str, seed: str, taken: set[str], gender: str = "") -> str:
    if role is not None and not role.human:
        options = NON_HUMAN_NAMES[language]
    else:
        options = NAMES[(language, gender or (role.gender if role is not None else "neutral"))]
    start = options.index(pick(options, seed, role.noun if role else "", len(taken)))
    for offset in range(len(options)):
        candidate = options[(start + offset) % len(options)]
        if candidate not in taken:
            return candidate
    return f"{options[start]} {len(taken) + 1}"


def character_card(member: CastMember, seed: str, introduction: str = "") -> CharacterSpec:
    """Identity, appearance, clothing and voice sentences: the stated facts first, then deterministic choices."""
    role = member.role
    said = introduction or member.phrase
    key = (seed, member.name)
    worn = _worn_in(said)
    if role is not None and not role.human:
        creature = CREATURES.get(role.noun)
        colour = next((word for word in re.findall(r"[\w-]+", said.lower()) if word in COLOURS), None)
        core = _without_worn(said)
        if creature is None:
            return CharacterSpec(name=member.name, identity=f"{member.name} is {core}.")
        body = creature.body.format(colour=colour or creature.colour)
        return CharacterSpec(
            name=member.name,
            identity=f"{member.name} is {core}: {body}.",
            appearance=f"{creature.features}.",
            clothing=f"Wears {worn}." if worn else "",
            voice=f"{creature.voice[0].upper()}{creature.voice[1:]}.",
        )
    gender = gender_of(member.name, role, seed, said)
    age = age_of(said, role)
    if introduction:
        identity = f"{member.name}, {introduction.rstrip('.')}."
    else:
        what = _without_worn(member.phrase) or with_article(f"{pick(AGES[age], *key, 'age')} {_noun(role)}")
        identity = f"{member.name} is {what}, {pick(BUILDS, *key, 'build')}, with {pick(_faces(age), *key, 'face')}"
        identity += "." if "hair" in said.lower() else f" and {pick(_hair(gender, age), *key, 'hair')}."
    eyes = re.search(r"\b([\w]+)-eyed\b", said.lower())
    eye_colour = eyes[1] if eyes else pick(EYES, *key, "eyes")
    return CharacterSpec(
        name=member.name,
        identity=identity,
        appearance=f"{eye_colour.capitalize()} eyes and {pick(FEATURES, *key, 'feature')}.",
        clothing=f"Wears {_clothing(worn, role, key)}.",
        voice=f"Speaks in {VOICES[(gender, 'young' if age == 'teen' and gender == 'neutral' else age)]}.",
    )


def stated_gender(name: str, role: Role | None, phrase: str) -> str:
    """The gender the phrase, role or name settles without a random choice ("" when none does)."""
    if said := _gender_words(phrase):
        return said
    if role is not None and role.gendered:
        return role.gender
    first = name.split()[0] if name.split() else name
    for (_, gender), names in NAMES.items():
        if name in names or first in names:
            return gender
    for gender, names in GIVEN_NAMES.items():
        if first in names:
            return gender
    return role.gender if role is not None and role.gender != "neutral" else ""


def _gender_words(phrase: str) -> str:
    words = re.findall(r"[\w-]+", phrase.lower())
    return next((GENDER_WORDS[word] for word in words if word in GENDER_WORDS), "")


def _worn_in(phrase: str) -> str:
    match = re.search(rf"\b(?:in|wearing)\s+(?P<what>.*?(?:{GARMENT}))(?!\w)", phrase, re.IGNORECASE)
    return match["what"] if match else ""


def _without_worn(phrase: str) -> str:
    return re.sub(rf"\s+(?:in|wearing)\s+.*?(?:{GARMENT})(?!\w)", "", phrase, flags=re.IGNORECASE).strip()


def _clothing(worn: str, role: Role | None, key: tuple[str, str]) -> str:
    usual = role.clothing if role is not None and role.clothing else ""
    if not worn:
        return usual or pick(CLOTHES, *key, "clothes")
    overlapping = usual and any(re.search(rf"\b{garment}\b", usual) for garment in re.findall(GARMENT, worn))
    return f"{worn}, with {usual}" if usual and not overlapping else worn


def _faces(age: str) -> list[str]:
    return FACES if age in ("adult", "old") else [face for face in FACES if "weathered" not in face]


def _hair(gender: str, age: str) -> list[str]:
    options = HAIR["old"] if age == "old" else HAIR[gender]
    if gender == "female":
        options = [hair for hair in options if "beard" not in hair]
    if gender == "male":
        options = [hair for hair in options if "bun" not in hair]
    if age != "old":
        options = [hair for hair in options if not re.search(r"silver|grey|white|beard|stubble|shaved", hair)]
    return options or HAIR["neutral"]


def _noun(role: Role | None) -> str:
    return role.noun if role is not None else "traveller"


def with_article(phrase: str) -> str:
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"
