"""``bms-eval import ssb --table``: a statbank table fetched by id from a local server
replaying the API's answers — split under the cell limit, the rate limit kept, answers
cached with their date, the API's errors as one line each."""

from __future__ import annotations

import pandas as pd
import pytest

from bms_eval.inputs.statbank import Limits, Statbank, StatbankError
from bms_eval.inputs.statbank_table import fetch_table, split
from tests.statbank_server import Replay


@pytest.fixture
def replay():
    with Replay() as server:
        yield server


class Clock:
    """Time that passes only when waited for."""

    def __init__(self):
        self.now, self.waits = 0.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def _client(replay, tmp_path, **kwargs) -> tuple[Statbank, Clock, list[str]]:
    clock, lines = Clock(), []
    client = Statbank(
        api=replay.url,
        cache=tmp_path / "cache",
        progress=lines.append,
        sleep=clock.sleep,
        clock=clock,
        **kwargs,
    )
    return client, clock, lines


def test_the_table_in_queries_within_the_limits(replay, tmp_path):
    client, clock, lines = _client(replay, tmp_path)
    frame, problems = fetch_table("12345", {}, client)
    assert not problems.has_errors
    assert client.limits() == Limits(50, 2, 1.0)  # the API's own /config
    posts = [h for h in replay.heard if h[0] == "POST"]
    assert len(posts) == 3  # 120 cells, at most 50 a query
    assert len(frame) == 120 and frame["unit"].nunique() == 6
    assert frame["period"].min() == 2015 and frame["indicator"].nunique() == 2
    # a cell the statbank marks '..' is missing, never zero
    assert frame.loc[(frame["unit"] == "3907") & (frame["period"] == 2015), "value"].isna().all()
    assert frame["source"].iloc[0].startswith("SSB table 12345: Helse og omsorg")
    assert "fetched" in frame["source"].iloc[0]
    # two queries a second: the third waited, and said so
    assert clock.waits and all(0 < w <= 1.0 for w in clock.waits)
    assert any(line.startswith("waiting") for line in lines)


def test_answers_come_from_the_cache_the_second_time(replay, tmp_path):
    client, _, _ = _client(replay, tmp_path)
    first, _ = fetch_table("12345", {}, client)
    heard = len(replay.heard)
    again, _, lines = _client(replay, tmp_path)
    second, _ = fetch_table("12345", {}, again)
    assert len(replay.heard) == heard  # nothing asked
    pd.testing.assert_frame_equal(first, second)
    assert any("from the cache (fetched" in line for line in lines)
    refreshed, _, _ = _client(replay, tmp_path, refresh=True)
    fetch_table("12345", {}, refreshed)
    assert len(replay.heard) > heard


def test_a_busy_answer_is_waited_for(replay, tmp_path):
    client, _, lines = _client(replay, tmp_path)
    chosen = {"KOKkommuneregion0000": ["0301"], "Tid": ["2022", "2023", "2024"]}
    frame, _ = fetch_table("12345", chosen, client)
    assert len(frame) == 6
    assert any("busy (HTTP 429)" in line for line in lines)


@pytest.mark.parametrize(
    ("table", "chosen", "said"),
    [
        ("99999", {}, "no such table"),
        ("55555", {}, "HTTP 503: Service Unavailable"),
        (
            "12345",
            {"KOKkommuneregion0000": ["0301"], "Tid": ["2015", "2016"]},
            "Non-existent value",
        ),
        ("12345", {"Kjonn": ["2"]}, "no such dimension"),
        ("12345", {"Tid": ["1999"]}, "no code '1999'"),
        ("12 345", {}, "not a statbank table id"),
    ],
)
def test_failures_are_one_sentence(replay, tmp_path, table, chosen, said):
    client, _, _ = _client(replay, tmp_path)
    with pytest.raises(StatbankError, match=said) as caught:
        fetch_table(table, chosen, client)
    assert "\n" not in str(caught.value)


def test_no_network_is_one_sentence(tmp_path):
    client = Statbank(api="http://127.0.0.1:9", cache=tmp_path, sleep=lambda s: None)
    with pytest.raises(StatbankError, match="could not reach the statbank"):
        fetch_table("12345", {}, client)


def test_split_keeps_every_cell_once_within_the_limit():
    selection = {"geo": [f"g{i}" for i in range(7)], "c": ["a", "b", "c"], "t": list("0123456789")}
    parts = split(selection, 25)
    cells = {(g, c, t) for p in parts for g in p["geo"] for c in p["c"] for t in p["t"]}
    assert len(cells) == 7 * 3 * 10 == sum(len(p["geo"]) * len(p["c"]) * len(p["t"]) for p in parts)
    assert all(len(p["geo"]) * len(p["c"]) * len(p["t"]) <= 25 for p in parts)
    assert split(selection, 1000) == [selection]


def test_the_command(replay, tmp_path, cli):
    out = tmp_path / "kostra.csv"
    result = cli(
        "import",
        "ssb",
        "--table",
        "12345",
        "--api",
        replay.url,
        "--cache",
        tmp_path / "c",
        "--select",
        "KOKkommuneregion0000=0301,4601",
        "--out",
        out,
    )
    assert result.code == 0, result.err
    frame = pd.read_csv(out, dtype={"unit": str})
    assert set(frame["unit"]) == {"0301", "4601"} and len(frame) == 40
    failed = cli(
        "import", "ssb", "--table", "99999", "--api", replay.url, "--cache", tmp_path / "c"
    )
    assert failed.code == 1 and "no such table" in failed.err and "Traceback" not in failed.err
    both = cli("import", "ssb", "x.json", "--table", "12345")
    assert both.code == 2


def test_from_python_with_changes(replay, tmp_path):
    import bms_eval

    changes = tmp_path / "changes.csv"
    changes.write_text("oldCode,newCode,changeOccurred\n0301,0302,2026-01-01\n", encoding="utf-8")
    frame = bms_eval.fetch_ssb(
        "12345",
        {"KOKkommuneregion0000": ["0301", "4601"]},
        changes=changes,
        cache=tmp_path / "c",
        api=replay.url,
    )
    assert set(frame["unit"]) == {"0302", "4601"}  # renumbered as the file importer does
    with pytest.raises(bms_eval.InputError, match="no such table"):
        bms_eval.fetch_ssb("99999", cache=tmp_path / "c", api=replay.url)


def test_roles_found_without_the_role_block():
    from bms_eval.inputs.statbank_table import selection_for

    meta = {
        "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
        "dimension": {
            "KOKkommuneregion0000": {"category": {"index": {"0301": 0, "4601": 1}}},
            "ContentsCode": {"category": {"index": ["A"]}},
            "Tid": {"category": {"index": ["2020", "2021"]}},
        },
    }
    assert selection_for(meta, {}) == {
        "KOKkommuneregion0000": ["0301", "4601"],
        "ContentsCode": ["A"],
        "Tid": ["2020", "2021"],
    }
