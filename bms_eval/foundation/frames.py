"""How results show themselves: one table, rendered as text and as HTML.

Each results object (:class:`~bms_eval.inputs.validation.QualityReport`,
:class:`~bms_eval.assessment.status.StatusResults`, :class:`~bms_eval.estimation.LinkResults`,
:class:`~bms_eval.assessment.Assessment`) builds its display from the same
``to_frame()`` it exports, as linearmodels and pyfixest do, so what a notebook
shows, what the terminal prints and what the files hold never disagree.
"""

from __future__ import annotations

import html
import re

import pandas as pd

#: Text a spreadsheet would take for a formula: ``=``, ``@``, a tab or carriage
#: return first, or ``+``/``-`` followed by anything but a number (OWASP's "CSV
#: injection"; a lone ``+`` or ``-``, an arrow's sign, and ``-0.5`` stay as they are).
_FORMULA_START = re.compile(r"^(?:[=@\t\r]|[+-](?!\s*[\d.]+(?:[eE][+-]?\d+)?\s*$)(?=.))")


def frame_text(title: str, frame: pd.DataFrame, note: str = "") -> str:
    """A title line, an optional note and the table as plain text."""
    with pd.option_context("display.max_rows", 60, "display.width", 120):
        body = frame.to_string(index=False) if len(frame) else "(none)"
    return "\n".join(line for line in (title, note, body) if line)


def frame_html(title: str, frame: pd.DataFrame, note: str = "") -> str:
    """A bold title, an optional note and the table as escaped HTML."""
    table = frame.to_html(index=False, na_rep="", escape=True, border=0) if len(frame) else ""
    note_html = f"<p>{html.escape(note)}</p>" if note else ""
    return f"<div><p><b>{html.escape(title)}</b></p>{note_html}{table}</div>"


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run as a formula
    (:data:`_FORMULA_START`) shown as text: a ``'`` put before it, as OWASP
    advises, so that a name in a user's file such as ``=HYPERLINK(…)`` opens in
    Excel as the name it is. Numbers and other text are left as they are; a copy
    is returned only where something changed."""
    changed = {}
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object and not pd.api.types.is_string_dtype(values):
            continue
        risky = values.map(lambda v: isinstance(v, str) and bool(_FORMULA_START.match(v)))
        if risky.any():
            changed[column] = values.where(~risky, "'" + values.astype(str))
    return frame.assign(**changed) if changed else frame
