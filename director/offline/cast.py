"""The people (and creatures) of an idea, found in its text, for the offline planner.

Everything the creator said about someone survives: age and gender words, pronouns, names ("a wizard named Mira",
"Mira, a wizard", "her cat Pip", "Two brothers, Leo and Sam"), species, colours, clothing and age phrases ("in her
seventies"). Those facts go into the member's `phrase` ("a young wizard in a red cloak"), which the story's cast
carries and the character card is written from (director/offline/cast_cards.py). The same person mentioned twice
("her grandmother ... her grandmother") is one person; places ("in Prague", "the Charles Bridge") are nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import pairwise

from director.offline.cast_cards import (
    GARMENT,
    YEARS_OLD,
    CastMember,
    new_name,
    stated_gender,
    with_article,
)
from director.offline.vocabulary import (
    AGE_WORDS,
    CITIES,
    COLOURS,
    GENDER_WORDS,
    PLACE_WORDS,
    REGIONS,
    ROLE_SYNONYMS,
    ROLE_WORDS,
    ROLES,
    SEASONS,
    TIME_WORDS,
    VERB_NOUNS,
    WORDS,
    ZH,
    ZH_MODIFIERS,
    Role,
    find_words,
)
from director.offline.zh_cards import WORN
from generator.text import has_cjk

MAX_CAST = 4
_NOT_NAMES = frozenset(WORDS["not_names"])
_NAME_RUN = re.compile(r"\b[A-Z][a-z][\w-]{0,20}(?:'s)?(?:[ \t]+[A-Z][a-z][\w-]{0,20}(?:'s)?)*(?![\w-])")
_PLACE_BEFORE = re.compile(
    r"(?:\b(?i:in|at|on|to|from|near|across|through|into|around|over|of|outside|inside|above|below|beyond|towards?|"
    r"under|along|the)|[在去到从于])\s*$"
)
_DETERMINERS = frozenset(WORDS["determiners"])
_POSSESSIVES = frozenset(["his", "her", "their", "my", "our", "your", "its"])
_NOT_DESCRIBING = frozenset(WORDS["not_describing"])
_COUNTS = {"two": 2, "twin": 2, "both": 2, "three": 3, "four": 4}
_ZH_COUNTS = {"两": 2, "俩": 2, "三": 3, "四": 4}
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
_AGE_AFTER = re.compile(
    r"^\s+(?P<what>in\s+(?:his|her|their)\s+(?:early\s+|late\s+|mid-)?(?:\w+ties|teens|\d0s))\b", re.IGNORECASE
)
_PRONOUNS = re.compile(r"\b(?P<word>he|she|his|her)\b(?P<next>\s+\w+)?|(?P<zh>[他她])(?!们)", re.IGNORECASE)
_OBJECT_AFTER_HER = frozenset(WORDS["object_after_her"])
_THINGS_AFTER_ROLE = frozenset(WORDS["things_after_role"])
_ZH_NAME = re.compile(r"(?:^|(?<=[，。、；！？\s]))(?P<name>[\u4e00-\u9fff]{2,3}?)(?=和|与|跟|在|是|对|把|说|去|从|带)")
_ZH_NICKNAME = re.compile(r"(?<![\u4e00-\u9fff])(?P<name>[小阿][\u4e00-\u9fff])(?![\u4e00-\u9fff]{2})")
_ZH_NAMED = re.compile(r"(?:名叫|叫做|叫)(?P<name>[\u4e00-\u9fff]{1,3}?)的")
_ROLE_THEN_NAME = re.compile(r"^\s?(?P<name>[A-Z][a-z][\w-]*)")
_SURNAME = f"[{ZH['surnames']}]"
_ZH_WORN = re.compile(rf"[^，。；！？]{{0,4}}?(?P<worn>{WORN.pattern})")
_TITLE = "|".join(ZH["titles"])
# a Chinese name the way people are called: 小美, 阿福, 老王, 王奶奶, 李雷, 张小明 (followed by what may follow a name)
_ZH_STRICT_NAME = re.compile(
    rf"(?:[小阿][\u4e00-\u9fff]|老{_SURNAME}|{_SURNAME}(?:{_TITLE})|{_SURNAME}[\u4e00-\u9fff]{{1,2}}?)"
    rf"(?=[{ZH['name_followers']}]|$)"
)
_ZH_NAME_FIRST = re.compile(r"(?:^|(?<=[，。、；！？\s]))(?P<name>[\u4e00-\u9fff]{2,3}?)是(?P<rest>.*)$")
_ZH_POSSESSOR = re.compile(r"(?P<owner>[^的]{1,4})的(?P<rank>小|大|二|三|最小|最大)?$")  # 老王的(小)女儿
_ZH_DETERMINER = re.compile(r"[一这那][个位只条名]")
_ZH_OWNERS = {"她": "her", "他": "his", "它": "its"}
_ZH_CLAUSE_NAME = re.compile(rf"(?:^|(?<=[，。、；！？\s]))(?P<name>{_ZH_STRICT_NAME.pattern})")
_ZH_JOINED_NAME = re.compile(rf"(?<=[和与跟同的])(?P<name>{_ZH_STRICT_NAME.pattern})")  # '小美和小明去公园
_ZH_NOT_NAMES = frozenset(ZH["not_names"])
_LIST_START = re.compile(r"\s*[,:，：]\s*")
_LIST_JOIN = re.compile(r"\s*(?:,?\s*and|,|&|[，、和与])\s*")


@dataclass
class _Mention:
    """One person found in the text, before names are chosen."""

    start: int
    end: int  # end of the words that introduce them ("a young wizard"), where a name may be inserted
    role: Role | None
    noun: str = ""
    words: list[str] = field(default_factory=list)  # descriptor words, in the text's order
    determiner: str = ""
    possessor: str = ""  # "his", "Ada's"
    name: str = ""
    gender: str = ""  # what the text itself says (modifier words, pronouns)
    clothing: str = ""
    hair: str = ""
    age: str = ""  # "in her seventies"
    count: int = 1  # "two brothers"
    plural: bool = False  # "ghosts": the synopsis does not name them in place
    group: list[str] = field(default_factory=list)  # "two brothers, Leo and Sam"
    also: list[str] = field(default_factory=list)  # what later mentions add: "a shy university student"
    said: str = ""  # a Chinese role word as the creator wrote it: "面包师"
    zh_words: list[str] = field(default_factory=list)  # Chinese descriptor words as written: "年轻", "女"


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
        following = re.match(r"[ \t-]?([a-z]+|[\u4e00-\u9fff]+)", lowered[end:])
        if following and not has_cjk(following[1]) and following[1] in _THINGS_AFTER_ROLE:
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
    capitalised words after "in"/"at"/"the"/"在" are places ("in Paris", "the Charles Bridge"), and known cities and
    regions are never people."""
    vocabulary = set(ROLES) | set(ROLE_SYNONYMS) | {word for word, _ in PLACE_WORDS} | {word for word, _ in TIME_WORDS}
    vocabulary |= {word for word, _ in SEASONS}
    places = {place.lower() for place in [*CITIES, *REGIONS]}
    names: list[str] = []
    for match in _NAME_RUN.finditer(text):
        tokens = [token.removesuffix("'s") for token in match[0].split()]
        while tokens and (tokens[0] in _NOT_NAMES or tokens[0].lower() in vocabulary):
            tokens.pop(0)
        while tokens and (tokens[-1] in _NOT_NAMES or tokens[-1].lower() in vocabulary):
            tokens.pop()
        name = " ".join(tokens)
        if not tokens or _PLACE_BEFORE.search(text[: match.start()]) or name.lower() in places:
            continue
        if not any(name == known or name in known.split() for known in names):
            names.append(name)
    return names


def cast_from_idea(text: str, language: str, seed: str, culture: str = "") -> list[CastMember]:
    """Up to four people of the idea, each once, in order of appearance with the first one named as the lead."""
    mentions = _merged(_mentions(text, language))
    _name_groups_and_strangers(text, mentions, language)
    _resolve_pronouns(text, mentions)
    _attach_worn_by_pronoun(text, mentions)
    people = _expanded(mentions)
    if len(people) > MAX_CAST:
        chosen = sorted(people, key=lambda person: (not person.name, person.start))[:MAX_CAST]
        people = [person for person in people if any(person is kept for kept in chosen)]
    named = [person for person in people if person.name]
    if named and named[0] is not people[0]:
        people.remove(named[0])
        people.insert(0, named[0])
    return _members(people, language, seed, culture)


def _members(people: list[_Mention], language: str, seed: str, culture: str) -> list[CastMember]:
    taken = {person.name for person in people if person.name}
    members: list[CastMember] = []
    for index, person in enumerate(people):
        gender = person.gender or _default_gender(person.name, person.role)
        name = person.name or new_name(person.role, language, seed + str(index), taken, gender, culture)
        taken.add(name)
        span = None if person.plural and not person.group and person.count == 1 else (person.start, person.end)
        phrase = _zh_phrase_of(person) if language == "zh" else _phrase_of(person)
        members.append(CastMember(name, person.role, phrase, span, named=bool(person.name)))
    return _with_possessors(members, people, language)


def _mentions(text: str, language: str) -> list[_Mention]:
    lowered = text.lower()
    mentions: list[_Mention] = []
    for position, word, role in find_roles(text):
        end = _end_of(lowered, (position, word, role))
        mention = _Mention(position, end, role, noun=role.noun if has_cjk(word) else word, said=word * has_cjk(word))
        if has_cjk(word):
            _describe_zh(text, mention)
        else:
            _describe(text, mention, plural=lowered[position + len(word) : end] != "")
        verb_like = word in VERB_NOUNS or (mention.plural and mention.start > 0)
        if not mention.determiner and not mention.name and verb_like:
            continue  # "to cook", "guards the pass", "Wen cooks": a verb, not a person
        mentions.append(mention)
    if language == "zh" or has_cjk(text):
        mentions += _zh_names(text, mentions)
    return _without_listed_groups(text, sorted(mentions, key=lambda mention: mention.start))


def _without_listed_groups(text: str, mentions: list[_Mention]) -> list[_Mention]:
    """A counted group whose members the words right after it list is those members: 'Two strangers, a nurse and a
    taxi driver, ...' is the nurse and the driver, not two strangers more."""
    kept: list[_Mention] = []
    for index, group in enumerate(mentions):
        listed = mentions[index + 1 : index + 1 + group.count]
        if (
            group.count > 1
            and not group.group
            and len(listed) == group.count
            and all(member.role is not None for member in listed)
            and _LIST_START.fullmatch(text[group.end : listed[0].start])
            and all(_LIST_JOIN.fullmatch(text[a.end : b.start]) for a, b in pairwise(listed))
        ):
            continue
        kept.append(group)
    return kept


def zh_named(phrase: str) -> tuple[str, str]:
    """('小雨', '小美的女儿') from '小美的女儿小雨': the name right after the last role word of a Chinese phrase, and
    the phrase without it; ('', phrase) when no name follows a role word."""
    for position, word, _ in reversed(find_roles(phrase)):
        end = position + len(word)
        if (bound := _ZH_STRICT_NAME.match(phrase, end)) and _may_be_zh_name(bound[0]):
            return bound[0], phrase[:end] + phrase[bound.end() :]
    return "", phrase


def _zh_names(text: str, mentions: list[_Mention]) -> list[_Mention]:
    """Chinese names not bound to a role: '小美和她的猫', '林晓在...'; '名叫林晓的女孩' names the girl."""
    found: list[_Mention] = []
    for pattern in (_ZH_NAME, _ZH_NICKNAME, _ZH_CLAUSE_NAME, _ZH_JOINED_NAME):
        for match in pattern.finditer(text):
            name = match["name"]
            if not _may_be_zh_name(name):
                continue
            taken = [mention for mention in [*mentions, *found] if mention.name == name]
            inside = any(mention.start <= match.start() < mention.end for mention in [*mentions, *found])
            if not taken and not inside:
                found.append(_Mention(match.start(), match.end(), None, name=name, also=_zh_worn(text, match.end())))
    for match in _ZH_NAMED.finditer(text):
        # the person the name belongs to is the first whose role word follows it; their description may start before
        following = [mention for mention in mentions if mention.end > match.end() and not mention.name]
        if following:
            min(following, key=lambda mention: mention.end).name = match["name"]
            found = [mention for mention in found if mention.name != match["name"]]
    return found


def _zh_worn(text: str, end: int) -> list[str]:
    """What the words right after a name say the person wears: '小美穿着红色外套在公园里' -> ['穿着红色外套']."""
    worn = _ZH_WORN.match(text, end)
    return [worn["worn"]] if worn else []


def _may_be_zh_name(name: str) -> bool:
    """Not a word that starts a clause ('每天', '他们'), a role ('老人'; '王奶奶' is a name) or a place."""
    if name[0] in "一这那有某每" or name in _ZH_NOT_NAMES or find_words(name, PLACE_WORDS):
        return False
    return not find_words(name, ROLE_WORDS) or bool(re.fullmatch(rf"{_SURNAME}(?:{_TITLE})", name))


def _merged(mentions: list[_Mention]) -> list[_Mention]:
    """One mention per person: the same name, or the same role word again without "a"/"another" ("her grandmother
    ... her grandmother", "a girl named Tilly ... the girl"); a second role of a named person is kept as more of
    what they are ("Her granddaughter Ting, a shy university student")."""
    kept: list[_Mention] = []
    for mention in mentions:
        same = next((earlier for earlier in kept if _same_person(earlier, mention)), None)
        if same is None:
            kept.append(mention)
        elif same.role is None:
            mention.start, mention.name = same.start, same.name or mention.name
            kept[kept.index(same)] = mention
        elif mention.role is not None and mention.role.noun != same.role.noun:
            same.also.append(mention.said or with_article(" ".join([*mention.words, mention.noun])))
        else:
            same.words += [word for word in mention.words if word not in same.words]
            same.clothing, same.hair = same.clothing or mention.clothing, same.hair or mention.hair
            same.age, same.gender = same.age or mention.age, same.gender or mention.gender
    return kept


def _same_person(earlier: _Mention, later: _Mention) -> bool:
    if earlier.name and later.name:
        return earlier.name == later.name or later.name in earlier.name.split()
    if later.count > 1 or earlier.count > 1 or later.determiner in ("a", "an", "another", "one", "some"):
        return False
    if later.name and earlier.role is None:
        return False
    return later.role is not None and earlier.role is not None and later.role.noun == earlier.role.noun


def _name_groups_and_strangers(text: str, mentions: list[_Mention], language: str) -> None:
    """Names the text states that no role claimed: they fill an unnamed group of the same sentence ("Three sisters
    ...; the eldest, Wen"), else each is a person of their own."""
    bound = [name for mention in mentions for name in [mention.name, *mention.group] if name]
    for name in find_names(text):
        if name in bound or any(name in known.split() or known in name.split() for known in bound):
            continue
        position = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
        assert position is not None
        group = _open_group(text, mentions, position.start())
        if group is not None:
            group.group.append(name)
        else:
            mentions.append(_Mention(position.start(), position.end(), None, name=name))
        bound.append(name)
    mentions.sort(key=lambda mention: mention.start)


def _open_group(text: str, mentions: list[_Mention], position: int) -> _Mention | None:
    sentence = _sentence_span(text, position)
    for mention in mentions:
        if mention.count > 1 and len(mention.group) < mention.count and sentence[0] <= mention.start < sentence[1]:
            return mention
    return None


def _sentence_span(text: str, position: int) -> tuple[int, int]:
    ends = [match.end() for match in re.finditer(r"[.!?。！？]\s", text)]
    start = max([end for end in ends if end <= position], default=0)
    return start, min([end for end in ends if end > position], default=len(text))


def _expanded(mentions: list[_Mention]) -> list[_Mention]:
    """Each member of a group as a person of their own, siblings of each other."""
    people: list[_Mention] = []
    for number, mention in enumerate(mentions):
        if mention.count > 1 or mention.group:
            names = mention.group + [""] * (max(mention.count, len(mention.group)) - len(mention.group))
            people += [replace(mention, name=name, count=1, plural=False, possessor=f"#{number}") for name in names]
        else:
            people.append(mention)
    return people


def _end_of(lowered: str, hit: tuple[int, str, Role]) -> int:
    position, word, _ = hit
    if has_cjk(word):
        return position + len(word)
    match = re.match(rf"{re.escape(word)}(?:e?s)?(?!\w)", lowered[position:])
    return position + (match.end() if match else len(word))


def _describe(text: str, mention: _Mention, plural: bool) -> None:
    """Descriptor words before the role noun, a name bound to it, and what they wear and how old they are."""
    tokens = list(re.finditer(r"[\w'-]+|[^\w\s]", text[: mention.start]))
    words: list[re.Match[str]] = []
    determiner: re.Match[str] | None = None
    for token in reversed(tokens[-6:]):
        lowered = token[0].lower()
        if lowered in _DETERMINERS or lowered.endswith("'s"):
            determiner = token
            break
        descriptive = lowered in AGE_WORDS or lowered in GENDER_WORDS or lowered in COLOURS
        if (
            not re.fullmatch(r"[\w-]+", token[0])
            or len(words) == 4
            or (token[0][:1].isupper() and not descriptive)
            or lowered in _NOT_DESCRIBING
            or (lowered in ROLES and not descriptive)
        ):
            break
        words.insert(0, token)
    if determiner is None and not all(_known_descriptor(word[0]) for word in words):
        words = []
    said = determiner[0].lower() if determiner else ""
    mention.determiner = said
    if said in _POSSESSIVES or said.endswith("'s"):
        mention.possessor = said if said in _POSSESSIVES else determiner[0][:-2]  # type: ignore[index]
    if said in _COUNTS and plural:
        mention.count = _COUNTS[said]
    mention.plural = plural
    mention.words = [word[0].lower() for word in words]
    first = determiner or (words[0] if words else None)
    if first is not None:
        mention.start = first.start()
    if mention.count > 1:
        _bind_group(text, mention)
    else:
        _bind_name_before(text, mention, said)
        if not mention.name:
            _bind_name_after(text, mention)
    after = text[mention.end :]
    if age := _AGE_AFTER.match(after):
        mention.age = age["what"]
        after = after[age.end() :]
    if worn := _WORN.match(after.split(";")[0]):
        mention.clothing = _own(worn["what"])
    if hair := _HAIR_AFTER.match(after):
        mention.hair = hair["what"].lower()
    mention.gender = next((GENDER_WORDS[word] for word in mention.words if word in GENDER_WORDS), "")


def _bind_name_before(text: str, mention: _Mention, said: str) -> None:
    """'Mae, a retired drummer', 'Mei Lin is a street cook', 'Detective Ada Stone' (the title before the name is
    bound after), 'the Ada Stone' never."""
    if not said:
        return
    head = text[: mention.start]
    appositive = re.search(
        r"(?<![\w'])(?P<name>[A-Z][a-z][\w-]*(?: [A-Z][a-z][\w-]*)?)(?:,\s*|\s+(?:is|was)\s+)$", head
    )
    named_the = re.search(r"(?P<name>[A-Z][a-z][\w-]*)\s+$", head) if said == "the" else None
    for found in (appositive, named_the):
        if found is not None and found["name"].split()[0] not in _NOT_NAMES and not _is_place(text, found):
            mention.name = found["name"]
            return


def _bind_group(text: str, mention: _Mention) -> None:
    if group := re.match(
        r"^,?\s*(?:named\s+|called\s+)?(?P<names>[A-Z][a-z][\w-]*(?:\s*,\s*[A-Z][a-z][\w-]*)*\s*,?\s*(?:and|&)\s+"
        r"[A-Z][a-z][\w-]*)",
        text[mention.end :],
    ):
        mention.group = re.findall(r"[A-Z][a-z][\w-]*", group["names"])
        mention.end += group.end()


def _bind_name_after(text: str, mention: _Mention) -> None:
    """'a wizard named Zara', 'her cat Pip', 'the eldest sister, Wen,'."""
    after = text[mention.end :]
    bound = re.match(
        r"^(?:,?\s+(?:named|called)\s+|[ \t]+|,\s*)(?P<name>[A-Z][a-z][\w-]*(?: [A-Z][a-z][\w-]*)?)", after
    )
    if bound is None:
        return
    name = " ".join(token for token in bound["name"].split() if token not in _NOT_NAMES)
    closes = not bound[0].startswith(",") or re.match(r"^\s*(?:,|$|\.|;)", after[bound.end() :])
    if name and name.lower() not in ROLES and closes and name not in CITIES and name not in REGIONS:
        mention.name = name
        if bound[0].lstrip(", ").startswith(("named", "called")):
            mention.end += bound.end()


def _is_place(text: str, found: re.Match[str]) -> bool:
    return bool(_PLACE_BEFORE.search(text[: found.start()])) or found["name"] in CITIES or found["name"] in REGIONS


def _describe_zh(text: str, mention: _Mention) -> None:
    """Who a Chinese role word is: its descriptor words ('年轻的女侦探'), whose it is ('她的邻居'), and the name bound
    to it before ('小美是一位面包师'), as a title ('王奶奶') or after it ('邻居老王', '机器人阿铁')."""
    window = text[max(0, mention.start - 8) : mention.start]
    for delimiter in _ZH_DELIMITERS:
        window = window.rsplit(delimiter, 1)[-1]
    mention.start -= len(window)
    if (surname := re.search(rf"{_SURNAME}$", window)) and mention.said in ZH["titles"]:
        mention.name, window = surname[0] + mention.said, window[: surname.start()]
    if named := _ZH_NAME_FIRST.search(window):
        mention.name = mention.name or (named["name"] if _may_be_zh_name(named["name"]) else "")
        window = named["rest"] if mention.name == named["name"] else window
    mention.determiner = "一" if _ZH_DETERMINER.search(window) else ""
    window = _ZH_DETERMINER.sub("", window)
    described = any(window.endswith(key) for key in ZH_MODIFIERS if key.endswith("的"))  # '会说话的猫'
    if not described and (owner := _ZH_POSSESSOR.search(window)) and "叫" not in owner["owner"]:
        mention.possessor = _ZH_OWNERS.get(owner["owner"][-1:], owner["owner"])
        if mention.possessor == owner["owner"]:  # '小美的猫': 小美 is someone of her own
            mention.start = text.rfind(owner[0], 0, mention.end) + len(owner[0])
        window = window[: owner.start()] + (owner["rank"] or "")
    keys = [key for key in ZH_MODIFIERS if key in window]
    keys = [key for key in keys if not any(key != other and key in other for other in keys)]
    mention.zh_words = sorted(keys, key=window.find)
    mention.words = [ZH_MODIFIERS[key] for key in mention.zh_words]
    mention.gender = next((GENDER_WORDS[word] for word in mention.words if word in GENDER_WORDS), "")
    if count := re.search(r"(?P<count>[两俩三四])[个位只]?$", window):
        mention.count = _ZH_COUNTS[count["count"]]
    after = text[mention.end :]
    if not mention.name and (bound := _ROLE_THEN_NAME.match(after) or _ZH_STRICT_NAME.match(after)):
        name = bound["name"] if "name" in bound.groupdict() else bound[0]
        if _may_be_zh_name(name) or not has_cjk(name):
            mention.name = name
            mention.end += bound.end()


def _known_descriptor(word: str) -> bool:
    lowered = word.lower()
    return lowered in AGE_WORDS or lowered in GENDER_WORDS or lowered in COLOURS or bool(YEARS_OLD.search(lowered))


def _resolve_pronouns(text: str, mentions: list[_Mention]) -> None:
    """he/she/his/her mean the nearest person before them known to be of that gender, else tell the gender of the
    nearest person before them whose gender is unknown."""
    for match in _PRONOUNS.finditer(text):
        word = {"他": "he", "她": "she"}.get(match["zh"] or "", (match["word"] or "").lower())
        if word == "her" and match["next"] and match["next"].strip().lower() in _OBJECT_AFTER_HER:
            continue
        gender = "male" if word in ("he", "his") else "female"
        earlier = [mention for mention in reversed(mentions) if mention.start < match.start()]
        people = [
            (mention, _fixed_gender(mention)) for mention in earlier if mention.role is None or mention.role.human
        ]
        if any(fixed == gender for _, fixed in people):
            continue
        unknown = next((mention for mention, fixed in people if not fixed), None)
        if unknown is not None:
            unknown.gender = gender


def _fixed_gender(mention: _Mention) -> str:
    if mention.gender:
        return mention.gender
    if mention.role is not None and mention.role.gendered:
        return mention.role.gender
    return stated_gender(mention.name, None, "") if mention.name else ""


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


def _phrase_of(person: _Mention) -> str:
    """What the idea states about the person, as the cast lists it: 'a retired jazz drummer in her seventies';
    nothing for a bare name ('Mira dances')."""
    if person.role is None:
        return ""
    words = [word for word in person.words if word not in (person.noun, person.role.noun)]
    phrase = " ".join([*words, person.noun.rstrip("s") if person.plural and person.noun.endswith("s") else person.noun])
    phrase += f" {person.age}" if person.age else ""
    phrase += f" in {person.clothing}" if person.clothing else ""
    phrase += f" with {person.hair}" if person.hair else ""
    phrase = ", ".join([phrase, *person.also])
    return phrase if person.possessor else with_article(phrase)


def _zh_phrase_of(person: _Mention) -> str:
    """What a Chinese idea states about the person, in its own words: '年轻女侦探', '会说话的猫'; a pronoun's gender
    when the words do not say it ('女面包师'), '女性' for a bare name that a pronoun tells; nothing otherwise."""
    gendered = person.role is not None and (person.role.gendered or not person.role.human)
    said = person.gender and not gendered and not any(word in GENDER_WORDS for word in person.words)
    if person.role is None:
        return "，".join([*([ZH["gender_phrases"].get(person.gender, "")] if said else []), *person.also])
    prefix = {"female": "女", "male": "男"}.get(person.gender, "") if said else ""
    words = [word for word in person.zh_words if word not in person.said]
    return "，".join(["".join([*words, prefix, person.said or person.role.noun]), *person.also])


def _with_possessors(members: list[CastMember], people: list[_Mention], language: str) -> list[CastMember]:
    """'his granddaughter' -> "Tomas's granddaughter", '她的邻居' -> '小美的邻居'; relations and pets are introduced
    as someone's."""
    resolved: list[CastMember] = []
    bare = (lambda phrase: phrase) if language == "zh" else with_article
    for index, (member, person) in enumerate(zip(members, people, strict=True)):
        kin = person.role is not None and person.role.kin
        if not person.possessor or not member.phrase or (person.possessor.startswith("#") and not kin):
            resolved.append(replace(member, phrase=bare(member.phrase)) if person.possessor else member)
            continue
        owner = _owner(person, members[:index] + members[index + 1 :], people[:index] + people[index + 1 :])
        owned = f"{owner}的{member.phrase}" if language == "zh" else f"{owner}'s {member.phrase}"
        resolved.append(replace(member, phrase=owned if owner else bare(member.phrase)))
    return resolved


def _owner(person: _Mention, members: list[CastMember], people: list[_Mention]) -> str:
    if person.possessor.startswith("#"):  # one of a group: the other one's brother
        return next((member.name for other, member in zip(people, members, strict=True)
                     if other.possessor == person.possessor), "")  # fmt: skip
    if person.possessor not in _POSSESSIVES:
        return next((member.name for member in members if person.possessor in member.name.split()), person.possessor)
    wanted = {"his": "male", "her": "female"}.get(person.possessor)
    earlier = [(other, member) for other, member in zip(people, members, strict=True) if other.start < person.start]
    humans = [(other, member) for other, member in reversed(earlier) if other.role is None or other.role.human]
    genders = [(other.gender or _default_gender(member.name, other.role), member.name) for other, member in humans]
    for fits in ((wanted,), (wanted, "neutral", "")):  # someone of that gender, else someone it may be
        if owner := next((name for gender, name in genders if wanted is None or gender in fits), ""):
            return owner
    return ""
