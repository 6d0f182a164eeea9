"""Q4(a) figures as the course draws them, from the summary (`report.aggregate`).

Per data set: validation reconstruction loss vs autoencoder epoch and fresh-probe test
accuracy vs autoencoder epoch (epoch 0 = the untrained encoder), one panel per
activation × variant, one line per k, mean line and min–max band over seeds. One more
figure puts every autoencoder's final probe beside the references at each k.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from answerkey.experiments.ae import grid
from answerkey.experiments.ae.report import DATASET_TITLE, find_baseline, find_row
from answerkey.experiments.figure_style import TEXT_WIDTH_IN

TITLE_CHARACTERS = 90  # a title line that fits the printed width at 8.5 pt
FIGURES = {
    "recon": "ae_recon_{dataset}",
    "probe": "ae_probe_{dataset}",
    "accuracy": "ae_accuracy_vs_k",
}


def _pyplot():
    from answerkey.experiments.figure_style import pyplot

    return pyplot()


def _save(fig, folder: Path, name: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    fig.savefig(folder / f"{name}.png", dpi=130, metadata={"Software": None})
    return [f"{name}.png"]


def _k_colors(code_sizes):
    palette = _pyplot().get_cmap("viridis")
    return {k: palette(i / max(1, len(code_sizes) - 1) * 0.9) for i, k in enumerate(code_sizes)}


def _k_styles(code_sizes) -> dict:
    """Per k, its line's dash and marker: the two largest k often give the same curve (an
    exact reconstruction, or the probe's ceiling), so the last is dashed over the one
    before and each k has its own marker: both stay visible where they coincide."""
    markers = ("o", "s", "^", "D", "v", "P")
    return {
        k: {"ls": (0, (4, 2.5)) if i == len(code_sizes) - 1 else "-",
            "marker": markers[i % len(markers)], "ms": 3.2, "markevery": (i % 3, 3)}
        for i, k in enumerate(code_sizes)
    }  # fmt: skip


def _darker(color, factor: float = 0.7):
    """`color` as RGB scaled towards black: a reference line that reads on white."""
    from matplotlib.colors import to_rgb

    return tuple(factor * c for c in to_rgb(color))


def curves_figure(summary: dict, dataset: str, which: str):
    """`which` = "recon" (held-out objective) or "probe" (fresh-probe accuracy) vs epoch:
    the open matplotlib figure."""
    plt = _pyplot()
    from matplotlib import ticker
    from matplotlib.lines import Line2D

    code_sizes = summary["settings"]["code_sizes"]
    colors = _k_colors(code_sizes)
    styles = _k_styles(code_sizes)
    sharey = "row" if which == "recon" else True
    fig, axes = plt.subplots(2, 3, figsize=(TEXT_WIDTH_IN, 4.4), sharex=True, sharey=sharey)
    for r, activation in enumerate(grid.ACTIVATIONS):
        for c, variant in enumerate(grid.VARIANTS):
            ax = axes[r][c]
            for k in code_sizes:
                row = find_row(summary, dataset, activation, variant, k)
                if row is None:
                    continue
                band = row["recon"] if which == "recon" else row["probe"]
                epochs = np.asarray(row["epochs"])
                ax.plot(epochs, band["mean"], color=colors[k], label=f"k = {k}", lw=1.4,
                        zorder=3, **styles[k])  # fmt: skip
                ax.fill_between(epochs, band["min"], band["max"], color=colors[k], alpha=0.25)
                pca = find_baseline(summary, dataset, "pca", k)
                if which == "recon" and variant == "vanilla" and pca and pca["recon_test"] > 1e-9:
                    ax.axhline(pca["recon_test"], color=_darker(colors[k]), ls=":", lw=1.6,
                               zorder=2)  # fmt: skip
            raw = find_baseline(summary, dataset, "raw")
            if which == "probe" and raw is not None:  # behind the k lines, thinner
                ax.axhline(raw["probe"]["mean"], color="0.45", ls="--", lw=0.9, zorder=1)
            if which == "recon" and raw is not None:
                ax.axhline(raw["total_variance_test"], color="0.3", ls="--", lw=1)
            ax.set_title(f"{variant}, {activation}", fontsize=8.5)
            ax.grid(alpha=0.3)
            ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))  # whole epochs
            if r == 1:
                ax.set_xlabel("autoencoder epoch")
        axes[r][0].set_ylabel("validation loss" if which == "recon" else "probe test accuracy")
        if which == "recon":
            _loss_axis(axes[r][0], ticker)
    # The reference lines are named in the legend, not in the title.
    handles, labels = axes[0][0].get_legend_handles_labels()
    together = _coinciding(fig, axes, code_sizes[-2:])
    if together and labels:
        labels[-1] += f" (coincides with\nk = {code_sizes[-2]} {together})"
    dashed = Line2D([], [], color="0.3" if which == "recon" else "0.45", ls="--",
                    lw=1 if which == "recon" else 0.9)  # fmt: skip
    if which == "recon":
        handles += [dashed, Line2D([], [], color="0.3", ls=":", lw=1.6)]
        labels += ["predicting the mean", "PCA's loss at the same k\n(vanilla panels only)"]
    else:
        handles.append(dashed)
        labels.append("the same probe on raw inputs")
    fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, fontsize=7.5)
    seeds = len(summary["settings"]["seeds"])
    if which == "recon":
        what = "validation reconstruction loss"
    else:
        what = "fresh linear probe's test accuracy"
        if dataset == "mnist":
            what += " (mean over label draws)"
    fig.suptitle(
        textwrap.fill(
            f"{DATASET_TITLE[dataset]}: {what} vs autoencoder epoch (0 = untrained), "
            f"mean and min–max band over {seeds} seeds",
            TITLE_CHARACTERS,
        ),
        fontsize=8.5,
    )
    fig.subplots_adjust(left=0.12, right=0.99, bottom=0.23, top=0.86, wspace=0.08, hspace=0.3)
    return fig


COINCIDE_PT = 3.0  # two curves drawn closer than this everywhere read as one line


def _coinciding(fig, axes, pair) -> str:
    """Where the curves of the two k in `pair` are drawn within `COINCIDE_PT` of each other
    at every epoch, as printed: "in the linear row" (whole rows), "in 4 of the 6 panels";
    "" nowhere."""
    fig.canvas.draw()  # the axes' final limits and scales
    found = []
    for r, row in enumerate(axes):
        for ax in row:
            curves = {line.get_label(): line for line in ax.lines}
            a, b = (curves.get(f"k = {k}") for k in pair)
            if a is None or b is None:
                continue
            pa, pb = (ax.transData.transform(line.get_xydata()) for line in (a, b))
            if len(pa) == len(pb) and np.hypot(*(pa - pb).T).max() * 72 / fig.dpi < COINCIDE_PT:
                found.append((r, ax.get_title()))
    rows = [r for r in range(len(axes)) if sum(row == r for row, _ in found) == len(axes[r])]
    if not found:
        return ""
    if len(found) == sum(len(axes[r]) for r in rows):  # whole rows only
        return "in the " + " and ".join(grid.ACTIVATIONS[r] for r in rows) + " row" + (
            "s" if len(rows) > 1 else "")  # fmt: skip
    return f"in {len(found)} of the {sum(len(row) for row in axes)} panels"


def _loss_axis(ax, ticker) -> None:
    """A row's loss axis (shared): log, in plain numbers (280, not 2.8 × 10²); linear from
    0 where a code reconstructs exactly (10⁻¹¹): a log axis down there squeezed every
    other line, PCA's and the mean's, into one band at the top."""
    ax.set_yscale("log")
    low, high = ax.get_ylim()
    if high / low < 1e4:
        # 1, 2, 5 per decade over one or two decades; beyond that they crowd the axis
        subs = (1.0, 2.0, 5.0) if high / low < 30 else (1.0, 3.0) if high / low < 300 else (1.0,)
        ax.yaxis.set_major_locator(ticker.LogLocator(subs=subs))
        ax.yaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))
        ax.yaxis.set_minor_locator(ticker.NullLocator())
        ax.yaxis.set_minor_formatter(ticker.NullFormatter())
        return
    ax.set_yscale("linear")
    ax.set_ylim(0, high)
    ax.autoscale(axis="y")
    ax.set_ylim(bottom=0)


def plot_curves(summary: dict, folder: Path, dataset: str, which: str) -> list[str]:
    fig = curves_figure(summary, dataset, which)
    names = _save(fig, folder, FIGURES[which].format(dataset=dataset))
    _pyplot().close(fig)
    return names


def accuracy_vs_k_figure(summary: dict):
    """Final probe accuracy vs k per variant, beside raw inputs and PCA at the same k: the
    open matplotlib figure."""
    plt = _pyplot()
    code_sizes = summary["settings"]["code_sizes"]
    # One y range per data set: linear and ReLU side by side read on the same scale.
    fig, axes = plt.subplots(2, 2, figsize=(TEXT_WIDTH_IN, 5.4), sharex=True, sharey="row")
    markers = {"vanilla": "o", "denoising": "s", "masked": "^"}
    # One slot per k, evenly spaced (on a log axis k = 5 and 10 sat 0.3 decade apart, too
    # close for five markers each); within a slot the three variants and the two PCA probes
    # are dodged apart, so that no marker or bar covers another.
    slot = {k: i for i, k in enumerate(code_sizes)}
    offsets = {"vanilla": -0.3, "denoising": -0.15, "masked": 0.0, "pca_lr": 0.15,
               "pca_course": 0.3}  # fmt: skip
    for r, dataset in enumerate(grid.DATASETS):
        for c, activation in enumerate(grid.ACTIVATIONS):
            ax = axes[r][c]
            for variant in grid.VARIANTS:
                found = [
                    (k, row)
                    for k in code_sizes
                    if (row := find_row(summary, dataset, activation, variant, k))
                ]
                if not found:
                    continue
                xs = np.array([slot[k] for k, _ in found]) + offsets[variant]
                stats = [row["final"]["probe"] for _, row in found]
                mean = np.array([s["mean"] for s in stats])
                yerr = [
                    mean - [s["min"] for s in stats],
                    np.array([s["max"] for s in stats]) - mean,
                ]
                ax.errorbar(xs, mean, yerr=yerr, marker=markers[variant], capsize=3, label=variant)
            pca = [
                (k, row) for k in code_sizes if (row := find_baseline(summary, dataset, "pca", k))
            ]
            if pca:
                xs = np.array([slot[k] for k, _ in pca])
                ax.plot(
                    xs + offsets["pca_lr"],
                    [row["sklearn"]["mean"] for _, row in pca],
                    color="0.35",
                    ls=":",
                    marker="x",
                    label="PCA, logistic regression",
                )
                ax.plot(
                    xs + offsets["pca_course"],
                    [row["probe"]["mean"] for _, row in pca],
                    color="0.65",
                    ls="-.",
                    marker="+",
                    lw=0.9,
                    label="PCA, course probe (Adam)",
                )
            raw = find_baseline(summary, dataset, "raw")
            if raw is not None:
                ax.axhline(raw["probe"]["mean"], color="0.2", ls="--", lw=1, label="raw inputs")
            ax.set_xticks(range(len(code_sizes)))
            ax.set_xticklabels([str(k) for k in code_sizes])
            ax.set_xlim(-0.5, len(code_sizes) - 0.5)
            ax.set_title(f"{DATASET_TITLE[dataset]}, {activation} autoencoders", fontsize=8.5)
            ax.grid(alpha=0.3)
            if r == 1:
                ax.set_xlabel("code size k")
            if c == 0:
                ax.set_ylabel("final probe accuracy")
    # One legend for the four panels, below them, so that no panel's data hides behind it.
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, fontsize=7.5)
    seeds = len(summary["settings"]["seeds"])
    fig.suptitle(
        textwrap.fill(
            f"Fresh-probe accuracy after pretraining vs k: mean with min–max bars over {seeds} "
            "seeds (MNIST: each seed averaged over the label draws); PCA at k ≥ m keeps all "
            "m components.",
            TITLE_CHARACTERS,
        ),
        fontsize=8.5,
    )
    fig.subplots_adjust(left=0.1, right=0.99, bottom=0.2, top=0.87, wspace=0.2, hspace=0.35)
    return fig


def plot_accuracy_vs_k(summary: dict, folder: Path) -> list[str]:
    fig = accuracy_vs_k_figure(summary)
    names = _save(fig, folder, FIGURES["accuracy"])
    _pyplot().close(fig)
    return names


def write_figures(summary: dict, folder: Path) -> list[str]:
    names = []
    for dataset in grid.DATASETS:
        names += plot_curves(summary, folder, dataset, "recon")
        names += plot_curves(summary, folder, dataset, "probe")
    return names + plot_accuracy_vs_k(summary, folder)


# The converged probe "matches" raw inputs within this; the course's probe falls "below"
# them by more than this.
SAME_ACCURACY = 0.01
BELOW_RAW = 0.02


def rotation_sentence(summary: dict) -> str:
    """The accuracy figure's sentence on PCA keeping every component, printed only where
    the results bear it out: the converged logistic regression on PCA's codes matches raw
    inputs (within `SAME_ACCURACY`), so the information is in the codes, while the course's
    Adam probe falls below its raw-input accuracy (by more than `BELOW_RAW`). It states
    what the runs show and no cause (no control run separates one); "" where no data set
    shows it."""
    from answerkey.experiments.ae.report import DATASET_TITLE

    parts = []
    for dataset in grid.DATASETS:
        raw = find_baseline(summary, dataset, "raw")
        full = [
            row
            for k in summary["settings"]["code_sizes"]
            if (row := find_baseline(summary, dataset, "pca", k))
            and row.get("components") == _input_dim(dataset)
        ]
        if raw is None or not full:
            continue
        pca = full[-1]
        converged, course = pca["sklearn"]["mean"], pca["probe"]["mean"]
        if (
            abs(converged - raw["sklearn"]["mean"]) <= SAME_ACCURACY
            and course < raw["probe"]["mean"] - BELOW_RAW
        ):
            parts.append(
                f"{DATASET_TITLE[dataset].split(' (')[0]}, k = {pca['k']}: logistic regression "
                f"{converged:.3f} on PCA's codes vs {raw['sklearn']['mean']:.3f} on raw inputs, "
                f"the course probe {course:.3f} vs {raw['probe']['mean']:.3f}"
            )
    if not parts:
        return ""
    return (
        " Where PCA keeps all m components, a logistic regression trained to convergence "
        "on its codes reaches its accuracy on raw inputs, so the information is in the "
        "codes; the course's probe (Adam, a fixed budget) on the same codes stays below its "
        "accuracy on raw inputs (" + "; ".join(parts) + ")."
    )


def _input_dim(dataset: str) -> int:
    from answerkey.experiments.ae.report import INPUT_DIM

    return INPUT_DIM[dataset]
