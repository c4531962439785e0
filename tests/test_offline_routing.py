"""Offline routing: English and Chinese messages -> intents with typed fields, read from a ProjectBrief."""

from __future__ import annotations

from typing import Any

import pytest

from director.briefs import CardBrief, ProjectBrief, SceneBrief, ShotLine, StoryBrief
from director.offline.planner import OfflinePlanner
from director.schemas import RouteDecision, ShotEdit

MAE = CardBrief(
    char_id="ID_A",
    name="Mae",
    identity="Mae is a young female baker, slender, with a freckled oval face and long dark braids.",
    appearance="Brown eyes and a habit of squinting when thinking.",
    clothing="Wears a flour-dusted white apron over rolled shirtsleeves.",
    voice="Speaks in a clear, lively young woman's voice.",
)
HENRI = CardBrief(
    char_id="ID_B",
    name="Henri",
    identity="Henri is Mae's weathered seventy-year-old neighbour, short and sturdy, with thin silver hair.",
    appearance="Dark brown eyes and a quick crooked smile.",
    clothing="Wears a mustard-yellow raincoat and a blue scarf.",
    voice="Speaks in a gentle, slightly cracked elderly woman's voice.",
)
CAFE = SceneBrief(
    scene_id="S1",
    name="Cafe",
    location="inside the cafe",
    time_of_day="night",
    description="Inside the cafe: a small cafe with fogged windows and mismatched chairs.",
)
VILLAGE = SceneBrief(
    scene_id="S2",
    name="Village",
    location="outside the sleepy village",
    time_of_day="late afternoon",
    description="Outside the sleepy village: crooked houses around a small square with a well.",
)
SHOTS = [
    ShotLine(number=1, scene_id="S1", characters=["ID_A"], summary="Mae opens the cafe before dawn.",
             first_line="Mae: Another quiet day.", duration_s=3.88, status="approved", version=1),
    ShotLine(number=2, scene_id="S1", characters=["ID_A", "ID_B"], summary="Mae shows the compass to Henri.",
             first_line="Mae: Look what I found.", duration_s=5.16, status="generated", version=2,
             memory=["Mae (shot 1)"]),
    ShotLine(number=3, scene_id="S1", characters=["ID_A", "ID_B"], summary="Henri warns Mae about the compass.",
             first_line="Henri: Put it back.", duration_s=5.48, status="generated", version=3,
             memory=["Mae (shot 1)", "Cafe (shot 2)"]),
    ShotLine(number=4, scene_id="S2", characters=["ID_A"], summary="Mae runs across the village square.",
             duration_s=4.2, status="stale", version=1),
    ShotLine(number=5, scene_id="S2", characters=["ID_B"], summary="Henri waits by the well.",
             first_line="Henri: She will come.", duration_s=4.2, status="planned"),
    ShotLine(number=6, scene_id="S2", characters=["ID_A", "ID_B"], summary="Mae and Henri walk home together.",
             first_line="Mae: Let's go home.", duration_s=5.0, status="planned"),
]  # fmt: skip
STORY = StoryBrief(
    title="The Compass", synopsis="Mae finds a compass and her neighbour Henri helps her follow it.", version=2,
    confirmed=True,
)  # fmt: skip
PROJECT = ProjectBrief(project_id=1, story=STORY, characters=[MAE, HENRI], scenes=[CAFE, VILLAGE], shots=SHOTS)
DRAFT = ProjectBrief(project_id=2, story=STORY.model_copy(update={"confirmed": False, "version": 1}))
EMPTY = ProjectBrief(project_id=3)


def route(message: str, brief: ProjectBrief = PROJECT) -> RouteDecision:
    return OfflinePlanner().route(message, brief)


def contains(actual: Any, expected: Any) -> bool:
    """Whether `expected` is a part of `actual`: dict keys compared recursively, lists item by item."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(contains(actual.get(key), value) for key, value in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(contains, actual, expected))
    return actual == expected


@pytest.mark.parametrize(
    ("message", "intent", "fields"),
    [
        # questions: answered, nothing changes
        ("what happens in shot 4?", "question", {}),
        ("镜头4发生了什么？", "question", {}),
        ("who is Mae?", "question", {}),
        ("Mae是谁？", "question", {}),
        ("what does ID_B wear?", "question", {}),
        ("what did shot 3 remember?", "question", {}),
        ("how many shots are left?", "question", {}),
        ("could you tell me what happens in shot 2?", "question", {}),
        # history
        ("undo", "undo", {}),
        ("undo that", "undo", {}),
        ("撤销", "undo", {}),
        ("roll back shot 4 to version 1", "rollback_shot", {"shot_number": 4, "version": 1}),
        ("go back to take 1 of shot 4", "rollback_shot", {"shot_number": 4, "version": 1}),
        ("把镜头4回退到第1版", "rollback_shot", {"shot_number": 4, "version": 1}),
        ("revert shot 3", "rollback_shot", {"shot_number": 3, "version": 2}),
        # structure
        ("delete shot 4", "delete_shot", {"shot_number": 4}),
        ("remove the 4th shot", "delete_shot", {"shot_number": 4}),
        ("删除镜头4", "delete_shot", {"shot_number": 4}),
        ("can you delete shot 4?", "delete_shot", {"shot_number": 4}),
        ("delete shot 40", "delete_shot", {"shot_number": 40}),
        ("move shot 5 before shot 2", "move_shot", {"shot_number": 5, "target_number": 2}),
        ("move shot 2 after shot 5", "move_shot", {"shot_number": 2, "target_number": 5}),
        ("move shot 2 to the end", "move_shot", {"shot_number": 2, "target_number": 6}),
        ("把镜头5移到镜头2前面", "move_shot", {"shot_number": 5, "target_number": 2}),
        ("duplicate shot 3", "duplicate_shot", {"shot_number": 3}),
        ("复制镜头3", "duplicate_shot", {"shot_number": 3}),
        ("add a new shot at the end where Mae waves goodbye", "insert_shot",
         {"target_number": 7, "new_shot": {"scene": "Village", "characters": ["Mae"], "action": "Mae waves goodbye.",
                                           "duration_s": 5.0}}),
        ("insert a shot after shot 2: Henri opens the door", "insert_shot",
         {"target_number": 3,
          "new_shot": {"scene": "Cafe", "characters": ["Henri"], "action": "Henri opens the door."}}),
        ("在最后加一个镜头：Mae挥手告别", "insert_shot",
         {"target_number": 7, "new_shot": {"scene": "Village", "characters": ["Mae"], "action": "Mae挥手告别。"}}),
        # cast
        ("add a dog named Pip", "add_character", {"new_character": {"name": "Pip"}}),
        ("remove Henri", "remove_character", {"character": "Henri"}),
        ("删除角色Pip", "remove_character", {"character": "Pip"}),
        ("rename Henri to Bob", "rename_character", {"character": "Henri", "new_name": "Bob"}),
        ("call the neighbour Theo", "rename_character", {"character": "Henri", "new_name": "Theo"}),
        ("把Henri改名为Bob", "rename_character", {"character": "Henri", "new_name": "Bob"}),
        # card edits by meaning
        ("Mae should wear a red scarf from now on", "edit_card",
         {"card_edits": [{"card": "ID_A", "field": "clothing",
                          "value": "Wears a flour-dusted white apron over rolled shirtsleeves, with a red scarf."}]}),
        ("ID_B wears a red scarf", "edit_card",
         {"card_edits": [{"card": "ID_B", "field": "clothing",
                          "value": "Wears a mustard-yellow raincoat and a red scarf."}]}),
        ("让Mae穿红色围巾", "edit_card",
         {"card_edits": [{"card": "ID_A", "field": "clothing",
                          "value": "Wears a flour-dusted white apron over rolled shirtsleeves, with 红色围巾."}]}),
        ("Henri's voice should be deep and gruff, he is a man", "edit_card",
         {"card_edits": [{"card": "ID_B", "field": "voice", "value": "Speaks in a deep, gruff elderly man's voice."}]}),
        ("Mae's hair should be grey", "edit_card",
         {"card_edits": [{"card": "ID_A", "field": "identity",
                          "value": "Mae is a young female baker, slender, with a freckled oval face and grey hair."}]}),
        ("the village should be at night", "edit_card",
         {"card_edits": [{"card": "S2", "field": "time_of_day", "value": "night"}]}),
        ("Village改成黄昏", "edit_card", {"card_edits": [{"card": "S2", "field": "time_of_day", "value": "dusk"}]}),
        # one shot's fields
        ("shot 2: Henri says 'We leave at dawn.'", "edit_shot",
         {"shot_number": 2, "shot_edit": {"dialogue": [{"speaker": "Henri", "text": "We leave at dawn."}]}}),
        ('shot 2: ID_B says "We leave at dawn."', "edit_shot",
         {"shot_edit": {"dialogue": [{"speaker": "Henri", "text": "We leave at dawn."}]}}),
        ("镜头2：Henri说“我们黎明出发。”", "edit_shot",
         {"shot_number": 2, "shot_edit": {"dialogue": [{"speaker": "Henri", "text": "我们黎明出发。"}]}}),
        ("make shot 3 6 seconds long", "edit_shot", {"shot_number": 3, "shot_edit": {"duration_s": 6.0}}),
        ("把镜头3改成6秒", "edit_shot", {"shot_number": 3, "shot_edit": {"duration_s": 6.0}}),
        ("shot 3 camera: slow dolly in", "edit_shot", {"shot_number": 3, "shot_edit": {"camera": "slow dolly in"}}),
        ("shot 6 should have only Mae", "edit_shot", {"shot_number": 6, "shot_edit": {"characters": ["Mae"]}}),
        ("镜头6只有Mae", "edit_shot", {"shot_number": 6, "shot_edit": {"characters": ["Mae"]}}),
        ("remove Henri from shot 3", "edit_shot", {"shot_number": 3, "shot_edit": {"characters": ["Mae"]}}),
        ("move shot 4 to the cafe", "edit_shot", {"shot_number": 4, "shot_edit": {"scene": "Cafe"}}),
        # free feedback on a shot
        ("shot 3 feels too slow, make the light warmer", "revise_shot",
         {"shot_number": 3, "feedback": "it feels too slow, make the light warmer"}),
        ("the third shot is too dark", "revise_shot", {"shot_number": 3, "feedback": "it is too dark"}),
        ("the last shot needs rain", "revise_shot", {"shot_number": 6}),
        ("第二个镜头太暗了", "revise_shot", {"shot_number": 2}),
        ("in shot 3 she should be smiling", "revise_shot", {"shot_number": 3, "feedback": "she should be smiling"}),
        # generate, approve, export, story
        ("regenerate the stale shots", "generate", {"shot_number": None}),
        ("regenerate all shots", "generate", {}),
        ("regenerate shot 3", "generate", {"shot_number": 3}),
        ("生成", "generate", {}),
        ("continue", "generate", {}),
        ("export the film", "export", {}),
        ("导出", "export", {}),
        ("make it darker", "edit_story", {}),
        ("she is a retired pilot", "answer", {}),
        # what offline routing cannot apply
        ("rewrite the story so Mae is a spy", "cannot", {}),
        ("change Mae's personality", "cannot", {}),
        ("swap shot 2 and shot 3", "cannot", {}),
        ("make shot 3 15 seconds long", "cannot", {}),
    ],
)  # fmt: skip
def test_routing_table(message: str, intent: str, fields: dict[str, Any]) -> None:
    decision = route(message)
    assert decision.intent == intent, decision
    assert contains(decision.model_dump(), fields), decision.model_dump(exclude_defaults=True)
    if intent in ("question", "cannot"):
        assert decision.reply


@pytest.mark.parametrize(
    ("message", "brief", "intent"),
    [
        ("yes", DRAFT, "approve"),
        ("好的，继续", DRAFT, "approve"),
        ("continue", DRAFT, "approve"),
        ("make it darker", DRAFT, "edit_story"),
        ("change the ending so they become friends", DRAFT, "edit_story"),
        ("a wizard loses his spellbook", EMPTY, "new_story"),
        ("make it darker", EMPTY, "new_story"),
        ("a retired pilot", EMPTY.model_copy(update={"pending_question": "Who is the story about?"}), "answer"),
        ("MAE: Did you hear that?\nHENRI: It came from the cellar.", PROJECT, "new_story"),
    ],
)
def test_routing_follows_the_project_state(message: str, brief: ProjectBrief, intent: str) -> None:
    assert route(message, brief).intent == intent


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("what happens in shot 2?", ["Shot 2", "Cafe", "Mae and Henri", "Mae shows the compass to Henri.",
                                     "Mae: Look what I found.", "take v2"]),
        ("镜头5发生了什么？", ["Henri waits by the well.", "Henri: She will come.", "planned"]),
        ("what did shot 3 remember?", ["Mae (shot 1)", "Cafe (shot 2)", "v3"]),
        ("what did shot 5 remember?", ["not been generated"]),
        ("what happens in shot 40?", ["no shot 40", "1-6"]),
        ("who is Mae?", [MAE.identity, MAE.clothing, MAE.voice, "shots 1, 2, 3, 4 and 6"]),
        ("what does ID_B wear?", [HENRI.clothing]),
        ("who is the neighbour?", ["Henri (ID_B)", HENRI.identity]),
        ("which shots is Henri in?", ["2, 3, 5 and 6"]),
        ("what is the story about?", ["The Compass", STORY.synopsis]),
        ("how many shots are left?", ["6 shots", "1 approved", "2 generated", "1 stale", "2 planned", "Stale: 4"]),
        ("where is the village?", ["outside the sleepy village", "late afternoon", "Shots here: 4, 5 and 6"]),
    ],
)  # fmt: skip
def test_questions_are_answered_from_the_brief(message: str, expected: list[str]) -> None:
    decision = route(message)
    assert decision.intent == "question"
    assert all(part in decision.reply for part in expected), decision.reply


def test_a_question_without_a_project_says_how_to_start() -> None:
    assert "idea" in route("what is this?", EMPTY).reply


def test_cannot_says_what_and_where_instead() -> None:
    story = route("rewrite the story so Mae is a spy").reply
    assert "Story tab" in story and "ECHO_LLM_BASE_URL" in story
    card = route("change Mae's personality").reply
    assert "Mae" in card and "Cards tab" in card and "ECHO_LLM_BASE_URL" in card
    long = route("make shot 3 15 seconds long").reply
    assert "9.64" in long and "Shot inspector" in long and "ECHO_LLM_BASE_URL" not in long


def test_a_gender_change_turns_every_gendered_word_of_the_card() -> None:
    edits = {edit.field: edit.value for edit in route("Mae is a man").card_edits}
    assert edits == {
        "identity": "Mae is a young male baker, slender, with a freckled oval face and long dark braids.",
        "voice": "Speaks in a clear, lively young man's voice.",
    }
    assert route("Henri is a woman").intent == "cannot"  # the card already says so: nothing to change


def test_a_role_word_on_a_card_makes_that_card_the_one_rewritten() -> None:
    decision = route("make the neighbour a boy named Theo who plays trumpet")
    assert (decision.intent, decision.character, decision.new_name) == ("rename_character", "Henri", "Theo")
    edits = {edit.field: edit.value for edit in decision.card_edits}
    assert edits["identity"].startswith("Theo is Mae's neighbour, a boy who plays trumpet, ")
    assert "boy's voice" in edits["voice"]
    assert all(edit.card == "ID_B" for edit in decision.card_edits)


def test_a_new_role_keeps_the_cards_gender_and_voice_unless_it_states_them() -> None:
    pirate = route("make Mae a pirate")
    assert [edit.field for edit in pirate.card_edits] == ["identity"]
    assert pirate.card_edits[0].value.startswith("Mae is a female pirate, ") and not pirate.new_name
    older = {edit.field: edit.value for edit in route("make Mae an old pirate").card_edits}
    assert older["identity"].startswith("Mae is an old female pirate, ") and "elderly woman's voice" in older["voice"]


def test_a_role_nobody_has_adds_a_character() -> None:
    decision = route("make the gardener a girl named Ivy")
    assert decision.intent == "add_character" and decision.new_character is not None
    assert decision.new_character.name == "Ivy"
    assert decision.new_character.identity.startswith("Ivy is the gardener, a girl")
    assert "girl's voice" in decision.new_character.voice


def test_a_new_character_gets_a_full_card() -> None:
    card = route("add a dog named Pip").new_character
    assert card is not None and card.identity.startswith("Pip is a dog") and card.voice
    unnamed = route("add a cat").new_character
    assert unnamed is not None and unnamed.name not in ("Mae", "Henri") and "cat" in unnamed.identity
    assert route("add Mae, a baker").intent == "cannot"  # already in the cast


def test_an_inserted_line_is_dialogue_and_the_shot_fits_it() -> None:
    decision = route("add a shot after shot 5 where Henri says 'I waited for you all through the long cold night'")
    shot = decision.new_shot
    assert decision.target_number == 6 and shot is not None
    assert [(line.speaker, line.text) for line in shot.dialogue] == [
        ("Henri", "I waited for you all through the long cold night")
    ]
    assert shot.characters == ["Henri"] and shot.scene == "Village" and shot.duration_s > 5.0


def test_a_shot_cannot_have_three_characters() -> None:
    pip = CardBrief(char_id="ID_C", name="Pip", identity="Pip is a dog: a shaggy black-and-white coat.")
    trio = PROJECT.model_copy(update={"characters": [MAE, HENRI, pip]})
    assert route("add Pip to shot 4", trio).shot_edit == ShotEdit(characters=["Mae", "Pip"])
    crowded = route("add Pip to shot 2", trio)
    assert crowded.intent == "cannot" and "at most 2" in crowded.reply and "Mae, Henri, Pip" in crowded.reply


def test_scene_weather_is_written_into_the_description() -> None:
    decision = route("the cafe should be rainy")
    assert [(edit.card, edit.field, edit.value) for edit in decision.card_edits] == [
        ("S1", "description", "Inside the cafe: a small cafe with fogged windows and mismatched chairs; steady rain "
         "falling outside.")
    ]  # fmt: skip
