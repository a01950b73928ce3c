"""The command line as a user meets it: exit codes, messages, untouched inputs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import (
    EXAMPLE_CARD,
    EXAMPLE_DATA,
    HEIMDAL_CARD,
    HEIMDAL_DATA,
    MINI_CARD,
    MINI_DATA,
    digest,
)
from tests.test_data import BAD_DATA
from tests.test_scorecard import BAD_CARDS


@pytest.mark.parametrize("card,data", [(EXAMPLE_CARD, EXAMPLE_DATA), (HEIMDAL_CARD, HEIMDAL_DATA)])
def test_validate_bundled_examples(cli, card, data):
    result = cli("validate", card, data)
    assert result.code == 0, result.err
    assert "Valid: no errors." in result.out
    assert "units" in result.out and "coverage" in result.out


def test_validate_summary_names_units_periods_and_ranges(cli, mini):
    result = cli("validate", *mini)
    assert result.code == 0
    assert "2 units, periods 2020–2021 (2)" in result.out
    line = next(ln for ln in result.out.splitlines() if ln.startswith("B2 "))
    assert "3" in line and "75%" in line and "3.5" in line


def _bad_card_case(tmp_path, case):
    (old, new), message, _ = BAD_CARDS[case]
    card = tmp_path / "card.yaml"
    card.write_text(MINI_CARD.replace(old, new, 1), encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text(MINI_DATA, encoding="utf-8")
    return card, data, message


def _bad_data_case(tmp_path, case):
    text, message, _ = BAD_DATA[case]
    card = tmp_path / "card.yaml"
    card.write_text(MINI_CARD, encoding="utf-8")
    data = tmp_path / ("data.txt" if text is None else "data.csv")
    data.write_text("x" if text is None else text, encoding="utf-8")
    return card, data, message


CASES = [("card", c) for c in sorted(BAD_CARDS)] + [("data", c) for c in sorted(BAD_DATA)]


@pytest.mark.parametrize("source,case", CASES)
def test_bad_input_exits_1_located_and_leaves_files_untouched(cli, tmp_path, source, case):
    make = _bad_card_case if source == "card" else _bad_data_case
    card, data, message = make(tmp_path, case)
    before = (digest(card), digest(data))
    result = cli("validate", card, data)
    assert result.code == 1
    assert "Traceback" not in result.err + result.out
    lines = [ln for ln in result.err.splitlines() if message in ln]
    assert lines, result.err
    assert lines[0].startswith(str(card if source == "card" else data))
    assert (digest(card), digest(data)) == before


def test_scale_and_link_problems_exit_1(cli, mini):
    card, data = mini
    data.write_text(
        "\n".join(ln for ln in MINI_DATA.splitlines() if ",B1," not in ln) + "\n0301,2022,M1,9\n",
        encoding="utf-8",
    )
    result = cli("validate", card, data)
    assert result.code == 1
    assert "lies outside its scale [1, 5]" in result.err
    assert "'B1' has no values" in result.err


def test_many_identical_problems_are_condensed(cli, mini):
    card, data = mini
    rows = "".join(f"U{i},2020,M1,bad\n" for i in range(100))
    data.write_text("unit,period,indicator,value\n" + rows, encoding="utf-8")
    result = cli("validate", card, data)
    assert result.code == 1
    assert result.err.count("is not a number") == 20
    assert "80 more place(s)" in result.err
    full = cli("validate", "--all", card, data)
    assert full.err.count("is not a number") == 100


def test_warnings_do_not_fail(cli, mini):
    card, data = mini
    data.write_text(MINI_DATA + "0301,2020,Q9,1\n", encoding="utf-8")
    result = cli("validate", card, data)
    assert result.code == 0 and "warning" in result.err and "Q9" in result.err


@pytest.mark.parametrize(
    "args",
    [[], ["validate"], ["validate", "only-one"], ["frobnicate"], ["validate", "a", "b", "--bogus"]],
)
def test_wrong_usage_exits_2(cli, args):
    assert cli(*args).code == 2


def test_missing_files_exit_1(cli, tmp_path):
    result = cli("validate", tmp_path / "no.yaml", tmp_path / "no.csv")
    assert result.code == 1
    assert result.err.count("file not found") == 2


def test_console_script_runs_as_a_process(mini):
    card, data = mini
    proc = subprocess.run(
        [sys.executable, "-m", "bms_eval", "validate", str(card), str(data)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "bms_eval", "validate", str(card), "x.csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1 and "Traceback" not in bad.stderr


def test_internal_error_is_one_line_without_traceback(cli, mini, monkeypatch):
    import bms_eval.cli.validate as validate

    def boom(*_):
        raise RuntimeError("planted")

    monkeypatch.setattr(validate, "check_inputs", boom)
    result = cli("validate", *mini)
    assert result.code == 1 and "internal error (RuntimeError: planted)" in result.err
    assert "Traceback" not in result.err


def test_validate_loads_no_solvers_plots_or_templates(mini):
    """`validate` starts quickly: scipy, matplotlib, jinja2 and statsmodels are only
    imported by the commands that need them."""
    card, data = mini
    code = (
        "import sys\n"
        "from bms_eval.cli.main import main\n"
        f"assert main(['validate', {str(card)!r}, {str(data)!r}]) == 0\n"
        "heavy = {'scipy', 'matplotlib', 'jinja2', 'statsmodels', 'seaborn'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_links_loads_no_statistics_library_plots_or_templates(mini, tmp_path):
    """`links` needs scipy.special (Student's t) but not scipy.stats (half a second to
    import), statsmodels, matplotlib or jinja2."""
    card, data = mini
    code = (
        "import sys\n"
        "from bms_eval.cli.main import main\n"
        f"assert main(['links', '--quiet', {str(card)!r}, {str(data)!r}, '--out', "
        f"{str(tmp_path / 'links.csv')!r}]) == 0\n"
        "heavy = {'scipy.stats', 'scipy.optimize', 'statsmodels', 'matplotlib', 'jinja2', "
        "'seaborn'}\n"
        "print(sorted(set(sys.modules) & heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_validate_warns_of_a_value_far_from_its_units_history(cli, tmp_path):
    """A recording error (a lost decimal point) is pointed out at its line; the data
    stay valid, nothing is dropped or changed."""
    lines = EXAMPLE_DATA.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = next(
        i
        for i, line in enumerate(lines[1:], start=1)
        if line.split(",")[header.index("indicator")] == "P1.1"
        and line.split(",")[header.index("period")] == "2019"
    )
    cells = lines[at].split(",")
    cells[header.index("value")] = str(float(cells[header.index("value")]) / 10)  # 91 → 9.1
    lines[at] = ",".join(cells)
    data = tmp_path / "data.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = digest(data)
    result = cli("validate", EXAMPLE_CARD, data)
    assert result.code == 0, result.err
    warning = next(
        ln for ln in result.out.splitlines() + result.err.splitlines() if "far from" in ln
    )
    assert f"line {at + 1}" in warning and "'P1.1'" in warning and "2019" in warning
    assert digest(data) == before
