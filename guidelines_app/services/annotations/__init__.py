"""Annotation batches: importing files, their context, their figures, background jobs.

One import path serves the upload page, the API and the CLI: ``import_batch`` imports a
file as a batch in short transactions (the batch is ``importing``, invisible, until its
last row is written) and computes its figures. ``discard_abandoned`` deletes what an
import killed midway left (for ``guidelines check --repair``). ``import_annotations`` is
its first half (the rows only), for the demo and for tests that look at the rows alone.
``remove_batch`` takes a batch out again with everything computed from it;
``set_batch_release`` re-stamps one without recomputing its figures.
"""

from __future__ import annotations

from guidelines_app.services.annotations.batch_import import (
    COMPUTING,
    ImportOptions,
    import_batch,
)
from guidelines_app.services.annotations.batch_release import INFER, set_batch_release
from guidelines_app.services.annotations.batch_removal import (
    BatchStillImporting,
    RemovedBatch,
    remove_batch,
)
from guidelines_app.services.annotations.checks import (
    DATASET_RE,
    FORMULA_START,
    LIMITS,
    NUMBER_RE,
    check_dataset_slug,
    read_file,
)
from guidelines_app.services.annotations.compute import (
    FIGURES_VERSION,
    KINDS,
    dimensions_of,
    figures,
    kind_of,
    numeric_labels,
    relevant_columns,
    select_dimension,
)
from guidelines_app.services.annotations.context import (
    MAX_LISTED,
    BatchContext,
    check_labels,
    release_in_force,
    resolve,
)
from guidelines_app.services.annotations.importing import (
    ImportOutcome,
    annotations_of_item,
    count_batches,
    duplicate_conflict,
    find_duplicate,
    get_batch,
    import_annotations,
    importer_id_for,
    list_batches,
)
from guidelines_app.services.annotations.jobs import (
    INTERRUPTED,
    STALE_AFTER,
    create_job,
    get_job,
    live_imports_since,
    mark_interrupted,
    run_job,
    running_import,
    start,
    stuck_imports,
)
from guidelines_app.services.annotations.stored import (
    BOOTSTRAP,
    SEED,
    BatchReport,
    batch_figures,
    batch_frame,
    dimensions,
    keep_figures,
    precompute,
)
from guidelines_app.services.annotations.writing import (
    ABANDONED_AFTER,
    ANNOTATIONS,
    CHUNK,
    IMPORTED,
    IMPORTING,
    ITEMS,
    LOOKUP_CHUNK,
    AfterChunk,
    abandoned_imports,
    discard_abandoned,
)

__all__ = [
    "ABANDONED_AFTER",
    "ANNOTATIONS",
    "BOOTSTRAP",
    "CHUNK",
    "COMPUTING",
    "DATASET_RE",
    "FIGURES_VERSION",
    "FORMULA_START",
    "IMPORTED",
    "IMPORTING",
    "INFER",
    "INTERRUPTED",
    "ITEMS",
    "KINDS",
    "LIMITS",
    "LOOKUP_CHUNK",
    "MAX_LISTED",
    "NUMBER_RE",
    "SEED",
    "STALE_AFTER",
    "AfterChunk",
    "BatchContext",
    "BatchReport",
    "BatchStillImporting",
    "ImportOptions",
    "ImportOutcome",
    "RemovedBatch",
    "abandoned_imports",
    "annotations_of_item",
    "batch_figures",
    "batch_frame",
    "check_dataset_slug",
    "check_labels",
    "count_batches",
    "create_job",
    "dimensions",
    "dimensions_of",
    "discard_abandoned",
    "duplicate_conflict",
    "figures",
    "find_duplicate",
    "get_batch",
    "get_job",
    "import_annotations",
    "import_batch",
    "importer_id_for",
    "keep_figures",
    "kind_of",
    "list_batches",
    "live_imports_since",
    "mark_interrupted",
    "numeric_labels",
    "precompute",
    "read_file",
    "release_in_force",
    "relevant_columns",
    "remove_batch",
    "resolve",
    "run_job",
    "running_import",
    "select_dimension",
    "set_batch_release",
    "start",
    "stuck_imports",
]
