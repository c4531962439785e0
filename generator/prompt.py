"""The training-aligned shot prompt: one paragraph in the order JoyAI-Echo was trained on.

Roles & Subjects -> Action & Dialogue -> Style -> Camera Movement -> Background -> Sound Effects & BGM.
People are `ID_A` / `ID_B` in every field (card names outside quoted speech become ids); every card sentence
(identity, appearance, clothing, voice) is repeated verbatim in each shot the character is in, because the model
ties identity to that exact text. Text is compared and rendered with runs of whitespace collapsed to one space
(the prompt is a single paragraph).
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from generator.errors import EchoError, format_validation_error
from generator.types import MAX_CHARACTERS_PER_SHOT, CharacterInShot, DialogueLine, SceneInShot, ShotRequest

MAX_PROMPT_CHARS = 1500
ACTION_PREFIX = "At normal speed, "
NO_MUSIC = "No background music."
ANCHOR_FIELDS = ("identity", "appearance", "clothing", "voice")
_LOWERABLE_OPENERS = frozenset(
    {"The", "A", "An", "This", "That", "These", "Those", "She", "He", "They", "It", "We", "You"}
    | {"Her", "His", "Their", "Its", "Our", "Both", "Everyone", "Someone"}
)
_NO_MUSIC_WORDS = {"", "none", "no", "no music", "no background music", "silence", "-", "n/a"}


class ShotCondition(BaseModel):
    """The structured condition of one shot, before it is rendered into the prompt paragraph."""

    characters: list[CharacterInShot] = Field(default_factory=list, description="At most two people")
    action: str = Field(default="", description="What happens, referring to people as ID_A / ID_B")
    dialogue: list[DialogueLine] = Field(default_factory=list)
    style: str = ""
    camera: str = ""
    background: str = Field(default="", description="Place, time of day, lighting")
    sound_effects: str = ""
    music: str = Field(default="", description="Background music; empty means none")


class PromptTooLong(EchoError):
    """The rendered prompt exceeds the model's limit; the message says what to shorten."""


def render_prompt(condition: ShotCondition) -> str:
    """The single training-aligned paragraph for a shot (<= 1500 characters), or EchoError saying what to fix."""
    prompt = compose_prompt(condition)
    if len(prompt) > MAX_PROMPT_CHARS:
        raise PromptTooLong(_too_long_message(condition, len(prompt)))
    return prompt


def compose_prompt(condition: ShotCondition) -> str:
    """The paragraph without the length limit, for measuring how far a planned shot is over it."""
    check_condition(condition)
    people = condition.characters
    sections = [
        _roles(people),
        _action_and_dialogue(condition),
        _labelled("Style", "style", _with_ids(condition.style, people)),
        _labelled("Camera", "camera", _with_ids(condition.camera, people)),
        _labelled("Background", "background", _with_ids(condition.background, people)),
        _sound(_with_ids(condition.sound_effects, people), _with_ids(condition.music, people)),
    ]
    return " ".join(section for section in sections if section)


def check_condition(condition: ShotCondition) -> None:
    """Raise EchoError for a condition no prompt can express: too many people, unknown speakers, nothing to show."""
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


def missing_anchors(prompt: str, characters: list[CharacterInShot]) -> list[str]:
    """Card sentences (identity, appearance, clothing, voice) that the prompt does not contain verbatim."""
    text = _clean(prompt)
    return [
        anchor
        for character in characters
        for anchor in (_clean(getattr(character, name)) for name in ANCHOR_FIELDS)
        if anchor and anchor not in text
    ]


def written_prompt_problem(prompt: str, characters: list[CharacterInShot]) -> str | None:
    """Why a prompt the creator wrote instead of the compiled one cannot be sent, or None: it must say something,
    fit the limit, and keep every card sentence of the shot's characters verbatim (the model ties identity to
    that exact text). Measured as it is sent: one paragraph, runs of whitespace collapsed."""
    text = _clean(prompt)
    if not text:
        return "The prompt is empty: write what the shot shows, or keep the compiled prompt."
    if len(text) > MAX_PROMPT_CHARS:
        return (
            f"The prompt is {len(text):,} characters, {len(text) - MAX_PROMPT_CHARS:,} over the "
            f"{MAX_PROMPT_CHARS:,}-character limit; shorten it."
        )
    missing = missing_anchors(text, characters)
    if missing:
        quoted = "; ".join(f'"{anchor}"' for anchor in missing)
        return f"The prompt must keep every card sentence of the shot's characters word for word; missing: {quoted}."
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
    """The backend request for a shot: the prompt plus the structured fields it came from. The prompt is rendered
    from the condition unless one is given (a prompt the creator wrote, held to the same rules)."""
    if prompt is None:
        prompt = render_prompt(condition)
    else:
        check_condition(condition)
        if problem := written_prompt_problem(prompt, condition.characters):
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


def _roles(characters: list[CharacterInShot]) -> str:
    if not characters:
        return "No people appear in this shot."
    described = []
    for character in characters:
        sentences = [_sentence(_clean(character.identity)), _sentence(_clean(character.appearance))]
        sentences += [_sentence(_clean(character.clothing))]
        if _clean(character.voice):
            sentences.append(f"Voice: {_sentence(_clean(character.voice))}")
        described.append(f"{character.id}: " + " ".join(s for s in sentences if s))
    return " ".join(described)


def _action_and_dialogue(condition: ShotCondition) -> str:
    parts = []
    action = _with_ids(condition.action, condition.characters)
    if action:
        if action.lower().startswith(ACTION_PREFIX.lower()):
            action = action[len(ACTION_PREFIX) :]
        parts.append(_sentence(ACTION_PREFIX + _lower_first(action)))
    for line in condition.dialogue:
        spoken = _clean(line.text).replace('"', "'")
        parts.append(f'{line.speaker} says, "{_sentence(spoken)}"')
    return " ".join(parts)


def _sound(sound_effects: str, music: str) -> str:
    effects = _labelled("Sound effects", "sound", sound_effects)
    music = _clean(music)
    if music.lower().rstrip(".") in _NO_MUSIC_WORDS:
        return " ".join(part for part in (effects, NO_MUSIC) if part)
    return " ".join(part for part in (effects, _labelled("Background music", "music", music)) if part)


def _labelled(label: str, keyword: str, text: str) -> str:
    """A field as a sentence, led by its label unless the text already names what it describes."""
    text = _clean(text)
    if not text:
        return ""
    return _sentence(text) if keyword in text.lower() else f"{label}: {_sentence(text)}"


def _with_ids(text: str, characters: list[CharacterInShot]) -> str:
    """Refer to people by their anchor ids: replace whole-word card names outside quoted speech (whitespace
    collapsed). Longer names go first, so "Old Tom" is not left as "Old ID_B" by a "Tom" in the same shot."""
    text = _clean(text)
    for character in sorted(characters, key=lambda c: len(_clean(c.name)), reverse=True):
        if _clean(character.name):
            pattern = re.compile(rf"\b{re.escape(_clean(character.name))}\b")
            pieces = text.split('"')
            text = '"'.join(pattern.sub(character.id, piece) if i % 2 == 0 else piece for i, piece in enumerate(pieces))
    return text


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
        for name in ANCHOR_FIELDS:
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


def _sentence(text: str) -> str:
    if not text:
        return ""
    return text if text[-1] in ".!?。！？…'\"" else text + "."


def _lower_first(text: str) -> str:
    """Lower-case an opening article or pronoun after the action prefix; names, ids and acronyms keep their case."""
    first, _, rest = text.partition(" ")
    return f"{first.lower()} {rest}".rstrip() if first in _LOWERABLE_OPENERS else text
