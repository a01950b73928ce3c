"""Where the planner's batches run: in this process, on local cores (joblib), or on a
Dask cluster (dask.distributed, the optional extra ``bms-eval[dask]``).

Every batch carries its own seeds (:mod:`bms_eval.planning.draws`), so the
results are the same whatever runs them; only the time differs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from typing import Any

from bms_eval.foundation.workers import available_cores, can_fork, quiet_child, signals_held
from bms_eval.planning.draws import BatchResult, DrawBatch, run_batch

#: Receives ``(draws done, draws in all, seconds so far)`` as batches finish.
Progress = Callable[[int, int, float], None]


#: Set once loky's reusable worker processes have been started (and must be stopped).
_LOKY_STARTED = threading.Event()


class SchedulerError(RuntimeError):
    """The Dask scheduler could not be used (not installed, or not reachable)."""


def default_workers() -> int:
    """Every core this process may use."""
    return available_cores()


#: Seconds to wait for a Dask scheduler to connect and to greet.
SCHEDULER_WAIT = 10
#: The largest first message a Dask scheduler sends (its greeting is < 1 kB).
_GREETING_BYTES = 1 << 20


def _check_greets(address: str, seconds: float = SCHEDULER_WAIT) -> None:
    """Connect to a ``tcp://`` scheduler and read its greeting, each within
    ``seconds``: a Dask scheduler speaks first (the size of its handshake, eight
    bytes, then the handshake). An endpoint that accepts and stays silent (a web
    server waits for a request) or sends something else is refused here, before
    the Dask client would wait for ever or read a web page's first bytes as a
    message size.

    Raises
    ------
    SchedulerError
        Nothing answers there, or not as a Dask scheduler.
    """
    import socket
    import struct

    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        protocol, location = parse_address(address)
        if protocol != "tcp":
            return  # tls, ucx, inproc: the client's own checks
        host, port = parse_host_port(location)
    except ValueError as exc:
        raise SchedulerError(
            f"{address!r} is not a Dask scheduler's address ({exc}); give it as tcp://host:8786"
        ) from None
    try:
        with socket.create_connection((host, int(port)), timeout=seconds) as sock:
            sock.settimeout(seconds)
            head = b""
            while len(head) < 8:
                piece = sock.recv(8 - len(head))
                if not piece:
                    break
                head += piece
    except TimeoutError:
        raise SchedulerError(
            f"{address} accepted a connection but did not greet as a Dask scheduler within "
            f"{seconds:g} s; check the address and port (a scheduler's is often 8786)"
        ) from None
    except OSError as exc:
        raise SchedulerError(
            f"no Dask scheduler answered at {address} ({exc.strerror or exc}): start one with "
            "`dask scheduler` and workers with `dask worker ADDRESS`, or leave out the "
            "scheduler to use this machine's cores"
        ) from None
    if len(head) < 8 or not 0 < struct.unpack("<Q", head)[0] <= _GREETING_BYTES:
        raise SchedulerError(
            f"what answers at {address} is not a Dask scheduler; check the address and port"
        )


def check_scheduler(scheduler: Any) -> None:
    """Refuse a scheduler that cannot be used, before any work starts (a command
    checks its ``--scheduler`` with this at once).

    Raises
    ------
    SchedulerError
        dask.distributed is missing, or nothing answers there as a Dask scheduler.
    """
    client, opened = _client(scheduler)
    if opened:
        client.close()


def _client(scheduler: Any) -> tuple[Any, bool]:
    """A ``distributed.Client`` for ``scheduler`` (an address or a client), and
    whether this module opened it (and must close it)."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise SchedulerError(
            "running on a Dask cluster needs dask.distributed: "
            "pip install 'bms-eval[dask]' (or pip install 'dask[distributed]')"
        ) from exc
    if isinstance(scheduler, Client):
        return scheduler, False
    _check_greets(str(scheduler))
    try:
        return Client(str(scheduler), timeout="10s"), True
    except ValueError as exc:
        raise SchedulerError(
            f"{scheduler!r} is not a Dask scheduler's address ({exc}); give it as tcp://host:8786"
        ) from exc
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(
            f"no Dask scheduler answered at {scheduler}: start one with `dask scheduler` "
            "and workers with `dask worker ADDRESS`, or leave out --scheduler to use this "
            "machine's cores"
        ) from exc


def _on_dask(batches: Sequence[DrawBatch], scheduler: Any) -> Iterator[list[BatchResult]]:
    from distributed import as_completed

    client, opened = _client(scheduler)
    try:
        futures = client.map(run_batch, list(batches), pure=False)
        for future in as_completed(futures):
            yield [future.result()]
    finally:
        if opened:
            client.close()


def _on_cores(batches: Sequence[DrawBatch], workers: int) -> Iterator[list[BatchResult]]:
    from joblib import Parallel, delayed
    from joblib._parallel_backends import MultiprocessingBackend

    if not _may_fork():  # loky's processes, results as each batch ends
        _LOKY_STARTED.set()
        with Parallel(n_jobs=workers, return_as="generator_unordered") as parallel:
            for result in parallel(delayed(run_batch)(b) for b in batches):
                yield [result]
        return
    # forked processes start at once with everything imported (loky's would import the
    # package again, and leave its resource tracker complaining when the process that
    # started them is itself a fork, as run's analysis is); one pool for every round,
    # a round of two batches per worker between reports of progress
    step = 2 * workers
    # the workers leave Ctrl-C to this process, which stops them (bms_eval.foundation.workers)
    backend = MultiprocessingBackend(initializer=quiet_child)
    with ExitStack() as stack:
        with signals_held():  # forked with the command's signal handlers not yet theirs
            parallel = stack.enter_context(
                Parallel(n_jobs=workers, backend=backend, max_nbytes=None)
            )
        for first in range(0, len(batches), step):
            yield list(parallel(delayed(run_batch)(b) for b in batches[first : first + step]))


def _may_fork() -> bool:
    """Whether worker processes may be forked: where the system forks, and only from a
    process with one thread (a fork copies another thread's locks held, and a worker
    could wait on them for ever: after a Dask client, in a Jupyter kernel)."""
    return can_fork() and threading.active_count() == 1


def release_workers() -> None:
    """Stop the local worker processes joblib keeps for reuse (they would otherwise
    idle for minutes, and a process that started them waits for them at its end)."""
    if not _LOKY_STARTED.is_set():
        return  # a forked pool ends with its batches
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)
    _LOKY_STARTED.clear()


def run_batches(
    batches: Sequence[DrawBatch],
    *,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Progress | None = None,
) -> list[BatchResult]:
    """Run ``batches`` and return their results in the order given.

    Parameters
    ----------
    batches : sequence of DrawBatch
    workers : int, optional
        Local processes (joblib); every core by default. 1 runs in this process.
        Ignored with ``scheduler``.
    scheduler : str or distributed.Client, optional
        A Dask scheduler's address (``tcp://host:8786``) or a client: the batches
        run on that cluster's workers.
    progress : callable, optional
        Receives ``(draws done, draws in all, seconds so far)`` after each batch.

    Raises
    ------
    SchedulerError
        ``scheduler`` given, but dask.distributed is missing or nothing answers there.
    """
    start = time.perf_counter()
    total = sum(b.stop - b.first for b in batches)
    n_workers = default_workers() if workers is None else max(1, workers)
    if scheduler is not None:
        rounds: Iterator[list[BatchResult]] = _on_dask(batches, scheduler)
    elif n_workers == 1 or len(batches) == 1:
        rounds = ([run_batch(b)] for b in batches)
    else:
        rounds = _on_cores(batches, min(n_workers, len(batches)))
    out: dict[int, BatchResult] = {}
    done = 0
    # progress once per batch or round of batches as they arrive together: the draws
    # counted are those finished by the time given, so the time left is theirs to tell
    for found in rounds:
        for result in found:
            out[result.first] = result
            done += result.verdicts.shape[0]
        if progress is not None:
            progress(done, total, time.perf_counter() - start)
    return [out[b.first] for b in batches]
