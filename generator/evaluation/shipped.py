"""Model files that ship inside installed packages, found without importing those packages.

`resemblyzer` and `face_recognition_models` import `pkg_resources` at import time, which setuptools 81+ no longer
provides; their weights are plain files in their package folders, so they are located by the import system's
spec instead of by importing them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from generator.errors import EchoError


def shipped_file(package: str, *parts: str) -> Path:
    """The path of a file inside an installed package's folder; EchoError naming the package when it is missing."""
    spec = importlib.util.find_spec(package)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder).joinpath(*parts)
        if path.is_file():
            return path
    raise EchoError(f"{'/'.join(parts)} of the {package} package is missing; reinstall with `make test` or pip")
