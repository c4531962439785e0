"""The critic's scores and the Evaluation tab in the app, handler by handler: the Shot tab and Compare show each
take's measured scores (or why a take has none); the Evaluation tab refuses a film it does not show, then measures
the one it shows (summary, weakest shots first, the report as downloads from the project's folder) and shows that
evaluation again when reopened.

One shot is rendered through the real graph: take 1 speaks the wrong words and is measured and flagged (best of 1:
kept), take 2 is rendered with measuring off (the preview's default)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_critic_measure import MisspeakingPreview, one_shot_project
from workspace_helpers import ok

from director.session import DirectorSession
from director.settings import Settings
from director.ui.compare import Compare
from director.ui.context import AppContext
from director.ui.editors import Editors
from director.ui.evaluation_tab import EVALUATION_HINT, EvaluationTab, evaluation_rows
from director.ui.handlers import Handlers
from generator.evaluation.models import CharacterScores, FilmScores, Measurement, TakeScores
from tools.base import Toolbox

SIZE = {"width": 64, "height": 64}
DIALOGUE = 2  # the inspector's outputs: header, video, dialogue (with the scores), ...


def plain(markdown: str) -> str:
    """Markdown as read: the escapes `views.literal` adds removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.fixture(scope="module")
def scored_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("scored") / "home"
    measuring = Settings(home=home, critic_measure=True, critic_best_of=1, **SIZE)
    session = DirectorSession(measuring, one_shot_project(measuring), generator=MisspeakingPreview(spoiled=[0]))
    assert list(session.generate_pending())[-1].kind == "done"
    session.close()
    again = DirectorSession(Settings(home=home, **SIZE), project_id=1)
    assert list(again.send("regenerate shot 1"))[-1].kind == "done"
    again.close()
    return home


@pytest.fixture
def app(scored_home: Path) -> Iterator[AppContext]:
    ctx = AppContext(Settings(home=scored_home, **SIZE))
    yield ctx
    ctx.workspace.close()


def test_the_inspector_and_compare_show_each_takes_scores(app: AppContext) -> None:
    inspector = Editors(app, Handlers(app).run_started)
    shown = plain(inspector.inspect("1", 1)[DIALOGUE])
    assert "**Measured scores of each take**" in shown
    current, earlier = shown.split("**Measured scores of each take**\n")[1].split("\n")
    assert current.startswith("- **v2** (current): not measured: made with the critic's measuring off")
    assert earlier.startswith("- **v1**: speech accuracy 0.")
    assert "Tobin: voice not measured (the card has no reference voice)" in earlier
    assert "below the thresholds: speech word error rate" in earlier

    memory_a, memory_b = Compare(app).load("1", 1)[3], Compare(app).load("1", 1)[5]
    assert plain(memory_a).startswith("**Scores:** speech accuracy 0.")
    assert plain(memory_b).startswith("**Scores:** not measured: made with the critic's measuring off")


def test_the_evaluation_tab_refuses_another_film_then_evaluates_the_one_it_shows(app: AppContext) -> None:
    tab = EvaluationTab(app)
    report_dir = app.workspace.media.project_dir(1) / "evaluation"
    assert tab.load(None) == (EVALUATION_HINT, [], None, "", None)
    summary, table, files, status, shown = tab.load("1")
    assert EVALUATION_HINT in summary and (table, files, shown) == ([], None, 1)

    other = ok(Toolbox(app.workspace, actor="test"), "create_project", title="Second film")["project_id"]
    refusals = [tab.evaluate(str(other), shown)[-1], tab.evaluate("1", None)[-1]]
    assert refusals[0].startswith(f"⚠ the Evaluation tab still shows film #1, but film #{other} is open now")
    assert refusals[1].startswith("⚠ the Evaluation tab shows no film yet")
    assert not report_dir.exists()

    summary, table, files, status = tab.evaluate("1", shown)
    assert summary and status.startswith("Measured 1 takes in ")
    assert [row[:3] for row in table] == [["1", "v2", table[0][2]]] and table[0][2] != "—"
    assert sorted(Path(f).name for f in files) == ["evaluation.json", "report.html"]
    assert all(Path(f).parent == report_dir for f in files)

    reopened = tab.load("1")
    assert reopened[:3] == (summary, table, files) and reopened[3].startswith("The last evaluation, made ")


def measured(value: float | None, reason: str = "") -> Measurement:
    return Measurement(value=value, method="test", reason=reason)


def take(number: int, accuracy: float | None, lag: float | None) -> TakeScores:
    character = CharacterScores(
        char_id="ID_A",
        spoke_s=1.0,
        voice_to_reference=measured(None, "the card has no reference voice"),
        face_to_reference=measured(0.7),
        face_found=measured(1.0),
        lip_sync_correlation=measured(0.5),
        lip_sync_lag_s=measured(lag, "no face found for this character" if lag is None else ""),
    )
    speech = measured(accuracy, "no dialogue in this shot" if accuracy is None else "")
    return TakeScores(take_id=number, shot_number=number, version=1, speech_accuracy=speech, characters=[character])


def test_evaluation_rows_put_the_weakest_shots_first_and_say_why_numbers_are_missing() -> None:
    film = FilmScores(
        project="p",
        takes=[take(1, 0.9, -0.08), take(2, 0.2, None), take(3, None, 0.0)],
        voice_distinctness=measured(None, "one character"),
        weakest_shots=[2],
    )
    assert evaluation_rows(film) == [
        ["2", "v1", "0.20", "—", "0.70", "—", "the card has no reference voice; no face found for this character"],
        ["1", "v1", "0.90", "—", "0.70", "0.08", "the card has no reference voice"],
        ["3", "v1", "—", "—", "0.70", "0.00", "no dialogue in this shot; the card has no reference voice"],
    ]
