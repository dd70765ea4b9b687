"""``guidelines agreement FILE``: every coefficient of an annotation file, no database needed.

A plain click command registered on the ``main`` group itself, so running it never
creates the app (no data folder, no database, no content repository).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from guidelines_app.domain.agreement.multilabel import MULTILABEL_METRICS
from guidelines_app.domain.errors import AppError, InvalidInput, Problem
from guidelines_app.domain.formats.annotations import (
    DEFAULT_MAX_BYTES,
    FORMATS,
    read_annotations,
)
from guidelines_app.services.annotations import figures, relevant_columns, select_dimension

LEVELS = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS = ("linear", "quadratic")
MAX_TABLE_ROWS = 30


def report_error(error: AppError) -> None:
    """Every problem on stderr, one a line (file, line, problem), then exit code 2."""
    problems = getattr(error, "problems", None) if isinstance(error, InvalidInput) else None
    if problems:
        click.secho(f"Error: {error.message}", fg="red", err=True)
        if len(problems) > 1 or str(problems[0]) not in error.message:
            for problem in problems:
                click.echo(f"  {problem}", err=True)
    else:
        click.secho(f"Error: {error.message}", fg="red", err=True)
    sys.exit(2)


def about_file(error: AppError, filename: str) -> AppError:
    """The same error with the file named in its message and problems."""
    if isinstance(error, InvalidInput):
        problems = [
            Problem(
                p.message,
                f"{filename} {p.path}".strip() if p.path != filename else filename,
                p.line,
            )
            for p in error.problems
        ]
        return InvalidInput(f"{filename}: {error.message}", problems)
    error.message = f"{filename}: {error.message}"
    return error


def parse_columns(pairs: tuple[str, ...]) -> dict[str, str] | None:
    """``--column item=review_id`` pairs: our column name to the file's."""
    columns: dict[str, str] = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=COLUMN", param_hint="--column")
        columns[ours.strip()] = theirs.strip()
    return columns or None


def parse_categories(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    categories = [part.strip() for part in raw.split(",")]
    if not all(categories):
        raise click.BadParameter("empty category name", param_hint="--categories")
    if len(set(categories)) != len(categories):
        raise click.BadParameter("a category is listed twice", param_hint="--categories")
    return categories


@click.command("agreement")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(("auto", *FORMATS)),
    default="auto",
    show_default=True,
    help="The file's format; detected from the content by default.",
)
@click.option("--level", type=click.Choice(LEVELS), default="nominal", show_default=True)
@click.option("--weights", type=click.Choice(WEIGHTS), default=None, help="Weighted kappas too.")
@click.option(
    "--categories",
    default=None,
    help="Comma-separated categories: the domain and its order (unused ones count too).",
)
@click.option("--bootstrap", type=click.IntRange(0, 100_000), default=1000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--dimension", default=None, help="Which labelling dimension (control tag) to use.")
@click.option("--annotator", default="", help="The annotator of a doccano file.")
@click.option(
    "--column",
    "column_pairs",
    multiple=True,
    metavar="NAME=COLUMN",
    help="The file's column for item, annotator, label, created_at, gold or dimension.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Refuse files (or gzip content once inflated) larger than this.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def agreement_command(
    file: Path,
    file_format: str,
    level: str,
    weights: str | None,
    categories: str | None,
    bootstrap: int,
    seed: int,
    dimension: str | None,
    annotator: str,
    column_pairs: tuple[str, ...],
    max_bytes: int,
    as_json: bool,
) -> None:
    """Agreement coefficients of an annotation FILE, with 95% bootstrap intervals.

    Exit code 2 on a file that cannot be read, with the file, line and problem.
    """
    domain = parse_categories(categories)
    columns = parse_columns(column_pairs)
    try:
        with file.open("rb") as handle:
            parsed = read_annotations(
                handle,
                format=file_format,
                filename=file.name,
                annotator=annotator,
                columns=columns,
                max_bytes=max_bytes,
            )
    except AppError as error:
        report_error(error)
        return
    about = {
        "file": str(file),
        "format": parsed.format,
        "sha256": parsed.sha256,
        "dimension": dimension or "",
        "warnings": parsed.warnings,
    }
    annotations = parsed.annotations
    del parsed  # on a large file, what the figures do not read is let go before they start
    try:
        rows = relevant_columns(select_dimension(annotations, dimension))
        del annotations
        result = figures(
            rows,
            level=level,
            weights=weights,
            categories=domain,
            bootstrap=bootstrap,
            seed=seed,
        )
    except AppError as error:  # the file was read: say which file the problem is about
        report_error(about_file(error, file.name))
        return
    result = {**about, **result}
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, allow_nan=False))
    else:
        click.echo(human_report(result))


def _number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def human_report(result: dict[str, Any]) -> str:
    counts = result.get("counts", {})
    out = [
        f"{result['file']} ({result['format']}"
        + (f", dimension {result['dimension']}" if result.get("dimension") else "")
        + ")",
        ", ".join(
            f"{key.replace('_', ' ')}: {value:,}"
            for key, value in counts.items()
            if isinstance(value, int)
        ),
    ]
    boot = result.get("bootstrap", {}).get("resamples", 0)
    out.append("")
    rows = []
    for c in result.get("coefficients", {}).values():
        interval = (
            f"[{_number(c['ci_low'])}, {_number(c['ci_high'])}]" if c["ci_low"] is not None else "-"
        )
        rows.append(
            [
                c["name"],
                _number(c["value"]),
                interval,
                _number(c["se"]),
                c["undefined_reason"] or "",
            ]
        )
    if rows:
        out.append(
            _table(["coefficient", "value", f"95% CI ({boot} resamples)", "se", "note"], rows)
        )
    labels = result.get("per_label") or []
    if labels:
        out += ["", "Per label:"]
        out.append(
            _table(
                ["label", "annotations", "specific agreement", "alpha one-vs-rest"],
                [
                    [
                        str(x["label"]),
                        str(x["n_annotations"]),
                        _number(x["specific_agreement"]),
                        _number(x["alpha_one_vs_rest"]),
                    ]
                    for x in labels[:MAX_TABLE_ROWS]
                ],
            )
        )
    multilabel = result.get("multilabel") or []
    if multilabel:
        out += ["", "Per label (multi-label, binary):"]
        out.append(
            _table(
                ["label", "positive", "alpha", "percent", "AC1"],
                [
                    [
                        str(x["label"]),
                        str(x["n_positive"]),
                        *(_number(x[key]["value"]) for key in MULTILABEL_METRICS),
                    ]
                    for x in multilabel[:MAX_TABLE_ROWS]
                ],
            )
        )
    annotators = result.get("annotators") or []
    if annotators:
        out += ["", "Annotators:"]
        out.append(
            _table(
                ["annotator", "annotations", "agreement with rest", "alpha without", "gold acc."],
                [
                    [
                        str(a["annotator"]),
                        str(a["n_annotations"]),
                        _number(a["agreement_with_rest"]),
                        _number(a["alpha_without"]),
                        _number(a["gold_accuracy"]),
                    ]
                    for a in annotators[:MAX_TABLE_ROWS]
                ],
            )
        )
        if len(annotators) > MAX_TABLE_ROWS:
            out.append(f"... and {len(annotators) - MAX_TABLE_ROWS} more (see --json)")
    gold = result.get("gold") or {}
    if gold.get("n_gold_items"):
        out += [
            "",
            f"Gold: {gold['n_gold_items']} items, accuracy {_number(gold['accuracy'])}"
            f" over {gold['n_compared']} ratings",
        ]
    for warning in result.get("warnings", []):
        out.append(f"note: {warning}")
    return "\n".join(out)
