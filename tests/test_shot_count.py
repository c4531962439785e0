"""Shot counts asked for in a message, and the idea without that request."""

from __future__ import annotations

import pytest

from director.offline.planner import OfflinePlanner
from director.shot_count import requested_shot_count, without_shot_count


@pytest.mark.parametrize(
    ("message", "count", "idea"),
    [
        (
            "A young wizard befriends a ghost in a castle library, 6 shots",
            6,
            "A young wizard befriends a ghost in a castle library",
        ),
        ("a 12-shot film about two brothers", 12, "a film about two brothers"),
        ("Mira finds a book (8 shots)", 8, "Mira finds a book"),
        ("A robot dreams in 3 shots.", 3, "A robot dreams."),
        ("一个女孩在雨夜寻找猫，6个镜头", 6, "一个女孩在雨夜寻找猫"),
        ("A lighthouse keeper\nmeets a whale", None, "A lighthouse keeper\nmeets a whale"),
        ("An epic in 900 shots", None, "An epic"),
    ],
)
def test_count_and_idea(message: str, count: int | None, idea: str) -> None:
    assert requested_shot_count(message) == count
    assert without_shot_count(message) == idea


def test_the_length_request_does_not_end_up_in_the_story() -> None:
    story = OfflinePlanner().write_story("A young wizard befriends a ghost in a castle library, 6 shots")
    assert "shots" not in story.description and "6" not in story.title
