"""The solution notebooks q_zkc and q_ae and their student versions.

Both are built once, in the quick profile, on the build's own kernel (this Python,
unable to import the project); every test below reads that build.
"""

from __future__ import annotations
import __future__

import ast
import functools
import importlib
import inspect
import json
import operator
import os
import pkgutil
import subprocess
import sys
import textwrap

import jupytext
import nbformat
import pytest

from answerkey import experiments
from answerkey import parts as registry
from answerkey.experiments import notebooks as N
from answerkey.experiments.ae.protocol import SERIES

FIGURES = {"q_zkc": 3, "q_ae": 4}  # the graph, the curves, the embedding / see q_ae


def experiment_results(name: str) -> dict:
    """The quick profile's results of experiment `name`, as results.json holds them."""
    return experiments.results(name, experiments.QUICK)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "notebooks"
    # Standalone: q_ae trains every group itself (the build hands it the grid's instead).
    summary = N.build_notebooks(out, quick=True, log=lambda _: None, standalone=True)
    read = {
        version: {
            name: nbformat.read(out / version / f"{name}.ipynb", as_version=4)
            for name in N.NOTEBOOKS
        }
        for version in ("solutions", "student")
    }
    return {"out": out, "summary": summary, **read}


def _resolve(value, path: str):
    for step in path.split("."):
        value = value[int(step)] if isinstance(value, list) else value[step]
    return value


def _agrees(value, expected) -> bool:
    """`value` equals `expected` on every key `value` has (a notebook reports a subset of
    what the experiment records), exactly."""
    if isinstance(value, dict):
        return all(key in expected and _agrees(v, expected[key]) for key, v in value.items())
    if isinstance(value, list):
        return len(value) == len(expected) and all(map(_agrees, value, expected))
    return value == expected


def _compiled(source: str, imports: str):
    """`source` compiled as a kernel compiles a later cell: under the `from __future__`
    imports of the imports cell (IPython keeps them for every cell after)."""
    flags = 0
    for node in ast.parse(imports).body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            flags |= functools.reduce(
                operator.or_, (getattr(__future__, a.name).compiler_flag for a in node.names)
            )
    return compile(source, "<cell>", "exec", flags=flags, dont_inherit=True)


def _project_modules() -> set[str]:
    """Dotted and slashed names of the project's modules (`models.mnist`, `models/mnist`)."""
    names = set()
    for package in N.BLOCKED_PACKAGES:
        path = N.PROJECT_ROOT / package
        for module in pkgutil.iter_modules([str(path)]):
            names |= {f"{package}.{module.name}", f"{package}/{module.name}"}
    return names


def _imported_packages(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


# --- standalone ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_the_solution_runs_top_to_bottom_without_an_error(built, name):
    notebook = built["solutions"][name]
    assert N.error_outputs(notebook) == []
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_the_notebook_imports_only_third_party_packages(built, name):
    allowed = {"numpy", "scipy", "torch", "networkx", "matplotlib", "sklearn"}
    allowed |= set(sys.stdlib_module_names) - {"answerkey", "models", "numeric", "derivations"}
    code = [c.source for c in built["solutions"][name].cells if c.cell_type == "code"]
    imported = set().union(*(_imported_packages(source) for source in code))
    assert imported <= allowed, imported - allowed


def test_the_build_kernel_cannot_import_the_project(tmp_path):
    """So a notebook that leaned on the project would fail the build, not pass silently."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import numpy, torch, networkx")]
    N.execute(notebook, "q_zkc", probe=False)  # third-party packages import fine
    for package in N.BLOCKED_PACKAGES:
        notebook.cells = [nbformat.v4.new_code_cell(f"import {package}")]
        with pytest.raises(N.NotebookError, match="ModuleNotFoundError"):
            N.execute(notebook, "q_zkc", probe=False)


# --- one source ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_each_inlined_cell_is_the_current_source_of_what_it_names(built, name):
    script = jupytext.read(N.source_path(name), fmt="py:percent")
    inlined = [cell for cell in script.cells if "inline" in cell.metadata]
    assert inlined
    by_id = {cell.id: cell for cell in built["solutions"][name].cells}
    built_inlined = [c for c in by_id.values() if "inline" in c.metadata]
    assert len(built_inlined) == len(inlined)
    for cell in built_inlined:
        code = cell.source
        if "todo" in cell.metadata:
            header, code = code.split("\n\n", 1)
            assert header.startswith("# TODO ") and header.endswith("— solution")
        rest, namespace = code, None
        for spec in N.specs_of(cell):
            module_name, _, attribute = spec.partition(":")
            module = importlib.import_module(module_name)
            obj = getattr(module, attribute)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                source = textwrap.dedent(inspect.getsource(obj)).rstrip()
                assert source in rest, f"{name}: {spec} is not its current source"
                rest = rest.replace(source, "", 1)
            else:  # a constant: the cell assigns it the module's value
                if namespace is None:  # the imports, then every inlined cell up to here
                    namespace = {}
                    imports = next(c for c in by_id.values() if c.cell_type == "code").source
                    exec(imports, namespace)
                    for earlier in built_inlined[: built_inlined.index(cell) + 1]:
                        exec(_compiled(earlier.source, imports), namespace)
                if " at 0x" in repr(obj):  # no value to compare (a lock): the same type
                    assert type(namespace[attribute]) is type(obj), spec
                else:
                    assert repr(namespace[attribute]) == repr(obj), spec
                rest = rest.replace(N.constant_source(module, attribute).rstrip(), "", 1)
        assert not rest.strip(), f"{name}: code in an inlined cell that names no source"


# --- course-shaped ---------------------------------------------------------------------------


def test_the_hw6_todo_lists_are_complete():
    assert len(N.TODOS["q_zkc"]) == 9  # HW6.md: A+I … the written embedding question
    assert len(N.TODOS["q_ae"]) == 11
    ids = [todo for todos in N.TODOS.values() for todo, _ in todos]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_every_todo_is_answered_in_its_own_marked_cell_in_order(built, name):
    notebook = built["solutions"][name]
    assert N.todo_ids(notebook) == [todo for todo, _ in N.TODOS[name]]
    for number, cell in enumerate((c for c in notebook.cells if "todo" in c.metadata), 1):
        if cell.cell_type == "code":
            header, _, body = cell.source.partition("\n")
            assert header.startswith(f"# TODO {number} ({cell.metadata['todo']})")
            assert header.endswith("— solution")
            assert any(line.strip() and not line.startswith("#") for line in body.splitlines())
        else:
            assert "**Answer.**" in cell.source
            assert len(cell.source.split()) > 80  # a written answer, not a placeholder


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_the_figures_are_embedded(built, name):
    assert N.figure_count(built["solutions"][name]) == FIGURES[name]


def test_the_markdown_is_student_facing():
    """No project internals in what students read."""
    for name in N.NOTEBOOKS:
        notebook = N.load_source(name, quick=True)
        text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        for word in ("answerkey", "models/", "results.json", "the key", "caveat"):
            assert word not in text.lower(), (name, word)


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_no_cell_points_into_the_project(built, name):
    """The inlined code's docstrings and comments too: a student has no such modules.
    (A module's name, not a package's bare name: `models.append(…)` is a list.)"""
    modules = _project_modules()
    assert {"models.autoencoders", "answerkey/experiments", "numeric.autoencoders"} <= modules
    for cell in built["solutions"][name].cells:
        for module in modules:
            assert module not in cell.source, (module, cell.source[:80])


def test_the_profile_is_injected_after_the_parameters(built):
    for notebook in built["solutions"].values():
        tags = [cell.metadata.get("tags", []) for cell in notebook.cells]
        where = tags.index(["parameters"])
        assert tags[where + 1] == ["injected-parameters"]
        assert notebook.metadata["answerkey"]["profile"] == "quick"
    zkc = built["solutions"]["q_zkc"]
    injected = next(c for c in zkc.cells if c.metadata.get("tags") == ["injected-parameters"])
    assert "EPOCHS = 2000" in injected.source


# --- the same numbers ----------------------------------------------------------------------


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_the_notebooks_numbers_equal_the_experiments_results(built, name):
    numbers = built["summary"]["notebooks"][name]["numbers"]
    assert set(numbers) == set(N.PROBES[name])
    assert len(json.dumps(numbers)) > 500  # many numbers, not a token few
    results = experiment_results(N.EXPERIMENT_OF[name])
    for path, value in numbers.items():
        assert _agrees(value, _resolve(results, path)), path


def test_the_grid_s_groups_handed_over_give_the_same_notebook(built, tmp_path):
    """The build hands q_ae the groups the ae grid trained (same code, same seeds): the
    executed notebook must be the one that trains them all itself, but for GROUPS."""
    experiments.results("ae", experiments.QUICK)  # the grid's groups are cached
    summary = N.build_notebooks(tmp_path, quick=True, names=("q_ae",), log=lambda _: None)
    assert summary["notebooks"]["q_ae"]["groups_read"] == 2 * 2 * 3 * 2  # data·act·var·k
    handed = nbformat.read(tmp_path / "solutions" / "q_ae.ipynb", as_version=4)
    trained = built["solutions"]["q_ae"]
    assert len(handed.cells) == len(trained.cells)
    differing = [
        index
        for index, (a, b) in enumerate(zip(handed.cells, trained.cells, strict=True))
        if (a.source, a.get("outputs")) != (b.source, b.get("outputs"))
    ]
    injected = next(
        i for i, c in enumerate(handed.cells) if "injected-parameters" in c.metadata.get("tags", ())
    )
    assert differing == [injected]
    assert f"GROUPS = {N.GROUPS_FILE!r}" in handed.cells[injected].source
    assert "GROUPS = None" in trained.cells[injected].source
    groups = json.loads((tmp_path / "solutions" / N.GROUPS_FILE).read_text())
    assert all(set(series) == set(SERIES) for series in groups.values())
    student = nbformat.read(tmp_path / "student" / "q_ae.ipynb", as_version=4)
    assert "GROUPS = None" in student.cells[injected].source  # students train it all


def test_a_rebuild_gives_the_same_notebook(built, tmp_path):
    """Deterministic: same code, same bytes (seeds, stable ids, no timestamps, streams
    merged however the kernel split them)."""
    N.build_notebooks(tmp_path, quick=True, names=("q_zkc",), log=lambda _: None)
    for version in ("solutions", "student"):
        first = (built["out"] / version / "q_zkc.ipynb").read_bytes()
        assert (tmp_path / version / "q_zkc.ipynb").read_bytes() == first


def test_consecutive_prints_become_one_stream_output():
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a\n"),
        nbformat.v4.new_output("stream", name="stdout", text="b\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": "x"}),
        nbformat.v4.new_output("stream", name="stdout", text="c\n"),
    ]
    notebook.cells = [cell]
    N.coalesce_streams(notebook)
    assert [o.get("text") for o in cell.outputs] == ["a\nb\n", None, "c\n"]


# --- student versions ----------------------------------------------------------------------


def _solution_lines(cell) -> set[str]:
    """The lines of a solution cell that are code, not a header, signature or docstring."""
    tree = ast.parse(cell.source)
    kept = set()
    for node in tree.body:  # constants stay in the student version
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            kept |= set(range(node.lineno, node.end_lineno + 1))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            kept |= set(range(first, node.body[0].lineno))
            if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
                kept |= set(range(node.body[0].lineno, node.body[0].end_lineno + 1))
    lines = cell.source.splitlines()
    return {
        line.strip()
        for number, line in enumerate(lines, 1)
        if number not in kept and line.strip() and not line.strip().startswith("#")
    }


@pytest.mark.parametrize("name", N.NOTEBOOKS)
def test_the_student_version_has_no_solution_and_no_outputs(built, name):
    solution, student = built["solutions"][name], built["student"][name]
    assert [c.source for c in student.cells if "todo" not in c.metadata] == [
        c.source for c in solution.cells if "todo" not in c.metadata
    ]
    assert N.todo_ids(student) == N.todo_ids(solution)
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    pairs = zip(
        (c for c in solution.cells if "todo" in c.metadata),
        (c for c in student.cells if "todo" in c.metadata),
        strict=True,
    )
    for answer, starter in pairs:
        if answer.cell_type == "markdown":
            assert "**Answer.**" not in starter.source and len(starter.source.split()) < 30
            continue
        assert starter.source.splitlines()[0].startswith("# TODO ")
        assert not starter.source.splitlines()[0].endswith("solution")
        leaked = _solution_lines(answer) & {line.strip() for line in starter.source.splitlines()}
        leaked -= {"raise NotImplementedError", "pass  # TODO", ")", "):", "]", "}"}
        assert not leaked, (answer.metadata["todo"], leaked)
        ast.parse(starter.source)  # a stub still parses


def test_a_stub_keeps_signatures_and_docstrings():
    source = textwrap.dedent(
        '''\
        def f(x: int) -> int:
            """Double it."""
            return 2 * x


        class C(nn.Module):
            """A module."""

            def __init__(self):
                super().__init__()
                self.w = 1

            @staticmethod
            def g(
                y,
            ):
                return y
        '''
    )
    stub = N.stub(source)
    assert "return 2 * x" not in stub and "self.w = 1" not in stub and "return y" not in stub
    assert 'def f(x: int) -> int:\n    """Double it."""\n    # TODO' in stub
    assert "    @staticmethod\n    def g(\n        y,\n    ):\n        # TODO" in stub
    assert stub.count("raise NotImplementedError") == 3
    ast.parse(stub)


# --- failures ------------------------------------------------------------------------------


def _script(todos, failing: str | None = None) -> str:
    cells = ['# %% tags=["parameters"]\nQUICK = False\n']
    for todo, _ in todos:
        body = "1 / 0" if todo == failing else "print('ok')\nprint('done')"
        cells.append(f'# %% [markdown]\n# {todo}\n\n# %% todo="{todo}"\n{body}\n')
    return "\n".join(cells)


@pytest.fixture
def stand_ins(tmp_path, monkeypatch):
    sources = tmp_path / "sources"
    sources.mkdir()
    monkeypatch.setattr(N, "SOURCE_DIR", sources)
    monkeypatch.setattr(N, "PROBES", {name: {} for name in N.NOTEBOOKS})

    def write(failing: str | None = None):
        for name in N.NOTEBOOKS:
            (sources / f"{name}.py").write_text(_script(N.TODOS[name], failing))

    return write


def test_a_failing_cell_names_the_notebook_and_cell_and_writes_nothing(stand_ins, tmp_path):
    stand_ins(failing="zkc.model")
    out = tmp_path / "out"
    with pytest.raises(N.NotebookError) as raised:
        N.build_notebooks(out, quick=True, log=lambda _: None)
    message = str(raised.value)
    assert message.startswith("notebook q_zkc, cell ")
    assert "(TODO zkc.model)" in message
    assert "ZeroDivisionError" in message
    assert not out.exists()


def test_a_failing_notebook_fails_the_build_naming_the_cell(stand_ins, tmp_path, monkeypatch):
    from answerkey import build as build_module

    monkeypatch.setattr(registry, "questions", lambda: ())
    monkeypatch.setattr(
        experiments, "modules", lambda: {"notebooks": experiments.Legacy(N.EXPERIMENTS[0])}
    )
    monkeypatch.setattr(build_module, "run_checks", lambda profile, log: [])
    monkeypatch.setattr(build_module, "render_documents", lambda results, folder: ([], []))
    rubric = tmp_path / "rubric.toml"
    rubric.write_text("")

    def build():
        options = build_module.BuildOptions(out=tmp_path / "out", quick=True, rubric=rubric)
        return build_module.build(options, log=lambda _: None)

    stand_ins()
    report = build()
    assert report.verified
    for version in ("solutions", "student"):
        for name in N.NOTEBOOKS:
            assert (tmp_path / "out" / "notebooks" / version / f"{name}.ipynb").is_file()
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["experiments"]["notebooks"]["notebooks"]["q_ae"]["student"] == (
        "notebooks/student/q_ae.ipynb"
    )

    stand_ins(failing="ae.probe")
    (tmp_path / "out").rename(tmp_path / "first")
    report = build()
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


def test_the_ae_discussion_is_the_checked_written_answer(built):
    """q_ae's written answer is the ae experiment's own, whose sentences print only when
    their claims hold: not a typed copy that could say what the results do not."""
    answers = experiment_results("ae")["answers"]
    cell = next(
        c for c in built["solutions"]["q_ae"].cells if c.metadata.get("todo") == "ae.discussion"
    )
    assert answers["headline"] in cell.source
    for paragraph in answers["detail"].split("\n\n"):
        assert paragraph.split(". ", 1)[-1] in cell.source


def test_the_ae_discussion_follows_the_claims(monkeypatch):
    real = experiments.results

    def with_answer(name, profile, *args, **kwargs):
        found = dict(real(name, profile, *args, **kwargs))
        if name == "ae":
            found["answers"] = {
                "headline": "Accuracy rises with k.",
                "detail": "Accuracy vs k. Every seed at k ≥ 20 beats every seed below.",
            }
        return found

    monkeypatch.setattr(experiments, "results", with_answer)
    cell = next(
        c
        for c in N.load_source("q_ae", quick=True).cells
        if c.metadata.get("todo") == "ae.discussion"
    )
    assert cell.source == (
        "**Answer.** Accuracy rises with k.\n\n"
        "*Accuracy vs k.* Every seed at k ≥ 20 beats every seed below."
    )
    assert "answer" not in cell.metadata
