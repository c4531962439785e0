"""Director graph paths with a scripted chat model behind the real LLMPlanner, the real workspace, Chroma index,
SQLite checkpoints and the preview backend (tiny frames): approve, edit story, revise, resume, review, overflow."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fakes import ScriptedChatModel

from director.graph_state import DirectorEvent
from director.llm import LLMPlanner
from director.nodes.memory import take_slot
from director.session import DirectorSession
from director.settings import Settings
from generator.errors import EchoError
from skills import load_skill
from tools.base import Toolbox
from workspace.export import export_project
from workspace.models import Revision, ShotCondition, Take
from workspace.project_view import load_project_state

MIRA = {
    "name": "Mira",
    "identity": "A young apprentice with short black hair.",
    "clothing": "A grey wool coat.",
    "voice": "A bright, quick voice.",
}
OLD_MAN = {"name": "Tobin", "identity": "An old librarian with a white beard.", "voice": "A slow, deep voice."}
LIBRARY = {
    "name": "Library",
    "location": "castle library",
    "time_of_day": "night",
    "description": "Candles, tall shelves.",
}


def shot(action: str, line: str = "Here.", duration: float = 1.0, who: str = "Mira") -> dict[str, Any]:
    return {
        "scene": "Library",
        "characters": [who],
        "action": action,
        "dialogue": [{"speaker": who, "text": line}] if line else [],
        "camera": "static medium shot",
        "duration_s": duration,
    }


def plan(*shots: dict[str, Any]) -> dict[str, Any]:
    return {"characters": [MIRA, OLD_MAN], "scenes": [LIBRARY], "shots": list(shots)}


THREE_SHOTS = plan(shot("Mira opens a book."), shot("Mira reads.", "Listen."), shot("Mira looks up.", "Who?"))
NEW_STORY = {"intent": "new_story"}
NO_QUESTIONS = {"missing": [], "questions": []}
STORY = {"title": "The Book", "description": "Mira finds a book of spells in the library.", "style": "Warm light."}


def make_session(
    home: Path, answers: list[Any], project_id: int | None = None, **overrides: Any
) -> tuple[DirectorSession, ScriptedChatModel]:
    settings = Settings(home=home, width=64, height=64, **overrides)
    model = ScriptedChatModel(answers=answers)
    # the scripted model answers the critic only where a test sets an endpoint (as a real LLM session has)
    critic = settings.llm_critic and settings.llm_configured
    planner = LLMPlanner(model, method="json_schema", max_retries=0, skills=load_skill, critic=critic)
    return DirectorSession(settings, project_id, planner=planner), model


def run(events: Any) -> list[DirectorEvent]:
    collected = list(events)
    assert collected[-1].kind == "done"
    return collected


def texts(events: list[DirectorEvent], kind: str) -> list[str]:
    return [event.text for event in events if event.kind == kind]


def file_hash(session: DirectorSession, relative: str) -> str:
    return hashlib.sha256(session.workspace.media.resolve(relative).read_bytes()).hexdigest()


def takes(session: DirectorSession) -> list[Take]:
    with session.workspace.read_session() as db:
        return list(db.query(Take).order_by(Take.id).all())


@pytest.fixture
def director_home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def generated_project(home: Path, extra: list[Any] = (), **overrides: Any) -> tuple[DirectorSession, ScriptedChatModel]:
    """A project whose three shots are generated (idea -> story -> approve -> plan -> 3 takes)."""
    session, model = make_session(home, [NEW_STORY, NO_QUESTIONS, STORY, THREE_SHOTS, *extra], **overrides)
    run(session.send("Mira finds a book of spells in the castle library"))
    events = run(session.send("Approve"))
    assert len(texts(events, "shot_done")) == 3, texts(events, "error")
    return session, model


def test_clarify_then_approve_generates_every_shot_with_memory(director_home: Path) -> None:
    clarify = {"missing": ["characters"], "questions": ["Who is the hero?"]}
    session, model = make_session(director_home, [NEW_STORY, clarify, STORY, THREE_SHOTS])

    first = run(session.send("A story about a book"))
    assert texts(first, "question") == [session.pending_question().text]
    assert "Who is the hero?" in texts(first, "question")[0]

    second = run(session.send("An apprentice called Mira"))
    assert texts(second, "question") and second[-2].options == ["Approve", "Edit"]
    assert "An apprentice called Mira" in model.prompts[2]  # the answer reached the story writer

    third = run(session.send("Approve"))
    assert [e.shot_number for e in third if e.kind == "shot_done"] == [1, 2, 3]
    assert any(e.kind == "progress" and e.fraction is not None for e in third)
    assert model.remaining == 0

    state = load_project_state(session.workspace, session.project_id)
    assert state.story.confirmed and [c.name for c in state.characters] == ["Mira", "Tobin"]
    assert [s.current_take.version for s in state.shots] == [1, 1, 1]
    assert all(s.num_frames == 25 for s in state.shots)
    first_take = state.shots[0].current_take.id
    second_sources = state.shots[1].current_take.memory_sources
    assert {"label": "PREVIOUS_SHOT", "take_id": first_take}.items() <= second_sources[0].items()
    assert any(source["take_id"] == first_take for source in state.shots[2].current_take.memory_sources)
    assert all(s.current_take.memory_window["key_frame"] for s in state.shots)
    assert not any(session.workspace.media.staging_root.iterdir())

    roles = [turn.role for turn in session.transcript()]
    assert roles[:4] == ["user", "assistant", "user", "assistant"]
    assert session.transcript()[1].text.startswith("Before I write the story")


def test_story_edit_loops_back_and_plans_the_edited_version(director_home: Path) -> None:
    darker = {"title": "The Dark Book", "description": "Mira finds a cursed book.", "style": "Cold blue light."}
    answers = [NEW_STORY, NO_QUESTIONS, STORY, {"intent": "edit_story", "feedback": "make it darker"}, darker]
    session, model = make_session(director_home, [*answers, THREE_SHOTS])
    run(session.send("Mira finds a book of spells"))

    edited = run(session.send("Make it darker please"))
    assert "The Dark Book" in texts(edited, "message")[0]
    assert "make it darker" in model.prompts[4] and "Mira finds a book of spells in the library" in model.prompts[4]

    run(session.send("Approve"))
    state = load_project_state(session.workspace, session.project_id)
    assert state.story.version == 2 and state.story.confirmed and state.story.title == "The Dark Book"
    assert "The Dark Book" in model.prompts[5]  # the plan was made from the edited story
    assert len(state.shots) == 3


def test_revision_replaces_one_take_and_marks_dependents_stale(director_home: Path) -> None:
    diagnosis = {"diagnosis": "the camera should creep in", "camera": "slow dolly in", "new_seed": True}
    session, _ = generated_project(director_home, [diagnosis, {"intent": "export"}])
    before = load_project_state(session.workspace, session.project_id)
    hashes = {s.number: file_hash(session, s.current_take.video_path) for s in before.shots}

    events = run(session.revise(1, "slower, creeping camera"))
    assert texts(events, "shot_done") == ["Shot 1 is ready (take 2)."]
    assert texts(events, "question") == ["Regenerate stale shots 2 and 3 now?"]
    assert texts(events, "message")[-1] == (
        "Shot 1 is revised. The camera should creep in. Shots 2 and 3 remembered the old take and are now stale."
    )

    after = load_project_state(session.workspace, session.project_id)
    assert after.shots[0].current_take.version == 2 and after.shots[0].camera == "slow dolly in"
    assert [s.status for s in after.shots] == ["generated", "stale", "stale"]
    assert {s.number: file_hash(session, s.current_take.video_path) for s in after.shots[1:]} == {
        2: hashes[2],
        3: hashes[3],
    }
    with session.workspace.read_session() as db:
        revision = db.query(Revision).one()
        condition = db.query(ShotCondition).order_by(ShotCondition.id.desc()).first()
    assert (revision.from_take_id, revision.to_take_id) == (
        before.shots[0].current_take.id,
        after.shots[0].current_take.id,
    )
    assert revision.changes["camera"] == "slow dolly in" and "creeping" in revision.feedback
    assert condition.source == "revision" and "slow dolly in" in condition.prompt

    kept = run(session.send("Keep"))
    assert not texts(kept, "shot_done") and len(takes(session)) == 4

    regenerated = run(session.generate_pending())
    assert [e.shot_number for e in regenerated if e.kind == "shot_done"] == [2, 3]
    final = load_project_state(session.workspace, session.project_id)
    assert [s.current_take.version for s in final.shots] == [2, 2, 2]
    assert final.shots[1].current_take.memory_sources[0]["take_id"] == final.shots[0].current_take.id

    exported = run(session.send("Export the film"))
    film = session.settings.home_dir / "exports" / f"project-{session.project_id}" / "film.mp4"
    assert texts(exported, "message") == [f"Exported 3 shots (3.0 s) to {film}."] and film.is_file()


def test_rollback_after_a_revision_unblocks_export_and_retrieval_offers_the_restored_take(director_home: Path) -> None:
    diagnosis = {"diagnosis": "the camera should creep in", "camera": "slow dolly in", "new_seed": True}
    session, _ = generated_project(director_home, [diagnosis])
    pid, user = session.project_id, Toolbox(session.workspace, actor="user")  # the app calls tools like this
    original = load_project_state(session.workspace, pid).shots[0].current_take.id
    run(session.revise(1, "slower, creeping camera"))
    run(session.send("Keep"))
    revised = load_project_state(session.workspace, pid)
    assert [s.status for s in revised.shots] == ["generated", "stale", "stale"]
    with pytest.raises(EchoError, match="stale"):
        export_project(session.workspace, pid, director_home / "film")

    result = user.call("rollback_shot", {"project_id": pid, "number": 1, "version": 1})
    assert result.ok and result.data["restored_shots"] == [2, 3], result.message
    state = load_project_state(session.workspace, pid)
    assert [(s.status, s.current_take.status) for s in state.shots] == [("generated", "generated")] * 3
    assert export_project(session.workspace, pid, director_home / "film").shot_count == 3

    # retrieval for a regenerated shot 3 offers shot 1's restored take (the revised one is no longer current)
    assert user.call("update_shot", {"project_id": pid, "number": 3, "camera": "close-up"}).ok
    regenerated = run(session.generate_pending())
    assert [e.shot_number for e in regenerated if e.kind == "shot_done"] == [3]
    with session.workspace.read_session() as db:
        condition = db.query(ShotCondition).order_by(ShotCondition.id.desc()).first()
    assert original in condition.fields["retrieved_take_ids"]
    assert revised.shots[0].current_take.id not in condition.fields["retrieved_take_ids"]
    remembered = load_project_state(session.workspace, pid).shots[2].current_take.memory_sources
    assert original in [source.get("take_id") for source in remembered]


def test_pending_question_and_transcript_survive_a_restart(director_home: Path) -> None:
    session, _ = make_session(director_home, [NEW_STORY, NO_QUESTIONS, STORY])
    run(session.send("Mira finds a book of spells"))
    project_id, question = session.project_id, session.pending_question()
    session.close()

    reopened, _ = make_session(director_home, [THREE_SHOTS], project_id=project_id)
    assert reopened.pending_question() == question
    assert [t.role for t in reopened.transcript()] == ["user", "assistant", "assistant"]
    events = run(reopened.send("Approve"))
    assert len(texts(events, "shot_done")) == 3
    assert reopened.pending_question() is None


def test_review_mode_asks_after_each_shot_and_revises_from_the_answer(director_home: Path) -> None:
    one_shot = plan(shot("Mira opens a book."), shot("Mira reads.", "Listen."))
    feedback_route = {"intent": "revise_shot", "shot_number": 2, "feedback": "pan left"}
    diagnosis = {"diagnosis": "camera move", "camera": "pan left"}
    answers = [NEW_STORY, NO_QUESTIONS, STORY, one_shot, feedback_route, diagnosis]
    session, model = make_session(director_home, answers, review_mode=True)
    run(session.send("Mira finds a book"))
    first = run(session.send("Approve"))
    assert texts(first, "question") == ["Shot 1 is ready. Approve it, or tell me what to change."]

    second = run(session.send("Approve"))
    assert texts(second, "question") == ["Shot 2 is ready. Approve it, or tell me what to change."]
    revised = run(session.send("The camera should pan left"))
    assert texts(revised, "shot_done") == ["Shot 2 is ready (take 2)."]
    assert texts(revised, "question") == ["Shot 2 is ready. Approve it, or tell me what to change."]
    done = run(session.send("Approve"))
    assert "All 2 shots have a take" in texts(done, "message")[-1]

    state = load_project_state(session.workspace, session.project_id)
    assert [s.status for s in state.shots] == ["approved", "approved"]
    assert state.shots[1].camera == "pan left" and model.remaining == 0


def test_speech_overflow_lengthens_the_shot_and_regenerates_once(director_home: Path) -> None:
    talky = "No. No. No. No. No. No."  # the plan lengthens the shot to 2.6 s for 6 words; the pauses take longer
    answers = [NEW_STORY, NO_QUESTIONS, STORY, plan(shot("Mira talks.", talky, duration=1.0))]
    session, _ = make_session(director_home, answers)
    run(session.send("Mira talks"))
    events = run(session.send("Approve"))
    assert any("lengthened the shot" in text for text in texts(events, "message"))
    state = load_project_state(session.workspace, session.project_id)
    take_rows = takes(session)
    assert len(take_rows) == 2 and take_rows[0].num_frames == 65
    assert state.shots[0].num_frames > 65 and state.shots[0].current_take.version == 2


def test_llm_critic_runs_when_an_endpoint_is_set(director_home: Path) -> None:
    verdict = {"ok": False, "issues": ["Mira's coat colour drifts"]}
    answers = [NEW_STORY, NO_QUESTIONS, STORY, plan(shot("Mira opens a book.")), verdict]
    session, model = make_session(director_home, answers, llm_base_url="http://127.0.0.1:9/v1")
    run(session.send("Mira finds a book"))
    events = run(session.send("Approve"))
    assert "Shot 1 check: Mira's coat colour drifts" in texts(events, "message")
    assert "ID_A" in model.prompts[-1]  # the critic saw the compiled prompt


def test_edit_card_marks_the_shots_that_show_it_stale(director_home: Path) -> None:
    edit = {
        "intent": "edit_card",
        "card_edits": [{"card": "Mira", "field": "clothing", "value": "A red velvet cloak."}],
    }
    session, _ = generated_project(director_home, [edit])
    events = run(session.send('Mira wears "A red velvet cloak."'))
    state = load_project_state(session.workspace, session.project_id)
    assert state.character("ID_A").clothing == "A red velvet cloak."
    assert [s.status for s in state.shots] == ["stale", "stale", "stale"]
    assert texts(events, "question") == ["Regenerate stale shots 1, 2 and 3 now?"]


def test_bad_input_is_refused_and_changes_nothing(director_home: Path, workspace_snapshot: Any) -> None:
    session, _ = generated_project(director_home, ["this is not JSON"])
    before = workspace_snapshot(session.workspace)

    assert [e.kind for e in session.send("   ")] == ["error"]
    assert [e.kind for e in session.send("x" * 20_001)] == ["error"]
    unknown = list(session.revise(9, "make it better"))  # refused before the graph runs, like an empty message
    assert "unknown shot 9" in texts(unknown, "error")[0] and "1..3" in texts(unknown, "error")[0]
    malformed = run(session.revise(2, "make it better"))
    assert "malformed" in texts(malformed, "error")[0]

    after = workspace_snapshot(session.workspace)
    assert after["tables"] == before["tables"]
    assert {k: v for k, v in after["files"].items() if not k.startswith("checkpoints")} == {
        k: v for k, v in before["files"].items() if not k.startswith("checkpoints")
    }


def test_native_memory_strategy_is_first_3_plus_recent_4_of_the_history(director_home: Path) -> None:
    nine_shots = plan(*(shot(f"Mira turns page {n}.", line="") for n in range(1, 10)))
    session, _ = make_session(director_home, [NEW_STORY, NO_QUESTIONS, STORY, nine_shots], memory_strategy="native")
    run(session.send("Mira reads a long book in the castle library"))
    assert len(texts(run(session.send("Approve")), "shot_done")) == 9

    state = load_project_state(session.workspace, session.project_id)
    take_of = {s.number: s.current_take.id for s in state.shots}
    ninth = state.shots[8].current_take.memory_sources
    first_3_recent_4 = (1, 2, 3, 5, 6, 7, 8)
    assert [source["label"] for source in ninth] == [f"SHOT_{n}" for n in first_3_recent_4]
    assert [source["take_id"] for source in ninth] == [take_of[n] for n in first_3_recent_4]
    assert state.shots[0].current_take.memory_sources == []


@pytest.mark.parametrize("visual_memory", ["clip", "image"])
def test_memory_slots_of_earlier_takes_carry_their_clip_for_the_echo_backend(
    director_home: Path, visual_memory: str
) -> None:
    """The echo backend encodes each slot's 9-frame clip (paper: last latent of the clip), so a slot rebuilt from a
    stored take is decoded from its video around the KOK frame; image mode and the preview keep the key frame."""
    session, _ = generated_project(director_home)
    take = load_project_state(session.workspace, session.project_id).shots[1].current_take
    echo = session.settings.model_copy(update={"backend": "echo", "visual_memory": visual_memory})
    slot = take_slot(dataclasses.replace(session.context, settings=echo), take, "SHOT_2", 2)
    assert take_slot(session.context, take, "SHOT_2", 2).clip is None  # the preview does not use clips
    if visual_memory == "image":
        assert slot.clip is None
        return
    assert slot.clip.shape == (9, *slot.key_frame.shape)
    key_frame_error = np.abs(slot.clip[-1].astype(int) - slot.key_frame.astype(int)).mean()
    assert key_frame_error < 8  # the same frame, through the video codec
