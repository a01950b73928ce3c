"""The regression table for a paper (``LinkResults.table``, ``bms-eval links --table``):
its numbers are links.csv's, its layout that of a regression table, user names escaped;
the LaTeX compiles where a TeX engine is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from bms_eval.narrative.publication_table import TableOptions, latex_escape
from bms_eval.narrative.texts import Texts


@pytest.fixture(scope="module")
def results(example_links):
    return example_links


def _number(t: Texts, value: float) -> str:
    return t.number(value, 3)


def test_markdown_holds_each_estimate_and_standard_error(results):
    t = Texts("nb")
    text = results.table("markdown")
    frame = results.to_frame()
    for r in frame.to_dict("records"):
        assert _number(t, r["estimate"]) in text
        assert f"({_number(t, r['std_error'])})" in text
    # one column per effect indicator, numbered
    effects = list(dict.fromkeys(frame["to"]))
    header = text.splitlines()[0]
    assert header.count("|") == len(effects) + 2 and f"({len(effects)})" in header
    assert t["tab_unit_effects"] in text and t["tab_p_adjusted"] in text


def test_stars_follow_the_chosen_p_value(results):
    frame = results.to_frame()
    row = frame.loc[frame["p_adjusted"].idxmin()]
    t = Texts("nb")
    stars = "***" if row["p_adjusted"] < 0.001 else "**" if row["p_adjusted"] < 0.01 else "*"
    assert _number(t, row["estimate"]) + stars in results.table("markdown")
    loose = frame.loc[frame["p_adjusted"].idxmax()]
    assert loose["p_adjusted"] > 0.05
    marked = re.search(
        re.escape(_number(t, loose["estimate"])) + r"(\**)", results.table("markdown")
    )
    assert marked is not None and marked.group(1) == ""
    plain = results.table("markdown", marks="none")
    assert "***" not in plain and "p < 0,05" not in plain


def test_intervals_p_values_and_columns_per_arrow(results):
    t = Texts("nb")
    frame = results.to_frame()
    r = frame.iloc[0]
    text = results.table("markdown", uncertainty="ci", marks="p", p="raw")
    assert f"[{_number(t, r['ci_low'])}, {_number(t, r['ci_high'])}]" in text
    assert "{" + _number(t, r["p_value"]) + "}" in text
    per_arrow = results.table("markdown", columns="arrow")
    arrows = len(set(zip(frame["from"], frame["to"], strict=True)))
    assert per_arrow.splitlines()[0].count("|") == arrows + 2
    with pytest.raises(ValueError, match="format"):
        results.table("docx")
    with pytest.raises(ValueError, match="marks"):
        TableOptions(marks="asterisks")


def test_html_is_well_formed_and_escapes_names(results):
    hostile = replace(
        results,
        card=replace(
            results.card,
            indicators=tuple(
                replace(i, name="<script>alert(1)</script> & co") if k == 0 else i
                for k, i in enumerate(results.card.indicators)
            ),
        ),
    )
    text = hostile.table("html")
    assert "<script>" not in text and "&lt;script&gt;" in text

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.widths, self.current, self.open = [], 0, []

        def handle_starttag(self, tag, attrs):
            self.open.append(tag)
            if tag == "tr":
                self.current = 0
            if tag in ("td", "th"):
                self.current += int(dict(attrs).get("colspan", 1))

        def handle_endtag(self, tag):
            assert self.open.pop() == tag
            if tag == "tr":
                self.widths.append(self.current)

    parser = Rows()
    parser.feed(text)
    assert not parser.open and len(set(parser.widths)) == 1


def test_latex_escapes_and_keeps_its_shape(results):
    assert latex_escape("50% & $_{x}#") == r"50\% \& \$\_\{x\}\#"
    text = results.table("latex", language="en")
    assert text.startswith(r"\begin{tabular}") and text.rstrip().endswith(r"\end{tabular}")
    columns = text.splitlines()[0].count("c")
    for line in text.splitlines():
        if line.endswith(r"\\"):
            assert line.count(" & ") == columns, line
    assert "−" not in text  # a minus LaTeX can typeset: $-$


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no TeX engine installed")
def test_latex_compiles(results, tmp_path):
    body = results.table("latex")  # Norwegian names and a decimal comma
    document = (
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs}\n"
        "\\usepackage{graphicx}\n\\begin{document}\n\\resizebox{\\linewidth}{!}{%\n"
        + body
        + "}\n\\end{document}\n"
    )
    (tmp_path / "t.tex").write_text(document, encoding="utf-8")
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "t.pdf").stat().st_size > 1000


def test_the_command_writes_the_table(cli, tmp_path):
    from tests.conftest import EXAMPLE_CARD, EXAMPLE_DATA

    out = tmp_path / "table.tex"
    result = cli("links", "--quiet", "--table", "latex", EXAMPLE_CARD, EXAMPLE_DATA, "--out", out)
    assert result.code == 0
    assert out.read_text(encoding="utf-8").startswith(r"\begin{tabular}")
