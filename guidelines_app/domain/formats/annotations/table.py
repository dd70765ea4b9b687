"""The long annotation table every reader fills: column lists first, one DataFrame at the end."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from guidelines_app.domain.errors import InvalidInput, Problem

COLUMNS = (
    "item",
    "annotator",
    "label",
    "created_at",
    "gold",
    "dimension",
    "start",
    "end",
    "span_text",
    "label_path",
)
MAX_PROBLEMS = 100
_SNAPSHOT_STR = 2000
_OFFSET = r":\d\d(?:\.\d+)?(?:[zZ]|[+-]\d\d(?::?\d\d)?)$"
_SNAPSHOT_KEYS = 20


@dataclass
class AnnotationFile:
    """One annotation file read into a long table: one row per (item, annotator, label).

    ``annotations`` has the columns in ``COLUMNS``; ``items`` maps the external item id
    to a small snapshot of its content; ``warnings`` are human-readable notes (rows
    skipped and why, duplicates, counts).
    """

    annotations: pd.DataFrame
    items: dict[str, dict[str, Any]]
    format: str
    sha256: str
    warnings: list[str] = field(default_factory=list)


class TooManyProblems(Exception):
    pass


def snapshot(data: Any) -> dict[str, Any]:
    """A small copy of an item's payload: scalars only, long strings cut, at most 20 keys."""
    if not isinstance(data, Mapping):
        return {"value": _small(data)}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if len(out) >= _SNAPSHOT_KEYS:
            break
        small = _small(value)
        if small is not None or value is None:
            out[str(key)] = small
    return out


def _small(value: Any) -> Any:
    if isinstance(value, str):
        return value if len(value) <= _SNAPSHOT_STR else value[:_SNAPSHOT_STR] + "…"
    if value is None or isinstance(value, bool | int | float):
        return value
    return None


def epoch_to_iso(value: float) -> str:
    return datetime.fromtimestamp(value, tz=UTC).isoformat()


class TableBuilder:
    """Collects rows and problems; ``finish`` raises if any problem was found."""

    def __init__(self, filename: str) -> None:
        self.filename = filename or "<input>"
        self.item: list[str] = []
        self.annotator: list[str] = []
        self.label: list[str] = []
        self.created_at: list[str | None] = []
        self.gold: list[bool] = []
        self.dimension: list[str] = []
        self.start: list[int | None] = []
        self.end: list[int | None] = []
        self.span_text: list[str | None] = []
        self.label_path: list[str | None] = []
        self.record: list[int] = []
        self.line: list[int | None] = []
        self.items: dict[str, dict[str, Any]] = {}
        self.problems: list[Problem] = []
        self.skipped: Counter[str] = Counter()
        self.notes: list[str] = []
        self.records = 0
        self.pool: dict[str, str] = {}
        self.locate: Callable[[int | None], int | None] = lambda where: where

    def problem(self, message: str, *, line: int | None = None, where: str = "") -> None:
        path = f"{self.filename} {where}" if where else self.filename
        self.problems.append(Problem(message, path=path, line=line))
        if len(self.problems) >= MAX_PROBLEMS:
            raise TooManyProblems

    def new_record(self) -> int:
        self.records += 1
        return self.records

    def add(
        self,
        item: str,
        annotator: str,
        label: str,
        record: int,
        line: int | None,
        *,
        dimension: str = "",
        created_at: str | None = None,
        gold: bool = False,
        start: int | None = None,
        end: int | None = None,
        span_text: str | None = None,
        label_path: str | None = None,
        where: str = "",
    ) -> None:
        if not (item and annotator and label) or item.isspace() or annotator.isspace():
            self._empty(item, annotator, label, line, where)
            return
        if label.isspace():
            self._empty(item, annotator, label, line, where)
            return
        pool = self.pool
        self.item.append(item)
        self.annotator.append(pool.setdefault(annotator, annotator))
        self.label.append(pool.setdefault(label, label))
        self.record.append(record)
        self.line.append(line)
        self.created_at.append(created_at)
        self.gold.append(gold)
        self.dimension.append(pool.setdefault(dimension, dimension))
        self.start.append(start)
        self.end.append(end)
        self.span_text.append(span_text)
        self.label_path.append(label_path)

    def add_label(
        self,
        item: str,
        annotator: str,
        label: str,
        record: int,
        line: int | None,
        dimension: str,
        created_at: str | None,
        gold: bool,
    ) -> None:
        """``add`` for a label without span or path: the hot path of large exports."""
        if (
            not (item and annotator and label)
            or item.isspace()
            or annotator.isspace()
            or label.isspace()
        ):
            self._empty(item, annotator, label, line, "")
            return
        pool = self.pool
        self.item.append(item)
        self.annotator.append(pool.setdefault(annotator, annotator))
        self.label.append(pool.setdefault(label, label))
        self.record.append(record)
        self.line.append(line)
        self.created_at.append(created_at)
        self.gold.append(gold)
        self.dimension.append(pool.setdefault(dimension, dimension))
        self.start.append(None)
        self.end.append(None)
        self.span_text.append(None)
        self.label_path.append(None)

    def _empty(self, item: str, annotator: str, label: str, line: int | None, where: str) -> None:
        for name, value in (("item", item), ("annotator", annotator), ("label", label)):
            if not value or value.isspace():
                self.problem(f"{name} is empty", line=self.locate(line), where=where)

    def fail_if_problems(self) -> None:
        if self.problems:
            raise invalid(self.filename, self.problems)

    def finish(self, format_name: str, sha256: str, *, collapse_dimension: bool) -> AnnotationFile:
        self.fail_if_problems()
        if not self.item:
            reasons = "; ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
            message = "no annotations found" + (f" (skipped: {reasons})" if reasons else "")
            raise invalid(self.filename, [Problem(message, path=self.filename)])
        created = self._timestamps()
        self.fail_if_problems()
        if collapse_dimension and len(set(self.dimension)) == 1:
            dimension: list[str] | str = ""
        else:
            dimension = self.dimension
        frame = pd.DataFrame(
            {
                "item": pd.Series(self.item, dtype=object),
                "annotator": pd.Series(self.annotator, dtype=object),
                "label": pd.Series(self.label, dtype=object),
                "created_at": created,
                "gold": pd.Series(self.gold, dtype=bool),
                "dimension": dimension,
                "start": _nullable_int(self.start),
                "end": _nullable_int(self.end),
                "span_text": pd.Series(self.span_text, dtype=object),
                "label_path": pd.Series(self.label_path, dtype=object),
            }
        )
        warnings = [f"skipped {n} {why}" for why, n in sorted(self.skipped.items())]
        warnings += self.notes
        duplicate = _duplicate_warning(frame, self.record)
        if duplicate:
            warnings.append(duplicate)
        warnings.append(
            f"read {len(frame):,} annotation rows on {frame['item'].nunique():,} items "
            f"by {frame['annotator'].nunique():,} annotators"
        )
        return AnnotationFile(frame, self.items, format_name, sha256, warnings)

    def _timestamps(self) -> pd.Series:
        raw = pd.Series(self.created_at, dtype=object)
        present = raw.notna()
        if not present.any():
            return pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
        # naive and offset-bearing strings are parsed apart: mixed in one call, pandas may
        # apply one row's offset to the naive rows. Naive times are taken as UTC.
        parsed = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
        strings = raw[present].astype(str)
        aware = strings.str.contains(_OFFSET, regex=True)
        for part in (strings[aware], strings[~aware]):
            if len(part):
                converted = pd.to_datetime(part, utc=True, format="ISO8601", errors="coerce")
                parsed[part.index] = converted.astype("datetime64[ns, UTC]")
        for index in raw.index[present & parsed.isna()]:
            self.problem(
                f"created_at {raw[index]!r} is not an ISO 8601 date-time",
                line=self.locate(self.line[index]),
            )
        return parsed


def _nullable_int(values: list[int | None]) -> pd.Series:
    size = len(values)
    mask = np.fromiter((v is None for v in values), dtype=bool, count=size)
    if mask.all():
        data = np.zeros(size, dtype=np.int64)
    else:
        data = np.fromiter((0 if v is None else v for v in values), dtype=np.int64, count=size)
    return pd.Series(pd.arrays.IntegerArray(data, mask))


def _duplicate_warning(frame: pd.DataFrame, records: list[int]) -> str:
    """Several annotation records by one annotator on one item and dimension are all kept."""
    keys = frame[["item", "annotator", "dimension"]].assign(record=records).drop_duplicates()
    repeated = keys.duplicated(["item", "annotator", "dimension"], keep=False)
    if not repeated.any():
        return ""
    groups = keys[repeated].drop_duplicates(["item", "annotator", "dimension"])
    return (
        f"{len(groups):,} (item, annotator, dimension) combinations have more than one "
        f"annotation ({int(repeated.sum()):,} annotations); all rows are kept"
    )


def invalid(filename: str, problems: list[Problem]) -> InvalidInput:
    more = " (stopped at the first 100)" if len(problems) >= MAX_PROBLEMS else ""
    count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
    return InvalidInput(f"{filename}: {count}{more}: {problems[0]}", problems)


def as_id(value: Any) -> str | None:
    """Ids may be strings or integers in JSON; anything else (bool, float, object) is refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None
