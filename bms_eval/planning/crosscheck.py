"""The planner's model as :func:`bms_eval.simulate` takes it: a check by an independent
generator and the public ``estimate_links`` ("brute force").

:func:`independent_truth` simplifies a fitted history to what both generators can
express exactly — indicators independent but for the arrows, no period shocks,
every cell observed, values unrounded and unbounded — and returns it with the
same truth as ``simulate()``'s indicator processes and effects table. Simulating
from that truth, testing each panel with ``estimate_links`` and counting the
verdicts must give the planner's power within Monte Carlo error
(``tests/test_plan.py``, ``benchmarks/plan_study.py``).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from bms_eval.inputs.model import Scorecard
from bms_eval.simulation.generate import own_scales, planted_arrows
from bms_eval.simulation.history import History


def independent_truth(
    history: History, scorecard: Scorecard, effect: float
) -> tuple[History, dict[str, dict], list[dict]]:
    """The simplified history, ``simulate()``'s ``indicators`` overrides and its
    ``effects`` rows, for ``effect`` planted on every arrow.

    In both generators an indicator's own variation is scaled by
    ``√(1 − n·effect²)`` (``n`` arrow-lags into it), so that the planted effect
    is ``effect`` of its within-unit SD (:mod:`bms_eval.simulation.generate`).
    """
    k = len(history.ids)
    simple = dataclasses.replace(
        history,
        innovation_corr=np.eye(k),
        level_corr=np.eye(k),
        observed={ind: np.ones_like(m, dtype=bool) for ind, m in history.observed.items()},
        indicators={
            ind: dataclasses.replace(
                h,
                sd_period=0.0,
                recent_missing=0.0,
                decimals=None,
                bounds=(-math.inf, math.inf),
            )
            for ind, h in history.indicators.items()
        },
    )
    arrows = planted_arrows(simple, scorecard, effect)
    own_scale = dict(zip(simple.ids, own_scales(simple, arrows), strict=True))
    processes = {}
    for ind, h in simple.indicators.items():
        own = own_scale[ind]
        processes[ind] = {
            "mean": h.mean,
            "sd_between": h.sd_between,
            # simulate() takes the yearly shock's SD; the history holds the stationary SD
            "sd_within": h.sd_within * math.sqrt(1 - h.persistence**2) * own,
            "sd_period": 0.0,
            "persistence": h.persistence,
            "decimals": None,
            "clip": False,
        }
    truth = [{"from": a.source, "to": a.target, "lag": a.lag, "within": a.beta} for a in arrows]
    return simple, processes, truth
