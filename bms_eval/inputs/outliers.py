"""Values far from their unit's own history: a robust screen for recording errors.

A scorecard's verdict can rest on one unit whose value jumps for a few years —
a rate keyed in per person instead of per thousand, a decimal comma lost. Such
values are found here, reported where the user looks (``validate``, the
measurement audit, the report's data quality), and never dropped: the user
decides (README, "Outliers").

**The rule** (Hampel's identifier on within-unit deviations; Hampel 1974,
Davies & Gather 1993), per indicator:

1. each value's deviation from its unit's median, ``d = x − med_i(x)``;
2. less the period's median deviation over all units, ``r = d − med_t(d)``, so a
   change every unit shares (a new survey, a reform) is not taken for an error;
3. the scale is the indicator's pooled median absolute deviation of ``r``,
   ``s = 1.4826 · med |r|`` (the standard deviation for normal data, unmoved by
   up to half the values being wrong);
4. a value is an outlier when ``|r| > OUTLIER_Z · s``, ``s > 0``.

``OUTLIER_Z`` is 10, not Hampel's usual 3: the screen looks for gross recording
errors, not for unusual years. A lost decimal point or a rate per person keyed as
per thousand moves a value by a factor of ten or more, dozens of robust standard
deviations; real indicators' within-unit variation is heavy-tailed, and at 5 the
screen lists more than 4 % of the values of Wooldridge's CRIME4 county panel,
mostly ordinary volatility of small counties, at 10 under 2 %, among them the
county whose police rate jumps thirtyfold for four years and back
(``tests/test_assessment.py``). The scale is pooled over the
indicator's units on purpose: a unit whose values are wrong for half its years has
no history of its own to measure them against. Units with fewer than
:data:`MIN_UNIT_VALUES` values are not screened; nor is an indicator whose
deviations are mostly zero (``s = 0``: a yes/no indicator, a value that rarely
changes), since any change would count as infinitely far.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: A value further than this many robust standard deviations from its unit's
#: median (after the period's shared change) is an outlier.
OUTLIER_Z = 10.0
#: Fewest values a unit needs for its own history to be a yardstick.
MIN_UNIT_VALUES = 4
#: The factor from a median absolute deviation to a standard deviation (normal data).
MAD_TO_SD = 1.4826

#: Most values screened at once: a table of millions of rows is screened a few
#: indicators at a time, so the work arrays stay small beside the table itself.
BATCH_VALUES = 1_000_000


def find_outliers(frame: pd.DataFrame, threshold: float = OUTLIER_Z) -> pd.DataFrame:
    """Every value far from its unit's own history, by the rule of this module.

    Parameters
    ----------
    frame : pandas.DataFrame
        Tidy data: ``unit, period, indicator, value`` (missing values are skipped).
    threshold : float
        How many robust standard deviations count as far (:data:`OUTLIER_Z`).

    Returns
    -------
    pandas.DataFrame
        One row per outlier: ``row`` (the position in ``frame``), ``indicator``,
        ``unit``, ``period``, ``value`` and ``robust_z`` (the deviation in robust
        standard deviations, signed), ordered by indicator, unit and period.
    """
    values = frame["value"].to_numpy(dtype=float)
    indicator = pd.factorize(frame["indicator"].to_numpy())[0]
    indicator[~np.isfinite(values)] = -1  # missing values take no part
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
            hit, z = _screen(frame, values, indicator, rows, threshold)
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
    period = pd.factorize(frame["period"].to_numpy()[rows])[0].astype(np.int64)
    x = values[rows]
    by_unit = ind * (int(unit.max()) + 1) + unit
    deviation = x - _group_median(x, by_unit)
    resid = deviation - _group_median(deviation, ind * (int(period.max()) + 1) + period)
    scale = MAD_TO_SD * _group_median(np.abs(resid), ind)
    counts = pd.Series(by_unit).groupby(by_unit, sort=False).transform("size").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(scale > 0, resid / scale, 0.0)
    return (np.abs(z) > threshold) & (counts >= MIN_UNIT_VALUES), z


def _group_median(x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each element's group median (groups as integer codes)."""
    return pd.Series(x).groupby(groups, sort=False).transform("median").to_numpy()
