"""Q4(a): the notebook's three autoencoders and the linear probe, in PyTorch.

    z = f(x̃),  x̂ = g(z),  loss = (1/B) Σ_b Σ_j (x̂_bj − x_bj)²

x̃ is the corrupted input, x the clean target:

    vanilla     x̃ = x
    denoising   x̃ = x + 0.5·ε,  ε ~ N(0, I)
    masked      x̃ = x ⊙ m,      m_j ~ Bernoulli(0.75) (each entry zeroed w.p. 0.25)

`Autoencoder(input_size, hidden_sizes, activation)`: the encoder is
Linear(input, h₁) σ Linear(h₁, h₂) σ … Linear(·, k) — the activation between
layers, none after the code — and the decoder mirrors it, Linear(k, …) σ …
Linear(h₁, input), no activation on the output. "Linear" means σ = identity.
Note that with a single hidden size there is no "between", so a ReLU
autoencoder needs at least two (the key uses [h, k]).

The probe is one Linear(k, classes) on frozen codes, trained with Adam and
cross-entropy. Several probes (draws of the labels) train at once as one
batch of independent problems: each probe's gradient is its own and Adam is
elementwise, so this is the same as training them one by one.

Shapes: x (B, input_size); codes (B, k); probe features (P, N, k).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

VARIANTS = ("vanilla", "denoising", "masked")
# Seeding the global generator and drawing a model's init must not interleave with another
# thread's: groups may train in parallel threads (torch kernels release the GIL).
SEEDING = threading.Lock()
ACTIVATIONS = {"linear": nn.Identity, "relu": nn.ReLU}
NOISE_STD = 0.5
MASK_PROBABILITY = 0.25


class Autoencoder(nn.Module):
    """x̂ = g(f(x)) with a mirrored decoder.

    Args:
        input_size: m, the data dimension.
        hidden_sizes: [h₁, …, k]; the last is the code size k.
        activation: "linear" (identity), "relu", or an nn.Module class.
    """

    def __init__(
        self,
        input_size: int,
        hidden_sizes: Sequence[int],
        activation: str | type[nn.Module] = "relu",
    ):
        super().__init__()
        if not hidden_sizes:
            raise ValueError("hidden_sizes must name at least the code size")
        if isinstance(activation, str):
            if activation not in ACTIVATIONS:
                raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}")
            activation = ACTIVATIONS[activation]
        sizes = [input_size, *hidden_sizes]
        self.input_size = input_size
        self.hidden_sizes = tuple(hidden_sizes)
        self.encoder = _stack(sizes, activation)
        self.decoder = _stack(sizes[::-1], activation)

    @property
    def code_size(self) -> int:
        return self.hidden_sizes[-1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


def _stack(sizes: Sequence[int], activation: type[nn.Module]) -> nn.Sequential:
    """Linear layers through `sizes`, the activation between them and none after the last."""
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        if i > 0:
            layers.append(activation())
        layers.append(nn.Linear(fan_in, fan_out))
    return nn.Sequential(*layers)


def add_noise(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """The denoising autoencoder's input x + 0.5·ε, ε ~ N(0, I)."""
    noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    return x + NOISE_STD * noise


def mask_entries(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """The masked autoencoder's input: each entry of x zeroed independently w.p. 0.25."""
    keep = torch.rand(x.shape, generator=generator, device=x.device) >= MASK_PROBABILITY
    return x * keep


def corrupt(x: torch.Tensor, variant: str, generator: torch.Generator | None = None):
    """The encoder's input x̃ for `variant`; the target stays x."""
    if variant == "vanilla":
        return x
    if variant == "denoising":
        return add_noise(x, generator)
    if variant == "masked":
        return mask_entries(x, generator)
    raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")


def reconstruction_loss(x_hat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """(1/B) Σ_b ‖x̂_b − x_b‖²: squared error summed over features, averaged over the batch."""
    return (x_hat - x).pow(2).sum(dim=1).mean()


def make_adam(parameters, lr: float) -> torch.optim.Optimizer:
    """Adam with the fused kernel (one call per step instead of one per tensor): the same
    update rule, about 10% less per-step overhead for these small models on CPU."""
    return torch.optim.Adam(parameters, lr=lr, fused=True)


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 10
    batch_size: int = 100
    lr: float = 5e-4


def train_epoch(
    model: Autoencoder,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    variant: str,
    batch_size: int,
    generator: torch.Generator,
) -> float:
    """One pass over x in a seeded random order; returns the mean training loss."""
    order = torch.randperm(len(x), generator=generator, device=generator.device)
    total = torch.zeros((), device=x.device)
    batches = 0
    for start in range(0, len(x), batch_size):
        target = x[order[start : start + batch_size]]
        loss = reconstruction_loss(model(corrupt(target, variant, generator)), target)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.detach()  # summed on the device: no sync per step
        batches += 1
    return float(total) / batches


@torch.no_grad()
def evaluate(model: Autoencoder, x: torch.Tensor, variant: str, seed: int) -> dict[str, float]:
    """The objective on held-out x (fixed corruption from `seed`) and the clean error."""
    generator = torch.Generator(device=x.device).manual_seed(seed)
    corrupted = corrupt(x, variant, generator)
    return {
        "objective": float(reconstruction_loss(model(corrupted), x)),
        "clean": float(reconstruction_loss(model(x), x)),
    }


@torch.no_grad()
def encode(model: Autoencoder, x: torch.Tensor, batch_size: int = 4096) -> torch.Tensor:
    """Codes f(x) of clean inputs, the probe's frozen features."""
    return torch.cat([model.encoder(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])


def train_autoencoder(
    model: Autoencoder,
    x_train: torch.Tensor,
    variant: str,
    config: TrainConfig,
    seed: int,
    on_epoch: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Adam on the reconstruction loss; `on_epoch(epoch, train_loss)` after each epoch."""
    generator = torch.Generator(device=x_train.device).manual_seed(seed)
    optimizer = make_adam(model.parameters(), config.lr)
    losses = []
    for epoch in range(1, config.epochs + 1):
        losses.append(train_epoch(model, optimizer, x_train, variant, config.batch_size, generator))
        if on_epoch is not None:
            on_epoch(epoch, losses[-1])
    return losses


# --- several seeds at once -----------------------------------------------------------


class StackedAutoencoders:
    """S autoencoders of one architecture (one per seed), trained as one batched model.

    Layer l holds W (S, fan_in, fan_out) and b (S, 1, fan_out): autoencoder s is
    `Autoencoder(input_size, hidden_sizes, activation)` built after torch.manual_seed(seeds[s]),
    so each starts exactly where the per-seed model does. The forward pass is one batched
    matmul per layer (torch.baddbmm) and the backward pass is written out (the gradient of a
    Linear layer and of ReLU), so a step costs a few large kernels instead of autograd's
    graph per seed. Each seed's loss depends on its own weights only, so the gradients and
    Adam's elementwise update are exactly those of S separate runs.

    Shapes: inputs (S, B, m) or (B, m) (shared by every seed); codes (S, B, k).
    """

    def __init__(self, models: Sequence[Autoencoder], activation: str):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}")
        self.activation = activation
        self.hidden_sizes = models[0].hidden_sizes
        self.input_size = models[0].input_size
        linears = [
            [layer for layer in (*model.encoder, *model.decoder) if isinstance(layer, nn.Linear)]
            for model in models
        ]
        self.weights = [
            torch.stack([m[i].weight.detach().T for m in linears]).contiguous()
            for i in range(len(linears[0]))
        ]
        self.biases = [
            torch.stack([m[i].bias.detach()[None] for m in linears]).contiguous()
            for i in range(len(linears[0]))
        ]
        self.encoder_layers = len(self.hidden_sizes)

    @classmethod
    def from_seeds(
        cls, input_size: int, hidden_sizes: Sequence[int], activation: str, seeds: Sequence[int]
    ) -> StackedAutoencoders:
        models = []
        with SEEDING:  # nn.Linear draws from the global generator: one thread at a time
            for seed in seeds:
                torch.manual_seed(seed)
                models.append(Autoencoder(input_size, hidden_sizes, activation))
        return cls(models, activation)

    @property
    def seeds(self) -> int:
        return self.weights[0].shape[0]

    def parameters(self) -> list[torch.Tensor]:
        return [*self.weights, *self.biases]

    def to(self, device) -> StackedAutoencoders:
        self.weights = [w.to(device) for w in self.weights]
        self.biases = [b.to(device) for b in self.biases]
        return self

    def _layers(self, x: torch.Tensor, first: int, last: int, keep: list | None = None):
        if x.dim() == 2:
            x = x.expand(self.seeds, *x.shape)
        for i in range(first, last):
            if i not in (first, self.encoder_layers) and self.activation == "relu":
                x = torch.relu(x)
            if keep is not None:
                keep.append(x)
            x = torch.baddbmm(self.biases[i], x, self.weights[i])
        return x

    @torch.no_grad()
    def encode(self, x: torch.Tensor, batch_size: int = 4096) -> torch.Tensor:
        """Codes f(x) (S, N, k) of clean inputs x (N, m) or (S, N, m)."""
        parts = [
            self._layers(x[..., i : i + batch_size, :], 0, self.encoder_layers)
            for i in range(0, x.shape[-2], batch_size)
        ]
        return torch.cat(parts, dim=1)

    @torch.no_grad()
    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        codes = self._layers(x, 0, self.encoder_layers)
        return self._layers(codes, self.encoder_layers, len(self.weights))

    @torch.no_grad()
    def loss_and_gradients(
        self, inputs: torch.Tensor, targets: torch.Tensor
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Per-seed loss (S,) and the gradients of their sum, in `parameters()` order."""
        kept: list[torch.Tensor] = []
        codes = self._layers(inputs, 0, self.encoder_layers, kept)
        outputs = self._layers(codes, self.encoder_layers, len(self.weights), kept)
        residual = outputs - targets
        loss = residual.pow(2).sum(dim=2).mean(dim=1)
        grad = residual * (2.0 / inputs.shape[1])
        weight_grads: list[torch.Tensor] = [torch.empty(0)] * len(self.weights)
        bias_grads: list[torch.Tensor] = [torch.empty(0)] * len(self.weights)
        for i in reversed(range(len(self.weights))):
            layer_input = kept[i]
            weight_grads[i] = layer_input.transpose(1, 2) @ grad
            bias_grads[i] = grad.sum(dim=1, keepdim=True)
            if i > 0:
                grad = grad @ self.weights[i].transpose(1, 2)
                if i != self.encoder_layers and self.activation == "relu":
                    grad = grad * (layer_input > 0)
        return loss, [*weight_grads, *bias_grads]

    def unstack(self, index: int) -> Autoencoder:
        """Seed `index` as a plain `Autoencoder` (copies)."""
        model = Autoencoder(self.input_size, self.hidden_sizes, self.activation)
        linears = [m for m in (*model.encoder, *model.decoder) if isinstance(m, nn.Linear)]
        with torch.no_grad():
            for layer, weight, bias in zip(linears, self.weights, self.biases, strict=True):
                layer.weight.copy_(weight[index].T)
                layer.bias.copy_(bias[index, 0])
        return model


class BatchStream:
    """Per-seed minibatch indices: each seed walks its own seeded random permutations of
    range(n) back to back, so an epoch of any number of updates is well defined (the course's
    epoch is one pass; on the embedded digits the key's epoch is more updates than one pass).
    """

    def __init__(self, n: int, batch_size: int, seeds: Sequence[int], device=None):
        self.n, self.batch_size, self.device = n, batch_size, device
        self.generators = [torch.Generator().manual_seed(seed) for seed in seeds]
        self.buffer = torch.empty((len(seeds), 0), dtype=torch.long)

    def next(self, updates: int) -> torch.Tensor:
        """Indices (updates, S, batch_size) for the next `updates` steps."""
        need = updates * self.batch_size
        while self.buffer.shape[1] < need:
            fresh = torch.stack([torch.randperm(self.n, generator=g) for g in self.generators])
            self.buffer = torch.cat([self.buffer, fresh], dim=1)
        taken, self.buffer = self.buffer[:, :need], self.buffer[:, need:]
        return (
            taken.view(len(self.generators), updates, self.batch_size)
            .transpose(0, 1)
            .to(self.device)
        )


def train_stacked(
    model: StackedAutoencoders,
    x_train: torch.Tensor,
    variant: str,
    epochs: int,
    updates_per_epoch: int,
    batch_size: int,
    lr: float,
    seeds: Sequence[int],
    on_epoch: Callable[[int], None] | None = None,
    schedule: str = "constant",
) -> list[list[float]]:
    """Adam (torch.optim.Adam, fused) on every seed's reconstruction loss at once.

    schedule: "constant" (lr throughout, as the course) or "cosine" (lr·(1 + cos πt/T)/2 at
    update t of T = epochs · updates_per_epoch; Loshchilov & Hutter 2017, no restarts).
    `on_epoch(epoch)` runs before training (epoch 0) and after each epoch of
    `updates_per_epoch` updates. Returns the mean training loss per epoch, (epochs, S).
    """
    if schedule not in ("constant", "cosine"):
        raise ValueError(f"schedule must be 'constant' or 'cosine', got {schedule!r}")
    total_updates = epochs * updates_per_epoch
    step = 0
    parameters = [p.requires_grad_(True) for p in model.parameters()]
    optimizer = torch.optim.Adam(parameters, lr=lr, fused=x_train.device.type != "mps")
    stream = BatchStream(len(x_train), batch_size, seeds, x_train.device)
    noise = torch.Generator(device=x_train.device).manual_seed(int(seeds[0]) * 7919 + 17)
    losses = []
    if on_epoch is not None:
        on_epoch(0)
    for epoch in range(1, epochs + 1):
        total = torch.zeros(model.seeds, device=x_train.device)
        for indices in stream.next(updates_per_epoch):
            targets = x_train[indices]  # (S, B, m)
            loss, grads = model.loss_and_gradients(corrupt(targets, variant, noise), targets)
            for parameter, grad in zip(parameters, grads, strict=True):
                parameter.grad = grad
            if schedule == "cosine":
                optimizer.param_groups[0]["lr"] = (
                    lr * (1 + math.cos(math.pi * step / total_updates)) / 2
                )
            optimizer.step()
            step += 1
            total += loss
        losses.append((total / updates_per_epoch).tolist())
        if on_epoch is not None:
            on_epoch(epoch)
    for parameter in parameters:
        parameter.requires_grad_(False)
        parameter.grad = None
    return losses


@torch.no_grad()
def evaluate_stacked(
    model: StackedAutoencoders, x: torch.Tensor, variant: str, seed: int
) -> dict[str, list[float]]:
    """Per-seed held-out objective (fixed corruption from `seed`) and clean error."""
    generator = torch.Generator(device=x.device).manual_seed(seed)
    corrupted = corrupt(x, variant, generator)
    objective = (model(corrupted) - x).pow(2).sum(dim=2).mean(dim=1)
    clean = (model(x) - x).pow(2).sum(dim=2).mean(dim=1)
    return {"objective": objective.tolist(), "clean": clean.tolist()}


# --- the linear probe --------------------------------------------------------------


@dataclass(frozen=True)
class ProbeConfig:
    epochs: int = 50
    batch_size: int = 100  # ≥ the number of labels: full batch, one step per epoch
    lr: float = 1e-3
    eval_every: int = 0  # test accuracy before training and every this many epochs; 0: at the end


def init_probes(
    count: int, features: int, classes: int, generator: torch.Generator, device=None
) -> tuple[torch.Tensor, torch.Tensor]:
    """nn.Linear's default init for `count` probes: W, b ~ U(−1/√k, 1/√k).

    Shapes: W (count, k, classes), b (count, 1, classes).
    """
    bound = 1.0 / math.sqrt(features)
    weight = torch.rand((count, features, classes), generator=generator) * 2 - 1
    bias = torch.rand((count, 1, classes), generator=generator) * 2 - 1
    return (weight * bound).to(device), (bias * bound).to(device)


ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


class _Adam:
    """torch.optim.Adam's update (no weight decay, no amsgrad) on plain tensors.

    The probe is one matrix product, so its gradient is written out and the whole
    step is a dozen tensor ops; autograd plus torch.optim cost several times more per
    step, which over 1000-step probes on every grid cell is most of the probe's time.
    Tested against torch.optim.Adam with autograd.
    """

    def __init__(self, parameters: list[torch.Tensor], lr: float):
        self.parameters, self.lr, self.steps = parameters, lr, 0
        self.first = [torch.zeros_like(p) for p in parameters]
        self.second = [torch.zeros_like(p) for p in parameters]

    def step(self, gradients: list[torch.Tensor]) -> None:
        beta1, beta2 = ADAM_BETAS
        self.steps += 1
        step_size = self.lr / (1 - beta1**self.steps)
        root_correction = math.sqrt(1 - beta2**self.steps)
        for param, grad, first, second in zip(
            self.parameters, gradients, self.first, self.second, strict=True
        ):
            first.mul_(beta1).add_(grad, alpha=1 - beta1)
            second.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denominator = (second.sqrt() / root_correction).add_(ADAM_EPS)
            param.addcdiv_(first, denominator, value=-step_size)


# Full-batch probes train block by block, each block running all its epochs while its codes
# stay in the CPU's cache; stepping all P probes together streams every code from memory
# twice a step. 16 MiB: fastest measured here (2.1× at P = 150, N = 200, k = 1000).
PROBE_BLOCK_BYTES = 16 << 20


def train_probes(
    features: torch.Tensor,
    labels: torch.Tensor,
    test_features: torch.Tensor,
    test_labels: torch.Tensor,
    classes: int,
    config: ProbeConfig,
    seed: int,
    init: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> dict:
    """Train P independent linear probes at once and track their test accuracy.

    Each probe minimizes the mean cross-entropy of softmax(zW + b) with Adam; the
    gradient of the mean cross-entropy is Zᵀ(softmax(ZW + b) − Y)/B (Y one-hot).
    W is held as Wᵀ (P, C, k): the step then reads Z (P, N, k) in its stored order for
    both products, ZW and (RᵀZ)ᵀ, which on a CPU is about 1.5× faster at k = 1000 than
    Zᵀ R (the products are memory-bound: C is small). Adam is elementwise, so the layout
    does not change the update. The probes train in blocks of PROBE_BLOCK_BYTES of codes;
    a probe's numbers do not depend on the blocking or on which probes train beside it.

    Args:
        features: (P, N, k) frozen codes of each probe's labelled examples.
        labels: (P, N) their classes.
        test_features: (T, k) codes of the test split, shared by every probe, or (G, T, k):
            G encoders' codes, probes g·P/G … (g+1)·P/G − 1 read encoder g's.
        test_labels: (T,).
        init: (W (P, k, C), b (P, 1, C)) to start from (copied); default nn.Linear's init
            drawn from `seed`. Minibatch orders come from seed + 1 and are shared by all
            probes, so a probe's run does not depend on which others train beside it.
    Returns:
        {"epochs": [0, e, 2e, …], "accuracy": (P, len(epochs)) list of lists,
         "weight": (P, k, C) tensor, "bias": (P, 1, C) tensor}
    Raises:
        ValueError: P is not a multiple of G.
    """
    count, size, k = features.shape
    device = features.device
    if init is None:
        init = init_probes(count, k, classes, torch.Generator().manual_seed(seed), device)
    weight, bias = (t.to(device=device, dtype=features.dtype) for t in init)
    onehot = nn.functional.one_hot(labels, classes).to(features.dtype)
    orders = None
    if config.batch_size < size:
        order_generator = torch.Generator(device=device).manual_seed(seed + 1)
        orders = [
            torch.randperm(size, generator=order_generator, device=device).split(config.batch_size)
            for _ in range(config.epochs)
        ]
    groups = 1 if test_features.dim() == 2 else test_features.shape[0]
    if count % groups:
        raise ValueError(f"{count} probes do not split over {groups} test-feature groups")
    shared = test_features.view(groups, -1, k)
    per_group = count // groups
    # Full batch reads the same codes every step, so a block's stay in cache; minibatches
    # are gathered afresh each step, so they gain nothing from blocks.
    block = max(1, PROBE_BLOCK_BYTES // (size * k * features.element_size()))
    block = count if orders is not None else block
    # A block is whole groups, or one group in parts when a group alone is too large.
    if per_group <= block:
        stride = block // per_group * per_group
        spans = [(first, min(first + stride, count)) for first in range(0, count, stride)]
    else:
        spans = [
            (first, min(first + block, (g + 1) * per_group))
            for g in range(groups)
            for first in range(g * per_group, (g + 1) * per_group, block)
        ]
    blocks = []
    for first, last in spans:
        g_first, g_last = first // per_group, -(-last // per_group)
        blocks.append(
            _train_probe_block(
                features[first:last],
                onehot[first:last],
                shared[g_first:g_last],
                test_labels,
                (weight[first:last], bias[first:last]),
                config,
                orders,
            )
        )
    return {
        "epochs": blocks[0]["epochs"],
        "accuracy": [row for b in blocks for row in b["accuracy"]],
        "weight": torch.cat([b["weight"] for b in blocks]),
        "bias": torch.cat([b["bias"] for b in blocks]),
    }


def _train_probe_block(features, onehot, test_features, test_labels, init, config, orders):
    """`train_probes` on one block: whole groups of probes sharing their test codes
    (G, T, k), or part of one group (1, T, k)."""
    # (P, C, k), always a copy: .contiguous() would return the caller's tensor when k = 1
    weight_t = init[0].transpose(1, 2).clone(memory_format=torch.contiguous_format)
    bias = init[1].clone()
    optimizer = _Adam([weight_t, bias], config.lr)
    count, classes, k = weight_t.shape
    groups = test_features.shape[0]

    def accuracy() -> list[float]:
        # One batched matmul: each group's test codes against its probes' weights.
        flat = weight_t.view(groups, count // groups * classes, k).transpose(1, 2)
        logits = (test_features @ flat).view(groups, -1, count // groups, classes)
        logits = logits + bias.view(groups, 1, count // groups, classes)
        hits = logits.argmax(dim=3) == test_labels.view(1, -1, 1)
        return hits.float().mean(dim=1).reshape(count).tolist()

    def step(batch_features: torch.Tensor, batch_onehot: torch.Tensor) -> None:
        logits = torch.baddbmm(bias, batch_features, weight_t.transpose(1, 2))
        residual = (torch.softmax(logits, dim=2) - batch_onehot) / batch_features.shape[1]
        optimizer.step([residual.transpose(1, 2) @ batch_features, residual.sum(1, keepdim=True)])

    epochs, curve = [0], [accuracy()]
    for epoch in range(1, config.epochs + 1):
        if orders is None:
            step(features, onehot)
        else:
            for index in orders[epoch - 1]:
                step(features[:, index], onehot[:, index])
        if (config.eval_every and epoch % config.eval_every == 0) or epoch == config.epochs:
            epochs.append(epoch)
            curve.append(accuracy())
    return {
        "epochs": epochs,
        "accuracy": [list(row) for row in zip(*curve, strict=True)],
        "weight": weight_t.transpose(1, 2),
        "bias": bias,
    }
