"""Offline speech with eSpeak NG: repeatable synthesis, a consistent voice per card, pitch matching."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from preview_helpers import MARA, TOM

from generator import media
from generator.audio import write_wav
from generator.preview.speech import (
    FEMALE_VARIANTS,
    MALE_VARIANTS,
    VoiceProfile,
    espeak_language,
    estimate_pitch_hz,
    synthesize,
    voice_for_character,
)
from generator.types import CharacterInShot, GeneratorError

LINE = "We will meet again tomorrow morning by the old bridge."


def _pitch(card: CharacterInShot, text: str = LINE) -> float:
    wave, rate = synthesize(text, voice_for_character(card))
    pitch = estimate_pitch_hz(wave, rate)
    assert pitch is not None
    return pitch


@pytest.mark.parametrize("hz", [85.0, 140.0, 230.0, 330.0])
def test_pitch_estimate_of_harmonic_tones(hz: float) -> None:
    t = np.arange(16000) / 16000
    tone = np.sin(2 * np.pi * hz * t) + 0.6 * np.sin(4 * np.pi * hz * t + 1) + 0.3 * np.sin(6 * np.pi * hz * t)
    assert estimate_pitch_hz(tone, 16000) == pytest.approx(hz, rel=0.01)


def test_pitch_estimate_of_noise_and_silence_is_none() -> None:
    assert estimate_pitch_hz(np.random.default_rng(0).normal(size=16000) * 0.1, 16000) is None
    assert estimate_pitch_hz(np.zeros(16000), 16000) is None


def test_synthesis_is_repeatable_whatever_was_said_before() -> None:
    voice = VoiceProfile("f2", 60, 70, 180)
    first, rate = synthesize(LINE, voice)
    synthesize("Something else entirely, in another voice.", VoiceProfile("m3", 30, 20, 140))
    synthesize("你好", VoiceProfile("f5"), "zh")
    again, _ = synthesize(LINE, voice)
    assert rate == 22050
    assert np.array_equal(first, again)
    assert 1.5 < len(first) / rate < 6.0
    assert np.abs(first).max() > 0.1


def test_synthesis_is_thread_safe() -> None:
    expected, _ = synthesize(LINE, VoiceProfile("m2"))
    results: list[np.ndarray] = []

    def speak() -> None:
        results.append(synthesize(LINE, VoiceProfile("m2"))[0])

    threads = [threading.Thread(target=speak) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(np.array_equal(result, expected) for result in results)


def test_a_card_always_gets_the_same_voice() -> None:
    assert voice_for_character(MARA) == voice_for_character(MARA.model_copy())
    assert voice_for_character(MARA).variant in FEMALE_VARIANTS
    assert voice_for_character(TOM).variant in MALE_VARIANTS


def test_differently_described_characters_sound_different() -> None:
    woman, man = _pitch(MARA), _pitch(TOM)
    child = _pitch(CharacterInShot(id="ID_C", name="Lily", identity="an 8-year-old girl", voice=""))
    assert woman > man * 1.4
    assert child > woman
    slow = voice_for_character(TOM)
    fast = voice_for_character(TOM.model_copy(update={"voice": "a deep, fast male voice"}))
    assert fast.rate > slow.rate


def test_same_description_different_people_still_differ() -> None:
    first = CharacterInShot(id="ID_A", name="Ben", identity="a man", voice="male voice")
    second = first.model_copy(update={"name": "Carl"})
    assert voice_for_character(first) != voice_for_character(second)


@pytest.mark.parametrize("target_hz", [110.0, 220.0])
def test_reference_audio_pitch_is_matched(tmp_path: Path, target_hz: float) -> None:
    t = np.arange(int(1.5 * 16000)) / 16000
    voice = np.sin(2 * np.pi * target_hz * t) + 0.5 * np.sin(4 * np.pi * target_hz * t)
    reference = write_wav(tmp_path / "ref.wav", 0.4 * voice, 16000)
    card = CharacterInShot(id="ID_A", name="Sam", identity="a person", voice="", reference_audio=reference)
    assert _pitch(card) == pytest.approx(target_hz, rel=0.2)
    assert voice_for_character(card).variant in (FEMALE_VARIANTS if target_hz > 165 else MALE_VARIANTS)


def test_reference_audio_is_decoded_once_per_file_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[Path] = []
    real_extract = media.extract_audio

    def counting_extract(path: Path, sample_rate: int) -> np.ndarray:
        decoded.append(path)
        return real_extract(path, sample_rate)

    monkeypatch.setattr(media, "extract_audio", counting_extract)

    def write_reference(hz: float, seconds: float) -> Path:
        t = np.arange(int(seconds * 16000)) / 16000
        return write_wav(tmp_path / "ref.wav", 0.4 * np.sin(2 * np.pi * hz * t), 16000)

    card = CharacterInShot(id="ID_A", name="Sam", identity="a person", reference_audio=write_reference(110.0, 1.0))
    low = voice_for_character(card)
    assert voice_for_character(card) == low
    assert len(decoded) == 1
    write_reference(300.0, 1.5)
    assert voice_for_character(card).variant in FEMALE_VARIANTS
    assert len(decoded) == 2


def test_unreadable_reference_audio_names_the_card(tmp_path: Path) -> None:
    broken = tmp_path / "voice.wav"
    broken.write_bytes(b"RIFF....garbage")
    card = CharacterInShot(id="ID_B", name="Sam", identity="a person", reference_audio=broken)
    with pytest.raises(GeneratorError, match=r"ID_B \(Sam\).*voice\.wav"):
        voice_for_character(card)


def test_chinese_is_spoken_with_the_mandarin_voice() -> None:
    assert espeak_language("en", "我们明天见。") == "cmn"
    assert espeak_language("zh-CN") == "cmn"
    assert espeak_language("en") == "en"
    wave, rate = synthesize("我们明天在老桥见面。", voice_for_character(MARA), "zh")
    assert len(wave) / rate > 1.0
    assert estimate_pitch_hz(wave, rate) is not None


def test_empty_text_and_unknown_language_are_refused() -> None:
    with pytest.raises(GeneratorError, match="empty"):
        synthesize("   ", VoiceProfile("m1"))
    with pytest.raises(GeneratorError, match="no voice 'xx-unknown"):
        synthesize("hello", VoiceProfile("m1"), "xx-unknown")
