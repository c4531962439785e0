"""Whole-run progress for the page: the Director reports progress per shot; the user wants "shot 2 of 3, 40 %"."""

from __future__ import annotations

import html
import re

SHOT_PREFIX = re.compile(r"^Shot \d+:\s*")


class RunProgress:
    """Counts the shots one Director run makes and turns its events into one progress bar."""

    def __init__(self) -> None:
        self.finished: set[int] = set()
        self.current: int | None = None
        self.total = 0

    def start_shot(self, number: int, pending: set[int]) -> None:
        """`pending`: the shots still without a usable take when this one starts (the run's remaining work)."""
        self.current = number
        self.total = max(self.total, len(self.finished | pending | {number}))

    def finish_shot(self, number: int | None) -> None:
        if number is not None:
            self.finished.add(number)
        self.current = None

    def fraction(self, shot_fraction: float | None) -> float:
        if not self.total:
            return 0.0
        within = min(max(shot_fraction or 0.0, 0.0), 1.0) if self.current is not None else 0.0
        return min((len(self.finished) + within) / self.total, 1.0)

    def html(self, step: str, shot_fraction: float | None) -> str:
        """A progress bar with what the Director is doing now."""
        if self.current is None or not self.total:
            return bar(None, step)
        done = self.fraction(shot_fraction)
        position = min(len(self.finished) + 1, self.total)
        text = f"Making shot {self.current} ({position} of {self.total}): {SHOT_PREFIX.sub('', step)}"
        return bar(done, text)


def bar(fraction: float | None, text: str) -> str:
    """An HTML progress bar (indeterminate when the fraction is unknown) followed by its text."""
    value = "" if fraction is None else f' value="{fraction:.3f}" max="1"'
    percent = "" if fraction is None else f" · {round(fraction * 100)} %"
    return f'<div class="echo-activity"><progress{value}></progress><span>{html.escape(text)}{percent}</span></div>'
