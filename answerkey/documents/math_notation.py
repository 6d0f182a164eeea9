"""Math written once in LaTeX notation, typeset by Typst; and the names of symbols.

    to_typst(r"\\frac{d}{s^{2}} = 1")  ->  "frac(d, s^(2)) = 1"
    latex(qk + 1)                      ->  r"q^\\top k + 1"    (Symbol("qk"))

Every formula of the project is LaTeX (SymPy's `latex()` or written by hand):
the .tex documents print it as it is, the Typst documents through `to_typst`,
which wraps the `tylax` converter with the repairs the project's formulas need:

- `tylax` drops an unknown command without a word (`\\foo{x}` becomes `foox`),
  so every command must be on `KNOWN_COMMANDS`; any other raises `MathError`
  and the documents print that formula as source instead of guessing;
- a bare `\\| x \\|` (or `\\lVert x \\rVert`) turns into an identifier glued to
  its neighbour (`1/nbar.v.double`): it is rewritten as `\\left\\| … \\right\\|`,
  which becomes Typst's `norm(…)`;
- fractions stay `frac(a, b)`: tylax's slash form `2/n(W)` reads as 2 over n(W);
- `\\textstyle` and `\\displaystyle` are dropped (tylax's `inline(…)` swallows the
  rest of the group, commas included, and Typst rejects it);
- a control space `\\ ` (SymPy writes one after each comma of a list) becomes `\\;`,
  which tylax keeps;
- a prime is kept against its base (`H '` would detach the subscript in `H'_i`);
- `\\text{…}` may hold plain words only (its content is copied into Typst markup).

SymPy prints a symbol from its name and mangles the names the homework uses
(`qk` for qᵀk; `W_enc` as an italic product e·n·c). `latex(expr)` is the one
naming wrapper: it prints SymPy objects with `symbol_latex(name)` for every
symbol, from `SYMBOL_LATEX` or, for a multi-letter word in a sub- or
superscript, as upright text (`W_{\\mathrm{enc}}`).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Names SymPy cannot spell from the name alone. Keys are Symbol/MatrixSymbol names.
SYMBOL_LATEX: dict[str, str] = {
    "qk": r"q^\top k",
    "qTk": r"q^\top k",
    "q^T k": r"q^\top k",
    "q^Tk": r"q^\top k",
    "W_Q": r"W_Q",
    "W_K": r"W_K",
    "W_V": r"W_V",
    "U_k": r"U_k",
    "sigma_k": r"\sigma_k",
}

GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta "
    "Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
).split()

# Every command `to_typst` accepts; tylax converts each correctly (tests/test_typst_math.py).
KNOWN_COMMANDS = frozenset(
    GREEK
    + """
    top mathbb mathcal mathrm mathbf mathit mathsf operatorname text frac tfrac dfrac sqrt
    sum prod int log exp ln tanh sin cos max min arg det lim sup inf Pr left right cdot times
    div pm mp le leq ge geq ne neq approx sim propto equiv in notin subset subseteq to
    rightarrow leftarrow Rightarrow Leftarrow iff implies mapsto infty partial nabla dots
    ldots cdots vdots ddots quad qquad hat tilde bar overline vec dot boxed mid binom begin
    end prime ell forall exists emptyset setminus cup cap circ star ast odot otimes oplus
    langle rangle lfloor rfloor lceil rceil limits displaystyle lVert rVert lvert rvert
    underbrace overbrace big Big bigg Bigg gg ll mathscr textstyle mathrel mathbin mathop
    """.split()
)
KNOWN_ENVIRONMENTS = frozenset("aligned matrix pmatrix bmatrix vmatrix cases".split())
# Commands spelled with one non-letter: spacing, braces, bars, row separator.
KNOWN_SYMBOL_COMMANDS = frozenset([",", ";", ":", "!", " ", "{", "}", "|", "\\", "#"])

_COMMAND = re.compile(r"\\([A-Za-z]+)\*?|\\(.)", re.DOTALL)
_TEXT_ARGUMENT = re.compile(r"\\text\{([^{}]*)\}")
_PLAIN_WORDS = re.compile(r"[A-Za-z0-9 ,.;:()'?!+=<>/-]*")
_BARE_NORM = re.compile(r"(?:\\(?:left|right|big|Big|bigg|Bigg))?(?:\\\||\\lVert|\\rVert)")


class MathError(ValueError):
    """A formula `to_typst` will not convert (it would typeset it wrongly)."""


def _check_commands(latex: str) -> None:
    for match in _COMMAND.finditer(latex):
        word, symbol = match.groups()
        if word is not None and word not in KNOWN_COMMANDS:
            raise MathError(f"unsupported LaTeX command \\{word} in {latex!r}")
        if symbol is not None and symbol not in KNOWN_SYMBOL_COMMANDS:
            raise MathError(f"unsupported LaTeX command \\{symbol} in {latex!r}")
    for environment in re.findall(r"\\begin\{([^}]*)\}", latex):
        if environment not in KNOWN_ENVIRONMENTS:
            raise MathError(f"unsupported environment {environment!r} in {latex!r}")
    for content in _TEXT_ARGUMENT.findall(latex):
        if not _PLAIN_WORDS.fullmatch(content):
            raise MathError(f"\\text{{…}} may hold plain words only, not {content!r}")
    unescaped = latex.replace("\\{", "").replace("\\}", "")
    if unescaped.count("{") != unescaped.count("}"):
        raise MathError(f"unbalanced braces in {latex!r}")


def _pair_norm_bars(latex: str) -> str:
    """`\\|x\\|` and `\\lVert x \\rVert` → `\\left\\| x \\right\\|`, pairing bare bars in order."""
    out: list[str] = []
    position, opened = 0, False
    for match in _BARE_NORM.finditer(latex):
        out.append(latex[position : match.start()])
        token = match.group(0)
        if token.startswith(("\\left", "\\right")):
            out.append(token)  # already sized: tylax handles \left\| … \right\|
            opened = token.startswith("\\left")
        else:
            out.append("\\right\\|" if opened else "\\left\\|")
            opened = not opened
        position = match.end()
    out.append(latex[position:])
    return "".join(out)


def _without_style_switches(latex: str) -> str:
    """Drop `\\textstyle` / `\\displaystyle`: tylax wraps the rest of the group in
    `inline(…)`, where the group's commas become extra arguments and Typst fails.
    They only change a sum's size."""
    return re.sub(r"\\(?:textstyle|displaystyle)(?![A-Za-z])\s*", "", latex)


def _spaces(latex: str) -> str:
    """`\\ ` (a control space) → `\\;`: tylax drops the former, and SymPy puts one
    after every comma of a list."""
    return re.sub(r"(?<!\\)\\ ", r"\\; ", latex)


def _tidy(typst: str) -> str:
    # `H '` → `H'`: a detached prime would take the subscript of `H'_i` away from H.
    return re.sub(r"(?<=[\w)\]]) +'", "'", typst).strip()


@lru_cache(maxsize=4096)
def to_typst(latex: str) -> str:
    """Typst math for one LaTeX formula (no delimiters on either side).

    Raises MathError for a command or environment outside the known set, or when
    tylax reports a problem, rather than typeset something that reads differently.
    """
    import tylax

    latex = latex.strip()
    if not latex:
        return ""
    _check_commands(latex)
    # frac(a, b), not a/b: `2/n(W)` would put the whole `n(W)` under the bar.
    options = tylax.L2TOptions(frac_to_slash=False)
    prepared = _spaces(_pair_norm_bars(_without_style_switches(latex)))
    result = tylax.latex_to_typst_diagnostics(prepared, options=options)
    if result.warnings:
        problems = "; ".join(w.message for w in result.warnings)
        raise MathError(f"tylax could not convert {latex!r}: {problems}")
    return _tidy(result.output)


# --- the naming wrapper ----------------------------------------------------------


def symbol_latex(name: str) -> str:
    """LaTeX for a symbol named `name`: `SYMBOL_LATEX`, else SymPy's spelling with
    multi-letter words in sub- and superscripts set upright (`W_enc` → `W_{\\mathrm{enc}}`)."""
    if name in SYMBOL_LATEX:
        return SYMBOL_LATEX[name]
    import sympy as sp

    spelled = sp.latex(sp.Symbol(name))

    def upright(match: re.Match) -> str:
        word = match.group(2)
        return f"{match.group(1)}{{\\mathrm{{{word}}}}}" if word not in GREEK else match.group(0)

    return re.sub(r"([_^])\{([A-Za-z]{2,})\}", upright, spelled)


def latex(expr, **settings) -> str:
    """`derivations.notation.latex(expr)` (SymPy's, in reading order: dominant term first,
    log₂, ᵀ) with every symbol spelled by `symbol_latex`."""
    import sympy as sp

    from derivations import notation

    names = {}
    if isinstance(expr, sp.Basic):
        named = expr.atoms(sp.Symbol, sp.MatrixSymbol)
        names = {atom: symbol_latex(atom.name) for atom in named}
    return notation.latex(expr, symbol_names=names, **settings)
