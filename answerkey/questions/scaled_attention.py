"""Q2: why attention divides the dot product by √d.

The answers are the expressions `derivations.scaled_attention` computes; the
claims below are the key's stated forms, each proved equal to the derived one
(general, for symbolic d), re-derived by brute-force expansion at d = 1..4
(exhaustive), and cross-checked by Monte Carlo (numeric) with the power to
reject the usual wrong answers.
"""

from __future__ import annotations

from functools import cache, partial

from answerkey import evidence as ev
from answerkey.parts import Answer, Asked, Part, Question
from answerkey.verdicts import Check

ASSUMPTIONS = ("d a positive integer", "σ > 0", "μ real")


def _answer(claim, text: str):
    """A part's answer: the claim (called when the answer is built) and its prose."""

    def build(profile) -> Answer:
        from derivations import notation

        value = claim()
        return Answer(latex=notation.latex(value), value=value, text=text)

    return build


# How answers name what each part asks for (the judge reads free text with it; rubric.toml
# may add aliases). There is no k in Q2: d_k and its spellings are d.
_QK = r"(?:q\^tk|q\.k|<q,k>|q'k|qk|q\^t\.k|q\^\{t\}k)"
_ARG = rf"(?:\[{_QK}\]|\({_QK}\))"
_ALIASES = {"D_k": "d", "d_{k}": "d", "dk": "d", "d_K": "d", "d_model": "d"}
ASKED_MEAN = Asked(
    lhs=rf"(?:e|ex|mean|expectation|expectedvalue|avg|e_\{{?q,k\}}?){_ARG}?|{_QK}",
    words=("mean", "expectation", "expected value", "expected", "e[", "average"),
    other=("variance", "var", "standard deviation", "std"),
    aliases=_ALIASES,
)
# Not σ²: σ is the question's own symbol (σ = 1 in q2.b), so "σ² = d" states something
# about σ, not the variance of qᵀk.
ASKED_VARIANCE = Asked(
    lhs=rf"(?:var|variance|v){_ARG}?",
    words=("variance", "var"),
    other=("mean", "expectation", "expected", "standard deviation", "std"),
    aliases=_ALIASES,
)
ASKED_SCALE = Asked(
    lhs=r"s|scale|scaling|scalingfactor|scalefactor|s\^\*|s_opt|factor|c",
    words=(
        "scale",
        "scaling",
        "divide by",
        "divided by",
        "dividing by",
        "divide it by",
        "denominator",
        "normalize by",
        "normalise by",
        "scaling factor",
        "s is",
        "s should be",
        "choose s",
        "set s",
        "factor",
    ),
    other=("variance", "var", "mean", "expectation", "std", "standard deviation"),
    solve="s",
    aliases=_ALIASES,
)


QUESTION = Question(
    number=2,
    title="Justifying Scaled Dot-Product Attention",
    intro=(
        r"$q, k \in \mathbb{R}^d$ are independent random vectors with "
        r"$q, k \sim \mathcal{N}(\mu, \sigma^2 I)$: every component is an independent normal "
        r"with standard deviation $\sigma > 0$. The homework writes $\mu \in \mathbb{R}^d$; "
        r"these solutions read it as the same scalar mean $\mu$ in every component (the mean "
        r"vector $(\mu, \dots, \mu)$), which gives $\mathbb{E}[q^\top k] = d\mu^2$, while a "
        r"general mean vector gives $\mathbb{E}[q^\top k] = \|\mu\|^2$: both readings are "
        "correct."
    ),
    parts=[
        Part(
            "q2.a",
            r"Give $\mathbb{E}[q^\top k]$ in terms of $\mu$, $\sigma$ and $d$.",
            asked=ASKED_MEAN,
            answer=_answer(
                lambda: claimed_expectation(),
                r"$\mathbb{E}[q^\top k] = d\mu^2$. With a vector mean $\mu$ it is $\|\mu\|^2$; "
                r"$\sigma$ does not enter.",
            ),
            assumptions=ASSUMPTIONS,
            steps=lambda: _steps()["q2.a"],
            checks=lambda profile: _checks_a(),
        ),
        Part(
            "q2.b",
            r"With $\mu = 0$, $\sigma = 1$, give $\operatorname{Var}(q^\top k)$ in terms of $d$.",
            asked=ASKED_VARIANCE,
            answer=_answer(
                lambda: claimed_variance(),
                r"$\operatorname{Var}(q^\top k) = d$. In general "
                r"$\operatorname{Var}(q^\top k) = d\sigma^2(\sigma^2 + 2\mu^2)$.",
            ),
            assumptions=ASSUMPTIONS,
            steps=lambda: _steps()["q2.b"],
            checks=lambda profile: _checks_b(),
        ),
        Part(
            "q2.c",
            r"Same setting. For $\mathbb{E}[q^\top k / s] = 0$ and "
            r"$\operatorname{Var}(q^\top k / s) = 1$, what is $s$ in terms of $d$?",
            asked=ASKED_SCALE,
            answer=_answer(
                lambda: claimed_scale(),
                r"$s = \sqrt{d}$, the positive root of $d/s^2 = 1$. The mean condition holds for "
                r"every $s$, because $\mathbb{E}[q^\top k] = 0$ when $\mu = 0$.",
            ),
            assumptions=ASSUMPTIONS,
            steps=lambda: _steps()["q2.c"],
            checks=lambda profile: _checks_c(),
        ),
    ],
)


MC_SAMPLES = 1_000_000
# (d, μ, σ, seed): the homework's practical case at d = 64, and settings where
# every plausible wrong answer differs from the right one (d > 1, μ ∉ {0, ±1}).
MC_SETTINGS = ((64, 0.0, 1.0, 1), (16, 0.0, 1.0, 2), (16, 0.5, 1.5, 3), (4, -2.0, 0.7, 4))
BRUTE_FORCE_DIMS = (1, 2, 3, 4)


def _derivation():
    # Imported on demand: `answerkey list` must not pay for SymPy.
    from derivations import scaled_attention

    return scaled_attention


@cache
def _monte_carlo(d: int, mu: float, sigma: float, seed: int):
    from numeric.scaled_attention import dot_product_moments

    return dot_product_moments(d, mu, sigma, MC_SAMPLES, seed)


@cache
def _steps():
    return _derivation().steps()


# --- claims, as the key states them ------------------------------------------


def claimed_expectation():
    D = _derivation()
    return D.d * D.mu**2


def claimed_general_variance():
    D = _derivation()
    return D.d * D.sigma**2 * (D.sigma**2 + 2 * D.mu**2)


def claimed_variance():
    return _derivation().d


def claimed_scale():
    import sympy as sp

    return sp.sqrt(_derivation().d)


# --- checks --------------------------------------------------------------------------------


def _argue_expectation() -> ev.Argument:
    return ev.Argument(
        "SymPy reduces the difference of E[qᵀk] and dμ² to 0",
        [ev.Identity(_derivation().expectation_of_dot_product(), claimed_expectation(), "E[qᵀk]")],
    )


def _argue_vector_mean() -> ev.Argument:
    import sympy as sp

    D = _derivation()
    vector_form = D.expectation_with_vector_mean()
    i = D.i
    return ev.Argument(
        "E[qᵀk] = ‖μ‖², which is dμ² when every μ_i = μ",
        [
            ev.Identity(vector_form, sp.Sum(D.mu_vec[i] ** 2, (i, 1, D.d)), "E[qᵀk] and ‖μ‖²"),
            ev.Identity(
                vector_form.xreplace({D.mu_vec[i]: D.mu}),
                claimed_expectation(),
                "‖μ‖² at μ_i = μ and dμ²",
            ),
        ],
    )


def _argue_variance() -> ev.Argument:
    D = _derivation()
    return ev.Argument(
        "Var(qᵀk) = dσ²(σ² + 2μ²), which is d at μ=0, σ=1",
        [
            ev.Identity(
                D.variance_of_dot_product(), claimed_general_variance(), "Var(qᵀk), dσ²(σ² + 2μ²)"
            ),
            ev.Identity(
                D.variance_of_dot_product(mean=0, std=1), claimed_variance(), "Var(qᵀk) at μ=0, σ=1"
            ),
        ],
    )


def _argue_scale() -> ev.Argument:
    import sympy as sp

    D = _derivation()
    roots = D.scale_for_unit_variance()
    summary = "s = √d is the only s > 0 with Var = 1; E = 0 for all s"
    one_root = ev.Fact(len(roots) == 1, f"d/s² = 1 has one positive root (SymPy finds {roots})")
    if len(roots) != 1:
        return ev.Argument(summary, [one_root])
    return ev.Argument(
        summary,
        [
            one_root,
            ev.Identity(roots[0], claimed_scale(), "the positive root of d/s² = 1 and √d"),
            ev.Identity(D.expectation_of_scaled_dot_product(), sp.Integer(0), "E[qᵀk/s] and 0"),
        ],
    )


def _expand(which: str) -> ev.Argument:
    D = _derivation()
    steps = []
    for dim in BRUTE_FORCE_DIMS:
        mean, variance = D.brute_force_moments(dim)
        if which == "mean":
            claim = claimed_expectation().subs(D.d, dim)
            steps.append(ev.Identity(mean, claim, f"E[qᵀk] and dμ² at d = {dim}"))
        else:
            claim = claimed_general_variance().subs(D.d, dim)
            steps.append(ev.Identity(variance, claim, f"Var(qᵀk) at d = {dim}"))
    return ev.Argument("full polynomial expansion with normal moments", steps)


BRUTE_FORCE_RANGE = f"d = {BRUTE_FORCE_DIMS[0]}…{BRUTE_FORCE_DIMS[-1]}"


def _evaluate(expr, d: int, mu: float, sigma: float) -> float:
    D = _derivation()
    return float(expr.subs({D.d: d, D.mu: mu, D.sigma: sigma}))


def _mc_mean(d: int, mu: float, sigma: float, seed: int) -> ev.Sample:
    mean, _ = _monte_carlo(d, mu, sigma, seed)
    wrong = {}
    if d > 1 and mu not in (0.0, 1.0, -1.0):
        wrong = {"dμ": d * mu, "μ²": mu**2, "d²μ²": d * d * mu**2}
    return ev.Sample(mean, _evaluate(claimed_expectation(), d, mu, sigma), wrong, "mean of qᵀk")


def _mc_variance(d: int, mu: float, sigma: float, seed: int) -> ev.Sample:
    _, variance = _monte_carlo(d, mu, sigma, seed)
    claimed = _evaluate(claimed_general_variance(), d, mu, sigma)
    wrong = {}
    if (mu, sigma) == (0.0, 1.0) and d > 1:
        wrong = {"√d": d**0.5, "d²": float(d * d), "d + 1": d + 1.0}
    elif d > 1:
        wrong = {
            "dσ⁴": d * sigma**4,
            "dσ²": d * sigma**2,
            "dσ²(σ² + μ²)": d * sigma**2 * (sigma**2 + mu**2),
        }
    return ev.Sample(variance, claimed, wrong, "variance of qᵀk")


def _mc_scale(d: int, seed: int) -> ev.Sample:
    """Var(qᵀk/s) = 1 exactly when Var(qᵀk) = s², so test the variance against s²."""
    _, variance = _monte_carlo(d, 0.0, 1.0, seed)
    s = _evaluate(claimed_scale(), d, 0.0, 1.0)
    wrong = {"s = d": float(d) ** 2, "s = √d/2": (s / 2) ** 2, "s = d²": float(d) ** 4}
    return ev.Sample(variance, s**2, wrong, f"Var(qᵀk) against s² at d = {d}")


def _mc_checks(kind: str) -> list[Check]:
    checks = []
    for d, mu, sigma, seed in MC_SETTINGS:
        if kind == "mean":
            claim = f"Monte Carlo E[qᵀk] = dμ² at d={d}, μ={mu:g}, σ={sigma:g}"
            sample = partial(_mc_mean, d, mu, sigma, seed)
        else:
            claim = f"Monte Carlo Var(qᵀk) = dσ²(σ²+2μ²) at d={d}, μ={mu:g}, σ={sigma:g}"
            sample = partial(_mc_variance, d, mu, sigma, seed)
        checks.append(ev.monte_carlo(claim, sample))
    return checks


CLAIM_A = "E[qᵀk] = dμ² for every d ≥ 1"
CLAIM_B = "Var(qᵀk) = d at μ=0, σ=1; dσ²(σ²+2μ²) in general"


def _expansion_check(which: str) -> Check:
    """The mean or the variance by full expansion at d = 1…4, carried on by the general proof."""
    if which == "mean":
        claim, lemma = "E[qᵀk] = dμ² by full expansion", CLAIM_A
    else:
        claim, lemma = "Var(qᵀk) = dσ²(σ²+2μ²) by full expansion", CLAIM_B
    return ev.exhaustive(claim, BRUTE_FORCE_RANGE, lambda: _expand(which), lemma=lemma)


def _checks_a() -> list[Check]:
    return [
        ev.symbolic(CLAIM_A, _argue_expectation),
        ev.symbolic("E[qᵀk] = ‖μ‖² for a vector mean μ", _argue_vector_mean),
        _expansion_check("mean"),
        *_mc_checks("mean"),
    ]


def _checks_b() -> list[Check]:
    return [
        ev.symbolic(CLAIM_B, _argue_variance),
        _expansion_check("variance"),
        *_mc_checks("variance"),
    ]


def _checks_c() -> list[Check]:
    return [
        ev.symbolic("s = √d is the unique positive scale with unit variance", _argue_scale),
        *[
            ev.monte_carlo(f"Monte Carlo Var(qᵀk/√d) = 1 at d={d}", partial(_mc_scale, d, seed))
            for d, mu, sigma, seed in MC_SETTINGS
            if (mu, sigma) == (0.0, 1.0)
        ],
    ]
