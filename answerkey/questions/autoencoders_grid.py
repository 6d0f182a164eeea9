"""Q4(a): the experiment grid — data, one cell, and the cached, resumable run of all cells.

A cell is one pretrained autoencoder, {vanilla, denoising, masked} ×
{linear, relu} × k × dataset × seed, or one baseline probe (raw inputs, or
PCA at the same k). Each cell's result is cached on its own, under a key of
its config, the hash of exactly the code it ran (the files in CELL_CODE) and
the library versions, so an interrupted grid resumes where it stopped and a
changed model never reuses stale numbers.

Architectures: the linear autoencoder is one encoder matrix and one decoder
matrix, hidden_sizes = [k] (q4.b's W₁, W₂ plus biases; more linear layers add
no expressive power). The ReLU autoencoder needs a layer between input and
code for the activation to act on: hidden_sizes = [h, k] with h = 128 on the
synthetic set (≥ its 100 inputs) and 256 on MNIST (what two shared CPU cores
afford in the time budget).

Every cell runs single-threaded (the same numbers whatever the worker count);
cells run in parallel worker processes on CPU, in-process on CUDA.
"""

from __future__ import annotations

import functools
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from answerkey import cache

NAMESPACE = "ae"
VARIANTS = ("vanilla", "denoising", "masked")
ACTIVATIONS = ("linear", "relu")
CODE_SIZES = (5, 10, 100, 1000)
DATASETS = ("synthetic", "mnist")
SEEDS = (0, 1, 2)
RELU_WIDTH = {"synthetic": 128, "mnist": 256}
EVAL_SEED = 12_345  # the fixed corruption of the held-out split
CELL_CODE = (
    "answerkey/questions/autoencoders_grid.py",
    "models/autoencoders.py",
    "models/mnist.py",
    "models/synthetic.py",
    "numeric/autoencoders.py",
)
LIBRARIES = ("numpy", "scikit-learn", "scipy", "torch")


@dataclass(frozen=True)
class Profile:
    """Everything that sets a cell's numbers besides the cell's own coordinates."""

    name: str
    code_sizes: tuple[int, ...] = CODE_SIZES
    seeds: tuple[int, ...] = SEEDS
    epochs: int = 10
    batch_size: int = 100
    lr: float = 5e-4
    synthetic_samples: int = 20_000
    synthetic_probe: dict = field(
        default_factory=lambda: {"epochs": 50, "batch_size": 100, "lr": 1e-3, "eval_every": 1}
    )
    # 200 labels: one full batch per epoch, so 1000 epochs are 1000 Adam steps.
    mnist_probe: dict = field(
        default_factory=lambda: {"epochs": 1000, "batch_size": 200, "lr": 1e-3, "eval_every": 10}
    )
    mnist_draws: int = 5
    mnist_per_class: int = 20
    mnist_train_limit: int | None = None  # quick profile: fewer digits
    mnist_test_limit: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT = Profile("default")
# Small enough for tests; k = 128 is still over-complete on the 100-d synthetic set.
QUICK = Profile(
    "quick",
    code_sizes=(5, 128),
    seeds=(0,),
    epochs=2,
    synthetic_samples=2000,
    synthetic_probe={"epochs": 5, "batch_size": 100, "lr": 1e-3, "eval_every": 1},
    mnist_probe={"epochs": 20, "batch_size": 200, "lr": 1e-3, "eval_every": 5},
    mnist_draws=2,
    mnist_train_limit=400,
    mnist_test_limit=100,
)


def profile_for(quick: bool) -> Profile:
    return QUICK if quick else DEFAULT


def hidden_sizes(dataset: str, activation: str, k: int) -> list[int]:
    return [k] if activation == "linear" else [RELU_WIDTH[dataset], k]


# --- data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Data:
    """One data set as the grid uses it (NumPy arrays; rows are samples)."""

    name: str
    x_train: np.ndarray  # autoencoder training
    x_pool: np.ndarray  # labelled examples the probe draws from
    y_pool: np.ndarray
    draws: tuple[np.ndarray, ...]  # indices into the pool, one set per label draw
    x_test: np.ndarray  # held-out reconstruction and probe test
    y_test: np.ndarray
    classes: int
    source: dict


@functools.cache
def load_data(dataset: str, quick: bool, mnist_dir: str | None) -> Data:
    """The synthetic set or MNIST under the profile; raises models.mnist.MnistNotFound."""
    profile = profile_for(quick)
    if dataset == "synthetic":
        from models.synthetic import make_synthetic

        data = make_synthetic(seed=0, samples=profile.synthetic_samples)
        splits = data.splits()
        (x_train, _), (x_pool, y_pool), (x_test, y_test) = (
            splits["train"],
            splits["probe"],
            splits["test"],
        )
        source = {
            "name": "synthetic",
            "seed": 0,
            "samples": profile.synthetic_samples,
            "split": "contiguous 0.7 / 0.2 / 0.1 (AE train / probe train / test)",
        }
        draws = (np.arange(len(x_pool)),)
        return Data(dataset, x_train, x_pool, y_pool, draws, x_test, y_test, 2, source)
    if dataset == "mnist":
        from models import mnist

        loaded = mnist.load_directory(mnist_dir) if mnist_dir else mnist.load_embedded(seed=0)
        x_train, y_train, x_test, y_test = (
            loaded.x_train,
            loaded.y_train,
            loaded.x_test,
            loaded.y_test,
        )
        source = dict(loaded.source)
        if profile.mnist_train_limit:
            keep, _ = _stratified_subset(y_train, profile.mnist_train_limit)
            x_train, y_train = x_train[keep], y_train[keep]
            keep, _ = _stratified_subset(y_test, profile.mnist_test_limit)
            x_test, y_test = x_test[keep], y_test[keep]
            source["subset"] = f"quick profile: {len(x_train)} train, {len(x_test)} test"
        draws = tuple(
            mnist.label_draws(y_train, profile.mnist_per_class, profile.mnist_draws, seed=1)
        )
        source["labels"] = (
            f"{profile.mnist_draws} seeded draws of {profile.mnist_per_class} per class "
            f"({profile.mnist_per_class * mnist.CLASSES} labels) from the training split"
        )
        return Data(dataset, x_train, x_train, y_train, draws, x_test, y_test, 10, source)
    raise ValueError(f"unknown dataset {dataset!r}")


def _stratified_subset(labels: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    from models.mnist import stratified_split

    return stratified_split(labels, 1 - size / len(labels), seed=2)


# --- cells ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One grid cell: an autoencoder (kind "ae") or a baseline probe (kind "raw"/"pca")."""

    dataset: str
    kind: str
    seed: int
    variant: str | None = None
    activation: str | None = None
    k: int | None = None

    @property
    def label(self) -> str:
        if self.kind == "ae":
            return f"{self.dataset} {self.variant} {self.activation} k={self.k} seed={self.seed}"
        return f"{self.dataset} {self.kind} k={self.k} seed={self.seed}"


def grid_cells(profile: Profile) -> list[Cell]:
    cells = [
        Cell(dataset, "ae", seed, variant, activation, k)
        for dataset in DATASETS
        for activation in ACTIVATIONS
        for variant in VARIANTS
        for k in profile.code_sizes
        for seed in profile.seeds
    ]
    for dataset in DATASETS:
        cells += [Cell(dataset, "raw", seed) for seed in profile.seeds]
        cells += [
            Cell(dataset, "pca", seed, k=k) for k in profile.code_sizes for seed in profile.seeds
        ]
    return cells


def cell_key(cell: Cell, profile: Profile, data_source: dict, device: str) -> str:
    config = {
        "cell": asdict(cell),
        "profile": profile.as_dict(),
        "data": data_source,
        "relu_width": RELU_WIDTH,
        # CUDA kernels round differently: CPU results stay the reference.
        "device": "cuda" if device.startswith("cuda") else "cpu",
    }
    return cache.cache_key(config, CELL_CODE, LIBRARIES)


def _probe_config(profile: Profile, dataset: str):
    from models.autoencoders import ProbeConfig

    settings = profile.synthetic_probe if dataset == "synthetic" else profile.mnist_probe
    return ProbeConfig(**settings)


def _probe(features_pool, features_test, data: Data, profile: Profile, seed: int, device: str):
    """Train one probe per label draw on frozen features; cross-check with scikit-learn."""
    import torch

    from models.autoencoders import train_probes

    pool = torch.as_tensor(features_pool, dtype=torch.float32, device=device)
    test = torch.as_tensor(features_test, dtype=torch.float32, device=device)
    draws = [torch.as_tensor(d, device=device) for d in data.draws]
    labels = torch.as_tensor(data.y_pool, device=device)
    result = train_probes(
        torch.stack([pool[d] for d in draws]),
        torch.stack([labels[d] for d in draws]),
        test,
        torch.as_tensor(data.y_test, device=device),
        data.classes,
        _probe_config(profile, data.name),
        seed,
    )
    curves = np.asarray(result["accuracy"])  # (draws, evaluations)
    pool64 = np.asarray(features_pool, dtype=np.float64)
    test64 = np.asarray(features_test, dtype=np.float64)
    reference = [
        _sklearn_accuracy(pool64[d], data.y_pool[d], test64, data.y_test) for d in data.draws
    ]
    return {
        "probe_epochs": result["epochs"],
        "probe_curve": curves.mean(axis=0).tolist(),
        "probe_draws": curves[:, -1].tolist(),
        "probe_final": float(curves[:, -1].mean()),
        "sklearn_draws": reference,
        "sklearn_final": float(np.mean(reference)),
    }


def _sklearn_accuracy(x, y, x_test, y_test) -> float:
    """scikit-learn's L2-regularized logistic regression (C = 1) on the same features.

    Newton-CG reaches the same optimum as the default lbfgs, several times faster here."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(solver="newton-cg", max_iter=300).fit(x, y)
    return float((model.predict(x_test) == y_test).mean())


def run_cell(cell: Cell, data: Data, profile: Profile, device: str = "cpu") -> dict:
    """Compute one cell. Returns its results (JSON-able) and, apart, its timing."""
    start = time.perf_counter()
    if cell.kind == "ae":
        result = _run_autoencoder(cell, data, profile, device)
    elif cell.kind in ("raw", "pca"):
        result = _run_baseline(cell, data, profile, device)
    else:
        raise ValueError(f"unknown cell kind {cell.kind!r}")
    result["timings"] = {"seconds": time.perf_counter() - start}
    return result


def _run_baseline(cell: Cell, data: Data, profile: Profile, device: str) -> dict:
    from numeric.autoencoders import pca, reconstruction_error

    if cell.kind == "raw":
        result = _probe(data.x_pool, data.x_test, data, profile, cell.seed, device)
        # tr Σ of the held-out split: the loss of reconstructing every input by the mean.
        result["total_variance"] = float(np.var(data.x_test.astype(np.float64), axis=0).sum())
        return result
    fitted = pca(data.x_train, cell.k)
    result = _probe(
        fitted.encode(data.x_pool), fitted.encode(data.x_test), data, profile, cell.seed, device
    )
    result["components"] = int(fitted.components.shape[1])
    result["recon_test"] = reconstruction_error(data.x_test, fitted.reconstruct(data.x_test))
    result["recon_train"] = float(fitted.variances[fitted.components.shape[1] :].sum())
    return result


def _run_autoencoder(cell: Cell, data: Data, profile: Profile, device: str) -> dict:
    import torch

    from models.autoencoders import (
        Autoencoder,
        TrainConfig,
        encode,
        evaluate,
        train_autoencoder,
    )
    from numeric.autoencoders import linear_autoencoder_report, participation_ratio

    torch.manual_seed(cell.seed)
    size = data.x_train.shape[1]
    model = Autoencoder(size, hidden_sizes(cell.dataset, cell.activation, cell.k), cell.activation)
    model.to(device)
    x_train = torch.as_tensor(data.x_train, device=device)
    x_test = torch.as_tensor(data.x_test, device=device)
    history = [evaluate(model, x_test, cell.variant, EVAL_SEED)]

    def after_epoch(epoch: int, loss: float) -> None:
        history.append(evaluate(model, x_test, cell.variant, EVAL_SEED))

    config = TrainConfig(profile.epochs, profile.batch_size, profile.lr)
    train_loss = train_autoencoder(model, x_train, cell.variant, config, cell.seed, after_epoch)
    codes_pool = encode(model, torch.as_tensor(data.x_pool, device=device)).cpu().numpy()
    codes_test = encode(model, x_test).cpu().numpy()
    result = {
        "recon_objective": [h["objective"] for h in history],
        "recon_clean": [h["clean"] for h in history],
        "train_loss": train_loss,
        "code_participation_ratio": participation_ratio(codes_test),
        **_probe(codes_pool, codes_test, data, profile, cell.seed, device),
    }
    if cell.activation == "linear":
        encoder = model.encoder[0].weight.detach().cpu().numpy()
        decoder = model.decoder[0].weight.detach().cpu().numpy()
        result["linear"] = linear_autoencoder_report(encoder, decoder, data.x_train, cell.variant)
    return result


# --- the grid --------------------------------------------------------------------------


@dataclass
class GridRun:
    profile: Profile
    results: dict[Cell, dict]
    sources: dict[str, dict]
    computed: int
    seconds: float


def _worker_init() -> None:
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    threadpool_limits(1)  # NumPy's BLAS as well: one core per worker


def _worker_run(cell: Cell, quick: bool, mnist_dir: str | None, device: str) -> dict:
    data = load_data(cell.dataset, quick, mnist_dir)
    return run_cell(cell, data, profile_for(quick), device)


def single_threaded(compute: Callable[[], dict]) -> dict:
    """`compute()` with torch and BLAS on one thread: how the grid runs every cell, so a
    cell's numbers do not depend on the machine's core count."""
    import torch
    from threadpoolctl import threadpool_limits

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(1):
            return compute()
    finally:
        torch.set_num_threads(previous)


def cached_cell(cell: Cell, profile: Profile, data: Data, device: str = "cpu") -> dict | None:
    """The grid's cached result for `cell` without its timings, or None if not cached."""
    record = cache.load(NAMESPACE, cell_key(cell, profile, data.source, device))
    return None if record is None else {k: v for k, v in record.items() if k != "timings"}


def default_workers(device: str, quick: bool = False) -> int:
    """Up to 2 CPU processes; 1 on CUDA (one device) and for the quick profile (starting a
    worker costs more than its cells)."""
    if device.startswith("cuda") or quick:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def run_grid(
    quick: bool,
    mnist_dir: str | None = None,
    device: str = "cpu",
    workers: int | None = None,
    progress: bool = True,
    cells: Iterable[Cell] | None = None,
) -> GridRun:
    """Every cell of the grid, from the cache where possible; the rest computed and stored
    as each finishes (so an interrupted run resumes). Progress goes to stderr."""
    from tqdm import tqdm

    profile = profile_for(quick)
    start = time.perf_counter()
    cells = list(grid_cells(profile) if cells is None else cells)
    sources = {name: load_data(name, quick, mnist_dir).source for name in DATASETS}
    keys = {cell: cell_key(cell, profile, sources[cell.dataset], device) for cell in cells}
    results: dict[Cell, dict] = {}
    for cell in cells:
        if (payload := cache.load(NAMESPACE, keys[cell])) is not None:
            results[cell] = payload
    missing = [cell for cell in cells if cell not in results]
    # Longest first, so the parallel workers finish together.
    missing.sort(key=lambda c: -((c.k or 784) * (2 if c.activation == "relu" else 1)))
    bar = tqdm(
        total=len(cells),
        initial=len(results),
        desc="ae grid",
        unit="cell",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    )

    def finish(cell: Cell, payload: dict) -> None:
        cache.store(NAMESPACE, keys[cell], payload)
        results[cell] = cache.load(NAMESPACE, keys[cell]) or payload
        bar.set_postfix_str(cell.label, refresh=False)
        bar.update(1)

    workers = default_workers(device, quick) if workers is None else workers
    try:
        if workers <= 1 or len(missing) <= 1:
            for cell in missing:
                data = load_data(cell.dataset, quick, mnist_dir)
                finish(
                    cell, single_threaded(lambda c=cell, d=data: run_cell(c, d, profile, device))
                )
        else:
            _run_parallel(missing, quick, mnist_dir, device, workers, finish)
    finally:
        bar.close()
    return GridRun(profile, results, sources, len(missing), time.perf_counter() - start)


def _run_parallel(cells, quick, mnist_dir, device, workers, finish) -> None:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("spawn")  # no fork after torch started threads
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init) as pool:
        pending = {pool.submit(_worker_run, cell, quick, mnist_dir, device): cell for cell in cells}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    finish(pending.pop(future), future.result())
        except BaseException:
            for future in pending:
                future.cancel()
            raise
