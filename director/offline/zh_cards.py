"""Character cards of a Chinese story, in Chinese, from the same facts as the English cards
(director/offline/cast_cards.py): what the idea states first and never contradicted, the rest chosen
deterministically and unlike the other cards of the cast.

The fields have the shapes the prompt renderer (generator/prompt.py) writes around them:
- identity: one sentence beginning with the name and 是, gender and age stated, then build, face and hair:
  '小美是一位女面包师，三十多岁的女人，身材苗条，圆脸，神情和善，黑色长直发。'
- appearance: eyes and one feature: '深棕色的眼睛，下巴上有一道小疤。'
- clothing: only the garments, without 穿着 (the renderer writes 'ID_A穿着{clothing}'):
  '沾满面粉的白围裙和卷起袖子的衬衫'
- voice: a timbre phrase without 声音是: '温暖、清亮的成年女声，语速平稳'
"""

from __future__ import annotations

import re
from dataclasses import replace

from director.briefs import CardBrief
from director.offline.cast_cards import CastMember, Taken, stated_gender, surname_prefix
from director.offline.vocabulary import (
    AGE_WORDS,
    ROLE_WORDS,
    SPECIES,
    ZH,
    ZH_MODIFIERS,
    Role,
    find_words,
    pick,
)
from director.schemas import CharacterSpec
from generator.preview.creatures import SPECIES_LEXICON
from generator.text import has_cjk

_AGE_ORDER = ["child", "teen", "young", "adult", "old"]
# what someone wears, as said ('老邮差，穿绿色制服', '小美穿着红色外套在公园里'), up to a clause or the next action;
# '和'/'、' join another garment ('穿白衬衫和黑裤子'), not the next person ('穿着红外套和小明去公园')
_WORN_PART = f"[^{ZH['worn_stops']}]+"
_GARMENT = "|".join(map(re.escape, ZH["card_edits"]["garments"]))
WORN = re.compile(f"穿着?(?P<what>{_WORN_PART}(?:[和与、](?={_WORN_PART[:-1]}*?(?:{_GARMENT})){_WORN_PART})*)")
_WORN = re.compile(f"[，,]?{WORN.pattern}")


def zh_cast_cards(members: list[CastMember], seed: str) -> list[CharacterSpec]:
    """One Chinese card per member, each distinct from the ones before it."""
    taken = Taken()
    return [zh_character_card(member, seed, taken) for member in members]


def zh_character_card(member: CastMember, seed: str, taken: Taken) -> CharacterSpec:
    """Identity, appearance, clothing and voice in Chinese: the stated facts first, then deterministic choices."""
    role = member.role
    if role is not None and not role.human and role.noun in SPECIES:
        return _creature_card(member, taken)
    key = (seed, member.name)
    worn = _WORN.search(member.phrase)
    member = replace(member, phrase=_WORN.sub("", member.phrase))
    facts = own_words(member.phrase)
    gender = stated_gender(member.name, role, facts) or pick(["female", "male"], seed, member.name, "gender")
    gender = gender if gender in ("female", "male") else "neutral"
    age = zh_age(facts, role, member.name)
    who = _who(member)
    identity = _look(facts, gender, age, key, taken)
    lead = f"{member.name}是{who}，{identity[0]}" if who else f"{member.name}是一位{identity[0]}"
    return CharacterSpec(
        name=member.name,
        identity=f"{lead}，{'，'.join(identity[1:])}。",
        appearance=f"{pick(ZH['eyes'], *key, 'eyes')}，{pick(ZH['features'], *key, 'feature')}。",
        clothing=_clothing(worn["what"] if worn else "", role, key, taken),
        voice=_voice(facts, gender, age, key, taken),
    )


def chinese_card(card: CardBrief, language: str) -> bool:
    """Whether a card is written in Chinese: its identity beyond the name is, or (an empty card) the story is."""
    identity = card.identity.replace(card.name, "").strip()
    return has_cjk(identity) if identity else language == "zh"


def taken_by(cards: list[CardBrief]) -> Taken:
    """What the cast's Chinese cards already say (look, clothing, voice), so a card added later says something else."""
    looks = {card.identity.rstrip("。").partition("，")[2] for card in cards}
    return Taken(sentences={text for text in looks | {c.clothing for c in cards} | {c.voice for c in cards} if text})


def own_words(phrase: str) -> str:
    """What a phrase says about the person themself: '小美的小孙女' -> '小孙女' (not 小美's 小); '会说话的猫' stays."""
    head, mark, tail = phrase.rpartition("的")
    if not mark or any(f"{head}的".endswith(key) for key in ZH_MODIFIERS if key.endswith("的")):
        return phrase
    return tail


def zh_age(facts: str, role: Role | None, name: str = "") -> str:
    """The age group the Chinese words state ('年轻', '老', '小'), else the one a 老 + surname name says, else the
    oldest role they name, else the role's.
    A modifier inside a role word says no age: 老师 is a teacher, 老板娘 a shop's owner, 小贩 a hawker."""
    roles_said = find_words(facts, ROLE_WORDS)
    outside = "".join(" " if any(at <= i < at + len(word) for at, word, _ in roles_said) else character
                      for i, character in enumerate(facts))  # fmt: skip
    stated = [AGE_WORDS[ZH_MODIFIERS[key]] for key in sorted(ZH_MODIFIERS, key=outside.find)
              if key in outside and ZH_MODIFIERS[key] in AGE_WORDS]  # fmt: skip
    if stated:
        return stated[0]
    roles = [found.age for _, _, found in roles_said if found.human]
    if name_age := _name_age(name):  # 朋友老李: a friend, and no longer young
        return name_age
    return max(roles, key=_AGE_ORDER.index) if roles else role.age if role is not None else "young"


def _name_age(name: str) -> str:
    """老 + a surname (老王) is someone no longer young; "" for any other name."""
    return ZH["name_prefix_ages"].get(surname_prefix(name), "")


def _who(member: CastMember) -> str:
    """'一位女面包师', '小美的邻居' (someone's needs no measure word); nothing for a bare name or a title ('王奶奶')."""
    phrase = member.phrase
    if not phrase or phrase in ZH["gender_phrases"].values() or member.name.endswith(phrase):
        return ""
    return phrase if own_words(phrase) != phrase else f"一位{phrase}"


def _look(facts: str, gender: str, age: str, key: tuple[str, str], taken: Taken) -> list[str]:
    """Age and gender, build, face and (unless stated) hair, unlike any earlier card's."""
    hairs = ZH["hair"]["old" if age == "old" else gender]
    faces = ZH["faces"] + (ZH["old_faces"] if age in ("adult", "old") else [])
    person = f"{pick(ZH['ages'][age], *key, 'age')}{ZH['people'][f'{gender} {age}']}"
    for salt in range(len(ZH["builds"])):
        look = [person, pick(ZH["builds"], *key, salt, "build"), pick(faces, *key, salt, "face")]
        look += [] if "发" in facts else [pick(hairs, *key, salt, "hair")]
        if "，".join(look) not in taken.sentences:
            break
    taken.sentences.add("，".join(look))
    return look


def _clothing(worn: str, role: Role | None, key: tuple[str, str], taken: Taken) -> str:
    """What the words say they wear, else the role's usual clothes, else a choice no earlier card has."""
    usual = worn or (ZH["role_clothing"].get(role.noun, "") if role is not None else "")
    clothes = ZH["clothes"]
    start = clothes.index(pick(clothes, *key, "clothes"))
    options = [clothes[(start + offset) % len(clothes)] for offset in range(len(clothes))]
    return _distinct([usual] if usual else [], options, taken)


def _voice(facts: str, gender: str, age: str, key: tuple[str, str], taken: Taken) -> str:
    """'温暖、清亮的成年女声，语速平稳': a quality the words suggest (害羞) or a chosen one, whose voice, a pace."""
    owner = ZH["voice_owners"][f"{gender} {age}"]
    traits = [quality for word, quality in ZH["trait_voices"].items() if word in facts]
    pool = ZH["young_voice_qualities"] if age in ("child", "teen") else ZH["voice_qualities"]
    start = pool.index(pick(pool, *key, "voice"))
    qualities = traits[:1] + [pool[(start + offset) % len(pool)] for offset in range(len(pool))]
    pace = pick(ZH["voice_paces"], *key, "pace")
    return _distinct([], [f"{quality}的{owner}，{pace}" for quality in qualities], taken)


def _creature_card(member: CastMember, taken: Taken) -> CharacterSpec:
    """'豆豆是小美的猫，毛色姜黄。': the creature as stated, its colour unless the words give one."""
    assert member.role is not None
    noun = member.role.noun
    kind = ZH["creatures"].get(SPECIES_LEXICON[noun]["kind"], ZH["creatures"]["animal"])
    word = next(word for word in SPECIES_LEXICON[noun]["words"] if has_cjk(word))
    phrase = member.phrase or word
    free = [colour for colour in SPECIES[noun].colours if (noun, colour) not in taken.colours]
    colour = (free or list(SPECIES[noun].colours))[0]
    taken.colours.add((noun, colour))
    stated = any(colour in phrase for colour in ZH["stated_colours"])
    who = phrase if own_words(phrase) != phrase else f"{kind['measure']}{phrase}"
    body = "" if stated else "，" + kind["body"].format(colour=ZH["colours"][colour])
    return CharacterSpec(
        name=member.name,
        identity=f"{member.name}是{who}{body}。",
        appearance=f"{pick(kind['features'], member.name)}。",
        clothing="",
        voice=_distinct([], kind["voices"], taken),
    )


def _distinct(first: list[str], options: list[str], taken: Taken) -> str:
    """The first of the options no earlier card of the cast uses."""
    candidates = [*first, *options]
    chosen = next((option for option in candidates if option not in taken.sentences), candidates[0])
    taken.sentences.add(chosen)
    return chosen
