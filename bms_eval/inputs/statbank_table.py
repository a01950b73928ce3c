"""A statbank table by its id as tidy rows: the selection, the split into queries within
the API's cell limit, and the answers read as a saved extract would be
(:mod:`bms_eval.inputs.statbank` talks to the API; docs/inputs.md)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from bms_eval.foundation.problems import InputError, ProblemList
from bms_eval.inputs.ssb import (
    ROLE_FALLBACK,
    apply_code_changes,
    jsonstat_rows,
    read_code_changes,
)
from bms_eval.inputs.statbank import DEFAULT_API, TABLE_ID, Statbank, StatbankError


def _codes(meta: dict, name: str) -> list[str]:
    category = (meta["dimension"].get(name) or {}).get("category") or {}
    index = category.get("index")
    if isinstance(index, dict):
        return [str(c) for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
    if isinstance(index, list):
        return [str(c) for c in index]
    return [str(c) for c in (category.get("label") or {})]


def _roles(meta: dict, names: list[str]) -> dict[str, str]:
    """The dimension holding each of ``geo``, ``time`` and ``metric``."""
    declared = meta.get("role") or {}
    found = {}
    for role, fallback in ROLE_FALLBACK.items():
        listed = [n for n in declared.get(role) or [] if n in names]
        if role == "geo":  # KOSTRA's KOKkommuneregion0000 and the like
            listed += [n for n in names if "region" in n.lower()]
        name = listed[0] if listed else (fallback if fallback in names else None)
        if name is None:
            raise StatbankError(
                f"the table has no {role} dimension (dimensions: {', '.join(names)}); "
                "bms-eval reads tables of units × years × contents"
            )
        found[role] = name
    return found


def selection_for(meta: dict, chosen: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every dimension's codes to fetch: all units, years and contents unless ``chosen``
    names some; the one code of any other dimension, which must be chosen where it has
    several.

    Raises
    ------
    StatbankError
        An unknown dimension or code, or another dimension with several values left open.
    """
    names = [str(n) for n in meta.get("id") or meta["dimension"]]
    roles = _roles(meta, names)
    for name in chosen:
        if name not in names:
            raise StatbankError(
                f"--select {name}: the table has no such dimension (dimensions: {', '.join(names)})"
            )
    selection = {}
    for name in names:
        codes = _codes(meta, name)
        if name in chosen:
            unknown = [c for c in chosen[name] if c not in codes]
            if unknown:
                shown = ", ".join(codes[:15]) + (", …" if len(codes) > 15 else "")
                raise StatbankError(f"--select {name}: no code {unknown[0]!r} (codes: {shown})")
            if name not in roles.values() and len(chosen[name]) != 1:
                raise StatbankError(
                    f"--select {name}: choose one code of {name} (it is neither units, "
                    "years nor contents)"
                )
            selection[name] = list(dict.fromkeys(chosen[name]))
        elif name in roles.values() or len(codes) == 1:
            selection[name] = codes
        else:
            shown = ", ".join(codes[:10]) + (", …" if len(codes) > 10 else "")
            raise StatbankError(
                f"dimension {name} has {len(codes)} values ({shown}); choose one with "
                f"--select {name}=CODE"
            )
    return selection


def split(selection: dict[str, list[str]], limit: int) -> list[dict[str, list[str]]]:
    """``selection`` as queries of at most ``limit`` cells each: cut along the dimension
    with the most codes into runs as long as the limit allows, then (where one code of
    it is still too many) along the next."""
    cells = math.prod(len(v) for v in selection.values())
    if cells <= limit:
        return [selection]
    name = max((n for n in selection if len(selection[n]) > 1), key=lambda n: len(selection[n]))
    codes = selection[name]
    per_code = cells // len(codes)
    run = max(1, limit // per_code)
    out = []
    for start in range(0, len(codes), run):
        out += split({**selection, name: codes[start : start + run]}, limit)
    return out


def fetch_table(
    table: str, chosen: dict[str, list[str]], statbank: Statbank
) -> tuple[pd.DataFrame | None, ProblemList]:
    """The table as tidy rows (``unit, period, indicator, value, unit_name, source``), as
    :func:`bms_eval.inputs.ssb.read_jsonstat` reads a saved extract; ``source`` names
    the table and the date its answers were fetched.

    Raises
    ------
    StatbankError
        A bad table id, an unknown dimension or code, or the API's refusal.
    """
    if not TABLE_ID.match(table):
        raise StatbankError(f"{table!r} is not a statbank table id (such as 12367)")
    meta = statbank.metadata(table)
    selection = selection_for(meta, chosen)
    queries = split(selection, statbank.limits().cells)
    cells = math.prod(len(v) for v in selection.values())
    plural = "query" if len(queries) == 1 else "queries"
    statbank.progress(f"table {table}: {cells:,} cells in {len(queries)} {plural}")
    frames, problems, dates = [], ProblemList(f"statbank table {table}"), set()
    for i, query in enumerate(queries, 1):
        answer = statbank.data(table, query)
        dates.add(answer.fetched)
        statbank.progress(
            f"[{i}/{len(queries)}] "
            + (f"from the cache (fetched {answer.fetched})" if answer.cached else "fetched")
        )
        found = ProblemList(f"statbank table {table}, query {i}")
        frame, _ = jsonstat_rows(answer.text, found)
        problems.extend(found)
        if frame is None:
            return None, problems
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    label = str(meta.get("label") or "").strip()
    label = label.removeprefix(f"{table}:").strip()  # the statbank starts it with the id
    when = ", ".join(sorted(dates))
    frame["source"] = f"SSB table {table}" + (f": {label}" if label else "") + f" (fetched {when})"
    return frame, problems


def fetch_ssb(
    table: str,
    select: dict[str, list[str]] | None = None,
    *,
    changes: str | Path | None = None,
    cache: str | Path | None = None,
    refresh: bool = False,
    api: str = DEFAULT_API,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """A statbank table by its id as tidy data: ``bms-eval import ssb --table`` from Python.

    Parameters
    ----------
    table : str
        The statbank table's id (``"12137"``).
    select : dict, optional
        Codes to fetch per dimension (``{"KOKkommuneregion0000": ["0301", "4601"]}``);
        one code of each further dimension with several values.
    changes : str or Path, optional
        Municipality-number changes to apply (as ``--changes``).
    cache : str or Path, optional
        Where answers are kept (``~/.cache/bms-eval/statbank`` when not given).
    refresh : bool
        Ask the statbank again where the cache has the answer.
    api : str
        The API's root (SSB's PxWebApi 2).
    progress : callable, optional
        Hears each query and each wait.

    Raises
    ------
    bms_eval.InputError
        The statbank could not give the table (no network, an unknown table or code,
        a refused query), or the answer or the changes cannot be used.
    """
    statbank = Statbank(api, Path(cache) if cache else None, progress=progress, refresh=refresh)
    problems = ProblemList(f"statbank table {table}")
    try:
        frame, found = fetch_table(table, dict(select or {}), statbank)
    except StatbankError as exc:
        problems.error("", str(exc), kind="statbank")
        raise InputError(list(problems)) from None
    problems.extend(found)
    if frame is not None and changes is not None:
        known, change_problems = read_code_changes(changes)
        problems.extend(change_problems)
        if known is not None:
            frame = apply_code_changes(frame, known, problems)
    if frame is None or problems.has_errors:
        raise InputError(list(problems))
    return frame
