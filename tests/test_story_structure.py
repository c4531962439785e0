"""Offline story drafts carry their cast, places and beats as structure: written from ideas and screenplays, read by
the shot planner (old stories with `Cast:` lines still plan), and edited by story feedback."""

from __future__ import annotations

import re

import pytest

from director.offline.planner import OfflinePlanner
from director.offline.screenplay import parse_screenplay, story_from_screenplay
from director.offline.story import write_story_from_idea
from director.offline.story_edits import apply_story_feedback
from director.offline.story_shots import plan_from_story
from director.schemas import CastEntry, StoryDraft
from generator.errors import EchoError

MACHINE_LINE = re.compile(r"^(?:Cast|Places|Time|Weather):", re.MULTILINE)
SCREENPLAY = """Title: The Night Shift

INT. HOSPITAL WARD - NIGHT

Rain streaks the windows. NORA (30), a tired nurse in blue scrubs, checks a chart.

NORA
Bed four is awake again.

OSCAR, an old porter, wheels in a trolley.

OSCAR: Tea first. Then miracles.

EXT. HOSPITAL ROOFTOP - DAWN

NORA: We made it through another one.
OSCAR: We always do.
"""
ZH_SCREENPLAY = """内景 面包店 - 清晨

小美，一个年轻的面包师，揉着面团。

小美：今天的第一炉面包。
阿福：闻起来真香！
"""
LEGACY = StoryDraft(
    title="Zoe and Bolt",
    description=(
        "Zoe chases Bolt through the streets. In the end, Zoe catches up with Bolt at last and learns the truth. "
        "The mood is warm and hopeful.\n"
        "Cast: Zoe, a teenage girl in a red raincoat; Bolt, a robot.\nPlaces: rainy city.\nTime: night.\n"
        "Weather: rain."
    ),
    style="Warm painterly cinematic look, soft golden light, gentle pastel colours, 35 mm lens.",
)


def texts(draft: StoryDraft) -> str:
    people = [text for entry in draft.cast for text in (entry.name, entry.description)]
    return "\n".join([draft.title, draft.description, *people, *draft.places, *draft.beats])


@pytest.mark.parametrize(
    ("idea", "people"),
    [
        ("Mira, a shy witch, and her black cat Pip open a bakery in a sleepy village",
         {"Mira": "shy", "Pip": "black cat"}),
        ("Detective Ada Stone and her partner Jack hunt a jewel thief through a noir city at midnight, "
         "with Ada's rival Vera", {"Ada Stone": "detective", "Jack": "partner", "Vera": "rival"}),
        ("Two brothers, Leo and Sam, build a raft to cross the river", {"Leo": "brother", "Sam": "brother"}),
        ("一位名叫林晓的女孩和老爷爷在海边放风筝", {"林晓": "女孩"}),
        ("小美和她的猫在雨夜的森林里寻找丢失的钥匙", {"小美": ""}),
    ],
)  # fmt: skip
def test_an_idea_gives_a_cast_places_and_beats_beside_the_prose(idea: str, people: dict[str, str]) -> None:
    draft = write_story_from_idea(idea)
    cast = {entry.name: entry.description for entry in draft.cast}
    for name, fact in people.items():
        assert fact in cast[name], (name, cast)
    assert len(draft.cast) >= 2 and draft.places and len(draft.beats) >= 2  # the idea's events, then the end
    assert not MACHINE_LINE.search(draft.description) and "\n" not in draft.description
    positions = [draft.description.index(beat) for beat in draft.beats]
    assert positions == sorted(positions)  # the beats are the prose's events, in order
    assert draft.beats[-1].startswith(("In the end, ", "最后，"))


@pytest.mark.parametrize(
    ("idea", "places", "scene", "time", "sound"),
    [
        ("A teenage girl called Zoe in a red raincoat chases a robot through a rainy city at night",
         ["rainy city, at night, in the rain"], "City", "night", "rain"),
        ("An old fisherman named Tomas teaches his granddaughter to sail in the early morning",
         ["harbour, in the early morning"], "Harbour", "early morning", "water"),
        ("一位年轻的女侦探在上海的雨夜追查一只会说话的猫", ["上海，夜晚，雨中"], "上海", "夜晚", "雨"),
    ],
)  # fmt: skip
def test_time_and_weather_the_idea_states_are_part_of_its_places(
    idea: str, places: list[str], scene: str, time: str, sound: str
) -> None:
    draft = write_story_from_idea(idea)
    assert draft.places == places
    plan = plan_from_story(draft, 6)
    assert [(spec.name, spec.time_of_day) for spec in plan.scenes] == [(scene, time)]
    assert all(sound in shot.sound_effects.lower() for shot in plan.shots)


def test_the_plan_follows_the_cast_and_places_lists_over_the_prose() -> None:
    draft = write_story_from_idea("A young wizard explores a haunted castle library and befriends a ghost")
    edited = draft.model_copy(
        update={
            "cast": [CastEntry(name="Mae", description="an old fisherman"), *draft.cast[1:]],
            "places": ["harbour, at dawn, in the fog", "the lighthouse at dusk"],
        }
    )
    plan = plan_from_story(edited, 6)
    mae = next(card for card in plan.characters if card.name == "Mae")
    assert "old fisherman" in mae.identity and draft.cast[0].name not in {card.name for card in plan.characters}
    assert [(scene.name, scene.time_of_day) for scene in plan.scenes] == [("Harbour", "dawn"), ("Lighthouse", "dusk")]
    assert "fog" in plan.scenes[0].description and "fog" not in plan.scenes[1].description


def test_a_pasted_screenplay_lists_its_characters_places_and_events() -> None:
    screenplay = parse_screenplay(SCREENPLAY)
    assert screenplay is not None
    draft = story_from_screenplay(SCREENPLAY, screenplay)
    assert [entry.name for entry in draft.cast] == ["Nora", "Oscar"]
    assert "tired nurse in blue scrubs" in draft.cast[0].description and "old porter" in draft.cast[1].description
    assert draft.places == ["hospital ward, night", "hospital rooftop, dawn"]
    assert draft.beats == [
        "Rain streaks the windows. NORA (30), a tired nurse in blue scrubs, checks a chart.",
        "OSCAR, an old porter, wheels in a trolley.",
        "Nora: We made it through another one.",  # a scene of dialogue only is told by its first line
    ]
    assert draft.screenplay == SCREENPLAY and draft.title == "The Night Shift"
    assert not MACHINE_LINE.search(draft.description)


def test_a_chinese_screenplay_lists_its_characters_places_and_events() -> None:
    screenplay = parse_screenplay(ZH_SCREENPLAY)
    assert screenplay is not None
    draft = story_from_screenplay(ZH_SCREENPLAY, screenplay)
    assert draft.language == "zh"
    assert [entry.name for entry in draft.cast] == ["小美", "阿福"]
    assert draft.places == ["面包店，清晨"]
    assert draft.beats == ["小美，一个年轻的面包师，揉着面团。"]


def test_a_story_saved_with_cast_lines_still_plans_from_them() -> None:
    plan = plan_from_story(LEGACY, 6)
    cards = {card.name: card for card in plan.characters}
    assert set(cards) == {"Zoe", "Bolt"}
    assert "teenage girl" in cards["Zoe"].identity and "red raincoat" in cards["Zoe"].clothing
    assert [(scene.name, scene.time_of_day) for scene in plan.scenes] == [("City", "night")]
    assert "rainy city" in plan.scenes[0].location and "rain" in plan.scenes[0].description
    assert all("rain" in shot.sound_effects.lower() for shot in plan.shots)


def test_lines_and_lists_plan_the_same_people_and_places() -> None:
    structured = LEGACY.model_copy(
        update={
            "description": LEGACY.description.split("\nCast:")[0],
            "cast": [CastEntry(name="Zoe", description="a teenage girl in a red raincoat"),
                     CastEntry(name="Bolt", description="a robot")],
            "places": ["rainy city, at night, in the rain"],
        }
    )  # fmt: skip
    old, new = (plan_from_story(draft, 6) for draft in (LEGACY, structured))
    assert old.scenes == new.scenes
    assert [(card.name, card.clothing, card.voice) for card in old.characters] == [
        (card.name, card.clothing, card.voice) for card in new.characters
    ]


@pytest.mark.parametrize(
    "feedback",
    ["rename Felix to Mae", "call Felix Mae", "把Felix改名为Mae", "Rename felix to Mae.", "call the baker Mae",
     "Felix sounds wrong, so rename Felix to Mae"],
)  # fmt: skip
def test_a_rename_changes_the_cast_the_prose_and_the_beats(feedback: str) -> None:
    draft = write_story_from_idea("Felix, a young baker, and his cat Pip open a bakery in a sleepy village")
    renamed = apply_story_feedback(draft, feedback)
    assert renamed.cast == [CastEntry(name="Mae", description="a young baker"),
                            CastEntry(name="Pip", description="Mae's cat")]  # fmt: skip
    assert "Felix" not in texts(renamed)
    assert renamed.description == draft.description.replace("Felix", "Mae")
    assert renamed.beats == [beat.replace("Felix", "Mae") for beat in draft.beats]
    assert "Mae" in {card.name for card in plan_from_story(renamed, 4).characters}


def test_a_two_word_name_and_a_chinese_role_are_renamed() -> None:
    draft = write_story_from_idea("Felix, a young baker, and his cat Pip open a bakery in a sleepy village")
    assert apply_story_feedback(draft, "name the young baker Mae Lin").cast[0].name == "Mae Lin"
    chinese = write_story_from_idea("一位年轻的女侦探在上海的雨夜追查一只会说话的猫")
    renamed = apply_story_feedback(chinese, "把猫改名为咪咪")
    assert renamed.cast[1].name == "咪咪" and renamed.cast[0] == chinese.cast[0]
    assert "咪咪" in renamed.description and chinese.cast[1].name not in texts(renamed)


def test_renaming_an_old_story_rewrites_its_cast_line() -> None:
    renamed = apply_story_feedback(LEGACY, "rename Zoe to Mae")
    assert "Cast: Mae, a teenage girl" in renamed.description and "Zoe" not in renamed.description
    assert {card.name for card in plan_from_story(renamed, 4).characters} == {"Mae", "Bolt"}


def test_renaming_someone_not_in_the_story_is_refused() -> None:
    draft = write_story_from_idea("Felix, a young baker, and his cat Pip open a bakery in a sleepy village")
    with pytest.raises(EchoError, match=r"no character matching 'astronaut'.*Felix, Pip"):
        apply_story_feedback(draft, "call the astronaut Zed")


@pytest.mark.parametrize(
    "feedback",
    ["add a dragon who breathes fire", "I don't like the middle part", "the ending is too long", "加一条狗",
     "please make it better"],
)  # fmt: skip
@pytest.mark.parametrize("which", ["new", "legacy"])
def test_feedback_no_edit_recognises_leaves_the_draft_unchanged(feedback: str, which: str) -> None:
    draft = write_story_from_idea("Felix, a young baker, and his cat Pip open a bakery") if which == "new" else LEGACY
    assert apply_story_feedback(draft, feedback) == draft


def test_recognised_edits_keep_the_structure_in_step() -> None:
    draft = write_story_from_idea("Felix, a young baker, and his cat Pip open a bakery in a sleepy village")
    ending = apply_story_feedback(draft, "change the ending to Felix sells the bakery")
    assert ending.beats == [*draft.beats[:-1], "In the end, Felix sells the bakery."]
    assert ending.description.count("In the end, ") == 1 and "In the end, Felix sells the bakery." in ending.description
    darker = apply_story_feedback(draft, "make it darker")
    assert darker.style != draft.style and "The mood is dark" in darker.description
    assert (darker.cast, darker.places, darker.beats) == (draft.cast, draft.places, draft.beats)
    moved = apply_story_feedback(draft, 'replace "sleepy village" with "busy harbour"')
    assert moved.places == ["bakery", "busy harbour"] and "busy harbour" in moved.description
    assert [scene.name for scene in plan_from_story(moved, 6).scenes] == ["Bakery", "Harbour"]
    assert apply_story_feedback(draft, 'call it "Flour"').title == "Flour"
    both = apply_story_feedback(draft, "make it darker and call Felix Mae")
    assert both.style == darker.style and both.cast[0].name == "Mae" and "Felix" not in texts(both)
    baby = apply_story_feedback(draft, "change the ending to they name the baby Rose")
    assert baby.beats[-1] == "In the end, they name the baby Rose." and baby.cast == draft.cast


def test_a_replaced_story_drops_the_old_lists_and_plans_from_the_new_text() -> None:
    draft = write_story_from_idea("Felix, a young baker, and his cat Pip open a bakery in a sleepy village")
    replaced = apply_story_feedback(draft, "new story: A lighthouse keeper named Ivo and his dog watch a storm.")
    assert replaced.description == "A lighthouse keeper named Ivo and his dog watch a storm."
    assert (replaced.cast, replaced.places, replaced.beats) == ([], [], [])
    plan = plan_from_story(replaced, 4)
    assert "Ivo" in {card.name for card in plan.characters} and plan.scenes[0].name == "Lighthouse"
    assert "thunder" in plan.shots[0].sound_effects.lower()


def test_the_story_says_what_it_could_not_place() -> None:
    """Honest limits: an idea naming nobody gets a lead, and the creator is told; a long idea's events that are not
    beats are listed; an ordinary idea has no notes."""
    planner = OfflinePlanner()
    nameless = planner.write_story("zorblax quantum flurble in the gizmo")
    assert "zorblax" in nameless.description.casefold()  # the idea is quoted, not replaced
    assert len(nameless.notes) == 1 and nameless.cast[0].name in nameless.notes[0]
    events = [f"Mae plays drum pattern number {n} for Theo." for n in range(1, 15)]
    long = planner.write_story(" ".join(events))
    left_out = [event.rstrip(".") for event in events if not any(event.rstrip(".") in beat for beat in long.beats)]
    assert left_out and all(event in long.notes[0] for event in left_out)
    assert planner.write_story("Mae teaches her neighbour Theo to play the drums").notes == []
