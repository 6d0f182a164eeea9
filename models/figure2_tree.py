"""HW6 Figure 2's decoder as data: log p(token | prefix) at every node of its tree.

Vocabulary {neural, network}; depth 3. The numbers are the scan's, laid out as
HW6.md reconstructs them (every sibling pair's probabilities sum to 1 up to
the rounding of the printed log-probabilities). Plain Python: the searches run
on it through `models.figure2_decoder.TreeScorer`.
"""

from __future__ import annotations

import math

VOCAB = ("neural", "network")

# prefix → log p(token | prefix) for each token, in VOCAB order.
FIGURE2: dict[tuple[str, ...], tuple[float, float]] = {
    (): (-0.65, -0.73),
    ("neural",): (-0.80, -0.60),
    ("network",): (-0.60, -0.80),
    ("neural", "neural"): (-0.01, -4.60),
    ("neural", "network"): (-0.80, -0.60),
    ("network", "neural"): (-0.80, -0.60),
    ("network", "network"): (-4.60, -0.01),
}
DEPTH = 3


def token_log_prob(prefix: tuple[str, ...], word: str, tree=FIGURE2, vocab=VOCAB) -> float:
    """log p(word | prefix), read off the tree."""
    return tree[tuple(prefix)][vocab.index(word)]


def sequence_log_prob(words: tuple[str, ...], tree=FIGURE2, vocab=VOCAB) -> float:
    """log p(words) = Σ_i log p(w_i | w_<i)."""
    return sum(token_log_prob(words[:i], word, tree, vocab) for i, word in enumerate(words))


def sibling_probability_sums(tree=FIGURE2) -> dict[tuple[str, ...], float]:
    """Σ_token p(token | prefix) for each prefix: 1 up to the rounding of the printed numbers."""
    return {prefix: sum(math.exp(v) for v in values) for prefix, values in tree.items()}
