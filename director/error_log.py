"""Unexpected failures (bugs, not user errors): the traceback goes to a log file in the home, the user gets one
line naming the error and that file. Used by the CLI and by the Director session, so neither shows a traceback."""

from __future__ import annotations

import shutil
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from generator.errors import is_disk_full
from generator.text import clip

LOG_NAME = "errors.log"
MESSAGE_LENGTH = 300


def log_unexpected(error: BaseException, home: Path | None, doing: str) -> Path | None:
    """Append the traceback to HOME/logs/errors.log (the temp folder when the home cannot be written);
    returns the file, or None when no file could be written at all."""
    record = f"--- {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC, {doing} (argv: {' '.join(sys.argv)})\n" + "".join(
        traceback.format_exception(error)
    )
    folders = ([home / "logs"] if home is not None else []) + [Path(tempfile.gettempdir())]
    for folder in folders:
        path = folder / (LOG_NAME if folder.name == "logs" else f"echo-director-{LOG_NAME}")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                log.write(record)
        except OSError:
            continue
        return path
    return None


def failure_message(error: BaseException, home: Path | None, doing: str) -> str:
    """The one line a user gets for an exception that is not an EchoError: a full disk says so and how much is
    free; anything else is a bug, logged with its traceback."""
    if is_disk_full(error):
        folder = home if home is not None else Path.cwd()
        existing = next(path for path in (folder, *folder.parents) if path.exists())
        free_mb = shutil.disk_usage(existing).free / 1e6
        return (
            f"the disk holding {folder} is full ({free_mb:.0f} MB free); free some space, then run the same command "
            "again: finished shots are kept and the run continues where it stopped"
        )
    return unexpected_message(error, log_unexpected(error, home, doing))


def unexpected_message(error: BaseException, log: Path | None) -> str:
    """One line: what broke, where the details are, and that it is a bug to report."""
    where = f"the traceback is in {log}" if log else "no log file could be written"
    what = clip(f"{type(error).__name__}: {error}", MESSAGE_LENGTH)
    return f"unexpected internal error ({what}); {where}. Nothing more was changed; please report it"
