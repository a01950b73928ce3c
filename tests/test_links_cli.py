"""``bms-eval links`` as a user meets it, and the results object."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from bms_eval import estimate_links
from bms_eval.estimation.columns import LINK_COLUMNS
from bms_eval.estimation.inference import benjamini_hochberg, minimum_detectable_effect
from bms_eval.estimation.verdicts import cautions
from bms_eval.inputs.validation import load_inputs
from bms_eval.narrative.texts import Texts
from tests.conftest import EXAMPLE_CARD, EXAMPLE_DATA, HEIMDAL_CARD, HEIMDAL_DATA, digest
from tests.test_cli import CASES, _bad_card_case, _bad_data_case

SPEC_COLUMNS = [
    "from",
    "to",
    "lag",
    "n_obs",
    "n_units",
    "estimate",
    "std_error",
    "p_value",
    "p_adjusted",
    "ci_low",
    "ci_high",
    "std_estimate",
    "mde_std",
    "between_estimate",
    "between_p_value",
    "reverse_p_value",
    "lead_p_value",
    "verdict",
    "reason",
]
VERDICTS = {
    "insufficient_data",
    "supported",
    "contradicted",
    "reverse",
    "between_only",
    "no_effect",
    "inconclusive",
}


@pytest.fixture(scope="module")
def example_results(example_links):
    return example_links


def test_links_csv_to_stdout_has_the_spec_columns_first(cli):
    result = cli("links", "--quiet", HEIMDAL_CARD, HEIMDAL_DATA)
    assert result.code == 0, result.err
    frame = pd.read_csv(io.StringIO(result.out))
    assert list(frame.columns[: len(SPEC_COLUMNS)]) == SPEC_COLUMNS
    assert list(frame.columns) == list(LINK_COLUMNS)
    assert set(frame["verdict"]) <= VERDICTS and frame["reason"].str.len().min() > 20
    assert result.err == ""


def test_links_out_file_and_progress(cli, tmp_path):
    out = tmp_path / "sub" / "links.csv"
    result = cli("links", EXAMPLE_CARD, EXAMPLE_DATA, "--out", out)
    assert result.code == 0 and out.exists()
    assert "[1/" in result.err and "Vurderinger per pil" in result.err  # the scorecard is in bokmål
    assert len(pd.read_csv(out)) == 13


def test_example_verdicts_match_the_documented_truth(example_results):
    frame = example_results.to_frame().set_index(["from", "to", "lag"])
    verdict = frame["verdict"].to_dict()
    for key in [
        ("L1.1", "M1.1", 1),
        ("L1.1", "P1.2", 1),
        ("M1.2", "P1.1", 0),
        ("P1.1", "B3.1", 0),
        ("B3.1", "B3.2", 0),
        ("P1.2", "B1.1", 1),
    ]:
        assert verdict[key] == "supported", key
    assert verdict[("M1.1", "B1.1", 0)] == verdict[("M1.1", "B1.1", 1)] == "between_only"
    assert verdict[("M1.1", "M1.2", 1)] == "reverse"
    for key in [("B2.1", "B2.2", 0), ("L1.2", "P1.1", 1), ("L1.2", "P1.1", 2), ("P1.2", "Ø1.1", 1)]:
        assert verdict[key] in {"no_effect", "inconclusive"}, key


def test_heimdal_verdicts_match_the_documented_truth():
    inputs = load_inputs(HEIMDAL_CARD, HEIMDAL_DATA)
    frame = estimate_links(inputs.scorecard, inputs.data).to_frame()
    verdict = dict(zip(zip(frame["from"], frame["to"], strict=True), frame["verdict"], strict=True))
    assert verdict[("R1.1", "R2.1")] == "supported"
    assert verdict[("R1.2", "R2.1")] == "between_only"
    assert verdict[("R1.1", "R1.2")] in {"no_effect", "inconclusive"}


@pytest.mark.parametrize("source,case", CASES)
def test_every_bad_input_exits_1_from_links_too(cli, tmp_path, source, case):
    make = _bad_card_case if source == "card" else _bad_data_case
    card, data, message = make(tmp_path, case)
    before = (digest(card), digest(data))
    out = tmp_path / "links.csv"
    result = cli("links", card, data, "--out", out)
    assert result.code == 1 and message in result.err
    assert "Traceback" not in result.err
    assert not out.exists()
    assert (digest(card), digest(data)) == before


def test_links_usage_errors_exit_2(cli):
    assert cli("links").code == 2
    assert cli("links", "a.yaml").code == 2


def test_results_object_is_read_only_and_consistent(example_results):
    frame = example_results.to_frame()
    frame.loc[0, "verdict"] = "changed"
    assert example_results.to_frame().loc[0, "verdict"] != "changed"
    text = example_results.summary()
    assert repr(example_results) == text
    counts = example_results.counts()
    assert sum(counts.values()) == len(frame[["from", "to"]].drop_duplicates())
    assert sum(example_results.lag_counts().values()) == len(frame)
    labels = Texts("nb")  # the example scorecard's language
    for verdict, n in counts.items():
        if n:
            assert f"{n} {labels.verdict(verdict)}" in text


def test_html_repr_escapes_names(tmp_path, mini):
    card, data = mini
    card.write_text(
        card.read_text(encoding="utf-8").replace(
            '"User satisfaction"', '"<script>alert(1)</script>"'
        ),
        encoding="utf-8",
    )
    inputs = load_inputs(card, data)
    html = estimate_links(inputs.scorecard, inputs.data)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_benjamini_hochberg_by_hand_and_nan_kept_out():
    p = np.array([0.001, 0.2, np.nan, 0.03, 0.04, 0.5, 0.012])
    ours = benjamini_hochberg(p)
    ok = np.isfinite(p)
    np.testing.assert_allclose(ours[ok], multipletests(p[ok], method="fdr_bh")[1], rtol=1e-12)
    # by hand: sorted 0.001 0.012 0.03 0.04 0.2 0.5 (m = 6); p·m/rank, then the running
    # minimum from the top: 0.006, 0.036, 0.06, 0.06, 0.24, 0.5
    expected = {0: 0.006, 6: 0.036, 3: 0.06, 4: 0.06, 1: 0.24, 5: 0.5}
    for i, value in expected.items():
        assert ours[i] == pytest.approx(value, rel=1e-12)
    assert np.isnan(ours[2])
    assert np.isnan(benjamini_hochberg(np.array([np.nan]))).all()


@pytest.mark.parametrize("seed", range(5))
def test_benjamini_hochberg_equals_statsmodels_with_ties_and_ones(seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(size=200) ** 3
    p[rng.choice(200, 20)] = 0.01  # ties
    p[rng.choice(200, 5)] = 1.0
    ours = benjamini_hochberg(p)
    np.testing.assert_allclose(ours, multipletests(p, method="fdr_bh")[1], rtol=1e-12, atol=0)


def test_minimum_detectable_effect_is_the_power_formula():
    # large df: (1.96 + 0.8416) × se
    assert minimum_detectable_effect(1.0, 10_000, 0.05) == pytest.approx(2.8016, abs=1e-3)
    # power check by simulation-free identity: at the MDE, P(t > t_crit) = 0.8
    from scipy import stats

    mde = minimum_detectable_effect(0.5, 20, 0.05)
    crit = stats.t.ppf(0.975, 20)
    assert stats.t.sf(crit - mde / 0.5, 20) == pytest.approx(0.80, abs=1e-9)


def test_gap_years_make_lags_missing_not_shifted():
    from bms_eval.estimation.panel import Panel

    frame = pd.DataFrame(
        {
            "unit": ["a"] * 4,
            "period": [2018, 2019, 2021, 2022],
            "indicator": "X",
            "value": [1.0, 2.0, 4.0, 5.0],
        }
    )
    panel = Panel.from_data(frame)
    assert list(panel.periods) == [2018, 2019, 2020, 2021, 2022]
    lagged = panel.shifted("X", 1)[0]
    assert np.isnan(lagged[0]) and lagged[1] == 1.0 and np.isnan(lagged[3])
    assert lagged[4] == 4.0
    lead = panel.shifted("X", -1)[0]
    assert lead[0] == 2.0 and np.isnan(lead[1])


def test_links_language_option_writes_the_reasons_in_it(cli, example_links):
    default = cli("links", "--quiet", EXAMPLE_CARD, EXAMPLE_DATA)
    english = cli("links", "--quiet", "--language", "en", EXAMPLE_CARD, EXAMPLE_DATA)
    assert default.code == english.code == 0
    nb, en = pd.read_csv(io.StringIO(default.out)), pd.read_csv(io.StringIO(english.out))
    assert list(nb["verdict"]) == list(en["verdict"])
    pd.testing.assert_frame_equal(
        nb.drop(columns=["reason", "notes"]), en.drop(columns=["reason", "notes"])
    )
    api = example_links.to_frame("en")
    assert list(en["reason"]) == list(api["reason"])
    assert not (nb["reason"] == en["reason"]).any()
    assert cli("links", "--language", "de", EXAMPLE_CARD, EXAMPLE_DATA).code == 2


def _inputs_of(card, data):
    inputs = load_inputs(card, data)
    return inputs.scorecard, inputs.data


def _row(**values):
    base = {
        "verdict": "supported",
        "lag": 1,
        "direction_method": "bias_corrected_fe",
        "lead_p_value": 0.5,
        "inference": "cluster",
        "n_units": 100,
    }
    return {**base, **values}


@pytest.mark.parametrize(
    "row,expected",
    [
        (_row(), ()),
        (_row(lag=0), ("same_year",)),
        (_row(direction_method="not_checked"), ("direction_not_checked",)),
        (_row(lead_p_value=0.049), ("placebo_failed",)),
        (_row(lead_p_value=0.05), ()),
        (_row(lead_p_value=math.nan), ()),
        (_row(inference="wild_bootstrap", n_units=11), ("few_units",)),
        (_row(inference="wild_bootstrap", n_units=12), ()),
        (_row(inference="cluster", n_units=5), ()),
        (
            _row(lag=0, direction_method="not_checked", lead_p_value=0.001),
            ("direction_not_checked", "same_year", "placebo_failed"),
        ),
        (_row(verdict="insufficient_data", lag=0, direction_method="not_checked"), ()),
    ],
)
def test_cautions_from_a_rows_numbers(row, expected):
    assert cautions(row, 0.05) == expected


def test_cautions_reach_links_csv_and_the_summary(tmp_path, example_links):
    results = example_links
    table = results.to_frame()
    # a lag of an arrow judged as a whole carries the arrow's cautions (its own test's)
    whole = results.arrow_tests().set_index(["from", "to"])["cautions"]
    parts = table["arrow_lags"].fillna("") != ""
    for row in table[parts].to_dict("records"):
        assert row["cautions"] == whole[(row["from"], row["to"])]
    alone = table[~parts]
    same_year = alone["lag"] == 0
    checked = alone["verdict"] != "insufficient_data"
    assert all("same_year" in c for c in alone.loc[same_year & checked, "cautions"])
    assert not any("same_year" in c for c in alone.loc[~same_year, "cautions"])
    placebo = alone["lead_p_value"] < 0.05
    assert all("placebo_failed" in c for c in alone.loc[placebo & checked, "cautions"])
    arrows = results.arrows()
    n = sum(bool(a.cautions) for a in arrows)
    assert results.caution_counts()["any"] == n > 0
    assert f"{n} of {len(arrows)} arrows carry a caution" in results.summary("en")
    results.to_csv(tmp_path / "links.csv")
    written = pd.read_csv(tmp_path / "links.csv", keep_default_na=False)
    assert list(written["cautions"]) == list(table["cautions"])
