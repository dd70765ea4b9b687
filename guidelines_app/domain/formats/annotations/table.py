"""The long annotation table every reader fills: column lists first, one DataFrame at the end."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from guidelines_app.domain.errors import InvalidInput, Problem

from .sparse import SparseColumn

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
    """Collects rows and problems; ``finish`` raises if any problem was found.

    Memory matters on million-row files: record and line numbers are machine integers,
    item ids are shared strings, and columns that are usually empty are only counted.
    """

    def __init__(self, filename: str) -> None:
        self.filename = filename or "<input>"
        self.item: list[str] = []
        self.annotator: list[str] = []
        self.label: list[str] = []
        self.created_at = SparseColumn(None)
        self.gold = bytearray()
        self.dimension = SparseColumn("")
        self.start = SparseColumn(None)
        self.end = SparseColumn(None)
        self.span_text = SparseColumn(None)
        self.label_path = SparseColumn(None)
        self.record = array("q")
        self.line = array("q")  # -1: no line
        self.items: dict[str, dict[str, Any]] = {}
        self.item_pool: dict[str, str] = {}
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
        self.item.append(self.item_pool.setdefault(item, item))
        self.annotator.append(pool.setdefault(annotator, annotator))
        self.label.append(pool.setdefault(label, label))
        self.record.append(record)
        self.line.append(-1 if line is None else line)
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
        self.item.append(self.item_pool.setdefault(item, item))
        self.annotator.append(pool.setdefault(annotator, annotator))
        self.label.append(pool.setdefault(label, label))
        self.record.append(record)
        self.line.append(-1 if line is None else line)
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
        self.item_pool = {}
        created = self._timestamps()
        self.fail_if_problems()
        self.line = array("q")  # only the timestamps' problems needed line numbers
        size = len(self.item)
        columns: dict[str, Any] = {}
        for name in ("item", "annotator", "label"):  # each list is let go once converted
            columns[name] = pd.Series(getattr(self, name), dtype=object)
            setattr(self, name, [])
        columns["created_at"] = created
        columns["gold"] = pd.Series(np.frombuffer(self.gold, dtype=bool).copy())
        if self.dimension.all_default or (collapse_dimension and len(set(self.dimension)) == 1):
            columns["dimension"] = ""
        else:
            columns["dimension"] = pd.Series(list(self.dimension), dtype=object)
        columns["start"] = _nullable_int(self.start)
        columns["end"] = _nullable_int(self.end)
        for name in ("span_text", "label_path"):
            column = getattr(self, name)
            values = np.full(size, None, dtype=object) if column.all_default else list(column)
            columns[name] = pd.Series(values, dtype=object)
        frame = pd.DataFrame(columns, copy=False)  # no copy into one block per dtype
        del columns
        warnings = [f"skipped {n} {why}" for why, n in sorted(self.skipped.items())]
        warnings += self.notes
        item_codes, item_ids = pd.factorize(frame["item"])
        annotator_codes, annotator_ids = pd.factorize(frame["annotator"])
        duplicate = _duplicate_warning(frame, self.record, item_codes, annotator_codes)
        self.record = array("q")
        if duplicate:
            warnings.append(duplicate)
        warnings.append(
            f"read {len(frame):,} annotation rows on {len(item_ids):,} items "
            f"by {len(annotator_ids):,} annotators"
        )
        return AnnotationFile(frame, self.items, format_name, sha256, warnings)

    def _timestamps(self) -> pd.Series:
        if self.created_at.all_default:
            return pd.Series(
                pd.NaT, index=pd.RangeIndex(len(self.item)), dtype="datetime64[ns, UTC]"
            )
        raw = pd.Series(list(self.created_at), dtype=object)
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
                line=self.locate(None if self.line[index] < 0 else self.line[index]),
            )
        return parsed


def _nullable_int(values: SparseColumn) -> pd.Series:
    size = len(values)
    if values.all_default:
        return pd.Series(
            pd.arrays.IntegerArray(np.zeros(size, dtype=np.int64), np.ones(size, dtype=bool))
        )
    mask = np.fromiter((v is None for v in values), dtype=bool, count=size)
    if mask.all():
        data = np.zeros(size, dtype=np.int64)
    else:
        data = np.fromiter((0 if v is None else v for v in values), dtype=np.int64, count=size)
    return pd.Series(pd.arrays.IntegerArray(data, mask))


def _duplicate_warning(
    frame: pd.DataFrame, records: array, item_codes: np.ndarray, annotator_codes: np.ndarray
) -> str:
    """Several annotation records by one annotator on one item and dimension are all kept."""
    dimension_codes, dimensions = pd.factorize(frame["dimension"])
    key = item_codes.astype(np.int64) * (int(annotator_codes.max()) + 1) + annotator_codes
    key = key * max(len(dimensions), 1) + dimension_codes
    span = int(key.max()) + 1
    if span <= 64 * len(key):  # a bitset says cheaply that nothing repeats, the usual case
        seen = np.zeros(span, dtype=bool)
        seen[key] = True
        if np.count_nonzero(seen) == len(key):
            return ""
    elif len(pd.unique(key)) == len(key):
        return ""
    keys = pd.DataFrame({"key": key, "record": np.frombuffer(records, dtype=np.int64)})
    keys = keys.drop_duplicates()
    repeated = keys.duplicated("key", keep=False)
    if not repeated.any():
        return ""
    groups = keys.loc[repeated, "key"].nunique()
    return (
        f"{groups:,} (item, annotator, dimension) combinations have more than one "
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
