"""The declared mutants, by part: each must make that part's `verify` fail.

Kinds (`Kind`): the *claim* (the stated answer object), the *printed* answer (the display
or a formula of the prose, edited as someone retyping it might), the *data* or
transcription the answer rests on (Figure 2's tree typed from the scan), and the
*implementation* that computes the answer or checks it (a derivation, a search, a
Monte Carlo estimator). Every answered part with checks has mutants of at least three
kinds; `tests/test_selftest.py` holds that and runs the fast ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from answerkey.selftest import Kind, Mutant, MutantDoesNotApply, Patch

MUTANTS: dict[str, list[Mutant]] = {}


def mutant(part: str, name: str, kind: Kind, fast: bool = True):
    """Declare the decorated `apply(patch)` as a mutant of `part`."""

    def declare(apply: Callable[[Patch], None]) -> Callable[[Patch], None]:
        MUTANTS.setdefault(part, []).append(Mutant(part, name, kind, apply, fast))
        return apply

    return declare


def _edit(field: str, old: str, new: str):
    """An Answer with `old` replaced by `new` in its `field` ("latex" or "text")."""

    def change(answer):
        shown = getattr(answer, field)
        if old not in shown:  # the mutant no longer applies: say so instead of passing
            raise MutantDoesNotApply(f"mutant: {old!r} not in the answer's {field}")
        return dataclasses.replace(answer, **{field: shown.replace(old, new, 1)})

    return change


def _printed(part: str, name: str, field: str, old: str, new: str, fast: bool = True) -> None:
    mutant(part, name, Kind.PRINTED, fast)(lambda patch: patch.answer(part, _edit(field, old, new)))


def _claimed_value(part: str, name: str, change: Callable[[dict], dict], fast: bool = True):
    """A mutant of `part`'s claimed object: its Answer.value (a dict) replaced by
    `change(value)`, as a wrong answer builder would make it."""

    def apply(patch):
        patch.answer(part, lambda answer: dataclasses.replace(answer, value=change(answer.value)))

    mutant(part, name, Kind.CLAIM, fast)(apply)


# --- Q2 ------------------------------------------------------------------------------------


def _q2():
    from answerkey.questions import scaled_attention

    return scaled_attention


def _d2():
    from derivations import scaled_attention

    return scaled_attention


@mutant("q2.a", "the claim E[qᵀk] = dμ (not dμ²)", Kind.CLAIM)
def _(patch):
    D = _d2()
    patch.attr(_q2(), "claimed_expectation", lambda: D.d * D.mu)


@mutant("q2.a", "the derivation takes k = q (E[qᵀk] = d(μ² + σ²))", Kind.IMPLEMENTATION)
def _(patch):
    D = _d2()
    patch.attr(D, "expectation_of_dot_product", lambda: D.d * (D.mu**2 + D.sigma**2))


@mutant("q2.a", "Monte Carlo draws q and k with mean 2μ + 0.5", Kind.IMPLEMENTATION)
def _(patch):
    from numeric import scaled_attention as N

    patch.wrap(N, "dot_product_moments",
               lambda f, d, mu, sigma, n, seed: f(d, 2 * mu + 0.5, sigma, n, seed))  # fmt: skip


_printed("q2.a", "display shows dμ", "latex", r"d \mu^{2}", r"d \mu")
_printed("q2.a", "prose states E[qᵀk] = dμ", "text", r"= d\mu^2$", r"= d\mu$")


@mutant("q2.b", "the claim Var(qᵀk) = √d", Kind.CLAIM)
def _(patch):
    import sympy as sp

    patch.attr(_q2(), "claimed_variance", lambda: sp.sqrt(_d2().d))


@mutant("q2.b", "the general variance claimed as dσ²(σ² + μ²)", Kind.CLAIM)
def _(patch):
    D = _d2()
    patch.attr(_q2(), "claimed_general_variance",
               lambda: D.d * D.sigma**2 * (D.sigma**2 + D.mu**2))  # fmt: skip


@mutant("q2.b", "the derivation forgets the cross term (Var = dσ⁴)", Kind.IMPLEMENTATION)
def _(patch):
    D = _d2()
    patch.attr(D, "variance_of_dot_product",
               lambda mean=D.mu, std=D.sigma: D.d * std**4)  # fmt: skip


_printed("q2.b", "display shows d²", "latex", "d", "d^{2}")
_printed("q2.b", "prose states Var(qᵀk) = √d", "text", r"= d$", r"= \sqrt{d}$")


@mutant("q2.c", "the claim s = d", Kind.CLAIM)
def _(patch):
    patch.attr(_q2(), "claimed_scale", lambda: _d2().d)


@mutant("q2.c", "the derivation solves d/s = 1 (s = d)", Kind.IMPLEMENTATION)
def _(patch):
    patch.attr(_d2(), "scale_for_unit_variance", lambda: [_d2().d])


_printed("q2.c", "display shows d", "latex", r"\sqrt{d}", "d")
_printed("q2.c", "prose states s = d/2", "text", r"s = \sqrt{d}$", r"s = d/2$")


# --- Q3 ------------------------------------------------------------------------------------


def _q3():
    from answerkey.questions import kernel_attention

    return kernel_attention


def _d3():
    from derivations import kernel_attention

    return kernel_attention


@mutant("q3.b.i", "the claim (qᵀk + 2)²", Kind.CLAIM)
def _(patch):
    D = _d3()
    patch.attr(D, "KERNEL", (D.qk + 2) ** 2)


@mutant("q3.b.i", "the polynomial kernel built without its constant", Kind.IMPLEMENTATION)
def _(patch):
    D = _d3()
    patch.attr(D, "quadratic_kernel", lambda: D.qk**2 + 1)


_printed("q3.b.i", "display shows (qᵀk)² + 1", "latex", r"\left(q^\top k + 1\right)^{2}",
         r"\left(q^\top k\right)^{2} + 1")  # fmt: skip
_printed("q3.b.i", "prose states 1 + qᵀk + (qᵀk)²", "text", r"= 1 + 2 q^\top k", r"= 1 + q^\top k")


def _claimed_cost(form: str, key: str, value: Callable):
    def apply(patch):
        D = _d3()

        def change(original, which, *args, **kwargs):
            out = original(which, *args, **kwargs)
            if which == form:
                out = {**out, key: value(D)}
            return out

        from answerkey.questions import kernel_attention_cost_checks

        # The answer and the cost checks each hold the one claimed_costs function.
        for module in (_q3(), kernel_attention_cost_checks):
            patch.wrap(module, "claimed_costs", change)

    return apply


def _derived_cost(form: str, key: str, factor):
    def apply(patch):
        def change(original, which, *args, **kwargs):
            out = original(which, *args, **kwargs)
            if which == form:
                out = {**out, key: out[key] * factor}
            return out

        patch.wrap(_d3(), "costs", change)

    return apply


mutant("q3.c.i", "the claim: time O(N² D)", Kind.CLAIM)(
    _claimed_cost("softmax", "time_O", lambda D: D.N**2 * D.D)
)
mutant("q3.c.i", "the claim: memory O(N (D + M)), no N×N matrix", Kind.CLAIM)(
    _claimed_cost("softmax", "memory_O", lambda D: D.N * D.D + D.N * D.M)
)
mutant("q3.c.i", "the derived softmax FLOPs doubled", Kind.IMPLEMENTATION)(
    _derived_cost("softmax", "flops", 2)
)
_printed("q3.c.i", "display shows time O(N² D)", "latex", r"O\big(N^2 (D + M)\big)",
         r"O\big(N^2 D\big)")  # fmt: skip
_printed("q3.c.i", "prose states memory O(N(D + M))", "text", r"Memory $O(N^2 + N(D + M))$",
         r"Memory $O(N(D + M))$")  # fmt: skip

mutant("q3.c.ii", "the claim: time O(N D M)", Kind.CLAIM)(
    _claimed_cost("linear", "time_O", lambda D: D.N * D.D * D.M)
)
mutant("q3.c.ii", "the derived linearized FLOPs doubled", Kind.IMPLEMENTATION)(
    _derived_cost("linear", "flops", 2)
)
_printed("q3.c.ii", "display shows time O(N D M)", "latex", r"\text{time } O(N D^2 M)",
         r"\text{time } O(N D M)")  # fmt: skip
_printed("q3.c.ii", "prose states time O(N² D)", "text", r"Time $O(N D^2 M)$",
         r"Time $O(N^2 D)$")  # fmt: skip


# --- Q3(a), Q3(b)(iii) ---------------------------------------------------------------------


@mutant("q3.a", "the claimed condition: a nonzero denominator (S ≠ 0)", Kind.CLAIM)
def _(patch):
    import sympy as sp

    D = _d3()
    patch.attr(D, "CONDITIONS", (sp.Ge(D.SCORE, 0), sp.Ne(D.TOTAL, 0)))


@mutant("q3.a", "the claimed condition: nonzero scores (s_j ≠ 0)", Kind.CLAIM)
def _(patch):
    import sympy as sp

    D = _d3()
    patch.attr(D, "CONDITIONS", (sp.Ne(D.SCORE, 0), sp.Gt(D.TOTAL, 0)))


@mutant("q3.a", "the Jensen-gap derivation drops the ½", Kind.IMPLEMENTATION)
def _(patch):
    def change(original):
        sides = original()
        return {**sides, "rhs": 2 * sides["rhs"]}

    patch.wrap(_d3(), "jensen_gap_identity", change)


_printed("q3.a", "display shows sim(Q_i, K_j) ≠ 0", "latex", r"K_j) \geq 0", r"K_j) \neq 0")
_printed("q3.a", "prose states a nonzero denominator", "text", r"K_j) > 0$", r"K_j) \neq 0$")


def _linearized_claim(**forms):
    """q3.b.iii's claimed eq. 5 with entries replaced (functions of the derivation module)."""

    def apply(patch):
        D = _d3()
        patch.items(D.LINEARIZED, {key: make(D) for key, make in forms.items()})

    return apply


mutant("q3.b.iii", "the claimed eq. 5 with Q and K exchanged in the numerator", Kind.CLAIM)(
    _linearized_claim(numerator=lambda D: D.grouped(D.PHI_K, D.grouped(D.PHI_Q.T, D.VALUES)))
)
mutant("q3.b.iii", "the claimed eq. 5's denominator without φ(Q_i)", Kind.CLAIM)(
    _linearized_claim(denominator=lambda D: D.grouped(D.PHI_K.T, D.ONES))
)


@mutant("q3.b.iii", "the derivation's eq. 3 takes φ(Q)φ(Q)ᵀ", Kind.IMPLEMENTATION)
def _(patch):
    D = _d3()

    def change(original):
        forms = original()
        return {**forms, "eq3_num": D.grouped(D.grouped(D.PHI_Q, D.PHI_Q.T), D.VALUES)}

    patch.wrap(D, "associativity_general", change)


@mutant("q3.b.iii", "the model's eq. 5 adds ε = 1 to the denominator", Kind.IMPLEMENTATION)
def _(patch):
    import models.kernel_attention as K

    patch.wrap(K, "kernelized_attention",
               lambda original, Q, K_, V, *args, **kwargs: original(Q, K_, V, eps=1.0))  # fmt: skip


_printed("q3.b.iii", "display drops the transpose of V_j in eq. 5", "latex",
         r"\phi(K_j)\, V_j^\top}", r"\phi(K_j)\, V_j}")  # fmt: skip
_printed("q3.b.iii", "prose states eq. 5 with φ(Q_j)", "text",
         r"\sum_j \phi(K_j)\, V_j^\top", r"\sum_j \phi(Q_j)\, V_j^\top")  # fmt: skip


# --- Q4(b) ---------------------------------------------------------------------------------


def _d4():
    from derivations import autoencoders

    return autoencoders


@mutant("q4.b.i", "the claim ∂L/∂W₁ without the minus sign", Kind.CLAIM)
def _(patch):
    def change(original):
        g1, g2 = original()
        return (-g1, g2)

    patch.wrap(_d4(), "stated_gradients", change)


@mutant("q4.b.i", "the loss's matrix derivative taken of tr(XᵀX) only", Kind.IMPLEMENTATION)
def _(patch):
    D = _d4()

    def change(original):
        g1, g2 = original()
        return (2 * g1, g2)

    patch.wrap(D, "gradients", change)


_printed("q4.b.i", "prose states W₁ᵀ in place of W₂ᵀ", "text",
         r"-\frac{2}{n} W_2^\top (X", r"-\frac{2}{n} W_1^\top (X")  # fmt: skip
_printed("q4.b.i", "display drops a transpose", "latex", r"X^{\top} W_{1}^{\top}",
         r"X^{\top} W_{1}")  # fmt: skip


@mutant("q4.b.ii", "the claimed loss at U keeps the eigenvalues (+ tr Λ)", Kind.CLAIM)
def _(patch):
    import sympy as sp

    D = _d4()
    stated = D.rewrite_trace(sp.Trace(D.X * D.X.T) / D.n + sp.Trace(D.Lam))[0]
    patch.attr(D, "stated_loss_at_eigenvectors", lambda: stated)


@mutant("q4.b.ii", "the exact loss divides by n − 1", Kind.IMPLEMENTATION)
def _(patch):
    patch.wrap(_d4(), "exact_loss", lambda f, inst, w1, w2: f(inst, w1, w2) * 9 / 8)


@mutant("q4.b.ii", "the rational data's 2nd and 3rd scales tied (no unique top 2)", Kind.DATA)
def _(patch):
    def change(original, scales=(6, 4, 3, 1), **kwargs):
        return original(scales=(scales[0], scales[1], scales[1], *scales[3:]), **kwargs)

    patch.wrap(_d4(), "rational_instance", change)


_printed("q4.b.ii", "display states the decoder condition with X + U_kU_kᵀX", "latex",
         r"\left(X - U_k U_k^{\top} X\right) X^{\top} U_k",
         r"\left(X + U_k U_k^{\top} X\right) X^{\top} U_k")  # fmt: skip
_printed("q4.b.ii", "prose's encoder chain drops a transpose", "text",
         r"U_k^\top X X^\top - (U_k^\top U_k) U_k^\top X X^\top",
         r"U_k^\top X X^\top - (U_k^\top U_k) U_k X X^\top")  # fmt: skip


# --- Q4(a) ---------------------------------------------------------------------------------
# Its claims are asserted under the full settings only; these are caught under either.


@mutant("q4.a", "the full settings' bottleneck k = 1000 typed as 500", Kind.DATA)
def _(patch):
    from answerkey.experiments.ae import grid

    sizes = tuple(500 if k == 1000 else k for k in grid.DEFAULT.code_sizes)
    patch.attr(grid, "DEFAULT", dataclasses.replace(grid.DEFAULT, code_sizes=sizes))


@mutant("q4.a", "the exact random-subspace probe computed for k + 1", Kind.IMPLEMENTATION)
def _(patch):
    patch.wrap(_d4(), "random_subspace_probe", lambda original, k, *a, **kw: original(k + 1))


_claimed_value("q4.a", "the answer's rows lose the last group",
               lambda value: {**value, "rows": value["rows"][:-1]}, fast=False)  # fmt: skip


@mutant("q4.a", "the detail states one seed more per autoencoder", Kind.PRINTED, fast=False)
def _(patch):
    import re

    def change(answer):
        detail, count = re.subn(
            r"(\d+) seeds per", lambda m: f"{int(m.group(1)) + 1} seeds per", answer.detail
        )
        if not count:
            raise MutantDoesNotApply("mutant: no 'N seeds per' in the answer's detail")
        return dataclasses.replace(answer, detail=detail)

    patch.answer("q4.a", change)


# --- Q5 ------------------------------------------------------------------------------------


def _q5():
    from answerkey.questions import beam_search

    return beam_search


def _tree():
    from models import figure2_tree

    return figure2_tree


def _swap_children(prefix: tuple[str, ...]):
    """Figure 2 transcribed with the two children of `prefix` swapped (sums still 1)."""

    def apply(patch):
        tree = _tree().FIGURE2
        patch.items(tree, {prefix: tuple(reversed(tree[prefix]))})

    return apply


def _altered_step(step: int):
    """The search's claimed beam at `step` with its two sequences' scores exchanged."""

    def apply(patch):
        def change(original):
            f2 = original()
            steps = [list(held) for held in f2["steps"]]
            (w0, s0), (w1, s1) = steps[step - 1][:2]
            steps[step - 1][:2] = [(w0, s1), (w1, s0)]
            return {**f2, "steps": steps}

        patch.wrap(_q5(), "figure2", change)

    return apply


class _TopkMissingLastCandidate:
    """torch, except that `topk` never picks the last candidate (the last token of the last
    beam) unless it must: a pruning bug Figure 2's tree shows only at step 3."""

    def __init__(self, torch):
        self._torch = torch

    def __getattr__(self, name):
        return getattr(self._torch, name)

    def topk(self, values, count, *args, **kwargs):
        if values.shape[-1] > count > 1:
            values = values.clone()
            values[..., -1] = -self._torch.inf
        return self._torch.topk(values, count, *args, **kwargs)


def _pruning_bug(patch):
    import torch

    import models.beam_search as B

    patch.attr(B, "torch", _TopkMissingLastCandidate(torch))


for _step, _part in enumerate(("q5.a", "q5.b", "q5.c"), start=1):
    mutant(_part, f"the claimed beam at step {_step} with its scores exchanged", Kind.CLAIM)(
        _altered_step(_step)
    )
    mutant(_part, "beam search never keeps the last beam's last token", Kind.IMPLEMENTATION)(
        _pruning_bug
    )

mutant("q5.a", "Figure 2 transcribed with the root's children swapped", Kind.DATA)(
    _swap_children(())
)
mutant("q5.b", "Figure 2 transcribed with the children of 'neural' swapped", Kind.DATA)(
    _swap_children(("neural",))
)
mutant("q5.c", "Figure 2 transcribed with the children of 'network neural' swapped", Kind.DATA)(
    _swap_children(("network", "neural"))
)
_printed("q5.a", "display shows network network", "latex", r"\text{network}",
         r"\text{network network}")  # fmt: skip
_printed("q5.b", "display shows neural neural", "latex", r"\text{network neural}",
         r"\text{neural neural}")  # fmt: skip
_printed("q5.c", "display drops the last token", "latex", r"\text{neural network network}",
         r"\text{neural network}")  # fmt: skip


@mutant("q5.d", "the claim: beam search finds the optimum", Kind.CLAIM)
def _(patch):
    patch.wrap(_q5(), "figure2", lambda original: {**original(), "found_optimum": True})


mutant("q5.d", "Figure 2 transcribed with the children of 'neural neural' swapped", Kind.DATA)(
    _swap_children(("neural", "neural"))
)


@mutant("q5.d", "the exact reference ranks sequences worst first", Kind.IMPLEMENTATION)
def _(patch):
    from numeric import beam_search as N

    patch.wrap(N, "exact_ranking", lambda original, *args: original(*args)[::-1])


_printed("q5.d", "the verdict word typed as Yes.", "text", "No. ", "Yes. ")


@mutant("q5.e", "the stated answer O(T k log k)", Kind.CLAIM)
def _(patch):
    D = _derivation5()
    patch.attr(D, "ANSWER_IN_T_K", D.T * D.k * __import__("sympy").log(D.k))


@mutant("q5.e", "an accepted alternative O(T k) (not T k²)", Kind.CLAIM)
def _(patch):
    D = _derivation5()
    patch.attr(D, "ACCEPTED", (*D.ACCEPTED[:1], D.T * D.k, *D.ACCEPTED[2:]))


@mutant("q5.e", "the per-step cost forgets the k² selection", Kind.IMPLEMENTATION)
def _(patch):
    D = _derivation5()

    def change(original, selection="sort"):
        terms = original()
        terms["select_among_k2"] = D.k
        return terms

    patch.wrap(D, "step_terms", change)


_printed("q5.e", "display shows O(T k log k)", "latex", "k^{2}", "k")
_printed("q5.e", "prose states O(T k log k)", "text", r"$O(T k^2 \log k)$.", r"$O(T k \log k)$.")


def _derivation5():
    from derivations import beam_search

    return beam_search


# --- Q1 ------------------------------------------------------------------------------------


def _d1():
    from derivations import karate_club

    return karate_club


@mutant("q1.1", "the claim ∂L/∂X = ÂSW (the transpose dropped)", Kind.CLAIM)
def _(patch):
    import sympy as sp

    D = _d1()

    def claimed(a=D.A_hat, x=D.X, w=D.W, g=D.G):
        s = sp.HadamardProduct(g, D.pre_activation(a, x, w).applyfunc(D.TANH_PRIME))
        return {"W": s.T * a * x, "X": a * s * w, "A": s * w * x.T}

    patch.attr(D, "claimed_gradients", claimed)


@mutant("q1.1", "the hand backward forgets tanh' (S = G)", Kind.IMPLEMENTATION)
def _(patch):
    import torch

    import models.karate_club as K

    def change(original, grad_h, a_hat, x, weight, ax, h, *rest):
        return original(grad_h, a_hat, x, weight, ax, torch.zeros_like(h), *rest)

    patch.wrap(K, "gcn_layer_backward", change)


_printed("q1.1", "display shows ∂L/∂X = ÂSW (the transpose dropped)", "latex",
         r"\hat A^{\top} S W", r"\hat A S W", fast=False)  # fmt: skip
_printed("q1.1", "prose states ∂L/∂Â = S W X", "text", r"\hat A = S W X^{\top}$",
         r"\hat A = S W X$", fast=False)  # fmt: skip


@mutant("q1.1", "the notebook's class-0 literal with member 9 added", Kind.DATA, fast=False)
def _(patch):
    import models.karate_club as K

    patch.attr(K, "NOTEBOOK_CLASS_0", K.NOTEBOOK_CLASS_0 | {9})
    runner = __import__("answerkey.experiments.zkc.runner", fromlist=["runner"])
    patch.attr(runner, "NOTEBOOK_CLASS_0", K.NOTEBOOK_CLASS_0 | {9})


def _zkc_runner():
    from answerkey.experiments.zkc import runner

    return runner


_claimed_value("q1.2", "the answer claims member 9 is always missed",
               lambda value: {**value, "always_missed": [9]}, fast=False)  # fmt: skip
_printed("q1.2", "the headline names member 9", "headline", "(member 8)", "(member 9)", fast=False)
_printed("q1.2", "the prose gives Zachary's individual 8", "text", "individual 9;",
         "individual 8;", fast=False)  # fmt: skip


@mutant("q1.2", "the club split with member 8 in the Officer's club", Kind.DATA, fast=False)
def _(patch):
    def change(original, *args, **kwargs):
        labels = original(*args, **kwargs).clone()
        labels[8] = 1 - labels[8]
        return labels

    patch.wrap(_zkc_runner(), "club_labels", change)


@mutant("q1.2", "Zachary's min cut taken without the interaction counts", Kind.IMPLEMENTATION,
        fast=False)  # fmt: skip
def _(patch):
    patch.wrap(_zkc_runner(), "leader_min_cut", lambda original, weighted=True: original(False))


# --- Q3(b)(ii) -----------------------------------------------------------------------------


@mutant("q3.b.ii", "the claimed dimension D(D + 1)/2 + 1", Kind.CLAIM)
def _(patch):
    D = _d3()
    patch.attr(D, "DIMENSION_MERGED", D.D * (D.D + 1) / 2 + 1)


@mutant("q3.b.ii", "the stated φ without √2 on the cross terms", Kind.CLAIM)
def _(patch):
    import sympy as sp

    D = _d3()

    def change(original, dim, constant=True, merged=True, name="q"):
        x = D.vector_symbols(name, dim)
        components = list(original(dim, constant, merged, name))
        return [c / sp.sqrt(2) if sp.sqrt(2) in c.args and sp.Poly(c, *x).total_degree() == 2
                else c for c in components]  # fmt: skip

    patch.wrap(D, "feature_map", change)


@mutant("q3.b.ii", "the stated φ loses its last cross term from D = 9 on", Kind.CLAIM)
def _(patch):
    def change(original, dim, constant=True, merged=True, name="q"):
        components = list(original(dim, constant, merged, name))
        return components[:-1] if dim >= 9 and merged else components

    patch.wrap(_d3(), "feature_map", change)


@mutant("q3.b.ii", "the model's feature map drops the constant component", Kind.IMPLEMENTATION)
def _(patch):
    import models.kernel_attention as K

    def change(original, x, constant=True, merged=True):
        out = original(x, constant, merged)
        return out.clone().index_fill_(-1, _first_component(out), 0.0) if constant else out

    patch.wrap(K, "quadratic_features", change)


def _first_component(out):
    import torch

    return torch.tensor([0], device=out.device)


_printed("q3.b.ii", "prose states (D+1)(D+2) components", "text", "$(D+1)(D+2)/2$",
         "$(D+1)(D+2)$")  # fmt: skip
_printed("q3.b.ii", "prose states D + D² ordered components", "text", "$1 + D + D^2$",
         "$D + D^2$")  # fmt: skip


@mutant("q3.b.ii", "the model's declared width off by one", Kind.IMPLEMENTATION)
def _(patch):
    import models.kernel_attention as K

    patch.wrap(K, "feature_dimension", lambda original, d, constant=True, merged=True:
               original(d, constant, merged) + 1)  # fmt: skip
