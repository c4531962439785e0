"""A pasted screenplay, followed faithfully: its scenes, its characters, its dialogue verbatim, split into shots.

Understands scene headings (`INT. CASTLE LIBRARY - NIGHT`, `EXT. ...`, `内景 ...`), character cues in capitals
followed by their lines, `NAME: line` dialogue, an optional `Title:` line, and action lines. A parenthetical that
describes someone ("(70s, yellow raincoat)") and the line that introduces them ("LIN MEI, a tea-house owner, ...")
feed their card; in the shots' actions they are called by name alone, and a scene card describes its place, not the
people in it. Shots hold at most two characters and about 9 s of speech; long speeches continue in the next shot.
Its story draft lists the speaking characters, the scenes' places and the action lines as beats.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from director.offline.cast import find_roles
from director.offline.cast_cards import EAST_ASIAN, GARMENT, CastMember, cast_cards, with_article
from director.offline.story import zh_time
from director.offline.story_concept import tone_in
from director.offline.timing import MAX_SPEECH_S, shot_seconds, speech_seconds, split_speech
from director.offline.vocabulary import AGE_WORDS, CAMERAS, PLACE_WORDS, PLACES, WORDS, ZH, Tone, find_words, pick
from director.offline.zh_cards import zh_cast_cards
from director.schemas import CastEntry, DialogueSpec, SceneSpec, ShotPlanDraft, ShotSpec, StoryDraft
from generator.errors import EchoError
from generator.text import has_cjk

_HEADING = re.compile(
    r"^(?:(?P<kind>INT\./EXT\.|INT/EXT\.?|I/E\.?|INT\.?|EXT\.?|EST\.?)\s+|(?P<zh>内景|外景|场景)\s*[.。:：]?\s*)"
    r"(?P<place>.+?)(?:\s*(?:\s-+\s|—|–|，|,)\s*(?P<time>[^-—–，,]+))?\s*$",
    re.IGNORECASE,
)
_CUE = re.compile(r"^(?P<name>[A-Z][A-Z0-9 .'\-]{0,30}?)\s*(?:\((?P<note>[^)]*)\))?\s*$")
_COLON_LINE = re.compile(
    r"^(?P<name>[A-Z][\w.'\-]*(?: [A-Z][\w.'\-]*){0,2}|[\u4e00-\u9fff]{1,4})"
    r"\s*(?:\((?P<note>[^)]*)\)|（(?P<zh_note>[^）]*)）)?\s*[:：]\s*(?P<text>.+)$"
)
_TITLE = re.compile(r"^(?:title|标题)\s*[:：]\s*(?P<title>.+)$", re.IGNORECASE)
_PARENTHETICAL = re.compile(r"^[(（].*[)）]$")
_NOT_SPEAKERS = frozenset(WORDS["not_speakers"])
_ZH_TIMES: dict[str, str] = WORDS["zh_times"]
_ZH_SCREENPLAY: dict = ZH["screenplay"]
_TWO_SPEAKER_CAMERAS = ["over-the-shoulder shot", "static medium two-shot", "slow push-in from a wide shot"]
_SPEAKER_CAMERAS = ["close-up with shallow depth of field", "slow push-in from a wide shot", "handheld medium shot"]


@dataclass
class Beat:
    text: str
    speaker: str = ""  # empty for an action line


@dataclass
class ParsedScene:
    name: str
    location: str
    time_of_day: str
    interior: bool | None
    beats: list[Beat] = field(default_factory=list)
    written_time: str = ""  # a Chinese heading's time as written ('清晨'; time_of_day holds 'dawn')


@dataclass
class Screenplay:
    title: str
    scenes: list[ParsedScene]
    characters: list[str]  # display names, in order of appearance
    notes: dict[str, str] = field(default_factory=dict)  # what a parenthetical says of someone: "70s, yellow raincoat"

    @property
    def zh(self) -> bool:
        """Whether its prose (headings and action lines, not the dialogue) is Chinese, so the story, cards, scenes
        and shots are written in Chinese too."""
        prose = [scene.location for scene in self.scenes]
        prose += [beat.text for scene in self.scenes for beat in scene.beats if not beat.speaker]
        return has_cjk(" ".join(prose))


def parse_screenplay(text: str) -> Screenplay | None:
    """The screenplay in `text`, or None when the text is not one (no heading and fewer than two dialogue lines)."""
    title = ""
    scenes: list[ParsedScene] = []
    characters: list[str] = []
    speaker = ""
    lines = text.replace("\r\n", "\n").split("\n")
    dialogue_lines = 0
    notes: dict[str, str] = {}
    for raw in lines:
        line = raw.strip()
        if not line:
            speaker = ""
            continue
        if (match := _TITLE.match(line)) and not title:
            title = match["title"].strip()
            continue
        if heading := _parse_heading(line):
            scenes.append(heading)
            speaker = ""
            continue
        scene = scenes[-1] if scenes else None
        if scene is None:
            scene = ParsedScene(name="", location="", time_of_day="", interior=None)
            scenes.append(scene)
        if speaker:
            if _PARENTHETICAL.match(line):
                _note(notes, speaker, line[1:-1])
            else:
                scene.beats.append(Beat(line, speaker))
                dialogue_lines += 1
            continue
        if (cue := _CUE.match(line)) and _is_speaker(cue["name"]) and not line.endswith((".", "!", "?")):
            speaker = _display_name(cue["name"].strip(), characters)
            _note(notes, speaker, cue["note"] or "")
            continue
        if (colon := _COLON_LINE.match(line)) and _is_speaker(colon["name"]):
            name = _display_name(colon["name"].strip(), characters)
            _note(notes, name, colon["note"] or colon["zh_note"] or "")
            scene.beats.append(Beat(colon["text"].strip(), name))
            dialogue_lines += 1
            continue
        scene.beats.append(Beat(line))
    has_heading = any(scene.name for scene in scenes)
    if not has_heading and dialogue_lines < 2:
        return None
    scenes = [scene for scene in scenes if scene.name or scene.beats]
    _name_unnamed_scenes(scenes)
    return Screenplay(title=title, scenes=scenes, characters=characters, notes=notes)


def _note(notes: dict[str, str], name: str, note: str) -> None:
    """Keep the first parenthetical that describes the character ('70s, yellow raincoat'), not a delivery
    ('whispering', 'V.O.')."""
    describes = re.search(rf"\d|{GARMENT}|[\u4e00-\u9fff]", note, re.IGNORECASE) or find_words(note, AGE_WORDS.items())
    if note.strip() and describes and name not in notes:
        notes[name] = note.strip()


def story_from_screenplay(text: str, screenplay: Screenplay) -> StoryDraft:
    """The draft of a pasted screenplay, which it keeps verbatim: a summary, the characters as the action lines
    introduce them, each scene's place and time, and the events in order."""
    scenes = [scene.name for scene in screenplay.scenes]
    zh = screenplay.zh
    return StoryDraft(
        title=(screenplay.title or scenes[0])[:200],
        description=_summary(screenplay, zh),
        style=tone_in(text).style_in("zh" if zh else "en"),
        screenplay=text,
        language="zh" if has_cjk(text) else "en",
        cast=[CastEntry(name=name, description=_introduction(name, screenplay)) for name in screenplay.characters],
        places=list(dict.fromkeys(_place_entry(scene, zh) for scene in screenplay.scenes if scene.location)),
        beats=[event for scene in screenplay.scenes for event in _events(scene, zh)],
    )


def _summary(screenplay: Screenplay, zh: bool) -> str:
    """'A screenplay in 2 scenes (Tea House, Street) with June, Lin Mei. It opens: ...', or the same in Chinese."""
    scenes = [scene.name for scene in screenplay.scenes]
    opening = next((beat.text for scene in screenplay.scenes for beat in scene.beats if not beat.speaker), "")
    if zh:
        words = _ZH_SCREENPLAY
        people = "、".join(screenplay.characters) or words["nobody"]
        summary = words["summary"].format(count=len(scenes), scenes="、".join(scenes), people=people)
        return summary + (words["opens"].format(opening=opening) if opening else "")
    return (
        f"A screenplay in {len(scenes)} scene{'s' if len(scenes) != 1 else ''} ({', '.join(scenes)}) with "
        f"{', '.join(screenplay.characters) or 'no speaking characters'}."
        + (f" It opens: {opening}" if opening else "")
    )


def plan_from_screenplay(screenplay: Screenplay, num_shots: int | None, tone: Tone, seed: str) -> ShotPlanDraft:
    """Shots that follow the screenplay in order; `num_shots` (when given) is met by splitting or merging shots."""
    zh = screenplay.zh
    scene_specs = _scene_specs(screenplay.scenes, screenplay.characters, zh)
    shots: list[_DraftShot] = []
    for scene, spec in zip(screenplay.scenes, scene_specs, strict=True):
        shots.extend(_split_scene(scene, spec.name, screenplay.characters))
    if num_shots is not None:
        shots = _fit_count(shots, num_shots, scene_specs, zh)
    present = [name for name in screenplay.characters if any(name in shot.characters for shot in shots)]
    introductions = {name: _introduction(name, screenplay) for name in present}
    if zh:
        characters = zh_cast_cards([_zh_member(name, introductions[name]) for name in present], seed)
    else:
        members = [_member(name, introductions[name]) for name in present]
        east_asian = has_cjk(" ".join(screenplay.characters))
        characters = cast_cards(members, seed, EAST_ASIAN if east_asian else "", introductions)
    finished = _finish(shots, scene_specs, tone, seed, screenplay.characters, zh)
    return ShotPlanDraft(characters=characters, scenes=scene_specs, shots=finished)


@dataclass
class _DraftShot:
    scene: str
    actions: list[str] = field(default_factory=list)
    lines: list[DialogueSpec] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    kind: str = "story"  # or "establishing" / "reaction": shots added to reach the requested count

    @property
    def speech_s(self) -> float:
        return sum(speech_seconds(line.text) for line in self.lines)

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(line.speaker for line in self.lines))


def _parse_heading(line: str) -> ParsedScene | None:
    match = _HEADING.match(line)
    if match is None or (
        match["kind"] and match["kind"].upper().rstrip(".") not in {"INT", "EXT", "INT./EXT", "INT/EXT", "I/E", "EST"}
    ):
        return None
    if match["kind"] and not line[:3].isupper():
        return None
    place = match["place"].strip(" .")
    time = (match["time"] or "").strip(" .")
    written = time if match["zh"] else ""
    if match["zh"]:
        time = next((english for word, english in _ZH_TIMES.items() if word in time), time)
        interior = {"内景": True, "外景": False}.get(match["zh"])
    else:
        interior = not match["kind"].upper().startswith("EXT")
    name = place if has_cjk(place) else place.title()
    location = place if has_cjk(place) else place.lower()
    return ParsedScene(name, location, time.lower(), interior, written_time=written)


def _place_entry(scene: ParsedScene, zh: bool) -> str:
    if zh:
        return "，".join(part for part in (scene.location, _time_in(scene, zh)) if part)
    return ", ".join(part for part in (scene.location, scene.time_of_day) if part)


def _time_in(scene: ParsedScene, zh: bool) -> str:
    """The scene's time of day in the prose language: a Chinese heading's own words ('清晨'), else translated."""
    return (scene.written_time or zh_time(scene.time_of_day)) if zh and scene.time_of_day else scene.time_of_day


def _events(scene: ParsedScene, zh: bool) -> list[str]:
    """The scene's action lines; a scene of dialogue only is told by its first line."""
    actions = [beat.text for beat in scene.beats if not beat.speaker]
    spoken = [f"{beat.speaker}{'：' if zh else ': '}{beat.text}" for beat in scene.beats if beat.speaker]
    return actions or spoken[:1]


def _is_speaker(name: str) -> bool:
    words = name.split()
    return (
        bool(words)
        and len(words) <= 3
        and name.upper().strip(" .") not in _NOT_SPEAKERS
        and any(char.isalpha() for char in name)
    )


def _display_name(name: str, characters: list[str]) -> str:
    display = name.title() if name.isupper() and not has_cjk(name) else name
    if display not in characters:
        characters.append(display)
    return display


def _name_unnamed_scenes(scenes: list[ParsedScene]) -> None:
    for number, scene in enumerate(scenes, start=1):
        if not scene.name:
            scene.name = f"Scene {number}"


def _scene_specs(scenes: list[ParsedScene], characters: list[str], zh: bool) -> list[SceneSpec]:
    """Each scene's card: its place and time, what such a place looks like, and the action lines' sentences that
    describe it (none that are about its people)."""
    specs: list[SceneSpec] = []
    for scene in scenes:
        actions = " ".join(beat.text for beat in scene.beats if not beat.speaker)
        hits = find_words(scene.location, PLACE_WORDS) or find_words(actions, PLACE_WORDS)
        setting = [part for part in re.split(r"(?<=[.!?。！？])\s*", actions) if part and not _about(part, characters)]
        parts = _zh_scene_opening(scene, hits) if zh else _scene_opening(scene, hits)
        description = ("" if zh else " ").join(part for part in [*parts, *setting[:2]] if part) or f"{scene.name}."
        specs.append(SceneSpec(name=scene.name, location=scene.location or scene.name,
                               time_of_day=_time_in(scene, zh), description=description))  # fmt: skip
    return specs


def _scene_opening(scene: ParsedScene, hits: list) -> list[str]:
    """'Interior bakery, dawn.' and what such a place looks like."""
    side = {True: "Interior", False: "Exterior", None: ""}[scene.interior]
    where = " ".join(part for part in [side, scene.location] if part)
    look = PLACES[hits[0][2]].description if hits else ""
    heading = f"{where}, {scene.time_of_day}." if scene.time_of_day else f"{where}." if where else ""
    return [heading, f"{look[:1].upper()}{look[1:]}." if look else ""]


def _zh_scene_opening(scene: ParsedScene, hits: list) -> list[str]:
    """'内景面包店，清晨：摆满刚出炉面包的小面包店，柜台上沾着面粉。'"""
    side = {True: "interior", False: "exterior", None: ""}[scene.interior]
    where = "".join([_ZH_SCREENPLAY["sides"].get(side, ""), scene.location])
    time = _time_in(scene, True)
    look = _zh_place_words(hits, scene)[0]
    return [f"{where}，{time}：{look}。" if time else f"{where}：{look}。"]


def _zh_place_words(hits: list, scene: ParsedScene) -> tuple[str, str]:
    """What the place looks like and sounds like, in Chinese: the place's own words, else an interior's or an
    exterior's."""
    noun = hits[0][2] if hits else ""
    if noun in ZH["places"]:
        return ZH["places"][noun][0], ZH["places"][noun][1]
    look, sound = ZH["exterior" if scene.interior is False else "interior"]
    return look.format(place=scene.location or scene.name), sound


def _about(sentence: str, characters: list[str]) -> bool:
    """Whether the sentence is about someone: it names them or starts with he, she or they."""
    if re.match(r"(?:he|she|they|his|her|their|他|她)\b", sentence, re.IGNORECASE):
        return True
    return any(name in sentence if has_cjk(name) else re.search(rf"\b{re.escape(name)}\b", sentence, re.IGNORECASE)
               for name in characters)  # fmt: skip


def _named(action: str, characters: list[str]) -> str:
    """The action with each character called by name alone: 'LIN MEI, a tea-house owner, wipes' -> 'Lin Mei wipes'."""
    for name in characters:
        spellings = "|".join(dict.fromkeys(map(re.escape, (name.upper(), name))))
        gap = "" if has_cjk(name) else " "
        introduced = (rf"(?<!\w)(?:{spellings})\s*(?:\(\d{{1,3}}\))?\s*[,，]\s*"
                      r"(?:(?:an?|the)\s[^.,;!?]+|一[个位只][^，。,]+)[,，]\s*")  # fmt: skip
        action = re.sub(introduced, name + gap, action)
        action = re.sub(rf"(?<!\w)(?:{spellings})\s*\(\d{{1,3}}\)", name, action)
        action = (
            re.sub(rf"(?<![\w]){re.escape(name.upper())}(?![\w])", name, action) if name.upper() != name else action
        )
    return action


def _split_scene(scene: ParsedScene, scene_name: str, characters: list[str]) -> list[_DraftShot]:
    shots: list[_DraftShot] = []
    current = _DraftShot(scene_name)
    for beat in scene.beats:
        if not beat.speaker:
            if current.lines:
                shots.append(current)
                current = _DraftShot(scene_name)
            current.actions.append(beat.text)
            continue
        for piece in split_speech(beat.text):
            crowded = len({*current.speakers, beat.speaker}) > 2
            too_long = current.speech_s + speech_seconds(piece) > MAX_SPEECH_S
            if current.lines and (crowded or too_long):
                shots.append(current)
                current = _DraftShot(scene_name)
            current.lines.append(DialogueSpec(speaker=beat.speaker, text=piece))
    if current.lines or current.actions or not shots:
        shots.append(current)
    for shot in shots:
        shot.characters = _shot_characters(shot, characters)
    return shots


def _shot_characters(shot: _DraftShot, characters: list[str]) -> list[str]:
    """Speakers first, then characters the action names, at most two."""
    present = shot.speakers
    action = " ".join(shot.actions)
    for name in characters:
        if name not in present and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", action, re.IGNORECASE):
            present.append(name)
    return present[:2]


def _fit_count(shots: list[_DraftShot], wanted: int, scenes: list[SceneSpec], zh: bool) -> list[_DraftShot]:
    shots = list(shots)
    while len(shots) > wanted:
        merge_at = _best_merge(shots)
        if merge_at is None:
            raise EchoError(
                f"this screenplay needs at least {len(shots)} shots to keep at most two characters and about 9 s of "
                f"speech per shot; ask for {len(shots)} or more shots (or leave the number out)"
            )
        left, right = shots[merge_at], shots.pop(merge_at + 1)
        left.actions += right.actions
        left.lines += right.lines
        left.characters = list(dict.fromkeys(left.characters + right.characters))[:2]
    while len(shots) < wanted:
        shots = _add_one_shot(shots, scenes, zh)
    return shots


def _best_merge(shots: list[_DraftShot]) -> int | None:
    candidates = [
        (left.speech_s + right.speech_s, index)
        for index, (left, right) in enumerate(itertools.pairwise(shots))
        if left.scene == right.scene
        and len({*left.characters, *right.characters}) <= 2
        and left.speech_s + right.speech_s <= MAX_SPEECH_S
    ]
    return min(candidates)[1] if candidates else None


def _add_one_shot(shots: list[_DraftShot], scenes: list[SceneSpec], zh: bool) -> list[_DraftShot]:
    """Split the busiest shot in two; else open a scene with an establishing shot; else add a silent reaction."""
    splittable = [
        (len(shot.lines) + len(shot.actions), index)
        for index, shot in enumerate(shots)
        if len(shot.lines) >= 2 or (len(shot.actions) >= 2 and not shot.lines)
    ]
    if splittable:
        index = max(splittable)[1]
        shot = shots[index]
        if shot.lines:
            half = len(shot.lines) // 2
            parts = (shot.actions, shot.lines[:half]), ([], shot.lines[half:])
        else:
            half = (len(shot.actions) + 1) // 2
            parts = (shot.actions[:half], []), (shot.actions[half:], [])
        split = [_DraftShot(shot.scene, actions, lines, shot.characters) for actions, lines in parts]
        return [*shots[:index], *split, *shots[index + 1 :]]
    for scene in scenes:
        first = next(index for index, shot in enumerate(shots) if shot.scene == scene.name)
        if shots[first].kind != "establishing":
            place = scene.location or scene.name
            view = _ZH_SCREENPLAY["full_view"].format(place=place) if zh else f"The {place} in full view."
            opening = _DraftShot(scene.name, [view], kind="establishing")
            return [*shots[:first], opening, *shots[first:]]
    followed = {index - 1 for index, shot in enumerate(shots) if shot.kind == "reaction"}
    speaking = [index for index, shot in enumerate(shots) if shot.lines and index not in followed] or [len(shots) - 1]
    index = max(speaking, key=lambda position: (shots[position].speech_s, -position))
    source = shots[index]
    listener = source.characters[-1:]
    who = listener[0] if listener else _ZH_SCREENPLAY["everyone"] if zh else "Everyone"
    moment = _ZH_SCREENPLAY["reaction"].format(who=who) if zh else f"{who} takes a silent moment as the words sink in."
    reaction = _DraftShot(source.scene, [moment], [], listener, "reaction")
    return [*shots[: index + 1], reaction, *shots[index + 1 :]]


def _finish(
    shots: list[_DraftShot], scenes: list[SceneSpec], tone: Tone, seed: str, characters: list[str], zh: bool
) -> list[ShotSpec]:
    finished: list[ShotSpec] = []
    previous_camera = ""
    for number, shot in enumerate(shots):
        camera = _camera(shot, number, seed, previous_camera, zh)
        previous_camera = camera
        stage = min(2, number * 3 // max(1, len(shots)))
        finished.append(
            ShotSpec(
                scene=shot.scene,
                characters=shot.characters,
                action=_named(" ".join(shot.actions), characters) or _talk_action(shot),
                dialogue=shot.lines,
                camera=camera,
                duration_s=shot_seconds(shot.speech_s, minimum_s=4.0 if not shot.lines else 3.0),
                sound_effects=_sound_for(next(scene for scene in scenes if scene.name == shot.scene), zh),
                music=f"{tone.zh_music[stage]}。" if zh else tone.music[stage],
            )
        )
    return finished


def _talk_action(shot: _DraftShot) -> str:
    zh = has_cjk(" ".join(shot.characters))
    if len(shot.characters) == 2:
        a, b = shot.characters
        return f"{a}和{b}面对面交谈。" if zh else f"{a} and {b} talk face to face."
    if shot.characters:
        return f"{shot.characters[0]}开口说话。" if zh else f"{shot.characters[0]} speaks."
    return "画面静止片刻。" if zh else "The scene holds still."


def _camera(shot: _DraftShot, number: int, seed: str, previous: str, zh: bool) -> str:
    if number == 0:
        return ZH["establishing_camera"] if zh else "static wide establishing shot"
    if len(shot.speakers) == 2:
        options = _ZH_SCREENPLAY["two_speakers_cameras"] if zh else _TWO_SPEAKER_CAMERAS
    elif shot.lines:
        options = _ZH_SCREENPLAY["speaker_cameras"] if zh else _SPEAKER_CAMERAS
    else:
        options = ZH["cameras"] if zh else CAMERAS
    camera = pick(options, seed, number)
    return camera if camera != previous else options[(options.index(camera) + 1) % len(options)]


def _sound_for(scene: SceneSpec, zh: bool) -> str:
    hits = find_words(f"{scene.location} {scene.name}", PLACE_WORDS)
    if zh:
        interior = not scene.description.startswith(_ZH_SCREENPLAY["sides"]["exterior"])
        return _zh_place_words(hits, ParsedScene(scene.name, scene.location, "", interior))[1] + "。"
    if hits:
        return PLACES[hits[0][2]].sound.capitalize() + "."
    return "Quiet room tone." if scene.description.startswith("Interior") else "Soft wind and distant ambience."


def _member(name: str, introduction: str) -> CastMember:
    roles = find_roles(introduction)
    return CastMember(name, roles[0][2] if roles else None, "", named=True)


def _zh_member(name: str, introduction: str) -> CastMember:
    """A Chinese screenplay's character, introduced in its own words: '一个年轻的面包师' -> '年轻的面包师'."""
    roles = find_roles(introduction)
    return CastMember(name, roles[0][2] if roles else None, re.sub(r"^一[个位只名]", "", introduction), named=True)


def _introduction(name: str, screenplay: Screenplay) -> str:
    """What the screenplay says of the character: the appositive after their first mention in an action line
    ('MIRA (17), a young apprentice', '小美，一个年轻的面包师') and what their parenthetical states ('70s, yellow
    raincoat' -> '70s, in a yellow raincoat')."""
    pattern = re.compile(
        rf"(?<!\w){re.escape(name)}(?!\w)\s*(?:\((?P<age>\d{{1,3}})\))?\s*[,，]\s*"
        r"(?P<what>(?:an?|the)\s[^.,;!?]+|一[个位只][^，。,]+)",
        re.IGNORECASE,
    )
    said = next(
        (match for scene in screenplay.scenes for beat in scene.beats if not beat.speaker
         and (match := pattern.search(beat.text))),
        None,
    )  # fmt: skip
    parts = [f"{said['age']} years old" if said and said["age"] else "", said["what"].strip() if said else ""]
    parts += [_worn_part(part.strip()) for part in re.split(r"[,，]", screenplay.notes.get(name, ""))]
    return ("，" if has_cjk(name + "".join(parts)) else ", ").join(part for part in parts if part)


def _worn_part(part: str) -> str:
    garment = re.search(GARMENT, part, re.IGNORECASE)
    if not garment or re.match(r"(?:in|wearing|with)\s", part, re.IGNORECASE) or has_cjk(part):
        return part
    return f"in {part}" if re.match(r"(?:an?|the|his|her)\s", part, re.IGNORECASE) else f"in {with_article(part)}"
