"""Semantic diff and migration map pages, export and import, and the demo's taxonomy story."""

from __future__ import annotations

import io

import pytest

from guidelines_app.domain.taxonomy import parse_taxonomy
from tests.app.taxonomy_helpers import SMALL, head, read, release, write

RENAMED = SMALL.replace("name: Beta", "name: Bravo")
SPLIT = SMALL.replace(
    "  - id: a\n    name: Alpha\n    description: The first letter.\n",
    "  - id: a\n    name: Alpha\n    description: The first letter.\n"
    "    deprecated: true\n    replaced_by: [a1, a2]\n"
    "  - id: a1\n    name: Alpha one\n  - id: a2\n    name: Alpha two\n",
)


@pytest.fixture
def two_releases(app):
    write(app, "small", SMALL)
    release(app, "small")
    write(app, "small", SPLIT.replace("name: Beta", "name: Bravo"))
    release(app, "small")


def test_diff_page_between_releases_names_the_rename_and_the_split(as_viewer, two_releases):
    response = as_viewer.get("/taxonomies/small/diff?from=v1&to=v2")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="renamed"' in page and "Bravo" in page
    assert 'id="split"' in page and "a1" in page and "needs relabelling" not in page


def test_diff_answers_json_on_request_or_by_accept_header(as_viewer, two_releases):
    by_query = as_viewer.get("/taxonomies/small/diff?from=v1&to=v2&format=json").json
    by_header = as_viewer.get(
        "/taxonomies/small/diff?from=v1&to=v2", headers={"Accept": "application/json"}
    ).json
    assert by_query == by_header
    assert by_query["from"]["release"] == 1 and by_query["to"]["release"] == 2
    assert by_query["changes"]["renamed"] == [{"id": "b", "old_name": "Beta", "new_name": "Bravo"}]
    assert by_query["changes"]["split"] == [{"source": "a", "into": ["a1", "a2"]}]


def test_diff_defaults_to_the_two_newest_releases_when_the_draft_is_released(
    as_viewer, two_releases
):
    data = as_viewer.get("/taxonomies/small/diff?format=json").json
    assert (data["from"]["label"], data["to"]["label"]) == ("v1", "v2")


def test_diff_with_an_unknown_revision_answers_404(as_viewer, two_releases):
    assert as_viewer.get("/taxonomies/small/diff?from=v7&to=v2").status_code == 404
    assert as_viewer.get("/taxonomies/small/diff?from=nonsense&to=v2").status_code == 404
    assert as_viewer.get("/taxonomies/nope/diff").status_code == 404


def test_migration_map_marks_the_split_as_needing_relabelling(as_viewer, two_releases):
    data = as_viewer.get("/taxonomies/small/migration?from=v1&to=v2&format=json").json
    assert data["map"]["a"] == {"new_ids": ["a1", "a2"], "status": "split", "needs_relabel": True}
    assert data["map"]["b"]["new_ids"] == ["b"] and data["needs_relabel"] == ["a"]
    assert data["annotation_counts"] == {}  # nothing imported under this taxonomy
    page = as_viewer.get("/taxonomies/small/migration?from=v1&to=v2").get_data(as_text=True)
    assert "needs relabelling" in page and "Stored annotations" not in page
    assert "(renamed)" in page


EXPORTS = {
    "labelstudio": ("application/xml", "small.xml", "<View"),
    "labelbox": ("application/json", "small.json", '"classifications"'),
    "cvat": ("application/json", "small-labels.json", '"name"'),
    "prodigy": ("text/plain; charset=utf-8", "small-labels.txt", "Alpha"),
    "skos": ("text/turtle; charset=utf-8", "small.ttl", "skos:Concept"),
    "csv": ("text/csv; charset=utf-8", "small.csv", "id,name"),
}


@pytest.mark.parametrize("fmt", sorted(EXPORTS))
def test_export_downloads_with_the_right_media_type_and_file_name(app, as_viewer, fmt):
    write(app, "small", SMALL)
    response = as_viewer.get(f"/taxonomies/small/export?to={fmt}")
    media_type, filename, marker = EXPORTS[fmt]
    assert response.status_code == 200
    assert response.headers["Content-Type"] == media_type
    assert f'filename="{filename}"' in response.headers["Content-Disposition"]
    assert marker in response.get_data(as_text=True)


def test_export_of_an_old_revision(app, as_viewer):
    first = write(app, "small", SMALL)
    write(app, "small", RENAMED)
    old = as_viewer.get(f"/taxonomies/small/export?to=prodigy&rev={first}")
    assert "Beta" in old.get_data(as_text=True)
    assert "Bravo" in as_viewer.get("/taxonomies/small/export?to=prodigy").get_data(as_text=True)


@pytest.mark.parametrize("query", ["to=excel", "to=", ""])
def test_export_to_an_unknown_format_answers_422(app, as_viewer, query):
    write(app, "small", SMALL)
    response = as_viewer.get(f"/taxonomies/small/export?{query}")
    assert response.status_code == 422
    assert "labelstudio" in response.get_data(as_text=True)


def test_export_of_an_unknown_taxonomy_answers_404(as_viewer):
    assert as_viewer.get("/taxonomies/nope/export?to=csv").status_code == 404


def _upload(client, data: bytes, fmt: str, slug: str, message: str = ""):
    """A multipart upload encoded here: werkzeug's encoder leaks a temp file for big bodies."""
    boundary = "----taxonomy-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in (("format", fmt), ("slug", slug), ("message", message))
    ]
    head = "".join(parts) + (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="labels.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    )
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(
        "/taxonomies/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_import_of_a_text_list_creates_a_new_taxonomy(app, as_lead):
    response = _upload(as_lead, b"Cat\nDog\n  Puppy\n", "text", "pets")
    assert response.status_code == 302
    taxonomy = parse_taxonomy(read(app, "pets"))
    assert [label.name for label in taxonomy.labels] == ["Cat", "Dog"]
    assert taxonomy.labels[1].children[0].name == "Puppy"


def test_import_into_an_existing_taxonomy_keeps_what_the_format_cannot_carry(app, as_lead):
    write(app, "small", SMALL)
    exported = as_lead.get("/taxonomies/small/export?to=labelstudio").data
    edited = exported.replace(b'value="Beta"', b'value="Bravo"')
    response = _upload(as_lead, edited, "labelstudio", "small", "Rename in Label Studio")
    assert response.status_code == 302, response.get_data(as_text=True)
    labels = parse_taxonomy(read(app, "small")).by_id()
    assert labels["b"].name == "Bravo"
    assert labels["a"].description == "The first letter."
    diff = as_lead.get(response.headers["Location"] + "&format=json").json
    assert diff["changes"]["renamed"] == [{"id": "b", "old_name": "Beta", "new_name": "Bravo"}]
    assert diff["changes"]["removed"] == []


def test_import_of_a_text_list_matches_existing_labels_by_name(app, as_lead):
    write(app, "small", SMALL)
    response = _upload(as_lead, b"Alpha\nBeta\nGamma\n  Gamma one\nDelta\n", "text", "small")
    assert response.status_code == 302
    labels = parse_taxonomy(read(app, "small")).by_id()
    assert set(labels) == {"a", "b", "c", "c1", "delta"}


BROKEN = {
    "labelstudio": b"<View><Choices name='x'><Choice value='A'/>",
    "labelbox": b'{"tools": [',
    "cvat": b'{"not": "a list"}',
    "csv": b"id,name,parent\na,A,nowhere\nb,B,b\n",
}


@pytest.mark.parametrize("fmt", sorted(BROKEN))
def test_import_of_a_broken_file_answers_422_with_problems(app, as_lead, fmt):
    write(app, "small", SMALL)
    before = head(app)
    response = _upload(as_lead, BROKEN[fmt], fmt, "small")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert 'class="problems"' in response.get_data(as_text=True)
    assert head(app) == before


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"format": "excel", "slug": "pets"}, 422),
        ({"format": "text", "slug": "Bad Slug"}, 422),
        ({"format": "text", "slug": ""}, 422),
        ({"format": "text", "slug": "import"}, 422),
    ],
)
def test_import_with_bad_fields_answers_422(as_lead, fields, status):
    response = as_lead.post(
        "/taxonomies/import",
        data={"file": (io.BytesIO(b"Cat\n"), "x.txt"), **fields},
        content_type="multipart/form-data",
    )
    assert response.status_code == status


def test_import_without_a_file_or_with_bytes_that_are_not_utf8_answers_422(as_lead):
    missing = as_lead.post("/taxonomies/import", data={"format": "text", "slug": "pets"})
    assert missing.status_code == 422
    assert _upload(as_lead, b"\xff\xfe\xfa", "text", "pets").status_code == 422


def test_import_of_a_10_mb_file_answers_413(as_lead):
    response = _upload(as_lead, b"Cat\n" * (3 * 1024 * 1024), "text", "pets")
    assert response.status_code == 413


def test_annotators_cannot_import(as_annotator):
    assert as_annotator.get("/taxonomies/import").status_code == 403
    assert _upload(as_annotator, b"Cat\n", "text", "pets").status_code == 403


def test_the_first_revisions_diff_link_shows_every_label_added(app, as_viewer):
    before = head(app)
    write(app, "small", SMALL)
    created = head(app)
    history = as_viewer.get("/taxonomies/small/history").get_data(as_text=True)
    link = f"/taxonomies/small/diff?from={before}&amp;to={created}"
    assert link in history
    response = as_viewer.get(link.replace("&amp;", "&"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The first revision: every label is new." in page and 'id="added"' in page
    data = as_viewer.get(f"/taxonomies/small/diff?from={before}&to={created}&format=json").json
    added = {label["id"] for label in data["changes"]["added"]}
    assert added == {e.label.id for e in parse_taxonomy(SMALL).iter_labels()}
    # the later side must still exist
    assert as_viewer.get(f"/taxonomies/small/diff?from={created}&to={before}").status_code == 404
