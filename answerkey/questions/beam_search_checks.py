"""Q5's checks that every Figure 2 part rests on: the tree as typed against the scan, its
sibling probabilities, and `models.beam_search` against the exact textbook reference on
random trees. The question, its answers and the other checks are in
`answerkey.questions.beam_search`.
"""

from __future__ import annotations

from functools import partial

from answerkey import evidence as ev
from answerkey.verdicts import Check


def _check_sibling_sums() -> ev.Measurement:
    from models.figure2_tree import sibling_probability_sums

    sums = sibling_probability_sums()
    worst = max(abs(v - 1) for v in sums.values())
    # Two-decimal log-probs: each probability is off by at most p·(e^0.005 − 1) ≈ 0.5 %.
    return ev.Measurement(
        f"Σ p(token | prefix) over the two tokens, for all {len(sums)} prefixes (rounding of the "
        "printed log-probs allows ≈ 0.005 per probability)",
        [ev.at_most("largest |Σ p − 1|", worst, 0.011, spec=".4f")],
        statistics={"largest_deviation": round(worst, 5)},
    )


def _check_scan() -> ev.Instances:
    """Figure 2 as typed (models.figure2_tree) against the scan's own text, node for node.
    Raises (an ERROR) when the scan cannot be read."""
    from models.figure2_tree import SCAN, in_order, scan_labels

    typed = in_order()
    scanned = scan_labels(SCAN.read_text(encoding="utf-8"), len(typed))
    return ev.Instances(
        f"the {len(typed)} node labels (token and log-prob, START) of the typed tree in "
        "in-order against those the homework scan's OCR text lists before the caption of "
        "the homework's Figure 2",
        checked=len(typed),
        violations=[
            {"in-order label": str(i + 1), "typed": str(t), "scan": str(s)}
            for i, (t, s) in enumerate(zip(typed, scanned, strict=True))
            if t != s
        ],
    )


RANDOM_TREES = 240


def _check_search_on_random_trees() -> ev.Instances:
    """models.beam_search against the exact textbook reference on random trees and beams:
    the same sequences, order and scores at every step; with k ≥ |V|^(T−1) the optimum."""
    import numpy as np

    from models.beam_search import beam_search
    from models.figure2_decoder import TreeScorer
    from numeric.beam_search import exact_beams, exact_ranking, random_tree

    search = partial(beam_search, length_penalty=0.0, early_stopping="never", trace=True)
    rng = np.random.default_rng(2022)
    checked, violations = 0, []
    for number in range(RANDOM_TREES):
        V, T = int(rng.integers(2, 5)), int(rng.integers(1, 5 if number % 2 else 4))
        k = int(rng.integers(1, V ** (T - 1) + 2))
        tree, vocab = random_tree(V, T, rng)
        scorer = TreeScorer(tree, vocab)
        out = search(scorer, 1, num_beams=k, max_new_tokens=T, num_return_sequences=k)
        where = {"tree": str(number), "|V|": str(V), "T": str(T), "k": str(k)}
        reference = exact_beams(tree, vocab, k, T)
        for step in out.trace:
            held = step.running() if step.step < T else step.finished.hypotheses()
            ours = [(scorer.words(tokens), score) for tokens, score in held]
            want = reference[step.step - 1]
            checked += 1
            same = [w for w, _ in ours] == [w for w, _ in want] and all(
                abs(s - float(e)) < 1e-9 for (_, s), (_, e) in zip(ours, want, strict=True)
            )
            if not same:
                exact = [(w, str(e)) for w, e in want]
                shown = {"step": str(step.step), "search": str(ours), "exact": str(exact)}
                violations.append({**where, **shown})
        if k >= V ** (T - 1):
            checked += 1
            best = exact_ranking(tree, vocab, T)[0][0]
            if scorer.words(out.hypotheses()[0][0]) != best:
                violations.append({**where, "k ≥ |V|^(T−1) but misses the optimum": str(best)})
    return ev.Instances(
        f"{RANDOM_TREES} random trees (|V| 2–4, T 1–4, k 1…|V|^(T−1)+1): each step's beam "
        "(sequences, order, scores) against the exact rational reference, and with "
        "k ≥ |V|^(T−1) the exhaustive optimum",
        checked=checked,
        violations=violations,
    )


def figure2_checks() -> list[Check]:
    """What every Figure 2 part rests on: the transcription and the search."""
    return [
        ev.exact_instances(
            "the homework's Figure 2 as typed is the scan's tree, node for node", _check_scan
        ),
        ev.within_tolerance(
            "the reconstructed tree's sibling probabilities sum to 1 (up to rounding)",
            _check_sibling_sums,
        ),
        ev.exact_instances(
            "beam search equals the exact textbook reference on random trees; k ≥ |V|^(T−1) "
            "finds the optimum",
            _check_search_on_random_trees,
        ),
    ]
