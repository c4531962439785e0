"""The evaluation as one self-contained HTML page: the summary, per-character plots over the film (matplotlib's
Agg canvas, embedded as base64 PNG), the shots weakest first, the shot pairs and every method. All user text is
escaped; a number that could not be measured is shown as "not measured: reason"."""

from __future__ import annotations

import base64
import io
from html import escape

from matplotlib.figure import Figure

from generator.evaluation.film import take_quality
from generator.evaluation.models import CharacterFilmScores, CharacterScores, FilmScores, Measurement, TakeScores

STYLE = """body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}.nm{color:#a33}
.small{color:#666;font-size:90%}img{max-width:100%}"""
CHARACTER_COLUMNS = (
    ("face found", "face_found"),
    ("face to reference", "face_to_reference"),
    ("voice to reference", "voice_to_reference"),
    ("lip sync r", "lip_sync_correlation"),
    ("lip sync lag (s)", "lip_sync_lag_s"),
)


def render_report(film: FilmScores) -> str:
    sections = [
        f"<h1>Evaluation: {escape(film.project)}</h1>",
        f"<p>{escape(film.summary)}</p>",
        _film_table(film),
        *(_character_section(character, film) for character in film.characters),
        _shots_table(film),
        _pairs_table(film),
        _methods(film),
    ]
    body = "\n".join(sections)
    head = f'<meta charset="utf-8"><title>Evaluation: {escape(film.project)}</title><style>{STYLE}</style>'
    return f"<!DOCTYPE html>\n<html><head>{head}</head><body>\n{body}\n</body></html>\n"


def cell(measurement: Measurement) -> str:
    """A table cell: the number with its method as a tooltip, or "not measured: reason"."""
    method = escape(measurement.method, quote=True)
    if measurement.value is None:
        reason = measurement.reason or "unknown reason"
        return f'<td class="nm" title="{method}">not measured: {escape(reason)}</td>'
    note = f' <span class="small">({escape(measurement.reason)})</span>' if measurement.reason else ""
    return f'<td title="{method}">{measurement.value:.3f}{note}</td>'


def _film_table(film: FilmScores) -> str:
    rows = [f"<tr><th>voice distinctness</th>{cell(film.voice_distinctness)}</tr>"]
    for character in film.characters:
        name = escape(f"{character.name} ({character.char_id})")
        rows.append(f"<tr><th>{name}: voice consistency</th>{cell(character.voice_consistency)}</tr>")
        rows.append(f"<tr><th>{name}: face consistency</th>{cell(character.face_consistency)}</tr>")
    return "<h2>Film</h2><table>" + "".join(rows) + "</table>"


def _character_section(character: CharacterFilmScores, film: FilmScores) -> str:
    own = [(take.shot_number, c) for take in film.takes for c in take.characters if c.char_id == character.char_id]
    series = {
        "voice to its other shots": character.per_shot_voice,
        "face to its other shots": character.per_shot_face,
        "voice to reference": _values(own, "voice_to_reference"),
        "face to reference": _values(own, "face_to_reference"),
    }
    title = escape(f"{character.name} ({character.char_id})")
    if not any(series.values()):
        return f"<h2>{title}</h2><p>Nothing measured across shots for this character.</p>"
    return f'<h2>{title}</h2><img alt="{title} similarity over shots" src="data:image/png;base64,{_plot(series)}">'


def _values(own: list[tuple[int, CharacterScores]], field: str) -> dict[int, float]:
    return {shot: value for shot, c in own if (value := getattr(c, field).value) is not None}


def _plot(series: dict[str, dict[int, float]]) -> str:
    figure = Figure(figsize=(7, 2.8), dpi=90)
    axes = figure.add_subplot()
    for label, points in series.items():
        if points:
            shots = sorted(points)
            axes.plot(shots, [points[shot] for shot in shots], marker="o", label=label)
    axes.set_xlabel("shot")
    axes.set_ylabel("similarity")
    axes.legend(fontsize="small", loc="lower left")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _shots_table(film: FilmScores) -> str:
    order = {shot: rank for rank, shot in enumerate(film.weakest_shots)}
    takes = sorted(film.takes, key=lambda take: order.get(take.shot_number, len(order)))
    header = "".join(f"<th>{escape(label)}</th>" for label, _ in CHARACTER_COLUMNS)
    rows = []
    for take in takes:
        rows.extend(_take_rows(take, film))
    return (
        "<h2>Shots, weakest first</h2><table><tr><th>shot</th><th>quality</th><th>speech accuracy</th>"
        f"<th>recognised</th><th>memory slots</th><th>character</th>{header}</tr>" + "".join(rows) + "</table>"
    )


def _take_rows(take: TakeScores, film: FilmScores) -> list[str]:
    quality = take_quality(take, film)
    span = max(1, len(take.characters))
    shared = (
        f'<td rowspan="{span}">{take.shot_number} (v{take.version}, {escape(take.scene_id)})</td>'
        f'<td rowspan="{span}">{"not measured" if quality is None else f"{quality:.3f}"}</td>'
        f"{cell(take.speech_accuracy).replace('<td', f'<td rowspan={span}', 1)}"
        f'<td rowspan="{span}">{escape(take.recognised_text)}</td>'
        f'<td rowspan="{span}">{escape(", ".join(take.memory_labels) or "none")}</td>'
    )
    if not take.characters:
        return [f"<tr>{shared}<td>nobody</td>{'<td></td>' * len(CHARACTER_COLUMNS)}</tr>"]
    rows = []
    for index, character in enumerate(take.characters):
        cells = "".join(cell(getattr(character, field)) for _, field in CHARACTER_COLUMNS)
        who = escape(f"{character.char_id} (spoke {character.spoke_s:.1f} s)")
        rows.append(f"<tr>{shared if index == 0 else ''}<td>{who}</td>{cells}</tr>")
    return rows


def _pairs_table(film: FilmScores) -> str:
    if not film.shot_pairs:
        return "<h2>Consecutive shots of one scene</h2><p>No two consecutive shots share a scene.</p>"
    rows = "".join(
        f"<tr><td>{pair.from_shot} to {pair.to_shot}</td>{cell(pair.histogram)}{cell(pair.perceptual_hash)}</tr>"
        for pair in film.shot_pairs
    )
    return (
        "<h2>Consecutive shots of one scene (visual proxy)</h2><table><tr><th>shots</th>"
        f"<th>colour histogram</th><th>perceptual hash</th></tr>{rows}</table>"
    )


def _methods(film: FilmScores) -> str:
    methods: dict[str, None] = {}
    for measurement in _measurements(film):
        methods.setdefault(measurement.method)
    items = "".join(f"<li>{escape(method)}</li>" for method in methods)
    return f"<h2>Methods</h2><ul>{items}</ul>"


def _measurements(film: FilmScores) -> list[Measurement]:
    found = [film.voice_distinctness]
    for character in film.characters:
        found += [character.voice_consistency, character.face_consistency]
    for take in film.takes:
        found.append(take.speech_accuracy)
        for c in take.characters:
            found += [getattr(c, field) for _, field in CHARACTER_COLUMNS]
    for pair in film.shot_pairs:
        found += [pair.histogram, pair.perceptual_hash]
    return found
