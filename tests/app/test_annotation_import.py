"""Importing annotation files as batches: atomic, checked against the taxonomy, never twice."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from guidelines_app.db import session_scope
from guidelines_app.domain.errors import Conflict, InvalidInput, TooLarge
from guidelines_app.models import Annotation, AnnotationBatch, Dataset, Item, ReleaseRule
from guidelines_app.services.accounts import users as accounts
from guidelines_app.services.annotations import checks as annotation_checks
from guidelines_app.services.annotations import context as annotation_context
from guidelines_app.services.annotations import importing as annotations
from guidelines_app.services.documents import versioned as documents
from guidelines_app.services.documents.versioned import GUIDELINE
from guidelines_app.store import Author, Release
from guidelines_app.web import context
from tests.app.api_world import join_import_threads
from tests.factories import make_user

SENTIMENT = "product-review-sentiment"


def sentiment_csv(n_items: int = 20, *, label: str = "positive", when: str = "") -> bytes:
    lines = ["item,annotator,label,created_at"]
    for i in range(n_items):
        for annotator in ("ann", "bob", "cat"):
            chosen = label if (i + ord(annotator[0])) % 4 else "negative"
            lines.append(f"review-{i},{annotator},{chosen},{when}")
    return ("\n".join(lines) + "\n").encode()


def run_import(app, data: bytes, *, file_name: str = "batch.csv", **options):
    with app.app_context(), session_scope(context.engine()) as session:
        return annotations.import_annotations(
            session=session,
            store=context.store(),
            data=data,
            file_name=file_name,
            dataset=options.pop("dataset", "reviews"),
            **options,
        )


def table_counts(app) -> tuple[int, int, int]:
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(model)).one()
            for model in (AnnotationBatch, Annotation, Item)
        )


def test_import_stores_batch_items_and_annotations_in_one_go(app):
    outcome = run_import(app, sentiment_csv(), guideline=SENTIMENT)
    batch = outcome.batch
    assert (batch.n_annotations, batch.n_items, batch.n_annotators) == (60, 20, 3)
    assert batch.source_format == "csv" and len(batch.sha256) == 64
    assert batch.taxonomy == SENTIMENT and batch.taxonomy_commit
    assert table_counts(app) == (1, 60, 20)


def test_items_are_matched_by_dataset_and_external_id(app):
    run_import(app, sentiment_csv(10))
    run_import(app, sentiment_csv(12, label="neutral"), file_name="second.csv")
    run_import(app, sentiment_csv(5), file_name="third.csv", dataset="other")
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        per_dataset = dict(
            session.exec(
                select(Dataset.slug, func.count(Item.id))
                .join(Item, Item.dataset_id == Dataset.id)
                .group_by(Dataset.slug)
            ).all()
        )
    assert per_dataset == {"reviews": 12, "other": 5}


def test_label_names_and_case_variants_are_read_as_their_ids(app):
    data = sentiment_csv().replace(b"negative", b"Negative").replace(b"positive", b"POSITIVE")
    outcome = run_import(app, data, guideline=SENTIMENT)
    assert outcome.batch.n_mapped == 60
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        rows = set(session.exec(select(Annotation.label, Annotation.original_label)).all())
    assert rows == {("negative", "Negative"), ("positive", "POSITIVE")}
    assert any("read label 'Negative' as 'negative'" in note for note in outcome.warnings)


def test_same_file_twice_is_refused_with_409_naming_the_earlier_batch(app):
    first = run_import(app, sentiment_csv())
    with pytest.raises(Conflict) as caught:
        run_import(app, sentiment_csv(), file_name="renamed.csv")
    assert f"batch #{first.batch.id}" in caught.value.message
    assert table_counts(app)[0] == 1


def test_unknown_labels_are_listed_with_counts_and_nothing_is_imported(app):
    data = sentiment_csv().replace(b"negative", b"negatve")
    with pytest.raises(InvalidInput) as caught:
        run_import(app, data, guideline=SENTIMENT)
    assert "'negatve' (" in caught.value.message
    assert any("annotations)" in str(p) for p in caught.value.problems)
    assert table_counts(app) == (0, 0, 0)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"item,item,label\n1,a,b\n", "duplicate column"),
        (b'{"item": "1", "annotator": "a", "label": NaN}\n', "NaN"),
        (b'{"item": "1", "item": "2", "annotator": "a", "label": "x"}\n', "duplicate key"),
        (b"\x00\x01\x02binary", "NUL"),
        (b'item,annotator,label\n1,a,=HYPERLINK("x")\n1,b,ok\n', "formula"),
        (b"just some prose, not annotations at all", "annotation"),
    ],
)
def test_bad_files_are_refused_with_the_file_and_problem(app, data, expected):
    with pytest.raises(InvalidInput) as caught:
        run_import(app, data, file_name="bad.csv")
    text = caught.value.message + " ".join(str(p) for p in caught.value.problems)
    assert "bad.csv" in text
    assert expected.lower() in text.lower()
    assert table_counts(app) == (0, 0, 0)


def test_bom_and_utf16_files_are_read(app):
    text = sentiment_csv(4).decode()
    run_import(app, b"\xef\xbb\xbf" + text.encode(), file_name="bom.csv")
    outcome = run_import(app, text.encode("utf-16"), file_name="utf16.csv", dataset="wide")
    assert outcome.batch.n_annotations == 12


def test_gzip_bomb_is_refused_as_too_large(app, monkeypatch):
    bomb = gzip.compress(b"item,annotator,label\n" + b"0" * (64 * 1024 * 1024))
    monkeypatch.setattr(
        annotation_checks, "read_annotations", _capped(annotation_checks.read_annotations, 1 << 20)
    )
    with pytest.raises(TooLarge):
        run_import(app, bomb, file_name="bomb.csv.gz")
    assert table_counts(app) == (0, 0, 0)


def _capped(reader, cap):
    def read(*args, **kwargs):
        return reader(*args, **{**kwargs, "max_bytes": cap})

    return read


def test_a_huge_single_line_is_refused_with_its_line_number(app):
    line = b'{"item": "' + b"9" * (101 * 1024 * 1024) + b'"}\n'
    data = b'{"item": "1", "annotator": "a", "label": "x"}\n' + line
    with pytest.raises(TooLarge) as caught:
        run_import(app, data, file_name="long.jsonl")
    assert "long.jsonl (line 2): line is longer than the limit" in caught.value.message
    assert table_counts(app) == (0, 0, 0)


def test_a_failure_while_writing_leaves_nothing_behind(app):
    def broken(done: int, _total: int) -> None:
        if done >= 20:  # some chunks of annotations are committed by now
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        run_import(app, sentiment_csv(), chunk_size=10, after_chunk=broken)
    assert table_counts(app) == (0, 0, 0)


def _release(at: datetime, version: int) -> Release:
    return Release(f"t{version}", "g", version, f"c{version}", "", "n", "e", at)


def test_release_in_force_is_inferred_from_timestamps():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    releases = [_release(start, 1), _release(start + timedelta(days=10), 2)]
    import pandas as pd

    inside = pd.Series(pd.to_datetime(["2026-01-03", "2026-01-05"], utc=True))
    found, rule, _note = annotation_context.release_in_force(releases, inside)
    assert (found.version, rule) == (1, ReleaseRule.TIMESTAMPS)
    spread = pd.Series(pd.to_datetime(["2026-01-03", "2026-01-12", "2026-01-13"], utc=True))
    found, rule, note = annotation_context.release_in_force(releases, spread)
    assert (found.version, rule) == (2, ReleaseRule.MAJORITY) and "v1: 1" in note
    early = pd.Series(pd.to_datetime(["2025-12-01"], utc=True))
    assert annotation_context.release_in_force(releases, early)[1] == ReleaseRule.NONE
    undated = pd.Series([pd.NaT], dtype="datetime64[ns, UTC]")
    assert annotation_context.release_in_force(releases, undated)[:2] == (
        releases[-1],
        ReleaseRule.LATEST,
    )


def test_given_release_is_stored_with_its_commit(app):
    with app.app_context():
        store = context.store()
        release = documents.create_release(
            store, GUIDELINE, SENTIMENT, notes="v1", tagger=Author("Lena", "lena@example.org")
        )
    outcome = run_import(app, sentiment_csv(), guideline=SENTIMENT, release=1)
    batch = outcome.batch
    assert (batch.guideline_version, batch.guideline_commit) == (1, release.commit_id)
    assert batch.release_rule == ReleaseRule.GIVEN
    with pytest.raises(InvalidInput):
        run_import(app, sentiment_csv(3), guideline=SENTIMENT, release=7)


class TokenClient:
    """A test client that sends a bearer token, as API tools do."""

    def __init__(self, app, role: str, username: str) -> None:
        user = make_user(app, username, role)
        with app.app_context(), session_scope(context.engine()) as session:
            _token, secret = accounts.create_api_token(
                session=session, user_id=user.id, name="tests"
            )
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, url: str):
        return self.client.get(url, headers=self.headers)

    def post(self, url: str, **kwargs):
        return self.client.post(url, headers=self.headers, **kwargs)


def _finished(lead, accepted):
    assert accepted.status_code == 202, accepted.get_data(as_text=True)
    join_import_threads()
    return lead.get(accepted.headers["Location"]).get_json()


def test_api_upload_lists_and_shows_a_batch(app):
    lead = TokenClient(app, "lead", "lena")
    response = lead.post(
        "/api/v1/annotation-batches",
        data={"dataset": "reviews", "file": (io.BytesIO(sentiment_csv()), "api.csv")},
        content_type="multipart/form-data",
    )
    job = _finished(lead, response)
    assert (job["status"], job["stage"]) == ("done", "done"), job
    batch_id = job["batch_id"]
    assert job["batch_url"] == f"/api/v1/annotation-batches/{batch_id}"
    again = lead.post(
        "/api/v1/annotation-batches",
        data={"dataset": "reviews", "file": (io.BytesIO(sentiment_csv()), "api.csv")},
        content_type="multipart/form-data",
    )
    refused = _finished(lead, again)
    assert (refused["status"], refused["status_code"], refused["batch_id"]) == ("failed", 409, None)
    assert "already imported" in refused["message"]
    listed = lead.get("/api/v1/annotation-batches").get_json()["batches"]
    assert [b["id"] for b in listed] == [batch_id]
    shown = lead.get(f"/api/v1/annotation-batches/{batch_id}").get_json()
    assert shown["figures"]["coefficients"]["krippendorff_alpha_nominal"]["value"] is not None
    assert shown["figures"]["annotators"]


def test_api_hides_annotator_figures_from_viewers_and_refuses_their_uploads(app):
    run_import(app, sentiment_csv())
    viewer = TokenClient(app, "viewer", "vic")
    shown = viewer.get("/api/v1/annotation-batches/1").get_json()
    assert "annotators" not in shown["figures"]
    response = viewer.post(
        "/api/v1/annotation-batches",
        data={"dataset": "x", "file": (io.BytesIO(sentiment_csv()), "v.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_api_bad_upload_fails_its_job_with_422_and_every_problem(app):
    lead = TokenClient(app, "lead", "lena")
    response = lead.post(
        "/api/v1/annotation-batches",
        data={"dataset": "reviews", "file": (io.BytesIO(b"item,item,label\n1,2,3\n"), "d.csv")},
        content_type="multipart/form-data",
    )
    job = _finished(lead, response)
    assert (job["status"], job["stage"], job["status_code"]) == ("failed", "refused", 422)
    assert any("d.csv" in p and "line 1" in p for p in job["problems"]), job
    missing = lead.post("/api/v1/annotation-batches", data={"dataset": "reviews"})
    assert missing.status_code == 422
    empty = lead.post(
        "/api/v1/annotation-batches",
        data={"dataset": "reviews", "file": (io.BytesIO(b""), "e.csv")},
        content_type="multipart/form-data",
    )
    assert empty.status_code == 422 and "e.csv: the file is empty" in json.dumps(empty.get_json())


def test_api_upload_with_wait_answers_as_before_imports_ran_as_jobs(app):
    lead = TokenClient(app, "lead", "lena")

    def post(data: bytes):
        return lead.post(
            "/api/v1/annotation-batches?wait=true",
            data={"dataset": "reviews", "file": (io.BytesIO(data), "w.csv")},
            content_type="multipart/form-data",
        )

    created = post(sentiment_csv())
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.headers["Location"] == f"/api/v1/annotation-batches/{created.json['id']}"
    assert post(sentiment_csv()).status_code == 409
    bad = post(b"item,item,label\n1,2,3\n")
    assert bad.status_code == 422 and "w.csv" in json.dumps(bad.get_json())


def test_cli_import_reports_progress_and_refuses_a_second_time(app, runner, tmp_path):
    make_user(app, "lena", "lead")
    path = tmp_path / "cli.csv"
    path.write_bytes(sentiment_csv())
    args = ["import", str(path), "--dataset", "reviews", "--guideline", SENTIMENT]
    result = runner.invoke(args=[*args, "--importer", "lena"])
    assert result.exit_code == 0, result.output
    assert "imported batch #1: 60 annotations" in result.output
    again = runner.invoke(args=args)
    assert again.exit_code == 2 and "already imported" in again.output


def test_cli_import_of_unknown_labels_exits_2_listing_them(app, runner, tmp_path):
    path = tmp_path / "typo.csv"
    path.write_bytes(sentiment_csv().replace(b"positive", b"postive"))
    result = runner.invoke(
        args=["import", str(path), "--dataset", "reviews", "--taxonomy", SENTIMENT]
    )
    assert result.exit_code == 2
    assert "'postive'" in result.output
    assert table_counts(app) == (0, 0, 0)


def _alpha(app, batch_id: int) -> tuple[float, float, float]:
    from guidelines_app.services.annotations import stored as agreement

    with app.app_context(), session_scope(context.engine()) as session:
        c = agreement.batch_figures(session=session, batch_id=batch_id).figures["coefficients"]
    alpha = c["krippendorff_alpha_nominal"]
    return alpha["value"], alpha["ci_low"], alpha["ci_high"]


def test_demo_imports_one_batch_per_release_once_and_tells_its_stories(app, tmp_path):
    from guidelines_app import demo

    with app.app_context(), session_scope(context.engine()) as session:
        for _ in range(2):  # idempotent
            demo.load_demo(
                session=session,
                store=context.store(),
                credentials_file=tmp_path / "demo.json",
                profile="fast",
            )
        rows = session.exec(
            select(AnnotationBatch.id, AnnotationBatch.guideline, AnnotationBatch.guideline_version)
        ).all()
    batches = {(guideline, version): batch_id for batch_id, guideline, version in rows}
    assert len(rows) == 9 and len(batches) == 9
    sentiment = [_alpha(app, batches[(SENTIMENT, v)]) for v in (1, 2, 3)]
    assert sentiment[1][1] > sentiment[0][2]  # v2 really improves: the intervals part
    assert abs(sentiment[2][0] - sentiment[1][0]) < 0.03  # v3 changes nothing measurable
    chatbot = [_alpha(app, batches[("chatbot-preference", v)]) for v in (1, 2)]
    assert chatbot[1][0] > chatbot[0][0] + 0.15  # the merge removes the hard distinction
    _assert_demo_releases_cite_their_decisions(app)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back aggregated timestamps as text or naive datetimes."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _assert_demo_releases_cite_their_decisions(app) -> None:
    """The improving release folds in the decisions about the labels it improved; the
    demo's decisions enter the guidelines inside the dated history, never in a release
    made on the day the demo runs."""
    from guidelines_app.models import Decision, DecisionRevision
    from guidelines_app.services import reports
    from guidelines_app.services.decisions import amendments

    with app.app_context(), session_scope(context.engine()) as session:
        store = context.store()
        for slug in (SENTIMENT, "news-entities", "chatbot-preference"):
            releases = documents.releases(store, GUIDELINE, slug)
            assert [r.version for r in releases] == [1, 2, 3]
            stamps = session.exec(
                select(
                    AnnotationBatch.guideline_version,
                    AnnotationBatch.release_rule,
                    func.min(Annotation.created_at),
                    func.max(Annotation.created_at),
                )
                .join(Annotation, Annotation.batch_id == AnnotationBatch.id)
                .where(AnnotationBatch.guideline == slug)
                .group_by(AnnotationBatch.guideline_version, AnnotationBatch.release_rule)
                .order_by(AnnotationBatch.guideline_version)
            ).all()
            assert [(v, rule) for v, rule, _first, _last in stamps] == [
                (1, "given"), (2, "timestamps"), (3, "timestamps")
            ]  # fmt: skip
            for (_v, _rule, first, last), release, following in zip(
                stamps, releases, [*releases[1:], None], strict=True
            ):  # each batch was annotated while its release was in force
                assert as_utc(first) > release.tagged_at
                assert following is None or as_utc(last) < following.tagged_at

        def compared(slug: str, old: str, new: str) -> reports.Comparison:
            return reports.compare(
                session=session, store=store, slug=slug, old=old, new=new, resamples=200
            )

        def alpha_verdict(comparison: reports.Comparison) -> str | None:
            change = comparison.change("krippendorff_alpha_nominal")
            return change.verdict if change else None

        improved = compared(SENTIMENT, "v1", "v2")
        assert alpha_verdict(improved) == "improved"
        titles = {d.title: d.id for d in improved.decisions}
        sarcasm = titles["Sarcastic praise of a broken product"]
        assert improved.comparison is not None
        per_label = {e.label: e for e in improved.comparison.per_label}
        for label in ("positive", "negative"):
            assert per_label[label].alpha_one_vs_rest.verdict == "improved"
            assert sarcasm in improved.decisions_for(label)
        unchanged = compared(SENTIMENT, "v2", "v3")
        assert alpha_verdict(unchanged) == "no measurable change"
        assert [d.title for d in unchanged.decisions] == ["Thumbs up only"]
        metonymy = compared("news-entities", "v2", "v3")
        assert alpha_verdict(metonymy) == "improved"
        brussels = {d.title: d.id for d in metonymy.decisions}["Brussels for the EU"]
        assert brussels in metonymy.decisions_for("org")
        decision = session.exec(select(Decision).where(Decision.id == sarcasm)).one()
        (amendment,) = amendments.amendments_for(store=store, decision=decision)
        assert amendment.release is not None and amendment.release.version == 2
        assert amendment.commit.authored_at > decision.created_at
        revisions = session.exec(
            select(DecisionRevision.at).where(DecisionRevision.decision_id == sarcasm)
        ).all()
        assert revisions and all(at < amendment.commit.authored_at for at in revisions)
        pending = {
            p.decision.title for p in amendments.not_yet_released(session=session, store=store)
        }
        assert "Ambiguous irony stays literal" in pending and "Brussels for the EU" not in pending


def _merge_chatbot_strengths(app) -> str:
    """Save the demo's revision 2 of the chatbot taxonomy (strengths merged) and return
    the commit of the guideline release made before it (v1)."""
    from importlib import resources

    from guidelines_app.services.documents.versioned import TAXONOMY

    merged = resources.files("guidelines_app.demo.data") / "chatbot-preference/taxonomy.r2.yaml"
    author = Author("Lena", "lena@example.org")
    with app.app_context():
        store = context.store()
        release = documents.create_release(
            store, GUIDELINE, "chatbot-preference", notes="v1", tagger=author
        )
        documents.save(
            store,
            TAXONOMY,
            "chatbot-preference",
            text=merged.read_text(encoding="utf-8"),
            base=None,
            author=author,
            message="Merge strengths",
        )
    return release.commit_id


def chatbot_csv() -> bytes:
    rows = ["item,annotator,label"]
    for i, (x, y) in enumerate(
        [("a-much-better", "a-slightly-better"), ("tie", "tie"), ("b-much-better", "b-better")]
    ):
        rows += [f"pair-{i},ann,{x}", f"pair-{i},bob,{y}"]
    return ("\n".join(rows) + "\n").encode()


def test_deprecated_labels_are_kept_unless_mapping_is_asked_for(app):
    _merge_chatbot_strengths(app)
    kept = run_import(app, chatbot_csv(), guideline="chatbot-preference", release=1)
    assert kept.batch.n_mapped == 0
    mapped = run_import(
        app,
        chatbot_csv(),
        guideline="chatbot-preference",
        release=1,
        map_labels=True,
        dataset="mapped",
    )
    assert mapped.batch.n_mapped == 3
    with app.app_context(), session_scope(context.engine(), write=False) as session:
        rows = session.exec(
            select(Annotation.label, Annotation.original_label).where(
                Annotation.batch_id == mapped.batch.id
            )
        ).all()
    assert ("a-better", "a-much-better") in rows and ("a-better", "a-slightly-better") in rows
    assert ("b-better", None) in rows and ("tie", None) in rows
    assert any("mapped 'a-much-better' to 'a-better'" in note for note in mapped.warnings)


def test_labels_unknown_to_both_taxonomies_are_refused_even_with_mapping(app):
    _merge_chatbot_strengths(app)
    data = chatbot_csv().replace(b"tie", b"draw")
    with pytest.raises(InvalidInput) as caught:
        run_import(app, data, guideline="chatbot-preference", map_labels=True)
    assert "'draw' (2)" in caught.value.message


def test_cli_import_maps_renamed_columns(app, runner, tmp_path):
    path = tmp_path / "renamed.csv"
    path.write_bytes(sentiment_csv(5).replace(b"item,annotator,label", b"review,rater,label"))
    args = ["import", str(path), "--dataset", "reviews", "--column", "item=review"]
    result = runner.invoke(args=[*args, "--column", "annotator=rater"])
    assert result.exit_code == 0, result.output
    assert "15 annotations on 5 items" in result.output
