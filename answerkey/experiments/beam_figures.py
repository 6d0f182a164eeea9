"""Q5's figures, drawn from `answerkey run beam`'s results (`beam.py`): the homework's
Figure 2 searched with k = 2, how often beam search finds a GRU model's optimum, and the
counted comparisons of the two selections.

Kept apart from the experiment: `beam.CODE` keys its cache, so a change to how a figure
looks redraws it without running the experiment again.
"""

from __future__ import annotations

from pathlib import Path

from answerkey.experiments.beam import BEAM, LENGTH
from answerkey.experiments.figure_style import save_png_and_pdf


def draw_tree(r: dict, path: Path) -> None:
    """Figure 2's tree (`tree_figure`), saved as PNG and PDF."""
    save_png_and_pdf(tree_figure(r), path)


BLUE, RED, GOLD, GREY = "#1f5fbf", "#c0392b", "#e6a700", "0.55"
TREE_FONT_PT = 7.5


def tree_figure(r: dict):
    """Figure 2's tree, what the beam keeps at each step, what it prunes, the optimum: each
    node a framed label (token, the sequence's log-probability Σ), each edge labelled
    with log p(token | prefix) beside it, so that no label touches an edge or another
    label at the printed width (`figure_style.overlaps`)."""
    from matplotlib.lines import Line2D

    from answerkey.experiments.figure_style import TEXT_WIDTH_IN, place_on_segment, pyplot
    from models.figure2_tree import FIGURE2, VOCAB, sequence_log_prob

    plt = pyplot()
    f2 = r["figure2"]
    kept = {tuple(words) for held in f2["steps"] for words, _ in held}
    expanded = {()} | {tuple(words) for held in f2["steps"][:-1] for words, _ in held}
    optimum, beam = tuple(f2["optimum"][0]), tuple(f2["beam"][0])
    leaves = sorted((tuple(w) for w, _ in f2["ranking"]), key=lambda w: [VOCAB.index(x) for x in w])
    row = {leaf: -i for i, leaf in enumerate(leaves)}
    nodes = [(), *(p for p in FIGURE2 if p), *leaves]

    def y(prefix):
        below = [row[leaf] for leaf in leaves if leaf[: len(prefix)] == prefix]
        return sum(below) / len(below)

    def signed(value: float) -> str:
        return f"{value:.2f}".replace("-", "−")

    fig, ax = plt.subplots(figsize=(TEXT_WIDTH_IN, 4.3))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.88, bottom=0.08)
    ax.set_xlim(-0.3, LENGTH + 1.3)
    ax.set_ylim(-len(leaves) + 0.55, 0.5)
    ax.axis("off")
    frames = {}
    for prefix in nodes:
        if prefix == ():
            label, face, edge, color, dash = "START", "0.92", "0.4", "0.1", "-"
        else:
            label = f"{prefix[-1]}\nΣ = {signed(sequence_log_prob(prefix))}"
            if prefix == optimum:
                face, edge, color, dash = "#f7d774", "#9a6b00", "0.1", "-"
            elif prefix in kept:
                face, edge, color, dash = BLUE, BLUE, "white", "-"
            elif prefix[:-1] in expanded:  # scored, then pruned
                face, edge, color, dash = "white", RED, RED, "-"
            else:  # never scored
                face, edge, color, dash = "white", "0.7", "0.5", ":"
        frames[prefix] = ax.text(
            len(prefix), y(prefix), label, ha="center", va="center", fontsize=TREE_FONT_PT,
            color=color, zorder=4, linespacing=1.15,
            bbox=dict(boxstyle="round,pad=0.3", fc=face, ec=edge, lw=1.3, ls=dash),
        )  # fmt: skip
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()

    def side(prefix, right: bool) -> tuple[float, float]:
        box = frames[prefix].get_bbox_patch().get_window_extent(renderer)
        x = to_data.transform((box.x1 if right else box.x0, box.y0))[0]
        return x, y(prefix)

    edges = []  # (start, end, width in points), for the labels to keep clear of
    labels = []
    for prefix in (p for p in nodes if len(p) < LENGTH):
        for word, value in zip(VOCAB, FIGURE2[prefix], strict=True):
            child = prefix + (word,)
            start, end = side(prefix, True), side(child, False)
            scored = prefix in expanded
            if optimum[: len(child)] == child:
                ax.plot(*zip(start, end, strict=True), color=GOLD, lw=6, alpha=0.5, zorder=1,
                        solid_capstyle="butt", gid="edge")  # fmt: skip
                edges.append((start, end, 6))
            if child in kept:
                style = dict(color=BLUE, lw=2.4)
            elif scored:
                style = dict(color=GREY, lw=1.2)
            else:
                style = dict(color="0.75", lw=1.0, ls=":")
            ax.plot(*zip(start, end, strict=True), zorder=2, gid="edge", **style)
            edges.append((start, end, style["lw"]))
            labels.append((start, end, word, signed(value), scored))
    placed = [frame.get_bbox_patch().get_window_extent(renderer) for frame in frames.values()]
    for start, end, word, text, scored in labels:
        place_on_segment(
            ax, text, start, end, 1 if word == VOCAB[0] else -1, edges, placed,
            fontsize=TREE_FONT_PT, color="0.15" if scored else "0.55",
        )  # fmt: skip
    best = f"most likely ({signed(f2['optimum'][1])})"
    notes = {
        optimum: f"{best};\nthe beam dropped\nits prefix at step {f2['pruned_at_step']}",
        beam: f"beam's answer\n({signed(f2['beam'][1])})",
    }
    if optimum == beam:
        notes = {beam: f"beam's answer:\nthe {best}"}
    for leaf, note in notes.items():
        ax.text(side(leaf, True)[0] + 0.08, y(leaf), note, ha="left", va="center",
                fontsize=TREE_FONT_PT, color="#7a5500" if leaf == optimum else BLUE)  # fmt: skip
    for step in range(1, LENGTH + 1):
        ax.text(step, 0.45, f"step {step}", ha="center", va="bottom", fontsize=8, color="0.3")
    handles = [
        Line2D(
            [], [], color=BLUE, lw=2.4, marker="s", mfc=BLUE, label=f"kept in the beam (k = {BEAM})"
        ),
        Line2D(
            [],
            [],
            color=GREY,
            lw=1.2,
            marker="s",
            mfc="white",
            mec=RED,
            label="scored, then pruned",
        ),  # fmt: skip
        Line2D(
            [],
            [],
            color="0.75",
            lw=1.0,
            ls=":",
            marker="s",
            mfc="white",
            mec="0.7",
            label="never scored",
        ),  # fmt: skip
        Line2D([], [], color=GOLD, lw=6, alpha=0.5, label="most likely sequence"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False, handlelength=2.2,
               columnspacing=1.2, fontsize=TREE_FONT_PT)  # fmt: skip
    fig.suptitle(
        f"The homework's Figure 2, searched with k = {BEAM}\n"
        "edge: log p(token | prefix);  Σ: log p of the sequence so far",
        fontsize=8.5, y=0.985,
    )  # fmt: skip
    return fig


def draw_optimum(r: dict, path: Path) -> None:
    save_png_and_pdf(optimum_figure(r), path)


def optimum_figure(r: dict):
    """How often beam search finds the GRU model's optimum, by k, against greedy: a
    fraction, so the axis stops at 1."""
    from answerkey.experiments.figure_style import TEXT_WIDTH_IN, pyplot

    plt = pyplot()

    rnn = r["rnn"]
    beams = [int(k) for k in rnn["found_fraction"] if k != "greedy"]
    found = [rnn["found_fraction"][str(k)] for k in beams]
    fig, ax = plt.subplots(figsize=(0.72 * TEXT_WIDTH_IN, 3.1))
    # clip_on=False: a point at 1, the top of the axis, is drawn whole
    ax.plot(beams, found, "o-", color="#1f5fbf", label="beam search", clip_on=False, zorder=3)
    ax.axhline(rnn["found_fraction"]["greedy"], color="#c0392b", ls="--", label="greedy")
    for number, (k, f) in enumerate(zip(beams, found, strict=True)):
        # above and left of its point, where the rising curve is not; the first point's
        # left is the axis and its height greedy's line: below right; near the top of the
        # axis, below
        offset, align = ((4, -11), "left") if number == 0 else ((-3, 4), "right")
        if number and f > 0.95:
            # below the flat top of the curve, clear of the frame; right of a point that
            # the curve reaches rising from the left
            offset, align = (
                ((3, -24), "left") if found[number - 1] < f - 0.02 else ((0, -12), "center")
            )
        ax.annotate(f"{f:.1%}", (k, f), offset, textcoords="offset points", ha=align, fontsize=7)
    ax.set_xlabel("beam size k")
    ax.set_ylabel("fraction of prompts where the search\nreturns the most likely sequence")
    ax.set_ylim(min(found + [rnn["found_fraction"]["greedy"]]) - 0.1, 1.0)
    ax.set_xlim(min(beams) - 0.8, max(beams) + 0.8)
    ax.set_xticks(beams)
    ax.set_title(
        f"GRU language model, {rnn['prompts']} prompts, ≤ {rnn['new_tokens']} new tokens\n"
        "(optimum by exhaustive search; no length penalty)",
        fontsize=8.5,
    )
    ax.legend(loc="center right")  # between greedy's line and the curve's top
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def draw_operations(r: dict, path: Path) -> None:
    """`operations_figure`, saved as PNG and PDF."""
    save_png_and_pdf(operations_figure(r), path)


def operations_figure(r: dict):
    """Counted comparisons: selecting k of the k² candidates against T and k (sorting), and
    each hypothesis' best k of M against M (sorting and quickselect), with the fits."""
    import math

    from answerkey.experiments.figure_style import TEXT_WIDTH_IN, pyplot

    plt = pyplot()

    ops = r["operations"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(TEXT_WIDTH_IN, 3.0))
    rows = [row for row in ops["T_k_grid"] if row["selection"] == "sort"]
    for T in sorted({row["T"] for row in rows}):
        mine = [row for row in rows if row["T"] == T]
        ks = [row["k"] for row in mine]
        # The counts per step do not depend on T, so the T lines coincide: drawn from
        # the largest marker down, each stays visible.
        rank = sorted({row["T"] for row in rows}).index(T)
        left.loglog(
            ks,
            [row["among_candidates"] / (T * math.log2(row["k"])) for row in mine],
            marker="os^D"[rank % 4], ms=9 - 2 * rank, lw=1.2, base=2, label=f"T = {T}",
        )  # fmt: skip
    fit = ops["fits"]["among_candidates_sort_over_log_k"]
    left.set_title(
        f"selecting k of the k² candidates (sorting)\nfit: ∝ $T^{{{fit['T']:.2f}}}\\, "
        f"k^{{{fit['k']:.2f}}} \\log k$",
        fontsize=8.5,
    )
    left.set_xlabel("beam size k")
    left.set_ylabel("comparisons / (T log₂ k)")
    left.legend(fontsize=7)
    m_rows = ops["M_grid"]
    for selection, marker in (("sort", "o-"), ("quickselect", "s--")):
        mine = [row for row in m_rows if row["selection"] == selection]
        right.loglog(
            [row["M"] for row in mine],
            [row["per_hypothesis"] for row in mine],
            marker,
            base=2,
            label=selection,
        )
    fits = ops["fits"]
    right.set_title(
        f"each hypothesis' best k of |V| (k = {ops['fixed']['k']}, T = {ops['fixed']['T']})\n"
        f"fit: sort ∝ $|V|^{{{fits['per_hypothesis_sort_over_log_M']['M']:.2f}}} \\log |V|$, "
        f"quickselect ∝ $|V|^{{{fits['per_hypothesis_quickselect']['M']:.2f}}}$",
        fontsize=8.5,
    )
    right.set_xlabel("vocabulary size |V|")  # Q5's name: M is Q3's value width
    right.set_ylabel("comparisons")
    right.legend(fontsize=7)
    for ax in (left, right):
        ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig
