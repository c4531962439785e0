"""Every registered backend conforms: the settings can configure it, the CLI and the UI offer it, and its class
implements the generator contract under its registered name."""

from __future__ import annotations

from typing import get_args

import pytest

from director.cli import build_parser
from director.settings import BackendName, Settings
from generator.errors import EchoError
from generator.registry import BACKEND_NAMES, BACKENDS, backend_config, get_generator
from generator.types import Generator


@pytest.mark.parametrize("name", BACKEND_NAMES)
def test_backend_conforms_to_the_contract(name: str) -> None:
    entry = BACKENDS[name]
    assert set(entry.config.model_fields) <= set(Settings.model_fields), "settings must be able to set every field"
    generator = get_generator(name)
    assert isinstance(generator, Generator) and generator.name == name
    assert type(generator.config) is entry.config and entry.summary


def test_settings_cli_and_config_follow_the_table() -> None:
    assert get_args(BackendName) == BACKEND_NAMES == ("preview", "echo")
    backend_flag = next(a for a in build_parser()._actions if "--backend" in a.option_strings)
    assert tuple(backend_flag.choices) == BACKEND_NAMES
    settings = Settings(backend="echo", device="cpu", offload="group", subtitles=False)
    config = settings.generator_config
    assert (config.device, config.offload, config.dtype) == ("cpu", "group", None)
    assert backend_config("preview", dict(settings)).subtitles is False


def test_unknown_backend_names_the_valid_ones() -> None:
    with pytest.raises(EchoError, match="unknown backend 'sora'; valid values: preview, echo"):
        get_generator("sora")
