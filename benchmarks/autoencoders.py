"""Q4(a) benchmarks: the grid's cost, and what training the seeds at once buys.

    python benchmarks/autoencoders.py [--updates N] [--probe-epochs N]

1. Seeds at once: the 3 seeds of a cell as one batched model with hand-written backprop
   (`models.autoencoders.train_stacked`) against today's per-seed loop
   (`train_autoencoder`: autograd, one fused Adam per seed), the same number of updates
   per seed on the same MNIST cells, single-threaded, in one run.
2. Probes in one tensor op: every fresh probe of a cell (epochs × seeds × label draws)
   trained as one batched problem (`protocol.fresh_probes`) against one `train_probes`
   call per (epoch, seed) (the label draws batched, as before), same probe settings.
   Probe blocks: the same batched problem at k = 1000 trained in cache-sized blocks
   (`PROBE_BLOCK_BYTES`) against all probes stepping together, with the weights compared.
3. The default grid's floating-point work (matmul FLOPs: 6·B·P per update of a model with
   P weights, less the input gradient it skips; evaluations; probes), this machine's
   measured single-thread matmul throughput, the achieved rate of the trainer on each
   cell type, and the grid's wall time these imply on 2 workers.
4. `answerkey run ae --quick` served from the cache (a cached rerun), wall time.

Prints the figures and writes them to benchmarks/results/autoencoders.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import models.autoencoders as autoencoders  # noqa: E402
from answerkey.experiments.ae import grid, protocol  # noqa: E402
from models.autoencoders import (  # noqa: E402
    Autoencoder,
    StackedAutoencoders,
    TrainConfig,
    train_autoencoder,
    train_probes,
    train_stacked,
)

RESULTS = ROOT / "benchmarks" / "results" / "autoencoders.json"
CELLS = [("linear", [10]), ("linear", [1000]), ("relu", [256, 10]), ("relu", [256, 1000])]


def seeds_at_once(updates: int) -> list[dict]:
    data = grid.load_data("mnist", False, None)
    x = torch.as_tensor(data.x_train[: updates * 100])
    seeds = list(grid.DEFAULT.seeds)
    rows = []
    for activation, hidden in CELLS:
        start = time.perf_counter()
        for seed in seeds:
            torch.manual_seed(seed)
            model = Autoencoder(784, hidden, activation)
            train_autoencoder(model, x, "denoising", TrainConfig(1, 100, 5e-4), seed)
        loop = time.perf_counter() - start
        start = time.perf_counter()
        stacked = StackedAutoencoders.from_seeds(784, hidden, activation, seeds)
        train_stacked(stacked, x, "denoising", 1, updates, 100, 5e-4, seeds)
        batched = time.perf_counter() - start
        rows.append(
            {
                "cell": f"MNIST {activation} {hidden}",
                "per_seed_loop_s": round(loop, 3),
                "seeds_at_once_s": round(batched, 3),
                "speedup": round(loop / batched, 2),
                "updates_per_seed": updates,
            }
        )
    return rows


def _probe_problem(probe_epochs: int, k: int):
    """The MNIST probes of one cell on random-projection codes: settings, data, (E, S, D·N, k)
    pool codes and (E, S, T, k) test codes."""
    settings = grid.Settings(
        "bench", mnist_probe={"epochs": probe_epochs, "batch_size": 200, "lr": 1e-3}
    )
    data = grid.load_data("mnist", False, None)
    generator = torch.Generator().manual_seed(0)
    epochs, seeds = settings.epochs + 1, len(settings.seeds)
    rows = protocol.labelled_indices(data)
    weights = torch.randn(784, k, generator=generator) / 28
    pool = (torch.as_tensor(data.x_pool[rows]) @ weights).expand(epochs, seeds, -1, -1)
    test = (torch.as_tensor(data.x_test) @ weights).expand(epochs, seeds, -1, -1)
    return settings, data, pool, test


def probes_at_once(probe_epochs: int, k: int = 100) -> dict:
    settings, data, pool, test = _probe_problem(probe_epochs, k)
    epochs, seeds = settings.epochs + 1, len(settings.seeds)
    rows = protocol.labelled_indices(data)
    config = protocol.probe_config(settings, "mnist")
    labels = torch.as_tensor(data.y_pool[rows]).view(len(data.draws), -1)
    start = time.perf_counter()
    for e in range(epochs):
        for s in range(seeds):
            features = pool[e, s].reshape(len(data.draws), -1, k)
            train_probes(features, labels, test[e, s], torch.as_tensor(data.y_test), 10, config, 0)
    loop = time.perf_counter() - start
    start = time.perf_counter()
    protocol.fresh_probes(pool.contiguous(), test.contiguous(), data, settings, list(range(epochs)))
    batched = time.perf_counter() - start
    return {
        "k": k,
        "probe_epochs": probe_epochs,
        "probes": epochs * seeds * len(data.draws),
        "one_call_per_epoch_and_seed_s": round(loop, 3),
        "one_batched_problem_s": round(batched, 3),
        "speedup": round(loop / batched, 2),
    }


def probe_blocks(probe_epochs: int, k: int = 1000) -> dict:
    """One k = 1000 cell's probes (10 epochs' worth: one chunk) in cache-sized blocks
    against all of them stepping together."""
    settings, data, pool, test = _probe_problem(probe_epochs, k)
    pool, test = pool[:10].contiguous(), test[:10].contiguous()
    timings, accuracies = {}, {}
    default = autoencoders.PROBE_BLOCK_BYTES
    for name, block_bytes in (("all_together_s", 1 << 62), ("blocks_s", default)):
        autoencoders.PROBE_BLOCK_BYTES = block_bytes
        start = time.perf_counter()
        accuracies[name] = protocol.fresh_probes(pool, test, data, settings, list(range(10)))
        timings[name] = round(time.perf_counter() - start, 3)
    autoencoders.PROBE_BLOCK_BYTES = default
    return {
        "k": k,
        "probe_epochs": probe_epochs,
        "probes": 10 * len(settings.seeds) * len(data.draws),
        "block_bytes": default,
        **timings,
        "speedup": round(timings["all_together_s"] / timings["blocks_s"], 2),
        "same_accuracies": bool((accuracies["all_together_s"] == accuracies["blocks_s"]).all()),
    }


# --- cost ----------------------------------------------------------------------------------


def matmul_peak(size: int = 1024, repeats: int = 20) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    for _ in range(3):
        a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * size**3 * repeats / (time.perf_counter() - start)


def layer_sizes(dataset: str, activation: str, k: int) -> list[int]:
    m = 784 if dataset == "mnist" else 100
    sizes = [m, *grid.hidden_sizes(dataset, activation, k)]
    return sizes + sizes[-2::-1]


def group_flops(group: grid.Group, settings: grid.Settings, data: grid.Data) -> dict:
    """Matmul FLOPs of one group under `settings` (multiply-add = 2)."""
    seeds, batch = len(settings.seeds), settings.batch_size
    sizes = layer_sizes(group.dataset, group.activation, group.k)
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    weights = sum(a * b for a, b in pairs)
    encoder = sum(a * b for a, b in pairs[: len(pairs) // 2])
    updates = settings.epochs * settings.updates_per_epoch(len(data.x_train))
    # forward 2BP, weight gradients 2BP, input gradients 2BP less the first layer's
    train = seeds * updates * batch * (6 * weights - 2 * pairs[0][0] * pairs[0][1])
    tests, labelled = len(data.x_test), sum(len(d) for d in data.draws)
    evaluation = (settings.epochs + 1) * seeds * (2 * 2 * tests * weights
                                                  + 2 * (tests + labelled) * encoder)  # fmt: skip
    probe = settings.synthetic_probe if group.dataset == "synthetic" else settings.mnist_probe
    per_draw = labelled // len(data.draws)
    probes = (settings.epochs + 1) * seeds * len(data.draws)
    # each probe epoch: logits and the weight gradient over its labelled examples
    probe_flops = probes * probe["epochs"] * 4 * per_draw * group.k * data.classes
    return {"train": train, "evaluation": evaluation, "probes": probe_flops}


def grid_cost(peak: float) -> dict:
    settings = grid.DEFAULT
    totals = {"train": 0, "evaluation": 0, "probes": 0}
    per_type = []
    for group in grid.grid_groups(settings):
        if group.kind != "ae":
            continue
        data = grid.load_data(group.dataset, False, None)
        flops = group_flops(group, settings, data)
        for key in totals:
            totals[key] += flops[key]
        per_type.append((group, flops))
    # The trainer's achieved rate on each (dataset, activation, k), timed on a few updates.
    rates = {}
    seconds = 0.0
    for group, flops in per_type:
        key = (group.dataset, group.activation, group.k)
        if key not in rates:
            data = grid.load_data(group.dataset, False, None)
            x = torch.as_tensor(data.x_train)
            hidden = grid.hidden_sizes(group.dataset, group.activation, group.k)
            model = StackedAutoencoders.from_seeds(x.shape[1], hidden, group.activation,
                                                   list(settings.seeds))  # fmt: skip
            updates = 30
            start = time.perf_counter()
            train_stacked(model, x, "vanilla", 1, updates, 100, 2e-3, list(settings.seeds))
            elapsed = time.perf_counter() - start
            per_update = flops["train"] / (settings.epochs * settings.updates_per_epoch(len(x)))
            rates[key] = per_update * updates / elapsed
        seconds += flops["train"] / rates[key] + (flops["evaluation"] + flops["probes"]) / peak
    total = sum(totals.values())
    return {
        "flops": {key: float(value) for key, value in totals.items()},
        "flops_total": float(total),
        "matmul_peak_flops_per_s_one_thread": peak,
        "trainer_rate_by_cell": {
            f"{d} {a} k={k}": round(r / 1e9, 2) for (d, a, k), r in sorted(rates.items())
        },
        "trainer_fraction_of_peak": {
            f"{d} {a} k={k}": round(r / peak, 3) for (d, a, k), r in sorted(rates.items())
        },
        "estimated_grid_s_one_worker": round(seconds),
        "estimated_grid_s_two_workers": round(seconds / 2),
        "achieved_fraction_overall": round(total / seconds / peak, 3),
    }


def cached_rerun() -> dict:
    """`answerkey run ae --quick` twice in one cache: the second is served from it."""
    env = dict(os.environ)
    env.setdefault("ANSWERKEY_CACHE_DIR", tempfile.mkdtemp(prefix="ae-bench-"))
    times = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "answerkey", "run", "ae", "--quick", "--json", "--out", out],
                cwd=ROOT, env=env, check=True, capture_output=True,
            )  # fmt: skip
            times.append(time.perf_counter() - start)
    return {"first_s": round(times[0], 1), "cached_rerun_s": round(times[1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=40)
    parser.add_argument("--probe-epochs", type=int, default=100)
    parser.add_argument("--skip-rerun", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    figures = {"load_average": os.getloadavg()}
    figures["seeds_at_once"] = seeds_at_once(args.updates)
    figures["probes_at_once"] = probes_at_once(args.probe_epochs)
    figures["probe_blocks"] = probe_blocks(args.probe_epochs)
    figures["grid_cost"] = grid_cost(matmul_peak())
    if not args.skip_rerun:
        figures["cached_rerun"] = cached_rerun()
    print(json.dumps(figures, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
