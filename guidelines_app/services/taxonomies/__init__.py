"""Taxonomies: read, validate, save, release, edit by form, diff, exchange with labeling tools."""

from __future__ import annotations

from guidelines_app.services.taxonomies.diffs import (
    TaxonomyChange,
    annotation_counts,
    compare,
    default_range,
    diff_json,
    label_json,
    migration_json,
    taxonomy_json,
)
from guidelines_app.services.taxonomies.edits import OPERATIONS, apply_operation, preview_operation
from guidelines_app.services.taxonomies.exchange import (
    RESERVED_SLUGS,
    Export,
    ImportResult,
    decode_upload,
    export,
    import_taxonomy,
    overlay,
)
from guidelines_app.services.taxonomies.history import FULL_ID, clear_caches, ids_at, ids_ever
from guidelines_app.services.taxonomies.label_info import LabelInfo, labels, load_lenient
from guidelines_app.services.taxonomies.taxonomy import (
    Governing,
    InvalidMerge,
    TaxonomyEntry,
    TaxonomyPage,
    check_text,
    default_ref,
    governing_guidelines,
    history_rules,
    list_taxonomies,
    load,
    release_taxonomy,
    save_taxonomy,
    show,
    validate_text,
)
from guidelines_app.services.taxonomies.tree import (
    TREE_PAGE_LABELS,
    TreePage,
    label_page_number,
    tree_page,
)
from guidelines_app.services.taxonomies.validity import problems_at, release_checks

__all__ = [
    "FULL_ID",
    "OPERATIONS",
    "RESERVED_SLUGS",
    "TREE_PAGE_LABELS",
    "Export",
    "Governing",
    "ImportResult",
    "InvalidMerge",
    "LabelInfo",
    "TaxonomyChange",
    "TaxonomyEntry",
    "TaxonomyPage",
    "TreePage",
    "annotation_counts",
    "apply_operation",
    "check_text",
    "clear_caches",
    "compare",
    "decode_upload",
    "default_range",
    "default_ref",
    "diff_json",
    "export",
    "governing_guidelines",
    "history_rules",
    "ids_at",
    "ids_ever",
    "import_taxonomy",
    "label_json",
    "label_page_number",
    "labels",
    "list_taxonomies",
    "load",
    "load_lenient",
    "migration_json",
    "overlay",
    "preview_operation",
    "problems_at",
    "release_checks",
    "release_taxonomy",
    "save_taxonomy",
    "show",
    "taxonomy_json",
    "tree_page",
    "validate_text",
]
