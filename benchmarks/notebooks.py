"""Benchmark: executing the solution notebooks q_zkc and q_ae.

Targets (issue 7):
- quick: both notebooks executed in the quick profile in under 2 minutes. Measured
  twice: with a cold cache (a fresh ANSWERKEY_CACHE_DIR, so the quick experiments run
  inside the kernels) and warm (the same cache again);
- full: both notebooks in the full profile, the experiments' results cached, in
  under 3 minutes. The full experiments are first run through the project's cache
  (untimed; instant when `answerkey run zkc` / `answerkey run ae` ran before).

Each measurement is `answerkey.notebooks.build_notebooks` end to end: conversion,
a fresh kernel per notebook, every cell, validation and the atomic write. The
cold and warm quick builds are also compared byte for byte (determinism).

    python benchmarks/notebooks.py [--skip-full]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answerkey import notebooks as N  # noqa: E402

RESULTS = Path(__file__).with_name("results") / "notebooks.json"
QUICK_TARGET_S, FULL_TARGET_S = 120.0, 180.0


def timed_build(out: Path, quick: bool) -> tuple[float, dict]:
    start = time.perf_counter()
    summary = N.build_notebooks(out, quick=quick, log=lambda _: None)
    return time.perf_counter() - start, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-full", action="store_true", help="measure the quick profile only")
    args = parser.parse_args()
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="answerkey-bench-") as scratch:
        scratch = Path(scratch)
        previous = os.environ.get("ANSWERKEY_CACHE_DIR")
        os.environ["ANSWERKEY_CACHE_DIR"] = str(scratch / "cache")  # the kernels inherit it
        try:
            cold_s, cold = timed_build(scratch / "cold", quick=True)
            warm_s, warm = timed_build(scratch / "warm", quick=True)
        finally:
            if previous is None:
                os.environ.pop("ANSWERKEY_CACHE_DIR")
            else:
                os.environ["ANSWERKEY_CACHE_DIR"] = previous
        identical = all(
            (scratch / "cold" / f"{name}.ipynb").read_bytes()
            == (scratch / "warm" / f"{name}.ipynb").read_bytes()
            for name in N.NOTEBOOKS
        )
        rows["quick, cold cache"] = {"seconds": cold_s, "per_notebook": cold["timings"]}
        rows["quick, warm cache"] = {"seconds": warm_s, "per_notebook": warm["timings"]}
        if not args.skip_full:
            start = time.perf_counter()
            for experiment in ("zkc", "ae"):
                N.experiment_results(experiment, False)  # fills the cache if it is cold
            prepare_s = time.perf_counter() - start
            full_s, full = timed_build(scratch / "full", quick=False)
            rows["full, cached experiments"] = {
                "seconds": full_s,
                "per_notebook": full["timings"],
                "experiments_prepared_in_s": round(prepare_s, 1),
            }
    targets = {
        "quick, cold cache": QUICK_TARGET_S,
        "quick, warm cache": QUICK_TARGET_S,
        "full, cached experiments": FULL_TARGET_S,
    }
    print(f"{'run':<26} {'seconds':>8} {'q_zkc':>7} {'q_ae':>7} {'target':>7}  ok")
    for name, row in rows.items():
        row["target_s"] = targets[name]
        row["ok"] = row["seconds"] < targets[name]
        row["seconds"] = round(row["seconds"], 1)
        per = row["per_notebook"]
        print(
            f"{name:<26} {row['seconds']:>8.1f} {per['q_zkc']:>7.1f} {per['q_ae']:>7.1f} "
            f"{targets[name]:>7.0f}  {'yes' if row['ok'] else 'NO'}"
        )
    print(f"cold and warm quick builds byte-identical: {identical}")
    if "full, cached experiments" in rows:
        prepared = rows["full, cached experiments"]["experiments_prepared_in_s"]
        print(f"(full experiments fetched from the cache, untimed: {prepared:.1f} s)")
    print(f"machine: {os.cpu_count()} cores, shared with other jobs; load {os.getloadavg()[0]:.1f}")
    RESULTS.parent.mkdir(exist_ok=True)
    record = {"runs": rows, "deterministic": identical, "load_average": os.getloadavg()[0]}
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    return 0 if identical and all(row["ok"] for row in rows.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
