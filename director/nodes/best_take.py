"""The critic's measured check of every take, best of N (issue #14; `critique.run` calls it after the speech-overflow
check, before the planner's critique).

The take is measured (`generator.evaluation.measure_take`: speech accuracy against the script, each character's
voice and face against their card, lip sync) and the scores are kept on it (`record_scores`). A take below a
threshold (`director.take_scores`) is regenerated with a new seed while fewer than `critic_best_of` takes of the
shot were made for the same prompt in this run; then the best of them (fewest thresholds missed, then the larger
mean margin) becomes the shot's current take (`rollback_shot`), and the chat says what was measured and why which
take was kept. A take that cannot be measured is kept as it is, with the reason recorded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from director.error_log import failure_message
from director.graph_state import DirectorContext, DirectorState
from director.nodes import emit, say
from director.take_scores import TakeCheck, Thresholds, check_take, scores_line
from generator.errors import EchoError
from tools.undo import CRITIC
from workspace.project_view import load_project_state


@dataclass(frozen=True)
class Measured:
    """One measured take of the shot being made."""

    take_id: int
    version: int
    check: TakeCheck | None  # None: it could not be measured
    line: str  # its scores as the chat shows them, or why it was not measured

    def dump(self, number: int, plan: str) -> dict[str, Any]:
        check = self.check.dump() if self.check else None
        return {"shot_number": number, "plan": plan, "take_id": self.take_id, "version": self.version,
                "check": check, "line": self.line}  # fmt: skip

    @classmethod
    def load(cls, data: dict[str, Any]) -> Measured:
        check = TakeCheck.load(data["check"]) if data.get("check") else None
        return cls(data["take_id"], data["version"], check, data.get("line", ""))


def _plan_of(state: DirectorState) -> str:
    """What the takes compared must share: the prompt and the length they were rendered from."""
    condition = state["condition"]
    return hashlib.sha256(f"{condition['num_frames']}|{condition['prompt']}".encode()).hexdigest()[:16]


def _measure(
    ctx: DirectorContext, project_id: int, take_id: int, names: dict[str, str]
) -> tuple[TakeCheck | None, str]:
    """Measure the take and record its scores; (None, 'not measured: why') when it cannot be measured."""
    from director.evaluation import take_media
    from generator.evaluation import measure_take

    try:
        scores = measure_take(take_media(ctx.workspace, project_id, take_id))
    except Exception as error:  # the check advises: a take it cannot measure (or a bug in it) must not stop the film
        why = str(error) if isinstance(error, EchoError) else failure_message(error, ctx.workspace.home, "measuring")
        ctx.tool("record_scores", project_id=project_id, take_id=take_id, reason=why)
        return None, f"not measured: {why}"
    check = check_take(scores, Thresholds.of(ctx.settings), names)
    ctx.tool(
        "record_scores",
        project_id=project_id,
        take_id=take_id,
        scores=scores.model_dump(mode="json"),
        check=check.dump(),
    )
    return check, scores_line(scores, names)


def _best(takes: list[Measured]) -> Measured:
    """The newest take, unless an earlier measured one is strictly better (`TakeCheck.better_than`)."""
    best = takes[-1]
    if best.check is None:
        return best
    best_check = best.check
    for take in takes[:-1]:
        if take.check is not None and take.check.better_than(best_check):
            best, best_check = take, take.check
    return best


def _record(ctx: DirectorContext, project_id: int, take_id: int, findings: list[str], action: str) -> None:
    ctx.tool("record_critique", project_id=project_id, take_id=take_id, findings=findings, action=action)


def best_of(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    """Measure the new take; the state update: a retry with a new seed, or the kept take (`take_id`) with the
    measurement in `critic_scores` for the review question."""
    pid, number, take_id = state["project_id"], state["shot_number"], state["take_id"]
    project = load_project_state(ctx.workspace, pid)
    names = {card.char_id: card.name for card in project.characters}
    version = project.shot(number).current_take.version  # type: ignore[union-attr]  # just recorded
    plan = _plan_of(state)
    earlier = [Measured.load(m) for m in state.get("measured", []) if (m["shot_number"], m["plan"]) == (number, plan)]
    emit("progress", f"Shot {number}: measuring take {version}", fraction=1.0, shot_number=number)
    check, line = _measure(ctx, pid, take_id, names)
    takes = [*earlier, Measured(take_id, version, check, line)]
    best_of_n = ctx.settings.critic_best_of
    text = f"Shot {number} take {version} measured: {line}"
    reseed = [n for n in state.get("reseed", []) if n != number]
    if check is not None and not check.passed and len(takes) < best_of_n:
        _record(ctx, pid, take_id, check.shortfalls, "regenerate")
        text += (
            f". Below the thresholds ({'; '.join(check.shortfalls)}): regenerating it with a new seed "
            f"(take {len(takes) + 1} of at most {best_of_n})."
        )
        measured = [m.dump(number, plan) for m in takes]
        return {"outcome": "retry", "measured": measured, "reseed": [*reseed, number], **say(text)}
    kept = _best(takes)
    if check is not None and not check.passed:
        limit = "best of 1: not regenerated" if best_of_n == 1 else f"best of {best_of_n}: no more takes this run"
        text += f". Below the thresholds: {'; '.join(check.shortfalls)} ({limit})."
    else:
        text += "."
    if len(takes) > 1:
        text += f" Keeping take {kept.version} {_why(takes, kept)}."
    if kept is not takes[-1]:
        ctx.tool("rollback_shot", actor=CRITIC, project_id=pid, number=number, version=kept.version)
        text += f" Take {version} stays in the history."
    note = f"Take {kept.version} measured: {kept.line}"
    if kept.check is not None and not kept.check.passed:
        _record(ctx, pid, kept.take_id, kept.check.shortfalls, "kept")
        note += f"; below the thresholds: {'; '.join(kept.check.shortfalls)}"
    if len(takes) > 1:
        note += f"; kept {_why(takes, kept)}"
    return {"take_id": kept.take_id, "measured": [], "reseed": reseed, "critic_scores": note, **say(text)}


def _why(takes: list[Measured], kept: Measured) -> str:
    """'over take 1 (it measures no worse)'."""
    others = " and ".join(f"take {take.version}" for take in takes if take is not kept)
    if kept is not takes[-1]:
        return f"over {others} (it measures better)"
    return f"over {others} ({'it measures no worse' if kept.check else 'it could not be measured to compare'})"
