"""Speech length and shot durations for the offline planner: dialogue must fit the shot at the caption contract's
speech budget (20 words or Chinese characters per 10 s, generator/caption.py), the rate the model was trained on."""

from __future__ import annotations

import math
import re

from generator.caption import SPEECH_UNITS_PER_10_S
from generator.text import CJK, has_cjk
from generator.types import FPS, MAX_FRAMES, nearest_frame_count

WORDS_PER_SECOND = CJK_CHARS_PER_SECOND = SPEECH_UNITS_PER_10_S / 10
SPEECH_PADDING_S = 1.0  # breath before and after the lines
MAX_SHOT_S = MAX_FRAMES / FPS
MAX_SPEECH_S = MAX_SHOT_S - SPEECH_PADDING_S
_LATIN_WORD = re.compile(r"[^\s\u3400-\u9fff\uf900-\ufaff]+")


def speech_seconds(text: str) -> float:
    """How long the text takes to say at the speech budget: Latin words and CJK characters at 2 a second."""
    cjk = len(CJK.findall(text))
    words = [word for word in _LATIN_WORD.findall(text) if any(char.isalnum() for char in word)]
    return len(words) / WORDS_PER_SECOND + cjk / CJK_CHARS_PER_SECOND


def shot_seconds(speech_s: float, minimum_s: float = 3.0) -> float:
    """A duration that fits the speech, snapped to a valid 1+8k frame count (<= 9.64 s)."""
    wanted = max(minimum_s, speech_s + SPEECH_PADDING_S) if speech_s else minimum_s
    return nearest_frame_count(min(wanted, MAX_SHOT_S)) / FPS


def split_speech(text: str, max_s: float = MAX_SPEECH_S) -> list[str]:
    """Consecutive pieces of `text` (verbatim, split at sentence ends, else at words) that each fit `max_s`."""
    if speech_seconds(text) <= max_s:
        return [text]
    sentences = [part for part in re.split(r"(?<=[.!?。！？…])\s*", text.strip()) if part]
    pieces: list[str] = []
    for sentence in sentences:
        for chunk in _split_words(sentence, max_s) if speech_seconds(sentence) > max_s else [sentence]:
            joined = _join(pieces[-1], chunk) if pieces else chunk
            if pieces and speech_seconds(joined) <= max_s:
                pieces[-1] = joined
            else:
                pieces.append(chunk)
    return pieces


def _split_words(sentence: str, max_s: float) -> list[str]:
    """Roughly equal consecutive pieces, each within `max_s`."""
    tokens = re.findall(r"[\u3400-\u9fff\uf900-\ufaff]|[^\s\u3400-\u9fff\uf900-\ufaff]+", sentence)
    target = speech_seconds(sentence) / math.ceil(speech_seconds(sentence) / max_s)
    chunks: list[str] = []
    current = ""
    for token in tokens:
        candidate = _join(current, token) if current else token
        if current and (speech_seconds(candidate) > max_s or speech_seconds(current) >= target):
            chunks.append(current)
            candidate = token
        current = candidate
    if current:
        chunks.append(current)
    return chunks


def _join(left: str, right: str) -> str:
    """Join two pieces of speech the way they were written: CJK without a space, other text with one."""
    return left + right if has_cjk(left[-1:]) or has_cjk(right[:1]) else f"{left} {right}"
