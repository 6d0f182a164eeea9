"""The executed solution notebooks q_zkc and q_ae.

Both are built once, in the quick profile, through the experiments' cache (the
default one, or ANSWERKEY_CACHE_DIR); every test below reads that build.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap

import nbformat
import pytest

from answerkey import experiments
from answerkey import notebooks as N
from answerkey import parts as registry
from answerkey.experiments import QUICK

EXPERIMENT_OF = {"q_zkc": "zkc", "q_ae": "ae"}
ANSWERS = {"q_zkc": ("q1.1", "q1.2"), "q_ae": ("q4.a",)}
# The figures each notebook embeds (what its experiment draws).
FIGURES = {
    "q_zkc": ("zkc_graph", "zkc_curves", "zkc_embedding", "zkc_semi_supervised"),
    "q_ae": (
        "ae_recon_synthetic",
        "ae_probe_synthetic",
        "ae_recon_mnist",
        "ae_probe_mnist",
        "ae_accuracy_vs_k",
    ),
}
# TODOs that ask for an implementation: their cell must show the project's source.
IMPLEMENTATION_TODOS = {
    "zkc.self_loops", "zkc.normalize", "zkc.features", "zkc.gcn_layer",
    "zkc.gradient_check", "zkc.model", "zkc.train",
    "ae.autoencoder", "ae.vanilla", "ae.denoising", "ae.masked", "ae.train", "ae.probe",
    "ae.linear_synthetic",
}  # fmt: skip
# The checks the notebooks run live, each recorded as a boolean.
LIVE_CHECKS = {
    "q_zkc": (
        "live.self_loops_on_diagonal",
        "live.layer_backward_matches_autograd",
        "live.gradcheck_passed",
    ),
    "q_ae": ("live.vanilla_is_identity", "live.cell_matches_cache"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "notebooks"
    summary = N.build_notebooks(out, quick=True, log=lambda _: None)
    notebooks = {name: nbformat.read(out / f"{name}.ipynb", as_version=4) for name in N.NOTEBOOKS}
    # What `answerkey build --quick` puts into results.json: the experiments' results
    # (timings removed) and each part's Answer.text.
    experiments = {name: N.experiment_results(name, True) for name in EXPERIMENT_OF.values()}
    answers = {
        pid: registry.get_part(pid).answer(QUICK).text for ids in ANSWERS.values() for pid in ids
    }
    return {
        "out": out,
        "summary": summary,
        "notebooks": notebooks,
        "experiments": experiments,
        "answers": answers,
    }


def _resolve(value, path: str):
    for step in path.split("."):
        value = value[int(step)] if isinstance(value, list) else value[step]
    return value


def _png_outputs(notebook) -> list[bytes]:
    return [
        base64.b64decode(output["data"]["image/png"])
        for cell in notebook.cells
        for output in cell.get("outputs", ())
        if "image/png" in output.get("data", {})
    ]


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_the_notebook_executes_without_an_error_output(built, name):
    notebook = built["notebooks"][name]
    assert N.error_outputs(notebook) == []
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code)


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_every_todo_has_its_answered_cell_in_order(built, name):
    notebook = built["notebooks"][name]
    assert N.todo_ids(notebook) == [todo for todo, _ in N.TODOS[name]]
    for index, cell in enumerate(notebook.cells):
        todo = cell.metadata.get("todo")
        if todo is None:
            continue
        assert notebook.cells[index - 1].cell_type == "markdown", f"{todo} has no note"
        assert cell.outputs, f"{todo} has no output"
        shown = [o.get("data", {}).get("text/markdown", "") for o in cell.outputs]
        if todo in IMPLEMENTATION_TODOS:
            assert any("```python" in text for text in shown), f"{todo} shows no source"


def test_the_hw6_todo_lists_are_complete():
    assert len(N.TODOS["q_zkc"]) == 9  # HW6.md: A+I … the written embedding question
    assert len(N.TODOS["q_ae"]) == 11
    ids = [todo for todos in N.TODOS.values() for todo, _ in todos]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_the_figures_are_embedded_and_are_the_experiments_own(built, name):
    embedded = _png_outputs(built["notebooks"][name])
    assert len(embedded) == len(FIGURES[name])
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in embedded)
    _, folder = built["experiments"][EXPERIMENT_OF[name]]
    drawn = {(folder / f"{figure}.png").read_bytes() for figure in FIGURES[name]}
    assert set(embedded) == drawn


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_the_notebooks_numbers_equal_the_experiments_results(built, name):
    experiment = EXPERIMENT_OF[name]
    results, _ = built["experiments"][experiment]
    claims = {
        key.split(":", 1)[1]: value
        for key, value in N.recorded(built["notebooks"][name]).items()
        if key.startswith(f"{experiment}:")
    }
    assert len(claims) >= 8
    for path, value in claims.items():
        assert value == _resolve(results, path), path


def test_the_live_training_run_reproduces_the_experiment(built):
    recorded = N.recorded(built["notebooks"]["q_zkc"])
    results, _ = built["experiments"]["zkc"]
    for key in ("epochs", "test_accuracy", "train_accuracy", "final_objective"):
        assert recorded[f"zkc:notebook.{key}"] == results["notebook"][key]


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_the_live_checks_in_the_notebook_hold(built, name):
    recorded = N.recorded(built["notebooks"][name])
    for key in LIVE_CHECKS[name]:
        assert recorded[key] is True, key


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_the_written_answers_are_the_solutions_text(built, name):
    recorded = N.recorded(built["notebooks"][name])
    for part_id in ANSWERS[name]:
        assert recorded[f"answer.{part_id}"] == built["answers"][part_id]
        assert recorded[f"answer.{part_id}"].strip()


def test_the_embedding_question_is_answered_in_its_todo_cell(built):
    notebook = built["notebooks"]["q_zkc"]
    (cell,) = [c for c in notebook.cells if c.metadata.get("todo") == "zkc.embedding_question"]
    text = "".join(o.get("data", {}).get("text/markdown", "") for o in cell.outputs)
    assert built["answers"]["q1.1"] in text


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_the_quick_profile_is_injected_after_the_parameters(built, name):
    notebook = built["notebooks"][name]
    tags = [cell.metadata.get("tags", []) for cell in notebook.cells]
    where = tags.index(["parameters"])
    assert tags[where + 1] == ["injected-parameters"]
    assert "QUICK = True" in notebook.cells[where + 1].source
    assert notebook.metadata["answerkey"]["quick"] is True


def test_the_summary_lists_each_notebook(built):
    summary = built["summary"]
    assert summary["profile"] == "quick"
    for name in N.NOTEBOOKS:
        entry = summary["notebooks"][name]
        assert entry["file"] == f"notebooks/{name}.ipynb"
        assert entry["todos"] == [todo for todo, _ in N.TODOS[name]]
        assert entry["figures"] == len(FIGURES[name])
        assert set(summary["timings"]) == set(N.NOTEBOOKS)


def test_a_rebuild_gives_the_same_notebook(built, tmp_path):
    """Deterministic: same code and cache, same bytes (q_zkc prints no timings)."""
    N.build_notebooks(tmp_path, quick=True, names=("q_zkc",), log=lambda _: None)
    first = (built["out"] / "q_zkc.ipynb").read_bytes()
    assert (tmp_path / "q_zkc.ipynb").read_bytes() == first


def test_no_progress_bar_reaches_the_outputs(built):
    """Progress bars print rates and times: they would make every build differ."""
    for notebook in built["notebooks"].values():
        streams = [
            output.get("text", "")
            for cell in notebook.cells
            for output in cell.get("outputs", ())
            if output.get("output_type") == "stream"
        ]
        assert not any(N.PROGRESS_BAR.search(line) for s in streams for line in s.split("\r"))


def test_progress_bars_are_dropped_and_warnings_kept():
    text = "\rgrid:   0%|   | 0/30 [00:00<?, ?cell/s]\rgrid: 100%|███| 30/30 [00:01]\nWarning: x\n"
    assert N.without_progress_bars(text) == "Warning: x"


def test_no_execution_timestamps_are_kept(built):
    for notebook in built["notebooks"].values():
        assert all("execution" not in cell.metadata for cell in notebook.cells)


# --- failures --------------------------------------------------------------------------


def _script(todos, failing: str | None = None) -> str:
    cells = ['# %% tags=["parameters"]\nQUICK = False\n']
    for todo, _ in todos:
        body = "1 / 0" if todo == failing else "print('ok')"
        cells.append(f'# %% [markdown]\n# {todo}\n\n# %% todo="{todo}"\n{body}\n')
    return "\n".join(cells)


def test_a_failing_cell_names_the_notebook_and_cell_and_writes_nothing(tmp_path, monkeypatch):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "q_zkc.py").write_text(_script(N.TODOS["q_zkc"], failing="zkc.model"))
    monkeypatch.setattr(N, "SOURCE_DIR", sources)
    out = tmp_path / "out"
    with pytest.raises(N.NotebookError) as raised:
        N.build_notebooks(out, quick=True, names=("q_zkc",), log=lambda _: None)
    message = str(raised.value)
    assert message.startswith("notebook q_zkc, cell ")
    assert "(TODO zkc.model)" in message
    assert "ZeroDivisionError" in message
    assert not out.exists() or not any(out.iterdir())


@pytest.fixture
def stand_in_build(tmp_path, monkeypatch):
    """`answerkey build` with no questions and only the notebooks experiment, whose
    sources are stand-ins (`_script`) in a temporary folder."""
    from answerkey import build as build_module

    sources = tmp_path / "sources"
    sources.mkdir()
    monkeypatch.setattr(N, "SOURCE_DIR", sources)
    monkeypatch.setattr(registry, "questions", lambda: ())
    monkeypatch.setattr(
        experiments, "modules", lambda: {"notebooks": experiments.Legacy(N.EXPERIMENTS[0])}
    )
    monkeypatch.setattr(build_module, "run_checks", lambda quick, log: [])
    monkeypatch.setattr(build_module, "render_documents", lambda results, folder: ([], []))
    rubric = tmp_path / "rubric.toml"
    rubric.write_text("")

    def run(failing: str | None = None):
        for name in N.NOTEBOOKS:
            (sources / f"{name}.py").write_text(_script(N.TODOS[name], failing))
        options = build_module.BuildOptions(out=tmp_path / "out", quick=True, rubric=rubric)
        return build_module.build(options, log=lambda _: None)

    return run


def test_answerkey_build_writes_the_notebooks_into_out(stand_in_build, tmp_path):
    report = stand_in_build()
    assert report.verified
    assert "notebooks/" in report.written
    for name in N.NOTEBOOKS:
        notebook = nbformat.read(tmp_path / "out" / "notebooks" / f"{name}.ipynb", as_version=4)
        assert N.todo_ids(notebook) == [todo for todo, _ in N.TODOS[name]]
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["experiments"]["notebooks"]["notebooks"]["q_zkc"]["file"] == (
        "notebooks/q_zkc.ipynb"
    )


def test_a_failing_notebook_fails_the_build_naming_it_and_writes_nothing(stand_in_build, tmp_path):
    report = stand_in_build(failing="ae.probe")
    assert not report.verified
    (failure,) = report.failures
    assert "experiment notebooks failed: NotebookError: notebook q_ae, cell " in failure
    assert "(TODO ae.probe): ZeroDivisionError" in failure
    assert not (tmp_path / "out").exists()


def test_a_missing_todo_cell_stops_the_build(tmp_path, monkeypatch):
    (tmp_path / "q_ae.py").write_text(_script(N.TODOS["q_ae"][:-1]))
    monkeypatch.setattr(N, "SOURCE_DIR", tmp_path)
    with pytest.raises(N.NotebookError, match=r"notebook q_ae: .*missing \['ae.discussion'\]"):
        N.load_source("q_ae", quick=True)


def test_a_missing_kernel_exits_1_naming_the_notebook(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "answerkey", "run", "notebooks", "--quick", "--only", "q_zkc",
         "--kernel", "no-such-kernel", "--out", str(tmp_path)],
        capture_output=True, text=True, env=dict(os.environ),
    )  # fmt: skip
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith("answerkey: error: notebook q_zkc: no Jupyter kernel")
    assert "'no-such-kernel'" in last
    assert not (tmp_path / "notebooks").exists()


def test_the_notebooks_experiment_runs_after_the_ones_it_reads():
    names = experiments.names()
    assert names[-1] == "notebooks"
    assert {"zkc", "ae"} <= set(names[:-1])


def test_an_excerpt_is_one_block_of_the_source():
    source = textwrap.dedent(
        """\
        def f(x):
            if x == 1:
                y = 2
                return y
            if x == 2:
                return 3
        """
    )
    assert N.excerpt(source, "if x == 1") == "if x == 1:\n    y = 2\n    return y\n"
    with pytest.raises(ValueError):
        N.excerpt(source, "while")
