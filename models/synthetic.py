"""Q4(a): the notebook's synthetic data set, generated deterministically from a seed.

z ~ N(0, D), D = diag(10, …, 10, 1, …, 1) with the first 20 of 100 entries 10;
x = Qz with Q the orthogonal factor of the SVD of a standard normal 100×100
matrix; label y = 1[Σ_{i<20} z_i > 0] (the sum of the high-variance coordinates
before the rotation). 20 000 samples, split 0.7 / 0.2 / 0.1 contiguously into
autoencoder training, probe training and test.

Shapes: x (N, 100) float32, y (N,) int64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DIMENSION = 100
HIGH_VARIANCE_DIMS = 20
HIGH_VARIANCE = 10.0
SAMPLES = 20_000
SPLIT = (0.7, 0.2, 0.1)  # AE train / probe train / test


@dataclass(frozen=True)
class SyntheticData:
    x: np.ndarray  # (N, 100) rotated samples
    y: np.ndarray  # (N,) labels
    rotation: np.ndarray  # (100, 100) Q, x = z Qᵀ
    variances: np.ndarray  # (100,) the diagonal of D

    @property
    def covariance(self) -> np.ndarray:
        """The population covariance Q D Qᵀ."""
        return (self.rotation * self.variances) @ self.rotation.T

    def splits(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Contiguous 0.7 / 0.2 / 0.1 splits: {"train", "probe", "test"} → (x, y)."""
        n = len(self.x)
        first = round(SPLIT[0] * n)
        second = first + round(SPLIT[1] * n)
        cuts = {"train": slice(0, first), "probe": slice(first, second), "test": slice(second, n)}
        return {name: (self.x[s], self.y[s]) for name, s in cuts.items()}


def make_synthetic(
    seed: int = 0,
    samples: int = SAMPLES,
    dimension: int = DIMENSION,
    high_dims: int = HIGH_VARIANCE_DIMS,
    high_variance: float = HIGH_VARIANCE,
) -> SyntheticData:
    """The synthetic set; the same seed gives the same array on every platform."""
    if not 0 < high_dims <= dimension:
        raise ValueError(f"need 0 < high_dims ≤ dimension, got {high_dims} and {dimension}")
    rng = np.random.default_rng(seed)
    rotation, _, _ = np.linalg.svd(rng.standard_normal((dimension, dimension)))
    variances = np.ones(dimension)
    variances[:high_dims] = high_variance
    z = rng.standard_normal((samples, dimension)) * np.sqrt(variances)
    y = (z[:, :high_dims].sum(axis=1) > 0).astype(np.int64)
    x = (z @ rotation.T).astype(np.float32)
    return SyntheticData(x=x, y=y, rotation=rotation, variances=variances)
