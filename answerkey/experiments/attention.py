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
# Only what is measured and counted keys the cache: an edit elsewhere does not re-measure.
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


def draw_scaling(r: dict, path: Path) -> None:
    """Log-log time and peak memory against N, fitted slopes, the crossover."""
    from answerkey.experiments.figure_style import pyplot

    fig = scaling_figure(r)
    fig.savefig(path, dpi=150)
    fig.savefig(path.with_suffix(".pdf"))
    pyplot().close(fig)


def scaling_figure(r: dict):
    """`draw_scaling`'s figure; each panel's legend below it, off the curves and the
    measurement floor."""
    import numpy as np

    from answerkey.experiments.figure_style import TEXT_WIDTH_IN, pyplot

    plt = pyplot()
    cfg, t = r["config"], r["timings"]
    sizes = np.asarray(cfg["sizes"], float)
    colors = {"softmax": "#c0392b", "linear": "#2471a3"}
    labels = {"softmax": "softmax", "linear": "linearized (qᵀk+1)²"}
    fig, (left, right) = plt.subplots(1, 2, figsize=(TEXT_WIDTH_IN, 4.6))
    fit = np.asarray(t["fit_sizes"], float)
    for ax, key, slopes, unit, scale in (
        (left, "seconds", t["time_slopes"], "forward time (s)", 1.0),
        (right, "peak_bytes", t["memory_slopes"], "peak memory growth (MiB)", 2.0**-20),
    ):
        for form in ("softmax", "linear"):
            values = np.asarray(t[key][form], float) * scale
            ok = values > 0
            ax.plot(
                sizes[ok],
                values[ok],
                "o-",
                color=colors[form],
                ms=4,
                lw=1.4,
                label=f"{labels[form]} (slope {slopes[form]:.2f})",
            )
            chosen = np.isin(sizes, fit) & ok
            if chosen.sum() >= 2:
                coef = np.polyfit(np.log(sizes[chosen]), np.log(values[chosen]), 1)
                ax.plot(
                    fit,
                    np.exp(np.polyval(coef, np.log(fit))),
                    "-",
                    color=colors[form],
                    lw=6,
                    alpha=0.18,
                )
            if key == "peak_bytes":
                kept = np.asarray(r["counts"][form]["saved_bytes"], float) * scale
                ax.plot(
                    sizes,
                    kept,
                    "--",
                    color=colors[form],
                    lw=1,
                    alpha=0.8,
                    label=f"{labels[form]}: derived",
                )
        marks = [
            (
                r["derived_crossover"]["operations" if key == "seconds" else "saved"],
                "-.",
                "0.55",
                "derived: N = {:.0f}",
            )
        ]
        if key == "seconds" and t["crossover_time"]:
            marks.append((t["crossover_time"], ":", "0.2", "measured: N ≈ {:.0f}"))
        for number, (cross, style, color, text) in enumerate(marks):
            if sizes[0] <= cross <= sizes[-1]:
                ax.axvline(cross, color=color, ls=style, lw=1.2)
                # text on the side of the line with more room, so it stays inside the axes
                right_half = np.log(cross / sizes[0]) > 0.5 * np.log(sizes[-1] / sizes[0])
                ax.annotate(  # two short lines: one long one reached past the axes
                    "crossover,\n" + text.format(cross),
                    (cross, 0.97 - 0.15 * number),
                    xycoords=("data", "axes fraction"),
                    ha="right" if right_half else "left",
                    va="top",
                    fontsize=7,
                    color=color,
                    xytext=(-4 if right_half else 4, 0),
                    textcoords="offset points",
                    bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1},
                )
        if key == "peak_bytes":
            # Below about a page-sized allocation the resident set does not move: a floor.
            floor = min(min(t[key][form]) for form in ("softmax", "linear")) * scale
            ax.axhspan(floor / 3, floor * 1.15, color="0.85", alpha=0.5, lw=0)
            ax.annotate(
                "measurement floor", (sizes[0], floor / 1.25), fontsize=7, color="0.4", va="top"
            )
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("sequence length N")
        ax.set_ylabel(unit)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=7, frameon=False)
    left.set_title("time (median of repeats)")
    right.set_title("memory (fresh process per N)")
    fig.suptitle(
        f"Measured: D = {cfg['d']}, M = {cfg['m']}, {cfg['dtype']}, CPU, {cfg['threads']} thread; "
        f"shaded lines: fits over N ≥ {cfg['fit_from']}"
    )
    fig.tight_layout()
    return fig


def draw_precision(p: dict, path: Path) -> None:
    """Log-log median relative error against the scale s = |q| = |k|: the linearized and
    the O(N²) form, float32 and float64, with the unreliable level and the fitted slopes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg, summary = p["config"], p["summary"]
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    colors = {"linear": "#2471a3", "quadratic": "#7d8c8e"}
    labels = {"linear": "linearized φ(q)ᵀΣφ(k)vᵀ", "quadratic": "O(N²) form"}
    styles = {"float32": "o-", "float64": "s--"}
    # A non-finite median is drawn at the top edge: no digit left.
    top = 10.0
    for dtype in cfg["dtypes"]:
        rows = [r for r in p["rows"] if r["dtype"] == dtype]
        scales = [r["scale"] for r in rows]
        for form in ("linear", "quadratic"):
            errors = [top if r[form] is None else min(r[form], top) for r in rows]
            slope = summary[f"{form}_{dtype}"]["slope"]
            slope_text = "" if slope is None else f", slope {slope:.1f}"
            ax.plot(scales, errors, styles[dtype], color=colors[form], ms=4, lw=1.3,
                    label=f"{labels[form]}, {dtype}{slope_text}")  # fmt: skip
    ax.axhline(cfg["unreliable"], color="#c0392b", lw=1, ls=":")
    ax.annotate(f"unreliable: relative error > {cfg['unreliable']:g}",
                (scales[0], cfg["unreliable"] * 1.5), fontsize=8, color="#c0392b")  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(top=top * 3)
    ax.set_xlabel("scale s = |q| = |k|  (qᵀk kept in [−½, ½])")
    ax.set_ylabel("median relative error of V′")
    ax.set_title(
        f"Exact arithmetic as reference; N = {cfg['N']}, D = {cfg['D']}, M = {cfg['M']}, "
        f"{cfg['trials']} seeds",
        fontsize=9,
    )
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7.5, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    fig.savefig(path.with_suffix(".pdf"))
    plt.close(fig)


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
