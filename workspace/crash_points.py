"""The test hook for crash recovery, shared by the graph's nodes and the tools that write files.

With ECHO_DIRECTOR_CRASH_AT=<stage>:<shot> (e.g. `generate:7`, `register_take.linked:2`) the process kills itself
with SIGKILL at that point for that shot: exactly what a power cut or `kill -9` does. Unset in normal use.
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "ECHO_DIRECTOR_CRASH_AT"


def crash_point(stage: str, shot_number: int) -> None:
    if os.environ.get(CRASH_ENV) == f"{stage}:{shot_number}":
        os.kill(os.getpid(), signal.SIGKILL)
