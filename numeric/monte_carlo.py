"""Monte Carlo estimates with standard errors, and the z-test that judges a claim.

Every check states its false-alarm probability α: a true claim fails with
probability at most α (two-sided normal approximation, which at the sample
sizes used here is accurate far beyond the precision α needs). The same test
reports its power by computing the z-score each plausible wrong answer gets.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

FALSE_ALARM = 1e-9


def critical_z(false_alarm: float = FALSE_ALARM) -> float:
    """|z| beyond which a two-sided test at level `false_alarm` rejects."""
    return float(stats.norm.isf(false_alarm / 2))


@dataclass(frozen=True)
class Estimate:
    value: float
    stderr: float
    n: int
    seed: int

    def z(self, claimed: float) -> float:
        return (self.value - claimed) / self.stderr

    def accepts(self, claimed: float, false_alarm: float = FALSE_ALARM) -> bool:
        return abs(self.z(claimed)) <= critical_z(false_alarm)

    def as_dict(self) -> dict:
        return asdict(self)


class RunningMoments:
    """Streaming mean and central moments up to 4 of a sample, chunk by chunk.

    Sums are accumulated around a fixed shift (the first chunk's mean) so that
    large means do not cost precision.
    """

    def __init__(self) -> None:
        self.n = 0
        self.shift: float | None = None
        self.sums = np.zeros(4)

    def add(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        if self.shift is None:
            self.shift = float(values.mean())
        centred = values - self.shift
        powers = centred.copy()
        for p in range(4):
            self.sums[p] += powers.sum()
            if p < 3:
                powers *= centred
        self.n += values.size

    def mean_and_central_moments(self) -> tuple[float, float, float]:
        """(mean, variance m2, fourth central moment m4), with m2, m4 in 1/n normalization."""
        raw = self.sums / self.n  # raw moments of (x - shift)
        m1 = raw[0]
        m2 = raw[1] - m1**2
        m4 = raw[3] - 4 * m1 * raw[2] + 6 * m1**2 * raw[1] - 3 * m1**4
        return self.shift + m1, m2, m4

    def mean(self, seed: int) -> Estimate:
        mean, m2, _ = self.mean_and_central_moments()
        return Estimate(float(mean), float(np.sqrt(m2 / self.n)), self.n, seed)

    def variance(self, seed: int) -> Estimate:
        """Sample variance, with the delta-method standard error sqrt((m4 − m2²)/n)."""
        _, m2, m4 = self.mean_and_central_moments()
        unbiased = m2 * self.n / (self.n - 1)
        stderr = float(np.sqrt(max(m4 - m2**2, 0.0) / self.n))
        return Estimate(float(unbiased), stderr, self.n, seed)
