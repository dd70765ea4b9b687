from __future__ import annotations

from guidelines_app.db import session_scope
from guidelines_app.services.annotations import importing as annotations
from guidelines_app.services.taxonomies import diffs as taxonomy_diffs

CSV = b"item,annotator,label\nr1,a,positive\nr1,b,negative\nr2,a,positive\nr2,b,positive\n"


def test_migration_map_dry_run_counts_stored_annotations_per_dataset(app):
    engine = app.extensions["guidelines.engine"]
    with app.app_context(), session_scope(engine) as session:
        annotations.import_annotations(
            session=session,
            store=app.extensions["guidelines.store"],
            data=CSV,
            file_name="few.csv",
            dataset="reviews",
            guideline="product-review-sentiment",
        )
    with app.app_context(), session_scope(engine) as session:
        counts = taxonomy_diffs.annotation_counts(
            session, "product-review-sentiment", ["positive", "negative", "mixed"]
        )
    assert counts == {"reviews": {"positive": 3, "negative": 1}}
