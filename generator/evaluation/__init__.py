"""Measuring a film (paper Sec. 7) with models that ship inside PyPI packages, offline: `measure_take` scores one
take on its own, `measure_film` compares the takes. One module per metric: voice, speech, faces, lip_sync,
similarity; film for the comparisons across shots."""

from generator.evaluation.film import measure_film
from generator.evaluation.take import measure_take

__all__ = ["measure_film", "measure_take"]
