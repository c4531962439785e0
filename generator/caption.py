"""The caption contract of the official JoyAI-Echo 1.5 Director (DESIGN.md, "Caption contract"): the sentence
forms, declarations, limits and speech budget the model was trained on, and the validator every prompt sent to a
backend passes (`caption_problems`). `generator/prompt.py` renders captions in these forms.

Two caption languages: English prose (dialogue in the story's one locked language), or, for a Chinese story whose
cards and fields are written in Chinese, a fully Chinese caption with the Chinese anchor forms. Never mixed prose.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from generator.text import CJK

MAX_CAPTION_CHARS = 1999  # the hard limit: under 2,000 Unicode characters
TARGET_CAPTION_CHARS = (1500, 1800)
SPEECH_UNITS_PER_10_S = 20  # English words or Chinese characters of dialogue in a ~10 s shot

_ID = r"ID_[A-Z]{1,2}"
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_ACRONYM = re.compile(r"[A-Z]{2,4}")
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”')
_SENTENCE_BREAK = re.compile(r'(?<=[.!?])\s+|(?<=[.!?]")\s+|(?<=[。！？])|(?<=[。！？]”)')
_FIELD_LABEL = re.compile(
    rf"(?:^|[.!?。！？\"”])\s*((?:{_ID}|Style|Camera(?: movement)?|Background(?: music)?|Music|"
    r"Sound effects?|Voice|Action|Dialogue|Setting|风格|镜头|背景|背景音乐|音效|声音|动作|台词)\s*[:：])"
)


@dataclass(frozen=True)
class CaptionForms:
    """The fixed wording of one caption language."""

    is_: str  # identity anchor: "ID_A is ..."
    wears: str
    voice: str
    says: str  # how a line is introduced; "{delivery}" and "{speaker}" are filled in
    action: str
    lip_sync: str
    no_speech: str
    ambience_only: str
    voiced_only: str
    no_text: str
    no_music: str
    no_people: str
    music_word: str


ENGLISH = CaptionForms(
    is_=" is ",
    wears=" wears ",
    voice="'s voice is ",
    says='In {delivery}, {speaker} says, "',
    action="At normal speed, ",
    lip_sync="Lip movements are precisely synchronized with the spoken dialogue.",
    no_speech="No character speaks in this shot.",
    ambience_only="Only environmental ambience is audible; no human vocal sounds are present.",
    voiced_only="Only the written spoken dialogue is voiced; no additional human vocalizations are audible.",
    no_text="No OCR or readable text appears anywhere in the frame.",
    no_music="No prominent background music.",
    no_people="No people appear in this shot.",
    music_word="music",
)
CHINESE = CaptionForms(
    is_="是",
    wears="穿着",
    voice="的声音是",
    says="{speaker}{delivery}说：“",
    action="以正常速度，",
    lip_sync="口型与说出的台词精确同步。",
    no_speech="本镜头中没有角色说话。",
    ambience_only="只能听到环境声，没有任何人声。",
    voiced_only="只有写出的台词被说出，没有其他人声。",
    no_text="画面中任何位置都没有可读的文字。",
    no_music="没有明显的背景音乐。",
    no_people="画面中没有人物。",
    music_word="音乐",
)


def forms_for(caption_language: str) -> CaptionForms:
    return CHINESE if caption_language == "zh" else ENGLISH


def speech_units(text: str) -> int:
    """Dialogue as the budget counts it: Chinese characters plus words of other scripts."""
    return len(CJK.findall(text)) + len(CJK.sub(" ", text).split())


def speech_budget(duration_s: float) -> int:
    """The most words or Chinese characters of dialogue a shot of `duration_s` carries (20 per 10 s)."""
    return math.ceil(SPEECH_UNITS_PER_10_S * duration_s / 10 - 1e-9)


def prose_of(caption: str) -> str:
    """The caption without its quoted dialogue."""
    return _QUOTED.sub(" ", caption)


def prose_language(text: str) -> str:
    """ "zh" when the prose has Chinese and no words of other scripts (ids and short acronyms aside), "en" when it has
    no Chinese, "mixed" otherwise."""
    latin = [w for w in _LATIN_WORD.findall(re.sub(_ID, " ", text)) if not _ACRONYM.fullmatch(w)]
    if not CJK.search(text):
        return "en"
    return "mixed" if latin else "zh"


def sentences_of(caption: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_BREAK.split(caption) if part.strip()]


@dataclass(frozen=True)
class CastMember:
    """What the validator needs of a character in the shot: its id, rendered anchors, and whether it speaks."""

    id: str
    identity: str
    clothing: str
    voice: str
    speaks: bool


@dataclass(frozen=True)
class SpokenLine:
    speaker: str
    text: str


def caption_problems(
    caption: str,
    *,
    caption_language: str,
    cast: list[CastMember],
    lines: list[SpokenLine],
    has_action: bool,
    duration_s: float | None = None,
) -> list[str]:
    """Every way the caption breaks the contract, as sentences a creator can act on (empty when it complies)."""
    if not caption.strip():
        return ["the caption is empty"]
    forms = forms_for(caption_language)
    problems: list[str] = []
    if "\n" in caption:
        problems.append("the caption must be one paragraph")
    if len(caption) > MAX_CAPTION_CHARS:
        problems.append(
            f"the caption is {len(caption):,} characters; it must stay under {MAX_CAPTION_CHARS + 1:,} "
            f"(shorten it by {len(caption) - MAX_CAPTION_CHARS:,})"
        )
    if label := _FIELD_LABEL.search(caption):
        problems.append(f'field labels are not part of the caption ("{label.group(1)}")')
    problems += _anchor_problems(caption, forms, cast)
    problems += _line_problems(caption, forms, lines)
    if has_action and forms.action not in caption:
        problems.append(f'the action must be one sentence beginning "{forms.action}"')
    problems += _declaration_problems(caption, forms, speaking=bool(lines))
    if forms.music_word not in caption.lower():
        problems.append("the caption must state the background music (or that there is none)")
    language = prose_language(prose_of(caption))
    if language != caption_language:
        wanted = "Chinese" if caption_language == "zh" else "English"
        problems.append(f"the prose outside the dialogue must be all {wanted}; it is {language}")
    if duration_s is not None and lines:
        spoken = sum(speech_units(line.text) for line in lines)
        if spoken > (budget := speech_budget(duration_s)):
            problems.append(
                f"{spoken} words of dialogue are over the speech budget of a {duration_s:.2f} s shot ({budget}: "
                f"{SPEECH_UNITS_PER_10_S} per 10 s); lengthen the shot or split the lines"
            )
    return problems


def _anchor_problems(caption: str, forms: CaptionForms, cast: list[CastMember]) -> list[str]:
    """Each character's anchors present once, as the card renders them, and the blocks first, one after another."""
    problems = []
    sentences = sentences_of(prose_of(caption)) if cast else []
    blocks_end = next(
        (i for i, s in enumerate(sentences) if s.startswith((forms.action, forms.lip_sync, forms.no_speech))),
        len(sentences),
    )
    previous_end = -1
    for member in cast:
        indices: list[int] = []
        for kind, start, rendered, wanted in (
            ("identity", member.id + forms.is_, member.identity, 1),
            ("clothing", member.id + forms.wears, member.clothing, 1 if member.clothing else 0),
            ("voice", member.id + forms.voice, member.voice, 1 if member.speaks and member.voice else 0),
        ):
            found = [i for i, s in enumerate(sentences) if s.startswith(start)]
            indices += found
            if len(found) != wanted:
                problems.append(_count_problem(member.id, kind, start, len(found), wanted))
            elif wanted and rendered not in caption:
                problems.append(f"{member.id}'s {kind} sentence is not the card's, word for word")
        if indices and (min(indices) < previous_end or max(indices) >= blocks_end):
            order = ", then ".join(m.id for m in cast)
            problems.append(f"the character blocks come first, each whole, before the action ({order})")
            break
        previous_end = max(indices, default=previous_end)
    if cast and sentences and not sentences[0].startswith(cast[0].id + forms.is_):
        problems.append(f'the caption must begin with "{cast[0].id}{forms.is_}"')
    return problems


def _count_problem(char_id: str, kind: str, start: str, found: int, wanted: int) -> str:
    if kind == "voice" and not wanted and found:
        return f'{char_id} does not speak in this shot, so the caption has no "{start}" sentence'
    if found > wanted:
        return f'only one sentence may begin "{start}"; {found} do'
    return f'{char_id} needs its {kind} sentence, beginning "{start}"'


def _line_problems(caption: str, forms: CaptionForms, lines: list[SpokenLine]) -> list[str]:
    problems = []
    opener = re.escape(forms.says).replace(r"\{delivery\}", r"[^\"“”]*?").replace(r"\{speaker\}", "{speaker}")
    for line in lines:
        pattern = opener.format(speaker=re.escape(line.speaker)) + re.escape(line.text)
        if not re.search(pattern, caption):
            problems.append(
                f'the line "{line.text}" must read {forms.says.format(delivery="…", speaker=line.speaker)}…'
            )
    return problems


def _declaration_problems(caption: str, forms: CaptionForms, *, speaking: bool) -> list[str]:
    wanted = [forms.lip_sync, forms.voiced_only] if speaking else [forms.no_speech, forms.ambience_only]
    unwanted = [forms.no_speech, forms.ambience_only] if speaking else [forms.voiced_only, forms.lip_sync]
    problems = [f'missing the declaration "{text}"' for text in [*wanted, forms.no_text] if text not in caption]
    problems += [f'"{text}" contradicts the shot' for text in unwanted if text in caption]
    return problems
