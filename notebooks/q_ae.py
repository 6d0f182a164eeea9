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
# *Solution notebook for EECS 182, Fall 2022, HW6, `q_ae.ipynb`. Built and executed by
# `answerkey build` from `notebooks/q_ae.py`.*
#
# Each TODO of the original notebook has one cell below, tagged with the TODO's id. A
# TODO cell **shows the project's own implementation** of that step (its source, read
# from `models/autoencoders.py`) and **runs it**. The grid of experiments the homework
# asks for — {vanilla, denoising, masked} × {linear, ReLU} × k ∈ {5, 10, 100, 1000} ×
# {synthetic, MNIST}, 3 seeds each — is the `ae` experiment (`answerkey run ae`): every
# cell is cached, so this notebook reads its results and figures, and re-runs one cell
# live to show that the cache holds exactly what the code computes.

# %%
import torch

from answerkey.experiments.ae import grid, protocol, report
from answerkey.notebooks import (
    experiment_results,
    record,
    show_answer,
    show_image,
    show_markdown,
    show_source,
    show_table,
)
from models import autoencoders as ae

# %% tags=["parameters"]
QUICK = False  # `answerkey build --quick` injects QUICK = True below: a small grid

# %% [markdown]
# The `ae` experiment's results (from its cache after the first run), and the profile
# they were computed under.

# %%
results, figures = experiment_results("ae", QUICK)
profile = grid.settings_for(QUICK)
config = results["settings"]
budget = results["budget"]
show_table(
    ("setting", "value"),
    [
        ("profile", results["profile"]),
        ("bottleneck sizes k", ", ".join(str(k) for k in config["code_sizes"])),
        ("seeds per cell", len(config["seeds"])),
        ("autoencoder training", f"Adam, lr {config['lr']} ({config['schedule']}), batch "
         f"{config['batch_size']}, {config['epochs']} epochs of "
         f"{budget['updates_per_epoch']['mnist']} updates on MNIST"),
        ("ReLU hidden layer", ", ".join(f"{d}: {w}" for d, w in results["relu_width"].items())),
        ("synthetic data", f"{config['synthetic_samples']} samples, split 0.7 / 0.2 / 0.1"),
        ("MNIST", results["data"]["mnist"].get("name", "embedded")),
        ("MNIST probe labels", results["data"]["mnist"]["labels"]),
    ],
)  # fmt: skip
record("ae:profile", results["profile"])

# %% [markdown]
# ## TODO 1 — the autoencoder
#
# `Autoencoder(input_size, hidden_sizes, activation)`: the encoder is Linear layers
# through `hidden_sizes` with the activation *between* them and none after the code; the
# decoder mirrors it, with no activation on the output. "Linear" means the identity
# activation. A ReLU autoencoder therefore needs at least two hidden sizes (with one there
# is no "between"), so the key uses [h, k] with a hidden layer of h units.

# %% todo="ae.autoencoder"
show_source(ae.Autoencoder, ae._stack)
k = config["code_sizes"][0]
for dataset, size in (("synthetic", 100), ("mnist", 784)):
    for activation in grid.ACTIVATIONS:
        model = ae.Autoencoder(size, grid.hidden_sizes(dataset, activation, k), activation)
        codes = model.encoder(torch.zeros(3, size))
        print(f"{dataset}, {activation}, k = {k}: code {tuple(codes.shape)}, {model}")

# %% [markdown]
# ## TODO 2 — the vanilla autoencoder
#
# It reconstructs its own input: x̃ = x, and the loss is the squared error summed over the
# features and averaged over the batch, (1/B) Σ_b ‖x̂_b − x_b‖².

# %% todo="ae.vanilla"
show_source(ae.reconstruction_loss)
show_source(ae.corrupt, block='if variant == "vanilla"')
x = torch.tensor([[1.0, 2.0], [0.0, -1.0]])
x_hat = torch.tensor([[1.5, 2.0], [0.0, 1.0]])
loss = float(ae.reconstruction_loss(x_hat, x))
record("live.hand_batch_loss", loss, f"loss on a hand batch: ((0.5² + 0) + (0 + 2²)) / 2 = {loss}")
record("live.vanilla_is_identity", bool(ae.corrupt(x, "vanilla") is x))

# %% [markdown]
# ## TODO 3 — the denoising autoencoder
#
# The encoder sees x + 0.5·ε with ε standard normal; the target is the clean x. Copying the
# input is no longer optimal: the network must learn what clean data looks like.

# %% todo="ae.denoising"
show_source(ae.corrupt, block='if variant == "denoising"')
sample = torch.zeros(20_000, 10)
noise = ae.corrupt(sample, "denoising", torch.Generator().manual_seed(0)) - sample
record(
    "live.denoising_noise_std",
    round(float(noise.std()), 3),
    f"std of x̃ − x over 200 000 entries: {float(noise.std()):.3f} (0.5 wanted)",
)

# %% [markdown]
# ## TODO 4 — the masked autoencoder
#
# Each input entry is zeroed independently with probability 0.25; the target is the full
# x. The network must predict the hidden entries from the visible ones.

# %% todo="ae.masked"
show_source(ae.corrupt, block='if variant == "masked"')
masked = ae.corrupt(torch.ones(20_000, 10), "masked", torch.Generator().manual_seed(0))
zeroed = float((masked == 0).float().mean())
record(
    "live.masked_fraction",
    round(zeroed, 3),
    f"fraction of entries zeroed: {zeroed:.3f} (0.25 wanted)",
)

# %% [markdown]
# ## TODO 5 — pretraining
#
# Adam, batches of 100 in a seeded random order per seed; each batch is corrupted afresh by
# the variant. The course's 10 epochs of lr 5e-4 on the 4000 embedded digits are only 400
# updates, too few, so the key trains for 10 epochs of 270 updates with a cosine-annealed
# lr from 2e-3 (see the written answer). The seeds of a cell train at once as one batched
# model; here one cell is trained live (single-threaded, as the grid runs it) and compared
# with the cache.

# %% todo="ae.train"
show_source(ae.StackedAutoencoders.loss_and_gradients, ae.train_stacked)
k_live = min(config["code_sizes"], key=lambda size: abs(size - 10))
cell = grid.Group("synthetic", "ae", "denoising", "relu", k_live)
data = grid.load_data("synthetic", QUICK, None)
live = grid.single_threaded(lambda: grid.run_group(cell, data, profile))
live.pop("timings")
cached = grid.cached_group(cell, profile, data)
show_table(
    ("epoch", "train loss (seed 0)", "validation objective (seed 0)"),
    [
        (
            epoch,
            live["train_loss"][0][epoch - 1] if epoch else "—",
            live["recon_objective"][0][epoch],
        )
        for epoch in live["epochs"]
    ],
    f"Live run of one cell: {cell.label}",
)
record(
    "live.cell_matches_cache",
    live == cached,
    f"the live run equals the grid's cached cell, number for number: {live == cached}",
)

# %% [markdown]
# ## TODO 6 — the linear probe
#
# The encoder is frozen; one `nn.Linear(k, classes)` is trained on the codes with Adam
# (lr 1e-3) and cross-entropy: on the synthetic set on the whole probe-train split for 50
# epochs, on MNIST on 200 labels (20 per class) for 1000 epochs, averaged over several
# draws of those labels. As in the course, a fresh probe is trained before pretraining and
# after every autoencoder epoch; every probe of a cell (epochs × seeds × label draws)
# trains at once as independent problems.

# %% todo="ae.probe"
show_source(ae.init_probes, ae.train_probes, protocol.fresh_probes)
show_table(
    ("autoencoder epoch", "fresh-probe test accuracy (seed 0)"),
    list(zip(live["epochs"], live["probe"][0], strict=True)),
    f"The fresh probes on the live cell's codes ({cell.label})",
)
record(
    "live.probe_final",
    live["probe"][0][-1],
    f"probe accuracy after the last epoch {live['probe'][0][-1]:.3f}, before pretraining "
    f"{live['probe'][0][0]:.3f}",
)


# %% [markdown]
# ## The experiments
#
# Each table row is a mean over seeds with [min, max]; the validation loss is the
# variant's own objective on held-out data (noise and masks fixed by a seed), the probe
# accuracy is on the test split. The baselines are probed on the same labels: PCA at the
# same k (beside the linear autoencoders) and the raw inputs (beside the ReLU ones).


# %%
def show_rows(dataset: str, activation: str, baseline: str) -> None:
    """The table rows of one (data, activation), then the baseline rows, as `ae` prints them."""
    rows = [row for row in report.grid_rows(results) if (row[0], row[2]) == (dataset, activation)]
    show_table(report.GRID_COLUMNS, rows, f"{report.DATASET_TITLE[dataset]}, {activation}")
    references = [row for row in report.reference_rows(results) if row[0] == dataset]
    show_table(report.REFERENCE_COLUMNS, references, f"{report.DATASET_TITLE[dataset]}: {baseline}")
    for index, row in enumerate(results["rows"]):
        if (row["dataset"], row["activation"]) == (dataset, activation):
            record(f"ae:rows.{index}.final.probe", row["final"]["probe"], "")
            record(f"ae:rows.{index}.final.recon", row["final"]["recon"], "")


# %% [markdown]
# ## TODO 7 — (i) linear autoencoders on the synthetic set
#
# 100-d Gaussian data whose covariance is 10 on 20 directions and 1 on the other 80,
# rotated at random; the label is the sign of the sum of the 20 high-variance coordinates.
# By q4.b a linear autoencoder's optimum spans PCA's top-k subspace, so PCA is the
# reference. Below, what every cell of the grid runs: the architecture for a (data,
# activation, k), then pretraining, the validation objective after every epoch, the codes
# and the probes; the table is the grid's, from the cache.

# %% todo="ae.linear_synthetic"
show_source(grid.hidden_sizes, protocol.run_autoencoders)
show_rows("synthetic", "linear", "PCA")

# %% [markdown]
# ## TODO 8 — (i) linear autoencoders on MNIST
#
# 784 pixels in [0, 1]. The probe gets only 200 labels (20 per class).

# %% todo="ae.linear_mnist"
show_rows("mnist", "linear", "PCA")

# %% [markdown]
# ## TODO 9 — (ii) ReLU autoencoders on the synthetic set
#
# The figures show both activations: the top row is (i) linear, the bottom row (ii) ReLU.

# %% todo="ae.relu_synthetic"
show_rows("synthetic", "relu", "raw inputs")
show_image(
    figures / "ae_recon_synthetic.png",
    "Synthetic set: validation reconstruction loss vs epoch, one line per k, min–max band "
    "over seeds; dotted lines are PCA at the same k.",
)
show_image(
    figures / "ae_probe_synthetic.png",
    "Synthetic set: fresh-probe test accuracy vs autoencoder epoch, one line per k, min–max "
    "band over seeds; dashed is the probe on raw inputs.",
)

# %% [markdown]
# ## TODO 10 — (ii) ReLU autoencoders on MNIST
#
# The course's bar: few-shot (200 labels) probe accuracy of at least 79% with a non-linear
# autoencoder. On these 5000 digits the raw pixels already score about that, so the rows
# are read against the raw-pixel and PCA baselines on the same labels.

# %% todo="ae.relu_mnist"
show_rows("mnist", "relu", "raw inputs")
relu_mnist = [
    row for row in results["rows"] if (row["dataset"], row["activation"]) == ("mnist", "relu")
]
best = max(relu_mnist, key=lambda row: row["final"]["probe"]["mean"])
record(
    "live.best_relu_mnist",
    {"variant": best["variant"], "k": best["k"], "probe": best["final"]["probe"]["mean"]},
    f"best ReLU autoencoder on MNIST: {best['variant']}, k = {best['k']}, probe accuracy "
    f"{best['final']['probe']['mean']:.3f} (the course's bar: 0.79)",
)
show_image(
    figures / "ae_recon_mnist.png",
    "MNIST: validation reconstruction loss vs epoch, one line per k, min–max band over "
    "seeds; dotted lines are PCA at the same k.",
)
show_image(
    figures / "ae_probe_mnist.png",
    "MNIST: fresh-probe test accuracy vs autoencoder epoch, one line per k, min–max band over "
    "seeds; dashed is the probe on raw inputs.",
)

# %% [markdown]
# ## TODO 11 — discussion
#
# Computed from the grid's results: how the accuracy moves with k, what the over-complete
# k = 1000 (more than both input dimensions, 100 and 784) learns in each variant, linear
# against ReLU, and the linear autoencoders against PCA.

# %% todo="ae.discussion"
show_image(
    figures / "ae_accuracy_vs_k.png",
    "Final probe accuracy vs k per variant, with raw inputs and PCA at the same k.",
)
show_answer("q4.a", notes=True)
show_markdown(
    "Every implementation above is the project's own (`models/autoencoders.py`); the grid, "
    "its cache, the references and the written answers are the package "
    "`answerkey/experiments/ae/`."
)
