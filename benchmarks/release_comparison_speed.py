"""Speed and memory of the release comparison and the timeline.

A guideline with 10 releases and 2,000,000 annotations across them: each release has
its own items (5 ratings each out of 50 annotators, 6 labels) annotated over five
weeks, and the last release truly improves agreement. Timed: one comparison of the
last two releases with 1,000 bootstrap resamples and 1,000 permutations (first call
in the process: "cold"), the same comparison on the same items re-annotated (paired),
and the weekly timeline over all releases with 200 resamples per point. Peak memory
is measured in a second run of each under tracemalloc, which slows numpy down.

    .venv/bin/python benchmarks/release_comparison_speed.py [--annotations 2000000]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd

from guidelines_app.domain.agreement.compare import compare_releases
from guidelines_app.domain.agreement.timeline import agreement_timeline

ANNOTATORS, PER_ITEM, LABELS, WEEKS_PER_RELEASE = 50, 5, 6, 5


def release(n_items: int, accuracy: float, index: int, rng: np.random.Generator) -> pd.DataFrame:
    truth = rng.integers(0, LABELS, n_items)
    item = np.repeat(np.arange(n_items) + index * 10_000_000, PER_ITEM)
    offsets = rng.integers(0, ANNOTATORS, n_items)[:, None] + np.arange(PER_ITEM) * 7
    annotator = (offsets % ANNOTATORS).ravel()
    correct = rng.random(len(item)) < accuracy
    label = np.where(correct, np.repeat(truth, PER_ITEM), rng.integers(0, LABELS, len(item)))
    start = pd.Timestamp("2025-01-06") + pd.Timedelta(weeks=WEEKS_PER_RELEASE * index)
    seconds = rng.integers(0, WEEKS_PER_RELEASE * 7 * 86400, len(item))
    return pd.DataFrame(
        {
            "item": item,
            "annotator": annotator,
            "label": label,
            "created_at": start + pd.to_timedelta(seconds, unit="s"),
            "release": index + 1,
        }
    )


def reannotated(frame: pd.DataFrame, accuracy: float, rng: np.random.Generator) -> pd.DataFrame:
    """The same items and annotators, labelled again (for the paired comparison)."""
    truth = frame["label"].to_numpy()[::PER_ITEM].repeat(PER_ITEM)
    correct = rng.random(len(frame)) < accuracy
    return frame.assign(label=np.where(correct, truth, rng.integers(0, LABELS, len(frame))))


def timed(call, *args, **kwargs):
    start = time.perf_counter()
    result = call(*args, **kwargs)
    return time.perf_counter() - start, result


def peak_mib(call, *args, **kwargs) -> float:
    tracemalloc.start()
    call(*args, **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--annotations", type=int, default=2_000_000)
    parser.add_argument("--releases", type=int, default=10)
    parser.add_argument("--boot", type=int, default=1000)
    parser.add_argument("--perm", type=int, default=1000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n_items = args.annotations // args.releases // PER_ITEM
    accuracies = [0.6] * (args.releases - 1) + [0.66]
    releases = [release(n_items, acc, i, rng) for i, acc in enumerate(accuracies)]
    history = pd.concat(releases, ignore_index=True)
    before, after = releases[-2], releases[-1]
    paired_after = reannotated(before, 0.66, rng)
    draws = {"n_boot": args.boot, "n_perm": args.perm}
    print(
        f"{len(history):,} annotations, {args.releases} releases, "
        f"{len(before):,} + {len(after):,} annotations compared, "
        f"{args.boot} resamples + {args.perm} permutations"
    )

    seconds, result = timed(compare_releases, before, after, **draws)
    alpha = result.metric("krippendorff_alpha_nominal")
    print(
        f"comparison, unpaired, cold: {seconds:6.2f} s   alpha {alpha.before:.3f} -> "
        f"{alpha.after:.3f}, difference {alpha.difference:+.3f} "
        f"[{alpha.ci_low:+.3f}, {alpha.ci_high:+.3f}], p = {alpha.p_value:.4f}"
    )
    seconds, _ = timed(compare_releases, before, after, **draws)
    print(f"comparison, unpaired, warm: {seconds:6.2f} s")
    seconds, result = timed(compare_releases, before, paired_after, **draws)
    alpha = result.metric("krippendorff_alpha_nominal")
    print(
        f"comparison, paired:         {seconds:6.2f} s   difference {alpha.difference:+.3f} "
        f"[{alpha.ci_low:+.3f}, {alpha.ci_high:+.3f}], p = {alpha.p_value:.4f}"
    )
    pairwise = result.metric("cohen_kappa_mean_pairwise")
    print(f"  mean pairwise Cohen's kappa: {pairwise.undefined_reason or 'resampled'}")

    seconds, points = timed(agreement_timeline, history, n_boot=200)
    print(f"timeline, {len(points)} weeks, 200 resamples each: {seconds:6.2f} s")
    seconds, points = timed(agreement_timeline, history, n_boot=0)
    print(f"timeline, {len(points)} weeks, no resamples:       {seconds:6.2f} s")

    peaks = {
        "comparison (unpaired)": peak_mib(compare_releases, before, after, **draws),
        "comparison (paired)": peak_mib(compare_releases, before, paired_after, **draws),
        "timeline": peak_mib(agreement_timeline, history, n_boot=200),
    }
    for name, mib in peaks.items():
        print(f"peak memory, {name}: {mib:7.1f} MiB")


if __name__ == "__main__":
    main()
