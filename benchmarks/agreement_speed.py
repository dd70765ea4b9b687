"""Speed and memory of the agreement engine against the fastest peer-library route.

N items, each rated by 5 of 50 annotators, 6 categories, 10% of ratings missing, as a
long DataFrame of int64 columns. Every timing includes preparation from the long
table. irrCAC is slow, so it runs on a subsample and is extrapolated linearly (marked
"~"). Peers for the bootstrap (no peer has one) repeat their alpha on resamples,
extrapolated from a few.

    .venv/bin/python benchmarks/agreement_speed.py --sizes 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
import warnings

import irrCAC.raw
import krippendorff
import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import cohens_kappa, fleiss_kappa

from guidelines_app.domain.agreement import (
    brennan_prediger,
    compute_all,
    conger_kappa,
    gwet_ac1,
    krippendorff_alpha,
    mean_pairwise,
    percent_agreement,
    prepare,
)
from guidelines_app.domain.agreement import fleiss_kappa as our_fleiss
from guidelines_app.domain.agreement.bootstrap import profiles_of
from guidelines_app.domain.agreement.pairs import rating_pairs

ANNOTATORS, PER_ITEM, CATEGORIES, MISSING = 50, 5, 6, 0.10
IRRCAC_SUBSAMPLE = 2000


def make_data(n_items: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    chosen = []
    for start in range(0, n_items, 100_000):
        size = min(100_000, n_items - start)
        chosen.append(rng.random((size, ANNOTATORS)).argpartition(PER_ITEM, axis=1)[:, :PER_ITEM])
    annot = np.concatenate(chosen).ravel()
    item = np.repeat(np.arange(n_items), PER_ITEM)
    truth = np.repeat(rng.integers(0, CATEGORIES, n_items), PER_ITEM)
    noisy = rng.random(len(item)) < 0.3
    label = np.where(noisy, rng.integers(0, CATEGORIES, len(item)), truth)
    keep = rng.random(len(item)) >= MISSING
    return pd.DataFrame(
        {"item": item[keep], "annotator": annot[keep], "label": label[keep]}, dtype=np.int64
    )


def timed(call, *args, **kwargs):
    start = time.perf_counter()
    result = call(*args, **kwargs)
    return time.perf_counter() - start, result


def quietly(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


# --- peer routes -------------------------------------------------------------------


def peer_value_counts(df: pd.DataFrame) -> np.ndarray:
    return df.groupby(["item", "label"]).size().unstack(fill_value=0).to_numpy()


def peer_alpha(df: pd.DataFrame) -> float:
    return krippendorff.alpha(value_counts=peer_value_counts(df), level_of_measurement="nominal")


def complete_value_counts(df: pd.DataFrame) -> np.ndarray:
    """statsmodels needs the same number of ratings per item: keep the complete items."""
    counts = peer_value_counts(df)
    return counts[counts.sum(axis=1) == PER_ITEM]


def peer_fleiss(df: pd.DataFrame) -> float:
    return quietly(fleiss_kappa, complete_value_counts(df), method="fleiss")


def peer_randolph(df: pd.DataFrame) -> float:
    return quietly(fleiss_kappa, complete_value_counts(df), method="randolph")


def peer_cohen_mean(df: pd.DataFrame) -> float:
    n_items = int(df["item"].max()) + 1
    wide = np.full((n_items, ANNOTATORS), -1, dtype=np.int64)
    wide[df["item"].to_numpy(), df["annotator"].to_numpy()] = df["label"].to_numpy()
    kappas = []
    for a in range(ANNOTATORS):
        for b in range(a + 1, ANNOTATORS):
            both = (wide[:, a] >= 0) & (wide[:, b] >= 0)
            table = np.bincount(
                wide[both, a] * CATEGORIES + wide[both, b], minlength=CATEGORIES**2
            ).reshape(CATEGORIES, CATEGORIES)
            kappas.append(quietly(cohens_kappa, table, return_results=False))
    return float(np.nanmean(kappas))


def irrcac_wide(df: pd.DataFrame) -> pd.DataFrame:
    return df.pivot(index="item", columns="annotator", values="label").astype(float)


def peer_irrcac(method: str):
    def run(df: pd.DataFrame) -> float:
        cac = quietly(irrCAC.raw.CAC, irrcac_wide(df), categories=list(range(CATEGORIES)))
        return quietly(getattr(cac, method))["est"]["coefficient_value"]

    return run


def subsample(df: pd.DataFrame, n_items: int) -> pd.DataFrame:
    return df[df["item"] < n_items]


def peer_alpha_bootstrap_one(df: pd.DataFrame, rng: np.random.Generator) -> float:
    counts = peer_value_counts(df)
    resampled = counts[rng.integers(0, len(counts), len(counts))]
    return krippendorff.alpha(value_counts=resampled, level_of_measurement="nominal")


# --- our engine ----------------------------------------------------------------------


def ours_prepare(df: pd.DataFrame):
    ratings = prepare(df)
    _ = ratings.counts
    return ratings


def ours_headline(df: pd.DataFrame) -> dict:
    ratings = ours_prepare(df)
    profiles = profiles_of(ratings.counts)
    pairs = rating_pairs(ratings)
    return {
        "percent": percent_agreement(ratings, profiles=profiles).value,
        "cohen": mean_pairwise(ratings, pairs=pairs).value,
        "fleiss": our_fleiss(ratings, profiles=profiles).value,
        "alpha": krippendorff_alpha(ratings, profiles=profiles).value,
        "ac1": gwet_ac1(ratings, profiles=profiles).value,
    }


def run(n_items: int, bootstrap: int, report_bootstrap: int) -> None:
    df = make_data(n_items)
    print(f"\n== N = {n_items:,} items, {len(df):,} ratings ==")
    t_prep, ratings = timed(ours_prepare, df)
    print(f"prepare (code columns, find repeats, count matrix): {t_prep:.3f} s")
    sub = subsample(df, min(IRRCAC_SUBSAMPLE, n_items))
    scale = n_items / min(IRRCAC_SUBSAMPLE, n_items)

    ours = {
        "percent agreement": lambda: percent_agreement(ratings),
        "Cohen mean pairwise": lambda: mean_pairwise(ratings),
        "Fleiss kappa": lambda: our_fleiss(ratings),
        "Krippendorff alpha nominal": lambda: krippendorff_alpha(ratings),
        "Gwet AC1": lambda: gwet_ac1(ratings),
        "Brennan-Prediger": lambda: brennan_prediger(ratings),
        "Conger kappa": lambda: conger_kappa(ratings),
        "alpha ordinal": lambda: krippendorff_alpha(ratings, level="ordinal"),
    }
    peers = {
        "percent agreement": ("irrCAC fleiss().pa", peer_irrcac("fleiss"), True),
        "Cohen mean pairwise": ("statsmodels cohens_kappa x pairs", peer_cohen_mean, False),
        "Fleiss kappa": ("statsmodels fleiss_kappa (complete items)", peer_fleiss, False),
        "Krippendorff alpha nominal": ("krippendorff.alpha(value_counts)", peer_alpha, False),
        "Gwet AC1": ("irrCAC gwet()", peer_irrcac("gwet"), True),
        "Brennan-Prediger": ("statsmodels randolph (complete items)", peer_randolph, False),
        "Conger kappa": ("irrCAC conger()", peer_irrcac("conger"), True),
        "alpha ordinal": (
            "krippendorff.alpha ordinal",
            lambda d: krippendorff.alpha(
                value_counts=peer_value_counts(d), level_of_measurement="ordinal"
            ),
            False,
        ),
    }
    print(f"{'metric':28} {'ours (s)':>10} {'peer (s)':>11}  {'speed-up':>8}  peer route")
    for name, call in ours.items():
        t_ours = t_prep + timed(call)[0]
        label, peer, extrapolate = peers[name]
        if extrapolate:
            t_peer = timed(peer, sub)[0] * scale
            mark = "~"
        else:
            t_peer = timed(peer, df)[0]
            mark = " "
        print(f"{name:28} {t_ours:10.3f} {mark}{t_peer:10.3f}  {t_peer / t_ours:7.1f}x  {label}")

    gc.collect()
    t_head, values = timed(ours_headline, df)
    print(f"five headline coefficients together, preparation included: {t_head:.3f} s")
    print("  " + ", ".join(f"{k}={v:.4f}" for k, v in values.items()))

    t_boot, result = timed(krippendorff_alpha, ratings, bootstrap=bootstrap, seed=0)
    rng = np.random.default_rng(0)
    few = 3
    t_peer_boot = timed(lambda: [peer_alpha_bootstrap_one(df, rng) for _ in range(few)])[0]
    t_peer_boot *= bootstrap / few
    print(
        f"alpha with {bootstrap} bootstrap resamples: {t_boot:.3f} s "
        f"(CI {result.ci_low:.4f}..{result.ci_high:.4f}); "
        f"peer ~{t_peer_boot:.1f} s (krippendorff.alpha per resample, from {few}); "
        f"{t_peer_boot / t_boot:.0f}x"
    )

    t_report = timed(compute_all, df, bootstrap=report_bootstrap)[0]
    print(
        f"compute_all (every coefficient, per label, per annotator, "
        f"{report_bootstrap} resamples each): {t_report:.2f} s"
    )

    gc.collect()
    tracemalloc.start()
    ours_headline(df)
    krippendorff_alpha(prepare(df), bootstrap=bootstrap)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak memory (tracemalloc, headline + bootstrap, input frame excluded): "
        f"{peak / 2**20:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--report-bootstrap", type=int, default=100)
    args = parser.parse_args()
    for n in args.sizes:
        run(n, args.bootstrap, args.report_bootstrap)


if __name__ == "__main__":
    main()
