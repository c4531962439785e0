"""Direct edits of one shot's fields (intent edit_shot), read from the message's shape with § for the shot: a line
of dialogue ('shot 2: Henri says "We leave at dawn."'), a length ('make shot 3 6 seconds long'), a labelled field
('shot 3 camera: slow dolly in'), who is in it ('shot 4 should have only Mae') and where ('move shot 4 to the
kitchen'). Anything else about a shot is free feedback for revise_shot."""

from __future__ import annotations

import re
from dataclasses import dataclass

from director.briefs import CardBrief, ProjectBrief, ShotLine
from director.offline.cannot import cannot
from director.offline.references import card_of, scenes_named, seconds_in
from director.offline.timing import MAX_SHOT_S
from director.schemas import DialogueSpec, RouteDecision, ShotEdit
from generator.text import as_sentence
from generator.types import MAX_CHARACTERS_PER_SHOT

_FIELDS = {
    "action": "action", "camera": "camera", "camera move": "camera", "camera movement": "camera",
    "dialogue": "dialogue", "dialog": "dialogue", "line": "dialogue", "lines": "dialogue", "music": "music",
    "bgm": "music", "sound effects": "sound_effects", "sound": "sound_effects", "sfx": "sound_effects",
    "scene": "scene", "location": "scene", "duration": "duration_s", "length": "duration_s",
    "动作": "action", "运镜": "camera", "机位": "camera", "镜头运动": "camera", "台词": "dialogue", "对白": "dialogue",
    "配乐": "music", "音乐": "music", "音效": "sound_effects", "场景": "scene", "地点": "scene", "时长": "duration_s",
    "长度": "duration_s",
}  # fmt: skip
_FIELD = "|".join(sorted(map(re.escape, _FIELDS), key=len, reverse=True))
_SET = r"(?:改为|改成|设为|设成|换成|变成|是|[:：=])"
_LABELLED = [
    re.compile(
        rf"^(?:in\s+|for\s+)?§\s*(?:'s\s+)?(?:[:：,]\s*)?(?P<field>{_FIELD})\s*[:：=]\s*(?P<value>.+)$",
        re.IGNORECASE | re.DOTALL,
    ),
    re.compile(
        rf"^(?:set|change|make)\s+(?:the\s+)?(?P<field>{_FIELD})\s+(?:of|in|for|on)\s+§\s*(?:to|:|into|=)\s*"
        r"(?P<value>.+)$",
        re.IGNORECASE | re.DOTALL,
    ),
    re.compile(rf"^(?:把|将)?§的?(?P<field>{_FIELD})\s*{_SET}\s*(?P<value>.+)$", re.DOTALL),
]
_WHO = r"[^\s:：,，\"“'‘「]+(?:\s[A-Z][\w'-]*)?"
_SAID = re.compile(
    rf"^(?P<who>{_WHO})\s*(?:(?:should|will|must|shall)\s+)?(?:says?|said|saying)\s*[:：,]?\s*(?P<line>.+)$|"
    r"^(?P<zh_who>[^\s:：,，\"“「]{1,12}?)(?:要|应该)?说\s*[:：]?\s*(?P<zh_line>.+)$|"
    rf"^(?P<colon_who>{_WHO})\s*[:：]\s*(?P<colon_line>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_SPOKEN_BY = re.compile(r"^(?:(?:make|have|let|让)\s*)?", re.IGNORECASE)
_QUOTED = re.compile(r"^[\"“'‘「](?P<text>.+?)[\"”'’」]\s*[.!?。！？]?$", re.DOTALL)
_SHOT_PREFIX = re.compile(r"^(?:in\s+|for\s+)?§\s*(?:[:：,，]\s*)?", re.IGNORECASE)
_DURATION = re.compile(
    r"^(?:(?:make|set|change|cut)\s+§\s+(?:to\s+|last\s+|run\s+|be\s+|into\s+)?|"
    r"§\s*(?:[:：,]|should be|should last|must be|is|lasts?|to)?\s*)(?P<amount>[\w.]+\s*(?:s|secs?|seconds?))"
    r"(?:\s+long)?$|^(?:把|将)?§(?:的时长|的长度)?(?:改成|改为|设为|设成|变成|调成|调到|改到)?\s*(?P<zh>\S+?秒钟?)长?$",
    re.IGNORECASE,
)
_ONLY = re.compile(
    r"^§\s*(?:should\s+(?:have|show)|has|shows|with|[:：,])?\s*(?:only|just)\s+(?P<who>.+)$|"
    r"^(?:only|just|keep only)\s+(?P<who_first>.+?)\s+(?:in|for)\s+§$|^§(?:里|中)?只(?:有|要|留|保留)(?P<zh>.+)$",
    re.IGNORECASE,
)
_WITHOUT = re.compile(
    r"^(?:remove|take|drop|cut)\s+(?P<who>.+?)\s+(?:out\s+)?(?:of|from)\s+§$|"
    r"^(?:把|将)(?P<zh>.+?)从§(?:里|中)?(?:去掉|删除|移除|拿掉)$|^§(?:里|中)?(?:去掉|删除|移除|拿掉)(?P<zh_after>.+)$",
    re.IGNORECASE,
)
_WITH = re.compile(
    r"^(?:add|put|bring)\s+(?P<who>.+?)\s+(?:in|into|to)\s+§$|"
    r"^(?:把|将)(?P<zh>.+?)(?:加到|加入|放到|放进)§(?:里|中)?$|^(?:在)?§(?:里|中)?(?:加上|加入|添加)(?P<zh_after>.+)$",
    re.IGNORECASE,
)
_SCENE_MOVE = re.compile(
    r"^(?:move|relocate)\s+§\s+(?:to|into)\s+(?:the\s+)?(?P<scene>.+)$|"
    r"^(?:把|将)§(?:移到|挪到|放到|换到|改到|搬到)(?P<zh>.+?)(?:里|中|去)?$",
    re.IGNORECASE,
)
_SCENE_SET = re.compile(
    r"^(?:set|put)\s+§\s+(?:in|at)\s+(?:the\s+)?(?P<scene>.+)$|"
    r"^§\s*(?:should\s+(?:be|take place|happen)|takes place|happens|is)\s+(?:in|at)\s+(?:the\s+)?(?P<scene_2>.+)$|"
    r"^§(?:换到|改到|改在|放在|发生在)(?P<zh>.+?)(?:里|中)?$",
    re.IGNORECASE,
)
_NAMES_SPLIT = re.compile(r"\s*(?:,|，|、|&|\band\b|和|与)\s*", re.IGNORECASE)


Reader = ShotEdit | RouteDecision | None


@dataclass(frozen=True)
class Said:
    """A line someone says in a message: the speaker's card (None when not named) and the words."""

    speaker: CardBrief | None
    text: str


def shot_edit_decision(command: str, shape: str, number: int | None, brief: ProjectBrief) -> RouteDecision | None:
    """edit_shot for a direct change of shot `number` (the one § in `shape`), `cannot` for one no shot can take,
    None for free feedback."""
    shot = next((shot for shot in brief.shots if shot.number == number), None)
    for reader in (_labelled, _dialogue, _duration, _cast, _scene):
        result = reader(shape, shot, brief)
        if isinstance(result, RouteDecision):
            return result.model_copy(update={"shot_number": number})
        if result is not None:
            return RouteDecision(intent="edit_shot", shot_number=number, shot_edit=result, feedback=command)
    return None


def _said_line(text: str, brief: ProjectBrief) -> Said | None:
    """'Henri says "We leave at dawn."', 'ID_B says: we leave', 'Henri说：“出发。”' -> who and what; a quoted
    line is kept verbatim, an unquoted one becomes a sentence."""
    match = _SAID.match(text.strip())
    if match is None:
        return None
    who = _SPOKEN_BY.sub("", match["who"] or match["zh_who"] or match["colon_who"])
    text = _line_text(match["line"] or match["zh_line"] or match["colon_line"])
    return Said(card_of(who, brief), text) if text else None


def _line_text(words: str) -> str | None:
    """A quoted line verbatim, an unquoted one as a sentence; None for words around a quote (more than a line)."""
    words = words.strip()
    if quoted := _QUOTED.match(words):
        return quoted["text"].strip()
    return None if re.search(r"[\"“”「」]", words) or words[:1] in ("'", "‘") else as_sentence(words)


def _unquoted(text: str) -> str:
    quoted = _QUOTED.match(text.strip())
    return (quoted["text"] if quoted else text).strip()


def _labelled(shape: str, shot: ShotLine | None, brief: ProjectBrief) -> Reader:
    match = next((m for pattern in _LABELLED if (m := pattern.match(shape))), None)
    if match is None:
        return None
    field = _FIELDS[match["field"].lower()]
    if field == "dialogue":
        said = _said_line(match["value"], brief) or Said(None, _line_text(match["value"]) or "")
        return _spoken(said, shot, brief) if said.text else None
    value = _unquoted(match["value"])
    if not value:
        return None
    if field == "duration_s":
        seconds = seconds_in(value) or _plain_number(value)
        return _lasting(seconds) if seconds is not None else None
    if field == "scene":
        return ShotEdit(scene=_scene_name(value, brief))
    if field == "camera":
        return ShotEdit(camera=value.rstrip(".。"))
    return ShotEdit(**{field: as_sentence(value)})


def _dialogue(shape: str, shot: ShotLine | None, brief: ProjectBrief) -> Reader:
    said = _said_line(_SHOT_PREFIX.sub("", shape, count=1), brief) if _SHOT_PREFIX.match(shape) else None
    if said is None or said.speaker is None:
        return None  # "she says ..." names nobody: free feedback
    return _spoken(said, shot, brief)


def _spoken(said: Said, shot: ShotLine | None, brief: ProjectBrief) -> ShotEdit | None:
    speaker = said.speaker or _first_speaker(shot, brief)
    if speaker is None:
        return None
    return ShotEdit(dialogue=[DialogueSpec(speaker=speaker.name, text=said.text)])


def _duration(shape: str, shot: ShotLine | None, brief: ProjectBrief) -> Reader:
    match = _DURATION.match(shape)
    if match is None:
        return None
    seconds = seconds_in(match["amount"] or match["zh"])
    return _lasting(seconds) if seconds is not None else None


def _lasting(seconds: float) -> ShotEdit | RouteDecision:
    if 0 < seconds <= MAX_SHOT_S:
        return ShotEdit(duration_s=seconds)
    return cannot(
        f"A shot lasts at most {MAX_SHOT_S:.2f} s, so it cannot be {seconds:g} s long.",
        "Shot inspector",
        hint="Split the action over two shots: shorten this one and 'add a shot after shot N: ...'.",
        llm=False,
    )


def _cast(shape: str, shot: ShotLine | None, brief: ProjectBrief) -> Reader:
    current = [card for char_id in (shot.characters if shot else []) if (card := brief.character(char_id))]
    if match := _ONLY.match(shape):
        wanted = _cards(match["who"] or match["who_first"] or match["zh"], brief)
    elif match := _WITHOUT.match(shape):
        removed = _cards(match["who"] or match["zh"] or match["zh_after"], brief)
        wanted = None if removed is None else [card for card in current if card not in removed]
    elif match := _WITH.match(shape):
        added = _cards(match["who"] or match["zh"] or match["zh_after"], brief)
        wanted = None if added is None else current + [card for card in added if card not in current]
    else:
        return None
    if wanted is None:
        return None
    if shot is not None and wanted == current:
        who = " and ".join(card.name for card in current) or "nobody"
        return cannot(f"Shot {shot.number} already shows {who}.")
    if len(wanted) > MAX_CHARACTERS_PER_SHOT:
        names = ", ".join(card.name for card in wanted)
        return cannot(
            f"A shot shows at most {MAX_CHARACTERS_PER_SHOT} characters; this one would have {len(wanted)} ({names}).",
            "Shot inspector",
            hint="Take someone out first ('remove Henri from shot 4'), or give them a shot of their own.",
            llm=False,
        )
    return ShotEdit(characters=[card.name for card in wanted])


def _scene(shape: str, shot: ShotLine | None, brief: ProjectBrief) -> Reader:
    if match := _SCENE_MOVE.match(shape):
        return ShotEdit(scene=_scene_name(match["scene"] or match["zh"], brief))
    match = _SCENE_SET.match(shape)
    known = scenes_named(match["scene"] or match["scene_2"] or match["zh"], brief) if match else []
    return ShotEdit(scene=known[0].name) if known else None


def _cards(text: str, brief: ProjectBrief) -> list[CardBrief] | None:
    """Every card a list of names refers to ('Mae and Henri', 'ID_A、ID_B'), or None if one is no card."""
    cards = [card_of(part, brief) for part in _NAMES_SPLIT.split(text.strip(" .。!！")) if part]
    return None if not cards or None in cards else [card for card in cards if card is not None]


def _scene_name(text: str, brief: ProjectBrief) -> str:
    """The scene named in the text, or the text itself: the graph names the scenes there are when it is none."""
    cleaned = re.sub(r"^(?:the|a|an)\s+", "", text.strip(" .。!！"), flags=re.IGNORECASE)
    known = brief.scene(cleaned) or next(iter(scenes_named(cleaned, brief)), None)
    return known.name if known else cleaned


def _first_speaker(shot: ShotLine | None, brief: ProjectBrief) -> CardBrief | None:
    """Who says an unattributed line: whoever speaks first in the shot now, else its first character."""
    if shot is None:
        return None
    if shot.first_line and (speaker := brief.character(shot.first_line.split(":", 1)[0])):
        return speaker
    return next((card for char_id in shot.characters if (card := brief.character(char_id))), None)


def _plain_number(text: str) -> float | None:
    try:
        return float(text.strip())
    except ValueError:
        return None
