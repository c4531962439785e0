"""The critic's measured check of a take (issue #14): a take's measurements (`generator.evaluation.TakeScores`)
against the configured thresholds, what falls short as sentences, one line of scores for the chat and the
inspector, and which of several takes of a shot is better.

"Better" is one comparable score: first the number of thresholds a take fails (fewer is better), then the mean
of its margins over the thresholds it was measured against (each margin relative to its threshold: +0.2 means
20% better than the limit, -0.5 half again worse). A number that could not be measured neither fails nor counts
towards the mean. Two takes whose means are within `MARGIN_TIE` are equal, and then the newest take is kept, so
the choice never hangs on the last bits of a float (they differ between machines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import fmean
from typing import TYPE_CHECKING, Any

from generator.evaluation.models import Measurement, TakeScores
from tools.critique import SCORES_KEY

if TYPE_CHECKING:
    from director.settings import Settings

MARGIN_TIE = 0.01


@dataclass(frozen=True)
class Thresholds:
    min_voice_similarity: float
    min_face_similarity: float
    max_wer: float
    max_lip_lag_s: float

    @classmethod
    def of(cls, settings: Settings) -> Thresholds:
        return cls(
            min_voice_similarity=settings.critic_min_voice_similarity,
            min_face_similarity=settings.critic_min_face_similarity,
            max_wer=settings.critic_max_wer,
            max_lip_lag_s=settings.critic_max_lip_lag_s,
        )


@dataclass(frozen=True)
class TakeCheck:
    """A measured take against the thresholds: its shortfalls (sentences) and its margins."""

    shortfalls: list[str] = field(default_factory=list)
    margins: list[float] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.shortfalls

    @property
    def mean_margin(self) -> float:
        return fmean(self.margins) if self.margins else 0.0

    def better_than(self, other: TakeCheck) -> bool:
        """Strictly better: fewer shortfalls, or as many and a mean margin higher by more than `MARGIN_TIE`."""
        if len(self.shortfalls) != len(other.shortfalls):
            return len(self.shortfalls) < len(other.shortfalls)
        return self.mean_margin > other.mean_margin + MARGIN_TIE

    def dump(self) -> dict[str, Any]:
        return {"shortfalls": self.shortfalls, "margins": self.margins}

    @classmethod
    def load(cls, data: dict[str, Any]) -> TakeCheck:
        return cls(shortfalls=list(data.get("shortfalls", [])), margins=list(data.get("margins", [])))


def _name(names: dict[str, str], char_id: str) -> str:
    return names.get(char_id, char_id)


def check_take(scores: TakeScores, limits: Thresholds, names: dict[str, str]) -> TakeCheck:
    """Every measured number against its threshold; `names` maps character ids to names for the sentences."""
    shortfalls: list[str] = []
    margins: list[float] = []

    def at_least(value: float | None, limit: float, what: str) -> None:
        if value is None:
            return
        margins.append((value - limit) / limit if limit > 0 else value)
        if value < limit:
            shortfalls.append(f"{what} {value:.2f}, below the {limit:.2f} required")

    def at_most(value: float | None, limit: float, what: str, unit: str = "") -> None:
        if value is None:
            return
        margins.append((limit - value) / limit if limit > 0 else -value)
        if value > limit:
            shortfalls.append(f"{what} {value:.2f}{unit}, above the {limit:.2f}{unit} allowed")

    accuracy = scores.speech_accuracy.value
    at_most(None if accuracy is None else 1.0 - accuracy, limits.max_wer, "speech word error rate")
    for character in scores.characters:
        who = _name(names, character.char_id)
        if character.spoke_s > 0:
            at_least(character.voice_to_reference.value, limits.min_voice_similarity, f"{who}'s voice to their card")
        at_least(character.face_to_reference.value, limits.min_face_similarity, f"{who}'s face to their card")
        lag = character.lip_sync_lag_s.value
        at_most(None if lag is None else abs(lag), limits.max_lip_lag_s, f"{who}'s lip-sync lag", " s")
    return TakeCheck(shortfalls, margins)


def _value(measurement: Measurement, text: str) -> str:
    if measurement.value is None:
        return f"{text} not measured ({measurement.reason or 'no reason given'})"
    return f"{text} {measurement.value:.2f}"


def scores_line(scores: TakeScores, names: dict[str, str]) -> str:
    """'speech accuracy 0.95; Mira: voice 0.81, face not measured (no reference image), lip lag 0.04 s'."""
    parts = [_value(scores.speech_accuracy, "speech accuracy")]
    for character in scores.characters:
        lag = character.lip_sync_lag_s
        details = [
            _value(character.voice_to_reference, "voice"),
            _value(character.face_to_reference, "face"),
            _value(lag, "lip lag") + (" s" if lag.value is not None else ""),
        ]
        parts.append(f"{_name(names, character.char_id)}: {', '.join(details)}")
    return "; ".join(parts)


@dataclass(frozen=True)
class StoredScores:
    """What `record_scores` keeps on a take: the scores and their check, or why nothing was measured."""

    scores: TakeScores | None
    check: TakeCheck | None
    reason: str = ""

    def line(self, names: dict[str, str]) -> str:
        if self.scores is None:
            return f"not measured: {self.reason}"
        text = scores_line(self.scores, names)
        if self.check is not None and self.check.shortfalls:
            text += f" — below the thresholds: {'; '.join(self.check.shortfalls)}"
        elif self.check is not None:
            text += " — within the thresholds"
        return text


def stored_scores(metadata: dict[str, Any]) -> StoredScores | None:
    """The scores recorded on a take (its metadata), None when the critic never measured it."""
    entry = metadata.get(SCORES_KEY)
    if not isinstance(entry, dict):
        return None
    if entry.get("scores") is None:
        return StoredScores(None, None, str(entry.get("reason") or "no reason recorded"))
    check = TakeCheck.load(entry["check"]) if isinstance(entry.get("check"), dict) else None
    return StoredScores(TakeScores.model_validate(entry["scores"]), check, str(entry.get("reason") or ""))
