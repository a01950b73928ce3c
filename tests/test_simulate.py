"""The simulator: reproducible, and it puts in exactly the truth it is given.

Recovery is checked with an independent estimator (linearmodels' PanelOLS with
unit and period effects) on large panels, where sampling error is small.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from linearmodels import PanelOLS

from bms_eval.inputs import load_scorecard
from bms_eval.inputs.scorecard import parse_scorecard
from bms_eval.simulation.truth import simulate
from tests.conftest import EXAMPLE_CARD, MINI_CARD

# With 3 000 units × 8 periods the standard error of a within effect is about
# 0.004 indicator units here; 0.02 is five of them.
WITHIN_ATOL = 0.02
# Unit means carry within-unit noise too (attenuation about 3 %) and there are
# fewer of them: 0.05 absolute on a between effect of 0.8.
BETWEEN_ATOL = 0.05
# Share of missing values: binomial SE with 72 000 cells is about 0.002.
MISSING_ATOL = 0.01

WIDE = {
    "clip": False,
    "decimals": None,
    "sd_between": 1.0,
    "sd_within": 1.0,
    "sd_period": 0.3,
    "persistence": 0.4,
    "mean": 10.0,
}


@pytest.fixture(scope="module")
def card():
    text = MINI_CARD.replace("    scale: [1, 5]\n", "").replace("    scale: [1, 6]\n", "")
    card, problems = parse_scorecard(text, "mini.yaml")
    assert card is not None, list(map(str, problems))
    return card


def wide_panel(panel: pd.DataFrame) -> pd.DataFrame:
    return panel.pivot(index=["unit", "period"], columns="indicator", values="value")


def fe_estimate(w: pd.DataFrame, y: str, x: str, lag: int) -> float:
    cause = w[x].groupby(level="unit").shift(lag).rename("x")
    df = pd.concat([w[y].rename("y"), cause], axis=1).dropna()
    fit = PanelOLS(df["y"], df[["x"]], entity_effects=True, time_effects=True).fit()
    return float(fit.params["x"])


def test_same_seed_same_panel_other_seed_other_panel(card):
    a = simulate(card, [{"from": "M1", "to": "B1", "lag": 1, "within": 0.3}], units=5, seed=7)
    b = simulate(card, [{"from": "M1", "to": "B1", "lag": 1, "within": 0.3}], units=5, seed=7)
    c = simulate(card, [{"from": "M1", "to": "B1", "lag": 1, "within": 0.3}], units=5, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a["value"].equals(c["value"])
    assert list(a.columns) == ["unit", "period", "indicator", "value"]
    assert len(a) == 5 * 10 * 3 and a["period"].min() == 2015


def test_recovers_within_and_between_effects(card):
    truth = [
        {"from": "M1", "to": "B1", "lag": 1, "within": 0.5},
        {"from": "B1", "to": "B2", "lag": 0, "within": -0.3, "between": 0.8},
    ]
    procs = {k: WIDE for k in ("M1", "B1", "B2")}
    panel = simulate(card, truth, units=3000, periods=8, indicators=procs, seed=3)
    w = wide_panel(panel)
    assert fe_estimate(w, "B1", "M1", 1) == pytest.approx(0.5, abs=WITHIN_ATOL)
    assert fe_estimate(w, "B2", "B1", 0) == pytest.approx(-0.3, abs=WITHIN_ATOL)
    # between: unit means of B2 on unit means of B1 carry the level association
    # (−0.3 within + 0.8 between; B1's own level has variance 1, its within part
    # a small share of the means).
    means = w.groupby(level="unit").mean()
    slope = sm.OLS(means["B2"], sm.add_constant(means["B1"])).fit().params["B1"]
    assert slope == pytest.approx(0.8 - 0.3, abs=BETWEEN_ATOL)


def test_recovers_a_reverse_effect(card):
    # B2(t−1) drives M1(t); M1 drives B1 forward; nothing feeds back into B2.
    truth = [
        {"from": "M1", "to": "B2", "lag": 1, "reverse": 0.25},
        {"from": "M1", "to": "B1", "lag": 0, "within": 0.4},
    ]
    procs = {k: WIDE for k in ("M1", "B1", "B2")}
    w = wide_panel(simulate(card, truth, units=3000, periods=8, indicators=procs, seed=9))
    assert fe_estimate(w, "M1", "B2", 1) == pytest.approx(0.25, abs=WITHIN_ATOL)
    assert fe_estimate(w, "B1", "M1", 0) == pytest.approx(0.4, abs=WITHIN_ATOL)


def test_no_effect_means_no_effect(card):
    procs = {k: WIDE for k in ("M1", "B1", "B2")}
    panel = simulate(card, [], units=3000, periods=8, indicators=procs, seed=4)
    w = wide_panel(panel)
    assert fe_estimate(w, "B1", "M1", 1) == pytest.approx(0.0, abs=WITHIN_ATOL)


def test_scale_rounding_missing_and_ceiling(card):
    procs = {
        "B1": {"mean": 5.8, "sd_between": 0.3, "sd_within": 0.3, "decimals": 1},
        "M1": {"missing": 0.3},
    }
    text = MINI_CARD
    scaled, _ = parse_scorecard(text, "mini.yaml")
    panel = simulate(scaled, [], units=1000, periods=8, indicators=procs, seed=5)
    b1 = panel.loc[panel["indicator"] == "B1", "value"]
    assert b1.between(1, 6).all()
    assert (b1 == 6).mean() > 0.2, "values pile at the ceiling of the scale"
    assert np.allclose(b1 * 10, np.round(b1 * 10))
    m1 = panel.loc[panel["indicator"] == "M1", "value"]
    assert m1.isna().mean() == pytest.approx(0.3, abs=MISSING_ATOL)
    assert panel.loc[panel["indicator"] == "B2", "value"].notna().all()


def test_bunching_piles_values_just_over_the_threshold():
    card, _ = parse_scorecard(MINI_CARD, "mini.yaml")
    base = {"mean": 4.5, "sd_between": 0.3, "sd_within": 0.3, "decimals": 2}
    counts = []
    for share in (0.0, 0.8):
        panel = simulate(
            card, [], units=500, periods=8, seed=6, indicators={"B1": {**base, "bunching": share}}
        )
        b1 = panel.loc[panel["indicator"] == "B1", "value"]
        counts.append(((b1 >= 4.5) & (b1 < 4.6)).sum() / max(((b1 >= 4.4) & (b1 < 4.5)).sum(), 1))
    assert counts[0] < 1.5 < counts[1] / 2


def test_bad_truth_is_refused(card):
    with pytest.raises(ValueError, match="unknown indicator"):
        simulate(card, [{"from": "Z", "to": "B1", "lag": 0, "within": 1}])
    with pytest.raises(ValueError, match="cycle"):
        simulate(
            card,
            [
                {"from": "M1", "to": "B1", "lag": 0, "within": 0.1},
                {"from": "B1", "to": "M1", "lag": 0, "within": 0.1},
            ],
        )
    with pytest.raises(ValueError, match="reverse effect needs lag"):
        simulate(card, [{"from": "M1", "to": "B1", "lag": 0, "reverse": 0.1}])
    with pytest.raises(ValueError, match="unknown parameter"):
        simulate(card, [], indicators={"B1": {"sdw": 1}})
    with pytest.raises(ValueError, match="lags must be 0 or more"):
        simulate(card, [{"from": "M1", "to": "B1", "lag": -1, "within": 0.1}])


def test_unit_codes_and_periods_can_be_given(card):
    panel = simulate(card, [], units=["0301", "1103"], periods=[2019, 2021], seed=1)
    assert set(panel["unit"]) == {"0301", "1103"} and set(panel["period"]) == {2019, 2021}


def test_respondents_report_unit_averages_of_whole_answers():
    """``respondents``: each value is the mean of that many whole-number answers on the
    scale, so a multiple of 1/n inside it; a latent level above the top gives averages
    close under it that seldom reach it."""
    card = load_scorecard(EXAMPLE_CARD)
    process = {"mean": 6.6, "sd_period": 0.0, "respondents": 40, "decimals": None}
    panel = simulate(card, [], units=20, periods=8, indicators={"B1.1": process}, seed=4)
    values = panel.loc[panel["indicator"] == "B1.1", "value"].to_numpy()
    assert np.allclose(values * 40, np.round(values * 40))
    assert values.min() >= 1 and values.max() <= 6
    assert 5.6 < values.mean() < 6 and np.mean(values == 6) < 0.15
    with pytest.raises(ValueError, match="respondents needs the indicator's scale"):
        no_scale = dataclasses.replace(
            card,
            indicators=tuple(
                dataclasses.replace(i, scale=None) if i.id == "B1.1" else i for i in card.indicators
            ),
        )
        simulate(no_scale, [], indicators={"B1.1": {"respondents": 40}})
    with pytest.raises(ValueError, match="respondents must be 1 or more"):
        simulate(card, [], indicators={"B1.1": {"respondents": 0}})


def test_the_lessons_scorecard_is_one_arrow_with_quick_draws():
    from bms_eval.assessment.roles import roles
    from bms_eval.inputs.teaching import LESSON_DRAWS, lesson_scorecard

    card = lesson_scorecard(
        "A", "B", lag=0, language="nn", effect_scale=(1, 6), effect_ambition=(5, 4.5)
    )
    assert [lk.key for lk in card.links] == ["X>Y"] and card.links[0].lags == (0,)
    assert card.analysis.bootstrap_draws == LESSON_DRAWS and card.language == "nn"
    assert card.indicator("Y").ambition.threshold == 4.5 and roles(card).ends == {
        "Y": "perspective"
    }
