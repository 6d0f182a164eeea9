"""Q1: a graph convolutional network on Zachary's karate club, written by hand.

Every TODO of the notebook `q_zkc.ipynb` is one small function or class here,
so the solution notebook can show them one at a time:

    Ã = A + I                              add_self_loops
    Â = D^{-1/2} Ã D^{-1/2}, D = rowsum Ã  symmetric_normalize
    X = I₃₄                                identity_features
    H' = tanh(Â H Wᵀ), forward + backward  GCNLayerFunction (autograd.Function), GCNLayer
    gradient check                         numeric.karate_club.gradcheck_gcn_layer
    the model                              GCN, instantiated with hidden_sizes=[16, 2]
    the training loop                      train (train/test loss and accuracy per epoch)

The notebook's settings (HW6.md, "q_zkc.ipynb"): 0/1 adjacency by default
(networkx ≥ 2.7 attaches interaction counts as weights; `weighted=True` uses
them), labels from greedy modularity communities (kept below as a literal),
init uniform on ±√(5/(fan_in+fan_out)), seed 100, ten test nodes, full-batch
gradient descent with lr 2e-2 and weight decay 2.5e-2 (the softmax bias is not
decayed), early stopping after 50 epochs without improvement.

The objective, as the notebook's gradients define it: with N = 34 nodes,

    J(θ) = (1/N) [ Σ_{i ∈ train} CE_i + (λ/2) Σ_W ‖W‖²_F ]

i.e. the notebook divides every gradient, the decay term included, by the
node count. Unlike the original helper code (whose softmax backward pass built
its training mask from an attribute that was never set, so the cross-entropy
of all 34 nodes drove the gradient), the sum runs over train nodes only.

Everything is float64: the networks are tiny, and float64 makes the hand
backward pass comparable with autograd to ~1e-12.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import networkx as nx
import torch
from torch import Tensor, nn

DTYPE = torch.float64
N_NODES = 34
SEED = 100
HIDDEN_SIZES = (16, 2)
LEARNING_RATE = 2e-2
WEIGHT_DECAY = 2.5e-2
MAX_EPOCHS = 20_000
PATIENCE = 50
INIT_NUMERATOR = 5.0  # the notebook's init: uniform on ±√(5 / (fan_in + fan_out))

# The notebook's test nodes. The notebook lists node 8 twice; a node is tested once here
# (the duplicate only weighted node 8 twice in the original's mean test loss).
TEST_NODES = (0, 1, 3, 8, 15, 16, 20, 25, 28, 30)

# The notebook's two classes: class 0 is the first community that networkx's
# greedy_modularity_communities finds on the unweighted graph, class 1 the rest
# (the other communities merged). Kept as a literal because the detection is not a
# stable definition: the weighted graph gives another partition (node 9 changes
# side) and other networkx releases may too. `detect_notebook_labels` recomputes it
# and the tests compare.
NOTEBOOK_CLASS_0 = frozenset({8, 14, 15, 18, 20, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33})

LABEL_SETS = ("notebook", "club")
ADJACENCIES = ("binary", "weighted")
# Class 0, class 1 of the `club` label set, aligned with the notebook's classes: its
# class 0 is the community of the Officer (node 33), class 1 that of Mr. Hi (node 0).
CLUB_NAMES = ("Officer", "Mr. Hi")
MR_HI, OFFICER = 0, 33  # the two leaders: the instructor and the administrator


@contextlib.contextmanager
def single_thread():
    """One intra-op thread while inside: these matrices are tiny, so threads only add
    overhead (and contention on a shared machine), and a fixed thread count keeps the
    floating-point reductions, hence the numbers, the same from run to run."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


# --- the graph ---------------------------------------------------------------------


def karate_graph() -> nx.Graph:
    """Zachary's karate club: 34 members, 78 friendships (ships with networkx)."""
    return nx.karate_club_graph()


def adjacency(graph: nx.Graph | None = None, weighted: bool = False) -> Tensor:
    """A ∈ R^{N×N}: 0/1 by default; interaction counts (1–7) as weights if `weighted`.

    networkx ≥ 2.7 stores the counts as edge weights and `to_numpy_array` uses
    them unless told `weight=None`; the 2022 course ran with 0/1 entries.
    """
    graph = karate_graph() if graph is None else graph
    nodes = sorted(graph.nodes)
    matrix = nx.to_numpy_array(graph, nodelist=nodes, weight="weight" if weighted else None)
    return torch.as_tensor(matrix, dtype=DTYPE)


def add_self_loops(a: Tensor) -> Tensor:
    """Ã = A + I: each node also keeps its own features when aggregating."""
    return a + torch.eye(a.shape[0], dtype=a.dtype)


def symmetric_normalize(a_tilde: Tensor) -> Tensor:
    """Â = D^{-1/2} Ã D^{-1/2}, D = diag(row sums of Ã).

    Entry (i, j) is Ã_ij / √(d_i d_j). Â is symmetric with eigenvalues in (-1, 1],
    so repeated propagation neither blows up nor vanishes.
    """
    inv_sqrt_degree = a_tilde.sum(dim=1).rsqrt()
    return inv_sqrt_degree[:, None] * a_tilde * inv_sqrt_degree[None, :]


def normalized_adjacency(graph: nx.Graph | None = None, weighted: bool = False) -> Tensor:
    """Â = D^{-1/2}(A + I)D^{-1/2} for the karate club (or `graph`)."""
    return symmetric_normalize(add_self_loops(adjacency(graph, weighted)))


def identity_features(n: int = N_NODES) -> Tensor:
    """X = I_n: no node features, only identities (one-hot node ids)."""
    return torch.eye(n, dtype=DTYPE)


# --- labels ------------------------------------------------------------------------


def detect_notebook_labels(graph: nx.Graph | None = None, weighted: bool = False) -> frozenset:
    """Class 0 as the notebook computed it: the first greedy-modularity community."""
    from networkx.algorithms.community import greedy_modularity_communities

    graph = karate_graph() if graph is None else graph
    communities = greedy_modularity_communities(graph, weight="weight" if weighted else None)
    return frozenset(communities[0])


def notebook_labels(n: int = N_NODES) -> Tensor:
    """y_i = 0 for the notebook's class-0 community, 1 for every other node."""
    return torch.tensor([0 if i in NOTEBOOK_CLASS_0 else 1 for i in range(n)])


def club_labels(graph: nx.Graph | None = None) -> Tensor:
    """The real split: y_i = 0 if member i joined the Officer's club, 1 if Mr. Hi's."""
    graph = karate_graph() if graph is None else graph
    return torch.tensor([CLUB_NAMES.index(graph.nodes[i]["club"]) for i in sorted(graph.nodes)])


def labels_for(label_set: str) -> Tensor:
    if label_set == "notebook":
        return notebook_labels()
    if label_set == "club":
        return club_labels()
    raise ValueError(f"unknown label set {label_set!r}; valid: {', '.join(LABEL_SETS)}")


def train_nodes(test_nodes: Iterable[int] = TEST_NODES, n: int = N_NODES) -> tuple[int, ...]:
    """Every node that is not a test node (24 of them for the notebook's split)."""
    held_out = set(test_nodes)
    return tuple(i for i in range(n) if i not in held_out)


def leader_min_cut(weighted: bool = True) -> tuple[frozenset, frozenset, float]:
    """Zachary's analysis: the minimum cut separating Mr. Hi (0) from the Officer (33).

    Capacities are the interaction counts (Zachary's weighted graph) or 1 per edge.
    Returns (Mr. Hi's side, the Officer's side, the cut's capacity).
    """
    graph = karate_graph()
    flow = nx.Graph()
    for u, v, data in graph.edges(data=True):
        flow.add_edge(u, v, capacity=data["weight"] if weighted else 1)
    value, (hi_side, officer_side) = nx.minimum_cut(flow, MR_HI, OFFICER)
    return frozenset(hi_side), frozenset(officer_side), float(value)


# --- the GCN layer, its hand-written backward pass, and the model --------------------


def gcn_layer_forward(a_hat: Tensor, x: Tensor, weight: Tensor) -> tuple[Tensor, Tensor]:
    """H' = tanh(Â X Wᵀ), and Â X (which the backward pass reuses).

    Shapes: Â (N, N), X (…, N, F_in), W (…, F_out, F_in) → H' (…, N, F_out); an
    optional leading dimension holds independent copies of the network (seeds).
    """
    ax = a_hat @ x
    return torch.tanh(ax @ weight.mT), ax


def gcn_layer_backward(
    grad_h: Tensor,
    a_hat: Tensor,
    x: Tensor,
    weight: Tensor,
    ax: Tensor,
    h: Tensor,
    needs: tuple[bool, bool, bool] = (True, True, True),
) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
    """The layer's backward pass, derived by hand (`derivations.karate_club`).

    With G = ∂L/∂H' and S = G ⊙ (1 − H' ⊙ H')   (tanh' = 1 − tanh², S = ∂L/∂Z, Z = ÂXWᵀ):
        ∂L/∂Â = S W Xᵀ     (N, N)
        ∂L/∂X = Âᵀ S W     (N, F_in)
        ∂L/∂W = Sᵀ Â X     (F_out, F_in)
    each summed over the copies an input was shared across. `needs` says which of
    (Â, X, W) to compute; the others are None.
    """
    s = grad_h * (1 - h * h)
    grad_a = grad_x = grad_w = None
    if needs[0] or needs[1]:
        sw = s @ weight
        if needs[0]:
            grad_a = _sum_to(sw @ x.mT, a_hat)
        if needs[1]:
            grad_x = _sum_to(a_hat.mT @ sw, x)
    if needs[2]:
        grad_w = _sum_to(s.mT @ ax, weight)
    return grad_a, grad_x, grad_w


def _sum_to(grad: Tensor, like: Tensor) -> Tensor:
    """Sum a gradient over the copies its input was broadcast across (if any)."""
    return grad if grad.shape == like.shape else grad.sum_to_size(like.shape)


class GCNLayerFunction(torch.autograd.Function):
    """H' = tanh(Â X Wᵀ) as an autograd Function whose backward is `gcn_layer_backward`.

    Checked against autograd's own derivative with `torch.autograd.gradcheck` in
    float64 (`numeric.karate_club.gradcheck_gcn_layer`).
    """

    @staticmethod
    def forward(ctx, a_hat: Tensor, x: Tensor, weight: Tensor) -> Tensor:
        h, ax = gcn_layer_forward(a_hat, x, weight)
        # Â and ÂX only when a gradient uses them; X and W give the gradients' shapes.
        _, needs_x, needs_w = ctx.needs_input_grad
        ctx.save_for_backward(a_hat if needs_x else None, x, weight, ax if needs_w else None, h)
        return h

    @staticmethod
    def backward(ctx, grad_h: Tensor):
        a_hat, x, weight, ax, h = ctx.saved_tensors
        return gcn_layer_backward(grad_h, a_hat, x, weight, ax, h, ctx.needs_input_grad)


def gcn_layer(a_hat: Tensor, x: Tensor, weight: Tensor) -> Tensor:
    """tanh(Â X Wᵀ) through the hand-written backward pass."""
    return GCNLayerFunction.apply(a_hat, x, weight)


def gcn_layer_reference(a_hat: Tensor, x: Tensor, weight: Tensor) -> Tensor:
    """The same layer left to autograd: the reference the hand backward is checked against."""
    return torch.tanh(a_hat @ x @ weight.mT)


def notebook_uniform_(weight: Tensor, generator: torch.Generator) -> Tensor:
    """The notebook's init, in place: W ~ U(−b, b), b = √(5 / (fan_in + fan_out))."""
    fan_out, fan_in = weight.shape[-2:]
    bound = math.sqrt(INIT_NUMERATOR / (fan_in + fan_out))
    with torch.no_grad():
        weight.uniform_(-bound, bound, generator=generator)
    return weight


def _init_weight(shape: tuple[int, int], generators: list[torch.Generator], replicated: bool):
    weight = torch.empty((len(generators), *shape) if replicated else shape, dtype=DTYPE)
    for index, generator in enumerate(generators):
        notebook_uniform_(weight[index] if replicated else weight, generator)
    return nn.Parameter(weight)


class GCNLayer(nn.Module):
    """One graph convolution H' = tanh(Â H Wᵀ), W ∈ R^{out×in}, no bias (as in the notebook)."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        generators: list[torch.Generator],
        replicated: bool = False,
    ):
        super().__init__()
        self.weight = _init_weight((out_features, in_features), generators, replicated)

    def forward(self, a_hat: Tensor, h: Tensor) -> Tensor:
        return gcn_layer(a_hat, h, self.weight)


class SoftmaxClassifier(nn.Module):
    """Logits z = H Wᵀ + b; the class probabilities are softmax(z) (taken inside the loss)."""

    def __init__(
        self,
        in_features: int,
        n_classes: int,
        generators: list[torch.Generator],
        replicated: bool = False,
    ):
        super().__init__()
        self.weight = _init_weight((n_classes, in_features), generators, replicated)
        bias_shape = (len(generators), n_classes) if replicated else (n_classes,)
        self.bias = nn.Parameter(torch.zeros(bias_shape, dtype=DTYPE))

    def forward(self, h: Tensor) -> Tensor:
        return h @ self.weight.mT + self.bias.unsqueeze(-2)


class GCN(nn.Module):
    """GCN layers n_inputs → hidden_sizes[0] → … → hidden_sizes[-1], then a softmax classifier.

    The last GCN layer's output (2-d for hidden_sizes [16, 2]) is the node
    embedding the notebook plots. Weights are drawn layer by layer from a
    generator seeded with `seed`. Given `seeds` instead, the module holds one
    independent network per seed along a leading dimension (each initialised
    exactly as `GCN(seed=s)`), so several runs train as one batch.
    """

    def __init__(
        self,
        n_inputs: int = N_NODES,
        hidden_sizes: Sequence[int] = HIDDEN_SIZES,
        n_classes: int = 2,
        seed: int = SEED,
        seeds: Sequence[int] | None = None,
    ):
        super().__init__()
        self.seeds = None if seeds is None else tuple(seeds)
        replicated = self.seeds is not None
        generators = [torch.Generator().manual_seed(s) for s in (self.seeds or (seed,))]
        sizes = [n_inputs, *hidden_sizes]
        self.layers = nn.ModuleList(
            GCNLayer(fan_in, fan_out, generators, replicated)
            for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True)
        )
        self.classifier = SoftmaxClassifier(sizes[-1], n_classes, generators, replicated)

    @property
    def replicas(self) -> int | None:
        """The number of networks held, or None for a single (unbatched) network."""
        return None if self.seeds is None else len(self.seeds)

    def embed(self, a_hat: Tensor, x: Tensor) -> Tensor:
        """The last GCN layer's output, (…, N, hidden_sizes[-1])."""
        h = x
        for layer in self.layers:
            h = layer(a_hat, h)
        return h

    def forward(self, a_hat: Tensor, x: Tensor) -> Tensor:
        """Logits (…, N, n_classes)."""
        return self.classifier(self.embed(a_hat, x))

    def decayed_weights(self) -> list[Tensor]:
        """Every weight matrix; the classifier's bias is left out of the weight decay."""
        return [layer.weight for layer in self.layers] + [self.classifier.weight]

    def squared_weight_norm(self) -> Tensor:
        """Σ_W ‖W‖²_F over the decayed weights, per network."""
        return sum((w * w).sum(dim=(-2, -1)) for w in self.decayed_weights())


def node_mask(indices: Iterable[int], n: int = N_NODES) -> Tensor:
    """A 0/1 vector over the n nodes, 1 at `indices`."""
    mask = torch.zeros(n, dtype=DTYPE)
    mask[list(indices)] = 1.0
    return mask


def node_cross_entropy(logits: Tensor, labels: Tensor) -> Tensor:
    """−log softmax(z_i)[y_i] for every node: (…, N, C), (…, N) → (…, N)."""
    one_hot = nn.functional.one_hot(labels, logits.shape[-1]).to(logits.dtype)
    return -(torch.log_softmax(logits, dim=-1) * one_hot).sum(dim=-1)


NORMALIZATIONS = ("nodes", "labelled")


def normalizer(train_mask: Tensor, normalization: str = "nodes") -> Tensor:
    """The divisor of J per network: N, the number of nodes, as the notebook's gradients
    have it ("nodes"); or the number of labelled nodes, the mean cross-entropy of Kipf &
    Welling ("labelled"). Either has the same minimizers; only the step size differs."""
    if normalization == "nodes":
        return torch.full(train_mask.shape[:-1], float(train_mask.shape[-1]), dtype=DTYPE)
    if normalization == "labelled":
        return train_mask.sum(dim=-1)
    raise ValueError(f"unknown normalization {normalization!r}; valid: {NORMALIZATIONS}")


def objective(
    model: GCN,
    logits: Tensor,
    labels: Tensor,
    train_mask: Tensor,
    weight_decay: float = WEIGHT_DECAY,
    normalization: str = "nodes",
) -> Tensor:
    """J = (1/N)[Σ_{i∈train} CE_i + (λ/2) Σ_W ‖W‖²_F], N the number of nodes (module doc).

    `train_mask` is 1 on the train nodes (`node_mask`). Returns one value per network.
    This is the autograd reference for `objective_and_gradients`.
    """
    cross_entropy = (node_cross_entropy(logits, labels) * train_mask).sum(dim=-1)
    penalty = 0.5 * weight_decay * model.squared_weight_norm()
    return (cross_entropy + penalty) / normalizer(train_mask, normalization)


# --- training ----------------------------------------------------------------------

MONITORS = ("objective", "test_loss")


def objective_and_gradients(
    model: GCN,
    a_hat: Tensor,
    x: Tensor,
    labels: Tensor,
    train_mask: Tensor,
    weight_decay: float = WEIGHT_DECAY,
    normalization: str = "nodes",
) -> tuple[Tensor, Tensor, Tensor, list[Tensor]]:
    """J and ∇J, backpropagated by hand through the network, as the notebook trains.

    Returns (J per network, the per-node cross-entropy, the logits, the gradients in
    `model.parameters()` order). A test checks it against autograd's gradient of
    `objective`.
    """
    *weights, bias = (p.detach() for p in model.parameters())
    one_hot = nn.functional.one_hot(labels, bias.shape[-1]).to(DTYPE)
    divisor = normalizer(train_mask, normalization)
    return _forward_backward(a_hat, x, weights, bias, one_hot, train_mask, divisor, weight_decay)


def _forward_backward(
    a_hat: Tensor,
    x: Tensor,
    weights: list[Tensor],
    bias: Tensor,
    one_hot: Tensor,
    train_mask: Tensor,
    divisor: Tensor,
    weight_decay: float,
) -> tuple[Tensor, Tensor, Tensor, list[Tensor]]:
    """The network's forward and backward pass on plain tensors.

    `weights` are the GCN layers' weights, then the classifier's; `divisor` is J's
    normalizer N per network. The softmax cross-entropy's gradient at the logits is
    (softmax(z) − y)/N on each train node; the classifier passes G Wc back to the
    embedding; each GCN layer applies `gcn_layer_backward`; the weight decay adds
    (λ/N) W to each weight's gradient (the bias is not decayed).
    """
    *gcn_weights, classifier = weights
    inputs, axs, outputs = [], [], []
    h = x
    for weight in gcn_weights:
        inputs.append(h)
        h, ax = gcn_layer_forward(a_hat, h, weight)
        axs.append(ax)
        outputs.append(h)
    logits = h @ classifier.mT + bias.unsqueeze(-2)
    log_p = torch.log_softmax(logits, dim=-1)
    per_node = -(log_p * one_hot).sum(dim=-1)
    squared_norm = sum((w * w).sum(dim=(-2, -1)) for w in weights)
    j = ((per_node * train_mask).sum(dim=-1) + 0.5 * weight_decay * squared_norm) / divisor

    decay = (weight_decay / divisor)[..., None, None]
    grad_logits = (log_p.exp() - one_hot) * (train_mask / divisor.unsqueeze(-1)).unsqueeze(-1)
    grad_classifier = grad_logits.mT @ h + decay * classifier
    grad_bias = grad_logits.sum(dim=-2)
    grad_h = grad_logits @ classifier
    grads = []
    for index in reversed(range(len(gcn_weights))):
        weight = gcn_weights[index]
        needs = (False, index > 0, True)  # the input X needs no gradient
        _, grad_x, grad_w = gcn_layer_backward(
            grad_h, a_hat, inputs[index], weight, axs[index], outputs[index], needs
        )
        grads.insert(0, grad_w + decay * weight)
        grad_h = grad_x
    return j, per_node, logits, [*grads, grad_classifier, grad_bias]


@dataclass
class History:
    """One network's per-epoch metrics, measured before that epoch's update.

    Losses are the mean cross-entropy over the train / test nodes (no decay
    term), as the notebook plots them; `objective` is J.
    """

    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)
    epochs: int = 0
    stopped_early: bool = False
    best_epoch: int = 0  # the epoch (0-based) of the monitored quantity's minimum

    def as_dict(self) -> dict:
        return asdict(self)


def _masks(indices, batch: tuple[int, ...], n: int) -> Tensor:
    """0/1 masks of shape batch + (n,) from one index list, or one list per network."""
    indices = list(indices)
    if indices and isinstance(indices[0], Iterable):
        if (len(indices),) != batch:
            raise ValueError(f"{len(indices)} index lists for networks of shape {batch}")
        return torch.stack([node_mask(idx, n) for idx in indices])
    return node_mask(indices, n).expand(*batch, n)


def train(
    model: GCN,
    a_hat: Tensor,
    x: Tensor,
    labels: Tensor,
    train_idx,
    test_idx,
    lr: float = LEARNING_RATE,
    weight_decay: float = WEIGHT_DECAY,
    max_epochs: int = MAX_EPOCHS,
    patience: int | None = PATIENCE,
    monitor: str = "objective",
    normalization: str = "nodes",
) -> History | list[History]:
    """Full-batch gradient descent θ ← θ − lr ∇J(θ), on the train nodes' labels only.

    Each epoch: forward pass, cross-entropy on the train nodes, the backward pass by
    hand (`objective_and_gradients`), one gradient step; the train/test loss and
    accuracy are recorded. Early stopping: a network stops once `monitor` has not
    improved for `patience` epochs (`patience=None`: all `max_epochs`) and keeps the
    weights of its last update, as the notebook does. The default monitor is the
    objective J, which sees train labels only; `monitor="test_loss"` watches the
    test nodes' loss, i.e. uses the test labels to decide when to stop.

    `normalization` picks J's divisor (`normalizer`): the notebook's N by default.
    For a model built with `seeds`, `labels` may be (R, N) and `train_idx` /
    `test_idx` one index list per network; the result is one History per network.
    """
    if monitor not in MONITORS:
        raise ValueError(f"unknown monitor {monitor!r}; valid: {', '.join(MONITORS)}")
    n = a_hat.shape[0]
    batch = () if model.replicas is None else (model.replicas,)
    labels = labels.expand(*batch, n)
    train_mask, test_mask = _masks(train_idx, batch, n), _masks(test_idx, batch, n)
    train_count, test_count = train_mask.sum(dim=-1), test_mask.sum(dim=-1)
    divisor = normalizer(train_mask, normalization)
    params = [p.detach() for p in model.parameters()]  # plain views: updated in place
    one_hot = nn.functional.one_hot(labels, params[-1].shape[-1]).to(DTYPE)
    # (…, N, 2): averaging weights of the train and the test nodes
    averaging = torch.stack(
        [train_mask / train_count.unsqueeze(-1), test_mask / test_count.unsqueeze(-1)], dim=-1
    )
    # records[epoch] = (train loss, test loss, train accuracy, test accuracy, objective)
    records = torch.full((max_epochs, 5, *batch), math.nan, dtype=DTYPE)
    watched = 1 if monitor == "test_loss" else 4
    active = torch.ones(batch, dtype=torch.bool)
    all_active = True
    epochs = torch.full(batch, max_epochs)
    best = torch.full(batch, math.inf, dtype=DTYPE)
    best_epoch = torch.zeros(batch, dtype=torch.long)
    since_best = torch.zeros(batch, dtype=torch.long)
    with torch.no_grad(), single_thread():
        for epoch in range(max_epochs):
            j, per_node, logits, grads = _forward_backward(
                a_hat, x, params[:-1], params[-1], one_hot, train_mask, divisor, weight_decay
            )
            if all_active:
                torch._foreach_add_(params, grads, alpha=-lr)
            else:  # a stopped network no longer moves
                step = lr * active.to(DTYPE)
                for p, g in zip(params, grads, strict=True):
                    p -= step.view(*batch, *[1] * (p.dim() - len(batch))) * g
            correct = (logits.argmax(dim=-1) == labels).to(DTYPE)
            # [[train loss, test loss], [train accuracy, test accuracy]] per network
            means = (torch.stack([per_node, correct]).unsqueeze(-2) @ averaging).squeeze(-2)
            row = torch.cat([means.movedim(-1, 1).reshape(4, *batch), j.unsqueeze(0)])
            records[epoch] = row if all_active else torch.where(active, row, records[epoch])
            value = row[watched]
            improved = active & (value < best)
            best = torch.where(improved, value, best)
            best_epoch = torch.where(improved, epoch, best_epoch)
            since_best = torch.where(improved, 0, since_best + 1)
            if patience is not None:
                stopping = active & (since_best >= patience)
                if bool(stopping.any()):
                    epochs = torch.where(stopping, epoch + 1, epochs)
                    active &= ~stopping
                    all_active = False
                    if not active.any():
                        break
    records = records.reshape(max_epochs, 5, -1)
    epochs, best_epoch = epochs.reshape(-1), best_epoch.reshape(-1)
    histories = [
        History(
            *records[: int(epochs[r]), :, r].T.tolist(),
            epochs=int(epochs[r]),
            stopped_early=int(epochs[r]) < max_epochs,
            best_epoch=int(best_epoch[r]),
        )
        for r in range(records.shape[2])
    ]
    return histories if model.replicas else histories[0]


def evaluate(model: GCN, a_hat: Tensor, x: Tensor) -> dict[str, Tensor]:
    """The trained network's embedding, probabilities and predicted class for every node."""
    with torch.no_grad():
        embedding = model.embed(a_hat, x)
        logits = model.classifier(embedding)
        return {
            "embedding": embedding,
            "probabilities": torch.softmax(logits, dim=-1),
            "prediction": logits.argmax(dim=-1),
        }
