"""Q3: kernelized linear attention, derived in SymPy.

Symbols: `qk` stands for the dot product qᵀk (a real number); N, D, M are the
sequence length, the query/key width and the value width (positive integers).

- q3.a   the weights s_j / Σ_l s_l of eq. 3 are a convex combination when every
         s_j ≥ 0 and Σ_l s_l > 0 (symbolic N), and the Jensen gap
         Σ_j w_j‖V_j‖² − ‖Σ_j w_j V_j‖² = ½ Σ_j Σ_k w_j w_k ‖V_j − V_k‖² ≥ 0
         (symbolic N, any M: in inner products g_jk = V_jᵀV_k), so
         ‖V'_i‖² ≤ Σ_j w_j‖V_j‖² ≤ max_j ‖V_j‖².
- q3.b   sim(q, k) = (qᵀk + 1)², its feature maps (merged √2 cross terms,
         (D+1)(D+2)/2 components; or every ordered pair, 1 + D + D²), the
         identity φ(q)ᵀφ(k) = (qᵀk + 1)² expanded for concrete D and, for
         symbolic D, through the double-sum lemma (Σ_i q_i k_i)² =
         Σ_i Σ_j (q_i q_j)(k_i k_j) (ordered pairs) and by induction on D
         (merged map); the alternative reading (qᵀk)² alongside.
- q3.b.iii  eq. 3 with sim = φ(·)ᵀφ(·) equals eq. 5 (associativity).
- q3.c   exact operation counts and saved-for-backward element counts of
         `models.kernel_attention`, step by step, and their dominant terms.

Counting conventions (the same as `numeric.kernel_attention.OperationCounter`):
a matrix product (m×k)(k×n) is 2mkn FLOPs the way FLOP counters count it (one
multiply and one add per term), and mn(2k − 1) scalar operations exactly (mk n
multiplies, m n (k − 1) adds); an elementwise op is one operation per output
element; a sum of n numbers is n − 1 additions; a softmax over a row of n is
5n − 2 (n − 1 comparisons for the max, n subtractions, n exponentials, n − 1
additions, n divisions). Memory counts the elements of every distinct tensor
autograd keeps for backward (Q, K, V and the intermediates), not the output.
"""

from __future__ import annotations

import itertools

import sympy as sp
from sympy.series.limitseq import difference_delta
from sympy.simplify.simplify import factor_sum

from derivations import notation
from derivations.asymptotics import Regime
from derivations.steps import Step

qk = sp.Symbol("qk", real=True)  # stands for qᵀk
N, D, M = sp.symbols("N D M", integer=True, positive=True)
P = sp.Symbol("P", integer=True, positive=True)  # a feature map's output width

KERNEL = (qk + 1) ** 2
ALTERNATIVE_KERNEL = qk**2

# Bound indices of the symbolic sums, and the one every innermost sum is renamed to
# so that sums differing only in their dummy compare equal.
i, j, k, l = sp.symbols("i j k l", integer=True, positive=True)
_CANONICAL = sp.Symbol("iota", integer=True, positive=True)


# --- q3.b.i: the kernel ---------------------------------------------------------------------


def polynomial_kernel(degree=2, gamma=1, c=1) -> sp.Expr:
    """K(q, k) = (γ qᵀk + c)^degree, the polynomial kernel, as an expression in `qk`."""
    return (gamma * qk + c) ** degree


def quadratic_kernel() -> sp.Expr:
    """Degree 2 with every constant factor (γ and c) set to 1."""
    return polynomial_kernel(2, 1, 1)


# --- q3.b.ii: feature maps --------------------------------------------------------------------


def vector_symbols(name: str, dim: int) -> tuple[sp.Symbol, ...]:
    """(name_1, …, name_dim), real: the components of a concrete-width vector."""
    return tuple(sp.Symbol(f"{name}_{index}", real=True) for index in range(1, dim + 1))


def feature_map(dim: int, constant: bool = True, merged: bool = True, name: str = "q"):
    """φ(q) as a list of expressions in `vector_symbols(name, dim)`.

    constant=True is the map of (qᵀk + 1)², constant=False that of (qᵀk)². Order as
    `models.kernel_attention.quadratic_features`: [1, √2 q, q², √2 q_i q_j (i<j, by i)]
    merged, [1, √2 q, q_i q_j (every ordered pair, row-major)] otherwise.
    """
    x = vector_symbols(name, dim)
    head = [sp.Integer(1), *[sp.sqrt(2) * xi for xi in x]] if constant else []
    if merged:
        squares = [xi**2 for xi in x]
        cross = [sp.sqrt(2) * x[a] * x[b] for a, b in itertools.combinations(range(dim), 2)]
        return head + squares + cross
    return head + [x[a] * x[b] for a in range(dim) for b in range(dim)]


def merged_dimension(constant: bool = True) -> sp.Expr:
    """P of the merged map, counted: 1 + D (linear) + D (squares) + Σ_{i<j} 1 (pairs)."""
    pairs = sp.summation(sp.summation(1, (j, i + 1, D)), (i, 1, D))
    return sp.factor((1 + D if constant else 0) + D + pairs)


def ordered_dimension(constant: bool = True) -> sp.Expr:
    """P of the ordered-pair map: 1 + D + Σ_i Σ_j 1."""
    pairs = sp.summation(sp.summation(1, (j, 1, D)), (i, 1, D))
    return sp.expand((1 + D if constant else 0) + pairs)


DIMENSION_MERGED = (D + 1) * (D + 2) / 2
DIMENSION_ORDERED = 1 + D + D**2
ALTERNATIVE_DIMENSION_MERGED = D * (D + 1) / 2
ALTERNATIVE_DIMENSION_ORDERED = D**2


def kernel_identity_difference(dim: int, constant: bool = True, merged: bool = True) -> sp.Expr:
    """φ(q)ᵀφ(k) − K(q, k), expanded, at a concrete width (0 when the map is right)."""
    phi_q = feature_map(dim, constant, merged, "q")
    phi_k = feature_map(dim, constant, merged, "k")
    dot = sum(
        a * b for a, b in zip(vector_symbols("q", dim), vector_symbols("k", dim), strict=True)
    )
    kernel = (KERNEL if constant else ALTERNATIVE_KERNEL).subs(qk, dot)
    return sp.expand(sum(a * b for a, b in zip(phi_q, phi_k, strict=True)) - kernel)


def canonical_dummies(expr: sp.Expr) -> sp.Expr:
    """Rename the index of every innermost single-limit Sum to one fixed symbol.

    Σ_i a_i and Σ_j a_j are the same number; SymPy compares them structurally.
    Only sums with no sum inside are renamed, and the fixed symbol occurs nowhere
    else, so no index is captured.
    """
    if _CANONICAL in expr.free_symbols:
        raise ValueError("the canonical index already occurs in the expression")

    def innermost(e) -> bool:
        return isinstance(e, sp.Sum) and len(e.limits) == 1 and not e.function.has(sp.Sum)

    def rename(e):
        ((var, low, high),) = e.limits
        return sp.Sum(e.function.xreplace({var: _CANONICAL}), (_CANONICAL, low, high))

    return expr.replace(innermost, rename)


def double_sum(summand: sp.Expr, first=i, second=j, upper=D) -> sp.Expr:
    """Σ_first Σ_second summand, constant factors pulled out of each sum (inner first)."""
    inner = factor_sum(sp.Sum(summand, (second, 1, upper)))
    return factor_sum(sp.Sum(sp.expand(inner), (first, 1, upper)))


def double_sum_lemma() -> dict[str, sp.Expr]:
    """(Σ_i q_i k_i)² and Σ_i Σ_j (q_i q_j)(k_i k_j) for symbolic D.

    `factored` is the double sum after pulling the constant factor out of the inner
    and then the outer sum: (Σ_j q_j k_j)(Σ_i q_i k_i). With the dummies renamed it
    is the square: the lemma for every D.
    """
    q, kk = sp.IndexedBase("q", real=True), sp.IndexedBase("k", real=True)
    square = sp.Sum(q[i] * kk[i], (i, 1, D)) ** 2
    double = sp.Sum(sp.Sum(q[i] * q[j] * kk[i] * kk[j], (j, 1, D)), (i, 1, D))
    factored = double_sum(q[i] * q[j] * kk[i] * kk[j])
    return {
        "square": square,
        "double_sum": double,
        "factored": factored,
        "lhs": canonical_dummies(square),
        "rhs": canonical_dummies(factored),
    }


def ordered_map_identity_general() -> dict[str, sp.Expr]:
    """φ(q)ᵀφ(k) of the ordered-pair map for symbolic D, block by block:
    1·1 + Σ_i (√2 q_i)(√2 k_i) + Σ_i Σ_j (q_i q_j)(k_i k_j), and (qᵀk + 1)²."""
    q, kk = sp.IndexedBase("q", real=True), sp.IndexedBase("k", real=True)
    linear = factor_sum(sp.Sum((sp.sqrt(2) * q[i]) * (sp.sqrt(2) * kk[i]), (i, 1, D)))
    pairs = double_sum(q[i] * q[j] * kk[i] * kk[j])
    inner_product = canonical_dummies(1 + linear + pairs)
    kernel = canonical_dummies(KERNEL.subs(qk, sp.Sum(q[i] * kk[i], (i, 1, D))))
    return {"inner_product": inner_product, "kernel": kernel}


BLOCK_DIMS = (1, 2, 3, 4)  # widths at which the stated map is matched to its blocks


def _block_of(component: sp.Expr, x: tuple) -> tuple[str, tuple[int, ...], sp.Expr]:
    """(block, indices, coefficient) of one component c·x_a^p·x_b^q of a map: "constant"
    (no x), "linear" (x_a), "square" (x_a²) or "cross" (x_a x_b, a < b). Raises ValueError
    for any other component."""
    poly = sp.Poly(component, *x)
    if len(poly.terms()) != 1:
        raise ValueError(f"{component}: a component is one term c·x_a or c·x_a x_b")
    ((powers, coefficient),) = poly.terms()
    used = tuple(a for a, p in enumerate(powers) for _ in range(p))
    blocks = {0: "constant", 1: "linear", 2: "square" if len(set(used)) == 1 else "cross"}
    if len(used) > 2:
        raise ValueError(f"{component}: degree above 2")
    return blocks[len(used)], tuple(sorted(set(used))), coefficient


def stated_block_coefficients(dims=BLOCK_DIMS, constant: bool = True) -> dict[str, sp.Expr]:
    """The coefficient of each block of the stated map (`feature_map`, merged) read off its
    components: {"constant": a, "linear": l, "square": t, "cross": p} for the map
    (a, l·x_i, t·x_i², p·x_i x_j (i < j)); a block the map lacks has coefficient 0.

    At every width in `dims` the stated map must be exactly these components, one per index
    (in any order); otherwise ValueError: the map is not of block form and the induction
    (`merged_map_induction`) says nothing about it."""
    found: dict[str, set] = {name: set() for name in ("constant", "linear", "square", "cross")}
    for dim in dims:
        x = vector_symbols("q", dim)
        stated = feature_map(dim, constant, True)
        read = [_block_of(c, x) for c in stated]
        for block, _, coefficient in read:
            found[block].add(coefficient)
        expected = [("constant", ())] if found["constant"] else []
        expected += [("linear", (a,)) for a in range(dim)] if found["linear"] else []
        expected += [("square", (a,)) for a in range(dim)] if found["square"] else []
        if found["cross"] and dim > 1:
            expected += [("cross", pair) for pair in itertools.combinations(range(dim), 2)]
        if sorted((b, idx) for b, idx, _ in read) != sorted(expected):
            raise ValueError(f"at D = {dim} the stated φ is not one component per block index")
    if any(len(values) > 1 for values in found.values()):
        raise ValueError(f"a block's coefficient changes with the index: {found}")
    return {name: (values.pop() if values else sp.Integer(0)) for name, values in found.items()}


def merged_blocks(x) -> dict[str, sp.Expr]:
    """The stated merged map's blocks for a vector x (an IndexedBase), one component each,
    read off `feature_map` (`stated_block_coefficients`): for the key's map
    {"constant": 1, "linear": √2 x_i, "square": x_i², "cross": √2 x_i x_j (i < j)}."""
    c = stated_block_coefficients()
    return {
        "constant": c["constant"],
        "linear": c["linear"] * x[i],
        "square": c["square"] * x[i] ** 2,
        "cross": c["cross"] * x[i] * x[j],
    }


def merged_inner_product(blocks=merged_blocks) -> sp.Expr:
    """a(q)a(k) + Σ_{i=1}^{D} l_i(q)l_i(k) + Σ_{i=1}^{D} t_i(q)t_i(k) + Σ_{j=1}^{D} Σ_{i=1}^{j−1}
    p_ij(q)p_ij(k): φ(q)ᵀφ(k) for symbolic D of the map whose blocks `blocks(x)` gives
    (a, l_i, t_i, p_ij: "constant", "linear", "square", "cross"; see `merged_blocks`).

    The pairs i < j are enumerated as j = 1…D, i = 1…j−1, so only the outermost index
    runs up to D.
    """
    q, kk = sp.IndexedBase("q", real=True), sp.IndexedBase("k", real=True)
    bq, bk = blocks(q), blocks(kk)
    return (
        bq["constant"] * bk["constant"]
        + sp.Sum(bq["linear"] * bk["linear"], (i, 1, D))
        + sp.Sum(bq["square"] * bk["square"], (i, 1, D))
        + sp.Sum(bq["cross"] * bk["cross"], (i, 1, j - 1), (j, 1, D))
    )


def evaluate_one_point_sums(expr: sp.Expr) -> sp.Expr:
    """Σ_{v=a}^{a} f(v) = f(a) for every sum whose outermost index takes one value, then `doit`.

    Sum.doit starts at the innermost index and gives up on Σ_{i=1}^{j−1} while j is
    still bound, so Σ_{j=1}^{1} Σ_{i=1}^{j−1} would stay unevaluated.
    """

    def one_point(e) -> bool:
        return isinstance(e, sp.Sum) and e.limits[-1][1] == e.limits[-1][2]

    def evaluate(e):
        *inner, (var, low, _) = e.limits
        body = sp.Sum(e.function, *inner) if inner else e.function
        return body.subs(var, low)

    return expr.replace(one_point, evaluate).doit()


def increment(expr: sp.Expr, n=D) -> sp.Expr:
    """expr(n + 1) − expr(n), for an expression in which n occurs only as the outermost
    upper limit of its sums.

    Each such sum Σ is replaced by Σ + difference_delta(Σ, n) (SymPy: the same sum with its
    outermost index at n + 1 alone), and Σ cancels in the difference. SymPy's increment of a
    Sum holds only when the summand and the other limits are free of n: anything else is
    refused. Constant factors are pulled out of what sums remain, dummies renamed.
    """
    sums = [e for e in expr.atoms(sp.Sum) if e.has(n)]
    for one in sums:
        *inner, (_, low, high) = one.limits
        if high != n or one.function.has(n) or low.has(n) or sp.Tuple(*inner).has(n):
            raise ValueError(f"{one}: only the outermost upper limit may depend on {n}")
    if expr.xreplace({one: sp.Dummy() for one in sums}).has(n):
        raise ValueError(f"{expr} depends on {n} outside its sums")
    at_next = expr.xreplace({one: one + difference_delta(one, n) for one in sums})
    step = evaluate_one_point_sums(sp.expand(at_next - expr))
    return canonical_dummies(step.replace(lambda e: isinstance(e, sp.Sum), factor_sum))


SUM_QK = sp.Symbol("s", real=True)  # stands for Σ_{i=1}^{D} q_i k_i in the inductive step


def in_plain_symbols(expr: sp.Expr, dot: sp.Expr) -> sp.Expr:
    """expr with the sum `dot` as s (SUM_QK) and each entry outside a sum (q[1], k[D + 1]) as a
    real Symbol (q_1, k_{D+1}), so that a counterexample reads as values of those."""
    expr = expr.xreplace({dot: SUM_QK})

    def name(e: sp.Indexed) -> str:
        (index,) = e.indices
        return (
            f"{e.base}_{index}"
            if index.is_Integer
            else f"{e.base}_{{{sp.sstr(index).replace(' ', '')}}}"
        )

    entries = [e for e in expr.atoms(sp.Indexed) if not e.indices[0].free_symbols - {D}]
    return expr.xreplace({e: sp.Symbol(name(e), real=True) for e in entries})


def merged_map_induction(blocks=merged_blocks) -> dict[str, sp.Expr]:
    """φ(q)ᵀφ(k) = (qᵀk + 1)² for every D ≥ 1, by induction on D, for a map given by blocks.

    F(D) = φ(q)ᵀφ(k) (`merged_inner_product`), K(D) = (s + 1)² with s = Σ_{i=1}^{D} q_i k_i.
    Base: F(1) and K(1), every sum evaluated. Step: F(D+1) − F(D) and K(D+1) − K(D) for
    symbolic D (`increment`); for the merged map 2xy + x²y² + 2xy·s and (s + xy + 1)² −
    (s + 1)², with x = q_{D+1}, y = k_{D+1}. Equal bases and equal increments give
    F(D) = K(D) for every D ≥ 1.

    Base and step are returned in plain Symbols (`in_plain_symbols`: q_1, q_{D+1}, and s
    for the sum Σ_{i≤D} q_i k_i). An identity in independent s, x, y holds at every value
    of the sum; and every real s is such a sum (q_1 = s, k_1 = 1, the rest 0) whatever
    x and y are, so a difference found there is a genuine counterexample.
    """
    q, kk = sp.IndexedBase("q", real=True), sp.IndexedBase("k", real=True)
    dot = sp.Sum(q[i] * kk[i], (i, 1, D))
    inner_product = merged_inner_product(blocks)
    kernel = KERNEL.subs(qk, dot)

    def base(expr):  # no sum is left at D = 1
        return in_plain_symbols(sp.expand(evaluate_one_point_sums(expr.subs(D, 1))), dot)

    def step(expr):
        return in_plain_symbols(increment(expr), canonical_dummies(dot))

    return {
        "inner_product": inner_product,
        "kernel": kernel,
        "base_inner_product": base(inner_product),
        "base_kernel": base(kernel),
        "step_inner_product": step(inner_product),
        "step_kernel": step(kernel),
    }


def double_sum_lemma_at(dim: int) -> sp.Expr:
    """(Σ q_i k_i)² − Σ_i Σ_j (q_i q_j)(k_i k_j) at a concrete D, expanded."""
    q, kk = vector_symbols("q", dim), vector_symbols("k", dim)
    square = sum(a * b for a, b in zip(q, kk, strict=True)) ** 2
    double = sum(q[a] * q[b] * kk[a] * kk[b] for a in range(dim) for b in range(dim))
    return sp.expand(square - double)


# --- q3.a: why the denominator must stay positive -------------------------------------------


SCORE = sp.Symbol("s_j", real=True)  # sim(Q_i, K_j), one score of eq. 3's row i
TOTAL = sp.Symbol("S", real=True)  # Σ_l sim(Q_i, K_l), eq. 3's denominator
# q3.a's answer: the conditions on the scores and the denominator (each `x ⋈ 0`).
CONDITIONS = (sp.Ge(SCORE, 0), sp.Gt(TOTAL, 0))
# What a condition `x ⋈ 0` tells SymPy about x.
_SIGN_OF = {
    sp.GreaterThan: "nonnegative",
    sp.StrictGreaterThan: "positive",
    sp.Unequality: "nonzero",
    sp.LessThan: "nonpositive",
    sp.StrictLessThan: "negative",
}


def assumed_signs(conditions) -> dict[sp.Symbol, dict[str, bool]]:
    """{SCORE or TOTAL: SymPy assumptions} from conditions `x ⋈ 0` (Ge, Gt, Ne, Le, Lt).

    Raises ValueError for a condition of another form."""
    signs: dict[sp.Symbol, dict[str, bool]] = {SCORE: {"real": True}, TOTAL: {"real": True}}
    for condition in conditions:
        if type(condition) not in _SIGN_OF or condition.rhs != 0 or condition.lhs not in signs:
            raise ValueError(f"{condition}: a condition is s_j or S compared with 0")
        signs[condition.lhs] = {"real": True, _SIGN_OF[type(condition)]: True}
    return signs


def convex_weights(conditions=None) -> dict[str, sp.Expr]:
    """w_j = s_j / S with S = Σ_l s_l (symbolic N), under `conditions` (default the
    answer's CONDITIONS: s_j ≥ 0, S > 0).

    `weight` is s_j / S with s_j and S carrying the signs the conditions give them (S > 0:
    not every score is 0), so SymPy decides whether it is nonnegative; `weights_sum` is
    Σ_j s_j / Σ_l s_l with the constant 1/Σ_l s_l pulled out, dummies renamed: it is 1.
    """
    signs = assumed_signs(CONDITIONS if conditions is None else conditions)
    s = sp.IndexedBase("s", **signs[SCORE])
    total = sp.Symbol("S", **signs[TOTAL])
    weights_sum = canonical_dummies(factor_sum(sp.Sum(s[j] / sp.Sum(s[l], (l, 1, N)), (j, 1, N))))
    return {"weight": s[j] / total, "weights_sum": sp.simplify(weights_sum)}


def jensen_gap_identity() -> dict[str, sp.Expr]:
    """With Σ_j w_j = 1 and g_jk = V_jᵀV_k (any M), for symbolic N:

        Σ_j w_j g_jj − Σ_j Σ_k w_j w_k g_jk  =  ½ Σ_j Σ_k w_j w_k (g_jj − 2 g_jk + g_kk).

    The left side is Σ_j w_j‖V_j‖² − ‖V'_i‖², the right half-sum of w_j w_k ‖V_j − V_k‖².
    Returned: both sides with every constant factor pulled out of the sums, the
    dummies renamed and Σ_j w_j replaced by 1.
    """
    w = sp.IndexedBase("w", nonnegative=True)
    g = sp.IndexedBase("g", real=True)
    upper = N

    def dsum(summand):
        return double_sum(summand, j, k, upper)

    norm_of_mean = dsum(w[j] * w[k] * g[j, k])
    lhs = sp.Sum(w[j] * g[j, j], (j, 1, upper)) - norm_of_mean
    rhs = (dsum(w[j] * w[k] * g[j, j]) + dsum(w[j] * w[k] * g[k, k])) / 2 - norm_of_mean
    one = canonical_dummies(sp.Sum(w[j], (j, 1, upper)))
    return {
        "lhs": canonical_dummies(lhs).xreplace({one: 1}),
        "rhs": canonical_dummies(rhs).xreplace({one: 1}),
    }


def jensen_gap_at(n: int, m: int) -> dict[str, sp.Expr]:
    """The same identity with concrete vectors V_1..V_n ∈ R^m and w_n = 1 − Σ_{j<n} w_j:
    `gap` = Σ_j w_j‖V_j‖² − ‖Σ_j w_j V_j‖², `half_sum` = ½ Σ_jk w_j w_k ‖V_j − V_k‖²."""
    v = [vector_symbols(f"v{a}", m) for a in range(1, n + 1)]
    free = sp.symbols(f"w1:{n}", nonnegative=True) if n > 1 else ()
    w = [*free, 1 - sum(free)]

    def sq(vec):
        return sum(c**2 for c in vec)

    mean = [sum(w[a] * v[a][c] for a in range(n)) for c in range(m)]
    gap = sum(w[a] * sq(v[a]) for a in range(n)) - sq(mean)
    half = (
        sum(
            w[a] * w[b] * sq([x - y for x, y in zip(v[a], v[b], strict=True)])
            for a in range(n)
            for b in range(n)
        )
        / 2
    )
    return {"gap": sp.expand(gap), "half_sum": sp.expand(half)}


# --- q3.b.iii: eq. 3 with a kernel = eq. 5 ------------------------------------------------------


def eq3_and_eq5(n: int, d: int, m: int, feature=None) -> dict[str, list]:
    """Numerators and denominators of eq. 3 (sim = φᵀφ, summed over j) and of the claimed
    eq. 5 (LINEARIZED, evaluated on these matrices: φ(Q_i)ᵀ(Σ_j φ(K_j)V_jᵀ),
    φ(Q_i)ᵀ Σ_j φ(K_j)), for symbolic entries, row by row.

    feature=None: a generic map: φ(Q_i), φ(K_j) are free symbols a_ip, b_jp with p ≤ d
    (so the identity holds for every φ of width d). feature="quadratic": the merged
    map of (qᵀk + 1)² on symbolic Q_i, K_j ∈ R^d, and sim = (Q_iᵀK_j + 1)² in eq. 3.
    """
    V = sp.Matrix(n, m, lambda a, b: sp.Symbol(f"V_{a + 1}{b + 1}", real=True))
    if feature is None:
        phi_q = [sp.Matrix(d, 1, lambda p, _, a=a: sp.Symbol(f"a_{a + 1}{p + 1}", real=True))
                 for a in range(n)]  # fmt: skip
        phi_k = [sp.Matrix(d, 1, lambda p, _, a=a: sp.Symbol(f"b_{a + 1}{p + 1}", real=True))
                 for a in range(n)]  # fmt: skip
        sims = [[(phi_q[a].T * phi_k[b])[0] for b in range(n)] for a in range(n)]
    else:
        Q = [vector_symbols(f"Q{a + 1}", d) for a in range(n)]
        K = [vector_symbols(f"K{a + 1}", d) for a in range(n)]

        def phi(vec):
            return sp.Matrix(feature_map(d)).xreplace(
                dict(zip(vector_symbols("q", d), vec, strict=True))
            )

        phi_q, phi_k = [phi(x) for x in Q], [phi(x) for x in K]
        sims = [
            [KERNEL.subs(qk, sum(x * y for x, y in zip(Q[a], K[b], strict=True))) for b in range(n)]
            for a in range(n)
        ]
    # eq. 5 is the claimed LINEARIZED form with these matrices in place of its symbols.
    explicit = {
        PHI_Q: sp.ImmutableMatrix.vstack(*(x.T for x in phi_q)),
        PHI_K: sp.ImmutableMatrix.vstack(*(x.T for x in phi_k)),
        VALUES: sp.ImmutableMatrix(V),
        ONES: sp.ImmutableMatrix.ones(n, 1),
    }
    num, den = (
        sp.Matrix(LINEARIZED[key].xreplace(explicit).doit()) for key in ("numerator", "denominator")
    )
    return {
        "eq3_num": [sp.expand(sum((sims[a][b] * V[b, :] for b in range(n)), sp.zeros(1, m)))
                    for a in range(n)],
        "eq3_den": [sp.expand(sum(sims[a])) for a in range(n)],
        "eq5_num": [sp.expand(num[a, :]) for a in range(n)],
        "eq5_den": [sp.expand(den[a, 0]) for a in range(n)],
    }  # fmt: skip


PHI_Q, PHI_K = sp.MatrixSymbol("PhiQ", N, P), sp.MatrixSymbol("PhiK", N, P)  # rows φ(Q_i), φ(K_j)
VALUES = sp.MatrixSymbol("V", N, M)
ONES = sp.MatrixSymbol("1", N, 1)  # the all-ones column


def grouped(a, b) -> sp.MatMul:
    """The product a·b kept as one factor (SymPy would flatten a(bc) into abc)."""
    return sp.MatMul(a, b, evaluate=False)


# q3.b.iii's answer: eq. 3 with sim = φᵀφ rewritten as eq. 5 for all rows at once, the sums
# over j grouped first: row i of the numerator is φ(Q_i)ᵀ Σ_j φ(K_j)V_jᵀ, of the
# denominator φ(Q_i)ᵀ Σ_j φ(K_j).
LINEARIZED = {
    "numerator": grouped(PHI_Q, grouped(PHI_K.T, VALUES)),
    "denominator": grouped(PHI_Q, grouped(PHI_K.T, ONES)),
}


def associativity_general() -> dict[str, sp.Expr]:
    """eq. 3's (ΦQ ΦKᵀ) V and (ΦQ ΦKᵀ) 1, derived, for symbolic N, P, M (MatrixSymbols),
    and the claimed eq. 5 (LINEARIZED: ΦQ (ΦKᵀ V) and ΦQ (ΦKᵀ 1))."""
    return {
        "eq3_num": grouped(grouped(PHI_Q, PHI_K.T), VALUES),
        "eq5_num": LINEARIZED["numerator"],
        "eq3_den": grouped(grouped(PHI_Q, PHI_K.T), ONES),
        "eq5_den": LINEARIZED["denominator"],
    }


# --- q3.c: counts -----------------------------------------------------------------------------


def matmul_flops(m, inner, n) -> sp.Expr:
    """FLOPs of an (m×inner)(inner×n) product, as FLOP counters count it."""
    return 2 * m * inner * n


def matmul_operations(m, inner, n) -> sp.Expr:
    """Exact scalar operations of the same product: m·n·inner multiplies, m·n·(inner−1) adds."""
    return m * n * (2 * inner - 1)


def _step(what, flops=0, operations=0, saved=0, kept="") -> dict:
    """One operation: `saved` counts the elements of the tensors autograd newly keeps for
    backward, `kept` names them (LaTeX), so the memory accounting reads step by step."""
    return {
        "what": what,
        "flops": sp.sympify(flops),
        "operations": sp.sympify(operations),
        "saved": sp.sympify(saved),
        "kept": kept,
    }


def softmax_steps() -> list[dict]:
    """`models.kernel_attention.softmax_attention`, operation by operation; `saved` is
    the elements of the new tensors autograd keeps (inputs counted once, where first saved)."""
    return [
        _step(r"S = Q K^\top", matmul_flops(N, D, N), matmul_operations(N, D, N), 2 * N * D,
              "Q, K"),
        _step(r"S / \sqrt{D}", 0, N**2),
        _step(r"A = \operatorname{softmax}(S/\sqrt{D})", 0, N * (5 * N - 2), N**2, "A"),
        _step(r"V' = A V", matmul_flops(N, N, M), matmul_operations(N, N, M), N * M, "V"),
    ]  # fmt: skip


def feature_map_operations(width, constant: bool = True, merged: bool = True) -> sp.Expr:
    """Scalar operations of `quadratic_features` per input row of the given width:
    √2·x (if constant), x·x (merged) and the i<j products and their √2 scaling, or
    the outer product x xᵀ (ordered)."""
    linear = width if constant else 0
    if merged:
        pairs = width * (width - 1) / 2
        return sp.expand(linear + width + 2 * pairs)
    return sp.expand(linear + width**2)


def feature_dimension(constant: bool = True, merged: bool = True) -> sp.Expr:
    if merged:
        return DIMENSION_MERGED if constant else ALTERNATIVE_DIMENSION_MERGED
    return DIMENSION_ORDERED if constant else ALTERNATIVE_DIMENSION_ORDERED


def linear_steps(constant: bool = True, merged: bool = True, p=None, phi_ops=None) -> list[dict]:
    """`models.kernel_attention.kernelized_attention` with `quadratic_features`
    (or any map of width `p` costing `phi_ops` per row and saving only its input)."""
    p = feature_dimension(constant, merged) if p is None else p
    per_row = feature_map_operations(D, constant, merged) if phi_ops is None else phi_ops
    return [
        _step(r"\phi(Q),\ \phi(K)", 0, 2 * N * per_row, 2 * N * D, "Q, K"),
        _step(r"\phi(K)^\top V", matmul_flops(p, N, M), matmul_operations(p, N, M), N * p + N * M,
              r"\phi(K), V"),
        _step(r"z = \textstyle\sum_j \phi(K_j)", 0, p * (N - 1)),
        _step(r"\phi(Q)\,(\phi(K)^\top V)", matmul_flops(N, p, M), matmul_operations(N, p, M),
              N * p + p * M, r"\phi(Q),\ \phi(K)^\top V"),
        _step(r"\phi(Q)\, z", matmul_flops(N, p, 1), matmul_operations(N, p, 1), p, "z"),
        _step(r"\text{numerator} / \text{denominator}", 0, N * M, N * M + N,
              r"\text{numerator, denominator}"),
    ]  # fmt: skip


def totals(steps: list[dict]) -> dict[str, sp.Expr]:
    """Summed counts: matmul FLOPs, all scalar operations, saved elements."""
    return {
        key: sp.expand(sum((s[key] for s in steps), sp.Integer(0)))
        for key in ("flops", "operations", "saved")
    }


def dominant_terms(expr: sp.Expr, symbols=(N, D, M)) -> sp.Expr:
    """The big-O of a polynomial with positive leading terms: its monomials that no
    other monomial of it dominates (divides), with coefficient 1.

    N²D + N²M is the class of 2N²D + 2N²M + 6N² − 2N: N² divides N²D, so it is dropped.
    """
    poly = sp.Poly(sp.expand(expr), *symbols)
    monomials = [m for m, _ in poly.terms()]

    def dominated(a, b) -> bool:  # b dominates a
        return a != b and all(x <= y for x, y in zip(a, b, strict=True))

    keep = [m for m in monomials if not any(dominated(m, other) for other in monomials)]
    for m in keep:
        if poly.coeff_monomial(m) <= 0:
            raise ValueError(f"a dominant term of {expr} has a non-positive coefficient")
    return sp.Add(*[sp.Mul(*[s**e for s, e in zip(symbols, m, strict=True)]) for m in keep])


def costs(form: str, constant: bool = True, merged: bool = True) -> dict[str, sp.Expr]:
    """{"flops", "operations", "saved", "time_O", "memory_O"} of 'softmax' or 'linear'."""
    steps = softmax_steps() if form == "softmax" else linear_steps(constant, merged)
    out = totals(steps)
    out["time_O"] = dominant_terms(out["operations"])
    out["memory_O"] = dominant_terms(out["saved"])
    return out


# --- the steps the documents print ---------------------------------------------------------------


def latex(expr) -> str:
    """LaTeX of an expression, with `qk` printed as qᵀk."""
    return notation.latex(expr, symbol_names={qk: r"q^\top k"})


# The regime q3.c's counts are read in: long sequences, the case linear attention is for.
LONG_SEQUENCES = Regime(((N,), (D, M)))


def _total_step(text: str, name: str, total: sp.Expr, tail: str = "", collect=N) -> Step:
    """`name = total`: a long polynomial as its leading term for `LONG_SEQUENCES` +
    lower-order terms, whole (collected in `collect`) in `Step.full` for the TA key."""
    shown, whole = notation.polynomial(total, LONG_SEQUENCES, collect)
    return Step(text, f"{name} = {shown}{tail}", f"{name} = {whole}{tail}" if whole else "")


def _count_rows(steps: list[dict]) -> list[Step]:
    rows = []
    for s in steps:
        counts = [rf"{notation.latex(sp.factor(s['operations']))} \text{{ operations}}"]
        if s["flops"]:
            flops = notation.latex(sp.factor(s["flops"]))
            counts.append(rf"{flops} \text{{ matrix-product FLOPs}}")
        if s["saved"]:
            kept = rf"{s['kept']} \text{{ for backward: }}" if s["kept"] else ""
            counts.append(rf"\text{{keeps }} {kept}{notation.latex(sp.factor(s['saved']))}")
        rows.append(Step(f"Computing ${s['what']}$:", r",\quad ".join(counts)))
    return rows


def steps() -> dict[str, list[Step]]:
    """The derivation steps, by part, as the documents print them."""
    soft, lin = costs("softmax"), costs("linear")
    return {
        "q3.a": [
            Step(
                r"Write the weights of eq. 3 as $w_j = s_j / \sum_l s_l$ with "
                r"$s_j = \mathrm{sim}(Q_i, K_j)$. They sum to 1 for every $N$; if every "
                r"$s_j \ge 0$ and $\sum_l s_l > 0$ they are also nonnegative, so $V'_i$ is a "
                "convex combination of the $V_j$:",
                r"V'_i = \sum_j w_j V_j,\quad w_j = \frac{s_j}{\sum_l s_l} \ge 0,\quad "
                r"\sum_j w_j = 1",
            ),
            Step(
                r"Expand $\|\sum_j w_j V_j\|^2$ in the inner products $g_{jk} = V_j^\top V_k$; "
                r"with $\sum_j w_j = 1$ the gap to the weighted mean of the squared norms is a "
                "sum of squares:",
                r"\sum_j w_j \|V_j\|^2 - \Big\|\sum_j w_j V_j\Big\|^2 = \tfrac12 \sum_{j,k} "
                r"w_j w_k \|V_j - V_k\|^2 \ge 0",
            ),
            Step(
                "Hence the output never leaves the ball that holds every value vector:",
                r"\|V'_i\|^2 \le \sum_j w_j \|V_j\|^2 \le \max_j \|V_j\|^2",
            ),
            Step(
                r"If the scores can be negative ($\mathrm{sim} = q^\top k$), the denominator "
                r"$\sum_j s_j$ can be 0 or arbitrarily close to it while the numerator is not: "
                "$V'_i$ is unbounded.",
                r"\sum_j s_j \to 0 \;\Rightarrow\; \|V'_i\| \to \infty",
            ),
        ],
        "q3.b.i": [
            Step(
                r"The polynomial kernel of degree $p$ is $(\gamma\, q^\top k + c)^p$; set $p = 2$ "
                r"and every constant ($\gamma$, $c$) to 1:",
                r"\mathrm{sim}(q, k) = " + latex(quadratic_kernel()),
            ),
            Step(
                r"Expanded, it is a constant, a linear and a quadratic term in $q^\top k$:",
                r"(q^\top k + 1)^2 = 1 + 2\, q^\top k + (q^\top k)^2",
            ),
        ],
        "q3.b.ii": [
            Step(
                r"Write each term as an inner product: $1 = 1 \cdot 1$, "
                r"$2 q^\top k = \sum_i (\sqrt{2} q_i)(\sqrt{2} k_i)$, and, for every $D$, the "
                "square of a sum as a double sum:",
                r"(q^\top k)^2 = \Big(\sum_i q_i k_i\Big)^2 = \sum_{i=1}^D \sum_{j=1}^D "
                r"(q_i q_j)(k_i k_j)",
            ),
            Step(
                r"So $\phi$ can keep every ordered pair $(i, j)$: $1 + D + D^2$ components:",
                r"\phi(q) = \big(1,\ \sqrt2 q_1, \dots, \sqrt2 q_D,\ q_1 q_1, q_1 q_2, \dots, "
                r"q_D q_D\big)",
            ),
            Step(
                r"The pairs $(i, j)$ and $(j, i)$ give the same product; merge them into one "
                r"component $\sqrt{2} q_i q_j$, which contributes "
                r"$(\sqrt{2} q_i q_j)(\sqrt{2} k_i k_j) = 2 q_i q_j k_i k_j$, the same as the two "
                "did:",
                r"\phi(q) = \big(1,\ \sqrt2 q_i\ (i \le D),\ q_i^2\ (i \le D),\ "
                r"\sqrt2 q_i q_j\ (i < j)\big)",
            ),
            Step(
                r"Counting components: $1 + D + D + D(D-1)/2$:",
                rf"\operatorname{{dim}} \phi = {notation.latex(merged_dimension())} "
                rf"\quad(\text{{ordered pairs: }} {notation.latex(ordered_dimension())})",
            ),
            Step(
                "For $D = 2$, for example:",
                rf"\phi(q) = {notation.latex(sp.Matrix(feature_map(2)).T)}",
            ),
        ],
        "q3.b.iii": [
            Step(
                r"Substitute $\mathrm{sim}(Q_i, K_j) = \phi(Q_i)^\top \phi(K_j)$ into eq. 3, "
                r"with $V_j \in \mathbb{R}^M$ a column as in eq. 5, so that $V'_i$ is a row on "
                "both sides:",
                r"V'_i = \frac{\sum_j \big(\phi(Q_i)^\top \phi(K_j)\big)\, V_j^\top}"
                r"{\sum_j \phi(Q_i)^\top \phi(K_j)}",
            ),
            Step(
                r"$\phi(Q_i)$ does not depend on $j$: pull it out of both sums (associativity of "
                "the matrix products):",
                r"V'_i = \frac{\phi(Q_i)^\top \sum_j \phi(K_j)\, V_j^\top}"
                r"{\phi(Q_i)^\top \sum_j \phi(K_j)}",
            ),
            Step(
                "The sums over $j$ are the same for every $i$: computed once, they cost "
                "$O(N P M)$. For all rows at once (each row divided by its own denominator):",
                r"V' = \operatorname{diag}\big(\phi(Q)\,(\phi(K)^\top \mathbf{1})\big)^{-1}\, "
                r"\phi(Q)\,\big(\phi(K)^\top V\big)",
            ),
        ],
        "q3.c.i": [
            *_count_rows(softmax_steps()),
            _total_step(
                "Total scalar operations (matrix products counted exactly), its leading term "
                rf"for long sequences (${LONG_SEQUENCES.latex()}$), and matrix-product FLOPs:",
                "T",
                soft["operations"],
                rf",\quad \text{{FLOPs}} = {notation.latex(sp.factor(soft['flops']))}",
            ),
            _total_step(
                r"Kept for backward: $Q$, $K$, $V$ and the $N \times N$ attention matrix:",
                r"\text{numbers kept}",
                soft["saved"],
                collect=None,
            ),
            Step(
                "Big-O, for any sizes (no regime assumed):",
                rf"O\big({notation.latex(soft['time_O'])}\big) \text{{ time}},\quad "
                rf"O\big({notation.latex(soft['memory_O'])}\big) \text{{ memory}}",
            ),
        ],
        "q3.c.ii": [
            Step(
                "With $P = (D+1)(D+2)/2$ features (merged map); the feature map costs "
                "$D(D+1)$ operations per row:",
                rf"P = {notation.latex(DIMENSION_MERGED)}",
            ),
            *_count_rows(linear_steps(p=P, phi_ops=D * (D + 1))),
            _total_step(
                "Totals with $P$ substituted, and their leading terms for long sequences "
                rf"(${LONG_SEQUENCES.latex()}$):",
                "T",
                lin["operations"],
                rf",\quad \text{{FLOPs}} = {notation.latex(sp.factor(lin['flops']))}",
            ),
            _total_step(
                r"Kept for backward: $Q$, $K$, $V$, $\phi(Q)$, $\phi(K)$, $\phi(K)^\top V$, "
                r"$\sum_j \phi(K_j)$, the numerator and the denominator:",
                r"\text{numbers kept}",
                lin["saved"],
            ),
            Step(
                "Big-O, for any sizes (no regime assumed): linear in $N$, no $N^2$ anywhere:",
                rf"O\big({notation.latex(lin['time_O'])}\big) \text{{ time}},\quad "
                rf"O\big({notation.latex(lin['memory_O'])}\big) \text{{ memory}}",
            ),
        ],
    }


def derived_crossover(key: str, d: int, m: int, constant: bool = True, merged: bool = True) -> int:
    """The smallest N from which on the linearized form's count (`key`: "flops",
    "operations" or "saved") is below softmax's, at concrete D and M: one more than
    the largest real root of their difference, a polynomial in N."""
    softmax = costs("softmax")[key].subs({D: d, M: m})
    linear = costs("linear", constant, merged)[key].subs({D: d, M: m})
    x = sp.Symbol("x", real=True)
    difference = sp.Poly(sp.expand((softmax - linear).subs(N, x)), x)
    roots = [r for r in difference.real_roots() if r.is_real]
    start = max([0, *[int(sp.floor(r)) for r in roots]]) + 1
    if difference.eval(start) <= 0:
        raise ValueError(f"the linearized {key} never drops below softmax's")
    return start
