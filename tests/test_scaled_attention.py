"""Q2: the derivation, the brute-force second line, and the Monte Carlo's power."""

import pytest
import sympy as sp

from derivations import scaled_attention as D
from numeric.scaled_attention import dot_product_moments


def test_expectation_is_d_mu_squared():
    assert sp.simplify(D.expectation_of_dot_product() - D.d * D.mu**2) == 0


def test_expectation_does_not_depend_on_sigma():
    assert D.sigma not in D.expectation_of_dot_product().free_symbols


def test_general_variance():
    expected = D.d * D.sigma**2 * (D.sigma**2 + 2 * D.mu**2)
    assert sp.simplify(D.variance_of_dot_product() - expected) == 0


def test_variance_at_standard_normal_is_d():
    assert D.variance_of_dot_product(mean=0, std=1) == D.d


def test_scale_is_the_single_positive_root_sqrt_d():
    assert D.scale_for_unit_variance() == [sp.sqrt(D.d)]


def test_scaled_mean_is_zero_for_every_s():
    assert D.expectation_of_scaled_dot_product() == 0


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_brute_force_agrees_with_the_general_variance(dim):
    _, variance = D.brute_force_moments(dim)
    expected = dim * D.sigma**2 * (D.sigma**2 + 2 * D.mu**2)
    assert sp.expand(variance - expected) == 0


def test_every_part_has_printable_steps():
    steps = D.steps()
    assert set(steps) == {"q2.a", "q2.b", "q2.c"}
    assert all(step.latex for part in steps.values() for step in part)


def test_monte_carlo_is_deterministic_under_its_seed():
    assert dot_product_moments(8, 0.5, 1.0, 20_000, 7) == dot_product_moments(
        8, 0.5, 1.0, 20_000, 7
    )


def test_monte_carlo_rejects_the_plausible_wrong_answers():
    # d ≤ 16, d > 1 and μ ∉ {0, ±1}: every wrong answer differs from the right one.
    d, mu, sigma = 16, 0.5, 1.0
    mean, _ = dot_product_moments(d, mu, sigma, 1_000_000, 11)
    _, variance = dot_product_moments(d, 0.0, 1.0, 1_000_000, 12)
    assert mean.accepts(d * mu**2)
    for wrong_mean in (d * mu, mu**2):
        assert not mean.accepts(wrong_mean)
    assert variance.accepts(d)
    for wrong_variance in (d**0.5, d**2, d + 1):
        assert not variance.accepts(wrong_variance)
    # s enters as Var(qᵀk / s) = Var(qᵀk) / s², so s is right when Var(qᵀk) = s².
    assert variance.accepts((d**0.5) ** 2)
    for wrong_s in (d, d**0.5 / 2):
        assert not variance.accepts(wrong_s**2)


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="d ≥ 1"):
        dot_product_moments(0, 0.0, 1.0, 100, 0)
