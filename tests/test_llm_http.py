"""The real ChatOpenAI client over HTTP against a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from director.briefs import CardBrief, LineBrief, ProjectBrief, SceneBrief, ShotBrief, ShotLine, StoryBrief, TakeBrief
from director.graph_state import ChatTurn
from director.llm import build_chat_model
from director.planner import get_planner
from director.schemas import CastEntry, PromptOverflow, ShotEdit, ShotPlanDraft, ShotSpec, StoryDraft
from director.settings import Settings
from generator.errors import EchoError

SECRET_KEY = "sk-test-secret-1234567890"
STORY = StoryDraft(title="The Last Page", description="Mira finds a lost book; Aldric guards it.", style="Warm.")
PLAN = {
    "characters": [
        {"name": "Mira", "identity": "A young apprentice with red hair.", "voice": "A bright voice."},
        {"name": "Aldric", "identity": "An old wizard with a white beard.", "voice": "A deep voice."},
    ],
    "scenes": [{"name": "Library", "location": "castle library", "time_of_day": "night"}],
    "shots": [
        {"scene": "Library", "characters": ["Mira"], "action": "Mira searches the shelves.", "duration_s": 4.04},
        {
            "scene": "Library",
            "characters": ["Mira", "Aldric"],
            "action": "Aldric steps out of the shadows.",
            "dialogue": [{"speaker": "Aldric", "text": "Looking for this?"}],
            "camera": "over-the-shoulder shot",
            "duration_s": 4.04,
        },
    ],
}


USAGE = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
LIBRARY = SceneBrief(scene_id="S1", name="Library", location="castle library", time_of_day="night")
MIRA = CardBrief(
    char_id="ID_A",
    name="Mira",
    identity="A young apprentice with red hair.",
    clothing="A green wool cloak.",
    voice="A bright voice.",
    has_reference_image=True,
)
BRIEF = ProjectBrief(
    project_id=1,
    idea="A wizard's apprentice finds a lost book",
    story=StoryBrief(
        title="The Last Page", synopsis="Mira finds a lost book.", style="Warm candlelight.", version=2, confirmed=True
    ),
    characters=[MIRA],
    scenes=[LIBRARY],
    shots=[
        ShotLine(
            number=1,
            scene_id="S1",
            characters=["ID_A"],
            summary="Mira searches the shelves.",
            first_line="Mira: Where is it?",
            duration_s=4.84,
            status="generated",
            version=2,
            memory=["ID_A card", "shot 1 v1"],
        ),
        ShotLine(number=2, scene_id="S1", characters=[], summary="Dust falls.", duration_s=2.04, status="planned"),
    ],
    recent_turns=[ChatTurn(role="user", text="make it rain"), ChatTurn(role="assistant", text="Shot 1 is now rainy.")],
    pending_question="Shall I generate shot 2?",
)
SHOT = ShotBrief(
    number=1,
    shot_count=2,
    scene=LIBRARY,
    characters=[MIRA],
    action="Mira searches the shelves.",
    dialogue=[LineBrief(speaker="ID_A", speaker_name="Mira", text="Where is it?")],
    camera="slow push-in",
    sound_effects="rain on the windows",
    music="no music",
    num_frames=121,
    status="generated",
    next=BRIEF.shots[1],
    prompt="ID_A: A young apprentice with red hair. At normal speed, ID_A searches the shelves. Camera: push-in.",
    take=TakeBrief(take_id=3, version=2, status="generated", seed=7, backend="preview", memory=["ID_A card"]),
    style="Warm candlelight.",
)


class ScriptedServer:
    """Answers /v1/chat/completions with scripted replies: a dict answer becomes message text, or tool-call
    arguments when the request carries tools; an int answer is an HTTP error status. `usage` is reported with
    every answer (none when it is None)."""

    def __init__(self, answers: list[Any], usage: dict[str, int] | None = USAGE) -> None:
        self.answers = list(answers)
        self.usage = usage
        self.requests: list[dict[str, Any]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                scripted.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
                answer = scripted.answers.pop(0)
                if isinstance(answer, int):
                    self._send(answer, {"error": {"message": f"Incorrect API key provided: {SECRET_KEY}"}})
                    return
                text = answer if isinstance(answer, str) else json.dumps(answer)
                message: dict[str, Any] = {"role": "assistant", "content": text}
                if body.get("tools"):
                    name = body["tools"][0]["function"]["name"]
                    call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": text}}
                    message = {"role": "assistant", "content": None, "tool_calls": [call]}
                choice = {"index": 0, "message": message, "finish_reason": "stop"}
                reply = {"id": "c1", "object": "chat.completion", "created": 0, "model": body["model"]}
                usage = {"usage": scripted.usage} if scripted.usage is not None else {}
                self._send(200, {**reply, "choices": [choice], **usage})

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def llm_settings_for(tmp_path: Any) -> Iterator[Any]:
    def make(base_url: str, **overrides: Any) -> Settings:
        return Settings(home=tmp_path, llm_base_url=base_url, llm_api_key=SECRET_KEY, llm_timeout_s=5, **overrides)

    yield make


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_full_plan_parses_over_http_for_every_structured_method(llm_settings_for: Any, method: str) -> None:
    with ScriptedServer([PLAN]) as server:
        planner = get_planner(llm_settings_for(server.base_url, llm_structured_method=method))
        plan = planner.plan_shots(STORY, 2)
    assert plan == ShotPlanDraft.model_validate(PLAN)
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == f"Bearer {SECRET_KEY}"
    if method == "json_schema":
        assert request["response_format"]["type"] == "json_schema"
        assert request["response_format"]["json_schema"]["name"] == "ShotPlanDraft"
    elif method == "function_calling":
        assert request["tools"][0]["function"]["name"] == "ShotPlanDraft"
        assert request["tool_choice"]["function"]["name"] == "ShotPlanDraft"
    else:
        assert request["response_format"] == {"type": "json_object"}
    system = request["messages"][0]["content"]
    assert "at most two characters" in system and "exactly 2 shots" in system


def test_malformed_answer_is_retried_with_the_error_fed_back(llm_settings_for: Any) -> None:
    with ScriptedServer(["{not json", {"shots": []}, PLAN]) as server:
        plan = get_planner(llm_settings_for(server.base_url)).plan_shots(STORY, 2)
    assert len(plan.shots) == 2
    assert len(server.requests) == 3
    retry_messages = server.requests[2]["messages"]
    assert retry_messages[-2]["role"] == "assistant" and retry_messages[-2]["content"] == '{"shots": []}'
    assert "rejected" in retry_messages[-1]["content"] and "scenes" in retry_messages[-1]["content"]


def test_malformed_answers_every_time_give_a_clear_error(llm_settings_for: Any) -> None:
    with ScriptedServer(["nope", "{}", '{"title": ""}']) as server:
        planner = get_planner(llm_settings_for(server.base_url, llm_max_retries=2))
        with pytest.raises(EchoError) as raised:
            planner.write_story("a wizard loses his spellbook")
    message = str(raised.value)
    assert f"the LLM at {server.base_url} returned malformed StoryDraft output 3 times" in message
    assert "function_calling" in message
    assert SECRET_KEY not in message


def test_server_down_gives_a_clear_error(llm_settings_for: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}/v1"
    with pytest.raises(EchoError) as raised:
        get_planner(llm_settings_for(base_url)).route("go ahead", BRIEF)
    assert f"cannot reach the LLM at {base_url}" in str(raised.value)
    assert "ECHO_LLM_BASE_URL" in str(raised.value)


def test_http_error_names_the_status_and_hides_the_key(llm_settings_for: Any) -> None:
    with ScriptedServer([401]) as server, pytest.raises(EchoError) as raised:
        get_planner(llm_settings_for(server.base_url)).critique(SHOT)
    message = str(raised.value)
    assert "HTTP 401" in message and "ECHO_LLM_API_KEY" in message
    assert SECRET_KEY not in message and "***" in message


def test_credentials_in_the_url_never_reach_messages(tmp_path: Any) -> None:
    settings = Settings(home=tmp_path, llm_base_url="http://user:hunter2@127.0.0.1:9/v1", llm_timeout_s=2)
    with pytest.raises(EchoError) as raised:
        get_planner(settings).route("hello", BRIEF)
    assert "hunter2" not in str(raised.value) and "http://127.0.0.1:9/v1" in str(raised.value)


def test_build_chat_model_uses_settings_without_http_retries(tmp_path: Any) -> None:
    model = build_chat_model(
        Settings(home=tmp_path, llm_base_url="http://127.0.0.1:1/v1", llm_model="m", llm_timeout_s=7)
    )
    assert (model.openai_api_base, model.model_name, model.max_retries, model.request_timeout) == (
        "http://127.0.0.1:1/v1",
        "m",
        0,
        7,
    )
    assert model.openai_api_key.get_secret_value() == "not-needed"
    with pytest.raises(EchoError, match="ECHO_LLM_BASE_URL"):
        build_chat_model(Settings(home=tmp_path))


def sent_text(request: dict[str, Any]) -> str:
    return "\n".join(str(message["content"]) for message in request["messages"])


def test_route_renders_the_brief_and_a_question_is_answered_in_reply(llm_settings_for: Any) -> None:
    answer = {"intent": "question", "reply": "Mira wears a green wool cloak."}
    with ScriptedServer([answer]) as server:
        decision = get_planner(llm_settings_for(server.base_url)).route("What does Mira wear?", BRIEF)
    assert (decision.intent, decision.reply) == ("question", "Mira wears a green wool cloak.")
    system, user = (message["content"] for message in server.requests[0]["messages"])
    assert "`card_edits`" in system and "the complete rewritten sentence" in system and "`cannot`" in system
    for expected in (
        "Story v2 (confirmed): The Last Page",
        "Synopsis: Mira finds a lost book.",
        "Style: Warm candlelight.",
        '- ID_A Mira: identity "A young apprentice with red hair."; clothing "A green wool cloak."',
        "[reference image]",
        "S1 Library (castle library, night)",
        "1. S1 | ID_A Mira | 4.84 s | generated, take v2, memory: ID_A card, shot 1 v1 | Mira searches the shelves."
        " / Mira: Where is it?",
        "2. S1 | nobody | 2.04 s | planned, no take yet | Dust falls.",
        "creator: make it rain\ndirector: Shot 1 is now rainy.",
        "## Pending question\nShall I generate shot 2?",
        "## The creator's latest message\nWhat does Mira wear?",
    ):
        assert expected in user, expected


def long_plan_story() -> StoryDraft:
    return STORY.model_copy(
        update={"cast": [CastEntry(name="Mira", description="a young apprentice")], "beats": ["Mira finds the book."]}
    )


def garden_shots(count: int) -> dict[str, Any]:
    return {"shots": [{"scene": "Garden", "characters": ["Mira"], "action": f"Mira walks {n}."} for n in range(count)]}


def test_a_long_plan_is_outlined_then_written_twelve_shots_a_call(llm_settings_for: Any) -> None:
    outline = {
        "characters": PLAN["characters"],
        "scenes": [
            {"name": "Library", "location": "castle library", "shots": 8, "summary": "Mira searches."},
            {"name": "Garden", "location": "castle garden", "shots": 12, "summary": "Mira reads outside."},
        ],
    }
    first_part = {"shots": PLAN["shots"] * 4 + garden_shots(4)["shots"]}
    screenplay = "INT. LIBRARY - NIGHT\nMIRA: Where is it?"
    with ScriptedServer([outline, first_part, garden_shots(7), garden_shots(8)]) as server:
        plan = get_planner(llm_settings_for(server.base_url)).plan_shots(long_plan_story(), 20, screenplay)
    assert len(plan.shots) == 20 and [scene.name for scene in plan.scenes] == ["Library", "Garden"]
    assert plan.shots[7].scene == "Library" and plan.shots[8].scene == "Garden"
    names = [request["response_format"]["json_schema"]["name"] for request in server.requests]
    assert names == ["PlanOutline", "ShotBatch", "ShotBatch", "ShotBatch"]
    assert screenplay in sent_text(server.requests[0]) and "1. Mira finds the book." in sent_text(server.requests[0])
    assert "Write shots 1-12 of the 20-shot film, exactly 12 shots" in sent_text(server.requests[1])
    assert "(none: this part starts the film)" in sent_text(server.requests[1])
    second_part = sent_text(server.requests[2])
    assert "Write shots 13-20 of the 20-shot film, exactly 8 shots" in second_part
    assert "- shots 9-20: Garden (castle garden) Mira reads outside." in second_part
    assert "12. Garden | Mira | Mira walks 3." in second_part and screenplay in second_part
    retry = server.requests[3]["messages"]
    assert retry[:2] == server.requests[2]["messages"] and len(retry) == 4  # only the failed part, resent alone
    assert json.loads(retry[2]["content"]) == garden_shots(7)
    assert "exactly 8 (shots 13-20) were requested" in retry[3]["content"]


def test_an_outline_that_misses_the_shot_count_is_retried(llm_settings_for: Any) -> None:
    scenes = [{"name": "Library", "shots": 10}, {"name": "Garden", "shots": 3}]
    outline = {"characters": PLAN["characters"], "scenes": scenes}
    fixed = {**outline, "scenes": [scenes[0], {**scenes[1], "shots": 4}]}
    library = {"shots": [{**PLAN["shots"][0]}] * 10 + garden_shots(2)["shots"]}
    with ScriptedServer([outline, fixed, library, garden_shots(2)]) as server:
        plan = get_planner(llm_settings_for(server.base_url)).plan_shots(STORY, 14)
    assert len(plan.shots) == 14
    assert "add up to 13 but exactly 14 shots were requested" in server.requests[1]["messages"][-1]["content"]


def test_fit_shot_sends_the_overflow_and_budgets_and_rejects_an_answer_over_budget(llm_settings_for: Any) -> None:
    plan = ShotPlanDraft.model_validate(PLAN)
    overflow = PromptOverflow(
        shot_number=2, prompt_chars=1640, limit=1500, fixed_chars=900, budgets={"action": 30, "dialogue": 25}
    )
    too_long = {**PLAN["shots"][1], "action": "Aldric steps slowly out of the deep shadows of the stacks."}
    moved = {**PLAN["shots"][1], "scene": "Garden", "action": "Aldric appears."}
    fitted = {**PLAN["shots"][1], "action": "Aldric appears."}
    with ScriptedServer([too_long, moved, fitted]) as server:
        shot = get_planner(llm_settings_for(server.base_url)).fit_shot(plan, 1, overflow)
    assert shot == ShotSpec.model_validate(fitted)
    system, user = (message["content"] for message in server.requests[0]["messages"])
    assert "cannot change" in system and server.requests[0]["response_format"]["json_schema"]["name"] == "ShotSpec"
    assert "compiles to 1640 characters; the limit is 1500, so it is 140 over" in user
    assert "take 900 of them and are fixed" in user and "action 30, dialogue 25" in user
    assert (
        '- Aldric: identity "An old wizard with a white beard."' in user and "Library (castle library, night)" in user
    )
    assert "action has 58 characters (budget 30)" in server.requests[1]["messages"][-1]["content"]
    assert "keep scene 'Library'" in server.requests[2]["messages"][-1]["content"]


def test_critique_sends_the_shot_brief_once_and_returns_the_fix(llm_settings_for: Any) -> None:
    answer = {"ok": False, "issues": ["the camera never moves"], "fix": {"camera": "slow pan"}}
    with ScriptedServer([answer]) as server:
        verdict = get_planner(llm_settings_for(server.base_url)).critique(SHOT)
    assert verdict.fix == ShotEdit(camera="slow pan")
    sent = sent_text(server.requests[0])
    assert sent.count(SHOT.prompt) == 1 and sent.count("Mira searches the shelves.") == 1
    assert "Current take: v2 (generated, preview, seed 7); memory labels used: ID_A card" in sent
    assert "Next shot: 2. S1 | nobody | 2.04 s | planned, no take yet | Dust falls." in sent
