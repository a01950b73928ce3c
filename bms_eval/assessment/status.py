"""Scorecard status: the ordinary BMS reporting, done carefully.

Per indicator and unit: the latest value against the ambition (green at or over
the target, yellow at or over the threshold, red under it; "over" follows the
indicator's direction), the trend over the most recent periods with its
uncertainty, and whether the target was ever reached. Per indicator: how many
units are green, yellow and red now, how many ever reached the target, and the
common trend within units (a fixed-effects slope with unit-clustered errors).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bms_eval.estimation.fixed_effects import Design, NotEstimable
from bms_eval.estimation.inference import t_inference, t_ppf
from bms_eval.estimation.within_fit import fit_within
from bms_eval.foundation.frames import spreadsheet_safe
from bms_eval.inputs.data import IndicatorData
from bms_eval.inputs.model import Indicator, Scorecard

#: Periods (counted back from each unit's latest) over which the trend is fitted.
TREND_PERIODS = 5
#: Fewest values a trend needs (a slope and its standard error).
MIN_TREND_POINTS = 3
#: Confidence level of trend intervals.
TREND_LEVEL = 0.95

STATUS_COLUMNS = (
    "indicator",
    "name",
    "unit",
    "level",
    "latest_period",
    "latest_value",
    "status",
    "target",
    "threshold",
    "direction",
    "trend_per_period",
    "trend_ci_low",
    "trend_ci_high",
    "trend_periods",
    "trend",
    "ever_reached_target",
    "units_green",
    "units_yellow",
    "units_red",
    "units_reached_target",
    "units",
)


def ambition_status(ind: Indicator, value: float) -> str:
    """``green``, ``yellow``, ``red`` for a value, or ``none`` without an ambition."""
    if ind.ambition is None or value is None or not math.isfinite(value):
        return "none"
    if ind.better(value, ind.ambition.target):
        return "green"
    if ind.ambition.threshold is not None and ind.better(value, ind.ambition.threshold):
        return "yellow"
    return "red"


def trend_word(ind: Indicator, low: float, high: float) -> str:
    """``improving``, ``worsening`` or ``stable`` from a slope's interval and direction."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "unknown"
    if low > 0:
        return "improving" if ind.direction == "up" else "worsening"
    if high < 0:
        return "worsening" if ind.direction == "up" else "improving"
    return "stable"


@dataclass(frozen=True)
class Trend:
    """A slope per period with its interval."""

    slope: float
    ci_low: float
    ci_high: float
    n: int


def unit_trend(periods: np.ndarray, values: np.ndarray) -> Trend:
    """OLS slope of ``values`` on ``periods`` with a t interval (n − 2 df)."""
    n = int(values.size)
    if n < MIN_TREND_POINTS or np.ptp(periods) == 0:
        return Trend(math.nan, math.nan, math.nan, n)
    if np.ptp(values) == 0:  # the same value every period: flat, not unknown
        return Trend(0.0, 0.0, 0.0, n)
    dx = periods - periods.mean()
    slope = float(dx @ (values - values.mean()) / (dx @ dx))
    resid = values - values.mean() - slope * dx
    se = math.sqrt(float(resid @ resid) / (n - 2) / float(dx @ dx))
    q = t_ppf(0.5 + TREND_LEVEL / 2, n - 2)
    return Trend(slope, slope - q * se, slope + q * se, n)


def pooled_trend(frame: pd.DataFrame) -> Trend:
    """The common within-unit slope on period: unit fixed effects, clustered errors."""
    _, units = np.unique(frame["unit"].astype(str).to_numpy(), return_inverse=True)
    return _pooled_trend(
        units, frame["period"].to_numpy(dtype=float), frame["value"].to_numpy(dtype=float)
    )


def _pooled_trend(units: np.ndarray, periods: np.ndarray, values: np.ndarray) -> Trend:
    """:func:`pooled_trend` of rows given as unit codes, periods and values."""
    present, first, units = np.unique(units, return_index=True, return_inverse=True)
    if present.size < 2 or values.size < MIN_TREND_POINTS + 2:
        return Trend(math.nan, math.nan, math.nan, values.size)
    # no unit's value changes (each equals its unit's first): flat, with nothing to fit
    if np.unique(periods).size > 1 and np.array_equal(values, values[first][units]):
        return Trend(0.0, 0.0, 0.0, values.size)
    order = np.argsort(units, kind="stable")
    design = Design(
        values[order],
        (periods[order] - periods.mean())[:, None],
        ("period",),
        units[order],
        periods[order].astype(int),
    )
    try:
        fit = fit_within(design, twoway=False)
    except NotEstimable:
        return Trend(math.nan, math.nan, math.nan, values.size)
    if not fit.names:
        return Trend(math.nan, math.nan, math.nan, values.size)
    _, low, high = t_inference(
        float(fit.params[0]), float(fit.std_errors[0]), fit.df, 1 - TREND_LEVEL
    )
    return Trend(float(fit.params[0]), low, high, fit.n_obs)


def _rows_by_indicator(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Positions of each indicator's observed rows: one indicator at a time is taken
    out of the table, never a copy of all of it."""
    codes, ids = pd.factorize(frame["indicator"])
    codes = np.where(frame["value"].notna().to_numpy(), codes, -1)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(ids) + 1))
    return {
        str(ind): order[bounds[i] : bounds[i + 1]]
        for i, ind in enumerate(ids)
        if bounds[i + 1] > bounds[i]
    }


@dataclass(frozen=True)
class _Rows:
    """Rows of the table as arrays: unit codes (into labels in sorted order), periods
    and values."""

    unit: np.ndarray
    period: np.ndarray
    value: np.ndarray

    def take(self, at: np.ndarray) -> _Rows:
        return _Rows(self.unit[at], self.period[at], self.value[at])


def _unit_rows(
    ind: Indicator, g: _Rows, labels: np.ndarray, trend_periods: int
) -> tuple[pd.DataFrame, _Rows]:
    """The unit rows of one indicator, computed for all units at once, and the
    recent observations the trends use.

    Per unit: the latest value and its status, the OLS trend over the unit's
    last ``trend_periods`` periods (as :func:`unit_trend`, from grouped sums of
    the values centred on each unit's latest, so nothing cancels), and whether
    the target was ever reached.
    """
    present, codes = np.unique(g.unit, return_inverse=True)  # the labels are sorted
    order = np.lexsort((g.period, codes))  # by unit, then period
    codes = codes[order]
    period, value = g.period[order], g.value[order]
    k = present.size
    last = np.r_[np.flatnonzero(np.diff(codes)), codes.size - 1]
    latest_period, latest_value = period[last], value[last]
    recent = period > latest_period[codes] - trend_periods
    x = np.where(recent, period - latest_period[codes], 0.0)
    y = np.where(recent, value - latest_value[codes], 0.0)
    n = np.bincount(codes, weights=recent, minlength=k)
    sx, sy = (np.bincount(codes, weights=v, minlength=k) for v in (x, y))
    sxx, sxy, syy = (np.bincount(codes, weights=v, minlength=k) for v in (x * x, x * y, y * y))
    with np.errstate(divide="ignore", invalid="ignore"):
        mx, my = sx / n, sy / n
        dxx, dxy, dyy = sxx - n * mx * mx, sxy - n * mx * my, syy - n * my * my
        ok = (n >= MIN_TREND_POINTS) & (dxx > 1e-12)
        slope = np.where(ok, dxy / dxx, np.nan)
        rss = np.maximum(dyy - slope * dxy, 0.0)
        se = np.sqrt(rss / (n - 2) / dxx)
        from scipy.special import stdtrit  # imported when first needed: quick start-up

        q = stdtrit(np.maximum(n - 2, 1), 0.5 + TREND_LEVEL / 2)
    low, high = np.where(ok, slope - q * se, np.nan), np.where(ok, slope + q * se, np.nan)
    amb = ind.ambition
    if amb is not None:
        best = (np.maximum if ind.direction == "up" else np.minimum).reduceat(
            value, np.r_[0, last[:-1] + 1]
        )
        reached: list = [bool(ind.better(float(v), amb.target)) for v in best]
    else:
        reached = [None] * k
    rows = pd.DataFrame(
        {
            "level": "unit",
            "unit": [str(u) for u in labels[present]],
            "latest_period": latest_period.astype(int),
            "latest_value": latest_value,
            "status": [ambition_status(ind, float(v)) for v in latest_value],
            "trend_per_period": slope,
            "trend_ci_low": low,
            "trend_ci_high": high,
            "trend_periods": n.astype(int),
            "trend": [trend_word(ind, float(a), float(b)) for a, b in zip(low, high, strict=True)],
            "ever_reached_target": reached,
        }
    )
    kept = order[recent]
    return rows, g.take(kept)


def _indicator_row(
    ind: Indicator, common: dict, g: _Rows, units: pd.DataFrame, recent: _Rows
) -> dict:
    """An indicator's own row: the median of its units' latest values, its status, the
    pooled within-unit trend, and its units counted by status."""
    pooled = _pooled_trend(recent.unit, recent.period, recent.value)
    median = float(np.median(units["latest_value"]))
    states = units["status"].value_counts()
    return {
        **common,
        "level": "indicator",
        "unit": "",
        "latest_period": int(g.period.max()),
        "latest_value": median,
        "status": ambition_status(ind, median),
        "trend_per_period": pooled.slope,
        "trend_ci_low": pooled.ci_low,
        "trend_ci_high": pooled.ci_high,
        "trend_periods": int(np.unique(recent.period).size),
        "trend": trend_word(ind, pooled.ci_low, pooled.ci_high),
        "units_green": int(states.get("green", 0)),
        "units_yellow": int(states.get("yellow", 0)),
        "units_red": int(states.get("red", 0)),
        "units_reached_target": (
            int(units["ever_reached_target"].sum()) if ind.ambition is not None else None
        ),
        "units": len(units),
    }


def scorecard_status(
    card: Scorecard, data: IndicatorData | pd.DataFrame, trend_periods: int = TREND_PERIODS
) -> pd.DataFrame:
    """The status table (``status.csv``).

    Parameters
    ----------
    card : Scorecard
    data : IndicatorData or DataFrame
        Tidy data.
    trend_periods : int
        How many of the most recent periods the trends use.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`STATUS_COLUMNS`. For each indicator one row with
        ``level == "indicator"`` — unit empty, ``latest_value`` the median of the
        units' latest values, ``units_*`` counts of units by the status of their
        latest value, the pooled within-unit trend — followed by one row per unit
        with ``level == "unit"``.
    """
    frame = data.frame if isinstance(data, IndicatorData) else data
    rows_of = _rows_by_indicator(frame)
    # the table's columns as arrays once (units as codes into their sorted labels):
    # each indicator then takes its rows by position, not by a frame's take
    unit_codes, labels = pd.factorize(frame["unit"].astype(str), sort=True)
    table = _Rows(
        unit_codes,
        frame["period"].to_numpy(dtype=float),
        frame["value"].to_numpy(dtype=float, na_value=np.nan),
    )
    labels = np.asarray(labels, dtype=object)
    rows: list[dict | pd.DataFrame] = []
    for ind in card.indicators:
        amb = ind.ambition
        common = {
            "indicator": ind.id,
            "name": ind.name,
            "direction": ind.direction,
            "target": amb.target if amb else math.nan,
            "threshold": amb.threshold if amb and amb.threshold is not None else math.nan,
        }
        g = table.take(rows_of[ind.id]) if ind.id in rows_of else None
        if g is None:
            rows.append(
                {
                    **common,
                    "level": "indicator",
                    "unit": "",
                    "units": 0,
                    "status": "none",
                    "trend": "unknown",
                }
            )
            continue
        units, recent = _unit_rows(ind, g, labels, trend_periods)
        rows.append(_indicator_row(ind, common, g, units, recent))
        rows.append(units.assign(**common))
    out = pd.concat(
        [pd.DataFrame([r]) if isinstance(r, dict) else r for r in rows], ignore_index=True
    ).reindex(columns=list(STATUS_COLUMNS))
    for col in (
        "latest_period",
        "trend_periods",
        "units_green",
        "units_yellow",
        "units_red",
        "units_reached_target",
        "units",
    ):
        out[col] = out[col].astype("Int64")
    out["ever_reached_target"] = out["ever_reached_target"].astype("boolean")
    return out


def status_overview(status: pd.DataFrame) -> pd.DataFrame:
    """The indicator-level rows of a status table, with the columns a reader wants."""
    cols = [
        "indicator",
        "name",
        "latest_period",
        "latest_value",
        "status",
        "target",
        "threshold",
        "units_green",
        "units_yellow",
        "units_red",
        "units_reached_target",
        "units",
        "trend_per_period",
        "trend_ci_low",
        "trend_ci_high",
        "trend",
    ]
    return status.loc[status["level"] == "indicator", cols].reset_index(drop=True)


class StatusResults:
    """The scorecard status (``status.csv``): indicator rows and unit rows.

    Attributes
    ----------
    indicators : pandas.DataFrame
        One row per indicator (:func:`status_overview`'s columns).
    units : pandas.DataFrame
        One row per indicator and unit.
    trend_periods : int
        How many recent periods the trends use.
    """

    def __init__(self, table: pd.DataFrame, trend_periods: int = TREND_PERIODS):
        self._table = table
        self.trend_periods = trend_periods

    @property
    def indicators(self) -> pd.DataFrame:
        """One row per indicator: status now, units by colour, the pooled trend."""
        return status_overview(self._table)

    @property
    def units(self) -> pd.DataFrame:
        """One row per indicator and unit: latest value, status, the unit's trend."""
        rows = self._table[self._table["level"] == "unit"]
        return rows.drop(columns=["level"]).reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """A copy of the whole table: columns :data:`STATUS_COLUMNS`."""
        return self._table.copy()

    def to_csv(self, target) -> None:
        """Write ``status.csv``."""
        spreadsheet_safe(self._table).to_csv(target, index=False, lineterminator="\n")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StatusResults):
            return NotImplemented
        return self.trend_periods == other.trend_periods and self._table.equals(other._table)

    def __hash__(self) -> int:
        return hash((self.trend_periods, len(self._table)))

    def _title(self) -> str:
        return f"Scorecard status — trends over the latest {self.trend_periods} periods"

    def __repr__(self) -> str:
        from bms_eval.foundation.frames import frame_text

        return frame_text(self._title(), self.indicators)

    def _repr_html_(self) -> str:
        from bms_eval.foundation.frames import frame_html

        return frame_html(self._title(), self.indicators)
