"""Writes the statbank answers the tests replay (``answers.json``).

No test touches the internet, and this machine has no network beyond the package
registries, so these answers are not recordings of SSB: they are written here in the
form the statbank's API (PxWebApi 2) gives — JSON-stat 2.0 datasets with
``role``, ``id``, ``size``, ``dimension``, ``value`` and ``status``, the ``/config``
document's limits, and RFC 7807 error bodies (``type``, ``title``, ``status``) — for a
small KOSTRA-like table ``12345`` (six municipalities × two contents × ten years),
its split into queries under a cell limit of 50, and the failures: an unknown
table, a refused query, a busy API. Run ``python tests/data/statbank/make_answers.py``
to write them again.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

LANG = "lang=no&outputFormat=json-stat2"
UNITS = {
    "0301": "Oslo",
    "1103": "Stavanger",
    "4601": "Bergen",
    "5001": "Trondheim",
    "3301": "Drammen",
    "3907": "Sandefjord",
}
CONTENTS = {
    "KOSandel1200000": "Andel innbyggere 80 år og over i institusjon (prosent)",
    "KOSsykefrav0000": "Sykefravær i helse og omsorg (prosent)",
}
YEARS = [str(y) for y in range(2015, 2025)]


def dimension(label: str, codes: dict[str, str]) -> dict:
    return {
        "label": label,
        "category": {
            "index": {c: i for i, c in enumerate(codes)},
            "label": dict(codes),
        },
    }


def dataset(units: list[str], contents: list[str], years: list[str], values: bool) -> dict:
    dims = {
        "KOKkommuneregion0000": dimension("region", {u: UNITS[u] for u in units}),
        "ContentsCode": dimension("statistikkvariabel", {c: CONTENTS[c] for c in contents}),
        "Tid": dimension("år", {y: y for y in years}),
    }
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": "12345: Helse og omsorg - nøkkeltall (K) (B), etter region, "
        "statistikkvariabel og år",
        "source": "Statistisk sentralbyrå",
        "updated": "2025-06-16T06:00:00Z",
        "role": {"geo": ["KOKkommuneregion0000"], "metric": ["ContentsCode"], "time": ["Tid"]},
        "id": list(dims),
        "size": [len(units), len(contents), len(years)],
        "dimension": dims,
        "extension": {"px": {"tableid": "12345", "language": "no"}},
    }
    if values:
        out, status = [], {}
        for i, u in enumerate(units):
            for j, c in enumerate(contents):
                for k, y in enumerate(years):
                    flat = (i * len(contents) + j) * len(years) + k
                    value = round(
                        10
                        + list(UNITS).index(u)
                        + 3 * list(CONTENTS).index(c)
                        + 0.25 * int(y[-2:])
                        + math.sin(flat),
                        1,
                    )
                    if u == "3907" and y == "2015":  # not published that year
                        # (flat: the position in this answer, as the API numbers it)
                        out.append(None)
                        status[str(flat)] = ".."
                    else:
                        out.append(value)
        doc["value"] = out
        if status:
            doc["status"] = status
    return doc


def body(units, contents, years) -> dict:
    return {
        "selection": [
            {"variableCode": "KOKkommuneregion0000", "valueCodes": units},
            {"variableCode": "ContentsCode", "valueCodes": contents},
            {"variableCode": "Tid", "valueCodes": years},
        ]
    }


def problem(status: int, title: str) -> dict:
    return {
        "type": f"https://tools.ietf.org/html/rfc9110#status.{status}",
        "title": title,
        "status": status,
    }


def main() -> None:
    units, contents = list(UNITS), list(CONTENTS)
    answers = [
        {
            "method": "GET",
            "path": "/config",
            "status": 200,
            "response": {
                "apiVersion": "2.0.0",
                "maxDataCells": 50,
                "maxCallsPerTimeWindow": 2,
                "timeWindow": 1,
            },
        },
        {
            "method": "GET",
            "path": f"/tables/12345/metadata?{LANG}",
            "status": 200,
            "response": dataset(units, contents, YEARS, values=False),
        },
    ]
    # 6 × 2 × 10 = 120 cells, 12 a year: split along the years (the largest dimension),
    # four years (48 cells) a query
    for start in range(0, 10, 4):
        part = YEARS[start : start + 4]
        answers.append(
            {
                "method": "POST",
                "path": f"/tables/12345/data?{LANG}",
                "body": body(units, contents, part),
                "status": 200,
                "response": dataset(units, contents, part, values=True),
            }
        )
    # two municipalities, every year: 40 cells, one query
    answers.append(
        {
            "method": "POST",
            "path": f"/tables/12345/data?{LANG}",
            "body": body(["0301", "4601"], contents, YEARS),
            "status": 200,
            "response": dataset(["0301", "4601"], contents, YEARS, values=True),
        }
    )
    # one municipality and three years: one query, answered busy once first
    answers.append(
        {
            "method": "POST",
            "path": f"/tables/12345/data?{LANG}",
            "body": body(["0301"], contents, ["2022", "2023", "2024"]),
            "sequence": [
                {
                    "status": 429,
                    "headers": {"Retry-After": "0"},
                    "response": problem(429, "Too many requests"),
                },
                {
                    "status": 200,
                    "response": dataset(["0301"], contents, ["2022", "2023", "2024"], True),
                },
            ],
        }
    )
    # two years of Oslo: the API refuses the query
    answers.append(
        {
            "method": "POST",
            "path": f"/tables/12345/data?{LANG}",
            "body": body(["0301"], contents, ["2015", "2016"]),
            "status": 400,
            "response": problem(400, "Non-existent value"),
        }
    )
    answers.append(
        {
            "method": "GET",
            "path": f"/tables/99999/metadata?{LANG}",
            "status": 404,
            "response": problem(404, "Non-existent table"),
        }
    )
    answers.append(
        {
            "method": "GET",
            "path": f"/tables/55555/metadata?{LANG}",
            "status": 503,
            "response": problem(503, "Service Unavailable"),
        }
    )
    path = Path(__file__).with_name("answers.json")
    path.write_text(json.dumps(answers, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
