"""Asymptotic classes: is O(f) the same class as O(g), as every size grows?

    same_class(N**2*D + N**2*M, N**2*Max(D, M), [N, D, M])  ->  equal
    same_class(N**2, N**2*D, [N, D, M])  ->  different: D → ∞ with N, M fixed

Every size is a positive integer that may grow independently of the others
(the sizes are ≥ 3, so every log is ≥ 1). A class is read as a set of
*growth terms* x₁^a₁ ⋯ xₙ^aₙ · log(x₁)^b₁ ⋯ log(xₙ)^bₙ, constant factors
dropped: sums become unions, products multiply, max(·,·) is a union (it is
within a factor of the sum), log of a product or sum is a union of logs.
Anything else (min, exp, a negative coefficient) is not decided.

O(f) ⊆ O(g) is shown term by term:

* *dominated*: some term of g is at least as large in every variable
  (a smaller power, or the same power and no more logs), or
* *between two*: a pure power lies below a convex combination of two terms
  of g (weighted AM–GM: x^(λa+(1−λ)b) ≤ λx^a + (1−λ)x^b).

O(f) ⊄ O(g) is shown by a *direction*: sizes x_i = t^(w_i), t → ∞, along
which a term of f grows strictly faster than every term of g (compared as
(power of t, power of log t)). That direction is the counterexample.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction


class Undecided(ValueError):
    """The expression is outside what this module reads as a growth class."""


@dataclass(frozen=True)
class Term:
    powers: tuple[Fraction, ...]
    logs: tuple[int, ...]

    def times(self, other: Term) -> Term:
        return Term(
            tuple(a + b for a, b in zip(self.powers, other.powers, strict=True)),
            tuple(a + b for a, b in zip(self.logs, other.logs, strict=True)),
        )


@dataclass(frozen=True)
class ClassComparison:
    relation: str  # "equal" | "different" | "unknown"
    detail: str
    direction: dict[str, int] | None = None  # the counterexample: x_i = t^w_i


def _unit(n: int) -> Term:
    return Term((Fraction(0),) * n, (0,) * n)


def growth_terms(expr, variables: list) -> list[Term]:
    """The maximal growth terms of `expr` (a SymPy expression in `variables`)."""
    return _maximal(_terms(expr, variables))


def _terms(expr, variables: list) -> list[Term]:
    import sympy as sp

    n = len(variables)
    if expr.is_Number:
        if expr.is_positive:
            return [_unit(n)]
        raise Undecided(f"a constant {expr} that is not positive")
    if expr.is_Symbol:
        if expr not in variables:
            raise Undecided(f"{expr} is not a size")
        powers = [Fraction(0)] * n
        powers[variables.index(expr)] = Fraction(1)
        return [Term(tuple(powers), (0,) * n)]
    if expr.free_symbols and not expr.free_symbols <= set(variables):
        raise Undecided(f"{sorted(map(str, expr.free_symbols - set(variables)))} are not sizes")
    if not expr.free_symbols:
        if expr.is_positive:
            return [_unit(n)]
        raise Undecided(f"a constant {expr} that is not positive")
    if isinstance(expr, sp.Add | sp.Max):
        found = []
        for arg in expr.args:
            if arg.is_Number and isinstance(expr, sp.Add):
                if arg.is_negative:
                    raise Undecided("a negative term")
            found.extend(_terms(arg, variables))
        return _maximal(found)
    if isinstance(expr, sp.Mul):
        result = [_unit(n)]
        for factor in expr.args:
            if factor.is_Number:
                if not factor.is_positive:
                    raise Undecided("a coefficient that is not positive")
                continue
            result = _maximal([a.times(b) for a in result for b in _terms(factor, variables)])
        return result
    if isinstance(expr, sp.Pow):
        base, exponent = expr.args
        if not exponent.is_Rational:
            raise Undecided(f"the exponent {exponent}")
        inner = _terms(base, variables)
        exponent = Fraction(int(exponent.p), int(exponent.q))
        if exponent.denominator == 1 and exponent > 0:
            result = [_unit(n)]
            for _ in range(int(exponent)):
                result = _maximal([a.times(b) for a in result for b in inner])
            return result
        if len(inner) != 1:
            raise Undecided("a fractional or negative power of a sum")
        (term,) = inner
        if exponent.denominator != 1 and any(term.logs):
            raise Undecided("a fractional power of a log")
        if exponent < 0 and any(term.logs):
            raise Undecided("a negative power of a log")
        return [
            Term(
                tuple(a * exponent for a in term.powers),
                tuple(b * int(exponent) for b in term.logs),
            )
        ]
    if isinstance(expr, sp.log):
        inner = _terms(expr.args[0], variables)
        logs = set()
        for term in inner:
            if any(term.logs):
                raise Undecided("a log of a log")
            for index, power in enumerate(term.powers):
                if power < 0:
                    raise Undecided("a log of a negative power")
                if power > 0:
                    logs.add(index)
        if not logs:
            return [_unit(n)]
        return _maximal(
            [Term((Fraction(0),) * n, tuple(int(i == j) for j in range(n))) for i in logs]
        )
    raise Undecided(f"{type(expr).__name__} is not read as a growth class")


def _dominates(big: Term, small: Term) -> bool:
    """small ≤ C·big for all sizes ≥ 3: per variable, a smaller power, or the
    same power and no more logs."""
    for p_small, p_big, l_small, l_big in zip(
        small.powers, big.powers, small.logs, big.logs, strict=True
    ):
        if p_small > p_big or (p_small == p_big and l_small > l_big):
            return False
    return True


def _maximal(terms: list[Term]) -> list[Term]:
    unique = list(dict.fromkeys(terms))
    return [t for t in unique if not any(u != t and _dominates(u, t) for u in unique)]


def _between_two(term: Term, first: Term, second: Term) -> bool:
    """A pure power below λ·first + (1−λ)·second, λ ∈ [0, 1] (exact interval arithmetic)."""
    if any(term.logs):
        return False
    low, high = Fraction(0), Fraction(1)
    for p, a, b in zip(term.powers, first.powers, second.powers, strict=True):
        # need p ≤ λa + (1−λ)b = b + λ(a − b)
        slope, need = a - b, p - b
        if slope == 0:
            if need > 0:
                return False
        elif slope > 0:
            low = max(low, need / slope)
        else:
            high = min(high, need / slope)
    return low <= high


def _contained(term: Term, terms: list[Term]) -> bool:
    if any(_dominates(other, term) for other in terms):
        return True
    return any(_between_two(term, a, b) for a, b in itertools.combinations(terms, 2))


def _growth(term: Term, direction: tuple[int, ...]) -> tuple[Fraction, int]:
    power = sum((p * w for p, w in zip(term.powers, direction, strict=True)), Fraction(0))
    logs = sum(b for b, w in zip(term.logs, direction, strict=True) if w > 0)
    return power, logs


def _escape(term: Term, terms: list[Term], n: int) -> tuple[int, ...] | None:
    """A direction along which `term` outgrows every one of `terms`."""
    for direction in itertools.product(range(4), repeat=n):
        if not any(direction):
            continue
        growth = _growth(term, direction)
        if all(growth > _growth(other, direction) for other in terms):
            return direction
    return None


def _show(term: Term, names: list[str]) -> str:
    pieces = []
    for name, power, logs in zip(names, term.powers, term.logs, strict=True):
        if power:
            pieces.append(name if power == 1 else f"{name}^{power}")
        if logs:
            pieces.append(f"log {name}" if logs == 1 else f"(log {name})^{logs}")
    return "·".join(pieces) or "1"


def _show_direction(direction: tuple[int, ...], names: list[str]) -> str:
    moving = [
        f"{n} = t^{w}" if w > 1 else f"{n} = t" for n, w in zip(names, direction, strict=True) if w
    ]
    fixed = [n for n, w in zip(names, direction, strict=True) if not w]
    text = ", ".join(moving) + " as t → ∞"
    if fixed:
        text += f", {', '.join(fixed)} fixed"
    return text


def exponential_variable(expr, variables: list):
    """A size in an exponent (k^T, 2^T, exp(T)) of a term of `expr`, or None.

    Such a term outgrows every polynomial-times-log class as that size grows
    with the others fixed (bases are sizes ≥ 3 or numbers > 1)."""
    import sympy as sp

    terms = expr.args if isinstance(expr, sp.Add | sp.Max) else (expr,)
    for term in terms:
        factors = term.args if isinstance(term, sp.Mul) else (term,)
        for factor in factors:
            if isinstance(factor, sp.Pow):
                base, exponent = factor.args
                grows = base.is_Symbol or (base.is_Number and base > 1)
            elif isinstance(factor, sp.exp):
                exponent, grows = factor.args[0], True
            elif isinstance(factor, sp.factorial) and factor.args[0] in variables:
                return factor.args[0]  # k! ≥ (k/e)^k: outgrows every polynomial in k
            else:
                continue
            if not grows or exponent.is_Number:
                continue
            if exponent.is_Symbol and exponent in variables:
                return exponent
            if isinstance(exponent, sp.Mul) and all(
                a.is_positive and (a.is_Number or a in variables) for a in exponent.args
            ):
                return next(a for a in exponent.args if a in variables)
    return None


def _exponential_comparison(student, key, variables, names) -> ClassComparison | None:
    """Decide the cases with an exponential on one side only; None if neither has one."""
    mine, theirs = exponential_variable(student, variables), exponential_variable(key, variables)
    if mine is None and theirs is None:
        return None
    if mine is not None and theirs is not None:
        from answerkey.judging.equivalence import same

        if same(student, key):
            return ClassComparison("equal", "the same expression")
        return ClassComparison("unknown", "both classes are exponential: a TA should compare them")
    polynomial = key if mine is not None else student
    try:
        growth_terms(polynomial, variables)
    except Undecided as exc:
        return ClassComparison("unknown", f"not read as a growth class: {exc}")
    variable = mine if mine is not None else theirs
    who = "your class" if mine is not None else "the key's class"
    name = names[variables.index(variable)]
    direction = {n: int(v == variable) for n, v in zip(names, variables, strict=True)}
    return ClassComparison(
        "different",
        f"{who} is exponential (or factorial) in {name}, which outgrows any polynomial along "
        f"{_show_direction(tuple(direction.values()), names)}",
        direction,
    )


def compare_classes(student, key, variables: list, names: list[str]) -> ClassComparison:
    """Whether O(student) = O(key) as classes, with a direction when they differ."""
    exponential = _exponential_comparison(student, key, variables, names)
    if exponential is not None:
        return exponential
    try:
        mine, theirs = growth_terms(student, variables), growth_terms(key, variables)
    except Undecided as exc:
        return ClassComparison("unknown", f"not read as a growth class: {exc}")
    n = len(variables)
    shown_mine = " + ".join(_show(t, names) for t in mine)
    shown_key = " + ".join(_show(t, names) for t in theirs)
    for small, big, who in ((mine, theirs, "your class"), (theirs, mine, "the key's class")):
        for term in small:
            if _contained(term, big):
                continue
            direction = _escape(term, big, n)
            if direction is not None:
                label = _show(term, names)
                detail = (
                    f"{who} has the term {label}, which outgrows "
                    f"{' + '.join(_show(t, names) for t in big)} along "
                    f"{_show_direction(direction, names)}"
                )
                return ClassComparison(
                    "different", detail, dict(zip(names, direction, strict=True))
                )
            return ClassComparison(
                "unknown",
                f"could not decide whether {_show(term, names)} is within O({shown_key})",
            )
    return ClassComparison(
        "equal",
        f"both are O({shown_key}): each maximal term of one is bounded by the other "
        f"(yours reads as O({shown_mine}))",
    )
