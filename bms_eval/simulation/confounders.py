"""Panels of one arrow ``X → Y`` with the shapes that mislead a within estimator:
unit-specific trends, common shocks felt unequally, and a reform adopted at
different times — each with and without a true effect, so the link tests can be
checked against a known truth (``benchmarks/confounders_study.py``, the tests).

The shapes, for unit ``i`` and year ``t`` (shocks ``e``, ``u`` standard normal)::

    plain      X = a_i + x,  Y = b_i + y,  x(t) = ρx(t−1) + e,  y(t) = ρy(t−1) + β·x(t−1) + u
    trend      plain, plus the same unit trend c_i·t in X and in Y (c_i ~ N(0, TREND_SD))
    factor     plain, plus λ_i·f(t) in X and κ_i·f(t) in Y: one national shock f(t) ~ N(0, 1)
               a year, felt unequally (λ_i ~ N(1, ½), κ_i = λ_i + N(0, ¼))
    staggered_constant / staggered_growing
               X is a reform: 0 before unit i adopts it in year G_i, 1 from then on
               (two waves, a third and two thirds into the panel, a fifth of the units
               never); Y = b_i + g(t) + y + τ(t − G_i)·X with τ = β (constant) or
               β·(1 + (t − G_i)/2) (growing each year)

``effect`` is the arrow's size in within-unit standard deviations: ``β`` is chosen so
that ``β·sd(x)/sd(y)`` equals it for the continuous shapes (the standardized effect of
the link tests), and ``τ = effect·sd(y)`` at adoption for a reform.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import pandas as pd

Shape = Literal["plain", "trend", "factor", "staggered_constant", "staggered_growing"]
SHAPES: tuple[Shape, ...] = get_args(Shape)

#: Persistence of both indicators' own dynamics.
PERSISTENCE = 0.5
#: Spread of the units' own trends (per year, in shock SDs) in ``trend``.
TREND_SD = 0.3
#: Years simulated and dropped before the panel starts (the dynamics settle).
BURN_IN = 20


def _ar_sd(rho: float, beta: float) -> tuple[float, float]:
    """Stationary SDs of ``x`` and ``y`` in ``plain`` (unit shock variances)."""
    var_x = 1.0 / (1.0 - rho**2)
    # y = ρy(−1) + βx(−1) + u: var_y = (β² var_x + 2ρβ cov(y, x) + 1) / (1 − ρ²),
    # cov(y, x) = ρ·(ρ cov(y, x) + β var_x) ⇒ cov = ρβ var_x / (1 − ρ²)
    cov = rho * beta * var_x / (1.0 - rho**2)
    var_y = (beta**2 * var_x + 2 * rho * beta * cov + 1.0) / (1.0 - rho**2)
    return float(np.sqrt(var_x)), float(np.sqrt(var_y))


def beta_for(effect: float, rho: float = PERSISTENCE) -> float:
    """The coefficient whose standardized size (``β·sd(x)/sd(y)``) is ``effect``."""
    beta = effect
    for _ in range(50):
        sd_x, sd_y = _ar_sd(rho, beta)
        beta = effect * sd_y / sd_x
    return float(beta)


def confounded_pair(
    shape: Shape,
    effect: float,
    units: int,
    years: int,
    seed: int,
    missing: float = 0.0,
) -> pd.DataFrame:
    """A tidy panel (``unit, period, indicator, value``) of indicators ``X`` and ``Y``.

    Parameters
    ----------
    shape : str
        One of :data:`SHAPES` (the module's list).
    effect : float
        The true effect of ``X`` on ``Y`` a year later (continuous shapes) or from
        adoption on (reforms), in within-unit standard deviations; 0 for no link.
    units, years : int
        Size of the panel.
    seed : int
        Seed of every draw.
    missing : float
        Share of values left out at random.
    """
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    rng = np.random.default_rng(seed)
    rho = PERSISTENCE
    span = years + BURN_IN
    reform = shape.startswith("staggered")
    beta = 0.0 if reform else beta_for(effect, rho)
    x = np.zeros((units, span))
    y = np.zeros((units, span))
    for t in range(1, span):
        x[:, t] = rho * x[:, t - 1] + rng.normal(size=units)
        y[:, t] = rho * y[:, t - 1] + beta * x[:, t - 1] + rng.normal(size=units)
    x, y = x[:, BURN_IN:], y[:, BURN_IN:]
    x = x + rng.normal(size=units)[:, None]
    y = y + rng.normal(size=units)[:, None]
    t = np.arange(years)[None, :]
    if shape == "trend":
        slope = rng.normal(0.0, TREND_SD, size=units)[:, None]
        x, y = x + slope * t, y + slope * t
    elif shape == "factor":
        shock = rng.normal(size=years)[None, :]
        load_x = rng.normal(1.0, 0.5, size=units)
        load_y = load_x + rng.normal(0.0, 0.25, size=units)
        x, y = x + load_x[:, None] * shock, y + load_y[:, None] * shock
    elif reform:
        waves = np.array([years // 3, (2 * years) // 3, years + 1])
        adopt = rng.choice(waves, size=units, p=[0.4, 0.4, 0.2])[:, None]
        since = t - adopt
        x = (since >= 0).astype(float)
        _, sd_y = _ar_sd(rho, 0.0)
        growth = 1.0 + np.maximum(since, 0) / 2 if shape.endswith("growing") else 1.0
        size = effect * sd_y * growth
        y = y + rng.normal(0.0, 0.3, size=years)[None, :] + size * x
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "unit": np.repeat([f"u{i:03d}" for i in range(units)], years),
                    "period": np.tile(np.arange(2001, 2001 + years), units),
                    "indicator": name,
                    "value": values.ravel(),
                }
            )
            for name, values in (("X", x), ("Y", y))
        ],
        ignore_index=True,
    )
    if missing > 0:
        frame = frame[rng.random(len(frame)) >= missing].reset_index(drop=True)
    return frame
