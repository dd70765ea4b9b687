"""mypy over the package, against ``mypy-baseline.txt``: the baseline only shrinks.

The baseline lists the errors the package still has, one per line as
``path:error-code:message`` (no line numbers, so moving code does not touch it). A new
error fails the test, and so does a listed one that no longer occurs: whoever fixes an
error removes its line. After fixing errors, ``python tests/unit/test_types.py`` writes
the baseline anew. mypy's version is pinned in the dev extra: its messages are the
baseline's vocabulary.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "mypy-baseline.txt"
HEADER = (
    "# mypy errors still in the package: path:error-code:message, one per occurrence.\n"
    "# Only remove lines (tests/unit/test_types.py fails on new errors and on fixed ones).\n"
)


def mypy_errors() -> list[str]:
    """Every error mypy reports with the project's configuration, normalised and sorted."""
    completed = subprocess.run(
        [sys.executable, "-m", "mypy", "--output", "json", "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode not in (0, 1) or completed.stderr.strip():
        raise RuntimeError(f"mypy did not run: {completed.stderr or completed.stdout}")
    errors = []
    for line in completed.stdout.splitlines():
        if not line.startswith("{"):
            raise RuntimeError(f"unexpected mypy output: {line}")
        report = json.loads(line)
        if report["severity"] != "error":
            continue
        message = re.sub(r"\bline \d+\b", "line N", report["message"])
        errors.append(f"{report['file']}:{report['code']}:{message}")
    return sorted(errors)


def read_baseline() -> list[str]:
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def write_baseline(errors: list[str]) -> None:
    BASELINE.write_text(HEADER + "".join(f"{e}\n" for e in errors), encoding="utf-8")


def test_mypy_finds_no_error_beyond_the_baseline_and_every_baseline_entry_still_occurs():
    if importlib.util.find_spec("mypy") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("mypy is not installed: install the dev extra (make install)")
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    found, listed = Counter(mypy_errors()), Counter(read_baseline())
    new = sorted((found - listed).elements())
    fixed = sorted((listed - found).elements())
    report = []
    if new:
        report.append("new mypy errors (fix them; `make types` shows where):")
        report += [f"  {e}" for e in new]
    if fixed:
        report.append("fixed, so remove these lines from mypy-baseline.txt:")
        report += [f"  {e}" for e in fixed]
    assert not report, "\n".join(report)


def test_the_baseline_is_sorted_and_names_only_files_of_the_package():
    entries = read_baseline()
    assert entries == sorted(entries)
    assert all(e.startswith("guidelines_app/") and e.count(":") >= 2 for e in entries)


if __name__ == "__main__":
    write_baseline(mypy_errors())
    print(f"{BASELINE.name}: {len(read_baseline())} errors")
