"""Printing problems and tables for people at a terminal, and reading numbers they type."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable

from bms_eval.foundation.problems import Problem, condense


def print_problems(problems: Iterable[Problem], per_kind: int = 20) -> None:
    """Print problems one per line to standard error, errors and warnings alike.

    Long runs of one kind in one file are condensed after ``per_kind`` lines.
    """
    items = list(problems)
    for line in condense(items, per_kind):
        print(line, file=sys.stderr)
    n_err = sum(p.severity == "error" for p in items)
    n_warn = len(items) - n_err
    if n_err:
        print(
            f"{n_err} error(s), {n_warn} warning(s): nothing was run; fix the errors above "
            "and try again.",
            file=sys.stderr,
        )


def positive_whole(what: str) -> Callable[[str], int]:
    """An argparse type: a whole number, 1 or more (``what`` names it in the message)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(f"{what}, 1 or more, not {text!r}")
        return value

    return parse
