"""Giving memory that is no longer used back to the system.

Arrow's allocator (mimalloc) and the C library keep freed memory for reuse. For
a process that has just dropped a table of millions of rows — the command once
the notebooks have the snapshot, the kernel between notebooks — that reserve
is hundreds of megabytes that another process of the same run could use.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import sys


def release_memory() -> None:
    """Collect garbage, then return freed memory to the system where the allocators can."""
    import pyarrow as pa  # loaded already wherever there is an Arrow reserve to give back

    gc.collect()
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
