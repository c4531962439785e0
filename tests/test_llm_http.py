"""The real ChatOpenAI client over HTTP against a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from director.llm import build_chat_model
from director.planner import get_planner
from director.schemas import ShotPlanDraft, StoryDraft
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


class ScriptedServer:
    """Answers /v1/chat/completions with scripted replies: a dict answer becomes message text, or tool-call
    arguments when the request carries tools; an int answer is an HTTP error status."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = list(answers)
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
                usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
                self._send(
                    200,
                    {
                        "id": "c1",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body["model"],
                        "choices": [choice],
                        "usage": usage,
                    },
                )

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
        get_planner(llm_settings_for(base_url)).route("go ahead", "")
    assert f"cannot reach the LLM at {base_url}" in str(raised.value)
    assert "ECHO_LLM_BASE_URL" in str(raised.value)


def test_http_error_names_the_status_and_hides_the_key(llm_settings_for: Any) -> None:
    with ScriptedServer([401]) as server, pytest.raises(EchoError) as raised:
        get_planner(llm_settings_for(server.base_url)).critique("shot: 1", "prompt")
    message = str(raised.value)
    assert "HTTP 401" in message and "ECHO_LLM_API_KEY" in message
    assert SECRET_KEY not in message and "***" in message


def test_credentials_in_the_url_never_reach_messages(tmp_path: Any) -> None:
    settings = Settings(home=tmp_path, llm_base_url="http://user:hunter2@127.0.0.1:9/v1", llm_timeout_s=2)
    with pytest.raises(EchoError) as raised:
        get_planner(settings).route("hello", "")
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
