"""`answerkey.build` on a small stand-in homework: failures, drafts, atomicity, figures.

A fake question (one answered part with a figure and a table, one part not
answered) replaces the registry, so these tests exercise the build itself in
a second or two; tests/test_build_cli.py builds the real key end to end.
"""

import csv
import dataclasses
import io
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest

from answerkey import build as build_module
from answerkey import experiments
from answerkey import parts as registry
from answerkey.build import MARKER, BuildOptions, UsageError, build, rubric_csv
from answerkey.parts import Answer, Figure, Part, Question, Table
from answerkey.rubric import RubricError

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (Debian's poppler-utils) is not installed"
)

RUBRIC = """
["q9.a"]
points = 3
items = [
  { description = "Correct: x squared", delta = 0 },
  { description = "=SUM(A1) forgot the square", delta = -2 },
]
wrong = [ { answer = "x", item = 2, feedback = "Square it: {x}^2 & done" } ]
accepted = [ { answer = "x*x", note = "the same product" } ]

["q9.b"]
points = 1
"""


def _png(width: int = 8, height: int = 8) -> bytes:
    """A small grey PNG, written without any imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _run_fake(config: dict) -> dict:
    return {"accuracy": 0.875, "timings": {"train_s": 1.23}}


def _draw_fake(results: dict, folder: Path) -> list[str]:
    (folder / "fake_curve.png").write_bytes(_png())
    return ["fake_curve.png"]


def _fake_experiment(run=_run_fake):
    """A stand-in experiment module (the interface of `answerkey.experiments`)."""
    return SimpleNamespace(
        NAME="fake",
        HELP="stand-in",
        config=lambda profile, args=None: {"quick": profile.quick},
        run=run,
        draw=_draw_fake,
        summary=lambda results: "stand-in",
    )


def _fake_question(with_figure: str = "fake_curve.png") -> Question:
    return Question(
        number=9,
        title="A Stand-in Question",
        intro=r"Let $x \in \mathbb{R}$.",
        parts=[
            Part(
                "q9.a",
                r"What is $x^2$ written as a product?",
                answer=lambda profile: Answer(
                    latex=r"x \cdot x",
                    text="The square is x·x, with 87.5% agreement.",
                    figures=[Figure(with_figure, "The stand-in curve.")],
                    tables=[Table("Stand-in results", ("k", "accuracy"), ((5, 0.875), (10, 0.5)))],
                ),
                steps=lambda: [],
                checks=lambda profile: [],
                notes=("A caveat with a $ sign and #hash.",),
                experiment="fake",
            ),
            Part("q9.b", "Not answered in this stand-in."),
        ],
    )


@pytest.fixture
def fake_homework(monkeypatch, tmp_path):
    """The registry holds only the stand-in question and its experiment."""
    question = _fake_question()
    monkeypatch.setattr(registry, "questions", lambda: (question,))
    monkeypatch.setattr(experiments, "modules", lambda: {"fake": _fake_experiment()})
    monkeypatch.setenv("ANSWERKEY_CACHE_DIR", str(tmp_path / "cache"))
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(RUBRIC, encoding="utf-8")
    return rubric


def _passing(part="q9.a"):
    return {
        "part": part,
        "claim": "x·x = x² for every real x",
        "evidence": "general",
        "verdict": "PROVED",
        "detail": "SymPy reduces the difference to 0",
        "counterexample": None,
        "statistics": None,
    }


def _failing(part="q9.a"):
    return dict(_passing(part), verdict="UNKNOWN", detail="SymPy could not decide")


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".building-" in p.name or ".old-" in p.name]


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def test_a_verified_build_writes_every_output(fake_homework, tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "run_checks", lambda quick, log: [_passing()])
    out = tmp_path / "out"
    report = build(BuildOptions(out=out, quick=True, rubric=fake_homework), log=lambda _: None)
    assert report.verified
    for name in ("solutions.pdf", "answer_key.pdf", "solutions.tex", "answer_key.tex"):
        assert (out / name).stat().st_size > 0
    assert (out / "rubric.csv").exists()
    assert (out / "results.json").exists()
    assert (out / "figures" / "fake_curve.png").exists()
    assert (out / MARKER).exists()
    assert _leftovers(tmp_path) == []


def test_timings_stay_out_of_results(fake_homework, tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "run_checks", lambda quick, log: [_passing()])
    out = tmp_path / "out"
    build(BuildOptions(out=out, quick=True, rubric=fake_homework), log=lambda _: None)
    text = (out / "results.json").read_text()
    assert '"accuracy": 0.875' in text
    assert "timings" not in text
    assert "1.23" not in text


@needs_pdftotext
def test_figures_tables_and_unanswered_parts_reach_both_pdfs(fake_homework, tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "run_checks", lambda quick, log: [_passing()])
    out = tmp_path / "out"
    build(BuildOptions(out=out, quick=True, rubric=fake_homework), log=lambda _: None)
    solutions = "".join(_pages(out / "solutions.pdf"))
    key = "".join(_pages(out / "answer_key.pdf"))
    assert "The stand-in curve." in solutions
    assert "Stand-in results" in solutions
    assert "0.875" in solutions
    # students read the evidence in plain words; the claim itself is the TA key's
    assert "How we know: Proved for every real x." in solutions
    assert "x·x = x²" not in solutions
    assert "general: proved — x·x = x² for every real x" in key
    for text in (solutions, key):
        assert "q9.a" in text
        assert "q9.b" in text
        assert "Not answered yet" in text
    assert "Square it: {x}^2 & done" in key
    assert "A caveat with a $ sign and #hash." in key
    assert "NOT VERIFIED" not in solutions + key


def test_a_failing_check_writes_no_documents_and_names_the_check(
    fake_homework, tmp_path, monkeypatch
):
    monkeypatch.setattr(build_module, "run_checks", lambda quick, log: [_failing()])
    out = tmp_path / "out"
    report = build(BuildOptions(out=out, quick=True, rubric=fake_homework), log=lambda _: None)
    assert not report.verified
    assert report.written == []
    assert any(f.startswith("q9.a: general check UNKNOWN") for f in report.failures)
    assert not out.exists()
    assert _leftovers(tmp_path) == []


@needs_pdftotext
def test_a_draft_stamps_every_page_not_verified(fake_homework, tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "run_checks", lambda quick, log: [_failing()])
    out = tmp_path / "out"
    options = BuildOptions(out=out, quick=True, draft=True, rubric=fake_homework)
    report = build(options, log=lambda _: None)
    assert not report.verified
    assert "solutions.pdf" in report.written
    for name in ("solutions.pdf", "answer_key.pdf"):
        pages = _pages(out / name)
        assert pages
        assert all("NOT VERIFIED" in page for page in pages)
    for name in ("solutions.tex", "answer_key.tex"):
        assert r"\textbf{NOT VERIFIED}" in (out / name).read_text()


def test_a_missing_figure_is_a_failure(fake_homework, tmp_path, monkeypatch):
    question = _fake_question(with_figure="never_written.png")
    monkeypatch.setattr(registry, "questions", lambda: (question,))
    monkeypatch.setattr(build_module, "run_checks", lambda quick, log: [_passing()])
    out = tmp_path / "out"
    report = build(BuildOptions(out=out, quick=True, rubric=fake_homework), log=lambda _: None)
    assert any("never_written.png is missing" in f for f in report.failures)
    assert not out.exists()


def test_an_interrupted_build_leaves_the_previous_one(fake_homework, tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "run_checks", lambda quick, log: [_passing()])
    out = tmp_path / "out"
    build(BuildOptions(out=out, quick=True, rubric=fake_homework), log=lambda _: None)
    before = (out / "results.json").read_bytes()

    def interrupted(results, folder):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "render_documents", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(BuildOptions(out=out, quick=True, rubric=fake_homework), log=lambda _: None)
    assert (out / "results.json").read_bytes() == before
    assert (out / "solutions.pdf").exists()
    assert _leftovers(tmp_path) == []


def test_a_rebuild_replaces_the_previous_build(fake_homework, tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "run_checks", lambda quick, log: [_passing()])
    out = tmp_path / "out"
    build(BuildOptions(out=out, quick=True, rubric=fake_homework), log=lambda _: None)
    (out / "stale.txt").write_text("from an older build")
    build(BuildOptions(out=out, quick=True, rubric=fake_homework), log=lambda _: None)
    assert not (out / "stale.txt").exists()
    assert (out / "solutions.pdf").exists()
    assert _leftovers(tmp_path) == []


def _counted_experiment(monkeypatch) -> list[bool]:
    """The stand-in experiment, recording the profile of each run in the returned list."""
    runs = []

    def counted(config):
        runs.append(config["quick"])
        return _run_fake(config)

    monkeypatch.setattr(experiments, "modules", lambda: {"fake": _fake_experiment(counted)})
    monkeypatch.setattr(build_module, "run_checks", lambda quick, log: [_passing()])
    return runs


def test_a_second_build_replays_the_experiments_from_the_cache(
    fake_homework, tmp_path, monkeypatch
):
    runs = _counted_experiment(monkeypatch)
    first, second = tmp_path / "first", tmp_path / "second"
    build(BuildOptions(out=first, quick=True, rubric=fake_homework), log=lambda _: None)
    log = []
    build(BuildOptions(out=second, quick=True, rubric=fake_homework), log=log.append)
    assert len(runs) == 1
    assert any("experiment fake: replayed from the cache" in line for line in log)
    assert (second / "figures" / "fake_curve.png").read_bytes() == _png()
    assert (second / "results.json").read_bytes() == (first / "results.json").read_bytes()


def _counted_answers(monkeypatch, fail: bool = False) -> list[int]:
    """The stand-in question, its answer counting its computations (and raising if `fail`)."""
    calls: list[int] = []
    question = _fake_question()
    part = question.parts[0]

    def answer(profile):
        calls.append(1)
        if fail:
            raise ValueError("the stand-in answer broke")
        return part.answer(profile)

    counted = Question(9, question.title, question.intro,
                       [dataclasses.replace(part, answer=answer), question.parts[1]])  # fmt: skip
    monkeypatch.setattr(registry, "questions", lambda: (counted,))
    return calls


def test_a_second_build_reuses_the_answers_from_the_cache(fake_homework, tmp_path, monkeypatch):
    _counted_experiment(monkeypatch)
    calls = _counted_answers(monkeypatch)
    first, second = tmp_path / "first", tmp_path / "second"
    build(BuildOptions(out=first, quick=True, rubric=fake_homework), log=lambda _: None)
    log = []
    build(BuildOptions(out=second, quick=True, rubric=fake_homework), log=log.append)
    assert len(calls) == 1
    assert "answers: from the cache (same code and libraries)" in log
    assert (second / "results.json").read_bytes() == (first / "results.json").read_bytes()


def test_a_failed_answer_is_computed_again_on_the_next_build(fake_homework, tmp_path, monkeypatch):
    _counted_experiment(monkeypatch)
    calls = _counted_answers(monkeypatch, fail=True)
    for out in ("first", "second"):
        report = build(
            BuildOptions(out=tmp_path / out, quick=True, rubric=fake_homework), log=lambda _: None
        )
        assert any("the stand-in answer broke" in f for f in report.failures)
    assert len(calls) == 2


def test_the_other_profile_runs_the_experiments_again(fake_homework, tmp_path, monkeypatch):
    runs = _counted_experiment(monkeypatch)
    build(BuildOptions(out=tmp_path / "a", quick=True, rubric=fake_homework), log=lambda _: None)
    build(BuildOptions(out=tmp_path / "b", quick=False, rubric=fake_homework), log=lambda _: None)
    assert runs == [True, False]


def test_a_folder_that_is_not_a_build_is_never_replaced(fake_homework, tmp_path):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    with pytest.raises(UsageError, match="not an answerkey build"):
        build(BuildOptions(out=out, rubric=fake_homework), log=lambda _: None)
    assert (out / "thesis.tex").read_text() == "years of work"
    assert _leftovers(tmp_path) == []


def test_an_out_below_a_file_is_a_usage_error(fake_homework, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="cannot write there"):
        build(BuildOptions(out=blocker / "out", rubric=fake_homework), log=lambda _: None)


def test_a_bad_rubric_stops_the_build_before_anything_is_written(fake_homework, tmp_path):
    fake_homework.write_text('["q9.zz"]\npoints = 1\n', encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(RubricError, match=r"rubric\.toml:1: unknown part id 'q9\.zz'"):
        build(BuildOptions(out=out, rubric=fake_homework), log=lambda _: None)
    assert not out.exists()
    assert _leftovers(tmp_path) == []


def test_rubric_csv_has_one_row_per_item_and_defuses_formulas():
    """One row per item, then the key's accepted readings and common wrong answers (review7,
    6: a TA grading from the CSV alone grades as the PDF does); the total row unchanged."""
    results = {
        "questions": [
            {
                "parts": [
                    {
                        "id": "q9.a",
                        "rubric": {
                            "points": 3.0,
                            "items": [
                                {"description": "Correct", "delta": 0.0},
                                {"description": "=SUM(A1) wrong", "delta": -2.0},
                                {"description": "no units", "delta": -0.5},
                            ],
                            "accepted": [{"answer": "x/2", "note": "halved"}],
                            "wrong": [
                                {
                                    "answer": "2x",
                                    "items": [2, 3],
                                    "credit": 0.5,
                                    "feedback": "Doubled.",
                                },
                            ],
                        },
                    },
                    {"id": "q9.b", "rubric": {"points": 1.0, "items": []}},
                    {"id": "q9.c", "rubric": None},
                ]
            }
        ]
    }
    rows = list(csv.reader(io.StringIO(rubric_csv(results))))
    assert rows == [
        ["part", "item", "delta", "description", "max"],
        ["q9.a", "1", "0", "Correct", "3"],
        ["q9.a", "2", "-2", "'=SUM(A1) wrong", "3"],
        ["q9.a", "3", "-0.5", "no units", "3"],
        ["q9.a", "accepted", "0", "Also accepted, full credit: x/2 (halved)", "3"],
        [
            "q9.a",
            "wrong",
            "",
            "Common wrong answer: 2x (apply items #2, #3: 0.5 of 3). Doubled.",
            "3",
        ],
        ["q9.b", "1", "0", "Full credit (1 point)", "1"],
        ["total", "", "", "Total of the parts' maxima", "4"],
    ]
