"""Q1's figures, drawn from the (cached) results of `answerkey run zkc` (`runner.py`).

Everything is drawn from the results dictionary, so a cached run redraws its
figures without training. Matplotlib with the Agg backend; fixed layout seeds,
no timestamps in the files: the same results give the same images.
"""

from __future__ import annotations

from pathlib import Path

from answerkey.experiments.figure_style import TEXT_WIDTH_IN, place_labels, pyplot

LAYOUT_SEED = 0  # of 40 seeds tried, the layout whose closest two nodes are farthest apart
CLASS_COLOURS = ("#d95f02", "#1b9e77")  # class 0 (the Officer's side), class 1 (Mr. Hi's)
WRONG = "#e7298a"

FIGURES = {
    "graph": "zkc_graph.png",
    "curves": "zkc_curves.png",
    "embedding": "zkc_embedding.png",
    "semi_supervised": "zkc_semi_supervised.png",
}


def _save(fig, path: Path) -> None:
    """PNG only: the documents embed PNGs, and a PDF copy doubled the drawing time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130, bbox_inches="tight", metadata={"Software": None})


def _layout(graph):
    import networkx as nx

    # k = 5/√N spreads the 34 nodes enough to read every label (the notebook's choice of k)
    return nx.spring_layout(graph, seed=LAYOUT_SEED, k=5 / len(graph) ** 0.5, iterations=500)


def _class_names(results: dict) -> tuple[str, str]:
    if results["labels"]["set"] == "club":
        return ("Officer (club)", "Mr. Hi (club)")
    return ("class 0 (Officer's community)", "class 1 (Mr. Hi's communities)")


def _legend_handles(plt, names, extra=()):
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", ls="", ms=7, mfc=colour, mec="k", label=name)
        for colour, name in zip(CLASS_COLOURS, names, strict=True)
    ]
    return handles + list(extra)


def draw_graph(results: dict, out: Path) -> Path:
    """`graph_figure`, saved."""
    plt = pyplot()
    fig = graph_figure(results)
    path = out / FIGURES["graph"]
    _save(fig, path)
    plt.close(fig)
    return path


def graph_figure(results: dict):
    """The club with the notebook's labels (spring layout, fixed seed); test nodes as
    squares; drawn at the printed width, every label inside its node."""
    import networkx as nx
    from matplotlib.lines import Line2D

    from models.karate_club import karate_graph

    plt = pyplot()
    graph = karate_graph()
    pos = _layout(graph)
    labels = results["labels"]["y"]
    test = set(results["split"]["test"])
    fig, ax = plt.subplots(figsize=(TEXT_WIDTH_IN, 4.4))
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color="#9e9e9e", width=0.6)
    for shape, nodes in (("o", [v for v in graph if v not in test]), ("s", sorted(test))):
        nx.draw_networkx_nodes(
            graph,
            pos,
            nodelist=nodes,
            node_color=[CLASS_COLOURS[labels[v]] for v in nodes],
            node_shape=shape,
            edgecolors="k",
            linewidths=0.6,
            node_size=190,
            ax=ax,
        )
    nx.draw_networkx_labels(graph, pos, font_size=7, ax=ax)
    ax.set_axis_off()
    # The label sets by what they are, not by their option names.
    described = {"notebook": "the course notebook's", "club": "the real split's"}
    set_name = results["labels"]["set"]
    ax.set_title(
        f"Zachary's karate club, 34 members and 78 friendships; "
        f"{described.get(set_name, set_name)} labels"
    )
    extra = [Line2D([], [], marker="s", ls="", ms=7, mfc="w", mec="k", label="test node")]
    fig.legend(
        handles=_legend_handles(plt, _class_names(results), extra),
        loc="lower center",
        ncol=3,
        frameon=False,
    )
    return fig


def draw_curves(results: dict, out: Path) -> Path:
    """`curves_figure`, saved."""
    plt = pyplot()
    fig = curves_figure(results)
    path = out / FIGURES["curves"]
    _save(fig, path)
    plt.close(fig)
    return path


def curves_figure(results: dict):
    """Train/test loss (log scale) and accuracy per epoch: ours, and with the leak."""
    plt = pyplot()
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(TEXT_WIDTH_IN, 3.0))
    runs = (
        ("notebook", "-", "train nodes only"),
        ("leak", ":", "all 34 labels (original's leak)"),
    )
    for key, style, name in runs:
        curves = results[key]["curves"]
        for series, colour in (("train", "#1f77b4"), ("test", "#d62728")):
            loss_ax.plot(
                curves["epoch"],
                curves[f"{series}_loss"],
                style,
                color=colour,
                label=f"{series}, {name}",
            )
            acc_ax.plot(
                curves["epoch"],
                curves[f"{series}_accuracy"],
                style,
                color=colour,
                label=f"{series}, {name}",
            )
    loss_ax.set_yscale("log")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("mean cross-entropy (log scale)")
    loss_ax.set_title("loss")
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylabel("accuracy")
    acc_ax.set_ylim(-0.02, 1.02)
    acc_ax.set_title("accuracy")
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
    acc_ax.legend(loc="lower right", fontsize=7)
    notebook = results["notebook"]
    fig.suptitle(
        f"Gradient descent, lr 2e-2, weight decay 2.5e-2, seed {results['training']['seed']}\n"
        f"final test accuracy {notebook['test_accuracy']:.2f} (train nodes only) vs "
        f"{results['leak']['test_accuracy']:.2f} (leak)",
    )
    fig.tight_layout()  # room for the two-line title above the panels' own
    return fig


def _embedding_panel(plt, ax, graph, run: dict, labels, test: set, title: str) -> None:
    import numpy as np

    embedding = np.array(run["embedding"])
    normal = np.array(run["boundary"]["normal"])
    offset = run["boundary"]["offset"]
    low, high = embedding.min(axis=0), embedding.max(axis=0)
    margin = 0.15 * (high - low).max() + 0.05
    low, high = low - margin, high + margin
    xs, ys = np.meshgrid(np.linspace(low[0], high[0], 300), np.linspace(low[1], high[1], 300))
    score = normal[0] * xs + normal[1] * ys + offset  # > 0: class 1 wins
    probability = 1 / (1 + np.exp(-score))  # P(class 1) of the 2-class softmax
    shading = ax.contourf(
        xs, ys, probability, levels=np.linspace(0, 1, 11), cmap="BrBG", alpha=0.25, zorder=0
    )
    ax.contour(xs, ys, score, levels=[0], colors="k", linewidths=1.5, zorder=1)
    for u, v in graph.edges:
        # light and thin: the edges run through the crowded corners, under the markers
        ax.plot(*zip(embedding[u], embedding[v], strict=True), color="#c8c8c8", lw=0.4,
                zorder=2, gid="edge")  # fmt: skip
    wrong = set(run["misclassified_train"]) | set(run["misclassified_test"])
    for node, (px, py) in enumerate(embedding):
        marker = "s" if node in test else "o"
        ax.scatter(px, py, s=26, marker=marker, c=CLASS_COLOURS[labels[node]], edgecolors="k",
                   linewidths=0.5, zorder=3)  # fmt: skip
        if node in wrong:  # a ring around the node: its label's colour stays visible
            ax.scatter(px, py, s=150, marker="o", facecolors="none", edgecolors=WRONG,
                       linewidths=1.6, zorder=3)  # fmt: skip
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel("embedding dimension 1")
    ax.set_ylabel("embedding dimension 2")
    ax.set_title(title)
    return shading


def _name_nodes(ax, run: dict, test: set) -> None:
    """Only the test nodes and the mistakes are named (34 labels in two tanh corners
    collide), once the layout is final: a label placed before tight_layout moves."""
    import numpy as np

    embedding = np.array(run["embedding"])
    named = sorted(test | set(run["misclassified_train"]) | set(run["misclassified_test"]))
    place_labels(ax, [embedding[n] for n in named], [str(n) for n in named], zorder=4)


def draw_embedding(results: dict, out: Path) -> Path:
    """The graph at its learned 2-d embedding, the softmax decision line, the mistakes."""
    plt = pyplot()
    fig = embedding_figure(results)
    path = out / FIGURES["embedding"]
    _save(fig, path)
    plt.close(fig)
    return path


def embedding_figure(results: dict):
    """`draw_embedding`'s figure: the honest run and the leak run side by side."""
    from matplotlib.lines import Line2D

    from models.karate_club import karate_graph

    plt = pyplot()
    graph = karate_graph()
    labels = results["labels"]["y"]
    test = set(results["split"]["test"])
    # tall panels: the tanh embedding runs along a diagonal, its ends crowded
    fig, axes = plt.subplots(1, 2, figsize=(TEXT_WIDTH_IN, 4.6))
    for ax, key, name in (
        (axes[0], "notebook", "trained on the 24 train nodes"),
        (axes[1], "leak", "trained on all 34 labels (the original's leak)"),
    ):
        run = results[key]
        shading = _embedding_panel(
            plt,
            ax,
            graph,
            run,
            labels,
            test,
            f"{name}\ntest accuracy {run['test_accuracy']:.2f}",
        )
    extra = [
        Line2D([], [], marker="s", ls="", ms=7, mfc="w", mec="k", label="test node (named)"),
        Line2D([], [], marker="o", ls="", ms=9, mfc="w", mec=WRONG, mew=1.6, label="misclassified"),
        Line2D([], [], color="k", lw=1.5, label="softmax decision line"),
    ]
    fig.legend(
        handles=_legend_handles(plt, _class_names(results), extra),
        loc="lower center",
        ncol=3,
        frameon=False,
    )
    fig.suptitle(
        "Output of the last GCN layer (tanh, 2-d) per node, coloured by label;\n"
        "background: the classifier's P(class 1)"
    )
    fig.tight_layout(rect=(0, 0.12, 0.9, 1))
    # the background's scale, beside the right panel
    right = axes[1].get_position()
    bar = fig.add_axes((0.91, right.y0, 0.015, right.height))
    fig.colorbar(shading, cax=bar, ticks=[0, 0.5, 1]).set_label("P(class 1)", labelpad=1)
    for ax, key in zip(axes, ("notebook", "leak"), strict=True):
        _name_nodes(ax, results[key], test)
    return fig


def draw_semi_supervised(results: dict, out: Path) -> Path:
    """`semi_supervised_figure`, saved."""
    plt = pyplot()
    fig = semi_supervised_figure(results)
    path = out / FIGURES["semi_supervised"]
    _save(fig, path)
    plt.close(fig)
    return path


def semi_supervised_figure(results: dict):
    """The real split, the two labelled leaders, and how often each member is missed: a
    missed member keeps its club's colour inside a ring (width: how often), its count
    written beside it."""
    import networkx as nx
    from matplotlib.lines import Line2D

    from models.karate_club import CLUB_NAMES, karate_graph

    plt = pyplot()
    graph = karate_graph()
    pos = _layout(graph)
    semi = results["semi_supervised"]
    club = results["labels"]["club"]
    counts = {int(k): v for k, v in semi["miss_counts"].items()}
    runs = len(semi["seeds"])
    cut = set(results["zachary"]["weighted_min_cut"]["disagrees_with_club"])
    fig, ax = plt.subplots(figsize=(TEXT_WIDTH_IN, 5.0))
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color="#9e9e9e", width=0.6)
    labelled = set(semi["labelled"])
    for node in graph:
        ax.scatter(*pos[node], s=520 if node in labelled else 230,
                   marker="*" if node in labelled else "o", c=CLASS_COLOURS[club[node]],
                   edgecolors="k", linewidths=0.8, zorder=3)  # fmt: skip
        if counts.get(node):  # a ring outside the node: its fill stays the club's colour
            ax.scatter(*pos[node], s=560, facecolors="none", edgecolors=WRONG,
                       linewidths=1 + 2.5 * counts[node] / runs, zorder=3)  # fmt: skip
        ax.annotate(str(node), pos[node], ha="center", va="center", fontsize=7, zorder=4)
        if node in cut:
            ax.scatter(*pos[node], s=1000, facecolors="none", edgecolors="k", ls="--", zorder=2)
    missed = sorted(n for n in counts if counts[n])
    place_labels(ax, [pos[n] for n in missed], [f"missed {counts[n]}/{runs}" for n in missed],
                 fontsize=7.5, near=False, color=WRONG, fontweight="bold", zorder=5)  # fmt: skip
    ax.set_axis_off()
    acc = semi["accuracy"]
    ax.set_title(
        f"Two labels (★ nodes 0 and 33), the real split predicted for the other 32\n"
        f"accuracy over {runs} seeds: mean {acc['mean']:.3f} (min {acc['min']:.3f}); "
        f"ring width: how many seeds miss the member"
    )
    names = [f"{CLUB_NAMES[c]}'s club" for c in (0, 1)]
    extra = [
        Line2D([], [], marker="o", ls="", ms=9, mfc="w", mec=WRONG, mew=2, label="missed"),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            ms=13,
            mfc="none",
            mec="k",
            label="dashed ring: Zachary's min cut misplaces",
        ),  # fmt: skip
    ]
    fig.legend(handles=_legend_handles(plt, names, extra), loc="lower center", ncol=2,
               frameon=False)  # fmt: skip
    return fig


def draw_all(results: dict, out: Path) -> dict[str, Path]:
    """Every Q1 figure into `out` (PNG)."""
    return {
        "graph": draw_graph(results, out),
        "curves": draw_curves(results, out),
        "embedding": draw_embedding(results, out),
        "semi_supervised": draw_semi_supervised(results, out),
    }
