"""Benchmark: softmax vs linearized quadratic-kernel attention as N grows.

N = 256 … 16384 by doubling, D = M = 8, float32, CPU, one thread; the same
`run_attention` as `answerkey run attention`, measured afresh (no cache). Both
forms are timed back to back at each N (median of repeats, no autograd), so
the speedup is a ratio measured in one run on the same inputs.

Targets (issue 2):
- counted-operation slopes exactly 2 (softmax) and 1 (linear): the matrix-product
  FLOPs, which FlopCounterMode counts, multiply by exactly 4 and 2 per doubling;
- fitted time slopes over N ≥ 1024 within 0.25 of 1 (linear), in [1.8, 2.6] (softmax);
- at N = 16384 the linear form at least 150× faster.

    python benchmarks/attention.py [--sizes N …]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answerkey.experiments.attention import experiment_config, run_attention  # noqa: E402

RESULTS = Path(__file__).with_name("results") / "attention.json"
SIZES = [2**e for e in range(8, 15)]


def targets(r: dict) -> dict[str, tuple[bool, str]]:
    t, sizes = r["timings"], r["config"]["sizes"]
    exact = {}
    for form, factor in (("softmax", 4), ("linear", 2)):
        flops = r["counts"][form]["flops"]
        exact[form] = all(b == factor * a for a, b in zip(flops, flops[1:], strict=False))
    linear, softmax = t["time_slopes"]["linear"], t["time_slopes"]["softmax"]
    speedup = t["speedup_at_largest"]
    return {
        "FLOP slope softmax exactly 2": (
            exact["softmax"] and r["flop_slopes"]["softmax"] == 2.0,
            f"FLOPs ×4 per doubling: {exact['softmax']}; slope {r['flop_slopes']['softmax']:g}",
        ),
        "FLOP slope linear exactly 1": (
            exact["linear"] and r["flop_slopes"]["linear"] == 1.0,
            f"FLOPs ×2 per doubling: {exact['linear']}; slope {r['flop_slopes']['linear']:g}",
        ),
        "FlopCounterMode agrees": (r["counts_match_flop_counter"], "at every N"),
        "time slope linear within 0.25 of 1": (abs(linear - 1) <= 0.25, f"{linear:.3f}"),
        "time slope softmax in [1.8, 2.6]": (1.8 <= softmax <= 2.6, f"{softmax:.3f}"),
        f"speedup at N = {sizes[-1]} ≥ 150×": (speedup >= 150, f"{speedup:.0f}×"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    args = parser.parse_args()
    cfg = experiment_config(False, args.sizes)
    r = run_attention(cfg)
    t = r["timings"]
    print(f"D = M = {cfg['d']}, {cfg['dtype']}, CPU, {cfg['threads']} thread "
          f"(shared machine: load {os.getloadavg()[0]:.2f})")  # fmt: skip
    print(f"{'N':>6} {'softmax ms':>11} {'linear ms':>10} {'speedup':>8} {'softmax MiB':>12} "
          f"{'linear MiB':>11} {'softmax GFLOP':>14} {'linear MFLOP':>13}")  # fmt: skip
    for i, n in enumerate(cfg["sizes"]):
        s, lin = t["seconds"]["softmax"][i], t["seconds"]["linear"][i]
        print(f"{n:>6} {1e3 * s:>11.3f} {1e3 * lin:>10.3f} {s / lin:>7.0f}× "
              f"{t['peak_bytes']['softmax'][i] / 2**20:>12.1f} "
              f"{t['peak_bytes']['linear'][i] / 2**20:>11.2f} "
              f"{r['counts']['softmax']['flops'][i] / 1e9:>14.3f} "
              f"{r['counts']['linear']['flops'][i] / 1e6:>13.2f}")  # fmt: skip
    print(
        f"memory slopes over N ≥ {cfg['fit_from']}: "
        + ", ".join(f"{k} {v:.3f}" for k, v in t["memory_slopes"].items())
    )
    results = targets(r)
    for name, (ok, detail) in results.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
    report = {
        "benchmark": "attention",
        "machine": {
            "cpus": os.cpu_count(),
            "load_1min": os.getloadavg()[0],
            "python": platform.python_version(),
        },  # fmt: skip
        "results": r,
        "targets": {
            name: {"passed": ok, "detail": detail} for name, (ok, detail) in results.items()
        },
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"wrote {RESULTS}")
    return 0 if all(ok for ok, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
