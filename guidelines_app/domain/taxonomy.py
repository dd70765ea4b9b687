"""Label taxonomies: the model, YAML parsing and validation, in one import.

The code lives in ``taxonomy_model`` (dataclasses and walks), ``taxonomy_yaml`` (parse and
``to_yaml``), ``taxonomy_validate`` (every rule), ``taxonomy_diff`` (semantic diff and
migration map) and ``taxonomy_edit`` (edit operations); this module is the front door.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.taxonomy_diff import TaxonomyDiff, semantic_diff, word_diff
from guidelines_app.domain.taxonomy_edit import (
    add_label,
    deprecate_label,
    merge_labels,
    move_label,
    rename_label,
    split_label,
)
from guidelines_app.domain.taxonomy_migration import MigrationEntry, MigrationMap, migration_map
from guidelines_app.domain.taxonomy_model import (
    ID_PATTERN,
    KINDS,
    MAX_TEXT_BYTES,
    Label,
    LabelEntry,
    Taxonomy,
    iter_labels,
    name_key,
    slug_id,
)
from guidelines_app.domain.taxonomy_roundtrip import update_yaml
from guidelines_app.domain.taxonomy_validate import validate
from guidelines_app.domain.taxonomy_yaml import (
    check_size,
    parse_taxonomy,
    parse_taxonomy_lenient,
    to_yaml,
)


def parse_and_validate(
    text: str,
    previous_ids: Mapping[str, str] | None = None,
    *,
    previous_revision_ids: Collection[str] | None = None,
) -> Taxonomy:
    """Parse and validate; raise InvalidInput with the shape and rule problems together."""
    taxonomy, problems = parse_taxonomy_lenient(text)
    problems += validate(
        taxonomy, previous_ids=previous_ids, previous_revision_ids=previous_revision_ids
    )
    if problems:
        raise InvalidInput(problems=problems)
    return taxonomy


__all__ = [
    "ID_PATTERN",
    "KINDS",
    "MAX_TEXT_BYTES",
    "Label",
    "LabelEntry",
    "MigrationEntry",
    "MigrationMap",
    "Taxonomy",
    "TaxonomyDiff",
    "add_label",
    "check_size",
    "deprecate_label",
    "iter_labels",
    "merge_labels",
    "migration_map",
    "move_label",
    "name_key",
    "parse_and_validate",
    "parse_taxonomy",
    "parse_taxonomy_lenient",
    "rename_label",
    "semantic_diff",
    "slug_id",
    "split_label",
    "to_yaml",
    "update_yaml",
    "validate",
    "word_diff",
]
