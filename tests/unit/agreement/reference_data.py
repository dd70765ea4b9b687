"""Published data sets for agreement coefficients, as long tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement import from_wide

N = None

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C:
# 4 observers (rows) x 12 units (columns), missing data.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]

# Wikipedia, "Krippendorff's alpha", worked example: 3 coders x 15 units.
WIKIPEDIA_KRIPPENDORFF = [
    [N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3],
    [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N],
    [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4],
]

# Wikipedia, "Fleiss' kappa", worked example (also statsmodels test_inter_rater.py
# table1): 10 subjects x 5 categories, 14 raters each; counts per category.
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Fleiss (1971): 30 patients x 6 psychiatrists, 5 diagnoses (as in statsmodels
# test_inter_rater.py `diagnoses`, R irr's `diagnoses` data set).
FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]  # fmt: skip

# statsmodels test_inter_rater.py `anxiety` (R irr's `anxiety`): 20 subjects x 3 raters.
ANXIETY = np.array(
    [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3,
     3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4,
     2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]
).reshape(20, 3, order="F")  # fmt: skip

# irrCAC datasets.raw_4raters (Gwet 2014): Krippendorff's data with observer B's
# rating of unit 12 given to rater 3.
GWET_4RATERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, N],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]

# irrCAC datasets.table_cont3x3abstractors: 2 abstractors, 100 pregnancies.
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
ABSTRACTOR_CATEGORIES = ["Ectopic", "AIU", "NIU"]


def from_annotator_rows(rows: list[list]) -> pd.DataFrame:
    """Long table from annotators x units (None for missing)."""
    return from_wide(np.array(rows, dtype=float).T)


def from_category_counts(table: list[list], categories: list | None = None) -> pd.DataFrame:
    """Long table from items x categories counts; annotators are numbered per item."""
    categories = categories or list(range(len(table[0])))
    records = []
    for item, row in enumerate(table):
        position = 0
        for category, count in zip(categories, row, strict=True):
            for _ in range(int(count)):
                records.append((item, position, category))
                position += 1
    return pd.DataFrame(records, columns=["item", "annotator", "label"])


def from_contingency(table: list[list], categories: list | None = None) -> pd.DataFrame:
    """Long table for annotators "a" (rows) and "b" (columns) from their cross-table."""
    categories = categories or list(range(len(table)))
    records = []
    item = 0
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            for _ in range(int(count)):
                records += [(item, "a", categories[i]), (item, "b", categories[j])]
                item += 1
    return pd.DataFrame(records, columns=["item", "annotator", "label"])


def from_two_vectors(first: np.ndarray, second: np.ndarray) -> pd.DataFrame:
    n = len(first)
    return pd.DataFrame(
        {
            "item": np.concatenate([np.arange(n), np.arange(n)]),
            "annotator": ["a"] * n + ["b"] * n,
            "label": np.concatenate([first, second]),
        }
    )
