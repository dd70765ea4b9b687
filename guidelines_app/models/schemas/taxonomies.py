"""API bodies of taxonomies: the list, one label tree, a semantic diff, a migration map.

The taxonomy feature writes these bodies as plain data (the pages' ``?format=json`` and
``guidelines taxonomy diff --json`` share them); the API reads them through these
schemas, so what it sends is exactly what the OpenAPI document declares.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, JsonValue

from guidelines_app.models.schemas.common import Public


class TaxonomySummary(Public):
    slug: str
    name: str
    kind: str
    labels: int = Field(description="how many labels, nested ones included")
    latest_release: int | None
    ahead: int = Field(description="commits since the latest release")
    governed_by: list[str] = Field(description="guidelines whose front matter names it")
    error: str | None = Field(
        description="the first problems of the draft that the save path would refuse, if any"
    )


class TaxonomyList(Public):
    """The taxonomies."""

    taxonomies: list[TaxonomySummary]


class LabelPublic(Public):
    id: str
    name: str
    description: str
    examples: list[str]
    counter_examples: list[str]
    synonyms: list[str]
    color: str | None
    hint: str
    value: int | float | None = Field(description="the ordinal value, for ordinal scales")
    deprecated: bool
    replaced_by: list[str]
    children: list[LabelPublic]


class Revision(Public):
    label: str = Field(description="v2, draft or a short commit id")
    commit: str
    release: int | None


class TaxonomyPublic(Public):
    """The taxonomy at a revision: its label tree and any problems."""

    slug: str
    revision: Revision
    name: str
    description: str
    kind: str
    labels: list[LabelPublic]
    problems: list[str] = Field(
        description="what the save path would refuse in the file at this revision (a push "
        "bypasses it); the labels are empty when the YAML cannot be read at all"
    )
    governed_by: list[str]


class LabelRef(Public):
    id: str
    name: str


class Rename(Public):
    id: str
    old_name: str
    new_name: str


class Move(Public):
    id: str
    name: str
    old_parent: str | None
    new_parent: str | None


class FieldChange(Public):
    field: str
    old: JsonValue
    new: JsonValue
    words: list[tuple[Literal["equal", "delete", "insert"], str]] = Field(
        description="word-level diff of a text field"
    )
    removed: list[str] = Field(description="items removed from a list field")
    added: list[str] = Field(description="items added to a list field")


class Redefinition(Public):
    id: str
    name: str
    changes: list[FieldChange]


class Deprecation(Public):
    id: str
    name: str
    replaced_by: list[str]


class Merge(Public):
    sources: list[str]
    into: str


class Split(Public):
    source: str
    into: list[str]


class Changes(Public):
    meta: list[FieldChange] = Field(description="name, description or kind of the taxonomy")
    added: list[LabelRef]
    removed: list[LabelRef]
    renamed: list[Rename]
    moved: list[Move]
    redefined: list[Redefinition]
    deprecated: list[Deprecation]
    reinstated: list[LabelRef]
    merged: list[Merge]
    split: list[Split]
    restyled: list[Redefinition] = Field(description="synonyms, colour, value: no new meaning")


class TaxonomyDiffPublic(Public):
    """The semantic diff: what changed, in the terms a lead thinks in."""

    taxonomy: str
    from_revision: Revision = Field(alias="from")
    to_revision: Revision = Field(alias="to")
    empty: bool
    changes: Changes


class MigrationEntry(Public):
    new_ids: list[str]
    status: Literal["unchanged", "replaced", "split", "unmapped"]
    needs_relabel: bool = Field(description="a split: annotations need a person to choose")


class MigrationPublic(Public):
    """The migration map, with the stored annotations each old label has."""

    taxonomy: str
    from_revision: Revision = Field(alias="from")
    to_revision: Revision = Field(alias="to")
    map: dict[str, MigrationEntry] = Field(description="old label id -> where it went")
    needs_relabel: list[str]
    unmapped: list[str]
    annotation_counts: dict[str, dict[str, int]] = Field(
        description="dataset -> old label id -> stored annotations carrying it"
    )
