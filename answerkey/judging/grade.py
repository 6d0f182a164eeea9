"""Grade a file of answers: rows of (id, part, answer) in, verdicts and credit out.

    grade_file(Path("answers.csv"), Path("graded.csv"), jobs=2)  ->  GradeReport

The input is CSV with a header naming the columns `id`, `part` and `answer`
(other columns are kept). Every row comes out, in order, with `verdict`,
`credit`, `points`, `feedback`, `method`, `detail`, `read_as` and
`counterexample` added. A row that cannot be graded (a missing cell, an
unknown part, a part with no checkable answer, bytes that are not UTF-8) gets
verdict ERROR and a reason; an empty answer is INVALID INPUT with credit 0.
Nothing is dropped.

Identical (part, answer) pairs are judged once. Each distinct answer runs in
its own limited child process (`answerkey.judging.sandbox`): a CPU-time and memory
limit per answer, so one pathological answer cannot stall the file. Cells
are written through `csv_cell`, which defuses spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from answerkey.errors import UsageError
from answerkey.judging.sandbox import Finished, Limits, run_limited
from answerkey.judging.text import csv_cell, printable

ERROR = "ERROR"
TA = "TA"  # a prose part: a row a TA grades, with the key's answer and the rubric beside it
DEFAULT_LIMITS = Limits()
MAX_CELL = 1 << 22  # input cells are kept whole up to this size
ADDED_COLUMNS = (
    "verdict", "credit", "points", "feedback", "method", "detail", "read_as", "counterexample",
    "extracted", "found_in", "assumed",
)  # fmt: skip
VERDICT_ORDER = ("CORRECT", "INCORRECT", "CANNOT TELL", "INVALID INPUT", TA, ERROR)
# A roster id made of these is written back byte for byte (no spreadsheet reads it as a
# formula); any other id is cleaned like every cell and listed in the summary.
PLAIN_ID = re.compile(r"[A-Za-z0-9_.@-]+")
_ALIASES = {
    "id": ("id", "student", "student_id", "sid", "name"),
    "part": ("part", "part_id", "question", "q"),
    "answer": ("answer", "response", "text"),
}


@dataclass
class Row:
    number: int  # line of the file (1 = header)
    cells: dict[str, str]
    part: str = ""
    answer: str = ""
    error: str = ""  # why this row cannot be graded
    result: dict = field(default_factory=dict)
    ta: dict = field(default_factory=dict)  # a prose part's row for a TA


@dataclass
class GradeReport:
    rows: int
    out: Path
    summary: dict[str, dict]
    seconds: float = 0.0
    distinct: int = 0
    neutralized_ids: list[str] = field(default_factory=list)  # ids not written byte for byte

    def to_json(self) -> dict:
        return {
            "rows": self.rows,
            "out": str(self.out),
            "summary": self.summary,
            "neutralized_ids": self.neutralized_ids,
        }


def _columns(header: list[str]) -> dict[str, str]:
    lowered = {name.strip().lower(): name for name in header}
    found = {}
    for column, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in lowered:
                found[column] = lowered[alias]
                break
    missing = [c for c in _ALIASES if c not in found]
    if missing:
        raise UsageError(
            f"the header has no {' / '.join(missing)} column; it needs id, part and answer "
            f"(found: {', '.join(printable(h, 40) for h in header) or 'nothing'})"
        )
    return found


def read_rows(path: Path) -> tuple[list[str], list[Row]]:
    """The header and every row; rows with problems carry `error`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    # Undecodable bytes survive as lone surrogates, so one bad row does not sink the file.
    text = raw.decode("utf-8-sig", errors="surrogateescape")
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL))  # a 100-kB answer is a row
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise UsageError(f"{path}: the file is empty") from None
    except csv.Error as exc:
        raise UsageError(f"{path}: not CSV: {exc}") from None
    header = [_undecodable(h) or h for h in header]
    columns = _columns(header)
    rows: list[Row] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows.append(Row(reader.line_num, {}, error=f"not valid CSV: {exc}"))
            continue
        if not any(cell.strip() for cell in cells):
            continue  # a blank line is not a row
        row = Row(reader.line_num, dict(zip(header, cells, strict=False)))
        row.part = printable(row.cells.get(columns["part"], ""), 40).strip()
        bad = next((c for c in cells if _undecodable(c)), None)
        if bad is not None:
            row.error = "the row is not valid UTF-8 text"
            row.cells = {k: _undecodable(v) or v for k, v in row.cells.items()}
        elif len(cells) < len(header):
            absent = [h for h in header[len(cells) :] if h in columns.values()]
            if absent:
                row.error = f"the row has {len(cells)} cells; missing {', '.join(absent)}"
        if not row.error:
            row.part = row.cells.get(columns["part"], "").strip()
            row.answer = row.cells.get(columns["answer"], "")
            if not row.part:
                row.error = "no part id"
        rows.append(row)
    return header, rows


def _undecodable(text: str) -> str | None:
    """A visible version of text that held invalid UTF-8 bytes, or None if it is clean."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return None
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def _judge_task(part: str, answer: str) -> dict:
    from answerkey.judging.judge import judge

    return judge(part, answer).to_json()


def _stopped(part: str, answer: str, reason: str) -> dict:
    from answerkey.judging.judge import Judgement, Verdict, _known

    return Judgement(
        part,
        printable(answer),
        Verdict.CANNOT_TELL,
        method="judging stopped",
        detail=reason,
        points=_known(part).points,
        feedback="A TA should read this answer: judging it hit a resource limit.",
    ).to_json()


def grade_rows(
    rows: list[Row], jobs: int = 1, limits: Limits = DEFAULT_LIMITS, progress: bool = True
) -> None:
    """Fill each row's `result` (or `error`), judging distinct answers in limited workers."""
    from answerkey.judging.judge import NotCheckable, prepare
    from answerkey.judging.judged_parts import NOT_CHECKABLE
    from answerkey.parts import UnknownPart

    usable: dict[str, str] = {}  # part → "" if judged, else the reason it is not
    prose: dict[str, dict] = {}  # part → its TA row
    for row in rows:
        if row.error or row.part in usable or row.part in prose:
            continue
        if row.part in NOT_CHECKABLE:
            prose[row.part] = ta_row(row.part)
            continue
        try:
            prepare(row.part)
            usable[row.part] = ""
        except UnknownPart:
            usable[row.part] = f"unknown part {printable(row.part, 40)!r}"
        except NotCheckable as exc:
            usable[row.part] = str(exc)
    for row in rows:
        if not row.error and row.part in prose:
            row.ta = prose[row.part]
        elif not row.error and usable.get(row.part):
            row.error = usable[row.part]
    distinct = list(dict.fromkeys((r.part, r.answer) for r in rows if not r.error and not r.ta))
    tasks = [(index, pair) for index, pair in enumerate(distinct)]
    results: dict[tuple[str, str], dict] = {}
    bar = _progress(len(tasks), progress)
    try:
        for index, outcome in run_limited(_judge_task, tasks, jobs=jobs, limits=limits):
            part, answer = distinct[index]
            if isinstance(outcome, Finished):
                results[(part, answer)] = outcome.value
            else:
                results[(part, answer)] = _stopped(part, answer, outcome.reason)
            bar.update(1)
    finally:
        bar.close()
    for row in rows:
        if not row.error and not row.ta:
            row.result = results[(row.part, row.answer)]


def ta_row(part_id: str) -> dict:
    """What a TA needs beside a prose answer: the key's written answer (when it does not
    come from an experiment, which `grade` does not run) and the rubric's items."""
    from answerkey.judging.judged_parts import NOT_CHECKABLE
    from answerkey.parts import get_part
    from answerkey.rubric import load_rubric

    part = get_part(part_id)
    key = ""
    if part.answer is not None and part.experiment is None:
        from answerkey.experiments import FULL

        try:
            key = part.answer(FULL).text
        except Exception as exc:  # the key is a courtesy here; the row stands without it
            key = f"(the key's answer could not be built: {type(exc).__name__})"
    elif part.experiment is not None:
        key = f"see the answer key: its answer comes from the {part.experiment} experiment"
    entry = load_rubric().parts.get(part_id)
    items = "; ".join(f"{i.description} ({i.delta:+g})" for i in entry.items) if entry else ""
    return {
        "verdict": TA,
        "credit": None,
        "points": None if entry is None else entry.points,
        "feedback": f"Key: {key}" if key else "",
        "method": f"{NOT_CHECKABLE[part_id]}: a TA grades it with the key and the rubric",
        "detail": f"Rubric: {items}" if items else "",
        "read_as": "",
        "counterexample": None,
        "extracted": "",
        "found_in": "",
        "assumed": "",
    }


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: workers are forked
    return tqdm(total=total, desc="grading", unit="answer", file=sys.stderr, disable=not enabled)


def _counterexample_text(value) -> str:
    if not value:
        return ""
    return "; ".join(f"{k} = {v}" for k, v in value.items())


def write_graded(path: Path, header: list[str], rows: list[Row]) -> list[str]:
    """Write the graded file; returns the ids that could not be written byte for byte."""
    from answerkey.cache import write_atomic

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    extra = [c for c in ADDED_COLUMNS if c not in header]
    writer.writerow([csv_cell(h) for h in [*header, *extra]])
    id_column = _columns(header)["id"]
    neutralized = []
    for row in rows:
        out = []
        for h in header:
            cell = row.cells.get(h, "")
            if h == id_column and PLAIN_ID.fullmatch(cell):
                out.append(cell)
                continue
            safe = csv_cell(cell, limit=MAX_CELL)
            if h == id_column and safe != cell:
                neutralized.append(printable(cell, 60) or "(blank)")
            out.append(safe)
        if row.error:
            added = {"verdict": ERROR, "detail": row.error, "feedback": row.error}
        else:
            r = row.ta or row.result
            added = {
                "verdict": r["verdict"],
                "credit": "" if r["credit"] is None else f"{r['credit']:g}",
                "points": "" if r["points"] is None else f"{r['points']:g}",
                "feedback": r["feedback"],
                "method": r["method"],
                "detail": r["detail"],
                "read_as": r["read_as"],
                "counterexample": _counterexample_text(r["counterexample"]),
                "extracted": r.get("extracted", ""),
                "found_in": r.get("found_in", ""),
                "assumed": r.get("assumed", ""),
            }
        writer.writerow(out + [csv_cell(added.get(c, "")) for c in extra])
    write_atomic(path, buffer.getvalue().encode("utf-8"))
    return neutralized


def summarize(rows: list[Row], top: int = 3) -> dict[str, dict]:
    """Per part: counts by verdict, total credit, and the most common wrong answers
    (grouped by how they were read, so d·μ and μd count together)."""
    by_part: dict[str, dict] = {}
    wrong: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        part = printable(row.part, 40) or "(none)"
        entry = by_part.setdefault(
            part, {"rows": 0, "verdicts": dict.fromkeys(VERDICT_ORDER, 0), "credit": 0.0}
        )
        entry["rows"] += 1
        verdict = ERROR if row.error else (row.ta or row.result)["verdict"]
        entry["verdicts"][verdict] += 1
        if not row.error and row.result.get("credit") is not None:
            entry["credit"] += row.result["credit"]
        if verdict == "INCORRECT":
            wrong[part][row.result["read_as"] or printable(row.answer, 80)] += 1
    for part, entry in by_part.items():
        entry["credit"] = round(entry["credit"], 2)
        entry["common_wrong"] = [
            {"answer": answer, "count": count} for answer, count in wrong[part].most_common(top)
        ]
    return by_part


def grade_file(
    path: Path,
    out: Path,
    jobs: int = 1,
    limits: Limits = DEFAULT_LIMITS,
    progress: bool = True,
) -> GradeReport:
    import time

    start = time.perf_counter()
    header, rows = read_rows(path)
    grade_rows(rows, jobs=jobs, limits=limits, progress=progress)
    try:
        neutralized = write_graded(out, header, rows)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write it: {exc.strerror or exc}") from None
    distinct = len({(r.part, r.answer) for r in rows if not r.error and not r.ta})
    seconds = time.perf_counter() - start
    return GradeReport(len(rows), out, summarize(rows), seconds, distinct, neutralized)


def summary_table(report: GradeReport) -> str:
    lines = [
        f"{'part':<9} {'rows':>5} {'correct':>8} {'incorrect':>9} {'cannot':>7} "
        f"{'invalid':>7} {'ta':>4} {'error':>6} {'credit':>7}"
    ]
    for part, entry in report.summary.items():
        v = entry["verdicts"]
        lines.append(
            f"{part:<9} {entry['rows']:>5} {v['CORRECT']:>8} {v['INCORRECT']:>9} "
            f"{v['CANNOT TELL']:>7} {v['INVALID INPUT']:>7} {v[TA]:>4} {v[ERROR]:>6} "
            f"{entry['credit']:>7g}"
        )
        for common in entry["common_wrong"]:
            lines.append(f"{'':<9}   wrong ×{common['count']}: {printable(common['answer'], 60)}")
    if report.neutralized_ids:
        shown = ", ".join(report.neutralized_ids[:20])
        more = len(report.neutralized_ids) - 20
        lines.append(
            f"\n{len(report.neutralized_ids)} id(s) were changed to be safe in a spreadsheet: "
            f"{shown}" + (f" and {more} more" if more > 0 else "")
        )
    lines.append(f"\n{report.rows} rows graded into {report.out}")
    return "\n".join(lines)


def report_json(report: GradeReport) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False)
