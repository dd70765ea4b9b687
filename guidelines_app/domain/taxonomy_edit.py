"""Edit operations behind the taxonomy forms: pure functions from a taxonomy to a new one.

Each raises InvalidInput (with problems) when misused, and validates its result, so an
edit never produces a taxonomy the YAML reader would refuse. History rules (ids never
reused) need the repository and are checked by the caller with ``validate(previous_ids=)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypedDict, Unpack

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.domain.taxonomy_model import Label, Taxonomy
from guidelines_app.domain.taxonomy_validate import validate


def _fail(message: str, path: str = "") -> InvalidInput:
    return InvalidInput(problems=[Problem(message, path=path)])


def _checked(taxonomy: Taxonomy) -> Taxonomy:
    problems = validate(taxonomy)
    if problems:
        raise InvalidInput(problems=problems)
    return taxonomy


def _require(taxonomy: Taxonomy, label_id: str) -> Label:
    label = taxonomy.by_id().get(label_id)
    if label is None:
        raise _fail(f"no label {label_id!r}", "id")
    return label


def _map(labels: tuple[Label, ...], fn: Callable[[Label], Label]) -> tuple[Label, ...]:
    return tuple(fn(replace(label, children=_map(label.children, fn))) for label in labels)


class _LabelChanges(TypedDict, total=False):
    """The fields of a label that the edit operations change in place."""

    name: str
    deprecated: bool
    replaced_by: tuple[str, ...]


def _update(taxonomy: Taxonomy, label_id: str, **changes: Unpack[_LabelChanges]) -> Taxonomy:
    def fn(label: Label) -> Label:
        return replace(label, **changes) if label.id == label_id else label

    return replace(taxonomy, labels=_map(taxonomy.labels, fn))


def _insert(
    labels: tuple[Label, ...], parent_id: str | None, new: Sequence[Label], after: str | None
) -> tuple[Label, ...]:
    """Insert under ``parent_id`` (None: top level), right after sibling ``after`` or last."""

    def place(siblings: tuple[Label, ...]) -> tuple[Label, ...]:
        ids = [s.id for s in siblings]
        at = ids.index(after) + 1 if after in ids else len(siblings)
        return (*siblings[:at], *new, *siblings[at:])

    if parent_id is None:
        return place(labels)

    def fn(label: Label) -> Label:
        return replace(label, children=place(label.children)) if label.id == parent_id else label

    return _map(labels, fn)


def _remove(labels: tuple[Label, ...], label_id: str) -> tuple[Label, ...]:
    return tuple(
        replace(label, children=_remove(label.children, label_id))
        for label in labels
        if label.id != label_id
    )


def add_label(
    taxonomy: Taxonomy,
    parent_id: str | None,
    id: str,
    name: str,
    description: str = "",
    *,
    value: int | float | None = None,
) -> Taxonomy:
    if parent_id is not None:
        _require(taxonomy, parent_id)
    if id in taxonomy.by_id():
        raise _fail(f"id {id!r} is already used", "id")
    label = Label(id=id, name=name, description=description, value=value)
    return _checked(replace(taxonomy, labels=_insert(taxonomy.labels, parent_id, [label], None)))


def rename_label(taxonomy: Taxonomy, id: str, new_name: str) -> Taxonomy:
    _require(taxonomy, id)
    return _checked(_update(taxonomy, id, name=new_name))


def move_label(taxonomy: Taxonomy, id: str, new_parent_id: str | None) -> Taxonomy:
    label = _require(taxonomy, id)
    if new_parent_id is not None:
        _require(taxonomy, new_parent_id)
        ancestors = {e.label.id: e.ancestors for e in taxonomy.iter_labels()}
        if new_parent_id == id or id in ancestors[new_parent_id]:
            raise _fail(f"cannot move {id!r} under itself or one of its descendants", "parent")
    labels = _insert(_remove(taxonomy.labels, id), new_parent_id, [label], None)
    return _checked(replace(taxonomy, labels=labels))


def deprecate_label(
    taxonomy: Taxonomy,
    id: str,
    replaced_by: Sequence[str] = (),
) -> Taxonomy:
    _require(taxonomy, id)
    for target in replaced_by:
        _require(taxonomy, target)
    return _checked(_update(taxonomy, id, deprecated=True, replaced_by=tuple(replaced_by)))


def merge_labels(
    taxonomy: Taxonomy, sources: Sequence[str], into_id: str, into_name: str | None = None
) -> Taxonomy:
    """Deprecate ``sources`` in favour of ``into_id``; create it beside the first source if new."""
    if len(set(sources)) < 2:
        raise _fail("merging needs at least two different labels", "sources")
    for source in sources:
        _require(taxonomy, source)
    known = taxonomy.by_id()
    if into_id not in known:
        if not into_name:
            raise _fail(f"{into_id!r} is a new label: give it a name", "into_name")
        first = sources[0]
        parent = taxonomy.parent_ids()[first]
        taxonomy = replace(
            taxonomy,
            labels=_insert(taxonomy.labels, parent, [Label(id=into_id, name=into_name)], first),
        )
    elif into_name:
        taxonomy = _update(taxonomy, into_id, name=into_name)
    for source in sources:
        if source != into_id:
            taxonomy = _update(taxonomy, source, deprecated=True, replaced_by=(into_id,))
    return _checked(taxonomy)


def split_label(
    taxonomy: Taxonomy,
    id: str,
    parts: Sequence[tuple[str, str]],
) -> Taxonomy:
    """Replace a label by new labels placed right after it; the old one is deprecated."""
    _require(taxonomy, id)
    if len(parts) < 2:
        raise _fail("splitting needs at least two new labels", "parts")
    known = taxonomy.by_id()
    for new_id, _ in parts:
        if new_id in known:
            raise _fail(f"id {new_id!r} is already used", "parts")
    parent = taxonomy.parent_ids()[id]
    new_labels = [Label(id=new_id, name=new_name) for new_id, new_name in parts]
    taxonomy = replace(taxonomy, labels=_insert(taxonomy.labels, parent, new_labels, id))
    replaced_by = tuple(new_id for new_id, _ in parts)
    return _checked(_update(taxonomy, id, deprecated=True, replaced_by=replaced_by))
