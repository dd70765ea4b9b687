"""Published reference values, each with its source."""

import numpy as np
import pytest

from guidelines_app.domain.agreement import (
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    krippendorff_alpha,
    prepare,
)

from .reference_data import (
    ABSTRACTOR_CATEGORIES,
    ABSTRACTORS,
    ANXIETY,
    FLEISS_1971,
    GWET_4RATERS,
    KRIPPENDORFF_2011,
    WIKIPEDIA_FLEISS,
    WIKIPEDIA_KRIPPENDORFF,
    from_annotator_rows,
    from_category_counts,
    from_contingency,
    from_two_vectors,
)


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C.
@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_reproduces_krippendorff_2011_worked_example(level, expected):
    ratings = prepare(from_annotator_rows(KRIPPENDORFF_2011))
    assert krippendorff_alpha(ratings, level=level).value == pytest.approx(expected, abs=5e-4)


# Wikipedia, "Krippendorff's alpha", worked example.
@pytest.mark.parametrize(("level", "expected"), [("nominal", 0.691), ("interval", 0.811)])
def test_alpha_reproduces_wikipedia_example(level, expected):
    ratings = prepare(from_annotator_rows(WIKIPEDIA_KRIPPENDORFF))
    assert krippendorff_alpha(ratings, level=level).value == pytest.approx(expected, abs=5e-4)


def test_fleiss_kappa_reproduces_fleiss_1971_psychiatric_diagnoses():
    # 0.4302445: R irr kappam.fleiss(diagnoses), quoted in statsmodels
    # test_inter_rater.py::test_fleiss_kappa_irr; Fleiss (1971) reports .430.
    result = fleiss_kappa(prepare(from_annotator_rows(np.array(FLEISS_1971).T.tolist())))
    assert result.name == "fleiss_kappa_classic"
    assert result.value == pytest.approx(0.4302445, abs=1e-7)


def test_fleiss_kappa_reproduces_wikipedia_example():
    # Wikipedia "Fleiss' kappa" and statsmodels test_inter_rater.py::test_fleiss_kappa.
    result = fleiss_kappa(prepare(from_category_counts(WIKIPEDIA_FLEISS)))
    assert result.value == pytest.approx(0.210, abs=5e-4)


# statsmodels test_inter_rater.py::test_fleis_randolph, values from Randolph's online
# calculator (justusrandolph.net/kappa): fixed-marginal (Fleiss) and free-marginal.
@pytest.mark.parametrize(
    ("table", "fleiss", "free_marginal"),
    [
        ([[7, 1], [3, 5]], 0.161905, 0.214286),
        ([[6, 1, 0], [0, 7, 0]], 0.708333, 0.785714),
        ([[7, 0], [0, 7]], 1.0, 1.0),
    ],
)
def test_fleiss_and_free_marginal_kappa_reproduce_randolph_calculator(table, fleiss, free_marginal):
    categories = list(range(len(table[0])))  # the unused third category still counts
    ratings = prepare(from_category_counts(table), categories=categories)
    assert fleiss_kappa(ratings).value == pytest.approx(fleiss, abs=6e-6)
    assert brennan_prediger(ratings).value == pytest.approx(free_marginal, abs=6e-6)


# scikit-learn metrics/tests/test_classification.py::test_cohen_kappa.
def test_cohen_kappa_reproduces_artstein_poesio_table_1():
    first = np.array([0] * 40 + [1] * 60)
    second = np.array([0] * 20 + [1] * 20 + [0] * 10 + [1] * 50)
    result = cohen_kappa(prepare(from_two_vectors(first, second)), "a", "b")
    assert result.value == pytest.approx(0.348, abs=5e-4)


def test_cohen_kappa_reproduces_artstein_poesio_table_4():
    first = np.array([0] * 46 + [1] * 44 + [2] * 10)
    second = np.array([0] * 52 + [1] * 32 + [2] * 16)
    result = cohen_kappa(prepare(from_two_vectors(first, second)), "a", "b")
    assert result.value == pytest.approx(0.8013, abs=5e-5)


@pytest.mark.parametrize(
    ("weights", "expected"), [(None, 0.9315), ("linear", 0.9412), ("quadratic", 0.9541)]
)
def test_weighted_cohen_kappa_reproduces_scikit_learn_example(weights, expected):
    first = np.array([0] * 46 + [1] * 44 + [2] * 10)
    second = np.array([0] * 50 + [1] * 40 + [2] * 10)
    ratings = prepare(from_two_vectors(first, second))
    assert cohen_kappa(ratings, "a", "b", weights=weights).value == pytest.approx(
        expected, abs=5e-5
    )


# statsmodels test_inter_rater.py::TestUnweightedCohens / TestWeightedCohens: a SAS
# printout (kappa and its asymptotic standard error).
@pytest.mark.parametrize(
    ("weights", "kappa", "ase"), [(None, 0.4842, 0.1380), ("linear", 0.4701, 0.1457)]
)
def test_cohen_kappa_and_standard_error_reproduce_sas_example(weights, kappa, ase):
    ratings = prepare(from_contingency([[0, 4, 1], [0, 8, 0], [0, 1, 5]]))
    result = cohen_kappa(ratings, "a", "b", weights=weights)
    assert result.value == pytest.approx(kappa, abs=5e-5)
    assert result.se == pytest.approx(ase, abs=5e-5)


# statsmodels test_inter_rater.py::test_cohens_kappa_irr: R irr kappa2(anxiety[, 2:3]).
# irr ranks the levels present (1, 2, 3, 4, 6), so the categories are ordered labels.
@pytest.mark.parametrize(
    ("weights", "expected"),
    [(None, -0.006289308), ("linear", 0.1459075), ("quadratic", 0.2520325)],
)
def test_cohen_kappa_reproduces_r_irr_on_anxiety_ratings(weights, expected):
    frame = from_two_vectors(ANXIETY[:, 1].astype(str), ANXIETY[:, 2].astype(str))
    ratings = prepare(frame, categories=["1", "2", "3", "4", "6"])
    assert cohen_kappa(ratings, "a", "b", weights=weights).value == pytest.approx(
        expected, abs=1e-7
    )


# irrCAC raw.py docstring (Gwet 2014, 4 raters x 12 subjects).
def test_gwet_ac1_and_standard_error_reproduce_irrcac_documentation():
    result = gwet_ac1(prepare(from_annotator_rows(GWET_4RATERS)))
    assert result.value == pytest.approx(0.77544, abs=5e-6)
    assert result.se == pytest.approx(0.14295, abs=5e-6)


def test_generalised_fleiss_kappa_and_standard_error_reproduce_irrcac_documentation():
    result = fleiss_kappa(prepare(from_annotator_rows(GWET_4RATERS)))
    assert result.name == "fleiss_kappa_generalised"
    assert result.value == pytest.approx(0.76117, abs=5e-6)
    assert result.se == pytest.approx(0.15302, abs=5e-6)


def test_gwet_ac2_with_bipolar_weights_reproduces_irrcac_documentation():
    # The "bipolar" weight matrix printed in the same docstring, as a custom matrix.
    w = np.array(
        [
            [1, 6 / 7, 2 / 3, 0.4, 0],
            [6 / 7, 1, 14 / 15, 0.75, 0.4],
            [2 / 3, 14 / 15, 1, 14 / 15, 2 / 3],
            [0.4, 0.75, 14 / 15, 1, 6 / 7],
            [0, 0.4, 2 / 3, 6 / 7, 1],
        ]
    )
    result = gwet_ac2(prepare(from_annotator_rows(GWET_4RATERS)), weights=w)
    assert result.value == pytest.approx(0.90037, abs=5e-6)
    assert result.se == pytest.approx(0.10582, abs=5e-6)


# irrCAC table.py docstring: table_cont3x3abstractors.
def test_gwet_ac1_reproduces_irrcac_abstractors_example():
    frame = from_contingency(ABSTRACTORS, ABSTRACTOR_CATEGORIES)
    result = gwet_ac1(prepare(frame, categories=ABSTRACTOR_CATEGORIES))
    # (irrCAC's table standard error, 0.04322, is Gwet's two-rater formula, which
    # differs from the raw-ratings one used here; the value is the same coefficient.)
    assert result.value == pytest.approx(0.84933, abs=5e-6)


def test_gwet_ac2_orders_string_categories_as_given_not_alphabetically():
    # Quadratic weights over Ectopic < AIU < NIU give 0.94024 (irrCAC table.py docstring);
    # alphabetical order (AIU, Ectopic, NIU) would weight the categories differently.
    frame = from_contingency(ABSTRACTORS, ABSTRACTOR_CATEGORIES)
    result = gwet_ac2(prepare(frame, categories=ABSTRACTOR_CATEGORIES), weights="quadratic")
    assert result.value == pytest.approx(0.94024, abs=5e-6)


def test_cohen_kappa_with_a_custom_weight_matrix_reproduces_r_irr():
    # statsmodels test_cohens_kappa_irr: R irr kappa2(anxiety[, 2:3], c(0, 0, 1, 1, 2))
    # = 0.2391304, disagreement weights by distance; as agreement weights 1 - d / 2.
    distance = np.array([0, 0, 1, 1, 2])
    index = np.arange(5)
    w = 1.0 - distance[np.abs(index[:, None] - index[None, :])] / 2.0
    frame = from_two_vectors(ANXIETY[:, 1].astype(str), ANXIETY[:, 2].astype(str))
    ratings = prepare(frame, categories=["1", "2", "3", "4", "6"])
    assert cohen_kappa(ratings, "a", "b", weights=w).value == pytest.approx(0.2391304, abs=1e-7)
