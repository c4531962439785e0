"""The Chroma shot index with the packaged MiniLM embedder: TopK relevance, candidate filter, persistence, batch
indexing and the embedding cache."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from generator.errors import EchoError
from workspace.index import OfflineMiniLM, ShotIndex, shot_document

SHOTS = {
    # shot_id: (scene, characters, action, dialogue)
    1: (
        "Castle library, night",
        ["Mira"],
        "Mira searches the dusty bookshelves by candlelight.",
        ["Mira: Where is it?"],
    ),
    2: ("Harbour at dawn", ["Tomas"], "Tomas mends a fishing net on the pier.", ["Tomas: Storm's coming."]),
    3: ("Castle library, night", ["Aldric", "Mira"], "Aldric pulls an old book from a high shelf.", []),
    4: ("Desert road, noon", ["Tomas"], "A truck kicks up dust on the empty road.", []),
    5: ("Castle library, night", ["Mira"], "Mira reads the last page of the book.", ["Mira: It was true."]),
}


def _document(shot_id: int) -> str:
    scene, characters, action, dialogue = SHOTS[shot_id]
    return shot_document(scene=scene, characters=characters, action=action, dialogue=dialogue)


@pytest.fixture
def filled_shot_index(tmp_path: Path) -> ShotIndex:
    index = ShotIndex(tmp_path / "chroma")
    for shot_id in (1, 2, 3, 4):
        index.upsert_take(1, shot_id, 100 + shot_id, _document(shot_id), {"shot_number": shot_id, "note": None})
    return index


def test_topk_for_a_library_shot_returns_earlier_library_shots_first(filled_shot_index: ShotIndex) -> None:
    hits = filled_shot_index.query(1, _document(5), k=3, take_ids=[101, 102, 103, 104])
    assert {hit.shot_id for hit in hits[:2]} == {1, 3}
    assert len(hits) == 3
    assert hits[0].score >= hits[1].score >= hits[2].score
    assert hits[0].document.startswith("Scene: Castle library")


def test_query_is_restricted_to_candidate_takes(filled_shot_index: ShotIndex) -> None:
    hits = filled_shot_index.query(1, _document(5), k=4, take_ids=[102, 104])
    assert {hit.shot_id for hit in hits} == {2, 4}
    assert {hit.take_id for hit in hits} == {102, 104}
    assert filled_shot_index.query(1, _document(5), k=4, take_ids=[]) == []


def test_index_persists_across_a_new_client_and_projects_are_separate(
    filled_shot_index: ShotIndex, tmp_path: Path
) -> None:
    reopened = ShotIndex(tmp_path / "chroma")
    assert [hit.take_id for hit in reopened.query(1, _document(1), k=1)] == [101]
    assert reopened.query(2, _document(1), k=3) == []


def test_upsert_replaces_a_document_and_replaced_takes_stay_retrievable(filled_shot_index: ShotIndex) -> None:
    filled_shot_index.upsert_take(1, 1, 101, _document(2))
    assert filled_shot_index.query(1, _document(2), k=1, take_ids=[101])[0].document == _document(2)
    filled_shot_index.upsert_take(1, 1, 105, _document(5))  # a new take of shot 1; take 101 stays indexed
    assert [hit.take_id for hit in filled_shot_index.query(1, _document(2), k=1, take_ids=[101, 103])] == [101]
    assert [hit.take_id for hit in filled_shot_index.query(1, _document(5), k=1, take_ids=[105])] == [105]


def test_batch_upsert_indexes_every_take_or_none(tmp_path: Path) -> None:
    index = ShotIndex(tmp_path / "chroma")
    with pytest.raises(EchoError, match="take 3 has an empty description"):
        index.upsert_takes(1, [(1, 1, _document(1), None), (3, 3, " ", None)])
    assert index.query(1, _document(1), k=4) == []
    index.upsert_takes(1, [(shot_id, shot_id, _document(shot_id), {"shot_number": shot_id}) for shot_id in SHOTS])
    assert len(index.query(1, _document(4), k=10)) == len(SHOTS)
    assert index.query(1, _document(4), k=1)[0].take_id == 4


def test_a_text_embedded_again_comes_from_the_cache() -> None:
    embed = OfflineMiniLM()
    threads = torch.get_num_threads()
    first, other = embed([_document(1), _document(2)])
    assert torch.get_num_threads() == threads  # a small batch runs on one thread, then the count is restored
    again = embed([_document(1)])[0]
    assert again is first and again is not other
    assert abs(float((first * first).sum()) - 1.0) < 1e-5  # normalised, so cosine distance is 1 - dot product


def test_empty_index_and_bad_input(tmp_path: Path) -> None:
    index = ShotIndex(tmp_path / "chroma")
    assert index.query(7, "anything", k=4) == []
    assert index.query(7, "anything", k=0) == []
    with pytest.raises(EchoError, match="project id"):
        index.query(-1, "x", k=1)
    with pytest.raises(EchoError, match="empty description"):
        index.upsert_take(7, 1, 1, "   ")
    assert index.query(7, "anything", k=4) == []
