"""The relation a verdict rests on, for plotting: the partial (added-variable) view.

A link's verdict rests on its forward direction test where that could be run,
and otherwise on the static within model (docs/verdicts.md). :func:`deciding_relation`
rebuilds the design of that model for one link and lag — the same terms
:func:`bms_eval.estimation.links.link_tests` used — and returns the cause and
the effect with the fixed effects and every other term partialled out, so a
scatter of them shows the relation the verdict is about (its least-squares
slope is the model's uncorrected within estimate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bms_eval.estimation.direction import pair_terms
from bms_eval.estimation.fixed_effects import design_from_grids
from bms_eval.estimation.panel import Panel, Term
from bms_eval.estimation.target_tests import model_terms
from bms_eval.estimation.within_fit import added_variable
from bms_eval.inputs.model import Scorecard


@dataclass(frozen=True)
class PartialRelation:
    """Cause and effect with everything else the deciding model holds fixed removed.

    Attributes
    ----------
    x, y : numpy.ndarray
        The partialled cause (at its lag) and effect, in the data's units.
    direction : bool
        Whether the model is the forward direction test (the effect's own past and
        the cause one period further back held fixed) or the static model.
    held : tuple of (str, int)
        The other terms held fixed (indicator id, lag).
    """

    x: np.ndarray
    y: np.ndarray
    direction: bool
    held: tuple[Term, ...]


def deciding_relation(
    card: Scorecard, panel: Panel, source: str, target: str, lag: int, *, direction: bool
) -> PartialRelation | None:
    """The partial relation of ``source`` (at ``lag``) and ``target`` in the deciding model.

    Parameters
    ----------
    card : Scorecard
        Links and analysis options (effects, controls).
    panel : Panel
        The data.
    source, target : str
        The arrow.
    lag : int
        Its lag.
    direction : bool
        True when the verdict rests on the direction test (``direction_method`` is
        not ``not_checked``).

    Returns
    -------
    PartialRelation or None
        ``None`` when no model with the cause can be formed from the data.
    """
    terms, controls = model_terms(card, target)
    key = (source, lag)
    twoway = card.analysis.effects == "twoway"
    if direction:
        attempts = [
            pair_terms(target, source, lag, terms + controls),
            pair_terms(target, source, lag, controls),
        ]
    else:
        attempts = [
            [key] + [t for t in terms + controls if t != key],
            [key] + [t for t in controls if t != key],
        ]
    for chosen in attempts:
        y = panel.values[target] if panel.has(target) else np.full(panel.shape, np.nan)
        columns = [panel.shifted(ind, lg) for ind, lg in chosen]
        design = design_from_grids(y, columns, [str(i) for i in range(len(chosen))])
        if design.n_obs < 3 or design.n_units < 1:
            continue
        column = chosen.index(key)
        x_part, y_part = added_variable(design, twoway, column)
        if np.ptp(x_part) > 0:
            held = tuple(t for t in chosen if t != key)
            return PartialRelation(x_part, y_part, direction, held)
    return None
