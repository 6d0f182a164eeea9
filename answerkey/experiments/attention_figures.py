"""Q3's figures, drawn from `answerkey run attention`'s results (`attention.py`).

Kept apart from the measuring code: `attention.CODE` keys the measurement's cache, so a
change to how a figure looks redraws it without measuring again.
"""

from __future__ import annotations

from pathlib import Path

from answerkey.experiments.figure_style import save_png_and_pdf

# Label colours dark enough to read on white in print (the grid's grey is lighter).
CROSSOVER_GREY = {"derived": "0.3", "measured": "0.05"}


def draw_scaling(r: dict, path: Path) -> None:
    """Log-log time and peak memory against N, fitted slopes, the crossover."""
    save_png_and_pdf(scaling_figure(r), path)


def line_segments(ax) -> list[tuple]:
    """Every drawn line of `ax` as (start, end, width in points) pieces in data
    coordinates, a marker's size counted as width: what a label must not cross."""
    pieces = []
    for line in ax.lines:
        if not line.get_visible():
            continue
        xy = line.get_xydata()
        if line.get_transform() != ax.transData:  # axvline/axhline: axes-fraction ends
            xy = ax.transData.inverted().transform(line.get_transform().transform(xy))
        width = line.get_linewidth() if line.get_linestyle() not in ("None", "") else 0
        if line.get_marker() not in (None, "None", "", " "):
            width = max(width, line.get_markersize())
        pieces += [(tuple(p), tuple(q), width) for p, q in zip(xy, xy[1:], strict=False)]
    return pieces


def time_label(
    name: str, slope: float, sizes, seconds, operations, fitted, subtract_floor: bool
) -> str:
    """A time curve's legend entry, its fitted slope beside the slope of its counted
    operations over the same sizes; where the time's slope is the larger (by at least 0.05)
    their difference is the exponent with which the time per operation grows, an identity
    (time = operations × time per operation), printed as such; with
    `subtract_floor`, also the slope of the time above the smallest time (a per-call cost
    that flattens the fit at small N)."""
    import numpy as np

    from numeric.kernel_attention import fit_slope

    label = f"{name} (slope {slope:.2f})"
    if fitted.sum() < 2:
        return label
    count_slope = fit_slope(sizes[fitted], operations[fitted])
    if slope - count_slope >= 0.05:
        label = (f"{name}: slope {slope:.2f}; its operation\n  count's slope "
                 f"{count_slope:.2f}, so the time per\n  operation grows as "
                 f"$N^{{{slope - count_slope:.2f}}}$")  # fmt: skip
    above = np.asarray(seconds, float)[fitted] - min(seconds)
    if subtract_floor and (above > 0).all():
        label = (f"{name}: slope {slope:.2f};\n  of the time above its\n  smallest: "
                 f"{fit_slope(sizes[fitted], above):.2f}")  # fmt: skip
    return label


def scaling_figure(r: dict):
    """`draw_scaling`'s figure; each panel's legend below it, off the curves, and every
    label in the panels placed where no line crosses it."""
    import numpy as np

    from answerkey.experiments.figure_style import TEXT_WIDTH_IN, place_on_segment, pyplot

    plt = pyplot()
    cfg, t = r["config"], r["timings"]
    sizes = np.asarray(cfg["sizes"], float)
    colors = {"softmax": "#c0392b", "linear": "#2471a3"}
    labels = {"softmax": "softmax", "linear": "linearized (qᵀk+1)²"}
    fig, (left, right) = plt.subplots(1, 2, figsize=(TEXT_WIDTH_IN, 5.4))
    fit = np.asarray(t["fit_sizes"], float)
    fitted = np.isin(sizes, fit)
    jobs = []
    for ax, key, slopes, unit, scale in (
        (left, "seconds", t["time_slopes"], "forward time (s)", 1.0),
        (right, "peak_bytes", t["memory_slopes"], "peak memory growth (MiB)", 2.0**-20),
    ):
        for form in ("softmax", "linear"):
            values = np.asarray(t[key][form], float) * scale
            ok = values > 0
            label = f"{labels[form]} (slope {slopes[form]:.2f})"
            if key == "seconds":
                label = time_label(labels[form], slopes[form], sizes, values,
                                   np.asarray(r["counts"][form]["operations"], float), fitted,
                                   subtract_floor=form == "linear")  # fmt: skip
            ax.plot(sizes[ok], values[ok], "o-", color=colors[form], ms=4, lw=1.4, label=label)
            chosen = fitted & ok
            if chosen.sum() >= 2:
                coef = np.polyfit(np.log(sizes[chosen]), np.log(values[chosen]), 1)
                ax.plot(fit, np.exp(np.polyval(coef, np.log(fit))), "-", color=colors[form],
                        lw=6, alpha=0.18)  # fmt: skip
            if key == "peak_bytes":
                kept = np.asarray(r["counts"][form]["saved_bytes"], float) * scale
                ratio = values[-1] / kept[-1]
                ax.plot(sizes, kept, "--", color=colors[form], lw=1, alpha=0.8,
                        label=f"{labels[form]}: derived;\n  measured ×{ratio:.1f} at "
                              f"N = {sizes[-1]:.0f}")  # fmt: skip
        if key == "seconds":
            # The linearized form never runs faster than its smallest time: a per-call cost
            # that counting operations leaves out.
            least = min(t[key]["linear"])
            ax.axhline(least, color=colors["linear"], ls=":", lw=1,
                       label="linearized: its smallest time")  # fmt: skip
        floor = None
        if key == "peak_bytes":
            # Below about a page-sized allocation the resident set does not move: a floor.
            floor = min(min(t[key][form]) for form in ("softmax", "linear")) * scale
            ax.axhspan(floor / 3, floor * 1.15, color="0.85", alpha=0.5, lw=0)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("sequence length N")
        ax.set_ylabel(unit)
        ax.grid(True, which="major", alpha=0.3)
        derived_from = "operation counts" if key == "seconds" else "saved bytes"
        marks = [("derived", r["derived_crossover"]["operations" if key == "seconds" else "saved"],
                  "-.", f"derived from {derived_from}: N = {{:.0f}}")]  # fmt: skip
        if key == "seconds" and t["crossover_time"]:
            marks.append(("measured", t["crossover_time"], ":", "measured: N ≈ {:.0f}"))
        marks = [m for m in marks if sizes[0] <= m[1] <= sizes[-1]]
        # named in the legend: a label along a vertical line sat on it
        for kind, cross, style, text in marks:
            ax.axvline(cross, color=CROSSOVER_GREY[kind], ls=style, lw=1.2,
                       label="crossover, " + text.format(cross))  # fmt: skip
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), fontsize=7, frameon=False)
        jobs.append((ax, floor))
    left.set_title("time (median of repeats)")
    right.set_title("peak memory")
    fig.suptitle(
        f"Measured: D = {cfg['d']}, M = {cfg['m']}, {cfg['dtype']}, one CPU core; "
        f"shaded lines: fits over N ≥ {cfg['fit_from']}"
    )
    fig.tight_layout()
    # Labels last, once every line is drawn and the layout is final.
    for ax, floor in jobs:
        if floor is not None:
            place_on_segment(
                ax,
                "measurement floor",
                (sizes[0], floor),
                (sizes[-1], floor),
                -1,
                line_segments(ax),
                [],
                gap_pt=2,
                color="0.25",
            )  # in its band
    return fig


def draw_precision(p: dict, path: Path) -> None:
    """`precision_figure`, saved as PNG and PDF."""
    save_png_and_pdf(precision_figure(p), path)


def precision_figure(p: dict):
    """Log-log median relative error against the scale s = |q| = |k|: the linearized and
    the O(N²) form, float32 and float64, with the unreliable level (labelled where no
    line crosses it) and the fitted slopes."""
    from answerkey.experiments.figure_style import TEXT_WIDTH_IN, place_on_segment, pyplot

    plt = pyplot()
    cfg, summary = p["config"], p["summary"]
    fig, ax = plt.subplots(figsize=(TEXT_WIDTH_IN, 4.4))
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
            fitted = summary[f"{form}_{dtype}"]
            slope, over = fitted["slope"], fitted.get("fit_scales") or []
            slope_text = "" if slope is None else f", slope {slope:.1f}"
            if slope is not None and over:  # the scales the slope is fitted over
                slope_text += f" (s = {min(over):g}–{max(over):g})"
            ax.plot(scales, errors, styles[dtype], color=colors[form], ms=4, lw=1.3,
                    label=f"{labels[form]}, {dtype}{slope_text}")  # fmt: skip
    ax.axhline(cfg["unreliable"], color="#c0392b", lw=1, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(top=top * 3)
    ax.set_xlabel("scale s = |q| = |k|  (qᵀk kept in [−½, ½])")
    ax.set_ylabel("median relative error of V′")
    ax.set_title(
        f"Exact arithmetic as reference; N = {cfg['N']}, D = {cfg['D']}, M = {cfg['M']}, "
        f"{cfg['trials']} seeds"
    )
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=7, frameon=False)
    fig.tight_layout()
    left, right = ax.get_xlim()
    place_on_segment(ax, f"unreliable: relative error > {cfg['unreliable']:g}",
                     (left, cfg["unreliable"]), (right, cfg["unreliable"]), 1,
                     line_segments(ax), [ax.get_legend().get_window_extent()],
                     color="#c0392b")  # fmt: skip
    return fig
