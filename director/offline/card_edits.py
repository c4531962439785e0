"""Card edits by meaning (intent edit_card): a character's clothing, voice, gender, hair, eyes or features, or a
scene's time of day or weather, each written as the whole new card sentence in the card's own phrasing, never as
the creator's instruction. A gender change turns every gendered word of the card (woman -> man, she -> he). A card
written in Chinese (director/offline/zh_cards.py) is rewritten in Chinese, in its own shapes; an English request
for it is not understood (nothing would be written in English into a Chinese card)."""

from __future__ import annotations

import re

from director.briefs import CardBrief, ProjectBrief, SceneBrief
from director.offline.cannot import cannot
from director.offline.card_words import (
    HAIR_WORDS,
    PERSON_NOUNS,
    ZH_PARTS,
    ZH_VOICE_LEADS,
    turned,
    voice_sentence,
    with_part,
    worn,
    zh_part,
    zh_turned,
    zh_voice,
    zh_worn,
)
from director.offline.cast_cards import GARMENT
from director.offline.references import scenes_named, target_card
from director.offline.vocabulary import GENDER_WORDS, TIME_WORDS, WEATHER, WEATHER_WORDS, find_words
from director.offline.zh_cards import chinese_card
from director.schemas import CardEdit, CardField, RouteDecision

_CHARACTER_FIELDS: tuple[CardField, ...] = ("identity", "appearance", "clothing", "voice")
_UNTIL = r"(?=\s*(?:[,;.!?，。；！？]|\band\s+(?:he|she|they|make|give|let)\b|\bfrom now on\b|\binstead\b|$))"
_GENDER = re.compile(
    r"\b(?:is|'s|be|make\s+(?:him|her|them|\S+)|turn\s+(?:him|her|them|\S+)\s+into)\s+(?:a\s+|an\s+)?"
    r"(?P<word>man|woman|male|female|guy|lady|boy|girl)\b(?!'s)|"
    r"(?:是|改成|变成|改为)(?P<zh>男的|女的|男人|女人|男性|女性|男生|女生|男孩|女孩)",
    re.IGNORECASE,
)
_VOICE = re.compile(
    rf"\bvoice\s+(?:should\s+be|must\s+be|needs\s+to\s+be|is|to\s+be)\s+(?P<q>.+?){_UNTIL}|"
    rf"\bmake\s+\S+?(?:'s)?\s+voice\s+(?P<make>.+?){_UNTIL}|\bshould\s+sound\s+(?P<sound>.+?){_UNTIL}|"
    rf"\bgive\s+\S+\s+(?:an?\s+)?(?P<give>[\w ,-]+?)\s+voice\b|\b(?:speaks|talks)\s+(?P<accent>with\s+.+?){_UNTIL}|"
    rf"(?:声音|嗓音){ZH_VOICE_LEADS}(?P<zh>[\u4e00-\u9fff、]+)",
    re.IGNORECASE,
)
_WORN = re.compile(
    rf"\b(?:wears?|wearing|dressed\s+in|(?:put|dress)\s+\S+\s+in|give\s+\S+|add)\s+(?P<what>(?:(?:an?|the|some|his|her|"
    rf"their)\s+)?(?:[\w-]+\s+){{0,4}}?(?:{GARMENT}))(?!\w)|"
    rf"'s\s+(?P<garment>{GARMENT})\s+(?:should\s+be|is|must\s+be|to\s+be)\s+(?P<adj>[\w-]+(?:\s+[\w-]+)?){_UNTIL}|"
    rf"\bmake\s+\S+'s\s+(?P<made>{GARMENT})\s+(?P<made_adj>[\w-]+(?:\s+[\w-]+)?){_UNTIL}|"
    r"(?<![周关体范包氛])(?P<zh_verb>穿|戴|披|围|系)(?:上|着)?(?P<zh>[^，。,！!？?]+)",
    re.IGNORECASE,
)
_PART = r"hair|eyes|beard|moustache|mustache|skin|scar|freckles|tattoo|birthmark"
_FEATURE = re.compile(
    rf"'s\s+(?P<part>{_PART})\s+(?:should\s+be|is|must\s+be|to\s+be)\s+(?P<adj>[\w -]+?){_UNTIL}|"
    rf"\bmake\s+\S+'s\s+(?P<made>{_PART})\s+(?P<made_adj>[\w -]+?){_UNTIL}|"
    rf"\b(?:has|should\s+have|now\s+has|gets?|give\s+\S+)\s+(?P<phrase>(?:(?:an?|some)\s+)?(?:[\w-]+\s+){{0,3}}?"
    rf"(?P<named>{_PART}))\b|(?P<zh_part>{'|'.join(ZH_PARTS)})(?:要|应该|改成|改为|是|变成|染成)*(?P<zh>[\u4e00-\u9fff]+?)(?:的)?$",
    re.IGNORECASE,
)
_IN_IDENTITY = ("hair", "beard", "moustache", "mustache")
_SCENE_CHANGE = re.compile(
    r"\b(?:should|make|change|set|turn|switch|now|move)\b|改成|改为|变成|设为|换成|应该|要是|改到", re.IGNORECASE
)


def card_edit_decision(text: str, brief: ProjectBrief) -> RouteDecision | None:
    """edit_card when the text changes something a card says; None when it names no card or no field of one."""
    if (card := target_card(text, brief)) is not None:
        return _character_edit(text, card, chinese_card(card, brief.language))
    if scenes := scenes_named(text, brief):
        return _scene_edit(text, scenes[0])
    return None


def _character_edit(text: str, card: CardBrief, zh: bool) -> RouteDecision | None:
    """The card edits the text asks for; with `zh` (a Chinese card) each is written in Chinese."""
    before: dict[CardField, str] = {field: getattr(card, field) for field in _CHARACTER_FIELDS}
    after = dict(before)
    gender, person = _gender(text)
    if gender:
        after = {field: _turned(value, gender, person if field == "identity" else "", card.name if zh else "")
                 for field, value in after.items()}  # fmt: skip
    voice = _voice(text, after["voice"], zh)
    clothing = _clothing(text, after["clothing"], zh)
    feature = _feature(text, after, zh)
    if not (gender or voice or clothing or feature):
        return None
    after |= ({"voice": voice} if voice else {}) | ({"clothing": clothing} if clothing else {}) | (feature or {})
    edits = [CardEdit(card=card.char_id, field=field, value=after[field]) for field in _CHARACTER_FIELDS
             if after[field] != before[field] and after[field]]  # fmt: skip
    if not edits:
        return cannot(f"{card.name}'s card already says that.")
    return RouteDecision(intent="edit_card", card_edits=edits, feedback=text)


def _turned(value: str, gender: str, person: str, zh_name: str) -> str:
    """A card field with its gendered words turned; Chinese when `zh_name` (the Chinese card's name) is given."""
    return zh_turned(value, gender, zh_name) if zh_name else turned(value, gender, person)


def _gender(text: str) -> tuple[str, str]:
    """The gender the text gives the character, and the person noun it used (man, woman, boy, girl) if any."""
    if (match := _GENDER.search(text)) is None:
        return "", ""
    if match["zh"]:
        return ("female" if "女" in match["zh"] else "male"), ""
    word = match["word"].lower()
    return GENDER_WORDS[word], word if word in PERSON_NOUNS else ""


def _voice(text: str, old: str, zh: bool) -> str:
    if (match := _VOICE.search(text)) is None or (zh and not match["zh"]):
        return ""
    if zh:
        return zh_voice(old, match["zh"])
    if match["accent"]:
        return f"{old.strip().rstrip('.')}, {match['accent'].strip()}." if old else f"Speaks {match['accent'].strip()}."
    qualities = next(
        group for group in (match["q"], match["make"], match["sound"], match["give"], match["zh"]) if group
    )
    return voice_sentence(old, re.sub(r"^(?:an?\s+|more\s+)", "", qualities.strip(), flags=re.IGNORECASE))


def _clothing(text: str, old: str, zh: bool) -> str:
    if (match := _WORN.search(text)) is None or (zh and not match["zh"]):
        return ""
    if zh:
        return zh_worn(old, match["zh"], match["zh_verb"])
    if match["zh"] and match["zh_verb"] != "穿":
        return ""  # an English card reads only 穿 (a Chinese garment stays as written)
    if match["zh"]:
        phrase = match["zh"].strip()
    elif match["what"]:
        phrase = match["what"]
    else:
        phrase = f"{match['adj'] or match['made_adj']} {match['garment'] or match['made']}"
    garment = next(iter(re.findall(GARMENT, phrase, re.IGNORECASE)), phrase.split()[-1])
    return with_part(old, re.escape(garment), worn(phrase), opener="Wears ")


def _feature(text: str, card: dict[CardField, str], zh: bool) -> dict[CardField, str] | None:
    if (match := _FEATURE.search(text)) is None or (zh and not match["zh"]):
        return None
    if zh:
        field, marker, form, first = ZH_PARTS[match["zh_part"]]
        return {field: zh_part(card[field], marker, form.format(adj=match["zh"]), first)}  # type: ignore[dict-item]
    if match["zh"]:
        part, phrase = ("hair" if match["zh_part"] == "头发" else "eyes"), f"{match['zh']}{match['zh_part']}"
    elif match["phrase"]:
        part, phrase = match["named"].lower(), match["phrase"]
    else:
        part = (match["part"] or match["made"]).lower()
        phrase = f"{(match['adj'] or match['made_adj']).strip()} {part}"
    field: CardField = "identity" if part in _IN_IDENTITY else "appearance"
    pattern = HAIR_WORDS if part == "hair" else part
    return {field: with_part(card[field], pattern, worn(phrase))}


def _scene_edit(text: str, scene: SceneBrief) -> RouteDecision | None:
    if not _SCENE_CHANGE.search(text):
        return None
    edits: list[CardEdit] = []
    description = scene.description
    times = find_words(text, TIME_WORDS, plural=False)
    weathers = find_words(text, WEATHER_WORDS, plural=False)
    if times:
        time = times[0][2]
        if time != scene.time_of_day:
            edits.append(CardEdit(card=scene.scene_id, field="time_of_day", value=time))
            if scene.time_of_day and scene.time_of_day in description:
                description = description.replace(scene.time_of_day, time)
    if weathers:
        look = WEATHER[weathers[0][2]][0] + (" outside" if scene.location.lower().startswith("inside") else "")
        description = _with_weather(description, look)
    if description != scene.description:
        edits.append(CardEdit(card=scene.scene_id, field="description", value=description))
    if edits:
        return RouteDecision(intent="edit_card", card_edits=edits, feedback=text)
    if times or weathers:
        return cannot(f"The {scene.name} scene card already says that.")
    return None


def _with_weather(description: str, look: str) -> str:
    """The description with its weather replaced by `look` ('steady rain falling'), or `look` added to it."""
    for old, _ in WEATHER.values():
        if old in description:
            return re.sub(rf"{re.escape(old)}(?: outside)?", look, description, count=1)
    if not description.strip():
        return f"{look[:1].upper()}{look[1:]}."
    return f"{description.strip().rstrip('.')}; {look}."
