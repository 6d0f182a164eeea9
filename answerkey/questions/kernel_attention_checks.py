"""Q3's checks of q3.a and q3.b: each part's claims against the derived objects and the model.

The stated forms are proved equal to the derived ones (general where SymPy reaches symbolic
sizes, exhaustive over concrete sizes otherwise, and saying which); the bound of q3.a is checked
on exact rational instances; the blow-up of a sign-changing similarity is found numerically;
the model's feature maps are held against the derived ones. q3.c's checks are in
`kernel_attention_cost_checks`; the question and its answers in `kernel_attention`.
"""

from __future__ import annotations

from answerkey import evidence as ev
from answerkey.questions.kernel_attention import derivation, plain
from answerkey.verdicts import Check

EXHAUSTIVE_DIMS = tuple(range(1, 9))
# Variants of the linearized form: (constant, merged) — the key's map, the ordered-pair
# map and the two maps of the alternative reading (qᵀk)².
VARIANTS = {
    "(qᵀk+1)², merged": (True, True),
    "(qᵀk+1)², ordered pairs": (True, False),
    "(qᵀk)², merged": (False, True),
    "(qᵀk)², ordered pairs": (False, False),
}


def numeric_kernel_attention():
    """`numeric.kernel_attention`, imported on first use (it imports torch)."""
    from numeric import kernel_attention

    return kernel_attention


def _identity(derive: str, what: str, summary: str, sides=("lhs", "rhs")):
    """An argument of one identity: `derivation().<derive>()` gives its two sides."""

    def argue() -> ev.Argument:
        derived = getattr(derivation(), derive)()
        return ev.Argument(summary, [ev.Identity(*(derived[k] for k in sides), what)])

    return argue


# --- q3.a ----------------------------------------------------------------------------------------


def _argue_convex_weights() -> ev.Argument:
    """The answer's claimed conditions (s_j ⋈ 0, S ⋈ 0) make the weights s_j/S nonnegative:
    SymPy decides it from the signs the conditions give s_j and S."""
    import sympy as sp

    KA = derivation()
    conditions = KA.CONDITIONS
    stated = ", ".join(map(str, conditions))
    try:
        w = KA.convex_weights(conditions)
    except ValueError as exc:
        return ev.Argument(f"the claimed conditions {stated}", [ev.Fact(None, str(exc))])
    nonnegative = w["weight"].is_nonnegative
    return ev.Argument(
        "for symbolic N: Σ_j s_j/Σ_l s_l = 1 (constant factor pulled out of the sum), and "
        f"s_j/S ≥ 0 under the claimed {stated}: V'_i is a convex combination of the V_j",
        [
            ev.Identity(w["weights_sum"], sp.Integer(1), "Σ_j s_j / Σ_l s_l and 1"),
            ev.Fact(
                nonnegative,
                f"SymPy shows {w['weight']} ≥ 0 from {stated}"
                if nonnegative
                else f"SymPy cannot show {w['weight']} ≥ 0 from {stated}",
            ),
        ],
    )


def _jensen_gap_coordinates() -> ev.Argument:
    KA = derivation()
    steps = []
    for n in range(1, 5):
        for m in range(1, 4):
            sides = KA.jensen_gap_at(n, m)
            steps.append(ev.Identity(sides["gap"], sides["half_sum"], f"the gap at N={n}, M={m}"))
    return ev.Argument("in coordinates, w_N = 1 − Σ_{j<N} w_j", steps)


def _bound_instances() -> ev.Instances:
    r = numeric_kernel_attention().convex_bound_instances(count=2000, seed=0)
    return ev.Instances(
        f"exact rational instances (N ≤ 6, M ≤ 4; scores nonnegative with zeros, or "
        f"(qᵀk+1)²; seed {r['seed']}) of ‖V'_i‖² ≤ max_j ‖V_j‖²: largest ratio "
        f"{r['max_ratio']:.6g}, attained with equality {r['attained']} times (one nonzero score)",
        checked=r["instances"],
        violations=[{"instance": str(v)} for v in r["violations"]],
    )


def _blow_up() -> ev.Measurement:
    import numpy as np
    import torch

    from models.kernel_attention import identity_features, kernelized_attention

    r = numeric_kernel_attention().plain_dot_blow_up(seed=0)
    # The implementation blows up the same way: rerun the last step through the model.
    rng = np.random.default_rng(r["seed"])
    sizes = r["sizes"]
    Q, K, V = (rng.standard_normal((sizes["N"], w)) for w in (sizes["D"], sizes["D"], sizes["M"]))
    Q[0] = Q[0] + (r["t_star"] + r["deltas"][-1]) * K.sum(axis=0)
    model = kernelized_attention(*(torch.from_numpy(x) for x in (Q, K, V)), identity_features)
    model_norm = float(model[0].norm())
    bound = r["max_value_norm"]
    statistics = {
        k: r[k]
        for k in (
            "norm_vs_delta_slope",
            "quadratic_max_ratio",
            "softmax_max_ratio",
            "plain_max_ratio",
        )
    }
    return ev.Measurement(
        f"Gaussian Q, K, V (N={sizes['N']}, D={sizes['D']}, M={sizes['M']}, seed {r['seed']}), "
        f"sim = qᵀk; Q_0 moved to the root t* = {r['t_star']:.4f} of its denominator (|den| = "
        f"{abs(r['denominator_at_t_star']):.1e} there), then to t* + δ down to δ = "
        f"{r['deltas'][-1]:g}; ‖V'_0‖ there {r['norms'][-1]:.3g}, max_j ‖V_j‖ = {bound:.3g}",
        [
            ev.at_least("negative denominators", r["denominators_negative"], 1, spec=".0f"),
            ev.at_least("positive denominators", r["denominators_positive"], 1, spec=".0f"),
            ev.near("growth of ‖V'_0‖ as δ^p: p", r["norm_vs_delta_slope"], -1, 0.05),
            ev.at_least("‖V'_0‖ / max_j ‖V_j‖", r["norms"][-1] / bound, 1e6),
            ev.near(
                "the model's ‖V'_0‖ / the reference's", model_norm / r["norms"][-1], 1, 1e-4, ".6f"
            ),
            ev.at_most("(qᵀk+1)²: max_i ‖V'_i‖ / max_j ‖V_j‖", r["quadratic_max_ratio"], 1, ".3f"),
            ev.at_most("softmax: max_i ‖V'_i‖ / max_j ‖V_j‖", r["softmax_max_ratio"], 1, ".3f"),
        ],
        statistics=statistics,
    )


def _corner_case() -> ev.Measurement:
    """A floating-point behaviour, not a counterexample to q3.a's claim: numeric, PASS/FAIL."""
    import torch

    from models.kernel_attention import kernel_attention_quadratic, kernelized_attention

    r = numeric_kernel_attention().epsilon_corner_case(eps=1e-6)
    exact = set(r["dots"]) == {"-1"} and set(r["scores"]) == {"0"} and r["denominator"] == "0"
    Q = torch.tensor([[1.0, 1.0]], dtype=torch.float64)
    K = torch.tensor([[-1.0, 0.0], [0.0, -1.0], [-2.0, 1.0]], dtype=torch.float64)
    V = torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]], dtype=torch.float64)
    quadratic = kernel_attention_quadratic(Q, K, V)
    linear = kernelized_attention(Q, K, V)
    guarded = kernelized_attention(Q, K, V, eps=1e-6)
    return ev.Measurement(
        "q = (1, 1), K = ((−1, 0), (0, −1), (−2, 1)); in float64 the linearized form's "
        "denominator φ(q)ᵀΣ_jφ(K_j) comes out as a rounding residue, so it returns a finite "
        f"but meaningless V' = ({float(linear[0, 0]):.4g}, {float(linear[0, 1]):.4g})",
        [
            ev.Observed(
                "every qᵀK_j = −1, every (qᵀk+1)² and the denominator exactly 0 (rational "
                "arithmetic)",
                exact,
                True,
            ),
            ev.Observed(
                "the O(N²) form returns NaN (0/0)", bool(torch.isnan(quadratic).all()), True
            ),
            ev.at_most("‖V'‖ with ε = 1e-6 added", float(guarded.norm()), 1e-8),
        ],
    )


CLAIM_JENSEN = "Jensen gap: ‖V'_i‖² = Σ_j w_j‖V_j‖² − (1/2)Σ_jk w_j w_k‖V_j − V_k‖² ≤ max_j ‖V_j‖²"


def checks_a() -> list[Check]:
    return [
        ev.symbolic(
            "nonnegative scores, not all zero, make the weights of eq. 3 a convex combination",
            _argue_convex_weights,
        ),
        ev.symbolic(
            CLAIM_JENSEN,
            _identity(
                "jensen_gap_identity",
                "the two sides",
                "for symbolic N and any M (in inner products g_jk = V_jᵀV_k), with Σ w_j = 1: "
                "Σ_j w_j‖V_j‖² − ‖Σ_j w_j V_j‖² = (1/2) Σ_jk w_j w_k ‖V_j − V_k‖² ≥ 0",
            ),
        ),
        ev.exhaustive(
            "the same gap identity in coordinates",
            "N = 1…4 and M = 1…3",
            _jensen_gap_coordinates,
            lemma=CLAIM_JENSEN,
        ),
        ev.exact_instances(
            "‖V'_i‖ ≤ max_j ‖V_j‖ for nonnegative scores, exactly", _bound_instances
        ),
        ev.within_tolerance("with sim = qᵀk the denominator crosses 0 and V'_i blows up", _blow_up),
        ev.within_tolerance(
            "(qᵀk+1)² corner case: every Q_iᵀK_j = −1 gives 0/0; ε guards it", _corner_case
        ),
    ]


# --- q3.b.i --------------------------------------------------------------------------------------


def _argue_kernel() -> ev.Argument:
    import sympy as sp

    KA = derivation()
    degree = sp.Poly(KA.KERNEL, KA.qk).degree()
    return ev.Argument(
        "the degree-2 polynomial kernel with γ = c = 1 is (qᵀk + 1)² = 1 + 2qᵀk + (qᵀk)²; "
        "with c = 0 it is the alternative reading (qᵀk)²",
        [
            ev.Identity(
                KA.quadratic_kernel(), KA.KERNEL, "(γ qᵀk + c)² at γ = c = 1 and (qᵀk + 1)²"
            ),
            ev.Identity(KA.KERNEL, 1 + 2 * KA.qk + KA.qk**2, "(qᵀk + 1)² and 1 + 2qᵀk + (qᵀk)²"),
            ev.Identity(
                KA.polynomial_kernel(2, 1, 0), KA.ALTERNATIVE_KERNEL, "(qᵀk + 0)² and (qᵀk)²"
            ),
            ev.Fact(degree == 2, "the kernel has degree 2 in qᵀk", {"degree": str(degree)}),
        ],
    )


def _kernel_is_positive_semidefinite() -> ev.Measurement:
    import numpy as np

    rng = np.random.default_rng(0)
    worst = {}
    for name, constant in (("(qᵀk+1)²", 1.0), ("(qᵀk)²", 0.0)):
        lowest = np.inf
        for d in (1, 2, 4, 8):
            X = rng.standard_normal((60, d))
            gram = (X @ X.T + constant) ** 2
            eigenvalues = np.linalg.eigvalsh(gram)
            lowest = min(lowest, eigenvalues.min() / eigenvalues.max())
        worst[name] = float(lowest)
    return ev.Measurement(
        "Gram matrices of 60 Gaussian points at D = 1, 2, 4, 8 (seed 0) are positive "
        "semidefinite, as a kernel's must be (−1e-12 allows for rounding)",
        [
            ev.at_least(f"smallest eigenvalue / largest for {name}", value, -1e-12, spec=".1e")
            for name, value in worst.items()
        ],
        statistics=worst,
    )


def checks_b_i() -> list[Check]:
    return [
        ev.symbolic(
            "sim(q, k) = (qᵀk + 1)², the degree-2 polynomial kernel with constants 1", _argue_kernel
        ),
        ev.within_tolerance(
            "both readings are positive semidefinite kernels", _kernel_is_positive_semidefinite
        ),
    ]


# --- q3.b.ii -------------------------------------------------------------------------------------


def _exhaustive_feature_maps(constant: bool) -> ev.Argument:
    import sympy as sp

    KA = derivation()
    steps = []
    for d in EXHAUSTIVE_DIMS:
        for merged in (True, False):
            difference = KA.kernel_identity_difference(d, constant, merged)
            length = len(KA.feature_map(d, constant, merged))
            expected = KA.feature_dimension(constant, merged).subs(KA.D, d)
            form = "merged" if merged else "ordered-pair"
            steps.append(ev.Identity(difference, sp.Integer(0), f"φᵀφ − K ({form}, D = {d})"))
            steps.append(ev.Identity(sp.Integer(length), expected, f"{form} length at D = {d}"))
        steps.append(ev.Identity(KA.double_sum_lemma_at(d), sp.Integer(0), f"lemma at D = {d}"))
    kernel = "(qᵀk + 1)²" if constant else "(qᵀk)²"
    return ev.Argument(
        f"φ(q)ᵀφ(k) − {kernel} expands to 0, merged and ordered-pair maps, whose lengths match "
        "the dimension formulas; the double-sum lemma expands to 0 too",
        steps,
    )


def _argue_merged_map(blocks=None) -> ev.Argument:
    """The induction of `merged_map_induction` on the stated map's blocks (read off the
    stated φ, `merged_blocks`); `blocks` replaces them (the tests pass wrong maps to show
    that the proof can fail)."""
    KA = derivation()
    try:
        coefficients = KA.stated_block_coefficients()
        proof = KA.merged_map_induction(blocks or KA.merged_blocks)
    except ValueError as exc:
        return ev.Argument(
            "the stated φ is not of block form", [ev.Fact(None, f"the induction needs it: {exc}")]
        )
    const = plain(coefficients["constant"]).strip()
    const_term = const if const in ("0", "1") else f"({const})²"
    lin, sq, cross = (plain(coefficients[b]).strip() + "·" if coefficients[b] != 1 else ""
                      for b in ("linear", "square", "cross"))  # fmt: skip
    return ev.Argument(
        "the stated φ is, at D = "
        + ", ".join(map(str, KA.BLOCK_DIMS))
        + f", the blocks ({const}, {lin}q_i, {sq}q_i², {cross}q_iq_j (i < j)); by induction on "
        f"D: φ(q)ᵀφ(k) = {const_term} + Σ_i ({lin}q_i)({lin}k_i) + Σ_i ({sq}q_i²)({sq}k_i²) + "
        f"Σ_{{j≤D}} Σ_{{i<j}} ({cross}q_iq_j)({cross}k_ik_j) and (qᵀk + 1)² agree at D = 1, and "
        "from D to "
        f"D + 1 both grow by {plain(proof['step_inner_product'])} with s = Σ_{{i≤D}} q_ik_i "
        "(symbolic D; each sum's increment from SymPy's difference_delta)",
        [
            ev.Identity(proof["base_inner_product"], proof["base_kernel"], "φᵀφ and K at D = 1"),
            ev.Identity(
                proof["step_inner_product"], proof["step_kernel"], "the increments of φᵀφ and K"
            ),
        ],
    )


def merged_map_check(blocks=None) -> Check:
    """q3.b.ii's general check of the merged map (with other `blocks`, of a wrong map)."""
    return ev.symbolic(CLAIM_MERGED, lambda: _argue_merged_map(blocks))


def _argue_dimensions() -> ev.Argument:
    KA = derivation()
    return ev.Argument(
        "components counted as symbolic sums: 1 + D + D + Σ_{i<j} 1 = (D+1)(D+2)/2, "
        "1 + D + Σ_iΣ_j 1 = 1 + D + D²; for (qᵀk)²: D(D+1)/2 and D²",
        [
            ev.Identity(KA.merged_dimension(), KA.DIMENSION_MERGED, "counted merged length"),
            ev.Identity(KA.ordered_dimension(), KA.DIMENSION_ORDERED, "counted ordered length"),
            ev.Identity(
                KA.merged_dimension(False), KA.ALTERNATIVE_DIMENSION_MERGED, "(qᵀk)² merged"
            ),
            ev.Identity(
                KA.ordered_dimension(False), KA.ALTERNATIVE_DIMENSION_ORDERED, "(qᵀk)² ordered"
            ),
        ],
    )


def _model_feature_maps() -> ev.Measurement:
    import numpy as np
    import sympy as sp
    import torch

    from models.kernel_attention import feature_dimension, quadratic_features

    KA = derivation()
    rng = np.random.default_rng(1)
    worst = 0.0
    lengths_match = True
    for d in EXHAUSTIVE_DIMS:
        x = rng.standard_normal((5, d))
        for constant, merged in VARIANTS.values():
            model = quadratic_features(torch.from_numpy(x), constant, merged).numpy()
            derived = int(KA.feature_dimension(constant, merged).subs(KA.D, d))
            if not model.shape[1] == feature_dimension(d, constant, merged) == derived:
                lengths_match = False
                continue
            symbols = KA.vector_symbols("q", d)
            exact = sp.lambdify(symbols, KA.feature_map(d, constant, merged), "numpy")
            reference = np.array([np.broadcast_to(exact(*row), (model.shape[1],)) for row in x])
            worst = max(worst, float(np.abs(model - reference).max()))
            kernel = (x @ x.T + (1.0 if constant else 0.0)) ** 2
            worst = max(worst, float(np.abs(model @ model.T - kernel).max() / np.abs(kernel).max()))
    return ev.Measurement(
        "the key's PyTorch feature map φ against the derived φ component by "
        "component, and φ(Q)φ(K)ᵀ against the kernel matrix, all four maps, D = 1…8, float64",
        [
            ev.Observed(
                "every map (and feature_dimension) has the derived number of components",
                lengths_match,
                True,
            ),
            ev.at_most("largest difference", worst, 1e-12),
        ],
        statistics={"max_difference": worst},
    )


RANDOM_DIMS = (9, 12, 16)  # beyond the exhaustive D = 1…8


def _stated_map_on_random_vectors() -> ev.Measurement:
    """The stated φ (lambdified) and the model's, at widths beyond the exhaustive check, on
    random vectors: φ(q)ᵀφ(k) against the definition (qᵀk + 1)²."""
    import numpy as np
    import sympy as sp
    import torch

    from models.kernel_attention import quadratic_features

    KA = derivation()
    rng = np.random.default_rng(2)
    worst = {"stated": 0.0, "model": 0.0}
    for d in RANDOM_DIMS:
        stated = sp.lambdify(KA.vector_symbols("q", d), KA.feature_map(d), "numpy")
        q, k = rng.standard_normal((2, 50, d))
        kernel = (np.einsum("nd,nd->n", q, k) + 1) ** 2
        scale = (np.linalg.norm(q, axis=1) * np.linalg.norm(k, axis=1) + 1) ** 2
        phi = {
            "stated": [np.array([stated(*row) for row in x], dtype=float) for x in (q, k)],
            "model": [quadratic_features(torch.from_numpy(x)).numpy() for x in (q, k)],
        }
        for name, (pq, pk) in phi.items():
            if pq.shape != pk.shape:
                worst[name] = np.inf
                continue
            gap = np.abs(np.einsum("np,np->n", pq, pk) - kernel) / scale
            worst[name] = max(worst[name], float(gap.max()))
    return ev.Measurement(
        f"50 Gaussian pairs (q, k) at D = {', '.join(map(str, RANDOM_DIMS))} (beyond the "
        "exhaustive D ≤ 8), seed 2, float64: |φ(q)ᵀφ(k) − (qᵀk + 1)²| / (‖q‖‖k‖ + 1)²",
        [
            ev.at_most(f"largest gap, {name} φ", value, 1e-13, ".1e")
            for name, value in worst.items()
        ],
        statistics=worst,
    )


CLAIM_DOUBLE_SUM = "the double-sum lemma (Σ_i q_i k_i)² = Σ_i Σ_j (q_i q_j)(k_i k_j)"
CLAIM_ORDERED = "φ(q)ᵀφ(k) = (qᵀk + 1)² for every D ≥ 1, ordered-pair map (double-sum lemma)"


CLAIM_MERGED = "φ(q)ᵀφ(k) = (qᵀk + 1)² for every D ≥ 1, merged map (induction on D)"


def checks_b_ii() -> list[Check]:
    return [
        ev.exhaustive(
            "φ(q)ᵀφ(k) = (qᵀk + 1)² for D = 1…8, merged and ordered-pair maps",
            "D = 1…8",
            lambda: _exhaustive_feature_maps(True),
            lemma=(CLAIM_ORDERED, CLAIM_MERGED),
        ),
        ev.symbolic(
            CLAIM_DOUBLE_SUM,
            _identity(
                "double_sum_lemma",
                "(Σ_i q_i k_i)² and Σ_i Σ_j q_i q_j k_i k_j",
                "for symbolic D: pulling q_i k_i out of the inner sum and then Σ_j q_j k_j out of "
                "the outer turns Σ_i Σ_j (q_i q_j)(k_i k_j) into (Σ_i q_i k_i)(Σ_j q_j k_j), the "
                "square",
            ),
        ),
        ev.symbolic(
            CLAIM_ORDERED,
            _identity(
                "ordered_map_identity_general",
                "φᵀφ and (qᵀk+1)²",
                "for symbolic D: the ordered-pair map's inner product 1 + Σ_i (√2q_i)(√2k_i) + "
                "Σ_iΣ_j (q_iq_j)(k_ik_j) is (qᵀk + 1)² by the double-sum lemma",
                sides=("inner_product", "kernel"),
            ),
        ),
        merged_map_check(),
        ev.symbolic("dimensions (D+1)(D+2)/2 merged, 1 + D + D² ordered", _argue_dimensions),
        ev.exhaustive(
            "alternative reading: φ(q)ᵀφ(k) = (qᵀk)² for D = 1…8",
            "D = 1…8",
            lambda: _exhaustive_feature_maps(False),
            lemma=CLAIM_DOUBLE_SUM,
        ),
        ev.within_tolerance("the model's feature maps are the derived ones", _model_feature_maps),
        ev.within_tolerance(
            "the stated and the model's φ satisfy φ(q)ᵀφ(k) = (qᵀk + 1)² on random vectors, "
            "D = 9, 12, 16",
            _stated_map_on_random_vectors,
        ),
    ]


# --- q3.b.iii ------------------------------------------------------------------------------------


# Sizes of the printed terms' check: P ≠ M ≠ 1, so that a transpose changes the shape.
PRINTED_P, PRINTED_M = 3, 2


def _printed_term(printed: str, kind: str, phi_q, phi_k, v):
    """The j-th term of a printed numerator (`row_latex`) from φ(Q_i), φ(K_j) (P×1) and
    V_j (M×1), with V_jᵀ where the print says so: eq. 3's scalar score times the value,
    eq. 5's row φ(Q_i)ᵀ times the P×M matrix φ(K_j)V_jᵀ. None when the shapes do not
    multiply."""
    from sympy.matrices.exceptions import ShapeError

    value = v.T if r"V_j^\top" in printed else v
    try:
        return (phi_q.T * phi_k)[0, 0] * value if kind == "eq3" else phi_q.T * (phi_k * value)
    except ShapeError:
        return None


def _argue_associativity_general() -> ev.Argument:
    import sympy as sp

    from answerkey.questions.kernel_attention import row_latex

    forms = derivation().associativity_general()
    phi_q, phi_k = (sp.Matrix(sp.symbols(f"{n}1:{PRINTED_P + 1}")) for n in ("a", "b"))
    v = sp.Matrix(sp.symbols(f"v1:{PRINTED_M + 1}"))  # a column, as in the handout's eq. 5
    printed = {kind: row_latex(forms[f"{kind}_num"]) for kind in ("eq3", "eq5")}
    terms = {kind: _printed_term(text, kind, phi_q, phi_k, v) for kind, text in printed.items()}
    handout_eq3 = (phi_q.T * phi_k)[0, 0] * v  # sim·V_j as the handout's eq. 3 prints it
    row = (1, PRINTED_M)
    return ev.Argument(
        "for symbolic N, P, M (MatrixSymbols): (ΦQ ΦKᵀ)V = ΦQ(ΦKᵀV) and (ΦQ ΦKᵀ)1 = ΦQ(ΦKᵀ1) — "
        "SymPy's matrix product is associative, both sides are ΦQ·ΦKᵀ·V; the printed row forms' "
        f"terms, with V_j a column (symbolic entries, P = {PRINTED_P}, M = {PRINTED_M}), are "
        "both 1×M and equal, while the handout's eq. 3 term sim·V_j is M×1 (the transpose the "
        "key fixes)",
        [
            *(
                ev.Fact(
                    forms[f"eq3_{what}"].doit() == forms[f"eq5_{what}"].doit(),
                    f"SymPy identifies {forms[f'eq3_{what}']} and {forms[f'eq5_{what}']}",
                )
                for what in ("num", "den")
            ),
            *(
                ev.Fact(
                    term is not None and term.shape == row,
                    f"the printed {kind} term ({printed[kind]}) is a row, shape "
                    f"{'undefined' if term is None else term.shape}",
                )
                for kind, term in terms.items()
            ),
            ev.Fact(
                None not in terms.values()
                and sp.expand(terms["eq3"] - terms["eq5"]) == sp.zeros(*row),
                "the printed terms (φ(Q_i)ᵀφ(K_j))V_jᵀ and φ(Q_i)ᵀ(φ(K_j)V_jᵀ) are equal",
            ),
            ev.Fact(
                handout_eq3.shape == (PRINTED_M, 1),
                f"the handout's eq. 3 term sim·V_j has shape {handout_eq3.shape}: a column",
            ),
        ],
    )


def _associativity_entries() -> ev.Argument:
    import sympy as sp

    KA = derivation()
    steps = []
    cases = [("generic", n, p, m) for n in (1, 2, 3) for p in (1, 2, 3) for m in (1, 2)]
    cases += [("quadratic", n, d, m) for n in (1, 2, 3) for d in (1, 2) for m in (1, 2)]
    for kind, n, width, m in cases:
        sides = KA.eq3_and_eq5(n, width, m, None if kind == "generic" else "quadratic")
        for row in range(n):
            for what in ("num", "den"):
                lhs, rhs = sides[f"eq3_{what}"][row], sides[f"eq5_{what}"][row]
                difference = sp.expand(sp.Matrix([lhs]) - sp.Matrix([rhs]))
                steps.append(
                    ev.Fact(
                        difference == sp.zeros(*difference.shape),
                        f"{kind} φ, N={n}, width={width}, M={m}: the {what} of row {row + 1} "
                        f"agree (differ by {difference})",
                        {"N": str(n), "width": str(width), "M": str(m)},
                    )
                )
    return ev.Argument(
        "numerators and denominators of eq. 3 (sim = φᵀφ) and eq. 5 are the same polynomials "
        "in symbolic entries",
        steps,
    )


CLAIM_ASSOCIATIVITY = "eq. 3 with sim = φᵀφ equals eq. 5 (associativity), symbolic sizes"
RANDOM_SIZES = [(n, d, m) for n in (1, 5, 40) for d in (1, 3, 6) for m in (1, 4)]


def _eq3_definition(sim, V):
    """Eq. 3 as defined: row i is Σ_j sim_ij V_j / Σ_j sim_ij, summed term by term."""
    import numpy as np

    return np.array([sum(s * v for s, v in zip(row, V, strict=True)) / sum(row) for row in sim])


def _linearized_on_random_inputs() -> ev.Measurement:
    """The claimed eq. 5 (lambdified) with a generic φ (random positive features) and with
    the stated quadratic φ, and the model's `kernelized_attention`, against eq. 3 computed
    from its definition on random Q, K, V."""
    import numpy as np
    import sympy as sp
    import torch

    from models.kernel_attention import kernelized_attention

    KA = derivation()
    names = {KA.ONES: sp.MatrixSymbol("ones", KA.N, 1)}  # "1" is no Python name
    claimed = sp.lambdify(
        [KA.PHI_Q, KA.PHI_K, KA.VALUES, names[KA.ONES]],
        [KA.LINEARIZED[key].xreplace(names) for key in ("numerator", "denominator")],
        "numpy",
    )

    def eq5(phi_q, phi_k, V):
        num, den = claimed(phi_q, phi_k, V, np.ones((len(phi_k), 1)))
        return np.asarray(num) / np.asarray(den)

    rng = np.random.default_rng(4)
    worst = {"generic φ": 0.0, "quadratic φ": 0.0, "the model": 0.0}
    for n, d, m in RANDOM_SIZES:
        Q, K = 0.5 * rng.standard_normal((2, n, d))
        V = rng.standard_normal((n, m))
        A, B = rng.uniform(0.1, 1.0, (2, n, d + 2))  # a generic positive φ of width d + 2
        stated = sp.lambdify(KA.vector_symbols("q", d), KA.feature_map(d), "numpy")
        phi_q, phi_k = (np.array([stated(*row) for row in X], dtype=float) for X in (Q, K))
        quadratic = _eq3_definition((Q @ K.T + 1) ** 2, V)
        model = kernelized_attention(*(torch.from_numpy(x) for x in (Q, K, V))).numpy()
        for name, got, want in (
            ("generic φ", eq5(A, B, V), _eq3_definition(A @ B.T, V)),
            ("quadratic φ", eq5(phi_q, phi_k, V), quadratic),
            ("the model", model, quadratic),
        ):
            gap = np.abs(got - want).max() / max(np.abs(want).max(), 1.0)
            worst[name] = max(worst[name], float(gap) if got.shape == want.shape else np.inf)
    return ev.Measurement(
        f"random Q, K, V (N ≤ 40, D ≤ 6, M ≤ 4; {len(RANDOM_SIZES)} sizes, seed 4, float64): "
        "the claimed eq. 5 and the model against eq. 3 as defined (Σ_j sim V_j / Σ_j sim)",
        [
            ev.at_most(f"largest relative gap, {name}", value, 1e-12, ".1e")
            for name, value in worst.items()
        ],  # fmt: skip
        statistics=worst,
    )


def checks_b_iii() -> list[Check]:
    return [
        ev.symbolic(CLAIM_ASSOCIATIVITY, _argue_associativity_general),
        ev.exhaustive(
            "eq. 3 with a kernel equals eq. 5, entry by entry, small sizes",
            "generic φ (free features, width P) with N, P ≤ 3, M ≤ 2, and quadratic φ with "
            "sim = (Q_iᵀK_j + 1)² with N ≤ 3, D ≤ 2, M ≤ 2",
            _associativity_entries,
            lemma=CLAIM_ASSOCIATIVITY,
        ),
        ev.within_tolerance(
            "the claimed eq. 5 and the model equal eq. 3's definition on random Q, K, V",
            _linearized_on_random_inputs,
        ),
    ]
