"""Giving memory that is no longer used back to the system, and reserving little.

Arrow's allocator (mimalloc) and the C library keep freed memory for reuse. For
a process that has just dropped a table of millions of rows — the command once
the notebooks have the snapshot, the kernel between notebooks — that reserve
is hundreds of megabytes that another process of the same run could use.

Address space is reserved as well as used: mimalloc reserves a gibibyte at its
first allocation, and the C library 64 MiB for each thread's arena. Under a
limit on address space (``ulimit -v``, a batch system's memory limit) those
reservations alone would end a run that needs a few hundred megabytes, so under
such a limit the command asks for the system allocator in Arrow and two arenas
in the C library (:func:`reserve_little`), for itself and for the kernel it
starts. Without a limit it keeps the defaults: on a table of millions of rows
the C library's allocator serving Arrow keeps freed blocks in its heap, and a
run needed 6.9 GB and twice the time where mimalloc needs 1.8 GB
(``benchmarks/memory.py`` prints both).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import sys


def release_memory() -> None:
    """Collect garbage, then return freed memory to the system where the allocators can."""
    import pyarrow as pa  # loaded already wherever there is an Arrow reserve to give back

    gc.collect()
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


#: glibc's ``mallopt`` parameter for the most arenas.
_M_ARENA_MAX = -8


def address_space_limited() -> bool:
    """Whether this process runs under a limit on its address space (``ulimit -v``)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return False
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return soft != resource.RLIM_INFINITY


def reserve_little() -> None:
    """Under a limit on address space, reserve it as it is needed, for this process
    and the processes it starts (the module's notes): Arrow's system allocator
    and two C-library arenas. Called by the command at its start; without such a
    limit, and in a program that imports the package, the defaults stay."""
    if not address_space_limited():
        return
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.mallopt(_M_ARENA_MAX, 2)
    if "pyarrow" in sys.modules:  # imported already: its pool is chosen
        import pyarrow as pa

        if os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system":
            pa.set_memory_pool(pa.system_memory_pool())
