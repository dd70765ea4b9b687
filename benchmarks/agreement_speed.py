"""Speed and memory of the agreement engine against the fastest peer-library route.

N items, each rated by 5 of 50 annotators, 6 categories, 10% of ratings missing, as a
long DataFrame of int64 columns, rows grouped by item. Every timing starts from that
long table, preparation included, ours and the peers' alike; fast timings are the best
of ``--repeat`` rounds, ours and the peer routes taking turns. From 200,000 ratings
our preparation is one compiled pass (numba, ``ratings_scan.py``); the first call in a
process also imports numba and loads the compiled code from its cache (a few seconds
more the very first time on a machine, when it compiles).
Each metric is compared with the fastest peer route tried: count tables built with a
pandas groupby or with one np.bincount over the ids (valid here because the ids are
small non-negative integers), then the peer's function. irrCAC is slow, so it runs
on a subsample and is extrapolated linearly (marked "~"); so is the peer bootstrap,
which repeats krippendorff.alpha on resamples.

    .venv/bin/python benchmarks/agreement_speed.py --sizes 10000 100000 1000000 --cli
    .venv/bin/python benchmarks/agreement_speed.py --quick
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

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
from guidelines_app.domain.agreement.pairs import rating_pairs
from guidelines_app.domain.agreement.ratings_scan import ScannedRatings

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


def best_of(repeat: int, call, *args, **kwargs):
    """Best time of ``repeat`` runs (the machine may be shared) and the last result."""
    times, result = [], None
    for _ in range(max(repeat, 1)):
        gc.collect()
        seconds, result = timed(call, *args, **kwargs)
        times.append(seconds)
    return min(times), result


def quietly(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


# --- peer routes: each returns the value, starting from the long int64 table ---------


def groupby_table(df: pd.DataFrame) -> np.ndarray:
    return df.groupby(["item", "label"]).size().unstack(fill_value=0).to_numpy()


def bincount_table(df: pd.DataFrame) -> np.ndarray:
    """Items x categories counts with one bincount: ids are 0..N-1, labels 0..5 here."""
    item, label = df["item"].to_numpy(), df["label"].to_numpy()
    flat = np.bincount(item * CATEGORIES + label, minlength=(int(item.max()) + 1) * CATEGORIES)
    return flat.reshape(-1, CATEGORIES)


TABLES = {"groupby": groupby_table, "bincount": bincount_table}


def complete(counts: np.ndarray) -> np.ndarray:
    """statsmodels needs the same number of ratings per item: keep the complete items."""
    return counts[counts.sum(axis=1) == PER_ITEM]


def statsmodels_fleiss(method: str, table: str):
    def run(df: pd.DataFrame) -> float:
        return quietly(fleiss_kappa, complete(TABLES[table](df)), method=method)

    return run


def krippendorff_route(level: str, table: str):
    def run(df: pd.DataFrame) -> float:
        return krippendorff.alpha(value_counts=TABLES[table](df), level_of_measurement=level)

    return run


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


def peer_irrcac(method: str, key: str = "coefficient_value"):
    def run(df: pd.DataFrame) -> float:
        wide = df.pivot(index="item", columns="annotator", values="label").astype(float)
        cac = quietly(irrCAC.raw.CAC, wide, categories=list(range(CATEGORIES)))
        return quietly(getattr(cac, method))["est"][key]

    return run


def subsample(df: pd.DataFrame, n_items: int) -> pd.DataFrame:
    return df[df["item"] < n_items]


def peer_alpha_bootstrap_one(df: pd.DataFrame, rng: np.random.Generator) -> float:
    counts = bincount_table(df)
    resampled = counts[rng.integers(0, len(counts), len(counts))]
    return krippendorff.alpha(value_counts=resampled, level_of_measurement="nominal")


# (name, route, extrapolated from a subsample)
PEERS = {
    "percent agreement": [("irrCAC fleiss() pa", peer_irrcac("fleiss", "pa"), True)],
    "Cohen mean pairwise": [("statsmodels cohens_kappa per pair", peer_cohen_mean, False)],
    "Fleiss kappa": [
        (f"statsmodels fleiss_kappa, {t} table", statsmodels_fleiss("fleiss", t), False)
        for t in TABLES
    ],
    "Krippendorff alpha nominal": [
        (f"krippendorff.alpha, {t} table", krippendorff_route("nominal", t), False) for t in TABLES
    ],
    "Gwet AC1": [("irrCAC gwet()", peer_irrcac("gwet"), True)],
    "Brennan-Prediger": [
        (f"statsmodels randolph, {t} table", statsmodels_fleiss("randolph", t), False)
        for t in TABLES
    ],
    "Conger kappa": [("irrCAC conger()", peer_irrcac("conger"), True)],
    "alpha ordinal": [
        (f"krippendorff.alpha ordinal, {t} table", krippendorff_route("ordinal", t), False)
        for t in TABLES
    ],
}


# --- our engine: every call starts from the long table --------------------------------

OURS = {
    "percent agreement": lambda df: percent_agreement(prepare(df)).value,
    "Cohen mean pairwise": lambda df: mean_pairwise(prepare(df)).value,
    "Fleiss kappa": lambda df: our_fleiss(prepare(df)).value,
    "Krippendorff alpha nominal": lambda df: krippendorff_alpha(prepare(df)).value,
    "Gwet AC1": lambda df: gwet_ac1(prepare(df)).value,
    "Brennan-Prediger": lambda df: brennan_prediger(prepare(df)).value,
    "Conger kappa": lambda df: conger_kappa(prepare(df)).value,
    "alpha ordinal": lambda df: krippendorff_alpha(prepare(df), level="ordinal").value,
}


def ours_headline(df: pd.DataFrame) -> dict:
    """The five headline coefficients from one preparation (profiles and pairs shared)."""
    ratings = prepare(df)
    pairs = rating_pairs(ratings)
    return {
        "percent": percent_agreement(ratings).value,
        "cohen": mean_pairwise(ratings, pairs=pairs).value,
        "fleiss": our_fleiss(ratings).value,
        "alpha": krippendorff_alpha(ratings).value,
        "ac1": gwet_ac1(ratings).value,
    }


def interleaved_best(repeat: int, routes: dict) -> dict:
    """Best time of each route over ``repeat`` rounds, the routes taking turns within a
    round, so that a slower spell of a shared machine falls on all of them alike."""
    best = dict.fromkeys(routes, float("inf"))
    for _ in range(max(repeat, 1)):
        for key, call in routes.items():
            gc.collect()
            best[key] = min(best[key], timed(call)[0])
    return best


def compare_metrics(df: pd.DataFrame, n_items: int, repeat: int) -> None:
    sub = subsample(df, min(IRRCAC_SUBSAMPLE, n_items))
    scale = n_items / min(IRRCAC_SUBSAMPLE, n_items)
    print(f"{'metric':27} {'ours (s)':>9} {'peer (s)':>10} {'ratio':>7}  fastest peer route")
    for name, ours in OURS.items():
        found, fast = [], {"ours": lambda ours=ours: ours(df)}
        for label, route, extrapolate in PEERS[name]:
            if extrapolate:
                found.append((timed(route, sub)[0] * scale, "~", label))
            elif name == "Cohen mean pairwise" or label.endswith("groupby table"):
                found.append((timed(route, df)[0], " ", label))  # slow: once
            else:
                fast[label] = lambda route=route: route(df)
        best = interleaved_best(repeat, fast)
        t_ours = best.pop("ours")
        found += [(seconds, " ", label) for label, seconds in best.items()]
        t_peer, mark, label = min(found)
        print(f"{name:27} {t_ours:9.3f} {mark}{t_peer:9.3f} {t_peer / t_ours:6.1f}x  {label}")
        for t_other, _, other in sorted(found)[1:]:
            print(f"{'':27} {'':9} {t_other:10.3f} {t_other / t_ours:6.1f}x  ({other})")


def peak_traced_mib(call, *args, **kwargs) -> float:
    gc.collect()
    tracemalloc.start()
    call(*args, **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def run(n_items: int, args: argparse.Namespace) -> None:
    df = make_data(n_items)
    print(f"\n== N = {n_items:,} items, {len(df):,} ratings ==")
    t_first, ratings = timed(prepare, df)
    t_prep, _ = best_of(args.repeat, prepare, df)
    route = "one compiled pass" if isinstance(ratings, ScannedRatings) else "general coding"
    print(
        f"prepare ({route}: check grouping and repeated ratings, build profiles): "
        f"{t_prep:.3f} s; first call in this process {t_first:.3f} s"
    )
    if not args.no_peers:
        compare_metrics(df, n_items, args.repeat)

    t_head, values = best_of(args.repeat, ours_headline, df)
    print(f"five headline coefficients together, preparation included: {t_head:.3f} s")
    print("  " + ", ".join(f"{k}={v:.4f}" for k, v in values.items()))

    ratings = prepare(df)
    t_boot, result = best_of(args.repeat, krippendorff_alpha, ratings, bootstrap=args.bootstrap)
    few = 3
    rng = np.random.default_rng(0)
    t_peer_boot = timed(lambda: [peer_alpha_bootstrap_one(df, rng) for _ in range(few)])[0]
    t_peer_boot *= args.bootstrap / few
    print(
        f"alpha with {args.bootstrap} bootstrap resamples (prepared ratings): {t_boot:.3f} s "
        f"(CI {result.ci_low:.4f}..{result.ci_high:.4f}); peer ~{t_peer_boot:.1f} s "
        f"(krippendorff.alpha per resample, from {few}): {t_peer_boot / t_boot:.0f}x"
    )

    t_pairs = timed(mean_pairwise, ratings, bootstrap=args.report_bootstrap)[0]
    print(f"Cohen mean pairwise with {args.report_bootstrap} resamples: {t_pairs:.2f} s")
    t_report = timed(compute_all, df, bootstrap=args.report_bootstrap)[0]
    print(
        f"compute_all (every coefficient, per label, per annotator, "
        f"{args.report_bootstrap} resamples each, from the long table): {t_report:.2f} s"
    )

    head_peak = peak_traced_mib(
        lambda: (ours_headline(df), krippendorff_alpha(prepare(df), bootstrap=args.bootstrap))
    )
    report_peak = peak_traced_mib(compute_all, df, bootstrap=min(args.report_bootstrap, 20))
    print(
        f"peak memory (tracemalloc, input frame excluded): headline + alpha bootstrap "
        f"{head_peak:.0f} MiB; compute_all {report_peak:.0f} MiB"
    )
    if args.cli and n_items == max(args.sizes):
        cli_memory(df, args.cli_bootstrap)


# A small process runs the command and reports its child's peak RSS: a child forked by
# this (large) process would count this process's pages until it execs.
_MEASURE = (
    "import resource, subprocess, sys, time; start = time.perf_counter(); "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def cli_memory(df: pd.DataFrame, bootstrap: int) -> None:
    """``guidelines agreement FILE --json`` on the same data as a CSV file, in a child
    process: wall time and peak resident memory (the whole process, Python included)."""
    script = Path(sys.executable).with_name("guidelines")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "annotations.csv"
        df.to_csv(path, index=False)
        size = path.stat().st_size / 2**20
        command = [str(script), "agreement", str(path), "--json", "--bootstrap", str(bootstrap)]
        measured = subprocess.run(
            [sys.executable, "-c", _MEASURE, *command], check=True, capture_output=True, text=True
        )
    seconds, peak_kib = measured.stdout.split()
    print(
        f"guidelines agreement FILE --json --bootstrap {bootstrap} on a {size:.0f} MiB CSV: "
        f"{float(seconds):.1f} s, peak RSS {int(peak_kib) / 1024:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--bootstrap", type=int, default=1000, help="resamples of alpha")
    parser.add_argument(
        "--report-bootstrap", type=int, default=1000, help="resamples in compute_all"
    )
    parser.add_argument("--repeat", type=int, default=5, help="best of this many runs")
    parser.add_argument("--no-peers", action="store_true", help="time our engine only")
    parser.add_argument(
        "--cli", action="store_true", help="also run guidelines agreement on the largest size"
    )
    parser.add_argument("--cli-bootstrap", type=int, default=1000)
    parser.add_argument(
        "--quick", action="store_true", help="10k and 100k items, 100 resamples, one run each"
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.report_bootstrap, args.repeat = [10_000, 100_000], 100, 1
    for n in args.sizes:
        run(n, args)


if __name__ == "__main__":
    main()
