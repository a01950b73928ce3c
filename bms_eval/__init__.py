"""bms-eval: test the cause-and-effect arrows of a balanced scorecard on its own history.

The data's way through the package: :mod:`bms_eval.inputs` (read the scorecard and
the data) → :mod:`bms_eval.validation` (check them together) → estimation →
assessment → report. :mod:`bms_eval.simulate` makes synthetic panels with a known
truth.
"""

__version__ = "0.1.0"

from bms_eval.inputs import IndicatorData, Scorecard, load_data, load_scorecard
from bms_eval.problems import InputError, Problem
from bms_eval.validation import Inputs, load_inputs

__all__ = [
    "IndicatorData",
    "InputError",
    "Inputs",
    "Problem",
    "Scorecard",
    "__version__",
    "load_data",
    "load_inputs",
    "load_scorecard",
]
