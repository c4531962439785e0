"""Cast changes: add a character ('add a dog named Pip'), remove one ('remove Pip', '删除角色Pip'), rename one
('rename Felix to Mae', 'call Felix Mae', '把Felix改名为Mae'), and 'make the neighbour a boy named Theo who plays
trumpet' ('把老王改成一个叫王师傅的渔夫'): when a card's identity has the role word (neighbour) that card is rewritten
and renamed, else a new character joins. New cards are written as the offline planner writes every card, in the
project's language (director/offline/cast_cards.py, director/offline/zh_cards.py for a Chinese project)."""

from __future__ import annotations

import re

from director.briefs import CardBrief, ProjectBrief
from director.offline.cannot import cannot
from director.offline.card_words import voice_owner, zh_voice_owner
from director.offline.cast import find_roles, zh_named
from director.offline.cast_cards import (
    YEARS_OLD,
    CastMember,
    character_card,
    gender_of,
    new_name,
    stated_gender,
    with_article,
)
from director.offline.references import card_of
from director.offline.story_concept import seed_of
from director.offline.vocabulary import AGE_WORDS, GENDER_WORDS, ZH, ZH_MODIFIERS
from director.offline.zh_cards import chinese_card, taken_by, zh_character_card
from director.schemas import CardEdit, CharacterSpec, RouteDecision
from generator.text import has_cjk

_NAME = r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?|[\u4e00-\u9fff]{1,4}"
_EXPLICIT_RENAMES = [
    re.compile(r"^rename\s+(?P<old>.+?)\s+(?:to|as|into)\s+(?P<new>.+)$", re.IGNORECASE),
    re.compile(r"^(?:change|set)\s+(?P<old>.+?)'s\s+name\s+to\s+(?P<new>.+)$", re.IGNORECASE),
    re.compile(r"^(?:change|set)\s+the\s+name\s+of\s+(?P<old>.+?)\s+to\s+(?P<new>.+)$", re.IGNORECASE),
    re.compile(r"^(?P<old>.+?)'s\s+name\s+(?:should\s+be|is\s+now|is)\s+(?P<new>.+)$", re.IGNORECASE),
    re.compile(r"^(?P<old>.+?)\s+(?:should\s+be|is\s+now)\s+(?:called|named)\s+(?P<new>.+)$", re.IGNORECASE),
    re.compile(
        r"^(?:把|将)?(?P<old>.+?)(?:改名为|改名叫|改名成|重命名为|更名为|的名字改为|的名字改成|改叫)(?P<new>.+)$"
    ),
]
_NAME_ONLY = re.compile(r"[A-Z][\w'-]*(?:\s[A-Z][\w'-]*)?|ID_[A-Z]{1,2}")  # a name not in the cast yet
_CALL = re.compile(rf"^(?:call|name)\s+(?P<old>.+?)\s+(?P<new>{_NAME})$")
_REMOVE = re.compile(
    r"^(?:remove|delete|drop|cut|kill off|write out|get rid of)\s+(?:the\s+)?(?P<keyword>character\s+)?(?P<who>.+?)"
    r"(?:\s+(?:from|out of)\s+(?:the\s+)?(?:story|cast|film|movie|project|plan))?$|"
    r"^(?:删除|删掉|去掉|移除|去除)(?P<zh_keyword>角色)?(?P<zh>.+?)(?:这个角色)?$|"
    r"^(?:把|将)(?P<zh_keyword_2>角色)?(?P<zh_2>.+?)(?:这个角色)?(?:删除|删掉|去掉|移除)$",
    re.IGNORECASE,
)
_ADD = re.compile(
    r"^(?:add|introduce|create|bring\s+in|include)\s+(?:(?:a\s+)?(?:new\s+)?character\s*[:：,]?\s*)?(?P<desc>.+?)"
    r"(?:\s+(?:to|into)\s+the\s+(?:story|cast|film|movie))?$|^new\s+character\s*[:：]\s*(?P<new>.+)$|"
    r"^(?:添加|加|增加|新增|加入)(?:一个|一只|一位|一名|个|只|位)?(?:新的?)?(?:角色)?[:：，,]?\s*(?P<zh>.+)$",
    re.IGNORECASE,
)
_MAKE_INTO = re.compile(
    r"^(?:make|turn)\s+(?P<who>.+?)\s+(?:into\s+)?(?P<desc>(?:a|an)\s+.+)$|"
    r"^(?:把|将|让)(?P<zh_who>[^的，,]+?)(?:改成|变成|改为|换成)(?P<zh_desc>.+)$",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"^(?:an?|the)\s+", re.IGNORECASE)
_ONLY_GENDER = re.compile(
    r"^(?:a|an)\s+(?:man|woman|male|female|guy|lady)$|^(?:一个|一位)?(?:男|女)(?:的|人|性|生|孩)?$", re.IGNORECASE
)
_NAMED = re.compile(
    rf"\s*,?\s*\b(?:named|called)\s+(?P<name>{_NAME})\b|(?:名叫|叫做|叫)(?P<zh>[^\s的，,]{{1,8}}?)(?:的|(?=[，,]|$))"
)
_ZH_SUBJECT = re.compile(r"^(?P<pronoun>[他她它])?(?:是|为)?(?:一)?(?:个|位|只|名)?")
_LEADING_NAME = re.compile(r"^(?P<name>[A-Z][\w'-]*|[^\s，,]{1,8}?)\s*(?:,|，|—|:|：)\s*(?P<rest>.+)$")
_ZH_EDITS = ZH["card_edits"]
_ZH_COUNT = re.compile(r"^(?:一|两)?(?:个|只|位|名)")


def cast_decision(text: str, brief: ProjectBrief) -> RouteDecision | None:
    for reader in (_rename, _remove, _make_into, _add):
        if (decision := reader(text, brief)) is not None:
            return decision
    return None


def _rename(text: str, brief: ProjectBrief) -> RouteDecision | None:
    explicit = next((match for pattern in _EXPLICIT_RENAMES if (match := pattern.match(text))), None)
    match = explicit or _CALL.match(text)
    if match is None:
        return None
    card = card_of(match["old"], brief)
    new = match["new"].strip(" .。!！\"“”'‘’")
    if not new or (card is None and explicit is None and not _NAME_ONLY.fullmatch(match["old"].strip())):
        return None  # 'call it Ashes' is a title
    return RouteDecision(
        intent="rename_character",
        character=card.name if card else match["old"].strip(" \"“”'"),
        new_name=new,
        feedback=text,
    )


def _remove(text: str, brief: ProjectBrief) -> RouteDecision | None:
    if (match := _REMOVE.match(text)) is None:
        return None
    who = match["who"] or match["zh"] or match["zh_2"]
    card = card_of(who, brief)
    if card is None and not (
        _NAME_ONLY.fullmatch(who.strip()) or match["keyword"] or match["zh_keyword"] or match["zh_keyword_2"]
    ):
        return None  # 'remove the music' removes nobody; a name not in the cast is reported by the graph
    return RouteDecision(intent="remove_character", character=card.name if card else who.strip(), feedback=text)


def _make_into(text: str, brief: ProjectBrief) -> RouteDecision | None:
    """'make the neighbour a boy named Theo who plays trumpet': the neighbour's card rewritten (edit_card, or
    rename_character carrying the card edits when a new name is given), or a new character who is the neighbour
    when no card has that role. The voice changes only with a stated gender or
    age; otherwise the rewritten identity keeps the card's gender."""
    match = _MAKE_INTO.match(text)
    if match is None or _ONLY_GENDER.match((match["desc"] or match["zh_desc"]).strip()):
        return None  # 'make Henri a man' changes the card's gender words (director/offline/card_edits.py)
    if match["zh_who"]:
        return _zh_make_into(match["zh_who"], match["zh_desc"], brief, text)
    who = match["who"].strip()
    card = card_of(who, brief)
    role_word = re.sub(r"^(?:the|my|our)\s+", "", who, flags=re.IGNORECASE)
    name, phrase = _named(match["desc"])
    if card is None and not (re.fullmatch(r"[a-z]+", role_word) and (name or find_roles(phrase))):
        return None  # 'make the ending a happy one' is about the story
    says_who = _states_gender(phrase) or _states_age(phrase)
    if card is not None and not _states_gender(phrase) and (gender := _gender_of(card)):
        phrase = _with_gender(phrase, gender)
    if card is None or role_word.casefold() not in (card.name.casefold(), card.char_id.casefold()):
        phrase = f"{_owner(card, role_word)} {role_word}, {phrase}"
    seed = seed_of(text)
    if card is None:
        return _added(name, phrase, seed, brief, text)
    rewritten = _card(name or card.name, phrase, seed, brief)
    return _rewritten(card, name, rewritten, says_who and voice_owner(rewritten.voice) != voice_owner(card.voice), text)


def _zh_make_into(who: str, desc: str, brief: ProjectBrief, text: str) -> RouteDecision | None:
    """'把老王改成一个叫王师傅的渔夫': a Chinese card rewritten in Chinese, keeping its gender unless the words state
    one; the voice changes with a stated gender or age."""
    card = card_of(who, brief)
    name, phrase = _named(desc)
    phrase = _zh_phrase(phrase)
    if card is None or not chinese_card(card, brief.language) or not (name or find_roles(phrase)):
        return None  # '把故事改成喜剧' is about the story
    gendered = [role.gender for _, _, role in find_roles(phrase) if role.gendered]
    gender = stated_gender("", None, phrase) or next(iter(gendered), "")
    says_who = bool(gender and gender != _gender_of(card)) or _states_age(phrase)
    if not gender:
        phrase = _zh_with_gender(phrase, _gender_of(card))
    rewritten = _card(name or card.name, phrase, seed_of(text), brief, exclude=card)
    if not says_who:  # the same person in a new role: the card's own look stays
        lead, look = rewritten.identity.partition("，")[0], card.identity.partition("，")[2]
        rewritten = rewritten.model_copy(update={"identity": f"{lead}，{look}"})
    changes_voice = says_who and zh_voice_owner(rewritten.voice) != zh_voice_owner(card.voice)
    return _rewritten(card, name, rewritten, changes_voice, text)


def _rewritten(card: CardBrief, name: str, rewritten: CharacterSpec, voice: bool, text: str) -> RouteDecision:
    """The identity (and with `voice` the voice) of a rewritten card; a rename carrying them when the name is new."""
    edits = [CardEdit(card=card.char_id, field="identity", value=rewritten.identity)]
    if voice:
        edits.append(CardEdit(card=card.char_id, field="voice", value=rewritten.voice))
    if name and name != card.name:
        return RouteDecision(
            intent="rename_character", character=card.name, new_name=name, card_edits=edits, feedback=text
        )
    return RouteDecision(intent="edit_card", card_edits=edits, feedback=text)


def _states_gender(phrase: str) -> bool:
    words = set(re.findall(r"[\w-]+", phrase.lower()))
    said = bool(stated_gender("", None, phrase)) if has_cjk(phrase) else bool(words & set(GENDER_WORDS))
    return said or any(role.gendered for _, _, role in find_roles(phrase))


def _states_age(phrase: str) -> bool:
    if has_cjk(phrase):
        return any(key in phrase for key, word in ZH_MODIFIERS.items() if word in AGE_WORDS)
    return bool(set(re.findall(r"[\w-]+", phrase.lower())) & set(AGE_WORDS)) or YEARS_OLD.search(phrase) is not None


def _with_gender(phrase: str, gender: str) -> str:
    """'an old pirate' -> 'an old female pirate': the gender word goes right before the role."""
    roles = find_roles(phrase)
    if not roles:
        return with_article(f"{gender} {_ARTICLE.sub('', phrase)}")
    return f"{phrase[: roles[0][0]]}{gender} {phrase[roles[0][0] :]}"


def _zh_with_gender(phrase: str, gender: str) -> str:
    """'小美的邻居' + female -> '小美的女邻居': the gender word right before the last role of a Chinese phrase."""
    roles = find_roles(phrase)
    prefix = _ZH_EDITS["gender_prefixes"].get(gender, "")
    if not prefix or not roles:
        return phrase
    return f"{phrase[: roles[-1][0]]}{prefix}{phrase[roles[-1][0] :]}"


def _zh_phrase(phrase: str) -> str:
    """A Chinese description as a card states it: '他是个渔夫' -> '渔夫', '她是个医生' -> '女医生'."""
    subject = _ZH_SUBJECT.match(phrase)
    rest = phrase[subject.end() :] if subject else phrase
    gender = _ZH_EDITS["pronoun_genders"].get(subject["pronoun"] or "", "") if subject else ""
    return _zh_with_gender(rest, gender) if gender and not _states_gender(rest) else rest


def _gender_of(card: CardBrief) -> str:
    return stated_gender(card.name, None, f"{card.identity} {card.voice}")


def _add(text: str, brief: ProjectBrief) -> RouteDecision | None:
    if (match := _ADD.match(text)) is None:
        return None
    desc = (match["desc"] or match["new"] or match["zh"]).strip()
    name, phrase = _named(desc)
    if not name and match["zh"]:
        name, phrase = zh_named(phrase)
    if not name and (leading := _LEADING_NAME.match(desc)) and not find_roles(leading["name"]):
        name, phrase = leading["name"], leading["rest"].strip()
    if not name and not find_roles(phrase):
        return None  # 'add more tension' adds nobody
    return _added(name, phrase, seed_of(text), brief, text)


def _added(name: str, phrase: str, seed: str, brief: ProjectBrief, text: str) -> RouteDecision:
    if name and (existing := brief.character(name)) is not None:
        return cannot(
            f"{name} is already in the cast ({existing.char_id}).",
            "Cards",
            hint=f"Choose another name, or change {name}'s card ('{name} wears ...').",
            llm=False,
        )
    return RouteDecision(intent="add_character", new_character=_card(name, phrase, seed, brief), feedback=text)


def _card(name: str, phrase: str, seed: str, brief: ProjectBrief, exclude: CardBrief | None = None) -> CharacterSpec:
    """A card as the offline planner writes one, in the project's language (unlike the other cards of the cast but
    `exclude`, the card it rewrites); without a name, one it would choose for the role."""
    zh = brief.language == "zh"
    phrase = _zh_phrase(phrase) if zh else phrase
    roles = find_roles(phrase)
    role = roles[0][2] if roles else None
    if has_cjk(phrase) != zh:  # a description in the other language keeps only its role
        phrase = "" if zh or role is None else with_article(role.noun)
    if not name:
        taken = {card.name for card in brief.characters}
        name = new_name(role, "zh" if zh else "en", seed, taken, gender_of("", role, seed, phrase))
    member = CastMember(name, role, phrase, named=True)
    if zh:
        return zh_character_card(member, seed, taken_by([card for card in brief.characters if card is not exclude]))
    return character_card(member, seed)


def _named(desc: str) -> tuple[str, str]:
    """('Theo', 'a boy who plays trumpet') from 'a boy named Theo who plays trumpet'; ('', desc) without a name."""
    match = _NAMED.search(desc)
    if match is None:
        return "", desc.strip(" ,.，。")
    rest = f"{desc[: match.start()]} {desc[match.end() :]}" if match["name"] else desc.replace(match[0], "")
    return (match["name"] or match["zh"]).strip(), _ZH_COUNT.sub("", " ".join(rest.split()).strip(" ,.，。"))


def _owner(card: CardBrief | None, role_word: str) -> str:
    """Whose the role is in the card's identity ('Mae's neighbour' -> "Mae's"), else 'the'."""
    owner = re.search(rf"([\w-]+'s)\s+(?:[\w-]+\s+){{0,3}}?{re.escape(role_word)}\b", card.identity) if card else None
    return owner[1] if owner else "the"
