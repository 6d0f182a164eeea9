"""Shared fixtures: the real key built once per test session in the quick profile."""

import os
import shutil

import pytest
from cli_run import answerkey, pdf_text


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from this build instead of comparing against it "
        "(commit the new files with the change that explains them)",
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(build folder, first run, second run, results.json and PDF texts of the first).

    A fresh cache folder, so the experiments and checks really run; the second build
    replays the first from the cache into the same folder."""
    root = tmp_path_factory.mktemp("key")
    env = dict(os.environ, ANSWERKEY_CACHE_DIR=str(root / "cache"))
    out = root / "build"
    first = answerkey("build", "--quick", "--json", "--out", str(out), env=env)
    if first.returncode != 0:
        pytest.fail(f"answerkey build --quick failed:\n{first.stdout}\n{first.stderr[-3000:]}")
    kept = {"results.json": (out / "results.json").read_bytes()}
    if shutil.which("pdftotext"):
        for name in ("solutions.pdf", "answer_key.pdf"):
            kept[name] = pdf_text(out / name)
    second = answerkey("build", "--quick", "--json", "--out", str(out), env=env)
    return out, first, second, kept
