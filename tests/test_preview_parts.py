"""Pieces of the preview backend: camera text, dialogue layout, beds and mix, scene and figure parsing."""

from __future__ import annotations

import time

import numpy as np
import pytest
from preview_helpers import MARA, TOM

from generator.preview.camera import crop_boxes, parse_camera, world_size
from generator.preview.figures import COLORS, read_look
from generator.preview.frames import FrameBuffers
from generator.preview.scene import choose_lighting, choose_setting
from generator.preview.sound import (
    PEAK_CEILING,
    SpokenLine,
    _moving_average,
    ambience,
    layout_dialogue,
    mix,
    music_bed,
    wants_music,
)

CENTRE = (0.5, 0.5)
SPEAKER = (0.3, 0.4)


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("", "wide static"),
        ("Static wide establishing shot", "wide static"),
        ("close-up on her face, slow push in", "close-up push in"),
        ("medium shot, camera pans left", "medium pan left"),
        ("wide shot, tilt up to the sky", "wide tilt up"),
        ("the camera pulls back to reveal the room", "wide pull out"),
        ("handheld medium shot", "medium handheld"),
    ],
)
def test_camera_text_is_understood(text: str, description: str) -> None:
    assert parse_camera(text, SPEAKER, CENTRE).description == description


def test_close_up_frames_the_speaker_and_moves_stay_inside_the_world() -> None:
    world = world_size(640, 384)
    close = crop_boxes(parse_camera("close-up", SPEAKER, CENTRE), 25, world, (640, 384), 0)
    centre_x = (close[:, 0] + close[:, 2]) / 2
    assert np.allclose(centre_x, 0.3 * world[0], atol=1) and np.all(close[:, 2] - close[:, 0] < 640 / 1.8)
    for text in ("pan left", "pan right", "tilt down", "zoom out", "handheld, dolly in", "close-up, pan left"):
        boxes = crop_boxes(parse_camera(text, SPEAKER, CENTRE), 49, world, (640, 384), 1)
        assert boxes[:, 0].min() >= 0 and boxes[:, 1].min() >= 0
        assert boxes[:, 2].max() <= world[0] + 1e-6 and boxes[:, 3].max() <= world[1] + 1e-6
        aspect = (boxes[:, 2] - boxes[:, 0]) / (boxes[:, 3] - boxes[:, 1])
        assert np.allclose(aspect, 640 / 384)
    pan_left = crop_boxes(parse_camera("pan left", SPEAKER, CENTRE), 49, world, (640, 384), 1)
    assert pan_left[-1, 0] < pan_left[0, 0]
    zoom_in = crop_boxes(parse_camera("zoom in", SPEAKER, CENTRE), 49, world, (640, 384), 1)
    assert zoom_in[-1, 2] - zoom_in[-1, 0] < zoom_in[0, 2] - zoom_in[0, 0]


def _line(speaker: str, seconds: float, rate: int = 1000) -> SpokenLine:
    return SpokenLine(speaker, "words", np.full(int(seconds * rate), 0.5, dtype=np.float32))


def test_dialogue_is_laid_out_in_order_with_gaps() -> None:
    layout = layout_dialogue([_line("ID_A", 1.0), _line("ID_B", 2.0)], 5000, 1000)
    first, second = layout.timings
    assert first.start_s == pytest.approx(0.3) and first.end_s == pytest.approx(1.3)
    assert second.start_s == pytest.approx(1.6) and second.end_s == pytest.approx(3.6)
    assert layout.overflow_s == 0 and layout.needed_s == pytest.approx(3.8)
    assert layout.tracks["ID_A"][300:1300].min() == 0.5 and layout.tracks["ID_A"][1300:].max() == 0
    assert layout.tracks["ID_B"][:1600].max() == 0


def test_tight_dialogue_shrinks_gaps_then_overflows() -> None:
    tight = layout_dialogue([_line("ID_A", 1.0), _line("ID_B", 1.5)], 2700, 1000)
    assert tight.overflow_s == 0 and tight.timings[-1].end_s <= 2.7
    assert tight.timings[1].start_s - tight.timings[0].end_s >= 0.08 - 1e-9
    over = layout_dialogue([_line("ID_A", 2.0), _line("ID_B", 2.0)], 3000, 1000)
    assert over.overflow_s == pytest.approx(1.08) and over.timings[1].end_s == pytest.approx(3.0)
    assert len(over.speech) == 3000


def test_beds_follow_the_text_and_the_mix_never_clips() -> None:
    rng = np.random.default_rng(0)
    bed, names = ambience("Heavy rain, distant thunder and footsteps", 22050, 22050, rng)
    assert names == ["rain", "footsteps", "thunder"]
    assert ambience("", 22050, 22050, rng)[1] == ["room tone"]
    assert not wants_music("No music.") and not wants_music("none") and wants_music("a tense string drone")
    silent, mood = music_bed("none", 22050, 22050)
    assert mood == "none" and not silent.any()
    sad, sad_mood = music_bed("sad, slow piano", 22050 * 3, 22050)
    happy, happy_mood = music_bed("upbeat happy synth pads with drums", 22050 * 3, 22050)
    assert sad_mood.startswith("minor plucked") and happy_mood.startswith("major pad 124")
    assert np.array_equal(sad, music_bed("sad, slow piano", 22050 * 3, 22050)[0])  # same text, same bed
    loud_speech = np.sin(np.arange(22050 * 3) * 0.05).astype(np.float32) * 1.5
    mixed = mix(loud_speech, np.zeros(22050 * 3, np.float32), happy, 22050)
    assert np.abs(mixed).max() <= PEAK_CEILING + 1e-6
    quiet = mix(np.zeros(22050, np.float32), bed, sad[:22050], 22050)
    assert np.allclose(quiet, bed + sad[:22050], atol=1e-6)  # nothing to duck, nothing to scale


def test_scene_text_picks_lighting_and_setting() -> None:
    assert choose_lighting("a rainy street at night").name == "night"
    assert choose_lighting("golden hour on the pier").name == "sunset"
    assert choose_lighting("neon-lit club").name == "neon"
    assert choose_lighting("a sunny meadow").name == "day"
    assert choose_setting("the city at dawn") == ("city", False)
    assert choose_setting("her kitchen") == ("counter", True)
    assert choose_setting("a quiet library") == ("shelves", True)
    assert choose_setting("somewhere") == ("fields", False)


def test_figure_look_comes_from_the_card() -> None:
    mara, tom = read_look(MARA), read_look(TOM)
    assert mara.top == COLORS["green"] and mara.bottom == COLORS["black"] and mara.long_hair
    assert tom.top == COLORS["blue"] and tom.glasses and tom.beard and tom.hat is not None
    assert tom.height > mara.height
    child = read_look(MARA.model_copy(update={"identity": "a 7-year-old girl", "clothing": "a yellow dress"}))
    assert child.height < mara.height and child.skirt and child.top == COLORS["yellow"]


@pytest.mark.parametrize(("size", "window"), [(1000, 7), (1000, 8), (22050, 3307), (5, 1)])
def test_ducking_average_matches_a_box_convolution(size: int, window: int) -> None:
    speaking = np.random.default_rng(size + window).random(size) > 0.6
    expected = np.convolve(speaking.astype(np.float64), np.ones(window) / window, mode="same")
    assert np.allclose(_moving_average(speaking, window), expected, atol=1e-9)


def test_frame_buffers_let_go_of_idle_memory_but_keep_what_is_held() -> None:
    buffers = FrameBuffers(max_buffers=2, max_bytes=4096, idle_s=0.05)
    held = buffers.take((2, 8, 8, 3))
    buffers.take((1, 8, 8, 3))  # dropped at once by the caller
    deadline = time.monotonic() + 10
    while buffers.pooled_bytes() > held.nbytes and time.monotonic() < deadline:
        time.sleep(0.02)
    assert buffers.pooled_bytes() == held.nbytes
    held[:] = 7
    assert (held == 7).all()


def test_frame_buffers_reuse_only_memory_nobody_holds() -> None:
    buffers = FrameBuffers(max_buffers=2, max_bytes=4096)
    first = buffers.take((2, 8, 8, 3))
    address = first.__array_interface__["data"][0]
    view = first[1]
    del first
    second = buffers.take((2, 8, 8, 3))
    assert not np.shares_memory(second, view)  # the slice still holds the first buffer
    del view
    third = buffers.take((2, 8, 8, 3))
    assert third.__array_interface__["data"][0] == address and not np.shares_memory(second, third)
    assert buffers.take((1, 8, 8, 3)).shape == (1, 8, 8, 3)  # another shape: new memory, oldest buffer forgotten
    big = buffers.take((40, 8, 8, 3))  # over max_bytes: handed out, never pooled
    del big
    assert buffers.take((40, 8, 8, 3)).shape == (40, 8, 8, 3)
