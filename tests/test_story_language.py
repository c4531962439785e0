"""The story's one spoken language is saved on the project when the story is written, so every shot's dialogue is
compiled in it (a Chinese idea used to leave the project as `en`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from director.schemas import StoryDraft
from director.session import DirectorSession
from director.settings import Settings
from workspace.project_view import load_project_state


@pytest.mark.parametrize(
    ("idea", "language"),
    [("小美是一位面包师，她在黎明时分的小面包店里烤面包", "zh"), ("Mia, a baker, bakes bread at dawn", "en")],
)
def test_the_story_language_becomes_the_project_language(tmp_path: Path, idea: str, language: str) -> None:
    session = DirectorSession(Settings(home=tmp_path / "home", width=64, height=64))
    events = list(session.send(idea))
    assert not [event.text for event in events if event.kind == "error"]
    assert load_project_state(session.workspace, session.project_id).project.language == language


@pytest.mark.parametrize(
    ("given", "code"),
    [("Mandarin", "zh"), ("English", "en"), ("中文", "zh"), ("zh-CN", "zh-CN"), ("", "en"), ("a lovely tongue", "en")],
)
def test_a_model_naming_the_language_still_gives_a_code(given: str, code: str) -> None:
    assert StoryDraft(title="t", description="d", language=given).language == code
