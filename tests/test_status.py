"""Scorecard status against hand computations and independent references."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from linearmodels import PanelOLS

from bms_eval.assessment.status import (
    ambition_status,
    pooled_trend,
    scorecard_status,
    status_overview,
    trend_word,
    unit_trend,
)
from bms_eval.inputs.scorecard import parse_scorecard
from tests.conftest import MINI_CARD

# Closed-form OLS against statsmodels' QR solution.
RTOL = 1e-10


@pytest.fixture(scope="module")
def card():
    c, _ = parse_scorecard(MINI_CARD, "mini.yaml")
    return c


def test_ambition_status_respects_direction(card):
    up, down = card.indicator("B1"), card.indicator("B2")  # up 5/4.5; down 2/3
    assert [ambition_status(up, v) for v in (5.0, 4.7, 4.5, 4.49)] == [
        "green",
        "yellow",
        "yellow",
        "red",
    ]
    assert [ambition_status(down, v) for v in (1.5, 2.0, 2.5, 3.0, 3.1)] == [
        "green",
        "green",
        "yellow",
        "yellow",
        "red",
    ]
    assert ambition_status(card.indicator("M1"), math.nan) == "none"


def test_trend_words_follow_direction(card):
    assert trend_word(card.indicator("B1"), 0.1, 0.3) == "improving"
    assert trend_word(card.indicator("B2"), 0.1, 0.3) == "worsening"
    assert trend_word(card.indicator("B2"), -0.3, -0.1) == "improving"
    assert trend_word(card.indicator("B1"), -0.1, 0.3) == "stable"


def test_unit_trend_equals_statsmodels():
    rng = np.random.default_rng(1)
    periods = np.arange(2018, 2024, dtype=float)
    values = 0.3 * periods + rng.normal(size=6)
    ours = unit_trend(periods, values)
    ref = sm.OLS(values, sm.add_constant(periods)).fit()
    assert ours.slope == pytest.approx(ref.params[1], rel=RTOL)
    low, high = ref.conf_int(alpha=0.05)[1]
    assert (ours.ci_low, ours.ci_high) == (
        pytest.approx(low, rel=RTOL),
        pytest.approx(high, rel=RTOL),
    )
    assert math.isnan(unit_trend(periods[:2], values[:2]).slope)


def test_pooled_trend_equals_linearmodels():
    rng = np.random.default_rng(2)
    units = np.repeat([f"u{i}" for i in range(12)], 5)
    periods = np.tile(np.arange(2019, 2024), 12)
    values = 0.2 * periods + np.repeat(rng.normal(size=12), 5) + rng.normal(size=60)
    frame = pd.DataFrame({"unit": units, "period": periods, "value": values})
    ours = pooled_trend(frame)
    df = frame.assign(t=frame["period"].astype(float)).set_index(["unit", "period"])
    ref = PanelOLS(df["value"], df[["t"]], entity_effects=True).fit(
        cov_type="clustered", cluster_entity=True
    )
    assert ours.slope == pytest.approx(ref.params["t"], rel=RTOL)
    half = (ours.ci_high - ours.ci_low) / 2
    from scipy import stats

    assert half == pytest.approx(stats.t.ppf(0.975, 11) * ref.std_errors["t"], rel=1e-8)


def test_status_table_by_hand(card):
    rows = []
    for unit, values in (("a", [4.0, 4.6, 5.2]), ("b", [4.0, 4.2, 4.4]), ("c", [3.0, 4.7, 4.6])):
        rows += [(unit, 2020 + i, "B1", v) for i, v in enumerate(values)]
    data = pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])
    table = scorecard_status(card, data)
    b1 = table[table["indicator"] == "B1"]
    top = b1[b1["level"] == "indicator"].iloc[0]
    assert (top["units_green"], top["units_yellow"], top["units_red"]) == (1, 1, 1)
    assert top["latest_value"] == pytest.approx(4.6)  # median of 5.2, 4.4, 4.6
    assert top["units_reached_target"] == 1 and top["units"] == 3
    unit_a = b1[b1["unit"] == "a"].iloc[0]
    assert unit_a["status"] == "green" and bool(unit_a["ever_reached_target"])
    assert unit_a["trend_per_period"] == pytest.approx(0.6)
    overview = status_overview(table)
    assert list(overview["indicator"]) == ["M1", "B1", "B2"]
    assert overview.loc[overview["indicator"] == "M1", "units"].iloc[0] == 0


def test_unit_rows_equal_the_one_unit_reference_on_an_unbalanced_panel(card):
    """All units are computed at once; each must equal :func:`unit_trend` (itself
    checked against statsmodels) on that unit's own recent values."""
    rng = np.random.default_rng(7)
    rows = []
    for u in range(40):
        years = np.sort(rng.choice(np.arange(2010, 2024), size=rng.integers(1, 14), replace=False))
        for y in years:
            rows.append((f"u{u:02d}", int(y), "B1", 4 + 0.05 * (y - 2010) + rng.normal(0, 0.3)))
    data = pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])
    status = scorecard_status(card, data, trend_periods=5)
    units = status[(status["level"] == "unit") & (status["indicator"] == "B1")]
    assert list(units["unit"]) == sorted(data["unit"].unique())
    for row in units.itertuples():
        own = data[data["unit"] == row.unit].sort_values("period")
        recent = own[own["period"] > own["period"].max() - 5]
        ref = unit_trend(recent["period"].to_numpy(float), recent["value"].to_numpy(float))
        assert row.trend_periods == ref.n and row.latest_value == own["value"].iloc[-1]
        for got, want in ((row.trend_per_period, ref.slope), (row.trend_ci_low, ref.ci_low)):
            assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want, rel=1e-9)
        assert row.ever_reached_target == bool((own["value"] >= 5).any())


def test_status_of_a_logged_indicator_stays_on_its_own_scale(mini):
    """`transform: log` changes the link tests only: values, ambitions and colours of the
    status are those of the indicator as measured."""
    from bms_eval.inputs.validation import load_inputs

    card_path, data_path = mini
    plain = load_inputs(card_path, data_path)
    card_path.write_text(
        MINI_CARD.replace(
            'name: "User satisfaction"', 'name: "User satisfaction"\n    transform: log'
        ),
        encoding="utf-8",
    )
    logged = load_inputs(card_path, data_path)
    assert logged.scorecard.indicator("B1").transform == "log"
    pd.testing.assert_frame_equal(
        scorecard_status(logged.scorecard, logged.data),
        scorecard_status(plain.scorecard, plain.data),
    )
