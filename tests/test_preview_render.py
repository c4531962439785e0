"""The preview backend end to end: files on disk, timings that match the audio, voices, determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from preview_helpers import MARA, TOM, frame_rms, motion, mouth_region, segment, shot_request

from generator.audio import read_wav
from generator.media import probe, read_frames, save_png
from generator.memory import card_slot
from generator.preview.camera import world_size
from generator.preview.config import PreviewConfig
from generator.preview.figures import place_figures
from generator.preview.renderer import PreviewGenerator
from generator.preview.speech import estimate_pitch_hz
from generator.registry import get_generator
from generator.types import DialogueLine, Generator, SceneInShot


@pytest.fixture(scope="module")
def preview_generator(tmp_path_factory: pytest.TempPathFactory) -> PreviewGenerator:
    return PreviewGenerator()


@pytest.fixture(scope="module")
def rendered_shot(preview_generator: PreviewGenerator, tmp_path_factory: pytest.TempPathFactory):
    steps: list[tuple[float, str]] = []
    shot = preview_generator.generate(
        shot_request(), [], progress=lambda f, s: steps.append((f, s)), out_dir=tmp_path_factory.mktemp("shot")
    )
    return shot, steps


def test_registry_builds_the_preview_backend(tmp_path: Path) -> None:
    generator = get_generator("preview")
    assert isinstance(generator, PreviewGenerator) and isinstance(generator, Generator)


def test_mp4_has_requested_frames_fps_size_and_audio(rendered_shot) -> None:
    shot, _ = rendered_shot
    info = probe(shot.video_path)
    assert (info.num_frames, info.fps, info.width, info.height) == (73, 25.0, 320, 192)
    assert info.video_codec == "h264" and info.audio_codec == "aac" and info.audio_sample_rate == shot.sample_rate
    assert shot.frames.shape == (73, 192, 320, 3)
    wave, rate = read_wav(shot.audio_path)
    assert rate == shot.sample_rate and len(wave) == round(73 / 25 * rate)
    assert np.allclose(wave, shot.audio, atol=1e-4)
    assert np.abs(wave).max() <= 10 ** (-1 / 20) + 1e-4  # peak at or under -1 dBFS
    decoded = read_frames(shot.video_path, [40])[0].astype(int)
    assert np.abs(decoded - shot.frames[40]).mean() < 6
    assert sorted(p.name for p in shot.video_path.parent.iterdir()) == ["shot.mp4", "shot.wav"]


def test_speech_in_the_wav_sits_where_the_timings_say(rendered_shot) -> None:
    shot, _ = rendered_shot
    wave, rate = read_wav(shot.audio_path)
    first, second = shot.dialogue_timings
    assert (first.speaker, second.speaker) == ("ID_A", "ID_B")
    assert 0 < first.start_s < first.end_s < second.start_s < second.end_s <= shot.duration_s
    speech_level = min(frame_rms(segment(wave, rate, t.start_s, t.end_s), rate).mean() for t in (first, second))
    quiet_parts = [
        (0.0, first.start_s - 0.03),
        (first.end_s + 0.03, second.start_s - 0.03),
        (second.end_s + 0.03, shot.duration_s),
    ]
    for start, end in quiet_parts:
        assert frame_rms(segment(wave, rate, start, end), rate).max() < speech_level / 4, (start, end)
    rms = frame_rms(wave, rate)
    onset = np.argmax(rms > speech_level / 3) * 0.01
    assert abs(onset - first.start_s) < 0.06


def test_progress_is_reported_in_order(rendered_shot) -> None:
    _, steps = rendered_shot
    fractions = [fraction for fraction, _ in steps]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert any("frame" in step for _, step in steps)


def test_same_seed_gives_identical_frames_and_audio(preview_generator: PreviewGenerator, tmp_path: Path) -> None:
    first = preview_generator.generate(shot_request(), [], out_dir=tmp_path / "a")
    again = preview_generator.generate(shot_request(), [], out_dir=tmp_path / "b")
    other_seed = preview_generator.generate(shot_request(seed=99), [], out_dir=tmp_path / "c")
    assert np.array_equal(first.frames, again.frames)
    assert np.array_equal(first.audio, again.audio)
    assert first.dialogue_timings == again.dialogue_timings
    assert not np.array_equal(first.frames, other_seed.frames)


def _speaker_pitch(shot, speaker: str) -> float:
    pitches = [
        estimate_pitch_hz(segment(shot.audio, shot.sample_rate, t.start_s, t.end_s), shot.sample_rate)
        for t in shot.dialogue_timings
        if t.speaker == speaker
    ]
    return float(np.median([p for p in pitches if p is not None]))


def test_a_character_keeps_its_voice_across_shots(preview_generator: PreviewGenerator, tmp_path: Path) -> None:
    shot_one = preview_generator.generate(shot_request(), [], out_dir=tmp_path / "one")
    shot_two = preview_generator.generate(
        shot_request(
            dialogue=[
                DialogueLine(speaker="ID_B", text="Sit down."),
                DialogueLine(speaker="ID_A", text="Tell me what happened at the station today."),
            ],
            scene=SceneInShot(id="S2", description="a windy beach at sunset"),
            camera="close-up, slow push in",
            num_frames=97,
            seed=8,
        ),
        [],
        out_dir=tmp_path / "two",
    )
    mara_one, mara_two = _speaker_pitch(shot_one, "ID_A"), _speaker_pitch(shot_two, "ID_A")
    tom_one, tom_two = _speaker_pitch(shot_one, "ID_B"), _speaker_pitch(shot_two, "ID_B")
    assert mara_two == pytest.approx(mara_one, rel=0.12)
    assert tom_two == pytest.approx(tom_one, rel=0.12)
    assert mara_one > tom_one * 1.4
    assert shot_one.metadata["voices"] == shot_two.metadata["voices"]


def test_dialogue_longer_than_the_shot_is_cut_and_reported(preview_generator: PreviewGenerator, tmp_path: Path) -> None:
    long_line = "This is a very long line that cannot possibly fit into one second of video, however fast I talk."
    shot = preview_generator.generate(
        shot_request(num_frames=25, dialogue=[DialogueLine(speaker="ID_A", text=long_line)]), [], out_dir=tmp_path
    )
    assert shot.speech_overflow_s > 2.0 and not shot.speech_fits
    assert shot.metadata["suggested_num_frames"] > 25
    assert shot.metadata["speech_needed_s"] > 3.0
    assert probe(shot.video_path).num_frames == 25
    assert len(shot.audio) == round(1.0 * shot.sample_rate)
    assert shot.dialogue_timings[0].end_s == pytest.approx(1.0)


def test_mouths_move_only_while_their_character_speaks(preview_generator: PreviewGenerator, tmp_path: Path) -> None:
    request = shot_request(camera="static wide")
    shot = preview_generator.generate(request, [], out_dir=tmp_path)
    first, second = shot.dialogue_timings
    figures = place_figures(request.characters, *world_size(request.width, request.height))
    mara_mouth, tom_mouth = (mouth_region(figure, request.width, request.height) for figure in figures)
    during_mara = shot.frames[int(first.start_s * 25) + 2 : int(first.end_s * 25) - 2]
    during_tom = shot.frames[int(second.start_s * 25) + 2 : int(second.end_s * 25) - 2]
    assert motion(during_mara, mara_mouth) > 0.2 and motion(during_mara, tom_mouth) == 0
    assert motion(during_tom, tom_mouth) > 0.2 and motion(during_tom, mara_mouth) == 0


def test_camera_moves_change_the_framing(preview_generator: PreviewGenerator, tmp_path: Path) -> None:
    static = preview_generator.generate(shot_request(camera="static wide", dialogue=[]), [], out_dir=tmp_path / "s")
    pan = preview_generator.generate(shot_request(camera="wide, pan right", dialogue=[]), [], out_dir=tmp_path / "p")
    push = preview_generator.generate(shot_request(camera="wide, zoom in", dialogue=[]), [], out_dir=tmp_path / "z")
    assert static.metadata["camera"] == "wide static" and pan.metadata["camera"] == "wide pan right"
    # with nobody speaking, a static camera only changes where eyes blink
    assert np.abs(static.frames[0].astype(int) - static.frames[-1]).mean() < 1.0
    for moving in (pan, push):
        assert np.abs(moving.frames[0].astype(int) - moving.frames[-1]).mean() > 5.0
    # panning right brings what was right of centre towards the centre
    shift = _horizontal_shift(pan.frames[0], pan.frames[-1])
    assert shift < -10


def _horizontal_shift(before: np.ndarray, after: np.ndarray) -> int:
    """How many pixels the content of `before` moved to reach `after` (negative = moved left)."""
    a, b = before.mean(axis=(0, 2)), after.mean(axis=(0, 2))
    errors = {
        s: np.abs(a[max(0, -s) : len(a) - max(0, s)] - b[max(0, s) : len(b) - max(0, -s)]).mean()
        for s in range(-60, 61)
    }
    return min(errors, key=errors.get)


def test_subtitles_are_burned_in_only_when_enabled(tmp_path: Path) -> None:
    with_subtitles = PreviewGenerator(PreviewConfig(subtitles=True)).generate(
        shot_request(), [], out_dir=tmp_path / "on"
    )
    without = PreviewGenerator(PreviewConfig(subtitles=False)).generate(shot_request(), [], out_dir=tmp_path / "off")
    mid_line = int((with_subtitles.dialogue_timings[0].start_s + 0.3) * 25)
    bottom = slice(int(192 * 0.7), 192)
    difference = np.abs(with_subtitles.frames[mid_line, bottom].astype(int) - without.frames[mid_line, bottom])
    assert (difference.max(axis=-1) > 40).sum() > 300
    assert np.array_equal(with_subtitles.frames[0], without.frames[0])  # before the first line: no subtitle
    assert with_subtitles.metadata["subtitles_burned"] and not without.metadata["subtitles_burned"]


def test_reference_image_and_card_memory_become_the_face(preview_generator: PreviewGenerator, tmp_path: Path) -> None:
    portrait = np.zeros((120, 90, 3), dtype=np.uint8)
    portrait[..., 2] = 255  # a pure blue face cannot come from the drawn palette
    save_png(tmp_path / "mara.png", portrait)
    mara = MARA.model_copy(update={"reference_image": tmp_path / "mara.png"})
    with_photo = preview_generator.generate(shot_request(characters=[mara, TOM]), [], out_dir=tmp_path / "photo")
    slot = card_slot(mara, width=320, height=192)
    from_memory = preview_generator.generate(shot_request(), [slot], out_dir=tmp_path / "memory")
    drawn = preview_generator.generate(shot_request(), [], out_dir=tmp_path / "drawn")
    assert with_photo.metadata["faces"]["ID_A"] == "reference_image"
    assert from_memory.metadata["faces"]["ID_A"] == "memory" and from_memory.metadata["memory_labels"] == ["ID_A"]
    assert drawn.metadata["faces"]["ID_A"] == "drawn"

    def blue_pixels(frame: np.ndarray) -> int:
        return int(((frame[..., 2] > 150) & (frame[..., 0] < 60) & (frame[..., 1] < 60)).sum())

    assert blue_pixels(with_photo.frames[0]) > 100
    assert blue_pixels(from_memory.frames[0]) > 100
    assert blue_pixels(drawn.frames[0]) < 10


def test_chinese_dialogue_renders(preview_generator: PreviewGenerator, tmp_path: Path) -> None:
    shot = preview_generator.generate(
        shot_request(language="zh", dialogue=[DialogueLine(speaker="ID_A", text="我们明天在老桥见面。")]),
        [],
        out_dir=tmp_path,
    )
    timing = shot.dialogue_timings[0]
    assert timing.end_s - timing.start_s > 1.0
    spoken = segment(shot.audio, shot.sample_rate, timing.start_s, timing.end_s)
    assert frame_rms(spoken, shot.sample_rate).mean() > 0.02


def test_a_larger_frame_size_renders(preview_generator: PreviewGenerator, tmp_path: Path) -> None:
    shot = preview_generator.generate(
        shot_request(width=1280, height=736, num_frames=25, camera="close-up, dolly in"), [], out_dir=tmp_path
    )
    info = probe(shot.video_path)
    assert (info.width, info.height, info.num_frames) == (1280, 736, 25)


def test_frames_still_held_are_never_overwritten_by_later_shots(
    preview_generator: PreviewGenerator, tmp_path: Path
) -> None:
    first = preview_generator.generate(shot_request(), [], out_dir=tmp_path / "a")
    kept = first.frames.copy()
    other = preview_generator.generate(shot_request(seed=7, camera="pan left"), [], out_dir=tmp_path / "b")
    assert not np.shares_memory(first.frames, other.frames) and np.array_equal(first.frames, kept)
    view = first.frames[30]  # a slice outlives its shot
    del first
    preview_generator.generate(shot_request(seed=8, camera="zoom out"), [], out_dir=tmp_path / "c")
    assert np.array_equal(view, kept[30])
    del view, other
    reused = preview_generator.generate(shot_request(), [], out_dir=tmp_path / "d")  # into an earlier shot's memory
    assert np.array_equal(reused.frames, kept)
