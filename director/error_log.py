"""Unexpected failures (bugs, not user errors): the traceback goes to a log file in the home, the user gets one
line naming the error and that file. Used by the CLI and by the Director session, so neither shows a traceback."""

from __future__ import annotations

import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

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


def unexpected_message(error: BaseException, log: Path | None) -> str:
    """One line: what broke, where the details are, and that it is a bug to report."""
    where = f"the traceback is in {log}" if log else "no log file could be written"
    what = clip(f"{type(error).__name__}: {error}", MESSAGE_LENGTH)
    return f"unexpected internal error ({what}); {where}. Nothing more was changed; please report it"
