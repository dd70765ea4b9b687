"""numba is optional (the ``fast`` extra): without it the agreement engine gives the very
same figures, only by the general coding. Each table here is large enough for the
compiled pass, which this process takes; a second Python, in which ``import numba``
fails, computes the same report, and every figure must be equal, not close."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from guidelines_app.domain.agreement import compute_all, prepare
from guidelines_app.domain.agreement import ratings_scan as scan_module
from guidelines_app.domain.agreement.ratings_scan import ScannedRatings

ROOT = Path(__file__).resolve().parents[3]
WITHOUT_NUMBA = """
import json, sys
sys.modules["numba"] = None  # what a machine without the [fast] extra sees: ImportError
import numpy as np, pandas as pd
from guidelines_app.domain.agreement import compute_all, prepare
from guidelines_app.domain.agreement import ratings_scan
arrays = np.load(sys.argv[1])
frame = pd.DataFrame({name: arrays[name] for name in ("item", "annotator", "label")})
assert ratings_scan._kernels() is None, "numba was importable"
assert not isinstance(prepare(frame), ratings_scan.ScannedRatings)
report = compute_all(frame, bootstrap=int(sys.argv[2]), seed=7)
print(json.dumps(report.to_dict()))
"""
RESAMPLES = 50


def integer_table(n_items: int, n_annotators: int, n_labels: int, seed: int) -> pd.DataFrame:
    """Rows grouped by item, each item rated by a random subset (at least two) of the
    annotators, whose ids are spread over ``n_annotators`` values."""
    rng = np.random.default_rng(seed)
    per_item = rng.integers(2, 6, n_items)
    item = np.repeat(np.arange(n_items, dtype=np.int64), per_item)
    base = rng.integers(0, n_annotators, n_items)  # five distinct annotators per item:
    ids = (base[:, None] + np.arange(5) * (n_annotators // 5)) % n_annotators
    annotator = np.concatenate([ids[i, :k] for i, k in enumerate(per_item)]).astype(np.int64)
    truth = np.repeat(rng.integers(0, n_labels, n_items), per_item)
    noise = rng.integers(0, n_labels, len(item))
    label = np.where(rng.random(len(item)) < 0.7, truth, noise).astype(np.int64)
    return pd.DataFrame({"item": item, "annotator": annotator, "label": label})


@pytest.mark.skipif(scan_module._kernels() is None, reason="numba is not importable here")
# the narrow pass (annotator ids below 64, labels below 8), then the wide one for many
# annotators and for more labels
@pytest.mark.parametrize(("n_annotators", "n_labels"), [(12, 5), (3_000, 4), (40, 10)])
def test_figures_are_identical_when_numba_cannot_be_imported(tmp_path, n_annotators, n_labels):
    frame = integer_table(70_000, n_annotators, n_labels, seed=n_annotators)
    assert len(frame) >= scan_module.SCAN_MIN_RATINGS
    assert isinstance(prepare(frame), ScannedRatings)  # this process takes the compiled pass
    compiled = compute_all(frame, bootstrap=RESAMPLES, seed=7).to_dict()

    arrays = tmp_path / "table.npz"
    np.savez(arrays, **{name: frame[name].to_numpy() for name in frame.columns})
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_NUMBA, str(arrays), str(RESAMPLES)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": path},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    general = json.loads(done.stdout)

    assert general == json.loads(json.dumps(compiled))
    assert compiled["coefficients"]["fleiss_kappa"]["value"] is not None
