"""Scene backdrops for the preview backend: a setting painted from the scene text (city, forest, beach,
mountains, desert, fields or an interior) and a lighting grade (day, dawn, sunset, night, overcast, neon,
warm interior) applied to everything in the shot, the characters included.

A backdrop depends only on the scene (its id/name and description), never on the shot's seed, so every shot
of one scene shows the same place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from generator.types import SceneInShot

HORIZON = 0.56  # fractions of the world height
FLOOR_LINE = 0.70
FEET_LINE = 0.86

RGB = tuple[int, int, int]
Draw = ImageDraw.ImageDraw
Rng = np.random.Generator


@dataclass(frozen=True)
class Lighting:
    name: str
    sky_top: RGB
    sky_bottom: RGB
    gain: tuple[float, float, float]
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
    lamps: bool = False  # warm pools of light indoors, lit windows outdoors


LIGHTINGS = {
    "day": Lighting("day", (95, 160, 230), (200, 225, 245), (1.0, 1.0, 1.0)),
    "dawn": Lighting("dawn", (120, 140, 210), (250, 205, 175), (1.0, 0.94, 0.9), (8, 4, 6)),
    "sunset": Lighting("sunset", (80, 60, 140), (255, 150, 80), (1.05, 0.85, 0.7), (22, 6, 0), lamps=True),
    "night": Lighting("night", (20, 30, 75), (50, 60, 120), (0.45, 0.5, 0.72), (0, 2, 12), lamps=True),
    "overcast": Lighting("overcast", (150, 155, 165), (195, 198, 205), (0.82, 0.85, 0.9), (6, 6, 8)),
    "neon": Lighting("neon", (40, 15, 70), (120, 40, 120), (0.55, 0.45, 0.8), (28, 0, 30), lamps=True),
    "warm": Lighting("warm", (120, 170, 225), (210, 225, 240), (1.06, 0.95, 0.8), (10, 4, 0), lamps=True),
}
_LIGHT_WORDS = [
    ("neon", re.compile(r"\b(neon|cyberpunk|nightclub|club)\b|霓虹|赛博朋克|夜店")),
    ("night", re.compile(r"\b(night\w*|midnight|moon\w*|dark|after dark|late evening)\b|夜|月光|月色|天黑|黑暗")),
    ("sunset", re.compile(r"\b(sunset|dusk|golden hour|evening|twilight|sundown)\b|日落|黄昏|傍晚|暮色|夕阳|黄金时刻")),
    ("dawn", re.compile(r"\b(dawn|sunrise|daybreak|early morning)\b|黎明|日出|清晨|拂晓|破晓")),
    (
        "overcast",
        re.compile(
            r"\b(overcast|rain\w*|storm\w*|fog\w*|mist\w*|grey|gray|cloudy|gloomy|snow\w*)\b|雨|雪|雾|阴天|阴沉|多云"
        ),
    ),
    ("warm", re.compile(r"\b(warm|cozy|cosy|candle\w*|lamp\w*|firelight|fireplace)\b|温暖|温馨|烛|灯光|炉火|壁炉")),
]
_INTERIOR = re.compile(
    r"\b(interior|inside|indoors?|room|kitchen|office|bedroom|living room|cafe|café|bar|restaurant|apartment|"
    r"flat|house|hall|hallway|library|classroom|shop|store|studio|lab|laboratory|corridor|cabin|diner|pub|"
    r"attic|basement|church|museum|hospital|train|car interior)\b"
    r"|内景|室内|陈设|屋(?!顶)|房间|厨房|办公室|卧室|客厅|咖啡馆|酒吧|餐厅|馆|公寓|大厅|走廊|图书馆|教室|店(?!铺)|工作室|实验室|"
    r"作坊|船舱|小屋|阁楼|地下室|教堂|博物馆|医院|车厢|面包房"
)
_SETTINGS = [
    (
        "city",
        re.compile(
            r"\b(city|street|town|downtown|alley\w*|rooftop|avenue|skyline|urban|square|plaza)\b"
            r"|城|街|镇|巷|胡同|屋顶|天台|广场|市场"
        ),
    ),
    (
        "beach",
        re.compile(r"\b(beach|sea|ocean|coast\w*|harbou?r|lake|shore|pier|bay|river)\b|(?<!上)海|港|湖|岸|码头|河|江"),
    ),
    ("forest", re.compile(r"\b(forest|woods?|jungle|park|trees?|garden|grove)\b|森林|树|林|公园|花园|丛林")),
    ("mountains", re.compile(r"\b(mountains?|hills?|cliffs?|peaks?|valley|canyon)\b|山|丘|悬崖|峡谷")),
    ("desert", re.compile(r"\b(desert|dunes?|sand|wasteland)\b|沙漠|沙丘|荒原")),
]
_FURNITURE = [
    (
        "counter",
        re.compile(
            r"\b(kitchen|cafe|café|bar|restaurant|diner|pub|shop|store)\b|厨房|咖啡馆|酒吧|餐厅|面馆|饭馆|餐馆|茶馆|小馆|(?<!书)店|面包房"
        ),
    ),
    ("desk", re.compile(r"\b(office|study|lab|laboratory|classroom|studio)\b|办公室|书房|实验室|教室|工作室|作坊")),
    ("bed", re.compile(r"\b(bedroom|hospital)\b|卧室|医院")),
    ("shelves", re.compile(r"\b(library|bookshop|archive|museum)\b|图书馆|书店|档案馆|博物馆")),
    ("sofa", re.compile(r"\b(living room|apartment|flat|house|cabin|lounge)\b|客厅|公寓|屋|小屋")),
]
_WALLS: tuple[RGB, ...] = ((214, 196, 170), (176, 196, 178), (170, 184, 204), (190, 120, 96), (222, 214, 200))


@dataclass(frozen=True)
class Backdrop:
    image: Image.Image  # ungraded world-sized RGB
    lighting: Lighting
    setting: str
    interior: bool
    gain: np.ndarray  # H x W x 3 float32: lighting, lamp pools and vignette

    def grade(self, region: np.ndarray, left: int, top: int) -> np.ndarray:
        """Apply the shot's grade to an RGB region whose top-left world position is (left, top)."""
        height, width = region.shape[:2]
        graded = region.astype(np.float32) * self.gain[top : top + height, left : left + width]
        graded += np.asarray(self.lighting.offset, dtype=np.float32)
        return np.clip(graded, 0, 255).astype(np.uint8)


def scene_text(scene: SceneInShot) -> str:
    return f"{scene.name} {scene.description}".lower()


def choose_lighting(text: str) -> Lighting:
    return next((LIGHTINGS[name] for name, pattern in _LIGHT_WORDS if pattern.search(text)), LIGHTINGS["day"])


def choose_setting(text: str) -> tuple[str, bool]:
    """(setting name, is interior)."""
    if _INTERIOR.search(text):
        return next((name for name, pattern in _FURNITURE if pattern.search(text)), "room"), True
    return next((name for name, pattern in _SETTINGS if pattern.search(text)), "fields"), False


def paint_backdrop(scene: SceneInShot, width: int, height: int, seed: int) -> Backdrop:
    """Paint the scene at world size (width x height). `seed` should derive from the scene only."""
    text = scene_text(scene)
    lighting = choose_lighting(text)
    setting, interior = choose_setting(text)
    if interior and lighting.name == "day":
        lighting = LIGHTINGS["warm"]
    rng = np.random.default_rng(seed)
    image = Image.fromarray(_vertical_gradient(width, height, lighting.sky_top, lighting.sky_bottom))
    draw = ImageDraw.Draw(image)
    if interior:
        lamp_x = _paint_interior(draw, width, height, rng, lighting, setting)
    else:
        _paint_sky(draw, width, height, rng, lighting)
        _PAINTERS[setting](draw, width, height, rng, lighting)
        lamp_x = None
    gain = _gain_map(width, height, lighting, lamp_x)
    return Backdrop(image=image, lighting=lighting, setting=setting, interior=interior, gain=gain)


def _vertical_gradient(width: int, height: int, top: RGB, bottom: RGB) -> np.ndarray:
    ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    column = (1 - ramp) * np.asarray(top, np.float32) + ramp * np.asarray(bottom, np.float32)
    return np.broadcast_to(column, (height, width, 3)).astype(np.uint8)


def _gain_map(width: int, height: int, lighting: Lighting, lamp_x: float | None) -> np.ndarray:
    ys = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    vignette = 1.0 - 0.22 * (xs**2 + ys**2) / 2
    gain = vignette[..., None] * np.asarray(lighting.gain, np.float32)
    if lighting.lamps and lamp_x is not None:
        pool = np.exp(-((xs - (2 * lamp_x - 1)) ** 2 + (ys + 0.2) ** 2) / 0.35)
        gain = gain + pool[..., None] * np.asarray((0.35, 0.25, 0.08), np.float32)
    return np.ascontiguousarray(gain, dtype=np.float32)


def _random_color(rng: Rng, low: int, high: int) -> RGB:
    red, green, blue = (int(v) for v in rng.integers(low, high, 3))
    return red, green, blue


def _shade(color: RGB, factor: float) -> RGB:
    return tuple(int(max(0, min(255, c * factor))) for c in color)  # type: ignore[return-value]


def _paint_sky(draw: Draw, width: int, height: int, rng: Rng, light: Lighting) -> None:
    horizon = HORIZON * height
    if light.name in ("night", "neon"):
        for x, y in zip(rng.uniform(0, width, 120), rng.uniform(0, horizon * 0.9, 120), strict=True):
            draw.point((float(x), float(y)), fill=(235, 235, 255))
        cx, cy, r = width * rng.uniform(0.6, 0.85), horizon * 0.25, height * 0.045
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(245, 245, 225))
    elif light.name in ("day", "dawn", "sunset"):
        low = {"day": 0.2, "dawn": 0.75, "sunset": 0.8}[light.name]
        cx, cy, r = width * rng.uniform(0.15, 0.85), horizon * low, height * 0.06
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 240, 190) if light.name == "day" else (255, 190, 110))
    if light.name in ("day", "overcast", "dawn"):
        count = 9 if light.name == "overcast" else 4
        for _ in range(count):
            cx, cy = rng.uniform(0, width), rng.uniform(0.08, 0.4) * horizon
            w, h = rng.uniform(0.08, 0.18) * width, rng.uniform(0.03, 0.06) * height
            tone = (235, 238, 242) if light.name != "overcast" else (170, 174, 182)
            draw.ellipse((cx - w, cy - h, cx + w, cy + h), fill=tone)


def _ground(draw: Draw, width: int, height: int, color: RGB) -> None:
    draw.rectangle((0, HORIZON * height, width, height), fill=color)


def _paint_city(draw: Draw, width: int, height: int, rng: Rng, light: Lighting) -> None:
    horizon = HORIZON * height
    x = -rng.uniform(0, 0.05) * width
    while x < width:
        w = rng.uniform(0.07, 0.16) * width
        top = horizon - rng.uniform(0.15, 0.45) * height
        base = _random_color(rng, 70, 140)
        draw.rectangle((x, top, x + w, horizon), fill=base)
        for wy in np.arange(top + 0.02 * height, horizon - 0.03 * height, 0.045 * height):
            for wx in np.arange(x + 0.012 * width, x + w - 0.02 * width, 0.03 * width):
                lit = light.lamps and rng.random() < 0.55
                fill = (255, 215, 120) if lit else _shade(base, 0.6)
                draw.rectangle((wx, wy, wx + 0.012 * width, wy + 0.022 * height), fill=fill)
        x += w + rng.uniform(0, 0.02) * width
    _ground(draw, width, height, (105, 105, 110))
    pavement = (FEET_LINE - 0.04) * height, (FEET_LINE + 0.01) * height
    draw.rectangle((0, pavement[0], width, pavement[1]), fill=(135, 135, 138))


def _paint_forest(draw: Draw, width: int, height: int, rng: Rng, light: Lighting) -> None:
    horizon = HORIZON * height
    _ground(draw, width, height, (70, 120, 60))
    for depth in (0.7, 1.0):
        for cx in np.sort(rng.uniform(0, width, int(14 * depth))):
            trunk_w, tall = 0.012 * width * depth, rng.uniform(0.2, 0.38) * height * depth
            base = horizon + (1 - depth) * -0.02 * height + depth * 0.04 * height
            draw.rectangle((cx - trunk_w, base - tall * 0.5, cx + trunk_w, base), fill=_shade((95, 65, 40), depth))
            green = _shade((int(rng.integers(30, 70)), int(rng.integers(90, 150)), int(rng.integers(30, 70))), depth)
            crown = base - tall * 0.3
            draw.polygon([(cx, base - tall), (cx - tall * 0.32, crown), (cx + tall * 0.32, crown)], fill=green)


def _paint_beach(draw: Draw, width: int, height: int, rng: Rng, light: Lighting) -> None:
    horizon = HORIZON * height
    draw.rectangle((0, horizon, width, 0.7 * height), fill=(40, 110, 170))
    for y in np.arange(horizon + 0.01 * height, 0.7 * height, 0.025 * height):
        x = rng.uniform(0, width)
        draw.line((x, y, x + rng.uniform(0.05, 0.15) * width, y), fill=(120, 180, 220), width=1)
    draw.rectangle((0, 0.7 * height, width, height), fill=(225, 200, 150))


def _paint_mountains(draw: Draw, width: int, height: int, rng: Rng, light: Lighting) -> None:
    horizon = HORIZON * height
    for cx in np.sort(rng.uniform(-0.1, 1.1, 5)) * width:
        peak, half = horizon - rng.uniform(0.2, 0.4) * height, rng.uniform(0.15, 0.3) * width
        draw.polygon([(cx - half, horizon), (cx, peak), (cx + half, horizon)], fill=(105, 115, 140))
        cap = (horizon - peak) * 0.25
        draw.polygon([(cx - half * 0.25, peak + cap), (cx, peak), (cx + half * 0.25, peak + cap)], fill=(240, 240, 245))
    _ground(draw, width, height, (95, 125, 70))


def _paint_desert(draw: Draw, width: int, height: int, rng: Rng, light: Lighting) -> None:
    horizon = HORIZON * height
    _ground(draw, width, height, (215, 175, 115))
    for cx in rng.uniform(0, width, 5):
        w, h = rng.uniform(0.2, 0.4) * width, rng.uniform(0.05, 0.12) * height
        draw.ellipse((cx - w, horizon - h, cx + w, horizon + h), fill=(200, 160, 100))


def _paint_fields(draw: Draw, width: int, height: int, rng: Rng, light: Lighting) -> None:
    horizon = HORIZON * height
    for index, cx in enumerate(rng.uniform(0, width, 4)):
        w, h = rng.uniform(0.3, 0.5) * width, rng.uniform(0.08, 0.15) * height
        draw.ellipse((cx - w, horizon - h, cx + w, horizon + h), fill=_shade((110, 160, 80), 0.85 + 0.05 * index))
    _ground(draw, width, height, (105, 150, 75))


_PAINTERS = {
    "city": _paint_city,
    "forest": _paint_forest,
    "beach": _paint_beach,
    "mountains": _paint_mountains,
    "desert": _paint_desert,
    "fields": _paint_fields,
}


def _paint_interior(draw: Draw, width: int, height: int, rng: Rng, light: Lighting, furniture: str) -> float:
    """Walls, floor, a window onto the time of day, a door and the furniture; returns the lamp's x fraction."""
    floor = FLOOR_LINE * height
    wall = _WALLS[int(rng.integers(len(_WALLS)))]
    draw.rectangle((0, 0, width, floor), fill=wall)
    draw.rectangle((0, floor, width, height), fill=(120, 85, 55))
    for x in np.arange(0, width, 0.08 * width):
        draw.line((x, floor, x - 0.05 * width, height), fill=(100, 70, 45), width=2)
    draw.rectangle((0, floor - 0.02 * height, width, floor), fill=_shade(wall, 0.7))
    window_x = rng.uniform(0.1, 0.6) * width
    window = (window_x, 0.15 * height, window_x + 0.2 * width, 0.45 * height)
    sky = LIGHTINGS[light.name] if light.name != "warm" else LIGHTINGS["day"]
    draw.rectangle(window, fill=sky.sky_bottom, outline=(240, 240, 235), width=max(2, width // 200))
    mid_x, mid_y = (window[0] + window[2]) / 2, (window[1] + window[3]) / 2
    draw.line((mid_x, window[1], mid_x, window[3]), fill=(240, 240, 235), width=max(2, width // 300))
    draw.line((window[0], mid_y, window[2], mid_y), fill=(240, 240, 235), width=max(2, width // 300))
    door_x = (window_x + 0.35 * width) % (0.8 * width) + 0.05 * width
    draw.rectangle((door_x, 0.25 * height, door_x + 0.1 * width, floor), fill=_shade(wall, 0.55))
    _FURNISHERS.get(furniture, _furnish_room)(draw, width, height, rng, wall)
    return float((window_x + 0.1 * width) / width)


def _furnish_counter(draw: Draw, width: int, height: int, rng: Rng, wall: RGB) -> None:
    draw.rectangle((0.05 * width, 0.55 * height, 0.95 * width, FLOOR_LINE * height + 0.02 * height), fill=(90, 60, 40))
    draw.rectangle((0.05 * width, 0.53 * height, 0.95 * width, 0.56 * height), fill=(160, 150, 140))
    for x in np.arange(0.1 * width, 0.9 * width, 0.07 * width):
        draw.rectangle((x, 0.45 * height, x + 0.03 * width, 0.53 * height), fill=_random_color(rng, 60, 220))


def _furnish_desk(draw: Draw, width: int, height: int, rng: Rng, wall: RGB) -> None:
    x = rng.uniform(0.55, 0.7) * width
    draw.rectangle((x, 0.55 * height, x + 0.25 * width, 0.58 * height), fill=(110, 80, 55))
    draw.rectangle((x + 0.02 * width, 0.58 * height, x + 0.04 * width, FLOOR_LINE * height), fill=(90, 65, 45))
    draw.rectangle((x + 0.21 * width, 0.58 * height, x + 0.23 * width, FLOOR_LINE * height), fill=(90, 65, 45))
    draw.rectangle((x + 0.08 * width, 0.43 * height, x + 0.17 * width, 0.53 * height), fill=(30, 30, 35))
    draw.rectangle((x + 0.115 * width, 0.53 * height, x + 0.135 * width, 0.55 * height), fill=(50, 50, 55))


def _furnish_bed(draw: Draw, width: int, height: int, rng: Rng, wall: RGB) -> None:
    x = rng.uniform(0.05, 0.2) * width
    draw.rectangle((x, 0.52 * height, x + 0.35 * width, FLOOR_LINE * height), fill=(235, 235, 240))
    draw.rectangle((x, 0.45 * height, x + 0.03 * width, FLOOR_LINE * height), fill=(100, 70, 50))
    draw.rectangle((x + 0.04 * width, 0.5 * height, x + 0.12 * width, 0.55 * height), fill=(250, 250, 250))
    draw.rectangle((x + 0.12 * width, 0.55 * height, x + 0.35 * width, 0.62 * height), fill=_random_color(rng, 80, 200))


def _furnish_shelves(draw: Draw, width: int, height: int, rng: Rng, wall: RGB) -> None:
    for left in (0.02 * width, 0.72 * width):
        draw.rectangle((left, 0.1 * height, left + 0.26 * width, FLOOR_LINE * height), fill=(90, 60, 40))
        for shelf_y in np.arange(0.13 * height, FLOOR_LINE * height - 0.05 * height, 0.1 * height):
            x = left + 0.01 * width
            while x < left + 0.25 * width:
                w = rng.uniform(0.006, 0.014) * width
                draw.rectangle(
                    (x, shelf_y + rng.uniform(0, 0.02) * height, x + w, shelf_y + 0.08 * height),
                    fill=_random_color(rng, 40, 200),
                )
                x += w + 1


def _furnish_sofa(draw: Draw, width: int, height: int, rng: Rng, wall: RGB) -> None:
    x, color = rng.uniform(0.05, 0.55) * width, _random_color(rng, 60, 170)
    draw.rounded_rectangle((x, 0.5 * height, x + 0.35 * width, FLOOR_LINE * height), radius=width // 60, fill=color)
    draw.rectangle((x + 0.02 * width, 0.58 * height, x + 0.33 * width, 0.63 * height), fill=_shade(color, 1.2))
    lamp_x = x + 0.4 * width
    draw.line((lamp_x, 0.3 * height, lamp_x, FLOOR_LINE * height), fill=(40, 40, 40), width=max(2, width // 300))
    draw.polygon(
        [
            (lamp_x - 0.03 * width, 0.33 * height),
            (lamp_x + 0.03 * width, 0.33 * height),
            (lamp_x + 0.02 * width, 0.27 * height),
            (lamp_x - 0.02 * width, 0.27 * height),
        ],
        fill=(250, 225, 170),
    )


def _furnish_room(draw: Draw, width: int, height: int, rng: Rng, wall: RGB) -> None:
    x = rng.uniform(0.6, 0.8) * width
    draw.rectangle((x, 0.2 * height, x + 0.12 * width, 0.32 * height), fill=(70, 60, 50))
    painting = (x + 0.01 * width, 0.215 * height, x + 0.11 * width, 0.305 * height)
    draw.rectangle(painting, fill=_random_color(rng, 90, 220))
    draw.rectangle((0.1 * width, 0.58 * height, 0.3 * width, 0.6 * height), fill=(110, 80, 55))
    draw.rectangle((0.12 * width, 0.6 * height, 0.135 * width, FLOOR_LINE * height), fill=(95, 70, 50))
    draw.rectangle((0.265 * width, 0.6 * height, 0.28 * width, FLOOR_LINE * height), fill=(95, 70, 50))


_FURNISHERS = {
    "counter": _furnish_counter,
    "desk": _furnish_desk,
    "bed": _furnish_bed,
    "shelves": _furnish_shelves,
    "sofa": _furnish_sofa,
    "room": _furnish_room,
}
