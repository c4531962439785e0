"""The preview backend's soundtrack: dialogue laid out line by line, an ambience bed from the sound-effects
text, a music bed from the music text, mixed with the peak at or below -1 dBFS."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, sosfilt

from generator.audio import peak
from generator.types import DialogueTiming

LEAD_IN_S = 0.3
GAP_S = 0.3
TAIL_S = 0.2
MIN_GAP_S = 0.08
PEAK_CEILING = 10.0 ** (-1.0 / 20.0)  # -1 dBFS
SPEECH_PEAK = 0.8
AMBIENCE_RMS = 0.02
MUSIC_RMS = 0.035
SPEECH_DUCK = 0.5  # music gain while someone speaks

_NO_MUSIC = re.compile(
    r"^\s*(none|no|n/?a|-|silence|silent)?\s*\.?\s*$|\bno (background )?music\b|\bwithout music\b"
    r"|^\s*[无没]有?\s*。?\s*$|没有.{0,6}音乐|无.{0,4}音乐|不配乐"
)


@dataclass
class SpokenLine:
    speaker: str
    text: str
    wave: np.ndarray


@dataclass
class DialogueLayout:
    """Where each line sits in the shot; lines past the end are cut and counted in `overflow_s`."""

    timings: list[DialogueTiming]
    tracks: dict[str, np.ndarray]  # speaker id -> that speaker's lines only, shot length
    speech: np.ndarray
    overflow_s: float
    needed_s: float  # shot length the dialogue needs, with lead-in, gaps and tail


def layout_dialogue(lines: Sequence[SpokenLine], num_samples: int, sample_rate: int) -> DialogueLayout:
    """Place lines one after another with small gaps (shrunk towards MIN_GAP_S when the shot is tight)."""
    speech_s = sum(line.wave.size for line in lines) / sample_rate
    duration_s = num_samples / sample_rate
    roomy = LEAD_IN_S + GAP_S * max(len(lines) - 1, 0) + TAIL_S
    tight = MIN_GAP_S * max(len(lines) - 1, 0)
    scale = 1.0 if speech_s + roomy <= duration_s else max(0.0, (duration_s - speech_s - tight) / (roomy - tight))
    lead, gap = LEAD_IN_S * scale, max(MIN_GAP_S, GAP_S * scale)
    speakers = {line.speaker for line in lines}
    tracks = {speaker: np.zeros(num_samples, dtype=np.float32) for speaker in speakers}
    timings = []
    cursor = round(lead * sample_rate)
    for line in lines:
        end = cursor + line.wave.size
        kept = max(0, min(end, num_samples) - cursor)
        tracks[line.speaker][cursor : cursor + kept] = line.wave[:kept]
        timings.append(
            DialogueTiming(
                speaker=line.speaker,
                text=line.text,
                start_s=round(min(cursor, num_samples) / sample_rate, 3),
                end_s=round(min(end, num_samples) / sample_rate, 3),
            )
        )
        cursor = end + round(gap * sample_rate)
    speech_end = (cursor - round(gap * sample_rate)) if lines else 0
    speech = np.sum(list(tracks.values()), axis=0, dtype=np.float32) if tracks else np.zeros(num_samples, np.float32)
    return DialogueLayout(
        timings=timings,
        tracks=tracks,
        speech=speech,
        overflow_s=round(max(0, speech_end - num_samples) / sample_rate, 3),
        needed_s=round(speech_s + (roomy if lines else 0.0), 3),
    )


def stable_seed(*parts: object) -> int:
    """A seed from text that is the same in every process (Python's hash() is salted per run)."""
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "little")


def _filtered_noise(rng: np.random.Generator, n: int, sample_rate: int, low: float | None, high: float | None):
    noise = rng.standard_normal(n).astype(np.float32)
    nyquist = sample_rate / 2
    if low and high:
        sos = butter(2, [low / nyquist, min(high / nyquist, 0.99)], btype="band", output="sos")
    elif low:
        sos = butter(2, low / nyquist, btype="high", output="sos")
    elif high:
        sos = butter(2, high / nyquist, btype="low", output="sos")
    else:
        return noise
    return sosfilt(sos, noise).astype(np.float32)


def _slow_swell(n: int, sample_rate: int, hz: float, depth: float, phase: float) -> np.ndarray:
    t = np.arange(n, dtype=np.float32) / sample_rate
    return (1.0 - depth + depth * 0.5 * (1 + np.sin(2 * np.pi * hz * t + phase))).astype(np.float32)


def _events(rng: np.random.Generator, n: int, sample_rate: int, per_second: float, sound: np.ndarray) -> np.ndarray:
    out = np.zeros(n + sound.size, dtype=np.float32)
    for start in rng.integers(0, max(n, 1), size=rng.poisson(per_second * n / sample_rate)):
        out[start : start + sound.size] += sound * rng.uniform(0.4, 1.0)
    return out[:n]


def _decaying_tone(sample_rate: int, hz: float, seconds: float, decay: float) -> np.ndarray:
    t = np.arange(round(seconds * sample_rate), dtype=np.float32) / sample_rate  # round: n / sr * sr gives n back
    return (np.sin(2 * np.pi * hz * t) * np.exp(-decay * t)).astype(np.float32)


def _chirp(sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.09 * sample_rate), dtype=np.float32) / sample_rate
    start = rng.uniform(2500, 4500)
    phase = 2 * np.pi * (start * t + rng.uniform(-8000, 8000) * t * t)
    return (np.sin(phase) * np.hanning(t.size)).astype(np.float32)


_Ambience = Callable[[np.random.Generator, int, int], np.ndarray]
_AMBIENCES: list[tuple[re.Pattern[str], _Ambience]] = [
    (
        re.compile(r"\b(rain|drizzle|downpour|storm)|雨|暴风"),
        lambda rng, n, sr: (
            _filtered_noise(rng, n, sr, 1500, None) + _events(rng, n, sr, 25, _decaying_tone(sr, 3200, 0.02, 200) * 2)
        ),
    ),
    (
        re.compile(r"\b(wind|windy|breeze|gusts?)\b|风(?!格)"),
        lambda rng, n, sr: _filtered_noise(rng, n, sr, None, 500) * _slow_swell(n, sr, 0.15, 0.7, rng.uniform(0, 6)),
    ),
    (
        re.compile(r"\b(ocean|waves?|sea|surf|shore|beach)\b|海浪|浪|海|沙滩|岸"),
        lambda rng, n, sr: _filtered_noise(rng, n, sr, 200, 2500) * _slow_swell(n, sr, 0.12, 0.9, rng.uniform(0, 6)),
    ),
    (
        re.compile(r"\b(city|traffic|street|cars?|town)\b|车流|车声|街|城|汽车"),
        lambda rng, n, sr: _filtered_noise(rng, n, sr, None, 300) + 0.3 * _filtered_noise(rng, n, sr, 500, 2000),
    ),
    (
        re.compile(
            r"\b(crowd|chatter|murmur|cafe|café|restaurant|bar|party|market)\b|人声|交谈|谈笑|叫卖|喧|咖啡馆|餐厅|酒吧|市场"
        ),
        lambda rng, n, sr: _filtered_noise(rng, n, sr, 300, 3000) * _slow_swell(n, sr, 2.3, 0.4, rng.uniform(0, 6)),
    ),
    (
        re.compile(r"\b(birds?|birdsong|chirp\w*|forest|woods)\b|鸟|森林|树林"),
        lambda rng, n, sr: 0.15 * _filtered_noise(rng, n, sr, None, 800) + _events(rng, n, sr, 3, _chirp(sr, rng)),
    ),
    (
        re.compile(r"\b(fire|fireplace|crackl\w*|campfire)\b|火(?!车)|噼啪"),
        lambda rng, n, sr: (
            0.5 * _filtered_noise(rng, n, sr, None, 200)
            + _events(rng, n, sr, 12, rng.standard_normal(60).astype(np.float32))
        ),
    ),
    (
        re.compile(r"\b(footsteps?|steps|walking)\b|脚步"),
        lambda rng, n, sr: _events(rng, n, sr, 2, _decaying_tone(sr, 90, 0.12, 40)),
    ),
    (
        re.compile(r"\b(thunder)\b|雷"),
        lambda rng, n, sr: _filtered_noise(rng, n, sr, None, 120) * _slow_swell(n, sr, 0.08, 1.0, rng.uniform(0, 6)),
    ),
    (
        re.compile(r"\b(clock|tick\w*)\b|钟|滴答"),
        lambda rng, n, sr: _events(rng, n, sr, 1, _decaying_tone(sr, 2000, 0.03, 150)),
    ),
    (
        re.compile(r"\b(hum|engine|machine\w*|motor|fridge|spaceship)\b|嗡|引擎|机器|马达|冰箱|飞船"),
        lambda rng, n, sr: (
            sum(_decaying_tone(sr, 55.0 * k, n / sr, 0)[:n] / k for k in (1, 2, 3))
            + 0.2 * _filtered_noise(rng, n, sr, None, 400)
        ),
    ),
]


def ambience(text: str, num_samples: int, sample_rate: int, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    """A quiet bed of every sound the text names (room tone when it names none); returns it and the names."""
    lowered = text.lower()
    layers, names = [], []
    for pattern, make in _AMBIENCES:
        found = pattern.search(lowered)
        if found:
            layers.append(_at_rms(make(rng, num_samples, sample_rate), AMBIENCE_RMS))
            names.append(found[0])
    if not layers:
        layers.append(_at_rms(_filtered_noise(rng, num_samples, sample_rate, None, 400), AMBIENCE_RMS * 0.3))
        names.append("room tone")
    return np.sum(layers, axis=0, dtype=np.float32), names


_MINOR = re.compile(
    r"\b(sad|melanchol\w*|somber|sombre|dark|tense|tension|mysterious|eerie|suspense\w*|tragic|"
    r"ominous|haunting|minor|lonely|grief)\b"
    r"|悲|哀伤|忧郁|阴郁|低沉|紧张|不安|神秘|诡异|悬疑|不和谐|孤独|小调"
)
_FAST = re.compile(
    r"\b(upbeat|energetic|action|fast|driving|lively|playful|chase|exciting|dance|bouncy)\b"
    r"|欢快|轻快|跳跃|激昂|活泼|渐快|紧凑|追逐|舞|手忙脚乱"
)
_SLOW = re.compile(
    r"\b(calm|gentle|slow|ambient|sad|peaceful|soft|quiet|lullaby|dreamy|tender|melanchol\w*)\b"
    r"|平静|轻柔|柔和|缓慢|氛围|哀伤|安宁|安静|摇篮曲|梦幻|温柔|忧郁|长音|稀疏"
)
_PLUCKED = re.compile(r"\b(piano|guitar|harp|music box|pluck\w*|celesta|marimba)\b|钢琴|吉他|竖琴|八音盒|拨弦|马林巴")
_DRUMS = re.compile(r"\b(drums?|percussion|beat|pulse|heartbeat|rhythm\w*)\b|鼓|打击乐|节拍|脉动|脉冲|心跳|节奏")
_MAJOR_PROGRESSION = ((0, 4, 7), (9, 12, 16), (5, 9, 12), (7, 11, 14))  # I vi IV V
_MINOR_PROGRESSION = ((0, 3, 7), (8, 12, 15), (3, 7, 10), (10, 14, 17))  # i VI III VII


def wants_music(text: str) -> bool:
    return not _NO_MUSIC.search(text.lower())


def music_bed(text: str, num_samples: int, sample_rate: int) -> tuple[np.ndarray, str]:
    """Chords (pad or plucked arpeggio, optional pulse) from the mood words; the key comes from the text, so the
    same music description sounds the same in every shot. Returns the bed and a short description."""
    if not wants_music(text):
        return np.zeros(num_samples, dtype=np.float32), "none"
    lowered = text.lower()
    minor = bool(_MINOR.search(lowered))
    bpm = 124 if _FAST.search(lowered) else 66 if _SLOW.search(lowered) else 90
    root_hz = 110.0 * 2 ** ((stable_seed(lowered) % 12) / 12)
    beat = 60.0 / bpm
    chord_s = 4 * beat
    plucked = bool(_PLUCKED.search(lowered))
    progression = _MINOR_PROGRESSION if minor else _MAJOR_PROGRESSION
    chord_samples = int(chord_s * sample_rate)
    bed = np.zeros(num_samples + chord_samples + 1, dtype=np.float32)
    ramp = np.arange(chord_samples)
    pad_envelope = np.minimum(1.0, np.minimum(ramp, chord_samples - ramp) / (0.3 * sample_rate)).astype(np.float32)
    for index in range(int(num_samples / chord_samples) + 1):
        start = index * chord_samples
        notes = [root_hz * 2 ** (step / 12) for step in progression[index % len(progression)]]
        if plucked:
            for beat_index in range(4):
                tone = _decaying_tone(sample_rate, notes[beat_index % 3] * 2, beat * 1.5, 3.0)
                at = start + int(beat_index * beat * sample_rate)
                bed[at : at + tone.size] += tone[: bed.size - at]
        else:
            for hz in notes:
                bed[start : start + chord_samples] += _decaying_tone(sample_rate, hz, chord_s, 0)[:chord_samples] * (
                    pad_envelope
                )
    if _DRUMS.search(lowered):
        kick = _decaying_tone(sample_rate, 55, 0.25, 18)
        for at in range(0, num_samples, int(beat * sample_rate)):
            bed[at : at + kick.size] += 2.0 * kick[: bed.size - at]
    mood = f"{'minor' if minor else 'major'} {'plucked' if plucked else 'pad'} {bpm} bpm"
    return _at_rms(bed[:num_samples], MUSIC_RMS), mood


def _at_rms(wave: np.ndarray, target: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(wave, dtype=np.float64)))) if wave.size else 0.0
    return (wave * (target / rms)).astype(np.float32) if rms > 1e-9 else wave.astype(np.float32)


def mix(speech: np.ndarray, ambience_bed: np.ndarray, music: np.ndarray, sample_rate: int) -> np.ndarray:
    """Speech on top, music ducked under it, everything scaled down if the peak would pass -1 dBFS."""
    speaking = np.abs(speech) > 1e-3
    window = max(1, int(0.15 * sample_rate))
    active = _moving_average(speaking, window)
    duck = 1.0 - (1.0 - SPEECH_DUCK) * np.minimum(1.0, active * 4)
    mixed = speech + ambience_bed + music * duck
    top = peak(mixed)
    return (mixed * (PEAK_CEILING / top) if top > PEAK_CEILING else mixed).astype(np.float32)


def _moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """`np.convolve(values, np.ones(window) / window, mode="same")` from a running sum: O(n), not O(n * window)."""
    total = np.concatenate(([0.0], np.cumsum(values, dtype=np.float64)))
    index = np.arange(values.size)
    upper = np.minimum(index + (window + 1) // 2, values.size)
    lower = np.maximum(index - window // 2, 0)
    return (total[upper] - total[lower]) / window


def normalise_speech(wave: np.ndarray) -> np.ndarray:
    top = peak(wave)
    return (wave * (SPEECH_PEAK / top)).astype(np.float32) if top > 0 else wave
