"""Benchmark: rendering the two documents, and `answerkey build` cold and warm.

    python benchmarks/documents.py           # quick profile: cold build, warm build, render
    python benchmarks/documents.py --full    # the real key (experiments at full size)

Issue 6's targets, on the project's 2-core machine:
- rendering both documents (Typst → PDF, and the .tex) from cached results: < 3 s;
- `answerkey build` with an empty cache (as from a fresh clone): < 12 min;
- a second build (everything cached): < 15 s.

"Cold" runs with a fresh ANSWERKEY_CACHE_DIR, so every experiment and check
really runs; "warm" repeats the build with that cache. Rendering is timed
in-process from the warm build's results.json and figures, best of `--repeat`.
Prints a table and writes the same figures to benchmarks/results/documents.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS_S = {"render": 3.0, "build_cold": 12 * 60.0, "build_warm": 15.0}


def timed_build(out: Path, cache: Path, quick: bool) -> tuple[float, dict]:
    """Seconds and the build's JSON report. --draft: a failing check still costs the
    same time, and the report says whether the key was verified."""
    env = dict(os.environ, ANSWERKEY_CACHE_DIR=str(cache))
    command = [sys.executable, "-m", "answerkey", "build", "--draft", "--json", "--out", str(out)]
    command += ["--quick"] if quick else []
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - start
    try:
        report = json.loads(result.stdout)
    except ValueError:
        sys.exit(f"build failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    if not report["documents_written"]:
        sys.exit(f"build wrote no documents:\n{result.stdout}")
    return seconds, report


def time_rendering(build: Path, repeat: int) -> list[float]:
    sys.path.insert(0, str(ROOT))
    from answerkey.build import render_documents

    results = json.loads((build / "results.json").read_text())
    times = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if (build / "figures").is_dir():
            shutil.copytree(build / "figures", folder / "figures")
        for _ in range(repeat):
            start = time.perf_counter()
            render_documents(results, folder)
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full profile, not --quick")
    parser.add_argument("--repeat", type=int, default=5, help="renderings to time (best of)")
    args = parser.parse_args()
    quick = not args.full

    with tempfile.TemporaryDirectory(prefix="answerkey-bench-") as scratch:
        scratch = Path(scratch)
        cold, report = timed_build(scratch / "build", scratch / "cache", quick)
        warm, _ = timed_build(scratch / "build", scratch / "cache", quick)
        renders = time_rendering(scratch / "build", args.repeat)
        pages = {}
        if shutil.which("pdfinfo"):
            for name in ("solutions", "answer_key"):
                info = subprocess.run(
                    ["pdfinfo", str(scratch / "build" / f"{name}.pdf")],
                    capture_output=True,
                    text=True,
                ).stdout
                pages[name] = int(next(ln.split()[-1] for ln in info.splitlines() if "Pages" in ln))

    rows = {
        "render": min(renders),
        "build_cold": cold,
        "build_warm": warm,
    }
    report = {
        "profile": "quick" if quick else "full",
        "cpus": os.cpu_count(),
        "seconds": {k: round(v, 3) for k, v in rows.items()},
        "render_median_s": round(statistics.median(renders), 3),
        "targets_s": TARGETS_S,
        "within_target": {k: rows[k] < TARGETS_S[k] for k in rows},
        "pages": pages,
        "verified": report["verified"],
        "failures": report["failures"],
    }
    print(
        f"profile: {report['profile']}, {report['cpus']} CPUs (shared machine: timings are noisy)"
    )
    print(f"{'what':<12} {'seconds':>9} {'target':>8}  ok")
    for name, seconds in rows.items():
        ok = "yes" if report["within_target"][name] else "NO"
        print(f"{name:<12} {seconds:>9.2f} {TARGETS_S[name]:>8.0f}  {ok}")
    if pages:
        print("pages: " + ", ".join(f"{k} {v}" for k, v in pages.items()))
    if not report["verified"]:
        print(f"NOT VERIFIED (timed as a --draft build): {len(report['failures'])} failure(s)")
    target = ROOT / "benchmarks" / "results" / "documents.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
