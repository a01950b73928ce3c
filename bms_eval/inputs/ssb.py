"""Statistics Norway statbank extracts (JSON-stat 2.0) as tidy indicator data (docs/inputs.md).

The dimension with role ``geo`` becomes ``unit`` (the code, e.g. ``0301``, kept as
text, its label as ``unit_name``), the ``time`` dimension ``period`` (years only),
the ``metric`` dimension (``ContentsCode``) ``indicator``. Any other dimension
must have a single value or be fixed with ``select`` (``{"Kjonn": "2"}``). Cells
whose status is one of SSB's symbols (``.``, ``..``, ``...``, ``:``) or that have
no value are missing, never zero.

Municipality-number changes (``--changes``; SSB's classification service, CSV
with ``oldCode, newCode, changeOccurred`` or its JSON ``codeChanges``): a plain
renumbering — one old code to one new code — is followed forward to the newest
number, so a municipality keeps one history across the 2020 and 2024 reforms. A
merger or split is never combined silently: those units keep their own codes
and each one is reported.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bms_eval.foundation.problems import ProblemList
from bms_eval.inputs.text_files import read_text

#: SSB's status symbols for a cell without a value.
MISSING_STATUS = frozenset({".", "..", "...", ":"})
ROLE_FALLBACK = {"geo": "Region", "time": "Tid", "metric": "ContentsCode"}
YEAR = re.compile(r"^\d{4}$")
#: Most cells (the product of the dimension sizes) a table may have: a KOSTRA table
#: of 356 municipalities × 20 years × 100 contents has 712 000.
MAX_CELLS = 10_000_000


@dataclass(frozen=True)
class Dimension:
    """One JSON-stat dimension: its category codes in order, with labels."""

    name: str
    codes: tuple[str, ...]
    labels: dict[str, str]


#: Said of JSON nested deeper than Python's parser goes (no statbank file is).
NESTED_TOO_DEEP = (
    "nested too deeply to be a file from SSB (thousands of brackets inside each other)"
)


def _dimension(name: str, spec: object, problems: ProblemList) -> Dimension | None:
    where = f"dimension.{name}.category"
    category = spec.get("category") if isinstance(spec, dict) else None
    if not isinstance(category, dict):
        problems.error(where, "missing or not an object", kind="jsonstat")
        return None
    index = category.get("index")
    labels = category.get("label") or {}
    if index is None and isinstance(labels, dict) and len(labels) == 1:
        index = list(labels)  # JSON-stat allows a lone category without an index
    if isinstance(index, dict):
        positions = list(index.values())
        if sorted(p for p in positions if _is_int(p)) != list(range(len(index))):
            problems.error(
                f"{where}.index",
                f"positions must be 0 to {len(index) - 1}, each once",
                kind="jsonstat",
            )
            return None
        codes = [c for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
    elif isinstance(index, list) and all(isinstance(c, str | int) for c in index):
        codes = [str(c) for c in index]
    else:
        problems.error(
            f"{where}.index",
            "must be a list of codes or an object of code → position",
            kind="jsonstat",
        )
        return None
    if not codes:
        problems.error(f"{where}.index", "has no categories", kind="jsonstat")
        return None
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            problems.error(f"{where}.index", f"the code {code!r} appears twice", kind="jsonstat")
            return None
        seen.add(code)
    if not isinstance(labels, dict):
        labels = {}
    return Dimension(
        name, tuple(str(c) for c in codes), {str(k): str(v) for k, v in labels.items()}
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _cell_keys(raw: dict, size: int, what: str, problems: ProblemList) -> list[tuple[int, object]]:
    """The ``position → item`` pairs of a sparse ``value`` or ``status`` object, checked."""
    out = []
    for key, item in raw.items():
        if not (isinstance(key, str) and key.isdigit() and int(key) < size):
            problems.error(
                f"{what}[{key!r}]",
                f"a cell position must be a whole number from 0 to {size - 1}",
                kind="jsonstat",
            )
            continue
        out.append((int(key), item))
    return out


def _cells(doc: dict, size: int, problems: ProblemList) -> tuple[np.ndarray, np.ndarray]:
    """Values (NaN where missing) and status symbols, both flat, of length ``size``."""
    values = np.full(size, np.nan)
    status = np.full(size, "", dtype=object)
    raw = doc.get("value")
    if isinstance(raw, dict):
        items: list[tuple[int, object]] | None = _cell_keys(raw, size, "value", problems)
    elif isinstance(raw, list):
        items = list(enumerate(raw))
    else:
        items = None
    if items is None:
        problems.error(
            "value",
            "missing: expected a list of values or an object of position → value",
            kind="jsonstat",
        )
        return values, status
    if isinstance(raw, list) and len(raw) != size:
        problems.error(
            "value", f"has {len(raw)} cells but the dimension sizes give {size}", kind="jsonstat"
        )
        return values, status
    for i, v in items:
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            problems.error(f"value[{i}]", f"{v!r} is not a finite number", kind="jsonstat")
            continue
        values[i] = float(v)
    st = doc.get("status")
    if isinstance(st, dict):
        for i, symbol in _cell_keys(st, size, "status", problems):
            status[i] = str(symbol)
    elif isinstance(st, list):
        if len(st) > size:
            problems.error(
                "status",
                f"has {len(st)} cells but the dimension sizes give {size}",
                kind="jsonstat",
            )
        else:
            status[: len(st)] = [str(s) if s is not None else "" for s in st]
    elif isinstance(st, str):
        status[:] = st
    values[np.isin(status, list(MISSING_STATUS))] = np.nan
    return values, status


def _role(doc: dict, role: str, names: list[str], problems: ProblemList) -> str | None:
    roles = doc.get("role") or {}
    given = roles.get(role) if isinstance(roles, dict) else None
    if isinstance(given, list) and len(given) == 1 and given[0] in names:
        return given[0]
    if isinstance(given, list) and len(given) > 1:
        problems.error(
            f"role.{role}", f"names {len(given)} dimensions; one is needed", kind="jsonstat"
        )
        return None
    if ROLE_FALLBACK[role] in names:
        return ROLE_FALLBACK[role]
    problems.error(
        f"role.{role}",
        f"no dimension has the role {role!r} (dimensions: {', '.join(names)})",
        kind="jsonstat",
    )
    return None


def _dataset(text: str, problems: ProblemList) -> dict | None:
    """The JSON-stat dataset in ``text`` with a valid ``id`` list, or None (the problem
    recorded)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.error(f"line {exc.lineno}", f"not valid JSON: {exc.msg}", kind="json")
        return None
    except RecursionError:
        problems.error("", NESTED_TOO_DEEP, kind="json")
        return None
    if isinstance(doc, dict) and "dataset" in doc and "dimension" not in doc:
        doc = doc["dataset"]  # JSON-stat 1.x bundles: one dataset inside
    if not isinstance(doc, dict) or not isinstance(doc.get("dimension"), dict):
        problems.error(
            "",
            "not a JSON-stat dataset (no 'dimension' object); save the "
            "statbank table as JSON-stat 2.0",
            kind="jsonstat",
        )
        return None
    ids = doc.get("id")
    if ids is not None and not (
        isinstance(ids, list)
        and all(isinstance(n, str) and n in doc["dimension"] for n in ids)
        and len(set(ids)) == len(ids)
    ):
        problems.error(
            "id", "must list each dimension of 'dimension' once, by name", kind="jsonstat"
        )
        return None
    return doc


def _kept_categories(
    dims: list,
    names: list[str],
    roles: tuple[str, str, str],
    select: dict[str, str],
    problems: ProblemList,
) -> list[np.ndarray]:
    """Per dimension, the category positions kept: every unit, period and indicator;
    the one code ``select`` names of another dimension, or its only one (each other
    case a problem)."""
    geo, time, metric = roles
    for name in select:
        if name not in names:
            problems.error(
                f"--select {name}",
                f"no such dimension (dimensions: {', '.join(names)})",
                kind="select",
            )
        elif name in (geo, time, metric):
            role = {geo: "units", time: "periods", metric: "indicators"}[name]
            problems.error(
                f"--select {name}",
                f"{name} holds the {role}, which are all kept; --select chooses one value of "
                "another dimension",
                kind="select",
            )
    keep = []
    for d in dims:
        if d.name in (geo, time, metric):
            keep.append(np.arange(len(d.codes)))
        elif d.name in select:
            if select[d.name] not in d.codes:
                problems.error(
                    f"--select {d.name}={select[d.name]}",
                    f"no such code (codes: {', '.join(d.codes[:20])})",
                    kind="select",
                )
                keep.append(np.arange(0))
            else:
                keep.append(np.array([d.codes.index(select[d.name])]))
        elif len(d.codes) == 1:
            keep.append(np.arange(1))
        else:
            problems.error(
                f"dimension.{d.name}",
                f"has {len(d.codes)} values "
                f"({', '.join(d.codes[:10])}{', …' if len(d.codes) > 10 else ''}); "
                f"choose one with --select {d.name}=CODE",
                kind="dimension",
            )
            keep.append(np.arange(0))
    return keep


def _tidy_rows(
    doc: dict,
    dims: list,
    names: list[str],
    roles: tuple[str, str, str],
    keep: list[np.ndarray],
    values: np.ndarray,
) -> pd.DataFrame:
    """The kept cells as tidy rows: unit, period, indicator, value, unit name, source."""
    geo, time, metric = roles
    sizes = [len(d.codes) for d in dims]
    time_dim = dims[names.index(time)]
    grids = np.meshgrid(*keep, indexing="ij")
    flat = np.ravel_multi_index([g.ravel() for g in grids], sizes)
    pos = {n: grids[i].ravel() for i, n in enumerate(names)}
    geo_dim, metric_dim = dims[names.index(geo)], dims[names.index(metric)]
    geo_codes = np.array(geo_dim.codes, dtype=object)
    frame = pd.DataFrame(
        {
            "unit": geo_codes[pos[geo]],
            "period": np.array(time_dim.codes, dtype=np.int64)[pos[time]],
            "indicator": np.array(metric_dim.codes, dtype=object)[pos[metric]],
            "value": values[flat],
            "unit_name": np.array([geo_dim.labels.get(c, "") for c in geo_dim.codes], dtype=object)[
                pos[geo]
            ],
            "source": f"SSB: {doc.get('label', '')}".strip(),
        }
    )
    return frame


def read_jsonstat(
    path: str | Path, select: dict[str, str] | None = None
) -> tuple[pd.DataFrame | None, ProblemList]:
    """Read an SSB statbank extract (JSON-stat 2.0 dataset) into tidy rows.

    Parameters
    ----------
    path : str or Path
        The ``.json`` file as the statbank API returns it.
    select : dict, optional
        A code for each extra dimension that has several values.

    Returns
    -------
    frame : DataFrame or None
        ``unit, period, indicator, value, unit_name, source``.
    problems : ProblemList
        Located by the JSON key (``dimension.Tid.category.index``).
    """
    problems = ProblemList(str(path))
    text = read_text(Path(path), problems)
    if text is None:
        return None, problems
    return jsonstat_rows(text, problems, select)


def jsonstat_rows(
    text: str, problems: ProblemList, select: dict[str, str] | None = None
) -> tuple[pd.DataFrame | None, ProblemList]:
    """:func:`read_jsonstat` of a dataset's text (a file's, or the statbank API's answer:
    :mod:`bms_eval.inputs.statbank`), its problems recorded in ``problems``."""
    doc = _dataset(text, problems)
    if doc is None:
        return None, problems
    names = [str(n) for n in doc.get("id") or doc["dimension"].keys()]
    dims = [_dimension(n, doc["dimension"].get(n), problems) for n in names]
    if problems.has_errors:
        return None, problems
    sizes = [len(d.codes) for d in dims]
    given = doc.get("size")
    if given is not None and (not isinstance(given, list) or given != sizes):
        problems.error(
            "size", f"{given!r} does not match the categories ({sizes})", kind="jsonstat"
        )
    cells = math.prod(sizes)
    if cells > MAX_CELLS:
        problems.error(
            "dimension",
            f"the table has {cells:,} cells ({' × '.join(map(str, sizes))}), more than the "
            f"{MAX_CELLS:,} bms-eval reads; fetch fewer units, years or contents at a time",
            kind="too_large",
        )
        return None, problems
    geo, time, metric = (_role(doc, r, names, problems) for r in ("geo", "time", "metric"))
    if problems.has_errors:
        return None, problems
    keep = _kept_categories(dims, names, (geo, time, metric), dict(select or {}), problems)
    time_dim = dims[names.index(time)]
    bad_years = [c for c in time_dim.codes if not YEAR.match(c)]
    if bad_years:
        problems.error(
            f"dimension.{time}.category.index",
            f"periods must be years such as 2021, not {bad_years[0]!r}; fetch "
            "the table with yearly figures",
            kind="period",
        )
    if problems.has_errors:
        return None, problems
    values, _ = _cells(doc, cells, problems)
    if problems.has_errors:
        return None, problems
    frame = _tidy_rows(doc, dims, names, (geo, time, metric), keep, values)
    return frame, problems


@dataclass(frozen=True)
class CodeChange:
    """One change in SSB's classification: ``old`` became ``new`` in ``year``."""

    old: str
    new: str
    year: int


def read_code_changes(path: str | Path) -> tuple[list[CodeChange] | None, ProblemList]:
    """Municipality-number changes from SSB's classification service (CSV or JSON)."""
    problems = ProblemList(str(path))
    text = read_text(Path(path), problems, allow_cp1252=True)
    if text is None:
        return None, problems
    if text.lstrip().startswith(("{", "[")):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.error(f"line {exc.lineno}", f"not valid JSON: {exc.msg}", kind="json")
            return None, problems
        except RecursionError:
            problems.error("", NESTED_TOO_DEEP, kind="json")
            return None, problems
        rows = doc.get("codeChanges") if isinstance(doc, dict) else doc
        if not isinstance(rows, list):
            problems.error("codeChanges", "expected a list of changes", kind="changes")
            return None, problems
        frame = pd.DataFrame(rows)
        where = [f"codeChanges[{i}]" for i in range(len(frame))]
    else:
        from io import StringIO

        sep = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        frame = pd.read_csv(StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        frame.columns = [c.strip() for c in frame.columns]
        where = [f"line {i + 2}" for i in range(len(frame))]
    missing = [c for c in ("oldCode", "newCode", "changeOccurred") if c not in frame]
    if missing:
        problems.error(
            "",
            f"missing column(s) {', '.join(missing)} (expected oldCode, "
            "newCode, changeOccurred as SSB's classification service gives them)",
            kind="changes",
        )
        return None, problems
    changes = []
    for i, row in enumerate(frame.to_dict("records")):
        year = re.match(r"^\s*(\d{4})", str(row["changeOccurred"]))
        old, new = str(row["oldCode"]).strip(), str(row["newCode"]).strip()
        if not year or not old or not new:
            problems.error(
                where[i],
                "needs oldCode, newCode and a changeOccurred date such as 2024-01-01",
                kind="changes",
            )
            continue
        changes.append(CodeChange(old, new, int(year.group(1))))
    return (None if problems.has_errors else changes), problems


def apply_code_changes(
    frame: pd.DataFrame, changes: list[CodeChange], problems: ProblemList
) -> pd.DataFrame:
    """Follow plain renumberings forward; leave mergers and splits alone, reporting them.

    Returns
    -------
    DataFrame
        ``frame`` with unit codes renumbered (``unit_name`` kept per row).
    """
    by_year: dict[int, list[CodeChange]] = {}
    for c in changes:
        by_year.setdefault(c.year, []).append(c)
    mapping: dict[str, str] = {}
    reported: set[str] = set()
    units = set(frame["unit"])
    for year in sorted(by_year):
        batch = by_year[year]
        olds: dict[str, set[str]] = {}
        news: dict[str, set[str]] = {}
        for c in batch:
            olds.setdefault(c.old, set()).add(c.new)
            news.setdefault(c.new, set()).add(c.old)
        for c in batch:
            plain = len(olds[c.old]) == 1 and len(news[c.new]) == 1
            if plain:
                for src, dst in list(mapping.items()):
                    if dst == c.old:
                        mapping[src] = c.new
                if c.old not in mapping:
                    mapping[c.old] = c.new
                continue
            for code in (c.old, c.new):
                if code in units and code not in reported:
                    kind = "merger" if len(news[c.new]) > 1 else "split"
                    problems.warning(
                        f"unit {code}",
                        f"{kind} in {year} ({', '.join(sorted(news[c.new]))} → "
                        f"{', '.join(sorted(olds[c.old]))}): not combined; the unit keeps its "
                        "own code and history",
                        kind="merger_split",
                    )
                    reported.add(code)
    out = frame.copy()
    out["unit"] = out["unit"].map(lambda u: mapping.get(u, u))
    valued = out[out["value"].notna()]
    counts = valued.groupby(["unit", "period", "indicator"]).size()
    for unit, period, indicator in counts[counts > 1].index:
        problems.error(
            f"unit {unit}, period {period}, indicator {indicator}",
            "after following renumberings, old and new codes both have a value "
            "for the same year; check the change table",
            kind="renumbering",
        )
    # keep the row with a value where an old code's empty row meets the new code's
    out = out.sort_values("value", na_position="last").drop_duplicates(
        ["unit", "period", "indicator"], keep="first"
    )
    return out.sort_values(["unit", "indicator", "period"]).reset_index(drop=True)
