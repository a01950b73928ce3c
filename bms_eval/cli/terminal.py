"""What reaches the terminal: text, never control sequences.

Names in a user's files (ids, units, indicator names) and file names are printed
in messages and tables. An escape character in an id could move the cursor,
recolour or retitle the terminal, or hide a line; a NUL or a file name's bytes
that are not UTF-8 could end the command. While a command runs, its standard
output and error pass through :class:`SafeStream`: control characters other than
newline, carriage return and tab are shown escaped (``\\x1b``), and bytes that
are not UTF-8 as ``\\udcff``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

#: C0 controls but tab, newline and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """``text`` with its control characters (:data:`_CONTROL`) written as ``\\xNN``
    and lone surrogates (a file name's bytes that are not UTF-8) as ``\\udcNN``."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


class SafeStream:
    """A text stream that writes through :func:`escape_controls` to ``stream``."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(escape_controls(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):  # flush, isatty, fileno, encoding, …
        return getattr(self._stream, name)


@contextmanager
def safe_terminal() -> Iterator[None]:
    """Standard output and error through :class:`SafeStream` for the block."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(out), SafeStream(err)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
