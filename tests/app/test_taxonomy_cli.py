"""``guidelines taxonomy export|import|diff``."""

from __future__ import annotations

import json

import pytest

from guidelines_app.domain.taxonomy import parse_taxonomy
from tests.app.taxonomy_helpers import SMALL, head, read, release, write
from tests.factories import make_user


def test_export_writes_the_format_to_standard_output(runner):
    result = runner.invoke(args=["taxonomy", "export", "news-entities", "--to", "labelstudio"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("<View") and "<Labels" in result.output


def test_export_of_an_old_revision(app, runner):
    first = write(app, "small", SMALL)
    write(app, "small", SMALL.replace("name: Beta", "name: Bravo"))
    result = runner.invoke(args=["taxonomy", "export", "small", "--to", "csv", "--rev", first])
    assert result.exit_code == 0 and "Beta" in result.output and "Bravo" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["taxonomy", "export", "news-entities", "--to", "excel"],
        ["taxonomy", "export", "nope", "--to", "csv"],
        ["taxonomy", "export", "news-entities", "--to", "csv", "--rev", "v9"],
        ["taxonomy", "diff", "news-entities", "v1", "draft"],
        ["taxonomy", "diff", "nope", "draft", "draft"],
    ],
)
def test_bad_input_exits_with_code_2_and_a_message(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert "Error:" in result.output


def test_import_creates_a_taxonomy_and_then_a_revision(app, runner, tmp_path):
    make_user(app, "lena", "lead", display_name="Lena Lead")
    source = tmp_path / "pets.txt"
    source.write_text("Cat\nDog\n", encoding="utf-8")
    created = runner.invoke(
        args=["taxonomy", "import", str(source), "--from", "text", "--slug", "pets"]
    )
    assert created.exit_code == 0, created.output
    assert "pets: created" in created.output
    source.write_text("Cat\nDog\nBird\n", encoding="utf-8")
    revised = runner.invoke(
        args=[
            "taxonomy", "import", str(source), "--from", "text", "--slug", "pets",
            "--message", "Add birds", "--author", "lena",
        ]
    )  # fmt: skip
    assert revised.exit_code == 0, revised.output
    assert [label.name for label in parse_taxonomy(read(app, "pets")).labels][-1] == "Bird"
    commit = app.extensions["guidelines.store"].commit(head(app))
    assert commit.author_name == "Lena Lead" and commit.summary == "Add birds"


@pytest.mark.parametrize(
    ("content", "extra"),
    [
        (b"<View><Choices", ["--from", "labelstudio"]),
        (b"Cat\n", ["--from", "excel"]),
        (b"Cat\n", ["--from", "text", "--author", "nobody"]),
        (b"\xff\xfe", ["--from", "text"]),
    ],
)
def test_import_of_bad_input_exits_with_code_2(app, runner, tmp_path, content, extra):
    before = head(app)
    source = tmp_path / "in.bin"
    source.write_bytes(content)
    result = runner.invoke(args=["taxonomy", "import", str(source), "--slug", "pets", *extra])
    assert result.exit_code == 2, result.output
    assert "Error:" in result.output
    assert head(app) == before


def test_import_of_a_missing_file_exits_with_code_2(runner, tmp_path):
    result = runner.invoke(
        args=["taxonomy", "import", str(tmp_path / "nope.csv"), "--from", "csv", "--slug", "x"]
    )
    assert result.exit_code == 2


def test_diff_prints_the_changes_and_the_relabelling_needed(app, runner):
    write(app, "small", SMALL)
    release(app, "small")
    split = SMALL.replace(
        "  - id: b\n    name: Beta\n    description: The second letter.\n",
        "  - id: b\n    name: Beta\n    deprecated: true\n    replaced_by: [b1, b2]\n"
        "  - id: b1\n    name: Beta one\n  - id: b2\n    name: Beta two\n",
    )
    write(app, "small", split.replace("name: Alpha", "name: Alef"))
    result = runner.invoke(args=["taxonomy", "diff", "small", "v1", "draft"])
    assert result.exit_code == 0, result.output
    assert "renamed    a: 'Alpha' -> 'Alef'" in result.output
    assert "split      b -> b1, b2" in result.output
    assert "needs relabelling: b" in result.output
    as_json = runner.invoke(args=["taxonomy", "diff", "small", "v1", "draft", "--json"])
    data = json.loads(as_json.output)
    assert data["changes"]["split"] == [{"source": "b", "into": ["b1", "b2"]}]
    assert data["migration"]["b"]["needs_relabel"] is True


def test_diff_of_identical_revisions_says_nothing_changed(runner):
    result = runner.invoke(args=["taxonomy", "diff", "news-entities", "draft", "draft"])
    assert result.exit_code == 0 and "no change in meaning" in result.output
