"""Located problems found in user input, and the error that carries them.

Every check in :mod:`bms_eval.inputs` and :mod:`bms_eval.inputs.validation` reports what
it finds as :class:`Problem` records instead of raising on the first one, so a
user sees every mistake in one run. A problem names the file and the place in it
(a YAML line and key path, or a data row), says what is wrong and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem in one input file.

    Attributes
    ----------
    file : str
        The file as the user named it.
    where : str
        The place in the file: ``"line 12, indicators[3].ambition"`` or ``"row 45"``;
        empty when the problem concerns the whole file.
    message : str
        What is wrong and, where it helps, how to fix it.
    severity : {"error", "warning"}
        Errors make the input invalid; warnings are reported but do not stop a run.
    kind : str
        A short name of the class of problem (``"not_a_number"``), used to condense
        long runs of the same mistake; empty means the message itself is the class.
    """

    file: str
    where: str
    message: str
    severity: Severity = "error"
    kind: str = ""

    def __str__(self) -> str:
        place = f"{self.file}: {self.where}" if self.where else self.file
        return f"{place}: {self.severity}: {self.message}"


class InputError(Exception):
    """Invalid input: carries every problem found, errors and warnings alike."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} problem(s) in the input:\n" + "\n".join(map(str, errors)))

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems of severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")


class ProblemList:
    """Collects problems for one file while a loader walks it.

    Parameters
    ----------
    file : str
        The file the problems are about.
    """

    def __init__(self, file: str):
        self.file = file
        self._items: list[Problem] = []

    def error(self, where: str, message: str, kind: str = "") -> None:
        """Record an error at ``where``."""
        self._items.append(Problem(self.file, where, message, "error", kind))

    def warning(self, where: str, message: str, kind: str = "") -> None:
        """Record a warning at ``where``."""
        self._items.append(Problem(self.file, where, message, "warning", kind))

    def extend(self, problems: Iterable[Problem]) -> None:
        """Add problems found elsewhere."""
        self._items.extend(problems)

    @property
    def has_errors(self) -> bool:
        """Whether any recorded problem is an error."""
        return any(p.severity == "error" for p in self._items)

    def raise_if_errors(self) -> None:
        """Raise :class:`InputError` with every problem if any of them is an error."""
        if self.has_errors:
            raise InputError(self._items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def one_line(error: object) -> str:
    """An error's message on one line (a library's message may span several)."""
    return " ".join(str(error).split())


def condense(problems: Iterable[Problem], per_kind: int = 20) -> list[str]:
    """Format problems one line each, condensing long runs of the same kind.

    A damaged data file can hold the same mistake on thousands of rows; the first
    ``per_kind`` of each (file, kind) are printed and the rest summarised on one
    line that counts them.

    Parameters
    ----------
    problems : iterable of Problem
        The problems, in the order found.
    per_kind : int
        How many problems of one kind in one file to print in full.

    Returns
    -------
    list of str
        The lines to print.
    """
    lines: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    for p in problems:
        key = (p.file, p.severity, p.kind or p.message)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= per_kind:
            lines.append(str(p))
    for (file, severity, kind), count in seen.items():
        if count > per_kind:
            lines.append(
                f"{file}: {severity}: … and {count - per_kind} more place(s) with the same "
                f"kind of problem ({kind}) as above"
            )
    return lines
