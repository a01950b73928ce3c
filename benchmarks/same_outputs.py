"""Are two runs' outputs byte-identical? A check for a change meant to change nothing.

Usage::

    python benchmarks/same_outputs.py BEFORE AFTER [--path OLD=NEW ...]

BEFORE and AFTER are output folders of ``bms-eval run`` or ``plan`` (or two files,
e.g. two ``links.csv``). Every file but ``manifest.json`` (which records times,
versions and the source commit) is compared byte for byte; ``--path`` replaces a
folder's path in BEFORE's bytes first, for runs made from two clones (the executed
notebooks and the report name the input files' paths). Prints one line per file
and exits 1 when any differs. ``bms-eval verify`` does the same for one folder,
re-running it with the code at hand.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: Files a run writes that are expected to differ between any two runs.
SKIPPED = {"manifest.json"}


def files(root: Path) -> dict[str, Path]:
    """Every file under ``root`` by its path relative to it (``root`` itself if a file)."""
    if root.is_file():
        return {root.name: root}
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def compare(before: Path, after: Path, paths: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(file, state)`` for every file of either side: identical, differs, or missing."""
    old, new = files(before), files(after)
    if before.is_file() and after.is_file():
        new = {before.name: after}
    out = []
    for name in sorted(set(old) | set(new)):
        if Path(name).name in SKIPPED:
            continue
        if name not in old or name not in new:
            out.append((name, "only in " + ("after" if name in new else "before")))
            continue
        data = old[name].read_bytes()
        for a, b in paths:
            data = data.replace(a.encode(), b.encode())
        same = data == new[name].read_bytes()
        out.append((name, "identical" if same else "differs"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--path", action="append", default=[], metavar="OLD=NEW")
    args = parser.parse_args(argv)
    paths = [tuple(p.split("=", 1)) for p in args.path]
    found = compare(args.before, args.after, paths)  # type: ignore[arg-type]
    width = max((len(f) for f, _ in found), default=0)
    for name, state in found:
        print(f"{name:<{width}}  {state}")
    same = all(state == "identical" for _, state in found)
    print(f"{sum(s == 'identical' for _, s in found)} of {len(found)} files identical")
    return 0 if same and found else 1


if __name__ == "__main__":
    sys.exit(main())
