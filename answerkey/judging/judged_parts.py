"""Which parts `answerkey check` judges, and with what vocabulary and key.

    FORMS["q2.a"]()  ->  a ScalarForm over d, μ, σ whose key is q2.a's Answer.value

Each judged part gets a form (`answerkey.judging.forms`) built from the
symbols its derivation exports and its `part.answer(profile).value` (the
contracts: `answerkey.parts.Answer`). The factories (`kernel_form`, `feature_map_form`, …)
take the symbols and key as arguments, so tests can build them from
contract-shaped keys; `FORMS` binds them to the real derivations, imported
only when a part is judged.

Spellings each part accepts, beyond its symbols' names:
  Q2    d_k, d_model for d; μ / \\mu / µ (micro sign) for mu; σ for sigma;
        ‖μ‖ (the vector reading of q2.a, accepted by the rubric)
  Q3    qᵀk, q^T k, q'k, q·k, ⟨q, k⟩ and the same with x, y; lowercase n, d, m
        for N, D, M; F (the input width) is read so that an answer using it can
        be told apart; components q_1 … q_6 (or x_i, k_i, u_i, z_i) for φ
  Q4    W_1 / W1 / W_enc, W_2 / W2 / W_dec, X, n; ᵀ, ^T, ^\\top, ' transposes
  Q5    t, K, m and V (vocabulary size) for T, k, M; token words by any
        unambiguous prefix of at least 3 letters ("neu", "netw")

How people name what each part asks for (an equation's left side, the words
before a value, another quantity's words that mark a side remark) and the
aliases free text uses (d_{k}, dk, |V|, "vocabulary size") are declared with the
part, in its question module (`Part.asked`, an `answerkey.parts.Asked`);
`answerkey/rubric.toml` may add aliases per part (`aliases = {…}`). `asked`
reads both.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from answerkey.judging.extract import Asked
from answerkey.judging.parser import Vocabulary


class NotCheckable(ValueError):
    """The part exists but has no answer `check` can judge (prose, notebook, proof),
    or its key has not landed yet."""


NOT_CHECKABLE = {
    "q1.1": "a notebook (code and plots)",
    "q1.2": "prose",
    "q3.a": "prose",
    "q3.b.iii": "a formula in φ that a TA reads",
    "q4.a": "a notebook (code and plots)",
    "q4.b.ii": "a proof",
    "q6": "student-specific prose",
}


def key_value(part_id: str):
    """The part's verified answer object (raises NotCheckable if it has not landed)."""
    from answerkey.experiments import FULL
    from answerkey.parts import get_part

    part = get_part(part_id)
    if part.answer is None:
        raise NotCheckable(f"{part_id}'s key answer has not landed yet; nothing to judge against")
    # The published key's profile; no judged key reads an experiment, so this runs none.
    value = part.answer(FULL).value
    if value is None:
        raise NotCheckable(f"{part_id}'s answer is prose; a TA reads it")
    return value


def _assumptions(part_id: str) -> str:
    from answerkey.parts import get_part

    return ", ".join(get_part(part_id).assumptions)


def _plain(expr) -> str:
    import sympy as sp

    return sp.sstr(expr).replace("**", "^")


# --- what each part asks for, as people name it -------------------------------------------


@cache
def asked(part_id: str) -> Asked:
    """What the part asks for, as its question module declares it (`Part.asked`;
    Asked() when it declares nothing), with the aliases the rubric adds (`aliases` in
    answerkey/rubric.toml)."""
    from answerkey import parts
    from answerkey.rubric import load_rubric

    try:
        declared = parts.get_part(part_id).asked or parts.Asked()
    except parts.UnknownPart:
        declared = parts.Asked()
    entry = load_rubric().parts.get(part_id)
    return Asked.of(declared, dict(entry.aliases) if entry is not None else None)


# --- Q2: scaled dot-product attention ------------------------------------------------------

Q2_VOCABULARY = Vocabulary(
    names={"d": "d", "d_k": "d", "d_model": "d", "mu": "mu", "sigma": "sigma"},
)
Q2_DISPLAY = {"mu": "μ", "sigma": "σ", "‖μ‖": "‖μ‖"}


def q2_form(d, mu, sigma, key: Callable[[], Any], assumptions: str, fixed: bool, part_id=""):
    """q2.a-c: an expression in d, μ, σ; `fixed` substitutes the question's μ = 0, σ = 1."""
    import sympy as sp

    from answerkey.judging.forms import ScalarForm
    from answerkey.judging.to_sympy import Context

    norm_mu = sp.Symbol("‖μ‖", positive=True)  # the vector reading of μ (rubric: accepted)
    context = Context({"d": d, "mu": mu, "sigma": sigma}, norms={"mu": norm_mu})
    return ScalarForm(
        vocabulary=Q2_VOCABULARY,
        context=lambda: context,
        key=key,
        display=Q2_DISPLAY,
        assumptions=assumptions,
        setting=(lambda: {mu: 0, sigma: 1}) if fixed else None,
        setting_text="with μ = 0, σ = 1 as the question sets" if fixed else "",
        asked=asked(part_id),
        unknown=(lambda: ("s", sp.Symbol("s", positive=True))) if part_id == "q2.c" else None,
        sum_count="d",
    )


def _q2(part_id: str):
    from derivations import scaled_attention as D

    return q2_form(
        D.d,
        D.mu,
        D.sigma,
        cache(lambda: key_value(part_id)),
        _assumptions(part_id),
        fixed=part_id in ("q2.b", "q2.c"),
        part_id=part_id,
    )


# --- Q3: kernelized attention -------------------------------------------------------------

Q3_VECTORS = Vocabulary(
    names={"q": "q", "k": "k", "x": "x", "y": "y", "D": "D", "d": "D"},
    kinds={"q": "vector", "k": "vector", "x": "vector", "y": "vector"},
    transposes=True,
)
ALTERNATIVE_KERNEL_NOTE = (
    "the homogeneous polynomial kernel (qᵀk)², the c = 0 form of (γqᵀk + c)², which the "
    "key accepts (then q3.b.ii and q3.c.ii follow through)"
)


def kernel_form(dot, D, key: Callable[[], Any], alternative):
    """q3.b.i: an expression in qᵀk (the Symbol `dot`) and D."""
    from answerkey.judging.forms import ScalarForm
    from answerkey.judging.to_sympy import Context

    context = Context(
        {"D": D},
        dots={frozenset("qk"): dot, frozenset("xy"): dot},
        vectors=frozenset("qkxy"),
    )
    return ScalarForm(
        vocabulary=Q3_VECTORS,
        context=lambda: context,
        key=key,
        display={str(dot): "qᵀk"},
        assumptions="qᵀk real, D a positive integer",
        alternatives=lambda: [(alternative, ALTERNATIVE_KERNEL_NOTE)],
        asked=asked("q3.b.i"),
    )


def _component(base: str, index: int):
    import sympy as sp

    return sp.Symbol(f"{base}_{index}", real=True)


def feature_map_form(dot, D, kernel_expr, alternative_expr, merged, ordered):
    """q3.b.ii: φ(q) at a concrete D, checked by φ(q)ᵀφ(k) = K(q, k) with K the
    q3.b.i key (qᵀk → Σ q_i k_i); or the feature count, an expression in D."""
    import sympy as sp

    from answerkey.judging.forms import FeatureMapForm, ScalarForm
    from answerkey.judging.to_sympy import Context

    def kernel(q, k, expr=kernel_expr):
        return expr.subs(dot, sp.Add(*[a * b for a, b in zip(q, k, strict=True)]))

    def alternative(q, k):
        return kernel(q, k, alternative_expr)

    dimension_form = ScalarForm(
        vocabulary=Vocabulary(names={"D": "D", "d": "D"}),
        context=lambda: Context({"D": D}),
        key=lambda: merged,
        display={},
        assumptions="D a positive integer",
        alternatives=lambda: [
            (ordered, "every ordered pair kept: 1 + D + D² features"),
            (D * (D + 1) / 2, "the (qᵀk)² reading, cross terms merged: D(D+1)/2 features"),
            (D**2, "the (qᵀk)² reading, ordered pairs: D² features"),
        ],
        asked=asked("q3.b.ii"),
    )
    return FeatureMapForm(
        vocabulary=Vocabulary(
            names={"D": "D"}, indexed=frozenset({"q", "x", "k", "u", "z"}), max_index=6
        ),
        component=_component,
        kernel=kernel,
        alternative_kernel=alternative,
        alternative_note=ALTERNATIVE_KERNEL_NOTE,
        dimension_form=dimension_form,
    )


Q3_SIZES = Vocabulary(
    names={
        "N": "N",
        "n": "N",
        "D": "D",
        "d": "D",
        "M": "M",
        "m": "M",
        "F": "F",
        "f": "F",
        "d_k": "D",
        "d_v": "M",
    },  # fmt: skip
    classes=True,
)


def attention_complexity_form(N, D, M, key: Callable[[], dict]):
    """q3.c.i/ii: time and memory classes in N, D, M; `key()` → {"time": …, "memory": …}."""
    import sympy as sp

    from answerkey.judging.forms import ComplexityForm
    from answerkey.judging.to_sympy import Context

    F = sp.Symbol("F", integer=True, positive=True)  # the input width, not in the key
    symbols = {"N": N, "D": D, "M": M, "F": F}
    return ComplexityForm(
        vocabulary=Q3_SIZES,
        context=lambda: Context(symbols),
        variables=lambda: [N, D, M, F],
        names=["N", "D", "M", "F"],
        components=("time", "memory"),
        key=key,
    )


def _q3_kernel():
    from derivations import kernel_attention as KA

    return kernel_form(KA.qk, KA.D, cache(lambda: key_value("q3.b.i")), KA.ALTERNATIVE_KERNEL)


def _q3_feature_map():
    from derivations import kernel_attention as KA

    value = key_value("q3.b.ii")
    return feature_map_form(
        KA.qk,
        KA.D,
        key_value("q3.b.i"),
        KA.ALTERNATIVE_KERNEL,
        value["dimension_merged"],
        value["dimension_ordered"],
    )


def _q3_complexity(part_id: str):
    from derivations import kernel_attention as KA

    def key():
        # q3.c.ii's written answer quotes the attention experiment; its value does not, and
        # reading it through the part would run that experiment (torch, ~45 s) when uncached.
        from answerkey.questions.kernel_attention_costs import complexity_value

        value = complexity_value("softmax" if part_id == "q3.c.i" else "linear")
        return {"time": value["time_O"], "memory": value["memory_O"]}

    return attention_complexity_form(KA.N, KA.D, KA.M, cache(key))


# --- Q4: linear autoencoder ---------------------------------------------------------------

Q4_MATRICES = Vocabulary(
    names={
        "W_1": "W1",
        "W1": "W1",
        "W_enc": "W1",
        "W_2": "W2",
        "W2": "W2",
        "W_dec": "W2",
        "X": "X",
        "n": "n",
        "I": "I",
    },  # fmt: skip
    kinds={"W1": "matrix", "W2": "matrix", "X": "matrix", "I": "matrix"},
    transposes=True,
)


def conditions_form(W1, W2, X, n, key: Callable[[], list]):
    """q4.b.i: matrix equations in W₁, W₂, X (and the scalar n)."""
    from answerkey.judging.forms import ConditionsForm
    from answerkey.judging.to_sympy import Context

    context = Context({"W1": W1, "W2": W2, "X": X, "n": n}, identity=True)
    return ConditionsForm(vocabulary=Q4_MATRICES, context=lambda: context, key=key)


def _q4_conditions():
    from derivations import autoencoders as AE

    return conditions_form(AE.W1, AE.W2, AE.X, AE.n, cache(lambda: list(key_value("q4.b.i"))))


# --- Q5: beam search ------------------------------------------------------------------------

Q5_SIZES = Vocabulary(
    names={"T": "T", "t": "T", "k": "k", "K": "k", "M": "M", "m": "M", "V": "M"},
    classes=True,
)


def sequence_form(key: Callable[[], list], vocabulary: Callable[[], tuple[str, ...]]):
    """q5.a-c: the set of sequences the beam holds; `key()` → [(tokens, logprob)]."""
    from answerkey.judging.forms import SequenceForm

    return SequenceForm(key=key, vocabulary=vocabulary, length=lambda: len(key()[0][0]))


KEY_NAMESPACE = "judge-keys"


def stored_sequences(part_id: str) -> list[tuple[tuple[str, ...], float]]:
    """q5.a-c's Answer.value through the result cache.

    Those answers are computed by running the beam search of `models/` on the
    Figure 2 decoder, which imports torch; `answerkey check` must not. The value
    (plain words and numbers) is kept in the cache under the hash of the
    project's code, so torch is imported once after each code change, not on
    every check.
    """
    from answerkey import cache as result_cache

    key = result_cache.cache_key(
        {"part": part_id, "of": "Answer.value"}, result_cache.CODE_PACKAGES, ()
    )
    payload = result_cache.cached(
        KEY_NAMESPACE,
        key,
        lambda: [[list(tokens), float(score)] for tokens, score in key_value(part_id)],
    )
    return [(tuple(tokens), float(score)) for tokens, score in payload]


def _q5_words() -> tuple[str, ...]:
    words: dict[str, None] = {}
    for part_id in ("q5.a", "q5.b", "q5.c"):
        words.update(dict.fromkeys(w for tokens, _ in stored_sequences(part_id) for w in tokens))
    return tuple(words)


def _q5_sequences(part_id: str):
    return sequence_form(cache(lambda: stored_sequences(part_id)), cache(_q5_words))


def beam_complexity_form(T, k, M, key: Callable[[], dict]):
    """q5.e: one class in T, k (and M), compared under the part's k ≤ M; `key()` →
    {"in_T_k": …, "accepted": [...]}."""
    import sympy as sp

    from answerkey.judging.forms import ComplexityForm
    from answerkey.judging.to_sympy import Context

    vocabulary_size = sp.Symbol("|V|", positive=True)  # the rubric's name for M

    def accepted():
        return {
            "time": [
                (
                    expr,
                    f"O({_plain(expr.subs(M, vocabulary_size))}) is among the key's accepted "
                    "classes",
                )
                for expr in key()["accepted"]
            ]
        }

    ratio = sp.Symbol("R", integer=True, positive=True)  # M / k ≥ 1: the beam fits (k ≤ M)
    return ComplexityForm(
        vocabulary=Q5_SIZES,
        context=lambda: Context({"T": T, "k": k, "M": M}),
        variables=lambda: [T, k, M],
        names=["T", "k", "|V|"],
        components=("time",),
        key=lambda: {"time": key()["in_T_k"]},
        accepted=accepted,
        ordered=lambda: (k, M, ratio),
    )


def _q5_complexity():
    from derivations import beam_search as BS

    return beam_complexity_form(BS.T, BS.k, BS.M, cache(lambda: key_value("q5.e")))


def stored_figure2() -> dict:
    """q5.d's key (the beam's answer, the optimum, whether they agree) through the
    result cache, as `stored_sequences` keeps q5.a-c's: computing it imports torch."""
    from answerkey import cache as result_cache

    key = result_cache.cache_key({"part": "q5.d", "of": "figure2"}, result_cache.CODE_PACKAGES, ())

    def compute():
        import sys

        from answerkey.parts import get_part

        # The question's own figure2() (its module is loaded by the parts registry);
        # it imports torch, once per code change, as q5.a-c's keys do.
        f2 = sys.modules[get_part("q5.d").answer.__module__].figure2()
        return {
            "beam": [list(f2["beam"][0]), float(f2["beam"][1])],
            "optimum": [list(f2["optimum"][0]), float(f2["optimum"][1])],
            "found_optimum": bool(f2["found_optimum"]),
            # every sequence's log-probability: a sequence claimed better than the
            # beam's output is checked against it
            "ranking": [[list(w), float(s)] for w, s in f2["ranking"]],
        }

    return result_cache.cached(KEY_NAMESPACE, key, compute)


def _q5_optimum():
    from answerkey.judging.forms import OptimumForm

    return OptimumForm(key=cache(stored_figure2), vocabulary=cache(_q5_words))


FORMS: dict[str, Callable[[], Any]] = {
    "q2.a": lambda: _q2("q2.a"),
    "q2.b": lambda: _q2("q2.b"),
    "q2.c": lambda: _q2("q2.c"),
    "q3.b.i": _q3_kernel,
    "q3.b.ii": _q3_feature_map,
    "q3.c.i": lambda: _q3_complexity("q3.c.i"),
    "q3.c.ii": lambda: _q3_complexity("q3.c.ii"),
    "q4.b.i": _q4_conditions,
    "q5.a": lambda: _q5_sequences("q5.a"),
    "q5.b": lambda: _q5_sequences("q5.b"),
    "q5.c": lambda: _q5_sequences("q5.c"),
    "q5.d": _q5_optimum,
    "q5.e": _q5_complexity,
}
