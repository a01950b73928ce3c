"""bms-eval: test the cause-and-effect arrows of a balanced scorecard on its own history.

The public entry points::

    import bms_eval
    analysis = bms_eval.analyse("scorecard.yaml", "indicators.csv")
    analysis.links          # the link tests (a LinkResults; shows itself in a notebook)
    analysis.write("reports/mine")

The data's way through the package: :mod:`bms_eval.inputs` (read the scorecard and
the data) → :mod:`bms_eval.inputs.validation` (check them together) → estimation →
assessment → report. :func:`bms_eval.simulate` makes synthetic panels with a known
truth. Entry points beyond the loaders are imported when first used, so that
``import bms_eval`` (and ``bms-eval validate``) stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import bms_eval.foundation.startup  # noqa: F401  (first: the command's Ctrl-C while the rest loads)
from bms_eval.foundation.lazy import lazy_attributes
from bms_eval.foundation.problems import InputError, Problem
from bms_eval.foundation.version import __version__
from bms_eval.inputs import IndicatorData, Scorecard, load_data, load_scorecard
from bms_eval.inputs.validation import Inputs, load_inputs
from bms_eval.simulation.truth import simulate  # light

if TYPE_CHECKING:
    from bms_eval import LinkResults, estimate_links
    from bms_eval.analysis.results import (
        Analysis,
        analyse,
        notebook_analysis,
        notebook_discovery,
        notebook_plan,
    )
    from bms_eval.assessment import Assessment
    from bms_eval.assessment.status import StatusResults
    from bms_eval.foundation.resources import example
    from bms_eval.inputs.statbank_table import fetch_ssb
    from bms_eval.inputs.validation import QualityReport
    from bms_eval.narrative.discovery_results import DiscoveryResults, estimate_discovery
    from bms_eval.planning.options import PlanOptions
    from bms_eval.planning.power import PlanResults, plan

#: Public names imported on first use: name → module.
_LAZY = {
    "Analysis": "bms_eval.analysis.results",
    "analyse": "bms_eval.analysis.results",
    "notebook_analysis": "bms_eval.analysis.results",
    "notebook_plan": "bms_eval.analysis.results",
    "notebook_discovery": "bms_eval.analysis.results",
    "DiscoveryResults": "bms_eval.narrative.discovery_results",
    "estimate_discovery": "bms_eval.narrative.discovery_results",
    "fetch_ssb": "bms_eval.inputs.statbank_table",
    "plan": "bms_eval.planning.power",
    "PlanOptions": "bms_eval.planning.options",
    "PlanResults": "bms_eval.planning.power",
    "Assessment": "bms_eval.assessment",
    "LinkResults": "bms_eval.narrative.link_results",
    "estimate_links": "bms_eval.narrative.link_results",
    "example": "bms_eval.foundation.resources",
    "StatusResults": "bms_eval.assessment.status",
    "QualityReport": "bms_eval.inputs.validation",
}


__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "Analysis",
    "Assessment",
    "DiscoveryResults",
    "IndicatorData",
    "InputError",
    "Inputs",
    "LinkResults",
    "PlanOptions",
    "PlanResults",
    "Problem",
    "QualityReport",
    "Scorecard",
    "StatusResults",
    "__version__",
    "analyse",
    "estimate_discovery",
    "estimate_links",
    "example",
    "fetch_ssb",
    "load_data",
    "load_inputs",
    "load_scorecard",
    "notebook_analysis",
    "notebook_discovery",
    "notebook_plan",
    "plan",
    "simulate",
]
