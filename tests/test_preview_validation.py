"""Bad shot requests fail with a message naming the field and the valid values, and write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from preview_helpers import MARA, TOM, shot_request
from pydantic import ValidationError

from generator.preview.renderer import MAX_LINE_CHARS, PreviewGenerator
from generator.request_file import describe_validation_error
from generator.types import CharacterInShot, DialogueLine, GeneratorError


@pytest.mark.parametrize(
    ("overrides", "field", "valid"),
    [
        ({"num_frames": 30}, "num_frames", "25, 33, 41"),
        ({"num_frames": 249}, "num_frames", "233, 241"),
        ({"width": 650}, "width", "multiple of 32"),
        ({"height": 0}, "height", "multiple of 32"),
        ({"dialogue": [DialogueLine(speaker="ID_C", text="Hi")]}, "dialogue.speaker", "['ID_A', 'ID_B']"),
        ({"dialogue": [{"speaker": "ID_A", "text": ""}]}, "dialogue.0.text", "at least 1 character"),
        ({"prompt": "  "}, "prompt", "must not be empty"),
    ],
)
def test_invalid_requests_name_the_field_and_valid_values(overrides: dict, field: str, valid: str) -> None:
    with pytest.raises(ValidationError) as caught:
        shot_request(**overrides)
    message = describe_validation_error(caught.value)
    assert field in message and valid in message


@pytest.mark.parametrize(
    ("dialogue", "expected"),
    [
        ([DialogueLine(speaker="ID_A", text="   ")], r"dialogue\[0\]\.text: the line for ID_A is empty; valid values"),
        (
            [DialogueLine(speaker="ID_A", text="Hi."), DialogueLine(speaker="ID_B", text="x" * (MAX_LINE_CHARS + 1))],
            rf"dialogue\[1\]\.text: {MAX_LINE_CHARS + 1} characters .* valid values: 1 to {MAX_LINE_CHARS}",
        ),
    ],
)
def test_unspeakable_lines_fail_before_any_file_is_written(tmp_path: Path, dialogue: list, expected: str) -> None:
    out_dir = tmp_path / "out"
    with pytest.raises(GeneratorError, match=expected):
        PreviewGenerator().generate(shot_request(dialogue=dialogue), [], out_dir=out_dir)
    assert not out_dir.exists()


def test_unreadable_reference_image_names_the_character(tmp_path: Path) -> None:
    broken = tmp_path / "face.png"
    broken.write_bytes(b"\x89PNG but not really")
    card = MARA.model_copy(update={"reference_image": broken})
    out_dir = tmp_path / "out"
    with pytest.raises(GeneratorError, match=r"ID_A \(Mara\) reference_image"):
        PreviewGenerator().generate(shot_request(characters=[card, TOM]), [], out_dir=out_dir)
    assert not out_dir.exists()


def test_missing_first_frame_and_unknown_language_fail_cleanly(tmp_path: Path) -> None:
    generator = PreviewGenerator()
    out_dir = tmp_path / "out"
    with pytest.raises(GeneratorError, match="first_frame"):
        generator.generate(shot_request(first_frame=tmp_path / "missing.png"), [], out_dir=out_dir)
    with pytest.raises(GeneratorError, match="no voice"):
        generator.generate(shot_request(language="xx-nowhere"), [], out_dir=out_dir)
    assert not out_dir.exists()


def test_a_shot_without_characters_or_dialogue_still_renders(tmp_path: Path) -> None:
    shot = PreviewGenerator().generate(
        shot_request(characters=[], dialogue=[], num_frames=25, sound_effects="rain", music="calm piano"),
        [],
        out_dir=tmp_path / "out",
    )
    assert shot.dialogue_timings == [] and shot.speech_fits
    assert shot.metadata["ambience"] == ["rain"] and "plucked" in shot.metadata["music"]
    assert float(abs(shot.audio).max()) > 0.01


def test_three_characters_are_refused() -> None:
    third = CharacterInShot(id="ID_C", name="Zoe", identity="a woman")
    with pytest.raises(ValidationError, match="at most 2 per shot"):
        shot_request(characters=[MARA, MARA.model_copy(update={"id": "ID_B"}), third], dialogue=[])
