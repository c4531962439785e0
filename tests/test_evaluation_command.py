"""`echo-director evaluate` on a small rendered preview project (four short shots at 320x192: no face is found at
that size, which the report shows as not measured; the measurements themselves are checked in
test_evaluation_measures.py): the takes are measured in two processes (this one and a worker), the JSON reads back
as FilmScores, the HTML report is written with escaped text, one summary line is printed; unknown projects and
projects without takes are one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.evaluate import build_project
from director import evaluation
from director.cli import main
from director.evaluation import default_evaluation_dir
from generator.evaluation.models import FilmScores
from tools.base import Toolbox
from workspace.db import open_workspace


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("evaluate") / "home"
    build_project(folder, shots=4, width=320, height=192, frames=49)
    return folder


def test_evaluate_writes_json_and_report_and_prints_a_summary(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evaluation, "_cores", lambda: 2)
    monkeypatch.setattr(evaluation, "TAKES_PER_PROCESS", 2)
    folder = tmp_path / "eval"
    assert main(["--home", str(home), "evaluate", "Evaluation bench", "--out", str(folder)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert "[  0%] measuring 4 shots in 2 processes" in printed
    summary = next(line for line in printed if line.startswith("Evaluation bench (project 1): 4 shots"))
    assert "speech accuracy" in summary and "weakest shots" in summary
    assert f"report: {folder / 'report.html'}" in printed
    film = FilmScores.model_validate_json((folder / "evaluation.json").read_text())
    assert [take.shot_number for take in film.takes] == [1, 2, 3, 4] and film.summary == summary
    assert film.takes[1].memory_labels == ["ID_A", "ID_B", "PREVIOUS_SHOT"]
    mara = next(c for c in film.characters if c.char_id == "ID_A")
    assert mara.voice_consistency.value is not None
    report = (folder / "report.html").read_text()
    assert "data:image/png;base64," in report and "weakest first" in report and "not measured: " in report


def test_the_default_folder_is_inside_the_project(home: Path) -> None:
    workspace = open_workspace(home)
    try:
        assert default_evaluation_dir(workspace, 1) == workspace.media.project_dir(1) / "evaluation"
    finally:
        workspace.close()


def test_unknown_project_and_project_without_takes_are_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    home = tmp_path / "home"
    assert main(["--home", str(home), "evaluate", "7"]) == 2
    assert capsys.readouterr().err.startswith("error: unknown project")
    workspace = open_workspace(home)
    Toolbox(workspace, actor="test").call("create_project", {"title": "<b>Empty</b>"})
    workspace.close()
    assert main(["--home", str(home), "evaluate", "1"]) == 2
    assert capsys.readouterr().err == "error: project 1 has no takes yet; render its shots first (`generate 1`)\n"
