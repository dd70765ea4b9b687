"""Reading a guideline's annotations by release: only the releases asked for, exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from guidelines_app.db import session_scope
from guidelines_app.services.annotations import importing as annotations
from guidelines_app.services.reports import release_data
from guidelines_app.store import Author

SLUG = "product-review-sentiment"
PATH = f"guidelines/{SLUG}.md"
LEAD = Author("Lena Lead", "lena@example.org")
T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)
WEEK = timedelta(weeks=1)
LABELS = ["positive", "negative", "neutral"]


def _csv(rows: list[tuple[str, str, str, datetime | None]]) -> bytes:
    lines = ["item,annotator,label,created_at"]
    for item, annotator, label, when in rows:
        lines.append(f"{item},{annotator},{label},{when.isoformat() if when else ''}")
    return ("\n".join(lines) + "\n").encode()


def _import(app, rows, name: str, **extra) -> None:
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        annotations.import_annotations(
            session=session,
            store=app.extensions["guidelines.store"],
            data=_csv(rows),
            file_name=name,
            dataset="reviews",
            guideline=SLUG,
            **extra,
        )


def _spread(prefix: str, start: datetime, step: timedelta, n: int) -> list:
    return [
        (f"{prefix}-{i // 2}", f"annotator-{i % 2}", LABELS[(i // 2) % 3], start + i * step)
        for i in range(n)
    ]


@pytest.fixture
def releases(app):
    """v1 at T0, v2 at T0 + 2 weeks, v3 at T0 + 4 weeks, and batches of every kind."""
    store = app.extensions["guidelines.store"]
    for number in range(3):
        if number:
            text = store.read(PATH).text + f"\nClarification {number}.\n"
            store.write(
                {PATH: text.encode()},
                base=None,
                author=LEAD,
                message="edit",
                when=T0 + 2 * number * WEEK,
            )
        store.create_release(
            PATH,
            rev=store.head(),
            message=f"v{number + 1}",
            tagger=LEAD,
            when=T0 + 2 * number * WEEK,
        )
    # stamped v2 at import although dated in v1's window: the stamp wins
    _import(
        app,
        _spread("given", T0 + timedelta(days=1), timedelta(hours=1), 12),
        "given.csv",
        release=2,
    )
    # inferred from timestamps, spanning the draft and all three releases
    spanning = _spread("dated", T0 - timedelta(days=3), timedelta(hours=14, microseconds=123), 120)
    spanning.append(("edge", "annotator-0", "positive", T0 + 2 * WEEK))  # exactly at v2's tag
    spanning.append(("edge", "annotator-1", "positive", T0 + 2 * WEEK - timedelta(microseconds=1)))
    _import(app, spanning, "dated.csv")
    # inferred, entirely inside v1's window: never read for other releases
    _import(app, _spread("early", T0 + timedelta(days=2), timedelta(hours=3), 20), "early.csv")
    # no timestamps: the batch's release (the latest at import, v3)
    _import(
        app,
        [(f"undated-{i}", f"annotator-{j}", "neutral", None) for i in range(5) for j in range(2)],
        "undated.csv",
    )
    return store


def _load(app, **options) -> pd.DataFrame:
    with app.app_context(), session_scope(app.extensions["guidelines.engine"]) as session:
        data = release_data.load(
            session=session, store=app.extensions["guidelines.store"], slug=SLUG, **options
        )
    return data.frame


def _rows(frame: pd.DataFrame) -> list[tuple]:
    columns = ["item", "annotator", "label", "created_at", "batch", "dataset", "release"]
    return sorted(
        tuple(None if pd.isna(v) else str(v) for v in row)
        for row in frame[columns].astype(object).itertuples(index=False)
    )


def test_every_annotation_gets_its_release(app, releases):
    frame = _load(app)
    assert len(frame) == 12 + 122 + 20 + 10
    assert set(frame.loc[frame["batch"] == frame["batch"].min(), "release"]) == {2}
    undated = frame[frame["created_at"].isna()]
    assert len(undated) == 10 and set(undated["release"]) == {3}
    dated = frame[(frame["batch"] != frame["batch"].min()) & frame["created_at"].notna()]
    assert set(dated["release"]) == {0, 1, 2, 3}
    at_tag = frame[frame["created_at"] == pd.Timestamp(T0 + 2 * WEEK)]
    just_before = frame[
        frame["created_at"] == pd.Timestamp(T0 + 2 * WEEK - timedelta(microseconds=1))
    ]
    assert list(at_tag["release"]) == [2] and list(just_before["release"]) == [1]
    assert set(frame["dataset"].astype(str)) == {"reviews"}


@pytest.mark.parametrize("versions", [{0}, {1}, {2}, {3}, {1, 2}, {0, 3}, {1, 2, 3}])
def test_reading_some_releases_gives_exactly_their_annotations(app, releases, versions):
    everything = _load(app)
    some = _load(app, versions=versions)
    assert len(some) > 0
    assert _rows(some) == _rows(everything[everything["release"].isin(versions)])


def test_timestamps_keep_their_microseconds(app, releases):
    frame = _load(app)
    wanted = pd.Timestamp(T0 - timedelta(days=3) + 5 * timedelta(hours=14, microseconds=123))
    assert (frame["created_at"] == wanted).sum() == 1
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"


def test_rows_read_a_chunk_at_a_time_are_all_there(app, releases, monkeypatch):
    whole = _load(app)
    monkeypatch.setattr(release_data, "CHUNK", 7)
    chunked = _load(app)
    assert _rows(chunked) == _rows(whole)
    assert isinstance(chunked["label"].dtype, pd.CategoricalDtype)
    assert set(chunked["label"].astype(str)) == set(LABELS)


def test_a_guideline_without_annotations_reads_an_empty_frame(app):
    frame = _load(app, versions={0})
    assert frame.empty and list(frame.columns) == [*release_data.COLUMNS, "release"]
