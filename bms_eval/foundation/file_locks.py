"""Advisory locks on open files, the one primitive behind two guarantees.

* The output folder's lock (:mod:`bms_eval.outputs.folder`): a second run into
  the same folder sees the first one's lock held and stops at once.
* A run's analysis process holds a lock on a file in its parts folder for as
  long as it lives (:mod:`bms_eval.pipeline.producer`); a notebook waiting for a
  part that never comes sees the lock free and stops waiting
  (:func:`bms_eval.analysis.results.read_part`). The system releases a lock when
  its holder ends, however it ends (a full disk, the out-of-memory killer,
  SIGKILL), so no failure can leave a waiter waiting.
"""

from __future__ import annotations

import os


def try_lock(fd: int, *, shared: bool = False) -> bool:
    """Take the lock on the open file ``fd`` without waiting; whether it was taken.

    Parameters
    ----------
    fd : int
        An open file descriptor.
    shared : bool
        A shared lock (many may hold one) rather than an exclusive one.
    """
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)  # the lock covers the file's first byte
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def holder_gone(path: os.PathLike[str] | str) -> bool:
    """Whether no process holds an exclusive lock on the file at ``path`` any more
    (``False`` when the file cannot be opened: nothing is known then)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        return try_lock(fd, shared=True)
    finally:
        os.close(fd)  # releases the shared lock just taken
