from __future__ import annotations

from guidelines_app.store import Author

WHO = Author("Outside", "outside@example.org")


def test_check_is_clean_on_the_starter_content(runner):
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output


def test_check_reports_unreadable_and_inconsistent_content(app, runner):
    store = app.extensions["guidelines.store"]
    text = store.read("guidelines/news-entities.md").text
    store.write(
        {
            "guidelines/news-entities.md": (text + "\nSee [[label:unicorn]].\n").encode(),
            "guidelines/broken.md": b"no front matter at all\n",
            "taxonomies/bad.yaml": (
                b"name: Bad\nkind: single-choice\nlabels:\n  - id: a/b\n    name: A\n"
            ),
        },
        base=None,
        author=WHO,
        message="Pushed by hand",
    )
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "guidelines/news-entities.md: text: unknown label [[label:unicorn]]" in result.output
    assert "guidelines/broken.md" in result.output
    assert "taxonomies/bad.yaml" in result.output
