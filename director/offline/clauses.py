"""An idea's events, for the offline story: its clauses in their order, each one with who does it, and the people
a sentence refers to (by name, or by a role only one of them has).

Clauses end at a sentence, a semicolon, or a joining word that starts a new event (", and they ...", " until ...",
", then ..."); a clause whose subject was left out ("then orders three more") gets the one before it, and a leading
"he"/"she"/"they" becomes the names it stands for. A long idea is summarised by keeping whole clauses spread over
its length, never by cutting text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache, partial
from pathlib import Path

from director.offline.cast_cards import CastMember, stated_gender
from director.offline.vocabulary import ROLE_WORDS, WORDS, ZH_MODIFIERS
from generator.text import has_cjk, upper_first

LINES = json.loads(Path(__file__).with_name("lines.json").read_text(encoding="utf-8"))
MAX_EVENTS = 8
_ABBREVIATION = re.compile(r"(?:\b[ap]\.m|\b(?:mr|mrs|ms|dr|st|vs|etc))\.$", re.IGNORECASE)
_JOIN = re.compile(
    r"\s*,\s+(?:and\s+then|and|but|so|then|while|when|before|after)\s+|\s+(?:until|and\s+then)\s+|\s+and\s+(?=(?:he|"
    r"she|they|we|i)\b)",
    re.IGNORECASE,
)
_ZH_JOIN = re.compile(r"[，,；;。！？!?]+")
_ZH_OPENERS = re.compile(r"^(?:最后|然后|于是|接着|但是|可是|后来|结果)[，,]?")
_SUBJECT_WORDS = frozenset(WORDS["subject_words"])
_NOT_VERBS = frozenset(WORDS["not_verbs"])
_PRONOUN = re.compile(r"\b(?P<en>he|she|they)\b|(?P<zh>他们|她们|他|她|它)", re.IGNORECASE)
_OWNER = r"(?:[Aa]n?|[Tt]he|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts|[A-Z][\w-]*'s)"


def clauses_of(text: str, language: str) -> list[str]:
    """The idea's clauses in order, joining words dropped."""
    if language == "zh":
        return [clause for piece in _ZH_JOIN.split(text) if (clause := _ZH_OPENERS.sub("", piece.strip()))]
    return [piece for part in _sentences(text) for piece in _split_joins(part.strip().rstrip(".!?;").strip())]


def _sentences(text: str) -> list[str]:
    pieces = re.split(r"(?<=[.!?;])\s+", text.strip())
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] += f" {piece}"
        else:
            sentences.append(piece)
    return sentences


def _split_joins(sentence: str) -> list[str]:
    """The sentence cut where a joining word starts a new event: 'until ...', a pronoun, a verb, or someone who then
    does something ('and Sage plods past him'), not a list of people ('and Marcus, a taxi driver, keep meeting')."""
    pieces, start = [], 0
    for match in _JOIN.finditer(sentence):
        after = sentence[match.end() :]
        first = re.match(r"[\w'-]+", after)
        pronoun = first is not None and first[0].lower() in ("he", "she", "they", "we", "i")
        acts = _starts_with_subject(after) and any(_starts_with_verb(word) for word in after.split(",")[0].split()[1:])
        if "until" in match[0].lower() or pronoun or acts or _starts_with_verb(after):
            pieces.append(sentence[start : match.start()])
            start = match.end()
    return [piece.strip(" ,") for piece in [*pieces, sentence[start:]] if piece.strip(" ,")]


def _starts_with_subject(text: str) -> bool:
    first = re.match(r"[\w'-]+", text)
    return first is not None and (first[0].lower() in _SUBJECT_WORDS or first[0][:1].isupper())


def _starts_with_verb(text: str) -> bool:
    first = re.match(r"[a-z][\w'-]*", text)
    word = first[0] if first else ""
    if word in ("is", "was", "are", "were", "has", "had"):
        return True
    return len(word) > 3 and word.endswith(("s", "ed")) and word not in _NOT_VERBS and word not in _SUBJECT_WORDS


def is_event(clause: str, language: str) -> bool:
    """Something happens in it: 'a funny summer adventure' is a note about the story, not an event."""
    if language == "zh":
        return True
    words = re.findall(r"[a-z][\w'-]*", clause)
    return (
        bool(kind_of(clause, language))
        or any(word.endswith(("s", "ed")) and word not in _NOT_VERBS and len(word) > 3 for word in words)
        or bool(re.search(r"\b(?:is|are|was|were)\b", clause))
    )


def kind_of(text: str, language: str) -> str:
    """The kind of event the text tells (lines.json): the first one it names."""
    kinds = kinds_in(text, language)
    return kinds[0] if kinds else ""


def kinds_in(text: str, language: str) -> list[str]:
    """Every kind of event the text names, in the order it names them."""
    lowered = text.lower()
    hits: list[tuple[int, str]] = []
    for kind, entry in LINES["kinds"].items():
        for verb in entry["zh" if language == "zh" else "en"]:
            pattern = re.escape(verb) if has_cjk(verb) else rf"(?<![\w-]){re.escape(verb)}(?![\w-])"
            hits += [(match.start(), kind) for match in re.finditer(pattern, lowered)]
    return list(dict.fromkeys(kind for _, kind in sorted(hits)))


def summarised(clauses: list[str], weight: Callable[[str], int], limit: int = MAX_EVENTS) -> list[str]:
    """At most `limit` whole clauses spread over the idea: the first, the last, and the weightiest of each stretch
    between them."""
    if len(clauses) <= limit:
        return clauses
    kept = {0, len(clauses) - 1}
    inner = list(range(1, len(clauses) - 1))
    stretches = limit - 2
    for part in range(stretches):
        stretch = inner[part * len(inner) // stretches : (part + 1) * len(inner) // stretches]
        if stretch:
            kept.add(max(stretch, key=lambda index: (weight(clauses[index]), -index)))
    return [clauses[index] for index in sorted(kept)]


def with_subjects(clauses: list[str], cast: list[CastMember], language: str) -> list[str]:
    """Each clause with a leading he/she/they (no one named before it in the clause) turned into the names it
    means: the latest person of that gender, or everyone the clause before names; a clause that starts with its
    verb ('then orders three more') gets the subject of the clause before."""
    resolved: list[str] = []
    seen: list[str] = []  # names in order of mention
    for clause in clauses:
        if resolved and language == "en" and _starts_with_verb(clause) and (subject := _subject(resolved[-1], cast)):
            clause = f"{joined(subject)} {clause}"
        pronoun = _PRONOUN.search(clause)
        if pronoun and not who(clause[: pronoun.start()], cast, language):
            names = _meant(pronoun, resolved[-1] if resolved else "", seen, cast, language)
            if names:
                clause = clause[: pronoun.start()] + names + clause[pronoun.end() :]
        seen += who(clause, cast, language)
        resolved.append(clause)
    return resolved


def _subject(clause: str, cast: list[CastMember]) -> list[str]:
    """Who does the clause: the people named before its first verb."""
    verb = next((match.start() for match in re.finditer(r"\b[a-z][\w'-]*", clause) if _starts_with_verb(match[0])), 0)
    return who(clause[:verb], cast) if verb else []


def _meant(pronoun: re.Match[str], before: str, seen: list[str], cast: list[CastMember], language: str) -> str:
    """The names a subject pronoun stands for. 'she' after 'Cog flatters her' is not Cog."""
    word = (pronoun["en"] or pronoun["zh"]).lower()
    named_before = who(before, cast, language)
    if word in ("they", "他们", "她们"):
        group = named_before if len(named_before) > 1 else list(dict.fromkeys(reversed(seen)))[:2][::-1]
        return joined(group, language) if len(group) > 1 else ""
    wanted = {"he": "male", "she": "female", "他": "male", "她": "female"}.get(word, "")
    genders = {member.name: stated_gender(member.name, member.role, member.phrase) for member in cast}
    humans = {member.name: member.role is None or member.role.human for member in cast}
    objects = {"male": r"\b(?:him|his)\b|他", "female": r"\b(?:her)\b|她"}.get(wanted, "")
    not_them = set(named_before[:1]) if objects and re.search(objects, before, re.IGNORECASE) else set()
    for name in reversed(seen):
        fits = genders.get(name) in (wanted, "", "neutral") if wanted else not humans.get(name, True)
        if fits and name not in not_them:
            return name
    return ""


def joined(names: list[str], language: str = "en") -> str:
    if language == "zh":
        return "和".join(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def sentence(clause: str, language: str) -> str:
    text = clause.strip().rstrip(",;，；")
    if language == "zh":
        return text if text.endswith(("。", "！", "？")) else f"{text}。"
    return upper_first(text) + ("" if text.endswith((".", "!", "?")) else ".")


def who(text: str, cast: list[CastMember], language: str = "en") -> list[str]:
    """The cast members the text refers to, in order: by name, or by a role word only one of them has."""
    found: list[tuple[int, str]] = []
    for member in cast:
        spots = [match.start() for match in re.finditer(_name_pattern(member.name), text)]
        spots += [match.start() for match in _role_mentions(text, member, cast, language)]
        if spots:
            found.append((min(spots), member.name))
    return [name for _, name in sorted(found)]


def named_only(text: str, cast: list[CastMember], language: str = "en") -> str:
    """The text with people called by their names alone, as a shot's action wants them: 'Mae, a retired drummer,
    teaches her neighbour, Lily, to drum' -> 'Mae teaches Lily to drum'; 'her grandmother' -> 'Rosa'."""
    for member in cast:
        if " " in member.name:  # 'Daniel' for 'Daniel Okafor', so the prompt can put the card's ID in
            first = re.escape(member.name.split()[0])
            text = re.sub(
                rf"(?<![A-Za-z0-9']){first}(?![A-Za-z0-9])(?!\s+{re.escape(member.name.split()[1])})", member.name, text
            )
        name = re.escape(member.name)
        roles = _role_words(member, cast)
        if language == "zh":
            text = re.sub(rf"{name}[，,]\s*一[个位只条][^，。,]*[，,]", member.name, text)
            if roles:
                modifiers = "|".join(map(re.escape, ZH_MODIFIERS))
                described = rf"(?:一[个位只条])?(?:(?:{modifiers})的?)*(?:{roles})"
                text = re.sub(rf"(?<!的){described}\s?{name}", member.name, text)  # '小美的邻居老王' stays
                if _unique(member, cast):
                    text = re.sub(rf"{described}(?!\s?{name})", partial(_zh_called, name=member.name), text)
            continue
        text = re.sub(rf"\b{name},\s+{_OWNER}\s[^,.;!?]*?,\s*", f"{member.name} ", text)
        text = re.sub(rf"\b{name},\s+{_OWNER}\s(?:(?!\b(?:who|which|that)\b)[^,.;!?])*?(?=[.;!?]|$)", member.name, text)
        if roles:
            text = re.sub(rf"\b{_OWNER}\s+(?:[\w-]+\s+){{0,4}}?(?:{roles})s?\s+(?:named|called)\s+{name}\b",
                          member.name, text)  # fmt: skip
            text = re.sub(
                rf"\b(?:{_OWNER}\s+(?:[\w-]+\s+){{0,3}}?)?(?i:{roles}),?\s+{name}\b,?(?=\s)", member.name, text
            )
            for match in reversed(_role_mentions(text, member, cast, language)):
                text = text[: match.start()] + member.name + text[match.end() :]
    return re.sub(r"\s+([,.;!?])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()


def _zh_called(found: re.Match[str], name: str) -> str:
    """A role word of a Chinese clause as the name, unless the clause names them already ('小美是一位面包师')."""
    text, start, end = found.string, found.start(), found.end()
    clause = re.split(r"[，。；！？,;!?]", text[:start])[-1] + re.split(r"[，。；！？,;!?]", text[end:])[0]
    return found[0] if name in clause else name


def _name_pattern(name: str) -> str:
    """The name as a whole word, also between Chinese characters ('教Leo包') and by a first name alone ('Daniel')."""
    if has_cjk(name):
        return re.escape(name)
    spellings = "|".join(dict.fromkeys(map(re.escape, (name, name.split()[0]))))
    return rf"(?<![A-Za-z0-9'])(?:{spellings})(?![A-Za-z0-9])"


def _role_words(member: CastMember, cast: list[CastMember]) -> str:
    """A pattern of every word for the member's role: 'grandmother|granny|奶奶|...'."""
    return _words_for(member.role.noun) if member.role is not None else ""


@cache
def _words_for(noun: str) -> str:
    words = [word for word, role in ROLE_WORDS if role.noun == noun]
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


def _unique(member: CastMember, cast: list[CastMember]) -> bool:
    return member.role is not None and sum(1 for other in cast if other.role == member.role) == 1


def _role_mentions(text: str, member: CastMember, cast: list[CastMember], language: str) -> list[re.Match[str]]:
    """'the grandmother', 'her grandmother', '孙女': a later mention by the role only this member has."""
    roles = _role_words(member, cast)
    if not roles or not _unique(member, cast):
        return []
    name = re.escape(member.name)
    if language == "zh":
        return list(re.finditer(rf"(?:{roles})(?!\s?{name})", text))
    pattern = rf"\b(?:[Tt]he|[Hh]is|[Hh]er|[Tt]heir)\s+(?:[\w-]+\s+){{0,2}}?(?:{roles})\b(?!,?\s+{name})"
    return list(re.finditer(pattern, text))
