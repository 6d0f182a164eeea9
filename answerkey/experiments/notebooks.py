"""The solution notebooks `q_zkc.ipynb` and `q_ae.ipynb`, and their student versions.

    answerkey run notebooks [--quick] [--only q_zkc] [--out build]

writes `<out>/notebooks/solutions/<name>.ipynb` (executed, outputs and figures
embedded) and `<out>/notebooks/student/<name>.ipynb` (the same cells, every TODO's
solution replaced by a `# TODO` stub, written answers emptied, no outputs);
`answerkey build` runs this experiment after the others.

One source. Each notebook's source is a percent script in `notebooks/`. A code cell
whose metadata names objects (`inline="models.karate_club:add_self_loops,GCN"`)
gets, at build time, the current source of those objects (`inspect.getsource` for
functions and classes; the assignment statement, with the comment lines above it,
for a module constant), so a change to `models/` changes the notebook and the
notebook carries its own code: it imports only third-party packages and runs in a
fresh kernel where the project is not installed. The build executes it in such a
kernel (`bare_kernel`: a meta-path finder refuses `answerkey`, `models`, `numeric`
and `derivations`), so a notebook that leans on the project fails the build.

Course-shaped. Every TODO of the original notebook (`TODOS`, in the course's order)
is one cell tagged `todo=ID`: a code cell whose code is the answer, or, for a written
question, a markdown cell with the answer; a markdown cell tagged `answer=EXPERIMENT` gets
that experiment's checked written answer (`written_answer`). The source's cell tagged `parameters`
holds the full profile's settings; the build injects the chosen profile's values in
a cell tagged `injected-parameters` right after it (papermill's convention).

The grid's groups. Every autoencoder q_ae trains, the ae experiment's grid has already
trained, with the same code and seeds. So the build hands them over: it writes their
series to `q_ae_groups.json` beside the notebook and sets `GROUPS` to that name, and the
notebook trains only what the file lacks (`GROUPS = None`, the student version's value,
trains everything: the notebook stands alone either way). `--standalone` makes the build
train everything in the notebook; the tests do, and check that both give the same notebook.

The same numbers. After the last cell the build runs one more cell (`PROBES`: kernel
expressions by results path), reads the values it prints and removes it; they are
the notebook's numbers, which the tests compare with the experiments' results.

Determinism: no execution timestamps, PYTHONHASHSEED fixed, stable cell ids; the same
commit and libraries give the same notebook. Failure: a cell that raises, a missing
kernel or a kernel that dies stops the build with one line naming the notebook and
the cell (`NotebookError`, exit 1); nothing is written unless every notebook asked
for executed, each file written atomically.

Heavy imports (jupytext, nbclient, nbformat) happen inside the functions: the CLI
imports this module to list its experiment.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from answerkey.cache import PROJECT_ROOT, write_atomic
from answerkey.errors import CommandFailed
from answerkey.parts import Experiment

NAME = "notebooks"
HELP = "execute the solution notebooks q_zkc and q_ae; write them and their student versions"
SOURCE_DIR = PROJECT_ROOT / "notebooks"
NOTEBOOKS = ("q_zkc", "q_ae")
CELL_TIMEOUT_S = 3600  # the full autoencoder protocol trains for a long time on a CPU
BLOCKED_PACKAGES = ("answerkey", "models", "numeric", "derivations")
JUPYTEXT_CELL_KEYS = ("lines_to_next_cell", "lines_to_end_of_cell_marker")
PROBE_TAG = "answerkey-probe"
GROUPS_FILE = "q_ae_groups.json"  # the grid's autoencoder groups, handed to q_ae

# Every TODO of the original notebooks, in their order (HW6.md, "Notebook facts"):
# (id, what the TODO asks). Each id tags exactly one cell of the notebook.
TODOS: dict[str, tuple[tuple[str, str], ...]] = {
    "q_zkc": (
        ("zkc.self_loops", "add self-loops: Ã = A + I"),
        ("zkc.normalize", "symmetric normalization Â = D^{-1/2} Ã D^{-1/2}"),
        ("zkc.features", "node features X = I"),
        ("zkc.gcn_layer", "the GCN layer's forward and hand-written backward pass"),
        ("zkc.gradient_check", "a gradient check of the hand-written backward pass"),
        ("zkc.model", "the model class"),
        ("zkc.instantiate", "instantiate it with hidden sizes [16, 2]"),
        ("zkc.train", "the training loop with train/test loss and accuracy"),
        (
            "zkc.embedding_question",
            "why is test accuracy 100% while two points look misclassified in the embedding plot?",
        ),
    ),
    "q_ae": (
        (
            "ae.autoencoder",
            "Autoencoder(input, hidden_sizes, activation): encoder and mirrored decoder",
        ),
        ("ae.vanilla", "the vanilla autoencoder's objective"),
        ("ae.denoising", "the denoising autoencoder: input x + 0.5·ε, clean target"),
        ("ae.masked", "the masked autoencoder: entries zeroed with probability 0.25, full target"),
        ("ae.train", "pretraining with Adam on the variant's objective, batches of 100, 10 epochs"),
        ("ae.probe", "the linear probe on frozen codes"),
        ("ae.linear_synthetic", "(i) linear autoencoders, k ∈ {5, 10, 100, 1000}, synthetic data"),
        ("ae.linear_mnist", "(i) linear autoencoders, k ∈ {5, 10, 100, 1000}, MNIST"),
        ("ae.relu_synthetic", "(ii) ReLU autoencoders, same k, synthetic data"),
        ("ae.relu_mnist", "(ii) ReLU autoencoders, same k, MNIST"),
        ("ae.discussion", "the written discussion of the results"),
    ),
}

# The notebook's numbers: results path (in its experiment's results) → kernel expression.
EXPERIMENT_OF = {"q_zkc": "zkc", "q_ae": "ae"}
PROBES: dict[str, dict[str, str]] = {
    "q_zkc": {
        "graph.nodes": "A.shape[0]",
        "graph.edges": "int((A > 0).sum()) // 2",
        "graph.a_hat_symmetric": "bool(torch.equal(A_hat, A_hat.T))",
        "graph.a_hat_eigenvalue_range": "[float(v) for v in torch.linalg.eigvalsh(A_hat)[[0, -1]]]",
        "labels.class_sizes": "[int((labels == c).sum()) for c in (0, 1)]",
        "labels.detection_matches_literal": "detect_notebook_labels() == NOTEBOOK_CLASS_0",
        "notebook.epochs": "history.epochs",
        "notebook.stopped_early": "history.stopped_early",
        "notebook.best_epoch": "history.best_epoch",
        "notebook.final_objective": "history.objective[-1]",
        "notebook.prediction": "prediction.tolist()",
        "notebook.train_accuracy": "train_accuracy",
        "notebook.test_accuracy": "test_accuracy",
        "notebook.embedding": "evaluate(model, A_hat, X)['embedding'].tolist()",
        "leak.final_objective": "leak_history.objective[-1]",
        "leak.test_accuracy": "leak_test_accuracy",
        "leak.prediction": "leak_prediction.tolist()",
    },
    "q_ae": {
        "rows": "[summary_row(d, a, v, k) for d in ('synthetic', 'mnist') "
        "for a in ('linear', 'relu') for v in VARIANTS for k in CODE_SIZES]",
    },
}


class NotebookError(CommandFailed):
    """A notebook could not be built: one line naming the notebook (and cell), exit 1."""


# --- one source: inlining the project's code --------------------------------------------


def resolve(spec: str) -> tuple[Any, str, str]:
    """`module:name` → (the module, the name, its current source).

    A function or class: `inspect.getsource`, dedented. A module-level constant: its
    assignment statement with the comment lines directly above it.
    """
    module_name, _, name = spec.partition(":")
    module = importlib.import_module(module_name)
    obj = getattr(module, name)
    if inspect.isfunction(obj) or inspect.isclass(obj):
        return module, name, textwrap.dedent(inspect.getsource(obj)).rstrip() + "\n"
    return module, name, constant_source(module, name)


def constant_source(module: Any, name: str) -> str:
    """The top-level statement of `module` that assigns `name`, with its leading comments."""
    text = inspect.getsource(module)
    lines = text.splitlines(keepends=True)
    for node in ast.parse(text).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            start = node.lineno - 1
            while start > 0 and lines[start - 1].lstrip().startswith("#"):
                start -= 1
            return "".join(lines[start : node.end_lineno]).rstrip() + "\n"
    raise NotebookError(f"{module.__name__} assigns no top-level {name!r}")


def specs_of(cell: Any) -> list[str]:
    """The `module:name` specs a cell's `inline` metadata names (`module:a,b` or several
    `module:a` separated by spaces)."""
    specs = []
    for group in str(cell.metadata.get("inline", "")).split():
        module_name, _, names = group.partition(":")
        specs += [f"{module_name}:{name}" for name in names.split(",") if name]
    return specs


def inlined_source(specs: Sequence[str]) -> str:
    """The code of an inlined cell: each named object's source, in order."""
    return "\n\n".join(resolve(spec)[2] for spec in specs).rstrip()


def written_answer(experiment: str, quick: bool) -> str:
    """The markdown of a written answer tagged `answer=EXPERIMENT`: the experiment's own
    written answer, whose every sentence is printed only when the claim behind it holds
    on its results (`answerkey.experiments.ae.report`), so the notebook's discussion says
    what the key checked, never a typed copy that could drift from it. The notebook's own
    numbers equal those results (the tests compare them)."""
    if experiment != "ae":
        raise NotebookError(f"no written answer is generated from experiment {experiment!r}")
    from answerkey.experiments import Profile, results
    from answerkey.experiments.ae.report import TOPICS

    answers = results("ae", Profile(quick=quick))["answers"]
    paragraphs = [f"**Answer.** {answers['headline']}"]
    for paragraph in answers["detail"].split("\n\n"):
        for _, title in TOPICS:
            if paragraph.startswith(title):
                paragraph = f"*{title.strip()}* {paragraph[len(title) :]}"
        paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def todo_header(name: str, todo: str, solution: bool) -> str:
    number = [t for t, _ in TODOS[name]].index(todo) + 1
    what = dict(TODOS[name])[todo]
    return f"# TODO {number} ({todo}): {what}" + (" — solution" if solution else "")


# --- student versions -------------------------------------------------------------------


def stub(source: str) -> str:
    """A code cell's source with every function and method body replaced by a TODO, its
    signature and docstring kept; classes keep their header, docstring and stubbed
    methods. Top-level statements that are not definitions are dropped."""
    lines = source.splitlines(keepends=True)
    out: list[str] = []

    def definition(node: ast.AST, indent: str) -> None:
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
        body = node.body
        doc = (
            body[0]
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            else None
        )
        header_end = (doc or body[0]).lineno - 1
        out.append("".join(lines[first:header_end]))
        if doc is not None:
            out.append("".join(lines[doc.lineno - 1 : doc.end_lineno]))
        inner = indent + "    "
        if isinstance(node, ast.ClassDef):
            methods = [n for n in body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
            if not methods:
                out.append(f"{inner}pass  # TODO\n")
            for index, method in enumerate(methods):
                if index or doc is not None:
                    out.append("\n")
                definition(method, inner)
        else:
            out.append(f"{inner}# TODO\n{inner}raise NotImplementedError\n")

    for index, node in enumerate(ast.parse(source).body):
        if index:
            out.append("\n\n")
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            definition(node, "")
        else:  # a constant the later cells need: kept as it is
            out.append("".join(lines[node.lineno - 1 : node.end_lineno]))
    return "".join(out).rstrip()


def student_version(notebook: Any, name: str) -> Any:
    """The notebook for students: each TODO's solution replaced by a stub, written answers
    emptied, every output and execution count cleared."""
    import copy

    student = copy.deepcopy(notebook)
    student.cells = [c for c in student.cells if PROBE_TAG not in c.metadata.get("tags", ())]
    quick = notebook.metadata["answerkey"]["profile"] == "quick"
    for cell in student.cells:
        if "injected-parameters" in cell.metadata.get("tags", ()):
            cell.source = parameters_source(parameters(name, quick), quick)  # trains it all
        todo = cell.metadata.get("todo")
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if todo is not None:
                body = stub(cell.source) if "inline" in cell.metadata else ""
                cell.source = todo_header(name, todo, solution=False) + (
                    f"\n\n{body}" if body else "\n"
                )
        elif todo is not None:
            cell.source = "**Your answer:** *(write it here)*"
    student.metadata["answerkey"] = {**notebook.metadata["answerkey"], "version": "student"}
    return student


# --- loading, executing ------------------------------------------------------------------


def source_path(name: str) -> Path:
    return SOURCE_DIR / f"{name}.py"


def parameters(name: str, quick: bool, groups: str | None = None) -> dict[str, Any]:
    """The values the injected-parameters cell sets: q_zkc gets the zkc experiment's
    epochs and patience; q_ae names the profile, whose settings its cells inline, and the
    file of the grid's groups it may read (`groups`, None: it trains them all)."""
    if name == "q_zkc":
        from answerkey.experiments import Profile, zkc

        config = zkc.config(Profile(quick=quick))
        return {"EPOCHS": config["max_epochs"], "PATIENCE": config["patience"]}
    return {"PROFILE": "quick" if quick else "full", "GROUPS": groups}


def parameters_source(values: dict[str, Any], quick: bool) -> str:
    lines = [f"{key} = {value!r}" for key, value in values.items()]
    return f"# The {'quick' if quick else 'full'} profile.\n" + "\n".join(lines)


def grid_groups(quick: bool) -> bytes | None:
    """The series of every autoencoder group the ae grid has cached for the embedded data
    (what q_ae trains with MNIST_DIR = None), as `GROUPS_FILE` holds them: JSON, keyed
    "dataset activation variant k"; None when the grid has none of them."""
    from answerkey.experiments.ae import grid
    from answerkey.experiments.ae.protocol import SERIES

    settings = grid.settings_for(quick)
    found = {}
    for group in grid.grid_groups(settings):
        if group.kind != "ae":
            continue
        data = grid.load_data(group.dataset, quick, None)
        record = grid.cached_group(group, settings, data)
        if record is not None:
            key = f"{group.dataset} {group.activation} {group.variant} {group.k}"
            found[key] = {name: record[name] for name in SERIES}
    if not found:
        return None
    return json.dumps(found, sort_keys=True).encode()


def load_source(name: str, quick: bool, groups: str | None = None) -> Any:
    """The solution notebook `name` from its percent script: project code inlined, the
    profile (and for q_ae the file of the grid's groups, `groups`) injected, stable cell
    ids; its TODOs checked against `TODOS`."""
    import jupytext
    import nbformat

    path = source_path(name)
    if not path.is_file():
        raise NotebookError(f"notebook {name}: its source {path} is missing")
    notebook = jupytext.read(path, fmt="py:percent")
    notebook.metadata.pop("jupytext", None)  # the .ipynb is an output, not a paired file
    notebook.metadata["answerkey"] = {
        "source": f"notebooks/{name}.py",
        "profile": "quick" if quick else "full",
        "version": "solution",
    }
    for cell in notebook.cells:
        if "answer" in cell.metadata:
            cell.source = written_answer(cell.metadata.pop("answer"), quick)
        if "inline" in cell.metadata:
            try:
                code = inlined_source(specs_of(cell))
            except (ImportError, AttributeError) as exc:
                raise NotebookError(f"notebook {name}: cannot inline {exc}") from None
            if "todo" in cell.metadata:
                code = todo_header(name, cell.metadata["todo"], solution=True) + "\n\n" + code
            cell.source = code
        elif "todo" in cell.metadata and cell.cell_type == "code":
            header = todo_header(name, cell.metadata["todo"], solution=True)
            cell.source = header + "\n" + cell.source
    for index, cell in enumerate(notebook.cells):
        if "parameters" in cell.metadata.get("tags", ()):
            injected = nbformat.v4.new_code_cell(
                parameters_source(parameters(name, quick, groups), quick),
                metadata={"tags": ["injected-parameters"]},
            )
            notebook.cells.insert(index + 1, injected)
            break
    else:
        raise NotebookError(f"notebook {name}: no cell tagged 'parameters'")
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:03d}"  # stable ids (random ones differ per run)
        for key in JUPYTEXT_CELL_KEYS:  # how the script was laid out, not the notebook
            cell.metadata.pop(key, None)
    check_todos(notebook, name)
    return notebook


def todo_ids(notebook: Any) -> list[str]:
    """The TODO ids of the notebook's cells, in cell order."""
    return [cell.metadata["todo"] for cell in notebook.cells if "todo" in cell.metadata]


def check_todos(notebook: Any, name: str) -> None:
    """Every TODO of the original has exactly one cell, in the original's order."""
    wanted = [todo for todo, _ in TODOS[name]]
    found = todo_ids(notebook)
    if found != wanted:
        missing = [t for t in wanted if t not in found]
        extra = [t for t in found if t not in wanted]
        raise NotebookError(
            f"notebook {name}: its TODO cells are {found}, expected {wanted} "
            f"(missing {missing}, unknown {extra})"
        )


def figure_count(notebook: Any) -> int:
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        for output in cell.get("outputs", ())
    )


def error_outputs(notebook: Any) -> list[str]:
    return [
        f"{output.get('ename')}: {output.get('evalue')}"
        for cell in notebook.cells
        for output in cell.get("outputs", ())
        if output.get("output_type") == "error"
    ]


def _cell_label(notebook: Any, index: int | None) -> str:
    if index is None:
        return "before the first cell"
    cell = notebook.cells[index]
    first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
    label = f"TODO {cell.metadata['todo']}" if "todo" in cell.metadata else repr(first_line[:60])
    return f"cell {index + 1} of {len(notebook.cells)} ({label})"


# The kernel the build runs notebooks on: this Python, but unable to import the project
# (its packages are installed in editable mode, so a clean sys.path alone would not do).
_BARE_KERNEL = """\
import importlib.abc, sys
BLOCKED = {blocked!r}
class _Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, _Blocked())
sys.path[:] = [p for p in sys.path if p not in ("", {root!r})]
from ipykernel import kernelapp
kernelapp.launch_new_instance()
"""


def bare_kernel(folder: Path) -> str:
    """Write a kernelspec under `folder/kernels/` for a kernel that cannot import the
    project's packages; returns its name (add `folder` to JUPYTER_PATH to find it)."""
    spec = folder / "kernels" / "answerkey-bare"
    spec.mkdir(parents=True, exist_ok=True)
    code = _BARE_KERNEL.format(blocked=BLOCKED_PACKAGES, root=str(PROJECT_ROOT))
    argv = [sys.executable, "-I", "-c", code, "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (no answerkey)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    return "answerkey-bare"


def kernel_env(jupyter_path: Path | None = None) -> dict[str, str]:
    """The kernel's environment: ours without the project on PYTHONPATH, deterministic
    and quiet."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.pop("MPLBACKEND", None)  # the kernel's inline backend embeds the figures
    env.update(PYTHONHASHSEED="0", TQDM_DISABLE="1")
    if jupyter_path is not None:
        env["JUPYTER_PATH"] = os.pathsep.join(
            filter(None, [str(jupyter_path), env.get("JUPYTER_PATH")])
        )
    return env


def _probe_cell(name: str) -> Any:
    import nbformat

    entries = ", ".join(f"{path!r}: {expr}" for path, expr in PROBES[name].items())
    source = f"import json as _json\nprint(_json.dumps({{{entries}}}))"
    return nbformat.v4.new_code_cell(source, metadata={"tags": [PROBE_TAG]})


def execute(
    notebook: Any,
    name: str,
    kernel_name: str | None = None,
    probe: bool = True,
    files: dict[str, bytes] | None = None,
) -> tuple[Any, dict]:
    """Run every cell of `notebook` in order on a fresh kernel (by default one that cannot
    import the project), in a scratch folder holding `files` (name → bytes), then the
    probe; returns the notebook without the probe cell and the values it printed. Raises
    NotebookError naming the failing cell."""
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    current: dict[str, int | None] = {"index": None}

    def on_cell_start(cell: Any, cell_index: int) -> None:
        current["index"] = cell_index

    if probe:
        notebook.cells.append(_probe_cell(name))
    with tempfile.TemporaryDirectory(prefix="answerkey-notebook-") as scratch:
        for file_name, content in (files or {}).items():
            (Path(scratch) / file_name).write_bytes(content)
        jupyter_path = None
        if kernel_name is None:
            jupyter_path = Path(scratch) / "jupyter"
            kernel_name = bare_kernel(jupyter_path)
        env = kernel_env(jupyter_path)
        client = NotebookClient(
            notebook,
            kernel_name=kernel_name,
            timeout=CELL_TIMEOUT_S,
            record_timing=bool(os.environ.get("ANSWERKEY_NOTEBOOK_TIMING")),
            allow_errors=False,
            resources={"metadata": {"path": scratch}},  # not the project's folder
            on_cell_start=on_cell_start,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        previous = os.environ.get("JUPYTER_PATH")
        if jupyter_path is not None:  # where the client looks the kernelspec up
            os.environ["JUPYTER_PATH"] = env["JUPYTER_PATH"]
        try:
            client.execute(env=env)
        except NoSuchKernel:
            raise NotebookError(
                f"notebook {name}: no Jupyter kernel named {kernel_name!r} "
                f"(install one: {sys.executable} -m ipykernel install --sys-prefix)"
            ) from None
        except CellExecutionError as exc:
            where = _cell_label(notebook, current["index"])
            raise NotebookError(f"notebook {name}, {where}: {exc.ename}: {exc.evalue}") from None
        except CellTimeoutError:
            where = _cell_label(notebook, current["index"])
            raise NotebookError(
                f"notebook {name}, {where}: timed out after {CELL_TIMEOUT_S} s"
            ) from None
        except DeadKernelError as exc:
            where = _cell_label(notebook, current["index"])
            raise NotebookError(f"notebook {name}, {where}: the kernel died ({exc})") from None
        except RuntimeError as exc:  # e.g. a kernel that exits at start (no ipykernel)
            raise NotebookError(
                f"notebook {name}: the Jupyter kernel {kernel_name!r} did not start: {exc}"
            ) from None
        finally:
            if jupyter_path is not None:
                if previous is None:
                    os.environ.pop("JUPYTER_PATH", None)
                else:
                    os.environ["JUPYTER_PATH"] = previous
    coalesce_streams(notebook)
    probed = notebook.cells.pop() if probe else None
    if errors := error_outputs(notebook):
        raise NotebookError(f"notebook {name}: error output {errors[0]}")
    if probed is None:
        return notebook, {}
    printed = "".join(o.get("text", "") for o in probed.outputs if o.get("name") == "stdout")
    return notebook, json.loads(printed)


def coalesce_streams(notebook: Any) -> None:
    """Merge each cell's consecutive stdout (or stderr) outputs into one: how a cell's
    prints are split into messages depends on timing, not on what it printed."""
    for cell in notebook.cells:
        merged: list[Any] = []
        for output in cell.get("outputs", ()):
            previous = merged[-1] if merged else None
            if (
                output.get("output_type") == "stream"
                and previous is not None
                and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")
            ):
                previous["text"] += output["text"]
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged


def build_notebooks(
    folder: Path,
    quick: bool,
    names: Sequence[str] = NOTEBOOKS,
    kernel_name: str | None = None,
    log: Callable[[str], None] | None = None,
    standalone: bool = False,
) -> dict[str, Any]:
    """Execute the notebooks `names`; only if all succeed, write
    `folder/solutions/<name>.ipynb` and `folder/student/<name>.ipynb` (and, when q_ae read
    the grid's groups, `folder/solutions/q_ae_groups.json`). `standalone`: q_ae trains
    every group itself instead of reading the grid's.

    Returns a summary per notebook (cells, TODOs, figures, the probed numbers, the groups
    it read) and, apart, the seconds each took.
    """
    import nbformat

    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    executed: dict[str, tuple[Any, dict]] = {}
    seconds: dict[str, float] = {}
    handed: dict[str, bytes] = {}
    for name in names:
        log(f"notebook {name} ({'quick' if quick else 'full'} profile) …")
        groups = None if standalone or name != "q_ae" else grid_groups(quick)
        if groups is not None:
            handed[name] = groups
        notebook = load_source(name, quick, GROUPS_FILE if groups else None)
        start = time.perf_counter()
        files = {GROUPS_FILE: groups} if groups else None
        executed[name] = execute(notebook, name, kernel_name, files=files)
        seconds[name] = round(time.perf_counter() - start, 2)
    summary: dict[str, Any] = {}
    for name, (notebook, numbers) in executed.items():
        nbformat.validate(notebook)
        student = student_version(notebook, name)
        nbformat.validate(student)
        write_atomic(
            Path(folder) / "solutions" / f"{name}.ipynb", nbformat.writes(notebook).encode()
        )
        write_atomic(Path(folder) / "student" / f"{name}.ipynb", nbformat.writes(student).encode())
        if name in handed:
            write_atomic(Path(folder) / "solutions" / GROUPS_FILE, handed[name])
        summary[name] = {
            "solution": f"notebooks/solutions/{name}.ipynb",
            "student": f"notebooks/student/{name}.ipynb",
            "cells": len(notebook.cells),
            "todos": todo_ids(notebook),
            "figures": figure_count(notebook),
            "numbers": numbers,
            "groups_read": len(json.loads(handed[name])) if name in handed else 0,
        }
    return {"profile": "quick" if quick else "full", "notebooks": summary, "timings": seconds}


# --- the experiment -------------------------------------------------------------------------


def add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--only",
        action="append",
        choices=NOTEBOOKS,
        metavar="NAME",
        help=f"build only this notebook (repeatable; one of {', '.join(NOTEBOOKS)})",
    )
    parser.add_argument(
        "--standalone",
        action="store_true",
        help="let q_ae train every autoencoder itself instead of reading the groups the ae "
        "grid already trained (same code and seeds, so the same numbers; hours on a CPU in "
        "the full profile)",
    )
    parser.add_argument(
        "--kernel",
        default=None,
        help="the Jupyter kernel to run them on (default: this Python, unable to import "
        "the project)",
    )


def inputs() -> list[Path]:
    return [source_path(name) for name in NOTEBOOKS]


def summary(results: dict[str, Any], folder: Path) -> str:
    lines = [f"{'notebook':<8} {'cells':>5} {'TODOs':>5} {'figures':>7} {'seconds':>8}  files"]
    for name, entry in results["notebooks"].items():
        lines.append(
            f"{name:<8} {entry['cells']:>5} {len(entry['todos']):>5} {entry['figures']:>7} "
            f"{results['timings'][name]:>8.1f}  {folder / entry['solution']}, "
            f"{folder / entry['student']}"
        )
    return "\n".join(lines)


def _run(args: Any) -> dict[str, Any]:
    names = [n for n in NOTEBOOKS if n in (getattr(args, "only", None) or NOTEBOOKS)]
    folder = Path(args.out) / "notebooks"
    results = build_notebooks(
        folder,
        args.quick,
        names,
        getattr(args, "kernel", None),
        standalone=getattr(args, "standalone", False),
    )
    if not args.json:
        print(summary(results, Path(args.out)))
    return results


EXPERIMENTS = [Experiment(NAME, HELP, _run, add_arguments, inputs=inputs)]
