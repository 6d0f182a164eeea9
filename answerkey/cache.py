"""The result cache: experiments keyed by what could change their numbers.

A key hashes the experiment's config, the source of the code it ran and the
versions of the libraries it used, so a changed model or a new torch never
reuses stale results. Entries are written atomically (write a temporary file,
then rename) and carry a checksum of their content: an interrupted run leaves
either the old entry or the new one, and a corrupt entry is detected, deleted
and recomputed, never used.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CODE_PACKAGES = ("answerkey", "derivations", "numeric", "models")


def cache_dir() -> Path:
    """ANSWERKEY_CACHE_DIR, else `.answerkey-cache` in the clone, else ~/.cache/answerkey."""
    if env := os.environ.get("ANSWERKEY_CACHE_DIR"):
        return Path(env)
    if (PROJECT_ROOT / "pyproject.toml").exists() and os.access(PROJECT_ROOT, os.W_OK):
        return PROJECT_ROOT / ".answerkey-cache"
    return Path.home() / ".cache" / "answerkey"


def code_hash(packages: Iterable[str] = CODE_PACKAGES) -> str:
    """SHA-256 over the Python sources of the given top-level packages (or single
    files, e.g. "models/autoencoders.py", so an experiment hashes only what it runs)."""
    digest = hashlib.sha256()
    for package in sorted(packages):
        root = PROJECT_ROOT / package
        for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def library_versions(names: Iterable[str]) -> dict[str, str]:
    versions = {}
    for name in sorted(names):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def cache_key(config: dict[str, Any], packages: Iterable[str], libraries: Iterable[str]) -> str:
    material = {
        "config": config,
        "code": code_hash(packages),
        "libraries": library_versions(libraries),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:32]


def _checksum(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def encode_files(folder: Path, names) -> dict[str, str]:
    """The files `names` (relative to `folder`) as base64 text: a cache entry's payload
    for files a step wrote (figures, executed notebooks)."""
    return {n: base64.b64encode((Path(folder) / n).read_bytes()).decode("ascii") for n in names}


def replay_files(folder: Path, files: dict[str, str]) -> None:
    """Write back files recorded by `encode_files` into `folder`, each atomically."""
    for name, encoded in files.items():
        write_atomic(Path(folder) / name, base64.b64decode(encoded))


def entry_path(namespace: str, key: str) -> Path:
    return cache_dir() / namespace / f"{key}.json"


def load(namespace: str, key: str) -> Any | None:
    """The cached payload, or None if absent or corrupt (a corrupt entry is removed)."""
    path = entry_path(namespace, key)
    try:
        record = json.loads(path.read_text())
        if record["key"] == key and record["checksum"] == _checksum(record["payload"]):
            return record["payload"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        pass
    path.unlink(missing_ok=True)
    return None


def store(namespace: str, key: str, payload: Any) -> None:
    record = {"key": key, "checksum": _checksum(payload), "payload": payload}
    write_atomic(entry_path(namespace, key), json.dumps(record, sort_keys=True).encode())


def cached(namespace: str, key: str, compute: Callable[[], Any]) -> Any:
    """Load the entry for `key`, or compute it, store it and return it."""
    payload = load(namespace, key)
    if payload is None:
        # Round-trip through JSON so a fresh result and a cached one look alike.
        payload = json.loads(json.dumps(compute(), sort_keys=True))
        store(namespace, key, payload)
    return payload
