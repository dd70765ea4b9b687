"""Small helpers for the taxonomy page, API and CLI tests."""

from __future__ import annotations

from flask import Flask

from guidelines_app.services.documents import versioned as documents
from guidelines_app.services.documents.versioned import TAXONOMY
from guidelines_app.store import ContentStore

AUTHOR = documents.author_for("setup", "Setup")

SMALL = """\
name: Small
kind: single-choice
labels:
  - id: a
    name: Alpha
    description: The first letter.
  - id: b
    name: Beta
    description: The second letter.
  - id: c
    name: Gamma
    children:
      - id: c1
        name: Gamma one
"""


def store_of(app: Flask) -> ContentStore:
    return app.extensions["guidelines.store"]


def write(app: Flask, slug: str, text: str, message: str = "Write") -> str:
    """Commit ``text`` as taxonomy ``slug`` on the branch; return the commit id."""
    outcome = documents.save(
        store_of(app), TAXONOMY, slug, text=text, base=None, author=AUTHOR, message=message
    )
    assert outcome.result is not None
    return outcome.result.commit.id


def release(app: Flask, slug: str, notes: str = "Release") -> int:
    return documents.create_release(
        store_of(app), TAXONOMY, slug, notes=notes, tagger=AUTHOR
    ).version


def head(app: Flask) -> str:
    found = store_of(app).head()
    assert found is not None
    return found


def read(app: Flask, slug: str) -> str:
    return documents.read(store_of(app), TAXONOMY, slug).text


def deep_taxonomy(count: int = 10_000, *, name: str = "Deep") -> str:
    """``count`` labels three levels deep (16 top labels, 24 under each, the rest spread
    evenly below those), each with a description and synonyms, as a large product or
    entity catalogue is kept."""
    top, middle = 16, 16 * 24
    leaves = max(count - top - middle, 0)
    lines = [f"name: {name}", "kind: single-choice", "labels:"]

    def label(indent: str, label_id: str, title: str) -> None:
        lines.extend(
            [
                f"{indent}- id: {label_id}",
                f"{indent}  name: {title}",
                f"{indent}  description: Items of the kind {title.lower()}, and nothing else.",
                f"{indent}  synonyms: [{label_id}-alias]",
            ]
        )

    made = 0
    for t in range(top):
        label("  ", f"t{t}", f"Top {t}")
        lines.append("    children:")
        for m in range(24):
            label("      ", f"t{t}-m{m}", f"Middle {t}.{m}")
            mine = leaves // middle + (1 if (t * 24 + m) < leaves % middle else 0)
            if mine:
                lines.append("        children:")
            for leaf in range(mine):
                label("          ", f"t{t}-m{m}-l{leaf}", f"Leaf {t}.{m}.{leaf}")
                made += 1
    return "\n".join(lines) + "\n"


def big_taxonomy(count: int, *, nested: bool = False) -> str:
    """``count`` labels: flat, or in groups of 100 under parents."""
    lines = ["name: Big", "kind: multi-choice", "labels:"]
    if not nested:
        for i in range(count):
            lines += [f"  - id: l{i}", f"    name: Label {i}"]
        return "\n".join(lines) + "\n"
    groups = max(1, count // 100)
    for g in range(groups):
        lines += [f"  - id: g{g}", f"    name: Group {g}", "    children:"]
        for i in range(99):
            lines += [f"      - id: g{g}-{i}", f"        name: Item {g}.{i}"]
    return "\n".join(lines) + "\n"
