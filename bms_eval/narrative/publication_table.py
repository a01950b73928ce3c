"""The link tests as a regression table for a paper (LaTeX, Markdown or HTML).

In the style of pyfixest's ``etable``, Stata's ``esttab`` and R's ``modelsummary``:
one column per effect indicator (its model: every drawn cause at each lag) or per
arrow; per cause and lag the estimate, with its standard error in parentheses or
its interval in brackets below, and stars (or the p-value) from the adjusted or the
raw p-value as chosen; below the coefficients the fixed effects, the inference,
observations, units and periods; a note says what the marks mean. The numbers are
those of ``links.csv`` (the static within test of each link and lag, the model that
holds the effect's other causes fixed); the verdicts, which rest on the direction
tests, are in the report. Names from the user's files are escaped for the format.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import pandas as pd

from bms_eval.narrative.texts import Texts

FORMATS = ("latex", "markdown", "html")
#: Each layout option's values, the default first (:class:`TableOptions`; the command's
#: ``--table-…`` options offer the same).
CHOICES = {
    "columns": ("effect", "arrow"),
    "uncertainty": ("se", "ci"),
    "marks": ("stars", "p", "none"),
    "p": ("adjusted", "raw"),
}
#: Star thresholds, as pyfixest's ``etable`` sets them by default.
STAR_LEVELS = ((0.001, "***"), (0.01, "**"), (0.05, "*"))

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "−": "$-$",
    "→": r"$\rightarrow$",
    "≥": r"$\geq$",
    "≤": r"$\leq$",
}


def latex_escape(text: str) -> str:
    """``text`` with LaTeX's special characters written as text."""
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in text)


@dataclass(frozen=True)
class TableOptions:
    """How the table is laid out.

    Attributes
    ----------
    columns : {"effect", "arrow"}
        One column per effect indicator (its whole model) or per arrow.
    uncertainty : {"se", "ci"}
        The standard error in parentheses, or the interval in brackets.
    marks : {"stars", "p", "none"}
        Stars after the estimate, the p-value on a line of its own, or nothing.
    p : {"adjusted", "raw"}
        Which p-value the marks use: Benjamini–Hochberg adjusted over the run (the
        verdicts' own), or each test's.
    digits : int
    """

    columns: str = "effect"
    uncertainty: str = "se"
    marks: str = "stars"
    p: str = "adjusted"
    digits: int = 3

    def __post_init__(self) -> None:
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}")
        if not 0 <= self.digits <= 10:
            raise ValueError("digits must be between 0 and 10")


@dataclass(frozen=True)
class _Grid:
    """The table before formatting: headers, body rows, footer rows, notes."""

    numbers: list[str]
    labels: list[str]
    body: list[tuple[str, list[str]]]
    footer: list[tuple[str, list[str]]]
    note: str


def _stars(p: float) -> str:
    for level, mark in STAR_LEVELS:
        if p < level:
            return mark
    return ""


def _term(name: str, lag: int) -> str:
    return name if lag == 0 else f"{name} (t−{lag})"


def _grid(links: pd.DataFrame, names: dict[str, str], panel: dict, t: Texts, o: TableOptions):
    rows = links[links["estimate"].notna()] if len(links) else links
    key = "p_adjusted" if o.p == "adjusted" else "p_value"
    groups = (
        list(dict.fromkeys(rows["to"]))
        if o.columns == "effect"
        else list(dict.fromkeys(zip(rows["from"], rows["to"], strict=True)))
    )
    terms = list(dict.fromkeys(zip(rows["from"], rows["lag"].astype(int), strict=True)))
    cells: dict[tuple, dict] = {}
    for r in rows.to_dict("records"):
        group = r["to"] if o.columns == "effect" else (r["from"], r["to"])
        cells[(group, r["from"], int(r["lag"]))] = r

    def number(x: object) -> str:  # in the language's own way (a decimal comma in Norwegian)
        value = float(x) if x is not None else math.nan
        return t.number(value, o.digits) if math.isfinite(value) else ""

    body = []
    for source, lag in terms:
        found = [cells.get((g, source, lag)) for g in groups]
        estimates, below, p_line = [], [], []
        for r in found:
            if r is None:
                estimates.append(""), below.append(""), p_line.append("")
                continue
            p = float(r.get(key, math.nan))
            mark = _stars(p) if o.marks == "stars" and math.isfinite(p) else ""
            estimates.append(number(r["estimate"]) + mark)
            if o.uncertainty == "se":
                below.append(f"({number(r['std_error'])})")
            else:
                below.append(f"[{number(r['ci_low'])}, {number(r['ci_high'])}]")
            p_line.append(f"{{{number(p)}}}" if math.isfinite(p) else "")
        body.append((_term(names.get(source, source), lag), estimates))
        body.append(("", below))
        if o.marks == "p":
            body.append(("", p_line))

    def per_group(column: str) -> list[str]:
        out = []
        for g in groups:
            mine = [r for k, r in cells.items() if k[0] == g]
            values = [int(r[column]) for r in mine if pd.notna(r.get(column))]
            out.append(str(max(values)) if values else "")
        return out

    def inference(g: object) -> str:
        kinds = {str(r.get("inference")) for k, r in cells.items() if k[0] == g}
        return t["tab_wild"] if "wild_bootstrap" in kinds else t["tab_clustered"]

    yes, no = t["tab_yes"], t["tab_no"]
    footer = [
        (t["tab_unit_effects"], [yes] * len(groups)),
        (t["tab_period_effects"], [yes if panel["effects"] == "twoway" else no] * len(groups)),
        (t["tab_inference"], [inference(g) for g in groups]),
        (t["tab_observations"], per_group("n_obs")),
        (t["tab_units"], per_group("n_units")),
        (t["tab_periods"], [str(panel["n_periods"])] * len(groups)),
    ]
    note = t["tab_note_se"] if o.uncertainty == "se" else t["tab_note_ci"]
    p_text = t["tab_p_adjusted"] if o.p == "adjusted" else t["tab_p_raw"]
    if o.marks == "stars":
        note += " " + t.format("tab_note_stars", p=p_text)
    elif o.marks == "p":
        note += " " + t.format("tab_note_p", p=p_text)
    if "wild_bootstrap" in set(rows.get("inference", pd.Series(dtype=object)).astype(str)):
        note += " " + t.format("tab_note_wild", draws=panel["bootstrap_draws"])
    labels = (
        [names.get(g, g) for g in groups]
        if o.columns == "effect"
        else [f"{names.get(a, a)} → {names.get(b, b)}" for a, b in groups]
    )
    return _Grid([f"({i})" for i in range(1, len(groups) + 1)], labels, body, footer, note)


def _latex(grid: _Grid) -> str:
    n = len(grid.labels)
    e = latex_escape
    lines = [
        r"\begin{tabular}{l" + "c" * n + "}",
        r"\toprule",
        " & " + " & ".join(grid.numbers) + r" \\",
        " & " + " & ".join(e(x) for x in grid.labels) + r" \\",
        r"\midrule",
    ]
    lines += [
        e(label) + " & " + " & ".join(e(c) for c in cells) + r" \\" for label, cells in grid.body
    ]
    lines.append(r"\midrule")
    lines += [
        e(label) + " & " + " & ".join(e(c) for c in cells) + r" \\" for label, cells in grid.footer
    ]
    lines += [
        r"\bottomrule",
        r"\multicolumn{" + str(n + 1) + r"}{p{0.9\linewidth}}{\footnotesize " + e(grid.note) + "}",
        r"\end{tabular}",
    ]
    return "\n".join(lines) + "\n"


def _markdown(grid: _Grid) -> str:
    def row(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    lines = [
        row(["", *grid.numbers]),
        "|" + "---|" + ":---:|" * len(grid.labels),
        row(["", *grid.labels]),
    ]
    lines += [row([label, *cells]) for label, cells in grid.body]
    lines += [row([f"*{label}*", *cells]) for label, cells in grid.footer]
    return "\n".join(lines) + "\n\n" + grid.note + "\n"


def _html(grid: _Grid) -> str:
    e = html.escape

    def row(tag: str, label: str, cells: list[str], cls: str = "") -> str:
        attr = f' class="{cls}"' if cls else ""
        inner = f"<{tag}>{e(label)}</{tag}>" + "".join(f"<{tag}>{e(c)}</{tag}>" for c in cells)
        return f"<tr{attr}>{inner}</tr>"

    head = row("th", "", grid.numbers) + row("th", "", grid.labels)
    body = "".join(row("td", label, cells) for label, cells in grid.body)
    foot = "".join(row("td", label, cells, "footer") for label, cells in grid.footer)
    note = f'<tr><td colspan="{len(grid.labels) + 1}">{e(grid.note)}</td></tr>'
    return (
        '<table class="bms-eval-regression">'
        f"<thead>{head}</thead><tbody>{body}</tbody><tfoot>{foot}{note}</tfoot></table>\n"
    )


def publication_table(
    links: pd.DataFrame,
    names: dict[str, str],
    panel: dict,
    texts: Texts,
    format: str = "latex",
    options: TableOptions | None = None,
) -> str:
    """The link table as a regression table (module docstring).

    Parameters
    ----------
    links : pandas.DataFrame
        The link table (``LinkResults.to_frame()``).
    names : dict
        Indicator names by id (as the tests see them: ``log(name)`` when logged).
    panel : dict
        ``effects``, ``n_periods`` and ``bootstrap_draws`` of the run.
    texts : Texts
        The language of the labels and the note.
    format : {"latex", "markdown", "html"}
    options : TableOptions, optional

    Raises
    ------
    ValueError
        An unknown format or option.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    grid = _grid(links, names, panel, texts, options or TableOptions())
    return {"latex": _latex, "markdown": _markdown, "html": _html}[format](grid)
