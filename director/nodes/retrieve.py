"""retrieve: R_t = TopK relevant earlier takes (paper Eq. 16) from the project's Chroma shot index.

Candidates are the current takes of the shots before this one (the index also holds replaced takes, which a
rollback can make current again); K is settings.retrieval_top_k.
"""

from __future__ import annotations

from typing import Any

from director.graph_state import DirectorContext, DirectorState
from director.nodes import emit
from director.nodes.shot_context import ShotContext, load_shot_context
from workspace.index import shot_document


def document_of(shot_ctx: ShotContext) -> str:
    """The shot's semantic query q_t: the same text the index stores for a take of this shot."""
    shot = shot_ctx.shot
    names = {char_id: card.name for char_id, card in shot_ctx.characters.items()}
    scene = shot_ctx.scene()
    return shot_document(
        scene=f"{scene.name}. {scene.description}".strip(". "),
        characters=[f"{names.get(c, c)} ({c})" for c in shot.characters],
        action=shot.action,
        dialogue=[f"{names.get(d['speaker'], d['speaker'])}: {d['text']}" for d in shot.dialogue],
    )


def run(state: DirectorState, ctx: DirectorContext) -> dict[str, Any]:
    shot_ctx = load_shot_context(ctx, state["project_id"], state["shot_number"])
    current = {e.current_take_id: e.shot_id for e in shot_ctx.earlier if e.current_take_id is not None}
    k = ctx.settings.retrieval_top_k
    if not current or k == 0:
        return {"retrieved": []}
    hits = ctx.index.query(state["project_id"], document_of(shot_ctx), k, take_ids=list(current))
    retrieved = [hit.take_id for hit in hits if hit.take_id in current][:k]
    numbers = {e.current_take_id: e.number for e in shot_ctx.earlier}
    if retrieved:
        emit(
            "progress",
            f"Shot {shot_ctx.number}: related earlier shots {', '.join(str(numbers[t]) for t in retrieved)}",
            shot_number=shot_ctx.number,
        )
    return {"retrieved": retrieved}
