"""Semantic diff between two revisions of a taxonomy, in the terms a lead thinks in.

Labels are matched by id (ids are stable, names are not). A label can appear in several
lists at once: renamed and moved, or redefined and deprecated. Merges and splits are read
from the deprecations of this change:

* merged: two or more labels newly deprecated, each with ``replaced_by`` the same single id;
* split: one label newly deprecated with two or more ``replaced_by`` ids.

A newly deprecated label that is neither (no replacement, or one replacement shared with
no other) stays in ``deprecated`` only. Merged and split labels are listed in
``deprecated`` too.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from guidelines_app.domain.taxonomy_model import Label, LabelEntry, Taxonomy

TEXT_FIELDS = ("description", "hint")
LIST_FIELDS = ("examples", "counter_examples")
OTHER_FIELDS = ("synonyms", "color", "value")
_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``[(op, text)]`` with op ``equal``, ``delete`` or ``insert``, on word boundaries."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    ops: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("insert", "".join(b[j1:j2])))
    return ops


@dataclass(frozen=True)
class LabelRef:
    id: str
    name: str


@dataclass(frozen=True)
class Rename:
    id: str
    old_name: str
    new_name: str


@dataclass(frozen=True)
class Move:
    id: str
    name: str
    old_parent: str | None
    new_parent: str | None


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any
    # Word-level diff for text fields; for lists, the items removed and added.
    words: tuple[tuple[str, str], ...] = ()
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()


@dataclass(frozen=True)
class Redefinition:
    id: str
    name: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Deprecation:
    id: str
    name: str
    replaced_by: tuple[str, ...]


@dataclass(frozen=True)
class Merge:
    sources: tuple[str, ...]
    into: str


@dataclass(frozen=True)
class Split:
    source: str
    into: tuple[str, ...]


@dataclass(frozen=True)
class TaxonomyDiff:
    old: Taxonomy = field(repr=False)
    new: Taxonomy = field(repr=False)
    meta: tuple[FieldChange, ...] = ()
    added: tuple[LabelRef, ...] = ()
    removed: tuple[LabelRef, ...] = ()
    renamed: tuple[Rename, ...] = ()
    moved: tuple[Move, ...] = ()
    redefined: tuple[Redefinition, ...] = ()
    deprecated: tuple[Deprecation, ...] = ()
    reinstated: tuple[LabelRef, ...] = ()
    merged: tuple[Merge, ...] = ()
    split: tuple[Split, ...] = ()
    # Changes that do not alter meaning: synonyms, colour, ordinal value.
    restyled: tuple[Redefinition, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in _LIST_NAMES)

    def to_dict(self) -> dict[str, Any]:
        return {name: [_plain(item) for item in getattr(self, name)] for name in _LIST_NAMES}


_LIST_NAMES = (
    "meta",
    "added",
    "removed",
    "renamed",
    "moved",
    "redefined",
    "deprecated",
    "reinstated",
    "merged",
    "split",
    "restyled",
)


def _plain(item: object) -> Any:
    if isinstance(item, tuple):
        return [_plain(x) for x in item]
    if hasattr(item, "__dataclass_fields__"):
        return {name: _plain(getattr(item, name)) for name in item.__dataclass_fields__}
    return item


def _change(name: str, old: Any, new: Any) -> FieldChange:
    if isinstance(old, str) and isinstance(new, str):
        return FieldChange(name, old, new, words=tuple(word_diff(old, new)))
    if isinstance(old, tuple) and isinstance(new, tuple):
        removed = tuple(x for x in old if x not in new)
        added = tuple(x for x in new if x not in old)
        return FieldChange(name, list(old), list(new), removed=removed, added=added)
    return FieldChange(name, old, new)


def _field_changes(old: Label, new: Label, names: tuple[str, ...]) -> tuple[FieldChange, ...]:
    return tuple(
        _change(name, getattr(old, name), getattr(new, name))
        for name in names
        if getattr(old, name) != getattr(new, name)
    )


def semantic_diff(old: Taxonomy, new: Taxonomy) -> TaxonomyDiff:
    before: dict[str, LabelEntry] = {}
    for entry in old.iter_labels():
        before.setdefault(entry.label.id, entry)
    after: dict[str, LabelEntry] = {}
    for entry in new.iter_labels():
        after.setdefault(entry.label.id, entry)

    meta = tuple(
        _change(name, getattr(old, name), getattr(new, name))
        for name in ("name", "description", "kind")
        if getattr(old, name) != getattr(new, name)
    )
    added = tuple(LabelRef(i, e.label.name) for i, e in after.items() if i not in before)
    removed = tuple(LabelRef(i, e.label.name) for i, e in before.items() if i not in after)
    renamed, moved, redefined, deprecated, reinstated, restyled = [], [], [], [], [], []
    for label_id, entry in after.items():
        label = entry.label
        was = before.get(label_id)
        if was is None:
            continue
        if was.label.name != label.name:
            renamed.append(Rename(label_id, was.label.name, label.name))
        if was.parent_id != entry.parent_id:
            moved.append(Move(label_id, label.name, was.parent_id, entry.parent_id))
        changes = _field_changes(was.label, label, TEXT_FIELDS + LIST_FIELDS)
        if changes:
            redefined.append(Redefinition(label_id, label.name, changes))
        style = _field_changes(was.label, label, OTHER_FIELDS)
        if style:
            restyled.append(Redefinition(label_id, label.name, style))
        if label.deprecated and not was.label.deprecated:
            deprecated.append(Deprecation(label_id, label.name, label.replaced_by))
        elif was.label.deprecated and not label.deprecated:
            reinstated.append(LabelRef(label_id, label.name))

    by_target: dict[str, list[str]] = defaultdict(list)
    for item in deprecated:
        if len(item.replaced_by) == 1:
            by_target[item.replaced_by[0]].append(item.id)
    merged = tuple(
        Merge(tuple(sources), target) for target, sources in by_target.items() if len(sources) > 1
    )
    split = tuple(Split(d.id, d.replaced_by) for d in deprecated if len(d.replaced_by) > 1)
    return TaxonomyDiff(
        old=old,
        new=new,
        meta=meta,
        added=added,
        removed=removed,
        renamed=tuple(renamed),
        moved=tuple(moved),
        redefined=tuple(redefined),
        deprecated=tuple(deprecated),
        reinstated=tuple(reinstated),
        merged=merged,
        split=split,
        restyled=tuple(restyled),
    )
