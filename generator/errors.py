"""The one exception type whose message is meant for the user (CLI prints it, the UI shows it)."""

from __future__ import annotations

from pydantic import ValidationError


class EchoError(Exception):
    """Something the user can fix; str(error) says what and how. Raising it must leave state unchanged."""


def format_validation_error(error: ValidationError, whole_value: str = "arguments") -> str:
    """'title: String should have at least 1 character; shots.0.num_frames: ...'; a problem with no field path
    (the value as a whole) is labelled `whole_value`."""
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or whole_value}: {item['msg']}" for item in error.errors()
    )
