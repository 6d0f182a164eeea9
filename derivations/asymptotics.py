"""Leading terms of a polynomial in a regime of sizes, such as N ≫ D, M ≫ 1.

    LONG = Regime(((N,), (D, M)))                 # N ≫ D, M ≫ 1
    LONG.leading_term(N**2 * (2*D + 2*M + 5) - N*(M + 2))   ->  2*D*N**2 + 2*M*N**2
    LONG.lower_order(N*M, D*N**2)                 ->  True

A term is of lower order than another when their ratio goes to 0 along every way the
sizes can grow in the regime. The regime orders the sizes in scales, largest first: each
size of a scale is much larger than every size of the next one (their ratio grows without
bound), the last scale's sizes are ≫ 1, and sizes that share a scale are unordered (either
may be the larger, by any factor). The leading term is the sum of the terms that are of
lower order than no other term: the dominant monomials, with their coefficients. Unlike a
big-O class with no regime (`derivations.kernel_attention.dominant_terms`), it drops
D²M/2 next to N D² when N ≫ D, M.

The test, on exponents: with the sizes ordered by log-size s₁ ≤ … ≤ sₙ (every order the
regime allows), a ratio ∏ xᵢ^eᵢ is exp(Σₖ δₖ Eₖ) with δₖ = sₖ − sₖ₋₁ ≥ 0 and Eₖ = Σ_{i≥k} eᵢ;
the δₖ that cross from one scale to the next (and δ₁ from 1) grow without bound, the
others are free. The ratio grows without bound on every path iff, for every allowed
order, every Eₖ ≥ 0 and some unbounded δₖ has Eₖ > 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations, product

import sympy as sp


@dataclass(frozen=True)
class Regime:
    """`scales`: the sizes, largest scale first (`((N,), (D, M))` is N ≫ D, M ≫ 1)."""

    scales: tuple[tuple[sp.Symbol, ...], ...]

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(s for scale in self.scales for s in scale)

    def latex(self) -> str:
        """N \\gg D, M \\gg 1."""
        names = [", ".join(sp.latex(s) for s in scale) for scale in self.scales]
        return r" \gg ".join([*names, "1"])

    def _exponents(self, monomial: sp.Expr) -> dict[sp.Symbol, int]:
        poly = sp.Poly(monomial, *self.symbols)
        if len(poly.terms()) != 1:
            raise ValueError(f"{monomial} is not one term in {self.symbols}")
        return dict(zip(self.symbols, poly.monoms()[0], strict=True))

    def grows(self, ratio: dict[sp.Symbol, int]) -> bool:
        """Whether ∏ x^e (exponents `ratio`) grows without bound on every path of the regime."""
        ascending = list(reversed(self.scales))  # smallest scale first
        for orders in product(*(permutations(scale) for scale in ascending)):
            chain = [(s, number) for number, order in enumerate(orders) for s in order]
            suffix, unbounded_positive = 0, False
            for k in range(len(chain) - 1, -1, -1):
                suffix += ratio.get(chain[k][0], 0)
                if suffix < 0:
                    return False
                crosses = k == 0 or chain[k - 1][1] != chain[k][1]
                unbounded_positive |= crosses and suffix > 0
            if not unbounded_positive:
                return False
        return True

    def lower_order(self, small: sp.Expr, big: sp.Expr) -> bool:
        """Whether the monomial `small` / `big` → 0 on every path (coefficients ignored)."""
        a, b = self._exponents(small), self._exponents(big)
        return self.grows({s: b[s] - a[s] for s in self.symbols})

    def leading_term(self, expr: sp.Expr) -> sp.Expr:
        """The terms of the polynomial `expr` that no other term of it dominates.

        Raises ValueError if `expr` is no polynomial in the regime's sizes (a size the
        regime does not name counts as a constant only if it is not a symbol of `expr`),
        or if a leading coefficient is not positive (then "+ lower-order terms" would not
        be the smaller part)."""
        unknown = expr.free_symbols - set(self.symbols)
        if unknown:
            raise ValueError(f"the regime does not order {sorted(map(str, unknown))}")
        poly = sp.Poly(sp.expand(expr), *self.symbols)
        monomials = [sp.Mul(*(s**e for s, e in zip(self.symbols, m, strict=True)))
                     for m in poly.monoms()]  # fmt: skip
        leading = [m for m in monomials if not any(self.lower_order(m, o) for o in monomials)]
        coefficients = [poly.coeff_monomial(m) for m in leading]
        if any(c <= 0 for c in coefficients):
            raise ValueError(f"a leading coefficient of {expr} in {self.latex()} is not positive")
        return sp.Add(*(c * m for c, m in zip(coefficients, leading, strict=True)))
