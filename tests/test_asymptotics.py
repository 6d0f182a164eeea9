"""Leading terms in a regime of sizes, and the polynomials the solutions abbreviate.

The solutions print q3.c's long counts as "leading term + lower-order terms" for long
sequences (N ≫ D, M ≫ 1), the whole polynomial in the TA key only. Here: the regime's
order agrees with the ratio's growth along the regime's paths (an independent, numeric
reading), the printed leading term is the one computed from the derived polynomial and
dominates the rest, and the whole polynomial reaches the TA key but not the solutions.
"""

import itertools
import json
import random
from pathlib import Path

import pytest
import sympy as sp

from derivations import kernel_attention as KA
from derivations import notation
from derivations.asymptotics import Regime

N, D, M = KA.N, KA.D, KA.M
LONG = KA.LONG_SEQUENCES
GOLDEN = Path(__file__).parent / "golden"


def _power_paths(count: int = 400) -> list[dict]:
    """Log-sizes (N, D, M) = (c, a, b)·t in the regime's open cone: c > a, b > 0; the
    extreme rays' neighbours first, then random points."""
    eps = 1e-3
    rays = [
        (1 + eps, eps, eps),
        (1 + eps, 1, eps),
        (1 + eps, eps, 1),
        (1 + eps, 1, 1),
        (1 + eps, 1, 1 - eps),
        (1 + eps, 1 - eps, 1),
    ]
    rng = random.Random(0)
    for _ in range(count):
        a, b = rng.uniform(eps, 1), rng.uniform(eps, 1)
        rays.append((max(a, b) + rng.uniform(eps, 2), a, b))
    return [{N: c, D: a, M: b} for c, a, b in rays]


def test_the_order_agrees_with_the_ratio_along_the_regimes_paths():
    """For every exponent vector in {−2, …, 2}³: `grows` says yes exactly when the ratio's
    log-growth N^e·D^f·M^g is positive on every sampled path (none ≤ 0)."""
    paths = _power_paths()
    disagreements = []
    for e in itertools.product(range(-2, 3), repeat=3):
        ratio = dict(zip((N, D, M), e, strict=True))
        growth = [sum(ratio[s] * path[s] for s in ratio) for path in paths]
        numeric = all(g > 0 for g in growth)
        if LONG.grows(ratio) != numeric:
            disagreements.append((e, LONG.grows(ratio), min(growth)))
    assert disagreements == []


def test_a_regime_orders_what_it_says():
    assert LONG.latex() == r"N \gg D, M \gg 1"
    assert LONG.lower_order(D**2 * M, N * D**2)  # N ≫ M
    assert LONG.lower_order(N * D, N * D**2)  # D ≫ 1
    assert not LONG.lower_order(N * D, N * M)  # D and M share a scale
    assert not LONG.lower_order(N, D**2)  # N ≫ D does not say N ≫ D²
    assert not LONG.lower_order(D * M, N)  # nor N ≫ D M
    assert Regime(((N,), (D,), (M,))).lower_order(N * M, N * D)  # N ≫ D ≫ M ≫ 1
    with pytest.raises(ValueError, match="does not order"):
        LONG.leading_term(N * sp.Symbol("P"))
    with pytest.raises(ValueError, match="not positive"):
        LONG.leading_term(3 * N - N**2)


def _dominates(leading: sp.Expr, polynomial: sp.Expr, t: float) -> float:
    """|rest / leading| at N = t², D = t^0.9, M = t^0.3: a path of the regime."""
    at = {N: t**2, D: t**0.9, M: t**0.3}
    rest = sp.expand(polynomial - leading)
    return abs(float(rest.subs(at)) / float(leading.subs(at)))


TOTALS = {
    "q3.c.i operations": KA.costs("softmax")["operations"],
    "q3.c.ii operations": KA.costs("linear")["operations"],
    "q3.c.ii memory": KA.costs("linear")["saved"],
}


@pytest.mark.parametrize("name", TOTALS)
def test_the_printed_leading_term_dominates_its_polynomial(name):
    total = TOTALS[name]
    leading = LONG.leading_term(total)
    shown, whole = notation.polynomial(total, LONG, N)
    # printed from the computation, never typed
    assert shown == notation.latex(sp.factor(leading)) + r" + \text{lower-order terms}"
    assert whole == notation.latex(sp.collect(sp.expand(total), N))
    # every other term is of lower order than some leading term, and the leading
    # terms are not comparable with one another
    terms = sp.Add.make_args(sp.expand(leading))
    for term in sp.Add.make_args(sp.expand(total - leading)):
        assert any(LONG.lower_order(term, lead) for lead in terms), term
    for a, b in itertools.permutations(terms, 2):
        assert not LONG.lower_order(a, b)
    # and numerically: the rest vanishes against the leading term as the sizes grow
    ratios = [_dominates(leading, total, t) for t in (1e2, 1e4, 1e8)]
    assert ratios[0] > ratios[1] > ratios[2] and ratios[2] < 1e-2, ratios


def test_the_counts_print_their_expected_leading_terms():
    # The regime's answer, read by a person: T ≈ 2N²(D + M) for softmax, 2 N D² M and
    # N (D² + 2M) for the linearized form.
    assert sp.expand(LONG.leading_term(TOTALS["q3.c.i operations"]) - 2 * N**2 * (D + M)) == 0
    assert sp.expand(LONG.leading_term(TOTALS["q3.c.ii operations"]) - 2 * N * D**2 * M) == 0
    assert sp.expand(LONG.leading_term(TOTALS["q3.c.ii memory"]) - N * (D**2 + 2 * M)) == 0


def test_a_short_polynomial_prints_whole():
    shown, whole = notation.polynomial(N**2 + 2 * N * D + N * M, LONG)
    assert whole == "" and "lower-order" not in shown


def _steps(part_id: str) -> list[dict]:
    results = json.loads((GOLDEN / "results.json").read_text())
    parts = {p["id"]: p for q in results["questions"] for p in q["parts"]}
    return parts[part_id]["steps"]


def test_the_solutions_print_leading_terms_and_the_ta_key_the_whole():
    solutions = (GOLDEN / "solutions.tex").read_text()
    key = (GOLDEN / "answer_key.tex").read_text()
    abbreviated = [s for part in ("q3.c.i", "q3.c.ii") for s in _steps(part) if s.get("full")]
    assert len(abbreviated) == 3
    for step in abbreviated:
        assert r"\text{lower-order terms}" in step["latex"]
        assert step["latex"] in solutions
        assert step["full"] not in solutions
        assert step["full"] in key
    # no step of the key prints a long polynomial whole: each `=` member of a step's
    # formula has at most LONG_POLYNOMIAL_TERMS top-level terms
    results = json.loads((GOLDEN / "results.json").read_text())
    for question in results["questions"]:
        for part in question["parts"]:
            for step in part["steps"]:
                assert _most_terms(step["latex"]) <= notation.LONG_POLYNOMIAL_TERMS, step


def _most_terms(latex: str) -> int:
    """The most top-level + / − separated terms in one `=`, `,` or `:` member of `latex`
    (braces and \\left( … \\right) groups count as one term)."""
    depth, terms, most = 0, 1, 1
    previous = ""
    for char in latex.replace(r"\left(", "(").replace(r"\right)", ")"):
        if char in "{(":
            depth += 1
        elif char in "})":
            depth -= 1
        elif depth == 0 and char in "=,:&":
            most, terms = max(most, terms), 1
        elif depth == 0 and char in "+-" and previous.strip() not in ("", "=", "(", "{", "^"):
            terms += 1
        if not char.isspace():
            previous = char
    return max(most, terms)
