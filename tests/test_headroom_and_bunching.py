"""Headroom of averaged scores and bunching only where it can mean gaming
(assessment.measurement), on simulated unit averages of survey answers and on rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bms_eval.assessment.measurement import (
    HEADROOM_SHARE,
    audit_indicator,
    headroom_share,
    within_sd,
)
from bms_eval.inputs.model import Ambition, Indicator
from bms_eval.inputs.scorecard import parse_scorecard
from bms_eval.simulation.truth import simulate

UNITS, YEARS = 20, 8

SURVEY = parse_scorecard(
    "scorecard: {name: t}\nperspectives: [{id: users, name: Users}]\nindicators:\n"
    "  - {id: B1.1, name: User satisfaction, perspective: users, scale: [1, 6],\n"
    "     ambition: {target: 5, threshold: 4.5}}\n",
    "t.yaml",
)[0]


def _survey(rng: np.random.Generator, level: float, between: float = 0.25) -> pd.DataFrame:
    """Unit × year averages of 40 whole-number answers on a 1–6 survey around each
    unit's latent level (simulate's ``respondents``): such averages almost never
    reach 6 exactly."""
    process = {
        "mean": level,
        "sd_between": between,
        "sd_within": 0.15,
        "sd_period": 0.0,
        "respondents": 40,
        "answer_sd": 0.9,
        "decimals": None,
    }
    seed = int(rng.integers(2**31))
    return simulate(SURVEY, units=UNITS, periods=YEARS, indicators={"B1.1": process}, seed=seed)


SATISFACTION = Indicator(
    "B1.1", "User satisfaction", "users", "up", scale=(1.0, 6.0), ambition=Ambition(5.0, 4.5)
)


def _audit(ind: Indicator, frame: pd.DataFrame):
    return audit_indicator(ind, frame, frame["unit"].nunique(), frame["period"].nunique())


def test_headroom_is_the_share_nearer_the_better_bound_than_one_within_unit_sd():
    units = np.array(["a", "a", "b", "b"])
    values = np.array([5.0, 5.6, 3.0, 3.6])  # within SS 0.36 on 2 df: SD 0.3√2
    sd = within_sd(units, values)
    assert sd == pytest.approx(np.sqrt(0.36 / 2))
    assert headroom_share(values, SATISFACTION, sd) == pytest.approx(0.25)  # 5.6 only
    down = Indicator("x", "x", "users", "down", scale=(1.0, 6.0))
    assert headroom_share(values, down, sd) == pytest.approx(0.0)
    assert headroom_share(values, Indicator("x", "x", "users"), sd) is None  # no scale


def test_averaged_scores_close_under_the_ceiling_are_flagged_though_few_reach_it():
    """Unit averages around 5.85 on a 1–6 scale (most respondents answer 6): the
    exact-bound rule sees a ceiling in few panels, the headroom rule in nearly all."""
    flagged = exact = 0
    for seed in range(50):
        audit = _audit(SATISFACTION, _survey(np.random.default_rng(seed), level=6.6))
        flagged += "little_headroom" in audit.flags
        exact += "ceiling" in audit.flags
    assert flagged >= 47 and exact <= 25


def test_the_issues_user_satisfaction_is_flagged():
    """Mean 5.75, SD 0.18, 23 % of unit-years at 5.9 or more, and no value at 6."""
    rng = np.random.default_rng(3)
    unit_mean = 5.75 + 0.12 * rng.standard_normal(UNITS)
    values = np.clip(unit_mean[:, None] + 0.12 * rng.standard_normal((UNITS, YEARS)), 1, 5.97)
    frame = pd.DataFrame(
        {
            "indicator": "B1.1",
            "unit": np.repeat([f"U{u}" for u in range(UNITS)], YEARS),
            "period": np.tile(np.arange(YEARS), UNITS),
            "value": values.ravel(),
        }
    )
    assert np.mean(values >= 5.9) == pytest.approx(0.23, abs=0.08)
    audit = _audit(SATISFACTION, frame)
    assert audit.ceiling_share == 0.0
    assert audit.headroom_share >= HEADROOM_SHARE and "little_headroom" in audit.flags


@pytest.mark.parametrize("level,between", [(4.0, 0.3), (4.6, 0.25), (3.0, 0.5)])
def test_clean_averaged_scores_are_rarely_flagged(level, between):
    """Averages with room above them: flagged in at most 5 % of 60 panels."""
    flagged = sum(
        "little_headroom" in _audit(SATISFACTION, _survey(rng, level, between)).flags
        for rng in (np.random.default_rng(1000 + s) for s in range(60))
    )
    assert flagged <= 3


def _frame(values: np.ndarray) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {
            "indicator": "x",
            "unit": [f"U{i // 8:02d}" for i in range(n)],
            "period": [2000 + i % 8 for i in range(n)],
            "value": values.astype(float),
        }
    )


def test_a_binary_indicator_is_never_flagged_for_bunching_or_bounds():
    """A 0/1 law (in force or not): 80 % of unit-years at 1 with target = threshold = 1,
    or a threshold of 0.5 between the two values; no bunching test, no ceiling or
    floor flag, and the reason is given."""
    rng = np.random.default_rng(5)
    for seed_values in range(20):
        values = (rng.random(160) < 0.2 + 0.03 * seed_values).astype(float)
        for ambition in (Ambition(1.0, 1.0), Ambition(1.0, 0.5)):
            law = Indicator("x", "law", "p", "up", scale=(0.0, 1.0), ambition=ambition)
            audit = _audit(law, _frame(values))
            assert audit.flags == () or audit.flags == ("low_within_variation",), audit
            assert audit.bunching_not_tested == "binary" and audit.bunching_p is None
            assert audit.as_dict()["not_tested"]["bounds"] == "binary"


def test_a_threshold_at_the_scales_bound_is_a_rule_not_bunching():
    """A legal minimum drinking age whose target = threshold = scale maximum 21: most
    units at 21, the rest 18–20. Piling at 21 is the rule; with no scale given, no
    value lies beyond 21, so the test is not run either."""
    rng = np.random.default_rng(8)
    values = rng.choice([18, 19, 20, 21], size=400, p=[0.1, 0.1, 0.1, 0.7])
    ruled = Indicator("x", "age", "p", "up", scale=(18.0, 21.0), ambition=Ambition(21.0, 21.0))
    audit = _audit(ruled, _frame(values))
    assert "bunching_at_threshold" not in audit.flags
    assert audit.bunching_not_tested == "threshold_at_bound"
    open_scale = Indicator("x", "age", "p", "up", ambition=Ambition(21.0, 21.0))
    audit = _audit(open_scale, _frame(values))
    assert audit.bunching_not_tested == "threshold_at_edge" and audit.flags == ()


def test_a_planted_gaming_pattern_is_still_flagged():
    """Two-decimal scores around 4.4 where 60 % of those just short of the threshold
    4.5 are reported just over it: flagged in at least 18 of 20 panels."""
    flagged = 0
    for seed in range(20):
        rng = np.random.default_rng(300 + seed)
        values = np.round(4.4 + 0.4 * rng.standard_normal(240), 2)
        short = (values >= 4.3) & (values < 4.5) & (rng.random(240) < 0.6)
        values[short] = np.round(4.5 + rng.random(short.sum()) * 0.05, 2)
        audit = _audit(SATISFACTION, _frame(values))
        assert audit.bunching_not_tested is None
        flagged += "bunching_at_threshold" in audit.flags
    assert flagged >= 18
