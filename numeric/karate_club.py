"""Q1: numeric checks of the hand-written GCN backward pass in `models.karate_club`.

Three independent comparisons, all in float64:

- `gradcheck_gcn_layer`: torch.autograd.gradcheck (central finite differences
  against the analytical Jacobian the Function's backward produces) for Â, X and
  W at several shapes, including a batch of networks sharing Â;
- `finite_difference_check`: a NumPy re-implementation of the layer and central
  differences of a random linear functional, against the hand backward;
- `network_gradient_check`: the whole network's hand backpropagation
  (`objective_and_gradients`) against autograd's gradient of the objective.
"""

from __future__ import annotations

import itertools

import numpy as np

# (N, F_in, F_out, replicas): the notebook's two layers at a small N, a square case, and
# a batch of 3 networks sharing Â (how the semi-supervised seeds are trained).
GRADCHECK_SHAPES = ((5, 4, 3, None), (6, 6, 2, None), (4, 3, 2, 3))
# Which of (Â, X, W) require a gradient: all three, then as in the network's second layer
# (Â constant) and first layer (only W): the Function saves only what each case needs.
GRADCHECK_REQUIRES = ((True, True, True), (False, True, True), (False, False, True))


def gradcheck_gcn_layer(seed: int = 0, shapes=GRADCHECK_SHAPES) -> dict:
    """torch.autograd.gradcheck of `GCNLayerFunction` in float64 at each shape."""
    import torch

    from models.karate_club import GCNLayerFunction

    generator = torch.Generator().manual_seed(seed)
    cases = []
    for (n, f_in, f_out, replicas), requires in itertools.product(shapes, GRADCHECK_REQUIRES):
        batch = () if replicas is None else (replicas,)
        shapes_in = ((n, n), (*batch, n, f_in), (*batch, f_out, f_in))
        inputs = tuple(
            torch.randn(*shape, generator=generator, dtype=torch.float64).requires_grad_(flag)
            for shape, flag in zip(shapes_in, requires, strict=True)
        )
        passed = torch.autograd.gradcheck(
            GCNLayerFunction.apply, inputs, eps=1e-6, atol=1e-8, rtol=1e-6, raise_exception=False
        )
        cases.append(
            {
                "n": n,
                "f_in": f_in,
                "f_out": f_out,
                "replicas": replicas,
                "requires_grad": "".join(
                    name for name, flag in zip(("Â", "X", "W"), requires, strict=True) if flag
                ),
                "ok": passed,
            }
        )
    return {"passed": all(c["ok"] for c in cases), "cases": cases, "seed": seed}


def _layer_numpy(a: np.ndarray, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return np.tanh(a @ x @ w.T)


def finite_difference_check(
    n: int = 7, f_in: int = 5, f_out: int = 3, seed: int = 0, eps: float = 1e-6
) -> dict:
    """Max relative error of the hand gradients of L = Σ G ⊙ tanh(ÂXWᵀ) against
    NumPy central differences, for every entry of Â, X and W."""
    import torch

    from models.karate_club import gcn_layer_backward, gcn_layer_forward

    rng = np.random.default_rng(seed)
    a, x, w, g = (rng.standard_normal(s) for s in ((n, n), (n, f_in), (f_out, f_in), (n, f_out)))

    def loss(a_, x_, w_):
        return float((g * _layer_numpy(a_, x_, w_)).sum())

    tensors = [torch.from_numpy(v) for v in (a, x, w)]
    h, ax = gcn_layer_forward(*tensors)
    hand = gcn_layer_backward(torch.from_numpy(g), *tensors, ax, h)
    errors = {}
    for name, index, value in (("A", 0, a), ("X", 1, x), ("W", 2, w)):
        numeric = np.zeros_like(value)
        for position in np.ndindex(value.shape):
            args = [a, x, w]
            plus, minus = value.copy(), value.copy()
            plus[position] += eps
            minus[position] -= eps
            args[index] = plus
            up = loss(*args)
            args[index] = minus
            numeric[position] = (up - loss(*args)) / (2 * eps)
        exact = hand[index].numpy()
        errors[name] = float(np.abs(exact - numeric).max() / max(1.0, np.abs(numeric).max()))
    return {"max_relative_error": errors, "eps": eps, "seed": seed, "shape": [n, f_in, f_out]}


def network_gradient_check(seeds=(100, 1, 2), normalization: str = "nodes") -> dict:
    """Max |hand − autograd| over every parameter's gradient and J itself, for a batch
    of networks on the karate club with the notebook's split."""
    import torch

    from models import karate_club as K

    a_hat, x = K.normalized_adjacency(), K.identity_features()
    labels = K.notebook_labels()
    model = K.GCN(seeds=seeds)
    mask = K.node_mask(K.train_nodes()).expand(len(seeds), K.N_NODES)
    j, _, _, hand = K.objective_and_gradients(
        model, a_hat, x, labels.expand(len(seeds), K.N_NODES), mask, normalization=normalization
    )
    reference = K.objective(model, model(a_hat, x), labels, mask, normalization=normalization)
    auto = torch.autograd.grad(reference.sum(), list(model.parameters()))
    differences = [float((h - r).abs().max()) for h, r in zip(hand, auto, strict=True)]
    scale = max(float(r.abs().max()) for r in auto)
    return {
        "max_abs_difference": max(differences),
        "objective_difference": float((j - reference.detach()).abs().max()),
        "largest_gradient_entry": scale,
        "per_parameter": differences,
        "seeds": list(seeds),
    }
