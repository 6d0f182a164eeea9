"""Q3's checks of q3.c: the derived costs, held against the implementation.

The exact counts and their big-O are proved step by step (SymPy); matrix-product FLOPs are
held against torch.utils.flop_counter.FlopCounterMode, all arithmetic against the project's
own `OperationCounter`, memory against the bytes autograd saves (one per storage) and against
the peak memory of a fresh process per size; both forms against a reference implementation.
"""

from __future__ import annotations

from answerkey import evidence as ev
from answerkey.experiments.attention import MEASURED_CODE
from answerkey.questions.kernel_attention import derivation, plain
from answerkey.questions.kernel_attention_checks import VARIANTS, numeric_kernel_attention
from answerkey.questions.kernel_attention_costs import claimed_costs
from answerkey.verdicts import Check

# (N, D, M) at which the implementation is counted: D = 1 (no cross terms), odd sizes.
COUNT_SIZES = ((7, 1, 1), (5, 2, 3), (16, 4, 8), (33, 3, 7), (64, 8, 8))
# Peak memory: sizes large enough that the measured growth is the tensors, not noise.
PEAK_SIZES = {"softmax": (2048, 4096, 8192), "linear": (16384, 32768, 65536)}
PEAK_DEGREE = {"softmax": 2, "linear": 1}
SLOPE_TOLERANCE = 0.25
AGREEMENT_TOLERANCE = 1e-10


def _argue_costs(form: str) -> ev.Argument:
    import sympy as sp

    KA = derivation()
    derived = KA.costs(form)
    claimed = claimed_costs(form)
    steps = [
        ev.Identity(derived[key], claimed[key], f"the derived and stated {key}")
        for key in ("flops", "operations", "saved", "time_O", "memory_O")
    ]
    # FLOPs are homogeneous in N: doubling N multiplies them by exactly 4 (softmax) or 2.
    factor = 4 if form == "softmax" else 2
    doubled = derived["flops"].subs(KA.N, 2 * KA.N)
    steps.append(
        ev.Identity(doubled, factor * derived["flops"], f"FLOPs(2N) and {factor}·FLOPs(N)")
    )
    degree = sp.Poly(derived["operations"], KA.N).degree()
    expected = 2 if form == "softmax" else 1
    steps.append(
        ev.Fact(
            degree == expected, f"operations of degree {expected} in N", {"degree": str(degree)}
        )
    )
    return ev.Argument(
        f"summed over the steps of models.kernel_attention: FLOPs "
        f"{plain(sp.factor(claimed['flops']))}, operations of degree {degree} in N, memory "
        f"{plain(sp.expand(claimed['saved']))}; dominant terms O({plain(claimed['time_O'])}) "
        f"and O({plain(claimed['memory_O'])}); FLOPs(2N) = {factor}·FLOPs(N) exactly",
        steps,
    )


def _variants(form: str) -> dict:
    return {"softmax": None} if form == "softmax" else VARIANTS


def _count_against(form: str, what: str) -> ev.Instances:
    """Derived counts against the implementation's, at COUNT_SIZES, float32 and float64."""
    KA = derivation()
    NK = numeric_kernel_attention()
    checked, mismatches = 0, []
    for name, variant in _variants(form).items():
        constant, merged = variant or (True, True)
        derived = KA.costs(form, constant, merged)
        fn = NK.attention_fn(form, constant, merged)
        for n, d, m in COUNT_SIZES:
            at = {KA.N: n, KA.D: d, KA.M: m}
            for dtype, size in (("float32", 4), ("float64", 8)):
                args = NK.inputs(n, d, m, dtype)
                if what == "flops":
                    got, want = NK.count_matmul_flops(fn, *args), derived["flops"].subs(at)
                elif what == "operations":
                    got = NK.count_operations(fn, *args)["total"]
                    want = derived["operations"].subs(at)
                else:
                    got, want = NK.saved_bytes(fn, *args)["bytes"], size * derived["saved"].subs(at)
                checked += 1
                if got != want:
                    mismatches.append(
                        {"map": name or form, "N": str(n), "D": str(d), "M": str(m)}
                        | {"dtype": dtype, "counted": str(got), "derived": str(int(want))}
                    )
    sizes = ", ".join(f"({n},{d},{m})" for n, d, m in COUNT_SIZES)
    counter = {
        "flops": "torch.utils.flop_counter.FlopCounterMode",
        "operations": "numeric.kernel_attention.OperationCounter (TorchDispatchMode)",
        "saved": "the bytes saved_tensors_hooks see (one per storage)",
    }[what]
    variants = "" if form == "softmax" else f" for the {len(VARIANTS)} feature maps"
    return ev.Instances(
        f"{counter} against the derived count{variants} at (N, D, M) = {sizes}, float32 and "
        "float64",
        checked=checked,
        violations=mismatches,
    )


def peak_memory_measurements() -> dict:
    """Peak memory growth per size (bytes), fresh process per size, through the cache."""
    from answerkey import cache as result_cache

    jobs = [
        {"form": form, "n": n, "d": 8, "m": 8, "dtype": "float32"}
        for form, sizes in PEAK_SIZES.items()
        for n in sizes
    ]
    key = result_cache.cache_key({"jobs": jobs}, MEASURED_CODE, ("torch",))

    def measure() -> dict:
        return {"jobs": jobs, "peak_bytes": numeric_kernel_attention().peak_memory(jobs)}

    return result_cache.cached("attention-peak", key, measure)


def _peak_memory(form: str) -> ev.Measurement:
    KA = derivation()
    NK = numeric_kernel_attention()
    r = peak_memory_measurements()
    rows = [
        (job["n"], peak)
        for job, peak in zip(r["jobs"], r["peak_bytes"], strict=True)
        if job["form"] == form
    ]
    ns = [n for n, _ in rows]
    peaks = [p for _, p in rows]
    summary = (
        "measured in a fresh process per size (D = M = 8, float32, forward with autograd), "
        f"N = {', '.join(map(str, ns))}"
    )
    measured = ev.Observed("every measurement succeeded", all(p > 0 for p in peaks), True)
    if not measured.ok:
        return ev.Measurement(f"{summary}: {rows}", [measured])
    saved = [4 * int(KA.costs(form)["saved"].subs({KA.N: n, KA.D: 8, KA.M: 8})) for n in ns]
    slope = NK.fit_slope(ns, peaks)
    ratios = [p / s for p, s in zip(peaks, saved, strict=True)]
    degree = PEAK_DEGREE[form]
    statistics = {
        "sizes": ns,
        "peak_bytes": peaks,
        "slope": round(slope, 4),
        "peak_over_saved": [round(x, 4) for x in ratios],
    }
    return ev.Measurement(
        f"{summary}: peak growth {', '.join(f'{p / 2**20:.1f}' for p in peaks)} MiB "
        "(transients on top of what is kept for backward)",
        [
            ev.near("log-log slope", slope, degree, SLOPE_TOLERANCE, spec=".2f"),
            ev.between("least peak / derived saved bytes", min(ratios), 0.9, 4, spec=".2f"),
            ev.between("most peak / derived saved bytes", max(ratios), 0.9, 4, spec=".2f"),
        ],
        statistics=statistics,
    )


def _softmax_reference() -> ev.Measurement:
    import torch

    from models.kernel_attention import softmax_attention

    worst = 0.0
    generator = torch.Generator().manual_seed(3)
    for n, d, m in ((1, 1, 1), (9, 4, 3), (64, 8, 8), (100, 16, 5)):
        Q, K, V = (torch.randn(n, w, generator=generator, dtype=torch.float64) for w in (d, d, m))
        reference = torch.nn.functional.scaled_dot_product_attention(Q[None], K[None], V[None])[0]
        worst = max(worst, float((softmax_attention(Q, K, V) - reference).abs().max()))
    return ev.Measurement(
        "models.kernel_attention.softmax_attention against torch's scaled_dot_product_attention, "
        "float64, four sizes",
        [ev.at_most("largest difference", worst, 1e-12)],
        statistics={"max_difference": worst},
    )


def _linear_agrees_with_quadratic() -> ev.Measurement:
    import torch

    NK = numeric_kernel_attention()
    worst = 0.0
    generator = torch.Generator().manual_seed(4)
    runs = 0
    for n, d, m in ((1, 1, 1), (16, 3, 2), (128, 8, 8), (300, 5, 7)):
        Q, K, V = (
            0.5 * torch.randn(n, w, generator=generator, dtype=torch.float64) for w in (d, d, m)
        )
        for constant, merged in VARIANTS.values():
            linear = NK.attention_fn("linear", constant, merged)(Q, K, V)
            quadratic = NK.attention_fn("quadratic", constant)(Q, K, V)
            relative = (linear - quadratic).abs() / quadratic.abs().clamp(min=1)
            worst = max(worst, float(relative.max()))
            runs += 1
    return ev.Measurement(
        "the linearized form (eq. 5) against the O(N²) form (eq. 3 with the kernel), float64, "
        f"all four feature maps at N up to 300 ({runs} runs)",
        [ev.at_most("largest difference", worst, AGREEMENT_TOLERANCE)],
        statistics={"max_difference": worst, "runs": runs},
    )


def checks_c(form: str):
    def build(profile) -> list[Check]:
        name = "softmax" if form == "softmax" else "linearized"
        checks = [
            ev.symbolic(
                f"{name}: exact counts and big-O derived step by step", lambda: _argue_costs(form)
            ),
            ev.exact_instances(
                f"{name}: matrix-product FLOPs equal FlopCounterMode's",
                lambda: _count_against(form, "flops"),
            ),
            ev.exact_instances(
                f"{name}: all arithmetic equals the operation counter's",
                lambda: _count_against(form, "operations"),
            ),
            ev.exact_instances(
                f"{name}: bytes saved for backward equal the derived memory",
                lambda: _count_against(form, "saved"),
            ),
            ev.within_tolerance(
                f"{name}: measured peak memory grows as N^{PEAK_DEGREE[form]}",
                lambda: _peak_memory(form),
                timeout_s=300,
            ),
        ]
        if form == "softmax":
            checks.append(
                ev.within_tolerance(
                    "softmax attention as implemented is torch's", _softmax_reference
                )
            )
        else:
            checks.append(
                ev.within_tolerance(
                    "linearized and O(N²) quadratic-kernel attention agree to 1e-10",
                    _linear_agrees_with_quadratic,
                )
            )
        return checks

    return build
