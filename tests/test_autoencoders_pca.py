"""Q4(b): the first-order conditions, the PCA point, and the numeric cross-checks."""

import itertools
import random

import numpy as np
import pytest
import sympy as sp

from derivations import autoencoders as D
from numeric import autoencoders as N

# --- symbolic ---------------------------------------------------------------------------


def test_matrix_calculus_gives_the_stated_gradients():
    for derived, stated in zip(D.gradients(), D.stated_gradients(), strict=True):
        assert D.rewrite_to_normal_form(derived - stated, rules=())[0] == {}


def test_a_wrong_gradient_is_told_apart():
    g1, _ = D.gradients()
    wrong = -1 / D.n * D.W2.T * (D.X - D.W2 * D.W1 * D.X) * D.X.T  # factor 2 dropped
    assert D.rewrite_to_normal_form(g1 - wrong, rules=())[0] != {}


@pytest.mark.parametrize("size", [(1, 2, 1), (1, 2, 3), (2, 3, 2)])
def test_entrywise_derivatives_match_the_formula(size):
    assert D.entrywise_gradient_mismatch(*size) == []


def test_both_conditions_hold_at_the_pca_point():
    assert D.pca_point_residuals() == {"dL/dW1": {}, "dL/dW2": {}}


def test_the_decoder_condition_needs_the_eigenvector_fact():
    _, g2 = D.gradients_at(D.U.T, D.U)
    assert D.rewrite_to_normal_form(g2, rules=(D.ORTHONORMAL,))[0] != {}


def test_the_encoder_condition_needs_only_orthonormality():
    g1, _ = D.gradients_at(D.U.T, D.U)
    assert D.rewrite_to_normal_form(g1, rules=(D.ORTHONORMAL,))[0] == {}


def test_the_invertible_mixing_family_is_stationary():
    assert D.mixed_point_residuals() == {"dL/dW1": {}, "dL/dW2": {}}


def test_zero_weights_are_stationary():
    g1, g2 = D.zero_point_gradients()
    assert isinstance(g1, sp.ZeroMatrix) and isinstance(g2, sp.ZeroMatrix)


def test_loss_at_eigenvectors_is_total_minus_kept_variance():
    assert D.loss_at_eigenvectors() == D.stated_loss_at_eigenvectors()
    assert D.loss_at_eigenvectors() == {(D.X, D.X.T): 1 / D.n, (D.Lam,): -1}


def test_every_step_has_latex():
    steps = D.steps()
    assert set(steps) == {"q4.b.i", "q4.b.ii"}
    assert all(step.latex for part in steps.values() for step in part)


# --- exact instances --------------------------------------------------------------------


@pytest.fixture(scope="module")
def instance():
    return D.rational_instance(scales=(6, 4, 3, 1), samples=9, seed=0)


def test_cayley_gives_a_rational_orthogonal_matrix(instance):
    q = instance.q
    assert q.T * q == sp.eye(4)
    assert all(entry.is_Rational for entry in q)


def test_instance_is_centred_with_known_eigenpairs(instance):
    x = instance.x
    assert x * sp.ones(9, 1) == sp.zeros(4, 1)
    covariance = x * x.T / 9
    assert covariance * instance.q == instance.q * sp.diag(*instance.eigenvalues)
    assert instance.eigenvalues == (4, sp.Rational(16, 9), 1, sp.Rational(1, 9))


def test_every_pair_of_eigenvectors_is_stationary_and_top_two_is_least(instance):
    losses = {}
    for subset in itertools.combinations(range(4), 2):
        u = instance.q[:, list(subset)]
        g1, g2 = D.exact_gradients(instance, u.T, u)
        assert g1 == sp.zeros(2, 4) and g2 == sp.zeros(4, 2)
        losses[subset] = D.exact_loss(instance, u.T, u)
        assert losses[subset] == sum(
            v for i, v in enumerate(instance.eigenvalues) if i not in subset
        )
    assert min(losses, key=losses.get) == (0, 1)


def test_mixing_family_on_the_instance(instance):
    top = instance.q[:, :2]
    c = D.random_invertible(2, random.Random(3))
    g1, g2 = D.exact_gradients(instance, c * top.T, top * c.inv())
    assert g1 == sp.zeros(2, 4) and g2 == sp.zeros(4, 2)


def test_a_non_eigenvector_basis_is_not_stationary(instance):
    a, b = sp.Rational(3, 5), sp.Rational(4, 5)
    u = sp.Matrix.hstack(instance.q[:, 0], a * instance.q[:, 1] + b * instance.q[:, 2])
    assert u.T * u == sp.eye(2)  # orthonormal, yet not eigenvectors
    g1, g2 = D.exact_gradients(instance, u.T, u)
    assert g2 != sp.zeros(4, 2)


def test_centred_columns_need_a_square_sample_count():
    with pytest.raises(ValueError, match="perfect square"):
        D.centred_orthonormal_columns(8, 3, random.Random(0))


# --- numeric ----------------------------------------------------------------------------


def test_torch_gradient_vanishes_at_pca():
    x = N.synthetic_pca_problem()
    result = N.torch_gradient_at_pca(x, 3)
    assert max(result["max_abs_grad_W1"], result["max_abs_grad_W2"]) < 1e-12


def test_torch_gradient_matches_the_stated_formula_and_not_a_wrong_one():
    import sympy as sp

    from derivations import autoencoders as D

    g1, g2 = D.stated_gradients()
    stated = sp.lambdify([D.W1, D.W2, D.X, D.n], [g1, g2], "numpy")
    x = N.synthetic_pca_problem()
    assert N.torch_gradient_matches_formula(x, 2, stated) < 1e-12
    # the stated ∂L/∂W₁ with its sign flipped: autograd disagrees
    sign_flipped = sp.lambdify([D.W1, D.W2, D.X, D.n], [-g1, g2], "numpy")
    assert N.torch_gradient_matches_formula(x, 2, sign_flipped) > 1


def test_trained_linear_autoencoder_reaches_pca():
    result = N.train_linear_autoencoder(N.synthetic_pca_problem(), 3)
    assert result["loss"] == pytest.approx(result["pca_error"], rel=1e-8)
    assert result["sklearn_pca_error"] == pytest.approx(result["pca_error"], rel=1e-10)
    assert result["max_angle_rad"] < 1e-5


def test_pca_reconstruction_error_is_the_discarded_variance():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((500, 6)) * np.array([3, 2, 1.5, 1, 0.5, 0.2])
    fitted = N.pca(x, 2)
    error = N.reconstruction_error(x, fitted.reconstruct(x))
    assert error == pytest.approx(fitted.variances[2:].sum(), rel=1e-10)
    assert N.linear_optimum(x, "vanilla", 2) == pytest.approx(error, rel=1e-10)


def test_optimal_masked_map_matches_least_squares_on_samples():
    """M* = Σ(qΣ + (1 − q) diag S)⁻¹ against regressing x on masked x by least squares."""
    rng = np.random.default_rng(1)
    mixing = rng.standard_normal((3, 3))
    x = rng.standard_normal((400_000, 3)) @ mixing + np.array([1.0, -0.5, 0.2])
    masked = x * (rng.random(x.shape) >= 0.25)
    design = np.hstack([masked, np.ones((len(x), 1))])
    coefficients, *_ = np.linalg.lstsq(design, x, rcond=None)
    fitted = coefficients[:3].T
    predicted = N.optimal_map(x, "masked")
    assert N.relative_distance(fitted, predicted) < 0.01
    assert N.relative_distance(predicted, np.eye(3)) > 0.1  # and it is not the identity


def test_optimal_denoising_map_is_a_shrinkage():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1000, 4)) * np.array([2.0, 1.0, 0.5, 0.1])
    sigma = np.cov(x, rowvar=False, bias=True)
    expected = sigma @ np.linalg.inv(sigma + 0.25 * np.eye(4))
    assert np.allclose(N.optimal_map(x, "denoising"), expected)
    assert np.all(np.linalg.eigvals(expected).real < 1)


def test_vanilla_over_complete_optimum_is_the_identity():
    x = np.random.default_rng(3).standard_normal((200, 5))
    assert np.array_equal(N.optimal_map(x, "vanilla"), np.eye(5))
    assert N.linear_optimum(x, "vanilla", 5) == pytest.approx(0, abs=1e-10)
