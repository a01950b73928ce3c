"""Where a command may write: output paths checked against the inputs, files written whole.

docs/commands.md: inputs are never modified, and an output path that is, or holds,
an input is wrong usage. Every command checks its output path here before it
reads anything, and writes single files through a temporary file in the same
folder that replaces the target in one step (``os.replace``), so a reader never
sees half a file and an interrupted write leaves the old file as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO


class UsageError(Exception):
    """Wrong usage of a command (exit status 2): the message says what to do instead."""


def shown_path(path: os.PathLike[str] | str) -> str:
    """A path as text to show or record (a report, a manifest, a notebook): the bytes
    of a name that are not UTF-8 shown as U+FFFD, so that any name the system takes
    can be written into UTF-8 text. The path itself stays as the system gave it
    (file names are handled as the bytes ``os.fsencode`` gives)."""
    return os.fsencode(path).decode("utf-8", "replace")


def utf8_text(text: str) -> str:
    """``text`` that can be written as UTF-8: the bytes of a file name that were not
    UTF-8 (which Python carries as lone surrogates) shown as U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def _resolved(path: Path) -> Path:
    return Path(os.path.abspath(path)).resolve()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return _resolved(a) == _resolved(b)


def check_given(value: str | None, option: str = "--out") -> None:
    """Refuse an empty ``--out`` (exit 2), which would otherwise mean "the default"."""
    if value is not None and not value.strip():
        raise UsageError(f"{option} is empty; give a name, or leave {option} out")


def _refuse_file_ancestor(out: Path, option: str) -> None:
    """The nearest existing folder above ``out`` must be a folder, not a file."""
    for ancestor in out.parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise UsageError(f"{option} {out}: {ancestor} is a file, not a folder")
            return


def check_output_file(out: Path, inputs: Iterable[Path], option: str = "--out") -> None:
    """Refuse an output file that is an input, a folder, or in a place that is not a folder.

    Parameters
    ----------
    out : Path
        Where the command will write one file.
    inputs : iterable of Path
        The files the command reads.
    option : str
        How the user gave ``out``, for the message.

    Raises
    ------
    UsageError
    """
    for source in inputs:
        if out.exists() and source.exists() and _same_file(out, source):
            raise UsageError(
                f"{option} {out} is the input file {source}: bms-eval never writes over its "
                "inputs; name a new file"
            )
    if out.is_dir():
        raise UsageError(f"{option} {out} is a folder; give the name of a file to write")
    if out.exists() and not out.is_file():
        raise UsageError(f"{option} {out} is not a regular file; give the name of a file to write")
    _refuse_file_ancestor(out, option)


def check_output_folder(out: Path, inputs: Iterable[Path], option: str = "--out") -> None:
    """Refuse an output folder that is a file, or is or holds an input.

    Whether an existing folder may be replaced is decided, under a lock, by
    :class:`bms_eval.outputs.folder.OutputFolder`.

    Raises
    ------
    UsageError
    """
    target = _resolved(out)
    for source in inputs:
        src = _resolved(source)
        if src == target:
            raise UsageError(
                f"{option} {out} is the input {source}: bms-eval writes a folder of "
                "outputs and never writes over its inputs; choose a new folder name"
            )
        if target in src.parents:
            raise UsageError(
                f"{option} {out} holds the input {source}: the output folder is replaced "
                "by each run, so it must not contain your files; choose another folder"
            )
    if out.exists() and not out.is_dir():
        raise UsageError(
            f"{option} {out} is a file, not a folder: bms-eval writes a folder of outputs; "
            "choose a folder name"
        )
    _refuse_file_ancestor(out, option)


def umask() -> int:
    """The process's file-creation mask (read without changing it for long)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, write: Callable[[IO[str]], object]) -> None:
    """Write a text file whole: through a temporary sibling, then ``os.replace``.

    The file gets the permissions an ordinary new file would (``0666`` less the
    umask), not the private ones of a temporary file. On any failure the
    temporary file is removed and ``path`` is left as it was.
    """
    made = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:  # name the file the user asked for, not the temporary one
        remove_empty_folders(made)
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        remove_empty_folders(made)
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        remove_empty_folders(made)
        raise


def remove_empty_folders(folders: list[Path]) -> None:
    """Remove the folders a failed write created (innermost first), if still empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return
