"""`answerkey run beam`: the experiment behind q5.a–e.

    answerkey run beam [--json] [--quick] [--out DIR]

Figure 2's trace (the beam at each step, k = 2, T = 3, textbook settings: `figure2()`,
cheap and deterministic, which q5.a–d answer from directly), how often beam search finds
the exhaustive optimum on a tiny GRU language model as k grows (against greedy), and the
operation counts over a grid of T, k and M (`numeric.beam_search.operation_grid`). Draws
`beam_figure2_tree.png`, `beam_optimum_vs_k.png` and `beam_operation_counts.png`.

Results: `answerkey.experiments.contracts.BeamResults`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from answerkey.experiments.contracts import BeamResults

NAME = "beam"
HELP = "Q5: Figure 2's beams, beam vs greedy vs exhaustive on a GRU LM, operation counts"
LIBRARIES = ("torch", "numpy", "sympy")
CODE = ("models", "numeric", "derivations", "answerkey/experiments/beam.py")
VERSION = 1
BEAM, LENGTH = 2, 3  # the homework's k and T
RNN_BEAMS = (1, 2, 3, 4, 5, 6, 8)
RNN_NEW_TOKENS = 7
FIGURES = {
    "tree": "beam_figure2_tree.png",
    "optimum": "beam_optimum_vs_k.png",
    "operations": "beam_operation_counts.png",
}


def config(profile, args: Any = None) -> dict:
    quick = profile.quick
    return {
        "quick": quick,
        "rnn": {
            "sentences": 2000,
            "steps": 150 if quick else 300,
            "seed": 0,
            "prompt_sentences": 1000 if quick else 3000,
            "prompt_seed": 123,
            "prefix_lengths": [1, 2, 3] if quick else [1, 2, 3, 4, 5, 6],
            "new_tokens": 5 if quick else RNN_NEW_TOKENS,
            "beams": list(RNN_BEAMS),
        },
    }


def draw(results: dict, folder: Path) -> list[str]:
    folder = Path(folder)
    draw_tree(results, folder / FIGURES["tree"])
    draw_optimum(results, folder / FIGURES["optimum"])
    draw_operations(results, folder / FIGURES["operations"])
    return list(FIGURES.values())


def rounded(value: float) -> float:
    return round(float(value), 10)  # 2-decimal inputs: drop float noise like -1.9300000000000002


@cache
def figure2() -> dict:
    """The beam at each step (k = 2, T = 3, textbook settings), the exhaustive ranking,
    the beam's answer, the optimum and where the optimum's prefix was pruned."""
    from models.beam_search import beam_search, exhaustive_search
    from models.figure2_decoder import TreeScorer

    tree = TreeScorer()
    out = beam_search(
        tree,
        1,
        num_beams=BEAM,
        max_new_tokens=LENGTH,
        length_penalty=0.0,
        early_stopping="never",
        num_return_sequences=BEAM,
        trace=True,
    )
    steps = []
    for step in out.trace:
        # At the last step every candidate finishes: the beam holds the finished set.
        held = step.running() if step.step < LENGTH else step.finished.hypotheses()
        steps.append([(tree.words(tokens), rounded(score)) for tokens, score in held])
    everything = exhaustive_search(
        tree, 1, max_new_tokens=LENGTH, length_penalty=0.0, num_return_sequences=2**LENGTH
    )
    ranking = [(tree.words(t), rounded(s)) for t, s in everything.hypotheses()]
    beam_answer = (tree.words(out.hypotheses()[0][0]), rounded(out.hypotheses()[0][1]))
    optimum = ranking[0]
    pruned = None
    for number, held in enumerate(steps, start=1):
        if optimum[0][:number] not in [words for words, _ in held]:
            pruned = number
            break
    candidates = {}
    if pruned is not None:
        before = [((), 0.0)] if pruned == 1 else steps[pruned - 2]
        candidates = sorted(
            (
                (words + (w,), rounded(tree.sequence_log_prob(words + (w,))))
                for words, _ in before
                for w in tree.vocab
            ),
            key=lambda item: -item[1],
        )
    return {
        "steps": steps,
        "ranking": ranking,
        "beam": beam_answer,
        "optimum": optimum,
        "found_optimum": beam_answer[0] == optimum[0],
        "pruned_at_step": pruned,
        "candidates_at_pruning": candidates,
    }


# --- the experiment -------------------------------------------------------------------------


def optimum_study(cfg: dict) -> dict:
    """Beam search (k in cfg) and greedy vs the exhaustive optimum on the GRU language model.

    Prompts: every distinct prefix (of the given lengths, not yet ended) of sentences drawn
    from the grammar; textbook settings (α = 0, early_stopping="never"), <eos> ends a
    hypothesis, at most `new_tokens` tokens.
    """
    import torch

    from models.beam_search import beam_search, exhaustive_search, greedy_search
    from models.rnn_language_model import EOS, RNNScorer, generate_corpus, train, words

    torch.set_num_threads(1)  # reproducible numbers
    trained = train(cfg["sentences"], cfg["steps"], seed=cfg["seed"])
    scorer = RNNScorer(trained.model)
    corpus = generate_corpus(cfg["prompt_sentences"], cfg["prompt_seed"])
    prefixes = sorted(
        {tuple(s[:n]) for s in corpus for n in cfg["prefix_lengths"] if n < len(s) - 1}
    )
    T = cfg["new_tokens"]
    settings = dict(eos_token_id=EOS, length_penalty=0.0)
    found = {str(k): 0 for k in cfg["beams"]}
    found["greedy"] = 0
    gaps = {key: 0.0 for key in found}
    examples = []
    by_length: dict[int, list] = {}
    for prefix in prefixes:
        by_length.setdefault(len(prefix), []).append(prefix)
    for length in sorted(by_length):
        prompts = torch.tensor(by_length[length])
        best = exhaustive_search(scorer, prompts, max_new_tokens=T, **settings)
        greedy = greedy_search(scorer, prompts, max_new_tokens=T, **settings)
        results = {"greedy": greedy}
        for k in cfg["beams"]:
            results[str(k)] = beam_search(
                scorer, prompts, num_beams=k, max_new_tokens=T, early_stopping="never", **settings
            )
        for key, out in results.items():
            gap = best.log_probs[:, 0] - out.log_probs[:, 0]
            found[key] += int((gap <= 1e-5).sum())
            gaps[key] += float(gap.clamp(min=0).sum())
        misses = (best.log_probs[:, 0] - greedy.log_probs[:, 0] > 1e-5).nonzero().flatten()
        for i in misses[:1].tolist():
            examples.append(
                {
                    "prompt": words(prompts[i]),
                    "greedy": words(greedy.sequences[i, 0, : int(greedy.lengths[i, 0])]),
                    "greedy_log_prob": round(float(greedy.log_probs[i, 0]), 4),
                    "optimum": words(best.sequences[i, 0, : int(best.lengths[i, 0])]),
                    "optimum_log_prob": round(float(best.log_probs[i, 0]), 4),
                }
            )
    n = len(prefixes)
    return {
        "prompts": n,
        "new_tokens": T,
        "vocabulary": scorer.vocab_size,
        "final_loss": round(sum(trained.losses[-20:]) / 20, 4),
        "grammar_entropy": round(trained.corpus_entropy, 4),
        "found_fraction": {key: round(v / n, 4) for key, v in found.items()},
        "mean_gap": {key: round(v / n, 5) for key, v in gaps.items()},
        "examples": examples[:3],
    }


def run(config: dict) -> BeamResults:
    from numeric.beam_search import operation_grid

    return {
        "version": VERSION,
        "config": config,
        "figure2": figure2(),
        "rnn": optimum_study(config["rnn"]),
        "operations": operation_grid(quick=config["quick"]),
    }


# --- figures --------------------------------------------------------------------------------


def draw_tree(r: dict, path: Path) -> None:
    """Figure 2's tree (`tree_figure`), saved as PNG and PDF."""
    fig = tree_figure(r)
    fig.savefig(path, dpi=150)
    fig.savefig(path.with_suffix(".pdf"))
    import matplotlib.pyplot as plt

    plt.close(fig)


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
    from answerkey.experiments.figure_style import pyplot

    fig = optimum_figure(r)
    fig.savefig(path, dpi=150)
    fig.savefig(path.with_suffix(".pdf"))
    pyplot().close(fig)


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
            offset, align = (0, -12), "center"
        ax.annotate(f"{f:.1%}", (k, f), offset, textcoords="offset points", ha=align, fontsize=7)
    ax.set_xlabel("beam size k")
    ax.set_ylabel("fraction of prompts where the search\nreturns the most likely sequence")
    ax.set_ylim(min(found + [rnn["found_fraction"]["greedy"]]) - 0.1, 1.0)
    ax.set_xlim(min(beams) - 0.8, max(beams) + 0.4)
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
    import math

    from answerkey.experiments.figure_style import TEXT_WIDTH_IN, pyplot

    plt = pyplot()

    ops = r["operations"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(TEXT_WIDTH_IN, 3.0))
    rows = [row for row in ops["T_k_grid"] if row["selection"] == "sort"]
    for T in sorted({row["T"] for row in rows}):
        mine = [row for row in rows if row["T"] == T]
        ks = [row["k"] for row in mine]
        left.loglog(
            ks,
            [row["among_candidates"] / (T * math.log2(row["k"])) for row in mine],
            "o-",
            base=2,
            label=f"T = {T}",
        )
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
        f"each hypothesis' best k of M (k = {ops['fixed']['k']}, T = {ops['fixed']['T']})\n"
        f"fit: sort ∝ $M^{{{fits['per_hypothesis_sort_over_log_M']['M']:.2f}}} \\log M$, "
        f"quickselect ∝ $M^{{{fits['per_hypothesis_quickselect']['M']:.2f}}}$",
        fontsize=8.5,
    )
    right.set_xlabel("vocabulary size M")
    right.set_ylabel("comparisons")
    right.legend(fontsize=7)
    for ax in (left, right):
        ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    fig.savefig(path.with_suffix(".pdf"))
    plt.close(fig)


def summary(r: dict) -> str:
    lines = []
    f2 = r["figure2"]
    lines.append("Figure 2, beam search with k = 2 (textbook: α = 0, no early stopping)")
    for number, held in enumerate(f2["steps"], start=1):
        beams = ", ".join(f"{' '.join(w)} ({s:.2f})" for w, s in held)
        lines.append(f"  step {number}: {beams}")
    lines.append(f"  beam's answer: {' '.join(f2['beam'][0])} ({f2['beam'][1]:.2f})")
    lines.append(
        f"  optimum:       {' '.join(f2['optimum'][0])} ({f2['optimum'][1]:.2f}), "
        f"pruned at step {f2['pruned_at_step']}"
    )
    rnn = r["rnn"]
    lines.append(f"GRU language model: {rnn['prompts']} prompts, ≤ {rnn['new_tokens']} new tokens")
    lines.append("  search   found optimum   mean log-prob gap")
    for key, value in rnn["found_fraction"].items():
        name = "greedy" if key == "greedy" else f"k = {key}"
        lines.append(f"  {name:<8} {value:>12.1%}   {rnn['mean_gap'][key]:>10.4f}")
    lines.append("Operation counts, fitted exponents:")
    for name, fit in r["operations"]["fits"].items():
        lines.append(f"  {name:<36} " + ", ".join(f"{k} {v:.3f}" for k, v in fit.items()))
    return "\n".join(lines)
