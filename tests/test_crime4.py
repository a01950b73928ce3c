"""The README's worked real-data example (benchmarks/crime4.py): Wooldridge's CRIME4
as a justice scorecard, in levels and in logs, with what the outlier screen lists."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from crime4 import crime4_data, crime4_scorecard, verdicts

from bms_eval.inputs.outliers import find_outliers


@pytest.fixture(scope="module")
def tables():
    """Each arrow's own test (its effect summed over lags 0 and 1), by cause."""
    return {log: verdicts(log).set_index("from") for log in (False, True)}


def test_in_logs_arrests_go_with_less_crime_but_the_direction_tests_cannot_order_it(tables):
    """Counties that arrest more have less crime on both scales; in logs the summed
    within-county effect is clearly negative too, but once crime's own past is taken
    into account arrests do not predict it over the two years: between units only,
    and the reason says the association alone cannot tell the arrow's direction."""
    levels, logs = tables[False], tables[True]
    assert levels.loc["prbarr", "verdict"] == "between_only"
    row = logs.loc["prbarr"]
    assert row["verdict"] == "between_only"
    assert row["std_ci_high"] < 0  # the static summed effect excludes zero
    assert row["forward_p_adjusted"] >= 0.05
    assert "log(Arrest probability)" in row["reason"]
    assert "cannot tell which way the arrow points" in row["reason"]
    assert "The lags leave 1981 out of the model" in row["reason"]


def test_police_with_crime_is_the_simultaneity_the_literature_knows(tables):
    """More police with more crime (Cornwell & Trumbull 1994): a positive summed
    within-county association on both scales, never a verdict that police cause crime:
    the direction tests do not find it, and the arrow carries ``same_year``."""
    for table in tables.values():
        row = table.loc["polpc"]
        assert row["verdict"] == "inconclusive"
        assert row["std_ci_low"] > 0
        assert row["forward_p_adjusted"] >= 0.05
        assert "same_year" in row["cautions"].split(";")


def test_the_influence_columns_name_the_county_that_moves_the_police_arrow(tables):
    row = tables[True].loc["polpc"]
    assert row["influential_unit"] == "141" and not row["fragile"]
    assert row["verdict_without"] == "inconclusive"


def test_the_police_rate_that_jumps_thirtyfold_is_listed():
    found = find_outliers(crime4_data(), logged=crime4_scorecard(True).logged_ids)
    police = found[(found["indicator"] == "polpc") & (found["unit"] == "141")]
    assert {1984, 1985, 1986} <= set(police["period"])


def test_without_that_county_the_police_arrow_stays_inconclusive():
    """Deleting the county's rows, as a user would: the verdict is the same."""
    for log in (False, True):
        row = verdicts(log, without="141").set_index("from").loc["polpc"]
        assert row["verdict"] == "inconclusive"
