"""The arguments several subcommands share, each written once: the two inputs, the
language of the texts and the quiet switch."""

from __future__ import annotations

import argparse

from bms_eval.inputs.model import LANGUAGES


def add_inputs(p: argparse.ArgumentParser, optional: bool = False) -> None:
    """``SCORECARD`` and ``DATA`` (both may be left out where ``optional``: ``run``
    then takes the bundled example)."""
    nargs = "?" if optional else None
    p.add_argument(
        "scorecard",
        metavar="SCORECARD",
        nargs=nargs,
        help="scorecard: YAML, or an Excel workbook (.xlsx)",
    )
    p.add_argument(
        "data", metavar="DATA", nargs=nargs, help="indicator data (.csv, .xlsx or .parquet)"
    )


def add_language(p: argparse.ArgumentParser, what: str) -> None:
    """``--language``: ``what`` is written in it (the scorecard's by default)."""
    p.add_argument(
        "--language", choices=LANGUAGES, help=f"{what} in this language (default: the scorecard's)"
    )


def add_quiet(p: argparse.ArgumentParser) -> None:
    """``--quiet``: no progress or summary on standard error."""
    p.add_argument("--quiet", action="store_true", help="no progress or summary on stderr")
