"""Q1: the GCN layer's gradients, and the normalized adjacency, derived with SymPy.

The layer is H = tanh(Z), Z = Â X Wᵀ, with Â (n×n), X (n×f_in), W (f_out×f_in).
For any loss L with upstream gradient G = ∂L/∂H (n×f_out), write
S = G ⊙ tanh'(Z) = G ⊙ (1 − H ⊙ H). The claim (what `models.karate_club`
implements by hand):

    ∂L/∂W = Sᵀ Â X,     ∂L/∂X = Âᵀ S W,     ∂L/∂Â = S W Xᵀ.

Three lines of evidence, each carried out by SymPy:

1. general: the scalar lemma tanh'(z) = 1 − tanh²(z), and SymPy's matrix
   calculus on MatrixSymbols of symbolic sizes: the derivative of the linear
   functional L = tr(Gᵀ tanh(Â X Wᵀ)) (every loss's first-order change through H
   has this form, with G its gradient) with respect to W, X and Â, compared with
   the claim after renaming bound variables;
2. exhaustive: at every size n ≤ 3, f_in ≤ 2, f_out ≤ 2, with a distinct symbol
   for every entry of Â, X, W and G, the explicit scalar L differentiated entry by
   entry agrees with the claimed matrices identically (for all real entries);
3. numeric (in `numeric.karate_club`): torch.autograd.gradcheck in float64.

Â = D^{-1/2}(A + I)D^{-1/2} is computed exactly (square roots kept symbolic) for
a given edge list, which gives the hand-computed reference of the tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from derivations import notation
from derivations.steps import Step

n = sp.Symbol("n", integer=True, positive=True)
f_in = sp.Symbol("f_in", integer=True, positive=True)
f_out = sp.Symbol("f_out", integer=True, positive=True)
z = sp.Symbol("z", real=True)

A_hat = sp.MatrixSymbol("Ahat", n, n)
X = sp.MatrixSymbol("X", n, f_in)
W = sp.MatrixSymbol("W", f_out, f_in)
G = sp.MatrixSymbol("G", n, f_out)  # the upstream gradient ∂L/∂H

TANH_PRIME = sp.Lambda(z, 1 - sp.tanh(z) ** 2)
EXHAUSTIVE_SIZES = tuple(itertools.product((1, 2, 3), (1, 2), (1, 2)))  # (n, f_in, f_out)


def pre_activation(a=A_hat, x=X, w=W):
    """Z = Â X Wᵀ."""
    return a * x * w.T


def layer(a=A_hat, x=X, w=W):
    """H = tanh(Z), elementwise."""
    return pre_activation(a, x, w).applyfunc(sp.tanh)


def tanh_derivative_lemma() -> tuple[sp.Expr, sp.Expr]:
    """(d/dz tanh z as SymPy differentiates it, the claimed 1 − tanh² z)."""
    return sp.diff(sp.tanh(z), z), 1 - sp.tanh(z) ** 2


def upstream_functional(a=A_hat, x=X, w=W, g=G):
    """L = tr(Gᵀ H) = Σ_ij G_ij H_ij: its gradient in H is G."""
    return sp.Trace(g.T * layer(a, x, w))


def derived_gradients() -> dict[str, sp.MatrixExpr]:
    """∂L/∂W, ∂L/∂X, ∂L/∂Â by SymPy's matrix calculus, sizes symbolic."""
    functional = upstream_functional()
    return {"W": functional.diff(W), "X": functional.diff(X), "A": functional.diff(A_hat)}


def claimed_gradients(a=A_hat, x=X, w=W, g=G) -> dict[str, sp.MatrixExpr]:
    """The hand-derived formulas, with S = G ⊙ tanh'(Z)."""
    s = sp.HadamardProduct(g, pre_activation(a, x, w).applyfunc(TANH_PRIME))
    return {"W": s.T * a * x, "X": a.T * s * w, "A": s * w * x.T}


def _canonical(expr):
    """Rename the bound variable of every elementwise function to one symbol, simplify
    its body, and push transposes inward, so equal expressions compare equal."""

    def rename(e):
        function = e.function
        variable = function.variables[0]
        body = sp.simplify(function.expr.xreplace({variable: z}))
        return ElementwiseApplyFunction(sp.Lambda(z, body), e.expr)

    return expr.doit().replace(lambda e: isinstance(e, ElementwiseApplyFunction), rename)


def gradients_agree(which: str) -> bool:
    """True if SymPy's derivative and the claim are the same expression tree once
    bound variables are renamed and transposes pushed inward."""
    derived, claimed = derived_gradients()[which], claimed_gradients()[which]
    return _canonical(derived) == _canonical(claimed)


def entrywise_instance(size_n: int, size_in: int, size_out: int):
    """Explicit matrices of distinct real symbols at one concrete size."""

    def symbols(name, rows, cols):
        return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}{i}{j}", real=True))

    return (
        symbols("a", size_n, size_n),
        symbols("x", size_n, size_in),
        symbols("w", size_out, size_in),
        symbols("g", size_n, size_out),
    )


def entrywise_differences(size_n: int, size_in: int, size_out: int) -> dict[str, sp.Matrix]:
    """Claimed minus directly differentiated gradients at one size, entry by entry.

    L = Σ_ij G_ij tanh(Z_ij) is written out as an explicit scalar; its derivative
    with respect to each entry of W, X, Â is taken by `sp.diff`. Zero matrices
    mean the claim holds at that size for every real value of every entry.
    """
    a, x, w, g = entrywise_instance(size_n, size_in, size_out)
    h = (a * x * w.T).applyfunc(sp.tanh)
    functional = sum(g[i, j] * h[i, j] for i in range(size_n) for j in range(size_out))
    # The claim itself (`claimed_gradients`), evaluated on the explicit matrices.
    claimed = {
        name: sp.Matrix(formula.doit()).applyfunc(lambda e: e.doit())
        for name, formula in claimed_gradients(a, x, w, g).items()
    }
    derived = {
        name: matrix.applyfunc(lambda entry: sp.diff(functional, entry))
        for name, matrix in (("W", w), ("X", x), ("A", a))
    }
    return {name: (claimed[name] - derived[name]).applyfunc(sp.expand) for name in ("W", "X", "A")}


# --- the normalized adjacency -------------------------------------------------------


def normalized_adjacency_exact(edges: Iterable[tuple[int, int]], size: int) -> sp.Matrix:
    """Â = D^{-1/2}(A + I)D^{-1/2} in exact arithmetic for an undirected 0/1 edge list."""
    a_tilde = sp.eye(size)
    for u, v in edges:
        a_tilde[u, v] = a_tilde[v, u] = 1
    degrees = [sum(a_tilde.row(i)) for i in range(size)]
    return sp.Matrix(size, size, lambda i, j: a_tilde[i, j] / sp.sqrt(degrees[i] * degrees[j]))


def stationary_vector_residual(a_hat: sp.Matrix, degrees: list[int]) -> sp.Matrix:
    """Â √d − √d: zero means √d (d the degrees of A + I) is an eigenvector with eigenvalue 1.

    Â is similar to the row-stochastic D⁻¹(A + I), so its eigenvalues lie in
    [−1, 1] and 1 is the largest: repeated propagation by Â cannot blow up (the
    component along √d is kept, the others are scaled by eigenvalues of size at most 1).
    """
    root = sp.Matrix([sp.sqrt(d) for d in degrees])
    return (a_hat * root - root).applyfunc(sp.radsimp)


def steps() -> list[Step]:
    """The derivation as the documents print it (q1.1)."""
    derivative, _ = tanh_derivative_lemma()
    return [
        Step(
            "Add self-loops so a node keeps its own features, then normalize symmetrically:",
            r"\tilde A = A + I,\quad \tilde D_{ii} = \textstyle\sum_j \tilde A_{ij},\quad "
            r"\hat A = \tilde D^{-1/2} \tilde A \tilde D^{-1/2},\quad "
            r"\hat A_{ij} = \tilde A_{ij} / \sqrt{\tilde D_{ii} \tilde D_{jj}}",
        ),
        Step(
            r"$\hat A$ is similar to the row-stochastic $\tilde D^{-1} \tilde A$, so its "
            r"eigenvalues lie in $[-1, 1]$ with $\sqrt{\tilde d}$ an eigenvector for 1: "
            r"repeated propagation by $\hat A$ cannot blow up (the component along "
            r"$\sqrt{\tilde d}$ is kept, the others are scaled by eigenvalues of size at most 1).",
            r"\hat A \sqrt{\tilde d} = \sqrt{\tilde d}",
        ),
        Step(
            "The layer, with no features ($X = I$) at the input:",
            r"H' = \tanh(Z),\quad Z = \hat A X W^\top",
        ),
        Step(
            r"The derivative of $\tanh$:",
            rf"\tanh'(z) = {notation.latex(derivative)}",
        ),
        Step(
            r"Backpropagate $G = \partial L / \partial H'$ through the elementwise $\tanh$:",
            r"S = \frac{\partial L}{\partial Z} = G \odot (1 - H' \odot H')",
        ),
        Step(
            r"$Z$ is linear in each of $W$, $X$, $\hat A$; by matrix calculus on "
            r"$L = \operatorname{tr}(G^\top \tanh(\hat A X W^\top))$:",
            r"\frac{\partial L}{\partial W} = S^\top \hat A X,\quad "
            r"\frac{\partial L}{\partial X} = \hat A^\top S W,\quad "
            r"\frac{\partial L}{\partial \hat A} = S W X^\top",
        ),
        Step(
            r"At the softmax classifier $z = H W_c^\top + b$ with cross-entropy on the train "
            r"nodes (the notebook's $J$ is the sum of the train nodes' cross-entropy and the "
            r"penalty $(\lambda/2) \sum W^2$, bias excluded, divided by all $N = 34$ nodes, "
            r"not by the number of train nodes):",
            r"\frac{\partial J}{\partial z_i} = \frac{\mathbb{1}[i \in \text{train}]}{N}"
            r"\left(\operatorname{softmax}(z_i) - y_i\right),\quad "
            r"\frac{\partial J}{\partial W} \mathrel{+}= \frac{\lambda}{N} W",
        ),
    ]
