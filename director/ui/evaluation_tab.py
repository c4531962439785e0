"""The Evaluation tab: "Evaluate film" measures the film the tab shows (`director.evaluation.evaluate_project`:
speech accuracy, voice and face consistency, lip sync, cross-shot similarity) and shows its summary, one row per
shot with the weakest shots first, and the report (HTML and JSON) as downloads. The report is written into the
project's folder in the home (the app serves files only from the home's media folders) and offered as a download,
never rendered into the page. Acting on a film the tab does not show is refused (`tab_guard`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr

from director.error_log import failure_message
from director.ui import views
from director.ui.context import AppContext
from director.ui.handlers import warning
from director.ui.tab_guard import tab_project
from generator.errors import EchoError
from generator.evaluation.models import FilmScores, Measurement, TakeScores

TAB = "Evaluation"
EVALUATION_HEADERS = ["Shot", "Take", "Speech accuracy", "Voice to card", "Face to card", "Lip lag (s)", "Notes"]
EVALUATION_HINT = (
    "Press **Evaluate film** to measure every current take: speech against the script (1 - word error rate), "
    "each character's voice and face against their card and across shots, and lip sync. It takes a few seconds "
    "per shot."
)


def _number(measurement: Measurement) -> str:
    return "—" if measurement.value is None else f"{measurement.value:.2f}"


def _weakest(values: list[Measurement]) -> str:
    measured = [m.value for m in values if m.value is not None]
    return f"{min(measured):.2f}" if measured else "—"


def _notes(take: TakeScores) -> str:
    """Why numbers are missing: each distinct reason once."""
    measurements = [take.speech_accuracy] + [
        m for c in take.characters for m in (c.voice_to_reference, c.face_to_reference, c.lip_sync_lag_s)
    ]
    reasons = dict.fromkeys(m.reason for m in measurements if m.value is None and m.reason)
    return "; ".join(reasons)


def evaluation_rows(film: FilmScores) -> list[list[str]]:
    """One row per measured take, the film's weakest shots first, then the others in film order."""
    order = {number: rank for rank, number in enumerate(film.weakest_shots)}
    takes = sorted(film.takes, key=lambda t: (order.get(t.shot_number, len(order)), t.shot_number))
    rows = []
    for take in takes:
        lags = [
            Measurement(value=abs(c.lip_sync_lag_s.value), method=c.lip_sync_lag_s.method)
            if c.lip_sync_lag_s.value is not None
            else c.lip_sync_lag_s
            for c in take.characters
        ]
        measured_lags = [m.value for m in lags if m.value is not None]
        rows.append(
            [
                str(take.shot_number),
                f"v{take.version}",
                _number(take.speech_accuracy),
                _weakest([c.voice_to_reference for c in take.characters if c.spoke_s > 0]),
                _weakest([c.face_to_reference for c in take.characters]),
                f"{max(measured_lags):.2f}" if measured_lags else "—",
                _notes(take),
            ]
        )
    return rows


def _served(ctx: AppContext, project_id: int, paths: list[Path]) -> list[str]:
    """The report files that lie inside the project's folder (the app serves nothing else)."""
    folder = ctx.workspace.media.project_dir(project_id).resolve()
    return [str(p) for p in paths if p.is_file() and p.resolve().is_relative_to(folder)]


class EvaluationTab:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def load(self, choice: str | None) -> tuple[Any, ...]:
        """(summary, table, report files, status, shown project): the open film's last evaluation, if any."""
        from director.evaluation import HTML_NAME, JSON_NAME, default_evaluation_dir

        try:
            project_id = self.ctx.project_id(choice)
        except EchoError:
            return (EVALUATION_HINT, [], None, "", None)
        folder = default_evaluation_dir(self.ctx.workspace, project_id)
        try:
            film = FilmScores.model_validate_json((folder / JSON_NAME).read_bytes())
        except (OSError, ValueError):  # never evaluated, or a report from an older version: evaluate again
            title = views.literal(self.ctx.state(project_id).project.title)
            return (f"**{title}**: {EVALUATION_HINT}", [], None, "", project_id)
        made = datetime.fromtimestamp((folder / JSON_NAME).stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        status = f"The last evaluation, made {made}: press **Evaluate film** to measure the takes as they are now."
        files = _served(self.ctx, project_id, [folder / HTML_NAME, folder / JSON_NAME])
        return (views.director_markdown(film.summary), evaluation_rows(film), files or None, status, project_id)

    def evaluate(self, choice: str | None, shown: int | None) -> tuple[Any, ...]:
        """(summary, table, report files, status): the film the tab shows, measured now."""
        from director.evaluation import evaluate_project

        try:
            project_id = tab_project(self.ctx, choice, shown, TAB)
            result = evaluate_project(self.ctx.workspace, project_id)
        except EchoError as error:
            gr.Warning(str(error))
            return (gr.skip(), gr.skip(), gr.skip(), warning(error))
        except Exception as error:  # a bug in the measurement: one line, the traceback in the home's log
            message = failure_message(error, self.ctx.workspace.home, "evaluating a film")
            gr.Warning(message)
            return (gr.skip(), gr.skip(), gr.skip(), warning(message))
        film = result.film
        files = _served(self.ctx, project_id, [Path(result.html_path), Path(result.json_path)])
        seconds = sum(result.seconds.values())
        status = (
            f"Measured {len(film.takes)} takes in {seconds:.0f} s. The report is below (HTML to read, JSON for tools)."
        )
        return (views.director_markdown(film.summary), evaluation_rows(film), files or None, status)


def evaluation_tab() -> SimpleNamespace:
    gr.Markdown("How well the film holds together, measured: the weakest shots come first.")
    summary = gr.Markdown(EVALUATION_HINT, elem_id="evaluation-summary")
    evaluate = gr.Button("Evaluate film", variant="primary", elem_id="evaluate-film")
    status = gr.Markdown(elem_id="evaluation-status")
    table = gr.Dataframe(
        headers=EVALUATION_HEADERS,
        datatype="str",
        type="array",
        interactive=False,
        label="Shots, weakest first",
        elem_id="evaluation-table",
    )
    report = gr.File(label="Report", file_count="multiple", interactive=False, elem_id="evaluation-report")
    return SimpleNamespace(
        summary=summary, evaluate=evaluate, status=status, table=table, report=report, shown=gr.State(None)
    )
