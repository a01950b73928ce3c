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


def test_arrests_deter_in_logs_but_only_between_counties_in_levels(tables):
    levels, logs = tables[False], tables[True]
    assert levels.loc[("prbarr", 0), "verdict"] == "between_only"
    assert logs.loc[("prbarr", 0), "verdict"] == "supported"
    assert logs.loc[("prbarr", 0), "forward_std_estimate"] < 0
    assert "log(Arrest probability)" in logs.loc[("prbarr", 0), "reason"]
    assert levels.loc[("prbpris", 0), "verdict"] == "no_effect"
    assert logs.loc[("prbpris", 0), "verdict"] == "supported"


def test_police_contradicts_in_the_same_year_with_that_caution(tables):
    """More police with more crime in the same year: the simultaneity the literature
    knows (Cornwell & Trumbull 1994); the same_year caution says why not to read it
    as police causing crime."""
    for table in tables.values():
        row = table.loc[("polpc", 0)]
        assert row["verdict"] == "contradicted"
        assert "same_year" in row["cautions"].split(";")


def test_the_influence_columns_name_the_county_that_decides_the_police_arrow(tables):
    for table in tables.values():
        row = table.loc[("polpc", 0)]
        assert row["influential_unit"] == "141" and row["fragile"]
        assert row["verdict_without"] == "inconclusive"
        assert row["cautions"].split(";")[0] == "fragile"
        assert "without unit 141" in row["reason"]


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
