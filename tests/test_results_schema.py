"""``results.json`` against its JSON Schema (docs/results.schema.json): every kind of
run writes a document the schema accepts, and the schema refuses a broken one."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from bms_eval.analysis.write import RESULTS_SCHEMA_VERSION
from tests.conftest import ROOT

SCHEMA = json.loads((ROOT / "docs" / "results.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_the_schema_is_a_valid_schema_of_this_version():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["x-schema-version"] == RESULTS_SCHEMA_VERSION
    assert SCHEMA["properties"]["schema_version"] == {"const": RESULTS_SCHEMA_VERSION}


@pytest.fixture(scope="module")
def document(example_run):
    return json.loads((example_run / "results.json").read_text(encoding="utf-8"))


def test_the_example_run_is_valid(document):
    assert document["schema_version"] == RESULTS_SCHEMA_VERSION
    VALIDATOR.validate(document)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.pop("links"),
        lambda d: d["links"][0].__setitem__("verdict", "probably"),
        lambda d: d["links"][0].__setitem__("estimate", "0.3"),
        lambda d: d["links"][0].pop("p_adjusted"),
        lambda d: d.__setitem__("schema_version", "0"),
        lambda d: d["assessment"]["preconditions"][0].__setitem__("status", "fine"),
        lambda d: d["summary"]["verdicts"].__setitem__("supported", -1),
    ],
    ids=[
        "no links",
        "unknown verdict",
        "number as text",
        "column left out",
        "old version",
        "unknown status",
        "negative count",
    ],
)
def test_a_broken_document_is_refused(document, breakage):
    broken = copy.deepcopy(document)
    breakage(broken)
    assert not VALIDATOR.is_valid(broken)


def validate(path) -> None:
    """Validate one run's results.json (the discovery and plan tests call it too)."""
    VALIDATOR.validate(json.loads(path.read_text(encoding="utf-8")))
