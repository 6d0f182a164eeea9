"""Experiments: one module per `answerkey run NAME`, all with the same small interface.

An experiment module (or package) defines

    NAME: str                                the name after `answerkey run`
    HELP: str                                one line for `answerkey run --help`
    config(profile, args=None) -> dict       everything that changes its numbers (JSON-able),
                                             built from the profile and its own CLI options;
                                             raises UsageError for a bad option
    run(config) -> dict                      the results (JSON-able, with a "version"; their
                                             shape is a TypedDict in `contracts.py`); slow,
                                             so always fetched through `results()` below
    draw(results, folder) -> names           writes its figures into `folder`; returns their
                                             file names (a list, or a dict by role)
    summary(results) -> str                  the console text `answerkey run NAME` prints

and optionally

    add_arguments(parser)                    its own `answerkey run NAME` options
    inputs() -> list[Path]                   files outside the Python packages its results
                                             depend on (a notebook's source)
    LIBRARIES: tuple[str, ...]               the libraries whose versions key its cache
    CODE: tuple[str, ...]                    the sources (folders or files) whose hash keys
                                             its cache; default: every code package. A timing
                                             experiment names only what it measures, so an
                                             edit to the documents does not re-measure.

Question modules never run an experiment themselves: they read `results(NAME, profile)`,
which returns the cached results (computing them once per config, code and libraries).
`execute(NAME, profile, out)` is what `answerkey run NAME` and `answerkey build` do:
results, plus the figures drawn into `out/figures`, recorded under "figures".

Experiments not yet moved here (`notebooks`) are registered as the
`answerkey.parts.Experiment` objects their modules export (`LEGACY_MODULES`); `execute`
runs them as before (their `run(args)` draws and prints itself).

May import: the core (`parts`, `cache`, `errors`, `verdicts`), `models/`, `numeric/`,
`derivations/`, torch and matplotlib (lazily: importing an experiment module imports
neither, so `answerkey list` stays light). Never the documents, the judging pipeline or
the question modules (`tests/test_import_rules.py`).
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from answerkey import cache as result_cache

# `answerkey run NAME` modules, in the order a build runs them (notebooks last: they read
# the others' results). Each entry: a module with the interface above, or (LEGACY_MODULES)
# one whose EXPERIMENTS list holds `answerkey.parts.Experiment` objects.
EXPERIMENT_MODULES: tuple[str, ...] = (
    "answerkey.experiments.zkc",
    "answerkey.experiments.attention",
    "answerkey.experiments.ae",
    "answerkey.experiments.beam",
    "answerkey.experiments.notebooks",
)
LEGACY_MODULES = ("answerkey.experiments.notebooks",)
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


class Legacy:
    """An `answerkey.parts.Experiment` not yet moved into this package, seen through the
    interface's names: NAME, HELP, add_arguments, inputs. `execute` runs it."""

    def __init__(self, experiment):
        self.experiment = experiment
        self.NAME = experiment.name
        self.HELP = experiment.help
        self.add_arguments = experiment.add_arguments or (lambda parser: None)
        if experiment.inputs is not None:
            self.inputs = experiment.inputs


@cache
def modules() -> dict[str, Any]:
    """Every experiment (module, or `Legacy`) by its NAME, in build order."""
    found: dict[str, Any] = {}
    for module_name in EXPERIMENT_MODULES:
        module = importlib.import_module(module_name)
        if module_name in LEGACY_MODULES:
            for experiment in module.EXPERIMENTS:
                found[experiment.name] = Legacy(experiment)
        else:
            found[module.NAME] = module
    return found


def names() -> list[str]:
    return list(modules())


def get(name: str) -> Any:
    try:
        return modules()[name]
    except KeyError:
        known = ", ".join(modules()) or "none"
        raise KeyError(f"unknown experiment {name!r}; known: {known}") from None


def cache_key(module: ModuleType, config: dict) -> str:
    """What the results depend on: the config, the code (`CODE`, by default every code
    package), the library versions and the hashes of the declared input files."""
    import hashlib

    inputs = sorted(Path(p) for p in module.inputs()) if hasattr(module, "inputs") else []
    keyed = {
        "experiment": module.NAME,
        "config": config,
        "inputs": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs},
    }
    libraries = getattr(module, "LIBRARIES", DEFAULT_LIBRARIES)
    code = getattr(module, "CODE", result_cache.CODE_PACKAGES)
    return result_cache.cache_key(keyed, code, libraries)


# Results read in this process, by (cache folder, name, key): the checks and answers of
# one part read the same results many times.
_read: dict[tuple[str, str, str], dict] = {}


def results(name: str, profile: Profile, args: Any = None, fresh: bool = False) -> dict:
    """The experiment's results for this profile (and CLI options), through the cache:
    computed once per config, code and libraries, then read back. The one way to get an
    experiment's numbers. `fresh` discards the cached entry first (`--remeasure`).

    Raises UsageError for bad options, and whatever the run raises: an experiment that
    fails makes every part that reads it fail (its answer or check is an ERROR)."""
    module = get(name)
    if isinstance(module, Legacy):
        raise TypeError(f"experiment {name!r} is not moved to answerkey.experiments yet")
    config = module.config(profile, args)
    key = cache_key(module, config)
    namespace = f"experiment-{name}"
    memo = (str(result_cache.cache_dir()), name, key)
    if fresh:
        result_cache.entry_path(namespace, key).unlink(missing_ok=True)
        _read.pop(memo, None)
    if memo not in _read:
        _read[memo] = result_cache.cached(namespace, key, lambda: module.run(config))
    return _read[memo]


def forget() -> None:
    """Drop the results read in this process (tests that switch cache folders)."""
    _read.clear()


def arguments(name: str, profile: Profile, out: Path, args: Any = None) -> argparse.Namespace:
    """`args` completed with what `answerkey run NAME --json [--quick] --out OUT` gives
    (its own options at their defaults unless `args` has them)."""
    module = get(name)
    parser = argparse.ArgumentParser(prog=f"answerkey run {name}", add_help=False)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default="build")
    if hasattr(module, "add_arguments"):
        module.add_arguments(parser)
    made = parser.parse_args(["--json", *(["--quick"] if profile.quick else [])])
    for option, value in vars(args or argparse.Namespace()).items():
        setattr(made, option, value)
    made.quick, made.out = profile.quick, Path(out)
    return made


def execute(name: str, profile: Profile, out: Path, args: Any = None) -> dict:
    """What `answerkey run NAME` does: the results through the cache, with the figures
    drawn into `out/figures` and their file names under "figures". Prints nothing."""
    module = get(name)
    if isinstance(module, Legacy):
        return module.experiment.run(arguments(name, profile, out, args))
    found = results(name, profile, args, fresh=bool(getattr(args, "remeasure", False)))
    figures = Path(out) / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    # File names relative to the figures folder: no build folder's path in results.json.
    return {**found, "figures": drawn(module, found, figures)}


def drawn(module: ModuleType, found: dict, folder: Path) -> Any:
    """`module.draw(found, folder)`, replayed from the cache when the same results were
    drawn by the same code and matplotlib before: drawing is most of a cached rerun's time
    (seconds per figure), and the files are the same bytes."""
    import hashlib
    import json

    digest = hashlib.sha256(json.dumps(found, sort_keys=True, default=str).encode()).hexdigest()
    config = {"experiment": module.NAME, "results": digest}
    key = result_cache.cache_key(config, result_cache.CODE_PACKAGES, ("matplotlib",))
    namespace = f"figures-{module.NAME}"
    recorded = result_cache.load(namespace, key)
    if recorded is not None:
        result_cache.replay_files(folder, recorded["files"])
        return recorded["names"]
    names = module.draw(found, folder)
    written = sorted(names.values() if isinstance(names, dict) else names)
    files = result_cache.encode_files(folder, written)
    result_cache.store(namespace, key, {"names": names, "files": files})
    return names
