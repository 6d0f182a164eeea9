"""Where the linearized form loses precision: φ(q)ᵀ Σ_j φ(k_j) v_jᵀ adds terms of size
‖q‖²‖k‖² whose sum (qᵀk + 1)² can be O(1), so the rounding error grows as the fourth power
of the scale, where the O(N²) form only loses ε‖q‖‖k‖ in qᵀk. And `kernelized_attention`
says so when its output is not finite instead of returning NaN."""

import math

import pytest
import torch

from models.kernel_attention import (
    NonFiniteAttention,
    kernel_attention_quadratic,
    kernelized_attention,
)
from numeric import kernel_attention as NK


@pytest.fixture(scope="module")
def table():
    return NK.linearization_error()


def medians(table, dtype, form):
    return [
        math.inf if row[form] is None else row[form]
        for row in table["rows"]
        if row["dtype"] == dtype
    ]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_linearized_error_grows_with_the_scale_until_no_digit_is_left(table, dtype):
    linear = medians(table, dtype, "linear")
    scales = table["config"]["scales"]
    assert scales == sorted(scales)
    # Monotone up to the first scale past 1%; beyond, the output is noise over noise and
    # its error stays O(1) (the table says so) instead of growing.
    first_bad = next(i for i, e in enumerate(linear) if e > NK.UNRELIABLE)
    assert linear[: first_bad + 1] == sorted(linear[: first_bad + 1])
    assert all(e > 0.1 for e in linear[first_bad + 1 :])
    # The O(N²) form's error grows too, but only as the square of the scale.
    quadratic = medians(table, dtype, "quadratic")
    assert quadratic == sorted(quadratic)
    # From scale 3 on the linearized form is always the less accurate one.
    assert all(a > b for a, b, s in zip(linear, quadratic, scales, strict=True) if s >= 3)
    summary = table["summary"]
    assert summary[f"linear_{dtype}"]["slope"] == pytest.approx(4, abs=0.4)
    assert summary[f"quadratic_{dtype}"]["slope"] == pytest.approx(2, abs=0.3)
    assert summary[f"linear_{dtype}"]["unreliable_from"] == scales[first_bad]


def test_float64_only_delays_the_loss(table):
    summary = table["summary"]
    s32 = summary["linear_float32"]["unreliable_from"]
    s64 = summary["linear_float64"]["unreliable_from"]
    # ε₃₂/ε₆₄ = 2²⁹ and the error grows as s⁴: about 2^(29/4) ≈ 150× further out.
    assert 30 <= s64 / s32 <= 1000
    assert summary["quadratic_float64"]["unreliable_from"] is None
    assert summary["quadratic_float32"]["unreliable_from"] > 10 * s32


def issue_tensors(scale, dtype):
    Q = torch.tensor([[scale, -scale]], dtype=dtype)
    K = torch.tensor([[scale, scale], [0.0, 0.0]], dtype=dtype)
    V = torch.tensor([[3.0], [7.0]], dtype=dtype)
    return Q, K, V


def test_the_field_reports_example():
    """q = (1000, −1000), keys (1000, 1000) and (0, 0), values 3 and 7: both weights are
    (0 + 1)² = 1, so the output is exactly 5."""
    Q, K, V = issue_tensors(1000.0, torch.float64)
    assert NK.exact_quadratic_attention(Q.numpy(), K.numpy(), V.numpy())[0, 0] == 5.0
    for dtype in (torch.float32, torch.float64):
        assert float(kernel_attention_quadratic(*issue_tensors(1000.0, dtype))[0, 0]) == 5.0
    # The linearized form cancels terms of 10¹²: float32 keeps no digit of 5 …
    linear32 = float(kernelized_attention(*issue_tensors(1000.0, torch.float32))[0, 0])
    assert abs(linear32 - 5) > 0.5
    # … float64 keeps a few (ε₆₄ · 10¹² ≈ 10⁻⁴).
    linear64 = float(kernelized_attention(*issue_tensors(1000.0, torch.float64))[0, 0])
    assert abs(linear64 - 5) < 1e-2
    recorded = {(r["scale"], r["dtype"]): r for r in NK.issue_example()["rows"]}
    assert recorded[1000.0, "float32"]["linear"] == linear32
    assert recorded[1000.0, "float32"]["quadratic"] == 5.0
    # Ten times the scale: terms of 10¹⁶ and no digit left in float64 either.
    far = recorded[10000.0, "float64"]["linear"]
    assert far is None or abs(far - 5) > 0.5


def test_a_non_finite_output_raises_instead_of_returning_nan():
    # At 10¹⁰ the features' products (10⁴⁰) overflow float32: inf − inf in φ(q)ᵀφ(k).
    Q, K, V = issue_tensors(1e10, torch.float32)
    with pytest.raises(NonFiniteAttention, match="1 of 1 output rows are inf or NaN"):
        kernelized_attention(Q, K, V)
    raw = kernelized_attention(Q, K, V, check_finite=False)
    assert not torch.isfinite(raw).all()
    # The O(N²) form computes qᵀk = 0 exactly there and stays right.
    assert float(kernel_attention_quadratic(Q, K, V)[0, 0]) == 5.0


def test_the_guard_names_a_zero_denominator_and_nan_inputs():
    Q = torch.tensor([[0.0, 0.0], [1.0, 0.0]])
    K = torch.tensor([[1.0, 0.0]])
    V = torch.tensor([[2.0]])
    # sim = qᵀk (no constant): the first query's denominator is exactly 0 → 0/0.
    with pytest.raises(NonFiniteAttention, match=r"1 of 2 output rows.*\(1 of them with a denom"):
        kernelized_attention(Q, K, V, lambda x: x)
    with pytest.raises(NonFiniteAttention):
        kernelized_attention(torch.tensor([[math.nan, 1.0]]), K, V)


def test_the_guard_lets_finite_outputs_and_shape_only_tensors_through():
    Q, K, V = (torch.randn(5, w, generator=torch.Generator().manual_seed(0)) for w in (3, 3, 2))
    assert torch.isfinite(kernelized_attention(Q, K, V)).all()
    meta = [torch.empty(4, w, device="meta") for w in (3, 3, 2)]
    assert kernelized_attention(*meta).shape == (4, 2)


def test_q3c_ii_states_the_scales_the_results_give(table):
    from answerkey.questions.kernel_attention import _scale, precision_sentence, precision_table

    sentence = precision_sentence(table)
    summary = table["summary"]
    s32 = summary["linear_float32"]["unreliable_from"]
    assert f"from $s = {_scale(s32)}$ in float32" in sentence
    assert f"from $s = {_scale(summary['linear_float64']['unreliable_from'])}$ in float64" in (
        sentence
    )
    assert f"$s^{{{summary['linear_float64']['slope']:.1f}}}$" in sentence
    # Other results, another sentence: nothing in it is typed.
    earlier = {**summary["linear_float32"], "unreliable_from": 10.0}
    moved = {**table, "summary": {**summary, "linear_float32": earlier}}
    assert "from $s = 10$ in float32" in precision_sentence(moved)
    rows = precision_table(table).rows
    assert [row[0] for row in rows] == [f"{s:g}" for s in table["config"]["scales"]]
