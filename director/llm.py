"""The Director's LLM: a `ChatOpenAI` client for any OpenAI-compatible endpoint, and `LLMPlanner`.

`LLMPlanner` asks the model for the pydantic models of director/schemas.py. One code path serves the three
structured-output methods: the request is shaped per method (a `json_schema` response format, a forced tool call,
or `json_object` mode) and the answer — tool-call arguments or message text — is validated here, so malformed
output is retried with the validation error fed back, then reported as an `EchoError`. Each request is reported
to an optional recorder with its token usage (the server's, or estimated from characters).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

import openai
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, SecretStr, ValidationError

from director import llm_prompts as prompts
from director.briefs import ProjectBrief, ShotBrief
from director.offline.critique import critique_shot
from director.prompt_fit import SHOT_TEXT_FIELDS, field_chars
from director.schemas import (
    CharacterSpec,
    ClarifyQuestions,
    CritiqueVerdict,
    PromptOverflow,
    RevisionDiagnosis,
    RouteDecision,
    SceneSpec,
    ShotPlanDraft,
    ShotSpec,
    StoryDraft,
)
from director.settings import Settings, StructuredMethod
from director.shot_count import MAX_REQUESTED_SHOTS
from generator.errors import EchoError
from generator.text import clip
from skills import Skill, load_skill

Model = TypeVar("Model", bound=BaseModel)
SkillLoader = Callable[[str], Skill]
# Semantic checks beyond the schema; a returned string is the reason the answer is rejected.
Check = Callable[[Any], str | None]
Purpose = Literal["route", "clarify", "story", "plan", "fit", "revise", "critique"]

UNUSED_API_KEY = "not-needed"  # local servers ignore the key, but the OpenAI client insists on one
PLAN_SKILLS = ("planning", "shot_condition")
CHARS_PER_TOKEN = 4
_FENCED_JSON = re.compile(r"\A```(?:json)?\s*(?P<body>.*?)\s*```\Z", re.DOTALL)
_ERROR_CHARS = 200


@dataclass(frozen=True)
class LlmCallRecord:
    """One request to the model: what it was for, its tokens, and whether its answer was used."""

    purpose: Purpose
    model: str
    prompt_tokens: int
    completion_tokens: int
    estimated: bool
    ok: bool
    error: str | None = None


CallRecorder = Callable[[LlmCallRecord], None]


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
    """The Planner protocol answered by a chat model, each stage prompted with its skill and the words of
    director/llm_prompts.py. Every request, retries included, is reported to `recorder` when one is set."""

    def __init__(
        self,
        chat_model: BaseChatModel,
        method: StructuredMethod = "json_schema",
        max_retries: int = 2,
        skills: SkillLoader = load_skill,
        default_shots: int = 6,
        recorder: CallRecorder | None = None,
        critic: bool = True,
    ) -> None:
        self.chat_model = chat_model
        self.critic = critic
        self.method = method
        self.max_retries = max_retries
        self.skills = skills
        self.default_shots = default_shots
        self.recorder = recorder
        base_url = getattr(chat_model, "openai_api_base", None)
        self.endpoint = public_endpoint(base_url) if base_url else "the configured chat model"
        self._model_name = str(getattr(chat_model, "model_name", None) or type(chat_model).__name__)
        self._secret = _api_key_of(chat_model)

    def route(self, message: str, brief: ProjectBrief) -> RouteDecision:
        return self._ask("route", ("routing",), prompts.ROUTE_TASK, prompts.route_input(message, brief), RouteDecision)

    def clarify(self, idea: str) -> ClarifyQuestions:
        return self._ask("clarify", ("planning",), prompts.CLARIFY_TASK, idea, ClarifyQuestions)

    def write_story(self, idea: str, feedback: str = "", previous: StoryDraft | None = None) -> StoryDraft:
        user_text = prompts.story_input(idea, feedback, previous)
        return self._ask("story", ("story",), prompts.STORY_TASK, user_text, StoryDraft)

    def plan_shots(self, story: StoryDraft, num_shots: int | None, idea: str = "") -> ShotPlanDraft:
        """One call for a short film; a long one is outlined first, then written at most 12 shots per call."""
        if (num_shots or self.default_shots) <= prompts.MAX_SHOTS_PER_CALL:
            return self._ask(
                "plan",
                PLAN_SKILLS,
                prompts.plan_task(num_shots, self.default_shots),
                prompts.story_text(story, idea),
                ShotPlanDraft,
                check=lambda plan: _plan_problem(plan, num_shots),
            )
        outline = self._ask(
            "plan",
            PLAN_SKILLS,
            prompts.outline_task(num_shots, self.default_shots),
            prompts.story_text(story, idea),
            prompts.PlanOutline,
            check=lambda answer: _outline_problem(answer, num_shots),
        )
        scene_of_shot = [scene.name for scene in outline.scenes for _ in range(scene.shots)]
        shots: list[ShotSpec] = []
        for start in range(0, len(scene_of_shot), prompts.MAX_SHOTS_PER_CALL):
            wanted = scene_of_shot[start : start + prompts.MAX_SHOTS_PER_CALL]
            batch = self._ask(
                "plan",
                PLAN_SKILLS,
                prompts.batch_task(start + 1, start + len(wanted), len(scene_of_shot)),
                prompts.batch_input(story, idea, outline, shots),
                prompts.ShotBatch,
                check=functools.partial(_batch_problem, outline=outline, wanted=wanted, first=start + 1),
            )
            shots += batch.shots
        return ShotPlanDraft(
            characters=outline.characters, scenes=[scene.card() for scene in outline.scenes], shots=shots
        )

    def fit_shot(self, plan: ShotPlanDraft, index: int, overflow: PromptOverflow) -> ShotSpec:
        return self._ask(
            "fit",
            ("shot_condition",),
            prompts.FIT_TASK,
            prompts.fit_input(plan, index, overflow),
            ShotSpec,
            check=lambda shot: _fit_problem(shot, plan.shots[index], overflow.budgets),
        )

    def diagnose_revision(self, shot: ShotBrief, feedback: str) -> RevisionDiagnosis:
        user_text = prompts.revision_input(shot, feedback)
        return self._ask("revise", ("revision",), prompts.REVISE_TASK, user_text, RevisionDiagnosis)

    def critique(self, shot: ShotBrief) -> CritiqueVerdict:
        """The deterministic checks, and the model's review of the brief unless the LLM critic is switched off."""
        checked = critique_shot(shot)
        if not self.critic:
            return checked
        verdict = self._ask(
            "critique", ("critic",), prompts.CRITIQUE_TASK, prompts.critique_input(shot), CritiqueVerdict
        )
        if checked.ok:
            return verdict
        issues = [*checked.issues, *(issue for issue in verdict.issues if issue not in checked.issues)]
        return CritiqueVerdict(ok=False, issues=issues, fix=checked.fix or verdict.fix)

    def _ask(
        self,
        purpose: Purpose,
        skills: tuple[str, ...],
        task: str,
        user_text: str,
        schema: type[Model],
        check: Check | None = None,
    ) -> Model:
        json_schema = schema.model_json_schema()
        guidance = "\n\n".join(self.skills(name).body for name in skills)
        system = (
            f"{guidance}\n\n## Task\n{task}\n\n## Output\nReply with one JSON object matching this JSON schema, "
            f"and nothing else:\n{json.dumps(json_schema, ensure_ascii=False)}"
        )
        messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(user_text)]
        runnable = self._structured(schema.__name__, json_schema)
        attempts = self.max_retries + 1
        reason = ""
        for _ in range(attempts):
            answer = self._invoke(purpose, runnable, messages)
            text, parsed, reason = _parse_answer(answer, schema)
            if parsed is not None:
                reason = (check(parsed) if check else None) or ""
            self._record(purpose, messages, answer, text, error=reason)
            if parsed is not None and not reason:
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

    def _invoke(
        self, purpose: Purpose, runnable: Runnable[LanguageModelInput, BaseMessage], messages: list[BaseMessage]
    ) -> BaseMessage:
        try:
            return runnable.invoke(messages)
        except openai.APIError as error:
            failure = self._failure(error)
            self._record(purpose, messages, None, "", error=str(failure))
            raise failure from error

    def _failure(self, error: openai.APIError) -> EchoError:
        if isinstance(error, openai.APITimeoutError):
            return EchoError(
                f"the LLM at {self.endpoint} did not answer in time; check the server is not overloaded, "
                "or raise ECHO_LLM_TIMEOUT_S"
            )
        if isinstance(error, openai.APIConnectionError):
            return EchoError(
                f"cannot reach the LLM at {self.endpoint}; check the server is running and ECHO_LLM_BASE_URL "
                "(it usually ends in /v1), or unset it to use the offline planner"
            )
        reason = self._redact(clip(error.message, _ERROR_CHARS))
        if isinstance(error, openai.APIStatusError):
            return EchoError(
                f"the LLM at {self.endpoint} answered HTTP {error.status_code}: {reason}; "
                f"{_status_hint(error.status_code)}"
            )
        return EchoError(f"the LLM at {self.endpoint} failed: {reason}; check the server's log")

    def _record(
        self, purpose: Purpose, messages: list[BaseMessage], answer: BaseMessage | None, text: str, error: str
    ) -> None:
        if self.recorder is None:
            return
        prompt_tokens, completion_tokens, estimated = _usage(messages, answer, text)
        model = answer.response_metadata.get("model_name") if answer is not None else None
        self.recorder(
            LlmCallRecord(
                purpose=purpose,
                model=str(model or self._model_name),
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                estimated=estimated,
                ok=not error,
                error=self._redact(error) or None,
            )
        )

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text


def _usage(messages: list[BaseMessage], answer: BaseMessage | None, text: str) -> tuple[int, int, bool]:
    """(prompt tokens, completion tokens, estimated): the server's count when it gave one, else characters / 4."""
    usage = getattr(answer, "usage_metadata", None)
    if usage:
        return usage["input_tokens"], usage["output_tokens"], False
    reported = answer.response_metadata.get("token_usage") if answer is not None else None
    if isinstance(reported, dict) and "prompt_tokens" in reported:
        return int(reported["prompt_tokens"]), int(reported.get("completion_tokens") or 0), False
    prompt_chars = sum(len(message.text) for message in messages)
    return _estimate(prompt_chars), _estimate(len(text)), True


def _estimate(chars: int) -> int:
    return -(-chars // CHARS_PER_TOKEN)


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
    return _shots_problem(plan.shots, plan.characters, plan.scenes, first=1)


def _outline_problem(outline: prompts.PlanOutline, num_shots: int | None) -> str | None:
    total = sum(scene.shots for scene in outline.scenes)
    if num_shots and total != num_shots:
        return f"the scene shot counts add up to {total} but exactly {num_shots} shots were requested"
    if total > MAX_REQUESTED_SHOTS:
        return f"the scene shot counts add up to {total}; a film has at most {MAX_REQUESTED_SHOTS} shots"
    for kind, names in (
        ("character", [card.name for card in outline.characters]),
        ("scene", [scene.name for scene in outline.scenes]),
    ):
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            return f"{kind} names must be unique; {repeated} appear more than once"
    return None


def _batch_problem(batch: prompts.ShotBatch, outline: prompts.PlanOutline, wanted: list[str], first: int) -> str | None:
    """`wanted` is the outline's scene for each shot of this part, from shot number `first` on."""
    last = first + len(wanted) - 1
    if len(batch.shots) != len(wanted):
        return f"this part has {len(batch.shots)} shots but exactly {len(wanted)} (shots {first}-{last}) were requested"
    for number, (shot, scene) in enumerate(zip(batch.shots, wanted, strict=True), start=first):
        if shot.scene != scene:
            return f"shot {number} is in scene {shot.scene!r} but the outline puts it in {scene!r}"
    return _shots_problem(batch.shots, outline.characters, outline.scenes, first=first)


def _shots_problem(
    shots: Sequence[ShotSpec], characters: Sequence[CharacterSpec], scenes: Sequence[SceneSpec], first: int
) -> str | None:
    names = {character.name for character in characters}
    scene_names = {scene.name for scene in scenes}
    for number, shot in enumerate(shots, start=first):
        if shot.scene not in scene_names:
            return f"shot {number} uses scene {shot.scene!r}, which is not in the scene list"
        unknown = [name for name in shot.characters if name not in names]
        if unknown:
            return f"shot {number} uses characters {unknown} that are not in the character list"
        if speakers := _strangers(shot):
            return f"shot {number} has dialogue by {speakers}, who are not among the shot's characters"
    return None


def _fit_problem(shot: ShotSpec, before: ShotSpec, budgets: dict[str, int]) -> str | None:
    if shot.scene != before.scene or shot.characters != before.characters:
        return f"keep scene {before.scene!r} and characters {before.characters} exactly; only the wording shrinks"
    if speakers := _strangers(shot):
        return f"the dialogue is by {speakers}, who are not among the shot's characters"
    over = [
        f"{field} has {chars} characters (budget {budget})"
        for field, budget in budgets.items()
        if field in SHOT_TEXT_FIELDS and (chars := field_chars(shot.model_dump(), field)) > budget
    ]
    return "; ".join(over) + "; shorten them to fit" if over else None


def _strangers(shot: ShotSpec) -> list[str]:
    return [line.speaker for line in shot.dialogue if line.speaker not in shot.characters]


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
