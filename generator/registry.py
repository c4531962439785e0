"""The backends, registered by name in one table. The settings type, the CLI's `--backend` choices and the UI's
backend dropdown all read `BACKEND_NAMES`; adding a backend is one folder under `generator/` and one line here.

Each entry names the backend's configuration model (light, imported now) and its generator class as
"module:Class", imported only when that backend is built, so choosing `preview` never imports torch's diffusers.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from generator.echo.config import EchoConfig
from generator.preview.config import PreviewConfig
from generator.types import Generator, GeneratorError


@dataclass(frozen=True)
class Backend:
    config: type[BaseModel]
    generator: str  # "module:Class"; the class takes one argument, its config
    summary: str  # what a creator should know when choosing it


BACKENDS: dict[str, Backend] = {
    "preview": Backend(PreviewConfig, "generator.preview.renderer:PreviewGenerator", "fast CPU animatic"),
    "echo": Backend(EchoConfig, "generator.echo.pipeline:EchoGenerator", "JoyAI-Echo video model, needs a GPU"),
}
BACKEND_NAMES: tuple[str, ...] = tuple(BACKENDS)


def backend(name: str) -> Backend:
    try:
        return BACKENDS[name]
    except KeyError:
        raise GeneratorError(f"unknown backend {name!r}; valid values: {', '.join(BACKEND_NAMES)}") from None


def backend_config(name: str, values: Mapping[str, Any]) -> BaseModel:
    """The backend's config from a mapping that may hold more keys (the app's settings); its own keys are used."""
    config_type = backend(name).config
    return config_type.model_validate({key: values[key] for key in config_type.model_fields if key in values})


def get_generator(name: str, config: BaseModel | None = None) -> Generator:
    """Build the backend called `name` (its default config unless one is given)."""
    entry = backend(name)
    module_name, class_name = entry.generator.split(":")
    generator_class = getattr(importlib.import_module(module_name), class_name)
    return generator_class(config if config is not None else entry.config())
