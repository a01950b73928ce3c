"""The scorecard loader: the model it builds and every class of bad input."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from bms_eval.foundation.problems import InputError
from bms_eval.inputs import load_scorecard, parse_scorecard
from tests.conftest import EXAMPLE_CARD, HEIMDAL_CARD, MINI_CARD


def errors_of(text: str) -> list:
    card, problems = parse_scorecard(text, "card.yaml")
    errors = [p for p in problems if p.severity == "error"]
    assert card is None if errors else card is not None
    return errors


def test_example_scorecard_model():
    card = load_scorecard(EXAMPLE_CARD)
    assert [p.id for p in card.perspectives] == [
        "economy",
        "processes",
        "employees",
        "users",
        "learning",
    ]
    assert {"B1.1", "B2.1", "B2.2", "B3.1", "B3.2"} <= set(card.indicator_ids)
    b31 = card.indicator("B3.1")
    assert b31.direction == "down"
    b11 = card.indicator("B1.1")
    assert b11.scale == (1.0, 6.0)
    assert (b11.ambition.target, b11.ambition.threshold) == (5.0, 4.5)
    assert 8 <= len(card.links) <= 12
    lagged = {lk.key: lk.lags for lk in card.links}
    assert lagged["M1.1>B1.1"] == (0, 1)
    assert card.analysis.effects == "twoway"
    assert card.language == "nb"
    with pytest.raises(FrozenInstanceError):
        card.name = "x"  # type: ignore[misc]


def test_heimdal_scorecard_model():
    card = load_scorecard(HEIMDAL_CARD)
    assert set(card.indicator_ids) == {"R1.1", "R1.2", "R2.1"}
    assert {sf.id for sf in card.success_factors} == {"R1", "R2"}


def test_ids_keep_their_written_form():
    text = MINI_CARD.replace("id: M1\n", "id: 0301\n").replace("from: M1", "from: 0301")
    card, _ = parse_scorecard(text, "card.yaml")
    assert card is not None and "0301" in card.indicator_ids


def test_language_no_is_not_read_as_false():
    text = MINI_CARD.replace('name: "Mini"', 'name: "Mini"\n  language: no')
    errors = errors_of(text)
    assert (
        len(errors) == 1 and "'language' must be one of en, nb, nn, not 'no'" in errors[0].message
    )


BAD_CARDS = {
    "unknown_perspective": (
        ("perspective: users\n    scale: [1, 6]", "perspective: usrs\n    scale: [1, 6]"),
        "unknown perspective 'usrs'",
        "line 16",
    ),
    "duplicate_id": (("id: B2\n", "id: B1\n"), "duplicate indicator id 'B1'", "line 19"),
    "link_to_unknown": (("to: B1\n", "to: B9\n"), "unknown indicator 'B9'", "line 26"),
    "negative_lag": (("lag: 1\n", "lag: -1\n"), "lag -1 is negative", "line 27"),
    "non_integer_lag": (("lag: 1\n", "lag: 1.5\n"), "lag must be a whole number", "line 27"),
    "bool_lag": (("lag: 1\n", "lag: true\n"), "lag must be a whole number", "line 27"),
    "list_lag_negative": (("lag: 1\n", "lag: [0, -2]\n"), "lag -2 is negative", "line 27"),
    "threshold_wrong_side_up": (
        ("{target: 4.0, threshold: 3.5}", "{target: 4.0, threshold: 4.5}"),
        "threshold 4.5 is on the wrong side of target 4 for direction 'up'",
        "line 13",
    ),
    "threshold_wrong_side_down": (
        ("{target: 2, threshold: 3}", "{target: 2, threshold: 1}"),
        "threshold 1 is on the wrong side of target 2 for direction 'down'",
        "line 23",
    ),
    "scale_reversed": (("scale: [1, 5]", "scale: [5, 1]"), "scale bounds reversed", "line 12"),
    "ambition_outside_scale": (
        ("{target: 5, threshold: 4.5}", "{target: 7, threshold: 4.5}"),
        "ambition target 7 lies outside the scale [1, 6]",
        "line 18",
    ),
    "python_tag": (
        ('name: "Mini"', "name: !!python/object/apply:os.getcwd []"),
        "tag 'tag:yaml.org,2002:python/object/apply:os.getcwd' is not allowed",
        "line 2",
    ),
    "duplicate_key": (
        ("    lag: 1\n", "    lag: 1\n    lag: 2\n"),
        "the key 'lag' appears twice",
        "line 28",
    ),
    "bad_sign": (('sign: "+"', 'sign: "plus"'), "'sign' must be one of +, -", "line 28"),
    "unquoted_minus_sign": (('sign: "+"', "sign: -"), 'quote the sign, sign: "-"', "line 28"),
    "self_link": (("to: B1\n", "to: M1\n"), "link from 'M1' to itself", "line 25"),
    "bad_transform": (
        ("scale: [1, 5]", "scale: [1, 5]\n    transform: ln"),
        "'transform' must be one of none, log, not 'ln'",
        "line 13",
    ),
    "bad_result_level": (
        ("scale: [1, 5]", "scale: [1, 5]\n    result_level: 7"),
        "result_level must be 0, 1, 2, 3 or 4",
        "line 13",
    ),
    "arrow_in_id": (("id: B2\n", "id: B>2\n"), "must not contain '>'", "line 19"),
    "decimal_comma_number": (("target: 4.0,", "target: '4,0',"), "use a decimal point", "line 13"),
}


@pytest.mark.parametrize("case", sorted(BAD_CARDS))
def test_bad_scorecard_is_located(case):
    (old, new), message, line = BAD_CARDS[case]
    assert old in MINI_CARD, "the test's edit must apply"
    errors = errors_of(MINI_CARD.replace(old, new, 1))
    assert any(message in e.message for e in errors), [str(e) for e in errors]
    hit = next(e for e in errors if message in e.message)
    assert hit.file == "card.yaml"
    assert hit.where.startswith(line), str(hit)


def test_python_tag_is_never_constructed(tmp_path):
    marker = tmp_path / "executed"
    text = MINI_CARD.replace('name: "Mini"', f'name: !!python/object/apply:os.mkdir ["{marker}"]')
    errors_of(text)
    assert not marker.exists()


def test_every_problem_is_reported_not_only_the_first():
    text = (
        MINI_CARD.replace(
            "perspective: users\n    scale: [1, 6]", "perspective: usrs\n    scale: [1, 6]"
        )
        .replace("lag: 1\n", "lag: -1\n")
        .replace("scale: [1, 5]", "scale: [5, 1]")
    )
    errors = errors_of(text)
    messages = " | ".join(e.message for e in errors)
    for fragment in ("unknown perspective 'usrs'", "lag -1 is negative", "scale bounds"):
        assert fragment in messages


def test_unknown_key_is_a_warning_with_its_line():
    card, problems = parse_scorecard(
        MINI_CARD.replace("    scale: [1, 5]", "    scael: [1, 5]"), "card.yaml"
    )
    assert card is not None
    (warning,) = [p for p in problems if p.severity == "warning"]
    assert "unknown key 'scael'" in warning.message and warning.where.startswith("line 12")


def test_syntax_error_names_the_line():
    errors = errors_of(MINI_CARD.replace("  - id: users\n", "  - id: users\n   name: [x\n"))
    assert errors and errors[0].message.startswith("YAML syntax error")
    assert errors[0].where.startswith("line ")


def test_alias_bomb_is_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i, name in enumerate("bcdefg"):
        prev = "abcdefg"[i]
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    errors = errors_of(bomb)
    assert any("expands to more than" in e.message for e in errors)


def test_missing_required_blocks():
    errors = errors_of("scorecard:\n  name: x\n")
    messages = " ".join(e.message for e in errors)
    assert "'perspectives' is required" in messages and "'indicators' is required" in messages


def test_load_raises_input_error_with_all_problems(tmp_path):
    path = tmp_path / "card.yaml"
    path.write_text(MINI_CARD.replace("lag: 1\n", "lag: -1\n"), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scorecard(path)
    assert info.value.errors[0].file == str(path)


def test_analysis_options_are_checked():
    text = MINI_CARD + (
        "analysis:\n  effects: both\n  alpha: 1.5\n  min_effect: 0\n"
        "  controls: [Z9]\n  bootstrap_draws: 99\n"
    )
    messages = " | ".join(e.message for e in errors_of(text))
    for fragment in (
        "'effects' must be one of unit, twoway",
        "alpha must lie between 0 and 1",
        "min_effect must be positive",
        "unknown control indicator 'Z9'",
        "bootstrap_draws must lie between 999 and 99999",
    ):
        assert fragment in messages


@pytest.mark.parametrize(
    ("option", "fragment"),
    [
        ("bootstrap_draws: 1000000000", "bootstrap_draws must lie between 999 and 99999"),
        ("seed: 99999999999999999999999", "seed must be a whole number from 0"),
    ],
)
def test_resource_limits_are_checked_before_anything_is_allocated(option, fragment):
    messages = " | ".join(e.message for e in errors_of(MINI_CARD + f"analysis:\n  {option}\n"))
    assert fragment in messages


def test_a_huge_lag_is_refused_with_its_line():
    text = MINI_CARD.replace("lag: 1\n", "lag: 99999999999999999999999\n")
    errors = errors_of(text)
    assert any("is too long" in e.message and "links[0].lag" in e.where for e in errors)


@pytest.mark.parametrize(
    "extra",
    [
        "extra: " + "[" * 3000 + "]" * 3000,
        "extra:\n" + "".join("  " * i + "-\n" for i in range(2000)),
    ],
    ids=["flow", "block"],
)
def test_deep_nesting_is_a_located_error_not_a_crash(extra):
    errors = errors_of(MINI_CARD + extra + "\n")
    assert any("nested" in e.message for e in errors)


def test_analysis_defaults_match_the_spec():
    card, _ = parse_scorecard(MINI_CARD, "card.yaml")
    assert card is not None
    assert (card.analysis.effects, card.analysis.alpha, card.analysis.min_effect) == (
        "twoway",
        0.05,
        0.2,
    )
