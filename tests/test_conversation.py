"""The conversation table: what a creator types -> the intent the Director recognises -> what changes in the
workspace (and "nothing changed" where nothing should), through the whole graph on a real home.

Offline rows run the offline planner; LLM rows run the real ChatOpenAI against a scripted OpenAI-compatible
server on 127.0.0.1 whose route answers are what a good model returns. Every project starts as a copy of one
generated 6-shot film (Felix, a retired jazz drummer; Mae, his shy teenage neighbour).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel
from test_llm_http import ScriptedServer
from workspace_helpers import ok

from director.graph_state import DirectorEvent
from director.session import DirectorSession
from director.settings import Settings
from generator.types import nearest_frame_count
from tools.base import Toolbox
from workspace.db import Workspace, open_workspace
from workspace.project_view import ProjectState, load_project_state

FELIX = {
    "name": "Felix",
    "identity": "A retired jazz drummer in his seventies with a white goatee.",
    "clothing": "A brown corduroy jacket over a black turtleneck.",
    "voice": "A low, warm, unhurried male voice.",
}
MAE = {
    "name": "Mae",
    "identity": "Felix's shy teenage neighbour, a girl with long black hair in a ponytail.",
    "clothing": "A yellow hoodie and denim overalls.",
    "voice": "A soft, hesitant young female voice.",
}
SHOTS = [
    {"scene_id": "S1", "characters": ["ID_A"], "action": "Felix taps a rhythm on an old snare drum in his garage."},
    {
        "scene_id": "S1",
        "characters": ["ID_A", "ID_B"],
        "action": "Mae peeks through the open garage door.",
        "dialogue": [{"speaker": "ID_A", "text": "Come in, don't be shy."}],
    },
    {"scene_id": "S1", "characters": ["ID_B"], "action": "Mae holds the drumsticks for the first time."},
    {
        "scene_id": "S1",
        "characters": ["ID_A", "ID_B"],
        "action": "Felix and Mae play face to face.",
        "dialogue": [{"speaker": "ID_B", "text": "Like this?"}],
    },
    {"scene_id": "S2", "characters": ["ID_B"], "action": "Mae walks onto the festival stage."},
    {"scene_id": "S2", "characters": ["ID_A", "ID_B"], "action": "Felix and Mae perform for the cheering crowd."},
]

Check = Callable[[ProjectState, ProjectState, str], None]


def generated_home(home: Path) -> None:
    workspace = open_workspace(home)
    toolbox = Toolbox(workspace, actor="test")
    ok(toolbox, "create_project", title="The Drummer Next Door", idea="A retired jazz drummer teaches Mae drums")
    ok(toolbox, "write_story", project_id=1, title="The Drummer Next Door", description="Felix teaches Mae drums.")
    ok(toolbox, "confirm_story", project_id=1)
    ok(toolbox, "add_character", project_id=1, **FELIX)
    ok(toolbox, "add_character", project_id=1, **MAE)
    ok(toolbox, "add_scene", project_id=1, name="Garage", location="a cluttered garage", time_of_day="afternoon")
    ok(toolbox, "add_scene", project_id=1, name="Festival", location="a street festival stage", time_of_day="evening")
    ok(toolbox, "set_shot_plan", project_id=1, shots=[{**shot, "num_frames": 25} for shot in SHOTS])
    workspace.close()
    session = DirectorSession(Settings(home=home, width=64, height=64), 1)
    events = list(session.generate_pending())
    session.close()
    workspace = open_workspace(home)
    assert all(shot.current_take for shot in load_project_state(workspace, 1).shots), [e.text for e in events]
    workspace.close()


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("film") / "home"
    generated_home(home)
    return home


def rows_of(workspace: Workspace) -> dict[str, list[tuple]]:
    """Every row of the project tables (not the audit or LLM logs): equal before and after = nothing changed."""
    tables = {}
    with workspace.engine.connect() as connection:
        for table in SQLModel.metadata.tables.values():
            if table.name not in ("toolcall", "llmcall"):
                tables[table.name] = [tuple(row) for row in connection.execute(sa_select(table)).all()]
    return tables


# -- checks ------------------------------------------------------------------------------------------------------


def unchanged(before: ProjectState, after: ProjectState, reply: str) -> None:
    """Marker: the harness compares every table row before and after."""


def says(*words: str) -> Check:
    def check(before: ProjectState, after: ProjectState, reply: str) -> None:
        for word in words:
            assert word.casefold() in reply.casefold(), f"{word!r} not in the reply {reply!r}"

    return check


def shot_count(count: int) -> Check:
    def check(before: ProjectState, after: ProjectState, reply: str) -> None:
        assert len(after.shots) == count

    return check


def shot_ids(*order: int) -> Check:
    """The shots are the original shots `order` (1-based numbers of the film as generated)."""

    def check(before: ProjectState, after: ProjectState, reply: str) -> None:
        assert [shot.id for shot in after.shots] == [before.shots[n - 1].id for n in order]

    return check


def card(name: str, field_name: str, *contains: str, lacks: tuple[str, ...] = ()) -> Check:
    def check(before: ProjectState, after: ProjectState, reply: str) -> None:
        found = next((c for c in after.characters if c.name == name), None)
        assert found is not None, [c.name for c in after.characters]
        text = getattr(found, field_name).casefold()
        for word in contains:
            assert word.casefold() in text, (field_name, text)
        for word in lacks:
            assert word.casefold() not in text, (field_name, text)

    return check


def no_character(name: str) -> Check:
    def check(before: ProjectState, after: ProjectState, reply: str) -> None:
        assert name not in [c.name for c in after.characters]

    return check


def nowhere_in_shots(word: str) -> Check:
    def check(before: ProjectState, after: ProjectState, reply: str) -> None:
        for shot in after.shots:
            text = " ".join([shot.action, shot.camera, *(line["text"] for line in shot.dialogue)])
            assert word not in text, (shot.number, text)

    return check


def duplicated(number: int) -> Check:
    """Shot `number + 1` is a new copy of shot `number`'s plan fields."""
    fields = ("scene_id", "characters", "action", "dialogue", "camera", "num_frames", "sound_effects", "music")

    def check(before: ProjectState, after: ProjectState, reply: str) -> None:
        original, copy = after.shot(number), after.shot(number + 1)
        assert copy.id != original.id and copy.current_take is None
        assert [getattr(copy, f) for f in fields] == [getattr(original, f) for f in fields]

    return check


def shot_field(number: int, name: str, value: Any) -> Check:
    def check(before: ProjectState, after: ProjectState, reply: str) -> None:
        assert getattr(after.shot(number), name) == value

    return check


def last_shot(*words: str, characters: list[str] | None = None) -> Check:
    def check(before: ProjectState, after: ProjectState, reply: str) -> None:
        last = after.shots[-1]
        for word in words:
            assert word.casefold() in last.action.casefold(), last.action
        if characters is not None:
            assert last.characters == characters

    return check


def take_version(number: int, version: int) -> Check:
    def check(before: ProjectState, after: ProjectState, reply: str) -> None:
        take = after.shot(number).current_take
        assert take is not None and take.version == version

    return check


def stale(*numbers: int) -> Check:
    def check(before: ProjectState, after: ProjectState, reply: str) -> None:
        assert [s.number for s in after.shots if s.status == "stale"] == list(numbers)

    return check


def story_lacks(text: str) -> Check:
    """The creator's instruction was not pasted into the story."""

    def check(before: ProjectState, after: ProjectState, reply: str) -> None:
        assert after.story is not None and text.casefold() not in after.story.description.casefold()

    return check


@dataclass
class Row:
    message: str
    intent: str
    checks: tuple[Check, ...] = ()
    setup: tuple[str, ...] = ()  # messages sent first (their effects are part of "before")
    llm: dict[str, Any] | None = None  # the route answer of the scripted LLM; None = offline row
    extra_llm: list[Any] = field(default_factory=list)

    @property
    def nothing_changes(self) -> bool:
        return unchanged in self.checks

    def __str__(self) -> str:
        return f"{'llm' if self.llm else 'offline'}: {self.message}"


OFFLINE_ROWS = [
    # questions: an answer from the content, nothing changes
    Row("what happens in shot 4?", "question", (unchanged, says("play face to face"))),
    Row("镜头4发生了什么？", "question", (unchanged, says("face to face"))),
    Row("who is Mae?", "question", (unchanged, says("shy teenage neighbour"))),
    Row("what does Felix wear?", "question", (unchanged, says("corduroy"))),
    Row("Mae穿什么？", "question", (unchanged, says("yellow hoodie"))),
    Row("what did shot 3 remember?", "question", (unchanged, says("shot 3"))),
    Row("what happens in shot 40?", "question", (unchanged, says("40"))),
    # shot structure
    Row("delete shot 4", "delete_shot", (shot_ids(1, 2, 3, 5, 6),)),
    Row("删除镜头4", "delete_shot", (shot_ids(1, 2, 3, 5, 6),)),
    Row("delete shot 40", "delete_shot", (unchanged, says("1..6"))),
    Row("move shot 5 before shot 2", "move_shot", (shot_ids(1, 5, 2, 3, 4, 6),)),
    Row("把镜头5移到镜头2前面", "move_shot", (shot_ids(1, 5, 2, 3, 4, 6),)),
    Row("move shot 2 to the end", "move_shot", (shot_ids(1, 3, 4, 5, 6, 2),)),
    Row("duplicate shot 3", "duplicate_shot", (shot_count(7), duplicated(3))),
    Row("复制镜头3", "duplicate_shot", (shot_count(7), duplicated(3))),
    Row(
        "Add a new shot at the end where Mae waves goodbye",
        "insert_shot",
        (shot_count(7), last_shot("waves goodbye", characters=["ID_B"])),
    ),
    # the film is English, so its captions are English prose: a Chinese request adds an English action, and a
    # Chinese action is refused with the reason (the caption contract never mixes the two)
    Row(
        "在最后加一个镜头：Mae waves goodbye",
        "insert_shot",
        (shot_count(7), last_shot("waves goodbye", characters=["ID_B"])),
    ),
    Row("在最后加一个镜头：Mae挥手告别", "insert_shot", (unchanged, says("in an English caption", "action"))),
    # undo and rollback
    Row("undo", "undo", (shot_ids(1, 2, 3, 4, 5, 6),), setup=("delete shot 4",)),
    Row("撤销", "undo", (shot_ids(1, 2, 3, 4, 5, 6),), setup=("delete shot 4",)),
    Row("undo", "undo", (card("Mae", "clothing", "yellow hoodie"),), setup=("Mae wears a red scarf",)),
    Row("roll back shot 4 to version 1", "rollback_shot", (take_version(4, 1),), setup=("shot 4: slower camera",)),
    Row("把镜头4回退到第1版", "rollback_shot", (take_version(4, 1),), setup=("shot 4: slower camera",)),
    Row("roll back shot 4 to version 7", "rollback_shot", (unchanged, says("version"))),
    # the cast
    Row("add a dog named Pip", "add_character", (card("Pip", "identity", "dog"),)),
    Row("remove Pip", "remove_character", (no_character("Pip"),), setup=("add a dog named Pip",)),
    Row("删除角色Pip", "remove_character", (no_character("Pip"),), setup=("add a dog named Pip",)),
    Row("rename Felix to Henri", "rename_character", (no_character("Felix"), nowhere_in_shots("Felix"))),
    Row("call Felix Henri", "rename_character", (no_character("Felix"), nowhere_in_shots("Felix"))),
    Row("把Felix改名为Henri", "rename_character", (no_character("Felix"), nowhere_in_shots("Felix"))),
    Row("rename Felix to Mae", "rename_character", (unchanged, says("Mae"))),  # Mae is taken: refused
    Row(
        "rename Felix to Mae",
        "rename_character",
        (card("Mae", "identity", "jazz drummer"), nowhere_in_shots("Felix")),
        setup=("rename Mae to June",),
    ),
    Row(
        "make the neighbour a boy named Theo who plays trumpet",
        "rename_character",
        (no_character("Mae"), card("Theo", "identity", "boy", "trumpet"), story_lacks("make the neighbour")),
    ),
    # cards by meaning
    Row(
        "Felix should wear a red scarf from now on",
        "edit_card",
        (card("Felix", "clothing", "red scarf", lacks=("should", "from now on")), stale(1, 2, 4, 6)),
    ),
    Row("ID_B wears a red scarf", "edit_card", (card("Mae", "clothing", "red scarf", lacks=("wears a",)),)),
    Row(
        "Mae's voice should be deep and gruff, he is a man",
        "edit_card",
        (card("Mae", "voice", "deep", "gruff", lacks=("should",)), card("Mae", "identity", " man", lacks=("girl",))),
    ),
    # an English film: a Chinese garment would make its captions mixed prose, so the card is refused, unchanged
    # (a Chinese film writes it in Chinese: tests/test_offline_chinese.py)
    Row("让Mae穿红色围巾", "edit_card", (unchanged, says("not changed", "ID_B clothing"))),
    # direct shot edits
    Row(
        "shot 2: Felix says 'We play at dawn.'",
        "edit_shot",
        (shot_field(2, "dialogue", [{"speaker": "ID_A", "text": "We play at dawn."}]), stale(2)),
    ),
    Row(
        "镜头2：Mae说“我们黎明出发。”",
        "edit_shot",
        (shot_field(2, "dialogue", [{"speaker": "ID_B", "text": "我们黎明出发。"}]),),
    ),
    Row("make shot 3 6 seconds long", "edit_shot", (shot_field(3, "num_frames", nearest_frame_count(6.0)),)),
    Row("把镜头3改成6秒", "edit_shot", (shot_field(3, "num_frames", nearest_frame_count(6.0)),)),
    Row("shot 3 camera: slow dolly in", "edit_shot", (shot_field(3, "camera", "slow dolly in"),)),
    # generation and the rest
    Row(
        "regenerate the stale shots", "generate", (take_version(3, 2), stale()), setup=("shot 3 camera: slow dolly in",)
    ),
    Row("shot 3 feels too slow, make the light warmer", "revise_shot", (take_version(3, 2),)),
    Row("make Felix and Mae meet on the moon instead", "cannot", (unchanged, says("nothing changed"))),
]

LLM_ROWS = [
    Row(
        "what happens in shot 4?",
        "question",
        (unchanged, says("They drum together.")),
        llm={"intent": "question", "shot_number": 4, "reply": "They drum together."},
    ),
    Row(
        "Biscuit... I mean Felix should wear a red scarf from now on",
        "edit_card",
        (card("Felix", "clothing", "red scarf", lacks=("should",)), stale(1, 2, 4, 6)),
        llm={
            "intent": "edit_card",
            "card_edits": [
                {"card": "Felix", "field": "clothing", "value": "A red scarf over a brown corduroy jacket."}
            ],
        },
    ),
    Row(
        "Mae's voice should be deep and gruff, he is a man",
        "edit_card",
        (card("Mae", "voice", "gruff"), card("Mae", "identity", "man", lacks=("girl",))),
        llm={
            "intent": "edit_card",
            "card_edits": [
                {"card": "ID_B", "field": "identity", "value": "Felix's shy neighbour, a young man with a ponytail."},
                {"card": "ID_B", "field": "voice", "value": "A deep, gruff young male voice."},
            ],
        },
    ),
    Row(
        "rename Felix to Mae",
        "rename_character",
        (unchanged, says("Mae")),
        llm={"intent": "rename_character", "character": "Felix", "new_name": "Mae"},
    ),
    Row(
        "make the neighbour a boy named Theo who plays trumpet",
        "rename_character",
        (no_character("Mae"), nowhere_in_shots("Mae")),
        llm={"intent": "rename_character", "character": "Mae", "new_name": "Theo"},
    ),
    Row(
        "add a dog named Pip",
        "add_character",
        (card("Pip", "identity", "terrier"),),
        llm={
            "intent": "add_character",
            "new_character": {"name": "Pip", "identity": "A small scruffy terrier with one floppy ear."},
        },
    ),
    Row(
        "Add a new shot at the end where Mae waves goodbye",
        "insert_shot",
        (shot_count(7), last_shot("waves goodbye", characters=["ID_B"])),
        llm={
            "intent": "insert_shot",
            "target_number": 7,
            "new_shot": {"scene": "Festival", "characters": ["Mae"], "action": "Mae waves goodbye to the crowd."},
        },
    ),
    Row("delete shot 4", "delete_shot", (shot_ids(1, 2, 3, 5, 6),), llm={"intent": "delete_shot", "shot_number": 4}),
    Row(
        "undo",
        "undo",
        (shot_ids(1, 2, 3, 4, 5, 6),),
        setup=("delete shot 4",),
        llm={"intent": "undo"},
        extra_llm=[{"intent": "delete_shot", "shot_number": 4}],
    ),
    Row(
        "shot 2: Henri says 'We leave at dawn.'",
        "edit_shot",
        (unchanged, says("Henri")),
        llm={
            "intent": "edit_shot",
            "shot_number": 2,
            "shot_edit": {"dialogue": [{"speaker": "Henri", "text": "We leave at dawn."}]},
        },
    ),
    Row(
        "make Felix and Mae meet on the moon instead",
        "cannot",
        (unchanged, says("moon")),
        llm={"intent": "cannot", "reply": "A moon scene needs a new scene card first; add one in the Cards tab."},
    ),
]


def converse(home: Path, row: Row, settings: Settings) -> tuple[str, str]:
    """Send the setup messages, then the row's message; (routed intent, the Director's reply text)."""
    session = DirectorSession(settings, 1)
    try:
        for message in row.setup:
            events = list(session.send(message))
            assert not [e for e in events if e.kind == "error"], [e.text for e in events]
            if session.pending_question() is not None:
                list(session.send("Keep"))
        events: list[DirectorEvent] = list(session.send(row.message))
        assert events[-1].kind == "done"
        decision = session._graph.get_state(session._config()).values["decision"]
        reply = " ".join(event.text for event in events if event.kind in ("message", "question", "error"))
        return decision["intent"], reply
    finally:
        session.close()


def run_row(tmp_path: Path, film: Path, row: Row, settings: Settings) -> None:
    home = tmp_path / "home"
    shutil.copytree(film, home)
    workspace = open_workspace(home)
    start = load_project_state(workspace, 1)
    rows_before = rows_of(workspace)
    try:
        intent, reply = converse(home, row, settings)
        after = load_project_state(workspace, 1)
        assert intent == row.intent, reply
        if row.nothing_changes:
            assert rows_of(workspace) == rows_before, reply
        for check in row.checks:
            check(start, after, reply)
    finally:
        workspace.close()


@pytest.mark.parametrize("row", OFFLINE_ROWS, ids=str)
def test_offline_conversation(tmp_path: Path, film: Path, row: Row) -> None:
    run_row(tmp_path, film, row, Settings(home=tmp_path / "home", width=64, height=64))


@pytest.mark.parametrize("row", LLM_ROWS, ids=str)
def test_llm_conversation(tmp_path: Path, film: Path, row: Row) -> None:
    server = ScriptedServer([*row.extra_llm, row.llm])
    server.thread.start()
    try:
        settings = Settings(home=tmp_path / "home", width=64, height=64, llm_base_url=server.base_url)
        run_row(tmp_path, film, row, settings)
    finally:
        server.server.shutdown()
    assert not server.answers, "the scripted LLM was not asked for every answer"
    routed = server.requests[-1]
    prompt = " ".join(str(message.get("content")) for message in routed["messages"])
    assert "Felix" in prompt and "Come in, don't be shy." in prompt  # the brief: cast and shot lines
