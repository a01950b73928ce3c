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
2. **Plant the effect** at each of the arrow's lags: ``Y = Y₀ + Σ_l β·X(t − l)`` with
   ``β = sign · effect · sd_Y / sd_X`` in the planner's within-unit SDs
   (:func:`~bms_eval.simulation.generate.planted_arrows`), so both plant the same
   coefficient.
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


def planted_panel(
    panel: Panel,
    card: Scorecard,
    estimates: pd.DataFrame,
    betas: dict[tuple[str, str, int], float],
) -> Panel:
    """The observed panel with every arrow's estimated effect (``estimates``: the link
    tests' table) taken out of its effect indicator and ``betas[(from, to, lag)]``
    planted at each of its lags (cells where a lag of a cause is missing keep that
    arrow's part as observed)."""
    grids = {}
    for target in dict.fromkeys(lk.target for lk in card.links):
        y = panel.values[target].copy()
        for link in (lk for lk in card.links if lk.target == target):
            rows = estimates[(estimates["from"] == link.source) & (estimates["to"] == target)]
            removed = {
                int(lag): float(est) if math.isfinite(float(est)) else 0.0
                for lag, est in zip(rows["lag"], rows["estimate"], strict=True)
            }
            lagged = [panel.shifted(link.source, lag) for lag in link.lags]
            complete = np.all([np.isfinite(x) for x in lagged], axis=0) & np.isfinite(y)
            change = sum(
                (betas[(link.source, target, lag)] - removed.get(lag, 0.0)) * np.nan_to_num(x)
                for lag, x in zip(link.lags, lagged, strict=True)
            )
            y = np.where(complete, y + change, y)
        grids[target] = y
    return panel.with_grids(grids)


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
