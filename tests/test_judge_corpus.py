"""The judge on free-form answers: a corpus of answers as people write them (LaTeX
with and without delimiters, Markdown, Unicode, labels, chains, side remarks, aliases,
several answers, ±, words, prose in other languages), each with a TA's verdict; the
held-out answers written before the rules were tuned; and properties: a right answer
keeps its verdict in any wrapping, and an equation without the asked quantity is
never CORRECT."""

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from answerkey.judging.judge import Verdict, judge

HERE = Path(__file__).parent
CORPUS = tomllib.loads((HERE / "judge_corpus.toml").read_text())["case"]
HELD_OUT = tomllib.loads((HERE / "judge_heldout.toml").read_text())["case"]


def test_the_corpus_is_large_and_covers_every_judged_part():
    assert len(CORPUS) >= 150
    parts = {case["part"] for case in CORPUS}
    judged = {"q2.a", "q2.b", "q2.c", "q3.b.i", "q3.b.ii", "q3.c.i", "q3.c.ii", "q4.b.i"}
    assert judged | {"q5.a", "q5.b", "q5.c", "q5.d", "q5.e"} <= parts


@pytest.mark.parametrize("case", CORPUS, ids=[f"{c['part']}-{i}" for i, c in enumerate(CORPUS)])
def test_corpus_answer_gets_the_tas_verdict(case):
    result = judge(case["part"], case["answer"])
    assert str(result.verdict) == case["verdict"], (
        result.extracted,
        result.read_as,
        result.method,
        result.detail,
    )


def test_held_out_answers_meet_the_targets():
    """≥ 90% of right answers CORRECT, no false accept, no INCORRECT for a right answer."""
    right = correct = 0
    for case in HELD_OUT:
        result = judge(case["part"], case["answer"])
        if case["right"]:
            right += 1
            correct += result.verdict is Verdict.CORRECT
            assert result.verdict is not Verdict.INCORRECT, (case["answer"], result.detail)
        else:
            assert result.verdict is not Verdict.CORRECT, (case["answer"], result.read_as)
    assert correct >= 0.9 * right, f"{correct}/{right}"


def test_read_as_shows_the_span_its_line_and_the_substitutions():
    result = judge("q5.e", "Each step keeps the top k of k·|V| candidates: O(T k |V| log |V|).")
    assert result.verdict is Verdict.CORRECT
    assert "O(" in result.extracted and "|V| → M" in result.assumed
    result = judge("q4.b.i", "defining C = XXᵀ: (I − W₂W₁) C W₁ᵀ = 0 and W₂ᵀ(I − W₂W₁) C = 0")
    assert result.verdict is Verdict.CORRECT
    assert "C := XX^T" in result.assumed
    result = judge(
        "q2.b", "**Answer (b).** Each term has variance 1, so $\\mathrm{Var}(q^\\top k) = d$."
    )
    assert result.verdict is Verdict.CORRECT
    assert "Answer (b)" in result.found_in and result.extracted


def test_check_prints_the_span_and_the_line_it_came_from():
    from answerkey.judging.judge import format_judgement

    text = "Each term has variance 1.\n**Final answer:** $\\mathrm{Var}(q^\\top k) = d$"
    shown = format_judgement(judge("q2.b", text))
    assert "q2.b: CORRECT" in shown
    assert "extracted  Var(q^\\top k) = d" in shown  # the span, its wrappers removed
    assert "found in   the labelled answer" in shown and "Final answer:" in shown


def test_an_equation_in_the_asked_quantity_is_solved_for_it():
    for answer in ("s^2 = d", "d/s^2 = 1", "s/√d = 1", "$\\frac{d}{s^2} = 1$"):
        result = judge("q2.c", answer)
        assert result.verdict is Verdict.CORRECT, (answer, result.detail)
        assert "solved for s" in result.method


def test_a_false_claim_gets_its_counterexample():
    result = judge("q2.c", "d = sqrt(d)")
    assert result.verdict is Verdict.INCORRECT
    assert "claim" in result.method and "left side" in result.counterexample


@pytest.mark.parametrize("answer", ["s = ±√d", "$s = \\pm\\sqrt{d_k}$", "We divide by ±sqrt(d)."])
def test_plus_minus_goes_to_the_sign_item_not_to_correct(answer):
    """The rubric's wrong answer ±sqrt(d) (item 5, the sign) sets the credit: 2 − 0.5."""
    from answerkey.rubric import load_rubric

    entry = load_rubric().parts["q2.c"]
    signed = next(w for w in entry.wrong if w.answer == "±sqrt(d)")
    assert "sign" in entry.items[signed.items[0] - 1].description
    result = judge("q2.c", answer)
    assert result.verdict is Verdict.INCORRECT, (result.extracted, result.detail)
    assert "±" in result.method and result.matched == "±sqrt(d)"
    assert result.credit == signed.credit == 1.5
    assert result.feedback == signed.feedback


def test_plus_minus_of_a_wrong_answer_is_judged_as_the_wrong_answer():
    result = judge("q2.c", "s = ±d")
    assert result.verdict is Verdict.INCORRECT and result.matched == "d"


# --- properties ---------------------------------------------------------------------------

RIGHT = {
    "q2.a": ["d\\mu^2", "d μ²", "μ² d"],
    "q2.b": ["d", "d_k"],
    "q2.c": ["\\sqrt{d}", "√d", "d^{1/2}"],
    "q3.b.i": ["(q^\\top k + 1)^2", "(qᵀk + 1)²"],
    "q5.e": ["O(T k^2 \\log k)", "O(Tk^2)"],
}
PROSE = ["So", "Therefore", "Thus, by independence,", "We get", "Hence the result is", "由此可得",
         "Putting it together:", "After simplifying,", "In summary"]  # fmt: skip
AFTER = ["", ".", " as required.", " (this is the final answer).", "。"]


def _wrap(answer: str, style: int, before: str, after: str) -> str:
    return [
        f"{before} {answer}{after}",
        f"{before} $${answer}$$",
        f"{before} $ {answer} $.",
        f"{before} \\boxed{{{answer}}}",
        f"**Answer:** {answer}{after}",
        f"{before}\n\nFinal answer: \\({answer}\\)",
    ][style]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([(p, a) for p, answers in RIGHT.items() for a in answers]),
    st.integers(0, 5),
    st.sampled_from(PROSE),
    st.sampled_from(AFTER),
)
def test_a_right_answer_keeps_its_verdict_in_any_wrapping(pair, style, before, after):
    part, answer = pair
    result = judge(part, _wrap(answer, style, before, after))
    assert result.verdict is Verdict.CORRECT, (result.extracted, result.detail)


WRONG = {
    "q2.a": ["d\\mu", "\\mu^2", "d(\\mu^2 + \\sigma^2)"],
    "q2.c": ["d", "\\frac{1}{\\sqrt{d}}", "2\\sqrt{d}"],
    "q5.e": ["O(T k)", "O(k^T)"],
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([(p, a) for p, answers in WRONG.items() for a in answers]),
    st.integers(0, 5),
    st.sampled_from(PROSE),
    st.sampled_from(AFTER),
)
def test_a_wrong_answer_stays_incorrect_in_any_wrapping(pair, style, before, after):
    part, answer = pair
    result = judge(part, _wrap(answer, style, before, after))
    assert result.verdict is Verdict.INCORRECT, (result.extracted, result.detail)


SIDES = ["d", "sqrt(d)", "d^2", "1", "0", "2*d", "mu^2", "d*mu^2", "sigma^2", "d + 1", "d/2"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["q2.a", "q2.b", "q2.c"]),
    st.sampled_from(SIDES),
    st.sampled_from(SIDES),
    st.sampled_from(["{l} = {r}", "${l} = {r}$", "We find {l} = {r}.", "\\boxed{{{l} = {r}}}"]),
)
def test_an_equation_without_the_asked_quantity_is_never_correct(part, left, right, template):
    result = judge(part, template.format(l=left, r=right))
    assert result.verdict is not Verdict.CORRECT, (result.extracted, result.read_as)


def test_the_rubrics_aliases_are_read():
    result = judge("q5.e", "The runtime is O(T k |Y| log |Y|).")
    assert result.verdict is Verdict.CORRECT
    assert "|Y| → M" in result.assumed


@pytest.mark.parametrize(
    ("part", "answer", "verdict"),
    [
        ("q2.c", "s = sqrt(d) or equivalently d^0.5", "CORRECT"),
        ("q2.c", "s = sqrt(d) or equivalently d", "CANNOT TELL"),  # they disagree
        ("q2.c", "s = sqrt(d) or d", "CANNOT TELL"),  # two answers offered: never CORRECT
        ("q5.c", "The beam contains [neural, network, network] and [network, neural, network].",
         "CORRECT"),
        ("q5.a", "{neural, network}", "CORRECT"),  # length 1: a set of two sequences
        ("q5.e", "Per step we expand k hypotheses into k·V candidates and select the top k: "
         "O(k V log(k V)) per step, so O(T k V log(k V)) in total.", "CORRECT"),
    ],
)  # fmt: skip
def test_what_the_second_held_out_batch_revealed(part, answer, verdict):
    """Found by the second held-out batch: alternatives after a chain ("s = … or
    equivalently …"), a sequence written as a bracketed list of words, and q5.e's
    O(TkM log(kM)), which is O(TkM log M) under the part's k ≤ M."""
    result = judge(part, answer)
    assert str(result.verdict) == verdict, (result.extracted, result.detail)


@pytest.mark.parametrize(
    "part, answer, verdict",
    [
        # Σᵢ f with f free of i is d·f: the wrong step is caught, a right one passes
        ("q2.a", r"E[q^T k] = \sum_{i=1}^{d} (\mu^2 + \sigma^2) = d\mu^2", "CANNOT TELL"),
        ("q2.a", r"E[q^T k] = \sum_{i=1}^{d_k} \mu^2", "CORRECT"),
        ("q2.a", "Σᵢ μ", "INCORRECT"),
        # equivalent forms in brackets are judged each; a wrong one is not hidden
        ("q2.c", "s = d (equivalently √d)", "CANNOT TELL"),
        ("q2.c", "s = √d (i.e. d, the dimension)", "CANNOT TELL"),
        # a label after the class, and a label that runs on in its paragraph
        ("q3.c.i", "It takes O(N^2 (D+M)) time and O(N^2 + N(D+M)) memory.", "CORRECT"),
        ("q3.c.i", "It takes O(N^2 + N(D+M)) time and O(N^2 (D+M)) memory.", "INCORRECT"),
        ("q3.c.i", "Memory cost: O(N^2 + ND + NM). Time: O(N^2 D + N^2 M).", "CORRECT"),
        # a bare I takes the other side's size; not the conditions, so a TA reads it
        ("q4.b.i", "W₂W₁ = I", "CANNOT TELL"),
        # decimal commas in other languages' scores; a wrong score is caught
        ("q5.d", "Nein: „neural neural neural“ (−1,46) schlägt „neural network network“.",
         "CORRECT"),
        ("q5.d", "No: neural neural neural (−1,64) is better than the beam's output.",
         "INCORRECT"),
        ("q5.d", "Non : « neural neural neural » a une log-probabilité de −1,64.", "INCORRECT"),
    ],
)  # fmt: skip
def test_what_the_third_blind_set_revealed(part, answer, verdict):
    """Found by blind set 3 and judge5's fresh answers: a sum of a term free of its
    index, alternatives in brackets, time and memory labels after their class, a bare I
    in a matrix equation, and decimal commas."""
    result = judge(part, answer)
    assert str(result.verdict) == verdict, (result.extracted, result.read_as, result.detail)
