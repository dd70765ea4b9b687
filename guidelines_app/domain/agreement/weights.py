"""Agreement weights (1 on the diagonal, 0 for the worst disagreement) and alpha distances."""

from __future__ import annotations

import numpy as np

from guidelines_app.domain.agreement.ratings import Ratings
from guidelines_app.domain.errors import InvalidInput

WEIGHT_NAMES = ("identity", "linear", "quadratic")
LEVELS = ("nominal", "ordinal", "interval", "ratio")


def weight_name(weights: str | np.ndarray | None) -> str:
    if weights is None:
        return "identity"
    if isinstance(weights, str):
        return weights
    return "custom"


def weight_matrix(ratings: Ratings, weights: str | np.ndarray | None) -> np.ndarray:
    """Agreement weights w[k, l] in [0, 1] over ``ratings.categories``.

    ``linear`` is 1 - |v_k - v_l| / (v_max - v_min) and ``quadratic`` its square form,
    where v are the category values (numeric labels, or ranks in ``categories``). A
    custom matrix is taken as given (agreement weights, not disagreement weights).
    """
    q = ratings.n_categories
    if weights is None or (isinstance(weights, str) and weights == "identity"):
        return np.eye(q)
    if isinstance(weights, str):
        if weights not in WEIGHT_NAMES:
            raise InvalidInput(f"weights must be one of {', '.join(WEIGHT_NAMES)} or a matrix")
        require_order(ratings, f"{weights} weights")
        values = ratings.values
        span = float(values.max() - values.min()) if q else 0.0
        if span == 0:
            return np.ones((q, q))
        diff = np.abs(values[:, None] - values[None, :]) / span
        return 1.0 - (diff if weights == "linear" else diff**2)
    matrix = np.asarray(weights, dtype=float)
    if matrix.shape != (q, q):
        raise InvalidInput(f"a weight matrix must be {q} x {q} (one row per category)")
    return matrix


def require_order(ratings: Ratings, what: str) -> None:
    """Refuse to invent an order for string labels; fewer than two need none."""
    if not ratings.ordered and ratings.n_categories >= 2:
        raise InvalidInput(
            f"{what} need ordered categories: numeric labels, or pass categories in order"
        )


def distances(values: np.ndarray, level: str, marginals: np.ndarray) -> np.ndarray:
    """Krippendorff's squared difference functions, vectorised over leading axes of
    ``marginals`` (shape ``(..., q)``); the result has shape ``(..., q, q)``."""
    q = len(values)
    if level == "nominal":
        return np.broadcast_to(1.0 - np.eye(q), (*marginals.shape[:-1], q, q))
    if level == "ordinal":
        # The ordinal distance between c and k is the squared difference of their
        # mid-ranks among the pairable values: sum_{g<k} n_g + n_k/2 minus the same for c.
        mid = np.cumsum(marginals, axis=-1) - marginals / 2.0
        return (mid[..., :, None] - mid[..., None, :]) ** 2
    if level == "interval":
        return np.broadcast_to(
            (values[:, None] - values[None, :]) ** 2, (*marginals.shape[:-1], q, q)
        )
    if level == "ratio":
        total = values[:, None] + values[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            d = ((values[:, None] - values[None, :]) / total) ** 2
        d = np.where(total == 0, 0.0, d)
        return np.broadcast_to(d, (*marginals.shape[:-1], q, q))
    raise InvalidInput(f"level must be one of {', '.join(LEVELS)}")
