"""Q2 by Monte Carlo: sample q, k ~ N(μ, σ²I) and estimate E[qᵀk] and Var(qᵀk)."""

from __future__ import annotations

import numpy as np

from numeric.monte_carlo import Estimate, RunningMoments

CHUNK_ELEMENTS = 1 << 22  # ~32 MB of float64 per sampled matrix


def dot_product_moments(
    d: int, mu: float, sigma: float, n: int, seed: int
) -> tuple[Estimate, Estimate]:
    """Estimates of E[qᵀk] and Var(qᵀk) from n independent pairs, streamed in chunks."""
    if d < 1 or n < 2 or sigma <= 0:
        raise ValueError(f"need d ≥ 1, n ≥ 2, σ > 0; got d={d}, n={n}, σ={sigma}")
    rng = np.random.default_rng(seed)
    moments = RunningMoments()
    rows_per_chunk = max(1, CHUNK_ELEMENTS // d)
    done = 0
    while done < n:
        rows = min(rows_per_chunk, n - done)
        q = rng.standard_normal((rows, d))
        k = rng.standard_normal((rows, d))
        if sigma != 1.0:
            q *= sigma
            k *= sigma
        if mu != 0.0:
            q += mu
            k += mu
        moments.add(np.einsum("ij,ij->i", q, k))
        done += rows
    return moments.mean(seed), moments.variance(seed)
