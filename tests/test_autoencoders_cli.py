"""Q4: the `ae` experiment end to end (quick settings), its cache, and its bad input."""

import json
import os

import pytest
from cli_run import answerkey

from answerkey import cache
from answerkey.experiments.ae import grid


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return dict(os.environ, ANSWERKEY_CACHE_DIR=str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="module")
def first_run(env, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = answerkey("run", "ae", "--quick", "--json", "--out", str(out), env=env)
    return result, out


def test_quick_grid_runs_and_prints_one_json_document(first_run):
    result, _ = first_run
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    assert summary["version"] == 2
    # 2 data sets × 2 activations × 3 variants × 2 code sizes, each over its seeds at once
    assert len(summary["rows"]) == 24
    assert {row["features"] for row in summary["baselines"]} == {"raw", "pca"}
    assert summary["timings"]["groups_computed"] == summary["timings"]["groups"] == 30
    epochs = summary["settings"]["epochs"]
    for row in summary["rows"]:
        assert row["epochs"] == list(range(epochs + 1))
        assert len(row["probe"]["mean"]) == len(row["recon"]["mean"]) == epochs + 1
    assert summary["budget"]["updates"]["mnist"] == epochs * 20  # quick: 20 updates an epoch


def test_progress_goes_to_stderr(first_run):
    result, _ = first_run
    assert "ae grid" in result.stderr
    assert "ae grid" not in result.stdout


def test_results_record_their_data(first_run):
    summary = json.loads(first_run[0].stdout)
    assert summary["data"]["mnist"]["name"] == "mnist-embedded"
    assert summary["data"]["synthetic"]["name"] == "synthetic"


def test_figures_are_written(first_run):
    _, out = first_run
    names = {p.name for p in (out / "figures").glob("*.png")}
    assert names == {
        "ae_recon_synthetic.png",
        "ae_recon_mnist.png",
        "ae_probe_synthetic.png",
        "ae_probe_mnist.png",
        "ae_accuracy_vs_k.png",
    }


def test_quick_settings_assert_no_claim(first_run):
    summary = json.loads(first_run[0].stdout)
    assert {c["name"] for c in summary["claims"]} >= {"random_subspace", "linear_converged"}
    text = summary["answers"]["headline"] + summary["answers"]["detail"]
    assert "no claim" in text
    assert not any(c["sentence"] and c["sentence"] in text for c in summary["claims"])


def test_rerun_is_served_from_the_cache_with_the_same_numbers(first_run, env, tmp_path):
    again = answerkey("run", "ae", "--quick", "--json", "--out", str(tmp_path), env=env)
    assert again.returncode == 0
    before, after = json.loads(first_run[0].stdout), json.loads(again.stdout)
    before.pop("timings"), after.pop("timings")
    assert before == after


def test_a_corrupt_cache_entry_is_recomputed(first_run, env, monkeypatch):
    monkeypatch.setenv("ANSWERKEY_CACHE_DIR", env["ANSWERKEY_CACHE_DIR"])
    group = grid.Group("synthetic", "ae", "vanilla", "linear", 5)
    source = grid.load_data("synthetic", True, None).source
    key = grid.group_key(group, grid.QUICK, source, "cpu")
    path = cache.entry_path(grid.NAMESPACE, key)
    original = json.loads(path.read_text())["payload"]
    path.write_text(path.read_text()[:-40])  # truncated, as by a crash mid-write
    run = grid.run_grid(True, groups=[group], progress=False)
    assert run.computed == 1
    recomputed = dict(run.results[group])
    recomputed.pop("timings"), original.pop("timings")
    assert recomputed == original
    assert cache.load(grid.NAMESPACE, key) is not None


def test_a_folder_without_mnist_is_a_usage_error(env, tmp_path):
    result = answerkey("run", "ae", "--quick", "--mnist-dir", str(tmp_path), env=env)
    assert result.returncode == 2
    message = result.stderr.strip().splitlines()
    assert len(message) == 1
    assert "train-images-idx3-ubyte" in message[0]
    assert "embedded" in message[0]


def test_verify_q4_quick_passes(first_run, env):
    result = answerkey("verify", "q4", "--quick", "--json", env=env)
    report = json.loads(result.stdout)
    failed = [c for c in report["checks"] if c["verdict"] not in ("PROVED", "PASS")]
    assert result.returncode == 0, failed
    assert {c["part"] for c in report["checks"]} == {"q4.a", "q4.b.i", "q4.b.ii"}
    claims = [c for c in report["checks"] if c["claim"].startswith("claim ")]
    assert len(claims) >= 8
    assert all("not asserted" in c["detail"] for c in claims)
