"""Character cards for the offline planner: who is in the text, and their identity/clothing/voice sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

from director.offline_vocabulary import (
    AGES,
    BUILDS,
    CLOTHES,
    EYES,
    FACES,
    FEATURES,
    HAIR,
    NAMES,
    NON_HUMAN_LOOKS,
    NON_HUMAN_NAMES,
    ROLE_SYNONYMS,
    ROLE_WORDS,
    ROLES,
    VOICES,
    Role,
    find_words,
    pick,
)
from director.schemas import CharacterSpec

_NOT_NAMES = frozenset(
    [
        "A", "An", "The", "In", "On", "At", "When", "Where", "While", "One", "Once", "After", "Before", "Make",
        "Create", "Write", "Generate", "Tell", "Show", "Give", "I", "It", "Its", "This", "That", "These", "Those", "My",
        "Our", "Your", "His", "Her", "Their", "He", "She", "They", "We", "You", "Shot", "Story", "Film", "Video",
        "Movie", "Chapter", "Scene", "Cast", "Places", "Premise", "Everything", "Also", "Then", "Suddenly", "Meanwhile",
        "Later", "Soon", "Finally", "Int", "Ext", "Night", "Day", "Morning", "Evening", "Dusk", "Dawn", "Please", "Now",
        "Yes", "No", "Ok", "Okay", "Mr", "Mrs", "Ms", "Dr", "Sir", "Lady", "Lord", "King", "Queen", "Prince", "Princess"
    ]
)  # fmt: skip
_CAPITALISED = re.compile(r"\b([A-Z][a-z][\w'-]*)\b")


@dataclass(frozen=True)
class CastMember:
    name: str
    role: Role | None
    phrase: str  # "a young lighthouse keeper": how the story introduces them


def find_roles(text: str) -> list[tuple[int, str, Role]]:
    """(position, matched words, role) for every role noun in the text, in order of appearance."""
    found = find_words(text, ROLE_WORDS)
    kept: list[tuple[int, str, Role]] = []
    covered_until = -1
    for position, words, role in found:
        if position >= covered_until:
            kept.append((position, words, role))
            covered_until = position + len(words)
    return kept


def find_names(text: str) -> list[str]:
    """Capitalised words that look like personal names, in order of first appearance."""
    vocabulary = set(ROLES) | set(ROLE_SYNONYMS)
    names: list[str] = []
    for word in _CAPITALISED.findall(text):
        if word not in _NOT_NAMES and word.lower() not in vocabulary and word not in names:
            names.append(word)
    return names


def gender_of(name: str, role: Role | None, seed: str) -> str:
    if role is not None and role.gender != "neutral":
        return role.gender
    for (_, gender), names in NAMES.items():
        if name in names:
            return gender
    return pick(["female", "male"], seed, name, "gender")


def new_name(role: Role | None, language: str, seed: str, taken: set[str]) -> str:
    if role is not None and not role.human:
        options = NON_HUMAN_NAMES
    else:
        options = NAMES[(language, gender_of("", role, seed) if role is None else role.gender)]
    start = options.index(pick(options, seed, role.noun if role else "", len(taken)))
    for offset in range(len(options)):
        candidate = options[(start + offset) % len(options)]
        if candidate not in taken:
            return candidate
    return f"{options[start]} {len(taken) + 1}"


def character_card(member: CastMember, seed: str, introduction: str = "") -> CharacterSpec:
    """Identity, appearance, clothing and voice sentences, chosen deterministically from the name and seed."""
    role = member.role
    gender = gender_of(member.name, role, seed)
    age = role.age if role is not None else pick(["young", "adult"], seed, member.name, "age")
    key = (seed, member.name)
    if role is not None and not role.human:
        look, voice = NON_HUMAN_LOOKS[role.noun]
        return CharacterSpec(
            name=member.name,
            identity=f"{member.name} is {look}.",
            appearance=f"{pick(EYES, *key, 'eyes').capitalize()} eyes that catch the light.",
            voice=f"{voice[0].upper()}{voice[1:]}.",
        )
    if introduction:
        identity = f"{member.name}, {introduction.rstrip('.')}."
    else:
        what = member.phrase or f"{pick(AGES[age], *key, 'age')} {role.noun if role else 'traveller'}"
        identity = f"{member.name} is {what}, {pick(BUILDS, *key, 'build')}, with {pick(FACES, *key, 'face')}"
        identity += f" and {pick(HAIR['old' if age == 'old' else gender], *key, 'hair')}."
    return CharacterSpec(
        name=member.name,
        identity=identity,
        appearance=f"{pick(EYES, *key, 'eyes').capitalize()} eyes and {pick(FEATURES, *key, 'feature')}.",
        clothing=f"Wears {(role.clothing if role and role.clothing else pick(CLOTHES, *key, 'clothes'))}.",
        voice=f"Speaks in {VOICES[(gender, age)]}.",
    )
