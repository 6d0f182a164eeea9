"""`answerkey build`: verify everything, run the experiments, write the documents.

    report = build(BuildOptions(out=Path("build"), quick=False, draft=False))

Into `out` (default `build/`) it writes:

    solutions.pdf, solutions.tex       the published solutions
    answer_key.pdf, answer_key.tex     the TA key (staff only)
    rubric.csv                         part, item, delta, description, max (+ a total row)
    results.json                       every number the documents quote
    figures/                           what the experiments drew
    notebooks/solutions/, student/     q_zkc.ipynb and q_ae.ipynb: executed solutions and
                                       their starters (the `notebooks` experiment, run
                                       last: answerkey/experiments/notebooks.py)

Steps: read the rubric (a bad file stops here: `FILE:LINE: …`, exit 2);
run every experiment through its cache with its figures going into the new
folder (a commit built before replays each experiment's results and files
from the build cache instead of redrawing them and re-executing notebooks);
run every check (`answerkey.verify`; the verdicts are cached under the code
hash and library versions once every check passed, so a second build does
not pay for them again); compute each part's answer and derivation steps
(cached the same way, and also keyed by the experiments' results); collect
answers, steps and checks into results.json; render the documents from
results.json alone. A rebuild with nothing changed takes seconds.

Atomic: everything is written into a temporary folder beside `out`, which
is renamed into place only when complete; a failure, an error or Ctrl-C
leaves `out` as it was. An existing `out` is replaced only if it is empty or
an earlier build (it holds `MARKER`): `--out ~` cannot wipe a home folder.

Deterministic: no timestamps and no timings in results.json or in the
documents; fixed seeds upstream. Two builds of one commit on one machine give
byte-identical results.json and the same PDF text.

If a check fails (or an experiment, an answer or a figure is missing) the
build says which and writes nothing, unless `draft`: then it writes the
documents with "NOT VERIFIED" on every page (and still exits 1).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from answerkey import cache, experiments
from answerkey import parts as registry
from answerkey.errors import UsageError
from answerkey.experiments import Profile
from answerkey.rubric import RUBRIC_PATH, Rubric, load_rubric

MARKER = ".answerkey-build"
VERIFY_NAMESPACE = "build-verify"
ANSWERS_NAMESPACE = "build-answers"
EXPERIMENTS_NAMESPACE = "build-experiments"
SCHEMA = 1
HOMEWORK = "EECS 182 Deep Neural Networks, Fall 2022, Homework 6"
# Libraries whose versions can change a verdict or a number; part of every record's key.
LIBRARIES = ("numpy", "scipy", "sympy", "torch", "networkx", "scikit-learn", "matplotlib")
OUTPUTS = ("solutions.pdf", "answer_key.pdf", "solutions.tex", "answer_key.tex", "rubric.csv")
RUBRIC_CSV_COLUMNS = ("part", "item", "delta", "description", "max")


@dataclass
class BuildOptions:
    out: Path = Path("build")
    quick: bool = False
    draft: bool = False
    rubric: Path | None = None

    def profile(self) -> Profile:
        """The one profile a build passes to every experiment, answer and check."""
        return Profile(quick=self.quick)


@dataclass
class BuildReport:
    out: Path
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "verified": self.verified,
            "documents_written": bool(self.written),
            "failures": self.failures,
            "warnings": self.warnings,
            "written": self.written,
        }


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return f"{type(exc).__name__}: {exc}"
    last = frames[-1]
    return f"{type(exc).__name__}: {exc} ({Path(last.filename).name}:{last.lineno})"


# --- the output folder ---------------------------------------------------------------


class Staging:
    """A temporary folder beside `out`, renamed onto `out` when the build is complete."""

    def __init__(self, out: Path):
        self.out = Path(os.path.abspath(out.expanduser()))
        if self.out.exists() and not self.out.is_dir():
            raise UsageError(f"--out {out}: exists and is not a folder")
        try:
            occupied = self.out.is_dir() and any(self.out.iterdir())
        except OSError as exc:
            raise UsageError(f"--out {out}: cannot read it: {exc.strerror or exc}") from None
        if occupied and not (self.out / MARKER).exists():
            raise UsageError(
                f"--out {out}: a folder that is not empty and not an answerkey build; "
                "refusing to replace it"
            )
        self.created: list[Path] = []  # parents this build made, removed again on failure
        try:
            missing = [p for p in [self.out.parent, *self.out.parent.parents] if not p.exists()]
            for folder in reversed(missing):
                folder.mkdir()
                self.created.append(folder)
            prefix = f".{self.out.name}.building-"
            self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=self.out.parent))
            # mkdtemp makes it private (0700); a build folder is as readable as any other.
            umask = os.umask(0)
            os.umask(umask)
            self.path.chmod(0o777 & ~umask)
        except OSError as exc:
            self._remove_created()
            raise UsageError(f"--out {out}: cannot write there: {exc.strerror or exc}") from None

    def _remove_created(self) -> None:
        for folder in reversed(self.created):
            with contextlib.suppress(OSError):
                folder.rmdir()

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self._remove_created()

    def commit(self) -> None:
        (self.path / MARKER).write_text("written by `answerkey build`; replaced by the next one\n")
        if self.out.is_dir() and any(self.out.iterdir()):
            old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
            os.rename(self.out, old / "build")
            os.rename(self.path, self.out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            if self.out.is_dir():
                self.out.rmdir()
            os.rename(self.path, self.out)


# --- experiments and checks ------------------------------------------------------------


def without_timings(value: Any) -> Any:
    """`value` with every "timings" entry removed, at any depth: timings vary run to run."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k != "timings"}
    if isinstance(value, list | tuple):
        return [without_timings(v) for v in value]
    return value


def experiment_key(name: str, profile: Profile) -> str:
    """What an experiment's whole output depends on: the project's code, the files it
    names as inputs (notebook sources), the library versions and the profile."""
    experiment = experiments.get(name)
    inputs = sorted(Path(p) for p in experiment.inputs()) if hasattr(experiment, "inputs") else []
    config = {
        "experiment": name,
        "profile": profile.to_json(),
        "inputs": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs},
    }
    return cache.cache_key(config, cache.CODE_PACKAGES, LIBRARIES)


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def run_experiment(name: str, out: Path, profile: Profile) -> tuple[Any, bool]:
    """(results with timings removed, whether they came from the cache).

    A build of a commit it has built before replays each experiment's results and
    the files it wrote (figures, executed notebooks) from the cache instead of
    redrawing and re-executing them: they are the same bytes, and a second build
    takes seconds instead of a minute. Experiments keep their own finer caches for
    when the code did change.
    """
    key = experiment_key(name, profile)
    recorded = cache.load(EXPERIMENTS_NAMESPACE, key)
    if recorded is not None:
        cache.replay_files(out, recorded["files"])
        return recorded["results"], True
    before = files_under(out) if out.exists() else set()
    # An experiment prints its table unless --json; keep stdout for our own report.
    with contextlib.redirect_stdout(sys.stderr):
        outcome = experiments.execute(name, profile, out)
    results = json.loads(json.dumps(without_timings(outcome), sort_keys=True))
    written = sorted(files_under(out) - before) if out.exists() else []
    files = cache.encode_files(out, written)
    cache.store(EXPERIMENTS_NAMESPACE, key, {"results": results, "files": files})
    return results, False


def run_experiments(
    out: Path, profile: Profile, log: Callable[[str], None]
) -> tuple[dict[str, Any], list[str]]:
    """Each experiment's results (timings removed), and the experiments that failed."""
    results: dict[str, Any] = {}
    failures: list[str] = []
    for name in experiments.names():
        log(f"experiment {name} …")
        start = time.perf_counter()
        try:
            results[name], replayed = run_experiment(name, out, profile)
        except Exception as exc:
            failures.append(f"experiment {name} failed: {_where(exc)}")
            log(failures[-1])
            continue
        # Only in the log: timings never reach results.json or the documents.
        how = "replayed from the cache (same code and libraries)" if replayed else "ran"
        log(f"experiment {name}: {how}, {time.perf_counter() - start:.1f} s")
    return results, failures


def _check_from_json(record: dict):
    from answerkey.verdicts import CheckResult, Evidence, Verdict

    return CheckResult(
        part=record["part"],
        claim=record["claim"],
        evidence=Evidence(record["evidence"]),
        verdict=Verdict(record["verdict"]),
        detail=record["detail"],
        counterexample=record["counterexample"],
        statistics=record["statistics"],
    )


def run_checks(profile: Profile, log: Callable[[str], None]) -> list[dict]:
    """Every check of every part, as JSON records. Reused from the cache when the code,
    the libraries and the profile are unchanged and every check passed last time."""
    from answerkey.verify import verify_parts

    parts = registry.all_parts()
    config = {"profile": profile.to_json(), "parts": [p.id for p in parts if p.checks is not None]}
    key = cache.cache_key(config, cache.CODE_PACKAGES, LIBRARIES)
    recorded = cache.load(VERIFY_NAMESPACE, key)
    if recorded is not None:
        log(f"verify: {len(recorded)} checks, verdicts from the cache (same code and libraries)")
        return recorded

    def show(result) -> None:
        log(f"verify {result.part:<9} {result.verdict:<8} {result.evidence:<15} {result.claim}")

    start = time.perf_counter()
    results = verify_parts(parts, profile, on_result=show)
    log(f"verify: {len(results)} checks in {time.perf_counter() - start:.1f} s")
    records = [r.to_json() for r in results]
    records = json.loads(json.dumps(records, sort_keys=True, ensure_ascii=False))
    if all(r.verdict.passed for r in results):
        # Timeouts depend on the machine's load: only an all-passed record is reused.
        cache.store(VERIFY_NAMESPACE, key, records)
    return records


def _failure_line(check: dict) -> str:
    what = f"{check['evidence']} check {check['verdict']}"
    return f"{check['part']}: {what}: {check['claim']} — {check['detail']}"


# --- results.json ------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """A JSON form of an Answer.value that is the same on every run (no addresses)."""
    import sympy as sp

    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, sp.Basic):
        return sp.sstr(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if callable(value):
        return f"<function {getattr(value, '__qualname__', type(value).__name__)}>"
    return f"<{type(value).__name__}>"


def png_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of a PNG from its header, or None for another or a missing file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(24)
    except OSError:
        return None
    if len(head) < 24 or not head.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def png_dpi(path: Path) -> float | None:
    """Dots per inch a PNG declares (its pHYs chunk, which matplotlib writes from
    `savefig(dpi=…)`), or None when it declares none."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    position = 8
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        if kind == b"pHYs" and length >= 9 and data[position + 16] == 1:  # unit: metre
            return int.from_bytes(data[position + 8 : position + 12], "big") * 0.0254
        if kind in (b"IDAT", b"IEND"):
            return None
        position += 12 + length
    return None


def _rubric_record(rubric: Rubric, part_id: str) -> dict | None:
    entry = rubric.parts.get(part_id)
    if entry is None:
        return None
    return {
        "points": entry.points,
        "items": [{"description": i.description, "delta": i.delta} for i in entry.items],
        "wrong": [
            {"answer": w.answer, "items": list(w.items), "credit": w.credit, "feedback": w.feedback}
            for w in entry.wrong
        ],
        "accepted": [{"answer": a.answer, "note": a.note} for a in entry.accepted],
    }


def _answer_payload(part: registry.Part, profile: Profile) -> dict:
    """The part's answer as JSON, its figures named but not yet looked for on disk."""
    from answerkey.documents.math_notation import latex as spelled

    answer = part.answer(profile)
    latex = answer.latex
    import sympy as sp

    if not latex and isinstance(answer.value, sp.Basic):
        latex = spelled(answer.value)
    tables = [
        {"caption": t.caption, "columns": list(t.columns), "rows": [list(r) for r in t.rows]}
        for t in answer.tables
    ]
    return {
        "latex": latex,
        "text": answer.text,
        "detail": answer.detail,
        "headline": answer.headline,
        "value": jsonable(answer.value),
        "figures": [{"name": f.name, "caption": f.caption} for f in answer.figures],
        "tables": tables,
    }


def _with_figure_files(
    payload: dict, part: registry.Part, figures_dir: Path
) -> tuple[dict, list[str]]:
    """`payload` with each figure's pixel size and printed inches read from its PNG, and a
    problem for each figure its experiment did not write."""
    from answerkey.documents.content import figure_file

    problems = []
    figures = []
    for named in payload["figures"]:
        record = dict(named)
        file = figure_file(named["name"])
        if size := png_size(figures_dir / file):
            record["pixels"] = list(size)
            if dpi := png_dpi(figures_dir / file):
                record["inches"] = [round(size[0] / dpi, 3), round(size[1] / dpi, 3)]
        if not (figures_dir / file).is_file():
            record["missing"] = True
            experiment = part.experiment or "(none named)"
            problems.append(
                f"{part.id}: figure {named['name']} is missing: experiment {experiment} "
                f"did not write figures/{file}"
            )
        figures.append(record)
    return {**payload, "figures": figures}, problems


def _answer_record(
    part: registry.Part, figures_dir: Path, profile: Profile
) -> tuple[dict, list[str]]:
    return _with_figure_files(_answer_payload(part, profile), part, figures_dir)


def compute_answers(
    profile: Profile, experiment_results: dict[str, Any], log: Callable[[str], None]
) -> dict[str, dict]:
    """Every part's answer (`_answer_payload`) and derivation steps, or the error that
    stopped each: {part id: {"answer", "answer_error", "steps", "steps_error"}}. Reused
    from the cache when the code, the libraries, the profile and the experiments' results
    are unchanged (a cached rebuild then skips the SymPy work); stored only when nothing
    failed."""
    parts = registry.all_parts()
    results_json = json.dumps(experiment_results, sort_keys=True, default=str).encode()
    config = {
        "profile": profile.to_json(),
        "parts": [p.id for p in parts],
        "experiments": hashlib.sha256(results_json).hexdigest(),
    }
    key = cache.cache_key(config, cache.CODE_PACKAGES, LIBRARIES)
    if (recorded := cache.load(ANSWERS_NAMESPACE, key)) is not None:
        log("answers: from the cache (same code and libraries)")
        return recorded
    answers: dict[str, dict] = {}
    for part in parts:
        entry: dict[str, Any] = {
            "answer": None,
            "answer_error": None,
            "steps": [],
            "steps_error": None,
        }
        if part.answered:
            try:
                entry["answer"] = _answer_payload(part, profile)
            except Exception as exc:
                entry["answer_error"] = f"the answer could not be computed: {_where(exc)}"
        if part.steps is not None:
            try:
                entry["steps"] = [
                    {"text": s.text, "latex": s.latex, **({"full": s.full} if s.full else {})}
                    for s in part.steps()
                ]
            except Exception as exc:
                entry["steps_error"] = f"its derivation steps failed: {_where(exc)}"
        answers[part.id] = entry
    answers = json.loads(json.dumps(answers, sort_keys=True, ensure_ascii=False))
    if not any(e["answer_error"] or e["steps_error"] for e in answers.values()):
        cache.store(ANSWERS_NAMESPACE, key, answers)
    return answers


def collect(
    rubric: Rubric,
    checks: list[dict],
    answers: dict[str, dict],
    experiments: dict[str, Any],
    figures_dir: Path,
    profile: Profile,
    failures: list[str],
) -> dict:
    """results.json: every part with its answer and steps (`compute_answers`), checks and
    rubric; the experiments' results; and the failures. `failures` is extended with what
    goes wrong here."""
    questions = []
    for question in registry.questions():
        parts = []
        for part in question.parts:
            record: dict[str, Any] = {
                "id": part.id,
                "question": part.question,
                "answered": part.answered,
                "points": rubric.points(part.id),
                "assumptions": list(part.assumptions),
                "notes": list(part.notes),
                "experiment": part.experiment,
                "answer": None,
                "steps": [],
                "checks": [c for c in checks if c["part"] == part.id],
                "rubric": _rubric_record(rubric, part.id),
                "error": None,
            }
            computed = answers[part.id]
            if computed["answer_error"]:
                record["error"] = computed["answer_error"]
                failures.append(f"{part.id}: {record['error']}")
            elif computed["answer"] is not None:
                record["answer"], problems = _with_figure_files(
                    computed["answer"], part, figures_dir
                )
                failures.extend(problems)
            record["steps"] = computed["steps"]
            if computed["steps_error"]:
                failures.append(f"{part.id}: {computed['steps_error']}")
            parts.append(record)
        questions.append(
            {
                "number": question.number,
                "title": question.title,
                "intro": question.intro,
                "parts": parts,
            }
        )
    failures.extend(_failure_line(c) for c in checks if c["verdict"] not in ("PROVED", "PASS"))
    try:
        rubric_file = str(Path(rubric.path).resolve().relative_to(cache.PROJECT_ROOT))
    except ValueError:
        rubric_file = Path(rubric.path).name
    return {
        "schema": SCHEMA,
        "homework": HOMEWORK,
        "profile": profile.name,
        "code_hash": cache.code_hash(),
        "libraries": cache.library_versions(LIBRARIES),
        "verified": not failures,
        "failures": failures,
        "rubric": {"file": rubric_file, "total": rubric.total()},
        "questions": questions,
        "experiments": experiments,
    }


def dumps(results: dict) -> str:
    return json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- the documents -------------------------------------------------------------------


def rubric_csv(results: dict) -> str:
    """Rubric items as grading platforms import them: part, item, delta, description, max.

    `delta` is the item's point change from full credit, `max` the part's full credit
    (on each of its rows); a last row `total` carries the sum of the parts' maxima. A
    part without items gets one "full credit" row. After a part's numbered items come the
    key's "Also accepted" readings (item `accepted`, delta 0) and its "Common wrong
    answers" (item `wrong`, delta left empty: the description names the items to apply and
    the credit they give, so a platform that applies every row's delta does not deduct an
    item twice), so a TA grading from the CSV alone grades as the PDF does. A description that a
    spreadsheet would read as a formula (= + - @) is prefixed with an apostrophe.
    """
    from answerkey.documents.content import points_text

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(RUBRIC_CSV_COLUMNS)
    total = 0.0
    for question in results["questions"]:
        for part in question["parts"]:
            rubric = part["rubric"]
            if rubric is None:
                continue
            total += rubric["points"]
            most = f"{rubric['points']:g}"
            full = f"Full credit ({points_text(rubric['points'])})"
            items = rubric["items"] or [{"description": full, "delta": 0.0}]
            rows = [
                (number, f"{item['delta']:g}", item["description"])
                for number, item in enumerate(items, start=1)
            ]
            rows += [
                ("accepted", "0", f"Also accepted, full credit: {a['answer']} ({a['note']})")
                for a in rubric.get("accepted", [])
            ]
            for w in rubric.get("wrong", []):
                named = "item" + "s" * (len(w["items"]) > 1) + " "
                named += ", ".join(f"#{n}" for n in w["items"])
                rows.append(
                    (
                        "wrong",
                        "",
                        f"Common wrong answer: {w['answer']} (apply {named}: "
                        f"{w['credit']:g} of {most}). {w['feedback']}",
                    )
                )
            for number, delta, text in rows:
                if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    text = "'" + text
                writer.writerow((part["id"], number, delta, text, most))
    writer.writerow(("total", "", "", "Total of the parts' maxima", f"{total:g}"))
    return buffer.getvalue()


def _strings(value: Any):
    """Every string inside `value` (a JSON-like structure)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def render_documents(results: dict, folder: Path) -> tuple[list[str], list[str]]:
    """Write both documents (PDF and .tex) and rubric.csv into `folder` from `results`
    alone; figures are read from `folder/figures`. Returns (files written, warnings)."""
    from answerkey.documents.content import answer_key, solutions
    from answerkey.documents.escaping import UNKNOWN_CHARACTER, unprintable_in_latex
    from answerkey.documents.latex_render import render_latex
    from answerkey.documents.typst_render import compile_pdf

    warnings: list[str] = []
    unprintable = sorted(
        set().union(*(unprintable_in_latex(t) for t in _strings(results["questions"])))
    )
    if unprintable:
        warnings.append(
            f".tex: LaTeX prints these characters as {UNKNOWN_CHARACTER}: {' '.join(unprintable)} "
            "(add them to answerkey/documents/escaping.py)"
        )
    for name, make in (("solutions", solutions), ("answer_key", answer_key)):
        document = make(results)
        pdf, _source, problems = compile_pdf(document, folder)
        warnings.extend(f"{name}.pdf: {p}" for p in problems)
        (folder / f"{name}.pdf").write_bytes(pdf)
        (folder / f"{name}.tex").write_text(render_latex(document), encoding="utf-8")
    (folder / "rubric.csv").write_text(rubric_csv(results), encoding="utf-8")
    return list(OUTPUTS), warnings


def build(options: BuildOptions, log: Callable[[str], None] | None = None) -> BuildReport:
    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    rubric = load_rubric(options.rubric or RUBRIC_PATH)  # RubricError: FILE:LINE, exit 2
    staging = Staging(options.out)
    report = BuildReport(out=staging.out)
    try:
        profile = options.profile()
        experiment_results, failures = run_experiments(staging.path, profile, log)
        checks = run_checks(profile, log)
        answers = compute_answers(profile, experiment_results, log)
        results = collect(
            rubric, checks, answers, experiment_results, staging.path / "figures", profile, failures
        )
        report.failures = list(results["failures"])
        if report.failures and not options.draft:
            staging.discard()
            return report
        log("documents …")
        (staging.path / "results.json").write_text(dumps(results), encoding="utf-8")
        written, report.warnings = render_documents(results, staging.path)
        report.written = ["results.json", *written]
        # Folders the experiments wrote (figures/, notebooks/, ...).
        report.written += sorted(f"{p.name}/" for p in staging.path.iterdir() if p.is_dir())
        staging.commit()
        return report
    except BaseException:
        staging.discard()
        raise
