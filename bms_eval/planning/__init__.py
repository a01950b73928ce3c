"""The planner: what these data can ever show (``bms-eval plan``, ``bms_eval.plan``).

:mod:`~bms_eval.simulation.history` fits a data-generating model to the
organisation's own history, :mod:`~bms_eval.simulation.generate` simulates panels
from it with every arrow's effect planted, :mod:`~bms_eval.planning.draws` tests
them as the verdicts do, :mod:`~bms_eval.planning.backends` runs the draws on
local cores or a Dask cluster, and :mod:`~bms_eval.planning.power` counts;
:mod:`~bms_eval.analysis.plan_folder` writes ``bms-eval plan --out``'s folder and
:mod:`~bms_eval.planning.crosscheck` states the model as :func:`bms_eval.simulate`
takes it (for a brute-force check).
:mod:`~bms_eval.planning.options` (what a plan is asked for) is light: an
analysis carries it without loading the planner, which is imported when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bms_eval.foundation.lazy import lazy_attributes
from bms_eval.planning.options import TARGET_POWER, PlanOptions

if TYPE_CHECKING:
    from bms_eval.planning.power import PLAN_COLUMNS, PlanResults, plan

__getattr__ = lazy_attributes(
    __name__,
    {
        "PLAN_COLUMNS": "bms_eval.planning.power",
        "PlanResults": "bms_eval.planning.power",
        "plan": "bms_eval.planning.power",
    },
)

__all__ = ["PLAN_COLUMNS", "TARGET_POWER", "PlanOptions", "PlanResults", "plan"]
