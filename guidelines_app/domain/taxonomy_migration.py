"""Where annotations made with an old revision's labels go in a new revision.

Every label of the old revision gets one entry:

* ``unchanged``: still active in the new revision (renamed or moved labels keep their id);
* ``replaced``: deprecated (or merged) and resolved, through chains A -> B -> C, to one
  active label;
* ``split``: resolved to several active labels; the annotation ``needs_relabel``;
* ``unmapped``: removed, or deprecated with no active replacement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guidelines_app.domain.taxonomy_diff import TaxonomyDiff
from guidelines_app.domain.taxonomy_model import Taxonomy


@dataclass(frozen=True)
class MigrationEntry:
    old_id: str
    new_ids: tuple[str, ...]
    status: str

    @property
    def needs_relabel(self) -> bool:
        return len(self.new_ids) > 1


@dataclass(frozen=True)
class MigrationMap:
    entries: dict[str, MigrationEntry]
    active_ids: frozenset[str]

    def apply(self, label_id: str) -> list[str]:
        """The label ids to use now; several mean a person must choose, none mean unmapped."""
        entry = self.entries.get(label_id)
        if entry is not None:
            return list(entry.new_ids)
        return [label_id] if label_id in self.active_ids else []

    def needs_relabel(self) -> list[str]:
        return [e.old_id for e in self.entries.values() if e.needs_relabel]

    def unmapped(self) -> list[str]:
        return [e.old_id for e in self.entries.values() if e.status == "unmapped"]

    def to_dict(self) -> dict[str, Any]:
        return {
            old_id: {
                "new_ids": list(e.new_ids),
                "status": e.status,
                "needs_relabel": e.needs_relabel,
            }
            for old_id, e in self.entries.items()
        }


def migration_map(old: Taxonomy | TaxonomyDiff, new: Taxonomy | None = None) -> MigrationMap:
    if isinstance(old, TaxonomyDiff):
        diff = old
        old, new = diff.old, diff.new
    if new is None:
        raise TypeError("migration_map needs a TaxonomyDiff or both taxonomies")
    resolved = _resolve_replacements(new)
    current = new.by_id()
    entries: dict[str, MigrationEntry] = {}
    for entry in old.iter_labels():
        label_id = entry.label.id
        if label_id in entries:
            continue
        label = current.get(label_id)
        targets = resolved.get(label_id, ())
        if label is not None and not label.deprecated:
            status = "unchanged"
        elif len(targets) > 1:
            status = "split"
        elif targets:
            status = "replaced"
        else:
            status = "unmapped"
        entries[label_id] = MigrationEntry(label_id, targets, status)
    active = frozenset(label.id for label in new.active_labels())
    return MigrationMap(entries, active)


def _resolve_replacements(taxonomy: Taxonomy) -> dict[str, tuple[str, ...]]:
    """Each id to the active ids it ends at, following replaced_by; cycles lead nowhere."""
    labels = taxonomy.by_id()
    resolved: dict[str, tuple[str, ...]] = {}
    for start in labels:
        on_path: set[str] = set()
        stack: list[tuple[str, bool]] = [(start, False)]
        while stack:
            label_id, expanded = stack.pop()
            if label_id in resolved:
                continue
            label = labels[label_id]
            if not label.deprecated:
                resolved[label_id] = (label_id,)
            elif expanded:
                on_path.discard(label_id)
                targets: list[str] = []
                for target in label.replaced_by:
                    targets += [t for t in resolved.get(target, ()) if t not in targets]
                resolved[label_id] = tuple(targets)
            else:
                on_path.add(label_id)
                stack.append((label_id, True))
                stack += [
                    (t, False)
                    for t in reversed(label.replaced_by)
                    if t in labels and t not in resolved and t not in on_path
                ]
    return resolved
