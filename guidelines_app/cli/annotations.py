"""``guidelines import FILE --dataset D``: one annotation file as one batch, with a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from guidelines_app.cli.agreement import parse_columns, report_error
from guidelines_app.db import session_scope
from guidelines_app.domain.errors import AppError
from guidelines_app.domain.formats.annotations import FORMATS
from guidelines_app.services import annotations as annotation_batches
from guidelines_app.services import documents, ops
from guidelines_app.web import context


class _Bar:
    """Stage names as lines, the writing of rows as a click progress bar."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.shown = 0
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            if total and stage.startswith("writing annotations"):
                self.bar = click.progressbar(length=total, label=stage, file=sys.stderr)
                self.bar.__enter__()
            else:
                click.echo(f"{stage}...", err=True)
        if self.bar is not None and done > self.shown:
            self.bar.update(done - self.shown)
            self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
            self.shown = 0


def _release_number(raw: str | None) -> int | None:
    if raw is None:
        return None
    version = documents.parse_version(raw)
    if version is None:
        raise click.BadParameter(f"{raw!r} is not a release such as v3", param_hint="--release")
    return version


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", required=True, help="The dataset the items belong to (created if new).")
@click.option("--format", "file_format", type=click.Choice(("auto", *FORMATS)), default="auto")
@click.option("--guideline", default=None, help="The guideline the annotators followed.")
@click.option(
    "--release", default=None, help="Its release (vN); inferred from timestamps if absent."
)
@click.option(
    "--taxonomy", default=None, help="The taxonomy of the labels (default: the guideline's)."
)
@click.option("--map-labels", is_flag=True, help="Map deprecated labels to their replacement.")
@click.option("--importer", default=None, help="The username recorded as importer.")
@click.option("--annotator", default="", help="The annotator of a doccano file.")
@click.option("--column", "column_pairs", multiple=True, metavar="NAME=COLUMN")
@with_appcontext
def import_command(
    file: Path,
    dataset: str,
    file_format: str,
    guideline: str | None,
    release: str | None,
    taxonomy: str | None,
    map_labels: bool,
    importer: str | None,
    annotator: str,
    column_pairs: tuple[str, ...],
) -> None:
    """Import an annotation FILE as one batch: all of it or nothing (exit code 2 on bad input)."""
    version = _release_number(release)
    columns = parse_columns(column_pairs)
    try:
        state = ops.state(context.engine())
    except Exception as error:  # the database cannot be opened at all
        click.secho(f"Error: cannot open the database ({error})", fg="red", err=True)
        sys.exit(2)
    if not state.at_head:
        click.secho("Error: run `guidelines init` first", fg="red", err=True)
        sys.exit(2)
    bar = _Bar()
    try:
        with session_scope(context.engine(), write=False) as session:
            importer_id = annotation_batches.importer_id_for(session, importer)
        options = annotation_batches.ImportOptions(
            dataset=dataset,
            file_name=file.name,
            format=file_format,
            guideline=guideline,
            release=version,
            taxonomy=taxonomy,
            map_labels=map_labels,
            importer_id=importer_id,
            doccano_annotator=annotator,
            columns=columns,
        )
        with session_scope(context.engine()) as session, file.open("rb") as handle:
            outcome = annotation_batches.import_batch(
                session=session, store=context.store(), data=handle, options=options, progress=bar
            )
            bar.close()
            batch = outcome.batch
    except AppError as error:
        bar.close()
        report_error(error)
        return
    release_text = (
        f"{batch.guideline} v{batch.guideline_version}" if batch.guideline_version else "none"
    )
    click.echo(
        f"imported batch #{batch.id}: {batch.n_annotations:,} annotations on {batch.n_items:,} "
        f"items by {batch.n_annotators:,} annotators ({batch.source_format}); "
        f"release {release_text} ({batch.release_rule})"
    )
    for note in outcome.warnings:
        click.echo(f"note: {note}")
