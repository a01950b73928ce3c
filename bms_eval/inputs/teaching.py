"""Small scorecards for the teaching notebooks (``notebooks/teaching/``).

A planning course learns what a scorecard's arrows can and cannot show by testing
them on panels whose truth it knows: :func:`bms_eval.simulation.truth.simulate` and
:func:`~bms_eval.simulation.truth.simulate_pair` make the panels, this module the
scorecards they are tested against. Each scorecard has one arrow, ``X → Y``, and
uses 999 bootstrap draws (ample for a lesson, and quick).
"""

from __future__ import annotations

from bms_eval.inputs.model import (
    Ambition,
    AnalysisOptions,
    Indicator,
    Link,
    Perspective,
    Scorecard,
)

#: Bootstrap draws of the lessons' link tests.
LESSON_DRAWS = 999

#: The lessons' indicators (cause, effect) in each language of the verdicts.
LESSON_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "staff_users": {
        "en": ("Staff satisfaction", "User satisfaction"),
        "nb": ("Medarbeidertilfredshet", "Brukertilfredshet"),
        "nn": ("Medarbeidartilfredsheit", "Brukartilfredsheit"),
    },
    "staff_survey": {
        "en": ("Staff satisfaction", "User satisfaction (1–6)"),
        "nb": ("Medarbeidertilfredshet", "Brukertilfredshet (1–6)"),
        "nn": ("Medarbeidartilfredsheit", "Brukartilfredsheit (1–6)"),
    },
    "courses_survey": {
        "en": ("Course days", "User satisfaction (1–6)"),
        "nb": ("Kursdager", "Brukertilfredshet (1–6)"),
        "nn": ("Kursdagar", "Brukartilfredsheit (1–6)"),
    },
    "training_quality": {
        "en": ("Training", "Service quality"),
        "nb": ("Opplæring", "Tjenestekvalitet"),
        "nn": ("Opplæring", "Tenestekvalitet"),
    },
}


def lesson_names(lesson: str, language: str) -> tuple[str, str]:
    """The cause's and the effect's names of a lesson (:data:`LESSON_NAMES`) in the
    language of its verdicts, so a lesson in nynorsk reads in nynorsk throughout."""
    return LESSON_NAMES[lesson][language]


def lesson_scorecard(
    cause: str,
    effect: str,
    *,
    lag: int = 1,
    language: str = "en",
    effect_scale: tuple[float, float] | None = None,
    effect_ambition: tuple[float, float] | None = None,
) -> Scorecard:
    """A scorecard with one arrow ``X → Y`` (``cause`` and ``effect`` are the
    indicators' names), both better when higher.

    Parameters
    ----------
    cause, effect : str
        The names of ``X`` and ``Y``.
    lag : int
        Years from cause to effect.
    language : {"en", "nb", "nn"}
        The language of the verdicts' reasons.
    effect_scale : (low, high), optional
        The scale of ``Y`` (a survey's 1–6, say).
    effect_ambition : (target, threshold), optional
        ``Y``'s ambition: green at the target, yellow at the threshold.
    """
    ambition = Ambition(*effect_ambition) if effect_ambition else None
    return Scorecard(
        name="Lesson",
        language=language,  # type: ignore[arg-type]
        perspectives=(Perspective("means", "Means"), Perspective("users", "Users")),
        indicators=(
            Indicator("X", cause, "means"),
            Indicator("Y", effect, "users", scale=effect_scale, ambition=ambition),
        ),
        links=(Link("X", "Y", (lag,), "+"),),
        analysis=AnalysisOptions(bootstrap_draws=LESSON_DRAWS),
    )
