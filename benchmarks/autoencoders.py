"""Q4 benchmarks: training throughput, representation quality, and the grid's wall time.

    python benchmarks/autoencoders.py [--full-grid] [--repeats N]

1. Throughput: `models.autoencoders.train_autoencoder` against a bare PyTorch
   loop (randperm, slice, corrupt, forward, loss, backward, step) on the same
   model, the same tensors and the same optimizer (fused Adam), single
   threaded, in one run; the ratio is ours / bare (≥ 0.9 wanted).
2. Representation quality on the embedded MNIST with 200 labels: the best
   autoencoder's probe (from the default grid, cached) against raw pixels and
   against PCA at the same k, on the same label draws; the spread is over the
   draws.
3. Wall time of `answerkey run ae` served from the cache (and, with
   --full-grid, of the whole default grid computed in a fresh cache).

Prints a table and writes the same figures to benchmarks/results/autoencoders.json.
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

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from answerkey.questions import autoencoders_grid as grid  # noqa: E402
from answerkey.questions import autoencoders_report as report  # noqa: E402
from models.autoencoders import Autoencoder, TrainConfig, make_adam, train_autoencoder  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "autoencoders.json"


# --- 1. throughput ----------------------------------------------------------------------


def bare_loop(model, x, epochs: int, batch_size: int, lr: float, seed: int) -> None:
    """What one writes by hand: the denoising objective, nothing else."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = make_adam(model.parameters(), lr)
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            target = x[order[start : start + batch_size]]
            noisy = target + 0.5 * torch.randn(target.shape, generator=generator)
            loss = (model(noisy) - target).pow(2).sum(dim=1).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()


def throughput(repeats: int) -> list[dict]:
    torch.set_num_threads(1)
    rows = []
    mnist = grid.load_data("mnist", False, None)
    synthetic = grid.load_data("synthetic", False, None)
    settings = [
        ("MNIST ReLU [256, 100]", mnist.x_train, [256, 100], "relu"),
        ("MNIST linear [10]", mnist.x_train, [10], "linear"),
        ("synthetic ReLU [128, 10]", synthetic.x_train[:4000], [128, 10], "relu"),
    ]
    for name, data, hidden, activation in settings:
        x = torch.as_tensor(data)
        config = TrainConfig(epochs=2, batch_size=100, lr=5e-4)
        ours, bare = [], []
        for repeat in range(repeats):
            # Alternate which goes first, so drift on a shared machine hits both alike.
            order = ("ours", "bare") if repeat % 2 == 0 else ("bare", "ours")
            for which in order:
                torch.manual_seed(0)
                model = Autoencoder(x.shape[1], hidden, activation)
                start = time.perf_counter()
                if which == "ours":
                    train_autoencoder(model, x, "denoising", config, seed=0)
                    ours.append(time.perf_counter() - start)
                else:
                    bare_loop(model, x, config.epochs, config.batch_size, config.lr, seed=0)
                    bare.append(time.perf_counter() - start)
        samples = config.epochs * len(x)
        ours_rate, bare_rate = samples / np.median(ours), samples / np.median(bare)
        rows.append(
            {
                "setting": name,
                "samples_per_s_ours": round(float(ours_rate)),
                "samples_per_s_bare": round(float(bare_rate)),
                "ratio": round(float(ours_rate / bare_rate), 3),
                "repeats": repeats,
            }
        )
    return rows


# --- 2. representation quality -------------------------------------------------------------


def representation_quality() -> dict:
    summary, _ = report.summarize(False, progress=True)
    rows = [r for r in summary["rows"] if r["dataset"] == "mnist"]
    best = max(rows, key=lambda r: r["probe"]["mean"])
    raw = report.find_baseline(summary, "mnist", "raw")
    pca = report.find_baseline(summary, "mnist", "pca", best["k"])
    best_draws = np.asarray(best["probe_draws"])
    raw_draws = np.asarray(raw["probe_draws"])
    pca_draws = np.asarray(pca["probe_draws"])

    def spread(values) -> dict:
        return {
            "mean": round(float(np.mean(values)), 4),
            "min": round(float(np.min(values)), 4),
            "max": round(float(np.max(values)), 4),
        }

    by_variant = {}
    for variant in grid.VARIANTS:
        candidates = [r for r in rows if r["variant"] == variant]
        top = max(candidates, key=lambda r: r["probe"]["mean"])
        by_variant[variant] = {
            "activation": top["activation"],
            "k": top["k"],
            "probe": round(top["probe"]["mean"], 4),
        }
    return {
        "best": {"variant": best["variant"], "activation": best["activation"], "k": best["k"]},
        "draws": len(best_draws),
        "best_probe": spread(best_draws),
        "raw_probe": spread(raw_draws),
        "pca_probe_same_k": spread(pca_draws),
        "best_minus_raw": spread(best_draws - raw_draws),
        "best_minus_pca": spread(best_draws - pca_draws),
        "sklearn": {
            "best": round(best["sklearn"]["mean"], 4),
            "raw": round(raw["sklearn"]["mean"], 4),
            "pca_same_k": round(pca["sklearn"]["mean"], 4),
        },
        "best_per_variant": by_variant,
    }


# --- 3. wall time ------------------------------------------------------------------------------


def wall_time(cache_dir: str | None, out: str) -> float:
    env = dict(os.environ)
    if cache_dir:
        env["ANSWERKEY_CACHE_DIR"] = cache_dir
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "answerkey", "run", "ae", "--json", "--out", out],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full-grid", action="store_true", help="also time the whole grid")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    figures: dict = {"machine": {"cpus": os.cpu_count(), "torch_threads": 1}}
    figures["throughput"] = throughput(args.repeats)
    figures["representation_quality"] = representation_quality()
    with tempfile.TemporaryDirectory() as out:
        if args.full_grid:
            with tempfile.TemporaryDirectory() as fresh:
                figures["grid_seconds"] = round(wall_time(fresh, out), 1)
        figures["cached_rerun_seconds"] = round(wall_time(None, out), 2)

    print(f"{'throughput (denoising, 1 thread)':<34} {'ours/s':>9} {'bare/s':>9} {'ratio':>6}")
    for row in figures["throughput"]:
        print(
            f"{row['setting']:<34} {row['samples_per_s_ours']:>9} "
            f"{row['samples_per_s_bare']:>9} {row['ratio']:>6.3f}"
        )
    quality = figures["representation_quality"]
    best = quality["best"]
    print(
        f"\nembedded MNIST, 200 labels, {quality['draws']} draws (mean [min, max] over draws):\n"
        f"  best autoencoder ({best['variant']}, {best['activation']}, k = {best['k']}): "
        f"{_span(quality['best_probe'])}\n"
        f"  raw pixels:                    {_span(quality['raw_probe'])}\n"
        f"  PCA at k = {best['k']}:{'':<19}{_span(quality['pca_probe_same_k'])}\n"
        f"  best − raw:                    {_span(quality['best_minus_raw'])}\n"
        f"  best − PCA:                    {_span(quality['best_minus_pca'])}"
    )
    if "grid_seconds" in figures:
        print(f"\ndefault grid, fresh cache: {figures['grid_seconds']:.1f} s")
    print(f"cached rerun of `answerkey run ae`: {figures['cached_rerun_seconds']:.2f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")


def _span(stats: dict) -> str:
    return f"{stats['mean']:.3f} [{stats['min']:.3f}, {stats['max']:.3f}]"


if __name__ == "__main__":
    main()
