"""`answerkey grade` and `answerkey check` end to end: every row out, bad rows with a
reason, limits that stop a pathological answer without stalling the rest."""

import csv
import json
import os
import subprocess
import sys
import time

import pytest
from cli_run import answerkey as run_answerkey

from answerkey.judging import grade as grading
from answerkey.judging.grade import UsageError, grade_file, read_rows, summary_table
from answerkey.judging.sandbox import Finished, Limits, Stopped, run_limited, run_one

GOOD = [
    ("s1", "q2.a", "d mu^2"),
    ("s2", "q2.a", "d·μ²"),
    ("s3", "q2.a", "d mu"),
    ("s4", "q2.b", "sqrt(d)"),
    ("s5", "q2.c", r"\sqrt{d}"),
    ("s6", "q2.a", "μ d"),
]


def write_csv(path, rows, header=("id", "part", "answer")):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def malformed(tmp_path):
    path = write_csv(
        tmp_path / "answers.csv",
        [
            *GOOD,
            ("b1", "q9.z", "d"),  # unknown part
            ("b2", "q1.2", "I learned a lot"),  # no checkable answer
            ("b3", "q2.c", ""),  # empty answer
            ("b4", "q2.c"),  # missing column
            ("b5", "q2.a", '=HYPERLINK("http://evil")'),  # formula injection
            ("b6", "q2.a", "d mu^2 +"),  # unreadable
            ("b7", "", "d"),  # no part
        ],
    )
    with path.open("ab") as handle:
        handle.write(b"b8,q2.a,d \xff\xfe mu\n")  # not UTF-8
        handle.write(b"s7,q2.b,d\n")  # a good row after the bad bytes
    return path


def test_every_row_comes_out_in_order(malformed, tmp_path):
    out = tmp_path / "graded.csv"
    report = grade_file(malformed, out, jobs=2, progress=False)
    rows = read_csv(out)
    ids = [r["id"] for r in rows]
    assert ids == ["s1", "s2", "s3", "s4", "s5", "s6"] + [f"b{i}" for i in range(1, 9)] + ["s7"]
    assert report.rows == len(rows)


def test_good_rows_are_graded(malformed, tmp_path):
    out = tmp_path / "graded.csv"
    grade_file(malformed, out, progress=False)
    by_id = {r["id"]: r for r in read_csv(out)}
    assert by_id["s1"]["verdict"] == "CORRECT"
    assert by_id["s1"]["credit"] == "2"
    assert by_id["s3"]["verdict"] == "INCORRECT"
    assert by_id["s3"]["credit"] == "0.5"
    assert "μ·μ" in by_id["s3"]["feedback"]
    assert by_id["s3"]["counterexample"].startswith("d = ")
    assert by_id["s7"]["verdict"] == "CORRECT"


@pytest.mark.parametrize(
    "row, verdict, reason",
    [
        ("b1", "ERROR", "unknown part 'q9.z'"),
        ("b2", "TA", "Rubric: "),  # a prose part: a row for a TA, with the rubric's items
        ("b3", "INVALID INPUT", "no answer"),
        ("b4", "ERROR", "missing answer"),
        ("b6", "INVALID INPUT", "ends too early"),
        ("b7", "ERROR", "no part id"),
        ("b8", "ERROR", "not valid UTF-8"),
    ],
)
def test_bad_rows_get_a_clear_reason(malformed, tmp_path, row, verdict, reason):
    out = tmp_path / "graded.csv"
    grade_file(malformed, out, progress=False)
    graded = {r["id"]: r for r in read_csv(out)}[row]
    assert graded["verdict"] == verdict
    assert reason in graded["detail"]


def test_formula_cells_are_escaped(malformed, tmp_path):
    out = tmp_path / "graded.csv"
    grade_file(malformed, out, progress=False)
    graded = {r["id"]: r for r in read_csv(out)}["b5"]
    assert graded["answer"].startswith("'=")
    for row in read_csv(out):
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_identical_answers_are_judged_once(malformed, tmp_path):
    report = grade_file(malformed, tmp_path / "graded.csv", progress=False)
    # s1/s2/s6 differ as text, so they are three tasks; repeated rows would not be.
    path = write_csv(tmp_path / "repeated.csv", [("x", "q2.a", "d mu")] * 50)
    repeated = grade_file(path, tmp_path / "graded2.csv", progress=False)
    assert repeated.distinct == 1
    assert report.distinct >= 6


def test_summary_counts_and_common_wrong_answers(malformed, tmp_path):
    report = grade_file(malformed, tmp_path / "graded.csv", progress=False)
    q2a = report.summary["q2.a"]
    assert q2a["verdicts"]["CORRECT"] == 2
    assert q2a["verdicts"]["INCORRECT"] == 2
    # "d mu" and "μ d" are one wrong answer, however written
    assert q2a["common_wrong"][0] == {"answer": "d*μ", "count": 2}


def test_a_header_without_the_answer_column_is_a_usage_error(tmp_path):
    path = write_csv(tmp_path / "a.csv", [("s1", "q2.a")], header=("id", "part"))
    with pytest.raises(UsageError, match="answer"):
        read_rows(path)


def test_a_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        read_rows(tmp_path / "nope.csv")


def test_an_empty_file_is_a_usage_error(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(UsageError, match="empty"):
        read_rows(tmp_path / "empty.csv")


def _stall_on_spin(part, answer):
    if answer == "spin":
        while True:
            pass
    return grading._judge_task_original(part, answer)


def test_a_pathological_answer_does_not_stall_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(grading, "_judge_task_original", grading._judge_task, raising=False)
    monkeypatch.setattr(grading, "_judge_task", _stall_on_spin)
    path = write_csv(tmp_path / "a.csv", [("s0", "q2.a", "spin"), *GOOD])
    start = time.monotonic()
    grade_file(path, tmp_path / "graded.csv", jobs=2, limits=Limits(cpu_seconds=1), progress=False)
    assert time.monotonic() - start < 20
    rows = {r["id"]: r for r in read_csv(tmp_path / "graded.csv")}
    assert rows["s0"]["verdict"] == "CANNOT TELL"
    assert "CPU-time limit" in rows["s0"]["detail"]
    assert rows["s1"]["verdict"] == "CORRECT"


# --- the sandbox ---------------------------------------------------------------------------


def _spin():
    while True:
        pass


def _allocate():
    blocks = []
    while True:
        blocks.append(bytearray(64 << 20))


def _sleep():
    time.sleep(60)


def _fail():
    raise RuntimeError("boom")


def _square(x):
    return x * x


def test_sandbox_returns_values():
    assert run_one(_square, (7,)) == Finished(49)


def test_sandbox_stops_a_cpu_hog():
    outcome = run_one(_spin, (), Limits(cpu_seconds=1))
    assert isinstance(outcome, Stopped)
    assert "CPU-time limit" in outcome.reason


def test_sandbox_bounds_memory():
    outcome = run_one(_allocate, (), Limits(cpu_seconds=5, memory_bytes=256 << 20))
    assert isinstance(outcome, Stopped)
    assert "memory" in outcome.reason


def test_sandbox_kills_at_the_wall_clock_limit():
    start = time.monotonic()
    outcome = run_one(_sleep, (), Limits(cpu_seconds=1, wall_seconds=1))
    assert isinstance(outcome, Stopped)
    assert "wall-clock" in outcome.reason
    assert time.monotonic() - start < 10


def test_sandbox_reports_exceptions():
    outcome = run_one(_fail, ())
    assert outcome == Stopped("RuntimeError: boom")


def test_sandbox_runs_tasks_in_parallel_and_keeps_ids():
    results = dict(run_limited(_square, [(i, (i,)) for i in range(10)], jobs=3))
    assert results == {i: Finished(i * i) for i in range(10)}


# --- the command line -----------------------------------------------------------------------


def answerkey(*args):
    return run_answerkey(*args, timeout=120)


@pytest.mark.parametrize(
    "answer, code, verdict",
    [("d·μ²", 0, "CORRECT"), ("d mu", 1, "INCORRECT"), ("d mu +", 2, "INVALID INPUT")],
)
def test_check_exit_codes(answer, code, verdict):
    result = answerkey("check", "q2.a", answer)
    assert result.returncode == code, result.stderr
    assert result.stdout.startswith(f"q2.a: {verdict}")


def test_check_json_is_one_document():
    result = answerkey("check", "q2.a", "d mu", "--json")
    report = json.loads(result.stdout)
    assert report["verdict"] == "INCORRECT"
    assert report["counterexample"]["d"]
    assert report["credit"] == 0.5


@pytest.mark.parametrize(
    "part, message", [("q9.z", "unknown part 'q9.z'"), ("q1.2", "no answer check can judge")]
)
def test_check_usage_errors_are_one_line(part, message):
    result = answerkey("check", part, "d")
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_check_strips_control_characters_from_what_it_prints():
    result = answerkey("check", "q2.a", "d\x1b[2J mu\u202e^2")
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout


@pytest.mark.parametrize(
    "part, answer",
    [("q2.a", "d mu^2"), ("q5.e", "O(T k^2)"), ("q4.b.i", "W2 W1 X = X"), ("q3.b.i", "(qᵀk+1)²")],
)
def test_check_does_not_import_heavy_modules(part, answer, tmp_path):
    code = (
        f"import sys; from answerkey.cli import main; main([{'check'!r}, {part!r}, {answer!r}]);"
        "heavy = [m for m in ('torch', 'matplotlib') if m in sys.modules];"
        "sys.stderr.write(repr(heavy))"
    )
    # An empty cache: the key itself must be computed without torch, not read back.
    env = dict(os.environ, ANSWERKEY_CACHE_DIR=str(tmp_path / "cache"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stderr.strip().endswith("[]"), result.stderr


def test_grade_command(malformed, tmp_path):
    out = tmp_path / "graded.csv"
    result = answerkey("grade", str(malformed), "--out", str(out), "--jobs", "2", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rows"] == 15
    assert report["summary"]["q2.a"]["verdicts"]["CORRECT"] == 2
    assert "grading" in result.stderr  # the progress bar is on stderr
    assert os.path.exists(out)


def test_grade_missing_file_is_exit_2(tmp_path):
    result = answerkey("grade", str(tmp_path / "nope.csv"))
    assert result.returncode == 2
    assert "no such file" in result.stderr


def _fail_on_odd(x):
    if x % 2:
        raise ValueError("odd")
    return x


def test_sandbox_replaces_workers_that_stop_without_hanging():
    import signal

    def on_alarm(signum, frame):
        raise TimeoutError("run_limited hung")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(60)
    try:
        results = dict(run_limited(_fail_on_odd, [(i, (i,)) for i in range(12)], jobs=2))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert results[2] == Finished(2)
    assert results[3] == Stopped("ValueError: odd")
    assert len(results) == 12


def test_check_q5_does_not_import_torch_once_its_key_is_cached(tmp_path):
    env = dict(os.environ, ANSWERKEY_CACHE_DIR=str(tmp_path))
    answer = ["check", "q5.b", "neural network, network neural"]
    warm = subprocess.run(
        [sys.executable, "-m", "answerkey", *answer], capture_output=True, text=True, env=env
    )
    assert warm.returncode == 0, warm.stderr
    code = (
        f"import sys; from answerkey.cli import main; main({answer!r});"
        "heavy = [m for m in ('torch', 'matplotlib') if m in sys.modules];"
        "sys.stderr.write(repr(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stderr.strip().endswith("[]"), result.stderr


def test_a_huge_cell_is_a_row_judged_invalid_and_kept_whole(tmp_path):
    answer = "d" * 200_000
    path = write_csv(tmp_path / "big.csv", [("s1", "q2.a", answer), ("s2", "q2.a", "d mu^2")])
    grade_file(path, tmp_path / "graded.csv", progress=False)
    rows = read_csv(tmp_path / "graded.csv")
    assert rows[0]["verdict"] == "INVALID INPUT"
    assert rows[0]["answer"] == answer
    assert rows[1]["verdict"] == "CORRECT"


def test_an_unwritable_output_is_a_usage_error(malformed, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = answerkey("grade", str(malformed), "--out", str(blocker / "graded.csv"))
    assert result.returncode == 2
    assert "cannot write" in result.stderr


def test_a_prose_part_is_a_row_a_ta_can_grade_from(tmp_path):
    path = write_csv(tmp_path / "a.csv", [("s1", "q3.a", "sim must be nonnegative")])
    grade_file(path, tmp_path / "graded.csv", progress=False)
    (row,) = read_csv(tmp_path / "graded.csv")
    assert row["verdict"] == "TA" and row["credit"] == ""
    assert row["feedback"].startswith("Key: ") and len(row["feedback"]) > 40
    assert "Rubric: " in row["detail"] and row["answer"] == "sim must be nonnegative"


def test_plain_ids_are_kept_byte_for_byte_and_neutralized_ones_listed(tmp_path):
    ids = ["jdoe@berkeley.edu", "-3031", "s_01.a", "=cmd|' /C calc'!A0", "+x y"]
    path = write_csv(tmp_path / "a.csv", [(i, "q2.a", "d mu^2") for i in ids])
    report = grade_file(path, tmp_path / "graded.csv", progress=False)
    written = [r["id"] for r in read_csv(tmp_path / "graded.csv")]
    assert written[:3] == ids[:3]
    assert all(w.startswith("'") for w in written[3:])
    assert report.neutralized_ids == [ids[3], ids[4]]
    assert "changed to be safe in a spreadsheet" in summary_table(report)


def test_grade_gives_plus_minus_the_credit_of_the_rubrics_sign_item(tmp_path):
    """q2.c's ± answer: the rubric's `±sqrt(d)` (item 5, −0.5) sets credit and feedback."""
    path = write_csv(tmp_path / "answers.csv", [("a", "q2.c", "so $s = \\pm\\sqrt{d}$.")])
    out = tmp_path / "graded.csv"
    grade_file(path, out, jobs=1, progress=False)
    (row,) = read_csv(out)
    assert (row["verdict"], row["credit"], row["points"]) == ("INCORRECT", "1.5", "2")
    assert "two roots" in row["feedback"]
