"""The shot caption in the official JoyAI-Echo 1.5 contract (generator/caption.py), rendered deterministically from
the shot's structured condition for every backend.

Order: each character's block (identity anchor "ID_A is ...", stable appearance, "ID_A wears ...", and
"ID_A's voice is ..." only when that character speaks in the shot), the lip-sync note, the action ("At normal
speed, ..."), each line (`In a [delivery], ID_A says, "..."`), style, camera, background, sound effects,
background music (always stated), then the declarations (speech or silence, no readable text). People are
`ID_A` / `ID_B` in every field (card names outside quoted speech become ids). The anchor sentences are rendered
from the card the same way in every shot, so a returning character's anchors are byte for byte the same. A
Chinese story whose cards and fields are written in Chinese gets a fully Chinese caption. Text is rendered with
runs of whitespace collapsed (the caption is one paragraph).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from generator.caption import (
    CHINESE,
    ENGLISH,
    MAX_CAPTION_CHARS,
    CaptionForms,
    CastMember,
    SpokenLine,
    caption_problems,
    forms_for,
    prose_language,
    prose_of,
)
from generator.errors import EchoError, format_validation_error
from generator.text import has_cjk
from generator.types import MAX_CHARACTERS_PER_SHOT, CharacterInShot, DialogueLine, SceneInShot, ShotRequest

MAX_PROMPT_CHARS = MAX_CAPTION_CHARS
_LOWERABLE_OPENERS = frozenset(
    {"The", "A", "An", "This", "That", "These", "Those", "She", "He", "They", "It", "We", "You"}
    | {"Her", "His", "Their", "Its", "Our", "Both", "Everyone", "Someone"}
)
_NO_MUSIC_WORDS = {"", "none", "no", "no music", "no background music", "silence", "-", "n/a", "无", "没有", "无音乐"}
_PROSE_FIELDS = ("action", "style", "camera", "background", "sound_effects", "music")
_CARD_FIELDS = ("identity", "appearance", "clothing", "voice")


class ShotCondition(BaseModel):
    """The structured condition of one shot, before it is rendered into the caption."""

    characters: list[CharacterInShot] = Field(default_factory=list, description="At most two people")
    action: str = Field(default="", description="What happens, referring to people as ID_A / ID_B")
    dialogue: list[DialogueLine] = Field(default_factory=list)
    style: str = ""
    camera: str = ""
    background: str = Field(default="", description="Place, time of day, lighting")
    sound_effects: str = ""
    music: str = Field(default="", description="Background music; empty means none")
    language: str = Field(default="en", description="The story's locked language (dialogue language)")
    duration_s: float | None = Field(default=None, description="Shot length, for the speech budget")


class PromptTooLong(EchoError):
    """The rendered prompt exceeds the model's limit; the message says what to shorten."""


def render_prompt(condition: ShotCondition) -> str:
    """The caption for a shot, checked against the contract; EchoError saying what to fix when it breaks it."""
    caption = compose_prompt(condition)
    if len(caption) > MAX_PROMPT_CHARS:
        raise PromptTooLong(_too_long_message(condition, len(caption)))
    if problems := prompt_problems(caption, condition):
        raise EchoError(f"The shot's caption breaks the model's caption contract: {'; '.join(problems)}.")
    return caption


def compose_prompt(condition: ShotCondition) -> str:
    """The caption without the checks, for measuring how far a planned shot is over the limit."""
    check_condition(condition)
    people, forms = condition.characters, forms_for(caption_language(condition))
    speakers = {line.speaker for line in condition.dialogue}
    sections = [
        _join(sentence for c in people for sentence in _block(c, forms, c.id in speakers)) or forms.no_people,
        forms.lip_sync if condition.dialogue else "",
        _action(_with_ids(condition.action, people), forms),
        _join(_line(line, forms) for line in condition.dialogue),
        _field(_with_ids(condition.style, people), forms, "style"),
        _field(_with_ids(condition.camera, people), forms, "camera"),
        _sentence(_with_ids(condition.background, people)),
        _field(_with_ids(condition.sound_effects, people), forms, "sound"),
        _music(_with_ids(condition.music, people), forms),
        forms.voiced_only if condition.dialogue else f"{forms.no_speech} {forms.ambience_only}",
        forms.no_text,
    ]
    return _join(section for section in sections if section)


def caption_language(condition: ShotCondition) -> str:
    """ "zh" when the story is Chinese and its cards or shot fields are written in Chinese, else "en" (English prose,
    dialogue in the story's language)."""
    if not condition.language.lower().startswith("zh"):
        return "en"
    return "zh" if any(has_cjk(prose) for _, prose in _prose_fields(condition)) else "en"


def prompt_problems(caption: str, condition: ShotCondition) -> list[str]:
    """How `caption` breaks the contract for this shot (the validator of generator/caption.py), naming the fields
    written in the wrong language when the prose is mixed."""
    language = caption_language(condition)
    forms = forms_for(language)
    speakers = {line.speaker for line in condition.dialogue}
    cast = [
        CastMember(
            id=c.id,
            identity=_identity(c, forms),
            clothing=_clothing(c, forms),
            voice=_voice(c, forms),
            speaks=c.id in speakers,
        )
        for c in condition.characters
    ]
    problems = caption_problems(
        _clean(caption),
        caption_language=language,
        cast=cast,
        lines=[SpokenLine(line.speaker, _quoted(line.text)) for line in condition.dialogue],
        has_action=bool(_clean(condition.action)),
        duration_s=condition.duration_s,
    )
    if wrong := _fields_not_in(language, condition):  # name the fields instead of "the prose is mixed"
        wanted = "written in Chinese" if language == "zh" else "in English (dialogue in the story's language)"
        problems = [p for p in problems if not p.startswith("the prose outside the dialogue")]
        article = "a Chinese" if language == "zh" else "an English"
        problems.append(f"in {article} caption every field is {wanted}; these are not: {', '.join(wrong)}")
    return problems


def check_condition(condition: ShotCondition) -> None:
    """Raise EchoError for a condition no caption can express: too many people, unknown speakers, nothing to show."""
    ids = [character.id for character in condition.characters]
    if len(ids) > MAX_CHARACTERS_PER_SHOT:
        raise EchoError(
            f"A shot can show at most {MAX_CHARACTERS_PER_SHOT} characters; this one has {len(ids)} "
            f"({', '.join(ids)}). Split it into shots with one or two characters each."
        )
    if len(set(ids)) != len(ids):
        raise EchoError(f"Each character can appear once per shot; got {ids}.")
    for line in condition.dialogue:
        if line.speaker not in ids:
            raise EchoError(
                f"Dialogue speaker {line.speaker!r} is not in this shot; valid speakers: {', '.join(ids) or 'none'}."
            )
    if not (_clean(condition.action) or condition.dialogue or _clean(condition.background)):
        raise EchoError("The shot is empty: give it an action, a line of dialogue or a background.")


def anchor_sentences(character: CharacterInShot, language: str = "en", *, speaks: bool = True) -> list[str]:
    """A card's anchor sentences as every caption renders them (identity, clothing, and the voice when the
    character speaks), for showing on the card and checking a caption the creator wrote."""
    forms = forms_for("zh" if language.lower().startswith("zh") and has_cjk(character.identity) else "en")
    sentences = [_identity(character, forms), _clothing(character, forms)]
    return [s for s in [*sentences, _voice(character, forms) if speaks else ""] if s]


def missing_anchors(prompt: str, characters: list[CharacterInShot], language: str = "en") -> list[str]:
    """Anchor sentences of the shot's characters that the prompt does not contain verbatim."""
    text = _clean(prompt)
    return [a for c in characters for a in anchor_sentences(c, language, speaks=False) if a not in text]


def written_prompt_problem(prompt: str, condition: ShotCondition) -> str | None:
    """Why a caption the creator wrote instead of the compiled one cannot be sent, or None: it is held to the same
    contract as a compiled one (measured as it is sent: one paragraph, runs of whitespace collapsed)."""
    text = _clean(prompt)
    if not text:
        return "The prompt is empty: write what the shot shows, or keep the compiled prompt."
    if problems := prompt_problems(text, condition):
        return f"The prompt breaks the model's caption contract: {'; '.join(problems)}."
    return None


def build_request(
    condition: ShotCondition,
    *,
    num_frames: int,
    width: int,
    height: int,
    seed: int,
    scene: SceneInShot,
    first_frame: Path | None = None,
    language: str = "en",
    prompt: str | None = None,
) -> ShotRequest:
    """The backend request for a shot: the caption plus the structured fields it came from. The caption is rendered
    from the condition unless one is given (a caption the creator wrote, held to the same contract)."""
    if prompt is None:
        prompt = render_prompt(condition)
    else:
        check_condition(condition)
        if problem := written_prompt_problem(prompt, condition):
            raise EchoError(problem)
        prompt = _clean(prompt)
    try:
        return ShotRequest(
            prompt=prompt,
            characters=condition.characters,
            action=condition.action,
            dialogue=condition.dialogue,
            scene=scene,
            style=condition.style,
            camera=condition.camera,
            sound_effects=condition.sound_effects,
            music=condition.music,
            num_frames=num_frames,
            width=width,
            height=height,
            seed=seed,
            first_frame=first_frame,
            language=language,
        )
    except ValidationError as error:
        raise EchoError(f"Invalid shot request: {format_validation_error(error, whole_value='')}") from error


def _block(character: CharacterInShot, forms: CaptionForms, speaks: bool) -> list[str]:
    """The character's block: identity anchor, stable appearance, clothing anchor, voice anchor (speakers only)."""
    appearance = _sentence(_with_ids(character.appearance, [character]))
    parts = [_identity(character, forms), appearance, _clothing(character, forms), _voice(character, forms)]
    return [part for i, part in enumerate(parts) if part and (i < 3 or speaks)]


def _identity(character: CharacterInShot, forms: CaptionForms) -> str:
    """`ID_A is ...` from the card's identity sentence, whichever way it names the character."""
    text = _clean(character.identity)
    name = re.escape(_clean(character.name))
    for lead in (rf"{name}\s*(?:is|,)\s+", rf"{name}\s*是", rf"{name}\s*[,，]\s*", r"(?:She|He|They|It) (?:is|are) "):
        if match := re.match(lead, text):
            text = text[match.end() :]
            break
    text = _with_ids(text, [character])
    return _sentence(character.id + forms.is_ + (_lower_first(text) if forms.is_ == " is " else text))


def _clothing(character: CharacterInShot, forms: CaptionForms) -> str:
    """`ID_A wears ...` from the card's clothing ("Wears a red coat.", "She wears ...", or just the garments)."""
    name = re.escape(_clean(character.name))
    leads = rf"^(?:(?:{name}|She|He|They|It)\s+)?(?:wears|wear|is wearing|dressed in)\s+", r"^(?:身穿|穿着|穿)"
    return _anchor(character, character.clothing, leads, forms.wears, forms)


def _voice(character: CharacterInShot, forms: CaptionForms) -> str:
    """`ID_A's voice is ...` from the card's voice description."""
    name = re.escape(_clean(character.name))
    leads = rf"^(?:(?:{name}'s|Her|His|Their|Its) voice is|Voice:|Speaks (?:in|with))\s+", r"^(?:声音是|嗓音是|声音：)"
    return _anchor(character, character.voice, leads, forms.voice, forms)


def _anchor(character: CharacterInShot, text: str, leads: tuple[str, str], joint: str, forms: CaptionForms) -> str:
    """An anchor sentence: the card's text without the lead it was written with (English, Chinese), after the id and
    the contract's words ("ID_A wears ", "ID_A的声音是"); "" for an empty card field."""
    text = _clean(text)
    if not text:
        return ""
    english, chinese = leads
    text = _with_ids(re.sub(chinese, "", re.sub(english, "", text, flags=re.I)), [character])
    return _sentence(character.id + joint + (_lower_first(text) if forms is ENGLISH else text))


def _action(action: str, forms: CaptionForms) -> str:
    if not action:
        return ""
    if action.lower().startswith(forms.action.lower()):
        action = action[len(forms.action) :]
    return _sentence(forms.action + (_lower_first(action) if forms is not CHINESE else action))


def _line(line: DialogueLine, forms: CaptionForms) -> str:
    delivery = _clean(line.delivery) or _default_delivery(line.text, forms)
    if forms is CHINESE:
        return forms.says.format(speaker=line.speaker, delivery=delivery) + _quoted(line.text) + "”"
    delivery = re.sub(r"^(?:in\s+)?(?:an?\s+)?", "", delivery, flags=re.I)
    article = "an" if delivery[:1].lower() in "aeiou" else "a"
    return forms.says.format(speaker=line.speaker, delivery=f"{article} {delivery}") + _quoted(line.text) + '"'


def _default_delivery(text: str, forms: CaptionForms) -> str:
    """A plain delivery read from the line's own punctuation, when the plan gives none."""
    text = text.strip()
    english = forms is not CHINESE
    if text.endswith(("?", "？")):
        return "curious tone" if english else "好奇地"
    if text.endswith(("!", "！")):
        return "lively tone" if english else "激动地"
    if text.endswith(("...", "…")):
        return "hesitant tone" if english else "犹豫地"
    return "calm tone" if english else "平静地"


def _quoted(text: str) -> str:
    """The spoken words as they sit inside the quotes: one line, quotes turned to apostrophes, a closing stop."""
    return _sentence(_clean(text).replace('"', "'").replace("“", "'").replace("”", "'"))


_FIELD_LEADS = {
    "style": ("style", "The visual style is ", "画面风格为"),
    "camera": ("camera", "The camera uses ", "镜头采用"),
    "sound": ("sound", "Sound effects include ", "可以听到"),
}


def _field(text: str, forms: CaptionForms, kind: str) -> str:
    """A field as a plain sentence, led by words that say what it is unless it already says so (no labels)."""
    text = _clean(text).rstrip(".。")
    if not text:
        return ""
    keyword, english, chinese = _FIELD_LEADS[kind]
    if forms is CHINESE:
        return _sentence(text if keyword in text.lower() or text.startswith(chinese) else chinese + text)
    if keyword in text.lower():
        return _sentence(text)
    phrase = _lower_first(text) if text.split()[0] in _LOWERABLE_OPENERS else _lower_word(text)
    if kind == "camera" and phrase.split()[0] not in {"a", "an", "the"}:
        phrase = f"{'an' if phrase[:1] in 'aeiou' else 'a'} {phrase}"
    return _sentence(english + phrase)


def _music(music: str, forms: CaptionForms) -> str:
    text = _clean(music).rstrip(".。")
    if text.lower() in _NO_MUSIC_WORDS or "no background music" in text.lower():
        return forms.no_music
    if forms.music_word in text.lower():
        return _sentence(text)
    if forms is CHINESE:
        return _sentence(f"背景音乐是{text}")
    return _sentence(f"The background music is {_lower_word(text)}")


def _with_ids(text: str, characters: list[CharacterInShot]) -> str:
    """Refer to people by their anchor ids: replace card names outside quoted speech (whitespace collapsed).
    Longer names go first, so "Old Tom" is not left as "Old ID_B" by a "Tom" in the same shot. Latin names are
    replaced as whole words; Chinese names wherever they occur (Chinese has no spaces between words)."""
    text = _clean(text)
    for character in sorted(characters, key=lambda c: len(_clean(c.name)), reverse=True):
        name = _clean(character.name)
        if not name:
            continue
        pattern = re.compile(re.escape(name) if has_cjk(name) else rf"\b{re.escape(name)}\b")
        pieces = re.split(r'("[^"]*"|“[^”]*”)', text)
        text = "".join(piece if i % 2 else pattern.sub(character.id, piece) for i, piece in enumerate(pieces))
    return text


def _prose_fields(condition: ShotCondition) -> list[tuple[str, str]]:
    """Every written card and shot field as (label, its prose: names as ids, quoted speech left out)."""
    people = condition.characters
    named = [(f"{c.id} {name}", getattr(c, name)) for c in people for name in _CARD_FIELDS]
    named += [(name.replace("_", " "), getattr(condition, name)) for name in _PROSE_FIELDS]
    return [(label, prose_of(_with_ids(text, people))) for label, text in named if _clean(text)]


def _fields_not_in(language: str, condition: ShotCondition) -> list[str]:
    """The card and shot fields whose prose is not in the caption's language."""
    return [label for label, prose in _prose_fields(condition) if prose_language(prose) != language]


def _too_long_message(condition: ShotCondition, length: int) -> str:
    parts: dict[str, int] = {
        "action": len(_clean(condition.action)),
        "dialogue": sum(len(_clean(line.text)) for line in condition.dialogue),
        "style": len(_clean(condition.style)),
        "camera": len(_clean(condition.camera)),
        "background": len(_clean(condition.background)),
        "sound effects": len(_clean(condition.sound_effects)),
        "music": len(_clean(condition.music)),
    }
    for character in condition.characters:
        for name in _CARD_FIELDS:
            parts[f"{character.id} {name} (card)"] = len(_clean(getattr(character, name)))
    longest = sorted(((size, name) for name, size in parts.items() if size), reverse=True)[:3]
    listing = ", ".join(f"{name} ({size} chars)" for size, name in longest)
    return (
        f"The shot prompt is {length} characters, {length - MAX_PROMPT_CHARS} over the {MAX_PROMPT_CHARS}-character "
        f"limit. Longest parts: {listing}. Shorten those (card sentences are repeated verbatim in every shot, so "
        "shorten them on the card) or split the shot."
    )


def _clean(text: str) -> str:
    return " ".join(text.split())


def _join(sections: Iterable[str]) -> str:
    """Sections joined into one paragraph: a space between English sentences, none after a Chinese full stop."""
    text = ""
    for section in sections:
        text += section if not text or text.endswith(("。", "！", "？", "”")) else " " + section
    return text


def _sentence(text: str) -> str:
    if not text:
        return ""
    if text[-1] in ".!?。！？…'\"”":
        return text
    return text + ("。" if has_cjk(text[-1]) else ".")


def _lower_first(text: str) -> str:
    """Lower-case an opening article or pronoun; names, ids and acronyms keep their case."""
    first, _, rest = text.partition(" ")
    return f"{first.lower()} {rest}".rstrip() if first in _LOWERABLE_OPENERS else text


def _lower_word(text: str) -> str:
    """Lower-case a capitalised opening word ("Sparse acoustic guitar" -> "sparse acoustic guitar"); ids, acronyms
    and names followed by another capitalised word ("New York") keep their case."""
    words = text.split()
    first = words[0]
    if first.startswith("ID_") or not first[:1].isupper() or first[1:] != first[1:].lower():
        return text
    if len(words) > 1 and words[1][:1].isupper():
        return text
    return first[:1].lower() + text[1:]
