"""The judge on Q2 (landed): equivalent forms accepted, wrong answers refuted with
values, the rubric's feedback attached, and never CORRECT on sampling alone."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from answerkey.judging.judge import NotCheckable, Verdict, form_for, judge, read_rubric_answer
from answerkey.judging.polarity import polarity
from answerkey.judging.text import normalize
from answerkey.parts import UnknownPart
from answerkey.rubric import load_rubric

Q2_EQUIVALENT = {
    "q2.a": [
        "d mu^2", "d*mu^2", "mu**2 d", "μ²d", "µ²·d", "d·μ²", r"d\mu^2", r"d \cdot \mu^{2}",
        "(sqrt(d) mu)^2", "d mu mu", "E[q^T k] = d μ²", "mu^2 d + sigma - sigma",
        r"\frac{2 d \mu^2}{2}", "d (mu^2)^1", "d*|mu|^2", "(d mu^2 sigma)/sigma", "d_k μ²",
        "(-mu)^2 d", "d*mu^4/mu^2",
    ],
    "q2.b": [
        "d", "d^1", "sqrt(d)^2", "√d·√d", "(d^(1/2))**2", r"\frac{d^2}{d}", "Var(q^T k) = d",
        "d sigma^2 (sigma^2 + 2 mu^2)", "dσ⁴", "d + 0", "2d - d", "d_k", "d*1", "(d^2)^(1/2)",
    ],
    "q2.c": [
        "sqrt(d)", "√d", "d^(1/2)", "d**0.5", r"\sqrt{d}", r"\sqrt d", "s = √d", "d/sqrt(d)",
        r"\frac{d}{\sqrt{d}}", "sqrt(4d)/2", "1/sqrt(1/d)", "(d^2)^(1/4)", "d^{1/2}", "σ√d",
        "d^(0.5)", r"\sqrt{d_k}",
    ],
}  # fmt: skip

Q2_WRONG = {
    "q2.a": [
        "mu^2", "d mu", "d (mu^2 + sigma^2)", "0", "d^2 mu^2", "d mu^2 + sigma^2", "mu sqrt(d)",
        "d sigma^2", "2 d mu^2", "d^2 mu", "(d mu)^2", "d mu^2 + 1", "mu^2/d",
    ],
    "q2.b": [
        "sqrt(d)", "1", "d^2", "2d", "d + 1", "d - 1", "d/2", "0", "d^3", "log(d)", "d + sigma",
        "2 d mu^2 + 1",
    ],
    "q2.c": [
        "d", "1/sqrt(d)", "sqrt(d)/2", "d^2", "2 sqrt(d)", "1", "sqrt(2d)", "d^(1/3)",
        "sqrt(d) + 1", "1/d", "log d", "d^(1/4)",
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    "part, answer", [(p, a) for p, answers in Q2_EQUIVALENT.items() for a in answers]
)
def test_equivalent_forms_are_correct(part, answer):
    result = judge(part, answer)
    assert result.verdict is Verdict.CORRECT, (result.method, result.detail)
    assert result.credit == load_rubric().points(part)


@pytest.mark.parametrize(
    "part, answer", [(p, a) for p, answers in Q2_WRONG.items() for a in answers]
)
def test_wrong_answers_are_refuted_with_values(part, answer):
    result = judge(part, answer)
    assert result.verdict is Verdict.INCORRECT, (result.method, result.detail)
    assert result.counterexample
    assert result.counterexample["your answer"] != result.counterexample["key"]


def test_every_part_has_ten_equivalent_and_ten_wrong_forms():
    for part in Q2_EQUIVALENT:
        assert len(Q2_EQUIVALENT[part]) >= 10 and len(Q2_WRONG[part]) >= 10


def test_a_counterexample_names_values_that_satisfy_the_assumptions():
    result = judge("q2.a", "d mu")
    point = result.counterexample
    assert int(point["d"]) >= 1  # d is a positive integer
    assert "μ" in point


def test_known_wrong_answer_gets_its_feedback_and_credit():
    result = judge("q2.b", "√d")
    assert result.verdict is Verdict.INCORRECT
    assert result.matched == "sqrt(d)"
    assert result.credit == 1
    assert "standard deviation" in result.feedback


def test_a_known_wrong_answer_matches_in_any_form():
    assert judge("q2.a", "μ·d").matched == "d*mu"


def test_an_unknown_wrong_answer_earns_nothing_and_says_where_it_differs():
    result = judge("q2.a", "d^3 mu^2")
    assert result.credit == 0
    assert "at d = " in result.feedback


def test_the_rubric_accepted_vector_reading():
    result = judge("q2.a", "‖μ‖²")
    assert result.verdict is Verdict.CORRECT
    assert "vector" in result.feedback


def test_agreement_only_at_sample_points_is_cannot_tell():
    # max(d, √d) = d for every positive integer d, but SymPy cannot show it.
    result = judge("q2.b", "max(d, sqrt(d))")
    assert result.verdict is Verdict.CANNOT_TELL
    assert "not a proof" in result.detail
    assert result.credit is None


def test_ambiguous_notation_with_different_verdicts_is_cannot_tell():
    result = judge("q2.c", "d^1/2")
    assert result.verdict is Verdict.CANNOT_TELL
    assert "parentheses" in result.detail


def test_ambiguous_notation_with_one_verdict_keeps_it():
    assert judge("q2.c", "1/2d").verdict is Verdict.INCORRECT


def test_the_question_setting_is_applied_to_general_answers():
    result = judge("q2.b", "d σ²(σ² + 2μ²)")
    assert result.verdict is Verdict.CORRECT
    assert "μ = 0, σ = 1" in result.method


def test_an_empty_answer_is_invalid_and_earns_nothing():
    result = judge("q2.a", "  ")
    assert result.verdict is Verdict.INVALID_INPUT
    assert result.credit == 0


def test_an_unreadable_answer_is_invalid_with_the_reason():
    result = judge("q2.a", "d mu^2 +")
    assert result.verdict is Verdict.INVALID_INPUT
    assert "ends too early" in result.detail
    assert result.credit is None


def test_read_as_comes_from_sympy_not_from_the_text():
    result = judge("q2.a", r"d\mu^2")
    assert result.read_as == "d*μ**2"
    assert result.read_as_latex == r"d \mu^{2}"


@pytest.mark.parametrize("part", ["q1.1", "q1.2", "q3.a", "q4.a", "q6", "q4.b.ii"])
def test_parts_without_a_checkable_answer_are_refused(part):
    with pytest.raises(NotCheckable):
        form_for(part)


def test_an_unknown_part_is_refused():
    with pytest.raises(UnknownPart):
        judge("q9.z", "d")


@pytest.mark.parametrize(
    "part",
    [
        "q2.a",
        "q2.b",
        "q2.c",
        "q3.b.i",
        "q3.b.ii",
        "q3.c.i",
        "q3.c.ii",
        "q5.a",
        "q5.b",
        "q5.c",
        "q5.e",
    ],
)
def test_every_rubric_answer_reads_in_its_part(part):
    entry = load_rubric().parts[part]
    form = form_for(part)
    for answer in [w.answer for w in entry.wrong] + [a.answer for a in entry.accepted]:
        read_rubric_answer(form, answer)  # raises AnswerError if the rubric's grammar drifted


def test_every_rubric_wrong_answer_is_incorrect():
    rubric = load_rubric()
    for part in ("q2.a", "q2.b", "q2.c"):
        for wrong in rubric.parts[part].wrong:
            result = judge(part, wrong.answer)
            assert result.verdict is Verdict.INCORRECT, (part, wrong.answer)
            assert result.matched == wrong.answer


# --- hostile input --------------------------------------------------------------------

HOSTILE = [
    "__import__('os').system('touch /tmp/answerkey_pwned')",
    "d.__class__.__base__.__subclasses__()",
    "().__class__",
    "lambda: __import__('os')",
    "(lambda: d)()",
    "f'{__import__(\"os\")}'",
    "'%s' % d",
    "'{0.__globals__}'.format(d)",
    "exec('import os')",
    "eval('1+1')",
    "getattr(d, '__class__')",
    "9^9^9^9^9",
    "10**10**10",
    "d^(10^100)",
    "99999999!",
    "(10!)!!",
    "factorial(10**6)",
    "exp(exp(exp(exp(d))))",
    "(" * 5000 + "d" + ")" * 5000,
    "d" * 100_000,
    "1" * 100_000,
    "√" * 1000 + "d",
    "\u202e" + "d mu^2",
    "d\u0000mu\u0007",
    "𝕕 𝝁²",
    "ｄμ²",
    "d mu^2 \U0001f600",
    "\\input{/etc/passwd}",
    "\\write18{rm -rf /}",
    "#set page(width: 1pt)",
    "$d$",
    "=cmd|'/C calc'!A0",
]


@pytest.mark.parametrize("answer", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_gets_a_quick_clear_verdict_and_nothing_runs(answer, tmp_path):
    start = time.process_time()
    result = judge("q2.a", answer)
    assert time.process_time() - start < 5
    assert result.verdict in (Verdict.INVALID_INPUT, Verdict.INCORRECT, Verdict.CORRECT)
    assert result.detail or result.method
    assert len(result.answer) <= 300
    for text in (result.answer, result.detail, result.feedback, result.read_as):
        assert not any(ord(ch) < 32 or 0x202A <= ord(ch) <= 0x202E for ch in text)


def test_hostile_input_does_not_execute(tmp_path):
    import os

    judge("q2.a", HOSTILE[0])
    assert not os.path.exists("/tmp/answerkey_pwned")


def test_latex_in_the_answer_never_reaches_the_latex_reading():
    result = judge("q2.a", r"d \mu^2 \input{x}")
    assert result.verdict is Verdict.INVALID_INPUT
    assert result.read_as_latex == ""


# --- property tests: rewrites accepted, perturbations refuted --------------------------

_KEYS = {"q2.a": ["d*mu^2", "mu^2*d", "d μ²"], "q2.b": ["d", "d^1"], "q2.c": ["sqrt(d)", "d^(1/2)"]}
_REWRITES = [
    "({x})*1", "1*({x})", "({x})/1", "(({x}))", "({x})^1", "({x}) + 0", "({x}) + {a} - {a}",
    "({a})*({x})/({a})", "2*({x})/2", "-(-({x}))", "(({x})^2)^(1/2)", "({x})*({a})^0",
    "({x}) - ({a})*0", "(3*({x}) - ({x}))/2",
]  # fmt: skip
_TERMS = {
    "q2.a": ["d", "mu", "sigma", "(d+1)", "(mu^2+1)", "2"],
    "q2.b": ["d", "(d+1)", "3"],
    "q2.c": ["d", "(d+2)", "5"],
}
_PERTURBATIONS = {
    "q2.a": ["({x}) + 1", "2*({x})", "({x})*d", "({x})^2 + 1", "({x}) + mu", "({x}) - sigma^2"],
    "q2.b": ["({x}) + 1", "2*({x})", "({x})*d", "({x})^2", "sqrt({x})", "({x}) - 1/2"],
    "q2.c": ["({x}) + 1", "2*({x})", "({x})*d", "({x})^2", "1/({x})", "({x})^3"],
}


def _style(text: str, mul: str, power: str) -> str:
    return text.replace("**", "^").replace("*", mul).replace("^", power)


@st.composite
def rewritten(draw, part):
    text = draw(st.sampled_from(_KEYS[part]))
    for _ in range(draw(st.integers(1, 3))):
        template = draw(st.sampled_from(_REWRITES))
        text = template.format(x=text, a=draw(st.sampled_from(_TERMS[part])))
    return _style(text, draw(st.sampled_from(["*", "·", " "])), draw(st.sampled_from(["^", "**"])))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(list(_KEYS)).flatmap(lambda p: st.tuples(st.just(p), rewritten(p))))
def test_random_rewrites_of_the_key_are_correct(case):
    part, answer = case
    result = judge(part, answer)
    assert result.verdict is Verdict.CORRECT, (answer, result.method, result.detail)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(list(_KEYS)).flatmap(
        lambda p: st.tuples(st.just(p), rewritten(p), st.sampled_from(_PERTURBATIONS[p]))
    )
)
def test_random_perturbations_are_refuted(case):
    part, answer, template = case
    result = judge(part, template.format(x=answer))
    assert result.verdict is Verdict.INCORRECT, (answer, result.method, result.detail)
    assert result.counterexample


# --- Q5 (landed): the real key, through the result cache -------------------------------------

Q5_RIGHT = {
    "q5.a": ["neural, network", "{neural}, {network}", "network, neural",
             "neural (-0.65), network (-0.73)",
             "[neural, network]", "NEURAL; NETWORK", "<s> neural, <s> network", "neu, net",
             "{(neural), (network)}", "network and neural"],
    "q5.b": ["neural network, network neural", "{neural network} (−1.25), {network neural} (−1.33)",
             "{(network, neural), (neural, network)}", "NEU NET; NET NEU",
             "neural→network, network→neural",
             "network neural and neural network", "[neural network, network neural]",
             "(neural network), (network neural)", "neural-network | network-neural",
             "<s> neural network, <s> network neural"],
    "q5.c": ["neural network network, network neural network",
             "{neural network network} (−1.85), {network neural network} (−1.93)",
             "{(network, neural, network), (neural, network, network)}", "neu net net; net neu net",
             "network neural network and neural network network",
             "[neural network network, network neural network]",
             "neural→network→network, network→neural→network",
             "<s> neural network network, <s> network neural network",
             "(neural network network), (network neural network)",
             "NEURAL NETWORK NETWORK | NETWORK NEURAL NETWORK"],
    "q5.e": ["O(T k^2 log k)", "O(Tk²logk)", r"\mathcal{O}(T k^2 \log k)", "O(T k^2 log(k^2))",
             "T k^2 lg k", "O(T k^2)", "O(T k M log M)", "O(TkM)", "O(Tk|V|)", "Θ(k^2 T log k)",
             "O(T (k^2 log k + k M))".replace(" + k M", "")],
}  # fmt: skip
Q5_WRONG = {
    "q5.a": ["neural", "network", "neural neural, neural network", "{neural}", "neural, neural",
             "neural network", "network network", "neural neural", "network neural",
             "neural network, network neural"],
    "q5.b": ["neural neural, neural network", "neural network, network network", "neural network",
             "neural neural, network network", "network network, network neural", "neural, network",
             "neural neural", "neural network network, network neural network",
             "network neural, neural neural", "neural network, network neural, neural neural"],
    "q5.c": ["neural neural neural, neural network network",
             "neural network network, neural network neural",
             "neural network network, network network network", "neural neural neural",
             "network network network", "neural network, network neural", "neural network network",
             "network neural network, network neural neural",
             "neural neural network, network neural network",
             "neural network neural, network neural neural"],
    "q5.e": ["T*k", "k^T", "T^2*k^2*log(k)", "O(T k log k)", "O(T k)", "O(k^2 log k)", "O(T k^3)",
             "O(T log k)", "O(2^T)", "O(T k^2 M)", "O(T)"],
}  # fmt: skip


@pytest.mark.parametrize(
    "part, answer", [(p, a) for p, answers in Q5_RIGHT.items() for a in answers]
)
def test_q5_equivalent_forms_are_correct(part, answer):
    result = judge(part, answer)
    assert result.verdict is Verdict.CORRECT, (result.method, result.detail)


@pytest.mark.parametrize(
    "part, answer", [(p, a) for p, answers in Q5_WRONG.items() for a in answers]
)
def test_q5_wrong_answers_are_refuted_with_a_witness(part, answer):
    result = judge(part, answer)
    assert result.verdict is Verdict.INCORRECT, (result.method, result.detail)
    assert result.counterexample


@pytest.mark.parametrize("part", ["q5.a", "q5.b", "q5.c", "q5.e"])
def test_q5_rubric_answers_read_and_wrong_ones_match_themselves(part):
    entry = load_rubric().parts[part]
    for wrong in entry.wrong:
        result = judge(part, wrong.answer)
        assert result.verdict is Verdict.INCORRECT, (part, wrong.answer)
        assert result.matched == wrong.answer
    for accepted in entry.accepted:
        assert judge(part, accepted.answer).verdict is Verdict.CORRECT


def test_a_known_beam_mistake_gets_its_feedback():
    result = judge("q5.c", "neural network network, neural network neural")
    assert result.credit == 0.5
    assert "−1.93" in result.feedback


def test_an_exponential_class_is_refuted_along_the_exponent():
    result = judge("q5.e", "O(k^T)")
    assert result.counterexample == {"growth": "T = t → ∞ (k, (|V|/k) fixed)"}  # k ≤ M


# --- the whole judge, fuzzed ------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["d", "mu", "sigma", "μ", "σ", "√", "²", "^", "**", "*", "/", "+", "-", "(", ")", "{", "}",
     "\\frac", "\\sqrt", "sqrt", "log", "exp", "max(", ",", "!", "1", "2", "0", "0.5", " ", "|",
     "‖", "·", "=", "e", "pi"]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=25).map("".join), st.sampled_from(["q2.a", "q2.b", "q2.c"]))
def test_fuzzed_answers_always_get_one_of_the_four_verdicts(answer, part):
    result = judge(part, answer)
    assert result.verdict in set(Verdict)
    if result.verdict is Verdict.INCORRECT:
        assert result.counterexample


# --- Q4.b.i and Q3, through the registry once their keys have landed ---------------------------


def _landed(part):
    try:
        form = form_for(part)
        key = getattr(form, "key", None)
        if callable(key):
            key()
        return True
    except NotCheckable:
        return False


q4_landed = pytest.mark.skipif(not _landed("q4.b.i"), reason="q4.b.i's key has not landed")

Q4_RIGHT = [
    "W2^T (X - W2 W1 X) X^T = 0, (X - W2 W1 X) X^T W1^T = 0",
    "-(2/n) W_2ᵀ(X − W_2W_1X)Xᵀ = 0; -(2/n)(X − W_2W_1X)XᵀW_1ᵀ = 0",
    "W2^T W2 W1 X X^T = W2^T X X^T and W2 W1 X X^T W1^T = X X^T W1^T",
    "∂L/∂W1: W2'(X - W2W1X)X' = 0, ∂L/∂W2: (X-W2W1X)X'W1' = 0",
    "W2^T*(I - W2*W1)*X*X^T = 0 and (I - W2*W1)*X*X^T*W1^T = 0",
]


@q4_landed
@pytest.mark.parametrize("answer", Q4_RIGHT)
def test_q4_conditions_in_any_form_are_correct(answer):
    assert judge("q4.b.i", answer).verdict is Verdict.CORRECT


@q4_landed
@pytest.mark.parametrize(
    "answer", ["W2^T (X - W2 W1 X) X^T = 0", "-2/n*(X - W2*W1*X)*X^T*W2 = 0", "W2 W1 X = X"]
)
def test_q4_unmatched_conditions_are_for_a_ta(answer):
    result = judge("q4.b.i", answer)
    assert result.verdict is Verdict.CANNOT_TELL
    assert result.credit is None


q3_landed = pytest.mark.skipif(not _landed("q3.b.i"), reason="Q3's keys have not landed")

Q3_CASES = {
    "q3.b.i": (
        ["(q^T k + 1)^2", "(qᵀk+1)²", "⟨q,k⟩^2 + 2⟨q,k⟩ + 1", "(q^Tk)^2"],
        ["q^T k + 1", "exp(q^T k)", "(q^Tk/sqrt(D) + 1)^2"],
    ),
    "q3.b.ii": (
        ["[1, √2 q_1, √2 q_2, q_1², q_2², √2 q_1 q_2]", "(D+1)(D+2)/2", "1 + D + D^2",
         "[1, √2 x_1, √2 x_2, x_1², x_2², x_1 x_2, x_2 x_1]"],
        ["[1, q_1, q_2, q_1^2, q_2^2, q_1 q_2]", "2D + 1"],
    ),
    "q3.c.i": (
        ["time: O(N^2 D + N^2 M), memory: O(N^2 + ND + NM)", "O(N² max(D, M)), O(N(N + D + M))"],
        ["time: O(N^2 D), memory: O(N^2)", "time: O(N D^2 M), memory: O(N D^2 + D^2 M + N M)"],
    ),
    "q3.c.ii": (
        ["time: O(N D^2 M), memory: O(N D^2 + D^2 M + N M)", "O(N D² M), O(D²(N + M) + NM)"],
        ["time: O(N^2 D + N^2 M), memory: O(N^2 + ND + NM)", "time: O(N D M), memory: O(N D)"],
    ),
}  # fmt: skip


@q3_landed
@pytest.mark.parametrize("part, answer", [(p, a) for p, (r, _) in Q3_CASES.items() for a in r])
def test_q3_right_answers_are_correct(part, answer):
    result = judge(part, answer)
    assert result.verdict is Verdict.CORRECT, (result.method, result.detail)


@q3_landed
@pytest.mark.parametrize("part, answer", [(p, a) for p, (_, w) in Q3_CASES.items() for a in w])
def test_q3_wrong_answers_are_refuted(part, answer):
    result = judge(part, answer)
    assert result.verdict is Verdict.INCORRECT, (result.method, result.detail)
    assert result.counterexample


def test_each_judged_part_declares_how_answers_name_it_with_the_part():
    """The judging setup sits with the question (`Part.asked`); the judge reads it, plus
    the rubric's aliases."""
    from answerkey.judging.judged_parts import asked
    from answerkey.parts import get_part

    for part in ("q2.a", "q2.b", "q2.c", "q3.b.i", "q3.b.ii", "q3.c.i", "q3.c.ii", "q4.b.i",
                 "q5.e"):  # fmt: skip
        declared = get_part(part).asked
        assert declared is not None, part
        used = asked(part)
        assert (used.lhs, used.words, used.solve) == (declared.lhs, declared.words, declared.solve)
        assert declared.aliases.items() <= used.aliases.items()
    rubric = dict(load_rubric().parts["q5.e"].aliases)
    assert rubric and rubric.items() <= asked("q5.e").aliases.items()


@pytest.mark.parametrize(
    "part, answer",
    [
        ("q2.c", "s = √d değil"),
        ("q2.c", "s = √d is not right"),
        ("q2.c", "$s = \\sqrt{d}$ ist falsch."),
        ("q2.c", "s = √d, no es correcto"),
        ("q2.c", "The answer is not s = √d."),
        ("q2.c", "s is not √d"),
        ("q2.a", "E[qᵀk] = dμ² is wrong, it is μ²."),
        ("q2.b", "Var(qᵀk) = d no es la respuesta."),
    ],
)
def test_a_right_expression_the_answer_denies_is_never_correct(part, answer):
    result = judge(part, answer)
    assert result.verdict is Verdict.CANNOT_TELL, (result.extracted, result.detail)
    assert "denies" in result.detail


@pytest.mark.parametrize(
    "part, answer",
    [
        ("q2.c", "s = √d, not d"),
        ("q2.c", "We choose s = √d (not d, which would shrink the variance to 1/d)."),
        ("q2.b", "Var(qᵀk) = d, nie d²."),
        ("q2.c", "We should not use d; the scale is s = √d."),
    ],
)
def test_a_negation_of_something_else_keeps_the_answer(part, answer):
    assert judge(part, answer).verdict is Verdict.CORRECT


@pytest.mark.parametrize(
    "word", ["برای", "для", "के लिए", "עבור", "pro", "pentru", "kun", "where", "with"]
)
def test_a_word_in_any_script_before_an_index_condition_is_a_for(word):
    head = "φ(q) = (1, √2 q_1, …, √2 q_D, q_1², …, q_D², "
    assert judge("q3.b.ii", f"{head}√2 q_i q_j {word} i<j)").verdict is Verdict.CORRECT
    assert judge("q3.b.ii", f"{head}q_i q_j {word} i<j)").verdict is Verdict.INCORRECT


def test_a_non_latin_word_after_an_index_condition_is_a_for():
    head = "φ(q) = (1, √2 q_1, …, √2 q_D, q_1², …, q_D², √2 q_i q_j "
    for tail in ("(i<j について))", "(i < j 에 대해))"):
        assert judge("q3.b.ii", head + tail).verdict is Verdict.CORRECT, tail


@pytest.mark.parametrize(
    "part, answer, verdict",
    [
        (
            "q5.e",
            "order T times k squared times log k, because each step sorts k²",
            "CORRECT",
        ),
        ("q5.e", "order k² log k, because there are T steps", "INCORRECT"),
        (
            "q3.c.i",
            "The runtime is O(N²(D+M)) because every query attends to all N keys, and memory is "
            "O(N² + N(D+M)) since the N×N attention matrix is stored.",
            "CORRECT",
        ),
        ("q3.c.i", "time on the order of N^2 D, memory on the order of N^2", "INCORRECT"),
        (
            "q3.c.i",
            "in order to do it: O(N²(D+M)) time, O(N² + N(D+M)) memory",
            "CORRECT",
        ),
    ],
)
def test_order_of_in_words_is_a_class_and_a_reason_is_no_answer(part, answer, verdict):
    assert str(judge(part, answer).verdict) == verdict


def test_a_question_restated_as_a_quote_is_not_the_yes_or_no():
    quoted = "> Does beam search return the most likely sequence?\n\n"
    assert judge("q5.d", quoted + "No: neural neural neural (−1.46).").verdict is Verdict.CORRECT
    yes = judge("q5.d", quoted + "Yes, it returns neural network network.")
    assert yes.verdict is Verdict.INCORRECT


def test_nested_token_lists_are_a_beam():
    right = '[["neural", "network"], ["network", "neural"]]'
    assert judge("q5.b", right).verdict is Verdict.CORRECT
    scored = 'beam = [["neural", "network", -1.25], ["network", "neural", -1.33]]'
    assert judge("q5.b", scored).verdict is Verdict.CORRECT
    wrong = '[["neural", "neural"], ["neural", "network"]]'
    assert judge("q5.b", wrong).verdict is Verdict.INCORRECT


def test_the_clause_after_because_starts_past_the_whole_word():
    said = polarity("network network is dropped because neural network is kept")
    assert "neural network" in said.kept
    assert "ecause" not in said.kept and "network network" in said.dropped


def test_a_greek_word_is_prose_and_a_greek_letter_a_symbol():
    assert (
        normalize("Άρα s = √d, δηλαδή η ρίζα του d") == "Άρα s = \\sqrt d, δηλαδή \\eta ρίζα του d"
    )
    assert normalize("dμσ") == "d \\mu \\sigma"


@pytest.mark.parametrize(
    ("part", "answer"),
    [
        ("q2.a", "所以E[qᵀk]=dμ²，与σ无关。"),  # CJK around σ: prose, a remark
        ("q3.c.ii", "时间复杂度为O(ND²M)，内存为O(ND²+NM+D²M)，都是N的线性函数。"),
        (
            "q5.b",
            "neural neural −1.45, neural network −1.25, network neural −1.33.\nSo: "
            "[neural, network] and [network, neural].",
        ),
        ("q2.b", "Var(q^T k) = d, since Var(q_i k_i) = E[q_i^2]E[k_i^2] = 1 for each i."),
        ("q4.b.i", "令Σ=XXᵀ，则一阶条件为W₂ᵀ(I−W₂W₁)Σ=0和(I−W₂W₁)ΣW₁ᵀ=0。"),
    ],
)
def test_the_stated_answer_wins_over_remarks_reasons_and_working(part, answer):
    assert judge(part, answer).verdict is Verdict.CORRECT


def test_python_comments_are_remarks_and_markdown_headings_are_not_comments():
    from answerkey.judging.judge import python_code

    assert python_code("E = d * mu**2   # sigma cancels").strip() == "E = d * mu**2"
    # a comment line is dropped only in an answer written as code
    code = "np.var(q @ k) == d\n# simulation: ~64.1 for d = 64"
    assert python_code(code).strip() == "np.var(q k) = d"
    heading = "## Step 1\nVar(qᵀk) = d"
    assert python_code(heading) == heading
    assert python_code("W2.T @ X") == "W2^T X"
    # a simulated value in a comment is no answer
    assert judge("q2.b", code).verdict is Verdict.CORRECT
    assert judge("q2.a", "E_qk = d * sigma**2  # only the variance survives").verdict is (
        Verdict.INCORRECT
    )


def test_a_markdown_table_pairs_each_cell_with_its_column():
    from answerkey.judging.extract import tables

    table = "| | Memory | Time |\n|---|---|---|\n| softmax | O(a) | O(b) |\n"
    assert tables(table).strip() == "softmax, Memory: O(a); Time: O(b)"
    swapped = "| | Time | Memory |\n|---|---|---|\n| softmax | O(N^2 + N(D+M)) | O(N^2 (D+M)) |"
    assert judge("q3.c.i", swapped).verdict is Verdict.INCORRECT  # time and memory swapped
    assert (
        judge(
            "q3.c.i",
            swapped.replace("Time", "T").replace("Memory", "Time").replace("| T |", "| Memory |"),
        ).verdict
        is Verdict.CORRECT
    )


def test_pruned_words_in_other_languages_drop_the_sequence():
    kept = "'neural network' (-1.25) e 'network neural' (-1.33)"
    for dropped in ("viene scartata", "est éliminée", "wird verworfen", "zostaje odrzucona"):
        answer = f"Restano {kept}; 'neural neural' (-1.45) {dropped}."
        assert judge("q5.b", answer).verdict is Verdict.CORRECT, dropped


def test_a_decimal_comma_before_the_sentences_comma_is_a_decimal_point():
    answer = "Non : le faisceau renvoie « neural network network », alors que « neural neural "
    assert judge("q5.d", answer + "neural » a −1,46, plus probable.").verdict is Verdict.CORRECT
    assert judge("q5.d", answer + "neural » a −1,64, plus probable.").verdict is Verdict.INCORRECT
