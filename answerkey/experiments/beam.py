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
# What the results depend on; the figures (`beam_figures`) are drawn from them, not keyed.
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
    from answerkey.experiments.beam_figures import draw_operations, draw_optimum, draw_tree

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
