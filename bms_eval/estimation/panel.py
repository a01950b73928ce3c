"""Indicator data as a units × periods grid, with lags taken within units.

Every indicator becomes a 2-D array (units × consecutive integer periods from
the first to the last period in the data), NaN where there is no value. A lag
shifts along the period axis, so ``X(t − lag)`` is missing whenever period
``t − lag`` has no row for that unit: lags never jump over a gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bms_eval.inputs.data import IndicatorData


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
    def from_data(cls, data: IndicatorData | pd.DataFrame) -> Panel:
        """Build the grid from tidy data (``unit, period, indicator, value``)."""
        frame = data.frame if isinstance(data, IndicatorData) else data
        frame = frame[frame["value"].notna()]
        units, unit_codes = np.unique(frame["unit"].to_numpy(dtype=str), return_inverse=True)
        if len(frame) == 0:
            return cls((), np.array([], dtype=np.int64), {})
        first, last = int(frame["period"].min()), int(frame["period"].max())
        periods = np.arange(first, last + 1, dtype=np.int64)
        period_codes = frame["period"].to_numpy(dtype=np.int64) - first
        values = frame["value"].to_numpy(dtype=float)
        indicator = frame["indicator"].to_numpy(dtype=str)
        ids, ind_codes = np.unique(indicator, return_inverse=True)
        grids = np.full((len(ids), len(units), len(periods)), np.nan)
        grids[ind_codes, unit_codes, period_codes] = values
        return cls(tuple(units.tolist()), periods, {k: grids[i] for i, k in enumerate(ids)})

    @property
    def shape(self) -> tuple[int, int]:
        """``(units, periods)``."""
        return (len(self.units), len(self.periods))

    def has(self, indicator: str) -> bool:
        """Whether the indicator has any value."""
        return indicator in self.values

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
