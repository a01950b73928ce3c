"""Every reason template, rendered from constructed evidence: the verdict and its
sentence agree with the numbers (docs/verdicts.md; the rules of issue "reasons that match
their numbers"). English word for word; Norwegian complete and with the same numbers."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest

from bms_eval.estimation.fixed_effects import NotEstimable
from bms_eval.estimation.verdicts import Evidence, decide
from bms_eval.narrative.reasons import reason as explain
from bms_eval.narrative.texts import Texts

#: A row where nothing decides: every test far from alpha.
BASE = Evidence(
    cause="Staff",
    effect="Users",
    lag=1,
    sign="+",
    estimate=0.3,
    p_adjusted=0.5,
    ci_low=-0.1,
    ci_high=0.7,
    std_estimate=0.1,
    std_ci_low=-0.3,
    std_ci_high=0.5,
    mde_std=0.4,
    between_estimate=0.2,
    between_p_value=0.5,
    reverse_p_value=0.5,
    lead_p_value=0.5,
    inference="cluster",
    n_units=100,
    p_value=0.5,
    forward_estimate=0.05,
    forward_std_estimate=0.08,
    forward_p_value=0.4,
    forward_p_adjusted=0.6,
    reverse_p_adjusted=0.7,
)

#: The forward test finds the assumed effect.
FOUND = dict(
    forward_estimate=0.3, forward_std_estimate=0.25, forward_p_value=0.001, forward_p_adjusted=0.004
)
#: Too few periods for the direction tests.
UNCHECKED = dict(forward_estimate=math.nan, forward_p_adjusted=math.nan, forward_p_value=math.nan)
#: The direction not checked, the static test alone finds the assumed effect.
STATIC = dict(
    **UNCHECKED, std_ci_low=0.1, std_ci_high=0.5, std_estimate=0.3, p_adjusted=0.01, p_value=0.002
)

CASES = {
    "reciprocal": dict(**FOUND, reverse_p_adjusted=0.01),
    "supported": FOUND,
    "supported_static": STATIC,
    "contradicted": dict(FOUND, forward_estimate=-0.3, forward_std_estimate=-0.25),
    "contradicted_static": dict(
        STATIC, estimate=-0.3, std_estimate=-0.3, std_ci_low=-0.5, std_ci_high=-0.1
    ),
    "reverse": dict(reverse_p_adjusted=0.02),
    "between_only": dict(between_p_value=0.01, std_ci_low=-0.15, std_ci_high=0.12),
    "between_only_unclear": dict(between_p_value=0.01, std_ci_low=-1.22, std_ci_high=1.44),
    "no_effect": dict(std_ci_low=-0.1, std_ci_high=0.12),
    "no_effect_small": dict(std_ci_low=0.01, std_ci_high=0.12),
    "inconclusive": dict(),
    "inconclusive_adjusted": dict(forward_p_value=0.01, forward_p_adjusted=0.12),
    "between_opposite": dict(between_estimate=-0.4, between_p_value=0.01),
    "insufficient_data": dict(problem=NotEstimable("too_few_obs", n=4, min=6)),
    "same_year": dict(lag=0, lag1_forward_p_value=0.03, lag1_reverse_p_value=0.6),
    "same_year_unchecked": dict(lag=0),
    "placebo_failed": dict(**FOUND, lead_p_value=0.001),
    "jackknife": dict(**FOUND, forward_inference="jackknife", n_units=20),
    "bootstrap": dict(**UNCHECKED, inference="wild_bootstrap", draws=9999, n_units=20),
    "bootstrap_enumerated": dict(
        **UNCHECKED, inference="wild_bootstrap", enumerated=True, n_units=4
    ),
    "robust": dict(**UNCHECKED, inference="robust", n_units=1),
    "static_only": dict(p_adjusted=0.01, p_value=0.001, std_ci_low=0.05, std_ci_high=0.5),
    "fragile": dict(**FOUND, fragile=True, influential_unit="U07", verdict_without="inconclusive"),
    "not_checked_why": dict(
        **UNCHECKED, direction_problem=NotEstimable("too_few_periods", n=4, min=5)
    ),
}

GOLDEN = {
    "reciprocal": (
        "reciprocal",
        "Staff and Users predict each other: when Staff rose within a unit, Users rose a "
        "year later beyond what its own past predicts, as the scorecard assumes "
        "(direction test +0.25 SD per SD, adjusted p = 0.004), and Users in turn "
        "predicted Staff a year later beyond Staff's own past (adjusted p = 0.010). The "
        "arrow runs both ways: a feedback loop, or something else that drives both.",
    ),
    "supported": (
        "supported",
        "When Staff rose within a unit, Users rose a year later beyond what its own past "
        "predicts, as the scorecard assumes (direction test +0.25 SD per SD, adjusted p = "
        "0.004), and Users did not predict Staff (adjusted p = 0.700).",
    ),
    "supported_static": (
        "supported",
        "When Staff rose within a unit, Users rose a year later, as the scorecard assumes "
        "(+0.30 SD per SD, 95 % CI +0.10 to +0.50 SD; adjusted p = 0.010). The direction "
        "was not checked: this rests on the static within-unit test, which cannot tell "
        "which way the arrow points.",
    ),
    "contradicted": (
        "contradicted",
        "When Staff rose within a unit, Users fell a year later beyond what its own past "
        "predicts: the opposite of what the scorecard assumes (direction test −0.25 SD "
        "per SD, adjusted p = 0.004).",
    ),
    "contradicted_static": (
        "contradicted",
        "When Staff rose within a unit, Users fell a year later: the opposite of what the "
        "scorecard assumes (−0.30 SD per SD, 95 % CI −0.50 to −0.10 SD; adjusted p = "
        "0.010). The direction was not checked: this rests on the static within-unit "
        "test, which cannot tell which way the arrow points.",
    ),
    "reverse": (
        "reverse",
        "Changes in Staff did not lead changes in Users, but Users predicted Staff a year "
        "later beyond Staff's own past (adjusted p = 0.020): the arrow may point the "
        "other way.",
    ),
    "between_only": (
        "between_only",
        "Units that score higher on Staff score higher on Users (between units p = 0.010), "
        "but when Staff rose within a unit, Users did not follow (95 % CI −0.15 to +0.12 SD).",
    ),
    "between_only_unclear": (
        "between_only",
        "Units that score higher on Staff score higher on Users (between units p = 0.010), "
        "but within units the data cannot tell whether Users follows Staff: the effect "
        "could lie anywhere from −1.22 to +1.44 SD (95 % CI).",
    ),
    "no_effect": (
        "no_effect",
        "When Staff changed within a unit, Users did not follow a year later: the effect "
        "lies between −0.10 and +0.12 SD, inside the ±0.2 SD that would matter.",
    ),
    "no_effect_small": (
        "no_effect",
        "When Staff changed within a unit, Users followed a year later by less than would "
        "matter: the effect lies between +0.01 and +0.12 SD, inside the ±0.2 SD that "
        "would matter.",
    ),
    "inconclusive": (
        "inconclusive",
        "The data cannot tell whether Staff moves Users: the within-unit effect could lie "
        "anywhere from −0.30 to +0.50 SD (95 % CI), and only an effect of about 0.40 SD "
        "or more would reliably show.",
    ),
    "inconclusive_adjusted": (
        "inconclusive",
        "The data cannot tell whether Staff moves Users: the within-unit effect could lie "
        "anywhere from −0.30 to +0.50 SD (95 % CI), and only an effect of about 0.40 SD "
        "or more would reliably show. Taken alone this test would count (p = 0.010), but "
        "not after the adjustment for testing many arrows at once (adjusted p = 0.120).",
    ),
    "between_opposite": (
        "inconclusive",
        "The data cannot tell whether Staff moves Users: the within-unit effect could lie "
        "anywhere from −0.30 to +0.50 SD (95 % CI), and only an effect of about 0.40 SD "
        "or more would reliably show. Between units it runs the other way: units that "
        "score higher on Staff score lower on Users (between units p = 0.010), a "
        "comparison of units that says nothing about what Staff does within them.",
    ),
    "insufficient_data": (
        "insufficient_data",
        "Too little data to test whether Staff moves Users: only 4 unit-years have values "
        "for all the model's variables (at least 6 are needed).",
    ),
    "same_year": (
        "inconclusive",
        "The data cannot tell whether Staff moves Users: the within-unit effect could lie "
        "anywhere from −0.30 to +0.50 SD (95 % CI), and only an effect of about 0.40 SD "
        "or more would reliably show. Yearly data cannot order effects within a year, so "
        "a same-year link could run either way; a year apart, Staff predicted Users with "
        "p = 0.030 and Users predicted Staff with p = 0.600 (direction tests, "
        "unadjusted).",
    ),
    "same_year_unchecked": (
        "inconclusive",
        "The data cannot tell whether Staff moves Users: the within-unit effect could lie "
        "anywhere from −0.30 to +0.50 SD (95 % CI), and only an effect of about 0.40 SD "
        "or more would reliably show. Yearly data cannot order effects within a year, so "
        "a same-year link between Staff and Users could run either way.",
    ),
    "placebo_failed": (
        "supported",
        "When Staff rose within a unit, Users rose a year later beyond what its own past "
        "predicts, as the scorecard assumes (direction test +0.25 SD per SD, adjusted p = "
        "0.004), and Users did not predict Staff (adjusted p = 0.700). Caution: Staff a "
        "year later also 'predicts' Users (placebo p = 0.001), a sign of reverse "
        "causation or a shared trend.",
    ),
    "jackknife": (
        "supported",
        "When Staff rose within a unit, Users rose a year later beyond what its own past "
        "predicts, as the scorecard assumes (direction test +0.25 SD per SD, adjusted p = "
        "0.004), and Users did not predict Staff (adjusted p = 0.700). (Direction tests "
        "with 20 units: standard errors from the cluster jackknife.)",
    ),
    "bootstrap": (
        "inconclusive",
        "The data cannot tell whether Staff moves Users: the within-unit effect could lie "
        "anywhere from −0.30 to +0.50 SD (95 % CI), and only an effect of about 0.40 SD "
        "or more would reliably show. The direction was not checked: this rests on the "
        "static within-unit test, which cannot tell which way the arrow points. (Wild "
        "cluster bootstrap: 20 units, 9,999 draws.)",
    ),
    "bootstrap_enumerated": (
        "inconclusive",
        "The data cannot tell whether Staff moves Users: the within-unit effect could lie "
        "anywhere from −0.30 to +0.50 SD (95 % CI), and only an effect of about 0.40 SD "
        "or more would reliably show. The direction was not checked: this rests on the "
        "static within-unit test, which cannot tell which way the arrow points. (Wild "
        "cluster bootstrap: 4 units, all weight combinations.)",
    ),
    "robust": (
        "inconclusive",
        "The data cannot tell whether Staff moves Users: the within-unit effect could lie "
        "anywhere from −0.30 to +0.50 SD (95 % CI), and only an effect of about 0.40 SD "
        "or more would reliably show. The direction was not checked: this rests on the "
        "static within-unit test, which cannot tell which way the arrow points. (One "
        "unit: the years are treated as independent, so p may be too small.)",
    ),
    "static_only": (
        "inconclusive",
        "The data cannot tell whether Staff moves Users: the within-unit effect could lie "
        "anywhere from +0.05 to +0.50 SD (95 % CI), and only an effect of about 0.40 SD "
        "or more would reliably show. Without Users's own past, Staff and Users do move "
        "together within units (adjusted p = 0.010), but once that past is taken into "
        "account Staff does not predict Users: the association alone cannot tell which "
        "way the arrow points.",
    ),
    "fragile": (
        "supported",
        "When Staff rose within a unit, Users rose a year later beyond what its own past "
        "predicts, as the scorecard assumes (direction test +0.25 SD per SD, adjusted p = "
        "0.004), and Users did not predict Staff (adjusted p = 0.700). Fragile: without "
        "unit U07 alone the verdict would be “Inconclusive”.",
    ),
    "not_checked_why": (
        "inconclusive",
        "The data cannot tell whether Staff moves Users: the within-unit effect could lie "
        "anywhere from −0.30 to +0.50 SD (95 % CI), and only an effect of about 0.40 SD "
        "or more would reliably show. The direction was not checked (only 4 years have "
        "both indicators and their own past together; the direction test needs 5): this "
        "rests on the static within-unit test, which cannot tell which way the arrow "
        "points.",
    ),
}


def decided(ev: Evidence, language: str) -> tuple[str, str]:
    """The verdict from the numbers alone, then its reason written in ``language``."""
    verdict = decide(ev, 0.05, 0.2)
    return verdict, explain(ev, verdict, 0.05, 0.2, Texts(language))


@pytest.mark.parametrize("name", sorted(CASES))
def test_english_reason_word_for_word(name):
    verdict, reason = decided(replace(BASE, **CASES[name]), "en")
    assert (verdict, reason) == GOLDEN[name]


@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_norwegian_reasons_are_complete_with_the_same_numbers(name, language):
    ev = replace(BASE, **CASES[name])
    verdict, reason = decided(ev, language)
    english = GOLDEN[name][1]
    assert verdict == GOLDEN[name][0]
    assert not re.search(r"\{[a-z_]+\}", reason), "an unfilled placeholder"
    # the same numbers, written with a decimal comma (and thousands apart by a narrow space)
    numbers = re.compile(r"[−+]?\d+[.,]\d+")
    english = re.sub(r"(?<=\d),(?=\d{3}\b)", "", english)  # English thousands: 9,999
    expected = [n.replace(".", ",") for n in numbers.findall(english)]
    assert sorted(numbers.findall(reason)) == sorted(expected)
    assert not re.search(r"\d\.\d", reason), "a decimal point in Norwegian"
    assert reason != english


def test_did_not_follow_only_when_the_interval_rules_out_effects_that_matter():
    for name in ("between_only_unclear", "inconclusive", "no_effect_small"):
        assert "did not follow" not in GOLDEN[name][1]
    assert "did not follow" in GOLDEN["between_only"][1]
    assert "did not follow" in GOLDEN["no_effect"][1]
