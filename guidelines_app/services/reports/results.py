"""What a release comparison returns, and the parts the release report shares with it.

The page, ``report.md`` and ``guidelines report`` read their attributes; ``to_dict()`` is
the JSON of ``report.json``, ``?format=json`` and ``guidelines report --json`` (a
contract: tests/app/release_report_fields.txt pins its field names), and ``from_dict``
reads it back, so ``from_dict(d).to_dict() == d``.

The report cache stores the ``to_dict()`` form and the services return
``from_dict(cached)`` whether the payload was just computed or read back: one path for
both, so a cache hit can never show something a fresh computation would not (or the
other way round), and the table keeps plain JSON that any version can read and prune.
Rebuilding the objects costs little next to computing them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guidelines_app.domain.agreement.coefficients import from_fields, json_number
from guidelines_app.domain.agreement.compare_result import Change, ReleaseComparison
from guidelines_app.domain.agreement.label_space import MappingReport


def _plain(value: Any) -> Any:
    """A flat result as JSON (its fields in order, floats as the engine writes them)."""
    return {name: json_number(getattr(value, name)) for name in value.__dataclass_fields__}


@dataclass(frozen=True)
class ReleaseInfo:
    """A release (or the unreleased draft, version 0) as the report names it."""

    version: int
    label: str
    tagged_at: str | None
    commit: str | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReleaseInfo:
        return from_fields(cls, data)


@dataclass(frozen=True)
class Totals:
    items: int
    annotations: int
    annotators: int
    batches: int
    datasets: int

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Totals:
        return from_fields(cls, data)


@dataclass(frozen=True)
class Side:
    """One side of a comparison: the release and what was annotated under it."""

    release: ReleaseInfo
    totals: Totals

    def to_dict(self) -> dict[str, Any]:
        return {**self.release.to_dict(), "totals": self.totals.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Side:
        return cls(ReleaseInfo.from_dict(data), Totals.from_dict(data["totals"]))


@dataclass(frozen=True)
class Titled:
    """A decision or a section, by id and title."""

    id: int | str
    title: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title}


@dataclass(frozen=True)
class OpenEscalation:
    id: int
    question: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "question": self.question}


@dataclass(frozen=True)
class FoldedDecision:
    """A decision cited (``Decision:`` trailer) by a commit of the later release only."""

    id: int
    title: str
    section: str | None
    labels: tuple[str, ...]
    commit: str

    def to_dict(self) -> dict[str, Any]:
        return {**_plain(self), "labels": list(self.labels)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FoldedDecision:
        return cls(**{**data, "labels": tuple(data["labels"])})


@dataclass(frozen=True)
class SectionsChanged:
    summary: str
    changed: tuple[Titled, ...]
    added: tuple[Titled, ...]
    removed: tuple[Titled, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            **{
                name: [s.to_dict() for s in getattr(self, name)]
                for name in ("changed", "added", "removed")
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SectionsChanged:
        def titled(name: str) -> tuple[Titled, ...]:
            return tuple(Titled(s["id"], s["title"]) for s in data[name])

        return cls(data["summary"], titled("changed"), titled("added"), titled("removed"))


@dataclass(frozen=True)
class LabelSpace:
    """Whether the earlier side was mapped into the later taxonomy revision's labels;
    ``note`` says why (or why not), ``report`` what moved and what was left out."""

    mapped: bool
    from_commit: str | None
    to_commit: str | None
    note: str | None = None
    report: MappingReport | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "mapped": self.mapped,
            "from_commit": self.from_commit,
            "to_commit": self.to_commit,
        }
        if self.note is not None:
            out["note"] = self.note
        if self.report is not None:
            out["report"] = self.report.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelSpace:
        report = data.get("report")
        return cls(
            mapped=data["mapped"],
            from_commit=data["from_commit"],
            to_commit=data["to_commit"],
            note=data.get("note"),
            report=MappingReport.from_dict(report) if report is not None else None,
        )


@dataclass(frozen=True)
class ComparisonDetail:
    """What only the comparison page shows: the guideline's changes and the decisions
    the later release folded in."""

    sections_changed: SectionsChanged | None
    decisions: tuple[FoldedDecision, ...]


@dataclass(frozen=True)
class Comparison:
    """Two releases side by side. ``comparison`` is None when a side has no annotations
    (``message`` says which); ``detail`` is None for the report's summary rows."""

    before: Side
    after: Side
    comparison: ReleaseComparison | None = None
    message: str | None = None
    label_space: LabelSpace | None = None
    detail: ComparisonDetail | None = None

    def change(self, key: str) -> Change | None:
        """The change of one metric (a catalogue key), None when not compared."""
        if self.comparison is None:
            return None
        return next((m.change for m in self.comparison.metrics if m.name == key), None)

    @property
    def decisions(self) -> tuple[FoldedDecision, ...]:
        return self.detail.decisions if self.detail else ()

    def decisions_for(self, label: object) -> list[int]:
        """The folded decisions about ``label`` (by its text, as decisions store labels)."""
        return [d.id for d in self.decisions if str(label) in d.labels]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"from": self.before.to_dict(), "to": self.after.to_dict()}
        if self.comparison is None:
            return {**out, "comparison": None, "message": self.message}
        figures = self.comparison.to_dict()
        out["comparison"] = figures
        out["label_space"] = self.label_space.to_dict() if self.label_space else None
        if self.detail is None:
            return out
        for entry in figures["per_label"]:
            entry["decisions"] = self.decisions_for(entry["label"])
        sections = self.detail.sections_changed
        out["sections_changed"] = sections.to_dict() if sections else None
        out["decisions"] = [d.to_dict() for d in self.detail.decisions]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Comparison:
        before, after = Side.from_dict(data["from"]), Side.from_dict(data["to"])
        if data["comparison"] is None:
            return cls(before, after, message=data.get("message"))
        detail = None
        if "decisions" in data:
            sections = data.get("sections_changed")
            detail = ComparisonDetail(
                SectionsChanged.from_dict(sections) if sections else None,
                tuple(FoldedDecision.from_dict(d) for d in data["decisions"]),
            )
        space = data.get("label_space")
        return cls(
            before,
            after,
            comparison=ReleaseComparison.from_dict(data["comparison"]),
            label_space=LabelSpace.from_dict(space) if space else None,
            detail=detail,
        )
