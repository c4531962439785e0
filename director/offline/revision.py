"""Offline revision diagnosis: split feedback on one shot into clauses and map each to the condition field it changes
(camera, dialogue, music, sound effects, duration, or the action text that carries the shot's look), reading the
shot's own fields from its brief; memory entries the feedback names with 'forget' or 'without' are dropped."""

from __future__ import annotations

import re

from director.briefs import CardBrief, ShotBrief
from director.offline.cast_cards import stated_gender
from director.offline.timing import MAX_SHOT_S, shot_seconds, speech_seconds
from director.schemas import DialogueSpec, RevisionDiagnosis
from generator.text import as_sentence, has_cjk
from generator.types import FPS, nearest_frame_count

_CAMERA = re.compile(
    r"close[- ]?up|wide(?: shot)?|\bpan(?:s|ned|ning)?\b|zoom|tracking|\btracks?\b|dolly|angle|overhead|aerial|"
    r"handheld|push(?:es)?[- ]in|pull(?:s)? back|static|\btilt|crane|\borbit|\bpov\b|over[- ]the[- ]shoulder|"
    r"two[- ]shot|\bcamera\b|\blens\b|framing|特写|远景|全景|跟拍|俯拍|仰拍|镜头.{0,4}(?:推|拉|摇|移)",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“「](?P<text>[^\"”」]+)[\"”」]|(?<!\w)['‘](?P<single>[^'’]+?)['’](?!\w)")
_SAY = re.compile(r"\b(?:says|saying|say|line should be)\s*[:,]?\s*(?P<text>.+)$|说[:：]?\s*(?P<zh>.+)$", re.IGNORECASE)
_SPEAKER_PRONOUN = re.compile(r"\b(?P<pronoun>she|her|he|him|his)\b", re.IGNORECASE)
_MUSIC = re.compile(r"\bmusic\b|\bscore\b|\bsong\b|soundtrack|melody|\bbgm\b|silence|silent|配乐|音乐", re.IGNORECASE)
_SOUND = re.compile(r"\bsounds?\b|noise|footsteps|\brain\b|thunder|\bwind\b|birds?|音效|声音", re.IGNORECASE)
_LONGER = re.compile(r"\blonger\b|\bslower\b|长一点|更长", re.IGNORECASE)
_SHORTER = re.compile(r"\bshorter\b|\bquicker\b|\bfaster\b|短一点|更短", re.IGNORECASE)
_NUMBER_WORDS = {
    "one": 1,
    "a": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "half a": 0.5,
    "a half": 0.5,
    "一": 1,
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
}
_SECONDS = re.compile(
    rf"(?P<seconds>\d+(?:\.\d+)?|{'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})\s*"
    r"(?:s|sec|secs|seconds?|秒(?:钟)?)(?!\w)\s*(?P<relative>longer|more|shorter|less|长|短)?",
    re.IGNORECASE,
)
_REQUEST_OPENER = re.compile(
    r"^(?:please\s+)?(?:make it|use|try|give it|change (?:it|the \w+) to|switch to)\s+(?:an?\s+)?", re.IGNORECASE
)
_FORGET = re.compile(
    r"\b(?:forget|drop|ignore|without|don't use|do not use|stop using|no longer use)\b|忘掉|忘记|不要参考|不要用|去掉",
    re.IGNORECASE,
)
_ALL_MEMORY = re.compile(r"\b(?:the |all )?(?:memory|memories)\b|记忆", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(
    r"\s*(?:[,;，；]|[.!?。！？](?=\s|$)|\b(?:and|but|also|then|plus)\b|并且|而且|然后|同时|还有)\s*", re.IGNORECASE
)
_FILLER_CLAUSE = re.compile(r"(?:\W|\b(?:please|thanks|thank you|now|so|too|as well|ok(?:ay)?)\b)*", re.IGNORECASE)
# Looks (light, colour, weather seen on screen) belong in the action text even when they name rain or wind.
_VISUAL = re.compile(
    r"\bdark\w*|\bbright\w*|\blight(?:s|ing|er)?\b|\bcolou?r|\bshadow|\bfog|\bmist|\bglow|\bgloom|\bsunn?y|\bhaz[ey]|"
    r"\bcontrast|\bsaturat|\bvivid|\bstorm\w*|\bheav(?:y|ier)|暗|亮|光|颜色|色调|雾",
    re.IGNORECASE,
)
_EXPLICIT_SOUND = re.compile(r"\bsounds?\b|noise|\baudio\b|\bhear\b|\bloud|\bquiet|音效|声音", re.IGNORECASE)
_FIELD_ORDER = ("camera", "dialogue", "music", "sound_effects", "duration_s", "action")
_FIELD_NAMES = {"sound_effects": "sound effects", "duration_s": "duration"}


def diagnose_feedback(shot: ShotBrief, feedback: str) -> RevisionDiagnosis:
    """Each clause of the feedback lands on one field; clauses on the same field are combined into one sentence."""
    parts: dict[str, list[str]] = {}
    dialogue: list[DialogueSpec] | None = None
    duration: float | None = None
    for clause in feedback_clauses(feedback):
        if (said := _new_dialogue(clause, shot, feedback)) is not None:
            dialogue = said
            clause = _without_speech(clause)
        if (wanted := _new_duration(clause, duration or shot.duration_s)) is not None:
            duration = wanted
        if (field := _field_of(clause)) is not None:
            parts.setdefault(field, []).append(clause)
        elif said is None and wanted is None and not _forgotten(clause, shot):
            parts.setdefault("action", []).append(clause)
    names = [card.name for card in shot.characters]
    changes: dict[str, object] = {field: _combined(field, texts, names) for field, texts in parts.items()}
    if "action" in changes and (previous := shot.action.strip()):
        changes["action"] = f"{previous} {changes['action']}"
    if dialogue is not None:
        changes["dialogue"] = dialogue
        needed = shot_seconds(sum(speech_seconds(line.text) for line in dialogue))
        current = duration or shot.duration_s
        duration = needed if needed > current else duration
    if duration is not None:
        changes["duration_s"] = nearest_frame_count(min(max(duration, 1.0), MAX_SHOT_S)) / FPS
    dropped = _forgotten(feedback, shot)
    if not changes and not dropped:  # only filler words ("please"): keep the feedback as a note on the action
        changes["action"] = " ".join(filter(None, [shot.action.strip(), as_sentence(feedback)]))
    named = [f"the {_FIELD_NAMES.get(field, field)}" for field in _FIELD_ORDER if field in changes]
    named += [f"the memory of {', '.join(dropped)}"] if dropped else []
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return RevisionDiagnosis(
        diagnosis=f"The feedback changes {listed}; everything else stays.", drop_memory_labels=dropped, **changes
    )


def feedback_clauses(text: str) -> list[str]:
    """The feedback split at 'and', 'also', 'then', commas, semicolons and sentence ends (并且/而且/，too), never
    inside a quoted line or after an unquoted 'says'; a one- or two-word fragment that names no field ("dark and
    moody music") is kept with the clause after it in the same sentence."""
    masked = text
    protected = [match.span() for match in _QUOTED.finditer(text)]
    if not protected and (said := _SAY.search(text)):
        protected.append((said.start(), len(text)))
    for start, end in protected:
        masked = masked[:start] + "\0" * (end - start) + masked[end:]
    spans, start = [], 0
    for match in [*_CLAUSE_BREAK.finditer(masked), None]:
        end = match.start() if match else len(text)
        clause = text[start:end].strip()
        if clause and not _FILLER_CLAUSE.fullmatch(clause):
            spans.append((start, end))
        start = match.end() if match else start
    glued: list[tuple[int, int]] = []
    for start, end in reversed(spans):
        if glued and _is_fragment(text[start:end]) and not re.search(r"[.!?;。！？；]", text[end : glued[-1][0]]):
            glued[-1] = (start, glued[-1][1])
        else:
            glued.append((start, end))
    return [text[start:end].strip() for start, end in reversed(glued)]


def _forgotten(text: str, shot: ShotBrief) -> list[str]:
    """Memory labels of the current take the text asks to forget: those it names, or all for 'forget the memory'."""
    labels = shot.take.memory if shot.take else []
    if not labels or not _FORGET.search(text):
        return []
    named = [label for label in labels if label.casefold() in text.casefold()]
    return named or (list(labels) if _ALL_MEMORY.search(text) else [])


def _is_fragment(clause: str) -> bool:
    """A word or two that change nothing on their own, like "dark" in "dark and moody music"."""
    if len(clause.split()) > 2 or has_cjk(clause) or _field_of(clause) is not None or _QUOTED.search(clause):
        return False
    return not (_SECONDS.search(clause) or _LONGER.search(clause) or _SHORTER.search(clause))


def _field_of(clause: str) -> str | None:
    if _CAMERA.search(clause):
        return "camera"
    if _MUSIC.search(clause):
        return "music"
    if _SOUND.search(clause) and (_EXPLICIT_SOUND.search(clause) or not _VISUAL.search(clause)):
        return "sound_effects"
    return None


def _combined(field: str, clauses: list[str], names: list[str]) -> str:
    """Clauses on one field as one sentence: 'Make it darker. Add fog' -> 'Make it darker and add fog.'; 'make it a'
    is dropped from a camera, music or sound cue but kept in the action ('Make it darker')."""
    opener = re.compile("$^") if field == "action" else _REQUEST_OPENER
    cleaned = [opener.sub("", clause.strip()).rstrip(".!?。！？ ") for clause in clauses]
    rest = [part if not part or part.split()[0] in names else part[:1].lower() + part[1:] for part in cleaned[1:]]
    return as_sentence(("，" if has_cjk(cleaned[0]) else " and ").join([cleaned[0], *rest]))


def _without_speech(clause: str) -> str:
    """The clause without the words someone says, so a line like "listen to the rain" is not read as a sound cue."""
    if _QUOTED.search(clause):
        return _QUOTED.sub("", clause)
    said = _SAY.search(clause)
    return clause[: said.start()] if said else clause


def _new_dialogue(clause: str, shot: ShotBrief, feedback: str) -> list[DialogueSpec] | None:
    quoted = _QUOTED.search(clause)
    said = _SAY.search(clause)
    if quoted is None and said is None:
        return None
    line = (quoted["text"] or quoted["single"]) if quoted else (said["text"] or said["zh"])
    line = line.strip().strip("\"“”'‘’「」")
    # the clause may say only 'say "hi"'; the speaker is then named elsewhere in the feedback
    named = _named_speakers(clause, shot.characters) or _named_speakers(feedback, shot.characters)
    current = shot.dialogue[0].speaker_name if shot.dialogue else ""
    speaker = named[0] if named else (current or (shot.characters[0].name if shot.characters else ""))
    if not speaker or not line:
        return None
    return [DialogueSpec(speaker=speaker, text=line)]


def _named_speakers(text: str, characters: list[CardBrief]) -> list[str]:
    """Names of the characters the text names (by name or id), else those a he/she pronoun fits by their card."""
    named = [
        card.name
        for card in characters
        if any(re.search(rf"(?<!\w){re.escape(ref)}(?!\w)", text) for ref in (card.name, card.char_id))
    ]
    if not named and (pronoun := _SPEAKER_PRONOUN.search(text)):
        wanted = "female" if pronoun["pronoun"].lower() in ("she", "her") else "male"
        named = [card.name for card in characters if _gender(card) == wanted]
    return named


def _gender(card: CardBrief) -> str:
    return stated_gender(card.name, None, " ".join([card.identity, card.voice]))


def _new_duration(clause: str, current: float) -> float | None:
    """The length the clause asks for ('6 seconds', 'two seconds longer', 'shorter'), or None."""
    if match := _SECONDS.search(clause):
        amount = match["seconds"].lower()
        seconds = float(amount) if amount[0].isdigit() else float(_NUMBER_WORDS[amount])
        relative = (match["relative"] or "").lower()
        if relative or _LONGER.search(clause) or _SHORTER.search(clause):
            shorter = relative in ("shorter", "less", "短") or (not relative and bool(_SHORTER.search(clause)))
            return current - seconds if shorter else current + seconds
        return seconds
    if _LONGER.search(clause):
        return current + 2.0
    if _SHORTER.search(clause):
        return current - 2.0
    return None
