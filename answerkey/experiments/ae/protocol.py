"""Q4(a): the course's protocol for one group of seeds.

Before pretraining and after every autoencoder epoch e = 0, 1, …, E the course records the
validation reconstruction loss and the test accuracy of a *fresh* linear probe trained on
the frozen encoder (synthetic: all of the probe-train split, 50 epochs; MNIST: 200 labels,
20 per class, 1000 epochs, here averaged over several label draws). Epoch 0 is the untrained
encoder. The encoder's codes are computed once per epoch for every seed and label draw,
and every fresh probe of the group (epochs × seeds × draws) trains in one batched problem,
in chunks of whole epochs that fit in memory. The probe at epoch e starts from nn.Linear's
init drawn from PROBE_SEED + e (the same for every group), so the epoch-0 probe is exactly
the probe one would train on the untrained encoder alone.
"""

from __future__ import annotations

import numpy as np
import torch

from answerkey.experiments.ae.grid import (
    EVAL_SEED,
    PROBE_SEED,
    Data,
    Group,
    Settings,
    hidden_sizes,
)
from models.autoencoders import (
    ProbeConfig,
    StackedAutoencoders,
    evaluate_stacked,
    init_probes,
    train_probes,
    train_stacked,
)
from numeric.autoencoders import (
    linear_autoencoder_report,
    linear_code_bayes_accuracy,
    participation_ratio,
)

CHUNK_FLOATS = 1 << 25  # probe features per batched chunk: 128 MiB of float32
# train_and_probe's series: what a group's training records, and what q_ae's figures plot.
SERIES = (
    "epochs",
    "updates_per_epoch",
    "recon_objective",
    "recon_clean",
    "train_loss",
    "probe",
    "probe_draws",
)


def probe_config(settings: Settings, dataset: str) -> ProbeConfig:
    values = settings.synthetic_probe if dataset == "synthetic" else settings.mnist_probe
    return ProbeConfig(**values)


def labelled_indices(data: Data) -> np.ndarray:
    """The pool rows any label draw uses, draw after draw (D · N rows)."""
    return np.concatenate(data.draws)


def fresh_probes(codes_pool, codes_test, data: Data, settings: Settings, epochs) -> np.ndarray:
    """Test accuracy of fresh probes on frozen codes, one per (epoch, seed, label draw).

    Args:
        codes_pool: (E, S, D·N, k) tensor, codes of `labelled_indices(data)` per epoch, seed.
        codes_test: (E, S, T, k) tensor, codes of the test split.
        epochs: the E autoencoder epochs these codes belong to (they seed the probes' init).
    Returns: (E, S, D) accuracies.
    """
    count_epochs, seeds, rows, k = codes_pool.shape
    draws = len(data.draws)
    per_draw = rows // draws
    labels = torch.as_tensor(data.y_pool[labelled_indices(data)], device=codes_pool.device)
    labels = labels.view(draws, per_draw)
    test_labels = torch.as_tensor(data.y_test, device=codes_pool.device)
    config = probe_config(settings, data.name)
    per_epoch = seeds * draws * per_draw * k
    chunk = max(1, CHUNK_FLOATS // max(per_epoch, 1))
    accuracy = np.empty((count_epochs, seeds, draws))
    for first in range(0, count_epochs, chunk):
        last = min(first + chunk, count_epochs)
        span = last - first
        features = codes_pool[first:last].reshape(span * seeds * draws, per_draw, k)
        inits = [
            init_probes(
                seeds * draws, k, data.classes, torch.Generator().manual_seed(PROBE_SEED + e)
            )
            for e in epochs[first:last]
        ]
        init = (torch.cat([w for w, _ in inits]), torch.cat([b for _, b in inits]))
        result = train_probes(
            features,
            labels.repeat(span * seeds, 1),
            codes_test[first:last].reshape(span * seeds, -1, k),
            test_labels,
            data.classes,
            config,
            seed=PROBE_SEED,
            init=init,
        )
        final = np.asarray(result["accuracy"])[:, -1]
        accuracy[first:last] = final.reshape(span, seeds, draws)
    return accuracy


def train_and_probe(
    group: Group, data: Data, settings: Settings, device: str = "cpu"
) -> tuple[dict, StackedAutoencoders]:
    """Train every seed of `group` at once under the course's protocol: the held-out
    reconstruction loss and fresh probes' test accuracy before training and after every
    autoencoder epoch.

    Returns (series, the trained model). The series (JSON-able) are epochs (E+1),
    updates_per_epoch, recon_objective / recon_clean (S, E+1): held-out loss with the
    variant's corruption (fixed seed) and without, train_loss (S, E), probe (S, E+1):
    accuracy averaged over label draws, probe_draws (S, E+1, D).
    """
    seeds = list(settings.seeds)
    model = StackedAutoencoders.from_seeds(
        data.x_train.shape[1],
        hidden_sizes(group.dataset, group.activation, group.k),
        group.activation,
        seeds,
    ).to(device)
    x_train = torch.as_tensor(data.x_train, device=device)
    x_test = torch.as_tensor(data.x_test, device=device)
    x_labelled = torch.as_tensor(data.x_pool[labelled_indices(data)], device=device)
    history, pending, accuracies = [], [], []

    def flush() -> None:
        # Probe the epochs waiting so far in one batch (their codes are then dropped, so a
        # group never holds every epoch's codes at once).
        epochs = [e for e, _, _ in pending]
        pool = torch.stack([p for _, p, _ in pending])
        test = torch.stack([t for _, _, t in pending])
        accuracies.append(fresh_probes(pool, test, data, settings, epochs))
        pending.clear()

    def after_epoch(epoch: int) -> None:
        history.append(evaluate_stacked(model, x_test, group.variant, EVAL_SEED))
        pending.append((epoch, model.encode(x_labelled), model.encode(x_test)))
        per_epoch = pending[0][1].numel()
        if (len(pending) + 1) * per_epoch > CHUNK_FLOATS or epoch == settings.epochs:
            flush()

    updates = settings.updates_per_epoch(len(x_train))
    train_loss = train_stacked(
        model,
        x_train,
        group.variant,
        settings.epochs,
        updates,
        settings.batch_size,
        settings.lr,
        seeds,
        after_epoch,
        settings.schedule,
    )
    accuracy = np.concatenate(accuracies)  # (E+1, S, D)
    series = {
        "epochs": list(range(settings.epochs + 1)),
        "updates_per_epoch": updates,
        "recon_objective": np.asarray([h["objective"] for h in history]).T.tolist(),
        "recon_clean": np.asarray([h["clean"] for h in history]).T.tolist(),
        "train_loss": np.asarray(train_loss).T.tolist(),
        "probe": accuracy.mean(axis=2).T.tolist(),
        "probe_draws": accuracy.transpose(1, 0, 2).tolist(),
    }
    return series, model


def run_autoencoders(group: Group, data: Data, settings: Settings, device: str) -> dict:
    """`train_and_probe`'s series, and what the key reads beside them: recon_train (S,) the
    clean loss on the training split at the end, participation_ratio (S,) of the final test
    codes, for linear encoders `linear` (S,): `numeric.autoencoders.linear_autoencoder_report`,
    and on the synthetic set bayes_accuracy (S,): the accuracy of the best classifier of the
    label from the code (Sheppard's formula). JSON-able.
    """
    result, model = train_and_probe(group, data, settings, device)
    x_train = torch.as_tensor(data.x_train, device=device)
    with torch.no_grad():
        recon_train = (model(x_train) - x_train).pow(2).sum(dim=2).mean(dim=1).tolist()
        final_codes = model.encode(torch.as_tensor(data.x_test, device=device)).cpu().numpy()
    result["recon_train"] = recon_train
    result["participation_ratio"] = [participation_ratio(c) for c in final_codes]
    if group.activation == "linear":
        encoders = model.weights[0].transpose(1, 2).cpu().numpy().astype(np.float64)  # (S,k,m)
        decoders = model.weights[1].transpose(1, 2).cpu().numpy().astype(np.float64)
        result["linear"] = [
            linear_autoencoder_report(e, d, data.x_train, group.variant)
            for e, d in zip(encoders, decoders, strict=True)
        ]
        if data.label_direction is not None:
            result["bayes_accuracy"] = [
                linear_code_bayes_accuracy(e, data.covariance, data.label_direction)
                for e in encoders
            ]
    return result
