"""`answerkey run attention`: Q3's time and peak memory of softmax vs linearized attention.

    answerkey run attention [--json] [--quick] [--sizes N …] [--remeasure]

times both forms (float32, one thread, no autograd) and measures their peak memory
(with autograd, a fresh process per size) as N grows, fits log-log slopes over
N ≥ 1024, finds the crossover N, and draws `attention_scaling.png`. Measured numbers
live under the results' "timings" key only: they never reach results.json or the
documents' text; the figure says it shows a measurement. The counts (FLOPs, operations,
saved bytes) come from `derivations.kernel_attention` and `FlopCounterMode`.

It also measures where the linearized form loses precision ("precision",
`numeric.kernel_attention.linearization_error`: its relative error and the O(N²) form's
as |q| = |k| = s grows with qᵀk = O(1), float32 and float64; deterministic, so it reaches
results.json and q3.c.ii) and draws `attention_precision.png`.

Results: `answerkey.experiments.contracts.AttentionResults`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from answerkey.experiments.contracts import AttentionResults

NAME = "attention"
HELP = "Q3: time and peak memory of softmax vs linearized attention as N grows"
LIBRARIES = ("torch", "numpy", "sympy", "matplotlib")
MEASURED_CODE = ("models/kernel_attention.py", "numeric/kernel_attention.py")
# Only what is measured and counted keys the cache: an edit elsewhere (the figures are
# drawn in `attention_figures`) does not re-measure.
CODE = ("derivations", *MEASURED_CODE, "answerkey/experiments/attention.py")
VERSION = 2
FIGURE = "attention_scaling.png"
FIGURE_PRECISION = "attention_precision.png"
MAX_SIZE = 1 << 15  # softmax's N×N float32 matrices: 4 GiB each beyond this


def _derivation():
    from derivations import kernel_attention

    return kernel_attention


def _numeric():
    from numeric import kernel_attention

    return kernel_attention


def config(profile, args: Any = None) -> dict:
    """Sizes 16 … 16384 by doubling (quick: … 2048), or --sizes; D = M = 8, float32, one
    thread. Raises UsageError for fewer than two sizes or one outside 1 … MAX_SIZE."""
    from answerkey.errors import UsageError

    sizes = getattr(args, "sizes", None)
    if sizes is not None:
        if len(set(sizes)) < 2:
            raise UsageError("--sizes needs at least two different lengths")
        bad = [n for n in sizes if not 1 <= n <= MAX_SIZE]
        if bad:
            raise UsageError(f"--sizes must lie in 1…{MAX_SIZE}; got {bad[0]}")
    return experiment_config(profile.quick, sizes)


def run(config: dict) -> AttentionResults:
    precision = _numeric().linearization_error()
    return {"version": VERSION, **run_attention(config), "precision": precision}


def draw(results: dict, folder: Path) -> list[str]:
    from answerkey.experiments.attention_figures import draw_precision, draw_scaling

    draw_scaling(results, Path(folder) / FIGURE)
    draw_precision(results["precision"], Path(folder) / FIGURE_PRECISION)
    return [FIGURE, FIGURE_PRECISION]


def experiment_config(
    quick: bool, sizes=None, d: int = 8, m: int = 8, dtype: str = "float32"
) -> dict:
    top = 11 if quick else 14
    return {
        "sizes": sorted(sizes) if sizes else [2**e for e in range(4, top + 1)],
        "d": d,
        "m": m,
        "dtype": dtype,
        "threads": 1,
        "seed": 0,
        "fit_from": 1024,
    }


def run_attention(cfg: dict) -> dict:
    """Counts (deterministic) and measurements ("timings") of both forms at every N."""
    import math

    import torch

    KA = _derivation()
    NK = _numeric()
    sizes, d, m = cfg["sizes"], cfg["d"], cfg["m"]
    counts = {
        form: {"flops": [], "operations": [], "saved_bytes": [], "counted_flops": []}
        for form in NK.FORMS
    }
    element = torch.tensor([], dtype=getattr(torch, cfg["dtype"])).element_size()
    for form in NK.FORMS:
        derived = KA.costs(form)
        fn = NK.attention_fn(form)
        for n in sizes:
            at = {KA.N: n, KA.D: d, KA.M: m}
            counts[form]["flops"].append(int(derived["flops"].subs(at)))
            counts[form]["operations"].append(int(derived["operations"].subs(at)))
            counts[form]["saved_bytes"].append(element * int(derived["saved"].subs(at)))
            # Shapes only: FlopCounterMode on meta tensors runs no arithmetic.
            meta = NK.inputs(n, d, m, cfg["dtype"], device="meta")
            counts[form]["counted_flops"].append(NK.count_matmul_flops(fn, *meta))
    flop_slopes = {}
    for form in NK.FORMS:
        flops = counts[form]["flops"]
        ratios = {f"{b / a:.12g}" for a, b in zip(flops, flops[1:], strict=False)}
        doubling = all(b == 2 * a for a, b in zip(sizes, sizes[1:], strict=False))
        exact = len(ratios) == 1 and doubling
        flop_slopes[form] = math.log2(float(ratios.pop())) if exact else NK.fit_slope(sizes, flops)

    previous = torch.get_num_threads()
    torch.set_num_threads(cfg["threads"])
    try:
        # Both forms at one N back to back, so the load of a shared machine hits both alike.
        seconds = {form: [] for form in NK.FORMS}
        for n in sizes:
            for form in NK.FORMS:
                seconds[form].append(NK.time_forward(form, n, d, m, cfg["dtype"], seed=cfg["seed"]))
    finally:
        torch.set_num_threads(previous)
    jobs = [
        {"form": form, "n": n, "d": d, "m": m, "dtype": cfg["dtype"]}
        for form in NK.FORMS
        for n in sizes
    ]
    peaks = NK.peak_memory(jobs)
    peak = {
        form: [p for job, p in zip(jobs, peaks, strict=True) if job["form"] == form]
        for form in NK.FORMS
    }
    fit = [i for i, n in enumerate(sizes) if n >= cfg["fit_from"]]
    if len(fit) < 2:
        fit = list(range(len(sizes)))
    fit_sizes = [sizes[i] for i in fit]

    def slope(values):
        return NK.fit_slope(fit_sizes, [values[i] for i in fit])

    timings = {
        "seconds": seconds,
        "peak_bytes": peak,
        "time_slopes": {form: slope(seconds[form]) for form in NK.FORMS},
        "memory_slopes": {form: slope(peak[form]) for form in NK.FORMS},
        "fit_sizes": fit_sizes,
        "crossover_time": NK.crossover(sizes, seconds["softmax"], seconds["linear"]),
        **_memory_crossover(NK, sizes, peak),
        "speedup_at_largest": seconds["softmax"][-1] / seconds["linear"][-1],
        "torch_threads": cfg["threads"],
    }
    return {
        "config": cfg,
        "counts": counts,
        # From the polynomials, not from measurements: the N from which on the linear
        # form's count is the smaller one.
        "derived_crossover": {
            key: KA.derived_crossover(key, d, m) for key in ("flops", "operations", "saved")
        },
        "counts_match_flop_counter": all(c["flops"] == c["counted_flops"] for c in counts.values()),
        "flop_slopes": flop_slopes,
        "operation_degree_in_N": {"softmax": 2, "linear": 1},
        "timings": timings,
    }


def _memory_crossover(NK, sizes, peak) -> dict:
    """The measured memory crossover from the sizes whose peaks clear the measurement floor
    (the smallest peak seen: below a few pages the resident set does not move). If the
    linear form is already smaller at the first such size, that size is an upper bound."""
    floor = min(min(values) for values in peak.values())
    keep = [i for i, _ in enumerate(sizes) if min(peak[f][i] for f in peak) > 1.3 * floor]
    if len(keep) < 2:
        return {"crossover_memory": None, "crossover_memory_is_upper_bound": False}
    cross = NK.crossover(
        [sizes[i] for i in keep], *([peak[f][i] for i in keep] for f in ("softmax", "linear"))
    )
    return {"crossover_memory": cross, "crossover_memory_is_upper_bound": cross == sizes[keep[0]]}


def precision_lines(p: dict) -> list[str]:
    """The precision table as text: median relative error per scale, form and dtype."""
    cfg = p["config"]

    def cell(value) -> str:
        return "not finite" if value is None else f"{value:.1e}"

    dtypes = cfg["dtypes"]
    header = f"{'s = |q| = |k|':>13}" + "".join(
        f" {'linear ' + dt:>16} {'O(N²) ' + dt:>15}" for dt in dtypes
    )
    lines = [
        f"Precision, median relative error of V' over {cfg['trials']} seeds (qᵀk in [−½, ½]; "
        "exact arithmetic as reference)",
        header,
    ]
    by = {(r["dtype"], r["scale"]): r for r in p["rows"]}
    for scale in cfg["scales"]:
        cells = "".join(
            f" {cell(by[dt, scale]['linear']):>16} {cell(by[dt, scale]['quadratic']):>15}"
            for dt in dtypes
        )
        lines.append(f"{scale:>13g}{cells}")
    for key, entry in p["summary"].items():
        slope = "—" if entry["slope"] is None else f"{entry['slope']:.2f}"
        unreliable = entry["unreliable_from"]
        lines.append(
            f"{key}: slope {slope} in log s; relative error > {cfg['unreliable']:g} from s = "
            f"{'never (up to the largest scale)' if unreliable is None else f'{unreliable:g}'}"
        )
    return lines


def add_arguments(parser) -> None:
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        metavar="N",
        help="sequence lengths (default 16 … 16384 by doubling; --quick: … 2048)",
    )
    parser.add_argument(
        "--remeasure",
        action="store_true",
        help="measure again instead of reusing the cached measurement",
    )


def summary(r: dict) -> str:
    lines = []
    cfg, t, c = r["config"], r["timings"], r["counts"]
    lines.append(
        f"Attention, D = {cfg['d']}, M = {cfg['m']}, {cfg['dtype']}, CPU, {cfg['threads']} "
        "thread (measured; cached until the code changes, or --remeasure)"
    )
    lines.append(
        f"{'N':>6} {'softmax s':>11} {'linear s':>11} {'speedup':>8} {'softmax MiB':>12} "
        f"{'linear MiB':>11} {'softmax FLOPs':>15} {'linear FLOPs':>13}"
    )
    for i, n in enumerate(cfg["sizes"]):
        s, lin = t["seconds"]["softmax"][i], t["seconds"]["linear"][i]
        lines.append(
            f"{n:>6} {s:>11.3e} {lin:>11.3e} {s / lin:>7.1f}× "
            f"{t['peak_bytes']['softmax'][i] / 2**20:>12.2f} "
            f"{t['peak_bytes']['linear'][i] / 2**20:>11.2f} "
            f"{c['softmax']['flops'][i]:>15,} {c['linear']['flops'][i]:>13,}"
        )
    fs = ", ".join(f"{k} {v:.3f}" for k, v in r["flop_slopes"].items())
    ts = ", ".join(f"{k} {v:.2f}" for k, v in t["time_slopes"].items())
    ms = ", ".join(f"{k} {v:.2f}" for k, v in t["memory_slopes"].items())
    lines.append(
        f"FLOP slopes (counted, FlopCounterMode agrees: {r['counts_match_flop_counter']}): {fs}"
    )
    lines.append(f"time slopes over N ≥ {cfg['fit_from']}: {ts}; memory slopes: {ms}")
    ct, cm = t["crossover_time"], t["crossover_memory"]
    dc = r["derived_crossover"]
    bound = "≤ " if t["crossover_memory_is_upper_bound"] else ""
    lines.append(
        f"crossover N, measured: time {'none' if ct is None else f'{ct:.0f}'}, memory "
        f"{'none' if cm is None else f'{bound}{cm:.0f}'} (sizes above the measurement floor); "
        f"by the derived counts: operations {dc['operations']}, FLOPs {dc['flops']}, "
        f"memory {dc['saved']}"
    )
    lines.append(f"linear form {t['speedup_at_largest']:.0f}× faster at N = {cfg['sizes'][-1]}")
    lines += ["", *precision_lines(r["precision"])]
    return "\n".join(lines)
