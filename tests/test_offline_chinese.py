"""A Chinese idea gives an all-Chinese film from the offline planner: the names the creator stated are kept
verbatim in the story, the cards and the shot actions (none invented in their place), every prose field of the
cards, scenes and shots is Chinese (the caption contract forbids mixed prose), stated gender and age are kept,
and the cards of one story differ from each other."""

from __future__ import annotations

import re
from functools import cache

import pytest

from director.offline.planner import OfflinePlanner
from director.schemas import ShotPlanDraft, StoryDraft
from generator.preview.creatures import creature_word

BAKER = "小美是一位面包师，她在黎明时分的小面包店里烤面包，她的邻居老王来买面包"
IDEAS = {
    "baker": BAKER,
    "park": "王奶奶在公园里打太极，她的孙子李雷陪着她",
    "fisher": "一位老渔夫每天清晨在海边教孙女游泳，最后孙女独自游到了灯塔。",
    "cat": "小美和她的猫在雨夜的森林里寻找丢失的钥匙",
    "robot": "机器人阿铁在上海的一家面馆打工，他偷偷爱上了隔壁花店的女孩小雨。",
    "river": "张小明和朋友老李在河边钓鱼，老李说今天的鱼特别多",
    "detective": "一位年轻的女侦探在上海的雨夜追查一只会说话的猫",
}
NAMES = {
    "baker": ("小美", "老王"),
    "park": ("王奶奶", "李雷"),
    "cat": ("小美",),
    "robot": ("阿铁", "小雨"),
    "river": ("张小明", "老李"),
}
# (who, words in their identity, words not in it): stated gender and age win
FACTS = {
    "baker": [("小美", ("面包师", "女"), ("女孩", "男"))],
    "park": [("王奶奶", ("老年女人",), ("男",)), ("李雷", ("孙子", "男孩"), ("女",))],
    "fisher": [("渔夫", ("老渔夫", "男"), ("女",)), ("孙女", ("孙女", "女孩"), ("男",))],
    "robot": [("小雨", ("女孩",), ("男",))],
    "detective": [("侦探", ("年轻女侦探", "年轻女人"), ("男", "老年"))],
}
LATIN = re.compile(r"[A-Za-z]")


@cache
def film(key: str) -> tuple[StoryDraft, ShotPlanDraft]:
    planner = OfflinePlanner()
    story = planner.write_story(IDEAS[key])
    return story, planner.plan_shots(story, 4)


def prose_of(story: StoryDraft, plan: ShotPlanDraft) -> list[str]:
    """Every prose field the planner wrote, ids (ID_A) aside."""
    fields = [story.title, story.description, story.style, *story.beats, *story.places]
    fields += [entry.description for entry in story.cast]
    for card in plan.characters:
        fields += [card.identity, card.appearance, card.clothing, card.voice]
    for scene in plan.scenes:
        fields += [scene.name, scene.location, scene.time_of_day, scene.description]
    for shot in plan.shots:
        fields += [shot.action, shot.camera, shot.sound_effects, shot.music, *(line.text for line in shot.dialogue)]
    return [re.sub(r"\bID_[A-Z]\b", "", field) for field in fields]


@pytest.mark.parametrize("key", sorted(IDEAS))
def test_every_prose_field_is_chinese(key: str) -> None:
    story, plan = film(key)
    assert story.language == "zh"
    assert not [field for field in prose_of(story, plan) if LATIN.search(field)]


@pytest.mark.parametrize("key", sorted(NAMES))
def test_stated_names_are_kept_in_the_story_cards_and_actions(key: str) -> None:
    story, plan = film(key)
    names = NAMES[key]
    assert [entry.name for entry in story.cast][: len(names)] == list(names), story.cast
    assert set(names) <= {card.name for card in plan.characters}
    actions = "".join(shot.action for shot in plan.shots)
    assert all(name in story.description and name in actions for name in names), (story.description, actions)
    assert not [note for note in story.notes if any(f"calls them {name}" in note for name in names)], story.notes


def test_the_baker_idea_keeps_its_own_clauses_and_names() -> None:
    story, plan = film("baker")
    assert story.title == "小美与老王"
    assert story.beats[:3] == ["小美是一位面包师。", "小美在黎明时分的小面包店里烤面包。", "小美的邻居老王来买面包。"]
    assert [shot.action for shot in plan.shots][:3] == story.beats[:3]
    baker = next(card for card in plan.characters if card.name == "小美")
    assert baker.identity.startswith("小美是") and "女孩" not in baker.identity
    assert baker.clothing == "沾满面粉的白围裙和卷起袖子的衬衫"
    assert not baker.clothing.startswith("穿着") and not baker.voice.startswith("声音是")
    assert 8 <= len(re.findall(r"[\u4e00-\u9fff]", baker.voice)) <= 14, baker.voice
    assert [scene.name for scene in plan.scenes] == ["面包店"] and plan.scenes[0].time_of_day == "黎明"


def test_an_unnamed_role_is_named_and_the_notes_say_so() -> None:
    story, _ = film("fisher")
    invented = [entry.name for entry in story.cast]
    assert len(story.notes) == 2 and all(name in " ".join(story.notes) for name in invented), story.notes
    assert "老渔夫" in story.notes[0] and "孙女" in story.notes[1]


@pytest.mark.parametrize("key", sorted(FACTS))
def test_stated_gender_and_age_are_respected(key: str) -> None:
    _, plan = film(key)
    for who, present, absent in FACTS[key]:
        card = next(card for card in plan.characters if who in f"{card.name} {card.identity}")
        assert all(word in card.identity for word in present), (who, card.identity)
        assert not [word for word in absent if word in card.identity.split("，", 1)[-1]], (who, card.identity)


@pytest.mark.parametrize("key", sorted(IDEAS))
def test_cards_of_one_story_are_distinct_and_people_stay_people(key: str) -> None:
    _, plan = film(key)
    for part in ("identity", "appearance", "voice"):
        texts = [getattr(card, part).replace(card.name, "") for card in plan.characters]
        assert len(texts) == len(set(texts)), (part, texts)
    clothes = [card.clothing for card in plan.characters if card.clothing]
    assert len(clothes) == len(set(clothes)), clothes
    for card in plan.characters:
        assert card.identity.startswith(f"{card.name}是"), card.identity
        creature = creature_word(card.identity)
        assert (creature is None) == bool(card.clothing), (card.identity, card.clothing)
