"""Offline answers to the creator's questions, from the project brief: what a shot shows or remembered, who a
character is (or what they wear, look or sound like, where they appear), a scene, the story, progress, the cast."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from director.briefs import CardBrief, ProjectBrief, SceneBrief, ShotLine
from director.offline.references import scenes_named, shot_refs, target_card
from generator.text import clip

STORY_CHARS = 700
_INTERROGATIVE = re.compile(
    r"^(?:what|what's|whats|who|who's|whom|whose|which|how|why|when|where|is|are|was|were|does|do|did|has|"
    r"can i|could i|should i|am i|tell me|describe|explain|show me|list|remind me)\b|^(?:help|帮助)$|"
    r"什么|谁|哪|几个|多少|怎么样|怎样|为什么|是否|介绍|吗\s*[?？]?\s*$|呢\s*[?？]?\s*$",
    re.IGNORECASE,
)
_MEMORY = re.compile(r"\bremember|\bmemor(?:y|ies)\b|\brecall|记住|记忆|记得", re.IGNORECASE)
_CLOTHING = re.compile(r"\bwear|\bclothes\b|\bclothing\b|\boutfit\b|\bdressed\b|\bcostume\b|穿", re.IGNORECASE)
_VOICE = re.compile(r"\bvoice\b|\bsound(?:s)? like\b|\bspeak|\baccent\b|声音|嗓音", re.IGNORECASE)
_LOOKS = re.compile(r"\blooks? like\b|\bappearance\b|\bface\b|\bhair\b|\beyes\b|长什么样|样子|外貌|长相", re.I)
_APPEARS = re.compile(r"\bwhich shots?\b|\bwhat shots?\b|\bappear|出现|哪些镜头|哪个镜头", re.IGNORECASE)
NO_PROJECT = (
    "There is no story yet. Tell me an idea or paste a screenplay and I will write the story and plan the shots."
)
HELP = (
    "Offline I understand: questions about a shot ('what happens in shot 4?', 'what did shot 3 remember?'), a "
    "character ('who is Mae?', 'what does ID_B wear?') or the story; 'shot 3: ...' feedback; 'shot 2: Mae says "
    "\"...\"', 'make shot 3 6 seconds long'; 'delete / duplicate shot 4', 'move shot 5 before shot 2', 'add a shot at "
    "the end where ...'; 'add a dog named Pip', 'rename A to B', 'remove A'; 'Mae wears a red scarf', 'the park "
    "should be at night'; 'undo', 'roll back shot 4 to version 1'; 'generate', 'export'. For anything else use the "
    "Story, Cards and Shot inspector tabs, or configure an LLM endpoint (ECHO_LLM_BASE_URL)."
)


def is_question(text: str) -> bool:
    return _INTERROGATIVE.search(text) is not None


def answer(question: str, brief: ProjectBrief) -> str:
    """The answer from the brief's own content; an overview of the project when the question is not understood."""
    if brief.story is None and not brief.shots:
        return NO_PROJECT
    if refs := shot_refs(question, len(brief.shots)):
        return _shot_answer(question, refs[0].number, brief)
    if card := target_card(question, brief):
        return _card_answer(question, card, brief)
    if scenes := scenes_named(question, brief):
        return _scene_answer(scenes[0], brief)
    for pattern, reply in _TOPICS:
        if pattern.search(question):
            return reply(brief)
    return (
        f"{_overview(brief)} Offline I answer questions about a shot, a character, a scene, the story or progress; "
        "configure an LLM endpoint (ECHO_LLM_BASE_URL) for open questions."
    )


def _no_such_shot(number: int | None, count: int) -> str:
    asked = f"shot {number}" if number is not None else "that shot"
    if count == 0:
        return f"There is no {asked}: no shots are planned yet."
    return f"There is no {asked}: the plan has shot 1 only." if count == 1 else (
        f"There is no {asked}: the plan has shots 1-{count}.")  # fmt: skip


def _overview(brief: ProjectBrief) -> str:
    story = brief.story
    if story is None:
        return NO_PROJECT
    confirmed = "confirmed" if story.confirmed else "not confirmed yet"
    said = f"'{story.title}' (story version {story.version}, {confirmed})."
    if not brief.shots:
        return f"{said} No shots are planned yet."
    counts = Counter(shot.status for shot in brief.shots)
    parts = [f"{counts[status]} {status}" for status in ("approved", "generated", "stale", "planned") if counts[status]]
    stale = [shot.number for shot in brief.shots if shot.status == "stale"]
    listed = f" Stale: {_numbers(stale)}." if stale else ""
    return f"{said} {len(brief.shots)} shots: {', '.join(parts)}.{listed}"


def _shot_answer(question: str, number: int | None, brief: ProjectBrief) -> str:
    shot = next((shot for shot in brief.shots if shot.number == number), None)
    if shot is None:
        return _no_such_shot(number, len(brief.shots))
    if _MEMORY.search(question):
        return _memory_answer(shot)
    scene = next((scene.name for scene in brief.scenes if scene.scene_id == shot.scene_id), shot.scene_id)
    people = _listed([_name_of(char_id, brief) for char_id in shot.characters]) or "nobody"
    take = f", take v{shot.version}" if shot.version is not None else ""
    first = f" First line: {shot.first_line}" if shot.first_line else ""
    return f"Shot {shot.number} ({scene}; {people}; {shot.duration_s:g} s; {shot.status}{take}): {shot.summary}{first}"


def _memory_answer(shot: ShotLine) -> str:
    if shot.version is None:
        return f"Shot {shot.number} has not been generated yet, so it has used no memory."
    if not shot.memory:
        return f"Shot {shot.number}'s current take (v{shot.version}) used no memory entries."
    entries = "entry" if len(shot.memory) == 1 else "entries"
    return (
        f"Shot {shot.number}'s current take (v{shot.version}) used {len(shot.memory)} memory {entries}: "
        f"{', '.join(shot.memory)}."
    )


def _card_answer(question: str, card: CardBrief, brief: ProjectBrief) -> str:
    who = f"{card.name} ({card.char_id})"
    shots = [shot.number for shot in brief.shots if card.char_id in shot.characters]
    appears = f"{card.name} is in shots {_numbers(shots)}." if shots else f"{card.name} is in no shot yet."
    if _APPEARS.search(question):
        return f"{who}: {appears}"
    if _CLOTHING.search(question):
        return f"{who}: {card.clothing or f'the card does not say what {card.name} wears.'}"
    if _VOICE.search(question):
        return f"{who}: {card.voice or f'the card does not describe the voice of {card.name}.'}"
    sentences = [card.identity, card.appearance]
    if not _LOOKS.search(question):
        sentences += [card.clothing, f"Voice: {card.voice}" if card.voice else "", appears]
    return f"{who}: " + " ".join(sentence for sentence in sentences if sentence)


def _scene_answer(scene: SceneBrief, brief: ProjectBrief) -> str:
    setting = ", ".join(part for part in (scene.location, scene.time_of_day) if part)
    head = f"{scene.name} ({scene.scene_id})" + (f": {setting}." if setting else ".")
    shots = [shot.number for shot in brief.shots if shot.scene_id == scene.scene_id]
    used = f"Shots here: {_numbers(shots)}." if shots else "No shot is set here yet."
    return " ".join(part for part in (head, scene.description, used) if part)


def _cast(brief: ProjectBrief) -> str:
    if not brief.characters:
        return "No characters yet: they are created when the shots are planned."
    return f"The cast: {_listed([f'{card.name} ({card.char_id})' for card in brief.characters])}."


def _scenes(brief: ProjectBrief) -> str:
    if not brief.scenes:
        return "No scenes yet: they are created when the shots are planned."
    places = [f"{scene.name} ({scene.scene_id}{f', {scene.time_of_day}' if scene.time_of_day else ''})" for scene in
              brief.scenes]  # fmt: skip
    return f"The scenes: {_listed(places)}."


def _story(brief: ProjectBrief) -> str:
    story = brief.story
    return f"'{story.title}': {clip(story.synopsis, STORY_CHARS)}" if story else NO_PROJECT


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}" if items else ""


def _numbers(numbers: list[int]) -> str:
    return _listed([str(number) for number in numbers])


def _name_of(char_id: str, brief: ProjectBrief) -> str:
    return next((card.name for card in brief.characters if card.char_id == char_id), char_id)


_TOPICS: list[tuple[re.Pattern[str], Callable[[ProjectBrief], str]]] = [
    (re.compile(r"\bwhat can you do\b|\bhelp\b|\bhow (?:do|can) i\b|\bcommands?\b|怎么用|能做什么|帮助", re.I),
     lambda _: HELP),
    (re.compile(r"\bcharacters?\b|\bcast\b|\bwho(?:'s| is| are) in\b|\bpeople\b|角色|人物|都有谁", re.I), _cast),
    (re.compile(r"\bscenes?\b|\bplaces?\b|\blocations?\b|\bwhere\b|场景|地点|在哪", re.I), _scenes),
    (re.compile(r"\bhow many\b|\bstatus\b|\bprogress\b|\bleft\b|\bremaining\b|\bstale\b|\bdone\b|\bgenerated\b|"
                r"\bapproved\b|进度|几个|多少|还剩|完成", re.I), _overview),
    (re.compile(r"\bstory\b|\bplot\b|\bsynopsis\b|\btitle\b|\babout\b|故事|剧情|标题|讲", re.I), _story),
]  # fmt: skip
