"""Every LLM call is recorded with its tokens (the server's usage, else an estimate); `echo-director log` shows them."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from test_llm_http import BRIEF, SECRET_KEY, ScriptedServer

from director.cli import main
from director.llm import LlmCallRecord, LLMPlanner, build_chat_model
from director.session import DirectorSession
from director.settings import Settings
from generator.errors import EchoError

APPROVE = {"intent": "approve"}


def recording_planner(base_url: str, home: Path, calls: list[LlmCallRecord]) -> LLMPlanner:
    settings = Settings(home=home, llm_base_url=base_url, llm_api_key=SECRET_KEY, llm_model="m1", llm_timeout_s=5)
    return LLMPlanner(build_chat_model(settings), max_retries=1, recorder=calls.append)


def test_usage_comes_from_the_server_when_it_reports_it(tmp_path: Path) -> None:
    calls: list[LlmCallRecord] = []
    with ScriptedServer([APPROVE], usage={"prompt_tokens": 321, "completion_tokens": 54, "total_tokens": 375}) as s:
        recording_planner(s.base_url, tmp_path, calls).route("go ahead", BRIEF)
    assert calls == [LlmCallRecord("route", "m1", 321, 54, estimated=False, ok=True)]


def test_usage_is_estimated_without_it_and_each_retry_is_its_own_call(tmp_path: Path) -> None:
    calls: list[LlmCallRecord] = []
    with ScriptedServer(["nope", APPROVE], usage=None) as server:
        recording_planner(server.base_url, tmp_path, calls).route("go ahead", BRIEF)
    first, second = calls
    sent = sum(len(message["content"]) for message in server.requests[0]["messages"])
    assert (first.prompt_tokens, first.completion_tokens) == (math.ceil(sent / 4), 1)
    assert first.estimated and not first.ok and "not valid JSON" in (first.error or "")
    assert second.estimated and second.ok and second.prompt_tokens > first.prompt_tokens


def test_a_failed_request_is_recorded_without_the_key(tmp_path: Path) -> None:
    calls: list[LlmCallRecord] = []
    with ScriptedServer([401]) as server, pytest.raises(EchoError):
        recording_planner(server.base_url, tmp_path, calls).clarify("a wizard")
    (call,) = calls
    assert (call.purpose, call.ok, call.completion_tokens, call.estimated) == ("clarify", False, 0, True)
    assert "HTTP 401" in (call.error or "") and SECRET_KEY not in (call.error or "")


def record_through_a_session(home: Path, server: ScriptedServer, ask: str) -> None:
    """One planner call made by the planner a DirectorSession on project 1 built from the settings."""
    settings = Settings(home=home, llm_base_url=server.base_url, llm_model="m1", llm_timeout_s=5)
    session = DirectorSession(settings, 1)
    try:
        if ask == "route":
            session.context.planner.route("go ahead", BRIEF)
        else:
            session.context.planner.clarify("a wizard")
    finally:
        session.close()


def test_session_records_calls_under_its_project_and_log_prints_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    assert main(["--home", str(home), "new", "A wizard explores a castle"]) == 0
    assert main(["--home", str(home), "log", "1"]) == 0
    assert "LLM calls: none" in capsys.readouterr().out
    with ScriptedServer(["nope", APPROVE]) as server:
        record_through_a_session(home, server, "route")
    with ScriptedServer([{"missing": [], "questions": []}], usage=None) as server:
        record_through_a_session(home, server, "clarify")
    assert main(["--home", str(home), "log", "A wizard explores a castle"]) == 0
    out = capsys.readouterr().out
    assert "create_project" in out  # the tool calls come first
    lines = out[out.index("LLM calls (3):") :].splitlines()
    time = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
    assert re.fullmatch(rf"{time}  route     m1  prompt 1  completion 1  failed: not valid JSON \(.+\)", lines[1])
    assert re.fullmatch(rf"{time}  route     m1  prompt 1  completion 1  ok", lines[2])
    assert re.fullmatch(rf"{time}  clarify   m1  prompt ~[\d,]+  completion ~8  ok", lines[3])
    estimate = int(re.search(r"prompt ~([\d,]+)", lines[3])[1].replace(",", ""))
    assert lines[4] == f"total: 3 calls (1 failed), prompt ~{2 + estimate:,} tokens, completion ~10 tokens"


def test_log_of_an_unknown_project_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(tmp_path / "home"), "log", "Nowhere"]) == 2
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err.startswith("error: unknown project 'Nowhere';")
    assert len(printed.err.strip().splitlines()) == 1
