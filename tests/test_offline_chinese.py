"""A Chinese idea gives an all-Chinese film from the offline planner: the names the creator stated are kept
verbatim in the story, the cards and the shot actions (none invented in their place), every prose field of the
cards, scenes and shots is Chinese (the caption contract forbids mixed prose), stated gender and age are kept,
and the cards of one story differ from each other."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from test_offline_fidelity import BAKERY

from director.briefs import CardBrief, ProjectBrief, StoryBrief
from director.offline.planner import OfflinePlanner
from director.prompt_fit import ShotCards, planned_condition
from director.schemas import ShotPlanDraft, StoryDraft
from director.session import DirectorSession
from director.settings import Settings
from generator.preview.creatures import creature_word
from generator.prompt import compose_prompt, prompt_problems
from workspace.project_view import load_project_state

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


SCREENPLAY = BAKERY


@pytest.mark.parametrize("shots", [4, 6])
def test_a_chinese_screenplay_gives_an_all_chinese_film_with_its_names_and_lines(shots: int) -> None:
    planner = OfflinePlanner()
    story = planner.write_story(SCREENPLAY)
    plan = planner.plan_shots(story, shots)
    assert not [field for field in prose_of(story, plan) if LATIN.search(field)]
    assert [card.name for card in plan.characters] == ["小美", "阿福"]
    assert [scene.time_of_day for scene in plan.scenes] == ["清晨", "黄昏"]
    postman = plan.characters[1]
    assert postman.identity.startswith("阿福是一位老邮差") and postman.clothing == "绿色制服", postman
    lines = [line.text for shot in plan.shots for line in shot.dialogue]
    assert lines == ["今天的第一炉面包。", "闻起来真香！", "明天见，小美。", "明天见。"]


def test_lao_and_a_surname_is_a_man_unless_the_words_say_otherwise() -> None:
    planner = OfflinePlanner()
    for idea in ("老李在河边钓鱼", "小美的邻居老王来买面包", "老赵在公园里散步"):
        plan = planner.plan_shots(planner.write_story(idea), 3)
        lao = next(card for card in plan.characters if card.name.startswith("老"))
        assert "男" in lao.identity and "女" not in lao.identity, lao.identity
    plan = planner.plan_shots(planner.write_story("老王是一位女医生，她在医院里工作"), 3)
    assert "女医生" in plan.characters[0].identity


def test_clothing_stated_in_a_chinese_idea_is_on_the_card() -> None:
    planner = OfflinePlanner()
    plan = planner.plan_shots(planner.write_story("小美穿着红色外套在公园里散步，老王穿着蓝色的棉袄跟着她"), 3)
    clothes = {card.name: card.clothing for card in plan.characters}
    assert clothes == {"小美": "红色外套", "老王": "蓝色的棉袄"}


@pytest.mark.parametrize(
    ("idea", "expected"),
    [
        ("老王穿白衬衫和黑裤子，每天在码头卖鱼", {"老王": "白衬衫和黑裤子"}),
        ("小雨穿着蓝色雨衣、黄色雨靴和红帽子在雨里等车", {"小雨": "蓝色雨衣、黄色雨靴和红帽子"}),
        ("小美穿着红色外套和小明去公园", {"小美": "红色外套"}),  # 和 joins a person here, not a garment
    ],
)
def test_every_garment_joined_by_he_or_a_list_comma_stays_on_the_card(idea: str, expected: dict[str, str]) -> None:
    planner = OfflinePlanner()
    plan = planner.plan_shots(planner.write_story(idea), 3)
    clothes = {card.name: card.clothing for card in plan.characters}
    assert {name: clothes.get(name) for name in expected} == expected


@pytest.mark.parametrize(
    ("idea", "names"),
    [
        ("小美和小明去公园", ["小美", "小明"]),
        ("小美穿着红色外套，和小明一起去公园散步", ["小美", "小明"]),
        ("老张与阿福在码头等船", ["老张", "阿福"]),
        ("老王和大家一起吃饭", ["老王"]),  # 大家 is everyone, not a name
        ("年轻的老王在码头卖鱼", ["老王"]),
        ("老王的小女儿在上学", ["老王", None]),  # the daughter is named by the planner, 老王 stays himself
    ],
)
def test_a_name_after_he_or_yu_is_a_person_of_the_story(idea: str, names: list[str]) -> None:
    planner = OfflinePlanner()
    plan = planner.plan_shots(planner.write_story(idea), 2)
    assert [card.name if card.name in idea else None for card in plan.characters] == names


@pytest.mark.parametrize(
    ("idea", "who", "not_said"),
    [
        ("老师在教室里上课。", "老师", "老年"),  # the 老 of 老师 says no age
        ("老板娘在店里算账。", "老板娘", "老年"),
        ("张小明和朋友老李在河边钓鱼", "老李", "年轻"),  # 老 + a surname is no longer young
        ("老王的小女儿在上学", "小女儿", "老"),
    ],
)
def test_lao_says_an_age_only_before_a_surname(idea: str, who: str, not_said: str) -> None:
    planner = OfflinePlanner()
    identity = next(
        c.identity for c in planner.plan_shots(planner.write_story(idea), 2).characters if who in c.identity
    )
    assert not_said not in identity.split("，", 1)[1], identity


def test_a_chinese_idea_that_names_nobody_follows_a_chinese_traveller() -> None:
    planner = OfflinePlanner()
    (card,) = planner.plan_shots(planner.write_story("雨夜的森林里很安静。"), 2).characters
    assert "旅人" in card.identity and not LATIN.search(card.identity), card.identity


# -- chat edits of a Chinese project: every card sentence they write is Chinese, in the zh card shapes ----------------

BAKER_CARDS = [
    CardBrief(
        char_id="ID_A",
        name="小美",
        identity="小美是一位女面包师，将近五十岁的女人，身材苗条，方下巴，扎成低髻的黑色长发。",
        appearance="深棕色的眼睛，一双闲不住的手。",
        clothing="沾满面粉的白围裙和卷起袖子的衬衫",
        voice="平稳、厚实的成年女声，语速偏快",
    ),
    CardBrief(
        char_id="ID_B",
        name="老王",
        identity="老王是小美的邻居，七十多岁的老年男人，身形瘦小灵活，花白的短发。",
        appearance="褐色的眼睛，笑起来嘴角微微上扬。",
        clothing="灰色羊毛外套和一条长条纹围巾",
        voice="平稳、厚实的苍老男声，语速舒缓",
    ),
]
BAKER_BRIEF = ProjectBrief(
    project_id=1,
    language="zh",
    story=StoryBrief(title="小美与老王", synopsis=BAKER, version=1, confirmed=True),
    characters=BAKER_CARDS,
)


@pytest.mark.parametrize(
    ("message", "card", "field", "value"),
    [
        ("让小美穿红色围巾", "ID_A", "clothing", "沾满面粉的白围裙、卷起袖子的衬衫和红色围巾"),
        ("小美应该穿红色围巾", "ID_A", "clothing", "沾满面粉的白围裙、卷起袖子的衬衫和红色围巾"),
        ("让老王穿红色围巾", "ID_B", "clothing", "灰色羊毛外套和红色围巾"),  # the scarf he had is replaced
        ("让小美戴一副眼镜", "ID_A", "clothing", "沾满面粉的白围裙和卷起袖子的衬衫，戴着一副眼镜"),
        ("把老王的声音改得更低沉", "ID_B", "voice", "低沉的苍老男声，语速舒缓"),
        ("老王的声音应该低沉沙哑", "ID_B", "voice", "低沉、沙哑的苍老男声，语速舒缓"),
        ("老王的头发改成白色", "ID_B", "identity", "老王是小美的邻居，七十多岁的老年男人，身形瘦小灵活，白色的头发。"),
        ("小美的眼睛应该是绿色的", "ID_A", "appearance", "绿色的眼睛，一双闲不住的手。"),
    ],
)
def test_a_card_edit_of_a_chinese_card_is_written_in_chinese(message: str, card: str, field: str, value: str) -> None:
    decision = OfflinePlanner().route(message, BAKER_BRIEF)
    assert decision.intent == "edit_card", decision
    assert [(edit.card, edit.field, edit.value) for edit in decision.card_edits] == [(card, field, value)]


def test_a_gender_change_turns_the_chinese_words_of_the_card() -> None:
    decision = OfflinePlanner().route("老王是女的", BAKER_BRIEF)
    edits = {edit.field: edit.value for edit in decision.card_edits}
    assert edits == {
        "identity": "老王是小美的邻居，七十多岁的老年女人，身形瘦小灵活，花白的短发。",
        "voice": "平稳、厚实的苍老女声，语速舒缓",
    }


@pytest.mark.parametrize(
    ("message", "name", "identity_starts"),
    [
        ("加一个角色：小美的女儿小雨", "小雨", "小雨是小美的女儿，"),
        ("添加一只叫豆豆的狗", "豆豆", "豆豆是一只狗，"),
        ("加一个角色叫阿强，他是个渔夫", "阿强", "阿强是一位渔夫，"),
        ("加一个角色叫阿红，她是个医生", "阿红", "阿红是一位女医生，"),
    ],
)
def test_a_character_added_to_a_chinese_project_gets_a_chinese_card(
    message: str, name: str, identity_starts: str
) -> None:
    decision = OfflinePlanner().route(message, BAKER_BRIEF)
    card = decision.new_character
    assert decision.intent == "add_character" and card is not None and card.name == name, decision
    assert card.identity.startswith(identity_starts), card.identity
    fields = [card.identity, card.appearance, card.clothing, card.voice]
    assert not [text for text in fields if LATIN.search(text)], fields
    assert not card.clothing.startswith("穿着") and not card.clothing.endswith("。")
    assert not card.voice.startswith("声音是") and not card.voice.endswith("。")
    assert card.clothing not in {c.clothing for c in BAKER_CARDS} and card.voice not in {c.voice for c in BAKER_CARDS}


def test_a_chinese_rename_with_a_new_role_rewrites_the_card_in_chinese() -> None:
    decision = OfflinePlanner().route("把老王改成一个叫王师傅的渔夫", BAKER_BRIEF)
    assert (decision.intent, decision.character, decision.new_name) == ("rename_character", "老王", "王师傅")
    assert [(edit.field, edit.value) for edit in decision.card_edits] == [
        ("identity", "王师傅是一位渔夫，七十多岁的老年男人，身形瘦小灵活，花白的短发。")  # the same man, a new role
    ]
    renamed = OfflinePlanner().route("把老王改名为王师傅", BAKER_BRIEF)
    assert (renamed.intent, renamed.new_name, renamed.card_edits) == ("rename_character", "王师傅", [])


CHAT_EDITS = [
    "让小美穿红色围巾",
    "把老王的声音改得更低沉",
    "老王的声音应该低沉沙哑",
    "让小美戴一副眼镜",
    "加一个角色：小美的女儿小雨",
    "添加一只叫豆豆的狗",
    "加一个角色叫阿强，他是个渔夫",
    "把老王改名为王师傅",
    "把王师傅改成一个叫李师傅的渔夫",
]


def test_chat_edits_of_a_chinese_film_save_chinese_cards_and_every_shot_still_compiles(tmp_path: Path) -> None:
    session = DirectorSession(Settings(home=tmp_path / "home", width=64, height=64))
    try:
        for message in [BAKER, "好的", *CHAT_EDITS]:
            events = list(session.send(message))
            assert not [event.text for event in events if event.kind == "error"], (message, events)
            if message == "好的":
                assert load_project_state(session.workspace, session.project_id).shots, events
        project = load_project_state(session.workspace, session.project_id)
    finally:
        session.close()
    cards = {card.name: card for card in project.characters}
    assert set(cards) == {"小美", "李师傅", "小雨", "豆豆", "阿强"}, list(cards)
    for card in cards.values():
        fields = [card.identity, card.appearance, card.clothing, card.voice]
        assert not [text for text in fields if LATIN.search(text.replace(card.name, ""))], fields
    assert "红色围巾" in cards["小美"].clothing and "眼镜" in cards["小美"].clothing
    assert cards["李师傅"].identity.startswith("李师傅是一位渔夫") and "低沉、沙哑" in cards["李师傅"].voice
    shot_cards = ShotCards.of(project)
    for shot in project.shots:
        condition = planned_condition(shot.model_dump(), shot_cards)
        assert prompt_problems(compose_prompt(condition), condition) == [], shot.number
