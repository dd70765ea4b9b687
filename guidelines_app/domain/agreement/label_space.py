"""Bringing an older release's annotations into a later taxonomy's label space.

A migration map (``taxonomy_migration.MigrationMap.apply``, or a plain mapping) sends
each old label to the labels to use now: one label is a rename or a merge and the
annotation moves over; several mean a person must choose (``needs_relabel``), and
none mean the label is gone. Annotations of the last two kinds cannot be compared
in the new label space, so they are dropped and counted, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from guidelines_app.domain.agreement.compare_result import Notice
from guidelines_app.domain.errors import InvalidInput


class LabelMigration(Protocol):
    """A migration map: ``taxonomy_migration.MigrationMap`` has this shape."""

    def apply(self, label: str, /) -> Sequence[str]: ...


LabelMapping = LabelMigration | Callable[[str], Sequence[str]] | Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class MappingReport:
    """How many annotations kept, moved to another label, or dropped, and why."""

    n_annotations: int
    kept: int
    moved: dict = field(default_factory=dict)  # old label -> (new label, annotations)
    needs_relabel: dict = field(default_factory=dict)  # old label -> annotations dropped
    unmapped: dict = field(default_factory=dict)  # old label -> annotations dropped

    @property
    def dropped(self) -> int:
        return sum(self.needs_relabel.values()) + sum(self.unmapped.values())

    def to_dict(self) -> dict:
        return {
            "n_annotations": self.n_annotations,
            "kept": self.kept,
            "moved": {str(k): {"to": v[0], "annotations": v[1]} for k, v in self.moved.items()},
            "needs_relabel": {str(k): v for k, v in self.needs_relabel.items()},
            "unmapped": {str(k): v for k, v in self.unmapped.items()},
            "dropped": self.dropped,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MappingReport:
        """Back from ``to_dict()`` (labels as the text they were written as)."""
        return cls(
            n_annotations=data["n_annotations"],
            kept=data["kept"],
            moved={k: (v["to"], v["annotations"]) for k, v in data["moved"].items()},
            needs_relabel=dict(data["needs_relabel"]),
            unmapped=dict(data["unmapped"]),
        )

    def notice(self) -> Notice:
        parts = []
        if self.needs_relabel:
            labels = ", ".join(map(str, sorted(self.needs_relabel, key=str)))
            parts.append(f"{sum(self.needs_relabel.values())} need relabelling ({labels})")
        if self.unmapped:
            labels = ", ".join(map(str, sorted(self.unmapped, key=str)))
            parts.append(f"{sum(self.unmapped.values())} have no label now ({labels})")
        return Notice(
            "label_space_mapped",
            "the earlier release was compared in the later label space through the "
            f"migration map; {self.dropped} of {self.n_annotations} of its annotations "
            "were left out: " + "; ".join(parts),
            tuple(sorted({*self.needs_relabel, *self.unmapped}, key=str)),
        )


def _targets(mapping: LabelMapping, label: str) -> list:
    apply = getattr(mapping, "apply", None)
    if callable(apply) and not isinstance(mapping, Mapping):
        return list(apply(label))
    if isinstance(mapping, Mapping):
        return list(mapping.get(label, ()))
    if callable(mapping):
        return list(mapping(label))
    raise InvalidInput("a label mapping must be a mapping, a callable or a migration map")


def map_labels(
    frame: pd.DataFrame, mapping: LabelMapping, *, label: str = "label"
) -> tuple[pd.DataFrame, MappingReport]:
    """The frame with each label replaced by its one target; rows whose label maps to
    several targets or to none are dropped and counted. Rows with no label stay as they
    are (a missing rating is no annotation). A plain mapping lists every label to keep,
    unchanged ones mapping to themselves; a missing key means the label is gone."""
    if label not in frame.columns:
        raise InvalidInput(f"missing columns: {label!r} is required")
    present = frame[label].notna()
    distinct = pd.unique(frame.loc[present, label].to_numpy())
    counts = frame.loc[present, label].value_counts(sort=False)
    renames, moved, relabel, unmapped, keep = {}, {}, {}, {}, []
    for old in distinct:
        targets = list(dict.fromkeys(_targets(mapping, old)))
        n = int(counts[old])
        if len(targets) == 1:
            keep.append(old)
            renames[old] = targets[0]
            if targets[0] != old:
                moved[old] = (targets[0], n)
        elif targets:
            relabel[old] = n
        else:
            unmapped[old] = n
    kept_rows = ~present | frame[label].isin(keep)
    out = frame.loc[kept_rows].copy()
    if moved:
        mask = out[label].notna()
        out.loc[mask, label] = out.loc[mask, label].map(renames)
    report = MappingReport(
        n_annotations=int(present.sum()),
        kept=int((present & kept_rows).sum()),
        moved=moved,
        needs_relabel=relabel,
        unmapped=unmapped,
    )
    return out, report
