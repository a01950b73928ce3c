"""The current design's power from the history itself: effects planted into the
observed panel.

The planner's power comes from a model of the history (:mod:`bms_eval.simulation.history`):
units' levels, persistence, period shocks, correlated innovations. What that model
leaves out — units' own trends, shocks felt unequally, the gaps as they are — can make
its power wrong for these data. A *plasmode* simulation (Franklin et al. 2014) keeps
the observed panel and sets only the arrow's effect:

1. **Take the arrow's effect out.** The effect indicator loses the arrow's estimated
   effect, ``Y₀ = Y − Σ_l β̂_l·X(t − l)`` (``β̂_l`` the link tests' coefficient of the
   cause at each of the arrow's lags, holding the effect's other causes fixed), so the
   history holds no effect of ``X`` on ``Y`` beyond what is planted.
2. **Plant the effect** at each of the arrow's lags: ``Y = Y₀ + Σ_l β_l·X(t − l)``,
   ``β_l`` an effect of ``effect`` SD per SD on the panel as planted
   (:func:`planted_panel`).
3. **Draw units with replacement** (a panel of the same size per draw, each drawn
   unit a unit of its own) and run the link tests the verdicts use on it.

Every arrow is planted at once, as in the planner's model. Power is the share of
draws whose verdict on the arrow is ``supported`` or ``reciprocal``, with a Wilson
interval (:mod:`bms_eval.planning.power`). Draws are seeded by ``(seed, draw)``.
Cells where a lag of the cause is missing keep ``Y`` as observed (they do not enter
the arrow's model). The drawn panels share units, so their spread understates a
little the variation of a new sample; that is the bootstrap's known optimism.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd

from bms_eval.estimation.panel import Panel
from bms_eval.inputs.model import Scorecard
from bms_eval.simulation.history import unit_demeaned_sd

#: Rounds of planting with the causes as planted (a cause that is itself an effect
#: changes as its own causes' effects are planted; with effects of a few tenths of an
#: SD the rounds shrink the change geometrically, and cycles through lags converge).
PLANT_ROUNDS = 8


def _deviations(grid: np.ndarray) -> np.ndarray:
    """``grid`` less each unit's mean, 0 where it is missing: a term added to an effect
    moves it within units only (the unit effects absorb its level), and a cell whose
    lagged cause is missing is left as it was (its lag reaching before the data would
    otherwise make a jump the size of the cause's level)."""
    seen = np.isfinite(grid)
    counts = seen.sum(axis=1, keepdims=True)
    means = np.where(counts > 0, np.nansum(grid, axis=1, keepdims=True) / np.maximum(counts, 1), 0)
    return np.where(seen, grid - means, 0.0)


def planted_panel(panel: Panel, card: Scorecard, estimates: pd.DataFrame, effect: float) -> Panel:
    """The observed panel with every arrow's estimated effect (``estimates``: the link
    tests' table) taken out of its effect indicator and an effect of ``effect`` SD per
    SD planted at each of its lags, in the expected direction.

    The planted coefficient is set, round by round (:data:`PLANT_ROUNDS`), on the
    panel as planted: ``effect`` times the within-unit SD of the effect over that of
    the cause, over the cells both have — the scale the tests standardize by. (Taking
    out a strong real effect leaves the effect indicator less variation; a coefficient
    set on the observed SDs would then be a larger effect than asked.) Causes are
    taken as planted themselves. Effects are taken out and planted on the causes'
    deviations from their unit's mean (:func:`_deviations`)."""
    base: dict[str, np.ndarray] = {}
    for target in dict.fromkeys(lk.target for lk in card.links):
        y = panel.values[target].copy()
        for link in (lk for lk in card.links if lk.target == target):
            rows = estimates[(estimates["from"] == link.source) & (estimates["to"] == target)]
            removed = {
                int(lag): float(est) if math.isfinite(float(est)) else 0.0
                for lag, est in zip(rows["lag"], rows["estimate"], strict=True)
            }
            for lag in link.lags:
                y = y - removed.get(lag, 0.0) * _deviations(panel.shifted(link.source, lag))
        base[target] = y
    current = panel
    for _ in range(PLANT_ROUNDS):
        grids = {}
        for target, y0 in base.items():
            y = y0.copy()
            for link in (lk for lk in card.links if lk.target == target):
                sign = 1.0 if link.sign == "+" else -1.0
                for lag in link.lags:
                    x = current.shifted(link.source, lag)
                    cells = np.isfinite(x) & np.isfinite(current.values[target])
                    sd_x = unit_demeaned_sd(np.where(cells, x, np.nan))
                    sd_y = unit_demeaned_sd(np.where(cells, current.values[target], np.nan))
                    if not (sd_x > 0 and math.isfinite(sd_y)):
                        continue
                    y = y + sign * effect * sd_y / sd_x * _deviations(x)
            grids[target] = y
        current = panel.with_grids(grids)
    return current


def resampled(panel: Panel, seed: int, draw: int) -> Panel:
    """Draw ``draw``: the panel's units drawn with replacement (as many as it has), each
    drawn unit a unit of its own. Seeded by ``(seed, draw)`` alone, so a plan does not
    depend on how its draws are split among workers."""
    digest = int.from_bytes(hashlib.sha256(f"plasmode|{draw}".encode()).digest()[:8], "little")
    pick = np.random.default_rng([seed, digest]).integers(0, len(panel.units), len(panel.units))
    return Panel(
        tuple(f"{i:06d}" for i in range(len(pick))),
        panel.periods,
        {k: v[pick] for k, v in panel.values.items()},
    )
