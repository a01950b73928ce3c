"""Indicator data as a units × periods grid, with lags taken within units.

Every indicator becomes a 2-D array (units × consecutive integer periods from
the first to the last period in the data), NaN where there is no value. A lag
shifts along the period axis, so ``X(t − lag)`` is missing whenever period
``t − lag`` has no row for that unit: lags never jump over a gap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from bms_eval.estimation.fixed_effects import magnitude
from bms_eval.inputs.data import IndicatorData
from bms_eval.inputs.model import Scorecard

#: A term of a model: an indicator id and its lag (a negative lag is a lead).
Term = tuple[str, int]


@dataclass(frozen=True)
class Panel:
    """A balanced grid of indicator values.

    Attributes
    ----------
    units : tuple of str
        Row labels, sorted.
    periods : numpy.ndarray
        Column labels: every integer period from the first to the last observed.
    values : dict of str to numpy.ndarray
        Per indicator id, an array of shape ``(len(units), len(periods))``.
    """

    units: tuple[str, ...]
    periods: np.ndarray
    values: dict[str, np.ndarray] = field(repr=False)

    @classmethod
    def from_data(
        cls, data: IndicatorData | pd.DataFrame, indicators: Iterable[str] | None = None
    ) -> Panel:
        """Build the grid from tidy data (``unit, period, indicator, value``).

        Parameters
        ----------
        data : IndicatorData or DataFrame
        indicators : iterable of str, optional
            Only these indicators (the ones a scorecard's links use): the grid of a
            table with thousands of indicators is then as large as the analysis needs.
        """
        frame = data.frame if isinstance(data, IndicatorData) else data
        keep = frame["value"].notna().to_numpy()
        if indicators is not None:
            keep = keep & frame["indicator"].isin(list(indicators)).to_numpy()
        if not keep.any():
            return cls((), np.array([], dtype=np.int64), {})
        # codes of the sorted distinct units and ids: no text per row is materialised
        unit_codes, units = pd.factorize(frame["unit"].astype(str), sort=True)
        ind_codes, ids = pd.factorize(frame["indicator"].astype(str), sort=True)
        unit_codes, ind_codes = unit_codes[keep], ind_codes[keep]
        period = frame["period"].to_numpy(dtype=np.int64)[keep]
        first, last = int(period.min()), int(period.max())
        periods = np.arange(first, last + 1, dtype=np.int64)
        period_codes = period - first
        values = frame["value"].to_numpy(dtype=float)[keep]
        used_units = np.unique(unit_codes)  # units with at least one value
        if used_units.size < len(units):
            remap = np.full(len(units), -1)
            remap[used_units] = np.arange(used_units.size)
            unit_codes, units = remap[unit_codes], units[used_units]
        used_ids = np.unique(ind_codes)
        if used_ids.size < len(ids):
            remap = np.full(len(ids), -1)
            remap[used_ids] = np.arange(used_ids.size)
            ind_codes, ids = remap[ind_codes], ids[used_ids]
        grids = np.full((len(ids), len(units), len(periods)), np.nan)
        grids[ind_codes, unit_codes, period_codes] = values
        return cls(
            tuple(str(u) for u in units), periods, {str(k): grids[i] for i, k in enumerate(ids)}
        )

    @classmethod
    def for_links(
        cls,
        scorecard: Scorecard,
        data: IndicatorData | pd.DataFrame,
        indicators: Iterable[str] | None = None,
    ) -> Panel:
        """The grid the link tests use: the indicators of the scorecard's links and
        controls (or ``indicators``: every one, for the discovery of undrawn arrows),
        those with ``transform: log`` as natural logarithms.

        Raises
        ------
        ValueError
            A logged indicator has a value that is not above 0 (the data were not
            checked against the scorecard: :func:`bms_eval.inputs.validation.load_inputs`
            says where each one is).
        """
        panel = cls.from_data(data, scorecard.linked_ids if indicators is None else indicators)
        values = dict(panel.values)
        for ind in scorecard.logged_ids:
            if ind not in values:
                continue
            grid = values[ind]
            bad = int(np.count_nonzero(grid <= 0))
            if bad:
                raise ValueError(
                    f"indicator {ind!r} is tested in logs (transform: log) but has {bad} "
                    "value(s) not above 0; check the data against the scorecard with "
                    "bms_eval.inputs.validation.load_inputs to see where"
                )
            values[ind] = np.log(grid)
        return cls(panel.units, panel.periods, values)

    def without(self, unit: int) -> Panel:
        """The panel with one unit (by its row) left out, as if its rows were deleted."""
        keep = np.arange(len(self.units)) != unit
        return Panel(
            tuple(u for u, k in zip(self.units, keep, strict=True) if k),
            self.periods,
            {ind: grid[keep] for ind, grid in self.values.items()},
        )

    def part(self, units: np.ndarray | None = None, periods: slice | None = None) -> Panel:
        """The panel of some units (their rows, in order) and a run of consecutive
        periods, as if the other rows were deleted: lags within it reach no period
        outside it (a holdout's halves share no value)."""
        rows = np.arange(len(self.units)) if units is None else np.asarray(units)
        cols = slice(None) if periods is None else periods
        return Panel(
            tuple(self.units[i] for i in rows),
            self.periods[cols],
            {ind: grid[rows][:, cols] for ind, grid in self.values.items()},
        )

    def with_grids(self, grids: dict[str, np.ndarray]) -> Panel:
        """The panel with further grids (of its shape) beside its indicators: terms
        built from the data, such as the differences of one indicator's lags that
        make an arrow's cumulative effect one coefficient."""
        return Panel(self.units, self.periods, {**self.values, **grids})

    @property
    def shape(self) -> tuple[int, int]:
        """``(units, periods)``."""
        return (len(self.units), len(self.periods))

    def has(self, indicator: str) -> bool:
        """Whether the indicator has any value."""
        return indicator in self.values

    @cached_property
    def _spreads(self) -> dict[str, float]:
        return {}

    def spread(self, indicator: str) -> float:
        """The standard deviation of all the indicator's values (its largest magnitude
        when they do not vary, 1 when it has none): the unit in which the direction
        tests work. Computed once per indicator."""
        if indicator not in self._spreads:
            grid = self.values.get(indicator)
            finite = grid[np.isfinite(grid)] if grid is not None else np.zeros(0)
            top = magnitude(finite)  # first to a largest value of 1: no square overflows
            sd = float(np.std(finite / top)) * top if finite.size > 1 else 0.0
            self._spreads[indicator] = sd if sd > 0 and math.isfinite(sd) else top
        return self._spreads[indicator]

    def shifted(self, indicator: str, lag: int) -> np.ndarray:
        """``X(t − lag)`` on the grid (a negative lag gives a lead, ``X(t + |lag|)``).

        Returns
        -------
        numpy.ndarray
            Shape ``(units, periods)``, NaN where the shifted period has no value.
        """
        base = self.values.get(indicator)
        out = np.full(self.shape, np.nan)
        if base is None:
            return out
        if lag == 0:
            return base.copy()
        if abs(lag) >= self.shape[1]:
            return out
        if lag > 0:
            out[:, lag:] = base[:, :-lag]
        else:
            out[:, :lag] = base[:, -lag:]
        return out
