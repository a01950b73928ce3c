"""One verdict per arrow (estimation.arrows): the roll-up rule across lags, on
constructed link tables, and the same counts in every place that shows them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bms_eval.estimation.arrows import arrow_counts, arrow_verdicts, roll_up, strength
from bms_eval.estimation.verdicts import VERDICTS


def _row(lag: int, verdict: str, **numbers: float) -> dict:
    row = {
        "from": "X",
        "to": "Y",
        "lag": lag,
        "verdict": verdict,
        "direction_method": "bias_corrected_fe",
        "cautions": "same_year" if lag == 0 else "",
    }
    return {**row, **numbers}


@pytest.mark.parametrize(
    "rows,verdict,lag",
    [
        # a forward finding decides over the other lag's, by the smaller forward p
        (
            [
                _row(0, "contradicted", forward_p_adjusted=0.04),
                _row(1, "supported", forward_p_adjusted=0.003),
            ],
            "supported",
            1,
        ),
        (
            [
                _row(0, "contradicted", forward_p_adjusted=0.001),
                _row(1, "supported", forward_p_adjusted=0.03),
            ],
            "contradicted",
            0,
        ),
        # a forward finding before a reverse one, however small the reverse p
        (
            [
                _row(0, "reverse", reverse_p_adjusted=1e-6),
                _row(2, "supported", forward_p_adjusted=0.04),
            ],
            "supported",
            2,
        ),
        # reverse before between-only, between-only before no effect ...
        ([_row(0, "between_only", between_p_value=0.001), _row(1, "reverse")], "reverse", 1),
        ([_row(0, "no_effect"), _row(1, "between_only", between_p_value=0.04)], "between_only", 1),
        # ... no effect before inconclusive, inconclusive before too little data
        ([_row(1, "inconclusive"), _row(2, "no_effect")], "no_effect", 2),
        ([_row(1, "insufficient_data"), _row(2, "inconclusive")], "inconclusive", 2),
        # among no-effect lags, the narrowest interval
        (
            [
                _row(0, "no_effect", std_ci_low=-0.15, std_ci_high=0.1),
                _row(1, "no_effect", std_ci_low=-0.05, std_ci_high=0.08),
            ],
            "no_effect",
            1,
        ),
        # ties: the shorter lag
        ([_row(2, "inconclusive"), _row(1, "inconclusive")], "inconclusive", 1),
    ],
)
def test_the_lag_with_the_strongest_evidence_decides(rows, verdict, lag):
    (arrow,) = roll_up(rows)
    assert (arrow.verdict, arrow.lag) == (verdict, lag)
    assert [o for o, _ in arrow.others] == sorted(r["lag"] for r in rows if r["lag"] != lag)
    assert arrow.cautions == (("same_year",) if lag == 0 else ())


def test_without_a_direction_test_the_static_p_value_ranks_a_forward_finding():
    static = {"direction_method": "not_checked"}
    rows = [
        {**_row(0, "supported", p_adjusted=0.01, forward_p_adjusted=0.5), **static},
        {**_row(1, "supported", p_adjusted=0.02, forward_p_adjusted=0.001), **static},
    ]
    assert roll_up(rows)[0].lag == 0
    assert strength(rows[0]) == (0, 0.01, 0)
    missing = _row(1, "supported")  # no p at all: ranks last among its kind
    assert strength(missing)[1] == math.inf


def test_counts_are_per_arrow_and_every_arrow_is_counted_once():
    rows = [
        _row(0, "contradicted", forward_p_adjusted=0.04),
        _row(1, "supported", forward_p_adjusted=0.003),
        {**_row(1, "inconclusive"), "from": "Z"},
        {**_row(0, "insufficient_data"), "from": "W"},
    ]
    frame = pd.DataFrame(rows)
    counts = arrow_counts(frame)
    assert list(counts) == list(VERDICTS)
    assert counts == {
        **dict.fromkeys(VERDICTS, 0),
        "supported": 1,
        "inconclusive": 1,
        "insufficient_data": 1,
    }
    assert arrow_verdicts(frame) == {
        ("X", "Y"): "supported",
        ("Z", "Y"): "inconclusive",
        ("W", "Y"): "insufficient_data",
    }
    first = roll_up(frame)[0].as_dict()
    assert first == {
        "link": "X>Y",
        "verdict": "supported",
        "lag": 1,
        "lags": [0, 1],
        "judged_by": "lag",
        "cautions": [],
        "other_lags": [{"lag": 0, "verdict": "contradicted"}],
    }
    assert roll_up(pd.DataFrame(columns=["from", "to", "lag", "verdict"])) == []
