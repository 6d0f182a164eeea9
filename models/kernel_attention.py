"""Softmax attention and kernelized (linear) attention, in PyTorch.

    softmax_attention(Q, K, V)          = softmax(QKᵀ/√D) V                       O(N²(D+M))
    kernel_attention_quadratic(Q, K, V) : V'_i = Σ_j k(Q_i,K_j) V_j / Σ_j k(Q_i,K_j)  O(N²(D+M))
    kernelized_attention(Q, K, V, φ)    = φ(Q)(φ(K)ᵀV) ⊘ φ(Q)(φ(K)ᵀ1)              O(N·P·M)

Shapes: Q (N, D), K (N_k, D), V (N_k, M) → V' (N, M); one head, one sequence
(loop or vmap for more). φ maps (N, D) → (N, P).

The feature maps of the degree-2 polynomial kernel:

    quadratic_features(x)                      (qᵀk + 1)²:  [1, √2 x_i, x_i², √2 x_i x_j (i<j)]
                                               P = (D+1)(D+2)/2
    quadratic_features(x, merged=False)        (qᵀk + 1)²:  [1, √2 x_i, x_i x_j (all i, j)]
                                               P = 1 + D + D²
    quadratic_features(x, constant=False, …)   (qᵀk)²: the same without 1 and √2 x_i

The code is written to be counted: `numeric.kernel_attention` counts its
matrix-product FLOPs, all its arithmetic and the bytes it saves for backward,
and `derivations.kernel_attention` derives the same numbers by hand. So the
order of operations here is part of the contract: every feature map saves
only its input for backward (products of views of x, scaling by Python
scalars, concatenation), and the linear form saves φ(Q), φ(K), φ(K)ᵀV, Σφ(K),
the numerator and the denominator.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

FeatureMap = Callable[[Tensor], Tensor]
SQRT2 = math.sqrt(2.0)


def _check_qkv(Q: Tensor, K: Tensor, V: Tensor) -> None:
    if not all(isinstance(t, Tensor) for t in (Q, K, V)):
        raise TypeError("Q, K and V must be torch tensors")
    if Q.dim() != 2 or K.dim() != 2 or V.dim() != 2:
        raise ValueError(
            f"Q, K, V must be 2-D (N, D), (N_k, D), (N_k, M); got shapes "
            f"{tuple(Q.shape)}, {tuple(K.shape)}, {tuple(V.shape)}"
        )
    if Q.shape[1] != K.shape[1]:
        raise ValueError(f"Q and K need the same width D; got {Q.shape[1]} and {K.shape[1]}")
    if K.shape[0] != V.shape[0]:
        raise ValueError(f"K and V need the same length N_k; got {K.shape[0]} and {V.shape[0]}")
    if min(Q.shape[0], K.shape[0], Q.shape[1], V.shape[1]) < 1:
        raise ValueError("N, N_k, D and M must be at least 1")
    if not (Q.dtype == K.dtype == V.dtype) or not Q.dtype.is_floating_point:
        raise ValueError(
            f"Q, K, V must share one floating dtype; got {Q.dtype}, {K.dtype}, {V.dtype}"
        )


def softmax_attention(Q: Tensor, K: Tensor, V: Tensor) -> Tensor:
    """V' = softmax(QKᵀ/√D) V, the softmax taken over each row.

    Shapes: Q (N, D), K (N_k, D), V (N_k, M) → (N, M). Saves Q, K, V and the
    N×N attention matrix for backward (the fused softmax keeps only its output).
    """
    _check_qkv(Q, K, V)
    scores = (Q @ K.T) * (Q.shape[1] ** -0.5)
    return torch.softmax(scores, dim=-1) @ V


def polynomial_kernel(scores: Tensor, constant: bool = True) -> Tensor:
    """k = (s + 1)² (or s² with constant=False), elementwise on dot products s = qᵀk."""
    if constant:
        scores = scores + 1
    return scores * scores


def kernel_attention_quadratic(
    Q: Tensor, K: Tensor, V: Tensor, kernel: Callable[[Tensor], Tensor] = polynomial_kernel
) -> Tensor:
    """Eq. 3 computed directly: V'_i = Σ_j k(Q_i, K_j) V_j / Σ_j k(Q_i, K_j).

    `kernel` maps the N×N matrix of dot products QKᵀ to similarities. Shapes as
    `softmax_attention`; O(N²) time and memory, the reference for the linear form.
    """
    _check_qkv(Q, K, V)
    similarity = kernel(Q @ K.T)
    return (similarity @ V) / similarity.sum(dim=-1, keepdim=True)


def quadratic_features(x: Tensor, constant: bool = True, merged: bool = True) -> Tensor:
    """φ(x) with φ(q)ᵀφ(k) = (qᵀk + 1)² (or (qᵀk)² when constant=False), row by row.

    merged: the √2-weighted products x_i x_j with i < j, one per unordered pair
    (P = (D+1)(D+2)/2, or D(D+1)/2); otherwise every ordered pair (P = 1+D+D², or D²).
    Shapes: x (N, D) → (N, P). Component order: [1, √2 x, x², √2 x_i x_j (i<j, by i)]
    for the merged map, [1, √2 x, vec(x xᵀ)] for the ordered one.
    """
    if x.dim() != 2:
        raise ValueError(f"features: x must be 2-D (N, D); got shape {tuple(x.shape)}")
    n, d = x.shape
    parts = [x.new_ones(n, 1), x * SQRT2] if constant else []
    if merged:
        parts.append(x * x)
        if d > 1:
            # Products of views of x: autograd saves x itself, nothing new.
            cross = torch.cat([x[:, i : i + 1] * x[:, i + 1 :] for i in range(d - 1)], dim=1)
            parts.append(cross * SQRT2)
    else:
        parts.append((x[:, :, None] * x[:, None, :]).reshape(n, d * d))
    return torch.cat(parts, dim=1)


def identity_features(x: Tensor) -> Tensor:
    """φ(x) = x: the plain dot product sim(q, k) = qᵀk, which can be negative."""
    return x


def feature_dimension(d: int, constant: bool = True, merged: bool = True) -> int:
    """P of `quadratic_features` at input width d."""
    if merged:
        return (d + 1) * (d + 2) // 2 if constant else d * (d + 1) // 2
    return 1 + d + d * d if constant else d * d


class NonFiniteAttention(FloatingPointError):
    """`kernelized_attention` computed inf or NaN (see its docstring for why and what to do)."""


def kernelized_attention(
    Q: Tensor,
    K: Tensor,
    V: Tensor,
    feature_map: FeatureMap = quadratic_features,
    eps: float = 0.0,
    check_finite: bool = True,
) -> Tensor:
    """Eq. 5: V'_i = φ(Q_i)ᵀ Σ_j φ(K_j) V_jᵀ / (φ(Q_i)ᵀ Σ_j φ(K_j) + eps).

    Associativity: (φ(Q)φ(K)ᵀ)V = φ(Q)(φ(K)ᵀV), so the N×N matrix is never
    formed. Shapes: Q (N, D), K (N_k, D), V (N_k, M) → (N, M); φ(Q), φ(K) (·, P).
    `eps` is the guard implementations add to the denominator (0: none).

    Precision: the terms of φ(q)ᵀφ(k) are of size ‖q‖²‖k‖² while their sum (qᵀk + 1)² can
    be O(1), so rounding errors of ε‖q‖²‖k‖² cancel into the result (the O(N²) form only
    loses ε‖q‖‖k‖ in qᵀk). `numeric.kernel_attention.linearization_error` measures it:
    with ‖q‖ = ‖k‖ = s and qᵀk = O(1) the relative error grows as s⁴, and the output can
    come out inf or NaN (a denominator rounded to 0, or overflow).

    Raises NonFiniteAttention when any output is inf or NaN (with inf or NaN inputs too)
    instead of returning it silently; `check_finite=False` returns the raw output (what
    the measurements time and count, and what a vmap or a meta tensor needs).
    """
    _check_qkv(Q, K, V)
    phi_q, phi_k = feature_map(Q), feature_map(K)
    if phi_q.dim() != 2 or phi_q.shape[1] != phi_k.shape[1] or phi_q.shape[0] != Q.shape[0]:
        raise ValueError("the feature map must map (N, D) to (N, P) with one P for Q and K")
    kv = phi_k.T @ V  # (P, M): Σ_j φ(K_j) V_jᵀ
    z = phi_k.sum(dim=0, keepdim=True)  # (1, P): Σ_j φ(K_j)
    numerator = phi_q @ kv  # (N, M)
    denominator = phi_q @ z.T  # (N, 1); a matrix product, so FLOP counters see it
    if eps:
        denominator = denominator + eps
    out = numerator / denominator
    if check_finite and out.device.type != "meta":
        _raise_if_not_finite(out, denominator)
    return out


def _raise_if_not_finite(out: Tensor, denominator: Tensor) -> None:
    with torch.no_grad():
        bad_rows = (~torch.isfinite(out)).any(dim=1)
        bad = int(bad_rows.sum())
        if not bad:
            return
        zero = int((denominator[bad_rows] == 0).sum())
    raise NonFiniteAttention(
        f"kernelized_attention: {bad} of {out.shape[0]} output rows are inf or NaN "
        f"({zero} of them with a denominator φ(q)ᵀΣφ(k) of exactly 0). Unless the inputs "
        "hold inf or NaN, the linearized form's terms (size ‖q‖²‖k‖²) cancelled or "
        "overflowed: rescale Q and K, compute in float64 or use kernel_attention_quadratic; "
        "eps > 0 guards an all-zero denominator. check_finite=False returns the raw output."
    )
