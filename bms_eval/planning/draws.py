"""One batch of the planner's simulations: panels drawn for one design, each tested
by the link tests the verdicts use.

A batch is a :class:`DrawBatch` (everything it needs, picklable) and
:func:`run_batch` its work: what a joblib or Dask worker runs
(:mod:`bms_eval.planning.backends`). Draw ``d`` of a design always uses the
generator seeded by ``(seed, units, years, d)``, so a plan does not depend on
how the draws are split into batches or on which worker runs them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from bms_eval.estimation.links import panel_verdicts
from bms_eval.estimation.verdicts import VERDICTS, direction_checked
from bms_eval.inputs.model import Scorecard
from bms_eval.simulation.generate import PlantedArrow, StudyDesign, design_masks, simulate_design
from bms_eval.simulation.history import History

#: The verdicts that count as finding the planted effect: the forward test found
#: it with the expected sign (also when the reverse test found one too).
FOUND = ("supported", "reciprocal")
FOUND_CODES = tuple(VERDICTS.index(v) for v in FOUND)


@dataclass(frozen=True)
class DrawBatch:
    """Draws ``first`` to ``stop − 1`` of one design."""

    history: History
    scorecard: Scorecard
    arrows: tuple[PlantedArrow, ...]
    design: StudyDesign
    seed: int
    first: int
    stop: int


@dataclass(frozen=True)
class BatchResult:
    """Per draw (rows) and arrow-lag (columns, :func:`row_keys` order): the verdict's
    position in :data:`~bms_eval.estimation.verdicts.VERDICTS`, and the standardized
    estimate that decided it (the forward direction test's, or the static one's where
    the direction could not be checked; NaN when nothing was estimated)."""

    first: int
    verdicts: np.ndarray
    estimates: np.ndarray


def row_keys(scorecard: Scorecard) -> list[tuple[str, str, int]]:
    """``(from, to, lag)`` of every link-lag, in the scorecard's order."""
    return [(lk.source, lk.target, lag) for lk in scorecard.links for lag in lk.lags]


def draw_rng(seed: int, design: StudyDesign, draw: int) -> np.random.Generator:
    """The random generator of one draw of a design."""
    return np.random.default_rng([seed, design.units, design.years, draw])


def run_batch(batch: DrawBatch) -> BatchResult:
    """Simulate and test the batch's draws."""
    keys = row_keys(batch.scorecard)
    where = {key: j for j, key in enumerate(keys)}
    count = batch.stop - batch.first
    verdicts = np.full((count, len(keys)), VERDICTS.index("insufficient_data"), dtype=np.int8)
    estimates = np.full((count, len(keys)), math.nan)
    masks = design_masks(batch.history, batch.design, batch.seed)
    arrows = list(batch.arrows)
    with threadpool_limits(limits=1, user_api="blas"):
        for row, draw in enumerate(range(batch.first, batch.stop)):
            panel = simulate_design(
                batch.history, arrows, batch.design, masks, draw_rng(batch.seed, batch.design, draw)
            )
            table = panel_verdicts(panel, batch.scorecard)
            for r in table.to_dict("records"):
                j = where[(r["from"], r["to"], int(r["lag"]))]
                verdicts[row, j] = VERDICTS.index(r["verdict"])
                column = "forward_std_estimate" if direction_checked(r) else "std_estimate"
                value = r.get(column)
                estimates[row, j] = float(value) if value is not None else math.nan
    return BatchResult(batch.first, verdicts, estimates)
