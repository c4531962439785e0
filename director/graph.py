"""The Director's LangGraph state machine — all wiring lives here; each stage is a module in director/nodes/.

route -> clarify (-> ask) -> story -> review (approve | edit -> story) -> plan -> next_shot
next_shot -> retrieve -> compile_prompt -> memory -> generate -> record -> critique -> next_shot ... -> END
record: staged files gone after a crash -> generate again
critique: speech overflow -> compile_prompt again (shot lengthened once) | measured below a threshold ->
          compile_prompt again with a new seed (best of N) | review (human) | finish revision
route -> revise -> retrieve ... critique -> finish_revision -> offer to regenerate stale shots
route -> approve | export | reply (questions; requests the planner cannot apply) | next_shot (generate)
route -> edit_card | edit_shot | edit_cast | edit_structure | undo -> offer to regenerate stale shots
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from director.graph_state import DirectorContext, DirectorState
from director.nodes import (
    clarify,
    compile_prompt,
    critique,
    edit_card,
    edit_cast,
    edit_shot,
    edit_structure,
    export,
    generate,
    memory,
    next_shot,
    plan,
    record,
    reply,
    retrieve,
    revise,
    route,
    story,
    undo,
)

Node = Callable[[DirectorState, DirectorContext], dict[str, Any]]

NODES: dict[str, Node] = {
    "route": route.run,
    "clarify": clarify.run,
    "ask_clarify": clarify.ask_clarify,
    "story": story.run,
    "review_story": story.review,
    "approve": story.approve,
    "plan": plan.run,
    "next_shot": next_shot.run,
    "retrieve": retrieve.run,
    "compile_prompt": compile_prompt.run,
    "memory": memory.run,
    "generate": generate.run,
    "record": record.run,
    "critique": critique.run,
    "review_shot": critique.review,
    "revise": revise.run,
    "finish_revision": revise.finish,
    "offer_regenerate": revise.offer_regenerate,
    "edit_card": edit_card.run,
    "edit_shot": edit_shot.run,
    "edit_cast": edit_cast.run,
    "edit_structure": edit_structure.run,
    "undo": undo.run,
    "export": export.run,
    "reply": reply.run,
}

# Any other answer to the regenerate offer is a new message, dispatched like a routed one.
OFFER_OUTCOMES = {"regenerate": "next_shot", "done": END}

# node -> {outcome the node wrote into state -> next node}
OUTCOMES: dict[str, dict[str, str]] = {
    "clarify": {"ask": "ask_clarify", "write": "story"},
    "review_story": {"approved": "plan", "edit": "story", "ask": "review_story"},
    "approve": {"approved": "plan", "generate": "next_shot", "nothing": END},
    "next_shot": {"shot": "retrieve", "done": END},
    "critique": {"retry": "compile_prompt", "review": "review_shot", "revised": "finish_revision", "next": "next_shot"},
    "review_shot": {
        "revised": "finish_revision",
        "next": "next_shot",
        "revise": "revise",
        "retry": "compile_prompt",
        "review": "review_shot",
    },
    "revise": {"regenerate": "retrieve", "done": END},
    "finish_revision": {"continue": "next_shot", "offer": "offer_regenerate", "done": END},
    "edit_card": {"offer": "offer_regenerate", "done": END},
    "edit_shot": {"offer": "offer_regenerate", "done": END},
    "edit_cast": {"offer": "offer_regenerate", "done": END},
    "edit_structure": {"offer": "offer_regenerate", "done": END},
    "undo": {"offer": "offer_regenerate", "done": END},
    "record": {"recorded": "critique", "regenerate": "generate"},
}

STRAIGHT: list[tuple[str, str]] = [
    (START, "route"),
    ("ask_clarify", "story"),
    ("story", "review_story"),
    ("plan", "next_shot"),
    ("retrieve", "compile_prompt"),
    ("compile_prompt", "memory"),
    ("memory", "generate"),
    ("generate", "record"),
    ("export", END),
    ("reply", END),
]


def _bind(node: Node, ctx: DirectorContext) -> Callable[[DirectorState], dict[str, Any]]:
    def run(state: DirectorState) -> dict[str, Any]:
        return node(state, ctx)

    return run


def build_graph(ctx: DirectorContext, checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    graph = StateGraph(DirectorState)
    for name, node in NODES.items():
        graph.add_node(name, _bind(node, ctx))
    for source, target in STRAIGHT:
        graph.add_edge(source, target)
    intent_targets = sorted(set(route.INTENT_NODES.values()))
    graph.add_conditional_edges("route", lambda state: route.dispatch(state, ctx), intent_targets)
    for source, table in OUTCOMES.items():
        graph.add_conditional_edges(
            source, lambda state, table=table: table[state["outcome"]], sorted(set(table.values()))
        )
    graph.add_conditional_edges(
        "offer_regenerate",
        lambda state: OFFER_OUTCOMES.get(state["outcome"]) or route.dispatch(state, ctx),
        sorted(set(OFFER_OUTCOMES.values()) | set(intent_targets)),
    )
    return graph.compile(checkpointer=checkpointer)
