"""Child processes: whether they can be forked, how many cores there are, and how a
child treats the signals meant for the command.

The link tests and the run's analysis use forked children: they start in
milliseconds with everything already imported and the data already in memory
(where fork is not available, as on Windows, the work stays in one process).
A child ignores Ctrl-C — the command hears it and stops its children — and
ends silently when its parent terminates it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal


def can_fork() -> bool:
    """Whether child processes can be forked here (Linux, macOS; not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def quiet_child() -> None:
    """In a child: leave interrupts to the parent, end silently when terminated."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
