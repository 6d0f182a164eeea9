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


def curves_figure(summary: dict, dataset: str, which: str):
    """`which` = "recon" (held-out objective) or "probe" (fresh-probe accuracy) vs epoch:
    the open matplotlib figure."""
    plt = _pyplot()
    from matplotlib import ticker
    from matplotlib.lines import Line2D

    code_sizes = summary["settings"]["code_sizes"]
    colors = _k_colors(code_sizes)
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
                ax.plot(epochs, band["mean"], color=colors[k], label=f"k = {k}", lw=1.6)
                ax.fill_between(epochs, band["min"], band["max"], color=colors[k], alpha=0.25)
                pca = find_baseline(summary, dataset, "pca", k)
                if which == "recon" and variant == "vanilla" and pca and pca["recon_test"] > 1e-9:
                    ax.axhline(pca["recon_test"], color=colors[k], ls=":", lw=1)
            raw = find_baseline(summary, dataset, "raw")
            if which == "probe" and raw is not None:
                ax.axhline(raw["probe"]["mean"], color="0.3", ls="--", lw=1)
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
    dashed = Line2D([], [], color="0.3", ls="--", lw=1)
    if which == "recon":
        handles += [dashed, Line2D([], [], color="0.3", ls=":", lw=1)]
        labels += ["predicting the mean", "PCA at the same k (vanilla)"]
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
    fig.subplots_adjust(left=0.12, right=0.99, bottom=0.2, top=0.86, wspace=0.08, hspace=0.3)
    return fig


def _loss_axis(ax, ticker) -> None:
    """A row's loss axis (shared): log, in plain numbers (280, not 2.8 × 10²); linear from
    0 where a code reconstructs exactly (10⁻¹¹): a log axis down there squeezed every
    other line, PCA's and the mean's, into one band at the top."""
    ax.set_yscale("log")
    low, high = ax.get_ylim()
    if high / low < 1e4:
        ax.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
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
    offsets = {"vanilla": 0.94, "denoising": 1.0, "masked": 1.06}  # so bars do not overlap
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
                ks = np.array([k for k, _ in found]) * offsets[variant]
                stats = [row["final"]["probe"] for _, row in found]
                mean = np.array([s["mean"] for s in stats])
                yerr = [
                    mean - [s["min"] for s in stats],
                    np.array([s["max"] for s in stats]) - mean,
                ]
                ax.errorbar(ks, mean, yerr=yerr, marker=markers[variant], capsize=3, label=variant)
            pca = [
                (k, row) for k in code_sizes if (row := find_baseline(summary, dataset, "pca", k))
            ]
            if pca:
                ks = [k for k, _ in pca]
                ax.plot(
                    ks,
                    [row["sklearn"]["mean"] for _, row in pca],
                    color="0.35",
                    ls=":",
                    marker="x",
                    label="PCA, logistic regression",
                )
                ax.plot(
                    ks,
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
            ax.set_xscale("log")
            ax.set_xticks(code_sizes)
            ax.set_xticklabels([str(k) for k in code_sizes])
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
