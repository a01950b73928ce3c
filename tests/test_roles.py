"""Ends, means and side effects read from the scorecard's meaning (assessment.roles),
on hand-made scorecards, and how the chain and the preconditions use them."""

from __future__ import annotations

import pandas as pd
import pytest

from bms_eval.assessment.chain import chain
from bms_eval.assessment.preconditions import alternatives, consequences
from bms_eval.assessment.roles import is_consequence, roles
from bms_eval.inputs.scorecard import parse_scorecard
from bms_eval.narrative.texts import Texts

EN = Texts("en")

#: A CRIME4-like scorecard: one perspective the bands do not know, five means of
#: the crime rate, and an arrow from crime on to the offence mix.
CRIME = """
scorecard: {name: justice}
perspectives: [{id: p, name: Justice}]
indicators:
  - {id: arrest, name: arrest, perspective: p}
  - {id: conviction, name: conviction, perspective: p}
  - {id: prison, name: prison, perspective: p}
  - {id: sentence, name: sentence, perspective: p}
  - {id: police, name: police, perspective: p}
  - {id: crime, name: crime, perspective: p, direction: down}
  - {id: mix, name: offence mix, perspective: p, direction: down}
links:
  - {from: arrest, to: crime, lag: 1, sign: "-"}
  - {from: conviction, to: crime, lag: 1, sign: "-"}
  - {from: prison, to: crime, lag: 1, sign: "-"}
  - {from: sentence, to: crime, lag: 1, sign: "-"}
  - {from: police, to: crime, lag: 1, sign: "-"}
"""


def _card(text: str):
    card, problems = parse_scorecard(text, "t.yaml")
    assert card is not None, [str(p) for p in problems]
    return card


def _with_mix(extra: str) -> object:
    return _card(CRIME + f"  - {{from: crime, to: mix, lag: 0, {extra}}}\n")


def test_a_declared_side_effect_leaves_the_crime_rate_the_end_with_five_means():
    """The issue's case: crime → offence mix made the offence mix the only end and
    'alternatives' not met. Declared a side effect, it is a consequence: crime stays
    the end, with five means."""
    card = _with_mix('sign: "+", side_effect: true')
    got = roles(card)
    assert got.ends == {"crime": "sink"}
    assert got.means_of("crime") == ["arrest", "conviction", "police", "prison", "sentence"]
    assert [lk.key for lk in got.consequences] == ["crime>mix"]
    alt = alternatives(card, EN, got)
    assert alt["status"] == "met" and "1 of 1 end" in alt["evidence"]
    assert "crime → mix" in alt["evidence"]  # named as not counted


def test_the_sign_alone_makes_an_arrow_a_side_effect_unless_the_key_says_no():
    """Less crime (better) with a '-' sign raises the offence mix, which is better
    low: expected worse, so a consequence without any key; side_effect: false keeps
    it a means → end arrow (a trade-off the scorecard accepts), and then the offence
    mix is the sink."""
    by_sign = _with_mix('sign: "-"')
    assert is_consequence(by_sign, by_sign.links[-1])
    assert roles(by_sign).ends == {"crime": "sink"}
    kept = _with_mix('sign: "-", side_effect: false')
    assert not is_consequence(kept, kept.links[-1])
    assert roles(kept).ends == {"mix": "sink"}
    assert alternatives(kept, EN, roles(kept))["status"] == "not_met"
    plain = _with_mix('sign: "+"')  # less crime, less mix: an improvement
    assert not is_consequence(plain, plain.links[-1])


def test_a_side_effect_declared_against_its_sign_is_warned_about():
    card, problems = parse_scorecard(
        CRIME + '  - {from: crime, to: mix, lag: 0, sign: "+", side_effect: yes}\n', "t.yaml"
    )
    assert card is not None and card.links[-1].side_effect is True
    warned = [p for p in problems if p.kind == "side_effect_sign"]
    assert len(warned) == 1 and warned[0].where == "line 18, links[5].side_effect"
    _, bad = parse_scorecard(CRIME + "  - {from: crime, to: mix, side_effect: maybe}\n", "t")
    assert any("'side_effect' must be true or false" in str(p) for p in bad)


#: Learning, processes and users: the bands a means → end chain climbs.
PERSPECTIVES = """perspectives:
  - {id: learning, name: Learning}
  - {id: processes, name: Processes}
  - {id: users, name: Users}
"""

LEVELS = (
    "scorecard: {name: levels}\n"
    + PERSPECTIVES
    + """goals:
  - {id: G, perspective: processes, result_level: 3}
  - {id: H, perspective: processes, result_level: 1}
success_factors:
  - {id: G1, goal: G}
  - {id: H1, goal: H}
indicators:
  - {id: L1, name: training, perspective: learning}
  - {id: L2, name: values, perspective: learning, result_level: 4}
  - {id: P1, name: needs met, perspective: processes, success_factor: G1}
  - {id: P2, name: throughput, perspective: processes, success_factor: H1}
  - {id: U1, name: satisfaction, perspective: users}
links:
  - {from: L1, to: P2, lag: 1, sign: "+"}
  - {from: P2, to: P1, lag: 1, sign: "+"}
  - {from: P1, to: U1, lag: 1, sign: "+"}
"""
)


def test_ends_come_from_result_levels_and_perspectives_not_the_arrows_shape():
    """P1 serves a level-3 goal, L2 is itself at level 4, U1 is in the users'
    perspective: ends, although P1 leads on and L2 has no arrow; P2 (its goal at
    level 1) is a means although it is in the middle of the chain."""
    card = _card(LEVELS)
    got = roles(card)
    assert got.ends == {"L2": "level", "P1": "goal_level", "U1": "perspective"}
    assert got.linked_ends == ["P1", "U1"] and got.unreached_ends == ["L2"]
    alt = alternatives(card, EN, got)
    assert alt["status"] == "not_met"  # each linked end has one means
    assert "L2" in alt["evidence"]  # the end no arrow leads to is named


def test_an_indicator_of_the_activity_itself_is_a_means_wherever_it_sits():
    """Heimdal's case: arenas used and classes started (level 0) serve a level-3 goal;
    satisfaction (declared level 2) and response times (level 0) sit in the users'
    perspective. A declared level decides before the perspective: only L2 is an end."""
    text = LEVELS.replace(
        "  - {id: P1, name: needs met, perspective: processes, success_factor: G1}",
        "  - {id: P1, name: courses held, perspective: processes, success_factor: G1,"
        " result_level: 0}",
    ).replace(
        "  - {id: U1, name: satisfaction, perspective: users}",
        "  - {id: U1, name: satisfaction, perspective: users, result_level: 2}\n"
        "  - {id: U2, name: response time, perspective: users, result_level: 0}",
    )
    assert roles(_card(text)).ends == {"L2": "level"}


def test_without_any_stated_end_the_targets_that_lead_nowhere_are_the_ends():
    text = LEVELS.replace("result_level: 3", "result_level: 1").replace("result_level: 4", "")
    text = text.replace("  - {id: users, name: Users}\n", "").replace(
        "perspective: users", "perspective: processes"
    )
    got = roles(_card(text))
    assert got.ends == {"U1": "sink"}


def _row(source: str, target: str, verdict: str) -> dict:
    return {
        "from": source,
        "to": target,
        "lag": 0,
        "verdict": verdict,
        "std_estimate": 0.4,
        "estimate": 0.8,
        "std_error": 0.2,
        "direction_method": "not_checked",
    }


def test_a_side_effect_never_carries_a_chain_and_is_listed_when_the_data_confirm_it():
    """Training → errors (a consequence: more training, more errors recorded) and
    errors → satisfaction are both supported, yet no means → end chain runs through
    the side effect; it is listed as confirmed, and counted under consequences."""
    text = (
        "scorecard: {name: t}\n"
        + PERSPECTIVES
        + """indicators:
  - {id: L1, name: training, perspective: learning}
  - {id: P1, name: errors, perspective: processes, direction: down}
  - {id: P2, name: speed, perspective: processes}
  - {id: U1, name: satisfaction, perspective: users}
links:
  - {from: L1, to: P1, lag: 0, sign: "+", side_effect: true}
  - {from: P1, to: U1, lag: 0, sign: "-"}
  - {from: L1, to: P2, lag: 0, sign: "+"}
  - {from: P2, to: U1, lag: 0, sign: "+"}
"""
    )
    card = _card(text)
    links = pd.DataFrame(
        [
            _row("L1", "P1", "supported"),
            _row("P1", "U1", "supported"),
            _row("L1", "P2", "supported"),
            _row("P2", "U1", "inconclusive"),
        ]
    )
    got = chain(card, links)
    # P1 → U1 alone is a path from a means; L1 → P1 → U1 is not
    assert got["supported_paths"] == [["P1", "U1"]]
    assert got["side_effects_confirmed"] == [{"link": "L1>P1", "verdict": "supported"}]
    assert [b["path"] for b in got["breaks"]] == [["L1", "P2", "U1"], ["P2", "U1"]]
    cons = consequences(card, links, EN, roles(card))
    assert cons["status"] == "partly"  # 1 of 3 means has a side-effect arrow
    assert "L1 → P1" in cons["evidence"]


@pytest.mark.parametrize(
    "perspective,expected",
    [
        ("Users", {"B": "perspective", "C": "perspective"}),
        ("Økonomi", {"B": "perspective", "C": "perspective"}),
        ("Other", {"B": "sink", "C": "perspective"}),
        ("Processes", {"C": "perspective"}),
    ],
)
def test_an_unrecognised_perspective_is_silent_and_a_recognised_one_speaks(perspective, expected):
    """B in the users' or the economy's perspective is an end by that; in a
    perspective the bands do not know, nothing else speaks, so B is an end as a
    target that leads nowhere; in processes it is a means."""
    text = f"""
scorecard: {{name: t}}
perspectives:
  - {{id: a, name: Learning}}
  - {{id: b, name: {perspective}}}
  - {{id: c, name: Users}}
indicators:
  - {{id: A, name: A, perspective: a}}
  - {{id: B, name: B, perspective: b}}
  - {{id: C, name: C, perspective: c}}
links:
  - {{from: A, to: B, lag: 0}}
  - {{from: A, to: C, lag: 0}}
"""
    assert roles(_card(text)).ends == expected
