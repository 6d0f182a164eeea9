"""Benchmark: Q2's Monte Carlo against a bare NumPy multiply-and-sum over the same samples.

For each (d, μ, σ) of Q2's checks, in one run and interleaved: `numeric.scaled_attention.
dot_product_moments` (streamed chunks, running moments, standard errors) and a bare loop
that draws the very same samples (same generator, seed and chunking, the same σ and μ
applied) and only multiplies, sums over the d coordinates and accumulates Σx and Σx².
Throughput = samples per second; the ratio is bare time / Monte Carlo time.

Target (issue 2): the Monte Carlo at least half the speed of the bare loop (ratio ≥ 0.5).
The row "sampling only" says how much of either is the random-number generation.

    python benchmarks/monte_carlo_throughput.py [--samples N] [--repeats R]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from numeric.scaled_attention import CHUNK_ELEMENTS, dot_product_moments  # noqa: E402

RESULTS = Path(__file__).with_name("results") / "monte_carlo_throughput.json"
SETTINGS = ((64, 0.0, 1.0, 1), (16, 0.0, 1.0, 2), (16, 0.5, 1.5, 3), (4, -2.0, 0.7, 4))


def bare(d: int, mu: float, sigma: float, n: int, seed: int, reduce: bool = True):
    """The same draws as `dot_product_moments`, then only (q * k).sum(1), Σx and Σx²."""
    rng = np.random.default_rng(seed)
    rows_per_chunk = max(1, CHUNK_ELEMENTS // d)
    total = total_sq = 0.0
    done = 0
    while done < n:
        rows = min(rows_per_chunk, n - done)
        q = rng.standard_normal((rows, d))
        k = rng.standard_normal((rows, d))
        if sigma != 1.0:
            q *= sigma
            k *= sigma
        if mu != 0.0:
            q += mu
            k += mu
        if reduce:
            x = (q * k).sum(axis=1)
            total += float(x.sum())
            total_sq += float(x @ x)
        done += rows
    return total / n, total_sq / n - (total / n) ** 2


def timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    n = args.samples
    rows = []
    for d, mu, sigma, seed in SETTINGS:
        times = {"monte_carlo": [], "bare": [], "sampling": []}
        for _ in range(args.repeats):  # interleaved: load hits all three alike
            setting = (d, mu, sigma, n, seed)
            times["monte_carlo"].append(timed(dot_product_moments, *setting))
            times["bare"].append(timed(bare, *setting))
            times["sampling"].append(timed(bare, *setting, reduce=False))
        med = {k: statistics.median(v) for k, v in times.items()}
        mean, variance = dot_product_moments(d, mu, sigma, n, seed)
        bare_mean, bare_variance = bare(d, mu, sigma, n, seed)
        rows.append({
            "d": d, "mu": mu, "sigma": sigma, "seed": seed, "samples": n,
            "seconds": med,
            "samples_per_second": {k: n / v for k, v in med.items()},
            "ratio": med["bare"] / med["monte_carlo"],
            # The estimator's variance is the unbiased one: n/(n − 1) times the bare one.
            "same_samples": abs(mean.value - bare_mean) < 1e-9 * max(1, abs(bare_mean))
            and abs(variance.value * (n - 1) / n - bare_variance) < 1e-9 * bare_variance,
        })  # fmt: skip
    print(f"{n:,} samples per setting, median of {args.repeats} interleaved repeats "
          f"(shared machine: load {os.getloadavg()[0]:.2f})")  # fmt: skip
    print(f"{'d':>3} {'μ':>5} {'σ':>4} {'MC Msamples/s':>14} {'bare Msamples/s':>16} "
          f"{'sampling only':>14} {'ratio':>6}  same samples")  # fmt: skip
    for r in rows:
        sps = r["samples_per_second"]
        print(f"{r['d']:>3} {r['mu']:>5g} {r['sigma']:>4g} {sps['monte_carlo'] / 1e6:>14.2f} "
              f"{sps['bare'] / 1e6:>16.2f} {sps['sampling'] / 1e6:>14.2f} {r['ratio']:>6.2f}  "
              f"{r['same_samples']}")  # fmt: skip
    worst = min(r["ratio"] for r in rows)
    ok = worst >= 0.5 and all(r["same_samples"] for r in rows)
    print(
        f"{'PASS' if ok else 'FAIL'}  Monte Carlo ≥ 0.5 × bare multiply-and-sum: worst {worst:.2f}"
    )
    report = {
        "benchmark": "monte_carlo_throughput",
        "machine": {"cpus": os.cpu_count(), "load_1min": os.getloadavg()[0]},
        "rows": rows,
        "target": {"passed": ok, "worst_ratio": worst, "bar": 0.5},
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"wrote {RESULTS}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
