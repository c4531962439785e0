"""The training-aligned prompt: section order, verbatim anchors, ids, music statement, limits, request building."""

from __future__ import annotations

import pytest

from generator.errors import EchoError
from generator.prompt import (
    MAX_PROMPT_CHARS,
    PromptTooLong,
    ShotCondition,
    build_request,
    missing_anchors,
    render_prompt,
)
from generator.types import CharacterInShot, DialogueLine, SceneInShot

MARA = CharacterInShot(
    id="ID_A",
    name="Mara",
    identity="A woman in her thirties with short black hair and a thin scar over her left eyebrow",
    appearance="She has tired grey eyes.",
    clothing="She wears a long red raincoat over a grey wool sweater.",
    voice="a warm, low alto voice with a slight rasp",
)
TOM = CharacterInShot(
    id="ID_B",
    name="Tom",
    identity="A tall, thin old man with a white beard.",
    clothing="He wears a brown corduroy jacket.",
    voice="A soft, raspy baritone.",
)


def condition(**changes: object) -> ShotCondition:
    base = ShotCondition(
        characters=[MARA, TOM],
        action="Mara hands Tom a black umbrella under the awning.",
        dialogue=[
            DialogueLine(speaker="ID_A", text="Take it, it's pouring"),
            DialogueLine(speaker="ID_B", text="Thanks."),
        ],
        style="Cinematic live action, muted teal and orange grade",
        camera="Slow dolly in from a medium shot to a close-up",
        background="A rain-soaked neon street at night, puddles reflecting pink signs",
        sound_effects="Heavy rain on pavement, distant traffic",
        music="",
    )
    return base.model_copy(update=changes)


def test_sections_come_in_the_training_order() -> None:
    prompt = render_prompt(condition(music="a slow melancholic piano"))
    markers = [
        "ID_A: A woman in her thirties",  # Roles & Subjects
        "ID_B: A tall, thin old man",
        "At normal speed, ID_A hands ID_B",  # Action & Dialogue
        'ID_A says, "Take it, it\'s pouring."',
        'ID_B says, "Thanks."',
        "Style: Cinematic live action",  # Style
        "Camera: Slow dolly in",  # Camera movement
        "Background: A rain-soaked neon street",  # Background
        "Sound effects: Heavy rain on pavement",  # Sound effects & BGM
        "Background music: a slow melancholic piano.",
    ]
    positions = [prompt.index(marker) for marker in markers]
    assert positions == sorted(positions)
    assert "\n" not in prompt and len(prompt) <= MAX_PROMPT_CHARS


def test_card_sentences_are_repeated_verbatim_in_every_shot() -> None:
    first = render_prompt(condition())
    second = render_prompt(condition(characters=[TOM, MARA], action="They walk away.", dialogue=[], camera="Static"))
    for prompt in (first, second):
        assert missing_anchors(prompt, [MARA, TOM]) == []
        for text in (MARA.identity, MARA.appearance, MARA.clothing, MARA.voice, TOM.identity, TOM.voice):
            assert text in prompt


def test_missing_anchors_names_each_sentence_not_present() -> None:
    prompt = render_prompt(condition()).replace("long red raincoat", "blue coat")
    assert missing_anchors(prompt, [MARA, TOM]) == [MARA.clothing]
    assert missing_anchors("nothing here", [TOM]) == [TOM.identity, TOM.clothing, TOM.voice]


def test_names_become_ids_outside_quotes_and_actions_start_at_normal_speed() -> None:
    prompt = render_prompt(condition(action='The door opens and Mara whispers "Tom?" to Tom.'))
    assert 'At normal speed, the door opens and ID_A whispers "Tom?" to ID_B.' in prompt
    assert "Mara" not in prompt
    again = render_prompt(condition(action="At normal speed, Tom sits down."))
    assert "At normal speed, ID_B sits down." in again and "At normal speed, At" not in again


def test_names_become_ids_in_every_field_but_the_card_sentences() -> None:
    tomas = CharacterInShot(id="ID_C", name="Tom Hale", identity="Tom Hale is a tall man.")
    prompt = render_prompt(
        condition(
            characters=[MARA, tomas],
            action="Tom Hale nods.",
            dialogue=[],
            style="Soft light on Mara",
            camera="Slow push in on Mara",
            background="Tom Hale's cluttered  workshop",
            sound_effects="Mara's footsteps",
            music="A theme for Tom Hale",
        )
    )
    for text in (
        "ID_C: Tom Hale is a tall man.",  # the anchor sentence keeps the name
        "At normal speed, ID_C nods.",
        "Style: Soft light on ID_A.",
        "Camera: Slow push in on ID_A.",
        "Background: ID_C's cluttered workshop.",
        "Sound effects: ID_A's footsteps.",
        "Background music: A theme for ID_C.",
    ):
        assert text in prompt
    assert prompt.count("Tom Hale") == 1 and "Mara" not in prompt


def test_a_longer_name_is_replaced_before_a_name_inside_it() -> None:
    old_tom = CharacterInShot(id="ID_A", name="Old Tom", identity="A fisherman.")
    prompt = render_prompt(condition(characters=[TOM, old_tom], action="Old Tom waves at Tom.", dialogue=[]))
    assert "At normal speed, ID_A waves at ID_B." in prompt


def test_a_name_inside_another_word_is_left_alone() -> None:
    prompt = render_prompt(
        condition(
            action="Tomorrow Mara leaves.",
            camera="Tomography-style slow scan",
            background="The Tomb of Maravilla",
            sound_effects="Atom clock ticking",
            music="Tomtom drums",
        )
    )
    for text in ("ID_A leaves", "Tomography-style", "Tomb of Maravilla", "Atom clock", "Tomtom drums"):
        assert text in prompt


def test_there_is_always_an_explicit_music_statement() -> None:
    for music in ("", "none", "No music.", "  "):
        assert render_prompt(condition(music=music)).endswith("No background music.")
    assert render_prompt(condition(music="Upbeat jazz music plays.")).endswith("Upbeat jazz music plays.")


def test_shot_without_people_says_so() -> None:
    prompt = render_prompt(ShotCondition(background="An empty beach at dawn.", camera="Static wide shot"))
    assert prompt.startswith("No people appear in this shot. Camera: Static wide shot.")
    assert prompt.endswith("No background music.")


def test_whitespace_is_collapsed_into_one_paragraph_and_quotes_in_speech_are_safe() -> None:
    prompt = render_prompt(
        condition(action="Mara\nlooks   up.", dialogue=[DialogueLine(speaker="ID_A", text='Say "hi"')])
    )
    assert "At normal speed, ID_A looks up." in prompt and "ID_A says, \"Say 'hi'\"" in prompt


def test_three_characters_are_rejected() -> None:
    third = CharacterInShot(id="ID_C", name="Lia", identity="A girl.")
    with pytest.raises(EchoError, match=r"at most 2 characters; this one has 3 \(ID_A, ID_B, ID_C\)"):
        render_prompt(condition(characters=[MARA, TOM, third]))


def test_unknown_speaker_and_empty_shot_are_rejected() -> None:
    with pytest.raises(EchoError, match="speaker 'ID_C' is not in this shot; valid speakers: ID_A, ID_B"):
        render_prompt(condition(dialogue=[DialogueLine(speaker="ID_C", text="Hi")]))
    with pytest.raises(EchoError, match="shot is empty"):
        render_prompt(ShotCondition(style="noir", music="piano"))


def test_over_long_prompt_is_rejected_naming_the_longest_parts() -> None:
    long_action = "Mara paces back and forth, checking the window. " * 25
    with pytest.raises(PromptTooLong) as caught:
        render_prompt(condition(action=long_action))
    message = str(caught.value)
    length = int(message.split("prompt is ")[1].split(" characters")[0])
    assert length > MAX_PROMPT_CHARS
    assert f"{length - MAX_PROMPT_CHARS} over the 1500-character limit" in message
    assert f"Longest parts: action ({len(long_action.strip())} chars), ID_A identity (card)" in message
    assert isinstance(caught.value, EchoError)


def test_over_long_card_is_reported_as_a_card_problem() -> None:
    wordy = MARA.model_copy(update={"clothing": "She wears " + "an elaborate layered outfit, " * 60})
    with pytest.raises(PromptTooLong, match=r"Longest parts: ID_A clothing \(card\)"):
        render_prompt(condition(characters=[wordy, TOM]))


def test_build_request_carries_prompt_and_structured_fields() -> None:
    scene = SceneInShot(id="S1", name="Street", description="Night street")
    request = build_request(condition(), num_frames=121, width=640, height=384, seed=5, scene=scene, language="en")
    assert request.prompt == render_prompt(condition())
    assert [c.id for c in request.characters] == ["ID_A", "ID_B"]
    assert request.dialogue[0].text == "Take it, it's pouring" and request.scene == scene and request.seed == 5


def test_build_request_reports_bad_geometry_as_an_echo_error() -> None:
    with pytest.raises(EchoError, match=r"num_frames.*1\+8k"):
        build_request(condition(), num_frames=100, width=640, height=384, seed=0, scene=SceneInShot())
    with pytest.raises(EchoError, match=r"width.*multiple of 32"):
        build_request(condition(), num_frames=121, width=650, height=384, seed=0, scene=SceneInShot())
