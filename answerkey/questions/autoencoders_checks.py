"""Q4(b)'s checks: the linear autoencoder's first-order conditions and their link to PCA.

The gradients are proved by matrix calculus for symbolic sizes (general), re-derived entry
by entry at small sizes (exhaustive, carried beyond by the general proof), and held against
PyTorch's autograd (numeric). The PCA point, the C family, the zero point and the loss there
are proved by rewriting with the homework's two facts; exact rational instances check them
with concrete eigenvectors, and a tie in the eigenvalues shows a second optimal subspace.
q4.a's checks read the `ae` experiment and sit with the question in
`answerkey.questions.autoencoders`.
"""

from __future__ import annotations

import itertools
import random

from answerkey import evidence as ev
from answerkey.questions.autoencoders import derivation
from answerkey.verdicts import Check

GRADIENT_SIZES = [(kk, mm, nn) for mm in (2, 3) for kk in range(1, mm) for nn in (1, 2, 3)]
CLAIM_MATRIX_CALCULUS = "Both gradients, by matrix calculus"


def _show_terms(terms: dict) -> str:
    return " + ".join(f"({c})·{'·'.join(map(str, f))}" for f, c in terms.items()) or "0"


def _rewrites_to_zero(residuals: dict[str, dict]) -> list[ev.Fact]:
    """One step per gradient: its normal form after rewriting is empty (zero), or left."""
    return [
        ev.Fact(True, f"{name} rewrites to 0")
        if not terms
        else ev.Fact(None, f"rewriting did not reach 0: {name} = {_show_terms(terms)}")
        for name, terms in residuals.items()
    ]


# --- q4.b.i ------------------------------------------------------------------------------


def _argue_gradients() -> ev.Argument:
    D = derivation()
    steps = []
    for name, got, want in zip(
        ("∂L/∂W₁", "∂L/∂W₂"), D.gradients(), D.stated_gradients(), strict=True
    ):
        rest, _ = D.rewrite_to_normal_form(got - want, rules=())
        shown = f"SymPy's form minus the stated one leaves {_show_terms(rest)}"
        steps.append(ev.Fact(True if not rest else None, f"{name}: {shown}"))
    return ev.Argument(
        "SymPy's matrix derivative of (1/n)tr((X − W₂W₁X)ᵀ(X − W₂W₁X)) expands to the same "
        "products as −(2/n)W₂ᵀ(X − W₂W₁X)Xᵀ and −(2/n)(X − W₂W₁X)XᵀW₁ᵀ, for symbolic k, m, n",
        steps,
    )


def _argue_entrywise() -> ev.Argument:
    D = derivation()
    steps = []
    for size in GRADIENT_SIZES:
        mismatches = D.entrywise_gradient_mismatch(*size)
        entry, difference = mismatches[0] if mismatches else (None, None)
        steps.append(
            ev.Fact(
                not mismatches,
                f"at (k, m, n) = {size}, {entry} differs from the formula by {difference}",
                {"k, m, n": str(size), "entry": str(entry)},
            )
        )
    return ev.Argument(
        "every entry's derivative of the scalar loss (all entries symbols) equals the "
        "formula's entry",
        steps,
    )


def _measure_autograd() -> ev.Measurement:
    import sympy as sp

    from numeric.autoencoders import synthetic_pca_problem, torch_gradient_matches_formula

    D = derivation()
    # The stated conditions themselves, evaluated in NumPy.
    stated = sp.lambdify([D.W1, D.W2, D.X, D.n], list(D.stated_gradients()), "numpy")
    x = synthetic_pca_problem(m=8, n=200, seed=3)
    worst = max(
        torch_gradient_matches_formula(x, k, stated, seed) for k, seed in ((1, 0), (3, 1), (5, 2))
    )
    return ev.Measurement(
        "autograd's gradients of the models' loss against the stated gradients (lambdified) "
        "at random points (k = 1, 3, 5; m = 8, n = 200), float64",
        [ev.at_most("largest relative difference", worst, 1e-12)],
        {"max_relative_difference": worst, "dtype": "float64", "tolerance": 1e-12},
    )


def checks_b_i() -> list[Check]:
    sizes = ", ".join(str(s) for s in GRADIENT_SIZES)
    return [
        ev.symbolic(CLAIM_MATRIX_CALCULUS, _argue_gradients),
        ev.exhaustive(
            "Both gradients, entry by entry at small sizes",
            f"(k, m, n) in {{{sizes}}}",
            _argue_entrywise,
            lemma=CLAIM_MATRIX_CALCULUS,
            timeout_s=120,
        ),
        ev.within_tolerance("PyTorch autograd agrees with the formulas", _measure_autograd),
    ]


# --- q4.b.ii -----------------------------------------------------------------------------


def _argue_pca_point() -> ev.Argument:
    D = derivation()
    # Power: without the eigenvector fact the decoder condition does not follow.
    _, g2 = D.gradients_at(D.U.T, D.U)
    without, _ = D.rewrite_to_normal_form(g2, rules=(D.ORTHONORMAL,))
    needed = "needs" if without else "does not need"
    return ev.Argument(
        "at W₁ = Uᵀ, W₂ = U both gradients rewrite to 0 using only UᵀU = I and XXᵀU = nUΛ "
        f"(∂L/∂W₁ by orthonormality alone; ∂L/∂W₂ {needed} the eigenvector fact)",
        _rewrites_to_zero(D.pca_point_residuals()),
    )


def _argue_mixed_point() -> ev.Argument:
    return ev.Argument(
        "at W₁ = CUᵀ, W₂ = UC⁻¹ both gradients rewrite to 0 with C⁻¹C = I added to the facts",
        _rewrites_to_zero(derivation().mixed_point_residuals()),
    )


def _argue_zero_point() -> ev.Argument:
    import sympy as sp

    g1, g2 = derivation().zero_point_gradients()
    zero = isinstance(g1, sp.ZeroMatrix) and isinstance(g2, sp.ZeroMatrix)
    what = "both are the zero matrix" if zero else f"SymPy left {g1} and {g2}"
    return ev.Argument(
        "both gradients are the zero matrix at W₁ = 0, W₂ = 0",
        [ev.Fact(True if zero else None, what)],
    )


def _argue_loss() -> ev.Argument:
    D = derivation()
    got, want = D.loss_at_eigenvectors(), D.stated_loss_at_eigenvectors()
    same = got == want
    what = "the normal forms agree" if same else f"normal forms differ: {got} vs {want}"
    return ev.Argument(
        "L(Uᵀ, U) rewrites (cyclic trace, UᵀU = I, XXᵀU = nUΛ) to tr((1/n)XXᵀ) − tr Λ: "
        "the sum of the eigenvalues U leaves out",
        [ev.Fact(True if same else None, what)],
    )


def _is_zero(matrix) -> bool:
    return all(entry == 0 for entry in matrix)


def _stationary(inst, w1, w2) -> bool:
    g1, g2 = derivation().exact_gradients(inst, w1, w2)
    return _is_zero(g1) and _is_zero(g2)


def _rotated_basis(inst):
    """[u₁, (3/5)u₂ + (4/5)u₃]: orthonormal, and mixing the 2nd and 3rd eigenvectors."""
    import sympy as sp

    a, b = sp.Rational(3, 5), sp.Rational(4, 5)
    return sp.Matrix.hstack(inst.q[:, 0], a * inst.q[:, 1] + b * inst.q[:, 2])


def _instances_pca() -> ev.Instances:
    """On rational data: the top-k point, the C family, every k-subset, and the losses."""
    D = derivation()
    inst = D.rational_instance(scales=(6, 4, 3, 1), samples=9, seed=0)
    rng = random.Random(1)
    size, k = inst.q.rows, 2
    top = inst.q[:, :k]
    points = [("(U_kᵀ, U_k)", top.T, top)] + [
        (f"(CU_kᵀ, U_kC⁻¹) #{i}", c * top.T, top * c.inv())
        for i, c in enumerate(D.random_invertible(k, rng) for _ in range(3))
    ]
    violations = [
        {"point": name, "gradient": "nonzero"}
        for name, w1, w2 in points
        if not _stationary(inst, w1, w2)
    ]
    losses = {}
    for subset in itertools.combinations(range(size), k):
        u = inst.q[:, list(subset)]
        if not _stationary(inst, u.T, u):
            violations.append({"eigenvectors": str(subset), "gradient": "nonzero"})
        losses[subset] = D.exact_loss(inst, u.T, u)
        discarded = sum(v for i, v in enumerate(inst.eigenvalues) if i not in subset)
        if losses[subset] != discarded:
            loss = {"loss": str(losses[subset]), "discarded": str(discarded)}
            violations.append({"eigenvectors": str(subset), **loss})
    best = min(losses, key=losses.get)
    if best != tuple(range(k)) or sorted(losses.values()).count(losses[best]) != 1:
        violations.append({"least loss at": str(best), "top": str(tuple(range(k)))})
    # Power: an orthonormal U that mixes eigenvectors of different eigenvalues must fail
    # (a violation in hand stands without it).
    mixed = _rotated_basis(inst)
    if not violations and _stationary(inst, mixed.T, mixed):
        raise RuntimeError("a non-eigenvector basis also passed: the check is blind")
    eigen = ", ".join(str(v) for v in inst.eigenvalues)
    return ev.Instances(
        f"exact rational X (4×9, centred, covariance eigenvalues {eigen}, eigenvectors from a "
        f"Cayley transform): both gradients exactly 0 at {', '.join(p[0] for p in points)} and "
        f"at all {len(losses)} choices of 2 eigenvectors; each loss the sum of the discarded "
        f"eigenvalues, least ({losses[best]}) for the top 2 (and, as a control, a "
        "rotated basis mixing eigenvalues 16/9 and 1 is not stationary)",
        checked=len(points) + len(losses),
        violations=violations,
    )


def _witness_eigengap() -> ev.Witness:
    """With σ₂² = σ₃², a rotation inside the tied eigenspace is another optimum."""
    D = derivation()
    inst = D.rational_instance(scales=(6, 3, 3, 1), samples=9, seed=0)
    top, other = inst.q[:, :2], _rotated_basis(inst)
    stationary = _stationary(inst, other.T, other)
    same_loss = D.exact_loss(inst, other.T, other) == D.exact_loss(inst, top.T, top)
    different = top * top.T != other * other.T  # different subspaces: the projections differ
    return ev.Witness(
        "with tied eigenvalues (4, 1, 1, 1/9) the basis [u₁, (3/5)u₂ + (4/5)u₃] is "
        "stationary with the optimal loss but spans a different subspace than [u₁, u₂]: "
        "without an eigengap σ_k² > σ_{k+1}² the optimal subspace is not unique",
        stationary and same_loss and different,
        {"stationary": str(stationary), "optimal loss": str(same_loss), "new": str(different)},
    )


def _measure_gradient_at_pca() -> ev.Measurement:
    from numeric.autoencoders import synthetic_pca_problem, torch_gradient_at_pca

    x = synthetic_pca_problem(m=8, n=400, seed=0)
    result = torch_gradient_at_pca(x, 3)
    worst = max(result["max_abs_grad_W1"], result["max_abs_grad_W2"])
    relative = worst / result["covariance_scale"]
    return ev.Measurement(
        f"largest gradient entry {worst:.1e} of the PyTorch loss at (U₃ᵀ, U₃), m = 8, "
        "n = 400, float64",
        [ev.at_most("relative to the covariance scale", relative, 1e-12)],
        {**result, "relative": relative},
    )


def _measure_trained() -> ev.Measurement:
    from numeric.autoencoders import synthetic_pca_problem, train_linear_autoencoder

    x = synthetic_pca_problem(m=8, n=400, seed=0)
    result = train_linear_autoencoder(x, 3)
    gap = abs(result["loss"] - result["pca_error"]) / result["pca_error"]
    return ev.Measurement(
        f"a one-layer linear autoencoder (k = 3, m = 8, n = 400) trained with full-batch Adam "
        f"for {result['steps']} steps reaches loss {result['loss']:.10f} vs PCA's "
        f"{result['pca_error']:.10f} (scikit-learn: {result['sklearn_pca_error']:.10f})",
        [
            ev.at_most("relative loss gap", gap, 1e-6),
            ev.at_most(
                "largest principal angle (rad) between its decoder's columns and "
                "scikit-learn's components",
                result["max_angle_rad"],
                1e-5,
            ),
        ],
        result,
    )


def checks_b_ii() -> list[Check]:
    return [
        ev.symbolic("W₁ = U_kᵀ, W₂ = U_k satisfy both conditions", _argue_pca_point),
        ev.symbolic("so does W₁ = CU_kᵀ, W₂ = U_kC⁻¹ for any invertible C", _argue_mixed_point),
        ev.symbolic("W₁ = 0, W₂ = 0 is stationary too", _argue_zero_point),
        ev.symbolic("the loss there is the sum of the left-out eigenvalues", _argue_loss),
        ev.exact_instances(
            "exact instances: top-k, the C family, every k eigenvectors; top-k is least",
            _instances_pca,
            timeout_s=120,
        ),
        ev.exact_witness(
            "without an eigengap the optimal subspace is not unique", _witness_eigengap
        ),
        ev.within_tolerance("the PyTorch gradient vanishes at PCA", _measure_gradient_at_pca),
        ev.within_tolerance(
            "a trained linear autoencoder reaches PCA and spans its subspace",
            _measure_trained,
            timeout_s=120,
        ),
    ]
