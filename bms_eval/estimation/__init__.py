"""Estimation: fixed-effects link tests, wild cluster bootstrap, verdicts."""

from bms_eval.estimation.links import estimate_links
from bms_eval.estimation.results import LINK_COLUMNS, LinkResults

__all__ = ["LINK_COLUMNS", "LinkResults", "estimate_links"]
