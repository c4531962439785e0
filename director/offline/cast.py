"""The people (and creatures) of a one-line idea, found in its text, for the offline planner.

Everything the creator said about someone survives: age and gender words, pronouns, names ("a wizard named Mira",
"Mira, a wizard", "her cat Pip"), species, colours and clothing. Those facts go into the member's `phrase` ("a young
wizard in a red cloak"), which the story's Cast line carries and the character card is written from
(director/offline/cast_cards.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from director.offline.cast_cards import GARMENT, YEARS_OLD, CastMember, gender_of, new_name, stated_gender, with_article
from director.offline.vocabulary import (
    AGE_WORDS,
    AGES,
    COLOURS,
    GENDER_WORDS,
    OBJECTS,
    PLACE_WORDS,
    ROLE_SYNONYMS,
    ROLE_WORDS,
    ROLES,
    TIME_WORDS,
    ZH_MODIFIERS,
    Role,
    find_words,
    pick,
)
from generator.text import has_cjk

MAX_CAST = 3
_NOT_NAMES = frozenset(
    [
        "A", "An", "The", "In", "On", "At", "When", "Where", "While", "One", "Once", "After", "Before", "Make",
        "Create", "Write", "Generate", "Tell", "Show", "Give", "I", "It", "Its", "This", "That", "These", "Those", "My",
        "Our", "Your", "His", "Her", "Their", "He", "She", "They", "We", "You", "Shot", "Story", "Film", "Video",
        "Movie", "Chapter", "Scene", "Cast", "Places", "Premise", "Everything", "Also", "Then", "Suddenly", "Meanwhile",
        "Later", "Soon", "Finally", "Int", "Ext", "Night", "Day", "Morning", "Evening", "Dusk", "Dawn", "Please", "Now",
        "Yes", "No", "Ok", "Okay", "Mr", "Mrs", "Ms", "Dr", "Sir", "Lady", "Lord", "King", "Queen", "Prince",
        "Princess",
        "Two", "Three", "Four", "Both", "Some", "Every", "Each", "After", "Years", "Time", "Time:", "Christmas",
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Halloween", "Spring", "Summer",
        "Autumn", "Winter", "Inside", "Outside", "Everyone", "Nobody", "Someone", "With", "And", "But", "So",
    ]
)  # fmt: skip
_NAME_RUN = re.compile(r"\b[A-Z][a-z][\w-]*(?:'s)?(?:[ \t]+[A-Z][a-z][\w-]*(?:'s)?)*")
_PLACE_PREPOSITIONS = re.compile(r"\b(?:in|at|on|to|from|near|across|through|into|around|over|of|outside|inside)\s+$")
_DETERMINERS = frozenset(
    ["a", "an", "the", "his", "her", "their", "my", "our", "its", "your", "this", "that", "some", "one", "two",
     "three", "another", "every", "both", "twin"]
)  # fmt: skip
_POSSESSIVES = frozenset(["his", "her", "their", "my", "our", "your", "its"])
_COUNTS = {"two": 2, "twin": 2, "both": 2, "three": 3}
_ZH_DELIMITERS = "，。、；！？,.;!? 和与跟及在把被给对向"
_WORN = re.compile(
    rf"^\s+(?:who\s+(?:wears|is wearing)|in|wearing|dressed in|with)\s+(?P<what>(?:(?:an?|the|his|her|their)\s+)?"
    rf"(?:[\w-]+\s+){{0,3}}?(?:{GARMENT}))(?!\w)",
    re.IGNORECASE,
)
_PRONOUN_WEARS = re.compile(
    rf"\b(?P<pronoun>he|she)\s+(?:wears|is wearing|is dressed in|has on)\s+(?P<what>(?:(?:an?|the|his|her|their)\s+)?"
    rf"(?:[\w-]+\s+){{0,3}}?(?:{GARMENT}))(?!\w)",
    re.IGNORECASE,
)
_HAIR_AFTER = re.compile(r"^\s+with\s+(?P<what>(?:[\w-]+\s+){1,2}hair)\b", re.IGNORECASE)
_PRONOUNS = re.compile(r"\b(?P<word>he|she|his|her)\b(?P<next>\s+\w+)?|(?P<zh>[他她])(?!们)", re.IGNORECASE)
_OBJECT_AFTER_HER = frozenset(
    ["to", "find", "get", "go", "home", "up", "out", "back", "and", "or", "with", "in", "on", "at", "from", "for",
     "a", "an", "the", "that", "this", "into", "again", "away", "escape", "learn", "see", "feel", "be", "become"]
)  # fmt: skip
_THINGS_AFTER_ROLE = frozenset(
    ["egg", "eggs", "story", "stories", "food", "toy", "toys", "statue", "painting", "picture", "costume", "mask",
     "bone", "bones", "shaped", "scale", "scales", "feather", "feathers", "tooth", "teeth", "house", "cave", "tale"]
)  # fmt: skip
_ZH_NAME = re.compile(r"(?:^|(?<=[，。、；！？\s]))(?P<name>[\u4e00-\u9fff]{2,3}?)(?=和|与|跟|在|是|对|把|说|去|从|带)")
_ZH_NAMED = re.compile(r"(?:名叫|叫做|叫)(?P<name>[\u4e00-\u9fff]{1,3}?)的")


@dataclass
class _Mention:
    """One person found in the text, before names are chosen."""

    start: int
    end: int  # end of the words that introduce them ("a young wizard"), where a name may be inserted
    role: Role | None
    noun: str = ""
    words: list[str] | None = None  # descriptor words, in the text's order
    possessor: str = ""  # "his", "Ada's"
    name: str = ""
    gender: str = ""  # what the text itself says (modifier words, pronouns)
    clothing: str = ""
    hair: str = ""
    count: int = 1  # "two brothers"
    plural: bool = False  # "ghosts": the synopsis does not name them in place
    group: list[str] | None = None  # "two brothers, Leo and Sam"


def find_roles(text: str) -> list[tuple[int, str, Role]]:
    """(position, matched words, role) for every person or creature in the text, in order of appearance. A role word
    right before another describes it ("child astronaut"; "robot friend" is a robot); one right before a thing is
    not a person at all ("dragon egg", "ghost story")."""
    found = find_words(text, ROLE_WORDS)
    kept: list[tuple[int, str, Role]] = []
    covered_until = -1
    for position, words, role in found:
        if position >= covered_until:
            kept.append((position, words, role))
            covered_until = position + len(words)
    lowered = text.lower()
    people: list[tuple[int, str, Role]] = []
    for index, hit in enumerate(kept):
        end = _end_of(lowered, hit)
        following = re.match(r"[ \t]?([a-z]+|[\u4e00-\u9fff]+)", lowered[end:])
        if following and not has_cjk(following[1]) and following[1] in _THINGS_AFTER_ROLE | set(OBJECTS):
            continue
        nxt = kept[index + 1] if index + 1 < len(kept) else None
        if nxt is not None and re.fullmatch(r"[ \t]?", lowered[end : nxt[0]]):
            if not hit[2].human and nxt[2].human:  # "robot friend": the creature, described by the relation
                kept[index + 1] = (hit[0], lowered[hit[0] : _end_of(lowered, nxt)], hit[2])
            continue
        people.append(hit)
    return people


def find_names(text: str) -> list[str]:
    """Capitalised words that look like personal names ("Ada Stone" stays whole), in order of first appearance;
    capitalised words after "in"/"at"/... are places ("in Paris"), not people."""
    vocabulary = set(ROLES) | set(ROLE_SYNONYMS) | {word for word, _ in PLACE_WORDS} | {word for word, _ in TIME_WORDS}
    names: list[str] = []
    for match in _NAME_RUN.finditer(text):
        tokens = [token.removesuffix("'s") for token in match[0].split()]
        while tokens and (tokens[0] in _NOT_NAMES or tokens[0].lower() in vocabulary):
            tokens.pop(0)
        while tokens and (tokens[-1] in _NOT_NAMES or tokens[-1].lower() in vocabulary):
            tokens.pop()
        if not tokens or _PLACE_PREPOSITIONS.search(text[: match.start()]):
            continue
        name = " ".join(tokens)
        if not any(name == known or name in known.split() for known in names):
            names.append(name)
    return names


def cast_from_idea(text: str, language: str, seed: str) -> list[CastMember]:
    """Up to three people of the idea, the ones the creator named first, in order of appearance."""
    mentions = _mentions(text, language)
    _resolve_pronouns(text, mentions)
    _attach_worn_by_pronoun(text, mentions)
    people: list[_Mention] = []
    for number, mention in enumerate(mentions):
        if mention.count > 1 or mention.group:
            names = mention.group or [""] * mention.count
            siblings = [replace(mention, name=name, count=1, plural=False, possessor=f"#{number}") for name in names]
            people.extend(siblings)
        else:
            people.append(mention)
    if len(people) > MAX_CAST:
        chosen = sorted(people, key=lambda person: (not person.name, person.start))[:MAX_CAST]
        people = [person for person in people if any(person is kept for kept in chosen)]
    taken = {person.name for person in people if person.name}
    members: list[CastMember] = []
    for index, person in enumerate(people):
        gender = person.gender or _default_gender(person.name, person.role)
        name = person.name or new_name(person.role, language, seed + str(index), taken, gender)
        taken.add(name)
        span = None if person.plural and not person.group and person.count == 1 else (person.start, person.end)
        phrase = _phrase_of(person, gender, name, seed)
        members.append(CastMember(name, person.role, phrase, span, named=bool(person.name)))
    return _with_possessors(members, people)


def _mentions(text: str, language: str) -> list[_Mention]:
    lowered = text.lower()
    mentions: list[_Mention] = []
    for position, word, role in find_roles(text):
        end = _end_of(lowered, (position, word, role))
        mention = _Mention(position, end, role, noun=word if not has_cjk(word) else role.noun)
        if language == "zh" or has_cjk(word):
            _describe_zh(text, mention)
        else:
            _describe(text, mention, plural=lowered[position + len(word) : end] != "")
        mentions.append(mention)
    names = find_names(text)
    bound = {name for mention in mentions for name in [mention.name, *(mention.group or [])] if name}
    for name in names:
        if name in bound or any(name in known.split() for known in bound):
            continue
        position = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
        assert position is not None
        mentions.append(_Mention(position.start(), position.end(), None, name=name, words=[]))
    if language == "zh":
        for match in _ZH_NAME.finditer(text):
            name = match["name"]
            if name[0] in "一这那有某" or find_words(name, ROLE_WORDS) or find_words(name, PLACE_WORDS):
                continue
            if not any(mention.start <= match.start() < mention.end for mention in mentions):
                mentions.append(_Mention(match.start(), match.end(), None, name=name, words=[]))
    for match in _ZH_NAMED.finditer(text):
        # the person the name belongs to is the first whose role word follows it; their description may start before
        following = [mention for mention in mentions if mention.end > match.end() and not mention.name]
        if following:
            min(following, key=lambda mention: mention.end).name = match["name"]
    return sorted(mentions, key=lambda mention: mention.start)


def _end_of(lowered: str, hit: tuple[int, str, Role]) -> int:
    position, word, _ = hit
    if has_cjk(word):
        return position + len(word)
    match = re.match(rf"{re.escape(word)}(?:e?s)?(?!\w)", lowered[position:])
    return position + (match.end() if match else len(word))


def _describe(text: str, mention: _Mention, plural: bool) -> None:
    """Descriptor words before the role noun, a name bound to it, and what they wear."""
    before = text[: mention.start]
    tokens = list(re.finditer(r"[\w'-]+|[^\w\s]", before))
    words: list[re.Match[str]] = []
    determiner: re.Match[str] | None = None
    for token in reversed(tokens[-6:]):
        lowered = token[0].lower()
        if lowered in _DETERMINERS or lowered.endswith("'s"):
            determiner = token
            break
        descriptive = lowered in AGE_WORDS or lowered in GENDER_WORDS or lowered in COLOURS
        if not re.fullmatch(r"[\w-]+", token[0]) or len(words) == 4 or (token[0][:1].isupper() and not descriptive):
            break
        words.insert(0, token)
    if determiner is None and not all(_known_descriptor(word[0]) for word in words):
        words = []
    said = determiner[0].lower() if determiner else ""
    if said in _POSSESSIVES or said.endswith("'s"):
        mention.possessor = said if said in _POSSESSIVES else determiner[0][:-2]  # type: ignore[index]
    if said in _COUNTS and plural:
        mention.count = _COUNTS[said]
    mention.plural = plural
    mention.words = [word[0].lower() for word in words]
    first = determiner or (words[0] if words else None)
    if first is not None:
        mention.start = first.start()
    head = text[: mention.start]
    appositive = re.search(r"(?<![\w'])(?P<name>[A-Z][a-z][\w-]*(?: [A-Z][a-z][\w-]*)?),\s*$", head)
    named_the = re.search(r"(?P<name>[A-Z][a-z][\w-]*)\s+$", head) if said == "the" else None
    for found in (appositive, named_the):
        if found is not None and found["name"] not in _NOT_NAMES:
            mention.name = found["name"]
            break
    after = text[mention.end :]
    if mention.count > 1:
        if group := re.match(
            r"^,?\s*(?:named\s+|called\s+)?(?P<names>[A-Z][a-z][\w-]*(?:\s*,\s*[A-Z][a-z][\w-]*)*\s*,?\s*(?:and|&)\s+"
            r"[A-Z][a-z][\w-]*)",
            after,
        ):
            mention.group = re.findall(r"[A-Z][a-z][\w-]*", group["names"])
            mention.end += group.end()
            after = text[mention.end :]
    elif not mention.name and (
        bound := re.match(
            r"^(?:,?\s+(?:named|called)\s+|[ \t]+|,\s*)(?P<name>[A-Z][a-z][\w-]*(?: [A-Z][a-z][\w-]*)?)", after
        )
    ):
        name = " ".join(token for token in bound["name"].split() if token not in _NOT_NAMES)
        if (
            name
            and name.lower() not in ROLES
            and (not bound[0].startswith(",") or re.match(r"^\s*(?:,|$|\.|;)", after[bound.end() :]))
        ):
            mention.name = name
            if bound[0].lstrip(", ").startswith(("named", "called")):
                mention.end += bound.end()
            after = text[mention.end :]
    if worn := _WORN.match(after.split(";")[0]):
        mention.clothing = _own(worn["what"])
    if hair := _HAIR_AFTER.match(after):
        mention.hair = hair["what"].lower()
    mention.gender = next((GENDER_WORDS[word] for word in mention.words if word in GENDER_WORDS), "")


def _describe_zh(text: str, mention: _Mention) -> None:
    window = text[max(0, mention.start - 8) : mention.start]
    for delimiter in _ZH_DELIMITERS:
        window = window.rsplit(delimiter, 1)[-1]
    words = [(window.find(key), english) for key, english in ZH_MODIFIERS.items() if key in window]
    covered = {key for key in ZH_MODIFIERS if key in window for other in ZH_MODIFIERS if key != other and key in other
               and other in window}  # fmt: skip
    words = [(index, english) for index, english in words if not any(ZH_MODIFIERS[key] == english for key in covered)]
    mention.words = [english for _, english in sorted(words)]
    mention.gender = next((GENDER_WORDS[word] for word in mention.words if word in GENDER_WORDS), "")
    mention.start = mention.start - len(window)


def _known_descriptor(word: str) -> bool:
    lowered = word.lower()
    return lowered in AGE_WORDS or lowered in GENDER_WORDS or lowered in COLOURS or bool(YEARS_OLD.search(lowered))


def _resolve_pronouns(text: str, mentions: list[_Mention]) -> None:
    """he/she/his/her tell the gender of the nearest person before them that the pronoun can mean."""
    for match in _PRONOUNS.finditer(text):
        word = {"他": "he", "她": "she"}.get(match["zh"] or "", (match["word"] or "").lower())
        if word == "her" and match["next"] and match["next"].strip().lower() in _OBJECT_AFTER_HER:
            continue
        gender = "male" if word in ("he", "his") else "female"
        for mention in sorted(mentions, key=lambda mention: -mention.start):
            if mention.start >= match.start() or (mention.role is not None and not mention.role.human):
                continue
            fixed = mention.gender or (mention.role.gender if mention.role and mention.role.gendered else "")
            fixed = fixed or (stated_gender(mention.name, None, "") if mention.name and mention.role is None else "")
            if fixed and fixed != gender:
                continue
            mention.gender = gender
            break


def _attach_worn_by_pronoun(text: str, mentions: list[_Mention]) -> None:
    for match in _PRONOUN_WEARS.finditer(text):
        gender = "male" if match["pronoun"].lower() == "he" else "female"
        earlier = [mention for mention in mentions if mention.start < match.start() and not mention.clothing]
        for mention in sorted(earlier, key=lambda mention: -mention.start):
            if (mention.gender or (mention.role.gender if mention.role else "")) == gender:
                mention.clothing = _own(match["what"])
                break


def _own(what: str) -> str:
    """A worn item as the card says it: 'his blue scarf' -> 'a blue scarf'."""
    what = " ".join(what.split())
    return re.sub(r"^(?:his|her|their)\s+", "a ", what, flags=re.IGNORECASE)


def _default_gender(name: str, role: Role | None) -> str:
    return stated_gender(name, role, "") or ("neutral" if role is not None else "")


def _phrase_of(person: _Mention, gender: str, name: str, seed: str) -> str:
    words = list(person.words or [])
    role = person.role
    if role is None:
        noun = {"female": "woman", "male": "man"}.get(gender, "traveller")
        if not any(word in AGE_WORDS for word in words):
            words.append(pick(AGES["young"] + AGES["adult"], seed, name, "age"))
        return with_article(" ".join([*words, noun]))
    genders = [word for word in words if word in GENDER_WORDS and word not in AGE_WORDS]
    words = [word for word in words if word not in genders]
    if role.human and not any(word in AGE_WORDS or YEARS_OLD.search(word) for word in words + genders):
        grey = re.search(r"silver|grey|gray|white", person.hair)
        ages = [age for age in AGES["old"] if "hair" not in age] if grey else AGES[role.age]
        words.append(pick(ages, seed, name, person.noun))
    words += genders
    if gender in ("female", "male") and stated_gender(name, role, " ".join(words)) != gender:
        words.append(gender)
    phrase = " ".join([*words, person.noun])
    if person.clothing:
        phrase += f" in {person.clothing}"
    if person.hair:
        phrase += f" with {person.hair}"
    return phrase if person.possessor else with_article(phrase)


def _with_possessors(members: list[CastMember], people: list[_Mention]) -> list[CastMember]:
    """'his granddaughter' -> "Tomas's ... granddaughter"; relations and pets are introduced as someone's."""
    resolved: list[CastMember] = []
    for index, (member, person) in enumerate(zip(members, people, strict=True)):
        if not person.possessor:
            resolved.append(member)
            continue
        owner = _owner(person, members[:index] + members[index + 1 :], people[:index] + people[index + 1 :])
        phrase = f"{owner}'s {member.phrase}" if owner else with_article(member.phrase)
        resolved.append(replace(member, phrase=phrase))
    return resolved


def _owner(person: _Mention, members: list[CastMember], people: list[_Mention]) -> str:
    if person.possessor.startswith("#"):  # one of a group: the other one's brother
        return next((member.name for other, member in zip(people, members, strict=True)
                     if other.possessor == person.possessor), "")  # fmt: skip
    if person.possessor not in _POSSESSIVES:
        return next((member.name for member in members if person.possessor in member.name.split()), person.possessor)
    wanted = {"his": "male", "her": "female"}.get(person.possessor)
    earlier = [(other, member) for other, member in zip(people, members, strict=True) if other.start < person.start]
    for other, member in reversed(earlier):
        if other.role is not None and not other.role.human:
            continue
        gender = other.gender or _default_gender(member.name, other.role) or gender_of(member.name, other.role, "")
        if wanted is None or gender in (wanted, "neutral"):
            return member.name
    return ""
