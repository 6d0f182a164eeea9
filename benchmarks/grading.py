"""How fast answers are judged: one `answerkey check`, and 1000 answers through `grade`.

    python benchmarks/grading.py [--rows 1000] [--jobs 2] [--repeats 5]

Targets (issues 8 and 13): one `answerkey check` under 1.5 s wall, interpreter
start-up included, also for a 2,000-character free-form answer; 1000 answers
graded under 20 s on a 2-core machine, and 1000 free-form answers under 30 s.

Two grade files are timed, both generated with a fixed seed from the parts
that are judged today:

- *typical*: answers drawn from a pool of common right and wrong forms, so
  repeated answers occur as they do in a class (identical (part, answer)
  pairs are judged once);
- *distinct*: every answer a different random rewrite of a right or wrong
  form, so nothing is deduplicated: the worst case for the same file size;
- *free-form*: answers as people write them — the judge corpus
  (tests/judge_corpus.toml) and the pool's forms wrapped in random prose,
  Markdown, `$…$`, `\boxed{}` and labels, every row different.

Prints a table and writes the same figures to benchmarks/results/grading.json.
The machine load is recorded with the figures: on a shared machine the
timings are noisy.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "grading.json"

POOL = {
    "q2.a": ["d mu^2", "d·μ²", "μ²d", r"d\mu^2", "d mu", "mu^2", "d(mu^2 + sigma^2)", "0",
             "d^2 mu^2", "(sqrt(d) mu)^2", "d mu^2 + sigma^2", "‖μ‖²", "d mu^2 +"],
    "q2.b": ["d", "sqrt(d)", "1", "d^2", "2d", "d sigma^2(sigma^2 + 2mu^2)", "√d·√d", "d + 1"],
    "q2.c": ["sqrt(d)", "√d", "d^(1/2)", r"\sqrt{d}", "d", "1/sqrt(d)", "sqrt(d)/2", "d^1/2",
             "s = √d", r"\frac{1}{\sqrt d}"],
    "q3.b.i": ["(q^T k + 1)^2", "(qᵀk+1)²", "(q^Tk)^2", "exp(q^T k)", "q^T k + 1",
               "(q^Tk/sqrt(D) + 1)^2"],
    "q3.c.i": ["time: O(N^2 D + N^2 M), memory: O(N^2 + ND + NM)", "O(N²(D+M)), O(N² + N(D+M))",
               "time: O(N^2 D), memory: O(N^2)", "time: O(N^2), memory: O(N^2)"],
    "q5.e": ["O(T k^2 log k)", "O(T k^2)", "O(T k log k)", "O(T k M log M)", "O(T k)"],
    "q5.b": ["neural network, network neural", "neural neural, neural network"],
    "q3.b.ii": ["[1, √2 q_1, √2 q_2, q_1², q_2², √2 q_1 q_2]", "(D+1)(D+2)/2",
                "[1, q_1, q_2, q_1^2, q_2^2, q_1 q_2]"],
    "q4.b.i": ["W2^T (X - W2 W1 X) X^T = 0, (X - W2 W1 X) X^T W1^T = 0",
               "-2/n*W2^T*(X - W2*W1*X)*X^T = 0", "W2 W1 X = X"],
}  # fmt: skip
REWRITES = ["({x})*1", "1*({x})", "({x}) + 0", "2*({x})/2", "(({x}))", "({x})^1", "-(-({x}))"]
TERMS = {"q2.a": ["d", "mu", "2"], "q2.b": ["d", "3"], "q2.c": ["d", "5"]}


def judged_parts() -> list[str]:
    """The parts in POOL whose key has landed."""
    from answerkey.judging.judge import NotCheckable, prepare
    from answerkey.parts import UnknownPart

    parts = []
    for part in POOL:
        try:
            prepare(part)
            parts.append(part)
        except (NotCheckable, UnknownPart):
            continue
    return parts


def typical_rows(parts: list[str], count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    rows = []
    for index in range(count):
        part = rng.choice(parts)
        answers = POOL[part]
        # A class's answers: a few forms are common, the rest a long tail.
        answer = answers[min(int(rng.expovariate(0.5)), len(answers) - 1)]
        rows.append((f"s{index:04d}", part, answer))
    return rows


def distinct_rows(parts: list[str], count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    rewritable = [p for p in parts if p in TERMS]
    seen, rows = set(), []
    while len(rows) < count:
        part = rng.choice(rewritable)
        text = rng.choice(POOL[part][:-1])
        for _ in range(rng.randint(1, 4)):
            text = rng.choice(REWRITES).format(x=text)
        text += f" + {rng.choice(TERMS[part])}*0" * rng.randint(0, 1)
        text = text.replace("*", rng.choice(["*", "·", " "]), 1)
        if (part, text) in seen:
            continue
        seen.add((part, text))
        rows.append((f"s{len(rows):04d}", part, text))
    return rows


PROSE = [
    "By independence of the coordinates,", "Putting everything together we get", "So",
    "Therefore the answer is", "Following the lecture's argument,", "由此可得", "Thus, in total,",
    "After expanding and collecting terms (each step uses linearity),", "We conclude that",
]  # fmt: skip
WRAPS = [
    "{p} {a}.", "{p} ${a}$.", "**Answer:** {a}", "{p}\n\n$$\n{a}\n$$", "{p} \\boxed{{{a}}}",
    "Final answer: \\({a}\\) (see the derivation above).", "{p} {a}, where d is the dimension.",
]  # fmt: skip


def free_form_rows(parts: list[str], count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """Free-form answers, every row different: the corpus, then wrapped pool forms."""
    import tomllib

    corpus = tomllib.loads((ROOT / "tests" / "judge_corpus.toml").read_text())["case"]
    rows = [(f"f{i:04d}", c["part"], c["answer"]) for i, c in enumerate(corpus)][:count]
    seen = {(p, a) for _, p, a in rows}
    wrappable = [p for p in parts if p.startswith(("q2", "q3.b.i", "q5.e"))]
    while len(rows) < count:
        part = rng.choice(wrappable)
        answer = rng.choice(POOL[part][:-1])
        text = rng.choice(WRAPS).format(p=rng.choice(PROSE), a=answer)
        text = f"({rng.randint(1, 10**6)}) " + text  # a numbered line: every row different
        if (part, text) in seen:
            continue
        seen.add((part, text))
        rows.append((f"f{len(rows):04d}", part, text))
    return rows


def long_answer() -> str:
    """A 2,000-character answer: a derivation in prose with the result at the end."""
    step = (
        "Each coordinate pair contributes E[q_i k_i] = E[q_i] E[k_i] because q and k are "
        "independent, and the variance of q_i k_i is 1 when the means are 0. "
    )
    end = " Hence we divide by $s = \\sqrt{d}$ so the variance is 1."
    return (step * 20)[: 2000 - len(end)] + end


def write(rows, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "part", "answer"])
        writer.writerows(rows)


def time_grade(path: Path, out: Path, jobs: int) -> dict:
    command = [sys.executable, "-m", "answerkey", "grade", str(path), "--out", str(out),
               "--jobs", str(jobs), "--json", "--no-progress"]  # fmt: skip
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"grade failed: {result.stderr.strip()}")
    report = json.loads(result.stdout)
    verdicts: dict[str, int] = {}
    for entry in report["summary"].values():
        for verdict, n in entry["verdicts"].items():
            verdicts[verdict] = verdicts.get(verdict, 0) + n
    return {"seconds": round(seconds, 2), "rows": report["rows"], "verdicts": verdicts}


def time_check(repeats: int, cases=None) -> dict:
    cases = cases or [("q2.a", "d·μ²"), ("q2.b", "sqrt(d)"), ("q2.c", r"\frac{d}{\sqrt{d}}")]
    times = []
    for _ in range(repeats):
        for part, answer in cases:
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "answerkey", "check", part, answer],
                capture_output=True,
                cwd=ROOT,
            )
            times.append(time.perf_counter() - start)
    return {
        "runs": len(times),
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    parts = judged_parts()
    rng = random.Random(0)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        typical, distinct = folder / "typical.csv", folder / "distinct.csv"
        write(typical_rows(parts, args.rows, rng), typical)
        write(distinct_rows(parts, args.rows, rng), distinct)
        free = folder / "free.csv"
        write(free_form_rows(parts, args.rows, rng), free)
        check = time_check(args.repeats)
        long = long_answer()
        check_long = time_check(args.repeats, [("q2.c", long)])
        graded_typical = time_grade(typical, folder / "t.csv", args.jobs)
        graded_distinct = time_grade(distinct, folder / "d.csv", args.jobs)
        graded_free = time_grade(free, folder / "f.csv", args.jobs)
    figures = {
        "parts": parts,
        "cores": os.cpu_count(),
        "load_average_1min": None if load is None else round(load, 2),
        "check": {**check, "target_s": 1.5},
        "check_2000_chars": {**check_long, "chars": len(long), "target_s": 1.5},
        "grade_typical": {**graded_typical, "jobs": args.jobs, "target_s": 20},
        "grade_distinct": {**graded_distinct, "jobs": args.jobs, "target_s": 20},
        "grade_free_form": {**graded_free, "jobs": args.jobs, "target_s": 30},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")

    print(f"judged parts: {', '.join(parts)}   cores: {figures['cores']}   "
          f"load (1 min): {figures['load_average_1min']}")  # fmt: skip
    print(f"{'figure':<34} {'measured':>10} {'target':>8}")
    print(
        f"{'answerkey check (median of ' + str(check['runs']) + ')':<34} "
        f"{check['median_s']:>9.2f}s {1.5:>7.1f}s"
    )
    print(f"{'answerkey check (slowest)':<34} {check['max_s']:>9.2f}s {1.5:>7.1f}s")
    label = f"check, {len(long)}-char answer (median)"
    print(f"{label:<34} {check_long['median_s']:>9.2f}s {1.5:>7.1f}s")
    for name, graded, target in (
        ("typical", graded_typical, 20),
        ("distinct", graded_distinct, 20),
        ("free-form", graded_free, 30),
    ):
        label = f"grade {graded['rows']} rows, {name}, {args.jobs} jobs"
        print(f"{label:<34} {graded['seconds']:>9.2f}s {target:>7.1f}s")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
