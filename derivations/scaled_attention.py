"""Q2: the mean and variance of a dot product of two Gaussian vectors.

q, k ∈ R^d independent, every component an independent N(μ, σ²). The
argument, each step of which SymPy carries out:

1. per-coordinate moments by integrating against the normal density:
   E[x] = μ, E[x²] = μ² + σ²;
2. independence of q_i and k_i: E[q_i k_i] = E[q_i]E[k_i],
   E[(q_i k_i)²] = E[q_i²]E[k_i²];
3. linearity over the d coordinates for the mean, and independence across
   coordinates (the terms q_i k_i are independent) for the variance, as
   symbolic sums over i = 1..d.
"""

from __future__ import annotations

import sympy as sp

from derivations import notation
from derivations.steps import Step

d = sp.Symbol("d", integer=True, positive=True)
mu = sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)
s = sp.Symbol("s", positive=True)
i = sp.Symbol("i", integer=True, positive=True)
x = sp.Symbol("x", real=True)
mu_vec = sp.IndexedBase("mu", real=True)  # the per-coordinate means of the vector form

ASSUMPTIONS = ("d a positive integer", "σ > 0", "μ real")


def normal_moment(power: int, mean=mu, std=sigma) -> sp.Expr:
    """E[x^power] for x ~ N(mean, std²), by integrating against the density."""
    density = sp.exp(-((x - mean) ** 2) / (2 * std**2)) / (std * sp.sqrt(2 * sp.pi))
    return sp.simplify(sp.integrate(x**power * density, (x, -sp.oo, sp.oo)))


def coordinate_product_moments(mean=mu, std=sigma) -> tuple[sp.Expr, sp.Expr]:
    """E[q_i k_i] and E[(q_i k_i)²] for independent q_i, k_i ~ N(mean, std²)."""
    first, second = normal_moment(1, mean, std), normal_moment(2, mean, std)
    return sp.expand(first * first), sp.expand(second * second)


def expectation_of_dot_product() -> sp.Expr:
    """E[qᵀk] = Σ_{i=1}^d E[q_i]E[k_i], summed symbolically over i."""
    mean_term, _ = coordinate_product_moments()
    return sp.simplify(sp.Sum(mean_term, (i, 1, d)).doit())


def expectation_with_vector_mean() -> sp.Expr:
    """E[qᵀk] when coordinate i has its own mean μ_i: Σ_i μ_i² = ‖μ‖²."""
    mean_term, _ = coordinate_product_moments(mean=mu_vec[i])
    return sp.Sum(sp.factor(mean_term), (i, 1, d))


def variance_of_dot_product(mean=mu, std=sigma) -> sp.Expr:
    """Var(qᵀk) = Σ_{i=1}^d Var(q_i k_i), the terms being independent across i."""
    mean_term, square_term = coordinate_product_moments(mean, std)
    term_variance = sp.expand(square_term - mean_term**2)
    return sp.factor(sp.Sum(term_variance, (i, 1, d)).doit())


def scale_for_unit_variance() -> list[sp.Expr]:
    """The positive s with Var(qᵀk / s) = Var(qᵀk) / s² = 1 at μ = 0, σ = 1."""
    variance = variance_of_dot_product(mean=0, std=1)
    return sp.solve(sp.Eq(variance / s**2, 1), s)


def expectation_of_scaled_dot_product() -> sp.Expr:
    """E[qᵀk / s] at μ = 0, σ = 1, for a symbolic s > 0."""
    return sp.simplify(expectation_of_dot_product().subs({mu: 0, sigma: 1}) / s)


def brute_force_moments(dim: int) -> tuple[sp.Expr, sp.Expr]:
    """E[qᵀk] and Var(qᵀk) at a concrete dimension, by expanding the polynomial.

    A second line of evidence, independent of the symbolic sums: expand
    (Σ q_i k_i) and its square into monomials and replace each variable's
    power by its normal moment (the 2·dim variables are independent).
    """
    qs = sp.symbols(f"q1:{dim + 1}", real=True)
    ks = sp.symbols(f"k1:{dim + 1}", real=True)
    moments = {p: normal_moment(p) for p in range(5)}

    def expect(polynomial: sp.Expr) -> sp.Expr:
        poly = sp.Poly(sp.expand(polynomial), *qs, *ks)
        total = sp.Integer(0)
        for powers, coefficient in poly.terms():
            term = coefficient
            for p in powers:
                term *= moments[p]
            total += term
        return sp.expand(total)

    dot = sum(a * b for a, b in zip(qs, ks, strict=True))
    mean = expect(dot)
    return mean, sp.factor(expect(dot**2) - mean**2)


def steps() -> dict[str, list[Step]]:
    """The derivation steps, by part, as the documents print them."""
    first, second = normal_moment(1), normal_moment(2)
    mean_term, square_term = coordinate_product_moments()
    term_variance = sp.factor(sp.expand(square_term - mean_term**2))
    expectation = expectation_of_dot_product()
    variance = variance_of_dot_product()
    roots = scale_for_unit_variance()
    return {
        "q2.a": [
            Step(
                "Integrate against the normal density for one coordinate:",
                rf"\mathbb{{E}}[q_i] = {notation.latex(first)}",
            ),
            Step(
                "$q_i$ and $k_i$ are independent, so the expectation of the product factors:",
                rf"\mathbb{{E}}[q_i k_i] = \mathbb{{E}}[q_i]\,\mathbb{{E}}[k_i] "
                rf"= {notation.latex(mean_term)}",
            ),
            Step(
                "Linearity of expectation over the $d$ coordinates:",
                rf"\mathbb{{E}}[q^\top k] = \sum_{{i=1}}^{{d}} {notation.latex(mean_term)} "
                rf"= {notation.latex(expectation)}",
            ),
            Step(
                r"With a vector mean $\mu$ (coordinate $i$ has mean $\mu_i$) the same steps "
                "give the squared norm:",
                r"\mathbb{E}[q^\top k] = \sum_{i=1}^{d} \mu_i^2 = \|\mu\|^2",
            ),
        ],
        "q2.b": [
            Step(
                "Second moment of one coordinate, by integration:",
                rf"\mathbb{{E}}[q_i^2] = {notation.latex(second)}",
            ),
            Step(
                "By independence of $q_i$ and $k_i$:",
                rf"\mathbb{{E}}[(q_i k_i)^2] = \mathbb{{E}}[q_i^2]\,\mathbb{{E}}[k_i^2] "
                rf"= {notation.latex(sp.factor(square_term))}",
            ),
            Step(
                "So each term's variance is",
                rf"\operatorname{{Var}}(q_i k_i) = {notation.latex(term_variance)}",
            ),
            Step(
                "The $d$ terms are independent, so their variances add:",
                rf"\operatorname{{Var}}(q^\top k) = {notation.latex(variance)}",
            ),
            Step(
                r"At $\mu = 0$, $\sigma = 1$:",
                r"\operatorname{Var}(q^\top k) = "
                + notation.latex(variance.subs({mu: 0, sigma: 1})),
            ),
        ],
        "q2.c": [
            Step(
                r"With $\mu = 0$ the mean is 0 for every $s$:",
                r"\mathbb{E}[q^\top k / s] = "
                + notation.latex(expectation_of_scaled_dot_product()),
            ),
            Step(
                "Scaling divides the variance by $s^2$; set it to 1 and take the positive root:",
                rf"\operatorname{{Var}}(q^\top k / s) = "
                rf"{notation.latex(variance.subs({mu: 0, sigma: 1}) / s**2)} = 1 "
                rf"\;\Rightarrow\; s = {notation.latex(roots[0])}",
            ),
        ],
    }
