"""LaTeX for SymPy expressions as a reader expects them, for every derivation and answer.

    latex(-D**2*M/2 + N*(2*D**2*M + D))  ->  N \\left(2 D^{2} M + D\\right) - \\frac{D^{2} M}{2}
    latex(M*k*log(M)/log(2))                 ->  M k \\log_2 M
    latex(W.T * (X - W*X))                   ->  W^{\\top} \\left(X - W X\\right)

SymPy's own `latex()` orders a sum lexicographically (a polynomial then opens with its
smallest term), prints `log(M)/log(2)` for the binary logarithm, writes a transpose
`^{T}` while the prose writes `^\\top`, and opens a matrix sum with its negative terms
(`-W_2 W_1 X + X`). `latex` fixes the four: the terms of a sum by total degree, the
dominant first (among equals, the one in more symbols); `\\log_2`; `^{\\top}`; a matrix sum's
positive terms first. Settings are SymPy's (`symbol_names`, ...).

`polynomial` prints a long polynomial as a reader takes it in: its leading term in the
regime the question assumes, factored, then "+ lower-order terms"
(`2 N^{2} \\left(D + M\\right) + \\text{lower-order terms}`), with the whole polynomial
beside it for the TA key.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from derivations.asymptotics import Regime


class _Log2(sp.Function):
    """log₂ x, only for printing (`latex` rewrites log(x)/log(2) into it)."""

    nargs = 1


def _degree(term: sp.Expr) -> float:
    """A term's total degree in its symbols (a logarithm counts as a symbol); a term
    that is no polynomial in them sorts first."""
    expanded = sp.expand(term)
    try:
        return float(sp.Poly(expanded).total_degree())
    except (sp.PolynomialError, sp.GeneratorsNeeded, ValueError):
        return 0.0 if expanded.is_number else float("inf")


class _ReadingPrinter(LatexPrinter):
    def _as_ordered_terms(self, expr, order=None):
        terms = list(super()._as_ordered_terms(expr, order=order))
        if isinstance(expr, sp.Add) and not expr.is_number:
            # ties: the term in more of the sizes first (N (D² + …) before D² M / 2)
            terms.sort(key=lambda term: (-_degree(term), -len(term.free_symbols)))
            # 1 − tanh²(z), not −tanh²(z) + 1: open with a positive term when there is one
            if terms[0].could_extract_minus_sign():
                positive = next((t for t in terms if not t.could_extract_minus_sign()), None)
                if positive is not None:
                    terms.remove(positive)
                    terms.insert(0, positive)
        return terms

    def _print_log(self, expr, exp=None):
        if expr.args[0].is_Symbol and exp is None:
            return r"\log " + self._print(expr.args[0])
        return super()._print_log(expr, exp)

    def _print_Transpose(self, expr):
        base = self.parenthesize(expr.arg, PRECEDENCE["Pow"])
        return rf"{base}^{{\top}}"

    def _print_MatAdd(self, expr):
        printed = [self._print(term) for term in expr.args]
        printed.sort(key=lambda text: text.startswith("-"))  # positive terms first
        out = printed[0]
        for text in printed[1:]:
            out += " - " + text[1:].lstrip() if text.startswith("-") else " + " + text
        return out

    def _print__Log2(self, expr, exp=None):
        argument = expr.args[0]
        if argument.is_Symbol:
            body = self._print(argument)
        else:
            body = r"\left(" + self._print(argument) + r"\right)"
        text = r"\log_{2} " + body
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"


def _binary_logs(expr):
    """log(x)/log(2) → _Log2(x) wherever it occurs."""
    if not isinstance(expr, sp.Basic):
        return expr
    inverse = sp.Pow(sp.log(2), -1)

    def is_binary_log(node) -> bool:
        return (
            isinstance(node, sp.Mul)
            and inverse in node.args
            and any(isinstance(a, sp.log) for a in node.args)
        )

    def rewrite(node):
        args = list(node.args)
        args.remove(inverse)
        first = next(i for i, a in enumerate(args) if isinstance(a, sp.log))
        args[first] = _Log2(args[first].args[0])
        return sp.Mul(*args, evaluate=False)

    return expr.replace(is_binary_log, rewrite)


def _negated_sums(expr):
    """N·(−M − 2) → −N·(M + 2): a product's sum whose terms are all negative gives its
    sign to the product, so that the enclosing sum prints `− N (M + 2)`."""
    if not isinstance(expr, sp.Basic):
        return expr

    def all_negative(node) -> bool:
        return isinstance(node, sp.Add) and all(a.could_extract_minus_sign() for a in node.args)

    def is_target(node) -> bool:
        return isinstance(node, sp.Mul) and any(all_negative(a) for a in node.args)

    def rewrite(node):
        args = [-a if all_negative(a) else a for a in node.args]
        flips = sum(all_negative(a) for a in node.args)
        return sp.Mul(*([-1] if flips % 2 else []), *args, evaluate=False)

    return expr.replace(is_target, rewrite)


def latex(expr, **settings) -> str:
    """LaTeX for `expr` in the reading order above; anything but a SymPy object is
    printed by SymPy as it is."""
    return _ReadingPrinter(settings).doprint(_negated_sums(_binary_logs(expr)))


LOWER_ORDER = r"\text{lower-order terms}"
# A polynomial of more terms than this (expanded) prints as its leading term.
LONG_POLYNOMIAL_TERMS = 4


def polynomial(expr, regime: Regime, collect=None, **settings) -> tuple[str, str]:
    """(what the solutions print, the whole polynomial) for the polynomial `expr`.

    Long (more than `LONG_POLYNOMIAL_TERMS` terms expanded): its leading term in `regime`
    (`Regime.leading_term`, computed, never typed), factored, + lower-order terms; and the
    whole, collected in `collect` if given. Short: the whole, and "" (nothing to add).
    """
    whole = latex(sp.collect(sp.expand(expr), collect) if collect is not None else expr, **settings)
    if len(sp.Add.make_args(sp.expand(expr))) <= LONG_POLYNOMIAL_TERMS:
        return whole, ""
    leading = latex(sp.factor(regime.leading_term(expr)), **settings)
    return f"{leading} + {LOWER_ORDER}", whole
