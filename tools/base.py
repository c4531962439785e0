"""Typed tools: the only way project state changes (paper Sec. 5.1). Every call is validated, runs in one
transaction, and is recorded in the ToolCall audit table whether it succeeds or not."""

from __future__ import annotations

import contextlib
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from generator.errors import EchoError, format_validation_error
from workspace.db import Workspace
from workspace.models import Project, ToolCall, utcnow

TOOL_MODULES = (
    "tools.project",
    "tools.story",
    "tools.cards",
    "tools.shots",
    "tools.takes",
    "tools.critique",
    "tools.undo",
)


class ToolResult(BaseModel):
    ok: bool
    message: str
    data: dict[str, Any] = {}

    def raise_if_failed(self) -> ToolResult:
        """The result itself when the call succeeded; an EchoError carrying the tool's message when it was refused."""
        if not self.ok:
            raise EchoError(self.message)
        return self


class ToolArgs(BaseModel):
    """Base of every argument model: unknown fields are errors, so a misspelt field never passes silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


@dataclass
class ToolContext:
    """What a tool function gets: the open transaction, the workspace, undo steps for files it placed (run when
    the transaction fails) and clean-up steps (run once it has committed)."""

    workspace: Workspace
    session: Session
    actor: str
    undo_files: list[Callable[[], None]] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


@dataclass(frozen=True)
class ToolOutput:
    message: str
    data: dict[str, Any] = field(default_factory=dict)


ToolFunction = Callable[[ToolContext, Any], ToolOutput]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    args_model: type[BaseModel]
    function: ToolFunction


_REGISTRY: dict[str, ToolSpec] = {}


def tool(name: str, args_model: type[BaseModel]) -> Callable[[ToolFunction], ToolFunction]:
    """Register `function(ctx, args) -> ToolOutput` as tool `name`; its docstring is the description."""

    def register(function: ToolFunction) -> ToolFunction:
        if name in _REGISTRY:
            raise RuntimeError(f"tool {name!r} registered twice")
        description = " ".join((function.__doc__ or name).split())
        _REGISTRY[name] = ToolSpec(name, description, args_model, function)
        return function

    return register


def registered_tools() -> dict[str, ToolSpec]:
    for module in TOOL_MODULES:
        importlib.import_module(module)
    return _REGISTRY


def _undo(steps: list[Callable[[], None]]) -> None:
    """Run undo steps newest first; one failing step must not stop the others."""
    for step in reversed(steps):
        with contextlib.suppress(OSError):
            step()


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


class Toolbox:
    """Calls tools against one workspace on behalf of an actor ("director", "user", ...)."""

    def __init__(self, workspace: Workspace, actor: str = "director") -> None:
        self.workspace = workspace
        self.actor = actor
        self._tools = registered_tools()

    def as_actor(self, actor: str) -> Toolbox:
        """The same tools on the same workspace, audited under another actor."""
        return Toolbox(self.workspace, actor=actor)

    def names(self) -> list[str]:
        return sorted(self._tools)

    def spec(self, name: str) -> ToolSpec:
        if name not in self._tools:
            raise EchoError(f"unknown tool {name!r}; valid: {', '.join(self.names())}")
        return self._tools[name]

    def call(self, name: str, args: dict[str, Any] | BaseModel | None = None) -> ToolResult:
        raw: Any = args.model_dump(mode="json") if isinstance(args, BaseModel) else dict(args or {})
        try:
            spec = self.spec(name)
            parsed = spec.args_model.model_validate(raw)
        except ValidationError as error:
            return self._finish(name, raw, ToolResult(ok=False, message=f"{name}: {format_validation_error(error)}"))
        except EchoError as error:
            return self._finish(name, raw, ToolResult(ok=False, message=str(error)))
        logged_args = parsed.model_dump(mode="json")
        try:
            result = self._run(spec, parsed)
        except Exception as error:  # a bug, not bad input: record it, then let it surface
            self._finish(name, logged_args, ToolResult(ok=False, message=f"{name}: internal error: {error!r}"))
            raise
        return self._finish(name, logged_args, result)

    def _run(self, spec: ToolSpec, args: BaseModel) -> ToolResult:
        undo: list[Callable[[], None]] = []
        cleanup: list[Callable[[], None]] = []
        try:
            with self.workspace.session() as session:
                output = spec.function(ToolContext(self.workspace, session, self.actor, undo, cleanup), args)
            for step in cleanup:  # committed: a failed clean-up leaves only files that a later sweep removes
                with contextlib.suppress(OSError):
                    step()
            return ToolResult(ok=True, message=output.message, data=output.data)
        except (EchoError, ValidationError, IntegrityError) as error:
            _undo(undo)
            if isinstance(error, ValidationError):
                message = format_validation_error(error)
            elif isinstance(error, IntegrityError):
                message = f"the database refused the change, nothing was saved ({error.orig})"
            else:
                message = str(error)
            return ToolResult(ok=False, message=f"{spec.name}: {message}")
        except BaseException:
            _undo(undo)
            raise

    def _finish(self, name: str, args: dict[str, Any], result: ToolResult) -> ToolResult:
        project_id = args.get("project_id", result.data.get("project_id"))
        entry = ToolCall(
            project_id=project_id if isinstance(project_id, int) else None,
            tool=name,
            actor=self.actor,
            args=_json_safe(args),
            ok=result.ok,
            result=_json_safe(result.data) if result.ok else None,
            error=None if result.ok else result.message,
        )
        with self.workspace.session() as session:
            session.add(entry)
        return result


class ProjectArgs(ToolArgs):
    project_id: int = Field(ge=1, description="Project id")


class ShotNumberArgs(ProjectArgs):
    number: int = Field(ge=1, description="1-based shot number")


def touch(project: Project) -> None:
    project.updated_at = utcnow()
