"""The film as a whole: each character's voice and face across shots, how distinct the voices are, how alike
consecutive shots of one scene look, the weakest shots and a one-line summary (paper Sec. 7)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations, pairwise
from pathlib import Path

import numpy as np

from generator.evaluation.faces import FACE_METHOD, face_similarity
from generator.evaluation.models import (
    CharacterFilmScores,
    FilmScores,
    FrameSignature,
    Measurement,
    ShotPairSimilarity,
    TakeMedia,
    TakeScores,
)
from generator.evaluation.similarity import frame_signature, shot_pair
from generator.evaluation.voice import VOICE_METHOD, cosine
from generator.media import probe, read_frames

Similarity = Callable[[Sequence[float], Sequence[float]], float]
DISTINCT_METHOD = "1 - the largest cosine between two characters' mean GE2E voice embeddings"
WEAKEST_LISTED = 5


def measure_film(project: str, media: list[TakeMedia], scores: list[TakeScores]) -> FilmScores:
    """Film-level scores from every take's own scores (same order as `media`); a take's middle frame is read again
    only when its scores do not carry its signature (scores read back from JSON)."""
    names = {c.char_id: c.name for m in media for c in m.characters}
    characters = [_character(char_id, names[char_id], scores) for char_id in names]
    film = FilmScores(
        project=project,
        takes=scores,
        characters=characters,
        voice_distinctness=_voice_distinctness(scores, names),
        shot_pairs=_shot_pairs(media, scores),
    )
    film.weakest_shots = _weakest_first(film)
    film.summary = summary_line(film)
    return film


def _character(char_id: str, name: str, scores: list[TakeScores]) -> CharacterFilmScores:
    voices = _embeddings(scores, char_id, "voice_embedding")
    faces = _embeddings(scores, char_id, "face_embedding")
    voice_per_shot = _to_others(voices, cosine)
    face_per_shot = _to_others(faces, face_similarity)
    return CharacterFilmScores(
        char_id=char_id,
        name=name,
        voice_consistency=_mean(voice_per_shot, f"mean over shots of the {VOICE_METHOD} to its other shots", "voice"),
        face_consistency=_mean(face_per_shot, f"mean over shots of the {FACE_METHOD}, to its other shots", "face"),
        per_shot_voice=voice_per_shot,
        per_shot_face=face_per_shot,
    )


def _embeddings(scores: list[TakeScores], char_id: str, field: str) -> dict[int, list[float]]:
    found = {}
    for take in scores:
        for character in take.characters:
            vector = getattr(character, field)
            if character.char_id == char_id and vector is not None:
                found[take.shot_number] = vector
    return found


def _to_others(vectors: dict[int, list[float]], similarity: Similarity) -> dict[int, float]:
    """shot -> mean similarity of its embedding to the character's embeddings in the other shots."""
    if len(vectors) < 2:
        return {}
    return {
        shot: float(np.mean([similarity(vector, other) for o, other in vectors.items() if o != shot]))
        for shot, vector in vectors.items()
    }


def _mean(per_shot: dict[int, float], method: str, what: str) -> Measurement:
    if not per_shot:
        return Measurement(method=method, reason=f"the {what} was measured in fewer than two shots")
    return Measurement(value=float(np.mean(list(per_shot.values()))), method=method)


def _voice_distinctness(scores: list[TakeScores], names: dict[str, str]) -> Measurement:
    means = {}
    for char_id in names:
        vectors = list(_embeddings(scores, char_id, "voice_embedding").values())
        if vectors:
            means[char_id] = np.mean(vectors, axis=0)
    if len(means) < 2:
        return Measurement(method=DISTINCT_METHOD, reason="fewer than two characters speak")
    closest = max(cosine(a, b) for a, b in combinations(means.values(), 2))
    return Measurement(value=1.0 - closest, method=DISTINCT_METHOD)


def _shot_pairs(media: list[TakeMedia], scores: list[TakeScores]) -> list[ShotPairSimilarity]:
    ordered = sorted(zip(media, scores, strict=True), key=lambda item: item[0].shot_number)
    pairs = [(a, b) for (a, _), (b, _) in pairwise(ordered) if a.scene_id and a.scene_id == b.scene_id]
    paired = {take.shot_number for pair in pairs for take in pair}
    middles = {
        take.shot_number: score.middle_frame or _middle_frame(take.video_path)
        for take, score in ordered
        if take.shot_number in paired
    }
    return [shot_pair(a.shot_number, b.shot_number, middles[a.shot_number], middles[b.shot_number]) for a, b in pairs]


def _middle_frame(video: Path) -> FrameSignature:
    return frame_signature(read_frames(video, [probe(video).num_frames // 2])[0])


def take_quality(take: TakeScores, film: FilmScores) -> float | None:
    """The mean of a take's measured scores, each in about [0, 1]: speech accuracy, per character the voice and
    face to the reference, the face found share, lip-sync correlation and consistency with their other shots."""
    values = [take.speech_accuracy.value]
    for character in take.characters:
        values += [
            character.voice_to_reference.value,
            character.face_to_reference.value,
            character.face_found.value,
            character.lip_sync_correlation.value,
        ]
        across = next((c for c in film.characters if c.char_id == character.char_id), None)
        if across is not None:
            values += [across.per_shot_voice.get(take.shot_number), across.per_shot_face.get(take.shot_number)]
    measured = [value for value in values if value is not None]
    return float(np.mean(measured)) if measured else None


def _weakest_first(film: FilmScores) -> list[int]:
    rated = [(quality, take.shot_number) for take in film.takes if (quality := take_quality(take, film)) is not None]
    return [shot for _, shot in sorted(rated)]


def summary_line(film: FilmScores) -> str:
    def average(values: list[float | None]) -> str:
        measured = [value for value in values if value is not None]
        return f"{np.mean(measured):.2f}" if measured else "not measured"

    speakers = [c for take in film.takes for c in take.characters if c.spoke_s > 0]
    parts = [
        f"{film.project}: {len(film.takes)} shots",
        f"speech accuracy {average([t.speech_accuracy.value for t in film.takes])}",
        f"voice consistency {average([c.voice_consistency.value for c in film.characters])}",
        f"face consistency {average([c.face_consistency.value for c in film.characters])}",
        f"lip sync {average([c.lip_sync_correlation.value for c in speakers])}",
        f"voice distinctness {average([film.voice_distinctness.value])}",
    ]
    weakest = ", ".join(str(shot) for shot in film.weakest_shots[:WEAKEST_LISTED])
    return "; ".join(parts) + (f"; weakest shots {weakest}" if weakest else "")
