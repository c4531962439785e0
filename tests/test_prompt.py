"""The caption renderer: the contract's order and sentence forms, anchors, ids, declarations, languages, limits,
request building."""

from __future__ import annotations

import re

import pytest

from generator.errors import EchoError
from generator.prompt import (
    MAX_PROMPT_CHARS,
    PromptTooLong,
    ShotCondition,
    anchor_sentences,
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


def test_sections_come_in_the_caption_contract_order() -> None:
    prompt = render_prompt(condition(music="a slow melancholic piano"))
    markers = [
        "ID_A is a woman in her thirties",  # each character's block: identity, appearance, clothing, voice
        "She has tired grey eyes.",
        "ID_A wears a long red raincoat",
        "ID_A's voice is a warm, low alto voice",
        "ID_B is a tall, thin old man",
        "ID_B wears a brown corduroy jacket.",
        "ID_B's voice is a soft, raspy baritone.",
        "Lip movements are precisely synchronized",  # the lip-sync note of a speaking shot
        "At normal speed, ID_A hands ID_B",  # the action
        'In a calm tone, ID_A says, "Take it, it\'s pouring."',  # each line
        'In a calm tone, ID_B says, "Thanks."',
        "The visual style is cinematic live action",  # style
        "The camera uses a slow dolly in",  # camera
        "A rain-soaked neon street",  # background
        "Sound effects include heavy rain on pavement",  # sound effects
        "The background music is a slow melancholic piano.",  # music
        "Only the written spoken dialogue is voiced; no additional human vocalizations are audible.",
        "No OCR or readable text appears anywhere in the frame.",
    ]
    positions = [prompt.index(marker) for marker in markers]
    assert positions == sorted(positions)
    assert "\n" not in prompt and len(prompt) <= MAX_PROMPT_CHARS
    assert not re.search(r"(Style|Camera|Background|Voice|ID_A|Sound effects|Background music):", prompt)


def test_anchor_sentences_are_the_same_in_every_shot_and_voice_only_for_speakers() -> None:
    first = render_prompt(condition())
    second = render_prompt(condition(characters=[TOM, MARA], action="They walk away.", dialogue=[], camera="Static"))
    for prompt in (first, second):
        assert missing_anchors(prompt, [MARA, TOM]) == []
        for text in anchor_sentences(MARA, speaks=False) + anchor_sentences(TOM, speaks=False):
            assert text in prompt
    assert "ID_A's voice is" in first and "'s voice is" not in second
    assert "No character speaks in this shot." in second and "Lip movements" not in second
    only_mara = render_prompt(condition(dialogue=[DialogueLine(speaker="ID_A", text="Here.")]))
    assert "ID_A's voice is" in only_mara and "ID_B's voice is" not in only_mara


def test_missing_anchors_names_each_sentence_not_present() -> None:
    prompt = render_prompt(condition()).replace("long red raincoat", "blue coat")
    assert missing_anchors(prompt, [MARA, TOM]) == ["ID_A wears a long red raincoat over a grey wool sweater."]
    assert missing_anchors("nothing here", [TOM]) == anchor_sentences(TOM, speaks=False)


def test_card_sentences_in_any_common_shape_become_the_official_anchor_forms() -> None:
    ana = CharacterInShot(
        id="ID_A",
        name="Ana",
        identity="Ana, a baker in her forties, round-faced with short grey hair.",
        clothing="Wears a flour-dusted white apron.",
        voice="Speaks in a bright, quick alto.",
    )
    assert anchor_sentences(ana) == [
        "ID_A is a baker in her forties, round-faced with short grey hair.",
        "ID_A wears a flour-dusted white apron.",
        "ID_A's voice is a bright, quick alto.",
    ]
    ana_is = ana.model_copy(update={"identity": "Ana is a baker.", "voice": "Ana's voice is a bright alto."})
    assert anchor_sentences(ana_is)[0] == "ID_A is a baker." and anchor_sentences(ana_is)[2].count("voice is") == 1


def test_names_become_ids_outside_quotes_and_actions_start_at_normal_speed() -> None:
    prompt = render_prompt(condition(action='The door opens and Mara whispers "Tom?" to Tom.'))
    assert 'At normal speed, the door opens and ID_A whispers "Tom?" to ID_B.' in prompt
    assert "Mara" not in prompt
    again = render_prompt(condition(action="At normal speed, Tom sits down."))
    assert "At normal speed, ID_B sits down." in again and "At normal speed, At" not in again


def test_names_become_ids_in_every_field_and_in_the_anchors() -> None:
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
        "ID_C is a tall man.",
        "At normal speed, ID_C nods.",
        "The visual style is soft light on ID_A.",
        "The camera uses a slow push in on ID_A.",
        "ID_C's cluttered workshop.",
        "Sound effects include ID_A's footsteps.",
        "The background music is a theme for ID_C.",
    ):
        assert text in prompt
    assert "Tom Hale" not in prompt and "Mara" not in prompt


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
    for text in ("ID_A leaves", "tomography-style", "Tomb of Maravilla", "atom clock", "tomtom drums"):
        assert text in prompt


def test_there_is_always_an_explicit_music_statement() -> None:
    for music in ("", "none", "No music.", "  "):
        assert "No prominent background music." in render_prompt(condition(music=music))
    assert "Upbeat jazz music plays." in render_prompt(condition(music="Upbeat jazz music plays."))


def test_a_line_says_how_it_is_delivered() -> None:
    lines = [
        DialogueLine(speaker="ID_A", text="Are you coming?"),
        DialogueLine(speaker="ID_B", text="Now!", delivery="an urgent whisper"),
    ]
    prompt = render_prompt(condition(dialogue=lines))
    assert 'In a curious tone, ID_A says, "Are you coming?"' in prompt
    assert 'In an urgent whisper, ID_B says, "Now!"' in prompt


def test_shot_without_people_says_so_and_declares_its_silence() -> None:
    prompt = render_prompt(ShotCondition(background="An empty beach at dawn.", camera="Static wide shot"))
    assert prompt.startswith("No people appear in this shot. The camera uses a static wide shot.")
    assert prompt.endswith(
        "No prominent background music. No character speaks in this shot. Only environmental ambience is audible; "
        "no human vocal sounds are present. No OCR or readable text appears anywhere in the frame."
    )


def test_whitespace_is_collapsed_into_one_paragraph_and_quotes_in_speech_are_safe() -> None:
    prompt = render_prompt(
        condition(action="Mara\nlooks   up.", dialogue=[DialogueLine(speaker="ID_A", text='Say "hi"')])
    )
    assert "At normal speed, ID_A looks up." in prompt and "ID_A says, \"Say 'hi'\"" in prompt


def test_a_chinese_story_written_in_chinese_gets_a_fully_chinese_caption() -> None:
    mei = CharacterInShot(
        id="ID_A", name="小美", identity="小美是一位三十岁的女面包师，圆脸，黑色短发。", clothing="沾满面粉的白围裙",
        voice="温暖清亮的成年女声，语速平稳",
    )  # fmt: skip
    chinese = ShotCondition(
        characters=[mei],
        action="小美在黎明时分揉面团。",
        dialogue=[DialogueLine(speaker="ID_A", text="面包快好了！"), DialogueLine(speaker="ID_A", text="尝尝吧")],
        style="温暖的自然光",
        camera="缓慢推近的中景",
        background="小面包店，清晨",
        sound_effects="烤箱门吱呀作响",
        music="",
        language="zh",
        duration_s=5.0,
    )
    prompt = render_prompt(chinese)
    assert prompt.startswith(
        "ID_A是一位三十岁的女面包师，圆脸，黑色短发。ID_A穿着沾满面粉的白围裙。ID_A的声音是温暖清亮"
    )
    assert "以正常速度，ID_A在黎明时分揉面团。" in prompt
    assert "ID_A激动地说：“面包快好了！”ID_A平静地说：“尝尝吧。”" in prompt
    assert "没有明显的背景音乐。" in prompt and prompt.endswith("画面中任何位置都没有可读的文字。")
    assert "小美" not in prompt and not re.search("[A-Za-z]{3,}", prompt.replace("ID_", ""))
    english_prose = chinese.model_copy(update={"characters": [mei.model_copy(update={"clothing": "a white apron"})]})
    with pytest.raises(EchoError, match=r"every field is written in Chinese; these are not: ID_A clothing"):
        render_prompt(english_prose)


def test_an_english_caption_keeps_chinese_dialogue_in_the_story_language() -> None:
    prompt = render_prompt(condition(dialogue=[DialogueLine(speaker="ID_A", text="拿着吧")], language="zh"))
    assert 'ID_A says, "拿着吧。"' in prompt and "At normal speed, ID_A hands ID_B" in prompt


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
    long_action = "Mara paces back and forth, checking the window. " * 40
    with pytest.raises(PromptTooLong) as caught:
        render_prompt(condition(action=long_action))
    message = str(caught.value)
    length = int(message.split("prompt is ")[1].split(" characters")[0])
    assert length > MAX_PROMPT_CHARS
    assert f"{length - MAX_PROMPT_CHARS} over the {MAX_PROMPT_CHARS}-character limit" in message
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
