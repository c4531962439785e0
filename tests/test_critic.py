"""The critic after every take, through the real graph (preview backend, tiny frames, SQLite home): a verdict
with a fix changes the shot and regenerates it once, the take records what was found and done, a second
failing take is kept, a fix that cannot be applied is reported, and review mode offers the fix to the creator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from workspace_helpers import ok

from director.briefs import ShotBrief
from director.graph_state import DirectorEvent
from director.offline.planner import OfflinePlanner
from director.schemas import CritiqueVerdict, ShotEdit
from director.session import DirectorSession
from director.settings import Settings, open_home
from generator.prompt import MAX_PROMPT_CHARS
from tools.base import Toolbox
from workspace.models import Take
from workspace.project_view import ProjectState, load_project_state

OK = CritiqueVerdict(ok=True)
# Within the caption contract's speech budget once the shot is lengthened for it (6 words: 2.6 s), but the pauses
# make the preview's speech run past the end of the take.
TALKY = "No. No. No. No. No. No."


def verdict(issue: str, **fix: Any) -> CritiqueVerdict:
    return CritiqueVerdict(ok=False, issues=[issue], fix=ShotEdit(**fix) if fix else None)


class ScriptedCritic(OfflinePlanner):
    """The offline planner whose `critique` answers with scripted verdicts, in order, keeping the briefs it saw."""

    def __init__(self, verdicts: list[CritiqueVerdict]) -> None:
        super().__init__()
        self.verdicts = verdicts
        self.briefs: list[ShotBrief] = []

    def critique(self, shot: ShotBrief) -> CritiqueVerdict:
        self.briefs.append(shot)
        assert len(self.briefs) <= len(self.verdicts), f"critique call {len(self.briefs)} was not scripted"
        return self.verdicts[len(self.briefs) - 1]


def planned_project(settings: Settings, shots: int, line: str) -> int:
    """A project in the home: Mira and Tobin, the library, and `shots` one-second shots of Mira saying `line`."""
    workspace = open_home(settings)
    tools = Toolbox(workspace, actor="test")
    pid = ok(tools, "create_project", title="The Book", idea="Mira finds a book")["project_id"]
    ok(tools, "write_story", project_id=pid, title="The Book", description="Mira finds a book.", style="Warm light.")
    ok(tools, "confirm_story", project_id=pid)
    ok(tools, "add_character", project_id=pid, name="Mira", identity="A young apprentice with short black hair.")
    ok(tools, "add_character", project_id=pid, name="Tobin", identity="An old librarian with a white beard.")
    ok(tools, "add_scene", project_id=pid, name="Library", description="Candles, tall shelves.")
    shot = {
        "scene_id": "S1",
        "characters": ["ID_A"],
        "action": "Mira opens a book.",
        "dialogue": [{"speaker": "ID_A", "text": line}],
        "camera": "static medium shot",
        "num_frames": 25,
    }
    ok(tools, "set_shot_plan", project_id=pid, shots=[shot] * shots)
    workspace.close()
    return pid


def session_with(
    home: Path, verdicts: list[CritiqueVerdict], review_mode: bool = False, shots: int = 1, line: str = "Here."
) -> tuple[DirectorSession, ScriptedCritic]:
    settings = Settings(home=home, width=64, height=64, review_mode=review_mode)
    critic = ScriptedCritic(verdicts)
    return DirectorSession(settings, planned_project(settings, shots, line), planner=critic), critic


def run(events: Any) -> list[DirectorEvent]:
    collected = list(events)
    assert collected[-1].kind == "done", [e.text for e in collected if e.kind == "error"]
    return collected


def texts(events: list[DirectorEvent], kind: str) -> list[str]:
    return [event.text for event in events if event.kind == kind]


def state_of(session: DirectorSession) -> ProjectState:
    return load_project_state(session.workspace, session.project_id)


def critiques(session: DirectorSession, number: int) -> list[list[tuple[str, list[str], dict[str, Any] | None]]]:
    """Per take of the shot, oldest first: the (action, findings, fix) records of its critique."""
    shot_id = state_of(session).shot(number).id
    with session.workspace.read_session() as db:
        rows = db.query(Take).filter(Take.shot_id == shot_id).order_by(Take.version).all()
        return [[(c["action"], c["findings"], c["fix"]) for c in row.metadata_.get("critique", [])] for row in rows]


@pytest.fixture
def critic_home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_a_fix_is_applied_and_the_shot_regenerated_once(critic_home: Path) -> None:
    close_up = verdict("the book is too small to read", camera="close-up on Mira and the book")
    session, critic = session_with(critic_home, [close_up, OK])
    events = run(session.generate_pending())

    assert texts(events, "shot_done") == ["Shot 1 is ready (take 1).", "Shot 1 is ready (take 2)."]
    assert (
        'Shot 1 check: the book is too small to read. Changed the shot (camera: "close-up on Mira and the book") '
        "and regenerating it." in texts(events, "message")
    )
    shot = state_of(session).shot(1)
    assert shot.camera == "close-up on Mira and the book" and shot.current_take.version == 2
    assert "close-up on ID_A and the book" in shot.latest_condition_prompt  # names become ids in the camera too
    fix = {"camera": "close-up on Mira and the book"}
    assert critiques(session, 1) == [[("regenerate", ["the book is too small to read"], fix)], []]
    assert [(b.take.version, b.camera) for b in critic.briefs] == [
        (1, "static medium shot"),
        (2, "close-up on Mira and the book"),
    ]


def test_a_second_failing_take_is_kept_and_reported(critic_home: Path) -> None:
    first = verdict("too dark", camera="bright wide shot")
    second = verdict("still too dark", camera="brighter wide shot")
    session, critic = session_with(critic_home, [first, second, first, OK], shots=2)
    events = run(session.generate_pending())

    messages = texts(events, "message")
    assert (
        "Shot 1 check: still too dark. It was already regenerated once with the critic's fix, so this take is kept."
        in messages
    )
    state = state_of(session)
    assert [(s.current_take.version, s.camera) for s in state.shots] == [(2, "bright wide shot")] * 2
    assert critiques(session, 1) == [
        [("regenerate", ["too dark"], {"camera": "bright wide shot"})],
        [("kept", ["still too dark"], {"camera": "brighter wide shot"})],
    ]
    # the once-per-run guard is per shot: shot 2 got its own fix after shot 1 used up its one
    assert critiques(session, 2)[0] == [("regenerate", ["too dark"], {"camera": "bright wide shot"})]
    assert len(critic.briefs) == 4


def test_a_fix_that_cannot_be_applied_is_reported_and_the_take_kept(critic_home: Path) -> None:
    stranger = verdict("Mira should not be alone", characters=["Mira", "Zed"])
    session, _ = session_with(critic_home, [stranger])
    events = run(session.generate_pending())

    report = next(text for text in texts(events, "message") if text.startswith("Shot 1 check"))
    assert "could not be applied" in report and "'Zed'" in report and "Keeping this take" in report
    assert texts(events, "shot_done") == ["Shot 1 is ready (take 1)."]
    assert "All 1 shots have a take" in texts(events, "message")[-1]
    shot = state_of(session).shot(1)
    assert shot.characters == ["ID_A"] and shot.status == "generated"
    fix = {"characters": ["Mira", "Zed"]}
    assert critiques(session, 1) == [[("kept", ["Mira should not be alone"], fix)]]


@pytest.mark.parametrize(
    ("fix", "reason"),
    [
        ({"camera": "static medium shot"}, "it changes nothing in the shot"),
        ({"action": "Mira reads. " * 150}, f"over the {MAX_PROMPT_CHARS}-character limit"),
    ],
)
def test_a_fix_that_changes_nothing_or_overflows_the_prompt_is_not_applied(
    critic_home: Path, fix: dict[str, Any], reason: str
) -> None:
    session, _ = session_with(critic_home, [verdict("something is off", **fix)])
    events = run(session.generate_pending())
    assert any(reason in text and "Keeping this take" in text for text in texts(events, "message"))
    shot = state_of(session).shot(1)
    assert shot.current_take.version == 1 and shot.action == "Mira opens a book." and shot.status == "generated"


def test_a_fix_may_bring_in_a_character_from_the_cast(critic_home: Path) -> None:
    together = verdict("Tobin should hand her the book", characters=["Mira", "Tobin"])
    session, _ = session_with(critic_home, [together, OK])
    run(session.generate_pending())
    shot = state_of(session).shot(1)
    assert shot.characters == ["ID_A", "ID_B"] and shot.current_take.version == 2


def test_speech_overflow_is_recorded_on_the_take_it_replaces(critic_home: Path) -> None:
    session, critic = session_with(critic_home, [OK], line=TALKY)
    run(session.generate_pending())
    (overflowed,), after = critiques(session, 1)
    assert overflowed[0] == "regenerate" and "past the end" in overflowed[1][0]
    assert overflowed[2]["duration_s"] > 1.0 and after == []
    assert len(critic.briefs) == 1  # the take replaced for overflow is not sent to the critic


def test_review_mode_offers_the_fix_and_applies_it_on_request(critic_home: Path) -> None:
    offer = verdict("the book is too small", camera="close-up on the book")
    session, _ = session_with(critic_home, [offer, OK], review_mode=True)

    asked = run(session.generate_pending())
    assert asked[-2].kind == "question" and asked[-2].options == ["Apply fix", "Approve"]
    assert asked[-2].text == (
        'Shot 1 is ready. The check found: the book is too small. Proposed fix: camera: "close-up on the book". '
        "Apply the fix, approve it, or tell me what to change."
    )
    assert state_of(session).shot(1).camera == "static medium shot"  # nothing changes before the answer

    applied = run(session.send("Apply fix"))
    assert texts(applied, "shot_done") == ["Shot 1 is ready (take 2)."]
    assert applied[-2].text == "Shot 1 is ready. Approve it, or tell me what to change."
    assert applied[-2].options == ["Approve"]
    fix = {"camera": "close-up on the book"}
    assert critiques(session, 1) == [
        [("ask", ["the book is too small"], fix), ("accepted", ["the book is too small"], fix)],
        [],
    ]

    run(session.send("Approve"))
    shot = state_of(session).shot(1)
    assert shot.camera == "close-up on the book" and shot.status == "approved"


def test_review_mode_reports_a_fix_that_cannot_be_applied_and_asks_again(critic_home: Path) -> None:
    stranger = verdict("Mira should not be alone", characters=["Mira", "Zed"])
    session, _ = session_with(critic_home, [stranger], review_mode=True)
    run(session.generate_pending())

    again = run(session.send("Apply fix"))
    assert "could not be applied" in texts(again, "message")[0] and "'Zed'" in texts(again, "message")[0]
    assert again[-2].kind == "question" and again[-2].options == ["Approve"]
    assert again[-2].text.startswith("Shot 1 is ready. The check found: Mira should not be alone.")
    assert state_of(session).shot(1).characters == ["ID_A"] and len(critiques(session, 1)) == 1
