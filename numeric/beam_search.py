"""Q5 by independent means: exact beams on a tree, and counted operations.

1. `exact_beams` / `exact_ranking`: textbook beam search and full enumeration on a
   tree of decimal log-probabilities in rational arithmetic (Fractions): no
   rounding, no torch — a second implementation to check `models.beam_search`.
2. `counted_beam_search`: beam search in plain Python that counts its
   elementary operations — score additions, the comparisons of each sort or
   quickselect, and model calls — so that the growth in T, k and M can be
   measured and fitted (`fit_exponents`), not assumed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

# --- exact beams on a tree -------------------------------------------------------------------


def random_tree(vocab_size: int, depth: int, rng: np.random.Generator):
    """A random full tree of next-token log-probabilities: every prefix shorter than `depth`
    gets a softmax of standard normals over `vocab_size` tokens, rounded to 6 decimals (so
    the exact reference reads them exactly; ties between sums are then improbable, not
    impossible). Returns (tree, vocab) with tokens "t0", "t1", …."""
    vocab = tuple(f"t{i}" for i in range(vocab_size))
    tree = {}
    prefixes = [()]
    for _ in range(depth):
        grown = []
        for prefix in prefixes:
            logits = rng.standard_normal(vocab_size)
            log_probs = logits - np.log(np.exp(logits).sum())
            tree[prefix] = tuple(round(float(v), 6) for v in log_probs)
            grown.extend(prefix + (word,) for word in vocab)
        prefixes = grown
    return tree, vocab


def _exact(value: float) -> Fraction:
    return Fraction(str(value))  # the printed decimal, exactly


def exact_beams(tree, vocab, k: int, T: int) -> list[list[tuple[tuple[str, ...], Fraction]]]:
    """The k best prefixes after each step 1..T (best first; ties: vocabulary order)."""
    beam = [((), Fraction(0))]
    steps = []
    for _ in range(T):
        candidates = [
            (prefix + (word,), score + _exact(tree[prefix][j]))
            for prefix, score in beam
            for j, word in enumerate(vocab)
        ]
        candidates.sort(key=lambda item: -item[1])  # stable: ties keep expansion order
        beam = candidates[:k]
        steps.append(beam)
    return steps


def exact_ranking(tree, vocab, T: int) -> list[tuple[tuple[str, ...], Fraction]]:
    """Every sequence of length T with its exact log-probability, best first."""
    sequences = [((), Fraction(0))]
    for _ in range(T):
        sequences = [
            (prefix + (word,), score + _exact(tree[prefix][j]))
            for prefix, score in sequences
            for j, word in enumerate(vocab)
        ]
    return sorted(sequences, key=lambda item: -item[1])


def pruned_at(tree, vocab, k: int, target: tuple[str, ...]) -> int | None:
    """The first step whose beam no longer holds a prefix of `target` (None: never pruned)."""
    for step, beam in enumerate(exact_beams(tree, vocab, k, len(target)), start=1):
        if target[:step] not in [prefix for prefix, _ in beam]:
            return step
    return None


# --- counted operations ----------------------------------------------------------------------


@dataclass
class OperationCount:
    additions: int = 0  # prefix score + token log-prob
    per_hypothesis: int = 0  # comparisons selecting each hypothesis' best k of M
    among_candidates: int = 0  # comparisons selecting the best k of the k·min(k, M)
    model_calls: int = 0  # one RNN step per hypothesis per step
    per_step: list[int] = field(default_factory=list)

    @property
    def selection(self) -> int:
        return self.per_hypothesis + self.among_candidates

    @property
    def total(self) -> int:
        return self.additions + self.selection + self.model_calls


class _Counted:
    """A float whose comparisons are counted (sorting calls only __lt__)."""

    __slots__ = ("value", "counter")

    def __init__(self, value, counter):
        self.value, self.counter = value, counter

    def __lt__(self, other):
        self.counter[0] += 1
        return self.value > other.value  # descending order


def _sort_top(values, count, counter) -> list[int]:
    order = sorted(range(len(values)), key=lambda i: _Counted(values[i], counter))
    return order[:count]


def _quickselect_top(values, count, counter, rng) -> list[int]:
    """Indices of the `count` largest values in expected linear time (unordered)."""
    items = list(range(len(values)))
    if count >= len(items):
        return items
    chosen: list[int] = []
    while True:
        pivot = values[items[int(rng.integers(len(items)))]]
        counter[0] += len(items)  # every item is compared with the pivot once
        above = [i for i in items if values[i] > pivot]
        equal = [i for i in items if values[i] == pivot]
        below = [i for i in items if values[i] < pivot]
        need = count - len(chosen)
        if len(above) >= need:
            items = above
        elif len(above) + len(equal) >= need:
            return chosen + above + equal[: need - len(above)]
        else:
            chosen += above + equal
            items = below
        if len(chosen) + len(items) == count:
            return chosen + items


def counted_beam_search(k: int, T: int, M: int, selection: str = "sort", seed: int = 0):
    """Beam search for T steps over random next-token log-probabilities, counting operations.

    The beams hold k hypotheses from the first step (as in the library search), so every step
    costs the same; the log-probabilities are random because the count depends on the search,
    not on the model. Returns (OperationCount, best log-prob).
    """
    if k < 1 or T < 1 or M < 1:
        raise ValueError(f"need k, T, M ≥ 1; got k={k}, T={T}, M={M}")
    if selection not in ("sort", "quickselect"):
        raise ValueError(f"selection must be 'sort' or 'quickselect', not {selection!r}")
    rng = np.random.default_rng(seed)  # the model's log-probs
    pivots = np.random.default_rng([seed, 1])  # quickselect's pivots, apart from the data
    count = OperationCount()
    comparisons = [0]
    scores = np.zeros(k)
    for _ in range(T):
        before = count.total
        log_probs = np.log(rng.dirichlet(np.ones(M), size=k))  # one model call per hypothesis
        count.model_calls += k
        candidates: list[float] = []
        for j in range(k):  # a loop over hypotheses: this counts, it does not race
            row = (scores[j] + log_probs[j]).tolist()
            count.additions += M
            comparisons[0] = 0
            if selection == "sort":
                best = _sort_top(row, k, comparisons)
            else:
                best = _quickselect_top(row, k, comparisons, pivots)
            count.per_hypothesis += comparisons[0]
            candidates.extend(row[i] for i in best)
        comparisons[0] = 0
        if selection == "sort":
            keep = _sort_top(candidates, k, comparisons)
        else:
            keep = _quickselect_top(candidates, k, comparisons, pivots)
        count.among_candidates += comparisons[0]
        # Canonical beam order (not counted: it is no part of the search) so that the random
        # model assigns the same log-probs to the same beam whichever selection ran.
        scores = np.sort([candidates[i] for i in keep])[::-1]
        count.per_step.append(count.total - before)
    return count, float(scores.max())


def fit_exponents(rows, target: str, variables, divide_by_log=None) -> dict[str, float]:
    """Least-squares fit of log(count) = Σ_v e_v log(v) + const over the grid rows.

    `divide_by_log` names a variable whose log₂ is divided out of the count first (to fit
    the polynomial part of a count of the form v^e log v). Returns the exponents and R².
    """
    y = np.array(
        [
            math.log(row[target] / (math.log2(row[divide_by_log]) if divide_by_log else 1))
            for row in rows
        ]
    )
    X = np.array([[math.log(row[v]) for v in variables] + [1.0] for row in rows])
    coefficients, *_ = np.linalg.lstsq(X, y, rcond=None)
    residual = y - X @ coefficients
    r2 = 1 - float(residual @ residual) / float(((y - y.mean()) ** 2).sum())
    fitted = {v: float(e) for v, e in zip(variables, coefficients[:-1], strict=True)}
    fitted["r2"] = r2
    return fitted


GRID_T = (4, 8, 16, 32)
GRID_K = (2, 4, 8, 16, 32)
GRID_M = (16, 32, 64, 128, 256)
FIXED_M, FIXED_K, FIXED_T = 64, 4, 8


def operation_grid(quick: bool = False) -> dict:
    """Counts over a grid of (T, k) at M = 64 and of M at k = 4, T = 8, and the fits."""
    grid_T = GRID_T[:3] if quick else GRID_T
    # The quick profile drops the longest T only: small k and M make quickselect's counts
    # (random pivots) too noisy for a fit.
    grid_k, grid_M = GRID_K, GRID_M
    tk_rows, m_rows = [], []
    for T in grid_T:
        for k in grid_k:
            for selection in ("sort", "quickselect"):
                count, _ = counted_beam_search(k, T, FIXED_M, selection, seed=1000 * T + k)
                tk_rows.append(_row(count, T=T, k=k, M=FIXED_M, selection=selection))
    for M in grid_M:
        for selection in ("sort", "quickselect"):
            count, _ = counted_beam_search(FIXED_K, FIXED_T, M, selection, seed=M)
            m_rows.append(_row(count, T=FIXED_T, k=FIXED_K, M=M, selection=selection))

    def rows(table, selection):
        return [r for r in table if r["selection"] == selection]

    fits = {
        # the textbook reading: the selection among k² candidates, as T and k grow
        "among_candidates_sort_over_log_k": fit_exponents(
            rows(tk_rows, "sort"), "among_candidates", ("T", "k"), divide_by_log="k"
        ),
        "among_candidates_sort_raw": fit_exponents(
            rows(tk_rows, "sort"), "among_candidates", ("T", "k")
        ),
        "among_candidates_quickselect": fit_exponents(
            rows(tk_rows, "quickselect"), "among_candidates", ("T", "k")
        ),
        # everything counted, at M = 64: k·M log M and k² log k compete in this range
        "total_sort": fit_exponents(rows(tk_rows, "sort"), "total", ("T", "k")),
        # the vocabulary: each hypothesis' selection of its best k of M
        "per_hypothesis_sort_over_log_M": fit_exponents(
            rows(m_rows, "sort"), "per_hypothesis", ("M",), divide_by_log="M"
        ),
        "per_hypothesis_quickselect": fit_exponents(
            rows(m_rows, "quickselect"), "per_hypothesis", ("M",)
        ),
    }
    return {
        "T_k_grid": tk_rows,
        "M_grid": m_rows,
        "fits": fits,
        "fixed": {"M": FIXED_M, "k": FIXED_K, "T": FIXED_T},
    }


def _row(count: OperationCount, **where) -> dict:
    return {
        **where,
        "additions": count.additions,
        "per_hypothesis": count.per_hypothesis,
        "among_candidates": count.among_candidates,
        "model_calls": count.model_calls,
        "total": count.total,
    }
