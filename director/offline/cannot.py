"""The decision for a request the offline planner understands but cannot apply: the reply says what could not be
done and how to do it instead (an editor of the app, or an LLM endpoint that understands free-form requests)."""

from __future__ import annotations

from typing import Literal

from director.schemas import RouteDecision

Editor = Literal["Story", "Cards", "Shot inspector"]
LLM_HINT = "or configure an LLM endpoint (ECHO_LLM_BASE_URL) and ask again"


def cannot(problem: str, *editors: Editor, hint: str = "", llm: bool = True) -> RouteDecision:
    """`problem` says what cannot be done; `hint` an offline phrasing that would work; `editors` the tabs where it can
    be done instead (none when nothing needs doing); `llm` whether an LLM endpoint could do it."""
    where = ""
    if editors:
        tabs = editors[0] + " tab" if len(editors) == 1 else f"{', '.join(editors[:-1])} or {editors[-1]} tabs"
        where = f"You can do it in the {tabs}" + (f", {LLM_HINT}." if llm else ".")
    parts = (problem, "Nothing changed.", hint, where)
    return RouteDecision(intent="cannot", reply=" ".join(part for part in parts if part))
