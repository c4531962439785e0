"""The preview reads the cues of Chinese cards, scenes and shots as it reads English ones: a woman's or a man's
voice, a child's pitch, white hair, rain and night, a cat, from the words the offline planner writes for a
Chinese story (director/offline/words.json, "zh")."""

from __future__ import annotations

import numpy as np

from generator.preview.camera import parse_camera
from generator.preview.figures import HAIR_COLORS, read_look
from generator.preview.scene import choose_lighting, choose_setting, scene_text
from generator.preview.sound import ambience, music_bed
from generator.preview.speech import FEMALE_VARIANTS, MALE_VARIANTS, voice_for_character
from generator.types import CharacterInShot, SceneInShot

WOMAN = CharacterInShot(
    id="ID_A",
    name="小美",
    identity="小美是一位女面包师，将近五十岁的女人，身材苗条，圆脸，神情和善，黑色长直发。",
    appearance="深棕色的眼睛，一双闲不住的手。",
    clothing="沾满面粉的白围裙和卷起袖子的衬衫",
    voice="平稳、厚实的成年女声，语速偏快",
)
MAN = CharacterInShot(
    id="ID_B",
    name="老王",
    identity="老王是小美的邻居，四十出头的男人，肩膀宽阔，方下巴，眼窝略深，利落的黑色短发。",
    appearance="黑色的眼睛，下巴上有一道小疤。",
    clothing="藏青色的呢子大衣和米色毛衣",
    voice="低沉、沙哑的成年男声，语速舒缓",
)
CHILD = CharacterInShot(
    id="ID_A",
    name="小雨",
    identity="小雨是小美的女儿，八岁的女孩，身形瘦小灵活。",
    voice="清脆、轻快的女童声，语速平稳",
)
GRANDMA = CharacterInShot(
    id="ID_A", name="王奶奶", identity="王奶奶是一位七十多岁的老年女人，脸上布满皱纹，挽成发髻的白发。", voice=""
)
CAT = CharacterInShot(id="ID_B", name="豆豆", identity="豆豆是小美的猫，毛色姜黄。", voice="尖细、好奇的叫声")


def test_chinese_cards_get_female_and_male_voices() -> None:
    assert voice_for_character(WOMAN).variant in FEMALE_VARIANTS
    assert voice_for_character(MAN).variant in MALE_VARIANTS
    woman_without_voice = voice_for_character(WOMAN.model_copy(update={"voice": ""}))
    assert woman_without_voice.variant in FEMALE_VARIANTS  # the identity says 女 when the voice says nothing


def test_a_chinese_child_gets_a_child_pitch_and_an_old_woman_a_slower_voice() -> None:
    adult = voice_for_character(CHILD.model_copy(update={"identity": "小雨是一位女人。", "voice": "清脆的女声"}))
    child = voice_for_character(CHILD)
    assert child.pitch >= adult.pitch + 20 and child.rate > adult.rate
    assert voice_for_character(GRANDMA).rate < 165


def test_pitch_and_pace_words_are_read() -> None:
    deep = voice_for_character(MAN)
    bright = voice_for_character(MAN.model_copy(update={"voice": "明亮的成年男声，语速偏快"}))
    assert deep.pitch < bright.pitch and deep.rate < bright.rate


def test_chinese_cards_draw_hair_build_clothes_and_size() -> None:
    assert read_look(GRANDMA).hair == HAIR_COLORS["white"]
    assert read_look(WOMAN).hair == HAIR_COLORS["black"] and read_look(WOMAN).long_hair
    assert read_look(WOMAN).width < read_look(MAN).width  # 苗条 against 肩膀宽阔
    man = read_look(MAN)
    assert (man.top, man.bottom) == ((30, 40, 90), (215, 200, 170))  # 藏青 (navy) and 米色 (beige)
    assert read_look(WOMAN).top == (235, 235, 235)  # the white apron, not pink: 粉 of 面粉 is flour
    assert read_look(CHILD).height < read_look(WOMAN).height


def test_a_chinese_cat_card_draws_a_cat() -> None:
    look = read_look(CAT)
    assert look.creature is not None and look.creature.species == "cat"


def test_a_chinese_scene_with_rain_at_night_gets_night_light_and_rain() -> None:
    scene = SceneInShot(
        id="S1", name="森林", description="外景森林，夜晚：高大的树木之间洒下斑驳的光，细雨不停地落下。"
    )
    text = scene_text(scene)
    assert choose_lighting(text).name == "night"
    assert choose_setting(text) == ("forest", False)
    assert choose_lighting("面包店 雨中的小面包店").name == "overcast"
    assert choose_lighting("面包店 清晨").name == "dawn"
    assert choose_setting("面包店 摆满刚出炉面包的小面包店") == ("counter", True)
    _, names = ambience("细雨不停地落下，树叶沙沙作响，远处有鸟鸣。", 800, 8000, np.random.default_rng(0))
    assert {"雨", "鸟"} <= set(names)


def test_chinese_camera_and_music_words_are_read() -> None:
    assert parse_camera("从左到右缓慢摇镜", (0.4, 0.5), (0.5, 0.5)).description == "wide pan right"
    assert parse_camera("浅景深特写", (0.4, 0.5), (0.5, 0.5)).description == "close-up static"
    assert parse_camera("缓慢拉远，展现周围环境", (0.4, 0.5), (0.5, 0.5)).description == "wide pull out"
    assert music_bed("无", 800, 8000)[1] == "none"
    assert music_bed("轻柔的钢琴旋律。", 800, 8000)[1] == music_bed("gentle piano melody", 800, 8000)[1]
