"""Non-human figures for the preview: which kind of being a card describes (robot, ghost, four-legged animal,
dragon) and how each is drawn, in the same flat style as the people.

Like a person, a creature's body is painted once into the backdrop and its face (eyes, mouth or a robot's speaker
glow) is drawn into the small per-frame patches, so the mouth still follows the speech envelope.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

RGB = tuple[int, int, int]

# One species lexicon, shared with the offline planner's cards: each species' words, its kind and the figure drawn
# for it. The kind is read from the start of the identity sentence, before "with ..."/"who ..."/"and ...", so "a
# fisherman with his dog" stays a person while "Pip is Mira's black cat: ..." is a cat.
SPECIES_LEXICON: dict[str, dict] = json.loads(Path(__file__).with_name("species.json").read_text(encoding="utf-8"))
_SPECIES: dict[str, tuple[str, str]] = {  # word -> (kind, species drawn)
    word: (entry["kind"], entry["drawn"]) for entry in SPECIES_LEXICON.values() for word in entry["words"]
}
_HUMAN_WORDS = (
    "man|woman|men|women|boy|girl|child|kid|person|lady|gentleman|teen|teenager|baby|toddler|human|"
    "女孩|男孩|女人|男人|老人|孩子|姑娘|少年|少女|奶奶|爷爷|先生|女士"
)
_KIND_WORD = re.compile(
    r"(?<![a-z])(" + "|".join(sorted([*_SPECIES, *_HUMAN_WORDS.split("|")], key=len, reverse=True)) + r")(?![a-z])"
)
_CLAUSE_END = re.compile(r"\b(?:with|who|holding|carrying|beside|and|owns|whose)\b|带着|和|与|抱着|牵着")
_SCALE = {"robot": 0.78, "ghost": 0.95, "dragon": 1.2, "cat": 0.34, "fox": 0.38, "rabbit": 0.3, "mouse": 0.24}
_SCALE |= {"dog": 0.44, "wolf": 0.5, "bear": 0.72, "horse": 0.95}
DEFAULT_COATS: dict[str, tuple[RGB, ...]] = {
    "robot": ((185, 190, 195), (184, 115, 51), (200, 170, 60), (90, 120, 150)),
    "ghost": ((225, 235, 245), (205, 225, 235)),
    "dragon": ((40, 140, 80), (170, 45, 40), (60, 90, 160)),
    "cat": ((215, 130, 50), (60, 60, 65), (150, 150, 155), (235, 235, 230)),
    "dog": ((150, 105, 60), (215, 180, 110), (60, 55, 55)),
    "fox": ((215, 100, 35),),
    "wolf": ((130, 130, 135), (90, 90, 95)),
    "rabbit": ((150, 150, 155), (235, 230, 225), (160, 120, 85)),
    "mouse": ((140, 110, 85), (150, 150, 155)),
    "bear": ((110, 75, 45), (60, 45, 35)),
    "horse": ((140, 85, 45), (235, 235, 235), (60, 45, 35)),
}
EYE_COLORS = {"cat": (150, 200, 60), "fox": (220, 150, 40), "wolf": (230, 200, 80), "dragon": (240, 170, 30)}
GHOST_OPACITY = 150  # of 255: the backdrop shows through a ghost


@dataclass(frozen=True)
class Creature:
    """A non-human figure: its kind ("robot", "ghost", "animal", "dragon"), species, colours and eyes."""

    kind: str
    species: str
    coat: RGB
    glow: RGB  # a robot's eye and voice light; the iris colour of an animal or a dragon
    one_eye: bool = False


def creature_word(identity: str) -> tuple[str, str] | None:
    """(kind, species) when the identity sentence describes a non-human being, None for a person."""
    text = identity.lower()
    cut = _CLAUSE_END.search(text, 1)
    first = _KIND_WORD.search(text[: cut.start()] if cut else text)
    return None if first is None else _SPECIES.get(first[1])


def scale_of(species: str) -> float:
    """Standing height relative to an adult person."""
    return _SCALE[species]


def head_box(creature: Creature, cx: float, feet: float, height: float, facing: int) -> tuple[int, int, int, int]:
    """The face region (world pixels) whose patches change per frame."""
    ahead = facing or 1
    if creature.kind == "robot":
        width, tall, top = height * 0.4, height * 0.3, feet - height * 0.9
        left = cx - width / 2
    elif creature.kind == "ghost":
        width, tall, top = height * 0.3, height * 0.28, feet - height * 1.04
        left = cx - width / 2
    elif creature.kind == "dragon":
        width = tall = height * 0.24
        left, top = cx + ahead * height * 0.1 - width / 2, feet - height * 0.92
    else:
        width = tall = height * 0.46
        left, top = cx + ahead * height * 0.5 - width / 2, feet - height * 0.86
    return round(left), round(top), round(left + width), round(top + tall)


def paint_creature(
    image: Image.Image,
    creature: Creature,
    cx: float,
    feet: float,
    height: float,
    box: tuple[int, int, int, int],
    facing: int,
) -> None:
    """The body (everything but the face's eyes and mouth) onto the backdrop."""
    if creature.kind == "ghost":
        layer = Image.new("RGB", image.size)
        mask = Image.new("L", image.size, 0)
        _paint_ghost(ImageDraw.Draw(layer), ImageDraw.Draw(mask), creature, cx, feet, height, box)
        image.paste(layer, (0, 0), mask)
        return
    draw = ImageDraw.Draw(image)
    if creature.kind == "robot":
        _paint_robot(draw, creature, cx, feet, height, box)
    elif creature.kind == "dragon":
        _paint_dragon(draw, creature, cx, feet, height, box, facing or 1)
    else:
        _paint_animal(draw, creature, cx, feet, height, box, facing or 1)


def _shade(colour: RGB, factor: float) -> RGB:
    return tuple(max(0, min(255, round(v * factor + (255 - v) * max(0.0, factor - 1)))) for v in colour)  # type: ignore[return-value]


def _paint_robot(draw: ImageDraw.ImageDraw, creature: Creature, cx: float, feet: float, height: float, box) -> None:
    left, top, right, bottom = box
    metal, dark = creature.coat, _shade(creature.coat, 0.6)
    draw.line((cx, top, cx, top - height * 0.08), fill=dark, width=max(1, round(height * 0.015)))
    tip = height * 0.03
    draw.ellipse((cx - tip, top - height * 0.08 - tip, cx + tip, top - height * 0.08 + tip), fill=creature.glow)
    torso_top, torso_bottom = bottom + height * 0.03, feet - height * 0.16
    half = height * 0.24
    for side in (-1, 1):  # jointed arms with round claws
        shoulder, elbow = (
            (cx + side * half, torso_top + height * 0.06),
            (cx + side * half * 1.35, torso_top + height * 0.2),
        )
        hand = (cx + side * half * 1.3, torso_top + height * 0.34)
        draw.line((*shoulder, *elbow, *hand), fill=dark, width=max(2, round(height * 0.03)), joint="curve")
        claw = height * 0.035
        draw.ellipse((hand[0] - claw, hand[1] - claw, hand[0] + claw, hand[1] + claw), fill=metal)
    draw.rectangle((cx - height * 0.05, bottom - 1, cx + height * 0.05, torso_top + 1), fill=dark)
    draw.rounded_rectangle(
        (cx - half, torso_top, cx + half, torso_bottom), radius=max(1, round(height * 0.03)), fill=metal
    )
    panel = height * 0.09
    draw.rectangle((cx - panel, torso_top + panel * 0.6, cx + panel, torso_top + panel * 1.6), fill=dark)
    draw.ellipse(
        (cx - panel * 0.3, torso_top + panel * 0.8, cx + panel * 0.3, torso_top + panel * 1.4), fill=creature.glow
    )
    draw.rounded_rectangle(  # tracks
        (cx - half * 1.05, torso_bottom, cx + half * 1.05, feet), radius=max(1, round(height * 0.06)), fill=(45, 45, 50)
    )
    for step in range(5):
        x = cx - half * 0.8 + step * half * 0.4
        draw.ellipse((x - height * 0.03, feet - height * 0.11, x + height * 0.03, feet - height * 0.05), fill=dark)
    draw.rounded_rectangle(box, radius=max(1, round((bottom - top) * 0.15)), fill=metal)
    inset = (right - left) * 0.1
    draw.rounded_rectangle(  # the visor the eyes and speaker light sit on
        (left + inset, top + inset, right - inset, bottom - inset), radius=max(1, round(inset)), fill=(30, 35, 45)
    )


def _paint_ghost(
    draw: ImageDraw.ImageDraw, mask: ImageDraw.ImageDraw, creature: Creature, cx: float, feet: float, height: float, box
) -> None:
    left, top, right, bottom = box
    hem = feet - height * 0.06
    half = (right - left) * 0.72
    waves = 4
    outline = [
        (cx - (right - left) * 0.5, top + (bottom - top) * 0.5),
        (cx + (right - left) * 0.5, top + (bottom - top) * 0.5),
    ]
    outline += [(cx + half, hem)]
    for step in range(1, waves * 2):
        x = cx + half - step * half / waves
        outline.append((x, hem - (height * 0.05 if step % 2 else 0)))
    outline.append((cx - half, hem))
    arms = [
        (cx - half * 0.7, bottom + height * 0.05, cx - half * 1.25, bottom + height * 0.2),
        (cx + half * 0.7, bottom + height * 0.05, cx + half * 1.25, bottom + height * 0.2),
    ]
    for target, fill in ((draw, creature.coat), (mask, GHOST_OPACITY)):
        target.polygon(outline, fill=fill)
        target.ellipse((left, top, right, bottom + (bottom - top) * 0.2), fill=fill)
        for x0, y0, x1, y1 in arms:
            target.line((x0, y0, x1, y1), fill=fill, width=max(2, round(height * 0.05)))


def _paint_animal(
    draw: ImageDraw.ImageDraw, creature: Creature, cx: float, feet: float, height: float, box, ahead: int
) -> None:
    left, top, right, bottom = box
    coat, dark = creature.coat, _shade(creature.coat, 0.7)
    head = right - left
    legs = height * (0.42 if creature.species == "horse" else 0.26)
    body_top, body_bottom = feet - legs - height * 0.3, feet - legs + height * 0.06
    length = height * (0.62 if creature.species == "horse" else 0.55)
    tail_x = cx - ahead * length
    if creature.species in ("cat", "fox", "wolf", "mouse", "dog", "horse"):
        bushy = creature.species in ("fox", "wolf")
        width = max(2, round(height * (0.12 if bushy else 0.05)))
        draw.line(
            (tail_x, body_top + height * 0.1, tail_x - ahead * height * 0.18, body_top - height * 0.12,
             tail_x - ahead * height * 0.12, body_top - height * 0.3),
            fill=coat, width=width, joint="curve",
        )  # fmt: skip
    elif creature.species == "rabbit":
        puff = height * 0.08
        draw.ellipse((tail_x - puff, body_top - puff * 0.5, tail_x + puff, body_top + puff * 1.5), fill=(240, 240, 235))
    leg_w = height * 0.08
    for offset in (-0.75, -0.45, 0.45, 0.75):
        x = cx + offset * length * ahead
        draw.rectangle(
            (x - leg_w / 2, body_bottom - height * 0.05, x + leg_w / 2, feet), fill=dark if offset < 0 else coat
        )
    draw.ellipse((cx - length, body_top, cx + length, body_bottom), fill=coat)
    ear = head * 0.32
    for side in (-1, 1):
        ex = (left + right) / 2 + side * head * 0.28
        if creature.species == "rabbit":
            draw.ellipse((ex - ear * 0.35, top - ear * 2.2, ex + ear * 0.35, top + ear * 0.4), fill=coat)
        elif creature.species in ("bear", "mouse"):
            draw.ellipse((ex - ear * 0.6, top - ear * 0.5, ex + ear * 0.6, top + ear * 0.7), fill=dark)
        elif creature.species == "dog":
            draw.ellipse(
                (ex + side * ear * 0.2 - ear * 0.4, top, ex + side * ear * 0.2 + ear * 0.4, top + ear * 2), fill=dark
            )
        else:
            draw.polygon(
                [
                    (ex - ear * 0.55, top + ear * 0.5),
                    (ex + ear * 0.55, top + ear * 0.5),
                    (ex + side * ear * 0.2, top - ear),
                ],
                fill=coat,
            )
    if creature.species == "dog":
        draw.ellipse(box, fill=coat)
        for side in (-1, 1):  # floppy ears hang over the head
            ex = (left + right) / 2 + side * head * 0.42
            draw.ellipse((ex - ear * 0.4, top + head * 0.05, ex + ear * 0.4, top + head * 0.05 + ear * 2), fill=dark)
    else:
        draw.ellipse(box, fill=coat)
    draw.ellipse(  # muzzle
        (left + head * 0.28, top + head * 0.55, right - head * 0.28, bottom - head * 0.02), fill=_shade(coat, 1.25)
    )


def _paint_dragon(
    draw: ImageDraw.ImageDraw, creature: Creature, cx: float, feet: float, height: float, box, ahead: int
) -> None:
    left, top, right, bottom = box
    scales, dark = creature.coat, _shade(creature.coat, 0.65)
    shoulder_y = feet - height * 0.62
    for side in (-1, 1):  # bat wings behind the body
        root = (cx + side * height * 0.12, shoulder_y)
        wing = [(0.38, -0.28), (0.62, -0.12), (0.5, 0.02), (0.42, 0.18), (0.3, 0.12), (0.2, 0.26)]
        draw.polygon([root, *((cx + side * height * x, shoulder_y + height * y) for x, y in wing)], fill=dark)
    tail = cx - ahead * height * 0.15
    draw.polygon(
        [
            (tail, feet - height * 0.2),
            (tail - ahead * height * 0.45, feet - height * 0.02),
            (tail, feet - height * 0.04),
        ],
        fill=scales,
    )
    half = height * 0.2
    for side in (-1, 1):
        draw.rectangle(
            (cx + side * half * 0.6 - half * 0.25, feet - height * 0.15, cx + side * half * 0.6 + half * 0.25, feet),
            fill=dark,
        )
    draw.ellipse((cx - half, shoulder_y - height * 0.04, cx + half, feet - height * 0.06), fill=scales)
    draw.ellipse(
        (cx - half * 0.55, shoulder_y + height * 0.1, cx + half * 0.55, feet - height * 0.1), fill=(230, 205, 140)
    )
    neck = (right - left) * 0.28
    hx = (left + right) / 2
    draw.polygon(
        [
            (hx - neck, bottom - 2),
            (hx + neck, bottom - 2),
            (cx + half * 0.5, shoulder_y + 4),
            (cx - half * 0.5, shoulder_y + 4),
        ],
        fill=scales,
    )
    horn = (bottom - top) * 0.35
    for side in (-1, 1):
        hx0 = hx + side * (right - left) * 0.25
        draw.polygon(
            [
                (hx0 - horn * 0.25, top + horn * 0.3),
                (hx0 + horn * 0.25, top + horn * 0.3),
                (hx0 + side * horn * 0.3, top - horn),
            ],
            fill=(235, 225, 200),
        )
    draw.ellipse(box, fill=scales)


def draw_creature_face(
    draw: ImageDraw.ImageDraw, creature: Creature, size: tuple[int, int], level: int, blink: bool, facing: int
) -> None:
    """Eyes and mouth into a face patch; `level` 0..MOUTH_LEVELS-1 is how far the mouth (a robot's light) opens."""
    width, height = size
    look = 0.06 * width * facing
    eye_y, eye_dx, eye_r = height * 0.4, width * 0.2, max(1.5, width * 0.08)
    eyes = [width / 2 + look] if creature.one_eye else [width / 2 + side * eye_dx + look for side in (-1, 1)]
    if creature.kind == "robot":
        for ex in eyes:
            r = eye_r * (1.5 if creature.one_eye else 1.0)
            if blink:
                draw.line((ex - r, eye_y, ex + r, eye_y), fill=_shade(creature.glow, 0.5), width=max(1, round(r / 2)))
            else:
                draw.ellipse((ex - r, eye_y - r, ex + r, eye_y + r), fill=creature.glow)
        bar_w, bar_y = width * 0.46, height * 0.72
        bar_h = max(1.0, height * 0.035 * (1 + level))
        lit = _shade(creature.glow, 0.35 + 0.16 * level) if level else (70, 75, 85)
        draw.rectangle((width / 2 - bar_w / 2, bar_y - bar_h / 2, width / 2 + bar_w / 2, bar_y + bar_h / 2), fill=lit)
        return
    dark = (40, 30, 45) if creature.kind == "ghost" else (60, 25, 25)
    for ex in eyes:
        if blink:
            draw.line((ex - eye_r, eye_y, ex + eye_r, eye_y), fill=dark, width=max(1, round(eye_r / 2)))
        elif creature.kind == "ghost":
            draw.ellipse((ex - eye_r, eye_y - eye_r * 1.3, ex + eye_r, eye_y + eye_r * 1.3), fill=dark)
        else:
            draw.ellipse((ex - eye_r, eye_y - eye_r, ex + eye_r, eye_y + eye_r), fill=creature.glow)
            slit = eye_r * (0.3 if creature.species in ("cat", "dragon", "fox") else 0.6)
            px = ex + look * 0.4
            draw.ellipse((px - slit, eye_y - eye_r * 0.85, px + slit, eye_y + eye_r * 0.85), fill=(20, 20, 25))
    mouth_x, mouth_y = width / 2 + look * 0.5, height * 0.8
    if creature.kind == "animal":
        nose = width * 0.07
        draw.polygon(
            [(mouth_x - nose, height * 0.64), (mouth_x + nose, height * 0.64), (mouth_x, height * 0.7)],
            fill=(30, 25, 25),
        )
    mouth_w = width * (0.22 if creature.kind == "ghost" else 0.3)
    if level == 0:
        draw.line(
            (mouth_x - mouth_w / 2, mouth_y, mouth_x + mouth_w / 2, mouth_y),
            fill=dark,
            width=max(1, round(height * 0.03)),
        )
        return
    open_h = height * 0.04 * level
    draw.ellipse(
        (mouth_x - mouth_w / 2, mouth_y - open_h / 2 - 1, mouth_x + mouth_w / 2, mouth_y + open_h / 2 + 1), fill=dark
    )
