"""The `answerkey` command line.

Exit codes: 0 ok, 1 a check failed, 2 bad usage or input. Every command that
reports results takes --json and then prints exactly one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from answerkey import experiments as experiment_registry
from answerkey import parts as registry
from answerkey.errors import CommandFailed, UsageError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _cmd_list(args: argparse.Namespace) -> int:
    from answerkey.rubric import load_rubric
    from answerkey.verify import recorded_status, status_record

    record = status_record()
    rubric = load_rubric()
    rows = [
        {
            "part": part.id,
            "points": rubric.points(part.id),
            "status": recorded_status(part, record),
            "question": part.question,
        }
        for part in registry.all_parts()
    ]
    if args.json:
        print(json.dumps({"parts": rows}, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"{'part':<10} {'points':>6}  {'status':<28} question")
    for row in rows:
        question = row["question"] if len(row["question"]) <= 60 else row["question"][:57] + "..."
        points = "" if row["points"] is None else f"{row['points']:g}"
        print(f"{row['part']:<10} {points:>6}  {row['status']:<28} {question}")
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    from answerkey.verify import results_json, verify_parts

    try:
        selected = registry.select_parts(args.parts)
    except registry.UnknownPart as exc:
        raise UsageError(str(exc)) from None

    def show(result) -> None:
        if args.json:
            return
        print(f"{result.part:<9} {result.verdict:<8} {result.evidence:<15} {result.claim}")
        print(f"{'':<9} {'':<8} {'':<15} {result.detail}", flush=True)

    if not args.json:
        print(f"{'part':<9} {'verdict':<8} {'evidence':<15} claim / detail")
    results = verify_parts(selected, _profile(args), on_result=show)
    unanswered = [p.id for p in selected if not p.answered]
    if args.json:
        print(results_json(results))
    else:
        failed = [r for r in results if not r.verdict.passed]
        print(f"\n{len(results)} checks, {len(results) - len(failed)} passed, {len(failed)} not.")
        if unanswered:
            print(f"not answered yet: {', '.join(unanswered)}")
    return EXIT_OK if all(r.verdict.passed for r in results) else EXIT_FAILED


def _profile(args: argparse.Namespace):
    """The Profile a command's options make: --quick, and an experiment's --device and
    --mnist-dir where it has them."""
    from answerkey.experiments import Profile

    return Profile(
        quick=bool(getattr(args, "quick", False)),
        device=getattr(args, "device", None) or "cpu",
        mnist_dir=getattr(args, "mnist_dir", None),
    )


def _cmd_run(args: argparse.Namespace) -> int:
    from answerkey import experiments

    out = Path(args.out)
    results = experiments.execute(args.experiment, _profile(args), out, args)
    module = experiments.get(args.experiment)
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False, sort_keys=True))
    elif hasattr(module, "summary"):  # a Legacy experiment prints its own
        print(module.summary(results))
        names = results["figures"]
        names = names.values() if isinstance(names, dict) else names
        print("figures: " + ", ".join(str(out / "figures" / name) for name in names))
    return EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    from answerkey.build import BuildOptions, build

    options = BuildOptions(
        out=Path(args.out),
        quick=args.quick,
        draft=args.draft,
        rubric=Path(args.rubric) if args.rubric else None,
    )
    report = build(options)
    for warning in report.warnings:
        print(f"answerkey: warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        if report.failures:
            print(f"{len(report.failures)} problem(s):")
            for failure in report.failures:
                print(f"  - {failure}")
        if report.written:
            stamp = " (stamped NOT VERIFIED)" if report.failures else ""
            print(f"wrote {args.out}/{stamp}: {', '.join(report.written)}")
        else:
            print("no documents written (--draft writes them stamped NOT VERIFIED)")
    return EXIT_OK if report.verified else EXIT_FAILED


def _cmd_check(args: argparse.Namespace) -> int:
    from answerkey.judging.judge import EXIT_BY_VERDICT, check_one, format_judgement

    judgement = check_one(args.part, args.answer, cpu_seconds=args.time_limit)
    if args.json:
        print(json.dumps(judgement.to_json(), indent=2, ensure_ascii=False))
    else:
        print(format_judgement(judgement))
    return EXIT_BY_VERDICT[judgement.verdict]


def _cmd_grade(args: argparse.Namespace) -> int:
    from answerkey.judging.grade import grade_file, report_json, summary_table
    from answerkey.judging.sandbox import Limits

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    report = grade_file(
        Path(args.file),
        Path(args.out),
        jobs=args.jobs,
        limits=Limits(cpu_seconds=args.time_limit),
        progress=not args.no_progress,
    )
    print(report_json(report) if args.json else summary_table(report))
    return EXIT_OK


def _add_judge_commands(commands) -> None:
    check = commands.add_parser(
        "check",
        help="judge one student answer",
        description="Judge one answer: CORRECT, INCORRECT (with values where it differs from "
        "the key), CANNOT TELL or INVALID INPUT, with the method, rubric feedback and credit. "
        "Plain (sqrt(d), d^(1/2), mu**2 d), Unicode (√d, μ², d·μ²) and LaTeX (\\sqrt{d}, "
        "\\frac{1}{\\sqrt d}) all read. Exit 0 correct, 1 incorrect or cannot tell, "
        "2 invalid input or bad usage.",
    )
    check.add_argument("part", metavar="PART", help="part id, e.g. q2.a")
    check.add_argument("answer", metavar="ANSWER", help="the answer as the student wrote it")
    check.add_argument("--json", action="store_true", help="print one JSON document")
    check.add_argument(
        "--time-limit", type=float, default=5.0, metavar="S", help="CPU seconds (default 5)"
    )
    check.set_defaults(handler=_cmd_check)

    grade = commands.add_parser(
        "grade",
        help="judge a CSV file of answers (id, part, answer)",
        description="Judge every row of a CSV file with columns id, part, answer; write the "
        "rows with verdict, credit, feedback, method and counterexample added; print a "
        "summary per part. Each answer runs in a worker with CPU-time and memory limits.",
    )
    grade.add_argument("file", metavar="FILE.csv", help="answers: a header with id, part, answer")
    grade.add_argument("--out", default="graded.csv", help="where to write (default graded.csv)")
    grade.add_argument("--jobs", type=int, default=2, metavar="N", help="workers (default 2)")
    grade.add_argument(
        "--time-limit", type=float, default=5.0, metavar="S", help="CPU seconds per answer"
    )
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.add_argument("--json", action="store_true", help="print one JSON document")
    grade.set_defaults(handler=_cmd_grade)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="answerkey",
        description=(
            "A verified answer key for EECS 182 HW6. SymPy proves the written answers, "
            "Monte Carlo and exact numeric code cross-check them, PyTorch answers the coding "
            "parts, and the documents are built from the verified objects."
        ),
        epilog="Exit codes: 0 ok, 1 a check failed, 2 bad usage or input.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = commands.add_parser("list", help="parts, points and status")
    listing.add_argument("--json", action="store_true", help="print one JSON document")
    listing.set_defaults(handler=_cmd_list)

    verify = commands.add_parser(
        "verify",
        help="run every check; exit 1 on any REFUTED, FAIL, UNKNOWN or ERROR",
        description="Run the checks of the given parts (all parts by default). A part id may be "
        "a prefix: 'q3' selects every part of question 3.",
    )
    verify.add_argument("parts", nargs="*", metavar="PART", help="part ids, e.g. q2.a q3")
    verify.add_argument("--json", action="store_true", help="print one JSON document")
    verify.add_argument("--quick", action="store_true", help="small sizes, for tests")
    verify.set_defaults(handler=_cmd_verify)

    run = commands.add_parser("run", help="run one experiment, print its results, save figures")
    experiments = run.add_subparsers(dest="experiment", required=True, metavar="EXPERIMENT")
    for name, experiment in experiment_registry.modules().items():
        sub = experiments.add_parser(name, help=experiment.HELP, description=experiment.HELP)
        sub.add_argument("--json", action="store_true", help="print one JSON document")
        sub.add_argument("--quick", action="store_true", help="small sizes and few epochs")
        sub.add_argument("--out", default="build", help="where figures go (default: build)")
        if hasattr(experiment, "add_arguments"):
            experiment.add_arguments(sub)
    run.set_defaults(handler=_cmd_run)

    build = commands.add_parser(
        "build",
        help="verify, run the experiments, then write the solutions and the TA key",
        description="Run every check and every experiment (through their caches), then write "
        "solutions.pdf, answer_key.pdf, their .tex sources, rubric.csv, results.json, "
        "figures/ and the executed notebooks/ into --out, atomically. If a check fails, say "
        "which and write nothing (exit 1); --draft writes the documents anyway, stamped "
        "NOT VERIFIED (still exit 1).",
    )
    build.add_argument("--out", default="build", help="output folder (default: build)")
    build.add_argument("--quick", action="store_true", help="small sizes and few epochs")
    build.add_argument(
        "--draft", action="store_true", help="write the documents even if a check fails"
    )
    build.add_argument("--rubric", metavar="FILE", help="points and rubric (default: rubric.toml)")
    build.add_argument("--json", action="store_true", help="print one JSON document")
    build.set_defaults(handler=_cmd_build)
    _add_judge_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as exc:
        print(f"answerkey: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CommandFailed as exc:
        print(f"answerkey: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("answerkey: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
