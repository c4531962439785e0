"""Eq. 9 native bank, agent-memory assembly (fixed + dynamic, cap 7, pairs intact), card slots, slot files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generator.audio import write_wav
from generator.errors import EchoError
from generator.memory import assemble_memory, card_slot, load_slots_json, native_bank, save_slots
from generator.types import CharacterInShot, MemorySlot, MemorySource

FIRST_3_RECENT_4 = {
    1: [1],
    2: [1, 2],
    3: [1, 2, 3],
    4: [1, 2, 3, 4],
    5: [1, 2, 3, 4, 5],
    6: [1, 2, 3, 4, 5, 6],
    7: [1, 2, 3, 4, 5, 6, 7],
    8: [1, 2, 3, 5, 6, 7, 8],
    9: [1, 2, 3, 6, 7, 8, 9],
    10: [1, 2, 3, 7, 8, 9, 10],
    11: [1, 2, 3, 8, 9, 10, 11],
    12: [1, 2, 3, 9, 10, 11, 12],
    13: [1, 2, 3, 10, 11, 12, 13],
    14: [1, 2, 3, 11, 12, 13, 14],
    15: [1, 2, 3, 12, 13, 14, 15],
    16: [1, 2, 3, 13, 14, 15, 16],
    17: [1, 2, 3, 14, 15, 16, 17],
    18: [1, 2, 3, 15, 16, 17, 18],
    19: [1, 2, 3, 16, 17, 18, 19],
    20: [1, 2, 3, 17, 18, 19, 20],
}


@pytest.mark.parametrize("shots", list(FIRST_3_RECENT_4))
def test_native_bank_is_first_3_plus_recent_4(shots: int) -> None:
    assert native_bank(list(range(1, shots + 1))) == FIRST_3_RECENT_4[shots]


def test_native_bank_of_nothing_and_of_objects() -> None:
    assert native_bank([]) == []
    takes = [object() for _ in range(9)]
    assert native_bank(takes) == [takes[i] for i in (0, 1, 2, 5, 6, 7, 8)]


def event_slot(marker: int, kind: str = "take", silent: bool = False) -> MemorySlot:
    """A slot whose image and audio both carry `marker`, so a re-pairing would show up."""
    source = MemorySource(kind=kind, take_id=marker if kind == "take" else None, card_id=f"C{marker}", start_s=1.0)
    return MemorySlot(
        label=f"E{marker}",
        source=source,
        key_frame=np.full((8, 8, 3), marker, np.uint8),
        audio=None if silent else np.full(160, marker / 100, np.float32),
        sample_rate=None if silent else 16000,
    )


def assert_pairs_intact(slots: list[MemorySlot]) -> None:
    for slot in slots:
        if slot.audio is not None:
            assert round(float(slot.audio[0]) * 100) == int(slot.key_frame[0, 0, 0])


def test_assembly_puts_fixed_first_then_dynamic_in_relevance_order_and_caps_at_7() -> None:
    fixed = [event_slot(1, "card"), event_slot(2, "card")]
    dynamic = [event_slot(m) for m in (40, 30, 20, 10, 50, 60, 70)]
    memory = assemble_memory(fixed, dynamic)
    assert [s.label for s in memory] == ["E1", "E2", "E40", "E30", "E20", "E10", "E50"]
    assert_pairs_intact(memory)


def test_fixed_entries_win_over_dynamic_when_the_cap_bites() -> None:
    fixed = [event_slot(m, "card") for m in range(1, 9)]
    memory = assemble_memory(fixed, [event_slot(99)])
    assert [s.label for s in memory] == [f"E{m}" for m in range(1, 8)]
    assert [s.label for s in assemble_memory(fixed[:2], [event_slot(9), event_slot(8)], cap=3)] == ["E1", "E2", "E9"]


def test_duplicate_events_are_dropped_and_the_first_copy_kept() -> None:
    fixed = [event_slot(1, "card")]
    dynamic = [event_slot(5), event_slot(1, "card"), event_slot(5), event_slot(6, silent=True), event_slot(6)]
    memory = assemble_memory(fixed, dynamic)
    assert [s.label for s in memory] == ["E1", "E5", "E6"]
    assert memory[2].audio is None  # the first copy of event 6 wins; its audio is not borrowed from the second
    assert_pairs_intact(memory)


def test_assembly_is_deterministic_and_does_not_mutate_inputs() -> None:
    fixed, dynamic = [event_slot(3, "card")], [event_slot(m) for m in range(10, 20)]
    first, second = assemble_memory(fixed, dynamic), assemble_memory(fixed, dynamic)
    assert [s.label for s in first] == [s.label for s in second]
    assert len(dynamic) == 10 and all(a is b for a, b in zip(first, second, strict=True))


def save_png(path: Path, width: int, height: int) -> Path:
    image = np.zeros((height, width, 3), np.uint8)
    image[:, : width // 2] = (255, 0, 0)
    image[:, width // 2 :] = (0, 0, 255)
    Image.fromarray(image).save(path)
    return path


def test_card_slot_cover_fits_the_image_and_windows_the_reference_audio(tmp_path: Path) -> None:
    voice = np.zeros(16000 * 8, np.float32)
    voice[16000 * 5 : 16000 * 6] = 0.5 * np.sin(2 * np.pi * 220 * np.arange(16000) / 16000)
    card = CharacterInShot(
        id="ID_A",
        name="Mara",
        identity="A woman.",
        reference_image=save_png(tmp_path / "face.png", 200, 100),
        reference_audio=write_wav(tmp_path / "voice.wav", voice, 16000),
    )
    slot = card_slot(card, width=64, height=64)
    assert slot is not None and slot.label == "ID_A" and slot.key_frame.shape == (64, 64, 3)
    assert tuple(slot.key_frame[32, 0]) == (255, 0, 0) and tuple(slot.key_frame[32, 63]) == (0, 0, 255)
    assert slot.source.kind == "card" and slot.source.card_id == "ID_A"
    assert slot.source.start_s <= 5.0 and slot.source.end_s >= 6.0
    assert slot.audio.size == round((slot.source.end_s - slot.source.start_s) * 16000)


def test_card_slot_without_image_is_none_and_without_audio_is_silent(tmp_path: Path) -> None:
    assert card_slot(CharacterInShot(id="ID_B", name="Tom", identity="A man."), width=32, height=32) is None
    card = CharacterInShot(id="ID_B", name="Tom", identity="A man.", reference_image=save_png(tmp_path / "t.png", 9, 9))
    slot = card_slot(card, width=32, height=64, label="TOM")
    assert slot.label == "TOM" and slot.audio is None and slot.key_frame.shape == (64, 32, 3)
    empty_voice = card.model_copy(update={"reference_audio": write_wav(tmp_path / "e.wav", np.zeros(0), 16000)})
    silent = card_slot(empty_voice, width=32, height=32)
    assert silent.audio is None and silent.sample_rate is None


def test_card_slot_with_a_corrupt_image_is_an_echo_error(tmp_path: Path) -> None:
    (tmp_path / "face.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    card = CharacterInShot(id="ID_A", name="A", identity="A.", reference_image=tmp_path / "face.png")
    with pytest.raises(EchoError, match="Cannot read image"):
        card_slot(card, width=32, height=32)


def test_slots_round_trip_through_a_slots_json_file(tmp_path: Path) -> None:
    voiced, silent = event_slot(7), event_slot(9, "card", silent=True)
    path = save_slots([voiced, silent], tmp_path / "slots" / "SLOTS.json")
    slots = load_slots_json(path)
    assert [s.label for s in slots] == ["E7", "E9"] and slots[1].audio is None
    loaded = slots[0]
    np.testing.assert_array_equal(loaded.key_frame, voiced.key_frame)
    np.testing.assert_allclose(loaded.audio, voiced.audio, atol=1e-4)
    assert loaded.source == voiced.source and loaded.key == voiced.key and loaded.sample_rate == 16000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"label": "x"}', "JSON list"),
        ('[{"label": "x"}]', "needs 'label' and 'key_frame'"),
        ('[{"label": "x", "key_frame": "missing.png"}]', "Cannot read image"),
        ('[{"label": "x", "key_frame": "k.png", "source": {"kind": "alien"}}]', "invalid memory slot"),
        ('[{"label": "x", "key_frame": "k.png", "audio": "k.png"}]', "not a readable WAV"),
        (json.dumps([{"label": f"S{i}", "key_frame": "k.png"} for i in range(8)]), "at most 7"),
    ],
)
def test_bad_slots_json_is_rejected_with_a_clear_message(tmp_path: Path, content: str, message: str) -> None:
    save_png(tmp_path / "k.png", 8, 8)
    (tmp_path / "SLOTS.json").write_text(content)
    with pytest.raises(EchoError, match=message):
        load_slots_json(tmp_path / "SLOTS.json")
