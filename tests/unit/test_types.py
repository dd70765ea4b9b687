"""mypy over the package reports no error.

The settings are ``[tool.mypy]`` in pyproject.toml. A failure lists every error as
``path:line: [error-code] message``; ``make types`` shows them with mypy's notes. mypy's
version is pinned in the dev extra, so a new release cannot fail the suite unannounced:
upgrading it is a change of its own, with whatever it finds fixed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def mypy_errors() -> list[str]:
    """Every error mypy reports with the project's configuration, in file order."""
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
        if report["severity"] == "error":
            errors.append(
                f"{report['file']}:{report['line']}: [{report['code']}] {report['message']}"
            )
    return errors


def test_mypy_finds_no_error_in_the_package():
    if importlib.util.find_spec("mypy") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("mypy is not installed: install the dev extra (make install)")
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    errors = mypy_errors()
    assert not errors, "mypy errors (`make types` shows them in full):\n" + "\n".join(
        f"  {e}" for e in errors
    )
