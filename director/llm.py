"""The Director's LLM: a `ChatOpenAI` client for any OpenAI-compatible endpoint, and `LLMPlanner`.

`LLMPlanner` asks the model for the pydantic models of director/schemas.py. One code path serves the three
structured-output methods: the request is shaped per method (a `json_schema` response format, a forced tool call,
or `json_object` mode) and the answer — tool-call arguments or message text — is validated here, so malformed
output is retried with the validation error fed back, then reported as an `EchoError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import openai
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, SecretStr, ValidationError

from director.schemas import (
    ClarifyQuestions,
    CritiqueVerdict,
    RevisionDiagnosis,
    RouteDecision,
    ShotPlanDraft,
    StoryDraft,
)
from director.settings import Settings, StructuredMethod
from generator.errors import EchoError
from generator.text import clip
from skills import Skill, load_skill

Model = TypeVar("Model", bound=BaseModel)
SkillLoader = Callable[[str], Skill]
# Semantic checks beyond the schema; a returned string is the reason the answer is rejected.
Check = Callable[[Any], str | None]

UNUSED_API_KEY = "not-needed"  # local servers ignore the key, but the OpenAI client insists on one
_FENCED_JSON = re.compile(r"\A```(?:json)?\s*(?P<body>.*?)\s*```\Z", re.DOTALL)
_ERROR_CHARS = 200


def build_chat_model(settings: Settings) -> ChatOpenAI:
    """A client for the configured endpoint; retries happen in LLMPlanner, never in the HTTP layer."""
    if not settings.llm_base_url:
        raise EchoError(
            "no LLM endpoint configured: set ECHO_LLM_BASE_URL or --llm-base-url (or use the offline planner)"
        )
    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=SecretStr(settings.llm_api_key or UNUSED_API_KEY),
        timeout=settings.llm_timeout_s,
        max_retries=0,
    )


def public_endpoint(url: str) -> str:
    """The endpoint without credentials or query string, safe to show in messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", "")) or url


class LLMPlanner:
    """The Planner protocol answered by a chat model, each stage prompted with its skill."""

    def __init__(
        self,
        chat_model: BaseChatModel,
        method: StructuredMethod = "json_schema",
        max_retries: int = 2,
        skills: SkillLoader = load_skill,
        default_shots: int = 6,
    ) -> None:
        self.chat_model = chat_model
        self.method = method
        self.max_retries = max_retries
        self.skills = skills
        self.default_shots = default_shots
        base_url = getattr(chat_model, "openai_api_base", None)
        self.endpoint = public_endpoint(base_url) if base_url else "the configured chat model"
        self._secret = _api_key_of(chat_model)

    def route(self, message: str, context: str) -> RouteDecision:
        task = (
            "Decide what the creator wants from their latest message. Intents: new_story (a fresh idea or a pasted "
            "screenplay), answer (a reply to the Director's pending question), approve, edit_story, revise_shot "
            "(set shot_number, 1-based, and feedback), edit_card, generate, export, question (put a short answer in "
            "reply). Copy the instruction, cleaned up, into feedback.\n\nProject state:\n" + (context or "(empty)")
        )
        return self._ask("planning", task, message, RouteDecision)

    def clarify(self, idea: str) -> ClarifyQuestions:
        task = (
            "Check whether this idea has what a shot plan needs (who, where, what happens). Only when something "
            "essential is missing, list it in `missing` and ask at most three short questions; otherwise return "
            "empty lists."
        )
        return self._ask("planning", task, idea, ClarifyQuestions)

    def write_story(self, idea: str, feedback: str = "", previous: StoryDraft | None = None) -> StoryDraft:
        parts = [f"Idea:\n{idea}"]
        if previous is not None:
            parts.append(f"Current draft (JSON):\n{previous.model_dump_json()}")
        if feedback:
            parts.append(f"Apply this feedback to the draft:\n{feedback}")
        task = (
            "Write the global story description the creator will confirm: a title, several sentences covering "
            "setup, discovery, conflict, climax and resolution, and one visual style sentence. Keep a pasted "
            "screenplay verbatim in `screenplay`. Set `language` to the idea's language code (en, zh, ...)."
        )
        return self._ask("story", task, "\n\n".join(parts), StoryDraft)

    def plan_shots(self, story: StoryDraft, num_shots: int | None) -> ShotPlanDraft:
        count = f"exactly {num_shots}" if num_shots else f"a sensible number of (about {self.default_shots})"
        task = (
            f"Turn the confirmed story into character cards, scene cards and {count} shots. Use only the declared "
            "character and scene names; at most two characters per shot; every dialogue speaker appears in its "
            "shot; durations up to 9.64 s, with dialogue at most about 2.5 words per second."
        )
        guidance = self._skill_text("planning") + "\n\n" + self._skill_text("shot_condition")
        return self._ask_with_guidance(
            guidance, task, story.model_dump_json(), ShotPlanDraft, check=lambda plan: _plan_problem(plan, num_shots)
        )

    def diagnose_revision(self, shot_summary: str, feedback: str) -> RevisionDiagnosis:
        task = (
            "Localise the creator's feedback on one shot: set only the condition fields that must change (leave the "
            "others null), list memory entry labels to drop when the feedback blames carried-over appearance, and "
            "explain the change in `diagnosis`."
        )
        return self._ask("revision", task, f"Shot:\n{shot_summary}\n\nFeedback:\n{feedback}", RevisionDiagnosis)

    def critique(self, shot_summary: str, prompt: str) -> CritiqueVerdict:
        task = "Review this shot's plan and compiled prompt; ok is false only for concrete problems, listed in issues."
        return self._ask("critic", task, f"Shot:\n{shot_summary}\n\nPrompt:\n{prompt}", CritiqueVerdict)

    def _skill_text(self, name: str) -> str:
        return self.skills(name).body

    def _ask(self, skill: str, task: str, user_text: str, schema: type[Model]) -> Model:
        return self._ask_with_guidance(self._skill_text(skill), task, user_text, schema)

    def _ask_with_guidance(
        self, guidance: str, task: str, user_text: str, schema: type[Model], check: Check | None = None
    ) -> Model:
        json_schema = schema.model_json_schema()
        system = (
            f"{guidance}\n\n## Task\n{task}\n\n## Output\nReply with one JSON object matching this JSON schema, "
            f"and nothing else:\n{json.dumps(json_schema, ensure_ascii=False)}"
        )
        messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(user_text)]
        runnable = self._structured(schema.__name__, json_schema)
        attempts = self.max_retries + 1
        reason = ""
        for _ in range(attempts):
            answer = self._invoke(runnable, messages)
            text, parsed, reason = _parse_answer(answer, schema)
            if parsed is not None:
                reason = (check(parsed) if check else None) or ""
                if not reason:
                    return parsed
            messages += [
                AIMessage(text),
                HumanMessage(f"That answer was rejected: {reason}. Reply again with only the corrected JSON object."),
            ]
        other = "json_schema" if self.method == "function_calling" else "function_calling"
        raise EchoError(
            f"the LLM at {self.endpoint} returned malformed {schema.__name__} output {attempts} times: "
            f"{self._redact(reason)}; try another model or ECHO_LLM_STRUCTURED_METHOD={other}"
        )

    def _structured(self, name: str, json_schema: dict[str, Any]) -> Runnable[LanguageModelInput, BaseMessage]:
        if self.method == "function_calling":
            tool = {"type": "function", "function": {"name": name, "parameters": json_schema}}
            return self.chat_model.bind_tools([tool], tool_choice=name)
        if self.method == "json_mode":
            return self.chat_model.bind(response_format={"type": "json_object"})
        response_format = {"type": "json_schema", "json_schema": {"name": name, "schema": json_schema, "strict": False}}
        return self.chat_model.bind(response_format=response_format)

    def _invoke(self, runnable: Runnable[LanguageModelInput, BaseMessage], messages: list[BaseMessage]) -> BaseMessage:
        try:
            return runnable.invoke(messages)
        except openai.APITimeoutError as error:
            raise EchoError(
                f"the LLM at {self.endpoint} did not answer in time; check the server is not overloaded, "
                "or raise ECHO_LLM_TIMEOUT_S"
            ) from error
        except openai.APIConnectionError as error:
            raise EchoError(
                f"cannot reach the LLM at {self.endpoint}; check the server is running and ECHO_LLM_BASE_URL "
                "(it usually ends in /v1), or unset it to use the offline planner"
            ) from error
        except openai.APIStatusError as error:
            reason = self._redact(clip(error.message, _ERROR_CHARS))
            raise EchoError(
                f"the LLM at {self.endpoint} answered HTTP {error.status_code}: {reason}; "
                f"{_status_hint(error.status_code)}"
            ) from error
        except openai.APIError as error:
            reason = self._redact(clip(error.message, _ERROR_CHARS))
            raise EchoError(f"the LLM at {self.endpoint} failed: {reason}; check the server's log") from error

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text


def _parse_answer(answer: BaseMessage, schema: type[Model]) -> tuple[str, Model | None, str]:
    """(the answer as text, the validated model or None, why it was rejected)."""
    tool_calls = getattr(answer, "tool_calls", None) or []
    if tool_calls:
        arguments = tool_calls[0]["args"]
        text = json.dumps(arguments, ensure_ascii=False)
        try:
            return text, schema.model_validate(arguments), ""
        except ValidationError as error:
            return text, None, _validation_reason(error)
    invalid_calls = getattr(answer, "invalid_tool_calls", None) or []
    if invalid_calls:
        return str(invalid_calls[0].get("args") or ""), None, "the tool-call arguments were not valid JSON"
    text = answer.content if isinstance(answer.content, str) else answer.text
    body = text.strip()
    if fenced := _FENCED_JSON.match(body):
        body = fenced["body"]
    if not body:
        return text, None, "the answer was empty"
    try:
        return text, schema.model_validate_json(body), ""
    except ValidationError as error:
        return text, None, _validation_reason(error)


def _validation_reason(error: ValidationError) -> str:
    problems = error.errors(include_url=False)
    if problems and problems[0]["type"] == "json_invalid":
        return f"not valid JSON ({problems[0]['msg']})"
    shown = [
        f"{'.'.join(str(part) for part in problem['loc']) or 'root'}: {problem['msg']}" for problem in problems[:3]
    ]
    more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
    return "; ".join(shown) + more


def _plan_problem(plan: ShotPlanDraft, num_shots: int | None) -> str | None:
    if num_shots and len(plan.shots) != num_shots:
        return f"the plan has {len(plan.shots)} shots but exactly {num_shots} were requested"
    characters = {character.name for character in plan.characters}
    scenes = {scene.name for scene in plan.scenes}
    for number, shot in enumerate(plan.shots, start=1):
        if shot.scene not in scenes:
            return f"shot {number} uses scene {shot.scene!r}, which is not in the scene list"
        unknown = [name for name in shot.characters if name not in characters]
        if unknown:
            return f"shot {number} uses characters {unknown} that are not in the character list"
        speakers = [line.speaker for line in shot.dialogue if line.speaker not in shot.characters]
        if speakers:
            return f"shot {number} has dialogue by {speakers}, who are not among the shot's characters"
    return None


def _api_key_of(chat_model: BaseChatModel) -> str:
    key = getattr(chat_model, "openai_api_key", None)
    secret = key.get_secret_value() if isinstance(key, SecretStr) else ""
    return "" if secret == UNUSED_API_KEY else secret


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return "check ECHO_LLM_API_KEY"
    if status == 404:
        return "check ECHO_LLM_BASE_URL (usually ending in /v1) and that ECHO_LLM_MODEL is served there"
    if status == 429:
        return "the server is rate limiting; wait and try again"
    if status >= 500:
        return "the server failed; check its log"
    return "check ECHO_LLM_MODEL and ECHO_LLM_STRUCTURED_METHOD (function_calling suits llama.cpp servers)"
