"""The report as a reader opens it: sections in reading order, the strategy map's
names whole and legible at print size, questions folded per arrow, and the coverage
map only where there are gaps to show."""

from __future__ import annotations

import re

import pytest

from bms_eval import estimate_links
from bms_eval.analysis.results import Analysis
from bms_eval.inputs.scorecard import parse_scorecard
from bms_eval.inputs.validation import Inputs, load_inputs
from bms_eval.narrative.texts import Texts
from bms_eval.report.strategy_map import MAP_LABEL_POINTS, strategy_map
from bms_eval.simulation.truth import simulate
from tests.conftest import EXAMPLE_CARD, EXAMPLE_DATA

#: The width a report's figure gets on an A4 page, in inches.
PRINTED_WIDTH = 7.0

LONG_NAMES = """
scorecard: {name: justice}
perspectives: [{id: p, name: Justice}, {id: u, name: Samfunnet}]
indicators:
  - {id: a, name: "Probability of arrest (arrests per offence)", perspective: p}
  - {id: c, name: "Probability of conviction given arrest", perspective: p}
  - {id: s, name: "Probability of a prison sentence given conviction", perspective: p}
  - {id: l, name: "Average prison sentence in days", perspective: p}
  - {id: o, name: "Medarbeidertilfredshetsundersøkelsesresultat", perspective: p}
  - {id: k, name: "Crimes committed per person", perspective: u}
links:
  - {from: a, to: k, lag: 1, sign: "-"}
  - {from: c, to: k, lag: 1, sign: "-"}
  - {from: o, to: k, lag: 0}
"""


def _card(text):
    card, problems = parse_scorecard(text, "t.yaml")
    assert card is not None, [str(p) for p in problems]
    return card


@pytest.mark.parametrize("which", ["example", "long names"])
def test_every_name_on_the_map_is_whole_and_legible_in_print(which, request):
    if which == "example":
        results = request.getfixturevalue("example_links")
        card, links = results.card, results.to_frame()
    else:
        card = _card(LONG_NAMES)
        links = estimate_links(card, simulate(card, [], units=12, periods=8, seed=3)).to_frame()
    fig = strategy_map(card, links, Texts("nb"))
    texts = [t for t in fig.axes[0].texts]
    shown = {t.get_text().replace("\n", " "): t for t in texts}
    scale = min(1.0, PRINTED_WIDTH / fig.get_figwidth())
    for ind in card.indicators:
        assert ind.name in shown, (ind.name, list(shown))  # whole: never cut or shortened
        label = shown[ind.name]
        assert label.get_fontsize() == MAP_LABEL_POINTS
        assert label.get_fontsize() * scale >= 6.0  # points on the printed page
        # whole words per line: no word split across lines
        for line in label.get_text().split("\n"):
            assert all(word in ind.name.split() for word in line.split())


def test_sections_come_in_reading_order_and_questions_fold(example_run):
    html = (example_run / "report.html").read_text(encoding="utf-8")
    order = [m.group(1) for m in re.finditer(r'<section id="([a-z]+)"', html)]
    assert order == ["summary", "status", "map", "evidence", "assessment", "quality", "method"]
    boxes = re.findall(r"<details class=\"link\">", html)
    arrows = len({(lk.source, lk.target) for lk in _card_of(EXAMPLE_CARD).links})
    assert len(boxes) == arrows
    assert "<script" not in html.lower()
    assert "@media print" in html and "size: A4" in html
    # a printed page cannot unfold a <details>: the questions are printed beside them
    printed = html.split('<div class="print-only">', 1)[1].split("</div>", 1)[0]
    assert printed.count('class="learning-link"') == len(boxes)
    assert ".print-only { display: block; }" in html


def _card_of(path):
    from bms_eval.inputs import load_scorecard

    return load_scorecard(path)


def test_the_coverage_map_is_left_out_when_nothing_is_missing(capsys):
    inputs = load_inputs(EXAMPLE_CARD, EXAMPLE_DATA)
    assert "coverage" in Analysis(inputs).data_figure_tags()  # the example has gaps
    card = inputs.scorecard
    balanced = simulate(card, [], units=10, periods=6, seed=1)
    from bms_eval.inputs.data import IndicatorData, Places

    data = IndicatorData(
        balanced, "balanced.csv", "tidy", "0" * 64, Places(range(len(balanced)), "line {}")
    )
    analysis = Analysis(Inputs(card, data))
    assert analysis.quality.complete
    assert analysis.data_figure_tags() == ["trends"]
    analysis.show("coverage")
    assert "no gaps" in Texts("en")["coverage_complete"]
    assert capsys.readouterr().out.strip() == Texts(card.language)["coverage_complete"]


def test_an_arrow_bends_around_an_indicator_it_does_not_join():
    """A → C in one band with B between them: the default bend would run through B's
    name, so the arrow takes another route and keeps clear of B."""
    import numpy as np
    from matplotlib.patches import FancyArrowPatch

    from bms_eval.report.strategy_map import ROUTES, arc_points, route

    card = _card(
        "scorecard: {name: t}\nperspectives: [{id: p, name: Processes}]\nindicators:\n"
        "  - {id: A, name: First, perspective: p}\n  - {id: B, name: Second, perspective: p}\n"
        "  - {id: C, name: Third, perspective: p}\n"
        'links:\n  - {from: A, to: C, lag: 0, sign: "+"}\n'
    )
    links = estimate_links(card, simulate(card, [], units=8, periods=6, seed=1)).to_frame()
    fig = strategy_map(card, links, Texts("en"))
    (arrow,) = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert arrow.get_connectionstyle().rad != ROUTES[0]
    # route itself: a box on the default arc is avoided, none means the default
    start, end = np.array([0.0, 0.0]), np.array([400.0, 0.0])
    on_default = arc_points(start, end, ROUTES[0])[24]
    box = np.array([on_default[0] - 20, on_default[1] - 10, on_default[0] + 20, on_default[1] + 10])
    chosen = route(start, end, [box])
    assert chosen != ROUTES[0] and route(start, end, []) == ROUTES[0]
    points = arc_points(start, end, chosen)
    inside = (points[:, 0] > box[0]) & (points[:, 0] < box[2]) & (points[:, 1] > box[1])
    assert not np.any(inside & (points[:, 1] < box[3]))
