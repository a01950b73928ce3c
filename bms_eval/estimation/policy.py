"""How uncertainty is measured, by the size of the panel: one policy for every test
(docs/verdicts.md, "Inference policy").

With few units, clustered standard errors are unreliable; below
:data:`SMALL_PANEL_UNITS` units the static tests take their p-values and intervals
from the wild cluster bootstrap, the direction tests from the cluster jackknife, and
leave-one-unit-out influence is computed exactly rather than to first order. The
report's method section and the catalogs read the same number (placeholder
``{units}``), so what is said and what is done cannot drift apart.
"""

from __future__ import annotations

#: Below this many units: wild bootstrap (static tests), cluster jackknife (direction
#: tests), exact leave-one-unit-out (influence).
SMALL_PANEL_UNITS = 50
#: A wild-bootstrap verdict on fewer units than this carries the ``few_units`` caution.
FEW_UNITS = 12


def small_panel(n_units: int) -> bool:
    """Whether a panel of ``n_units`` units is below :data:`SMALL_PANEL_UNITS`."""
    return n_units < SMALL_PANEL_UNITS
