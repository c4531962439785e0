"""The one exception type whose message is meant for the user (CLI prints it, the UI shows it)."""

from __future__ import annotations

import errno

from pydantic import ValidationError


class EchoError(Exception):
    """Something the user can fix; str(error) says what and how. Raising it must leave state unchanged."""


def format_validation_error(error: ValidationError, whole_value: str = "arguments") -> str:
    """'title: String should have at least 1 character; shots.0.num_frames: ...'; a problem with no field path
    (the value as a whole) is labelled `whole_value`."""
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or whole_value}: {item['msg']}" for item in error.errors()
    )


def is_disk_full(error: BaseException) -> bool:
    """True when `error`, or an error it was raised from, says the disk (or quota) is full: OSError ENOSPC or
    EDQUOT, or SQLite's "database or disk is full"."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "disk is full" in str(current) or "No space left on device" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False
