# ruff: noqa: E501  (golden formulas are kept whole, one per line)
"""LaTeX → Typst math: golden conversions of the project's formulas, each compiled.

The right-hand sides were read and checked by eye once (rendered side by side
with the LaTeX); a change in tylax that alters any of them fails here first.
"""

import re

import pytest

from answerkey.documents.math_notation import MathError, latex, symbol_latex, to_typst

GOLDEN = [
    (
        r"\mathbb{E}[q_i] = \mu",
        r"EE [q_(i)] = mu",
    ),
    (
        r"\mathbb{E}[q_i k_i] = \mathbb{E}[q_i]\,\mathbb{E}[k_i] = \mu^{2}",
        r"EE [q_(i) k_(i)] = EE [q_(i)]thin EE [k_(i)] = mu^(2)",
    ),
    (
        r"\mathbb{E}[q^\top k] = \sum_{i=1}^{d} \mu^{2} = d \mu^{2}",
        r"EE [q^(top) k ] = sum_(i = 1)^(d) mu^(2) = d mu^(2)",
    ),
    (
        r"\mathbb{E}[q^\top k] = \sum_{i=1}^{d} \mu_i^2 = \|\mu\|^2",
        r"EE [q^(top) k ] = sum_(i = 1)^(d) mu_(i)^(2) = norm(mu)^(2)",
    ),
    (
        r"\mathbb{E}[(q_i k_i)^2] = \mathbb{E}[q_i^2]\,\mathbb{E}[k_i^2] = \left(\mu^{2} + \sigma^{2}\right)^{2}",
        r"EE [(q_(i) k_(i))^(2)] = EE [q_(i)^(2)]thin EE [k_(i)^(2)] = (mu^(2) + sigma^(2))^(2)",
    ),
    (
        r"\operatorname{Var}(q^\top k) = d \sigma^{2} \left(2 \mu^{2} + \sigma^{2}\right)",
        r'op("Var") (q^(top) k) = d sigma^(2) (2 mu^(2) + sigma^(2))',
    ),
    (
        r"\operatorname{Var}(q^\top k / s) = \frac{d}{s^{2}} = 1 \;\Rightarrow\; s = \sqrt{d}",
        r'op("Var") (q^(top) k slash s) = frac(d, s^(2)) = 1 thick => thick s = sqrt(d)',
    ),
    (
        r"q, k \sim \mathcal{N}(\mu, \sigma^2 I)",
        r"q, k tilde cal(N) (mu, sigma^(2) I)",
    ),
    (
        r"x \in \mathbb{R}^{N \times F}",
        r"x in RR^(N times F)",
    ),
    (
        r"W_Q, W_K \in \mathbb{R}^{F \times D}",
        r"W_(Q), W_(K) in RR^(F times D)",
    ),
    (
        r"V' = \operatorname{softmax}(Q K^\top / \sqrt{D})\, V",
        'V\' = op("softmax") (Q K^(top) slash sqrt(D))thin V',
    ),
    (
        r"V'_i = \sum_j \mathrm{sim}(Q_i, K_j) V_j \,/\, \sum_j \mathrm{sim}(Q_i, K_j)",
        r"V'_(i) = sum_(j) upright(s i m) (Q_(i), K_(j)) V_(j) thin slash thin sum_(j) upright(s i m) (Q_(i), K_(j))",
    ),
    (
        r"\mathrm{sim}(q, k) = \exp(q^\top k / \sqrt{D})",
        r"upright(s i m) (q, k) = exp (q^(top) k slash sqrt(D))",
    ),
    (
        r"\left(q^\top k + 1\right)^{2}",
        r"(q^(top) k + 1)^(2)",
    ),
    (
        r"\phi(q) = \left[ 1, \  \sqrt{2} q_{1}, \  \sqrt{2} q_{2}, \  q_{1}^{2}, \  \sqrt{2} q_{1} q_{2}, \  q_{2}^{2}\right]",
        r"phi.alt (q) = [ 1, thick sqrt(2) q_(1), thick sqrt(2) q_(2), thick q_(1)^(2), thick sqrt(2) q_(1) q_(2), thick q_(2)^(2) ]",
    ),
    (
        r"\frac{\left(D + 1\right) \left(D + 2\right)}{2}",
        r"frac((D + 1) (D + 2), 2)",
    ),
    (
        r"D^{2} + D + 1",
        r"D^(2) + D + 1",
    ),
    (
        r"V'_i = \frac{\phi(Q_i)^\top \sum_j \phi(K_j) V_j^\top}{\phi(Q_i)^\top \sum_j \phi(K_j)}",
        r"V'_(i) = frac(phi.alt (Q_(i))^(top) sum_(j) phi.alt (K_(j)) V_(j)^(top), phi.alt (Q_(i))^(top) sum_(j) phi.alt (K_(j)))",
    ),
    (
        r"2 D N^{2} + 2 M N^{2}",
        r"2 D N^(2) + 2 M N^(2)",
    ),
    (
        r"O\left(N^{2} D + N^{2} M\right)",
        r"O (N^(2) D + N^(2) M)",
    ),
    (
        r"\mathcal{O}(N D^{2} M)",
        r"cal(O) (N D^(2) M)",
    ),
    (
        r"f_\theta: \mathbb{R}^m \to \mathbb{R}^k",
        r"f_(theta): RR^(m) -> RR^(k)",
    ),
    (
        r"\|x - g(f(x))\|^2",
        r"norm(x - g (f (x)))^(2)",
    ),
    (
        r"L(W_1, W_2; X) = \frac{1}{n} \|X - W_2 W_1 X\|_F^2",
        r"L (W_(1), W_(2); X) = frac(1, n) norm(X - W_(2) W_(1) X)_(F)^(2)",
    ),
    (
        r"\frac{\partial L}{\partial W_1} = -\frac{2}{n} W_2^\top (X - W_2 W_1 X) X^\top = 0",
        r"frac(partial L, partial W_(1)) = - frac(2, n) W_(2)^(top)(X - W_(2) W_(1) X) X^(top)= 0",
    ),
    (
        r"W_{2}^{T} \left(W_{2} W_{1} X - X\right) X^{T}",
        r"W_(2)^(T) (W_(2) W_(1) X - X) X^(T)",
    ),
    (
        r"W_1 = C U_k^\top,\ W_2 = U_k C^{-1}",
        r"W_(1) = C U_(k)^(top),thick W_(2) = U_(k) C^(- 1)",
    ),
    (
        r"\sigma_1^2 > \dots > \sigma_k^2 > 0",
        r"sigma_(1)^(2) > ...> sigma_(k)^(2) > 0",
    ),
    (
        r"\hat{A} = D^{-1/2}(A + I)D^{-1/2}",
        r"hat(A) = D^(- 1 slash 2)(A + I)D^(- 1 slash 2)",
    ),
    (
        r"H' = \tanh(\hat{A} H W^\top)",
        r"H' = tanh (hat(A) H W^(top))",
    ),
    (
        r"\log p(\text{neural} \mid \text{START}) = -0.65",
        r"log p (#text[neural] divides #text[START]) = - 0.65",
    ),
    (
        r"O(T k^{2} \log{\left(k \right)})",
        r"O (T k^(2) log (k))",
    ),
    (
        r"T k M \log M",
        r"T k M log M",
    ),
    (
        r"\pm\sqrt{\frac{5}{n_{in} + n_{out}}}",
        r"plus.minus sqrt(frac(5, n_(i n) + n_(o u t)))",
    ),
    (
        r"W_{\mathrm{enc}} \in \mathbb{R}^{k \times m}",
        r"W_(upright(e n c)) in RR^(k times m)",
    ),
    (
        r"\begin{aligned} a &= b \\ c &= d \end{aligned}",
        r"a & = b \ c & = d",
    ),
    (
        r"\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}",
        r'mat(delim: "(", 1, 0 ; 0, 1)',
    ),
    (
        r"x_{\text{noisy}} = x + 0.5\,\varepsilon",
        r"x_(#text[noisy]) = x + 0.5 thin epsilon",
    ),
    (
        r"\lVert \mu \rVert^2",
        r"norm(mu)^(2)",
    ),
    (
        r"\tilde A = A + I,\quad \tilde D_{ii} = \textstyle\sum_j \tilde A_{ij},\quad \hat A = \tilde D^{-1/2} \tilde A \tilde D^{-1/2}",
        r"tilde(A) = A + I,quad tilde(D)_(i i) = sum_(j) tilde(A)_(i j),quad hat(A) = tilde(D)^(- 1 slash 2) tilde(A) tilde(D)^(- 1 slash 2)",
    ),
    (
        r"\frac{\partial J}{\partial W} \mathrel{+}= \frac{\lambda}{N} W",
        r'frac(partial J, partial W) class("relation", +) = frac(lambda, N) W',
    ),
    (
        r"\frac{\mathbb{1}[i \in \text{train}]}{N}",
        r"frac(bb(1) [i in #text[train] ], N)",
    ),
    (
        r"\nabla_{W_1} L = 0",
        r"nabla_(W_(1)) L = 0",
    ),
]


def _compile_math(typst_math: str) -> bytes:
    import typst

    source = f"#set page(width: 12cm, height: auto)\n$ {typst_math} $\n"
    return typst.compile(source.encode(), ignore_system_fonts=True)


@pytest.mark.parametrize(("source", "expected"), GOLDEN, ids=[str(i) for i in range(len(GOLDEN))])
def test_golden_conversion(source, expected):
    assert to_typst(source) == expected


@pytest.mark.parametrize(("source", "expected"), GOLDEN, ids=[str(i) for i in range(len(GOLDEN))])
def test_golden_conversion_compiles(source, expected):
    assert _compile_math(expected).startswith(b"%PDF")


def test_there_are_a_few_dozen_golden_formulas():
    assert len(GOLDEN) >= 36


def test_bare_norm_bars_become_norm_not_an_identifier():
    # tylax alone turns `\frac{1}{n}\|X\|` into `1/nbar.v.double X ...`
    assert to_typst(r"\frac{1}{n}\|X\|_F^2") == "frac(1, n)norm(X)_(F)^(2)"


def test_a_fraction_stays_a_fraction_before_parentheses():
    # the slash form `2/n(W)` would put n(W) under the bar
    assert to_typst(r"\frac{2}{n}(W)").startswith("frac(2, n)")


def test_a_prime_keeps_its_subscript():
    assert to_typst(r"H'_i") == "H'_(i)"


@pytest.mark.parametrize(
    "source",
    [
        r"\foo{x}",  # tylax would print `foox`
        r"\textbf{x}",
        r"\text{a $ b}",
        r"\text{#let}",
        r"\begin{tabular}{l} x \end{tabular}",
        r"\frac{1}{2",
        r"\'e",
    ],
)
def test_formulas_tylax_would_misprint_are_refused(source):
    with pytest.raises(MathError):
        to_typst(source)


def test_empty_formula_is_empty():
    assert to_typst("  ") == ""


def test_naming_wrapper_spells_q_transpose_k():
    import sympy as sp

    qk = sp.Symbol("qk", real=True)
    assert latex((qk + 1) ** 2) == r"\left(q^\top k + 1\right)^{2}"
    assert to_typst(latex((qk + 1) ** 2)) == "(q^(top) k + 1)^(2)"


def test_naming_wrapper_sets_word_subscripts_upright():
    import sympy as sp

    assert symbol_latex("W_enc") == r"W_{\mathrm{enc}}"
    assert symbol_latex("sigma_k") == r"\sigma_k"
    assert symbol_latex("x_i") == "x_{i}"
    assert symbol_latex("beta_max") == r"\beta_{\mathrm{max}}"
    encoder = sp.MatrixSymbol("W_enc", 3, 4)
    assert latex(encoder.T * encoder) == r"W_{\mathrm{enc}}^{\top} W_{\mathrm{enc}}"


def test_naming_wrapper_leaves_greek_names_to_sympy():
    import sympy as sp

    mu, d = sp.Symbol("mu"), sp.Symbol("d")
    assert latex(d * mu**2) == r"d \mu^{2}"


# --- readable mathematics: the order, log₂, ᵀ, no echoes ---------------------------


def test_a_polynomial_opens_with_its_dominant_term():
    import sympy as sp

    from derivations.notation import latex

    D, M, N = sp.symbols("D M N", positive=True)
    linearized = -(D**2) * M / 2 - 3 * D / 2 - 1 + N * (2 * D**2 * M + 6 * D * M + 2)
    assert latex(linearized) == (
        r"N \left(2 D^{2} M + 6 D M + 2\right) - \frac{D^{2} M}{2} - \frac{3 D}{2} - 1"
    )
    assert latex(sp.collect(N**2 * (2 * D + 5) - N * (M + 2), N)) == (
        r"N^{2} \left(2 D + 5\right) - N \left(M + 2\right)"
    )
    z = sp.Symbol("z")
    assert latex(1 - sp.tanh(z) ** 2) == r"1 - \tanh^{2}{\left(z \right)}"


def test_binary_logarithms_transposes_and_matrix_sums_read_as_in_prose():
    import sympy as sp

    from derivations.notation import latex

    M, T, k = sp.symbols("M T k", positive=True)
    assert latex(M * T * k * sp.log(M) / sp.log(2)) == r"M T k \log_{2} M"
    assert latex(T * k**2 * sp.log(k)) == r"T k^{2} \log k"
    W, X = sp.MatrixSymbol("W", 3, 3), sp.MatrixSymbol("X", 3, 3)
    assert latex(W.T * (X - W * X)) == r"W^{\top} \left(X - W X\right)"


def _chain_members(latex: str) -> list[str]:
    """The members of `a = b = c` at the top level, normalized (sizes, braces, spaces)."""
    members, depth, start = [], 0, 0
    for i, char in enumerate(latex):
        depth += char in "{(" and 1 or (char in "})" and -1 or 0)
        if char == "=" and depth == 0 and latex[i - 1 : i] not in ("+", "\\"):
            members.append(latex[start:i])
            start = i + 1
    members.append(latex[start:])
    return [re.sub(r"\\left|\\right|[{}\s]", "", m) for m in members]


def test_no_formula_of_the_key_echoes_itself_or_prints_sympy_raw():
    import json
    from pathlib import Path

    results = json.loads((Path(__file__).parent / "golden" / "results.json").read_text())
    formulas = [
        (part["id"], formula)
        for question in results["questions"]
        for part in question["parts"]
        for formula in [s["latex"] for s in part["steps"]] + [(part["answer"] or {}).get("latex")]
        if formula
    ]
    assert len(formulas) > 50
    for part, formula in formulas:
        assert r"\log{\left(2 \right)}" not in formula, (part, formula)
        assert "^{T}" not in formula, (part, formula)
        members = [m for m in _chain_members(formula) if m]
        echoes = [a for a, b in zip(members, members[1:], strict=False) if a == b]
        assert not echoes, (part, formula)
