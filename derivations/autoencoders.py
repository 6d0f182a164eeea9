"""Q4(b): the linear autoencoder's first-order conditions, and why PCA satisfies them.

L(W₁, W₂; X) = (1/n) ‖X − W₂W₁X‖²_F = (1/n) tr((X − W₂W₁X)ᵀ(X − W₂W₁X)),
X ∈ R^{m×n}, encoder W₁ ∈ R^{k×m}, decoder W₂ ∈ R^{m×k}.

The argument, each step of which SymPy carries out:

1. matrix calculus on MatrixSymbols (symbolic k, m, n) gives
   ∂L/∂W₁ = −(2/n) W₂ᵀ(X − W₂W₁X)Xᵀ and ∂L/∂W₂ = −(2/n)(X − W₂W₁X)XᵀW₁ᵀ;
   the first-order conditions set both to zero. A second line differentiates
   the scalar loss entry by entry at every small concrete size.
2. At W₁ = Uᵀ, W₂ = U both gradients reduce to 0 by rewriting with the two
   facts the homework supplies and nothing else: UᵀU = I (orthonormal
   columns) and XXᵀU = nUΛ (eigenvectors of (1/n)XXᵀ, Λ diagonal), as
   rewrite rules on the expanded products (`rewrite_to_normal_form`).
   Neither fact mentions *which* eigenvectors, so any k of them pass, and so
   does the family W₁ = CUᵀ, W₂ = UC⁻¹ (C invertible).
3. The loss at such a point is tr((1/n)XXᵀ) − tr Λ: the sum of the
   eigenvalues left out, smallest when U holds the top k.
4. Exact instances in rational arithmetic: X = Q diag(d) Pᵀ with Q a
   rational orthogonal matrix (Cayley transform) and P rational orthonormal
   columns orthogonal to 1 (centred data), so (1/n)XXᵀ = Q diag(d²/n) Qᵀ has
   known rational eigenvectors and eigenvalues.

Nothing here imports numpy or torch.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from derivations import notation
from derivations.steps import Step

k, m, n = sp.symbols("k m n", integer=True, positive=True)
W1 = sp.MatrixSymbol("W_1", k, m)  # encoder
W2 = sp.MatrixSymbol("W_2", m, k)  # decoder
X = sp.MatrixSymbol("X", m, n)  # data, one sample per column
U = sp.MatrixSymbol("U", m, k)  # k orthonormal eigenvectors of (1/n) X Xᵀ
Lam = sp.MatrixSymbol("Lambda", k, k)  # their eigenvalues, diagonal
C = sp.MatrixSymbol("C", k, k)  # an invertible mixing of the code

ASSUMPTIONS = (
    "X ∈ R^{m×n} with zero-mean rows (centred samples as columns); k < m",
    "U ∈ R^{m×k} with UᵀU = I_k and (1/n)XXᵀU = UΛ, Λ diagonal",
    "C ∈ R^{k×k} invertible",
)


def loss(w1=W1, w2=W2, x=X) -> sp.Expr:
    """L = (1/n) tr((X − W₂W₁X)ᵀ(X − W₂W₁X)) = (1/n)‖X − W₂W₁X‖²_F."""
    residual = x - w2 * w1 * x
    return sp.Trace(residual.T * residual) / n


def gradients() -> tuple[sp.MatrixExpr, sp.MatrixExpr]:
    """(∂L/∂W₁, ∂L/∂W₂) by SymPy's matrix calculus, for symbolic k, m, n."""
    objective = loss()
    return objective.diff(W1), objective.diff(W2)


def stated_gradients() -> tuple[sp.MatrixExpr, sp.MatrixExpr]:
    """The key's stated forms: −(2/n)W₂ᵀ(X − W₂W₁X)Xᵀ and −(2/n)(X − W₂W₁X)XᵀW₁ᵀ."""
    residual = X - W2 * W1 * X
    return -2 / n * W2.T * residual * X.T, -2 / n * residual * X.T * W1.T


# --- rewriting with the two facts ----------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Replace the adjacent factors `lhs` of a product by coefficient · `rhs`."""

    name: str
    lhs: tuple
    coefficient: sp.Expr
    rhs: tuple


ORTHONORMAL = Rule("UᵀU = I", (U.T, U), sp.Integer(1), ())
EIGEN = Rule("XXᵀU = nUΛ", (X, X.T, U), n, (U, Lam))
EIGEN_T = Rule("UᵀXXᵀ = nΛUᵀ (transpose, Λ diagonal)", (U.T, X, X.T), n, (Lam, U.T))
DIAGONAL = Rule("Λᵀ = Λ", (Lam.T,), sp.Integer(1), (Lam,))
INVERSE = Rule("C⁻¹C = I", (C.I, C), sp.Integer(1), ())
INVERSE_R = Rule("CC⁻¹ = I", (C, C.I), sp.Integer(1), ())
FACTS = (ORTHONORMAL, EIGEN, EIGEN_T, DIAGONAL)


def _terms(expr) -> list[tuple[sp.Expr, tuple]]:
    """An expanded matrix expression as [(scalar coefficient, (matrix factors...))]."""
    expr = sp.expand(expr.doit())
    if isinstance(expr, sp.ZeroMatrix) or expr == 0:
        return []
    summands = expr.args if isinstance(expr, sp.MatAdd) else (expr,)
    out = []
    for term in summands:
        if isinstance(term, sp.MatMul):
            coefficient, factors = term.as_coeff_matrices()
        else:
            coefficient, factors = sp.Integer(1), [term]
        factors = tuple(f for f in factors if not isinstance(f, sp.Identity))
        if any(isinstance(f, sp.ZeroMatrix) for f in factors):
            continue
        out.append((coefficient, factors))
    return out


def _apply_once(coefficient, factors, rules) -> tuple[sp.Expr, tuple, str] | None:
    for rule in rules:
        width = len(rule.lhs)
        for start in range(len(factors) - width + 1):
            if factors[start : start + width] == rule.lhs:
                new = factors[:start] + rule.rhs + factors[start + width :]
                return coefficient * rule.coefficient, new, rule.name
    return None


def rewrite_to_normal_form(expr, rules=FACTS) -> tuple[dict[tuple, sp.Expr], list[str]]:
    """Expand `expr`, rewrite every product with `rules` until none applies, and
    collect like terms. Returns ({factors: coefficient} without zero entries, the
    rules used in order). The expression is zero when the dict is empty.
    """
    collected: dict[tuple, sp.Expr] = {}
    used: list[str] = []
    for coefficient, factors in _terms(expr):
        while (step := _apply_once(coefficient, factors, rules)) is not None:
            coefficient, factors, name = step
            used.append(name)
        collected[factors] = sp.simplify(collected.get(factors, 0) + coefficient)
    return {f: c for f, c in collected.items() if c != 0}, used


def _trace_terms(expr) -> list[tuple[sp.Expr, tuple]]:
    """An expanded sum of scalar multiples of traces as [(coefficient, factors in the trace)]."""
    out = []
    for term in sp.Add.make_args(sp.expand(expr)):
        coefficient, rest = term.as_independent(sp.Trace)
        if not isinstance(rest, sp.Trace):
            raise ValueError(f"not a multiple of a trace: {term}")
        for c, factors in _terms(rest.arg):
            out.append((coefficient * c, factors))
    return out


def rewrite_trace(expr, rules=FACTS) -> tuple[dict[tuple, sp.Expr], list[str]]:
    """Like `rewrite_to_normal_form` for a sum of traces, using tr(AB) = tr(BA): every
    cyclic rotation of a product is tried, and a product is kept in the rotation
    that is smallest as text, so equal traces collect."""
    collected: dict[tuple, sp.Expr] = {}
    used: list[str] = []
    for coefficient, factors in _trace_terms(expr):
        changed = True
        while changed and factors:
            changed = False
            for shift in range(len(factors)):
                rotated = factors[shift:] + factors[:shift]
                step = _apply_once(coefficient, rotated, rules)
                if step is not None:
                    coefficient, factors, name = step
                    used.append(name)
                    changed = True
                    break
        if factors:
            rotations = [factors[s:] + factors[:s] for s in range(len(factors))]
            factors = min(rotations, key=lambda fs: "*".join(map(str, fs)))
        collected[factors] = sp.simplify(collected.get(factors, 0) + coefficient)
    return {f: c for f, c in collected.items() if c != 0}, used


def gradients_at(w1, w2) -> tuple[sp.MatrixExpr, sp.MatrixExpr]:
    """Both gradients with W₁ = w1, W₂ = w2 substituted."""
    g1, g2 = gradients()
    return g1.subs({W1: w1, W2: w2}), g2.subs({W1: w1, W2: w2})


def pca_point_residuals() -> dict[str, dict]:
    """The normal forms of ∂L/∂W₁ and ∂L/∂W₂ at W₁ = Uᵀ, W₂ = U (empty = zero)."""
    g1, g2 = gradients_at(U.T, U)
    return {"dL/dW1": rewrite_to_normal_form(g1)[0], "dL/dW2": rewrite_to_normal_form(g2)[0]}


def mixed_point_residuals() -> dict[str, dict]:
    """The same at W₁ = CUᵀ, W₂ = UC⁻¹, with C⁻¹C = CC⁻¹ = I added to the facts."""
    rules = (*FACTS, INVERSE, INVERSE_R)
    g1, g2 = gradients_at(C * U.T, U * C.I)
    return {
        "dL/dW1": rewrite_to_normal_form(g1, rules)[0],
        "dL/dW2": rewrite_to_normal_form(g2, rules)[0],
    }


def zero_point_gradients() -> tuple[sp.MatrixExpr, sp.MatrixExpr]:
    """Both gradients at W₁ = 0, W₂ = 0 (each product holds a zero factor)."""
    g1, g2 = gradients_at(sp.ZeroMatrix(k, m), sp.ZeroMatrix(m, k))
    return g1.doit(), g2.doit()


def loss_at_eigenvectors() -> dict[tuple, sp.Expr]:
    """L(Uᵀ, U) in normal form: expected {(Xᵀ, X)... → 1/n tr(XᵀX), (Λ,) → −1}."""
    return rewrite_trace(loss(U.T, U))[0]


def stated_loss_at_eigenvectors() -> dict[tuple, sp.Expr]:
    """(1/n) tr(XXᵀ) − tr Λ, in the same normal form: the eigenvalues left out."""
    return rewrite_trace(sp.Trace(X * X.T) / n - sp.Trace(Lam))[0]


# --- concrete sizes: entry-by-entry differentiation ------------------------------


def entrywise_gradient_mismatch(kk: int, mm: int, nn: int) -> list[tuple[str, sp.Expr]]:
    """Differentiate the scalar loss by every entry of W₁ and W₂ at concrete sizes,
    with every entry of W₁, W₂, X a real symbol, and compare with the stated
    gradients. Returns the entries where they differ (empty = agree everywhere)."""
    w1 = sp.Matrix(kk, mm, lambda i, j: sp.Symbol(f"a{i}{j}", real=True))
    w2 = sp.Matrix(mm, kk, lambda i, j: sp.Symbol(f"b{i}{j}", real=True))
    x = sp.Matrix(mm, nn, lambda i, j: sp.Symbol(f"x{i}{j}", real=True))
    residual = x - w2 * w1 * x
    scalar = sum(e**2 for e in residual) / nn
    g1, g2 = stated_gradients()
    sizes = {k: kk, m: mm, n: nn}
    # Fix the sizes first: the MatrixSymbols then have concrete shapes to replace.
    values = {W1.subs(sizes): w1, W2.subs(sizes): w2, X.subs(sizes): x}
    concrete = [sp.Matrix(g.subs(sizes).xreplace(values).doit()) for g in (g1, g2)]
    mismatches = []
    for name, wmat, gmat in (("W1", w1, concrete[0]), ("W2", w2, concrete[1])):
        for i in range(wmat.rows):
            for j in range(wmat.cols):
                difference = sp.expand(sp.diff(scalar, wmat[i, j]) - gmat[i, j])
                if difference != 0:
                    mismatches.append((f"d/d{name}[{i},{j}]", difference))
    return mismatches


# --- exact rational instances ---------------------------------------------------


def cayley(skew: sp.Matrix) -> sp.Matrix:
    """Q = (I − A)(I + A)⁻¹ for skew-symmetric A: orthogonal, and rational when A is."""
    eye = sp.eye(skew.rows)
    return (eye - skew) * (eye + skew).inv()


def random_skew(size: int, rng: random.Random) -> sp.Matrix:
    entries = sp.zeros(size, size)
    for i, j in itertools.combinations(range(size), 2):
        value = sp.Rational(rng.randint(-4, 4), rng.randint(1, 3))
        entries[i, j], entries[j, i] = value, -value
    return entries


def centred_orthonormal_columns(rows: int, cols: int, rng: random.Random) -> sp.Matrix:
    """P ∈ Q^{rows×cols} with PᵀP = I and Pᵀ1 = 0; `rows` must be a perfect square.

    A Householder reflection H maps e₁ to 1/√rows (rational because √rows is);
    its other columns span 1's orthogonal complement, mixed by a Cayley rotation.
    """
    root = sp.sqrt(rows)
    if not root.is_Integer:
        raise ValueError(f"rows = {rows} must be a perfect square")
    u = sp.ones(rows, 1) / root
    v = sp.eye(rows)[:, 0] - u
    householder = sp.eye(rows) - 2 * v * v.T / (v.T * v)[0]
    complement = householder[:, 1:]
    return complement * cayley(random_skew(rows - 1, rng))[:, :cols]


@dataclass(frozen=True)
class Instance:
    """X = Q diag(d) Pᵀ: (1/n)XXᵀ = Q diag(d²/n) Qᵀ, eigenvalues `eigenvalues` (descending)."""

    x: sp.Matrix
    q: sp.Matrix
    eigenvalues: tuple[sp.Rational, ...]

    @property
    def samples(self) -> int:
        return self.x.cols


def rational_instance(scales=(6, 4, 3, 1), samples: int = 9, seed: int = 0) -> Instance:
    """A centred data matrix whose covariance has known rational eigenvectors."""
    rng = random.Random(seed)
    size = len(scales)
    q = cayley(random_skew(size, rng))
    p = centred_orthonormal_columns(samples, size, rng)
    x = q * sp.diag(*[sp.Integer(s) for s in scales]) * p.T
    eigenvalues = tuple(sp.Rational(s * s, samples) for s in scales)
    return Instance(x=x, q=q, eigenvalues=eigenvalues)


def exact_gradients(inst: Instance, w1: sp.Matrix, w2: sp.Matrix) -> tuple[sp.Matrix, sp.Matrix]:
    """The stated gradients evaluated in exact arithmetic."""
    residual = inst.x - w2 * w1 * inst.x
    factor = sp.Rational(-2, inst.samples)
    return factor * w2.T * residual * inst.x.T, factor * residual * inst.x.T * w1.T


def exact_loss(inst: Instance, w1: sp.Matrix, w2: sp.Matrix) -> sp.Rational:
    residual = inst.x - w2 * w1 * inst.x
    return sum(e**2 for e in residual) / inst.samples


def random_invertible(size: int, rng: random.Random) -> sp.Matrix:
    while True:
        candidate = sp.Matrix(size, size, lambda i, j: sp.Rational(rng.randint(-5, 5), 2))
        if candidate.det() != 0:
            return candidate


def as_fraction(value: sp.Rational) -> Fraction:
    return Fraction(int(value.p), int(value.q))


# --- the documents' steps ----------------------------------------------------------


def steps() -> dict[str, list[Step]]:
    g1, g2 = gradients()
    return {
        "q4.b.i": [
            Step(
                "Write the squared Frobenius norm as a trace:",
                r"L(W_1, W_2) = \tfrac{1}{n}\operatorname{tr}\!\big((X - W_2W_1X)^\top"
                r"(X - W_2W_1X)\big)",
            ),
            Step(
                "Differentiate with respect to the encoder (matrix calculus):",
                rf"\frac{{\partial L}}{{\partial W_1}} = {notation.latex(g1)}",
            ),
            Step(
                "and with respect to the decoder:",
                rf"\frac{{\partial L}}{{\partial W_2}} = {notation.latex(g2)}",
            ),
            Step(
                "The first-order conditions set both to zero:",
                r"W_2^\top (X - W_2W_1X)X^\top = 0, \qquad (X - W_2W_1X)X^\top W_1^\top = 0",
            ),
        ],
        "q4.b.ii": [
            Step(
                "The two facts used: orthonormal columns, and eigenvectors of the covariance:",
                r"U_k^\top U_k = I_k, \qquad \tfrac{1}{n}XX^\top U_k = U_k\Lambda_k",
            ),
            Step(
                r"Encoder condition at $W_1 = U_k^\top$, $W_2 = U_k$: the two terms cancel by "
                "orthonormality alone:",
                r"U_k^\top (X - U_kU_k^\top X)X^\top = U_k^\top XX^\top - "
                r"(U_k^\top U_k)U_k^\top XX^\top = 0",
            ),
            Step(
                "Decoder condition: apply the eigenvector fact, then orthonormality:",
                r"(X - U_kU_k^\top X)X^\top U_k = XX^\top U_k - U_kU_k^\top XX^\top U_k "
                r"= nU_k\Lambda_k - nU_k(U_k^\top U_k)\Lambda_k = 0",
            ),
            Step(
                r"The same cancellations hold for $W_1 = C U_k^\top$, $W_2 = U_k C^{-1}$ with "
                r"any invertible $C$ ($C^{-1} C = I$), and for any $k$ eigenvectors, not only "
                "the top $k$:",
                r"W_2W_1 = U_kC^{-1}CU_k^\top = U_kU_k^\top",
            ),
            Step(
                "The loss there is the sum of the eigenvalues left out, smallest for the top $k$:",
                r"L(U_k^\top, U_k) = \operatorname{tr}\!\big(\tfrac{1}{n}XX^\top\big) - "
                r"\operatorname{tr}\Lambda_k = \sum_{i > k} \sigma_i^2",
            ),
        ],
    }


# --- q4.a: the probe on a random subspace of the equal-variance block -----------------------
#
# The synthetic label is y = 1[uᵀz > 0], u = (1, …, 1)/√d over the d = 20 coordinates of
# variance 10. Those d directions have equal variance, so nothing in the reconstruction
# objective prefers one k-dimensional subspace S of the block to another: an autoencoder
# (or PCA on a sample) with k < d keeps an arbitrary one, uniformly distributed by symmetry.
# The best classifier of y from the projection P_S z is sign(vᵀz), v = P_S u/‖P_S u‖, and by
# Sheppard's formula (two standard normals with correlation ρ have equal signs with
# probability 1 − arccos(ρ)/π) its accuracy is
#
#     a(S) = 1 − θ/π,   cos²θ = ‖P_S u‖² =: C,   C ~ Beta(k/2, (d − k)/2)
#
# (the squared length of a fixed unit vector projected on a uniform k-subspace of R^d).
# With C = cos²θ the angle θ ∈ [0, π/2] has density 2 cos^{k−1}θ sin^{d−k−1}θ / B(k/2, (d−k)/2),
# so E[a] and Var[a] need ∫ θ^p cos^{k−1}θ sin^{d−k−1}θ dθ, p = 0, 1, 2, which are exact:
# writing cos and sin through e^{iθ} turns the integrand into Σ_j c_j θ^p e^{ijθ}.

SUBSPACE_BLOCK = 20  # models.synthetic.HIGH_VARIANCE_DIMS (derivations know nothing of models)
theta = sp.Symbol("theta", real=True)


def _angle_moment(power: int, cos_power: int, sin_power: int) -> sp.Expr:
    """∫_0^{π/2} θ^power cos^cos_power θ sin^sin_power θ dθ, exactly (integers ≥ 0)."""
    z = sp.Symbol("z")
    laurent = sp.expand(((z + 1 / z) / 2) ** cos_power * ((z - 1 / z) / (2 * sp.I)) ** sin_power)
    total = sp.Integer(0)
    for term in sp.Add.make_args(laurent):
        coefficient, exponent = term.as_coeff_exponent(z)
        if exponent == 0:
            total += coefficient * (sp.pi / 2) ** (power + 1) / (power + 1)
        else:
            integral = sp.integrate(
                theta**power * sp.exp(sp.I * exponent * theta), (theta, 0, sp.pi / 2)
            )
            total += coefficient * integral
    return sp.simplify(sp.expand_complex(sp.expand(total)))


@dataclass(frozen=True)
class SubspaceProbe:
    """The Bayes probe's accuracy on a uniform random k-subspace of the d-dim block.

    mean, variance: exact SymPy numbers (E[a], Var[a]); normalizer_ok: ∫ of the angle's
    density is 1 (the Beta function identity, checked exactly, not assumed).
    """

    k: int
    d: int
    mean: sp.Expr
    variance: sp.Expr
    normalizer_ok: bool

    @property
    def std(self) -> sp.Expr:
        return sp.sqrt(self.variance)


def random_subspace_probe(k: int, d: int = SUBSPACE_BLOCK) -> SubspaceProbe:
    """E and Var of a = 1 − θ/π for a uniform k-subspace of R^d (1 ≤ k); k ≥ d gives a = 1.

    Source: Sheppard (1899) for P(equal signs) = 1 − arccos(ρ)/π; the Beta law of ‖P_S u‖²
    (e.g. Frankl & Maehara 1990, the Johnson–Lindenstrauss lemma's proof)."""
    if k < 1:
        raise ValueError(f"k must be ≥ 1, got {k}")
    if k >= d:
        return SubspaceProbe(k, d, sp.Integer(1), sp.Integer(0), True)
    a, b = k - 1, d - k - 1
    half_beta = sp.gamma(sp.Rational(k, 2)) * sp.gamma(sp.Rational(d - k, 2))
    half_beta = half_beta / sp.gamma(sp.Rational(d, 2)) / 2  # B(k/2, (d−k)/2)/2
    zeroth = _angle_moment(0, a, b)
    first = _angle_moment(1, a, b) / zeroth
    second = _angle_moment(2, a, b) / zeroth
    mean = sp.simplify(1 - first / sp.pi)
    variance = sp.simplify((second - first**2) / sp.pi**2)
    return SubspaceProbe(k, d, mean, variance, sp.simplify(zeroth - half_beta) == 0)
