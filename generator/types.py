"""The generator contract: what a backend receives (ShotRequest, MemorySlot) and returns (GeneratedShot).

Both backends (preview and echo) consume exactly these types, so the Director, the memory code and the
exporter cannot tell them apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, runtime_checkable

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from generator.errors import EchoError

FPS = 25
MIN_FRAMES = 25
MAX_FRAMES = 241
MAX_CHARACTERS_PER_SHOT = 2
MAX_MEMORY_SLOTS = 7
MAX_SIDE = 2048
MAX_PIXELS = 1920 * 1088  # a 241-frame shot of this size is 1.5 GB of frames
MAX_TEXT = 10_000  # characters in any one descriptive field
MAX_PROMPT = 20_000
MAX_LINES = 32
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$"  # a BCP 47 tag such as en, cmn, zh-CN, en-GB
Text = Annotated[str, Field(max_length=MAX_TEXT)]
CHARACTER_ID_PATTERN = re.compile(r"^ID_[A-Z]{1,2}$")

MemoryWindow = Literal["speech", "energy"]
"""How a take's memory window is chosen. speech: the window with the most speech energy (the preview's dialogue
stem; the echo mix weighted by silero-vad), the Eq. 8 rule when the take holds no speech; energy: the paper's
Eq. 8 on the full mix, which can land on music or effects."""

ProgressCallback = Callable[[float, str], None]
"""progress(fraction in [0, 1], human-readable step description)."""


def ignore_progress(_fraction: float, _step: str) -> None:
    """The ProgressCallback used when the caller passes none."""


def valid_frame_counts() -> list[int]:
    return list(range(MIN_FRAMES, MAX_FRAMES + 1, 8))


def nearest_frame_count(seconds: float) -> int:
    """The valid 1+8k frame count closest to a duration, clamped to 25..241."""
    k = round((seconds * FPS - 1) / 8)
    return max(MIN_FRAMES, min(MAX_FRAMES, 1 + 8 * k))


def check_frame_count(num_frames: int) -> int:
    if num_frames < MIN_FRAMES or num_frames > MAX_FRAMES or (num_frames - 1) % 8:
        raise ValueError(
            f"num_frames must be 1+8k between {MIN_FRAMES} and {MAX_FRAMES} "
            f"(valid: 25, 33, 41, ..., 233, 241); got {num_frames}"
        )
    return num_frames


def check_multiple_of_32(name: str, value: int) -> int:
    if value <= 0 or value % 32:
        raise ValueError(f"{name} must be a positive multiple of 32 (e.g. 640, 736, 1280); got {value}")
    if value > MAX_SIDE:
        raise ValueError(f"{name} must be at most {MAX_SIDE} (Echo's native size is 1280 x 736); got {value}")
    return value


def _field_multiple_of_32(value: int, info: ValidationInfo) -> int:
    return check_multiple_of_32(info.field_name, value)


FrameCount = Annotated[int, AfterValidator(check_frame_count)]
"""A pydantic field type: a valid 1+8k frame count (25..241)."""
MultipleOf32 = Annotated[int, AfterValidator(_field_multiple_of_32)]
"""A pydantic field type for a width or height: a positive multiple of 32; the error names the field."""


class CharacterInShot(BaseModel):
    """A character card as the generator sees it: stable id plus the sentences repeated in every prompt."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Stable anchor id such as ID_A")
    name: str = Field(max_length=200)
    identity: Text = Field(description="Who they are: age, build, face, hair (one sentence)")
    appearance: Text = ""
    clothing: Text = ""
    voice: Text = Field(default="", description="Timbre description, e.g. 'a warm, low male voice'")
    reference_image: Path | None = None
    reference_audio: Path | None = None

    @field_validator("id")
    @classmethod
    def _anchor_id(cls, value: str) -> str:
        if not CHARACTER_ID_PATTERN.match(value):
            raise ValueError(f"character id must look like ID_A, ID_B, ...; got {value!r}")
        return value


class DialogueLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    speaker: str = Field(max_length=8, description="Character id (ID_A...) of the speaker")
    text: Text = Field(min_length=1)
    delivery: str = Field(default="", max_length=80, description="How it is said, e.g. 'soft, hesitant voice'")


class SceneInShot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(default="", max_length=64)
    name: str = Field(default="", max_length=200)
    description: Text = Field(default="", description="Background: place, time of day, lighting")


class ShotRequest(BaseModel):
    """Everything a backend needs to render one shot. Unknown fields are errors (a misspelt `num_frame` must not
    pass silently), and every number and text is bounded."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, max_length=MAX_PROMPT, description="Rendered training-aligned prompt paragraph")
    characters: list[CharacterInShot] = Field(default_factory=list, max_length=MAX_CHARACTERS_PER_SHOT + 8)
    action: Text = ""
    dialogue: list[DialogueLine] = Field(default_factory=list, max_length=MAX_LINES)
    scene: SceneInShot = Field(default_factory=SceneInShot)
    style: Text = ""
    camera: Text = ""
    sound_effects: Text = ""
    music: Text = ""
    num_frames: FrameCount = 121
    fps: Literal[25] = FPS
    width: MultipleOf32 = 640
    height: MultipleOf32 = 384
    seed: int = Field(default=0, ge=0, lt=2**63)
    first_frame: Path | None = None
    language: str = Field(default="en", max_length=35, description="BCP 47 tag of the spoken language")

    @field_validator("language")
    @classmethod
    def _language_code(cls, value: str) -> str:
        if not re.fullmatch(LANGUAGE_PATTERN, value):
            raise ValueError(f"{value[:40]!r} is not a language code; use one such as en, zh, cmn, fr, de, es, ja")
        return value

    @field_validator("prompt")
    @classmethod
    def _prompt_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("prompt must not be empty")
        return value

    @model_validator(mode="after")
    def _speakers_and_cast(self) -> ShotRequest:
        if self.width * self.height > MAX_PIXELS:
            raise ValueError(
                f"width x height: {self.width} x {self.height} is over {MAX_PIXELS:,} pixels (1920 x 1088); "
                "Echo's native size is 1280 x 736"
            )
        if len(self.characters) > MAX_CHARACTERS_PER_SHOT:
            raise ValueError(
                f"characters: at most {MAX_CHARACTERS_PER_SHOT} per shot; got {len(self.characters)} "
                f"({', '.join(c.id for c in self.characters)})"
            )
        ids = [c.id for c in self.characters]
        if len(set(ids)) != len(ids):
            raise ValueError(f"characters: duplicate ids {ids}")
        for line in self.dialogue:
            if line.speaker not in ids:
                raise ValueError(
                    f"dialogue.speaker: unknown speaker {line.speaker!r}; valid values: {ids or 'none (no characters)'}"
                )
        return self

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps


class MemorySource(BaseModel):
    """Where a memory slot came from: a character card or a window of an earlier take."""

    kind: Literal["card", "take", "external"]
    card_id: str | None = None
    take_id: int | None = None
    shot_number: int | None = None
    start_s: float | None = None
    end_s: float | None = None
    frame_index: int | None = None


class MemorySlot(BaseModel):
    """One slot-paired memory event (paper Eq. 7): a key frame and the audio of the SAME moment."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    label: str = Field(description="e.g. ID_A, PREVIOUS_SHOT, SHOT_3")
    source: MemorySource
    key_frame: np.ndarray = Field(description="H x W x 3 uint8 RGB")
    clip: np.ndarray | None = Field(default=None, description="9 x H x W x 3 uint8, ends with key_frame")
    audio: np.ndarray | None = Field(default=None, description="mono float32 in [-1, 1]; None = silent")
    sample_rate: int | None = None

    @model_validator(mode="after")
    def _check_arrays(self) -> MemorySlot:
        if self.key_frame.ndim != 3 or self.key_frame.shape[2] != 3 or self.key_frame.dtype != np.uint8:
            raise ValueError(f"key_frame must be HxWx3 uint8; got {self.key_frame.shape} {self.key_frame.dtype}")
        if self.audio is not None:
            if self.audio.ndim != 1:
                raise ValueError("audio must be a mono 1-D waveform")
            if not self.sample_rate:
                raise ValueError("sample_rate is required when audio is given")
        return self

    @property
    def key(self) -> tuple:
        """Identity of the event, used to drop duplicates when assembling memory."""
        s = self.source
        return (s.kind, s.card_id, s.take_id, s.start_s)


class DialogueTiming(BaseModel):
    speaker: str
    text: str
    start_s: float
    end_s: float


class TakeFacts(BaseModel):
    """What a take records about its render. A rendered shot, a staged take (tools.takes.StagedTake) and the
    workspace's Take row share these fields under these names, so a new take fact is added here once."""

    num_frames: FrameCount
    fps: int = Field(default=FPS, ge=1, le=120)
    width: MultipleOf32
    height: MultipleOf32
    sample_rate: int = Field(ge=8_000, le=192_000)
    backend: str = Field(min_length=1, max_length=64)
    seed: int = Field(ge=0, lt=2**63)
    dialogue_timings: list[DialogueTiming] = Field(default_factory=list)

    def take_facts(self) -> dict[str, Any]:
        """These fields alone, as JSON-ready values (for a subclass: without its other fields)."""
        return self.model_dump(mode="json", include=set(TakeFacts.model_fields))


class GeneratedShot(TakeFacts):
    """A rendered shot on disk (mp4 with H.264 + AAC, and a wav), plus optional in-memory copies."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    video_path: Path
    audio_path: Path
    speech_overflow_s: float = Field(default=0.0, description="Seconds of speech that did not fit the shot")
    metadata: dict = Field(default_factory=dict)
    frames: np.ndarray | None = Field(default=None, exclude=True, description="T x H x W x 3 uint8")
    audio: np.ndarray | None = Field(default=None, exclude=True, description="float32, (n,) mono or (n, channels)")
    speech_energy: np.ndarray | None = Field(
        default=None,
        exclude=True,
        description="Eq. 8 mel energy of the speech alone, per mel frame of the audio (generator.memory.frame_energy"
        "); None: the memory window is chosen by the full mix's energy",
    )

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps

    @property
    def speech_fits(self) -> bool:
        return self.speech_overflow_s <= 0.0


@runtime_checkable
class Generator(Protocol):
    name: str

    def generate(
        self,
        request: ShotRequest,
        memory: Sequence[MemorySlot],
        progress: ProgressCallback | None = None,
        out_dir: Path | None = None,
    ) -> GeneratedShot: ...


class GeneratorError(EchoError):
    """A generation failed for a reason the user can act on; the message says what to do."""
