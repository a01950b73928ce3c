"""Every report text exists in English, bokmål and nynorsk."""

from __future__ import annotations

import string

import pytest

from bms_eval.estimation.verdicts import VERDICTS
from bms_eval.texts import LANGUAGES, Texts, all_keys


def test_every_key_has_all_three_languages():
    for key, versions in all_keys().items():
        assert set(versions) == set(LANGUAGES), key
        assert all(v.strip() for v in versions.values()), key


def test_placeholders_agree_across_languages():
    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    for key, versions in all_keys().items():
        assert len({frozenset(fields(v)) for v in versions.values()}) == 1, key


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_verdict_and_status_has_a_label(language):
    texts = Texts(language)
    for verdict in VERDICTS:
        assert texts.verdict(verdict)
    for status in ("green", "yellow", "red", "none"):
        assert texts.status(status)


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        Texts("de")
