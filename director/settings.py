"""One settings object for the whole product, read from ECHO_* environment variables and CLI flags."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from director.shot_count import MAX_REQUESTED_SHOTS
from generator.echo.config import Dtype, OffloadMode, VisualMemory
from generator.registry import BACKEND_NAMES, backend_config
from generator.types import MAX_SIDE, MemoryWindow
from workspace.db import DEFAULT_UPLOAD_MAX_BYTES, HomeLayout, Workspace, open_workspace

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]
BackendName = Literal[BACKEND_NAMES]  # type: ignore[valid-type]  # the registry's names, one table
MemoryStrategy = Literal["agent", "native", "none"]


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ECHO_<NAME> (e.g. ECHO_HOME, ECHO_LLM_BASE_URL)."""

    model_config = SettingsConfigDict(env_prefix="ECHO_", extra="ignore")

    home: Path = Field(default=Path("./echo_home"), description="Where projects, media and indexes live.")

    # Director LLM (any OpenAI-compatible endpoint); no base URL means the built-in offline planner.
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_structured_method: StructuredMethod = "json_schema"
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    llm_timeout_s: float = Field(default=120.0, gt=0)
    llm_critic: bool = Field(
        default=True, description="Also ask the LLM to critique every take (the deterministic checks always run)."
    )

    # Generator
    backend: BackendName = "preview"
    model_dir: Path | None = Field(default=None, description="Local JoyAI-Echo pipeline folder (echo backend).")
    base_model_dir: Path | None = Field(
        default=None, description="Local folder with Echo's Gemma 3 text encoder and tokenizer (echo backend)."
    )
    width: int = Field(default=640, ge=32, le=MAX_SIDE)
    height: int = Field(default=384, ge=32, le=MAX_SIDE)
    device: str = "cuda"
    dtype: Dtype | None = Field(default=None, description="None: bfloat16 on an accelerator, float32 on the CPU")
    offload: OffloadMode = "none"
    vae_tiling: bool = False
    visual_memory: VisualMemory = Field(
        default="clip",
        description="clip: each slot's 9-frame clip through the video VAE, last latent kept (paper); image: key frame",
    )
    subtitles: bool = True
    memory_window: MemoryWindow = Field(
        default="speech",
        description="speech: a take's memory audio window is the one with the most speech (preview: its dialogue; "
        "echo: silero-vad); energy: the paper's loudest window of the full mix (Eq. 8)",
    )

    # Director behaviour
    retrieval_top_k: int = Field(default=4, ge=0, le=32)
    memory_strategy: MemoryStrategy = Field(
        default="agent",
        description="agent: card entries + previous shot + retrieved shots (paper Sec. 5.3); "
        "native: the model's own First-3 + Recent-4 of the generated history (Eq. 9); "
        "none: no memory slots at all (the ablation's floor)",
    )
    review_mode: bool = False
    default_shots: int = Field(default=6, ge=1, le=MAX_REQUESTED_SHOTS)

    # App
    host: str = "127.0.0.1"
    port: int = Field(default=7860, ge=0, le=65535)
    password: str | None = None
    upload_max_bytes: int = Field(default=DEFAULT_UPLOAD_MAX_BYTES, gt=0)

    # The critic's measurements of every take (generator/evaluation; director/take_scores.py)
    critic_measure: bool | None = Field(
        default=None,
        description="Measure every take (speech accuracy, voice and face to their cards, lip sync) and regenerate "
        "one that misses a threshold with a new seed, keeping the better take; unset: only with the echo backend "
        "(on the preview, measuring costs about four times the render and a new seed does not change the speech)",
    )
    critic_best_of: int = Field(
        default=2, ge=1, le=5, description="At most this many takes of a shot per run; 1 measures but never regenerates"
    )
    # Thresholds, from measurements of preview takes (README, "The critic's measurements"): the same eSpeak voice
    # scores 0.80-0.92 against itself, other voices 0.56-0.86; 1 - WER of takes speaking other words than their
    # script was at most 0.10; dlib calls faces the same person above 0.4; ITU-R BT.1359 accepts sound up to 0.09 s
    # early and 0.185 s late: 0.16 s either way, in the 0.04 s steps (25 fps) the lag is measured in.
    critic_min_voice_similarity: float = Field(default=0.75, ge=0, le=1, description="Voice to its card, cosine")
    critic_min_face_similarity: float = Field(default=0.4, ge=0, le=1, description="Face to its card, 1 - distance")
    critic_max_wer: float = Field(default=0.8, ge=0, le=1, description="Word error rate of the speech to the script")
    critic_max_lip_lag_s: float = Field(default=0.16, ge=0, le=2, description="Seconds the lips may lag the voice")

    @field_validator("width", "height")
    @classmethod
    def _multiple_of_32(cls, value: int) -> int:
        if value % 32:
            raise ValueError(f"must be a multiple of 32 (got {value}; try {round(value / 32) * 32 or 32})")
        return value

    @property
    def home_dir(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def home_layout(self) -> HomeLayout:
        return HomeLayout(self.home_dir)

    @property
    def generator_config(self) -> BaseModel:
        """The configured backend's own typed configuration, from the fields of these settings it declares."""
        return backend_config(self.backend, dict(self))

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url)

    @property
    def measures_takes(self) -> bool:
        """Whether the critic measures every take (`critic_measure`, by default only with the echo backend)."""
        return self.critic_measure if self.critic_measure is not None else self.backend == "echo"

    @property
    def memory_clips(self) -> bool:
        """Whether memory slots from earlier takes need their 9-frame clips (only the echo backend encodes them)."""
        return self.backend == "echo" and self.visual_memory == "clip"


def open_home(settings: Settings) -> Workspace:
    """The workspace of the configured home, created on first use."""
    return open_workspace(settings.home_dir, upload_max_bytes=settings.upload_max_bytes)


def load_settings(**overrides: object) -> Settings:
    """Environment first, then explicit overrides (CLI flags) that are not None."""
    return Settings(**{key: value for key, value in overrides.items() if value is not None})


_FLAGS: dict[str, dict[str, object]] = {
    "--home": {"help": "project home (env ECHO_HOME, default ./echo_home)"},
    "--backend": {"choices": get_args(BackendName), "help": "generator backend (default preview)"},
    "--model-dir": {"help": "local JoyAI-Echo pipeline folder (echo backend)"},
    "--base-model-dir": {"help": "local folder with Echo's Gemma 3 text encoder and tokenizer (echo backend)"},
    "--device": {"help": "torch device for the echo backend (default cuda)"},
    "--dtype": {"choices": get_args(Dtype), "help": "echo backend precision"},
    "--offload": {"choices": get_args(OffloadMode), "help": "echo backend memory saving"},
    "--llm-base-url": {"help": "OpenAI-compatible endpoint; none = built-in offline planner"},
    "--llm-model": {"help": "model name at that endpoint"},
    "--llm-structured-method": {"choices": get_args(StructuredMethod)},
    "--width": {"type": int, "help": "shot width, multiple of 32 (default 640)"},
    "--height": {"type": int, "help": "shot height, multiple of 32 (default 384)"},
}


def add_settings_flags(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """The flags every entry point shares. `suppress` lets a subcommand repeat them without resetting them."""
    for flag, options in _FLAGS.items():
        parser.add_argument(flag, default=argparse.SUPPRESS if suppress else None, **options)  # type: ignore[arg-type]


def settings_from_flags(args: argparse.Namespace, **extra: object) -> Settings:
    """Settings from the environment, overridden by the shared flags given on the command line and by `extra`."""
    flags = {flag[2:].replace("-", "_"): getattr(args, flag[2:].replace("-", "_"), None) for flag in _FLAGS}
    return load_settings(**flags, **extra)
