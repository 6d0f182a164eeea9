"""The random-subspace probe accuracy (q4.a, synthetic set): exact SymPy moments against a
simulation over random subspaces, by the formula and by counting signs."""

import math

import pytest

from derivations.autoencoders import random_subspace_probe
from numeric.autoencoders import simulate_random_subspace


@pytest.mark.parametrize("k", [1, 5, 10, 19])
def test_exact_moments_match_simulation(k):
    exact = random_subspace_probe(k)
    assert exact.normalizer_ok
    mean, std = float(exact.mean), float(exact.std)
    sim = simulate_random_subspace(k, subspaces=40_000, points=200, seed=k)
    # 6 standard errors: a false alarm is below 1e-8; a wrong formula misses by far more.
    assert abs(sim.mean - mean) <= 6 * std / math.sqrt(len(sim.accuracies))
    assert sim.std == pytest.approx(std, rel=0.03)
    # Counting signs needs no formula: its mean carries the extra binomial noise per point.
    spread = sim.sampled.std(ddof=1) / math.sqrt(len(sim.sampled))
    assert abs(sim.sampled.mean() - mean) <= 6 * spread


def test_known_values_and_edges():
    # ‖P_S u‖² has mean k/d: at k = 10 of 20 the accuracy is symmetric about 3/4 exactly.
    assert random_subspace_probe(10).mean == pytest.approx(0.75, abs=0)
    assert float(random_subspace_probe(5).mean) == pytest.approx(0.6622, abs=1e-4)
    full = random_subspace_probe(20)
    assert (full.mean, full.variance) == (1, 0)
    # Symmetry θ ↔ π/2 − θ between k and d − k: means add to 3/2, spreads agree.
    low, high = random_subspace_probe(5), random_subspace_probe(15)
    assert float(low.mean + high.mean) == pytest.approx(1.5, abs=1e-12)
    assert float(low.std) == pytest.approx(float(high.std), abs=1e-12)
    with pytest.raises(ValueError):
        random_subspace_probe(0)
