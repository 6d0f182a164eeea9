"""Experiments: one module per `answerkey run NAME`, all with the same small interface.

An experiment module defines

    NAME: str                                the name after `answerkey run`
    HELP: str                                one line for `answerkey run --help`
    config(profile, args=None) -> dict       everything that changes its numbers (JSON-able),
                                             built from the profile and its own CLI options
    run(config) -> dict                      the results (JSON-able); slow, so always fetched
                                             through the cache by `results()` below
    draw(results, folder) -> list[str]       writes its figures into `folder`, returns names
    summary(results) -> str                  the console table `answerkey run NAME` prints

and optionally

    add_arguments(parser)                    its own `answerkey run NAME` options
    inputs() -> list[Path]                   files outside the Python packages its results
                                             depend on (a notebook's source)
    LIBRARIES: tuple[str, ...]               the libraries whose versions key its cache

Question modules never run an experiment themselves: they read `results(NAME, profile)`,
which returns the cached results (computing them once per config, code and libraries).

May import: the core (`parts`, `cache`, `errors`, `verdicts`), `models/`, `numeric/`,
`derivations/`, torch and matplotlib (lazily). Never the documents or the judging pipeline.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from answerkey import cache as result_cache

# `answerkey run NAME` modules, in the order a build runs them (notebooks last: they read
# the others' results).
EXPERIMENT_MODULES: tuple[str, ...] = ("answerkey.experiments.ae",)
DEFAULT_LIBRARIES = ("numpy", "scipy", "sympy", "torch", "networkx", "scikit-learn")


@dataclass(frozen=True)
class Profile:
    """How much to run, and where: passed to experiments, answers and checks.

    quick:      small sizes and few epochs (tests and `--quick`), else the full protocol
    device:     the torch device experiments train on ("cpu", "cuda", "cuda:1")
    mnist_dir:  real MNIST in torchvision's layout; None means the embedded 5000 digits
    """

    quick: bool = False
    device: str = "cpu"
    mnist_dir: str | None = None

    @property
    def name(self) -> str:
        return "quick" if self.quick else "full"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


QUICK = Profile(quick=True)
FULL = Profile()


@cache
def modules() -> dict[str, ModuleType]:
    """Every experiment module by its NAME, in build order."""
    found = {}
    for module_name in EXPERIMENT_MODULES:
        module = importlib.import_module(module_name)
        found[module.NAME] = module
    return found


def get(name: str) -> ModuleType:
    try:
        return modules()[name]
    except KeyError:
        known = ", ".join(modules()) or "none"
        raise KeyError(f"unknown experiment {name!r}; known: {known}") from None


def cache_key(module: ModuleType, config: dict) -> str:
    """What the results depend on: the config, the project's code, the library versions
    and the hashes of the experiment's declared input files."""
    import hashlib

    inputs = sorted(Path(p) for p in module.inputs()) if hasattr(module, "inputs") else []
    keyed = {
        "experiment": module.NAME,
        "config": config,
        "inputs": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs},
    }
    libraries = getattr(module, "LIBRARIES", DEFAULT_LIBRARIES)
    return result_cache.cache_key(keyed, result_cache.CODE_PACKAGES, libraries)


def results(name: str, profile: Profile, args: Any = None) -> dict:
    """The experiment's results for this profile (and CLI options), through the cache:
    computed once per config, code and libraries, then read back. The one way to get an
    experiment's numbers."""
    module = get(name)
    config = module.config(profile, args)
    return result_cache.cached(
        f"experiment-{name}", cache_key(module, config), lambda: module.run(config)
    )
