"""Card sentences rewritten in the card's own phrasing (as director/offline/cast_cards.py writes cards, or as the
creator did): a garment or feature swapped inside its sentence, a voice sentence with new qualities that keeps whose
voice it is, and gendered words turned. Words are never translated: Chinese stays as the creator wrote it, and a
Chinese card (director/offline/zh_cards.py) is rewritten in its own shapes (`zh_worn`, `zh_voice`, `zh_part`,
`zh_turned`)."""

from __future__ import annotations

import re

from director.offline.cast_cards import with_article
from director.offline.vocabulary import HAIR, ZH
from generator.text import has_cjk, upper_first

_TO_MALE = {
    "woman": "man", "women": "men", "girl": "boy", "girls": "boys", "she": "he", "hers": "his", "herself": "himself",
    "lady": "gentleman", "ladies": "gentlemen", "mother": "father", "mum": "dad", "mom": "dad", "sister": "brother",
    "daughter": "son", "granddaughter": "grandson", "grandmother": "grandfather", "grandma": "grandpa",
    "wife": "husband", "queen": "king", "princess": "prince", "aunt": "uncle", "niece": "nephew", "female": "male",
    "actress": "actor", "waitress": "waiter", "heroine": "hero", "policewoman": "policeman", "mrs": "mr",
    "girlfriend": "boyfriend", "feminine": "masculine",
}  # fmt: skip
_TO_FEMALE = {male: female for female, male in _TO_MALE.items()} | {"he": "she", "him": "her", "his": "her"}
_OBJECT_AFTER = frozenset(["to", "and", "or", "with", "in", "on", "at", "from", "for", "by", "as", "than", "about"])
_NOT_DESCRIBING = r"(?!(?:and|with|over|under|of|wears|wearing|in|on|a|an|the|his|her|their|its|is|has)\b)"
_PLURAL_PARTS = ("hair", "boots", "shoes", "glasses", "spectacles", "gloves", "jeans", "trousers", "eyes", "freckles",
                 "overalls", "pyjamas", "pajamas", "sneakers", "robes", "clothes")  # fmt: skip
HAIR_WORDS = r"hair|braids|bob|bun|mop|curls|undercut|ponytail|head"
_VOICE_OWNER = re.compile(
    r"(?P<owner>(?:(?:elderly|old|young|teenage|little|middle-aged)\s+)?(?:(?:woman|man|girl|boy|child|lady|gentleman|"
    r"kid)'s|male|female))\s+voice",
    re.IGNORECASE,
)
_PERSON = re.compile(r"\b(?:woman|man|girl|boy|lady|gentleman|guy)\b", re.IGNORECASE)
PERSON_NOUNS = ("man", "woman", "boy", "girl")
_ZH_EDITS = ZH["card_edits"]
_ZH_GARMENT = re.compile("|".join(sorted(_ZH_EDITS["garments"], key=len, reverse=True)))
_ZH_WORN_LEAD = re.compile(f"^(?:{'|'.join(_ZH_EDITS['worn_leads'])})+")
_ZH_VOICE_WORD = re.compile("|".join(_ZH_EDITS["voice_words"]))
ZH_VOICE_LEADS = f"(?:{'|'.join(_ZH_EDITS['voice_leads'])})*"  # '应该', '改得更': before the qualities asked for
ZH_PARTS: dict[str, tuple[str, str, str, int]] = {part: tuple(spec) for part, spec in _ZH_EDITS["parts"].items()}
_ZH_VOICE_TAIL = re.compile(f"(?:{'|'.join(_ZH_EDITS['voice_tails'])})+$")
_ZH_TO_MALE: dict[str, str] = _ZH_EDITS["to_male"]
_ZH_TO_FEMALE = {male: female for female, male in _ZH_TO_MALE.items()}


def turned(text: str, gender: str, person: str = "") -> str:
    """The text with its gendered words turned to `gender` ('male' or 'female'), keeping their case:
    'an elderly woman's voice' -> 'an elderly man's voice', 'her scarf' -> 'his scarf'; with `person` (man, woman,
    boy, girl: the word the creator used) every person noun becomes that word ('a shy teenage girl' -> '... man')."""
    table = _TO_MALE if gender == "male" else _TO_FEMALE
    text = re.sub(r"\b[A-Za-z]+\b", lambda match: _turn_word(match, text, table, gender), text)
    return _PERSON.sub(lambda match: _cased(person, match[0]), text) if person else text


def _turn_word(match: re.Match[str], text: str, table: dict[str, str], gender: str) -> str:
    word = match[0]
    lowered = word.lower()
    if gender == "male" and lowered == "her":  # 'her coat' -> 'his coat', 'with her' -> 'with him'
        following = re.match(r"\s+([A-Za-z]+)", text[match.end() :])
        new = "his" if following and following[1].lower() not in _OBJECT_AFTER else "him"
    else:
        new = table.get(lowered, word)
    return word if new == word else _cased(new, word)


def _cased(new: str, old: str) -> str:
    return new.upper() if old.isupper() and len(old) > 1 else upper_first(new) if old[0].isupper() else new


def with_part(sentence: str, part: str, phrase: str, opener: str = "") -> str:
    """The sentence with the phrase that names `part` (a regex: 'scarf', 'hair|braids') replaced by `phrase`, or
    `phrase` added to it ('..., with a red scarf.'); an empty sentence becomes `opener` + phrase."""
    if part == HAIR_WORDS and (hair := next((h for hs in HAIR.values() for h in hs if h in sentence), None)):
        return sentence.replace(hair, phrase, 1)
    pattern = re.compile(
        rf"\b(?:(?:an?|the|his|her|their|its|some)\s+)?(?:{_NOT_DESCRIBING}[\w-]+,?\s+){{0,3}}(?:{part})\b",
        re.IGNORECASE,
    )
    if match := pattern.search(sentence):
        new = upper_first(phrase) if match.start() == 0 else phrase
        return f"{sentence[: match.start()]}{new}{sentence[match.end() :]}"
    if not sentence.strip():
        return f"{opener}{phrase}."
    return f"{sentence.strip().rstrip('.')}, with {phrase}."


def worn(phrase: str) -> str:
    """A garment or feature phrase as a card says it: 'red scarf' -> 'a red scarf', 'green eyes' stays."""
    phrase = " ".join(phrase.split()).strip(" .,!")
    if has_cjk(phrase) or re.match(r"(?:an?|the|some|his|her|their|its)\s", phrase, re.IGNORECASE):
        return phrase
    last = phrase.split()[-1].lower() if phrase else ""
    return phrase if last in _PLURAL_PARTS or last.endswith("s") else with_article(phrase)


def voice_sentence(old: str, qualities: str) -> str:
    """The voice sentence with new qualities, keeping whose voice it is: 'Speaks in a gentle elderly woman's voice.'
    + 'deep and gruff' -> 'Speaks in a deep, gruff elderly woman's voice.'"""
    words = re.sub(r"\s+and\s+|\s*,\s*", ", ", qualities.strip(" .")).removesuffix(" voice")
    owner = voice_owner(old)
    described = with_article(f"{words} {owner} voice" if owner else f"{words} voice")
    return f"Speaks in {described}." if old.startswith("Speaks") or not old else f"{upper_first(described)}."


def voice_owner(voice: str) -> str:
    """Whose voice a voice sentence describes ("elderly woman's"), "" when it names nobody."""
    match = _VOICE_OWNER.search(voice)
    return match["owner"] if match else ""


def zh_worn(clothing: str, item: str, verb: str = "穿") -> str:
    """A Chinese clothing field with `item` worn: the garment of its kind replaced
    ('灰色羊毛外套和一条长条纹围巾' + '红色围巾' -> '灰色羊毛外套和红色围巾'), else added to the list
    ('白围裙和衬衫' -> '白围裙、衬衫和红色围巾') or, after a clause or for what is not put on (戴, 围), as its own
    clause: '…衬衫，戴着一副眼镜'. Garments only, never 穿着."""
    item = _ZH_WORN_LEAD.sub("", item.strip(" ，。,.!！"))
    if not clothing.strip():
        return item
    kind = _ZH_GARMENT.search(item)
    pieces = re.split(r"(和|、|，)", clothing.strip().rstrip("。"))
    for index in range(0, len(pieces), 2):
        if kind and kind[0] in pieces[index]:
            pieces[index] = item
            return "".join(pieces)
    joins = _ZH_EDITS["wear_joins"]
    if verb == "穿" and "，" not in clothing:
        items = [piece for piece in pieces[::2] if piece]
        return f"{joins['list'].join(items)}{joins['and']}{item}"
    return _ZH_EDITS["wear_more"].format(old=clothing.strip().rstrip("。"), verb=verb, new=item)


def zh_voice(voice: str, asked: str) -> str:
    """A Chinese voice field with the qualities the creator asked for, keeping whose voice it is and its pace:
    '平稳、厚实的苍老男声，语速舒缓' + '低沉沙哑' -> '低沉、沙哑的苍老男声，语速舒缓'."""
    qualities = "、".join(_ZH_VOICE_WORD.findall(asked)) or _ZH_VOICE_TAIL.sub("", asked)
    _, comma, rest = voice.strip().rstrip("。").partition("，")
    return f"{qualities}的{zh_voice_owner(voice) or _ZH_EDITS['voice_default_owner']}{comma}{rest}"


def zh_voice_owner(voice: str) -> str:
    """Whose voice a Chinese voice field describes: '平稳、厚实的苍老男声，语速舒缓' -> '苍老男声'."""
    head = voice.strip().rstrip("。").partition("，")[0]
    return head.rpartition("的")[2]


def zh_part(sentence: str, marker: str, phrase: str, first: int = 0) -> str:
    """A Chinese identity or appearance sentence with its last clause (from clause `first` on) that names a part
    (`marker`, a regex: '发|平头', '眼睛') replaced by `phrase`, or `phrase` added before its full stop."""
    clauses = sentence.strip().rstrip("。").split("，")
    found = [index for index, clause in enumerate(clauses) if index >= first and re.search(marker, clause)]
    if found:
        clauses[found[-1]] = phrase
    else:
        clauses.append(phrase)
    return "，".join(clause for clause in clauses if clause) + "。"


def zh_turned(text: str, gender: str, keep: str = "") -> str:
    """A Chinese card field with its gendered words turned to `gender` ('老年男人' -> '老年女人', '男声' -> '女声',
    '孙子' -> '孙女'); `keep` (the character's name) is never changed."""
    table = _ZH_TO_MALE if gender == "male" else _ZH_TO_FEMALE
    pattern = re.compile("|".join(sorted(table, key=len, reverse=True)))
    pieces = text.split(keep) if keep else [text]
    return keep.join(pattern.sub(lambda match: table[match[0]], piece) for piece in pieces)
