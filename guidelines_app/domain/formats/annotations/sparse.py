"""A column of the long table that is usually one value on every row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class SparseColumn:
    """The values of a column that is often entirely ``default`` (no dates, no spans, one
    dimension): only counted until the first other value, then kept as a list."""

    __slots__ = ("default", "size", "values")

    def __init__(self, default: Any) -> None:
        self.default = default
        self.size = 0
        self.values: list[Any] | None = None

    def append(self, value: Any) -> None:
        if self.values is not None:
            self.values.append(value)
        elif value is self.default or value == self.default:
            self.size += 1
        else:
            self.values = [self.default] * self.size
            self.values.append(value)

    @property
    def all_default(self) -> bool:
        return self.values is None

    def __len__(self) -> int:
        return self.size if self.values is None else len(self.values)

    def __getitem__(self, index: int) -> Any:
        return self.default if self.values is None else self.values[index]

    def __iter__(self) -> Iterator[Any]:
        if self.values is None:
            return iter([self.default] * self.size)
        return iter(self.values)
