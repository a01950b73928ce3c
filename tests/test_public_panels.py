"""What each arrow's number is, on four public panels (tests/data/public/SOURCES.md).

The direct effect (the effect's model with all its causes) and the total effect (the
same without the arrow's mediators on the map) of one arrow per panel equal
linearmodels' ``PanelOLS`` fits of the two specifications; an arrow with several lags
is judged by its cumulative effect; each reason says what its model holds fixed and the
periods its lags cost.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from linearmodels import PanelOLS

from bms_eval.inputs.validation import load_inputs
from bms_eval.narrative.link_results import LinkResults, estimate_links

PUBLIC = Path(__file__).parent / "data" / "public"

#: Estimates and clustered standard errors against PanelOLS (the same arithmetic).
PARAM_RTOL = 1e-8
SE_RTOL = 1e-8
#: A published estimate, as printed (three decimals).
PUBLISHED_ATOL = 5e-4

CARDS = {
    "cigar": "cigar.yaml",
    "grunfeld": "grunfeld.yaml",
    "airfare": "airfare.yaml",
    "jtrain": "jtrain.xlsx",
}


@functools.cache
def results(name: str) -> LinkResults:
    inputs = load_inputs(PUBLIC / CARDS[name], PUBLIC / f"{name}.csv")
    return estimate_links(inputs.scorecard, inputs.data, influence=False)


@functools.cache
def wide(name: str) -> pd.DataFrame:
    """The panel as PanelOLS reads it, on the tested scale (logs where declared)."""
    inputs = load_inputs(PUBLIC / CARDS[name], PUBLIC / f"{name}.csv")
    frame = inputs.data.frame.pivot_table(
        index=["unit", "period"], columns="indicator", values="value"
    )
    for ind in inputs.scorecard.logged_ids:
        frame[ind] = np.log(frame[ind])
    return frame


def lagged(frame: pd.DataFrame, column: str, lag: int) -> pd.Series:
    """``column`` ``lag`` periods earlier in the same unit (missing across a gap)."""
    periods = frame.index.get_level_values("period")
    units = frame.index.get_level_values("unit")
    earlier = pd.MultiIndex.from_arrays([units, periods - lag])
    return pd.Series(frame[column].reindex(earlier).to_numpy(), index=frame.index)


def panel_ols(name: str, target: str, terms: list[tuple[str, int]]):
    frame = wide(name)
    data = pd.DataFrame({f"{ind}_{lag}": lagged(frame, ind, lag) for ind, lag in terms})
    data["y"] = frame[target]
    data = data.dropna()
    return PanelOLS(data["y"], data.drop(columns="y"), entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True
    )


#: Per panel, one arrow with a mediator on the map: the effect's model (direct) and the
#: model without the mediator (total).
SPECIFICATIONS = {
    "cigar": (
        ("income", "sales", 0),
        [("income", 0), ("price", 0), ("price", 1)],
        [("income", 0)],
    ),
    "grunfeld": (("value", "inv", 0), [("value", 0), ("capital", 0)], [("value", 0)]),
    "airfare": (("concen", "fare", 0), [("concen", 0), ("passen", 1)], [("concen", 0)]),
    "jtrain": (
        ("grant", "scrap", 1),
        [("hrsemp", 0), ("hrsemp", 1), ("grant", 1)],
        [("grant", 1)],
    ),
}


@pytest.mark.parametrize("name", list(SPECIFICATIONS))
def test_direct_and_total_effects_equal_panelols_fits_of_the_two_specifications(name):
    (source, target, lag), direct_terms, total_terms = SPECIFICATIONS[name]
    row = results(name)[source, target, lag]
    direct = panel_ols(name, target, direct_terms)
    total = panel_ols(name, target, total_terms)
    column = f"{source}_{lag}"
    assert row["direct_estimate"] == pytest.approx(direct.params[column], rel=PARAM_RTOL)
    assert row["direct_std_error"] == pytest.approx(direct.std_errors[column], rel=SE_RTOL)
    assert row["total_estimate"] == pytest.approx(total.params[column], rel=PARAM_RTOL)
    assert row["total_std_error"] == pytest.approx(total.std_errors[column], rel=SE_RTOL)
    # the default estimand is the direct effect: the row's own test is the direct one
    assert row["estimand"] == "direct"
    assert row["estimate"] == row["direct_estimate"]
    assert row["mediators"] != ""
    assert set(row["mediators"].split(";")) <= set(row["held_fixed"].split(";"))


def test_the_total_effect_of_concentration_on_fare_is_the_textbooks():
    """Wooldridge's C14.1: log fare on concentration with route and year effects, .169;
    the direct effect holds last year's passengers fixed, which costs 1997."""
    row = results("airfare")["concen", "fare", 0]
    assert row["total_estimate"] == pytest.approx(0.169, abs=PUBLISHED_ATOL)
    assert row["periods_lost"] == "1997"
    assert "1997" in row["reason"]
    assert "Passengers per day" in row["reason"]  # what the model holds fixed, named


def test_an_arrow_with_two_lags_is_judged_by_its_cumulative_effect():
    res = results("cigar")
    arrow = res.arrow_tests().set_index(["from", "to"]).loc[("price", "sales")]
    ref = panel_ols("cigar", "sales", [("price", 0), ("price", 1), ("income", 0)])
    # the sum of the two lags' coefficients, with its clustered standard error
    combined = ref.params["price_0"] + ref.params["price_1"]
    cov = ref.cov.loc[["price_0", "price_1"], ["price_0", "price_1"]].to_numpy()
    assert arrow["estimate"] == pytest.approx(combined, rel=PARAM_RTOL)
    assert arrow["std_error"] == pytest.approx(np.sqrt(cov.sum()), rel=SE_RTOL)
    lags = res["price", "sales"]
    # each lag row takes the arrow's verdict; none is judged on its own
    assert set(lags["verdict"]) == {arrow["verdict"]}
    by_arrow = {a.key: a.as_dict() for a in res.arrows()}["price>sales"]
    assert by_arrow["judged_by"] == "cumulative"
    assert by_arrow["lags"] == [0, 1]
    assert by_arrow["verdict"] == arrow["verdict"]
    assert by_arrow["cumulative_estimate"] == pytest.approx(combined, rel=PARAM_RTOL)
    for reason in lags["reason"]:
        assert reason.startswith("Judged with its other lags as one arrow")
        assert "not a verdict of its own" in reason


def test_a_reason_names_what_is_held_fixed_and_the_total_effect_beside_it():
    row = results("jtrain")["grant", "scrap", 1]
    assert row["held_fixed"] == "hrsemp"
    assert row["mediators"] == "hrsemp"
    assert "The model holds Training hours per employee fixed" in row["reason"]
    assert "the total effect is" in row["reason"]
    assert "1987" in row["reason"]


def test_the_total_estimand_decides_when_asked(tmp_path):
    from dataclasses import replace

    inputs = load_inputs(PUBLIC / "grunfeld.yaml", PUBLIC / "grunfeld.csv")
    card = replace(inputs.scorecard, analysis=replace(inputs.scorecard.analysis, estimand="total"))
    row = estimate_links(card, inputs.data, influence=False)["value", "inv", 0]
    direct = results("grunfeld")["value", "inv", 0]
    assert row["estimand"] == "total"
    assert row["estimate"] == pytest.approx(direct["total_estimate"], rel=PARAM_RTOL)
    assert row["direct_estimate"] == pytest.approx(direct["estimate"], rel=PARAM_RTOL)
    assert row["held_fixed"] == ""
    assert "This is the total effect" in row["reason"]


@functools.cache
def analysis(name: str):
    import bms_eval

    return bms_eval.analyse(PUBLIC / CARDS[name], PUBLIC / f"{name}.csv")


def test_a_declared_result_level_decides_end_or_means_before_the_perspective():
    from bms_eval.assessment.roles import roles

    inputs = load_inputs(PUBLIC / "cigar.yaml", PUBLIC / "cigar.csv")
    ends = roles(inputs.scorecard).ends
    # price and income sit in the economy perspective but are declared at level 1
    assert ends == {"sales": "level"}


def test_the_headline_follows_the_supported_means_to_end_arrow_and_carries_its_cautions():
    found = analysis("cigar")
    arrow = {a.key: a for a in found.links.arrows()}["price>sales"]
    assert arrow.verdict in ("supported", "reciprocal")
    headline = found.assessment.headline()
    assert headline[1].startswith("A chain of supported arrows reaches Users.")
    for key in arrow.cautions:
        assert found.assessment.headline()[1].count("price → sales") >= 1
        assert key.replace("_", " ") in headline[1]


def test_the_alternatives_sentence_names_each_end_with_its_means():
    evidence = {
        p["id"]: p["evidence"] for p in analysis("jtrain").assessment.to_dict()["preconditions"]
    }["alternatives"]
    assert "(end: sales)" in evidence
    assert "sales ← scrap" in evidence
    assert "Only one means: sales" not in evidence


def test_outliers_are_screened_on_the_tested_scale_along_each_units_own_path():
    """Grunfeld in logs: firm 1's capital of 2.8 in 1935 (its later values are in the
    hundreds) is found, its ordinary growth is not; Cigar: no state's steady fall is an
    outlier; airfare: a few per indicator, not a page of them."""
    from bms_eval.inputs.outliers import find_outliers

    def found(name: str) -> pd.DataFrame:
        inputs = load_inputs(PUBLIC / CARDS[name], PUBLIC / f"{name}.csv")
        return find_outliers(inputs.data.frame, logged=inputs.scorecard.logged_ids)

    grunfeld = found("grunfeld")
    assert ("capital", "1", 1935) in set(
        zip(grunfeld["indicator"], grunfeld["unit"], grunfeld["period"], strict=True)
    )
    assert len(grunfeld) <= 3
    assert found("cigar").empty
    assert len(found("airfare")) < len(wide("airfare")) * 3 * 0.01


def test_validate_the_analysis_and_the_report_give_the_same_outlier_warnings():
    from bms_eval.inputs.validation import outlier_warnings

    inputs = load_inputs(PUBLIC / "airfare.yaml", PUBLIC / "airfare.csv")
    shown = [str(p) for p in outlier_warnings(inputs.scorecard, inputs.data)]
    assert len(shown) == 3  # one per indicator, with its count and worst values
    found = analysis("grunfeld")
    warnings = found.quality.warnings
    assert any("indicator 'capital': 2 values" in w for w in warnings)
    listed = found.results_document()["assessment"]["measurement"]["capital"]["outliers"]
    assert {(o["unit"], o["period"]) for o in listed} >= {("1", 1935)}


def test_a_wide_table_with_an_indicator_named_value_is_read_as_wide(tmp_path):
    """Grunfeld's firm value is an indicator called ``value``: with no ``indicator``
    column the table is wide, and a scale open above (``[0, null]``) is allowed."""
    frame = wide("grunfeld").reset_index()
    frame = frame.assign(value=np.exp(frame["value"]), inv=np.exp(frame["inv"]))
    frame[["unit", "period", "value", "inv"]].to_csv(tmp_path / "wide.csv", index=False)
    (tmp_path / "card.yaml").write_text(
        "scorecard: {name: t, language: en}\n"
        "perspectives: [{id: p, name: P}]\n"
        "indicators:\n"
        "  - {id: value, name: Firm value, perspective: p, direction: up, scale: [0, null]}\n"
        "  - {id: inv, name: Investment, perspective: p, direction: up, scale: [0, null]}\n"
        "links:\n"
        '  - {from: value, to: inv, lag: 0, sign: "+"}\n',
        encoding="utf-8",
    )
    inputs = load_inputs(tmp_path / "card.yaml", tmp_path / "wide.csv")
    assert inputs.data.layout == "wide"
    assert set(inputs.data.frame["indicator"]) == {"value", "inv"}
    assert inputs.scorecard.indicator("value").scale == (0.0, float("inf"))
    from bms_eval.inputs.records import scorecard_record

    record = scorecard_record(inputs.scorecard)
    assert record["indicators"][0]["scale"] == [0.0, None]  # JSON has no infinity


def test_status_counts_periods_and_a_constant_indicator_is_stable():
    from bms_eval.assessment.status import TREND_PERIODS, scorecard_status

    inputs = load_inputs(PUBLIC / "cigar.yaml", PUBLIC / "cigar.csv")
    frame = inputs.data.frame.copy()
    frame.loc[frame["indicator"] == "income", "value"] = 5000.0
    table = scorecard_status(inputs.scorecard, frame)
    rows = table[table["level"] == "indicator"].set_index("indicator")
    assert set(rows["trend_periods"]) == {TREND_PERIODS}  # periods, not observations
    assert rows.loc["income", "trend"] == "stable"


def test_a_wild_bootstrap_p_value_is_never_zero():
    row = results("cigar")["price", "sales", 0]
    assert row["inference"] == "wild_bootstrap"
    assert row["p_value"] >= 1 / (row["draws"] + 1)


def test_names_on_the_map_do_not_overlap_and_arrows_start_beyond_them():
    import matplotlib

    matplotlib.use("Agg")
    found = analysis("cigar")
    fig = found.plot("map")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    names = {i.name for i in found.scorecard.indicators}
    boxes = [
        t.get_window_extent(renderer) for t in ax.texts if t.get_text().replace("\n", " ") in names
    ]
    assert len(boxes) == len(names)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    # every arrow's drawn path stays clear of every name
    from matplotlib.patches import FancyArrowPatch

    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(found.scorecard.links)
    for patch in arrows:
        path = patch.get_path().transformed(patch.get_transform())
        points = path.interpolated(50).vertices
        for box in boxes:
            inside = (
                (points[:, 0] > box.x0)
                & (points[:, 0] < box.x1)
                & (points[:, 1] > box.y0)
                & (points[:, 1] < box.y1)
            )
            assert not inside.any()


def test_a_two_lag_arrow_planted_in_simulated_panels_is_found_by_its_cumulative_test():
    """benchmarks/cumulative_study.py, smaller: where the effect's own past carries it,
    the forward cumulative estimate is the sum of the two planted impacts (0.4), and
    the arrow is found; with no effect it is not."""
    sys_path = str(Path(__file__).resolve().parents[1] / "benchmarks")
    import sys

    if sys_path not in sys.path:
        sys.path.insert(0, sys_path)
    from cumulative_study import study

    planted = study("dynamic", panels=5, units=80, years=10, seed=3)
    assert planted["forward"] == pytest.approx(0.4, abs=0.1)
    assert planted["found"] >= 0.6
    null = study("null", panels=5, units=80, years=10, seed=4)
    assert null["found"] <= 0.2
