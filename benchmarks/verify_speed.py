"""Benchmark: wall time of `answerkey verify q2 q3`, first run included.

Each run starts the installed command in a fresh process; the first uses an empty
ANSWERKEY_CACHE_DIR (nothing cached: every check computes, the peak-memory
measurement included), the second reuses what the first cached. Per-check
seconds come from the same runs (`CheckResult.seconds`, through a small driver
that calls `answerkey.verify.verify_parts`, also with a fresh cache).

Target (issue 2): under 20 s wall on this 2-core machine, first run included.

    python benchmarks/verify_speed.py [--parts q2 q3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results") / "verify_speed.json"
TARGET_S = 20.0

DRIVER = """
import json, sys
from answerkey.parts import select_parts
from answerkey.verify import verify_parts
from answerkey.experiments import FULL
results = verify_parts(select_parts(sys.argv[1:]), FULL)
print(json.dumps([[r.part, r.claim, str(r.verdict), round(r.seconds, 3)] for r in results]))
"""


def run(command: list[str], cache: str) -> tuple[float, subprocess.CompletedProcess]:
    env = dict(os.environ, ANSWERKEY_CACHE_DIR=cache)
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", default=["q2", "q3"])
    args = parser.parse_args()
    command = [sys.executable, "-m", "answerkey", "verify", *args.parts, "--json"]
    with tempfile.TemporaryDirectory() as cache:
        first, result = run(command, cache)
        second, again = run(command, cache)
    report = json.loads(result.stdout)
    passed = report["passed"] and json.loads(again.stdout)["passed"]
    with tempfile.TemporaryDirectory() as cache:
        _, per_check = run([sys.executable, "-c", DRIVER, *args.parts], cache)
    checks = json.loads(per_check.stdout)
    by_part: dict[str, float] = {}
    for part, _, _, seconds in checks:
        by_part[part] = by_part.get(part, 0.0) + seconds
    load = os.getloadavg()[0]
    print(f"answerkey verify {' '.join(args.parts)} (shared 2-core machine, load {load:.2f})")
    print(f"  first run (empty cache): {first:6.2f} s   {len(report['checks'])} checks, "
          f"all passed: {report['passed']}")  # fmt: skip
    print(f"  second run (cached):     {second:6.2f} s")
    print("  seconds inside the checks, by part (a separate fresh run):")
    for part, seconds in by_part.items():
        print(f"    {part:<9} {seconds:6.2f}")
    slowest = sorted(checks, key=lambda c: -c[3])[:5]
    print("  slowest checks:")
    for part, claim, _, seconds in slowest:
        print(f"    {seconds:6.2f}  {part:<9} {claim[:70]}")
    ok = passed and first < TARGET_S
    print(f"{'PASS' if ok else 'FAIL'}  first run under {TARGET_S:g} s: {first:.2f} s")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "verify_speed",
        "parts": args.parts,
        "machine": {"cpus": os.cpu_count(), "load_1min": load},
        "first_run_s": first,
        "second_run_s": second,
        "all_passed": passed,
        "seconds_by_part": by_part,
        "checks": checks,
        "target": {"passed": ok, "limit_s": TARGET_S},
    }, indent=2, ensure_ascii=False))  # fmt: skip
    print(f"wrote {RESULTS}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
