"""Child processes: whether they can be forked, how many cores there are, and how a
child treats the signals meant for the command.

The link tests and the run's analysis use forked children: they start in
milliseconds with everything already imported and the data already in memory
(where fork is not available, as on Windows, the work stays in one process).
A child ignores Ctrl-C — the command hears it and stops its children — and
ends silently when its parent terminates it. While children are forked the
command holds Ctrl-C and SIGTERM back (:func:`signals_held`): arriving in the
middle of a fork, inside the interpreter's at-fork hooks, the command's handler
would raise where Python only prints an exception and goes on, and the run would
not stop.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

#: The signals that stop a command.
STOPPING = frozenset({signal.SIGINT, signal.SIGTERM})


def can_fork() -> bool:
    """Whether child processes can be forked here (Linux, macOS; not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while children are forked; one that arrived
    meanwhile is delivered when the block ends (children unblock in :func:`quiet_child`)."""
    if not hasattr(signal, "pthread_sigmask"):  # not POSIX: nothing is forked there
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def quiet_child() -> None:
    """In a child: leave interrupts to the parent, end silently when terminated."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)
