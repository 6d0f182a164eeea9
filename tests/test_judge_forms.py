"""The judge's forms for Q3, Q4 and Q5, on keys shaped as the brief's Answer.value
contracts (so they are tested whatever state those questions are in), and the
growth-class comparison behind q3.c and q5.e."""

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from answerkey.judging.judge import Verdict, judge, judge_with
from answerkey.judging.judged_parts import (
    attention_complexity_form,
    beam_complexity_form,
    conditions_form,
    feature_map_form,
    kernel_form,
    sequence_form,
)

qk = sp.Symbol("qk", real=True)
N, D, M = sp.symbols("N D M", integer=True, positive=True)
T, k, V = sp.symbols("T k M", integer=True, positive=True)

KERNEL = kernel_form(qk, D, lambda: (qk + 1) ** 2, qk**2)
FEATURES = feature_map_form(qk, D, (qk + 1) ** 2, qk**2, (D + 1) * (D + 2) / 2, 1 + D + D**2)
SOFTMAX = attention_complexity_form(
    N, D, M, lambda: {"time": N**2 * D + N**2 * M, "memory": N**2 + N * D + N * M}
)
BEAM_COST = beam_complexity_form(
    T,
    k,
    V,
    lambda: {
        "in_T_k": T * k**2 * sp.log(k),
        "accepted": [T * k**2 * sp.log(k), T * k**2, T * k * V * sp.log(V), T * k * V],
    },
)
# Figure 2's beams as HW6.md's tree gives them (k = 2): the key's shape, not its source.
STEP_2 = [(("neural", "network"), -1.25), (("network", "neural"), -1.33)]
STEP_3 = [(("neural", "network", "network"), -1.85), (("network", "neural", "network"), -1.93)]
WORDS = ("neural", "network")
BEAM_2 = sequence_form(lambda: STEP_2, lambda: WORDS)
BEAM_3 = sequence_form(lambda: STEP_3, lambda: WORDS)

kk, mm, nn = sp.symbols("k m n", integer=True, positive=True)
W1, W2, X = (
    sp.MatrixSymbol("W_1", kk, mm),
    sp.MatrixSymbol("W_2", mm, kk),
    sp.MatrixSymbol("X", mm, nn),
)
_R = X - W2 * W1 * X
CONDITIONS = conditions_form(
    W1, W2, X, nn, lambda: [-2 / nn * W2.T * _R * X.T, -2 / nn * _R * X.T * W1.T]
)


def verdict(form, text):
    return judge_with(form, text)


# --- ten right and ten wrong per form ----------------------------------------------------

RIGHT = {
    "kernel": (KERNEL, [
        "(q^T k + 1)^2", "(qᵀk+1)²", "(1 + k^T q)^2", "(q·k + 1)^2", "⟨q,k⟩^2 + 2⟨q,k⟩ + 1",
        r"\left(q^\top k + 1\right)^2", "K(q, k) = (x^T y + 1)^2", "(q'k + 1)(k'q + 1)",
        r"(\langle q, k \rangle + 1)^{2}", "sim(q,k) = (q.k+1)**2", "(q^T k)^2 + 2 q^T k + 1",
        "(q^Tk)^2",  # the accepted reading
    ]),
    "features": (FEATURES, [
        "[1, √2 q_1, √2 q_2, q_1², q_2², √2 q_1 q_2]",
        "φ(q) = (1, sqrt(2) q1, sqrt(2) q2, q1^2, q2^2, sqrt(2) q1 q2)",
        "[1, √2 x_1, √2 x_2, x_1², x_2², x_1 x_2, x_2 x_1]",
        "[q_1^2, q_2^2, √2 q_1 q_2, √2 q_1, √2 q_2, 1]",
        "D = 3: [1, √2 q_1, √2 q_2, √2 q_3, q_1^2, q_2^2, q_3^2, √2 q_1 q_2, √2 q_1 q_3, "
        "√2 q_2 q_3]",
        r"\varphi(q) = [1, \sqrt{2} q_1, \sqrt{2} q_2, q_1^2, q_2^2, \sqrt{2} q_1 q_2]",
        "[1, -√2 q_1, -√2 q_2, q_1², q_2², -√2 q_1 q_2]",
        "(D+1)(D+2)/2", "1 + D + D^2", "binom(D+2, 2)", r"\binom{D+2}{2}", "(D^2 + 3D + 2)/2",
        "[q_1^2, q_2^2, √2 q_1 q_2]",  # the (qᵀk)² reading
    ]),
    "softmax": (SOFTMAX, [
        "time: O(N^2 D + N^2 M), memory: O(N^2 + ND + NM)",
        "O(N²(D+M)), O(N² + N(D+M))",
        "O(N^2 max(D, M)) time and O(N^2 + N max(D,M)) memory",
        "memory: O(N^2 + ND + NM); time: O(N^2 D + N^2 M)",
        "time: O(n^2 d + n^2 m), space: O(n^2 + nd + nm)",
        r"time: \mathcal{O}(N^2 (D + M)), memory: \mathcal{O}(N^2 + N D + N M)",
        "Θ(N²D + N²M) compute, Θ(N² + N·D + N·M) memory",
        "time = O(2N^2 D + N^2 M + N D), memory = O(N^2 + 3ND + NM + N)",
        "time: N^2 D + N^2 M, memory: N^2 + N D + N M",
        "cost: O(N^2 (D + M)), storage: O(N (N + D + M))",
    ]),
    "beam cost": (BEAM_COST, [
        "O(T k^2 log k)", "O(Tk²logk)", r"\mathcal{O}(T k^2 \log k)", "O(T k^2 log(k^2))",
        "T k^2 lg k", "O(T k^2)", "O(T k M log M)", "O(TkM)", "O(Tk|V|)", "Θ(k^2 T log k)",
        "O(T (k^2 log k + k))",
    ]),
    "beam step 2": (BEAM_2, [
        "neural network, network neural", "{(network, neural), (neural, network)}",
        "[neural network (-1.25), network neural (-1.33)]", "NEU NET; NET NEU",
        "<s> neural network, <s> network neural", "neural → network, network → neural",
        "(neural network), (network neural)", "neural-network | network-neural",
        "network neural and neural network", "{neural network: -1.25, network neural: -1.33}",
    ]),
    "beam step 3": (BEAM_3, [
        "neural network network, network neural network",
        "{(network, neural, network), (neural, network, network)}",
        "neural network network (-1.85); network neural network (-1.93)",
        "NEURAL NETWORK NETWORK, NETWORK NEURAL NETWORK",
        "[neu net net, net neu net]", "<s> neural network network, <s> network neural network",
        "(neural, network, network) and (network, neural, network)",
        "neural→network→network, network→neural→network",
        "network neural network | neural network network",
        "{neural network network -1.85, network neural network -1.93}",
    ]),
    "conditions": (CONDITIONS, [
        "W2^T (X - W2 W1 X) X^T = 0, (X - W2 W1 X) X^T W1^T = 0",
        "-(2/n) W_2ᵀ(X − W_2W_1X)Xᵀ = 0; -(2/n)(X − W_2W_1X)XᵀW_1ᵀ = 0",
        "W2^T W2 W1 X X^T = W2^T X X^T and W2 W1 X X^T W1^T = X X^T W1^T",
        "∂L/∂W1: W2'(X - W2W1X)X' = 0, ∂L/∂W2: (X-W2W1X)X'W1' = 0",
        "W2^T*(I - W2*W1)*X*X^T = 0 and (I - W2*W1)*X*X^T*W1^T = 0",
        "(X - W2 W1 X) X^T W1^T = 0, W2^T (X - W2 W1 X) X^T = 0",
        "X (X - W2 W1 X)^T W2 = 0, (X - W2 W1 X) X^T W1^T = 0",
        r"W_2^\top (X - W_2 W_1 X) X^\top = 0, (X - W_2 W_1 X) X^\top W_1^\top = 0",
        "2/n W2^T (W2 W1 X - X) X^T = 0, 2/n (W2 W1 X - X) X^T W1^T = 0",
        "W2^T X X^T - W2^T W2 W1 X X^T = 0, X X^T W1^T - W2 W1 X X^T W1^T = 0",
    ]),
}  # fmt: skip

WRONG = {
    "kernel": (KERNEL, [
        "q^T k + 1", "(q^Tk+1)^3", "exp(q^T k)", "(q^Tk/sqrt(D) + 1)^2", "(q^T k + 2)^2",
        "(q^Tk)^2 + 1", "2 (q^T k + 1)^2", "(q^T k - 1)^2", "exp(q^T k / sqrt(D))", "q^T k",
        "(q^Tk + 1)^2 / D",
    ]),
    "features": (FEATURES, [
        "[1, q_1, q_2, q_1^2, q_2^2, q_1 q_2]", "[1, √2 q_1, √2 q_2, q_1², q_2², q_1 q_2]",
        "[q_1, q_2, q_1^2, q_2^2]", "[1, 2 q_1, 2 q_2, q_1^2, q_2^2, 2 q_1 q_2]",
        "[1, √2 q_1, √2 q_2, q_1², q_2²]", "[1, q_1^2, q_2^2, √2 q_1 q_2]",
        "2D + 1", "D^2 + 1", "D(D+1)", "D^3", "(D+1)^2", "D + 1",
    ]),
    "softmax": (SOFTMAX, [
        "time O(N^2 D), memory O(N^2)", "time: O(N^2), memory: O(N^2)",
        "time: O(N D M), memory: O(N D + N M)",
        "time: O(N^2 D + N^2 M + NFD), memory: O(N^2+ND+NM)",
        "O(N^2 log N (D+M)), O(N^2+ND+NM)", "time: O(N^3 D), memory: O(N^2 + ND + NM)",
        "time: O(N^2 D + N^2 M), memory: O(N^2 D)", "time: O(N D^2 M), memory: O(N D^2 + D^2 M)",
        "time: O(N^2 D M), memory: O(N^2 + ND + NM)", "time: O(N (D + M)), memory: O(N + D + M)",
    ]),
    "beam cost": (BEAM_COST, [
        "O(T k log k)", "O(T k)", "O(T^2 k^2)", "O(k^2 log k)", "O(T k^3)", "O(T log k)",
        "O(T^2 k)", "O(T k^2 M)", "O(T k M^2)", "O(T)", "O(k)",
    ]),
    "beam step 2": (BEAM_2, [
        "neural network", "neural neural, neural network", "neural neural, network network",
        "network neural, network network", "neural, network", "neural network network",
        "neural neural", "network network, neural network", "neural network, neural neural",
        "network neural, neural neural", "neural network, network neural, neural neural",
    ]),
    "beam step 3": (BEAM_3, [
        "neural neural neural, neural network network", "network network network",
        "neural network network", "neural neural neural, network network network",
        "neural network neural, network neural network",
        "network neural neural, neural network network",
        "neural network, network neural", "neural network network, network network network",
        "network neural network, neural network neural",
        "neural neural network, network neural network",
    ]),
}  # fmt: skip

CANNOT_TELL = [  # q4.b.i: never INCORRECT, a TA reads what SymPy cannot match
    "W2^T (X - W2 W1 X) = 0, (X - W2 W1 X) X^T = 0",
    "(X - W2 W1 X) X^T W1^T = 0",
    "W1 X (X - W2 W1 X)^T W2 = 0",
    "W2 W1 X = X",
    "X X^T W2 = 0",
    "-2/n*(X - W2*W1*X)*X^T*W2 = 0",
    "W2^T X X^T = 0, X X^T W1^T = 0",
    "W2^T W2 W1 X X^T = 0, W2 W1 X X^T W1^T = 0",
    "W1 W2 = 0, W2 W1 = 0",
    "X - W2 W1 X = 0",
]


@pytest.mark.parametrize(
    "name, answer", [(n, a) for n, (_, answers) in RIGHT.items() for a in answers]
)
def test_equivalent_forms_are_correct(name, answer):
    result = verdict(RIGHT[name][0], answer)
    assert result.verdict is Verdict.CORRECT, (result.method, result.detail)


@pytest.mark.parametrize(
    "name, answer", [(n, a) for n, (_, answers) in WRONG.items() for a in answers]
)
def test_wrong_answers_are_refuted_with_a_witness(name, answer):
    result = verdict(WRONG[name][0], answer)
    assert result.verdict is Verdict.INCORRECT, (result.method, result.detail)
    assert result.counterexample


@pytest.mark.parametrize("answer", CANNOT_TELL)
def test_unmatched_conditions_are_left_to_a_ta(answer):
    result = verdict(CONDITIONS, answer)
    assert result.verdict is Verdict.CANNOT_TELL, (result.method, result.detail)


def test_ten_of_each_per_form():
    for name, (_, answers) in RIGHT.items():
        assert len(answers) >= 10, name
    for name, (_, answers) in WRONG.items():
        assert len(answers) >= 10, name
    assert len(CANNOT_TELL) >= 10


def test_the_alternative_kernel_reading_says_so():
    result = verdict(KERNEL, "(qᵀk)²")
    # the rubric's reason: the homogeneous polynomial kernel, no additive constant
    assert "homogeneous polynomial kernel (qᵀk)²" in result.method
    assert "c = 0" in result.method


def test_a_feature_map_counterexample_gives_both_vectors():
    result = verdict(FEATURES, "[1, q_1, q_2, q_1^2, q_2^2, q_1 q_2]")
    assert set(result.counterexample) == {"q", "k", "φ(q)ᵀφ(k)", "K(q, k)"}
    assert result.counterexample["φ(q)ᵀφ(k)"] != result.counterexample["K(q, k)"]


def test_a_feature_map_needs_concrete_components():
    result = verdict(FEATURES, "[1, √2 q_m, q_m q_n]")  # indices with no range to run over
    assert result.verdict is Verdict.INVALID_INPUT
    assert "concrete size" in result.detail


def test_a_feature_map_in_symbolic_indices_is_written_out_at_d_4():
    """x_i over i, x_i x_j over every pair (i, j) (no squares listed) or i < j (squares
    listed): blocks.expand_blocks; read as shows the components it checked."""
    result = verdict(FEATURES, "[1, √2 q_i, q_i q_j]")
    assert result.verdict is Verdict.CORRECT
    assert "at D = 4" in result.read_as and "q_4**2" in result.read_as
    result = verdict(FEATURES, "[1, √2 q_i, q_i^2, q_i q_j]")  # i < j: √2 missing
    assert result.verdict is Verdict.INCORRECT


def test_complexity_needs_both_time_and_memory():
    result = verdict(SOFTMAX, "O(N^2 D + N^2 M)")
    assert result.verdict is Verdict.INVALID_INPUT
    assert "memory" in result.detail


def test_half_right_complexity_gets_a_share_of_the_credit():
    from answerkey.judging.judge import _Known

    result = judge_with(SOFTMAX, "time: O(N^2 (D+M)), memory: O(N^2)", known=_Known(3.0))
    assert result.verdict is Verdict.INCORRECT
    assert result.credit == 1.5
    assert "memory" in result.counterexample


def test_a_complexity_direction_is_the_witness():
    result = verdict(BEAM_COST, "O(T k)")
    # q5.e compares under k ≤ M, with M written as k·(M/k): k grows and M with it
    assert result.counterexample == {"growth": "k = t → ∞ (T, (|V|/k) fixed)"}


def test_q5e_classes_are_compared_under_k_at_most_m():
    """O(T k M log(kM)) (sorting all k·M candidates) is O(T k M log M) when k ≤ M; a
    class that is larger even under the order stays wrong."""
    assert verdict(BEAM_COST, "O(T k V log(k V))").verdict is Verdict.CORRECT
    assert verdict(BEAM_COST, "O(T k V + T k log k)").verdict is Verdict.CORRECT
    assert verdict(BEAM_COST, "O(T V^2)").verdict is Verdict.INCORRECT
    assert verdict(BEAM_COST, "O(T k^2 V)").verdict is Verdict.INCORRECT


def test_a_sequence_witness_names_what_is_missing_and_extra():
    result = verdict(BEAM_2, "neural neural, neural network")
    assert result.counterexample == {"missing": "network neural", "extra": "neural neural"}


def test_log_probabilities_rounded_to_one_decimal_are_right():
    result = verdict(BEAM_2, "neural network (-1.3), network neural (-1.3)")
    assert result.verdict is Verdict.CORRECT


def test_wrong_log_probabilities_on_right_sequences_cost_the_score_item():
    """A stated score is a claim (rubric: "Right sequences, log-probs wrong", −0.5)."""
    from answerkey.judging.judge import judge

    result = judge("q5.b", "neural network (-1.4), network neural (-1.33)")
    assert result.verdict is Verdict.INCORRECT
    assert "-1.25" in result.detail
    assert result.credit == 0.5


def test_probabilities_are_matched_to_their_stated_precision():
    """A positive score is a probability, exp(log-probability): 0.287 is exp(−1.25) =
    0.2865 to three decimals; 0.35 is not."""
    from answerkey.judging.judge import judge

    right = judge("q5.b", "neural network (p ≈ 0.287) and network neural (p ≈ 0.264)")
    assert right.verdict is Verdict.CORRECT
    wrong = judge("q5.b", "neural network (probability 0.35) and network neural (prob 0.264)")
    assert wrong.verdict is Verdict.INCORRECT
    assert "exp(-1.25) = 0.2865" in wrong.detail and wrong.credit == 0.5
    optimum = judge("q5.d", "No: neural neural neural (p ≈ 0.232) beats the beam's sequence.")
    assert optimum.verdict is Verdict.CORRECT
    assert judge("q5.d", "No: neural neural neural (p ≈ 0.3) wins.").verdict is Verdict.INCORRECT


@pytest.mark.parametrize(
    "remark",
    [
        "Note the beam misses neural neural neural, whose total is -1.46.",
        "The beam never reaches neural neural neural (-1.46).",
        "neural neural neural is not found by the beam.",
        "Finding neural neural neural would need k = 4.",
        "Remark: neural neural neural (-1.46) is more likely overall.",
    ],
)
def test_a_sequence_the_answer_says_the_beam_misses_is_not_in_it(remark):
    from answerkey.judging.judge import judge

    answer = "neural network network (-1.85) and network neural network (-1.93). " + remark
    assert judge("q5.c", answer).verdict is Verdict.CORRECT
    wrong = "neural network network (-1.85) and neural neural neural (-1.46). " + remark
    assert judge("q5.c", wrong).verdict is Verdict.INCORRECT


def test_a_table_of_candidates_is_working_beside_the_kept_line():
    from answerkey.judging.judge import judge

    table = (
        "| candidate | score |\n|---|---|\n| neural neural | -1.45 |\n| neural network | -1.25 |\n"
        "| network neural | -1.33 |\n| network network | -1.53 |\n\n"
    )
    for line, expected in [
        ("**Kept (k = 2):** *neural network* and *network neural*.", Verdict.CORRECT),
        ("So the beam is neural network and network neural.", Verdict.CORRECT),
        ("**Kept (k = 2):** neural neural and neural network.", Verdict.INCORRECT),
    ]:
        assert judge("q5.b", table + line).verdict is expected, line


def test_tokens_in_cjk_text_and_latex_text_commands_are_read():
    from answerkey.judging.judge import judge

    assert (
        judge("q5.a", "時間步1保留：neural（−0.65）和network（−0.73）。").verdict is Verdict.CORRECT
    )
    tuple_ = (
        r"$y^{(1)} = (\text{neural}, \mathrm{network})$, $y^{(2)} = (\texttt{network}, neural)$"
    )
    assert judge("q5.b", tuple_).verdict is Verdict.CORRECT
    assert judge("q5.b", tuple_.replace("mathrm{network", "mathrm{neural")).verdict is (
        Verdict.INCORRECT
    )


def test_unknown_tokens_are_invalid():
    assert verdict(BEAM_2, "neural transformer").verdict is Verdict.INVALID_INPUT


def test_conditions_name_the_factor():
    result = verdict(CONDITIONS, RIGHT["conditions"][1][0])
    assert "-n/2 times" in result.method


@pytest.mark.parametrize("answer", ["W1 W1 = 0", "(X - W2 W1 X) W1^T = 0", "W1 + W2 = 0"])
def test_shape_errors_are_wrong_answers(answer):
    """Readable but ill-typed (W₁ is k×m, W₂ m×k): a TA marks it wrong, so INCORRECT with
    the reason, not INVALID INPUT."""
    result = verdict(CONDITIONS, answer)
    assert result.verdict is Verdict.INCORRECT
    assert "shapes do not match" in result.detail and "not defined" in result.detail


# --- growth classes ------------------------------------------------------------------------


def _relation(a, b, variables=(N, D, M)):
    from answerkey.judging.complexity import compare_classes

    return compare_classes(a, b, list(variables), [str(v) for v in variables]).relation


@pytest.mark.parametrize(
    "first, second",
    [
        (N**2 * D + N**2 * M, N**2 * sp.Max(D, M)),
        (N**2 + N * D + D**2, N**2 + D**2),  # AM-GM: ND ≤ (N² + D²)/2
        (N**2 + 2 * N * D + 7, N**2 + N * D),
        (N * sp.log(N**3), N * sp.log(N)),
        (N * sp.log(N * D), N * sp.log(N) + N * sp.log(D)),
        (sp.sqrt(N) * N, N ** sp.Rational(3, 2)),
    ],
)
def test_same_class(first, second):
    assert _relation(first, second) == "equal"


@pytest.mark.parametrize(
    "first, second",
    [(N**2, N**2 * D), (N * sp.log(N), N), (N**2 * D, N * D**2), (N + M, N * M), (N, D)],
)
def test_different_class(first, second):
    assert _relation(first, second) == "different"


def test_undecided_class():
    assert _relation(sp.Min(N, D), N) == "unknown"


# --- property tests --------------------------------------------------------------------------

_KERNEL_BASES = ["(q^T k + 1)^2", "(1 + k^T q)^2", "(qᵀk)^2 + 2qᵀk + 1"]
_KERNEL_REWRITES = ["({x})*1", "(({x}))", "({x}) + D - D", "2*({x})/2", "({x})*(D+1)/(D+1)"]
_KERNEL_PERTURB = ["({x}) + 1", "2*({x})", "({x})*D", "({x})^2", "({x}) + q^T k"]


@st.composite
def _kernel_rewrite(draw):
    text = draw(st.sampled_from(_KERNEL_BASES))
    for _ in range(draw(st.integers(1, 3))):
        text = draw(st.sampled_from(_KERNEL_REWRITES)).format(x=text)
    return text


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_kernel_rewrite())
def test_kernel_rewrites_are_correct(answer):
    assert verdict(KERNEL, answer).verdict is Verdict.CORRECT


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_kernel_rewrite(), st.sampled_from(_KERNEL_PERTURB))
def test_kernel_perturbations_are_refuted(answer, template):
    result = verdict(KERNEL, template.format(x=answer))
    assert result.verdict is Verdict.INCORRECT


_COST_TERMS = st.sampled_from(["T", "T k", "k", "T log k", "T k log k", "1", "k log k"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_COST_TERMS, max_size=3), st.integers(1, 9))
def test_lower_order_terms_and_constants_do_not_change_the_class(extra, factor):
    answer = f"O({factor} T k^2 log k" + "".join(f" + {t}" for t in extra) + ")"
    assert verdict(BEAM_COST, answer).verdict is Verdict.CORRECT


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["T", "k", "log T", "T k", "M"]), st.integers(1, 9))
def test_a_faster_growing_factor_changes_the_class(factor, constant):
    result = verdict(BEAM_COST, f"O({constant} T k^2 log k * {factor})")
    assert result.verdict is Verdict.INCORRECT


@pytest.mark.parametrize(
    ("answer", "plain", "latex"),
    [
        ("(q^T k)^2", "(qᵀk)**2", r"\left(q^{\top} k\right)^{2}"),
        ("(q·k)² + 2 q·k + 1", "(qᵀk)**2 + 2*qᵀk + 1", r"\left(q^{\top} k\right)^{2} + 2"),
        ("qᵀk + 1", "qᵀk + 1", r"q^{\top} k + 1"),
    ],
)
def test_read_as_keeps_the_dot_products_parentheses_and_transpose(answer, plain, latex):
    """(qᵀk)² must not print as qᵀk**2 or qk^{2}, which a TA reads as q·k²."""
    from answerkey.judging.judge import judge

    result = judge("q3.b.i", answer)
    assert result.read_as == plain
    assert result.read_as_latex.startswith(latex)


def test_a_score_in_a_remark_about_another_sequence_is_not_the_beams():
    """A score belongs to the sequence it stands beside: a side remark's "(−1.46)" is
    blanked whole (its minus never lost, so never read as a probability 0.46)."""
    from answerkey.judging.extract import token_runs
    from answerkey.judging.polarity import without_working

    text = (
        "At t = 3 the beam is {neural network network, network neural network}. Note that "
        "neural neural neural (−1.46) would have been better."
    )
    blanked = without_working(text)
    assert ".46" not in blanked and "neural neural neural" not in blanked
    runs = token_runs(blanked, ("neural", "network"), 3)
    assert all(score is None for _, score in runs)
    assert token_runs("neural network. 0.46", ("neural", "network"), 2) == [
        (("neural", "network"), None)
    ]
    result = judge("q5.c", text)
    assert result.verdict is Verdict.CORRECT, result.detail


def test_ascii_shorthand_dash_remarks_and_script_o():
    from answerkey.judging.text import ascii_shorthand

    assert ascii_shorthand("sqrt2*q_1..sqrt2*q_D") == "sqrt(2)*q_1, ..., sqrt(2)*q_D"
    assert ascii_shorthand("for i, j = 1..D") == "for i, j = 1..D"  # an index range
    assert (
        judge("q2.c", "s = sqrt(d) -- the factor 1/sqrt(d) multiplies").verdict is Verdict.CORRECT
    )
    assert judge("q2.c", "Scale by d -- the 1/d factor").verdict is Verdict.INCORRECT
    assert judge("q3.c.i", "Time 𝒪(N D M); memory 𝒪(N² + ND + NM).").verdict is Verdict.INCORRECT
