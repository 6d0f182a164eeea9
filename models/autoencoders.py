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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

VARIANTS = ("vanilla", "denoising", "masked")
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


# --- the linear probe --------------------------------------------------------------


@dataclass(frozen=True)
class ProbeConfig:
    epochs: int = 50
    batch_size: int = 100  # ≥ the number of labels: full batch, one step per epoch
    lr: float = 1e-3
    eval_every: int = 1  # test accuracy before training and after every this many epochs


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


def train_probes(
    features: torch.Tensor,
    labels: torch.Tensor,
    test_features: torch.Tensor,
    test_labels: torch.Tensor,
    classes: int,
    config: ProbeConfig,
    seed: int,
) -> dict:
    """Train P independent linear probes at once and track their test accuracy.

    Each probe minimizes the mean cross-entropy of softmax(zW + b) with Adam; the
    gradient of the mean cross-entropy is Zᵀ(softmax(ZW + b) − Y)/B (Y one-hot).

    Args:
        features: (P, N, k) frozen codes of each probe's labelled examples.
        labels: (P, N) their classes.
        test_features: (T, k) codes of the test split, shared by every probe.
        test_labels: (T,).
    Returns:
        {"epochs": [0, e, 2e, …], "accuracy": (P, len(epochs)) list of lists,
         "weight": (P, k, C) tensor, "bias": (P, 1, C) tensor}
    """
    count, size, k = features.shape
    device = features.device
    generator = torch.Generator().manual_seed(seed)
    weight, bias = init_probes(count, k, classes, generator, device)
    optimizer = _Adam([weight, bias], config.lr)
    onehot = nn.functional.one_hot(labels, classes).to(features.dtype)
    order_generator = torch.Generator(device=device).manual_seed(seed + 1)

    def accuracy() -> list[float]:
        # One matmul for every probe: the test codes are shared.
        flat = weight.permute(1, 0, 2).reshape(k, count * classes)
        logits = (test_features @ flat).view(-1, count, classes) + bias.view(1, count, classes)
        return (logits.argmax(dim=2) == test_labels.view(-1, 1)).float().mean(dim=0).tolist()

    def step(batch_features: torch.Tensor, batch_onehot: torch.Tensor) -> None:
        logits = torch.baddbmm(bias, batch_features, weight)
        residual = (torch.softmax(logits, dim=2) - batch_onehot) / batch_features.shape[1]
        optimizer.step([batch_features.transpose(1, 2) @ residual, residual.sum(1, keepdim=True)])

    full_batch = config.batch_size >= size
    epochs, curve = [0], [accuracy()]
    for epoch in range(1, config.epochs + 1):
        if full_batch:
            step(features, onehot)
        else:
            order = torch.randperm(size, generator=order_generator, device=device)
            for index in order.split(config.batch_size):
                step(features[:, index], onehot[:, index])
        if epoch % config.eval_every == 0 or epoch == config.epochs:
            epochs.append(epoch)
            curve.append(accuracy())
    return {
        "epochs": epochs,
        "accuracy": [list(row) for row in zip(*curve, strict=True)],
        "weight": weight,
        "bias": bias,
    }
