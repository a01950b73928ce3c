"""Prose last: the catalogs of sentences in three languages
(:mod:`~bms_eval.narrative.texts`) and the sentences written from results — the
reasons and notes of the link tests, their titles and summaries (docs/design.md)."""
