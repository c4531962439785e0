"""Skills: procedural guidance written as markdown (paper Sec. 5.1), loaded into the prompt of the matching stage.

Each skill is `skills/<name>/SKILL.md`: YAML-style front matter (`name`, `description`) then the guidance. Files
are read at call time, so a creator edits them without touching code; `<home>/skills/<name>/SKILL.md` overrides
the packaged copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.errors import EchoError

PACKAGED_SKILLS_DIR = Path(__file__).resolve().parent
SKILL_FILE = "SKILL.md"
_SKILL_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<header>.*?)\n---\s*\n?(?P<body>.*)\Z", re.DOTALL)


@dataclass(frozen=True)
class Skill:
    name: str
    description: str
    body: str
    path: Path


def load_skill(name: str, home: Path | None = None) -> Skill:
    """The skill called `name`, from `<home>/skills` when it is there, else the packaged copy."""
    if not _SKILL_NAME.match(name):
        raise EchoError(f"{name!r} is not a skill name: use lower-case letters, digits, '_' or '-' (e.g. 'planning')")
    for folder in _search_dirs(home):
        path = folder / name / SKILL_FILE
        if path.is_file():
            return _parse(path, name)
    known = ", ".join(skill.name for skill in list_skills(home)) or "none"
    raise EchoError(f"no skill called {name!r} (known: {known}); add {name}/{SKILL_FILE} under {PACKAGED_SKILLS_DIR}")


def list_skills(home: Path | None = None) -> list[Skill]:
    """Every available skill, sorted by name; a home override replaces the packaged skill of the same name."""
    found: dict[str, Skill] = {}
    for folder in reversed(_search_dirs(home)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*/{SKILL_FILE}")):
            name = path.parent.name
            if _SKILL_NAME.match(name):
                found[name] = _parse(path, name)
    return [found[name] for name in sorted(found)]


def _search_dirs(home: Path | None) -> list[Path]:
    return [home / "skills", PACKAGED_SKILLS_DIR] if home is not None else [PACKAGED_SKILLS_DIR]


def _parse(path: Path, name: str) -> Skill:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise EchoError(f"cannot read skill file {path}: {error}; fix or delete it") from error
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise EchoError(f"{path} must start with front matter: '---', 'name: ...', 'description: ...', '---'")
    header = _parse_header(match["header"])
    if header.get("name", name) != name:
        raise EchoError(f"{path} declares name {header['name']!r} but lives in folder {name!r}; make them match")
    body = match["body"].strip()
    if not body:
        raise EchoError(f"{path} has no guidance after its front matter; write the procedure there")
    return Skill(name=name, description=header.get("description", ""), body=body, path=path)


def _parse_header(header: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in header.splitlines():
        key, separator, value = line.partition(":")
        if separator and key.strip():
            fields[key.strip()] = value.strip().strip("\"'")
    return fields
