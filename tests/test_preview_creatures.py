"""Non-human characters in the preview: the kind read from the card, how each kind is drawn, lip-sync."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from preview_helpers import MARA, motion, mouth_region, shot_request

from generator.preview.camera import world_size
from generator.preview.creatures import creature_word
from generator.preview.figures import COLORS, paint_bodies, place_figures, read_look
from generator.preview.renderer import PreviewGenerator
from generator.types import CharacterInShot

SAGE = CharacterInShot(
    id="ID_A",
    name="Sage",
    identity="Sage is a robot: a small boxy machine with a dented silver shell and one glowing blue eye.",
    appearance="Thin jointed arms and a faint whirr when it moves.",
    voice="a chirpy synthetic voice",
)
PIP = CharacterInShot(
    id="ID_B",
    name="Pip",
    identity="Pip is a ghost: a pale, translucent figure in an old-fashioned nightgown, drifting above the floor.",
    voice="a faint, echoing voice",
)


@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        (SAGE.identity, ("robot", "robot")),
        (PIP.identity, ("ghost", "ghost")),
        ("Pip is Mira's black cat: scruffy black fur, one torn ear and a long twitching tail.", ("animal", "cat")),
        ("Ember is a dragon: emerald scales from snout to tail and folded leathery wings.", ("dragon", "dragon")),
        ("小明是一个机器人，银色的外壳", ("robot", "robot")),
        ("一个白色的幽灵", ("ghost", "ghost")),
        ("阿黄是一只黄色的狗", ("animal", "dog")),
        ("一条古老的龙", ("dragon", "dragon")),
        ("Tom is an old fisherman, lean, with his loyal dog.", None),
        ("A woman who repairs robots", None),
        (MARA.identity, None),
    ],
)
def test_the_kind_of_being_comes_from_the_identity(identity: str, expected: tuple[str, str] | None) -> None:
    assert creature_word(identity) == expected


def test_creature_colours_come_from_the_card() -> None:
    robot, ghost = read_look(SAGE), read_look(PIP)
    assert robot.creature is not None and robot.creature.coat == COLORS["silver"] and robot.creature.one_eye
    assert robot.creature.glow == COLORS["blue"]
    cat = read_look(SAGE.model_copy(update={"identity": "Pip is Mira's black cat: scruffy black fur."}))
    assert cat.creature is not None and cat.creature.coat == COLORS["black"] and cat.height < robot.height
    dog = read_look(SAGE.model_copy(update={"identity": "阿黄是一只棕色的狗"}))
    assert dog.creature is not None and dog.creature.coat == COLORS["brown"]
    assert ghost.creature is not None and read_look(MARA).creature is None
    assert read_look(SAGE) == robot  # deterministic per character


def _painted(card: CharacterInShot, background: tuple[int, int, int]) -> tuple[np.ndarray, tuple[int, ...]]:
    figures = place_figures([card], 320, 192)
    image = Image.new("RGB", (320, 192), background)
    paint_bodies(image, figures, 192)
    return np.asarray(image), figures[0].head_box


def test_a_ghost_lets_the_background_show_through_and_a_person_does_not() -> None:
    for card, see_through in ((PIP, True), (MARA, False)):
        on_black, box = _painted(card, (0, 0, 0))
        on_white, _ = _painted(card, (255, 255, 255))
        body = (box[3] + 12, round((box[0] + box[2]) / 2))  # just below the head, on the body
        black, white = on_black[body].astype(int), on_white[body].astype(int)
        assert black.sum() > 0 and white.sum() < 765  # something is painted there
        assert (np.abs(white - black).max() > 60) == see_through


def test_a_robot_head_has_no_skin() -> None:
    for card, has_skin in ((SAGE, False), (MARA, True)):
        pixels, (left, top, right, bottom) = _painted(card, (0, 90, 0))
        skin = np.asarray(read_look(card).skin)
        head = pixels[top:bottom, left:right].reshape(-1, 3).astype(int)
        assert (
            (np.abs(head - skin).max(axis=1) < 12).mean() > 0.3
            if has_skin
            else not (np.abs(head - skin).max(axis=1) < 40).any()
        )


def test_robot_glow_and_ghost_mouth_move_only_while_they_speak(tmp_path: Path) -> None:
    request = shot_request(characters=[SAGE, PIP], camera="static wide")
    shot = PreviewGenerator().generate(request, [], out_dir=tmp_path / "shot")
    first, second = shot.dialogue_timings
    figures = place_figures(request.characters, *world_size(request.width, request.height))
    robot_mouth, ghost_mouth = (mouth_region(figure, request.width, request.height) for figure in figures)
    during_robot = shot.frames[int(first.start_s * 25) + 2 : int(first.end_s * 25) - 2]
    during_ghost = shot.frames[int(second.start_s * 25) + 2 : int(second.end_s * 25) - 2]
    assert motion(during_robot, robot_mouth) > 0.2 and motion(during_robot, ghost_mouth) == 0
    assert motion(during_ghost, ghost_mouth) > 0.2 and motion(during_ghost, robot_mouth) == 0
    human = PreviewGenerator().generate(shot_request(camera="static wide"), [], out_dir=tmp_path / "human")
    assert np.abs(human.frames[0].astype(int) - shot.frames[0].astype(int)).mean() > 5
