"""Inter-annotator agreement: pure numpy/pandas, no Flask, no database.

``prepare`` codes a long table (item, annotator, label) once; every metric takes the
resulting ``Ratings``; ``compute_all`` returns an ``AgreementReport`` whose
``to_dict()`` is the JSON printed by ``guidelines agreement FILE --json``.
"""

from guidelines_app.domain.agreement.annotators import (
    AnnotatorAgreement,
    annotator_agreement,
    gold_accuracy,
)
from guidelines_app.domain.agreement.coefficients import Coefficient
from guidelines_app.domain.agreement.conger import conger_kappa
from guidelines_app.domain.agreement.gwet import gwet_ac1, gwet_ac2
from guidelines_app.domain.agreement.kappa import brennan_prediger, fleiss_kappa, percent_agreement
from guidelines_app.domain.agreement.krippendorff import coincidence_matrix, krippendorff_alpha
from guidelines_app.domain.agreement.multilabel import BinaryLabelAgreement, multilabel_agreement
from guidelines_app.domain.agreement.pairwise import (
    cohen_kappa,
    common_items_matrix,
    mean_pairwise,
    pair_confusion,
    pairwise_matrix,
    scott_pi,
)
from guidelines_app.domain.agreement.per_label import LabelAgreement, per_label_agreement
from guidelines_app.domain.agreement.ratings import Ratings, from_wide, prepare
from guidelines_app.domain.agreement.report import AgreementReport, compute_all
from guidelines_app.domain.agreement.spans import span_f1, token_alpha

__all__ = [
    "AgreementReport",
    "AnnotatorAgreement",
    "BinaryLabelAgreement",
    "Coefficient",
    "LabelAgreement",
    "Ratings",
    "annotator_agreement",
    "brennan_prediger",
    "cohen_kappa",
    "coincidence_matrix",
    "common_items_matrix",
    "compute_all",
    "conger_kappa",
    "fleiss_kappa",
    "from_wide",
    "gold_accuracy",
    "gwet_ac1",
    "gwet_ac2",
    "krippendorff_alpha",
    "mean_pairwise",
    "multilabel_agreement",
    "pair_confusion",
    "pairwise_matrix",
    "per_label_agreement",
    "percent_agreement",
    "prepare",
    "scott_pi",
    "span_f1",
    "token_alpha",
]
