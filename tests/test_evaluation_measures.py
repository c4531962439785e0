"""Known-answer checks of the per-take measurements on real preview renders with the real shipped models:
voices, speech accuracy, faces against a card's reference photo, lip sync and what is reported as not measured."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench.evaluate import face_photo
from generator.evaluation import measure_film, measure_take
from generator.evaluation.models import CharacterMedia, TakeMedia, TakeScores
from generator.evaluation.speech import word_accuracy
from generator.evaluation.voice import cosine
from generator.preview.renderer import PreviewGenerator
from generator.types import CharacterInShot, DialogueLine, GeneratedShot, SceneInShot, ShotRequest

MARA = CharacterInShot(id="ID_A", name="Mara", identity="A woman with short brown hair.", voice="a bright female voice")
TOM = CharacterInShot(id="ID_B", name="Tom", identity="An old man with a white beard.", voice="a deep, slow male voice")
LINE_1 = "We need to find the old map before the sun goes down."
LINE_2 = "The boat is ready and the water is calm tonight."
LINE_3 = "I will wait for you here until the morning comes."
MISMATCHED = "Seven purple elephants danced quietly around a frozen volcano."


def render(folder: Path, cast: list[CharacterInShot], lines: list[tuple[str, str]], frames: int = 97) -> GeneratedShot:
    folder.mkdir()
    request = ShotRequest(
        prompt="A shot.", characters=cast, dialogue=[DialogueLine(speaker=s, text=t) for s, t in lines],
        scene=SceneInShot(id="S1", name="Harbour"), camera="close-up", sound_effects="", music="none",
        num_frames=frames, width=640, height=384, seed=1,
    )  # fmt: skip
    return PreviewGenerator().generate(request, [], None, folder)


def media(shot: GeneratedShot, number: int, cast: list[CharacterInShot], **extra: object) -> TakeMedia:
    characters = [
        CharacterMedia(char_id=c.id, name=c.name, position=i, reference_image=c.reference_image)
        for i, c in enumerate(cast)
    ]
    fields = dict(
        take_id=number, shot_number=number, version=1, scene_id="S1", video_path=shot.video_path,
        audio_path=shot.audio_path, characters=characters, dialogue_timings=shot.dialogue_timings,
    )  # fmt: skip
    return TakeMedia(**(fields | extra))


@pytest.fixture(scope="module")
def takes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[TakeMedia, TakeScores]]:
    """Shot 1: Mara (with the reference photo as her face) and Tom talk; shot 2: Mara alone with another line;
    shot 3: Mara drawn, without the photo on her card; shot 4: silent."""
    root = tmp_path_factory.mktemp("evaluation")
    photo = face_photo(root)
    mara = MARA.model_copy(update={"reference_image": str(photo)})
    shots = {
        "two": (render(root / "two", [mara, TOM], [("ID_A", LINE_1), ("ID_B", LINE_2)]), [mara, TOM]),
        "again": (render(root / "again", [mara], [("ID_A", LINE_3)], frames=73), [mara]),
        "drawn": (render(root / "drawn", [MARA], [("ID_A", LINE_3)], frames=73), [mara]),
        "silent": (render(root / "silent", [mara], [], frames=25), [mara]),
    }
    measured = {}
    for number, (name, (shot, cast)) in enumerate(shots.items(), start=1):
        take = media(shot, number, cast)
        measured[name] = (take, measure_take(take))
    return measured


def character(scores: TakeScores, char_id: str):
    return next(c for c in scores.characters if c.char_id == char_id)


def test_the_same_voice_scores_clearly_higher_than_two_different_voices(takes) -> None:
    mara_1 = character(takes["two"][1], "ID_A").voice_embedding
    tom_1 = character(takes["two"][1], "ID_B").voice_embedding
    mara_2 = character(takes["again"][1], "ID_A").voice_embedding
    assert cosine(mara_1, mara_2) > cosine(mara_1, tom_1) + 0.1


def test_english_speech_is_far_more_accurate_against_its_own_script(takes) -> None:
    scores = takes["two"][1]
    own = scores.speech_accuracy.value
    assert own is not None and scores.recognised_text
    assert own > word_accuracy(scores.recognised_text, f"{MISMATCHED} {MISMATCHED}") + 0.2


def test_speech_in_a_language_without_a_shipped_model_is_not_measured(takes) -> None:
    take = takes["drawn"][0].model_copy(update={"language": "zh"})
    accuracy = measure_take(take).speech_accuracy
    assert accuracy.value is None and "zh" in accuracy.reason


def test_the_card_face_is_found_and_matches_its_reference(takes) -> None:
    with_photo = character(takes["again"][1], "ID_A")
    drawn = character(takes["drawn"][1], "ID_A")
    assert with_photo.face_found.value and with_photo.face_found.value > 0.5
    assert with_photo.face_to_reference.value is not None and with_photo.face_to_reference.value > 0.4
    assert drawn.face_found.value == 0 and "no face found" in drawn.face_found.reason
    assert drawn.face_to_reference.value is None and "no face found" in drawn.face_to_reference.reason


def test_lip_sync_is_measured_for_a_speaking_face_and_not_for_a_silent_shot(takes) -> None:
    speaking = character(takes["again"][1], "ID_A")
    assert math.isfinite(speaking.lip_sync_correlation.value)
    assert abs(speaking.lip_sync_lag_s.value) <= 0.24
    silent = character(takes["silent"][1], "ID_A")
    assert (
        silent.lip_sync_correlation.value is None
        and silent.lip_sync_correlation.reason == "does not speak in this shot"
    )
    assert takes["silent"][1].speech_accuracy.reason == "no dialogue in this shot"


def test_film_compares_each_character_across_shots(takes) -> None:
    chosen = [takes[name] for name in ("two", "again", "drawn")]
    film = measure_film("test", [m for m, _ in chosen], [s for _, s in chosen])
    mara = next(c for c in film.characters if c.char_id == "ID_A")
    assert set(mara.per_shot_voice) == {1, 2, 3} and mara.voice_consistency.value > 0.8
    assert film.voice_distinctness.value is not None and film.voice_distinctness.value > 0.05
    assert [(p.from_shot, p.to_shot) for p in film.shot_pairs] == [(1, 2), (2, 3)]
    assert sorted(film.weakest_shots) == [1, 2, 3] and film.summary.startswith("test: 3 shots")
