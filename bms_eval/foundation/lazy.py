"""Public names a package imports only when first used (PEP 562).

``bms_eval`` and ``bms_eval.estimation`` offer their entry points at the top, but
importing them must stay quick: ``bms-eval validate`` needs no solver, and a
notebook of ``bms-eval run`` only reads computed results.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports each name of ``where``
    (name → module holding it) when it is first asked for."""

    def __getattr__(name: str) -> Any:
        if name in where:
            return getattr(importlib.import_module(where[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
