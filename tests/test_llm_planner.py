"""LLMPlanner behind a scripted chat model: request shapes, skills and briefs in prompts, retries, semantic checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import ScriptedChatModel
from langchain_core.messages import AIMessage

from director.briefs import CardBrief, LineBrief, ProjectBrief, SceneBrief, ShotBrief
from director.llm import LLMPlanner
from director.offline.planner import OfflinePlanner
from director.planner import get_planner
from director.schemas import RouteDecision, ShotEdit, StoryDraft
from director.settings import Settings
from generator.errors import EchoError
from generator.prompt import compose_prompt
from skills import load_skill

STORY = StoryDraft(title="T", description="Mira and Aldric.", style="Warm.")
BRIEF = ProjectBrief(project_id=1)
MIRA = CardBrief(char_id="ID_A", name="Mira", identity="A young apprentice.", voice="A bright voice.")
SHOT = ShotBrief(
    number=2,
    shot_count=3,
    scene=SceneBrief(scene_id="S1", name="Library", location="castle library", time_of_day="night"),
    characters=[MIRA],
    action="Mira opens the book.",
    dialogue=[LineBrief(speaker="ID_A", speaker_name="Mira", text="Found it.")],
    camera="static medium shot",
    sound_effects="pages rustle",
    music="no music",
    num_frames=121,
    status="generated",
)
SHOT = SHOT.model_copy(update={"prompt": compose_prompt(SHOT.condition())})  # the caption the compile stage renders
PLAN = {
    "characters": [{"name": "Mira", "identity": "A young apprentice."}],
    "scenes": [{"name": "Library"}],
    "shots": [{"scene": "Library", "characters": ["Mira"], "dialogue": [{"speaker": "Mira", "text": "Hello."}]}],
}


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_every_method_parses_the_scripted_answer(method: str) -> None:
    model = ScriptedChatModel(answers=[{"intent": "revise_shot", "shot_number": 3, "feedback": "closer"}])
    decision = LLMPlanner(model, method=method).route("shot 3 closer", BRIEF)
    assert decision == RouteDecision(intent="revise_shot", shot_number=3, feedback="closer")
    kwargs = model.call_kwargs[0]
    if method == "function_calling":
        assert kwargs["tools"][0]["function"]["name"] == "RouteDecision"
    else:
        assert kwargs["response_format"]["type"] == ("json_object" if method == "json_mode" else "json_schema")


def test_each_stage_prompt_starts_with_its_skill_and_carries_the_input() -> None:
    model = ScriptedChatModel(answers=[{"intent": "approve"}, {"diagnosis": "closer", "camera": "close-up"}])
    planner = LLMPlanner(model)
    planner.route("looks good", BRIEF)
    planner.diagnose_revision(SHOT, "make it a close-up")
    assert model.calls[0][0].content.startswith(load_skill("routing").body)
    assert model.calls[1][0].content.startswith(load_skill("revision").body)
    revision_input = model.calls[1][1].content
    assert "make it a close-up" in revision_input and 'identity "A young apprentice."' in revision_input


def test_critic_fix_is_parsed_and_the_shot_is_sent_once() -> None:
    model = ScriptedChatModel(answers=[{"ok": False, "issues": ["no music"], "fix": {"music": "a soft harp"}}])
    verdict = LLMPlanner(model).critique(SHOT)
    assert verdict.fix == ShotEdit(music="a soft harp")
    sent = model.prompts[0]
    assert sent.count(SHOT.prompt) == 1 and sent.count("Mira opens the book.") == 1


def test_fenced_json_is_accepted() -> None:
    model = ScriptedChatModel(answers=['```json\n{"ok": false, "issues": ["too long"]}\n```'])
    assert LLMPlanner(model).critique(SHOT).issues == ["too long"]


def test_plan_with_wrong_shot_count_or_unknown_speaker_is_retried() -> None:
    wrong_count = {**PLAN, "shots": PLAN["shots"] * 2}
    stranger = {**PLAN, "shots": [{"scene": "Library", "dialogue": [{"speaker": "Zed", "text": "Hi."}]}]}
    model = ScriptedChatModel(answers=[wrong_count, stranger, PLAN])
    plan = LLMPlanner(model, max_retries=2).plan_shots(STORY, 1)
    assert len(plan.shots) == 1
    assert "exactly 1 were requested" in model.calls[1][-1].content
    assert "'Zed'" in model.calls[2][-1].content


def test_retries_exhausted_raise_echo_error_and_stop_calling() -> None:
    model = ScriptedChatModel(answers=["no", "still no", "never", "unused"])
    with pytest.raises(EchoError, match=r"malformed ClarifyQuestions output 2 times: not valid JSON"):
        LLMPlanner(model, max_retries=1).clarify("an idea")
    assert model.remaining == 2


def test_tool_call_with_invalid_arguments_counts_as_malformed() -> None:
    broken = AIMessage(
        content="", invalid_tool_calls=[{"name": "CritiqueVerdict", "args": "{", "id": "1", "error": ""}]
    )
    model = ScriptedChatModel(answers=[broken, {"ok": True}])
    assert LLMPlanner(model, method="function_calling").critique(SHOT).ok
    assert "not valid JSON" in model.calls[1][-1].content


def test_home_skill_override_reaches_the_prompt(tmp_path: Path) -> None:
    override = tmp_path / "skills" / "story" / "SKILL.md"
    override.parent.mkdir(parents=True)
    override.write_text("---\nname: story\ndescription: mine\n---\nAlways write in rhyme.\n", encoding="utf-8")
    model = ScriptedChatModel(answers=[STORY])
    planner = get_planner(Settings(home=tmp_path), chat_model=model)
    assert planner.write_story("idea") == STORY
    assert model.calls[0][0].content.startswith("Always write in rhyme.")


def test_get_planner_is_offline_without_an_endpoint(tmp_path: Path) -> None:
    planner = get_planner(Settings(home=tmp_path, default_shots=4))
    assert isinstance(planner, OfflinePlanner)
    assert len(planner.plan_shots(planner.write_story("a robot learns to paint in Paris"), None).shots) == 4


def test_scripted_model_reports_running_out() -> None:
    with pytest.raises(AssertionError, match="ran out of answers"):
        LLMPlanner(ScriptedChatModel(answers=[])).critique(SHOT)
