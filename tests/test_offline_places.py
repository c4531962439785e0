"""Every place a creator states survives into the scene cards, named with the creator's own word, and nothing
unasked is invented in its place (director/offline/words.json: places, place_synonyms, zh.places).

Each positive row is "Tom waits at the {place} all night." / "老王整夜在{place}等待。" run through
`OfflinePlanner.write_story` and `plan_shots` as the app does: exactly one scene, named with the stated word (the whole
phrase for a multi-word place). Negative rows use a place word the ordinary way ("a fair price", "大家"): the idea's
real place is the only scene.

Bare words left out of the vocabulary because their ordinary non-place use would invent a place: docks (the ship
docks), stable (a stable job), pool (a pool of light), mine (that book is mine), plane (a plane of glass), club (a
golf club), fair (a fair price, fair hair), store (store the boxes), camp (they camp by the lake), moon (under the
moon), mars (a scar mars his face); 海上 (上海上班) and 家 (大家, 专家, 国家). Their unambiguous forms are rows here:
dockside, stables, swimming pool, coal mine, airplane, nightclub, funfair, grocery store, campsite, the Moon and Mars
as names.
"""

from __future__ import annotations

import pytest

from director.offline.planner import OfflinePlanner
from director.offline.vocabulary import PLACE_SYNONYMS, PLACES, ZH
from director.schemas import ShotPlanDraft

EN_PLACES = [
    "wharf", "dockside", "quay", "marina", "clinic", "bookshop", "bookstore", "supermarket", "bank", "police station",
    "prison", "jail", "stables", "vineyard", "orchard", "cathedral", "mosque", "university", "campus", "dormitory",
    "gym", "arena", "swimming pool", "coal mine", "factory", "warehouse", "garage", "parking lot", "car park",
    "balcony", "bedroom", "living room", "bathroom", "hallway", "elevator", "subway", "metro", "bus", "taxi", "car",
    "ferry", "airplane", "motel", "nightclub", "gallery", "zoo", "aquarium", "circus", "funfair", "carnival", "mall",
    "grocery store", "courtroom", "shrine", "graveyard", "cemetery", "pond", "waterfall", "swamp", "tunnel", "highway",
    "playground", "campsite", "tent", "cabin", "hut", "mansion", "space station", "submarine",
]  # fmt: skip

ZH_PLACES = [
    "码头", "书店", "超市", "银行", "警察局", "监狱", "谷仓", "果园", "大学", "宿舍", "体育馆", "体育场", "游泳池",
    "悬崖", "矿井", "工厂", "仓库", "车库", "停车场", "天台", "阳台", "阁楼", "卧室", "客厅", "浴室", "走廊",
    "电梯", "地铁", "公交车", "出租车", "汽车", "渡轮", "飞机", "火车站", "餐厅", "夜店", "画廊", "动物园",
    "水族馆", "马戏团", "商场", "法庭", "墓地", "丛林", "池塘", "瀑布", "沼泽", "小镇", "隧道", "公路", "游乐场",
    "营地", "帐篷", "小屋", "豪宅", "空间站", "月球", "火星", "潜艇", "雪山", "草原", "胡同", "四合院", "菜市场",
    "天桥",
]  # fmt: skip

# (idea, the place noun of its only scene): a place word used the ordinary way is no place
EN_NOT_PLACES = [
    ("Tom sits on the river bank and fishes.", "river"),
    ("Tom walks along the bank of the river at dusk.", "river"),
    ("Tom pays a fair price for a horse at the market.", "market"),
    ("A girl with fair hair sings at the church.", "church"),
    ("Tom says that book is mine and runs to the library.", "library"),
    ("Tom swings a golf club in the park.", "park"),
    ("Tom finds a card under the carpet in the kitchen.", "kitchen"),
    ("Tom helps store the boxes in the cellar.", "cellar"),
    ("Tom stands in a pool of light in the theatre.", "theatre"),
    ("Tom looks through a plane of glass in the tower.", "tower"),
    ("They camp by the lake for a week.", "lake"),
    ("The spaceship docks with the space station.", "spaceship"),
    ("Mia, a university student, paints in the park.", "park"),
    ("A retired university professor tends his garden.", "garden"),
    # a vehicle or a tent named in passing: the story is where the idea says it is
    ("They pitch a tent in the forest.", "forest"),
    ("Tom takes the bus to the library.", "library"),
    ("Ana keeps her coins in a piggy bank in the kitchen.", "kitchen"),
    ("After the car crash, Tom learns to walk again in the hospital.", "hospital"),
]
ZH_NOT_PLACES = [
    ("大家都来到花园里。", "garden"),
    ("专家和画家在茶馆见面。", "teahouse"),
    ("作家和科学家在图书馆为国家工作。", "library"),
    ("小雨是一个大学生，在咖啡馆打工。", "cafe"),
    ("他在上海上班，每天去咖啡馆。", "cafe"),
    ("老王坐飞机去海边看女儿。", "beach"),
]

_PLANNER = OfflinePlanner()


def _plan(idea: str) -> ShotPlanDraft:
    return _PLANNER.plan_shots(_PLANNER.write_story(idea), 2)


@pytest.mark.parametrize("place", EN_PLACES)
def test_english_place_is_the_scene(place: str) -> None:
    plan = _plan(f"Tom waits at the {place} all night.")
    assert [scene.name.lower() for scene in plan.scenes] == [place], [(s.name, s.description) for s in plan.scenes]


@pytest.mark.parametrize("place", ZH_PLACES)
def test_chinese_place_is_the_scene(place: str) -> None:
    plan = _plan(f"老王整夜在{place}等待。")
    assert len(plan.scenes) == 1, [(s.name, s.description) for s in plan.scenes]
    assert place in plan.scenes[0].name, [(s.name, s.description) for s in plan.scenes]


@pytest.mark.parametrize("word", ["火车站", "菜市场", "天桥", "雪山"])
def test_chinese_longer_word_wins(word: str) -> None:
    """火车站 is a station named 火车站, not the train 火车 inside it."""
    assert [scene.name for scene in _plan(f"老王整夜在{word}等待。").scenes] == [word]


@pytest.mark.parametrize(("idea", "name"), [("Tom waits on the Moon all night.", "Moon"),
                                            ("Tom waits on Mars all night.", "Mars")])  # fmt: skip
def test_moon_and_mars_are_kept_as_names(idea: str, name: str) -> None:
    assert [scene.name for scene in _plan(idea).scenes] == [name]


def test_every_place_word_names_a_place_with_a_template() -> None:
    assert not {noun for noun in PLACE_SYNONYMS.values() if noun not in PLACES}
    assert all(place.description and place.sound for place in PLACES.values())


@pytest.mark.parametrize(("idea", "noun"), EN_NOT_PLACES)
def test_english_non_place_word_is_no_place(idea: str, noun: str) -> None:
    scenes = _plan(idea).scenes
    assert len(scenes) == 1 and PLACES[noun].description in scenes[0].description, [
        (s.name, s.description) for s in scenes
    ]


@pytest.mark.parametrize(("idea", "noun"), ZH_NOT_PLACES)
def test_chinese_non_place_word_is_no_place(idea: str, noun: str) -> None:
    scenes = _plan(idea).scenes
    assert len(scenes) == 1 and ZH["places"][noun][0] in scenes[0].description, [
        (s.name, s.description) for s in scenes
    ]


def test_the_stated_wharf_is_not_a_park() -> None:
    plan = _plan("老王穿白衬衫和黑裤子，每天在码头卖鱼")
    assert "码头" in plan.scenes[0].name
    texts = [f"{s.name} {s.location} {s.description}" for s in plan.scenes] + [shot.action for shot in plan.shots]
    assert not [text for text in texts if "公园" in text]


@pytest.mark.parametrize(
    ("idea", "name"),
    [
        ("Her father died in a car crash in Vienna.", "Vienna"),  # the city, not the car
        ("老王坐飞机去北京看女儿。", "北京"),
        ("A taxi driver talks all night with a passenger in his car.", "Car"),  # the car, not the driver's taxi
        ("A nurse and a firefighter meet at a bus stop.", "Bus Stop"),
        ("Two strangers are stuck in a bus during a snowstorm.", "Bus"),  # the only place named
    ],
)
def test_a_place_named_in_passing_is_the_scene_only_when_nothing_else_places_the_story(idea: str, name: str) -> None:
    assert [scene.name for scene in _plan(idea).scenes] == [name]


def test_a_short_place_word_inside_a_longer_word_does_not_move_a_beat() -> None:
    """'bar' is not in 'barely', nor 'mall' in 'small': each beat happens at the place it names."""
    plan = _plan("Tom barely speaks in the small cafe. Later he drinks at the bar.")
    where = [(shot.scene, shot.action) for shot in plan.shots]
    assert [scene for scene, action in where if "barely" in action] == ["Cafe"], where
    assert [scene for scene, action in where if "drinks at the bar" in action] == ["Bar"], where
