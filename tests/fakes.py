"""Test doubles shared by the Director tests.

`ScriptedChatModel` is a real langchain `BaseChatModel` whose answers are scripted: each call returns the next
answer in order. It works behind `LLMPlanner` for every structured-output method: with tools bound (the
`function_calling` method, or `with_structured_output`) an answer becomes a tool call, otherwise it is message
text (`json_schema` / `json_mode`). Every call's messages are recorded so tests can check what the model saw.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, Field

ScriptedAnswer = str | dict[str, Any] | BaseModel | AIMessage


class ScriptedChatModel(BaseChatModel):
    """Returns `answers` one per call, in order; dicts and pydantic models are sent as JSON text."""

    answers: list[ScriptedAnswer] = Field(default_factory=list)
    calls: list[list[BaseMessage]] = Field(default_factory=list)
    call_kwargs: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def prompts(self) -> list[str]:
        """Each call's messages joined as plain text (system prompt first)."""
        return ["\n".join(str(message.content) for message in call) for call in self.calls]

    @property
    def remaining(self) -> int:
        return len(self.answers) - len(self.calls)

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        return self.bind(tools=[convert_to_openai_tool(tool) for tool in tools], tool_choice=tool_choice, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        index = len(self.calls)
        self.calls.append(list(messages))
        self.call_kwargs.append(dict(kwargs))
        if index >= len(self.answers):
            raise AssertionError(
                f"ScriptedChatModel ran out of answers: call {index + 1}, {len(self.answers)} scripted"
            )
        message = _as_message(self.answers[index], kwargs.get("tools") or [], call_number=index + 1)
        return ChatResult(generations=[ChatGeneration(message=message)])


def _as_message(answer: ScriptedAnswer, tools: list[dict[str, Any]], call_number: int) -> AIMessage:
    if isinstance(answer, AIMessage):
        return answer
    text = _as_text(answer)
    if not tools:
        return AIMessage(content=text)
    tool_name = tools[0]["function"]["name"]
    try:
        args = json.loads(text)
    except json.JSONDecodeError:
        args = None
    if not isinstance(args, dict):
        # What a real endpoint does when the model ignores the tool: plain text and no tool call.
        return AIMessage(content=text)
    return AIMessage(content="", tool_calls=[{"name": tool_name, "args": args, "id": f"call_{call_number}"}])


def _as_text(answer: str | dict[str, Any] | BaseModel) -> str:
    if isinstance(answer, BaseModel):
        return answer.model_dump_json()
    if isinstance(answer, dict):
        return json.dumps(answer, ensure_ascii=False)
    return answer
