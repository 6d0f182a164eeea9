"""Q4(a) grid: settings, data, and the cached, resumable run of every group of cells.

A group is one (data set, activation, variant, k): its seeds train at once as one batched
model (`models.autoencoders.StackedAutoencoders`) and its probes at once as one batch of
problems (`protocol`). Baselines (raw inputs, PCA at each k) are groups too. Each group's
result is cached on its own, under a key of its settings, the hash of exactly the code it
ran (GROUP_CODE) and the library versions, so an interrupted grid resumes where it stopped.

Architectures: the linear autoencoder is one encoder and one decoder matrix, hidden_sizes =
[k] (q4.b's W₁, W₂ plus biases). The ReLU autoencoder needs a layer between input and code
for the activation to act on: hidden_sizes = [h, k], h = 128 on the synthetic set (≥ its 100
inputs) and 256 on MNIST.

Budget: on the 4000 embedded digits the course's literal 10 passes are 400 Adam updates at
lr 5·10⁻⁴, too few to learn even the mean image (Adam moves a weight by about lr per
update). The course's own run makes about 5400 updates (54 000 digits in batches of 100),
and that budget converges (a linear autoencoder within 2% of PCA's optimum: 0.7%, 0.01% and
1.9% above it at k = 5, 10, 100, seed 0). Half of it with a larger, cosine-annealed step
converges as well (2700 updates from lr 2·10⁻³: 1.1% and 1.6% above at k = 5 and 100) at
half the cost, so every autoencoder gets 10 epochs of 270 updates (an epoch is one pass
where one pass has more batches: real MNIST's 60 000 digits make 600). `report` checks
the convergence at every k and states the budget in the key.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from answerkey import cache

NAMESPACE = "ae-group"
VARIANTS = ("vanilla", "denoising", "masked")
ACTIVATIONS = ("linear", "relu")
CODE_SIZES = (5, 10, 100, 1000)
DATASETS = ("synthetic", "mnist")
SEEDS = (0, 1, 2)
RELU_WIDTH = {"synthetic": 128, "mnist": 256}
EVAL_SEED = 12_345  # the fixed corruption of the held-out split
PROBE_SEED = 1_000  # fresh probe at autoencoder epoch e: init from PROBE_SEED + e
COURSE_UPDATES = 5400  # the course's 10 epochs of 54 000 digits in batches of 100
UPDATES_PER_EPOCH = 270  # the key's budget: half the course's updates, cosine from 2·10⁻³
GROUP_CODE = (
    "answerkey/experiments/ae/grid.py",
    "answerkey/experiments/ae/protocol.py",
    "answerkey/experiments/ae/references.py",
    "models/autoencoders.py",
    "models/mnist.py",
    "models/synthetic.py",
    "numeric/autoencoders.py",
)
LIBRARIES = ("numpy", "scikit-learn", "scipy", "torch")


@dataclass(frozen=True)
class Settings:
    """Everything that sets a group's numbers besides its own coordinates."""

    name: str
    code_sizes: tuple[int, ...] = CODE_SIZES
    seeds: tuple[int, ...] = SEEDS
    epochs: int = 10
    min_updates_per_epoch: int = UPDATES_PER_EPOCH
    batch_size: int = 100
    lr: float = 2e-3  # peak; cosine-annealed to 0 over the whole budget
    schedule: str = "cosine"
    synthetic_samples: int = 20_000
    # Synthetic probe: all the probe-train split, 50 epochs of batch 100.
    synthetic_probe: dict = field(
        default_factory=lambda: {"epochs": 50, "batch_size": 100, "lr": 1e-3}
    )
    # MNIST probe: 200 labels as one full batch, 1000 epochs = 1000 Adam steps.
    mnist_probe: dict = field(
        default_factory=lambda: {"epochs": 1000, "batch_size": 200, "lr": 1e-3}
    )
    mnist_draws: int = 5
    mnist_per_class: int = 20
    mnist_train_limit: int | None = None  # quick settings: fewer digits
    mnist_test_limit: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def updates_per_epoch(self, train_size: int) -> int:
        return max(-(-train_size // self.batch_size), self.min_updates_per_epoch)


DEFAULT = Settings("default")
# Small enough for the test suite; k = 128 is still over-complete on the 100-d synthetic set.
QUICK = Settings(
    "quick",
    code_sizes=(5, 128),
    seeds=(0, 1),
    epochs=2,
    min_updates_per_epoch=20,
    synthetic_samples=2000,
    synthetic_probe={"epochs": 5, "batch_size": 100, "lr": 1e-3},
    mnist_probe={"epochs": 20, "batch_size": 200, "lr": 1e-3},
    mnist_draws=2,
    mnist_train_limit=400,
    mnist_test_limit=100,
)


def settings_for(quick: bool) -> Settings:
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
    label_direction: np.ndarray | None = None  # synthetic: w with y = 1[wᵀx > 0], unit
    covariance: np.ndarray | None = None  # synthetic: the population covariance of x


@functools.cache
def load_data(dataset: str, quick: bool, mnist_dir: str | None) -> Data:
    """The synthetic set or MNIST under the settings; raises models.mnist.MnistNotFound."""
    settings = settings_for(quick)
    if dataset == "synthetic":
        from models.synthetic import HIGH_VARIANCE_DIMS, make_synthetic

        data = make_synthetic(seed=0, samples=settings.synthetic_samples)
        splits = data.splits()
        (x_train, _), (x_pool, y_pool), (x_test, y_test) = (
            splits["train"],
            splits["probe"],
            splits["test"],
        )
        source = {
            "name": "synthetic",
            "seed": 0,
            "samples": settings.synthetic_samples,
            "split": "contiguous 0.7 / 0.2 / 0.1 (AE train / probe train / test)",
            "train": len(x_train),
            "test": len(x_test),
        }
        direction = data.rotation[:, :HIGH_VARIANCE_DIMS].sum(axis=1)
        direction /= np.linalg.norm(direction)
        draws = (np.arange(len(x_pool)),)
        return Data(
            dataset,
            x_train,
            x_pool,
            y_pool,
            draws,
            x_test,
            y_test,
            2,
            source,
            direction,
            data.covariance,
        )
    if dataset == "mnist":
        from models import mnist

        loaded = mnist.load_directory(mnist_dir) if mnist_dir else mnist.load_embedded(seed=0)
        x_train, y_train = loaded.x_train, loaded.y_train
        x_test, y_test = loaded.x_test, loaded.y_test
        source = dict(loaded.source)
        if settings.mnist_train_limit:
            keep, _ = _stratified_subset(y_train, settings.mnist_train_limit)
            x_train, y_train = x_train[keep], y_train[keep]
            keep, _ = _stratified_subset(y_test, settings.mnist_test_limit)
            x_test, y_test = x_test[keep], y_test[keep]
            source["subset"] = f"quick settings: {len(x_train)} train, {len(x_test)} test"
            source["train"], source["test"] = len(x_train), len(x_test)
        draws = tuple(
            mnist.label_draws(y_train, settings.mnist_per_class, settings.mnist_draws, seed=1)
        )
        source["labels"] = (
            f"{settings.mnist_draws} seeded draws of {settings.mnist_per_class} per class "
            f"({settings.mnist_per_class * mnist.CLASSES} labels) from the training split"
        )
        return Data(dataset, x_train, x_train, y_train, draws, x_test, y_test, 10, source)
    raise ValueError(f"unknown dataset {dataset!r}")


def _stratified_subset(labels: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    from models.mnist import stratified_split

    return stratified_split(labels, 1 - size / len(labels), seed=2)


# --- groups --------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """Every seed of one autoencoder (kind "ae"), or a baseline ("raw", "pca" at k)."""

    dataset: str
    kind: str
    variant: str | None = None
    activation: str | None = None
    k: int | None = None

    @property
    def label(self) -> str:
        if self.kind == "ae":
            return f"{self.dataset} {self.variant} {self.activation} k={self.k}"
        return f"{self.dataset} {self.kind}" + ("" if self.k is None else f" k={self.k}")

    def cost(self) -> float:
        """A rough relative cost (parameters of the model), to start the longest first."""
        m = 784 if self.dataset == "mnist" else 100
        if self.kind != "ae":
            return 1.0
        sizes = [m, *hidden_sizes(self.dataset, self.activation, self.k)]
        return float(sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)))


def grid_groups(settings: Settings) -> list[Group]:
    groups = [
        Group(dataset, "ae", variant, activation, k)
        for dataset in DATASETS
        for activation in ACTIVATIONS
        for variant in VARIANTS
        for k in settings.code_sizes
    ]
    for dataset in DATASETS:
        groups.append(Group(dataset, "raw"))
        groups += [Group(dataset, "pca", k=k) for k in settings.code_sizes]
    return groups


def group_key(group: Group, settings: Settings, data_source: dict, device: str) -> str:
    config = {
        "group": asdict(group),
        "settings": settings.as_dict(),
        "data": data_source,
        "relu_width": RELU_WIDTH,
        # CUDA kernels round differently: CPU results stay the reference.
        "device": "cuda" if device.startswith("cuda") else "cpu",
    }
    return cache.cache_key(config, GROUP_CODE, LIBRARIES)


def run_group(group: Group, data: Data, settings: Settings, device: str = "cpu") -> dict:
    """Compute one group (JSON-able results, plus its wall time under "timings")."""
    from answerkey.experiments.ae import protocol, references

    start = time.perf_counter()
    if group.kind == "ae":
        result = protocol.run_autoencoders(group, data, settings, device)
    elif group.kind == "raw":
        result = references.raw_inputs(data, settings, device)
    elif group.kind == "pca":
        result = references.pca_reference(group.k, data, settings, device)
    else:
        raise ValueError(f"unknown group kind {group.kind!r}")
    result["timings"] = {"seconds": time.perf_counter() - start}
    return result


# --- the grid --------------------------------------------------------------------------


@dataclass
class GridRun:
    settings: Settings
    results: dict[Group, dict]
    sources: dict[str, dict]
    computed: int
    seconds: float


def _worker_init() -> None:
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    threadpool_limits(1)  # NumPy's BLAS as well: one core per worker


def _worker_run(group: Group, quick: bool, mnist_dir: str | None, device: str) -> dict:
    data = load_data(group.dataset, quick, mnist_dir)
    return run_group(group, data, settings_for(quick), device)


def single_threaded(compute: Callable[[], dict]) -> dict:
    """`compute()` with torch and BLAS on one thread: how the grid runs every group, so its
    numbers do not depend on the machine's core count."""
    import torch
    from threadpoolctl import threadpool_limits

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(1):
            return compute()
    finally:
        torch.set_num_threads(previous)


def default_workers(device: str, quick: bool = False) -> int:
    """Up to 2 CPU processes; 1 on CUDA (one device) and for the quick settings (starting a
    worker costs more than its groups)."""
    if device.startswith("cuda") or quick:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def run_grid(
    quick: bool,
    mnist_dir: str | None = None,
    device: str = "cpu",
    workers: int | None = None,
    progress: bool = True,
    groups: Iterable[Group] | None = None,
) -> GridRun:
    """Every group of the grid, from the cache where possible; the rest computed and stored
    as each finishes (so an interrupted run resumes). A progress bar goes to stderr."""
    from tqdm import tqdm

    settings = settings_for(quick)
    start = time.perf_counter()
    groups = list(grid_groups(settings) if groups is None else groups)
    sources = {name: load_data(name, quick, mnist_dir).source for name in DATASETS}
    keys = {g: group_key(g, settings, sources[g.dataset], device) for g in groups}
    results: dict[Group, dict] = {}
    for group in groups:
        if (payload := cache.load(NAMESPACE, keys[group])) is not None:
            results[group] = payload
    # The cheap synthetic set first (its results come early), then the longest first, so the
    # parallel workers finish together.
    missing = sorted(
        (g for g in groups if g not in results), key=lambda g: (g.dataset != "synthetic", -g.cost())
    )
    bar = tqdm(
        total=len(groups),
        initial=len(results),
        desc="ae grid",
        unit="group",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    )

    def finish(group: Group, payload: dict) -> None:
        cache.store(NAMESPACE, keys[group], payload)
        results[group] = cache.load(NAMESPACE, keys[group]) or payload
        bar.set_postfix_str(group.label, refresh=False)
        bar.update(1)

    workers = default_workers(device, quick) if workers is None else workers
    try:
        if workers <= 1 or len(missing) <= 1:
            for group in missing:
                data = load_data(group.dataset, quick, mnist_dir)
                finish(
                    group,
                    single_threaded(lambda g=group, d=data: run_group(g, d, settings, device)),
                )
        else:
            _run_parallel(missing, quick, mnist_dir, device, workers, finish)
    finally:
        bar.close()
    return GridRun(settings, results, sources, len(missing), time.perf_counter() - start)


def _run_parallel(groups, quick, mnist_dir, device, workers, finish) -> None:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("spawn")  # no fork after torch started threads
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init) as pool:
        pending = {pool.submit(_worker_run, g, quick, mnist_dir, device): g for g in groups}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    finish(pending.pop(future), future.result())
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def cached_group(group: Group, settings: Settings, data: Data, device: str = "cpu") -> dict | None:
    """The grid's cached result for `group` without its timings, or None if not cached."""
    record = cache.load(NAMESPACE, group_key(group, settings, data.source, device))
    return None if record is None else {k: v for k, v in record.items() if k != "timings"}
