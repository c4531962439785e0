"""Shot fields + cards -> the structured condition and its caption length, so the plan, card edits and shot edits
can check the caption limit and the speech budget before anything renders (the compile stage uses the same
condition)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from director.schemas import PromptOverflow
from generator.caption import SPEECH_UNITS_PER_10_S, speech_budget, speech_units
from generator.errors import EchoError
from generator.prompt import MAX_PROMPT_CHARS, ShotCondition, compose_prompt, prompt_problems
from generator.text import has_cjk, upper_first
from generator.types import FPS, CharacterInShot, DialogueLine, SceneInShot, valid_frame_counts
from workspace.models import ShotCondition as ConditionRow
from workspace.project_view import CharacterView, ProjectState, SceneView

SHOT_TEXT_FIELDS = ("action", "dialogue", "camera", "sound_effects", "music")
# In the fields of a condition the creator saved: the prompt compiled from the shot and its cards at that moment.
WRITTEN_FOR = "compiled_prompt"


@dataclass(frozen=True)
class ShotCards:
    """What a shot's caption draws on besides its own fields: the cards, the story's style and locked language."""

    characters: Mapping[str, CharacterView]
    scenes: Mapping[str, SceneView]
    style: str = ""
    language: str = "en"

    @classmethod
    def of(
        cls,
        project: ProjectState,
        characters: Mapping[str, CharacterView] | None = None,
        scenes: Mapping[str, SceneView] | None = None,
    ) -> ShotCards:
        """The project's cards (or the given edited ones in their place)."""
        return cls(
            characters=characters if characters is not None else {c.char_id: c for c in project.characters},
            scenes=scenes if scenes is not None else {s.scene_id: s for s in project.scenes},
            style=project.story.style if project.story else "",
            language=project.project.language,
        )


def character_in_shot(card: CharacterView, **references: Any) -> CharacterInShot:
    return CharacterInShot(
        id=card.char_id,
        name=card.name,
        identity=card.identity,
        appearance=card.appearance,
        clothing=card.clothing,
        voice=card.voice,
        **references,
    )


class SceneCard(Protocol):
    scene_id: str
    name: str
    location: str
    time_of_day: str
    description: str


def scene_in_shot(card: SceneCard | None, scene_id: str) -> SceneInShot:
    if card is None:
        return SceneInShot(id=scene_id)
    parts = [card.location, card.time_of_day, card.description]
    parts = [upper_first(p.strip(". 。")) for p in parts if p.strip(". 。")]
    described = "。".join(parts) if has_cjk("".join(parts)) else ". ".join(parts)
    return SceneInShot(id=card.scene_id, name=card.name, description=described)


def shot_condition(
    fields: Mapping[str, Any], cast: list[CharacterInShot], scene: SceneInShot, style: str, language: str
) -> ShotCondition:
    """The condition c_t of a shot from its plan fields (`ShotPlan` / `ShotInput` names) and its cards."""
    frames = fields.get("num_frames")
    return ShotCondition(
        characters=cast,
        action=fields.get("action", ""),
        dialogue=[DialogueLine.model_validate(line) for line in fields.get("dialogue", [])],
        style=style,
        camera=fields.get("camera", ""),
        background=scene.description or scene.name,
        sound_effects=fields.get("sound_effects", ""),
        music=fields.get("music", ""),
        language=language,
        duration_s=frames / FPS if frames else None,
    )


def speech_over_budget(fields: Mapping[str, Any]) -> str | None:
    """Why the shot's dialogue is more than its length carries (the caption contract's speech budget), or None."""
    frames = fields.get("num_frames")
    spoken = sum(speech_units(line["text"]) for line in fields.get("dialogue", []))
    if not frames or spoken <= (budget := speech_budget(frames / FPS)):
        return None
    longer = frames_for_speech(fields)
    remedy = f"lengthen it to {longer / FPS:.2f} s" if longer else "split the lines over two shots"
    return (
        f"{spoken} words of dialogue are more than a {frames / FPS:.2f} s shot carries ({budget}; the model is "
        f"trained on at most {SPEECH_UNITS_PER_10_S} per 10 s): {remedy}"
    )


def frames_for_speech(fields: Mapping[str, Any]) -> int | None:
    """The shortest valid frame count (not shorter than the shot's) whose speech budget holds the shot's dialogue;
    None when even the longest shot cannot."""
    spoken = sum(speech_units(line["text"]) for line in fields.get("dialogue", []))
    frames = fields.get("num_frames") or 0
    return next((n for n in valid_frame_counts() if n >= frames and speech_budget(n / FPS) >= spoken), None)


def condition_record(condition: ShotCondition, scene: SceneInShot, num_frames: int) -> dict[str, Any]:
    """The structured fields `record_condition` keeps beside a prompt (a rollback restores the plan from them)."""
    references = {"characters": {"__all__": {"reference_image", "reference_audio"}}}
    return {
        **condition.model_dump(mode="json", exclude=references),
        "scene": scene.model_dump(mode="json"),
        "num_frames": num_frames,
    }


def written_prompt(latest: ConditionRow | None, compiled: str) -> str | None:
    """The prompt the creator wrote for a shot (the Shot tab's Advanced box), while it still describes the shot:
    its newest condition is the creator's and was written for the prompt that the shot and its cards compile to
    now. None otherwise; a later edit of the shot's fields or of a card is compiled afresh."""
    if latest is None or latest.source != "user" or latest.prompt == compiled:
        return None
    return latest.prompt if latest.fields.get(WRITTEN_FOR) == compiled else None


def planned_condition(fields: Mapping[str, Any], cards: ShotCards) -> ShotCondition:
    cast = [character_in_shot(cards.characters[c]) for c in fields.get("characters", []) if c in cards.characters]
    scene_id = fields.get("scene_id", "")
    scene = scene_in_shot(cards.scenes.get(scene_id), scene_id)
    return shot_condition(fields, cast, scene, cards.style, cards.language)


def field_chars(fields: Mapping[str, Any], name: str) -> int:
    """Characters a shot field costs in the prompt (a dialogue line: its text and about four of framing)."""
    if name == "dialogue":
        return sum(len(line["text"]) + 4 for line in fields.get("dialogue", []))
    return len(fields.get(name, "") or "")


def prompt_overflow(number: int, fields: Mapping[str, Any], cards: ShotCards) -> PromptOverflow | None:
    """None when the shot's prompt fits; else how far over it is and what each shot field may spend (shares of
    what the cards, style and scene leave, in proportion to what each field uses now)."""
    condition = planned_condition(fields, cards)
    length = len(compose_prompt(condition))
    if length <= MAX_PROMPT_CHARS:
        return None
    bare = {**fields, "action": "", "dialogue": [], "camera": "", "sound_effects": "", "music": ""}
    fixed = len(compose_prompt(planned_condition(bare, cards).model_copy(update={"action": "."})))
    available = max(MAX_PROMPT_CHARS - fixed, 0)
    used = {name: field_chars(fields, name) for name in SHOT_TEXT_FIELDS}
    total = sum(used.values()) or 1
    budgets = {name: available * chars // total for name, chars in used.items() if chars}
    return PromptOverflow(
        shot_number=number, prompt_chars=length, limit=MAX_PROMPT_CHARS, fixed_chars=fixed, budgets=budgets
    )


def shots_over_limit(
    project: ProjectState,
    numbers: Iterable[int],
    characters: Mapping[str, CharacterView] | None = None,
    scenes: Mapping[str, SceneView] | None = None,
) -> list[PromptOverflow]:
    """The shots among `numbers` whose prompts would be over the limit with the given cards (default: the
    current ones), e.g. to refuse a card edit before it is saved."""
    cards = ShotCards.of(project, characters, scenes)
    over = []
    for number in numbers:
        overflow = prompt_overflow(number, project.shot(number).model_dump(), cards)
        if overflow is not None:
            over.append(overflow)
    return over


def caption_breaks(
    project: ProjectState,
    numbers: Iterable[int],
    characters: Mapping[str, CharacterView] | None = None,
    scenes: Mapping[str, SceneView] | None = None,
) -> dict[int, str]:
    """Shot number -> the first way its caption would break the caption contract with the given cards (default:
    the current ones) that it does not break with the current cards, e.g. an English sentence in a Chinese story's
    card. A card edit is refused on these; what a shot already broke is not the edit's doing."""
    now, edited = ShotCards.of(project), ShotCards.of(project, characters, scenes)
    breaks = {}
    for number in numbers:
        fields = project.shot(number).model_dump()
        if new := caption_problems_added((fields, now), (fields, edited)):
            breaks[number] = new[0]
    return breaks


def caption_problems_added(
    before: tuple[Mapping[str, Any], ShotCards], after: tuple[Mapping[str, Any], ShotCards]
) -> list[str]:
    """The ways a shot's caption breaks the contract after a change (its fields, its cards) that it did not break
    before: what a shot already broke is not the change's doing."""
    earlier = caption_problems_of(*before)
    return [problem for problem in caption_problems_of(*after) if problem not in earlier]


def caption_problems_of(fields: Mapping[str, Any], cards: ShotCards) -> list[str]:
    """How the caption a shot with these fields compiles to breaks the caption contract (empty when it complies)."""
    try:
        condition = planned_condition(fields, cards)
        return prompt_problems(compose_prompt(condition), condition)
    except EchoError as error:
        return [str(error)]
