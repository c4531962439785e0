"""Speech accuracy: 1 - word error rate of the recognised speech against the scripted dialogue (paper Sec. 7)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

import jiwer
import numpy as np

from generator.evaluation.models import Measurement
from generator.evaluation.speaker_encoder import SAMPLE_RATE
from generator.types import DialogueTiming

if TYPE_CHECKING:
    import pocketsphinx

SPEECH_METHOD = (
    "1 - WER (jiwer, floored at 0) of pocketsphinx 5 with its shipped en-us model on each dialogue segment, "
    "against the scripted lines, lower-cased without punctuation"
)
RECOGNISED_LANGUAGES = ("en",)
MIN_SEGMENT_SAMPLES = SAMPLE_RATE // 10
_NOT_A_WORD = re.compile(r"[^\w']+")


@cache
def recogniser() -> pocketsphinx.Decoder:
    """The English decoder, loaded once per process; narrower beams than the defaults and no second (flat
    lexicon) pass: about three times as fast, with much the same words on preview speech."""
    import pocketsphinx

    return pocketsphinx.Decoder(loglevel="FATAL", beam=1e-40, wbeam=1e-30, pbeam=1e-40, fwdflat=False)


def recognise(wave: np.ndarray, timings: Sequence[DialogueTiming]) -> str:
    """The words pocketsphinx hears in each dialogue segment of 16 kHz mono audio, joined. The front end's noise
    and cepstral-mean estimates, which each segment updates, start afresh for each take: the words heard in a take
    do not depend on which takes the process recognised before it (nor on which worker process measured it)."""
    decoder = recogniser()
    decoder.reinit_feat()
    words = []
    for timing in timings:
        segment = wave[int(timing.start_s * SAMPLE_RATE) : int(timing.end_s * SAMPLE_RATE)]
        if segment.size < MIN_SEGMENT_SAMPLES:  # a line cut off by the end of the shot
            continue
        pcm = (np.clip(segment, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        if hypothesis is not None and hypothesis.hypstr:
            words.append(hypothesis.hypstr)
    return " ".join(words)


def plain_words(text: str) -> str:
    return " ".join(_NOT_A_WORD.sub(" ", text.lower()).split())


def word_accuracy(recognised: str, script: str) -> float:
    """1 - WER of `recognised` against `script`, floored at 0 (insertions can push WER past 1)."""
    reference = plain_words(script)
    return max(0.0, 1.0 - jiwer.wer(reference, plain_words(recognised))) if reference else 0.0


def speech_accuracy(wave: np.ndarray, timings: Sequence[DialogueTiming], language: str) -> tuple[Measurement, str]:
    """The measurement and the recognised text."""
    if not timings:
        return Measurement(method=SPEECH_METHOD, reason="no dialogue in this shot"), ""
    if language not in RECOGNISED_LANGUAGES:
        reason = f"no speech recogniser for language {language!r} ships in a package (only English)"
        return Measurement(method=SPEECH_METHOD, reason=reason), ""
    recognised = recognise(wave, timings)
    script = " ".join(timing.text for timing in timings)
    return Measurement(value=word_accuracy(recognised, script), method=SPEECH_METHOD), recognised
