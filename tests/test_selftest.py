"""`answerkey selftest`: declared mutants, each caught by its part's verify."""

import json
import os

import pytest
from cli_run import answerkey

from answerkey import parts
from answerkey.experiments import QUICK
from answerkey.selftest import Kind, Mutant, run_mutant, run_selftest
from answerkey.selftest.mutants import MUTANTS
from models.figure2_tree import FIGURE2, FULL_SCAN, SCAN, in_order, scan_labels


def test_every_part_with_mutants_has_three_kinds_and_exists():
    known = set(parts.part_ids())
    for part, mutants in MUTANTS.items():
        assert part in known
        assert parts.get_part(part).answered
        kinds = {m.kind for m in mutants}
        assert len(kinds) >= 3, (part, kinds)
        names = [m.name for m in mutants]
        assert len(names) == len(set(names)), part


def test_every_answered_part_with_checks_has_mutants_of_three_kinds():
    """No answered, checked part goes without mutants (q6 is student-specific: no checks)."""
    for part in parts.all_parts():
        if part.answered and part.checks is not None:
            kinds = {m.kind for m in MUTANTS.get(part.id, ())}
            assert len(kinds) >= 3, (part.id, kinds)


# The issue's mutations, one of each kind (the whole list runs under -m mutants).
ISSUE_MUTANTS = [
    ("q5.e", "the stated answer O(T k log k)"),
    ("q5.b", "Figure 2 transcribed with the children of 'neural' swapped"),
    ("q3.c.i", "display shows time O(N² D)"),
    ("q5.d", "the verdict word typed as Yes."),
    ("q5.a", "beam search never keeps the last beam's last token"),
    ("q2.a", "prose states E[qᵀk] = dμ"),
]


@pytest.mark.parametrize("part, name", ISSUE_MUTANTS)
def test_issue_mutants_are_caught(part, name):
    (declared,) = [m for m in MUTANTS[part] if m.name == name]
    result = run_mutant(declared, QUICK)
    assert result.caught, result
    assert result.by


def test_a_mutant_that_changes_nothing_survives():
    result = run_mutant(Mutant("q5.a", "no change", Kind.CLAIM, lambda patch: None), QUICK)
    assert not result.caught and result.by is None


def test_mutants_leave_nothing_behind():
    before = dict(FIGURE2)
    (swap,) = [m for m in MUTANTS["q5.b"] if m.kind is Kind.DATA]
    assert run_mutant(swap, QUICK).caught
    assert FIGURE2 == before
    assert "ANSWERKEY_CACHE_DIR" not in os.environ or os.environ["ANSWERKEY_CACHE_DIR"]


def test_selftest_cli_json(tmp_path):
    env = dict(os.environ, ANSWERKEY_CACHE_DIR=str(tmp_path))
    done = answerkey("selftest", "q5.d", "--quick", "--json", env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    mutants = report["parts"]["q5.d"]["mutants"]
    assert {m["kind"] for m in mutants} >= {"claim", "printed", "data", "implementation"}
    assert all(m["caught"] and m["by"] for m in mutants)
    assert set(mutants[0]) == {"name", "kind", "caught", "by"}


def test_selftest_cli_unknown_part():
    assert answerkey("selftest", "q9").returncode == 2


@pytest.mark.mutants
def test_every_declared_mutant_is_caught():
    reports = run_selftest([], QUICK)
    survivors = [(r.part, m.name) for r in reports for m in r.survivors]
    assert not survivors


# --- Figure 2 against the scan -------------------------------------------------------------


def test_figure2_is_the_scans_tree():
    typed = in_order()
    assert typed[len(typed) // 2] is None  # START in the middle
    assert scan_labels(SCAN.read_text(encoding="utf-8"), len(typed)) == typed


@pytest.mark.skipif(not FULL_SCAN.exists(), reason="the homework's scan is not beside the clone")
def test_the_kept_excerpt_is_verbatim_from_the_scan():
    excerpt = SCAN.read_text(encoding="utf-8").rstrip("\n")
    scan = FULL_SCAN.read_text(encoding="utf-8")
    assert excerpt in scan
    # It ends at Figure 2's caption, so it holds the figure's labels and nothing after.
    assert excerpt.endswith("Figure 2: The numbers shown")
    assert scan_labels(scan, 15) == scan_labels(excerpt, 15)


def test_scan_reader_takes_ocr_noise():
    text = "x\n4 neural: -.65 —_—\nSTART\nnetwork: -73 |\n= network: -0.01\n"
    text += "Figure 2: The numbers shown"
    assert scan_labels(text, 4) == [("neural", -0.65), None, ("network", -0.73),
                                    ("network", -0.01)]  # fmt: skip
    with pytest.raises(ValueError):
        scan_labels("neural: -0.5", 1)


def test_swapped_children_differ_from_the_scan():
    tree = dict(FIGURE2)
    tree[("network", "network")] = tree[("network", "network")][::-1]
    assert in_order(tree) != scan_labels(SCAN.read_text(encoding="utf-8"), 15)


# --- what the documents print follows the claim --------------------------------------------


def _solutions_text(part_ids, tmp_path) -> str:
    """pdftotext of the solutions PDF built from just these parts' answers (no checks)."""
    import shutil

    from answerkey.build import _answer_record
    from answerkey.documents.content import solutions
    from answerkey.documents.typst_render import compile_pdf

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    records = []
    for part_id in part_ids:
        part = parts.get_part(part_id)
        answer, _ = _answer_record(part, tmp_path, QUICK)
        records.append({"id": part.id, "question": part.question, "answered": True,
                        "points": None, "assumptions": [], "notes": [], "experiment": None,
                        "answer": answer, "steps": [], "checks": [], "rubric": None,
                        "error": None})  # fmt: skip
    results = {"profile": "full", "failures": [], "code_hash": "0" * 12,
               "questions": [{"number": 5, "title": "Beam Search", "intro": "",
                              "parts": records}]}  # fmt: skip
    pdf, _, _ = compile_pdf(solutions(results), tmp_path)
    path = tmp_path / "solutions.pdf"
    path.write_bytes(pdf)
    from cli_run import pdf_text

    return pdf_text(path)


def test_flipping_a_claim_changes_the_pdf(tmp_path):
    """q5.e's stated class and q5.d's search result, flipped in process: the PDF's text
    follows (the verdict word, the displayed class), and verify catches both."""
    import contextlib

    from answerkey.selftest import Patch, fresh_state

    before = _solutions_text(["q5.d", "q5.e"], tmp_path)
    flips = [m for m in MUTANTS["q5.e"] if m.name == "the stated answer O(T k log k)"]
    flips += [m for m in MUTANTS["q5.d"] if m.name == "the claim: beam search finds the optimum"]
    with fresh_state(), contextlib.ExitStack() as stack:
        for flip in flips:
            flip.apply(Patch(stack))
        after = _solutions_text(["q5.d", "q5.e"], tmp_path)
    assert "No. Beam search returns" in before and "Yes. Beam search returns" in after
    assert "Yes." not in before
    squeeze = lambda text: "".join(text.split())  # noqa: E731
    # The displayed class, in Typst's math italics: O(T k² log k), then O(T k log k).
    assert "Answer𝑂(𝑇𝑘2log𝑘)" in squeeze(before)
    assert "Answer𝑂(𝑇𝑘log𝑘)" in squeeze(after)
    for flip in flips:
        assert run_mutant(flip, QUICK).caught


# --- Q4(a)'s bottleneck sizes against the scan ---------------------------------------------


def test_the_bottleneck_excerpt_states_the_homeworks_sizes():
    from answerkey.questions.autoencoders import SCAN as AE_SCAN
    from answerkey.questions.autoencoders import scan_bottlenecks

    assert scan_bottlenecks(AE_SCAN.read_text(encoding="utf-8")) == [(5, 10, 100, 1000)] * 2
    assert scan_bottlenecks("sizes £k € [5, 10], and k ∈ [3]") == [(5, 10), (3,)]
    assert scan_bottlenecks("no sizes here") == []


@pytest.mark.skipif(not FULL_SCAN.exists(), reason="the homework's scan is not beside the clone")
def test_the_bottleneck_excerpt_is_verbatim_from_the_scan():
    from answerkey.questions.autoencoders import SCAN as AE_SCAN

    assert AE_SCAN.read_text(encoding="utf-8").rstrip("\n") in FULL_SCAN.read_text(encoding="utf-8")


# --- fast mutants of the prose parts (the slow ones run under -m mutants) ------------------


@pytest.mark.parametrize("part", ["q3.a", "q3.b.iii", "q4.b.ii"])
def test_the_prose_parts_fast_mutants_are_caught(part):
    survivors = [m.name for m in MUTANTS[part] if m.fast and not run_mutant(m, QUICK).caught]
    assert not survivors


def test_the_q1_1_display_follows_the_claimed_gradients():
    """The display is rendered from `claimed_gradients`: the claim without Âᵀ's transpose
    prints without it (and verify catches the claim)."""
    import contextlib

    from answerkey.questions.karate_club import gradient_display, gradient_latex
    from answerkey.selftest import Patch, fresh_state

    before = gradient_display(gradient_latex())
    (flip,) = [m for m in MUTANTS["q1.1"] if m.name.startswith("the claim ∂L/∂X = ÂSW")]
    with fresh_state(), contextlib.ExitStack() as stack:
        flip.apply(Patch(stack))
        after = gradient_display(gradient_latex())
    assert r"\hat A^{\top} S W" in before and r"\hat A S W" in after


# --- checks that read the claim catch its mutants on their own -----------------------------


def _verdict_under(part: str, name: str, check):
    """The verdict of `check` (a Check) with the declared mutant `name` of `part` applied."""
    import contextlib

    from answerkey.selftest import Patch, fresh_state

    (declared,) = [m for m in MUTANTS[part] if m.name == name]
    with fresh_state(), contextlib.ExitStack() as stack:
        declared.apply(Patch(stack))
        return check().run().verdict


def test_the_merged_map_induction_runs_on_the_stated_map():
    from answerkey.questions.kernel_attention_checks import merged_map_check
    from answerkey.verdicts import Verdict

    assert merged_map_check().run().verdict is Verdict.PROVED
    name = "the stated φ without √2 on the cross terms"
    assert _verdict_under("q3.b.ii", name, merged_map_check) is Verdict.REFUTED


def test_q4_b_i_numeric_check_reads_the_stated_conditions():
    from answerkey.questions.autoencoders_checks import checks_b_i

    def numeric():
        (check,) = [c for c in checks_b_i() if c.claim.startswith("PyTorch autograd")]
        return check

    assert numeric().run().verdict.passed
    name = "the claim ∂L/∂W₁ without the minus sign"
    assert not _verdict_under("q4.b.i", name, numeric).passed


def test_a_mutant_that_finds_nothing_to_edit_survives():
    """A printed mutant whose text is gone is stale: it is reported as surviving, not caught
    by the error its edit raises."""
    from answerkey.selftest.mutants import _edit

    edit = _edit("latex", "no such text", "x")
    stale = Mutant("q2.a", "stale", Kind.PRINTED, lambda patch: patch.answer("q2.a", edit))
    result = run_mutant(stale, QUICK)
    assert not result.caught and result.by is None
