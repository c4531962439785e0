"""`evaluate`: measure the current take of every shot of a project (generator/evaluation) and write
`evaluation.json` and an HTML report, by default into the project's folder in the home.

The takes are measured in up to MAX_PROCESSES processes, one a core: this one and spawned workers (dlib and
pocketsphinx hold the GIL, so threads would not run them side by side). A worker loads the models itself
(seconds), so there is one process for every TAKES_PER_PROCESS takes at most.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from pydantic import BaseModel, Field

from director.evaluation_report import render_report
from generator.errors import EchoError
from generator.evaluation import measure_film
from generator.evaluation.models import CharacterMedia, FilmScores, TakeMedia, TakeScores
from generator.evaluation.take import measure_take_timed
from generator.files import atomic_write_bytes
from generator.types import DialogueTiming, ProgressCallback, ignore_progress
from workspace.db import Workspace
from workspace.models import ShotPlan
from workspace.project_view import (
    ProjectState,
    ShotView,
    TakeView,
    load_project_state,
    resolve_project,
    take_view,
)
from workspace.queries import project_take, shot_number

EVALUATION_KIND = "evaluation"
JSON_NAME = "evaluation.json"
HTML_NAME = "report.html"
MAX_PROCESSES = 4
TAKES_PER_PROCESS = 3


class EvaluationResult(BaseModel):
    film: FilmScores
    json_path: Path
    html_path: Path
    seconds: dict[str, float] = Field(default_factory=dict, description="Wall time of each stage")
    measure_seconds: dict[str, float] = Field(
        default_factory=dict,
        description="Wall time of each measurement summed over the takes (processes run side by side)",
    )


def default_evaluation_dir(workspace: Workspace, project_id: int) -> Path:
    """One folder per project inside its home folder, rewritten by each evaluation."""
    return workspace.media.project_dir(project_id) / EVALUATION_KIND


def take_media(workspace: Workspace, project_id: int, take_id: int) -> TakeMedia:
    """What the evaluation needs of one take (any version): files, cast with references, timings, memory."""
    state = load_project_state(workspace, project_id)
    with workspace.read_session() as session:
        take = project_take(session, project_id, take_id)
        number = shot_number(session, project_id, take.shot_id)
        view = take_view(take, session.get(ShotPlan, take.shot_id), number)
    if number is None:
        raise EchoError(f"take {take_id} belongs to a deleted shot; evaluate a take of a current shot")
    return _media(workspace, state, state.shot(number), view)


def _media(workspace: Workspace, state: ProjectState, shot: ShotView, take: TakeView) -> TakeMedia:
    cards = {card.char_id: card for card in state.characters}
    characters = []
    for position, char_id in enumerate(shot.characters):
        card = cards.get(char_id)
        image, audio = (card.reference_image, card.reference_audio) if card else (None, None)
        characters.append(
            CharacterMedia(
                char_id=char_id,
                name=card.name if card else char_id,
                position=position,
                reference_image=workspace.media.resolve(image) if image else None,
                reference_audio=workspace.media.resolve(audio) if audio else None,
            )
        )
    return TakeMedia(
        take_id=take.id,
        shot_number=shot.number,
        version=take.version,
        scene_id=shot.scene_id,
        video_path=workspace.media.resolve(take.video_path),
        audio_path=workspace.media.resolve(take.audio_path),
        fps=take.fps,
        language=state.project.language,
        characters=characters,
        dialogue_timings=[DialogueTiming.model_validate(timing) for timing in take.dialogue_timings],
        memory_labels=[str(source.get("label", "?")) for source in take.memory_sources],
    )


def evaluate_project(
    workspace: Workspace,
    project: str | int,
    out_dir: Path | None = None,
    progress: ProgressCallback | None = None,
) -> EvaluationResult:
    """Measure every shot's current take, compare them across the film, and write the JSON and the report.
    EchoError for an unknown project, a project without takes, or media that cannot be read."""
    report = progress or ignore_progress
    project_id = resolve_project(workspace, project)
    state = load_project_state(workspace, project_id)
    shots = [shot for shot in state.shots if shot.current_take is not None]
    if not shots:
        raise EchoError(f"project {project_id} has no takes yet; render its shots first (`generate {project_id}`)")
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    media = [_media(workspace, state, shot, shot.current_take) for shot in shots if shot.current_take]
    scores, measure_seconds = _measure_takes(media, report)
    seconds["takes"] = time.perf_counter() - started
    report(len(media) / (len(media) + 1), "comparing shots across the film")
    title = state.story.title if state.story and state.story.title else state.project.title
    film = measure_film(f"{title} (project {project_id})", media, scores)
    seconds["film"] = time.perf_counter() - started - seconds["takes"]
    folder = Path(out_dir).expanduser() if out_dir is not None else default_evaluation_dir(workspace, project_id)
    json_path, html_path = folder / JSON_NAME, folder / HTML_NAME
    _write(json_path, film.model_dump_json(indent=2).encode())
    _write(html_path, render_report(film).encode())
    seconds["report"] = time.perf_counter() - started - seconds["takes"] - seconds["film"]
    report(1.0, "done")
    return EvaluationResult(
        film=film, json_path=json_path, html_path=html_path, seconds=seconds, measure_seconds=measure_seconds
    )


def _measure_takes(media: list[TakeMedia], report: ProgressCallback) -> tuple[list[TakeScores], dict[str, float]]:
    """Every take's scores (in `media`'s order) and the seconds of each measurement summed over the takes. With
    worker processes, they measure from the first take on and this process from the last one back, until they
    meet: this process keeps its loaded models busy while the workers load theirs."""
    processes = min(len(media) // TAKES_PER_PROCESS, MAX_PROCESSES, _cores())
    results: dict[int, tuple[TakeScores, dict[str, float]]] = {}

    def done(index: int, result: tuple[TakeScores, dict[str, float]]) -> None:
        results[index] = result
        message = f"measured shot {media[index].shot_number} ({len(results)} of {len(media)})"
        report(len(results) / (len(media) + 1), message)

    report(0.0, f"measuring {len(media)} shots" + (f" in {processes} processes" if processes > 1 else ""))
    if processes < 2:
        for index, take in enumerate(media):
            done(index, measure_take_timed(take))
    else:
        pool = ProcessPoolExecutor(processes - 1, mp_context=multiprocessing.get_context("spawn"))
        try:
            futures = {pool.submit(measure_take_timed, take): index for index, take in enumerate(media)}
            for future, index in reversed(futures.items()):
                if not future.cancel():  # a worker has it: every earlier take is theirs too
                    break
                done(index, measure_take_timed(media[index]))
            for future in as_completed([future for future in futures if not future.cancelled()]):
                done(futures[future], future.result())
        finally:  # the workers exit in the background; after an error, takes not yet started are dropped
            pool.shutdown(wait=False, cancel_futures=True)
    totals: dict[str, float] = defaultdict(float)
    for _, stages in results.values():
        for stage, stage_seconds in stages.items():
            totals[stage] += stage_seconds
    return [results[index][0] for index in range(len(media))], dict(totals)


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _write(path: Path, data: bytes) -> None:
    try:
        atomic_write_bytes(path, data)
    except OSError as error:
        raise EchoError(f"cannot write {path}: {error.strerror or error}; choose another folder with --out") from error
