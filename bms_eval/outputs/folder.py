"""The output folder of ``bms-eval run``: what may be replaced, a lock, and a one-step swap.

docs/commands.md: ``run`` writes into a new or empty folder, or replaces a folder
that holds only an earlier bms-eval output, and only once the run has
succeeded; any other existing folder is refused (exit 2), never deleted.

How it is done:

* **Recognising an earlier output.** Its ``manifest.json`` lists every output
  file with its SHA-256 (``outputs``). The folder may be replaced only when it
  holds exactly those files, unchanged, and nothing else; a file added, edited
  or a link inside makes it the user's, and the run is refused. (Outputs of
  version 0.1, whose manifest has no such list, are recognised by their fixed
  file names.) The check is made before the run and again just before the swap.
* **A lock.** ``.DIR.lock`` beside the folder is created (never opened if it
  exists, never followed if it is a link) and locked (``flock``) for the whole
  run; a second run into the same folder exits 2 at once, naming the first. Only
  the run that made it removes it (see :class:`_Lock`).
* **A work folder.** Everything is written to ``.DIR.work-PID-XXXX`` beside the
  folder, marked as bms-eval's by a file holding the process id. Work folders
  left by a run that was killed (its process gone) are removed by the next run.
* **The swap.** On Linux the work folder and the old output are exchanged in
  one atomic step (``renameat2`` with ``RENAME_EXCHANGE``): a reader sees the old
  output or the new one, never neither. Where the system has no such call, the
  old output is first renamed aside (``.DIR.old-PID``), then the new one into
  place: two steps, with the old output recoverable between them.
* **A failed run** (a notebook cell raised) is kept in ``DIR.failed`` for
  diagnosis; an earlier ``DIR.failed`` is replaced only when bms-eval made it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from bms_eval.foundation.file_locks import try_lock
from bms_eval.foundation.regular_files import UnreadableFile, open_regular, read_regular
from bms_eval.outputs.paths import UsageError, remove_empty_folders, umask

MANIFEST = "manifest.json"
#: The largest manifest read (a run's lists a few dozen files).
MANIFEST_LIMIT = 64 * 1024**2
#: In a work or failed folder: the id of the process that made it.
MARKER = ".bms-eval-work"
#: The files of a version 0.1 output, recognised by name.
LEGACY_FILES = re.compile(
    r"^(report\.html|links\.csv|status\.csv|results\.json|manifest\.json"
    r"|notebooks/\d\d_[a-z_]+\.ipynb)$"
)
#: Files a file manager leaves in any folder it shows; they hold nothing of the user's.
SYSTEM_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def file_sha256(path: Path) -> str:
    """SHA-256 of a regular file's bytes, read in blocks (a pipe or a device is
    refused: :func:`~bms_eval.foundation.regular_files.open_regular`).

    Raises
    ------
    UnreadableFile
        ``path`` is not a regular file that can be read.
    """
    digest = hashlib.sha256()
    with os.fdopen(open_regular(path), "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def output_hashes(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` but the manifest and the work marker, by relative path
    (``/``), with its SHA-256."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel not in (MANIFEST, MARKER):
            with contextlib.suppress(UnreadableFile):  # replaced meanwhile by a pipe
                out[rel] = file_sha256(path)
    return out


def _contents(folder: Path) -> tuple[list[str], list[str]]:
    """Relative paths of the files in ``folder`` (but a file manager's
    :data:`SYSTEM_FILES`), and of anything that is not a plain file or folder."""
    files, other = [], []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            other.append(rel)
        elif path.is_file() and path.name not in SYSTEM_FILES:
            files.append(rel)
    return files, other


def why_not_replaceable(folder: Path) -> str | None:
    """``None`` when ``folder`` is empty or holds only an unchanged earlier bms-eval
    output; otherwise the reason, in words."""
    if folder.is_symlink():
        return "it is a symbolic link"
    files, other = _contents(folder)
    if other:
        return f"it holds {other[0]!r}, which is not a plain file"
    if not files:
        return None
    if MANIFEST not in files:
        return f"it holds files that bms-eval did not write (such as {files[0]!r})"
    try:
        manifest = json.loads(read_regular(folder / MANIFEST, MANIFEST_LIMIT))
    except (UnreadableFile, ValueError, RecursionError):  # ValueError: not JSON, not UTF-8
        return f"its {MANIFEST} is not one bms-eval wrote"
    if not isinstance(manifest, dict) or "bms_eval_version" not in manifest:
        return f"its {MANIFEST} is not one bms-eval wrote"
    listed = manifest.get("outputs")
    if listed is None:
        foreign = [f for f in files if not LEGACY_FILES.match(f)]
        return f"it holds {foreign[0]!r}, which bms-eval did not write" if foreign else None
    if not isinstance(listed, dict):
        return f"its {MANIFEST} is not one bms-eval wrote"
    for rel in files:
        if rel == MANIFEST:
            continue
        if rel not in listed:
            return f"it holds {rel!r}, which bms-eval did not write"
        if file_sha256(folder / rel) != listed[rel]:
            return f"{rel!r} was changed after bms-eval wrote it"
    return None


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but belongs to someone else
        return True
    return True


def _marker_pid(folder: Path) -> int | None:
    marker = folder / MARKER
    if folder.is_symlink() or not marker.is_file():
        return None
    try:
        return int(marker.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def remove_stale_work(out: Path) -> list[Path]:
    """Remove the work folders that killed runs into ``out`` left behind.

    Only folders named ``.DIR.work-…`` that carry bms-eval's marker with the id
    of a process that no longer runs are removed.
    """
    removed = []
    for candidate in out.parent.glob(f".{glob_escape(out.name)}.work-*"):
        pid = _marker_pid(candidate)
        if pid is not None and not _pid_alive(pid):
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
    for candidate in out.parent.glob(f".{glob_escape(out.name)}.old-*"):
        pid_text = candidate.name.rsplit("-", 1)[-1]
        if (
            pid_text.isdigit()
            and not _pid_alive(int(pid_text))
            and why_not_replaceable(candidate) is None
        ):
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
    return removed


def glob_escape(name: str) -> str:
    """``name`` with the glob characters ``*?[`` taken literally."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step where the system can; ``False`` if it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.restype = ctypes.c_int
    result = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


#: The start of a lock file bms-eval made; the process id follows.
LOCK_HEADER = "bms-eval lock, process "


class _Lock:
    """An exclusive lock on ``.DIR.lock`` beside the output folder, held for the run.

    The file is created with ``O_CREAT | O_EXCL | O_NOFOLLOW`` — never opened for
    writing if it exists, never followed if it is a link — and locked (``flock``)
    at once. Only the process that made it removes it. A lock file a killed run
    left (bms-eval's own text, and no process holding its lock) is removed by the
    next run; any other file or link of that name is the user's and is left
    alone: the run is refused, naming it.
    """

    def __init__(self, out: Path):
        self.out = out
        self.path = out.parent / f".{out.name}.lock"
        self.fd: int | None = None

    def _refuse(self, why: str) -> UsageError:
        return UsageError(
            f"{self.path} {why}; bms-eval uses that name to lock {self.out}. Move it away "
            "or choose another --out"
        )

    def _busy(self, owner: str) -> UsageError:
        return UsageError(
            f"another bms-eval run (process {owner}) is writing {self.out}; wait for it "
            "to finish or choose another --out"
        )

    def _create(self) -> bool:
        """Make and lock the file; ``False`` if something of that name exists."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(self.path, flags, 0o644)
        except FileExistsError:
            return False
        try:
            # only a run looking at the new, still empty file can hold it, for an instant
            for _ in range(500):
                if try_lock(fd):
                    break
                time.sleep(0.01)
            os.write(fd, f"{LOCK_HEADER}{os.getpid()}\n".encode("ascii"))
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(self.path)  # ours: just made
            raise
        self.fd = fd
        return True

    def _clear_stale(self) -> None:
        """Remove the lock file a killed run left; raise if a run holds it or it is
        not bms-eval's."""
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(self.path, flags)
        except FileNotFoundError:
            return  # gone meanwhile: try again
        except OSError:  # a link (ELOOP), or something that cannot be read
            raise self._refuse("exists and is not a lock file bms-eval made") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise self._refuse("exists and is not a lock file bms-eval made")
            text = os.read(fd, 200).decode("ascii", "replace")
            if not text:  # another run made it this instant (look again), or the user
                return
            if not text.startswith(LOCK_HEADER):
                raise self._refuse("exists and is not a lock file bms-eval made")
            if not try_lock(fd):
                raise self._busy(text[len(LOCK_HEADER) :].strip() or "?")
            with contextlib.suppress(FileNotFoundError):
                if os.path.samestat(info, os.lstat(self.path)):  # still the stale one
                    os.unlink(self.path)
        finally:
            os.close(fd)

    def acquire(self) -> None:
        """Make and hold the lock.

        Raises
        ------
        UsageError
            Another run holds it, or a file of that name is not bms-eval's.
        """
        for _ in range(100):
            if self._create():
                return
            self._clear_stale()
            time.sleep(0.01)
        raise self._refuse("stays an empty file")

    def release(self) -> None:
        """Remove the lock file this process made (if it is still the one it made)."""
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            if os.path.samestat(os.fstat(self.fd), os.lstat(self.path)):
                os.unlink(self.path)
        os.close(self.fd)
        self.fd = None


class OutputFolder:
    """The output folder of one run: locked, staged in a work folder, swapped in on success.

    Use as a context manager::

        with OutputFolder(out) as folder:
            ...write into folder.work...
            folder.commit()

    Leaving the block without :meth:`commit` (an error, an interrupt) removes the
    work folder and leaves ``out`` as it was.

    Parameters
    ----------
    out : Path
        The output folder.

    Raises
    ------
    UsageError
        ``out`` is a file, or an existing folder that is not empty and does not
        hold only an earlier bms-eval output, or another run is writing it.
    """

    def __init__(self, out: Path):
        self.out = Path(os.path.abspath(out))
        self.work: Path | None = None
        self._lock = _Lock(self.out)
        self._done = False
        self._made: list[Path] = []

    def _refuse_unless_replaceable(self) -> None:
        if self.out.is_symlink():
            raise UsageError(
                f"--out {self.out} is a symbolic link; bms-eval replaces the folder it "
                "writes, so give the folder itself"
            )
        if self.out.exists() and not self.out.is_dir():
            raise UsageError(
                f"--out {self.out} is not a folder; bms-eval writes a folder of outputs"
            )
        if self.out.is_dir() and os.path.ismount(self.out):
            raise UsageError(
                f"--out {self.out} is a mount point: bms-eval puts a finished output in "
                "place of the folder, and a mount point cannot be replaced. Give a folder "
                "inside it (such as --out " + os.path.join(str(self.out), "report") + ")"
            )
        if self.out.exists():
            reason = why_not_replaceable(self.out)
            if reason is not None:
                raise UsageError(
                    f"--out {self.out} is not empty and {reason}. bms-eval only replaces "
                    "an empty folder or an earlier bms-eval output, so nothing of yours is "
                    "deleted: choose a new folder, or move the files away"
                )

    def __enter__(self) -> OutputFolder:
        self._made = [p for p in self.out.parents if not p.exists()]
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except OSError as exc:  # name the folder the user gave, not the lock file
            remove_empty_folders(self._made)
            raise OSError(exc.errno, exc.strerror, str(self.out)) from None
        try:
            self._refuse_unless_replaceable()
            remove_stale_work(self.out)
            self.work = Path(
                tempfile.mkdtemp(
                    prefix=f".{self.out.name}.work-{os.getpid()}-", dir=self.out.parent
                )
            )
            (self.work / MARKER).write_text(str(os.getpid()), encoding="ascii")
        except BaseException:
            self._lock.release()
            remove_empty_folders(self._made)
            raise
        return self

    def commit(self) -> None:
        """Put the work folder in place of ``out`` (see the module's notes)."""
        assert self.work is not None
        self._refuse_unless_replaceable()  # the user may have added a file meanwhile
        (self.work / MARKER).unlink()
        os.chmod(self.work, 0o777 & ~umask())
        if not self.out.exists():
            os.rename(self.work, self.out)
        elif _exchange(self.work, self.out):
            # the earlier output, checked above; the new one is in place whatever happens here
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
            os.rename(self.out, old)
            os.rename(self.work, self.out)
            shutil.rmtree(old, ignore_errors=True)  # removed by a later run if this fails
        self.work = None
        self._done = True

    def keep_failed(self) -> Path:
        """Keep the work folder of a failed run as ``DIR.failed`` (or ``DIR.failed-N``
        when a ``DIR.failed`` that bms-eval did not make is in the way); returns it."""
        assert self.work is not None
        for n in range(1, 1000):
            kept = self.out.with_name(f"{self.out.name}.failed" + (f"-{n}" if n > 1 else ""))
            if kept.exists() or kept.is_symlink():
                if _marker_pid(kept) is None:
                    continue
                shutil.rmtree(kept)
            os.rename(self.work, kept)
            self.work = None
            self._done = True
            return kept
        raise UsageError(f"too many {self.out.name}.failed folders; remove some")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self.work is not None:
                shutil.rmtree(self.work, ignore_errors=True)
                self.work = None
        finally:
            self._lock.release()
            if not self._done:  # folders made for an output that never came
                remove_empty_folders(self._made)
