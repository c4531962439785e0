"""Pick a generator backend by name."""

from __future__ import annotations

from typing import get_args

from director.settings import BackendName, Settings
from generator.types import Generator, GeneratorError


def get_generator(name: str, settings: Settings | None = None) -> Generator:
    """Build the backend called `name`. Heavy imports happen only for the backend asked for."""
    settings = settings or Settings()
    if name == "preview":
        from generator.preview import PreviewGenerator

        return PreviewGenerator(settings)
    if name == "echo":
        from generator.echo import EchoGenerator

        return EchoGenerator(settings)
    raise GeneratorError(f"unknown backend {name!r}; valid values: {', '.join(get_args(BackendName))}")
