"""Q1 end to end: `answerkey run zkc`, its cache, its figures, its errors, `verify q1`."""

import json
import os

import pytest
from cli_run import answerkey

from models import karate_club as K

FIGURES = ("zkc_graph.png", "zkc_curves.png", "zkc_embedding.png", "zkc_semi_supervised.png")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return dict(os.environ, ANSWERKEY_CACHE_DIR=str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="module")
def quick_run(env, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = answerkey("run", "zkc", "--quick", "--json", "--out", str(out), env=env)
    return result, out


def test_run_prints_one_json_document(quick_run):
    result, _ = quick_run
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["graph"] == {
        **report["graph"],
        "nodes": 34,
        "edges": 78,
        "adjacency": "binary",
    }
    assert report["labels"]["set"] == "notebook"


def test_run_reproduces_the_notebook_with_the_leak_and_reports_node_8(quick_run):
    report = json.loads(quick_run[0].stdout)
    assert report["expected_test_accuracy"] == 1.0
    assert report["leak"]["test_accuracy"] == 1.0
    assert report["notebook"]["test_accuracy"] == 0.9
    assert report["notebook"]["misclassified_test"] == [8]


def test_run_writes_every_figure(quick_run):
    _, out = quick_run
    for name in FIGURES:
        assert (out / "figures" / name).stat().st_size > 10_000


@pytest.fixture(scope="module")
def second_run(quick_run, env, tmp_path_factory):
    out = tmp_path_factory.mktemp("again")
    return answerkey("run", "zkc", "--quick", "--out", str(out), env=env), out


def test_a_second_run_prints_the_table_of_the_runs(second_run):
    result, _ = second_run
    assert result.returncode == 0
    for text in (
        "stated in the notebook",
        "the course's code (leak)",
        "Semi-supervised",
        "min cut",
    ):
        assert text in result.stdout


def test_a_second_run_reuses_the_cached_results(second_run, env):
    from pathlib import Path

    entries = list((Path(env["ANSWERKEY_CACHE_DIR"]) / "experiment-zkc").glob("*.json"))
    assert len(entries) == 1


def test_the_same_results_draw_the_same_figures(quick_run, second_run):
    for name in FIGURES:
        first = (quick_run[1] / "figures" / name).read_bytes()
        assert (second_run[1] / "figures" / name).read_bytes() == first


@pytest.mark.parametrize(
    ("option", "value", "valid"),
    [("--labels", "communities", "notebook, club"), ("--adjacency", "dense", "binary, weighted")],
)
def test_unknown_options_are_one_line_errors_listing_the_valid_ones(env, option, value, valid):
    result = answerkey("run", "zkc", "--quick", option, value, env=env)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert valid in result.stderr
    assert result.stdout == ""


def test_verify_q1_passes_from_the_cached_run(quick_run, env):
    result = answerkey("verify", "q1", "--quick", "--json", env=env)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert {c["part"] for c in report["checks"]} == {"q1.1", "q1.2"}
    assert {c["evidence"] for c in report["checks"]} == {
        "general",
        "exhaustive",
        "numeric",
        "exact instance",
    }


def test_the_club_labels_on_the_weighted_graph_run_end_to_end():
    from answerkey.experiments.zkc.runner import ExperimentConfig, run_experiment

    config = ExperimentConfig(
        labels="club",
        adjacency="weighted",
        max_epochs=300,
        semi_seeds=(100, 101),
        semi_checkpoints=(100,),
    )
    report = run_experiment(config)
    assert report["graph"]["adjacency"] == "weighted"
    assert report["labels"]["y"] == K.club_labels().tolist()
    assert report["notebook"]["epochs"] <= 300
    assert len(report["semi_supervised"]["accuracy"]["per_seed"]) == 2


def test_the_answers_are_computed_from_the_run(quick_run, env, monkeypatch):
    from answerkey import experiments
    from answerkey.parts import get_part

    monkeypatch.setenv("ANSWERKEY_CACHE_DIR", env["ANSWERKEY_CACHE_DIR"])
    experiments.forget()
    try:
        quick = experiments.QUICK
        first, second = get_part("q1.1").answer(quick), get_part("q1.2").answer(quick)
    finally:
        experiments.forget()
    assert first.value["test_accuracy"] == 0.9
    assert first.value["misclassified_test"] == [8]
    assert second.value["always_missed"] == [8]
    assert "node 8" in first.text and "Zachary" in second.text
    assert [f.name for f in first.figures + second.figures] == list(FIGURES)
