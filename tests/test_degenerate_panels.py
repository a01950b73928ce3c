"""Degenerate panels get ``insufficient_data`` with a plain reason, never a verdict
built on rounding noise, and never "nan" in a reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bms_eval import estimate_links
from bms_eval.inputs.scorecard import parse_scorecard


def _card(links: str, analysis: str = "") -> object:
    text = f"""\
scorecard: {{name: Degenerate}}
perspectives:
  - {{id: employees, name: Employees}}
  - {{id: users, name: Users}}
indicators:
  - {{id: X, name: Training, perspective: employees}}
  - {{id: X2, name: Training hours, perspective: employees}}
  - {{id: Y, name: Satisfaction, perspective: users}}
links:
{links}
{analysis}
"""
    card, problems = parse_scorecard(text, "card.yaml")
    assert card is not None, [str(p) for p in problems]
    return card


def _tidy(columns: dict[str, np.ndarray], units: int, periods: int) -> pd.DataFrame:
    unit = np.repeat([f"u{i:02d}" for i in range(units)], periods)
    period = np.tile(np.arange(2000, 2000 + periods), units)
    return pd.concat(
        [
            pd.DataFrame({"unit": unit, "period": period, "indicator": k, "value": v})
            for k, v in columns.items()
        ],
        ignore_index=True,
    )


def _panel(units: int, periods: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = units * periods
    x = rng.normal(size=n) + np.repeat(rng.normal(size=units), periods)
    return {"X": x, "X2": rng.normal(size=n), "Y": 0.5 * x + rng.normal(size=n)}


def _rows(card, data) -> pd.DataFrame:
    frame = estimate_links(card, data).to_frame()
    for reason in frame["reason"]:
        assert "nan" not in reason.lower() and "inf" not in reason.lower(), reason
    return frame


@pytest.mark.parametrize("units", [30, 60])  # wild bootstrap and clustered inference
def test_a_constant_effect_is_insufficient_data(units):
    cols = _panel(units, 10)
    cols["Y"] = np.full(units * 10, 4.2)
    card = _card('  - {from: X, to: Y, lag: [0, 1], sign: "+"}')
    frame = _rows(card, _tidy(cols, units, 10))
    assert set(frame["verdict"]) == {"insufficient_data"}
    assert all("the effect has no within-unit variation" in r for r in frame["reason"])


def test_an_effect_that_only_moves_with_the_year_is_insufficient_under_twoway():
    units, periods = 30, 10
    cols = _panel(units, periods)
    cols["Y"] = np.tile(np.linspace(3, 4, periods), units)  # the same in every unit
    card = _card('  - {from: X, to: Y, lag: 1, sign: "+"}')
    frame = _rows(card, _tidy(cols, units, periods))
    assert list(frame["verdict"]) == ["insufficient_data"]


@pytest.mark.parametrize("units", [20, 60])
def test_an_effect_that_is_a_copy_of_its_cause_is_not_supported(units):
    cols = _panel(units, 10)
    cols["Y"] = cols["X"].copy()
    card = _card('  - {from: X, to: Y, lag: [0, 1], sign: "+"}')
    frame = _rows(card, _tidy(cols, units, 10))
    assert set(frame["verdict"]) == {"insufficient_data"}
    assert all("cannot be tested as the cause of itself" in r for r in frame["reason"])


def test_an_effect_that_is_a_rescaled_copy_is_the_same_series_at_any_scale():
    units, periods = 30, 8
    cols = _panel(units, periods)
    cols["Y"] = 1e200 * cols["X"] - 3e199
    card = _card('  - {from: X, to: Y, lag: 1, sign: "-"}')
    frame = _rows(card, _tidy(cols, units, periods))
    assert list(frame["verdict"]) == ["insufficient_data"]
    assert "cannot be tested as the cause of itself" in frame["reason"].iloc[0]


def test_exactly_collinear_causes_are_named_not_both_supported():
    units, periods = 40, 8
    cols = _panel(units, periods)
    cols["X2"] = 2 * cols["X"] + 1
    card = _card(
        '  - {from: X, to: Y, lag: 0, sign: "+"}\n  - {from: X2, to: Y, lag: 0, sign: "+"}'
    )
    frame = _rows(card, _tidy(cols, units, periods))
    assert set(frame["verdict"]) == {"insufficient_data"}
    x, x2 = frame["reason"]
    assert "Training hours" in x and "moves exactly in step" in x
    assert "Training" in x2 and "moves exactly in step" in x2
    assert (frame["n_obs"] > 0).all()


def test_collinear_only_with_the_unit_effect_is_no_within_variation():
    units, periods = 40, 8
    cols = _panel(units, periods)
    cols["X2"] = np.repeat(np.arange(units, dtype=float), periods)  # constant within units
    card = _card(
        '  - {from: X, to: Y, lag: 0, sign: "+"}\n  - {from: X2, to: Y, lag: 0, sign: "+"}'
    )
    frame = _rows(card, _tidy(cols, units, periods))
    assert frame["verdict"].iloc[0] == "supported"  # the true effect of X survives
    assert frame["verdict"].iloc[1] == "insufficient_data"
    assert "the cause has no within-unit variation" in frame["reason"].iloc[1]


@pytest.mark.parametrize("scale", [1e-200, 1e-6, 1e6, 1e150, 1e200])
def test_estimates_do_not_depend_on_the_units_of_measurement(scale):
    units, periods = 60, 8
    cols = _panel(units, periods)
    card = _card('  - {from: X, to: Y, lag: 0, sign: "+"}')
    base = _rows(card, _tidy(cols, units, periods)).iloc[0]
    scaled = _rows(card, _tidy({k: v * scale for k, v in cols.items()}, units, periods)).iloc[0]
    assert scaled["verdict"] == base["verdict"] == "supported"
    # both ends scaled alike: the slope is unchanged, the standardized effect too
    for col in ("estimate", "std_error", "p_value", "std_estimate", "ci_low", "ci_high"):
        assert scaled[col] == pytest.approx(base[col], rel=1e-9), col
    only_y = _rows(card, _tidy({**cols, "Y": cols["Y"] * scale}, units, periods)).iloc[0]
    assert only_y["estimate"] == pytest.approx(base["estimate"] * scale, rel=1e-9)
    assert only_y["std_estimate"] == pytest.approx(base["std_estimate"], rel=1e-9)


def test_bootstrap_intervals_are_in_the_datas_units():
    units, periods = 20, 8
    cols = _panel(units, periods)
    card = _card('  - {from: X, to: Y, lag: 0, sign: "+"}')
    base = _rows(card, _tidy(cols, units, periods)).iloc[0]
    big = _rows(card, _tidy({**cols, "Y": cols["Y"] * 1e9}, units, periods)).iloc[0]
    assert base["inference"] == "wild_bootstrap"
    assert big["ci_low"] == pytest.approx(base["ci_low"] * 1e9, rel=1e-6)
    assert big["ci_high"] == pytest.approx(base["ci_high"] * 1e9, rel=1e-6)
    assert big["p_value"] == pytest.approx(base["p_value"])
