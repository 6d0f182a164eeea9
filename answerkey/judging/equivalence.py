"""Is a student's expression the key's? Proof, counterexample, or neither.

    compare(d*mu**2, (sqrt(d)*mu)**2, ...)  ->  equal, by SymPy's expand
    compare(d*mu, d*mu**2, ...)             ->  different at d = 3, μ = 5/2

The decision rule, cheapest first:

1. SymPy's automatic simplification makes student − key exactly 0 (under
   the symbols' assumptions: d a positive integer, σ > 0, ...): equal.
2. `find_counterexample` finds small exact values, drawn to satisfy the
   assumptions, at which SymPy decides the difference is nonzero: different,
   with those values and both sides' values there. (Evaluating at a point is
   cheap even where expanding is not, so this comes before any expansion.)
3. `expand`, then `cancel`, reduce it to 0: equal.
4. Wider-ranging exact values (catching differences that vanish at the
   small ones): different.
5. `simplify`, under a time limit, reduces it to 0: equal.
6. Otherwise unknown, saying how many exact points agreed: agreement at
   sample points is evidence, never a proof.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from answerkey.verdicts import CheckTimeout, find_counterexample, time_limit

SAMPLE_TRIES = 12
SIMPLIFY_SECONDS = 2.0


@dataclass(frozen=True)
class Comparison:
    relation: str  # "equal" | "different" | "unknown"
    method: str
    detail: str = ""
    counterexample: dict[str, str] | None = None
    share: float = 0.0  # for answers of several components: the share that is right


def small_value(symbol, rng: random.Random):
    """Small exact values that satisfy `symbol`'s assumptions: readable counterexamples."""
    import sympy as sp

    if symbol.is_integer:
        low = 1 if symbol.is_positive else (0 if symbol.is_nonnegative else -5)
        return sp.Integer(rng.randint(max(low, 2) if low > 0 else low, 9))
    value = sp.Rational(rng.randint(1, 9), rng.choice([1, 1, 2, 3]))
    if symbol.is_positive or symbol.is_nonnegative:
        return value
    return value if rng.random() < 0.7 else -value


def wide_value(symbol, rng: random.Random):
    """Exact values over a wider range, so that a difference vanishing at the small
    values (a polynomial with roots 1…9) is still caught."""
    import sympy as sp

    if symbol.is_integer:
        low = 1 if symbol.is_positive else (0 if symbol.is_nonnegative else -60)
        return sp.Integer(rng.randint(low, 60))
    value = sp.Rational(rng.randint(1, 97), rng.randint(1, 13))
    if symbol.is_positive or symbol.is_nonnegative:
        return value
    return value if rng.random() < 0.5 else -value


def _is_zero(expr) -> bool:
    import sympy as sp

    zero = getattr(expr, "is_zero_matrix", None)
    return expr == 0 or zero is True or isinstance(expr, sp.ZeroMatrix)


def prove_zero(difference, *, simplify: bool = True) -> str | None:
    """The SymPy method that reduces `difference` to 0, or None."""
    import sympy as sp

    if _is_zero(difference):
        return "SymPy's automatic simplification"
    if _is_zero(sp.expand(difference)):
        return "SymPy's expand"
    try:
        if _is_zero(sp.cancel(sp.together(difference))):
            return "SymPy's cancel"
    except (sp.PolynomialError, TypeError, ValueError):
        pass
    if not simplify:
        return None
    try:
        with time_limit(SIMPLIFY_SECONDS):
            if _is_zero(sp.simplify(difference)):
                return "SymPy's simplify"
    except CheckTimeout:
        return None
    return None


def _display(point: dict[str, str], names: dict[str, str]) -> dict[str, str]:
    return {names.get(name, name): value for name, value in point.items()}


def compare(student, key, names: dict[str, str], assumptions: str, seed: int = 0) -> Comparison:
    """Compare two scalar SymPy expressions; `names` maps symbol names to how
    they are shown (mu → μ); `assumptions` is the sentence the method quotes."""
    import sympy as sp

    difference = student - key
    under = f" under {assumptions}" if assumptions else ""
    if _is_zero(difference):
        return Comparison(
            "equal", f"SymPy's automatic simplification gives answer − key = 0{under}"
        )
    symbols = sorted(difference.free_symbols, key=str)
    # Counterexamples first: evaluating at a point is cheap even where expanding is not.
    point = _counterexample(difference, symbols, small_value, seed)
    if point is None:
        method = prove_zero(difference, simplify=False)
        if method:
            return Comparison("equal", f"{method} reduces your answer − key to 0{under}")
        point = _counterexample(difference, symbols, wide_value, seed)
    if point is not None:
        exact = {s: sp.Rational(point[str(s)]) for s in symbols}
        mine = sp.simplify(student.subs(exact))
        theirs = sp.simplify(key.subs(exact))
        shown = _display(point, names)
        where = ", ".join(f"{k} = {v}" for k, v in shown.items()) or "every value"
        return Comparison(
            "different",
            "exact evaluation at values that satisfy the assumptions",
            f"at {where}: your answer is {sp.sstr(mine)}, the key is {sp.sstr(theirs)}",
            {**shown, "your answer": sp.sstr(mine), "key": sp.sstr(theirs)},
        )
    method = prove_zero(difference)
    if method:
        return Comparison("equal", f"{method} reduces your answer − key to 0{under}")
    return Comparison(
        "unknown",
        f"no difference found at {SAMPLE_TRIES} random exact points",
        "SymPy could neither reduce the difference to 0 nor find values where it is "
        f"nonzero; {SAMPLE_TRIES} random exact points found no difference, which is "
        "evidence, not a proof",
    )


def _counterexample(difference, symbols, sampler, seed: int, tries: int = SAMPLE_TRIES // 2):
    return find_counterexample(difference, symbols, tries=tries, seed=seed, sampler=sampler)


def same(first, second) -> bool:
    """A cheap proof that two expressions are equal (for matching rubric answers):
    two exact points rule most pairs out before anything is expanded."""
    try:
        difference = first - second
        if _is_zero(difference):
            return True
        symbols = sorted(difference.free_symbols, key=str)
        if _counterexample(difference, symbols, small_value, 1, tries=2) is not None:
            return False
        return prove_zero(difference, simplify=False) is not None
    except (TypeError, ValueError, AttributeError):
        return False
