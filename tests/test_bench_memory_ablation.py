"""The memory ablation benchmark (bench/memory_ablation.py): its fixed screenplay really plans 30 shots in which both
characters recur, a film's scores become one row of the table, and a tiny end-to-end run renders all three
strategies, evaluates them and writes the table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.memory_ablation import METRICS, coverage, main, screenplay, summarise
from director.offline.screenplay import parse_screenplay, plan_from_screenplay
from director.offline.story_concept import tone_in
from generator.evaluation.models import CharacterFilmScores, FilmScores, Measurement, ShotPairSimilarity, TakeScores


@pytest.mark.parametrize("shots", [30, 3])
def test_the_screenplay_plans_the_asked_shots_with_both_characters_recurring(shots: int) -> None:
    text = screenplay(shots)
    parsed = parse_screenplay(text)
    assert parsed is not None and parsed.characters == ["Mara", "Tomas"]
    plan = plan_from_screenplay(parsed, shots, tone_in(text), "bench")
    assert len(plan.shots) == shots
    if shots == 30:
        assert [s.scene for s in plan.shots[::10]] == ["Stone Harbour", "Lighthouse Lamp Room", "Cliff Path"]
        for name in ("Mara", "Tomas"):
            with_them = [s for s in plan.shots if name in s.characters]
            assert len(with_them) >= 15 and {s.scene for s in with_them} == {s.name for s in plan.scenes}


def measured(value: float | None, reason: str = "") -> Measurement:
    return Measurement(value=value, method="test method", reason=reason)


def test_a_film_becomes_one_row_of_means_over_what_was_measured() -> None:
    film = FilmScores(
        project="1",
        takes=[
            TakeScores(take_id=1, shot_number=1, version=1, speech_accuracy=measured(1.0)),
            TakeScores(take_id=2, shot_number=2, version=1, speech_accuracy=measured(0.5)),
            TakeScores(take_id=3, shot_number=3, version=1, speech_accuracy=measured(None, "no speech")),
        ],
        characters=[
            CharacterFilmScores(
                char_id="ID_A", name="Mara", voice_consistency=measured(0.8), face_consistency=measured(0.6)
            ),
            CharacterFilmScores(
                char_id="ID_B", name="Tomas", voice_consistency=measured(0.6), face_consistency=measured(None, "none")
            ),
        ],
        voice_distinctness=measured(0.3),
        shot_pairs=[ShotPairSimilarity(from_shot=1, to_shot=2, histogram=measured(0.9), perceptual_hash=measured(0.7))],
    )
    row = summarise(film)
    assert set(row["metrics"]) == set(METRICS)
    assert row["metrics"]["speech_accuracy"] == {
        "value": 0.75,
        "measured": 2,
        "of": 3,
        "method": "test method",
        "not_measured": ["no speech"],
    }
    assert row["metrics"]["voice_consistency"]["value"] == pytest.approx(0.7)
    assert row["metrics"]["face_consistency"]["value"] == 0.6
    assert row["metrics"]["lip_sync"] == {"value": None, "measured": 0, "of": 0, "method": "", "not_measured": []}
    assert row["characters"]["Tomas"] == {"voice_consistency": 0.6, "face_consistency": None}
    assert coverage({"agent": row, "none": row}) == [
        "face cons.: measured agent 1 of 2, none 1 of 2 (not measured: none)",
        "speech acc.: measured agent 2 of 3, none 2 of 3 (not measured: no speech)",
        "lip sync: measured agent 0 of 0, none 0 of 0",
    ]


@pytest.mark.slow
def test_a_tiny_ablation_renders_evaluates_and_writes_the_table(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "ablation.json"
    assert main(["--shots", "2", "--width", "64", "--height", "64", "--work", str(tmp_path), "--json", str(out)]) == 0

    report = json.loads(out.read_text())
    rows = report["strategies"]
    assert list(rows) == ["agent", "native", "none"]
    assert rows["none"]["slots_per_shot"] == 0 < rows["agent"]["slots_per_shot"]
    assert all(set(row["metrics"]) == set(METRICS) and row["shots"] == 2 for row in rows.values())
    printed = capsys.readouterr().out
    assert "voice cons." in printed and "do not measure memory" in printed
