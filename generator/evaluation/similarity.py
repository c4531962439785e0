"""Cross-shot visual similarity of consecutive shots of one scene: a clearly labelled proxy (colour histogram and
perceptual hash of each shot's middle frame), not the paper's learned metric."""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy.fft import dctn

from generator.evaluation.models import FrameSignature, Measurement, ShotPairSimilarity

HISTOGRAM_METHOD = "proxy: intersection of RGB colour histograms (8 bins a channel) of the two middle frames"
HASH_METHOD = "proxy: 1 - Hamming distance / 64 of the 64-bit DCT perceptual hashes of the two middle frames"
_BINS = 8
_HASH_SIDE = 32


def colour_histogram(frame: np.ndarray) -> np.ndarray:
    """A normalised joint RGB histogram (_BINS per channel)."""
    codes = (frame[..., :3].astype(np.int64) * _BINS // 256).reshape(-1, 3)
    counts = np.bincount((codes[:, 0] * _BINS + codes[:, 1]) * _BINS + codes[:, 2], minlength=_BINS**3)
    return counts / max(counts.sum(), 1)


def perceptual_hash(frame: np.ndarray) -> np.ndarray:
    """pHash: the 8 x 8 lowest DCT frequencies of a 32 x 32 grey thumbnail, above or below their median."""
    grey = np.asarray(Image.fromarray(frame[..., :3]).convert("L").resize((_HASH_SIDE, _HASH_SIDE)), dtype=np.float64)
    low = dctn(grey, norm="ortho")[:8, :8].reshape(-1)
    return low > np.median(low[1:])


def frame_signature(frame: np.ndarray) -> FrameSignature:
    """A middle frame's histogram and hash, computed once per take (measure_take keeps it for measure_film)."""
    return FrameSignature(histogram=colour_histogram(frame).tolist(), perceptual_hash=perceptual_hash(frame).tolist())


def shot_pair(from_shot: int, to_shot: int, first: FrameSignature, second: FrameSignature) -> ShotPairSimilarity:
    """Similarity of two shots' middle frames."""
    intersection = float(np.minimum(first.histogram, second.histogram).sum())
    hamming = int(np.count_nonzero(np.not_equal(first.perceptual_hash, second.perceptual_hash)))
    return ShotPairSimilarity(
        from_shot=from_shot,
        to_shot=to_shot,
        histogram=Measurement(value=intersection, method=HISTOGRAM_METHOD),
        perceptual_hash=Measurement(value=1.0 - hamming / 64, method=HASH_METHOD),
    )
