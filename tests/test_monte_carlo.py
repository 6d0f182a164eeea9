"""The Monte Carlo machinery: moment estimates, standard errors, the z-test."""

import numpy as np
import pytest

from answerkey.verdicts import Verdict, z_test
from numeric.monte_carlo import FALSE_ALARM, Estimate, RunningMoments, critical_z


def test_critical_z_matches_the_false_alarm_level():
    assert critical_z(1e-9) == pytest.approx(6.1094, abs=1e-3)


def test_false_alarm_is_at_most_1e_minus_9():
    assert FALSE_ALARM <= 1e-9


def test_streamed_moments_equal_numpy_on_one_array():
    values = np.random.default_rng(0).normal(3.0, 2.0, 10_000)
    moments = RunningMoments()
    for chunk in np.array_split(values, 7):
        moments.add(chunk)
    mean, m2, m4 = moments.mean_and_central_moments()
    assert mean == pytest.approx(values.mean(), rel=1e-12)
    assert m2 == pytest.approx(values.var(), rel=1e-10)
    assert m4 == pytest.approx(((values - values.mean()) ** 4).mean(), rel=1e-9)


def test_variance_standard_error_matches_its_spread_over_repeats():
    # The delta-method standard error should match the empirical spread of the estimate.
    rng = np.random.default_rng(1)
    estimates, errors = [], []
    for _ in range(200):
        moments = RunningMoments()
        moments.add(rng.standard_normal(2000))
        estimate = moments.variance(seed=0)
        estimates.append(estimate.value)
        errors.append(estimate.stderr)
    assert np.std(estimates) == pytest.approx(np.mean(errors), rel=0.15)


def test_z_test_passes_a_consistent_claim():
    assert z_test(Estimate(1.0, 0.1, 100, 0), 1.05).verdict is Verdict.PASS


def test_z_test_fails_an_inconsistent_claim():
    assert z_test(Estimate(1.0, 0.1, 100, 0), 2.0).verdict is Verdict.FAIL


def test_z_test_fails_when_it_cannot_reject_a_wrong_answer():
    outcome = z_test(Estimate(1.0, 0.1, 100, 0), 1.0, {"close": 1.1})
    assert outcome.verdict is Verdict.FAIL
    assert "cannot tell" in outcome.detail
