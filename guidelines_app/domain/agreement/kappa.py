"""Percent agreement, Fleiss' kappa and Brennan-Prediger, over items (see gwet.py)."""

from __future__ import annotations

import numpy as np

from guidelines_app.domain.agreement.bootstrap import Profiles
from guidelines_app.domain.agreement.coefficients import Coefficient
from guidelines_app.domain.agreement.gwet import chance_corrected_coefficient
from guidelines_app.domain.agreement.ratings import Ratings


def percent_agreement(
    ratings: Ratings, *, bootstrap: int = 0, seed: int = 0, profiles: Profiles | None = None
) -> Coefficient:
    """Share of agreeing pairs of ratings within an item, averaged over pairable items."""
    return chance_corrected_coefficient(
        ratings, "percent_agreement", "none", bootstrap=bootstrap, seed=seed, profiles=profiles
    )


def is_balanced(ratings: Ratings) -> bool:
    """Every item has the same number (two or more) of ratings: Fleiss' (1971) setting."""
    m = ratings.profiles.ratings_per_profile  # every profile is some item's
    return len(m) > 0 and m.min() == m.max() and m[0] >= 2


def fleiss_kappa(
    ratings: Ratings,
    *,
    weights: str | np.ndarray | None = None,
    bootstrap: int = 0,
    seed: int = 0,
    profiles: Profiles | None = None,
) -> Coefficient:
    """Fleiss' kappa: the classic form (Fleiss 1971) when every item has the same number of
    ratings, otherwise Gwet's generalised form for missing ratings; the name says which.
    The two agree wherever both are defined."""
    form = "classic" if is_balanced(ratings) else "generalised"
    prefix = "fleiss_kappa" if weights is None else "fleiss_kappa_weighted"
    return chance_corrected_coefficient(
        ratings,
        f"{prefix}_{form}",
        "fleiss",
        weights=weights,
        bootstrap=bootstrap,
        seed=seed,
        profiles=profiles,
    )


def brennan_prediger(
    ratings: Ratings,
    *,
    weights: str | np.ndarray | None = None,
    bootstrap: int = 0,
    seed: int = 0,
    profiles: Profiles | None = None,
) -> Coefficient:
    """Brennan and Prediger (1981), also Randolph's (2005) free-marginal multirater kappa:
    chance agreement 1/q over the q categories of the domain (unused ones included)."""
    return chance_corrected_coefficient(
        ratings,
        "brennan_prediger",
        "uniform",
        weights=weights,
        bootstrap=bootstrap,
        seed=seed,
        profiles=profiles,
    )
