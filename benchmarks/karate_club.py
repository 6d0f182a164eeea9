"""Q1 benchmarks: training speed, the whole `answerkey run zkc`, hand backward vs autograd.

    python benchmarks/karate_club.py [--repeats N] [--skip-run]

1. 2000 epochs of the notebook's training (`models.karate_club.train`, one
   network, train nodes only, every metric recorded): median wall time over
   repeats (target < 2 s).
2. `answerkey run zkc` as a fresh process with an empty cache (everything:
   the 20000-epoch pair, the 20 semi-supervised seeds, the figures; target
   < 20 s), and again with the cache warm (figures only).
3. The GCN layer's forward + backward through the hand-written
   `GCNLayerFunction` against the same layer left to autograd, on the same
   tensors, interleaved in one run, single-threaded, at the notebook's two
   layer shapes and on a larger graph; the ratio is hand / autograd (target
   ≤ 1.5). At the karate club's size a call costs tens of microseconds, so
   the fixed cost of any Python autograd.Function dominates: the floor row
   times a minimal custom tanh against torch.tanh. Training does not pay it:
   `train` backpropagates by hand without autograd, and the last row times one
   epoch's gradient computation that way against autograd.

Timings are wall time on whatever machine runs this; on a machine shared with
other jobs they are noisy, which is why each comparison is a ratio measured in
one run. Prints a table and writes the same figures to
benchmarks/results/karate_club.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models import karate_club as K  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "karate_club.json"


def training_time(repeats: int, epochs: int = 2000) -> dict:
    a_hat, x, labels = K.normalized_adjacency(), K.identity_features(), K.notebook_labels()
    times = []
    for _ in range(repeats):
        model = K.GCN()
        start = time.perf_counter()
        K.train(model, a_hat, x, labels, K.train_nodes(), K.TEST_NODES, max_epochs=epochs)
        times.append(time.perf_counter() - start)
    return {
        "epochs": epochs,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "per_epoch_us": 1e6 * statistics.median(times) / epochs,
        "target_s": 2.0,
    }


def cli_time() -> dict:
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, ANSWERKEY_CACHE_DIR=cache)
        command = [sys.executable, "-m", "answerkey", "run", "zkc", "--json", "--out", out]
        timings = {}
        for name in ("cold_s", "warm_s"):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, env=env, cwd=ROOT)
            timings[name] = time.perf_counter() - start
    return {**timings, "target_s": 20.0}


def _time(fn, repeats: int, inner: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner)
    return statistics.median(samples)


def _interleaved(first, second, repeats: int, inner: int) -> tuple[float, float]:
    """Median seconds per call of two functions, timed alternately on a shared machine."""
    first_s, second_s = [], []
    for repeat in range(repeats):
        # Alternate which goes first, so drift on a shared machine hits both alike.
        pair = ((first, first_s), (second, second_s))
        for fn, sink in pair if repeat % 2 == 0 else reversed(pair):
            sink.append(_time(fn, 1, inner))
    return statistics.median(first_s), statistics.median(second_s)


LAYER_SHAPES = (
    # (name, N, F_in, F_out, X = I?)
    ("layer 1 (N 34, X = I, W 16×34)", 34, 34, 16, True),
    ("layer 2 (N 34, H 34×16, W 2×16)", 34, 16, 2, False),
    ("larger graph (N 2000, H 2000×64, W 32×64)", 2000, 64, 32, False),
)


def backward_ratio(repeats: int) -> list[dict]:
    """Forward + backward of one layer: the hand-written Function against autograd."""
    generator = torch.Generator().manual_seed(0)
    rows = []
    for name, n, f_in, f_out, identity in LAYER_SHAPES:
        if n == K.N_NODES:
            a_hat = K.normalized_adjacency()
        else:  # a random sparse-ish graph, normalized the same way
            a = (torch.rand(n, n, generator=generator) < 5 / n).to(torch.float64)
            a_hat = K.symmetric_normalize(K.add_self_loops(((a + a.T) > 0).to(torch.float64)))
        x = (
            K.identity_features(n)
            if identity
            else torch.tanh(torch.randn(n, f_in, generator=generator, dtype=torch.float64))
        )
        weight = torch.randn(f_out, f_in, generator=generator, dtype=torch.float64)
        weight.requires_grad_()
        upstream = torch.randn(n, f_out, generator=generator, dtype=torch.float64)

        def hand(weight=weight, x=x, upstream=upstream, a_hat=a_hat):
            K.gcn_layer(a_hat, x, weight).backward(upstream)
            weight.grad = None

        def autograd(weight=weight, x=x, upstream=upstream, a_hat=a_hat):
            K.gcn_layer_reference(a_hat, x, weight).backward(upstream)
            weight.grad = None

        inner = 2000 if n == K.N_NODES else 20
        hand_s, auto_s = _interleaved(hand, autograd, repeats, inner)
        rows.append(
            {
                "layer": name,
                "hand_us": 1e6 * hand_s,
                "autograd_us": 1e6 * auto_s,
                "ratio": hand_s / auto_s,
                "target_ratio": 1.5,
            }
        )
    return rows


def python_function_overhead(repeats: int) -> dict:
    """The floor: tanh as a minimal custom Function (backward g ⊙ (1 − h²)) vs torch.tanh."""

    class Tanh(torch.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            h = torch.tanh(z)
            ctx.save_for_backward(h)
            return h

        @staticmethod
        def backward(ctx, grad):
            (h,) = ctx.saved_tensors
            return grad * (1 - h * h)

    z = torch.randn(34, 16, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(34, 16, dtype=torch.float64)

    def custom():
        Tanh.apply(z).backward(upstream)
        z.grad = None

    def native():
        torch.tanh(z).backward(upstream)
        z.grad = None

    custom_s, native_s = _interleaved(custom, native, repeats, 2000)
    return {"custom_us": 1e6 * custom_s, "native_us": 1e6 * native_s, "ratio": custom_s / native_s}


def training_step_ratio(repeats: int) -> dict:
    """One epoch's forward + gradients of J: the hand backprop `train` uses vs autograd."""
    a_hat, x, labels = K.normalized_adjacency(), K.identity_features(), K.notebook_labels()
    model = K.GCN()
    mask = K.node_mask(K.train_nodes())
    params = list(model.parameters())

    def hand():
        K.objective_and_gradients(model, a_hat, x, labels, mask)

    def autograd():
        h = x
        for layer in model.layers:
            h = K.gcn_layer_reference(a_hat, h, layer.weight)
        j = K.objective(model, model.classifier(h), labels, mask)
        torch.autograd.grad(j, params)

    hand_s, auto_s = _interleaved(hand, autograd, repeats, 1000)
    return {"hand_us": 1e6 * hand_s, "autograd_us": 1e6 * auto_s, "ratio": hand_s / auto_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-run", action="store_true", help="skip the `answerkey run` timing")
    args = parser.parse_args()

    with K.single_thread():
        layer = backward_ratio(args.repeats)
        floor = python_function_overhead(args.repeats)
        step = training_step_ratio(args.repeats)
    training = training_time(args.repeats)
    run = None if args.skip_run else cli_time()
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "python": platform.python_version(),
            "torch": torch.__version__,
            "note": "wall times; the machine may be shared with other jobs",
        },
        "training_2000_epochs": training,
        "answerkey_run_zkc": run,
        "hand_backward_vs_autograd": layer,
        "minimal_custom_function_vs_native_tanh": floor,
        "training_step_hand_vs_autograd": step,
    }
    print(f"{'benchmark':<58} {'measured':>12} {'target':>10}")
    print(
        f"{'2000 training epochs (median)':<58} {training['median_s']:>10.2f} s "
        f"{'< 2 s':>10}   ({training['per_epoch_us']:.0f} µs/epoch)"
    )
    if run:
        print(f"{'answerkey run zkc, empty cache':<58} {run['cold_s']:>10.2f} s {'< 20 s':>10}")
        print(f"{'answerkey run zkc, warm cache':<58} {run['warm_s']:>10.2f} s")
    for row in layer:
        print(
            f"{'hand / autograd fwd+bwd, ' + row['layer']:<58} {row['ratio']:>11.2f}× "
            f"{'≤ 1.5×':>10}   ({row['hand_us']:.1f} vs {row['autograd_us']:.1f} µs)"
        )
    print(
        f"{'floor: minimal custom tanh Function / torch.tanh':<58} {floor['ratio']:>11.2f}×"
        f"{'':>11}   ({floor['custom_us']:.1f} vs {floor['native_us']:.1f} µs)"
    )
    print(
        f"{'training step: hand backprop / autograd':<58} {step['ratio']:>11.2f}×"
        f"{'':>11}   ({step['hand_us']:.1f} vs {step['autograd_us']:.1f} µs)"
    )
    print(f"load average {report['machine']['load_average']}, {os.cpu_count()} CPUs (shared)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
