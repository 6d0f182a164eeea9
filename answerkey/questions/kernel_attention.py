"""Q3: kernelized linear attention.

The answers are the objects `derivations.kernel_attention` derives (SymPy):
the convexity argument of q3.a, the kernel and its feature maps, eq. 3 with φ,
and exact operation and memory counts of `models.kernel_attention` with their
dominant terms. The checks prove the stated forms equal to the derived ones
(general where SymPy reaches symbolic sizes, exhaustive over concrete sizes
otherwise, and saying which), check the bound on exact rational instances,
find the blow-up of a sign-changing similarity numerically, and hold the
counts against the implementation: matrix-product FLOPs against
torch.utils.flop_counter.FlopCounterMode, all arithmetic against the
project's own `OperationCounter`, memory against the bytes autograd saves
(one per storage) and against the peak memory of a fresh process per size.

The checks live in `kernel_attention_checks` (q3.a, q3.b) and
`kernel_attention_cost_checks` (q3.c); the timing experiment behind q3.c.ii's
figure (`answerkey run attention`) in `answerkey.experiments.attention`.

Answer.value contracts: `answerkey.parts.Answer` (one table for every part).
"""

from __future__ import annotations

import math
from functools import cache

from answerkey.experiments.attention import FIGURE, FIGURE_PRECISION
from answerkey.parts import Answer, Asked, Figure, Part, Question, Table
from answerkey.questions.kernel_attention_costs import claimed_costs, complexity_value

ASSUMPTIONS = (
    "$N$, $D$, $M$ positive integers",
    r"$Q, K \in \mathbb{R}^{N \times D}$, $V \in \mathbb{R}^{N \times M}$",
)
COST_ASSUMPTIONS = (
    *ASSUMPTIONS,
    r"a matrix product $(m \times k)(k \times n)$: $2mkn$ FLOPs, $mn(2k - 1)$ scalar "
    "operations; softmax over a row of $n$: $5n - 2$ operations",
    "memory: the numbers kept for the backward pass ($Q$, $K$, $V$ and the intermediate results)",
)


PRECISION_NOTE = (
    "Precision (not asked; no credit depends on it): the linearized form is exact algebra, "
    r"not exact arithmetic. $\phi(q)^\top \sum_j \phi(K_j) V_j^\top$ adds terms of size "
    r"$\|q\|^2 \|K_j\|^2$ whose sum, $\sum_j (q^\top K_j + 1)^2 V_j^\top$, can be "
    r"$O(1)$: when $\|q\| \|k\|$ is large against $q^\top k + 1$ they cancel, the relative "
    r"error grows as the fourth power of the scale (the $O(N^2)$ form only loses "
    r"$\varepsilon \|q\| \|k\|$ in $q^\top k$: the second power), and the output can "
    "come out as NaN or inf. The scales from which it is unreliable, in float32 and float64, "
    "are the answer's last sentence and table, read from the attention experiment's results. "
    "A student "
    "whose implementation returns NaN for large queries and keys has met this, not a wrong "
    r"$\phi$; the key's `kernelized_attention` raises instead of returning NaN."
)

# How answers name what each part asks for (the judge reads free text with it; rubric.toml
# may add aliases). Lowercase n is the sequence length N.
_ALIASES = {"n": "N"}
_FEATURES = "(D+1)(D+2)/2"
ASKED_KERNEL = Asked(
    lhs=r"(?:k|sim|kernel|k_\{?poly\}?|k_2|κ)(?:\([qx],[ky]\))?",
    words=("kernel", "sim", "similarity", "k(q"),
    other=("feature", "dimension", "φ", "phi"),
    aliases=_ALIASES,
)
ASKED_FEATURE_MAP = Asked(
    lhs=r"(?:φ|phi|varphi|ϕ)(?:\([qxk]\))?|(?:dim|p|d_?phi|d'|numberoffeatures|"
    r"featuredimension|dim\(?(?:φ|phi|varphi)\)?|\|φ\(q\)\||d_\{?φ\}?)",
    words=("feature", "features", "dimension", "components", "φ(q)", "phi(q)", "map"),
    after=("entries", "components", "features", "elements", "coordinates", "dimensions"),
)
ASKED_SOFTMAX_COSTS = Asked(aliases=_ALIASES)
ASKED_LINEAR_COSTS = Asked(
    aliases=_ALIASES,
    phrases={
        "feature dimension": _FEATURES,
        "dim φ": _FEATURES,
        "dim phi": _FEATURES,
        "number of features": _FEATURES,
        "dimension of φ": _FEATURES,
        "O(D^2)": "D^2",
        "o(d^2)": "D^2",
    },
)


QUESTION = Question(
    number=3,
    title="Kernelized Linear Attention",
    intro=(
        r"Input $x \in \mathbb{R}^{N \times F}$; $Q = x W_Q$, $K = x W_K$, $V = x W_V$ with "
        r"$W_Q, W_K \in \mathbb{R}^{F \times D}$ and $W_V \in \mathbb{R}^{F \times M}$. Softmax "
        r"attention is $V' = \operatorname{softmax}(Q K^\top / \sqrt{D})\, V$, row-wise. For a "
        r"similarity function sim, generalized attention is "
        r"$V'_i = \sum_j \mathrm{sim}(Q_i, K_j) V_j \,/\, \sum_j \mathrm{sim}(Q_i, K_j)$ (eq. 3); "
        r"softmax attention is the case $\mathrm{sim}(q, k) = \exp(q^\top k / \sqrt{D})$."
    ),
    parts=[
        Part(
            "q3.a",
            "What conditions on the denominator of eq. 3 keep $V'_i$ from blowing up?",
            answer=lambda profile: _answer_a(),
            assumptions=ASSUMPTIONS,
            steps=lambda: _steps()["q3.a"],
            checks=lambda profile: _checks().checks_a(),
            notes=(
                r"HW6 caveat: even with $(q^\top k + 1)^2 \ge 0$ the denominator is 0 when every "
                r"$Q_i^\top K_j = -1$ (0/0); implementations add a small $\varepsilon$ to the "
                r"denominator. $\varepsilon$ does not rescue a similarity that can be negative: "
                r"its denominator can be $-\varepsilon$.",
                "In floating point the linearized form does not even flag that corner: its "
                r"denominator $\phi(Q_i)^\top \sum_j \phi(K_j)$ comes out as a rounding residue "
                "(of either sign), so $V'_i$ is finite and meaningless instead of NaN (the q3.a "
                r"check shows one); the $\varepsilon$ guard covers it too.",
                r"Full credit for “the denominator must be positive” or “$\mathrm{sim} \ge 0$ and "
                "not all zero” with the reason (weights of a convex combination / no "
                "cancellation to zero). “Nonzero” alone is not enough: a denominator near zero "
                "still blows $V'_i$ up.",
            ),
        ),
        Part(
            "q3.b.i",
            '"Quadratic kernel attention": the polynomial kernel of degree 2, with every constant '
            r"factor set to 1. Derive $\mathrm{sim}(q, k)$.",
            asked=ASKED_KERNEL,
            answer=lambda profile: _answer_b_i(),
            assumptions=(r"$q, k \in \mathbb{R}^D$",),
            steps=lambda: _steps()["q3.b.i"],
            checks=lambda profile: _checks().checks_b_i(),
            notes=(
                r"HW6 caveat: “every constant factor set to 1” is usually read as "
                r"$(q^\top k + 1)^2$ ($\gamma = c = 1$ in $(\gamma\, q^\top k + c)^p$). "
                r"$(q^\top k)^2$ is accepted too, for a reason a grader can check: it is the "
                r"homogeneous polynomial kernel ($c = 0$), which several textbooks call the "
                r"polynomial kernel of degree $p$; its only constant factor is $\gamma$, set to 1 "
                r"(an added $c$ is no factor). Follow-through: its own $\phi$ in q3.b.ii "
                r"($D(D+1)/2$ or $D^2$ components) and its costs in q3.c.ii (the same big-O) "
                "earn full credit.",
            ),
        ),
        Part(
            "q3.b.ii",
            r"Derive the feature map $\phi(\cdot)$ of that quadratic kernel, so that "
            r"$K(q, k) = \phi(q)^\top \phi(k)$.",
            asked=ASKED_FEATURE_MAP,
            answer=lambda profile: _answer_b_ii(),
            assumptions=(r"$q, k \in \mathbb{R}^D$, $D$ a positive integer",),
            steps=lambda: _steps()["q3.b.ii"],
            checks=lambda profile: _checks().checks_b_ii(),
            notes=(
                r"HW6 caveat: $\phi$ for $(q^\top k + 1)^2$ has $(D+1)(D+2)/2$ components with "
                r"the $\sqrt{2}$ cross terms merged, or $1 + D + D^2$ with every ordered pair "
                r"kept: both are right. Any $\phi$ with $\phi(q)^\top \phi(k) = (q^\top k + 1)^2$ "
                r"is right (e.g. $\operatorname{vec}(\tilde{x} \tilde{x}^\top)$ with $\tilde{x} = "
                "(1, x)$, $(D+1)^2$ components); the order of the components does not matter, "
                "nor their signs.",
                r"Under the $(q^\top k)^2$ reading: $\phi(q) = (q_i^2, \sqrt{2} q_i q_j \text{ "
                "for } i < j)$, $D(D+1)/2$ components (or $D^2$ ordered).",
                "Each common wrong answer's credit grades what that answer states, a map or a "
                "count. Items 5 (no dimension) and 6 (no check) grade the whole solution and "
                "stack on a row's credit when the solution lacks them: the map without any "
                r"$\sqrt{2}$, with no dimension and no check anywhere, earns "
                "3 − 1 − 1 − 0.5 − 0.5 = 0 of 3; with both it earns the row's 1 of 3.",
            ),
        ),
        Part(
            "q3.b.iii",
            r"For a general kernel with feature map $\phi$, rewrite eq. 3 using $\phi$.",
            answer=lambda profile: _answer_b_iii(),
            assumptions=(r"$\phi: \mathbb{R}^D \to \mathbb{R}^P$ any feature map",),
            steps=lambda: _steps()["q3.b.iii"],
            checks=lambda profile: _checks().checks_b_iii(),
            notes=(
                r"The handout's eq. 3, $\sum_j \mathrm{sim}(Q_i, K_j) V_j$, is a column for "
                r"$V_j \in \mathbb{R}^M$, while its eq. 5, $\phi(Q_i)^\top \sum_j \phi(K_j) "
                r"V_j^\top$, is a row: the two differ by a transpose. The key prints both sides "
                r"as rows, $V_j^\top$ in eq. 3's form too, which is eq. 5 with the "
                "handout's transpose fixed (the q3.b.iii check reads the printed terms' shapes). "
                "Either orientation earns full credit, and so does copying the handout's "
                "mismatch: rubric item 4 is for a transpose the student introduces (an outer "
                r"product $\phi(Q_i)\phi(K_j)^\top$ where a number is needed).",
            ),
        ),
        Part(
            "q3.c.i",
            "Softmax attention: the computational cost and memory requirement of computing all "
            "$V'_i$, in terms of $N$, $D$, $M$ (memory includes everything stored for "
            "backpropagation).",
            asked=ASKED_SOFTMAX_COSTS,
            answer=lambda profile: _complexity_answer("softmax"),
            assumptions=COST_ASSUMPTIONS,
            steps=lambda: _steps()["q3.c.i"],
            checks=lambda profile: _cost_checks().checks_c("softmax")(profile),
            notes=(
                r"Memory counts what backpropagation keeps: $Q$, $K$, $V$ and the $N \times N$ "
                r"attention matrix; the $N \times M$ output and the transient $N \times N$ score "
                "matrix come on top and do not change the big-O.",
                "$O(N^2 D)$ alone (dropping $M$), or $O(N^2)$ for memory without $Q$, $K$, $V$, "
                "are partial answers.",
            ),
            experiment="attention",
        ),
        Part(
            "q3.c.ii",
            # eq. 5 last: earlier in the line LaTeX finds no good break around it (overfull).
            "Linearized degree-2 polynomial kernel attention: its computational cost and memory "
            r"requirement, using associativity ($V'_i = \phi(Q_i)^\top \sum_j \phi(K_j) "
            r"V_j^\top \,/\, \phi(Q_i)^\top \sum_j \phi(K_j)$, eq. 5).",
            asked=ASKED_LINEAR_COSTS,
            answer=lambda profile: _complexity_answer("linear", profile),
            assumptions=(*COST_ASSUMPTIONS, "the merged feature map, $P = (D+1)(D+2)/2$"),
            steps=lambda: _steps()["q3.c.ii"],
            checks=lambda profile: _cost_checks().checks_c("linear")(profile),
            notes=(
                r"The $O(\cdot)$ needs the feature dimension: $P = O(D^2)$ gives $O(N D^2 M)$ "
                r"time; $O(N D M)$ (treating $\phi$ as width $D$) is wrong. Under the $(q^\top "
                "k)^2$ reading the big-O is the same.",
                "The exact counts assume the key's implementation, operation for operation as "
                "the derivation lists them; a different order of operations changes lower-order "
                "terms only.",
                PRECISION_NOTE,
            ),
            experiment="attention",
        ),
    ],
)


def _checks():
    """q3.a's and q3.b's checks, imported when a part's checks are first built."""
    from answerkey.questions import kernel_attention_checks

    return kernel_attention_checks


def _cost_checks():
    """q3.c's checks, imported when a part's checks are first built."""
    from answerkey.questions import kernel_attention_cost_checks

    return kernel_attention_cost_checks


@cache
def _steps():
    return derivation().steps()


def derivation():
    # Imported on demand: `answerkey list` must not pay for SymPy.
    from derivations import kernel_attention

    return kernel_attention


# --- the key's stated forms ------------------------------------------------------------------

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def plain(expr) -> str:
    """An expression as the check details print it (plain text, where `$` is no math):
    2DN² + 5N² − MN, N(D + 1)(D + 2)/2."""
    import re

    import sympy as sp

    text = sp.sstr(expr, order="grlex")
    text = re.sub(r"\*\*(\d+)", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    return text.replace("*", "").replace(" - ", " − ").replace("sqrt(2)", "√2 ")


def _latex(expr) -> str:
    """An expression as inline math in the answers' prose, terms in `plain`'s order."""
    from answerkey.documents.math_notation import latex

    return latex(expr, order="grlex")


# --- answers -----------------------------------------------------------------------------------


# How q3.a's conditions print: s_j is one similarity score, S their sum over j.
CONDITION_NAMES = {"s_j": r"\mathrm{sim}(Q_i, K_j)", "S": r"\sum_j \mathrm{sim}(Q_i, K_j)"}
BOUND = r"\|V'_i\| \le \max_j \|V_j\|"


def conditions_latex(conditions) -> list[str]:
    """q3.a's claimed conditions (`x ⋈ 0`, x the score s_j or the sum S) as printed."""
    from derivations import notation

    names = {c.lhs: CONDITION_NAMES[c.lhs.name] for c in conditions}
    return [notation.latex(c, symbol_names=names) for c in conditions]


def sign_word(condition) -> str:
    """The word for a condition `x ⋈ 0`: nonnegative, positive, nonzero, ..."""
    import sympy as sp

    words = {sp.GreaterThan: "nonnegative", sp.StrictGreaterThan: "strictly positive",
             sp.Unequality: "nonzero", sp.LessThan: "nonpositive",
             sp.StrictLessThan: "strictly negative"}  # fmt: skip
    return words[type(condition)]


def conditions_display(conditions) -> str:
    """q3.a's displayed answer, rendered from the claimed conditions."""
    score, total = conditions_latex(conditions)
    return rf"{score} \text{{ for all }} j \text{{ and }} {total} \;\Rightarrow\; {BOUND}"


def _answer_a() -> Answer:
    KA = derivation()
    conditions = KA.CONDITIONS
    (score, total), (score_word, total_word) = (
        conditions_latex(conditions),
        [sign_word(c) for c in conditions],
    )
    return Answer(
        latex=conditions_display(conditions),
        value={"conditions": conditions},
        text=(
            f"The denominator must be {total_word}, ${total}$, and it stays so when every "
            f"similarity score is {score_word}, ${score}$, and not all of them are "
            r"zero. Then the weights "
            r"$w_j = \mathrm{sim}(Q_i, K_j) / \sum_l \mathrm{sim}(Q_i, K_l)$ are nonnegative "
            "and sum to 1, so $V'_i$ is a convex combination (a weighted average) of the $V_j$ "
            f"and cannot leave their convex hull: ${BOUND}$. If the scores can be negative "
            r"(e.g. the plain dot "
            r"product $q^\top k$), positive and negative terms can cancel, the denominator can be "
            "0 or arbitrarily close to it while the numerator is not, and $V'_i$ blows up. "
            r"Softmax's $\exp(q^\top k / \sqrt{D}) > 0$ always satisfies the condition."
        ),
    )


def _answer_b_i() -> Answer:
    KA = derivation()
    return Answer(
        latex=r"\mathrm{sim}(q, k) = " + KA.latex(KA.KERNEL),
        value=KA.KERNEL,
        # An exponent after a bracket in braces, `)^{2}`: the build's test reads a formula's
        # letters piece by piece (split at braces), and pdftotext lifts that exponent off the line.
        text=(
            r"$\mathrm{sim}(q, k) = (q^\top k + 1)^{2} = 1 + 2 q^\top k + (q^\top k)^{2}$: the "
            r"polynomial kernel $(\gamma\, q^\top k + c)^{p}$ of degree $p = 2$ and "
            r"$\gamma = c = 1$. "
            r"The homogeneous polynomial kernel $(q^\top k)^{p}$ ($c = 0$), which several "
            r"textbooks call the polynomial kernel of degree $p$, has no added constant and "
            r"only the factor $\gamma = 1$: it gives $(q^\top k)^{2}$, also right (its feature "
            "map and costs are given with q3.b.ii and q3.c.ii)."
        ),
    )


def _answer_b_ii() -> Answer:
    from derivations import notation

    KA = derivation()
    # The D = 2 example in the prose comes from the derived map, not typed.
    example = ", ".join(notation.latex(c) for c in KA.feature_map(2))
    return Answer(
        latex=(
            r"\begin{aligned} &\phi(q) = \big(1,\ \sqrt2\, q_1, \dots, \sqrt2\, q_D,\ "
            r"q_1^2, \dots, q_D^2,\ \sqrt2\, q_i q_j\ (i < j)\big), \\ "
            r"&\operatorname{dim}\phi = "
            + notation.latex(KA.DIMENSION_MERGED)
            + r"\ \ (\text{or } 1 + D + D^2 \text{ keeping every ordered pair } q_i q_j)"
            r"\end{aligned}"
        ),
        value={
            "feature_map": KA.feature_map,
            "dimension_merged": KA.DIMENSION_MERGED,
            "dimension_ordered": KA.DIMENSION_ORDERED,
        },
        text=(
            r"Expand $(q^\top k + 1)^{2} = 1 + 2 \sum_i q_i k_i "
            r"+ \sum_i \sum_j (q_i q_j)(k_i k_j)$ and read off one component per term: "
            r"$\phi(q) = (1, \sqrt{2} q_1, \dots, \sqrt{2} q_D, q_1^2, \dots, q_D^2, "
            r"\sqrt{2} q_i q_j \text{ for } i < j)$, with $(D+1)(D+2)/2$ components. Keeping "
            r"every ordered pair $q_i q_j$ instead (no $\sqrt{2}$ on the products) gives an "
            r"equally valid $\phi$ with $1 + D + D^2$ components. For $D = 2$: "
            rf"$\phi(q) = ({example})$. Under the $(q^\top k)^{{2}}$ reading, "
            r"$\phi(q) = (q_i^2, \sqrt{2} q_i q_j \text{ for } i < j)$: $D(D+1)/2$ components "
            "(or $D^2$ with ordered pairs)."
        ),
    )


def row_latex(product, limits: bool = True) -> str:
    """Row i of an eq. 3 or eq. 5 product of `derivation()`'s matrices, as printed:
    (ΦQ ΦKᵀ) V  ->  Σ_j (φ(Q_i)ᵀφ(K_j)) V_jᵀ, and ΦQ (ΦKᵀ V)  ->  φ(Q_i)ᵀ Σ_j φ(K_j) V_jᵀ
    (with 1 for V: the denominators). The outer factor's rows are i, the summed one's j.
    V_j ∈ ℝ^M is a column, as in the handout's eq. 5, so row j of V is V_jᵀ and both forms
    are the row V'_i (1×M); the handout's eq. 3 writes V_j, a column, beside it.

    Raises ValueError for any other shape of product."""
    import sympy as sp

    KA = derivation()
    total = r"\sum_{j=1}^N" if limits else r"\sum_j"
    letters = {KA.PHI_Q: "Q", KA.PHI_K: "K"}

    def phi(matrix, index: str) -> str:
        return rf"\phi({letters[matrix]}_{index})"

    def value(matrix) -> str:
        if matrix == KA.ONES:
            return ""
        if matrix != KA.VALUES:
            raise ValueError(f"{matrix}: not V or the ones column")
        return r"\, V_j^\top"

    outer, right = product.args if isinstance(product, sp.MatMul) else (None, None)
    if isinstance(outer, sp.MatMul) and len(outer.args) == 2 and outer.args[0] in letters:
        first, second = outer.args  # (ΦQ ΦKᵀ) V
        if isinstance(second, sp.Transpose) and second.arg in letters:
            score = rf"{phi(first, 'i')}^\top {phi(second.arg, 'j')}"
            if right != KA.ONES:  # the scalar score times the row V_jᵀ
                score = rf"\big({score}\big)"
            return rf"{total} {score}{value(right)}"
    if outer in letters and isinstance(right, sp.MatMul) and len(right.args) == 2:
        second, last = right.args  # ΦQ (ΦKᵀ V)
        if isinstance(second, sp.Transpose) and second.arg in letters:
            return rf"{phi(outer, 'i')}^\top {total} {phi(second.arg, 'j')}{value(last)}"
    raise ValueError(f"{product}: not a row form of eq. 3 or eq. 5")


def linearized_display(forms: dict) -> str:
    """q3.b.iii's display from eq. 3 (derived) and the claimed eq. 5 (`associativity_general`)."""

    def fraction(kind: str) -> str:
        return rf"\frac{{{row_latex(forms[kind + '_num'])}}}{{{row_latex(forms[kind + '_den'])}}}"

    return rf"V'_i = {fraction('eq3')} = {fraction('eq5')}"


def linearized_prose(forms: dict, kind: str) -> str:
    """`V'_i = numerator / denominator` of eq. 3 or eq. 5 (kind "eq3", "eq5") for prose."""
    num, den = (row_latex(forms[f"{kind}_{what}"], limits=False) for what in ("num", "den"))
    return rf"V'_i = {num} \,/\, {den}"


def _answer_b_iii() -> Answer:
    KA = derivation()
    forms = KA.associativity_general()
    return Answer(
        latex=linearized_display(forms),
        value=dict(KA.LINEARIZED),
        text=(
            r"Replace $\mathrm{sim}(Q_i, K_j)$ by $\phi(Q_i)^\top \phi(K_j)$ in eq. 3: "
            f"${linearized_prose(forms, 'eq3')}$. "
            r"Since $\phi(Q_i)$ does not depend on $j$ it comes out of both sums, "
            f"${linearized_prose(forms, 'eq5')}$, which is eq. 5: the sums are shared "
            r"by every $i$. Here $V_j \in \mathbb{R}^M$ is a column, as in eq. 5, so both "
            r"forms are the row $V'_i$ (row $i$ of $V'$); eq. 3 as printed in the handout, "
            r"$\sum_j \mathrm{sim}(Q_i, K_j) V_j$, is its transpose."
        ),
    )


def counts_table(sizes=(256, 1024, 4096, 16384), d: int = 8, m: int = 8) -> Table:
    """Derived (and counter-checked) FLOPs and saved memory at D = M = 8, float32."""
    KA = derivation()
    rows = []
    for n in sizes:
        at = {KA.N: n, KA.D: d, KA.M: m}
        soft, lin = KA.costs("softmax"), KA.costs("linear")
        sf, lf = int(soft["flops"].subs(at)), int(lin["flops"].subs(at))
        sm, lm = 4 * int(soft["saved"].subs(at)), 4 * int(lin["saved"].subs(at))
        rows.append(
            (
                str(n),
                f"{sf:,}",
                f"{lf:,}",
                f"{sf / lf:.1f}×",
                f"{sm / 2**20:.2f} MiB",
                f"{lm / 2**20:.2f} MiB",
            )
        )
    return Table(
        f"Costs at D = M = {d}, float32, derived (the same as counted in a run)",
        ("N", "softmax FLOPs", "linear FLOPs", "ratio", "softmax kept", "linear kept"),
        tuple(rows),
    )


FIGURE_CAPTION = (
    "Measured on one machine (times vary by machine and load): single-threaded forward time "
    "and the peak memory growth of a forward pass that keeps what backpropagation needs, of "
    "softmax and linearized quadratic-kernel attention, D = M = 8, float32, log-log, with "
    "slopes fitted over N ≥ 1024. Vertical lines: the measured crossover and the derived "
    "ones, from the operation counts (time) and from the derived saved-for-backward bytes "
    "(memory). Dashed: the derived saved-for-backward memory, which leaves out what a "
    "forward pass holds only for a moment (softmax's N × N scores). The linearized form "
    "never runs faster than its smallest time (dotted), a cost per call that flattens its "
    "fitted slope; the legend also gives the slope of the time above that level."
)


def _growth_in_n(count) -> str:
    """How a claimed count grows with N, read from its degree in N: 'linear in $N$', ..."""
    import sympy as sp

    degree = sp.Poly(sp.expand(count), derivation().N).degree()
    return {1: "linear in $N$", 2: "quadratic in $N$"}.get(degree, f"of degree {degree} in $N$")


def _square_matrix(saved) -> str:
    """Whether the claimed saved-for-backward count keeps an N×N matrix (an N² term)."""
    import sympy as sp

    degree = sp.Poly(sp.expand(saved), derivation().N).degree()
    return r"no $N \times N$ matrix" if degree < 2 else r"an $N \times N$ matrix"


def _complexity_answer(form: str, profile=None) -> Answer:
    import sympy as sp

    from derivations import kernel_attention as KA
    from derivations import notation

    claimed = claimed_costs(form)
    value = complexity_value(form)
    if form == "softmax":
        latex = (
            r"\text{time } O\big(N^2 (D + M)\big) = O\big(N^2 \max(D, M)\big),\quad "
            r"\text{memory } O\big(N^2 + N (D + M)\big)"
        )
        text = (
            r"Time $O(N^2 (D + M))$: $Q K^\top$ costs $2 N^2 D$ FLOPs, the softmax $O(N^2)$, "
            "and the product with $V$ $2 N^2 M$: in all "
            f"${notation.polynomial(claimed['operations'], KA.LONG_SEQUENCES)[0]}$ scalar "
            f"operations for ${KA.LONG_SEQUENCES.latex()}$ (exactly "
            f"${_latex(sp.factor(claimed['flops']))}$ matrix-product FLOPs). Memory "
            "$O(N^2 + N(D + M))$: backpropagation keeps $Q$, $K$, $V$ and the $N \\times N$ "
            f"attention matrix, ${_latex(claimed['saved'])}$ numbers (plus the $N \\times M$ "
            "output); computing it also holds a second $N \\times N$ matrix (the scores) for "
            "a moment. Measured time and memory of both forms as $N$ grows: "
            f"[[figure:{FIGURE}]]."
        )
    else:
        latex = r"\text{time } O(N D^2 M),\quad \text{memory } O(N D^2 + N M + D^2 M)"
        text = (
            r"Time $O(N D^2 M)$: with $P = (D+1)(D+2)/2 = O(D^2)$ features, $\phi(Q)$ and "
            r"$\phi(K)$ cost $O(N D^2)$, $\sum_j \phi(K_j) V_j^\top$ and $\phi(Q)(\cdot)$ each "
            "$2 N P M$ FLOPs, the denominator $2 N P$; exactly "
            f"${_latex(sp.factor(claimed['flops']))}$ matrix-product FLOPs — "
            f"{_growth_in_n(claimed['flops'])}. "
            r"Memory $O(N D^2 + N M + D^2 M)$: backpropagation keeps $Q$, $K$, $V$, $\phi(Q)$, "
            r"$\phi(K)$ ($N \cdot P$ each), the $P \times M$ matrix "
            r"$\sum_j \phi(K_j) V_j^\top$, $\sum_j \phi(K_j)$, the numerator and the "
            rf"denominator; {_square_matrix(claimed['saved'])}. Under the $(q^\top k)^{{2}}$ "
            "reading "
            "$P = D(D+1)/2$ (or $D^2$ with ordered pairs): the same big-O."
        )
    # One figure and table for both parts: they compare the two forms, shown with q3.c.ii.
    shown = form == "linear"
    figures = [Figure(FIGURE, FIGURE_CAPTION)] if shown else []
    tables = [counts_table()] if shown else []
    if shown:
        from answerkey.experiments import results

        precision = results("attention", profile)["precision"]
        text += " " + precision_sentence(precision)
        figures.append(Figure(FIGURE_PRECISION, precision_caption(precision)))
        tables.append(precision_table(precision))
    return Answer(latex=latex, value=value, text=text, figures=figures, tables=tables)


def precision_caption(p: dict) -> str:
    c = p["config"]
    return (
        "Where the linearized form loses precision: median relative error of $V'$ against "
        f"eq. 3 in exact arithmetic, one query and {c['N']} keys with "
        "$\\|q\\| = \\|k\\| = s$ and $q^\\top k \\in [-1/2, 1/2]$ "
        f"(D = {c['D']}, M = {c['M']}, {c['trials']} seeds), log-log: the linearized form and "
        "the $O(N^2)$ form, float32 and float64, with their slopes in $s$, each fitted over "
        "the scales where its median error lies between 10 ulps and 10% (the legend gives "
        "that range of $s$)."
    )


def _scale(s: float) -> str:
    """A scale for prose: 30, 3000, 10^4."""
    exponent = math.log10(s)
    if s >= 1e4 and exponent == int(exponent):
        return f"10^{{{int(exponent)}}}"
    return f"{s:g}"


def _power_of_ten(x: float) -> str:
    """x rounded to one digit, in LaTeX: 2 \\times 10^{-5}."""
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


def precision_table(p: dict) -> Table:
    """The precision results (`numeric.kernel_attention.linearization_error`) as a table."""
    from answerkey.documents.content import scientific_text

    by = {(r["dtype"], r["scale"]): r for r in p["rows"]}

    def cell(value) -> str:
        return "not finite" if value is None else scientific_text(value)

    rows = tuple(
        (
            f"{s:g}",
            *(
                cell(by[dt, s][form])
                for dt in ("float32", "float64")
                for form in ("linear", "quadratic")
            ),
        )
        for s in p["config"]["scales"]
    )
    return Table(
        "Median relative error of V' as |q| = |k| = s grows (qᵀk kept O(1); exact reference)",
        ("s", "linearized, float32", "O(N²), float32", "linearized, float64", "O(N²), float64"),
        rows,
    )


def precision_sentence(p: dict) -> str:
    """One sentence for students, every number read from the precision results."""
    summary, threshold = p["summary"], p["config"]["unreliable"]
    s32 = summary["linear_float32"]["unreliable_from"]
    s64 = summary["linear_float64"]["unreliable_from"]
    slope = summary["linear_float64"]["slope"]
    slope32 = summary["linear_float32"]["slope"]
    also = "" if slope32 is None else f"; float32's is {slope32:.1f}"
    exact_there = next(
        r["quadratic"] for r in p["rows"] if r["dtype"] == "float32" and r["scale"] == s32
    )
    return (
        "In floating point the trick is unreliable once $\\|q\\| \\|k\\|$ is large against "
        "$q^\\top k + 1$: the terms of $\\phi(q)^\\top \\phi(k)$, of size "
        "$\\|q\\|^2 \\|k\\|^2$, cancel down to the weight $(q^\\top k + 1)^2$, so with "
        f"$\\|q\\| = \\|k\\| = s$ and $q^\\top k = O(1)$ its relative error grows as "
        f"$s^{{{slope:.1f}}}$ (the float64 fit in [[figure:attention_precision.png]]{also}) "
        "and passes "
        f"{threshold * 100:g}% from $s = {_scale(s32)}$ in "
        f"float32 (from $s = {_scale(s64)}$ in float64), where the $O(N^2)$ form, which only "
        f"cancels in $q^\\top k$, is still within ${_power_of_ten(exact_there)}$ "
        "([[figure:attention_precision.png]] and the table after it)."
    )
