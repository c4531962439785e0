"""The offline planner: complete, valid plans from one-line ideas, faithful screenplays, routing, revisions."""

from __future__ import annotations

import re

import pytest

from director.briefs import (
    CardBrief,
    LineBrief,
    ProjectBrief,
    SceneBrief,
    ShotBrief,
    ShotLine,
    StoryBrief,
    TakeBrief,
)
from director.offline.planner import OfflinePlanner
from director.offline.timing import speech_seconds
from director.schemas import (
    CharacterSpec,
    CritiqueVerdict,
    DialogueSpec,
    PromptOverflow,
    RevisionDiagnosis,
    ShotEdit,
    ShotPlanDraft,
    ShotSpec,
    StoryDraft,
)
from generator.errors import EchoError
from generator.prompt import compose_prompt
from generator.types import FPS, check_frame_count

IDEAS = [
    "A lighthouse keeper finds a message in a bottle",
    "a wizard loses his spellbook in the castle library",
    "Mira and her robot explore a desert to find a fallen star",
    "一个小女孩在森林里发现了一只受伤的龙",
]
SCREENPLAY = """Title: The Last Page

INT. CASTLE LIBRARY - NIGHT

Candles gutter between towering shelves. MIRA (17), a young apprentice in a green cloak, searches a shelf.

MIRA
(whispering)
It has to be here somewhere.

ALDRIC, an old wizard, steps out of the shadows.

ALDRIC
Looking for this? The book you want has been gone for a hundred years, child. Nobody has read its last page since \
the night the tower fell, and nobody ever will, not while I still keep watch over this library.

MIRA
Then I will be the first.

EXT. CASTLE COURTYARD - DAWN

Mira runs across the wet stones, the book under her arm.

GUARD: Halt! Who goes there?
MIRA: A friend of the library.
ALDRIC: Let her pass.
"""
SPOKEN = [
    ("Mira", "It has to be here somewhere."),
    (
        "Aldric",
        "Looking for this? The book you want has been gone for a hundred years, child. Nobody has read its last "
        "page since the night the tower fell, and nobody ever will, not while I still keep watch over this library.",
    ),
    ("Mira", "Then I will be the first."),
    ("Guard", "Halt! Who goes there?"),
    ("Mira", "A friend of the library."),
    ("Aldric", "Let her pass."),
]


CARDS = {
    "Mira": CardBrief(char_id="ID_A", name="Mira", identity="Mira is a young apprentice in a green cloak.",
                      voice="Speaks in a clear, lively young woman's voice."),
    "Aldric": CardBrief(char_id="ID_B", name="Aldric", identity="Aldric is an old wizard with a long white beard.",
                        voice="Speaks in a deep, gravelly old man's voice."),
}  # fmt: skip


def shot_brief(number: int, shot: ShotSpec, prompt: str = "", take: TakeBrief | None = None) -> ShotBrief:
    """The brief the graph hands to diagnose_revision and critique (director/briefs.py) for a planned shot."""
    return ShotBrief(
        number=number,
        shot_count=6,
        scene=SceneBrief(scene_id="S1", name=shot.scene),
        characters=[CARDS[name] for name in shot.characters],
        action=shot.action,
        dialogue=[
            LineBrief(speaker=CARDS[line.speaker].char_id, speaker_name=line.speaker, text=line.text)
            for line in shot.dialogue
        ],
        camera=shot.camera,
        sound_effects=shot.sound_effects,
        music=shot.music,
        num_frames=round(shot.duration_s * FPS),
        status="generated",
        prompt=prompt,
        take=take,
    )


def assert_valid_plan(plan: ShotPlanDraft) -> None:
    names = {character.name for character in plan.characters}
    scenes = {scene.name for scene in plan.scenes}
    for shot in plan.shots:
        assert shot.scene in scenes
        assert len(shot.characters) <= 2 and set(shot.characters) <= names
        assert all(line.speaker in shot.characters for line in shot.dialogue)
        check_frame_count(round(shot.duration_s * FPS))
        assert sum(speech_seconds(line.text) for line in shot.dialogue) <= shot.duration_s
        assert shot.music and shot.sound_effects and shot.camera
    for character in plan.characters:
        assert character.identity and character.voice


@pytest.mark.parametrize("idea", IDEAS)
@pytest.mark.parametrize("count", [1, 6, 12])
def test_one_line_idea_gives_exactly_the_requested_valid_shots(idea: str, count: int) -> None:
    planner = OfflinePlanner()
    story = planner.write_story(idea)
    plan = planner.plan_shots(story, count)
    assert len(plan.shots) == count
    assert_valid_plan(plan)
    assert 1 <= len(plan.characters) <= 3 and 1 <= len(plan.scenes) <= 4
    if count >= 6:
        assert len({shot.camera for shot in plan.shots}) >= 4
        assert any(shot.dialogue for shot in plan.shots)
        assert [card.name for card in plan.characters] == [entry.name for entry in story.cast]  # nobody invented


def test_default_shot_count_and_story_arc() -> None:
    planner = OfflinePlanner()
    story = planner.write_story("A lighthouse keeper finds a message in a bottle")
    plan = planner.plan_shots(story, None)
    assert len(plan.shots) == 6
    assert story.title and story.style and len(story.description.split(". ")) >= 3
    assert "In the end" in story.description and len(story.cast) == 1  # the keeper, with no invented companion
    assert plan.scenes[0].name == "Lighthouse"
    assert plan.shots[0].music != plan.shots[3].music


def test_chinese_idea_gives_a_chinese_story_and_dialogue() -> None:
    planner = OfflinePlanner()
    story = planner.write_story(IDEAS[3])
    assert story.language == "zh" and "森林" in story.description
    plan = planner.plan_shots(story, 6)
    assert any("\u4e00" <= char <= "\u9fff" for shot in plan.shots for line in shot.dialogue for char in line.text)
    assert (
        any(character.identity.startswith(("林", "苏", "陈", "周")) for character in plan.characters) or plan.characters
    )


def test_same_input_same_output_and_different_ideas_differ() -> None:
    first, second = OfflinePlanner(), OfflinePlanner()
    story = first.write_story(IDEAS[0])
    assert story == second.write_story(IDEAS[0])
    assert first.plan_shots(story, 8) == second.plan_shots(story, 8)
    assert first.write_story(IDEAS[1]).description != story.description


def test_pasted_screenplay_is_followed_verbatim() -> None:
    planner = OfflinePlanner()
    story = planner.write_story(SCREENPLAY)
    assert story.title == "The Last Page" and story.screenplay == SCREENPLAY.strip()
    plan = planner.plan_shots(story, None)
    assert_valid_plan(plan)
    assert [scene.name for scene in plan.scenes] == ["Castle Library", "Castle Courtyard"]
    assert plan.scenes[0].time_of_day == "night" and plan.scenes[1].time_of_day == "dawn"
    assert {character.name for character in plan.characters} == {"Mira", "Aldric", "Guard"}
    assert next(c for c in plan.characters if c.name == "Mira").identity.startswith("Mira, 17 years old, a young")
    spoken = [(line.speaker, line.text) for shot in plan.shots for line in shot.dialogue]
    rejoined: list[tuple[str, str]] = []
    for speaker, text in spoken:  # a long speech continues over consecutive shots
        if rejoined and rejoined[-1][0] == speaker:
            rejoined[-1] = (speaker, f"{rejoined[-1][1]} {text}")
        else:
            rejoined.append((speaker, text))
    assert rejoined == SPOKEN
    assert all(speech_seconds(line.text) <= 9 for shot in plan.shots for line in shot.dialogue)
    assert plan.shots[0].action.startswith("Candles gutter between towering shelves.")
    assert [shot.scene for shot in plan.shots][-1] == "Castle Courtyard"


def test_screenplay_shot_count_is_met_or_refused_clearly() -> None:
    planner = OfflinePlanner()
    story = planner.write_story(SCREENPLAY)
    longer = planner.plan_shots(story, 12)
    assert len(longer.shots) == 12
    assert_valid_plan(longer)
    assert longer.shots[1].dialogue[0].text == SPOKEN[0][1]  # after the added establishing shot
    with pytest.raises(EchoError, match="needs at least"):
        planner.plan_shots(story, 2)


def test_name_colon_dialogue_without_headings_is_a_screenplay() -> None:
    planner = OfflinePlanner()
    story = planner.write_story("ANNA: Did you hear that?\nBEN: It came from the cellar.\nAnna grabs a torch.")
    plan = planner.plan_shots(story, None)
    assert [line.text for shot in plan.shots for line in shot.dialogue] == [
        "Did you hear that?",
        "It came from the cellar.",
    ]
    assert plan.shots[0].characters == ["Anna", "Ben"]


def test_route_reads_the_brief_not_text() -> None:
    """The full table is tests/test_offline_routing.py; here the planner hands the brief through."""
    planner = OfflinePlanner()
    story = StoryBrief(title="T", synopsis="A tale.", version=1, confirmed=True)
    planned = ProjectBrief(project_id=1, story=story, shots=[
        ShotLine(number=n, scene_id="S1", characters=[], summary="x", duration_s=5.0, status="planned")
        for n in range(1, 5)
    ])  # fmt: skip
    assert planner.route("the last shot needs rain", planned).shot_number == 4
    assert planner.route("continue", planned).intent == "generate"
    unconfirmed = planned.model_copy(update={"story": story.model_copy(update={"confirmed": False})})
    assert planner.route("continue", unconfirmed).intent == "approve"
    assert planner.route("a wizard loses his spellbook", ProjectBrief(project_id=2)).intent == "new_story"
    assert planner.route(SCREENPLAY, planned).intent == "new_story"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 100_001])
def test_empty_or_huge_input_is_refused(bad: str) -> None:
    planner = OfflinePlanner()
    with pytest.raises(EchoError):
        planner.route(bad, ProjectBrief(project_id=1))
    with pytest.raises(EchoError):
        planner.write_story(bad)


def test_plan_size_out_of_range_is_refused() -> None:
    planner = OfflinePlanner()
    story = planner.write_story(IDEAS[0])
    for count in (0, 201):
        with pytest.raises(EchoError, match="between 1 and 200"):
            planner.plan_shots(story, count)


def test_clarify_asks_only_when_the_idea_is_thin() -> None:
    planner = OfflinePlanner()
    assert planner.clarify("make a cool video").questions
    assert "characters" in planner.clarify("make a cool video").missing
    assert planner.clarify("dragons").questions
    assert planner.clarify(IDEAS[0]).questions == []
    assert planner.clarify(IDEAS[3]).questions == []
    assert planner.clarify(SCREENPLAY).questions == []


def test_story_feedback_edits_the_draft() -> None:
    planner = OfflinePlanner()
    story = planner.write_story("a wizard loses his spellbook")
    renamed = planner.write_story("", "call the wizard Merlin", story)
    assert "Merlin" in renamed.description and renamed.cast[0].name == "Merlin"
    darker = planner.write_story("", "make it darker", renamed)
    assert darker.style != renamed.style and "dark" in darker.style.lower()
    assert "The mood is dark" in darker.description and "Merlin" in darker.description
    ending = planner.write_story("", "change the ending to Merlin burns the book", darker)
    assert "In the end, Merlin burns the book." in ending.description
    titled = planner.write_story("", 'call it "Ashes"', ending)
    assert titled.title == "Ashes"
    replaced = planner.write_story("", "new story: A quiet tale of two clocks.", titled)
    assert replaced.description == "A quiet tale of two clocks."
    plan = planner.plan_shots(darker, 4)
    assert any(character.name == "Merlin" for character in plan.characters)
    assert "cello" in plan.shots[0].music or "drone" in plan.shots[0].music
    with pytest.raises(EchoError, match="no character matching"):
        planner.write_story("", "call the astronaut Zed", story)


def test_revision_feedback_lands_on_the_right_fields() -> None:
    planner = OfflinePlanner()
    shot = ShotSpec(
        scene="Library",
        characters=["Mira", "Aldric"],
        action="Mira reads.",
        dialogue=[{"speaker": "Aldric", "text": "Hello."}],
        duration_s=4.04,
        music="Soft piano.",
    )
    summary = shot_brief(2, shot)
    camera = planner.diagnose_revision(summary, "make it a close-up")
    assert camera.camera == "Close-up." and camera.action is None and camera.dialogue is None
    said = planner.diagnose_revision(summary, 'Mira should say "I found it at last, after all these years."')
    assert [(line.speaker, line.text) for line in said.dialogue] == [
        ("Mira", "I found it at last, after all these years.")
    ]
    assert said.duration_s is not None and said.duration_s >= 4.04
    longer = planner.diagnose_revision(summary, "longer please")
    assert longer.duration_s == pytest.approx(6.12) and longer.camera is None
    music = planner.diagnose_revision(summary, "no music, just rain")
    assert music.music and "music" in music.music.lower()
    action = planner.diagnose_revision(summary, "she should look surprised")
    assert action.action == "Mira reads. She should look surprised." and "action" in action.diagnosis


def caption_of(spec: ShotSpec) -> str:
    """The caption the compile stage renders for the shot."""
    return compose_prompt(shot_brief(1, spec).condition())


def test_critique_flags_obvious_problems_only() -> None:
    planner = OfflinePlanner()
    good = ShotSpec(scene="Library", characters=["Mira"], action="Mira waves.", music="soft piano",
                    dialogue=[{"speaker": "Mira", "text": "Hello."}])  # fmt: skip
    caption = caption_of(good)
    assert planner.critique(shot_brief(1, good, caption)) == CritiqueVerdict(ok=True)
    crowded = planner.critique(shot_brief(1, good, caption.replace("ID_A waves", "ID_A waves at ID_B and ID_C")))
    assert not crowded.ok and crowded.issues == ["3 characters (ID_A, ID_B, ID_C) in one shot; keep at most 2"]
    broken = caption.replace("in a green cloak", "in a red cloak").replace("The background music is soft piano.", "")
    long = " ".join((broken + " Rain." * 400).split())
    verdict = planner.critique(shot_brief(1, good, long))
    assert verdict.fix is None and verdict.issues == [
        f"the caption is {len(long):,} characters; it must stay under 2,000 (shorten it by {len(long) - 1999:,})",
        "ID_A's identity sentence is not the card's, word for word",
        "the caption must state the background music (or that there is none)",
    ]
    labelled = planner.critique(shot_brief(1, good, caption.replace("ID_A is a", "ID_A: Mira is a")))
    assert 'field labels are not part of the caption ("ID_A:")' in labelled.issues


def test_critique_lengthens_a_shot_too_short_for_its_dialogue() -> None:
    planner = OfflinePlanner()
    wordy = ShotSpec(scene="Library", characters=["Mira"], dialogue=[{"speaker": "Mira", "text": "word " * 14}],
                     duration_s=4.04)  # fmt: skip
    verdict = planner.critique(shot_brief(1, wordy, caption_of(wordy)))
    assert not verdict.ok and "7.0 s of dialogue does not fit the 4.04 s shot" in verdict.issues[-1]
    assert "14 words of dialogue are over the speech budget of a 4.04 s shot (9" in verdict.issues[0]
    assert verdict.fix == ShotEdit(duration_s=8.04)  # 7 s of speech at the budget's 2 words a second, and room
    speech = sum(speech_seconds(line.text) for line in wordy.dialogue)
    assert verdict.fix.duration_s is not None and speech < verdict.fix.duration_s <= 9.64
    endless = wordy.model_copy(update={"dialogue": [DialogueSpec(speaker="Mira", text="word " * 30)]})
    too_long = planner.critique(shot_brief(1, endless, caption_of(endless)))
    assert too_long.fix is None and "split the lines over two shots" in too_long.issues[-1]
    overran = TakeBrief(take_id=7, version=2, status="generated", seed=1, backend="echo", speech_overflow_s=1.5)
    silent = wordy.model_copy(update={"dialogue": []})
    measured = planner.critique(shot_brief(1, silent, caption_of(silent), overran))
    assert measured.fix == ShotEdit(duration_s=6.44) and "1.5 s past the end" in measured.issues[0]


def test_revision_drops_the_memory_the_feedback_names() -> None:
    planner = OfflinePlanner()
    shot = ShotSpec(scene="Library", characters=["Mira"], action="Mira reads.")
    labels = ["Mira (shot 1)", "Library (shot 2)"]
    take = TakeBrief(take_id=7, version=1, status="generated", seed=1, backend="echo", memory=labels)
    named = planner.diagnose_revision(shot_brief(3, shot, take=take), "forget Library (shot 2), the room looks wrong")
    assert named.drop_memory_labels == ["Library (shot 2)"] and named.action == "Mira reads. The room looks wrong."
    everything = planner.diagnose_revision(shot_brief(3, shot, take=take), "don't use the memory")
    assert everything.drop_memory_labels == ["Mira (shot 1)", "Library (shot 2)"] and everything.action is None
    assert "the memory of" in everything.diagnosis


LONG_SHOT = ShotSpec(
    scene="Library",
    characters=["Mira", "Aldric"],
    action="Mira climbs the ladder to the top shelf. She pulls out a dusty book, blows off the dust and opens it. "
    "Aldric watches from the doorway.",
    dialogue=[DialogueSpec(speaker="Mira", text="Found it."), DialogueSpec(speaker="Aldric", text="Put it back.")],
    camera="slow dolly in from a wide shot to a close-up on the book",
    sound_effects="Creaking ladder, pages rustling, distant thunder, candles hissing.",
    music="Low cello drone with a fading music box melody.",
)


def overflow(over_by: int, **budgets: int) -> PromptOverflow:
    return PromptOverflow(shot_number=2, prompt_chars=1500 + over_by, limit=1500, fixed_chars=900, budgets=budgets)


def test_fit_shot_trims_cheap_fields_first_at_word_and_clause_boundaries() -> None:
    plan = ShotPlanDraft(scenes=[{"name": "Library"}], shots=[LONG_SHOT])
    budgets = {"sound_effects": 40, "music": 30, "camera": 40, "action": 60, "dialogue": 10}
    light = OfflinePlanner().fit_shot(plan, 0, overflow(30, **budgets))
    assert light == LONG_SHOT.model_copy(update={"sound_effects": "Creaking ladder, pages rustling."})
    heavy = OfflinePlanner().fit_shot(plan, 0, overflow(200, **budgets))
    assert heavy == LONG_SHOT.model_copy(
        update={
            "sound_effects": "Creaking ladder, pages rustling.",
            "music": "Low cello drone.",
            "camera": "slow dolly in from a wide shot",
            "action": "Mira climbs the ladder to the top shelf.",
        }
    )  # the dialogue was not written by this planner, so it stays


def test_fit_shot_drops_only_its_own_dialogue_lines_last() -> None:
    planner = OfflinePlanner()
    story = planner.write_story(IDEAS[2])
    plan = planner.plan_shots(story, 6)
    index = next(n for n, shot in enumerate(plan.shots) if len(shot.dialogue) == 2)
    lines = plan.shots[index].dialogue
    fitted = planner.fit_shot(plan, index, overflow(len(lines[1].text) + 4, dialogue=len(lines[0].text) + 4))
    assert fitted.dialogue == lines[:1]
    screenplay = planner.plan_shots(planner.write_story(SCREENPLAY), None)
    spoken = next(n for n, shot in enumerate(screenplay.shots) if len(shot.dialogue) == 2)
    with pytest.raises(EchoError, match=r"shot 2's prompt is 1530 characters, 30 over .* cannot trim"):
        planner.fit_shot(screenplay, spoken, overflow(30, dialogue=5))


def test_plan_shots_takes_the_creators_idea() -> None:
    planner = OfflinePlanner()
    story = planner.write_story(IDEAS[1])
    assert planner.plan_shots(story, 4, idea=IDEAS[1]) == planner.plan_shots(story, 4)


def plan_for(idea: str, shots: int = 6) -> tuple[StoryDraft, ShotPlanDraft, dict[str, CharacterSpec]]:
    planner = OfflinePlanner()
    story = planner.write_story(idea)
    plan = planner.plan_shots(story, shots)
    assert len(plan.shots) == shots
    assert_valid_plan(plan)
    return story, plan, {card.name: card for card in plan.characters}


def card_text(card: CharacterSpec) -> str:
    return " ".join([card.identity, card.appearance, card.clothing, card.voice]).lower()


OLD_WORDS = ("old", "elderly", "white-haired", "seventy", "grey hair", "silver hair", "beard")


def test_the_idea_young_wizard_befriends_a_ghost_is_honoured() -> None:
    idea = "A young wizard explores a haunted castle library and befriends a ghost"
    story, plan, cards = plan_for(idea, 4)
    wizard = next(card for card in cards.values() if "wizard" in card.identity)
    ghost = next(card for card in cards.values() if "ghost" in card.identity)
    assert "young wizard" in wizard.identity and "young man" in wizard.voice
    assert not any(re.search(rf"\b{word}\b", wizard.identity.lower()) for word in OLD_WORDS)
    assert "translucent" in ghost.identity and "Wears" not in ghost.clothing
    first_sentence = story.description.split(". ")[0]
    assert first_sentence.lower() != idea.lower()  # a synopsis, not the idea pasted back
    assert f"{wizard.name}, a young wizard, explores a haunted castle library and befriends {ghost.name}, a ghost" in (
        story.description
    )
    assert f"In the end, {wizard.name} and {ghost.name} become true friends." in story.description
    assert [scene.name for scene in plan.scenes] == ["Library"]  # a library in a castle is one place
    assert all("haunted" in scene.location for scene in plan.scenes)
    assert "become true friends" in plan.shots[-1].action and plan.shots[-1].dialogue  # the film ends on it


@pytest.mark.parametrize(
    ("idea", "expected"),
    [
        (
            "An old fisherman named Tomas teaches his granddaughter to sail at dawn",
            {"Tomas": ("old fisherman", "old man's voice"), "*granddaughter": ("tomas's", "girl's voice")},
        ),
        (
            "A teenage girl called Zoe in a red raincoat chases a robot through a rainy city at night",
            {"Zoe": ("teenage girl", "red raincoat", "teenage girl's voice"), "*robot": ("robot", "blue eye")},
        ),
        (
            "Mira, a shy witch, and her black cat Pip open a bakery in a sleepy village",
            {"Mira": ("shy", "witch", "woman's voice"), "Pip": ("mira's black cat", "black fur")},
        ),
        (
            "Two brothers, Leo and Sam, build a raft to cross the river; a funny summer adventure",
            {"Leo": ("sam's", "brother", "man's voice"), "Sam": ("leo's", "brother", "man's voice")},
        ),
        (
            "An elderly woman befriends a lonely dragon on a snowy mountain",
            {"*woman": ("elderly woman", "elderly woman's voice"), "*dragon": ("lonely dragon", "scales")},
        ),
        (
            "Detective Ada Stone and her partner Jack hunt a jewel thief through a noir city at midnight, "
            "with Ada's rival Vera",
            {"Ada Stone": ("detective", "woman's voice"), "Jack": ("partner", "man's voice"),
             "Vera": ("rival", "woman's voice")},
        ),
        (
            "A wizard named Zara searches the tower for her lost owl",
            {"Zara": ("wizard", "woman's voice"), "*owl": ("zara's", "owl")},
        ),
        (
            "A grumpy old king and a young knight fall in love in the palace garden",
            {"*king": ("grumpy old king", "old man's voice"), "*knight": ("young knight", "young man's voice")},
        ),
        (
            "A little boy loses his dog in the park and a kind police officer helps him find it",
            {"*boy": ("little boy", "boy's voice"), "*dog": ("'s dog",), "*officer": ("kind", "police officer")},
        ),
        (
            "一位年轻的女侦探在上海的雨夜追查一只会说话的猫",
            {"*侦探": ("年轻女侦探", "年轻女声"), "*猫": ("会说话的猫",)},
        ),
        (
            "老爷爷和小孙女在海边放风筝",
            {"*爷爷": ("老爷爷", "苍老男声"), "*孙女": ("小孙女", "女童声")},
        ),
        (
            "A child astronaut and her grandfather repair a spaceship before sunrise; he wears a blue scarf",
            {"*astronaut": ("child astronaut", "girl's voice"), "*grandfather": ("blue scarf", "old man's voice")},
        ),
    ],
)  # fmt: skip
def test_people_keep_every_stated_fact(idea: str, expected: dict[str, tuple[str, ...]]) -> None:
    story, _, cards = plan_for(idea)
    for who, facts in expected.items():
        if who.startswith("*"):  # an unnamed person: the card whose identity names their role
            card = next(card for card in cards.values() if who[1:] in card.identity.lower())
        else:
            card = cards[who]
            assert who in story.description
        text = card_text(card)
        assert all(fact in text for fact in facts), (who, facts, text)
        if re.search(r"\b(?:young|teenage|little|child)\b", " ".join(facts)):
            assert not any(re.search(rf"\b{word}\b", card.identity.lower()) for word in OLD_WORDS), card.identity


@pytest.mark.parametrize(
    ("idea", "scene_name", "time", "sound"),
    [
        ("A teenage girl called Zoe in a red raincoat chases a robot through a rainy city at night", "City", "night",
         "rain"),
        ("An old fisherman named Tomas teaches his granddaughter to sail at dawn", "Harbour", "dawn", "water"),
        ("一位年轻的女侦探在上海的雨夜追查一只会说话的猫", "上海", "夜晚", "雨"),
        ("An elderly woman befriends a lonely dragon on a snowy mountain", "Mountain", "", "snow"),
    ],
)  # fmt: skip
def test_places_time_and_weather_come_from_the_idea(idea: str, scene_name: str, time: str, sound: str) -> None:
    _, plan, _ = plan_for(idea)
    assert [scene.name for scene in plan.scenes] == [scene_name]  # no invented second place
    assert not time or all(scene.time_of_day == time for scene in plan.scenes)
    assert all(sound in shot.sound_effects.lower() for shot in plan.shots)


@pytest.mark.parametrize(
    ("idea", "ending"),
    [
        ("An elderly woman befriends a lonely dragon on a snowy mountain", "become true friends"),
        ("A grumpy old king and a young knight fall in love in the palace garden", "admit their love"),
        ("A teenage girl called Zoe in a red raincoat chases a robot through a rainy city at night", "catches up with"),
        ("An old fisherman named Tomas teaches his granddaughter to sail at dawn", "can sail without any help"),
        ("Two brothers, Leo and Sam, build a raft to cross the river", "the raft is finished"),
        ("一位年轻的女侦探在上海的雨夜追查一只会说话的猫", "终于追上了"),
    ],
)  # fmt: skip
def test_the_story_ends_the_way_the_idea_asks(idea: str, ending: str) -> None:
    story = OfflinePlanner().write_story(idea)
    prose = story.description.split("\nCast:")[0]
    assert ending in prose.split("In the end, ")[-1].split("最后，")[-1]
    assert story.cast


@pytest.mark.parametrize(
    "idea",
    [
        "A detective chases a jewel thief through Paris",
        "A firefighter rescues a child in Paris",
        "A girl searches for her lost cat in Paris",
        "An old baker teaches a boy to bake in Paris",
        "Two brothers repair a bicycle in Paris",
    ],
)
def test_a_named_place_keeps_its_capital(idea: str) -> None:
    story = OfflinePlanner().write_story(idea)
    assert "Paris" in story.description and "paris" not in story.description
    assert any("Paris" in place for place in story.places)


def test_renaming_a_creature_keeps_what_it_is() -> None:
    planner = OfflinePlanner()
    story = planner.write_story("A young wizard explores a haunted castle library and befriends a ghost")
    renamed = planner.write_story("", "call the ghost Casper", story)
    cards = {card.name: card for card in planner.plan_shots(renamed, 4).characters}
    assert "Casper" in cards and "ghost" in cards["Casper"].identity and "translucent" in cards["Casper"].identity


@pytest.mark.parametrize(
    ("feedback", "field", "expected"),
    [
        ("the camera slowly pans left", "camera", "The camera slowly pans left."),
        ("make her say 'hello there' instead", "dialogue", [("Mira", "hello there")]),
        ("he says: we must leave now", "dialogue", [("Aldric", "we must leave now")]),
        ("more dramatic music", "music", "More dramatic music."),
        ("make it two seconds longer", "duration_s", 6.12),
        ("make it 2 seconds shorter", "duration_s", 1.96),
        ("make it 6 seconds", "duration_s", 6.12),
        ("she should be smiling", "action", "Mira reads. She should be smiling."),
    ],
)
def test_natural_revision_phrasing_lands_on_one_field(feedback: str, field: str, expected: object) -> None:
    shot = ShotSpec(scene="Library", characters=["Mira", "Aldric"], action="Mira reads.",
                    dialogue=[{"speaker": "Aldric", "text": "Hello."}], duration_s=4.04)  # fmt: skip
    diagnosis = OfflinePlanner().diagnose_revision(shot_brief(2, shot), feedback)
    changed = {
        name for name in ("action", "dialogue", "camera", "sound_effects", "music", "duration_s")
        if getattr(diagnosis, name) is not None
    }  # fmt: skip
    assert changed == {field}
    value = getattr(diagnosis, field)
    if field == "dialogue":
        assert [(line.speaker, line.text) for line in value] == expected
    elif field == "duration_s":
        assert value == pytest.approx(expected)
    else:
        assert value == expected


STORM_SHOT = ShotSpec(
    scene="Coast",
    characters=["Mira", "Aldric"],
    action="Mira stands on the cliff.",
    dialogue=[{"speaker": "Aldric", "text": "Hello."}],
    camera="static wide shot",
    duration_s=4.04,
)
CHANGED_FIELDS = ("action", "dialogue", "camera", "sound_effects", "music", "duration_s")


def changed_fields(diagnosis: RevisionDiagnosis) -> set[str]:
    return {name for name in CHANGED_FIELDS if getattr(diagnosis, name) is not None}


def test_two_part_feedback_changes_both_fields() -> None:
    diagnosis = OfflinePlanner().diagnose_revision(
        shot_brief(2, STORM_SHOT), "Make the storm darker and move the camera closer"
    )
    assert changed_fields(diagnosis) == {"action", "camera"}
    assert diagnosis.action == "Mira stands on the cliff. Make the storm darker."
    assert diagnosis.camera == "Move the camera closer."
    assert diagnosis.diagnosis == "The feedback changes the camera and the action; everything else stays."


@pytest.mark.parametrize(
    ("feedback", "expected"),
    [
        (
            "Make the storm darker, move the camera closer and make it two seconds longer",
            {"action": "Mira stands on the cliff. Make the storm darker.", "camera": "Move the camera closer.",
             "duration_s": 6.12},
        ),
        (
            'she should look surprised and say "oh no, not again", then use a close-up',
            {"action": "Mira stands on the cliff. She should look surprised.", "camera": "Close-up.",
             "dialogue": [("Mira", "oh no, not again")]},
        ),
        (
            "dark and moody music; also add rain sounds. Then make it 6 seconds",
            {"music": "Dark and moody music.", "sound_effects": "Add rain sounds.", "duration_s": 6.12},
        ),
        (
            "把风暴变暗一点，镜头推近并且配乐更紧张",
            {"action": "Mira stands on the cliff. 把风暴变暗一点。", "camera": "镜头推近。", "music": "配乐更紧张。"},
        ),
    ],
)  # fmt: skip
def test_three_part_feedback_lands_each_clause_on_its_field(feedback: str, expected: dict[str, object]) -> None:
    diagnosis = OfflinePlanner().diagnose_revision(shot_brief(2, STORM_SHOT), feedback)
    assert changed_fields(diagnosis) == set(expected)
    for name, value in expected.items():
        got = getattr(diagnosis, name)
        if name == "dialogue":
            assert [(line.speaker, line.text) for line in got] == value
        else:
            assert got == pytest.approx(value) if name == "duration_s" else got == value
    named = {"sound_effects": "the sound effects", "duration_s": "the duration"}
    assert all(named.get(name, f"the {name}") in diagnosis.diagnosis for name in expected)


def test_clauses_on_one_field_are_combined_into_one_sentence() -> None:
    planner = OfflinePlanner()
    summary = shot_brief(2, STORM_SHOT)
    both = planner.diagnose_revision(summary, "she should smile and wave. Make the sky darker")
    assert changed_fields(both) == {"action"}
    assert both.action == "Mira stands on the cliff. She should smile and wave and make the sky darker."
    assert both.diagnosis == "The feedback changes the action; everything else stays."
    camera = planner.diagnose_revision(summary, "slow and steady pan, also a close-up")
    assert changed_fields(camera) == {"camera"} and camera.camera == "Slow and steady pan and a close-up."
    weather = planner.diagnose_revision(summary, "heavier rain and a darker sky, with thunder sounds")
    assert weather.sound_effects == "With thunder sounds."
    assert weather.action == "Mira stands on the cliff. Heavier rain and a darker sky."
