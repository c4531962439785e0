"""The Director conversation through the page's API (`gradio_client`, real server, offline planner, preview
backend at 320x192): idea -> approve -> 3 shots -> revise -> roll back -> export, and reopening the app."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from director.settings import Settings
from director.ui import server
from generator.media import probe
from workspace.db import open_workspace
from workspace.project_view import load_project_state

IDEA = "A lighthouse keeper and a lost robot become friends during a storm. 3 shots."


def start_client(home: Path) -> tuple[Any, Any]:
    from gradio_client import Client

    demo, url = server.start(Settings(home=home, port=0, width=320, height=192))
    return demo, Client(url, verbose=False)


def local_path(value: Any) -> Path:
    """Where gradio_client saved a file output (a path, or a dict with the path under 'video')."""
    return Path(value["video"] if isinstance(value, dict) else value)


def text_of(message: dict[str, Any]) -> str:
    """A Chatbot message's text as the page shows it: the client receives typed parts of escaped Markdown."""
    content = message["content"]
    markdown = content if isinstance(content, str) else "".join(part.get("text", "") for part in content)
    return re.sub(r"\\(.)", r"\1", html.unescape(markdown))


def test_idea_to_film_and_reopen(tmp_path: Path) -> None:
    home = tmp_path / "home"
    demo, client = start_client(home)
    try:
        # The client sees (project, chat, storyboard, summary, activity); the buttons are for the browser test.
        project, chat, storyboard, summary, activity = client.predict(IDEA, "", api_name="/send")
        assert project["value"] == "1" and text_of(chat[0]) == IDEA and len(chat) >= 2
        assert storyboard == [] and "waiting for your approval" in summary and activity["visible"] == "hidden"

        _, chat, storyboard, summary, _ = client.predict("Approve", "1", api_name="/send")
        heads = [tile["caption"].split("\n")[0] for tile in storyboard]
        assert [re.sub(r" · [\d.]+ s · ", " · ", head) for head in heads] == [
            f"Shot {n} · v1 · generated" for n in (1, 2, 3)
        ]
        assert all(Path(tile["image"]).stat().st_size > 0 for tile in storyboard)
        assert "3/3 shots generated" in summary and "Shot 3 is ready" in "".join(map(text_of, chat))

        header, video, _dialogue, prompt, _memory, versions = client.predict("1", 2, api_name="/inspect_shot")
        assert "Shot 2" in header and "v1" in header and prompt
        assert probe(local_path(video)).has_audio
        assert [v for _, v in versions["choices"]] == [1]

        _, _, storyboard, _, _, status, feedback = client.predict(
            "1", 2, "Make the storm darker.", api_name="/revise_shot"
        )
        assert re.fullmatch(r"Shot 2 · [\d.]+ s · v2 · generated", storyboard[1]["caption"].split("\n")[0])
        assert status == "Shot 2 is now version 2." and feedback == ""
        header, *_, versions = client.predict("1", 2, api_name="/inspect_shot")
        assert "v2" in header and [v for _, v in versions["choices"]] == [1, 2]

        status, storyboard = client.predict("1", 2, 1, api_name="/rollback")
        assert status.startswith("Shot 2 now uses version 1.") and "v1" in storyboard[1]["caption"]
        # Shot 3 remembered shot 2's first take, which is current again: it is no longer stale.
        assert "No longer stale: 3." in status and "stale" not in storyboard[2]["caption"]
        header, _, _, rolled_back_prompt, *_ = client.predict("1", 2, api_name="/inspect_shot")
        assert "v1" in header and rolled_back_prompt == prompt

        # Nothing is pending any more, so generating is a no-op that keeps every shot fresh.
        _, _, storyboard, summary, _ = client.predict("1", api_name="/generate")
        assert all("stale" not in tile["caption"] for tile in storyboard) and "3/3 shots generated" in summary

        status, downloads, film = client.predict("1", False, api_name="/export")
        assert local_path(film).name == "film.mp4"
        assert status.startswith("Exported 3 shots"), status
        names = {Path(f).name for f in downloads}
        assert {"film.mp4", "film.srt", "film.vtt", "manifest.json", "timeline.otio"} <= names
        transcript_before = client.predict(api_name="/load")[1]
    finally:
        demo.close()

    demo, client = start_client(home)
    try:
        project, chat, *_ = client.predict(api_name="/load")
        assert project["value"] == "1" and chat == transcript_before
    finally:
        demo.close()
    workspace = open_workspace(home)
    assert [s.current_take.version for s in load_project_state(workspace, 1).shots][:2] == [1, 1]
    workspace.close()


def test_empty_and_oversized_messages_are_refused(tmp_path: Path) -> None:
    demo, client = start_client(tmp_path / "home")
    try:
        reply = client.predict("   ", "", api_name="/send")
        assert "empty" in text_of(reply[1][-1])
        reply = client.predict("x" * 20_001, "", api_name="/send")
        assert "limit" in text_of(reply[1][-1])
        assert client.predict(api_name="/load")[0]["choices"] == []
    finally:
        demo.close()


@pytest.mark.parametrize("choice", ["42", "no such film"])
def test_unknown_project_is_refused(tmp_path: Path, choice: str) -> None:
    demo, client = start_client(tmp_path / "home")
    try:
        reply = client.predict("Hello", choice, api_name="/send")
        assert reply[3].startswith("⚠ ") and "unknown project" in reply[3]
    finally:
        demo.close()
