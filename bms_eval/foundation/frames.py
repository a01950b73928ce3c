"""How results show themselves: one table, rendered as text and as HTML.

Each results object (:class:`~bms_eval.inputs.validation.QualityReport`,
:class:`~bms_eval.assessment.status.StatusResults`, :class:`~bms_eval.estimation.LinkResults`,
:class:`~bms_eval.assessment.Assessment`) builds its display from the same
``to_frame()`` it exports, as linearmodels and pyfixest do, so what a notebook
shows, what the terminal prints and what the files hold never disagree.
"""

from __future__ import annotations

import html

import pandas as pd


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
