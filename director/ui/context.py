"""What every browser tab of one app process shares: settings, the workspace and one Director per project."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from director.session import DirectorSession
from director.settings import Settings, open_home
from generator.errors import EchoError, format_validation_error
from generator.files import atomic_write_bytes
from tools.base import Toolbox, ToolResult
from workspace.db import Workspace
from workspace.project_view import ProjectState, load_project_state, resolve_project

# Settings the page may change while running; the home and the network binding are fixed at start.
EDITABLE_SETTINGS = (
    "llm_base_url",
    "llm_model",
    "llm_api_key",
    "backend",
    "model_dir",
    "width",
    "height",
    "review_mode",
    "subtitles",
)


class AppContext:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workspace: Workspace = open_home(settings)
        self._sessions: dict[int, DirectorSession] = {}
        self._lock = threading.Lock()

    def project_id(self, choice: str | int | None) -> int:
        """The project a dropdown value names; EchoError when none is chosen or it does not exist."""
        if choice is None or not str(choice).strip():
            raise EchoError("no project is open; pick one under Project, or describe a new film in the chat")
        return resolve_project(self.workspace, choice)

    def state(self, project_id: int) -> ProjectState:
        return load_project_state(self.workspace, project_id)

    def state_or_none(self, choice: str | int | None) -> ProjectState | None:
        """The chosen project's state, None when nothing (or nothing valid) is chosen."""
        try:
            return self.state(self.project_id(choice))
        except EchoError:
            return None

    def director(self, project_id: int | None) -> DirectorSession:
        """The Director of a project (kept across requests), or a fresh one that creates its project on first use."""
        with self._lock:
            if project_id is None:
                return DirectorSession(self.settings)
            if project_id not in self._sessions:
                self._sessions[project_id] = DirectorSession(self.settings, project_id=project_id)
            return self._sessions[project_id]

    def adopt(self, session: DirectorSession) -> None:
        """Keep a Director that just created its project."""
        if session.project_id is not None:
            with self._lock:
                self._sessions.setdefault(session.project_id, session)
            self.remember(session.project_id)

    def remember(self, project_id: int) -> None:
        """The film the creator worked on last, reopened when the app starts again."""
        atomic_write_bytes(self._last_project_path, str(project_id).encode())

    def last_project(self) -> int | None:
        """The film worked on last, if it still exists."""
        try:
            return resolve_project(self.workspace, self._last_project_path.read_text().strip())
        except (OSError, UnicodeDecodeError, EchoError):
            return None

    @property
    def _last_project_path(self) -> Path:
        return self.workspace.home / "ui" / "last_project"

    def call_tool(self, name: str, args: dict[str, Any]) -> ToolResult:
        """A change made by the person at the page, logged as actor "user"; EchoError with its message on failure."""
        return Toolbox(self.workspace, actor="user").call(name, args).raise_if_failed()

    def update_settings(self, **changes: Any) -> Settings:
        """Apply new settings to every Director started from now on; nothing changes when one is invalid."""
        unknown = set(changes) - set(EDITABLE_SETTINGS)
        if unknown:
            raise EchoError(f"cannot change {', '.join(sorted(unknown))} from the page; restart the app with the flag")
        merged = self.settings.model_dump() | {key: value for key, value in changes.items()}
        try:
            updated = Settings(**merged)
        except ValidationError as error:
            raise EchoError(f"settings not applied: {format_validation_error(error, whole_value='')}") from error
        with self._lock:
            self.settings = updated
            self._sessions.clear()
        return updated
