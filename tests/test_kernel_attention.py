"""Q3: the derivation's facts (kernel, feature maps, the double-sum lemma, convexity,
eq. 3 = eq. 5, counts and big-O) and the exact / numeric q3.a cases."""

import pytest
import sympy as sp

from answerkey.questions import kernel_attention_checks as Q
from answerkey.verdicts import Verdict
from derivations import kernel_attention as KA
from numeric import kernel_attention as NK

N, D, M = KA.N, KA.D, KA.M

# --- q3.b.i / q3.b.ii --------------------------------------------------------------------


def test_kernel_is_qk_plus_one_squared():
    assert sp.expand(KA.quadratic_kernel() - (KA.qk + 1) ** 2) == 0
    assert sp.expand(KA.polynomial_kernel(2, 1, 0) - KA.ALTERNATIVE_KERNEL) == 0


@pytest.mark.parametrize("dim", range(1, 9))
@pytest.mark.parametrize("constant", [True, False])
@pytest.mark.parametrize("merged", [True, False])
def test_feature_map_reproduces_its_kernel(dim, constant, merged):
    assert KA.kernel_identity_difference(dim, constant, merged) == 0


@pytest.mark.parametrize("dim", range(1, 9))
def test_feature_map_lengths_match_the_dimension_formulas(dim):
    assert len(KA.feature_map(dim)) == KA.DIMENSION_MERGED.subs(D, dim)
    assert len(KA.feature_map(dim, merged=False)) == KA.DIMENSION_ORDERED.subs(D, dim)
    assert len(KA.feature_map(dim, constant=False)) == KA.ALTERNATIVE_DIMENSION_MERGED.subs(D, dim)
    assert len(KA.feature_map(dim, False, False)) == dim**2


def test_dimensions_are_counted_not_typed():
    assert sp.expand(KA.merged_dimension() - (D + 1) * (D + 2) / 2) == 0
    assert sp.expand(KA.ordered_dimension() - (1 + D + D**2)) == 0
    assert sp.expand(KA.merged_dimension(False) - D * (D + 1) / 2) == 0


def test_feature_map_without_sqrt2_is_caught():
    # The check has power: dropping √2 on the cross term breaks the identity.
    q, k = KA.vector_symbols("q", 2), KA.vector_symbols("k", 2)
    wrong_q = [1, sp.sqrt(2) * q[0], sp.sqrt(2) * q[1], q[0] ** 2, q[1] ** 2, q[0] * q[1]]
    wrong_k = [1, sp.sqrt(2) * k[0], sp.sqrt(2) * k[1], k[0] ** 2, k[1] ** 2, k[0] * k[1]]
    kernel = (q[0] * k[0] + q[1] * k[1] + 1) ** 2
    assert sp.expand(sum(a * b for a, b in zip(wrong_q, wrong_k, strict=True)) - kernel) != 0


def test_feature_map_component_order_is_the_models():
    q1, q2, q3 = KA.vector_symbols("q", 3)
    r2 = sp.sqrt(2)
    assert KA.feature_map(3) == [
        1, r2 * q1, r2 * q2, r2 * q3, q1**2, q2**2, q3**2, r2 * q1 * q2, r2 * q1 * q3, r2 * q2 * q3,
    ]  # fmt: skip


def test_double_sum_lemma_for_symbolic_d():
    lemma = KA.double_sum_lemma()
    assert lemma["lhs"] == lemma["rhs"]
    assert lemma["square"] != lemma["double_sum"]  # the proof is the factoring, not luck


@pytest.mark.parametrize("dim", [1, 3, 8])
def test_double_sum_lemma_at_concrete_d(dim):
    assert KA.double_sum_lemma_at(dim) == 0


def test_ordered_map_identity_for_symbolic_d():
    identity = KA.ordered_map_identity_general()
    assert sp.expand(identity["inner_product"] - identity["kernel"]) == 0


# The merged map for every D, by induction on D.
q_, k_ = sp.IndexedBase("q", real=True), sp.IndexedBase("k", real=True)
X, Y = sp.Symbol("q_{D+1}", real=True), sp.Symbol("k_{D+1}", real=True)


def no_sqrt2_cross(x):
    return {**KA.merged_blocks(x), "cross": x[KA.i] * x[KA.j]}


def no_squares(x):
    return {**KA.merged_blocks(x), "square": 0}


def test_merged_map_base_case():
    proof = KA.merged_map_induction()
    assert sp.expand(proof["base_inner_product"] - proof["base_kernel"]) == 0


def test_merged_map_increments_agree():
    proof = KA.merged_map_induction()
    assert sp.expand(proof["step_inner_product"] - proof["step_kernel"]) == 0


def test_merged_map_increment_is_the_new_coordinates_terms():
    # 2xy + x²y² from the new linear and square components, 2xy·s from the pairs (i, D+1).
    step = KA.merged_map_induction()["step_inner_product"]
    assert sp.expand(step - (2 * X * Y + X**2 * Y**2 + 2 * X * Y * KA.SUM_QK)) == 0


def test_merged_map_is_proved_for_every_d():
    assert Q.merged_map_check().run().verdict is Verdict.PROVED


def test_merged_map_without_sqrt2_fails_the_step():
    proof = KA.merged_map_induction(no_sqrt2_cross)
    assert sp.expand(proof["step_inner_product"] - proof["step_kernel"]) != 0


def test_merged_map_without_sqrt2_is_not_proved():
    assert Q.merged_map_check(no_sqrt2_cross).run().verdict is not Verdict.PROVED


def test_merged_map_without_squares_fails_the_base_case():
    proof = KA.merged_map_induction(no_squares)
    assert sp.expand(proof["base_inner_product"] - proof["base_kernel"]) != 0


def test_merged_map_without_squares_is_not_proved():
    assert Q.merged_map_check(no_squares).run().verdict is not Verdict.PROVED


def test_increment_of_a_sum_is_its_next_term():
    assert KA.increment(sp.Sum(q_[KA.i], (KA.i, 1, D))) == q_[D + 1]


def test_increment_of_the_pairs_is_the_pairs_with_the_new_index():
    pairs = sp.Sum(q_[KA.i] * q_[KA.j], (KA.i, 1, KA.j - 1), (KA.j, 1, D))
    expected = KA.canonical_dummies(q_[D + 1] * sp.Sum(q_[KA.i], (KA.i, 1, D)))
    assert KA.increment(pairs) == expected


@pytest.mark.parametrize(
    "expr",
    [
        D * sp.Sum(q_[KA.i], (KA.i, 1, D)),  # D outside the sum
        sp.Sum(q_[KA.i] * q_[KA.j], (KA.j, 1, D), (KA.i, 1, D)),  # an inner limit is D
        sp.Sum(q_[KA.i], (KA.i, 1, D - 1)),  # the upper limit is not D
    ],
)
def test_increment_refuses_what_difference_delta_gets_wrong(expr):
    with pytest.raises(ValueError):
        KA.increment(expr)


def test_one_point_sums_are_evaluated_from_the_outermost_index():
    empty_pairs = sp.Sum(q_[KA.i] * q_[KA.j], (KA.i, 1, KA.j - 1), (KA.j, 1, 1))
    assert empty_pairs.doit() != 0  # SymPy's doit leaves it
    assert KA.evaluate_one_point_sums(empty_pairs) == 0


def test_canonical_dummies_only_renames_bound_indices():
    q = sp.IndexedBase("q")
    a = sp.Sum(q[KA.i], (KA.i, 1, D))
    b = sp.Sum(q[KA.j], (KA.j, 1, D))
    assert a != b
    assert KA.canonical_dummies(a) == KA.canonical_dummies(b)
    assert KA.canonical_dummies(sp.Sum(q[KA.i], (KA.i, 1, M))) != KA.canonical_dummies(a)


# --- q3.a ----------------------------------------------------------------------------------


def test_weights_are_a_convex_combination():
    w = KA.convex_weights()
    assert w["weights_sum"] == 1
    assert w["weight"].is_nonnegative is True


def test_jensen_gap_identity_for_symbolic_n():
    gap = KA.jensen_gap_identity()
    assert sp.simplify(gap["lhs"] - gap["rhs"]) == 0


@pytest.mark.parametrize("n, m", [(1, 1), (2, 3), (4, 2)])
def test_jensen_gap_in_coordinates(n, m):
    sides = KA.jensen_gap_at(n, m)
    assert sp.expand(sides["gap"] - sides["half_sum"]) == 0


def test_bound_holds_on_exact_instances_and_is_attained():
    r = NK.convex_bound_instances(count=400, seed=5)
    assert r["violations"] == []
    assert r["max_ratio"] == 1.0  # one nonzero score: V'_i = V_j
    assert r["attained"] > 0


def test_bound_instances_are_deterministic():
    assert NK.convex_bound_instances(50, 2) == NK.convex_bound_instances(50, 2)


def test_plain_dot_product_blows_up():
    r = NK.plain_dot_blow_up(seed=0)
    assert r["denominators_negative"] > 0 and r["denominators_positive"] > 0
    assert r["norm_vs_delta_slope"] == pytest.approx(-1, abs=0.05)
    assert r["norms"][-1] > 1e6 * r["max_value_norm"]
    assert r["quadratic_max_ratio"] <= 1
    assert r["softmax_max_ratio"] <= 1


def test_quadratic_kernel_corner_case_is_exactly_zero_over_zero():
    r = NK.epsilon_corner_case()
    assert set(r["dots"]) == {"-1"}
    assert r["denominator"] == "0"
    assert r["output_with_eps"] == [0.0, 0.0]


# --- q3.b.iii ------------------------------------------------------------------------------


@pytest.mark.parametrize("n, width, m", [(1, 1, 1), (2, 3, 2), (3, 2, 1)])
def test_eq3_equals_eq5_for_a_generic_feature_map(n, width, m):
    sides = KA.eq3_and_eq5(n, width, m)
    for row in range(n):
        assert sp.expand(sides["eq3_den"][row] - sides["eq5_den"][row]) == 0
        assert sp.expand(sides["eq3_num"][row] - sides["eq5_num"][row]) == sp.zeros(1, m)


def test_eq3_with_the_quadratic_kernel_equals_eq5():
    sides = KA.eq3_and_eq5(2, 2, 2, "quadratic")
    for row in range(2):
        assert sp.expand(sides["eq3_den"][row] - sides["eq5_den"][row]) == 0
        assert sp.expand(sides["eq3_num"][row] - sides["eq5_num"][row]) == sp.zeros(1, 2)


def test_associativity_for_symbolic_sizes():
    forms = KA.associativity_general()
    assert forms["eq3_num"].doit() == forms["eq5_num"].doit()
    assert forms["eq3_den"].doit() == forms["eq5_den"].doit()


def test_printed_identity_is_row_equals_row():
    """review6: q3.b.iii prints both sides as rows ((φ(Q_i)ᵀφ(K_j))V_jᵀ = φ(Q_i)ᵀΣφ(K_j)V_jᵀ),
    and the symbolic check reads the printed terms' shapes: a print with the handout's
    column V_j on one side fails it."""
    from answerkey.questions import kernel_attention as KQ

    forms = KA.associativity_general()
    printed = [KQ.row_latex(forms[f"{kind}_num"]) for kind in ("eq3", "eq5")]
    assert all(text.endswith(r"V_j^\top") for text in printed)
    assert all(step.holds for step in Q._argue_associativity_general().steps)
    phi_q, phi_k = (sp.Matrix(sp.symbols(f"{n}1:4")) for n in "ab")
    v = sp.Matrix(sp.symbols("v1:3"))
    column = Q._printed_term(r"\sum_j \phi(Q_i)^\top \phi(K_j)\, V_j", "eq3", phi_q, phi_k, v)
    assert column.shape == (2, 1)  # the handout's eq. 3: not the row of eq. 5
    assert Q._printed_term(r"\phi(Q_i)^\top \sum_j \phi(K_j)\, V_j", "eq5", phi_q, phi_k, v) is None


# --- q3.c ----------------------------------------------------------------------------------


def test_softmax_big_o():
    c = KA.costs("softmax")
    assert c["time_O"] == N**2 * D + N**2 * M
    assert c["memory_O"] == N**2 + N * D + N * M
    assert sp.expand(c["flops"] - 2 * N**2 * (D + M)) == 0


def test_linear_big_o():
    c = KA.costs("linear")
    assert c["time_O"] == N * D**2 * M
    assert c["memory_O"] == N * D**2 + N * M + D**2 * M
    assert sp.Poly(c["operations"], N).degree() == 1
    assert sp.Poly(c["saved"], N).degree() == 1


@pytest.mark.parametrize("constant, merged", [(False, True), (True, False), (False, False)])
def test_other_feature_maps_have_the_same_big_o(constant, merged):
    c = KA.costs("linear", constant, merged)
    assert c["time_O"] == N * D**2 * M
    assert c["memory_O"] == N * D**2 + N * M + D**2 * M


def test_flops_are_homogeneous_in_n():
    for form, factor in (("softmax", 4), ("linear", 2)):
        flops = KA.costs(form)["flops"]
        assert sp.expand(flops.subs(N, 2 * N) - factor * flops) == 0


def test_dominant_terms_drop_only_dominated_monomials():
    assert KA.dominant_terms(2 * N**2 * D + 5 * N**2 - N + 3 * D * M) == N**2 * D + D * M
    assert KA.dominant_terms(N * D + N * M + 7) == N * D + N * M
    with pytest.raises(ValueError, match="non-positive"):
        KA.dominant_terms(N**2 - N**3)


def test_derived_crossovers_at_d_m_8():
    # FLOPs: 32 N² (softmax) vs 1530 N (linear): equal at N = 47.8.
    assert KA.derived_crossover("flops", 8, 8) == 48
    soft, lin = KA.costs("softmax"), KA.costs("linear")
    for key in ("flops", "operations", "saved"):
        n = KA.derived_crossover(key, 8, 8)
        at = {D: 8, M: 8}
        assert soft[key].subs(at).subs(N, n) > lin[key].subs(at).subs(N, n)
        assert soft[key].subs(at).subs(N, n - 1) <= lin[key].subs(at).subs(N, n - 1)


def test_steps_cover_every_part_and_print_latex():
    steps = KA.steps()
    assert set(steps) == {"q3.a", "q3.b.i", "q3.b.ii", "q3.b.iii", "q3.c.i", "q3.c.ii"}
    assert all(step.latex for part in steps.values() for step in part)
    assert r"\left(q^\top k + 1\right)^{2}" in steps["q3.b.i"][0].latex
