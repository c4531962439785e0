"""The critic that measures (issue #14), through the real graph with the offline planner, the preview renderer and the
real measurements (pocketsphinx, resemblyzer, dlib): a take whose speech is wrong is flagged and regenerated with
a new seed, the better take is kept and both takes keep their scores; a correct take passes; best of 1 never
regenerates; review mode puts the scores to the creator.

"Deliberately wrong": `MisspeakingPreview` is the preview renderer except that the renders it is told to spoil speak
other words than their lines, while their take records the lines it was asked for, as an echo take does (its
timings come from the request's script). That is the failure the critic exists for: a model that said the wrong
words for one seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from workspace_helpers import ok

from director.graph_state import DirectorEvent
from director.nodes.best_take import Measured, _best
from director.session import DirectorSession
from director.settings import Settings, open_home
from director.take_scores import TakeCheck, stored_scores
from generator.preview.renderer import PreviewGenerator
from generator.types import GeneratedShot, MemorySlot, ShotRequest
from tools.base import Toolbox
from workspace.models import Take
from workspace.project_view import load_project_state

# pocketsphinx hears this line in Tobin's preview voice (1 - WER 0.5-0.6); other words for it score 0.0-0.1
LINE = "I found the old book you were looking for in the cellar."
OTHER_WORDS = "Nobody has opened that door for a hundred years."


class MisspeakingPreview:
    """The preview renderer; the renders numbered in `spoiled` (0 = the first) speak `OTHER_WORDS` instead."""

    name = "preview"

    def __init__(self, spoiled: Sequence[int] = ()) -> None:
        self.preview = PreviewGenerator()
        self.spoiled = set(spoiled)
        self.seeds: list[int] = []

    def generate(
        self, request: ShotRequest, memory: Sequence[MemorySlot], progress: Any = None, out_dir: Path | None = None
    ) -> GeneratedShot:
        spoil = len(self.seeds) in self.spoiled
        self.seeds.append(request.seed)
        if not spoil:
            return self.preview.generate(request, memory, progress, out_dir)
        lines = [line.model_copy(update={"text": OTHER_WORDS}) for line in request.dialogue]
        shot = self.preview.generate(request.model_copy(update={"dialogue": lines}), memory, progress, out_dir)
        scripted = [
            timing.model_copy(update={"text": line.text})
            for timing, line in zip(shot.dialogue_timings, request.dialogue, strict=True)
        ]
        return shot.model_copy(update={"dialogue_timings": scripted})


def one_shot_project(settings: Settings) -> int:
    """Tobin, an old librarian, saying `LINE` in one 4.8-second shot."""
    workspace = open_home(settings)
    tools = Toolbox(workspace, actor="test")
    pid = ok(tools, "create_project", title="The Cellar", idea="Tobin finds a book")["project_id"]
    ok(tools, "write_story", project_id=pid, title="The Cellar", description="Tobin finds a book.", style="Warm.")
    ok(tools, "confirm_story", project_id=pid)
    ok(
        tools,
        "add_character",
        project_id=pid,
        name="Tobin",
        identity="An old man with a white beard.",
        voice="a deep, gruff male voice",
    )
    ok(tools, "add_scene", project_id=pid, name="Cellar", description="Candles, stone walls.")
    shot = {
        "scene_id": "S1",
        "characters": ["ID_A"],
        "action": "Tobin lifts a book.",
        "dialogue": [{"speaker": "ID_A", "text": LINE}],
        "camera": "static medium shot",
        "num_frames": 121,
    }
    ok(tools, "set_shot_plan", project_id=pid, shots=[shot])
    workspace.close()
    return pid


def session_with(
    home: Path, spoiled: Sequence[int] = (), best_of: int = 2, **options: Any
) -> tuple[DirectorSession, MisspeakingPreview]:
    settings = Settings(home=home, width=64, height=64, critic_measure=True, critic_best_of=best_of, **options)
    generator = MisspeakingPreview(spoiled)
    return DirectorSession(settings, one_shot_project(settings), generator=generator), generator


def run(events: Any) -> list[DirectorEvent]:
    collected = list(events)
    assert collected[-1].kind == "done", [e.text for e in collected if e.kind == "error"]
    return collected


def messages(events: list[DirectorEvent]) -> list[str]:
    return [event.text for event in events if event.kind == "message"]


def takes_of(session: DirectorSession) -> list[Take]:
    with session.workspace.read_session() as db:
        return db.query(Take).order_by(Take.version).all()


def current_version(session: DirectorSession) -> int | None:
    take = load_project_state(session.workspace, session.project_id).shot(1).current_take
    return take.version if take else None


@pytest.fixture
def measure_home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_wrong_speech_is_flagged_and_regenerated_with_a_new_seed_and_a_correct_take_passes(measure_home: Path) -> None:
    session, generator = session_with(measure_home, spoiled=[0], best_of=3)
    events = run(session.generate_pending())

    # the second take passes, so no third one although best of 3 would allow it
    assert len(generator.seeds) == 2 and generator.seeds[0] != generator.seeds[1]
    first, second = takes_of(session)
    first_scores, second_scores = stored_scores(first.metadata_), stored_scores(second.metadata_)
    assert first_scores and first_scores.check and second_scores and second_scores.check
    assert first_scores.scores and first_scores.scores.speech_accuracy.value is not None
    assert first_scores.scores.speech_accuracy.value <= 0.1  # 1 - WER: it said other words
    assert first_scores.check.shortfalls[0].startswith("speech word error rate") and second_scores.check.passed
    assert second_scores.scores and second_scores.scores.characters[0].voice_to_reference.reason == (
        "the card has no reference voice"
    )
    assert [(c["action"], c["findings"]) for c in first.metadata_["critique"]] == [
        ("regenerate", first_scores.check.shortfalls)
    ]
    assert "critique" not in second.metadata_
    assert current_version(session) == 2 and (first.seed, second.seed) == tuple(generator.seeds)

    said = messages(events)
    flagged = next(text for text in said if text.startswith("Shot 1 take 1 measured: speech accuracy 0."))
    assert "Below the thresholds (speech word error rate" in flagged
    assert flagged.endswith("regenerating it with a new seed (take 2 of at most 3).")
    kept = next(text for text in said if text.startswith("Shot 1 take 2 measured:"))
    assert "Tobin: voice not measured (the card has no reference voice)" in kept
    assert kept.endswith("Keeping take 2 over take 1 (it measures no worse).")


def test_an_earlier_take_that_measures_better_is_made_current_again(measure_home: Path) -> None:
    # a word error rate of 20% at most: pocketsphinx misses more of the preview's voice, so both takes fall short,
    # the first (its own words) by less than the second (other words)
    session, generator = session_with(measure_home, spoiled=[1], critic_max_wer=0.2)
    events = run(session.generate_pending())

    assert len(generator.seeds) == 2 and current_version(session) == 1
    first, second = takes_of(session)
    assert [c["action"] for c in first.metadata_["critique"]] == ["regenerate", "kept"]
    assert "critique" not in second.metadata_
    kept = next(text for text in messages(events) if text.startswith("Shot 1 take 2 measured:"))
    assert kept.endswith("Keeping take 1 over take 2 (it measures better). Take 2 stays in the history.")
    assert load_project_state(session.workspace, session.project_id).shot(1).status == "generated"


def test_best_of_one_never_regenerates_and_review_mode_shows_the_scores_and_the_reason(measure_home: Path) -> None:
    session, generator = session_with(measure_home, spoiled=[0], best_of=1, review_mode=True)
    asked = run(session.generate_pending())

    assert len(generator.seeds) == 1
    (take,) = takes_of(session)
    findings = [(c["action"], c["findings"][0][:22]) for c in take.metadata_["critique"]]
    assert findings == [("kept", "speech word error rate")]
    flagged = next(text for text in messages(asked) if text.startswith("Shot 1 take 1 measured:"))
    assert flagged.endswith("above the 0.80 allowed (best of 1: not regenerated).")
    question = asked[-2]
    assert question.kind == "question" and question.options == ["Approve"]
    assert question.text.startswith("Shot 1 is ready. Take 1 measured: speech accuracy 0.")
    assert "below the thresholds: speech word error rate" in question.text
    assert question.text.endswith("Approve it, or tell me what to change.")


def check(shortfalls: int, margin: float) -> TakeCheck:
    return TakeCheck([f"miss {i}" for i in range(shortfalls)], [margin])


def test_the_better_take_is_the_one_missing_fewer_thresholds_then_the_larger_margin() -> None:
    takes = [Measured(1, 1, check(1, 0.4), ""), Measured(2, 2, check(2, 0.9), ""), Measured(3, 3, None, "")]
    assert _best(takes[:2]).version == 1  # fewer thresholds missed wins over a larger margin
    assert _best([Measured(1, 1, check(0, 0.30), ""), Measured(2, 2, check(0, 0.295), "")]).version == 2  # a tie
    assert _best([Measured(1, 1, check(0, 0.5), ""), Measured(2, 2, check(0, 0.2), "")]).version == 1
    assert _best(takes).version == 3  # the newest cannot be compared: it stays
