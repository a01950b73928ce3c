"""The planner: what these data can ever show (``bms-eval plan``, ``bms_eval.plan``).

:mod:`~bms_eval.planning.history` fits a data-generating model to the
organisation's own history, :mod:`~bms_eval.planning.generate` simulates panels
from it with every arrow's effect planted, :mod:`~bms_eval.planning.draws` tests
them as the verdicts do, :mod:`~bms_eval.planning.backends` runs the draws on
local cores or a Dask cluster, and :mod:`~bms_eval.planning.power` counts.
"""

from bms_eval.planning.power import PLAN_COLUMNS, PlanResults, plan

__all__ = ["PLAN_COLUMNS", "PlanResults", "plan"]
