"""Values far from their unit's own path: a robust screen for recording errors.

A scorecard's verdict can rest on one unit whose value jumps for a few years —
a rate keyed in per person instead of per thousand, a decimal comma lost. Such
values are found here, reported where the user looks (``validate``, the analysis'
data quality, the measurement audit, the report), and never dropped: the user
decides (README, "Outliers").

**The rule** (Hampel's identifier on within-unit residuals; Hampel 1974, Davies &
Gather 1993), per indicator, **on the scale the link tests use** (the logarithm for
``transform: log``: a large unit's ordinary growth is then as large as a small
one's):

1. each unit's own path: its median plus a robust linear trend, the median of its
   changes from one observed period to the next (per period; a unit with fewer than
   :data:`MIN_TREND_VALUES` values keeps its median alone, as a trend through a few
   values would follow them); a single wrong value moves neither, and a unit that
   falls or grows steadily is not an outlier for it;
2. each value's residual from its unit's path, less the period's median residual
   over all units, ``r``, so a change every unit shares (a new survey, a reform) is
   not taken for an error;
3. the scale is the indicator's pooled median absolute residual,
   ``s = 1.4826 · med |r|`` (the standard deviation for normal data, unmoved by up
   to half the values being wrong);
4. a value is an outlier when ``|r| > OUTLIER_Z · s``, ``s > 0``.

``OUTLIER_Z`` is 10, not Hampel's usual 3: the screen looks for gross recording
errors, not for unusual years. A lost decimal point or a rate per person keyed as
per thousand moves a value by a factor of ten or more, dozens of robust standard
deviations; real indicators' within-unit variation is heavy-tailed. The scale is
pooled over the indicator's units on purpose: a unit whose values are wrong for
half its years has no history of its own to measure them against. Units with fewer
than :data:`MIN_UNIT_VALUES` values are not screened; nor is an indicator whose
residuals are mostly zero (``s = 0``: a yes/no indicator, a value that rarely
changes), since any change would count as infinitely far; nor, on the log scale,
a value not above 0 (validation reports it).

:func:`outlier_summary` gives what a reader is shown: per indicator, how many
values and the worst few; every one is kept in ``results.json``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

#: A value further than this many robust standard deviations from its unit's
#: median (after the period's shared change) is an outlier.
OUTLIER_Z = 10.0
#: Fewest values a unit needs for its own history to be a yardstick.
MIN_UNIT_VALUES = 4
#: Fewest values a unit needs for its path to have a trend (fewer: its median).
MIN_TREND_VALUES = 6
#: The factor from a median absolute deviation to a standard deviation (normal data).
MAD_TO_SD = 1.4826

#: Outliers listed per indicator where a reader looks (all of them in results.json).
SHOWN_OUTLIERS = 3

#: Most values screened at once: a table of millions of rows is screened a few
#: indicators at a time, so the work arrays stay small beside the table itself.
BATCH_VALUES = 1_000_000


def find_outliers(
    frame: pd.DataFrame, threshold: float = OUTLIER_Z, logged: Iterable[str] = ()
) -> pd.DataFrame:
    """Every value far from its unit's own path, by the rule of this module.

    Parameters
    ----------
    frame : pandas.DataFrame
        Tidy data: ``unit, period, indicator, value`` (missing values are skipped).
    threshold : float
        How many robust standard deviations count as far (:data:`OUTLIER_Z`).
    logged : iterable of str
        Indicators screened on the log scale (``transform: log``).

    Returns
    -------
    pandas.DataFrame
        One row per outlier: ``row`` (the position in ``frame``), ``indicator``,
        ``unit``, ``period``, ``value`` and ``robust_z`` (the deviation in robust
        standard deviations, signed), ordered by indicator, unit and period.
    """
    values = frame["value"].to_numpy(dtype=float)
    indicator = pd.factorize(frame["indicator"].to_numpy())[0]
    in_logs = frame["indicator"].isin(list(logged)).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(in_logs, np.log(np.where(values > 0, values, np.nan)), values)
    indicator[~np.isfinite(scaled)] = -1  # missing values (and logs of none) take no part
    sizes = np.bincount(indicator[indicator >= 0]) if (indicator >= 0).any() else np.zeros(0)
    found: list[np.ndarray] = []
    z_found: list[np.ndarray] = []
    batch: list[int] = []
    total = 0
    for code in range(sizes.size):
        batch.append(code)
        total += int(sizes[code])
        if total >= BATCH_VALUES or code == sizes.size - 1:
            rows = np.flatnonzero(np.isin(indicator, batch))
            hit, z = _screen(frame, scaled, indicator, rows, threshold)
            found.append(rows[hit])
            z_found.append(z[hit])
            batch, total = [], 0
    rows = np.concatenate(found) if found else np.zeros(0, dtype=int)
    out = pd.DataFrame(
        {
            "row": rows,
            "indicator": frame["indicator"].to_numpy()[rows],
            "unit": frame["unit"].to_numpy()[rows],
            "period": frame["period"].to_numpy()[rows],
            "value": values[rows],
            "robust_z": np.concatenate(z_found) if z_found else np.zeros(0),
        }
    )
    return out.sort_values(["indicator", "unit", "period"], kind="stable").reset_index(drop=True)


def _screen(
    frame: pd.DataFrame,
    values: np.ndarray,
    indicator: np.ndarray,
    rows: np.ndarray,
    threshold: float,
) -> tuple[np.ndarray, np.ndarray]:
    """For the given rows (whole indicators, no missing values): which are outliers,
    and every row's robust z."""
    ind = indicator[rows].astype(np.int64)
    unit = pd.factorize(frame["unit"].to_numpy()[rows])[0].astype(np.int64)
    when = frame["period"].to_numpy()[rows].astype(np.int64)
    period = pd.factorize(when)[0].astype(np.int64)
    x = values[rows]
    by_unit = ind * (int(unit.max()) + 1) + unit
    deviation = x - _unit_path(x, when, by_unit)
    resid = deviation - _group_median(deviation, ind * (int(period.max()) + 1) + period)
    scale = MAD_TO_SD * _group_median(np.abs(resid), ind)
    counts = pd.Series(by_unit).groupby(by_unit, sort=False).transform("size").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(scale > 0, resid / scale, 0.0)
    return (np.abs(z) > threshold) & (counts >= MIN_UNIT_VALUES), z


def _unit_path(x: np.ndarray, when: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each value's unit path: the unit's median plus its robust trend (the median of
    its changes per period between consecutive observed values) times the period's
    distance from the unit's median period."""
    order = np.lexsort((when, groups))
    xs, ts, gs = x[order], when[order].astype(float), groups[order]
    same = np.r_[False, gs[1:] == gs[:-1]]
    steps = np.full(xs.size, np.nan)
    steps[same] = (xs[same] - xs[np.flatnonzero(same) - 1]) / (
        ts[same] - ts[np.flatnonzero(same) - 1]
    )
    grouped = pd.Series(steps).groupby(gs, sort=False)
    slope = np.nan_to_num(grouped.transform("median").to_numpy())
    # a trend from a few values would follow them: a short history keeps its median
    slope[grouped.transform("count").to_numpy() < MIN_TREND_VALUES - 1] = 0.0
    centre_t = _group_median(ts, gs)
    level = _group_median(xs - slope * (ts - centre_t), gs)
    path = np.empty_like(x)
    path[order] = level + slope * (ts - centre_t)
    return path


def outlier_summary(found: pd.DataFrame, shown: int = SHOWN_OUTLIERS) -> dict[str, dict]:
    """Per indicator of ``find_outliers``' table: ``count`` and the ``worst`` few
    (largest robust z first) as ``{unit, period, value, robust_z}``."""
    out: dict[str, dict] = {}
    for ind, group in found.groupby("indicator", sort=False):
        worst = group.reindex(group["robust_z"].abs().sort_values(ascending=False).index)
        out[str(ind)] = {
            "count": len(group),
            "worst": [
                {
                    "unit": str(r.unit),
                    "period": int(r.period),
                    "value": float(r.value),
                    "robust_z": float(r.robust_z),
                    "row": int(r.row),
                }
                for r in worst.head(shown).itertuples(index=False)
            ],
        }
    return out


def _group_median(x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each element's group median (groups as integer codes)."""
    return pd.Series(x).groupby(groups, sort=False).transform("median").to_numpy()
