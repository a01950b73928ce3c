"""The README's worked real-data example (benchmarks/crime4.py): Wooldridge's CRIME4
as a justice scorecard, in levels and in logs, with what the outlier screen lists."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from crime4 import crime4_data, verdicts

from bms_eval.inputs.outliers import find_outliers


@pytest.fixture(scope="module")
def tables():
    return {log: verdicts(log).set_index(["from", "lag"]) for log in (False, True)}


def test_arrests_deter_in_logs_only_until_county_trends_are_taken_out(tables):
    """In logs the direction tests find the same-year deterrence of arrests, but with
    seven years the design with county-specific trends cannot confirm it (its estimate
    is as large, its interval much wider): not counted, and said so."""
    levels, logs = tables[False], tables[True]
    assert levels.loc[("prbarr", 0), "verdict"] == "between_only"
    row = logs.loc[("prbarr", 0)]
    assert row["verdict"] == "between_only"
    assert row["forward_p_adjusted"] < 0.05 and row["forward_std_estimate"] < 0
    assert row["trend_needed_p_value"] < 0.05 and row["trend_forward_p_adjusted"] >= 0.05
    assert row["trend_forward_estimate"] < 0
    assert "trend_sensitive" in row["cautions"].split(";")
    assert "log(Arrest probability)" in row["reason"]
    assert "not confirmed with unit-specific trends" in row["reason"]
    assert levels.loc[("prbpris", 0), "verdict"] == "no_effect"
    assert logs.loc[("prbpris", 0), "verdict"] == "inconclusive"
    assert "common_shock_sensitive" in logs.loc[("prbpris", 0), "cautions"].split(";")


def test_police_with_crime_in_the_same_year_is_not_confirmed_without_common_shocks(tables):
    """More police with more crime in the same year — the simultaneity the literature
    knows (Cornwell & Trumbull 1994) — is found by the direction tests on both scales,
    but not once shocks the counties feel unequally are taken out."""
    for table in tables.values():
        row = table.loc[("polpc", 0)]
        assert row["verdict"] == "inconclusive"
        assert row["forward_estimate"] > 0 and row["forward_p_adjusted"] < 0.05
        assert row["cce_needed_p_value"] < 0.05 and row["cce_forward_p_adjusted"] >= 0.05
        assert {"same_year", "common_shock_sensitive"} <= set(row["cautions"].split(";"))
        assert "not confirmed with common shocks taken out" in row["reason"]


def test_the_influence_columns_name_the_county_that_moves_the_police_arrow(tables):
    for table in tables.values():
        row = table.loc[("polpc", 0)]
        assert row["influential_unit"] == "141" and not row["fragile"]
        assert row["verdict_without"] == "inconclusive"


def test_the_police_rate_that_jumps_thirtyfold_is_listed():
    found = find_outliers(crime4_data())
    police = found[(found["indicator"] == "polpc") & (found["unit"] == "141")]
    assert {1984, 1985, 1986} <= set(police["period"])


def test_without_that_county_the_police_arrow_is_no_longer_contradicted():
    """The issue's finding, reproduced the way a user would (deleting the county's
    rows): in levels the only red verdict rests on county 141."""
    for log in (False, True):
        row = verdicts(log, without="141").set_index(["from", "lag"]).loc[("polpc", 0)]
        assert row["verdict"] == "inconclusive"
