"""Offline speech with eSpeak NG (the library and voices bundled by the PyPI package `espeakng-loader`).

One voice per character, chosen deterministically from the card: the voice text (male/female, child/old,
deep/high, soft, fast/slow, monotone/expressive) or, when the card has reference audio, that audio's pitch.
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from generator.text import has_cjk
from generator.types import LANGUAGE_PATTERN, CharacterInShot, GeneratorError

MALE_VARIANTS = ("m1", "m2", "m3", "m4", "m6", "m7")
FEMALE_VARIANTS = ("f1", "f2", "f3", "f4", "f5")
MALE_FEMALE_SPLIT_HZ = 165.0

_SYNCHRONOUS = 2  # espeak_AUDIO_OUTPUT: AUDIO_OUTPUT_SYNCHRONOUS
_DONT_EXIT = 0x8000  # espeakINITIALIZE_DONT_EXIT: report errors instead of calling exit()
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_RATE, _VOLUME, _PITCH, _RANGE = 1, 2, 3, 4  # espeak_PARAMETER
_SAFE_VOLUME = 70  # below the level where the library's clipping guard (a gain that persists across calls) acts
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_SILENCE_DB = -40.0
_NOISE_SEED = 1

_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


@dataclass(frozen=True)
class VoiceProfile:
    """An eSpeak NG voice: variant (a file under voices/!v) plus pitch, intonation range and speed."""

    variant: str
    pitch: int = 50  # 0..100; 50 is the variant's own pitch
    pitch_range: int = 50  # 0 = monotone, 100 = very expressive
    rate: int = 165  # words per minute, 80..450

    def describe(self) -> str:
        return f"{self.variant} pitch {self.pitch} range {self.pitch_range} rate {self.rate} wpm"


def _deterministic_data_dir(source: str) -> str:
    """A private eSpeak NG data folder whose voice variants make synthesis repeatable.

    Pitch flutter and roughness are driven by counters the library never resets, so the same text would
    come out slightly different on every call; the variants here switch both off (and `speak` resets the
    noise seed and keeps the volume under the clipping guard). Everything else links to the packaged data.
    """
    target = tempfile.mkdtemp(prefix="echo-espeak-")
    atexit.register(shutil.rmtree, target, True)
    for name in os.listdir(source):
        if name != "voices":
            os.symlink(os.path.join(source, name), os.path.join(target, name))
    variants = os.path.join(target, "voices", "!v")
    os.makedirs(variants)
    for name in os.listdir(os.path.join(source, "voices")):
        if name != "!v":
            os.symlink(os.path.join(source, "voices", name), os.path.join(target, "voices", name))
    for name in os.listdir(os.path.join(source, "voices", "!v")):
        with open(os.path.join(source, "voices", "!v", name), "rb") as original:
            text = original.read()
        with open(os.path.join(variants, name), "wb") as flat:
            flat.write(text + b"\nflutter 0\nroughness 8\n")
    return target


class _Engine:
    """The process-wide eSpeak NG instance; every call holds the lock (the library keeps global state)."""

    def __init__(self) -> None:
        import espeakng_loader

        self.lock = threading.Lock()
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        data_path = _deterministic_data_dir(espeakng_loader.get_data_path()).encode()
        self.sample_rate = self.lib.espeak_Initialize(_SYNCHRONOUS, 0, data_path, _DONT_EXIT)
        if self.sample_rate <= 0:
            raise GeneratorError("eSpeak NG failed to start; reinstall the package: pip install espeakng-loader")
        self._chunks: list[np.ndarray] = []
        self._callback = _SynthCallback(self._collect)  # kept on self: ctypes must not free it
        self.lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, samples: ctypes.POINTER(ctypes.c_short), count: int, _events: int) -> int:
        if count > 0 and samples:
            self._chunks.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 0

    def speak(self, text: str, voice_name: str, voice: VoiceProfile) -> np.ndarray:
        with self.lock:
            if self.lib.espeak_SetVoiceByName(voice_name.encode()) != 0:
                raise GeneratorError(
                    f"eSpeak NG has no voice {voice_name!r}; use a language code it knows, e.g. en, zh, fr, de, es, ja"
                )
            self.lib.espeak_SetParameter(_RATE, voice.rate, 0)
            self.lib.espeak_SetParameter(_VOLUME, _SAFE_VOLUME, 0)
            self.lib.espeak_SetParameter(_PITCH, voice.pitch, 0)
            self.lib.espeak_SetParameter(_RANGE, voice.pitch_range, 0)
            self._chunks = []
            self.lib.espeak_ng_SetRandSeed(_NOISE_SEED)  # breathy variants add noise from this generator
            payload = text.encode("utf-8") + b"\0"
            self.lib.espeak_Synth(payload, len(payload), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            self.lib.espeak_Synchronize()
            chunks, self._chunks = self._chunks, []
        if not chunks:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(chunks).astype(np.float32) / 32768.0


_ENGINE: _Engine | None = None
_ENGINE_START = threading.Lock()


def _started_engine() -> _Engine:
    global _ENGINE
    with _ENGINE_START:
        if _ENGINE is None:
            _ENGINE = _Engine()
        return _ENGINE


def espeak_language(language: str, text: str = "") -> str:
    """The eSpeak NG language voice for a language code, switching by script (Chinese text -> Mandarin `cmn`)."""
    code = (language or "en").strip().lower().replace("_", "-")
    if not re.fullmatch(LANGUAGE_PATTERN, code):  # eSpeak would read any other name as a voice file path
        raise GeneratorError(f"language {language!r} is not a language code; use one such as en, zh, fr, de, es, ja")
    if code.startswith(("zh-yue", "zh-hk", "yue")):
        return "yue"
    if code.startswith(("zh", "cmn")) or (has_cjk(text) and not code.startswith(("ja", "ko"))):
        return "cmn"
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    return code


def synthesize(text: str, voice: VoiceProfile, language: str = "en") -> tuple[np.ndarray, int]:
    """Speak `text` with `voice`; returns (mono float32 waveform trimmed of leading/trailing silence, rate)."""
    if not text.strip():
        raise GeneratorError("nothing to say: the dialogue text is empty; write the words or remove the line")
    engine = _started_engine()
    base = espeak_language(language, text)
    wave = engine.speak(text, f"{base}+{voice.variant}", voice)
    return trim_silence(wave, engine.sample_rate), engine.sample_rate


def trim_silence(wave: np.ndarray, sample_rate: int, pad_s: float = 0.02) -> np.ndarray:
    """Cut leading and trailing samples quieter than -40 dB below the peak, keeping a short pad."""
    if wave.size == 0:
        return wave
    loud = np.flatnonzero(np.abs(wave) > np.abs(wave).max() * 10.0 ** (_SILENCE_DB / 20.0))
    if loud.size == 0:
        return wave[:0]
    pad = int(pad_s * sample_rate)
    return wave[max(0, loud[0] - pad) : loud[-1] + pad + 1]


def estimate_pitch_hz(wave: np.ndarray, sample_rate: int, fmin: float = 60.0, fmax: float = 500.0) -> float | None:
    """Median fundamental frequency of the voiced parts (normalised autocorrelation); None if nothing is voiced."""
    samples = np.asarray(wave, dtype=np.float64).reshape(-1)
    length, hop = int(0.04 * sample_rate), int(0.01 * sample_rate)
    if samples.size < length:
        return None
    frames = np.lib.stride_tricks.sliding_window_view(samples, length)[::hop]
    frames = frames - frames.mean(axis=1, keepdims=True)
    energy = np.sqrt((frames**2).mean(axis=1))
    frames = frames[energy > max(energy.max() * 0.1, 1e-4)]
    if not len(frames):
        return None
    window = np.hanning(length)
    autocorr = _autocorrelation(frames * window, length) / np.maximum(_autocorrelation(window[None], length), 1e-12)
    low, high = int(sample_rate / fmax), min(int(sample_rate / fmin), length - 2)
    normalised = autocorr[:, low : high + 1] / np.maximum(autocorr[:, :1], 1e-12)
    inner = normalised[:, 1:-1]
    peaks = (inner >= normalised[:, :-2]) & (inner >= normalised[:, 2:])
    best = np.where(peaks, inner, -1.0).max(axis=1)
    # The first peak within 90% of the best one avoids picking a multiple of the true period.
    first = np.argmax(peaks & (inner >= 0.9 * best[:, None]), axis=1)
    voiced = best > 0.45
    if voiced.sum() < 3:
        return None
    rows = np.flatnonzero(voiced)
    left, centre, right = (normalised[rows, first[voiced] + shift] for shift in (0, 1, 2))
    offset = 0.5 * (left - right) / np.where(np.abs(left - 2 * centre + right) > 1e-12, left - 2 * centre + right, 1)
    lags = low + 1 + first[voiced] + offset
    return float(np.median(sample_rate / lags))


def _autocorrelation(frames: np.ndarray, length: int) -> np.ndarray:
    spectrum = np.fft.rfft(frames, n=2 * length, axis=1)
    return np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :length]


_FEMALE = re.compile(
    r"\b(female|woman|women|girl|lady|she|her|feminine|mother|mom|grandmother|grandma|aunt|queen|"
    r"princess|sister|daughter|wife|actress|soprano|alto|mezzo)\b"
    r"|女|姑娘|奶奶|外婆|婆婆|妈妈|母亲|阿姨|大妈|姐|妹|太太|夫人|妻子|公主"
)
_MALE = re.compile(
    r"\b(male|man|men|boy|guy|gentleman|he|his|masculine|father|dad|grandfather|grandpa|uncle|king|"
    r"prince|brother|son|husband|actor|baritone|bass|tenor)\b"
    r"|男|小伙子|爷爷|外公|爸爸|父亲|叔|伯|大爷|哥|弟|先生|丈夫|儿子|孙子"
)
_CHILD = re.compile(r"\b(child|kid|boy|girl|toddler|little|childlike|childish)\b|孩|童|幼|婴")
_OLD = re.compile(
    r"\b(old|elderly|aged|grandfather|grandmother|grandpa|grandma|senior|ancient|frail)\b"
    r"|老年|老人|苍老|年迈|年老|奶奶|爷爷|外婆|外公|婆婆"
)
_AGE = re.compile(r"\b(\d{1,3})[- ]year[- ]old\b")
_ZH_AGE = re.compile(r"([零一二两三四五六七八九十\d]{1,3})(多)?岁")  # '八岁', '三十多岁' (多: some years over)
_ZH_DIGITS = {char: value for value, char in enumerate("零一二三四五六七八九")} | {"两": 2}
_PITCH_WORDS = {
    -15: re.compile(
        r"\b(deep|low|bass|baritone|gravelly|gruff|husky|booming|rumbling|dark)\b|低沉|沙哑|嘶哑|浑厚|粗粝|厚实|洪亮|隆隆"
    ),
    12: re.compile(
        r"\b(high|bright|squeaky|shrill|light|soprano|thin|piping|chirpy)\b|清亮|明亮|清脆|尖细|稚嫩|细细|甜美|高亢"
    ),
}
_RATE_WORDS = {
    35: re.compile(
        r"\b(fast|quick|rapid|energetic|excited|hurried|breathless|nervous)\b|偏快|语速快|轻快|急切|急促|匆忙|兴奋|紧张"
    ),
    -30: re.compile(
        r"\b(slow|measured|deliberate|calm|drawling|lazy|thoughtful|languid)\b|慢|舒缓|从容|沉稳|平静|慵懒"
    ),
}
_RANGE_WORDS = {
    15: re.compile(r"\b(monotone|flat|robotic|dry|deadpan|cold)\b|单调|平板|机械|干涩|冷淡|冷漠"),
    80: re.compile(
        r"\b(expressive|lively|animated|sing-song|cheerful|playful|dramatic)\b|活泼|生动|欢快|俏皮|调皮|夸张"
    ),
    35: re.compile(r"\b(soft|gentle|quiet|whisper\w*|hushed|tender)\b|轻柔|柔和|温和|温柔|安静|轻声|低语|耳语"),
}


def voice_for_character(card: CharacterInShot) -> VoiceProfile:
    """The card's voice: from its reference audio's pitch when given, else from its voice and identity text.

    Deterministic: the same card always gets the same profile; the variant and a small pitch offset come
    from a stable hash of the name and voice text, so two similarly described characters still differ.
    """
    voice_text = card.voice.lower()
    person_text = f"{card.identity} {card.appearance}".lower()
    digest = hashlib.sha256(f"{card.name.strip().lower()}|{voice_text.strip()}".encode()).digest()
    jitter = digest[1] % 9 - 4
    age = _age(voice_text, person_text)
    rate = 165 + (-20 if age == "old" else 10 if age == "child" else 0)
    rate += sum(delta for delta, pattern in _RATE_WORDS.items() if pattern.search(voice_text))
    pitch_range = next((value for value, pattern in _RANGE_WORDS.items() if pattern.search(voice_text)), 50)
    if card.reference_audio is not None:
        measured = _reference_pitch(card)
        if measured is not None:
            variants = FEMALE_VARIANTS if measured >= MALE_FEMALE_SPLIT_HZ else MALE_VARIANTS
            variant = variants[digest[0] % len(variants)]
            return VoiceProfile(variant, _pitch_parameter_for(variant, measured), pitch_range, _clamp(rate, 80, 450))
    female = _is_female(voice_text, person_text, digest)
    variants = FEMALE_VARIANTS if female else MALE_VARIANTS
    pitch = 50 + jitter + (30 if age == "child" else -5 if age == "old" else 0)
    pitch += sum(delta for delta, pattern in _PITCH_WORDS.items() if pattern.search(voice_text))
    return VoiceProfile(variants[digest[0] % len(variants)], _clamp(pitch, 0, 100), pitch_range, _clamp(rate, 80, 450))


def _is_female(voice_text: str, person_text: str, digest: bytes) -> bool:
    for text in (voice_text, person_text):
        female, male = len(_FEMALE.findall(text)), len(_MALE.findall(text))
        if female != male:
            return female > male
    return digest[2] % 2 == 1


def _age(voice_text: str, person_text: str) -> str:
    for text in (voice_text, person_text):
        years = _years(text)
        if years is not None:
            return "child" if years < 13 else "old" if years >= 65 else "adult"
        if _CHILD.search(text):
            return "child"
        if _OLD.search(text):
            return "old"
    return "adult"


def _years(text: str) -> int | None:
    """The age a text states: '8-year-old', '八岁', '三十多岁' (some years over thirty: 35)."""
    english = _AGE.search(text)
    if english:
        return int(english[1])
    chinese = _ZH_AGE.search(text)
    return None if chinese is None else _zh_number(chinese[1]) + (5 if chinese[2] else 0)


def _zh_number(word: str) -> int:
    """'8' -> 8, '八' -> 8, '十二' -> 12, '五十' -> 50 (the numbers an age is written with)."""
    if word.isdigit() and word.isascii():
        return int(word)
    tens, ten, ones = word.partition("十")
    value = sum(_ZH_DIGITS.get(char, 0) for char in ones)
    return value + (_ZH_DIGITS.get(tens, 1) if tens else 1) * 10 if ten else _ZH_DIGITS.get(tens, 0)


def _reference_pitch(card: CharacterInShot) -> float | None:
    from generator.media import MediaError

    path = Path(card.reference_audio)
    try:
        return _file_pitch(path.resolve(), *_file_version(path))
    except MediaError as error:
        raise GeneratorError(
            f"{card.id} ({card.name}): cannot read reference audio {path.name}: {error}. "
            "Upload a wav/mp3/m4a with the character speaking, or remove it from the card."
        ) from error


def _file_version(path: Path) -> tuple[int, int]:
    """(mtime in ns, size), so a replaced file is measured afresh; (0, 0) when it cannot be read, which
    extract_audio then reports (failures are never cached)."""
    try:
        stat = path.stat()
    except OSError:
        return 0, 0
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=16)
def _file_pitch(path: Path, mtime_ns: int, size: int) -> float | None:
    """A reference file's pitch, decoded with ffmpeg once per file version rather than for every shot."""
    from generator.media import extract_audio

    return estimate_pitch_hz(extract_audio(path, 16000), 16000)


@lru_cache(maxsize=32)
def _variant_pitch_curve(variant: str) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Measured median F0 of a variant at a few pitch settings (cached: a handful of 20 ms syntheses)."""
    settings, measured = [], []
    for pitch in (0, 20, 40, 60, 80, 100):
        wave, rate = synthesize("We will meet again tomorrow morning by the old bridge.", VoiceProfile(variant, pitch))
        f0 = estimate_pitch_hz(wave, rate)
        if f0 is not None and (not measured or f0 > measured[-1]):
            settings.append(pitch)
            measured.append(f0)
    return tuple(settings), tuple(measured)


def _pitch_parameter_for(variant: str, target_hz: float) -> int:
    settings, measured = _variant_pitch_curve(variant)
    if len(settings) < 2:
        return 50
    return _clamp(round(float(np.interp(target_hz, measured, settings))), 0, 100)


def _clamp(value: float, low: int, high: int) -> int:
    return int(max(low, min(high, value)))
