"""`memory_strategy = "none"` (the memory ablation's floor): a shot is generated with no memory slots at all, where
the agent memory (Sec. 5.3) gives the same shot its previous shot's KOK slot."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from director.session import DirectorSession
from director.settings import Settings
from generator.preview.renderer import PreviewGenerator
from generator.types import GeneratedShot, MemorySlot, ProgressCallback, ShotRequest
from workspace.project_view import load_project_state

SCREENPLAY = """EXT. STONE HARBOUR - SUNSET

MARA (34), a lighthouse keeper in a yellow raincoat, ties a boat to the quay.
MARA: The sea is too calm tonight.

Mara turns to the lighthouse.
MARA: We light the lamp early.
"""


class MemorySpy(PreviewGenerator):
    """The preview backend, recording the labels of the memory slots each shot was given."""

    def __init__(self) -> None:
        super().__init__()
        self.memory_labels: list[list[str]] = []

    def generate(
        self,
        request: ShotRequest,
        memory: Sequence[MemorySlot] = (),
        progress: ProgressCallback | None = None,
        out_dir: Path | None = None,
    ) -> GeneratedShot:
        self.memory_labels.append([slot.label for slot in memory])
        return super().generate(request, memory, progress, out_dir)


@pytest.mark.parametrize(("strategy", "second_shot_memory"), [("agent", ["PREVIOUS_SHOT"]), ("none", [])])
def test_the_none_strategy_gives_a_shot_no_memory_slots(
    tmp_path: Path, strategy: str, second_shot_memory: list[str]
) -> None:
    settings = Settings(home=tmp_path / "home", width=64, height=64, llm_base_url=None, memory_strategy=strategy)
    spy = MemorySpy()
    session = DirectorSession(settings, generator=spy)
    events = list(session.send(SCREENPLAY, num_shots=2, auto_approve=True))
    assert [event.shot_number for event in events if event.kind == "shot_done"] == [1, 2]

    assert spy.memory_labels == [[], second_shot_memory]
    state = load_project_state(session.workspace, session.project_id)
    assert [source["label"] for source in state.shots[1].current_take.memory_sources] == second_shot_memory
    session.close()
