"""Checks an annotation file passes before anything is written: readable, no values a
spreadsheet would run once exported, lengths the database accepts, a valid dataset name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import IO

import pandas as pd

from guidelines_app.domain.errors import InvalidInput, Problem
from guidelines_app.domain.formats.annotations import AnnotationFile, read_annotations

DATASET_RE = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,98}[a-z0-9])?")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
LIMITS = {"item": 500, "annotator": 200, "dimension": 200}


def check_dataset_slug(slug: str) -> str:
    slug = (slug or "").strip()
    if not DATASET_RE.fullmatch(slug):
        raise InvalidInput(
            problems=[
                Problem(
                    "a dataset is named with lowercase letters, digits, '.', '_' and '-' "
                    "(at most 100 characters)",
                    path="dataset",
                )
            ]
        )
    return slug


def _formula_problems(frame: pd.DataFrame, filename: str) -> list[Problem]:
    """Values a spreadsheet would run as a formula once exported: refused, not rewritten."""
    problems: list[Problem] = []
    for column in ("label", "annotator", "item"):
        values = pd.Series(frame[column].unique(), dtype=object).astype(str)
        risky = values[values.str.startswith(FORMULA_START) & ~values.str.fullmatch(NUMBER_RE)]
        for value in risky.head(20):
            count = int((frame[column] == value).sum())
            problems.append(
                Problem(
                    f"{column} {value!r} starts like a spreadsheet formula ({count:,} rows)",
                    path=filename,
                )
            )
    return problems


def _length_problems(frame: pd.DataFrame, filename: str) -> list[Problem]:
    problems = []
    for column, limit in LIMITS.items():
        lengths = frame[column].astype(str).str.len()
        if (lengths > limit).any():
            example = str(frame.loc[lengths.idxmax(), column])[:60]
            problems.append(
                Problem(f"{column} longer than {limit} characters: {example!r}…", path=filename)
            )
    return problems


def read_file(
    data: bytes | IO[bytes],
    *,
    file_name: str,
    format: str = "auto",
    annotator: str = "",
    columns: Mapping[str, str] | None = None,
) -> AnnotationFile:
    parsed = read_annotations(
        data, format=format, filename=file_name, annotator=annotator, columns=columns
    )
    if parsed.annotations.empty:
        raise InvalidInput(problems=[Problem("the file holds no annotations", path=file_name)])
    problems = _formula_problems(parsed.annotations, file_name)
    problems += _length_problems(parsed.annotations, file_name)
    if problems:
        raise InvalidInput(f"{file_name}: {problems[0].message}", problems)
    return parsed
