"""HW6 Figure 2's decoder as data: log p(token | prefix) at every node of its tree.

Vocabulary {neural, network}; depth 3. The numbers are the scan's, laid out as
HW6.md reconstructs them (every sibling pair's probabilities sum to 1 up to
the rounding of the printed log-probabilities). Plain Python: the searches run
on it through `models.figure2_decoder.TreeScorer`.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

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

# Figure 2 as the homework's scan reads it (OCR, verbatim: the node labels down to the
# caption), kept beside this file so a clone verifies q5 without the scan itself; a test
# holds it to the scan (../shared/seed/hw6_scan.txt) wherever that is present.
SCAN = Path(__file__).with_name("figure2_scan.txt")
FULL_SCAN = Path(__file__).resolve().parents[2] / "shared" / "seed" / "hw6_scan.txt"
SCAN_CAPTION = "Figure 2: The numbers shown"
# One node label of the figure as OCR reads it: "neural: -0.80", "4 neural: -.65",
# "network: -73 |" (the point lost), or the root "START".
_SCAN_LABEL = re.compile(r"\b(?:(START)|([a-z]+)\s*:\s*(-)?\s*(\d*)(\.?)(\d+))\b")


def token_log_prob(prefix: tuple[str, ...], word: str, tree=FIGURE2, vocab=VOCAB) -> float:
    """log p(word | prefix), read off the tree."""
    return tree[tuple(prefix)][vocab.index(word)]


def sequence_log_prob(words: tuple[str, ...], tree=FIGURE2, vocab=VOCAB) -> float:
    """log p(words) = Σ_i log p(w_i | w_<i)."""
    return sum(token_log_prob(words[:i], word, tree, vocab) for i, word in enumerate(words))


def sibling_probability_sums(tree=FIGURE2) -> dict[tuple[str, ...], float]:
    """Σ_token p(token | prefix) for each prefix: 1 up to the rounding of the printed numbers."""
    return {prefix: sum(math.exp(v) for v in values) for prefix, values in tree.items()}


def in_order(tree=FIGURE2, vocab=VOCAB) -> list[tuple[str, float] | None]:
    """The figure's node labels (token, log p(token | prefix)) in in-order — first child's
    subtree, the node, second child's subtree — with None for the root START. This is the
    order a scan of the drawn tree lists them top to bottom. Two-token vocabularies only."""
    if len(vocab) != 2:
        raise ValueError("in-order needs a binary tree (two tokens)")

    def visit(prefix: tuple[str, ...], label) -> list:
        if prefix not in tree:
            return [label]
        first, second = ((word, tree[prefix][j]) for j, word in enumerate(vocab))
        return [*visit(prefix + (vocab[0],), first), label,
                *visit(prefix + (vocab[1],), second)]  # fmt: skip

    return visit((), None)


def scan_labels(text: str, count: int) -> list[tuple[str, float] | None]:
    """The last `count` node labels before Figure 2's caption in the OCR text, in reading
    order, as (token, log-prob) or None for START. The figure prints two decimals, so a
    number read without its point ("-73") is hundredths. Raises ValueError when the caption
    or enough labels are missing."""
    end = text.find(SCAN_CAPTION)
    if end < 0:
        raise ValueError(f"no {SCAN_CAPTION!r} in the scan")
    labels = []
    for start, word, minus, whole, point, digits in _SCAN_LABEL.findall(text[:end]):
        if start:
            labels.append(None)
            continue
        value = float(f"{whole or 0}.{digits}") if point else int(whole + digits) / 100
        labels.append((word, -value if minus else value))
    if len(labels) < count:
        raise ValueError(f"found {len(labels)} node labels before the caption, not {count}")
    return labels[-count:]
