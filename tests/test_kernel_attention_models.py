"""Q3: `models.kernel_attention` against references, and its counted costs against the
derivation (FlopCounterMode, the operation counter, saved tensors, peak memory)."""

import math

import pytest
import torch

from derivations import kernel_attention as KA
from models.kernel_attention import (
    feature_dimension,
    identity_features,
    kernel_attention_quadratic,
    kernelized_attention,
    quadratic_features,
    softmax_attention,
)
from numeric import kernel_attention as NK

VARIANTS = [(True, True), (True, False), (False, True), (False, False)]
SIZES = [(1, 1, 1), (7, 1, 2), (5, 2, 3), (33, 3, 7), (64, 8, 8)]


def qkv(n, d, m, dtype=torch.float64, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return [scale * torch.randn(n, w, generator=g, dtype=dtype) for w in (d, d, m)]


# --- the forms compute what they should ------------------------------------------------


@pytest.mark.parametrize("n, d, m", SIZES)
def test_softmax_attention_matches_torch(n, d, m):
    Q, K, V = qkv(n, d, m)
    reference = torch.nn.functional.scaled_dot_product_attention(Q[None], K[None], V[None])[0]
    assert torch.allclose(softmax_attention(Q, K, V), reference, atol=1e-12, rtol=0)


@pytest.mark.parametrize("constant, merged", VARIANTS)
@pytest.mark.parametrize("n, d, m", SIZES)
def test_linearized_agrees_with_quadratic_to_1e_10(n, d, m, constant, merged):
    Q, K, V = qkv(n, d, m, scale=0.5)
    linear = kernelized_attention(
        Q, K, V, lambda x: quadratic_features(x, constant=constant, merged=merged)
    )
    quadratic = kernel_attention_quadratic(Q, K, V, lambda s: (s + 1) ** 2 if constant else s**2)
    assert torch.allclose(linear, quadratic, atol=1e-10, rtol=1e-10)


def test_quadratic_form_is_eq3_by_loops():
    Q, K, V = qkv(6, 3, 2, seed=3)
    out = kernel_attention_quadratic(Q, K, V)
    for i in range(6):
        weights = [(float(Q[i] @ K[j]) + 1) ** 2 for j in range(6)]
        expected = sum(w * V[j] for j, w in enumerate(weights)) / sum(weights)
        assert torch.allclose(out[i], expected, atol=1e-12)


@pytest.mark.parametrize("constant, merged", VARIANTS)
def test_feature_maps_reproduce_their_kernels(constant, merged):
    x, y = qkv(9, 5, 1, seed=1)[:2]
    phi_x, phi_y = (quadratic_features(t, constant, merged) for t in (x, y))
    assert phi_x.shape == (9, feature_dimension(5, constant, merged))
    kernel = (x @ y.T + (1 if constant else 0)) ** 2
    assert torch.allclose(phi_x @ phi_y.T, kernel, atol=1e-12)


def test_feature_map_matches_the_derived_components():
    x = torch.tensor([[0.3, -1.2, 2.0]], dtype=torch.float64)
    symbols = KA.vector_symbols("q", 3)
    derived = [
        float(c.subs(dict(zip(symbols, [0.3, -1.2, 2.0], strict=True)))) for c in KA.feature_map(3)
    ]
    assert torch.allclose(quadratic_features(x)[0], torch.tensor(derived, dtype=torch.float64))


def test_gradients_of_both_linearized_and_quadratic_forms_agree():
    Q, K, V = (t.requires_grad_() for t in qkv(12, 3, 4, scale=0.5, seed=2))
    kernelized_attention(Q, K, V).square().sum().backward()
    grads = [t.grad.clone() for t in (Q, K, V)]
    for t in (Q, K, V):
        t.grad = None
    kernel_attention_quadratic(Q, K, V).square().sum().backward()
    for a, t in zip(grads, (Q, K, V), strict=True):
        assert torch.allclose(a, t.grad, atol=1e-10)


def test_gradcheck_linearized_form():
    Q, K, V = (t.requires_grad_() for t in qkv(4, 2, 3, scale=0.5, seed=4))
    assert torch.autograd.gradcheck(kernelized_attention, (Q, K, V))


# --- q3.a in the implementation ----------------------------------------------------------


def test_plain_dot_product_blows_up_in_the_model():
    # q = (1, 0); keys (1, 0) and (−(1 − δ), 0): denominator δ, ‖V'‖ ≈ √2/δ.
    for delta in (1e-3, 1e-6, 1e-9):
        Q = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
        K = torch.tensor([[1.0, 0.0], [-(1 - delta), 0.0]], dtype=torch.float64)
        V = torch.eye(2, dtype=torch.float64)
        out = kernelized_attention(Q, K, V, identity_features)
        assert float(out.norm()) == pytest.approx(math.sqrt(1 + (1 - delta) ** 2) / delta, rel=1e-6)


def test_nonnegative_kernel_stays_inside_the_bound():
    Q, K, V = qkv(50, 4, 3, seed=7)
    for out in (kernelized_attention(Q, K, V), softmax_attention(Q, K, V)):
        assert out.norm(dim=1).max() <= V.norm(dim=1).max() + 1e-12


def test_epsilon_guards_the_all_minus_one_corner():
    Q = torch.tensor([[1.0, 1.0]], dtype=torch.float64)
    K = torch.tensor([[-1.0, 0.0], [0.0, -1.0], [-2.0, 1.0]], dtype=torch.float64)
    V = torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]], dtype=torch.float64)
    assert torch.isnan(kernel_attention_quadratic(Q, K, V)).all()
    assert kernelized_attention(Q, K, V, eps=1e-6).norm() < 1e-8


# --- counts against the implementation -----------------------------------------------------


def _derived(form, key, n, d, m, constant=True, merged=True):
    return int(KA.costs(form, constant, merged)[key].subs({KA.N: n, KA.D: d, KA.M: m}))


@pytest.mark.parametrize("form", ["softmax", "linear"])
@pytest.mark.parametrize("n, d, m", SIZES)
def test_matmul_flops_equal_flop_counter(form, n, d, m):
    fn = NK.attention_fn(form)
    assert NK.count_matmul_flops(fn, *NK.inputs(n, d, m)) == _derived(form, "flops", n, d, m)


@pytest.mark.parametrize("constant, merged", VARIANTS)
@pytest.mark.parametrize("n, d, m", SIZES)
def test_all_arithmetic_equals_operation_counter(n, d, m, constant, merged):
    fn = NK.attention_fn("linear", constant, merged)
    counted = NK.count_operations(fn, *NK.inputs(n, d, m))["total"]
    assert counted == _derived("linear", "operations", n, d, m, constant, merged)


@pytest.mark.parametrize("n, d, m", SIZES)
def test_softmax_arithmetic_equals_operation_counter(n, d, m):
    counted = NK.count_operations(softmax_attention, *NK.inputs(n, d, m))
    assert counted["total"] == _derived("softmax", "operations", n, d, m)
    assert counted["by_op"]["_softmax"] == n * (5 * n - 2)


@pytest.mark.parametrize("dtype, size", [("float32", 4), ("float64", 8)])
@pytest.mark.parametrize("form", ["softmax", "linear"])
@pytest.mark.parametrize("n, d, m", SIZES)
def test_saved_bytes_equal_derived_memory(form, n, d, m, dtype, size):
    saved = NK.saved_bytes(NK.attention_fn(form), *NK.inputs(n, d, m, dtype))
    assert saved["bytes"] == size * _derived(form, "saved", n, d, m)


def test_saved_bytes_count_each_storage_once():
    # softmax saves its output A and the product A @ V saves A again: counted once.
    saved = NK.saved_bytes(softmax_attention, *NK.inputs(10, 2, 3))
    assert saved["saved"] > saved["storages"] == 4  # Q, K, V, A


def test_counts_need_no_data():
    # FlopCounterMode and the counter see shapes only: meta tensors give the same counts.
    meta = NK.inputs(300, 8, 8, device="meta")
    assert NK.count_matmul_flops(NK.attention_fn("softmax"), *meta) == _derived(
        "softmax", "flops", 300, 8, 8
    )
    assert NK.count_operations(NK.attention_fn("linear"), *meta)["total"] == _derived(
        "linear", "operations", 300, 8, 8
    )


def test_counter_refuses_an_op_it_cannot_count():
    with pytest.raises(NotImplementedError, match="aten.tanh"):
        NK.count_operations(torch.tanh, torch.ones(3))


def test_counter_catches_a_changed_implementation():
    # Power: an extra elementwise op changes the count, so the check would fail.
    Q, K, V = NK.inputs(8, 2, 2)
    base = NK.count_operations(softmax_attention, Q, K, V)["total"]
    more = NK.count_operations(lambda *a: softmax_attention(*a) * 2, Q, K, V)["total"]
    assert more == base + 8 * 2


def test_peak_memory_grows_quadratically_for_softmax_only():
    jobs = [{"form": f, "n": n, "d": 8, "m": 8, "dtype": "float32"}
            for f in ("softmax", "linear") for n in (2048, 4096)]  # fmt: skip
    soft_small, soft_big, lin_small, lin_big = NK.peak_memory(jobs)
    assert soft_big / soft_small == pytest.approx(4, rel=0.2)
    assert soft_big > 100 * 2**20 and lin_big < soft_big / 8


# --- helpers ----------------------------------------------------------------------------


def test_crossover_interpolates_between_the_bracketing_sizes():
    assert NK.crossover([1, 2, 4], [1, 4, 16], [4, 4, 4]) == pytest.approx(2)
    assert NK.crossover([1, 2], [5, 6], [1, 1]) == 1
    assert NK.crossover([1, 2], [1, 1], [5, 6]) is None


def test_fit_slope_of_a_power_law():
    assert NK.fit_slope([1, 2, 4, 8], [3, 12, 48, 192]) == pytest.approx(2)


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shapes, message",
    [
        (((4, 3), (4, 2), (4, 5)), "same width D"),
        (((4, 3), (4, 3), (5, 5)), "same length"),
        (((4, 3, 1), (4, 3), (4, 5)), "must be 2-D"),
        (((4, 0), (4, 0), (4, 5)), "at least 1"),
    ],
)
def test_bad_shapes_are_refused_with_a_clear_message(shapes, message):
    Q, K, V = (torch.zeros(*s) for s in shapes)
    for fn in (softmax_attention, kernelized_attention, kernel_attention_quadratic):
        with pytest.raises(ValueError, match=message):
            fn(Q, K, V)


def test_integer_or_mixed_dtypes_are_refused():
    Q, K, V = qkv(3, 2, 2)
    with pytest.raises(ValueError, match="floating dtype"):
        kernelized_attention(Q.long(), K.long(), V.long())
    with pytest.raises(ValueError, match="floating dtype"):
        softmax_attention(Q, K.float(), V)


def test_non_tensors_are_refused():
    with pytest.raises(TypeError, match="torch tensors"):
        softmax_attention([[1.0]], [[1.0]], [[1.0]])


def test_unknown_form_is_refused():
    with pytest.raises(ValueError, match="unknown attention form"):
        NK.attention_fn("cosine")
