"""Inputs: the scorecard YAML and the indicator data, read into checked models."""

from bms_eval.inputs.data import IndicatorData, load_data, read_data
from bms_eval.inputs.model import (
    Ambition,
    AnalysisOptions,
    Goal,
    Indicator,
    Link,
    Perspective,
    Scorecard,
    SuccessFactor,
)
from bms_eval.inputs.scorecard import check_scorecard, load_scorecard, parse_scorecard

__all__ = [
    "Ambition",
    "AnalysisOptions",
    "Goal",
    "Indicator",
    "IndicatorData",
    "Link",
    "Perspective",
    "Scorecard",
    "SuccessFactor",
    "check_scorecard",
    "load_data",
    "load_scorecard",
    "parse_scorecard",
    "read_data",
]
