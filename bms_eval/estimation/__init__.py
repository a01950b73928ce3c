"""Estimation: fixed-effects link tests, wild cluster bootstrap, direction tests, verdicts.

``estimate_links`` and ``LinkResults`` are imported when first used, so that
unpickling results (a notebook of ``bms-eval run``) does not load the solvers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bms_eval.estimation.links import estimate_links
    from bms_eval.estimation.results import LINK_COLUMNS, LinkResults

_LAZY = {
    "estimate_links": "bms_eval.estimation.links",
    "LINK_COLUMNS": "bms_eval.estimation.results",
    "LinkResults": "bms_eval.estimation.results",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'bms_eval.estimation' has no attribute {name!r}")


__all__ = ["LINK_COLUMNS", "LinkResults", "estimate_links"]
