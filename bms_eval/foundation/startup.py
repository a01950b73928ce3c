"""The command's first moments: Ctrl-C or SIGTERM while the package loads.

Loading pandas, matplotlib and the rest takes the ``bms-eval`` command a moment
before it can handle an interrupt (:func:`bms_eval.cli.main.main`). A signal in
that moment would print a traceback from the middle of an import. Nothing has
been read or written yet, so the command just ends, with the status an
interrupt has (130 for Ctrl-C, 143 for SIGTERM) and one line. Only the command
is affected: a program or notebook that imports the package keeps its own
handlers.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

#: The installed command's name (``sys.argv[0]`` ends with it).
COMMAND = "bms-eval"


def _end(signum: int, _frame: object) -> None:
    os.write(2, b"bms-eval: interrupted while starting; nothing was read or written\n")
    os._exit(130 if signum == signal.SIGINT else 143)


def quiet_while_loading() -> None:
    """In the ``bms-eval`` command, end quietly on a signal until the command handles
    signals itself; elsewhere, do nothing."""
    name = os.path.basename(sys.argv[0]) if sys.argv else ""
    if name not in (COMMAND, f"{COMMAND}.exe", f"{COMMAND}-script.py"):
        return
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _end)


quiet_while_loading()  # on import: the package imports this module first
