"""The caption contract's validator (generator/caption.py) on hand-written captions, and every caption compiled for
6-shot English, Chinese and screenplay projects made end to end passes it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from workspace_helpers import ok

from director.prompt_fit import caption_breaks
from generator.caption import CastMember, SpokenLine, caption_problems
from generator.prompt import MAX_PROMPT_CHARS, ShotCondition, prompt_problems
from tools.base import Toolbox
from workspace.db import Workspace, open_workspace
from workspace.models import ShotCondition as ConditionRow
from workspace.project_view import load_project_state

REPO = Path(__file__).resolve().parents[1]

ANA = CastMember(
    id="ID_A",
    identity="ID_A is a woman in her forties with short grey hair and a round, kind face.",
    clothing="ID_A wears a flour-dusted white apron over a blue shirt.",
    voice="ID_A's voice is a warm, bright alto with a slight northern lilt.",
    speaks=True,
)
BEN = CastMember(
    id="ID_B",
    identity="ID_B is a thin boy of ten with messy black hair.",
    clothing="ID_B wears a red raincoat.",
    voice="ID_B's voice is a high, quick, breathless child's voice.",
    speaks=False,
)
SPEAKING = (
    "ID_A is a woman in her forties with short grey hair and a round, kind face. She has green eyes. ID_A wears a "
    "flour-dusted white apron over a blue shirt. ID_A's voice is a warm, bright alto with a slight northern lilt. "
    "ID_B is a thin boy of ten with messy black hair. ID_B wears a red raincoat. Lip movements are precisely "
    "synchronized with the spoken dialogue. At normal speed, ID_A slides a loaf across the counter and smiles as "
    'ID_B reaches for it. In a warm, teasing tone, ID_A says, "Careful, it is still hot." The visual style is '
    "naturalistic, soft morning light. The camera uses a slow push-in. A tiny bakery at dawn, loaves cooling on "
    "racks. Sound effects include an oven door creaking. No prominent background music. Only the written spoken "
    "dialogue is voiced; no additional human vocalizations are audible. No OCR or readable text appears anywhere "
    "in the frame."
)
SILENT = (
    "ID_B is a thin boy of ten with messy black hair. ID_B wears a red raincoat. At normal speed, ID_B runs along "
    "the harbour wall and stops to watch the boats. A grey harbour in the rain. The background music is a soft "
    "piano. No character speaks in this shot. Only environmental ambience is audible; no human vocal sounds are "
    "present. No OCR or readable text appears anywhere in the frame."
)
MEI = CastMember(
    id="ID_A",
    identity="ID_A是一位三十岁的女面包师，圆脸，黑色短发。",
    clothing="ID_A穿着沾满面粉的白围裙。",
    voice="ID_A的声音是温暖清亮的成年女声，语速平稳。",
    speaks=True,
)
CHINESE = (
    "ID_A是一位三十岁的女面包师，圆脸，黑色短发。ID_A穿着沾满面粉的白围裙。ID_A的声音是温暖清亮的成年女声，语速平稳。"
    "口型与说出的台词精确同步。以正常速度，ID_A把面包放进纸袋，抬头微笑。ID_A平静地说：“面包刚出炉。”画面风格为温暖的自然光。"
    "镜头采用缓慢推近的中景。小面包店，清晨。可以听到烤箱门吱呀作响。没有明显的背景音乐。只有写出的台词被说出，没有其他人声。"
    "画面中任何位置都没有可读的文字。"
)
ANA_LINE = SpokenLine("ID_A", "Careful, it is still hot.")


def problems(caption: str, **changes: object) -> list[str]:
    shot: dict = {
        "caption_language": "en",
        "cast": [ANA, BEN],
        "lines": [ANA_LINE],
        "has_action": True,
        "duration_s": 4.84,
    }
    return caption_problems(caption, **{**shot, **changes})


def test_hand_written_captions_in_the_contract_pass() -> None:
    assert problems(SPEAKING) == []
    assert problems(SILENT, cast=[BEN], lines=[]) == []
    assert problems(CHINESE, caption_language="zh", cast=[MEI], lines=[SpokenLine("ID_A", "面包刚出炉。")]) == []
    people_free = SILENT.replace("ID_B is a thin boy of ten with messy black hair. ID_B wears a red raincoat. ", "")
    assert problems(people_free.replace("ID_B runs", "a gull glides"), cast=[], lines=[]) == []


@pytest.mark.parametrize(
    ("caption", "changes", "problem"),
    [
        (
            "ID_A: Ana is a woman. Voice: warm. Style: naturalistic. Camera: slow push-in. " + SPEAKING,
            {},
            'field labels are not part of the caption ("ID_A:")',
        ),
        (SPEAKING.replace("ID_B wears a red raincoat.", "ID_B wears a red raincoat. ID_B's voice is a high voice."),
         {}, 'ID_B does not speak in this shot, so the caption has no "ID_B\'s voice is " sentence'),
        (SPEAKING.replace(" ID_A's voice is a warm, bright alto with a slight northern lilt.", ""), {},
         'ID_A needs its voice sentence, beginning "ID_A\'s voice is "'),
        (SPEAKING.replace("ID_A wears a flour-dusted", "ID_A wears a spotless"), {},
         "ID_A's clothing sentence is not the card's, word for word"),
        (SPEAKING.replace(" No OCR or readable text appears anywhere in the frame.", ""), {},
         'missing the declaration "No OCR or readable text appears anywhere in the frame."'),
        (SPEAKING + " No character speaks in this shot.", {},
         '"No character speaks in this shot." contradicts the shot'),
        (SPEAKING.replace("In a warm, teasing tone, ID_A says,", "ID_A says,"), {},
         'the line "Careful, it is still hot." must read In …, ID_A says, "…'),
        (SPEAKING.replace("At normal speed, ID_A slides", "ID_A slides"), {},
         'the action must be one sentence beginning "At normal speed, "'),
        (SPEAKING.replace("No prominent background music. ", ""), {},
         "the caption must state the background music (or that there is none)"),
        (SPEAKING.replace("A tiny bakery at dawn", "小面包店，清晨"), {},
         "the prose outside the dialogue must be all English; it is mixed"),
        (SPEAKING + " Rain keeps falling." * 80, {}, "it must stay under 2,000"),
        (SPEAKING, {"duration_s": 1.0}, "over the speech budget of a 1.00 s shot (2: 20 per 10 s)"),
        (SPEAKING.replace(ANA.identity + " ", "").replace("Lip movements", ANA.identity + " Lip movements"), {},
         "the character blocks come first, each whole, before the action (ID_A, then ID_B)"),
        (SPEAKING.replace("ID_A is a woman", "Ana is a woman"), {},
         'ID_A needs its identity sentence, beginning "ID_A is "'),
        (CHINESE.replace("ID_A穿着沾满面粉的白围裙。", "ID_A wears a white apron."),
         {"caption_language": "zh", "cast": [MEI], "lines": [SpokenLine("ID_A", "面包刚出炉。")]},
         "the prose outside the dialogue must be all Chinese; it is mixed"),
    ],
)  # fmt: skip
def test_each_break_of_the_contract_is_named(caption: str, changes: dict, problem: str) -> None:
    found = problems(caption, **changes)
    assert any(problem in text for text in found), found


def test_the_old_labelled_prompt_format_fails_the_contract() -> None:
    old = (
        "ID_A: Ana is a woman in her forties. Voice: A warm alto. ID_B: Ben is a boy. Voice: A high voice. "
        'At normal speed, ID_A slides a loaf across. ID_A says, "Careful, it is still hot." Style: naturalistic. '
        "Camera: slow push-in. Background: a bakery. Sound effects: oven. No background music."
    )
    found = problems(old)
    assert len(found) >= 6 and 'field labels are not part of the caption ("ID_A:")' in found


PROJECTS = {
    "english": "Mara, a retired jazz drummer in her seventies, teaches her shy grandson Leo to play on the rooftop "
    "of her Lisbon apartment before the summer festival",
    "chinese": "小美是一位面包师，她在黎明时分的小面包店里烤面包，她的邻居老王来买面包",
    "screenplay": "INT. TEA HOUSE - MORNING\n\nSteam rises from a row of clay teapots. LIN MEI, a tea-house owner in "
    "her fifties, wipes the counter.\n\nJUNE\n(70s, yellow raincoat)\nIs the window table free?\n\nLIN MEI\nFor "
    "you, always.\n\nJune sits by the window and opens a letter.\n\nEXT. HARBOUR - DUSK\n\nGulls circle the empty "
    "pier. June and Lin Mei stand at the railing.\n\nJUNE\nHe said he would come back on the last ferry.\n\n"
    "LIN MEI\nThen we wait for the last ferry.\n",
}


@pytest.mark.parametrize(
    "kind",
    [
        "chinese",
        "english",
        # the screenplay path shares the English forms; it runs with `make test-slow` (18 s)
        pytest.param("screenplay", marks=pytest.mark.slow),
    ],
)
def test_every_compiled_caption_of_a_made_film_passes_the_contract(tmp_path: Path, kind: str) -> None:
    home = tmp_path / "home"
    command = [sys.executable, "-m", "director.cli", "--home", str(home), "--width", "64", "--height", "64"]
    done = subprocess.run(
        [*command, "make", PROJECTS[kind], "--shots", "6", "--yes"], cwd=REPO, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    workspace = open_workspace(home)
    try:
        with workspace.read_session() as session:
            rows = session.query(ConditionRow).all()
    finally:
        workspace.close()
    assert len(rows) >= 6
    for row in rows:
        fields = {name: value for name, value in row.fields.items() if name in ShotCondition.model_fields}
        condition = ShotCondition.model_validate(fields)
        assert len(row.prompt) <= MAX_PROMPT_CHARS
        assert prompt_problems(row.prompt, condition) == [], row.prompt
        if kind == "chinese":
            assert condition.language == "zh" and row.prompt.startswith("ID_A是"), row.prompt
            assert not re.search(r"[.!?,]|” ", row.prompt), "Chinese punctuation, no spaces between sentences"


def test_a_card_edit_that_would_break_the_captions_is_caught_before_it_is_saved(
    toolbox: Toolbox, workspace: Workspace
) -> None:
    pid = ok(toolbox, "create_project", title="面包店", language="zh")["project_id"]
    ok(toolbox, "write_story", project_id=pid, title="面包店", description="小美在烤面包。")
    ok(toolbox, "add_character", project_id=pid, name="小美", identity="小美是一位三十岁的女面包师，黑色短发。",
       clothing="白围裙", voice="温暖清亮的成年女声")  # fmt: skip
    ok(toolbox, "add_scene", project_id=pid, name="面包店", time_of_day="清晨")
    shot = {"scene_id": "S1", "characters": ["ID_A"], "action": "小美揉面团。", "num_frames": 49,
            "dialogue": [{"speaker": "ID_A", "text": "快好了。"}], "camera": "中景", "music": "无"}  # fmt: skip
    ok(toolbox, "set_shot_plan", project_id=pid, shots=[shot])
    project = load_project_state(workspace, pid)
    mei = project.character("ID_A")
    assert caption_breaks(project, [1]) == {}
    chinese = {"ID_A": mei.model_copy(update={"clothing": "红色围巾和白围裙"})}
    assert caption_breaks(project, [1], chinese) == {}
    english = {"ID_A": mei.model_copy(update={"clothing": "a red scarf"})}
    assert caption_breaks(project, [1], english) == {
        1: "in a Chinese caption every field is written in Chinese; these are not: ID_A clothing"
    }
