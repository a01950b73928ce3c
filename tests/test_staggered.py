"""Reform arrows (docs/verdicts.md, "Reform arrows"): the staggered difference-in-
differences against the R package ``did``'s published ``mpdta`` example, against
panels whose truth is known, and the scorecard's and the data's checks of a reform.

``tests/data/mpdta.csv`` is the ``did`` package's example (Callaway & Sant'Anna 2021:
county teen employment, minimum wage rises in 2004, 2006 and 2007), as distributed
with the Python port ``csdid``. The published values below are printed by
``att_gt(yname = "lemp", gname = "first.treat", idname = "countyreal", tname = "year",
xformla = ~1, data = mpdta)`` and ``aggte(…, type = "dynamic")`` in the package's
introduction.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bms_eval import estimate_links
from bms_eval.estimation.staggered import (
    adoption_years,
    group_time_effects,
    is_reform,
    staggered_did,
    wald_zero,
)
from bms_eval.inputs.data import load_data
from bms_eval.inputs.scorecard import parse_scorecard
from bms_eval.inputs.validation import cross_check
from bms_eval.simulation.confounders import confounded_pair

MPDTA = Path(__file__).parent / "data" / "mpdta.csv"

#: ATT(g, t) and their standard errors as the package prints them (4 decimals).
PUBLISHED = {
    (2004, 2004): (-0.0105, 0.0233),
    (2004, 2005): (-0.0704, 0.0310),
    (2004, 2006): (-0.1373, 0.0364),
    (2004, 2007): (-0.1008, 0.0344),
    (2006, 2004): (0.0065, 0.0233),
    (2006, 2005): (-0.0028, 0.0196),
    (2006, 2006): (-0.0046, 0.0178),
    (2006, 2007): (-0.0412, 0.0202),
    (2007, 2004): (0.0305, 0.0150),
    (2007, 2005): (-0.0027, 0.0164),
    (2007, 2006): (-0.0311, 0.0179),
    (2007, 2007): (-0.0261, 0.0167),
}
#: The pre-test of parallel trends, and the event study (dynamic aggregation).
PUBLISHED_PRETEST = 0.16812
PUBLISHED_EVENTS = {
    -3: 0.0305,
    -2: -0.0006,
    -1: -0.0245,
    0: -0.0199,
    1: -0.0510,
    2: -0.1373,
    3: -0.1008,
}
#: The simple aggregate, printed as -0.04.
PUBLISHED_SIMPLE = -0.04
#: Half a unit of the last printed decimal.
PRINTED = 0.5e-4


def _mpdta() -> tuple[np.ndarray, np.ndarray, list[int]]:
    data = pd.read_csv(MPDTA)
    units = sorted(data["countyreal"].unique())
    years = sorted(data["year"].unique())
    outcome = data.pivot(index="countyreal", columns="year", values="lemp").loc[units, years]
    first = data.groupby("countyreal")["first.treat"].first().loc[units].to_numpy()
    reform = np.array([[1.0 if 0 < g <= y else 0.0 for y in years] for g in first])
    return reform, outcome.to_numpy(), years


def test_group_time_effects_equal_the_published_mpdta_output():
    reform, outcome, years = _mpdta()
    groups = adoption_years(reform)
    cells = group_time_effects(outcome, groups, "never_treated", small_sample=False)
    found = {
        (years[c.group], years[c.period]): (c.att, float(np.sqrt(c.influence @ c.influence)))
        for c in cells
    }
    assert set(found) == set(PUBLISHED)
    for key, (att, se) in PUBLISHED.items():
        assert abs(found[key][0] - att) <= PRINTED, key
        # the package's analytic standard errors (its bootstrap ones differ by a few %)
        assert abs(found[key][1] - se) <= PRINTED, key
    pre = [c for c in cells if c.period < c.group]
    assert round(wald_zero(pre), 5) == PUBLISHED_PRETEST


def test_the_aggregates_equal_the_published_mpdta_output():
    reform, outcome, _ = _mpdta()
    result = staggered_did(reform, outcome, 0, 0.05, "never_treated", small_sample=False)
    assert round(result.effect.estimate, 2) == PUBLISHED_SIMPLE
    for event, value in PUBLISHED_EVENTS.items():
        assert abs(result.event_study[event].estimate - value) <= PRINTED, event
    # the effect at event times ≥ 1 leaves out the adoption years
    later = staggered_did(reform, outcome, 1, 0.05, "never_treated")
    assert later.effect.estimate < result.effect.estimate < 0


def test_not_yet_treated_comparisons_use_the_later_adopters_too():
    """With not-yet-treated comparisons the 2004 group's effect in 2004 is compared with
    the counties adopting in 2006 and 2007 as well; the last year's cells (no one left
    untreated but the never treated) are the same either way."""
    reform, outcome, _ = _mpdta()
    groups = adoption_years(reform)
    never = {(c.group, c.period): c for c in group_time_effects(outcome, groups, "never_treated")}
    later = {(c.group, c.period): c for c in group_time_effects(outcome, groups, "not_yet_treated")}
    assert later[(1, 1)].n_comparison > never[(1, 1)].n_comparison
    assert later[(1, 4)].att == pytest.approx(never[(1, 4)].att, abs=1e-12)


def test_what_counts_as_a_reform():
    assert is_reform(np.array([[0, 0, 1, 1], [0, 1, 1, 1], [0, 0, 0, 0.0]]))
    assert not is_reform(np.array([[0, 1, 0, 1], [0, 0, 1, 1.0]]))  # not absorbing
    assert not is_reform(np.array([[0, 0.5, 1, 1], [0, 0, 1, 1.0]]))  # not binary
    assert not is_reform(np.array([[1, 1, 1], [0, 0, 0.0]]))  # no one adopts in the panel
    assert list(adoption_years(np.array([[np.nan, 0, 1], [1, 1, 1], [0, 0, 0.0]]))) == [
        2,
        -1,
        np.inf,
    ]


CARD = """\
scorecard: {{name: reform}}
perspectives: [{{id: p}}]
indicators:
  - {{id: X, name: "new service model", perspective: p{kind}}}
  - {{id: Y, name: "user satisfaction", perspective: p}}
links:
  - {{from: X, to: Y, lag: 0, sign: "+"}}
"""


def _card(kind: str = ", kind: reform"):
    card, problems = parse_scorecard(CARD.format(kind=kind), "reform.yaml")
    assert card is not None, [str(p) for p in problems]
    return card


@pytest.mark.parametrize("shape", ["staggered_constant", "staggered_growing"])
def test_a_reform_with_a_positive_effect_is_supported_quick(shape):
    """10 seeded panels of 150 units × 12 years, two waves of adoption. The two-way
    fixed-effects test called a growing effect `reverse` or `contradicted` in every
    panel; the staggered design finds it `supported` in at least 8 of 10 (0.6 SD), and
    never with the wrong sign."""
    rows = [
        estimate_links(_card(), confounded_pair(shape, 0.6, 150, 12, 200 + s), influence=False)
        .to_frame()
        .iloc[0]
        for s in range(10)
    ]
    verdicts = [r["verdict"] for r in rows]
    assert verdicts.count("supported") >= 8, verdicts
    assert "contradicted" not in verdicts
    row = rows[0]
    assert row["method"] == "staggered_did" and np.isfinite(row["pretrend_p_value"])
    assert row["sensitivity_mbar"] > 0
    assert "difference-in-differences" in row["reason"]
    assert "same_year" not in str(row["cautions"])


def test_no_reform_effect_rarely_gets_a_definite_verdict_quick():
    rows = [
        estimate_links(
            _card(), confounded_pair("staggered_constant", 0.0, 150, 12, 300 + s), influence=False
        )
        .to_frame()
        .iloc[0]["verdict"]
        for s in range(10)
    ]
    assert sum(v in {"supported", "reciprocal", "reverse", "contradicted"} for v in rows) <= 2


def test_an_undeclared_binary_absorbing_cause_is_tested_as_a_reform():
    data = confounded_pair("staggered_growing", 0.6, 150, 12, 5)
    row = estimate_links(_card(kind=""), data, influence=False).to_frame().iloc[0]
    assert row["method"] == "staggered_did"


def test_a_declared_reform_that_is_not_zero_one_and_absorbing_is_a_located_error(tmp_path):
    data = confounded_pair("staggered_constant", 0.0, 6, 6, 1)
    values = data["value"].to_numpy().copy()
    x = np.flatnonzero(data["indicator"].to_numpy() == "X")
    values[x[0]] = 0.5
    last_year = x[data["period"].to_numpy()[x] == data["period"].max()]
    adopted = last_year[data["value"].to_numpy()[last_year] == 1]
    values[adopted[0]] = 0.0  # a unit that had adopted it drops it in the last year
    path = tmp_path / "reform.csv"
    data.assign(value=values).to_csv(path, index=False)
    problems = [str(p) for p in cross_check(_card(), load_data(path))]
    assert any("neither 0 nor 1" in p and "line 2:" in p for p in problems), problems
    assert any("0 again after the unit had adopted" in p for p in problems), problems


def test_a_reform_cannot_be_logged():
    text = CARD.format(kind=", kind: reform, transform: log")
    card, problems = parse_scorecard(text, "reform.yaml")
    assert card is None
    assert any("cannot take 'transform: log'" in str(p) for p in problems)


def test_a_declared_reform_whose_data_are_not_a_reform_is_insufficient_data_not_a_guess():
    """Through the Python entry point, which takes data the command line would have
    refused: a declared reform with continuous values is not estimated as one."""
    row = (
        estimate_links(_card(), confounded_pair("plain", 0.0, 20, 8, 1), influence=False)
        .to_frame()
        .iloc[0]
    )
    assert row["verdict"] == "insufficient_data"
    assert "kind: reform" in row["reason"]


def test_a_reform_nobody_adopts_within_the_panel_is_insufficient_data():
    data = confounded_pair("staggered_constant", 0.0, 20, 8, 1)
    data.loc[data["indicator"] == "X", "value"] = 1.0
    row = estimate_links(_card(), data, influence=False).to_frame().iloc[0]
    assert row["verdict"] == "insufficient_data"
