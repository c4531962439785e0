"""Stylised characters for the preview backend, drawn from their card text (build, skin, hair, clothing colours,
dress, hat, glasses, beard), with the card's reference image as the face when there is one.

The body is painted once into the backdrop; the face (eyes and mouth) is pre-rendered as a small set of
patches, one per mouth opening and blink state, so a frame only pastes a patch per character.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from generator.preview.creatures import (
    DEFAULT_COATS,
    EYE_COLORS,
    Creature,
    creature_word,
    draw_creature_face,
    head_box,
    paint_creature,
    scale_of,
)
from generator.preview.scene import FEET_LINE, Backdrop
from generator.types import CharacterInShot

MOUTH_LEVELS = 5  # 0 closed .. 4 wide open
FIGURE_HEIGHT = 0.5  # of the world height, for an adult of average build

RGB = tuple[int, int, int]
COLORS: dict[str, RGB] = {
    "red": (190, 40, 40),
    "crimson": (160, 20, 45),
    "maroon": (110, 30, 40),
    "orange": (230, 130, 40),
    "yellow": (235, 205, 60),
    "mustard": (200, 165, 50),
    "gold": (215, 175, 60),
    "golden": (215, 175, 60),
    "green": (60, 140, 70),
    "olive": (110, 115, 55),
    "teal": (30, 130, 130),
    "turquoise": (60, 190, 190),
    "blue": (50, 90, 180),
    "navy": (30, 40, 90),
    "denim": (70, 100, 150),
    "purple": (110, 60, 150),
    "violet": (140, 90, 190),
    "pink": (230, 140, 170),
    "magenta": (200, 50, 150),
    "brown": (110, 75, 45),
    "tan": (195, 160, 115),
    "beige": (215, 200, 170),
    "khaki": (185, 170, 120),
    "cream": (240, 230, 205),
    "white": (235, 235, 235),
    "grey": (130, 130, 135),
    "gray": (130, 130, 135),
    "silver": (185, 190, 195),
    "black": (35, 35, 40),
    "charcoal": (60, 62, 66),
    "emerald": (40, 140, 80),
    "copper": (184, 115, 51),
    "bronze": (160, 110, 55),
    "ginger": (215, 130, 50),
    "scarlet": (200, 35, 35),
    "ivory": (240, 235, 215),
}
_ZH_COLORS = {"黑": "black", "白": "white", "棕": "brown", "红": "red", "灰": "grey", "金": "gold", "银": "silver"}
_ZH_COLORS |= {"绿": "green", "蓝": "blue", "黄": "yellow", "橙": "orange", "紫": "purple", "粉": "pink"}
# Garment colours as the Chinese cards write them ('藏青色的呢子大衣'), longest first so 藏青 is navy, not blue;
# pink only as 粉色/粉红 (粉 alone is flour: '沾满面粉的白围裙').
_ZH_CLOTHING_COLORS = {"黑": "black", "白": "white", "棕": "brown", "红": "red", "灰": "grey", "金": "gold"}
_ZH_CLOTHING_COLORS |= {"银": "silver", "绿": "green", "蓝": "blue", "黄": "yellow", "橙": "orange", "紫": "purple"}
_ZH_CLOTHING_COLORS |= {"粉色": "pink", "粉红": "pink", "藏青": "navy", "深蓝": "navy", "芥末黄": "mustard"}
_ZH_CLOTHING_COLORS |= {"铁锈橙": "copper", "炭灰": "charcoal", "奶白": "cream", "米色": "beige", "卡其": "khaki"}
_ZH_CLOTHING_COLORS |= {"橄榄": "olive", "牛仔": "denim", "深红": "crimson", "酒红": "maroon", "象牙白": "ivory"}
_COLOR_WORD = re.compile(
    r"\b("
    + "|".join(sorted(COLORS, key=len, reverse=True))
    + r")\b|"
    + "|".join(sorted(_ZH_CLOTHING_COLORS, key=len, reverse=True))
)
HAIR_COLORS: dict[str, RGB] = {
    "black": (25, 22, 22),
    "dark": (45, 35, 30),
    "brown": (95, 60, 35),
    "chestnut": (115, 60, 35),
    "brunette": (90, 55, 35),
    "auburn": (140, 60, 35),
    "red": (170, 70, 35),
    "ginger": (190, 95, 40),
    "blonde": (225, 195, 120),
    "blond": (225, 195, 120),
    "golden": (215, 175, 80),
    "fair": (215, 190, 130),
    "grey": (160, 160, 160),
    "gray": (160, 160, 160),
    "silver": (200, 200, 205),
    "white": (235, 235, 235),
    "pink": (230, 140, 170),
    "blue": (60, 100, 190),
    "green": (60, 140, 70),
    "purple": (120, 70, 160),
}
_ZH_HAIR_COLORS = {"黑": "black", "乌": "black", "棕": "brown", "褐": "brown", "栗": "chestnut", "金": "blonde"}
_ZH_HAIR_COLORS |= {"红": "red", "灰": "grey", "花白": "grey", "铁灰": "grey", "银": "silver", "白": "white"}
_HAIR = re.compile(
    r"\b(" + "|".join(HAIR_COLORS) + r")(?:[- ]\w+)?[- ](?:hair|haired)\b"
    r"|(" + "|".join(sorted(_ZH_HAIR_COLORS, key=len, reverse=True)) + r")色?的?[\u4e00-\u9fff]{0,3}?(?:头发|发|平头)"
)
_LONG_HAIR = re.compile(
    r"\b(long|ponytail|braid\w*|flowing|shoulder-length|curly)\b[^.]{0,20}\bhair|长[直卷]?发|辫|马尾|齐肩|披肩|卷发"
)
_SKIN_WORDS: list[tuple[re.Pattern[str], RGB]] = [
    (
        re.compile(
            r"\b(dark[- ]skinned|dark skin|deep brown skin|black (?:man|woman|girl|boy))\b|黝黑|黑皮肤|深色皮肤"
        ),
        (110, 70, 45),
    ),
    (
        re.compile(r"\b(brown[- ]skinned|brown skin|tan\w*|olive[- ]skinned|olive skin)\b|小麦色|古铜色|棕色皮肤"),
        (175, 125, 85),
    ),
    (re.compile(r"\b(pale|fair[- ]skinned|fair skin|freckl\w*)\b|白皙|苍白|雀斑"), (245, 215, 195)),
]
_SKIN_TONES: tuple[RGB, ...] = ((240, 205, 175), (225, 180, 140), (190, 140, 100), (150, 100, 70), (105, 70, 50))
_BOTTOMS: tuple[RGB, ...] = ((50, 70, 110), (45, 45, 50), (120, 105, 80), (70, 70, 75))


@dataclass(frozen=True)
class Look:
    """What a figure looks like, parsed from the card."""

    height: float  # fraction of the world height
    width: float  # body width relative to height
    skin: RGB
    hair: RGB | None  # None = bald
    long_hair: bool
    top: RGB
    bottom: RGB
    skirt: bool
    hat: RGB | None
    glasses: bool
    beard: bool
    creature: Creature | None = None  # a robot, ghost, animal or dragon; None for a person


@dataclass
class Figure:
    """A placed character: where its face is, and the face patches (ready graded) to paste per frame."""

    card: CharacterInShot
    look: Look
    center_x: float
    head_box: tuple[int, int, int, int]  # world pixels: left, top, right, bottom
    facing: int = 0  # -1 looks left, 0 at the camera, 1 looks right
    face: np.ndarray | None = None  # the reference image, when the card (or a card memory slot) has one
    patches: list[np.ndarray] = field(default_factory=list)  # index: level * 2 + blink

    def patch(self, mouth_level: int, blink: bool) -> np.ndarray:
        return self.patches[mouth_level * 2 + int(blink)]

    @property
    def head_center(self) -> tuple[float, float]:
        left, top, right, bottom = self.head_box
        return (left + right) / 2, (top + bottom) / 2


def read_look(card: CharacterInShot) -> Look:
    person = f"{card.identity} {card.appearance}".lower()
    clothing = card.clothing.lower()
    digest = hashlib.sha256(f"{card.name}|{card.identity}".encode()).digest()
    height = FIGURE_HEIGHT
    if re.search(r"\b(child|kid|toddler|little (?:boy|girl)|\d-year-old|1[0-2]-year-old)\b|孩|幼童|婴", person):
        height *= 0.68
    elif re.search(r"\b(tall|towering|lanky)\b|高挑|高大|高个|瘦长|修长", person):
        height *= 1.1
    elif re.search(r"\b(short|petite|small)\b|不高|矮|瘦小|娇小", person):
        height *= 0.9
    width = 0.3
    if re.search(
        r"\b(broad|stocky|heavy\w*|burly|muscular|large|plump|stout)\b|宽阔|结实|敦实|魁梧|健壮|粗壮|胖", person
    ):
        width = 0.38
    elif re.search(r"\b(slim|thin|slender|skinny|wiry|lean)\b|苗条|清瘦|纤细|瘦", person):
        width = 0.25
    skin = next((tone for pattern, tone in _SKIN_WORDS if pattern.search(person)), _SKIN_TONES[digest[0] % 5])
    hair_match = _HAIR.search(person)
    bald = re.search(r"\b(bald|shaved head|shaven head)\b|光头|秃", person)
    hair = (
        None
        if bald
        else HAIR_COLORS[hair_match[1] or _ZH_HAIR_COLORS[hair_match[2]]]
        if hair_match
        else HAIR_COLORS[("black", "brown", "blonde", "auburn", "dark")[digest[1] % 5]]
    )
    clothes = [COLORS[_colour_name(found)] for found in _COLOR_WORD.finditer(clothing)]
    top = clothes[0] if clothes else tuple(int(v) for v in (np.frombuffer(digest[2:5], np.uint8) // 2 + 60))
    bottom = clothes[1] if len(clothes) > 1 else _BOTTOMS[digest[5] % len(_BOTTOMS)]
    creature = _read_creature(card.identity, person, digest)
    return Look(
        height=height if creature is None else FIGURE_HEIGHT * scale_of(creature.species) * _size_factor(person),
        creature=creature,
        width=width,
        skin=skin,
        hair=hair,
        long_hair=bool(_LONG_HAIR.search(person)),
        top=top,  # type: ignore[arg-type]
        bottom=bottom,
        skirt=bool(re.search(r"\b(dress|skirt|gown|robe|kimono|sari|cloak)\b|裙|袍|和服|纱丽|斗篷", clothing)),
        hat=(clothes[-1] if len(clothes) > 2 else (40, 40, 45))
        if re.search(r"\b(hat|cap|beanie|helmet)\b|(?<!连)帽|头盔", clothing)
        else None,
        glasses=bool(re.search(r"\b(glasses|spectacles|sunglasses|goggles)\b|眼镜|护目镜", f"{person} {clothing}")),
        beard=bool(re.search(r"\b(beard\w*|moustache|mustache|stubble)\b|胡子|胡须|胡茬|络腮胡|山羊胡", person)),
    )


def _read_creature(identity: str, person: str, digest: bytes) -> Creature | None:
    """The kind from the identity's opening words; the body colour is the first colour the card names."""
    found = creature_word(identity)
    if found is None:
        return None
    kind, species = found
    said_zh = [_ZH_COLORS[char] for char in re.findall(r"(\w)色", person) if char in _ZH_COLORS]
    colours = [found[1] for found in _COLOR_WORD.finditer(person) if found[1]] or said_zh
    defaults = DEFAULT_COATS[species]
    glowing = re.search(r"\bglowing (\w+)", person)
    glow = COLORS.get(glowing[1]) if glowing else None
    return Creature(
        kind=kind,
        species=species,
        coat=COLORS[colours[0]] if colours else defaults[digest[6] % len(defaults)],
        glow=glow or ((90, 220, 255) if kind == "robot" else EYE_COLORS.get(species, (120, 85, 50))),
        one_eye=bool(re.search(r"\b(one|single) (?:\w+ ){0,2}eyes?\b|\bcyclops\b|独眼", person)),
    )


def _colour_name(found: re.Match[str]) -> str:
    """The COLORS name of a colour word found in English ('navy') or Chinese ('藏青')."""
    return found[1] or _ZH_CLOTHING_COLORS[found[0]]


def _size_factor(person: str) -> float:
    if re.search(r"\b(huge|giant|enormous|towering|massive)\b|巨大", person):
        return 1.3
    if re.search(r"\b(tiny|small|little)\b|小", person):
        return 0.85
    return 1.0


def place_figures(cards: list[CharacterInShot], world_width: int, world_height: int) -> list[Figure]:
    """One figure centred looking at the camera, two at the thirds looking at each other."""
    xs = {0: [], 1: [0.5], 2: [0.36, 0.64]}[len(cards)]
    facings = {0: [], 1: [0], 2: [1, -1]}[len(cards)]
    figures = []
    for card, fraction, facing in zip(cards, xs, facings, strict=True):
        look = read_look(card)
        height = look.height * world_height
        head = height * 0.24
        cx, top = fraction * world_width, FEET_LINE * world_height - height
        box = (round(cx - head * 0.42), round(top), round(cx + head * 0.42), round(top + head))
        if look.creature is not None:
            box = head_box(look.creature, cx, FEET_LINE * world_height, height, facing)
        figures.append(Figure(card=card, look=look, center_x=cx, head_box=box, facing=facing))
    return figures


def paint_bodies(image: Image.Image, figures: list[Figure], world_height: int) -> None:
    """Bodies, heads, hair and accessories (everything but eyes and mouth) onto the backdrop."""
    draw = ImageDraw.Draw(image)
    for figure in figures:
        look, cx = figure.look, figure.center_x
        height = look.height * world_height
        feet = FEET_LINE * world_height
        if look.creature is not None:
            paint_creature(image, look.creature, cx, feet, height, figure.head_box, figure.facing)
            if figure.face is not None:
                _paste_face(image, figure)
            continue
        left, top, right, bottom = figure.head_box
        head_h = bottom - top
        shoulders = bottom + head_h * 0.12
        half = height * look.width / 2
        waist = shoulders + height * 0.34
        if look.skirt:
            draw.polygon(
                [
                    (cx - half * 0.7, waist - 2),
                    (cx + half * 0.7, waist - 2),
                    (cx + half * 1.05, feet),
                    (cx - half * 1.05, feet),
                ],
                fill=look.top,
            )
        else:
            leg = half * 0.42
            draw.rectangle((cx - half * 0.85, waist, cx - half * 0.85 + leg * 1.7, feet), fill=look.bottom)
            draw.rectangle((cx + half * 0.85 - leg * 1.7, waist, cx + half * 0.85, feet), fill=look.bottom)
            draw.rectangle((cx - half * 0.9, feet - height * 0.03, cx - half * 0.05, feet), fill=(30, 30, 30))
            draw.rectangle((cx + half * 0.05, feet - height * 0.03, cx + half * 0.9, feet), fill=(30, 30, 30))
        radius = max(2, int(half * 0.35))
        arm = half * 0.28
        for side in (-1, 1):
            x0 = cx + side * half
            draw.rounded_rectangle(
                (min(x0, x0 + side * arm), shoulders + 2, max(x0, x0 + side * arm), waist + height * 0.08),
                radius=max(1, int(arm / 2)),
                fill=look.top,
            )
            hand_y = waist + height * 0.08
            draw.ellipse(
                (
                    x0 + side * arm / 2 - arm * 0.6,
                    hand_y - arm * 0.6,
                    x0 + side * arm / 2 + arm * 0.6,
                    hand_y + arm * 0.6,
                ),
                fill=look.skin,
            )
        draw.rounded_rectangle((cx - half, shoulders, cx + half, waist + 2), radius=radius, fill=look.top)
        neck = (right - left) * 0.18
        draw.rectangle((cx - neck, bottom - head_h * 0.1, cx + neck, shoulders + 2), fill=look.skin)
        if look.hair is not None and look.long_hair:
            draw.rounded_rectangle(
                (left - head_h * 0.08, top + head_h * 0.1, right + head_h * 0.08, bottom + head_h * 0.35),
                radius=int(head_h * 0.3),
                fill=look.hair,
            )
        draw.ellipse((left, top, right, bottom), fill=look.skin)
        if look.hair is not None:
            draw.chord((left - 1, top - head_h * 0.06, right + 1, top + head_h * 0.7), 180, 360, fill=look.hair)
        if look.beard:
            draw.chord(
                (left + 1, top + head_h * 0.35, right - 1, bottom + head_h * 0.05),
                0,
                180,
                fill=look.hair or (70, 60, 50),
            )
        if look.hat is not None:
            draw.rectangle(
                (left - head_h * 0.12, top + head_h * 0.12, right + head_h * 0.12, top + head_h * 0.2), fill=look.hat
            )
            draw.rounded_rectangle(
                (left + head_h * 0.05, top - head_h * 0.25, right - head_h * 0.05, top + head_h * 0.15),
                radius=int(head_h * 0.08),
                fill=look.hat,
            )
        if figure.face is not None:
            _paste_face(image, figure)


def _paste_face(image: Image.Image, figure: Figure) -> None:
    """The reference face, cropped to the face it shows, into the head oval with a feathered edge."""
    left, top, right, bottom = figure.head_box
    size = (right - left, bottom - top)
    face = Image.fromarray(face_crop(figure.face)).resize(size, Image.Resampling.BILINEAR)
    image.paste(face, (left, top), feathered_oval(size))


def feathered_oval(size: tuple[int, int]) -> Image.Image:
    """An oval mask that fades to nothing over its outer ~12%, so a photo blends into the drawn head."""
    width, height = size
    inset = max(1, round(min(width, height) * 0.06))
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((inset, inset, width - 1 - inset, height - 1 - inset), fill=255)
    return mask.filter(ImageFilter.GaussianBlur(radius=inset))


def face_crop(image: np.ndarray) -> np.ndarray:
    """A square around the face in a picture: the largest skin-toned area (YCbCr skin range) in its upper part,
    padded; the top-centred square when no such area stands out (a drawing, a mask, a dark photo)."""
    height, width = image.shape[:2]
    rgb = image[..., :3].astype(np.float32)
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    cb = 128 - 0.168736 * red - 0.331264 * green + 0.5 * blue
    cr = 128 + 0.5 * red - 0.418688 * green - 0.081312 * blue
    skin = (cb >= 77) & (cb <= 127) & (cr >= 133) & (cr <= 173)
    skin[int(height * 0.8) :] = False  # shoulders and hands sit low
    rows, cols = np.nonzero(skin)
    if rows.size < 0.02 * height * width:
        return _square_crop(image)
    top, bottom = np.percentile(rows, [5, 95])
    left, right = np.percentile(cols, [5, 95])
    side = min(max(bottom - top, right - left) * 1.3, height, width)
    centre_y, centre_x = (top + bottom) / 2, (left + right) / 2
    y0 = int(np.clip(centre_y - side / 2, 0, height - side))
    x0 = int(np.clip(centre_x - side / 2, 0, width - side))
    side = int(side)
    return image[y0 : y0 + side, x0 : x0 + side]


def _square_crop(image: np.ndarray) -> np.ndarray:
    """The top-centred square of a portrait (faces sit high), the centred square of a landscape image."""
    height, width = image.shape[:2]
    side = min(height, width)
    left = (width - side) // 2
    top = 0 if height > width else (height - side) // 2
    return image[top : top + side, left : left + side]


def build_face_patches(figure: Figure, backdrop_image: Image.Image, backdrop: Backdrop) -> None:
    """Pre-render the graded head region for every mouth opening and blink state."""
    left, top, right, bottom = figure.head_box
    base = backdrop_image.crop(figure.head_box)
    figure.patches = []
    for level in range(MOUTH_LEVELS):
        for blink in (False, True):
            patch = base.copy()
            _draw_face(ImageDraw.Draw(patch), figure, (right - left, bottom - top), level, blink)
            figure.patches.append(backdrop.grade(np.asarray(patch), left, top))


def _draw_face(draw: ImageDraw.ImageDraw, figure: Figure, size: tuple[int, int], level: int, blink: bool) -> None:
    width, height = size
    facing = 0.06 * width * figure.facing
    mouth_x, mouth_y = width / 2 + facing * 0.5, height * 0.74
    mouth_w = width * 0.26
    open_h = height * 0.035 * level
    dark = (60, 25, 25)
    if figure.face is None and figure.look.creature is not None:
        draw_creature_face(draw, figure.look.creature, size, level, blink, figure.facing)
        return
    if figure.face is None:
        eye_y, eye_dx, eye_r = height * 0.45, width * 0.18, max(1.5, width * 0.06)
        for side in (-1, 1):
            ex = width / 2 + side * eye_dx + facing
            if blink:
                draw.line((ex - eye_r, eye_y, ex + eye_r, eye_y), fill=(40, 30, 30), width=max(1, int(eye_r / 2)))
            else:
                draw.ellipse((ex - eye_r, eye_y - eye_r, ex + eye_r, eye_y + eye_r), fill=(250, 250, 250))
                pupil = eye_r * 0.6
                px = ex + facing * 0.4
                draw.ellipse((px - pupil, eye_y - pupil, px + pupil, eye_y + pupil), fill=(30, 30, 40))
        if figure.look.glasses:
            for side in (-1, 1):
                ex = width / 2 + side * eye_dx + facing
                draw.ellipse(
                    (ex - eye_r * 1.7, eye_y - eye_r * 1.5, ex + eye_r * 1.7, eye_y + eye_r * 1.5),
                    outline=(30, 30, 30),
                    width=max(1, int(eye_r / 3)),
                )
        if level == 0:
            draw.line(
                (mouth_x - mouth_w / 2, mouth_y, mouth_x + mouth_w / 2, mouth_y),
                fill=dark,
                width=max(1, int(height * 0.025)),
            )
            return
    if level > 0:
        draw.ellipse(
            (mouth_x - mouth_w / 2, mouth_y - open_h / 2 - 1, mouth_x + mouth_w / 2, mouth_y + open_h / 2 + 1),
            fill=dark,
        )
