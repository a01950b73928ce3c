"""Estimation: fixed-effects link tests, wild cluster bootstrap, direction tests, verdicts.

``estimate_links`` and ``LinkResults`` are imported when first used, so that
unpickling results (a notebook of ``bms-eval run``) does not load the solvers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bms_eval.exports import lazy_attributes

if TYPE_CHECKING:
    from bms_eval.estimation.links import estimate_links
    from bms_eval.estimation.results import LINK_COLUMNS, LinkResults

_LAZY = {
    "estimate_links": "bms_eval.estimation.links",
    "LINK_COLUMNS": "bms_eval.estimation.results",
    "LinkResults": "bms_eval.estimation.results",
}


__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = ["LINK_COLUMNS", "LinkResults", "estimate_links"]
