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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from bms_eval.estimation.links import panel_verdicts
from bms_eval.estimation.panel import Panel
from bms_eval.estimation.verdicts import VERDICTS, direction_checked
from bms_eval.inputs.model import Scorecard
from bms_eval.planning.plasmode import resampled
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


@dataclass(frozen=True)
class PlantedBatch:
    """Draws ``first`` to ``stop − 1`` of the current design planted into the observed
    panel (:mod:`bms_eval.planning.plasmode`): ``panel`` holds the planted effects."""

    panel: Panel
    scorecard: Scorecard
    seed: int
    first: int
    stop: int


def run_batch(batch: DrawBatch | PlantedBatch) -> BatchResult:
    """Draw and test the batch's panels: simulated from the history's model, or the
    observed panel's units drawn with replacement."""
    keys = row_keys(batch.scorecard)
    where = {key: j for j, key in enumerate(keys)}
    count = batch.stop - batch.first
    verdicts = np.full((count, len(keys)), VERDICTS.index("insufficient_data"), dtype=np.int8)
    estimates = np.full((count, len(keys)), math.nan)
    draw = _planted_draw(batch) if isinstance(batch, PlantedBatch) else _model_draw(batch)
    with threadpool_limits(limits=1, user_api="blas"):
        for row, number in enumerate(range(batch.first, batch.stop)):
            table = panel_verdicts(draw(number), batch.scorecard)
            for r in table.to_dict("records"):
                j = where[(r["from"], r["to"], int(r["lag"]))]
                verdicts[row, j] = VERDICTS.index(r["verdict"])
                column = "forward_std_estimate" if direction_checked(r) else "std_estimate"
                value = r.get(column)
                estimates[row, j] = float(value) if value is not None else math.nan
    return BatchResult(batch.first, verdicts, estimates)


def _model_draw(batch: DrawBatch) -> Callable[[int], Panel]:
    masks = design_masks(batch.history, batch.design, batch.seed)
    arrows = list(batch.arrows)
    return lambda number: simulate_design(
        batch.history, arrows, batch.design, masks, draw_rng(batch.seed, batch.design, number)
    )


def _planted_draw(batch: PlantedBatch) -> Callable[[int], Panel]:
    return lambda number: resampled(batch.panel, batch.seed, number)
