"""Statistics Norway's statbank API (PxWebApi 2): a table fetched by its id as tidy data.

``bms-eval import ssb --table ID [--select DIM=CODES …]`` (docs/inputs.md):

1. the table's metadata (``GET …/tables/{id}/metadata``, JSON-stat 2.0) names its
   dimensions and their codes; the selection keeps every unit, period and content
   (or the codes ``--select`` names), and the one code of any other dimension (which
   must be named where it has several);
2. a query larger than the API's cell limit is split along its largest dimension
   (then the next) into queries within it;
3. each query (``POST …/tables/{id}/data``, JSON-stat 2.0) waits for the API's rate
   limit, its waits shown as progress; a busy answer (HTTP 429) is retried after
   the time the API asks for;
4. every answer is cached on disk with the date it was fetched (a repeated import
   asks nothing), and each is read by the file importer
   (:func:`bms_eval.inputs.ssb.jsonstat_rows`), so renumbering and mergers apply
   as to a saved file.

The limits come from the API's own ``/config`` (``maxDataCells``,
``maxCallsPerTimeWindow``, ``timeWindow``), else SSB's published ones
(:data:`DEFAULT_CELLS`, :data:`DEFAULT_CALLS` per :data:`DEFAULT_WINDOW` seconds). A
failure — no network, an unknown table, a refused query — is one
:class:`StatbankError` with a sentence saying what to do.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bms_eval.outputs.paths import write_atomically

#: SSB's statbank API (PxWebApi 2).
DEFAULT_API = "https://data.ssb.no/api/pxwebapi/v2"
#: SSB's published limits, where the API's ``/config`` does not give them: cells per
#: query, queries per time window (seconds).
DEFAULT_CELLS, DEFAULT_CALLS, DEFAULT_WINDOW = 800_000, 30, 60.0
#: Times a busy answer (HTTP 429) is retried.
RETRIES = 3
#: Seconds a request may take.
TIMEOUT = 60.0
#: A table id as the statbank writes them (``12367``).
TABLE_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")


class StatbankError(Exception):
    """The statbank could not give the table: one sentence, what to do included."""


@dataclass(frozen=True)
class Limits:
    """The API's limits: cells per query, queries per ``window`` seconds."""

    cells: int = DEFAULT_CELLS
    calls: int = DEFAULT_CALLS
    window: float = DEFAULT_WINDOW


@dataclass(frozen=True)
class Answer:
    """One answer: its text and when it was fetched (ISO date), from the cache or not."""

    text: str
    fetched: str
    cached: bool


def default_cache() -> Path:
    """``$XDG_CACHE_HOME/bms-eval/statbank`` (``~/.cache/…`` when not set)."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "bms-eval" / "statbank"


def _problem_title(body: bytes) -> str:
    """The ``title`` (and ``detail``) of an API error body (RFC 7807), else its text."""
    try:
        doc = json.loads(body.decode("utf-8", errors="replace"))
    except ValueError:
        return body.decode("utf-8", errors="replace").strip()[:200]
    if isinstance(doc, dict):
        parts = [str(doc[k]) for k in ("title", "detail") if doc.get(k)]
        return "; ".join(parts)[:300]
    return str(doc)[:200]


class Statbank:
    """A client of the statbank API (module docstring).

    Parameters
    ----------
    api : str
        The API's root (SSB's by default; a test server's in the tests).
    cache : Path, optional
        Where answers are kept (:func:`default_cache` when not given).
    language : {"no", "en"}
        The labels' language.
    progress : callable, optional
        Hears each query and each wait.
    refresh : bool
        Ask again even where the cache holds an answer (and keep the new one).
    sleep, clock : callable
        Waiting and time (the tests pass their own).
    """

    def __init__(
        self,
        api: str = DEFAULT_API,
        cache: Path | None = None,
        language: str = "no",
        progress: Callable[[str], None] | None = None,
        refresh: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.api = api.rstrip("/")
        self.cache = cache if cache is not None else default_cache()
        self.language, self.refresh = language, refresh
        self.progress = progress or (lambda _: None)
        self.sleep, self.clock = sleep, clock
        self._calls: deque[float] = deque()
        self._limits: Limits | None = None

    # -- the network ------------------------------------------------------------------

    def _wait_for_rate_limit(self, limits: Limits) -> None:
        now = self.clock()
        while self._calls and now - self._calls[0] >= limits.window:
            self._calls.popleft()
        if len(self._calls) >= limits.calls:
            wait = limits.window - (now - self._calls[0])
            if wait > 0:
                self.progress(
                    f"waiting {math.ceil(wait)} s: the statbank takes {limits.calls} queries "
                    f"per {limits.window:g} s"
                )
                self.sleep(wait)
            self._calls.popleft()

    def _send(self, url: str, body: bytes | None, limits: Limits) -> bytes:
        """One request (POST with ``body``, else GET), within the rate limit, a busy
        answer retried; the answer's bytes."""
        for attempt in range(RETRIES + 1):
            self._wait_for_rate_limit(limits)
            self._calls.append(self.clock())
            request = urllib.request.Request(
                url,
                data=body,
                method="POST" if body is not None else "GET",
                headers={"Content-Type": "application/json", "Accept": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                    return response.read()
            except urllib.error.HTTPError as exc:
                detail = _problem_title(exc.read())
                if exc.code == 429 and attempt < RETRIES:
                    wait = float(exc.headers.get("Retry-After") or limits.window)
                    self.progress(f"the statbank is busy (HTTP 429): waiting {wait:g} s")
                    self.sleep(wait)
                    continue
                raise self._http_error(exc.code, detail, url) from None
            except OSError as exc:  # no network, a refused connection, a timeout
                reason = getattr(exc, "reason", exc)
                raise StatbankError(
                    f"could not reach the statbank at {self.api} ({reason}); check the "
                    "network connection, or save the table from ssb.no/statbank as "
                    "JSON-stat 2.0 and run bms-eval import ssb FILE"
                ) from None
        raise StatbankError(f"the statbank stayed busy (HTTP 429) after {RETRIES} retries")

    def _http_error(self, code: int, detail: str, url: str) -> StatbankError:
        said = f": {detail}" if detail else ""
        if code == 404:
            return StatbankError(
                f"the statbank has no such table or address (HTTP 404{said}); check the "
                "table number on ssb.no/statbank"
            )
        if code in (400, 403, 413):
            return StatbankError(f"the statbank refused the query (HTTP {code}{said}); {url}")
        return StatbankError(
            f"the statbank answered with an error (HTTP {code}{said}); try again later"
        )

    def _answer(self, url: str, body: dict | None, limits: Limits) -> Answer:
        """The answer to a request, from the cache where it holds one."""
        payload = None if body is None else json.dumps(body, sort_keys=True).encode("utf-8")
        key = hashlib.sha256(url.encode("utf-8") + b"\0" + (payload or b"")).hexdigest()
        path = self.cache / f"{key}.json"
        if path.is_file() and not self.refresh:
            try:
                kept = json.loads(path.read_text(encoding="utf-8"))
                return Answer(kept["response"], kept["fetched"], True)
            except (OSError, ValueError, KeyError):
                pass  # a damaged entry is fetched again
        text = self._send(url, payload, limits).decode("utf-8", errors="replace")
        fetched = datetime.now(UTC).date().isoformat()
        kept = json.dumps(
            {"fetched": fetched, "url": url, "body": body, "response": text}, ensure_ascii=False
        )
        try:
            write_atomically(path, lambda handle: handle.write(kept))
        except OSError:
            self.progress(f"(could not keep the answer in the cache {self.cache})")
        return Answer(text, fetched, False)

    # -- the API ----------------------------------------------------------------------

    def limits(self) -> Limits:
        """The API's limits (its ``/config``), else SSB's published ones."""
        if self._limits is None:
            found = Limits()
            try:
                answer = self._answer(f"{self.api}/config", None, found)
                config = json.loads(answer.text)
                found = Limits(
                    int(config.get("maxDataCells") or DEFAULT_CELLS),
                    int(config.get("maxCallsPerTimeWindow") or DEFAULT_CALLS),
                    float(config.get("timeWindow") or DEFAULT_WINDOW),
                )
            except (StatbankError, ValueError, TypeError, AttributeError):
                pass  # the published limits hold
            self._limits = found
        return self._limits

    def metadata(self, table: str) -> dict:
        """The table's dimensions (JSON-stat 2.0 without values)."""
        url = f"{self.api}/tables/{table}/metadata?lang={self.language}&outputFormat=json-stat2"
        answer = self._answer(url, None, self.limits())
        try:
            doc = json.loads(answer.text)
        except ValueError:
            raise StatbankError(f"the statbank's metadata of table {table} is not JSON") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("dimension"), dict):
            raise StatbankError(f"the statbank's metadata of table {table} names no dimensions")
        return doc

    def data(self, table: str, selection: dict[str, list[str]]) -> Answer:
        """One query's answer (JSON-stat 2.0)."""
        url = f"{self.api}/tables/{table}/data?lang={self.language}&outputFormat=json-stat2"
        body = {
            "selection": [
                {"variableCode": code, "valueCodes": list(values)}
                for code, values in selection.items()
            ]
        }
        return self._answer(url, body, self.limits())
