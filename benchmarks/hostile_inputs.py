"""Time of the pure code on inputs built to be slow: Markdown bracket bombs, a megabyte
of markup, long word and paragraph diffs, a YAML alias bomb, 10,000-label taxonomies.

The tests check what these inputs produce; this script prints how long each takes,
best of ``--repeat`` runs, against the budget each is meant to stay under (a shared
machine is noisy, so the figures are printed, never asserted).

    python benchmarks/hostile_inputs.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guidelines_app.domain import markdown
from guidelines_app.domain.errors import InvalidInput
from guidelines_app.domain.taxonomy import (
    Label,
    Taxonomy,
    parse_and_validate,
    parse_taxonomy,
    validate,
)
from guidelines_app.domain.textdiff import paragraph_diff, word_diff


def _alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        prev, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    return "\n".join([*lines, "name: x", "labels: []"])


def _refuse_alias_bomb() -> None:
    try:
        parse_taxonomy(_alias_bomb())
    except InvalidInput:
        return
    raise SystemExit("the alias bomb was accepted")


def _taxonomy_yaml(count: int) -> str:
    rows = "".join(f"  - id: l{i}\n    name: Label {i}\n" for i in range(count))
    return f"name: Big\nlabels:\n{rows}"


def _nested_taxonomy() -> Taxonomy:
    groups = tuple(
        Label(
            f"g{i}", f"Group {i}", children=tuple(Label(f"g{i}.{j}", f"Leaf {j}") for j in range(9))
        )
        for i in range(1000)
    )
    return Taxonomy(name="Big", labels=groups)


def _render(body: str) -> Callable[[], object]:
    def run() -> object:
        markdown.clear_caches()
        return markdown.render_markdown(body)

    return run


def cases() -> list[tuple[str, float, Callable[[], object]]]:
    """(what, budget in seconds, the call)."""
    long_old = "\n".join(f"Line {i} says something about label {i % 7}." for i in range(5000))
    long_new = long_old.replace("Line 2500 says", "Line 2500 now says")
    paras_old = "\n\n".join(f"Old paragraph {i} about apples and pears." for i in range(600))
    paras_new = "\n\n".join(f"Entirely new text number {i} on zebras." for i in range(600))
    yaml_text = _taxonomy_yaml(10_000)
    nested = _nested_taxonomy()
    return [
        ("markdown: 50,000 opening brackets", 2.0, _render("[" * 50_000)),
        ("markdown: 25,000 image openers", 2.0, _render("![" * 25_000)),
        ("markdown: 1 MB of emphasis markers", 2.0, _render("*a" * 499_000)),
        ("markdown: 240,000 table rows", 2.0, _render("|a|\n|-|\n" + "|a|\n" * 240_000)),
        ("word diff: 5,000 lines, one change", 5.0, lambda: word_diff(long_old, long_new)),
        ("paragraph diff: 600 unrelated", 2.0, lambda: paragraph_diff(paras_old, paras_new)),
        ("taxonomy: YAML alias bomb refused", 1.0, _refuse_alias_bomb),
        ("taxonomy: parse+validate 10,000 labels", 3.0, lambda: parse_and_validate(yaml_text)),
        ("taxonomy: validate 10,000 nested labels", 0.5, lambda: validate(nested)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'input':45} {'best s':>8} {'budget s':>9}")
    for what, budget, call in cases():
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - started)
        mark = "" if best <= budget else "  over budget"
        print(f"{what:45} {best:8.3f} {budget:9.1f}{mark}")


if __name__ == "__main__":
    main()
