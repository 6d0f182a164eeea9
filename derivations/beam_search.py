"""Q5.e: the operation count of beam search with an RNN decoder, and its big-O.

One step of beam search with beam size k, vocabulary size |V| (the symbol M below) and
an RNN with per-hypothesis cost c (one recurrent update and its output layer; c does not
grow with t, unlike a transformer's attention over the prefix), as the homework's
pseudocode runs it: each of the k beams proposes its k best continuations, and the k²
candidates are sorted to keep the best k:

    step(k, M) = k·c            RNN step for each of the k hypotheses
               + k·M            add each token's log-prob to its prefix's score
               + k·M·log₂M      sort each hypothesis' M scores, keep its best k
               + k²·log₂(k²)    sort the k·k proposed candidates, keep the best k

and T steps cost T·step(k, M). With linear-time selection (quickselect) instead
of sorting, the two selections cost a·k·M and b·k² comparisons (a, b constants);
with a size-k heap, M·log₂k per hypothesis and k²·log₂k among the candidates.

Cost model: the RNN's width, hence c, is fixed. "In terms of T and k" counts a beam's
work on the vocabulary as a constant, as c is: the per-beam top-k over the |V| scores
is then O(k) a step, and sorting the pseudocode's k² candidates, O(k² log k),
dominates. (Ranking all k·|V| expansions at once, the handout's prose, is a different
procedure: O(T k log k) with |V| a constant.) Keeping |V| as a variable, a beam is
never wider than the vocabulary (k ≤ |V|).

The big-O forms follow with SymPy's Order at infinity:
- |V| and c constant: O(T k² log k) — the textbook answer; O(T k²) with linear-time
  selection (or the log factor treated as constant);
- with |V|, for k ≤ |V|: O(T k |V| log |V|), since k² log k ≤ k |V| log |V| there;
- linear-time selection, k ≤ |V|: O(T k |V|);
- a size-k heap, k ≤ |V|: O(T k |V| log k).
"""

from __future__ import annotations

import sympy as sp

from derivations import notation
from derivations.steps import Step

T = sp.Symbol("T", integer=True, positive=True)  # sequence length (steps)
k = sp.Symbol("k", integer=True, positive=True)  # beam size
M = sp.Symbol("M", integer=True, positive=True)  # vocabulary size |V| (the judge reads both)
c = sp.Symbol("c", positive=True)  # one RNN step's cost per hypothesis
a, b = sp.symbols("a b", positive=True)  # quickselect's comparisons per element
x = sp.Symbol("x", positive=True)
# The vocabulary's size prints as |V|, as Q5 names it (sorted after T and k, as in T k |V|);
# M stays the symbol the judge maps both spellings to.
PRINTED_VOCABULARY = sp.Symbol("|V|", integer=True, positive=True)
# A fixed vocabulary for the answer in T and k alone: any constant gives the same order.
FIXED_VOCABULARY = 50


def log2(value) -> sp.Expr:
    return sp.log(value, 2)


def step_terms() -> dict[str, sp.Expr]:
    """The cost of one step, by component."""
    return {
        "rnn": k * c,
        "scores": k * M,
        "per_hypothesis_top_k": k * M * log2(M),
        "select_among_k2": k**2 * log2(k**2),
    }


def step_cost(selection: str = "sort") -> sp.Expr:
    terms = step_terms()
    if selection == "quickselect":
        terms["per_hypothesis_top_k"] = a * k * M
        terms["select_among_k2"] = b * k**2
    elif selection == "heap":  # push each score into a heap of the best k so far
        terms["per_hypothesis_top_k"] = k * M * log2(k)
        terms["select_among_k2"] = k**2 * log2(k)
    elif selection != "sort":
        raise ValueError(f"selection must be 'sort', 'quickselect' or 'heap', not {selection!r}")
    return sp.Add(*terms.values())


def total_cost(selection: str = "sort") -> sp.Expr:
    """T steps, each costing the same: the RNN's cost does not grow with the prefix."""
    t = sp.Symbol("t", integer=True, positive=True)
    return sp.expand(sp.Sum(step_cost(selection), (t, 1, T)).doit())


def _normalize_logs(expr: sp.Expr) -> sp.Expr:
    # SymPy writes the growth of log x at infinity as log(1/x); the same order, sign aside.
    return expr.replace(
        lambda e: isinstance(e, sp.log), lambda e: sp.log(sp.simplify(1 / e.args[0]))
    )


def big_o(expr: sp.Expr, variables) -> sp.Expr:
    """The dominant terms of `expr` as its variables go to infinity (SymPy's Order)."""
    order = sp.O(expr, *[(v, sp.oo) for v in variables])
    return sp.expand(_normalize_logs(order.expr))


def big_o_in_T_k(selection: str = "sort") -> sp.Expr:
    """In T and k alone: the vocabulary size and c held constant (any fixed values; the
    order does not depend on them), as the question's "in terms of T and k" asks."""
    fixed = total_cost(selection).subs({M: FIXED_VOCABULARY, c: 7, a: 3, b: 3})
    return big_o(fixed, (T, k))


def big_o_with_M() -> sp.Expr:
    return big_o(total_cost().subs(c, 7), (T, k, M))


def big_o_linear_selection() -> sp.Expr:
    return big_o(total_cost("quickselect").subs({c: 7, a: 3, b: 3}), (T, k, M))


def big_o_heap_selection() -> sp.Expr:
    return big_o(total_cost("heap").subs(c, 7), (T, k, M))


def ratio_limit(expr: sp.Expr, form: sp.Expr, variable) -> sp.Expr:
    """lim expr / form as `variable` → ∞: finite and positive means expr = Θ(form)."""
    return sp.limit(sp.simplify(expr / form), variable, sp.oo)


def x_log_x_increasing() -> sp.Expr:
    """d/dx (x log x) = log x + 1 > 0 for x ≥ 1: so k log k ≤ M log M when k ≤ M."""
    return sp.diff(x * sp.log(x), x)


def latex(expr) -> str:
    """`expr` as Q5 prints it: the vocabulary size as |V|."""
    return notation.latex(
        sp.sympify(expr).xreplace({M: PRINTED_VOCABULARY}),
        symbol_names={PRINTED_VOCABULARY: r"\left|V\right|"},  # bars as a pair: no spacing
    )


ANSWER_IN_T_K = T * k**2 * sp.log(k)
ACCEPTED = (
    T * k**2 * sp.log(k),
    T * k**2,
    T * k * M * sp.log(M),
    T * k * M,
    T * k * M * sp.log(k),
)


def steps() -> list[Step]:
    terms = step_terms()
    return [
        Step(
            "One step: each of the $k$ hypotheses (beams) runs one RNN step (cost $c$, "
            "independent of $t$).",
            latex(terms["rnn"]),
        ),
        Step(
            r"Score every continuation: add each of the $\left|V\right|$ log-probabilities to its "
            "prefix's score.",
            latex(terms["scores"]),
        ),
        Step(
            r"Each beam proposes its $k$ best continuations: the top $k$ of its $\left|V\right|$ "
            r"scores "
            "(sorting them):",
            latex(terms["per_hypothesis_top_k"]),
        ),
        Step(
            r"Sort the $k \cdot k$ proposed candidates and keep the best $k$:",
            latex(terms["select_among_k2"]),
        ),
        Step(
            "$T$ identical steps (an RNN's step does not grow with the prefix):",
            rf"\text{{cost}}(T, k, \left|V\right|) = {latex(total_cost())}",
        ),
        Step(
            "In $T$ and $k$ alone (the question's terms) a beam's work on the vocabulary "
            "counts as a constant, as $c$ does: the top-$k$ proposals cost $O(k)$ a step, and "
            "sorting the $k^2$ candidates dominates:",
            rf"O\!\left({latex(big_o_in_T_k())}\right)",
        ),
        Step(
            r"Keeping $\left|V\right|$ as a variable, with $k \le \left|V\right|$ (a beam no "
            r"wider than the "
            r"vocabulary): $k^2 \log k \le k \left|V\right| \log \left|V\right|$ ($x \log x$ "
            r"increases), so",
            rf"O\!\left({latex(big_o_with_M())}\right) = O(T k \left|V\right| \log \left|V\right|)",
        ),
        Step(
            r"With linear-time selection (quickselect) instead of sorting, for $k \le "
            r"\left|V\right|$:",
            rf"O\!\left({latex(big_o_linear_selection())}\right) = O(T k \left|V\right|)",
        ),
        Step(
            r"With a heap of the best $k$ so far instead of sorting, for $k \le \left|V\right|$:",
            rf"O\!\left({latex(big_o_heap_selection())}\right) = O(T k \left|V\right| \log k)",
        ),
    ]
