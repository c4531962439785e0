"""What the evaluation measures, as data: every number carries the method that produced it, and a number that could
not be measured is None with the reason (paper Sec. 7: voice and identity consistency, speech accuracy, lip sync,
cross-shot similarity)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from generator.types import DialogueTiming


class Measurement(BaseModel):
    """One measured number; `value` is None when it could not be measured, and `reason` says why."""

    model_config = ConfigDict(extra="forbid")

    value: float | None = None
    method: str = Field(description="How it was measured, e.g. 'resemblyzer GE2E cosine'")
    reason: str = Field(default="", description="Why it was not measured, or a caveat")


class CharacterMedia(BaseModel):
    """A character as the evaluation sees it in one take."""

    model_config = ConfigDict(extra="forbid")

    char_id: str
    name: str
    position: int = Field(default=0, ge=0, description="Left-to-right place in the frame (order in the shot)")
    reference_image: Path | None = None
    reference_audio: Path | None = None


class TakeMedia(BaseModel):
    """Everything needed to measure one take."""

    model_config = ConfigDict(extra="forbid")

    take_id: int
    shot_number: int
    version: int
    scene_id: str = ""
    video_path: Path
    audio_path: Path
    fps: int = 25
    language: str = "en"
    characters: list[CharacterMedia] = Field(default_factory=list)
    dialogue_timings: list[DialogueTiming] = Field(default_factory=list)
    memory_labels: list[str] = Field(default_factory=list, description="The memory slots this take used")


class CharacterScores(BaseModel):
    """One character in one take: embeddings (for cross-shot comparison) and the per-take scores."""

    model_config = ConfigDict(extra="forbid")

    char_id: str
    spoke_s: float = Field(default=0.0, description="Seconds of this character's dialogue in the take")
    voice_embedding: list[float] | None = None
    face_embedding: list[float] | None = None
    voice_to_reference: Measurement
    face_to_reference: Measurement
    face_found: Measurement = Field(description="Share of sampled frames in which this character's face was found")
    lip_sync_correlation: Measurement
    lip_sync_lag_s: Measurement


class FrameSignature(BaseModel):
    """What the shot-pair proxy compares of a take's middle frame (generator/evaluation/similarity.py)."""

    model_config = ConfigDict(extra="forbid")

    histogram: list[float] = Field(description="Normalised joint RGB colour histogram")
    perceptual_hash: list[bool] = Field(description="64-bit DCT perceptual hash")


class TakeScores(BaseModel):
    """All measurements of one take."""

    model_config = ConfigDict(extra="forbid")

    take_id: int
    shot_number: int
    version: int
    scene_id: str = ""
    speech_accuracy: Measurement = Field(description="1 - WER of the recognised speech against the script")
    recognised_text: str = ""
    characters: list[CharacterScores] = Field(default_factory=list)
    memory_labels: list[str] = Field(default_factory=list)
    middle_frame: FrameSignature | None = Field(
        default=None, exclude=True, description="Kept for measure_film so it need not decode the frame again; not saved"
    )


class ShotPairSimilarity(BaseModel):
    """Consecutive shots of one scene: a labelled visual proxy for cross-shot similarity."""

    model_config = ConfigDict(extra="forbid")

    from_shot: int
    to_shot: int
    histogram: Measurement
    perceptual_hash: Measurement


class CharacterFilmScores(BaseModel):
    """One character across the film: each shot's similarity to the character's other shots."""

    model_config = ConfigDict(extra="forbid")

    char_id: str
    name: str
    voice_consistency: Measurement = Field(description="Mean cosine of each shot's voice to the others")
    face_consistency: Measurement
    per_shot_voice: dict[int, float] = Field(default_factory=dict, description="shot -> cosine to the others")
    per_shot_face: dict[int, float] = Field(default_factory=dict)


class FilmScores(BaseModel):
    """The whole evaluation: per take, per character across shots, between characters, between shots."""

    model_config = ConfigDict(extra="forbid")

    project: str
    takes: list[TakeScores] = Field(default_factory=list)
    characters: list[CharacterFilmScores] = Field(default_factory=list)
    voice_distinctness: Measurement = Field(description="1 - max cosine between different characters' voices")
    shot_pairs: list[ShotPairSimilarity] = Field(default_factory=list)
    weakest_shots: list[int] = Field(default_factory=list, description="Shot numbers, weakest first")
    summary: str = ""
