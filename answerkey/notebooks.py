"""The executed solution notebooks `q_zkc.ipynb` and `q_ae.ipynb`.

    answerkey run notebooks [--quick] [--only q_zkc] [--out build]

writes `<out>/notebooks/q_zkc.ipynb` and `q_ae.ipynb`; `answerkey build` runs
this experiment after the questions' own, so the notebooks land beside the
documents. Each notebook's source is a plain-text percent script in
`notebooks/` (readable and diffable in review), which `jupytext` converts and
`nbclient` executes on a fresh `ipykernel` kernel, outputs and figures
embedded.

A notebook holds no implementation of its own. Each TODO of the original is a
code cell tagged with the TODO's id (cell metadata `todo`, the ids in `TODOS`)
that shows the project's source for that step (`show_source`) and runs it; the
numbers, tables, figures and written answers it prints come from the package:
the experiments' cached results and the parts' `Answer.text`, the same text
the solutions PDF prints. A value a notebook states is also recorded in a
machine-readable output (`record`, MIME type `RESULT_MIME`), which is what the
tests compare with the experiments' results.

The profile: the source's cell tagged `parameters` sets `QUICK = False`; a
cell tagged `injected-parameters` right after it sets the profile this build
uses (papermill's convention), so the executed notebook says how it was made.

Determinism: no execution timestamps (`record_timing=False`), PYTHONHASHSEED
fixed and progress bars off in the kernel; figures are rendered to PNG by
`show_figure` itself (the kernel's matplotlib backend is Agg), so the same
commit and libraries give the same notebook apart from the timings a cell
prints on purpose.

Failure: a cell that raises, a missing kernel or a kernel that dies stops
the build with one line naming the notebook and the cell (`NotebookError`,
exit 1); no notebook is written unless every notebook asked for executed
completely, and each is written atomically (temporary file, then rename).

Heavy imports (jupytext, nbclient, IPython, matplotlib) happen inside the
functions: the CLI imports this module to list its experiment.
"""

from __future__ import annotations

import base64
import contextlib
import inspect
import io
import json
import os
import re
import sys
import textwrap
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from answerkey.cache import PROJECT_ROOT, write_atomic
from answerkey.errors import CommandFailed
from answerkey.parts import Experiment

SOURCE_DIR = PROJECT_ROOT / "notebooks"
NOTEBOOKS = ("q_zkc", "q_ae")
KERNEL = "python3"
CELL_TIMEOUT_S = 1800  # the full autoencoder grid, when its cache is cold
RESULT_MIME = "application/vnd.answerkey.result+json"
FIGURE_DPI = 110
JUPYTEXT_CELL_KEYS = ("lines_to_next_cell", "lines_to_end_of_cell_marker")

# Every TODO of the original notebooks, in their order (HW6.md, "Notebook facts"):
# (id, what the TODO asks). Each id tags exactly one code cell of the notebook.
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
        ("ae.train", "pretraining: Adam, lr 5e-4, batch 100, 10 epochs"),
        ("ae.probe", "the linear probe on frozen codes"),
        ("ae.linear_synthetic", "(i) linear autoencoders, k ∈ {5, 10, 100, 1000}, synthetic data"),
        ("ae.linear_mnist", "(i) linear autoencoders, k ∈ {5, 10, 100, 1000}, MNIST"),
        ("ae.relu_synthetic", "(ii) ReLU autoencoders, same k, synthetic data"),
        ("ae.relu_mnist", "(ii) ReLU autoencoders, same k, MNIST"),
        ("ae.discussion", "the written discussion of the results"),
    ),
}


class NotebookError(CommandFailed):
    """A notebook could not be built: one line naming the notebook (and cell), exit 1."""


# --- helpers the notebooks' cells call ---------------------------------------------------


def _display(bundle: dict[str, Any]) -> None:
    from IPython.display import display

    display(bundle, raw=True)


def _where(obj: Any) -> str:
    """`path:line` of an object's source, relative to the project."""
    path = Path(inspect.getsourcefile(obj) or "?").resolve()
    try:
        path = path.relative_to(PROJECT_ROOT)
    except ValueError:
        pass
    return f"{path}:{inspect.getsourcelines(obj)[1]}"


def source_listing(obj: Any) -> tuple[str, str]:
    """(title, source) of a function, class or method of the project."""
    name = f"{obj.__module__}.{getattr(obj, '__qualname__', getattr(obj, '__name__', obj))}"
    return f"{name}  ({_where(obj)})", textwrap.dedent(inspect.getsource(obj))


def excerpt(source: str, marker: str) -> str:
    """The block of `source` that starts at the first line containing `marker`: that line
    and the lines after it that are indented deeper (a branch of an if, say)."""
    lines = source.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if marker in line), None)
    if start is None:
        raise ValueError(f"{marker!r} is not in the source")
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
    ):
        end += 1
    return textwrap.dedent("".join(lines[start:end]).rstrip() + "\n")


def show_source(*objects: Any, block: str | None = None) -> None:
    """Display the project's source of each object as a code listing.

    This is how a TODO cell shows its answer: the implementation the package
    runs, read from its module, never a copy of it. With `block`, only the block
    starting at the line that contains it (`excerpt`).
    """
    for obj in objects:
        title, source = source_listing(obj)
        if block is not None:
            title, source = f"{title}, excerpt", excerpt(source, block)
        fence = "````" if "```" in source else "```"
        _display(
            {
                "text/markdown": f"**`{title}`**\n\n{fence}python\n{source}{fence}\n",
                "text/plain": f"# {title}\n{source}",
            }
        )


def show_markdown(text: str) -> None:
    _display({"text/markdown": text, "text/plain": text})


def show_figure(figure: Any, caption: str = "") -> None:
    """Embed a matplotlib figure as a PNG output (and close it).

    Rendered here rather than by the kernel's backend, so the bytes depend only on
    the figure and the libraries.
    """
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    plt.close(figure)
    _display(
        {
            "image/png": base64.b64encode(buffer.getvalue()).decode("ascii"),
            "text/plain": f"<figure: {caption}>" if caption else "<figure>",
        }
    )
    if caption:
        show_markdown(f"*{caption}*")


def show_image(path: Path | str, caption: str = "") -> None:
    """Embed a PNG file (a figure an experiment wrote) as an output."""
    _display(
        {
            "image/png": base64.b64encode(Path(path).read_bytes()).decode("ascii"),
            "text/plain": f"<figure: {caption}>" if caption else "<figure>",
        }
    )
    if caption:
        show_markdown(f"*{caption}*")


_scratch: dict[str, Path] = {}


def scratch_dir() -> Path:
    """A temporary folder for this kernel, removed when it exits: experiments write
    their figures there and the notebook embeds them."""
    if "path" not in _scratch:
        import atexit
        import shutil
        import tempfile

        _scratch["path"] = Path(tempfile.mkdtemp(prefix="answerkey-notebook-"))
        atexit.register(shutil.rmtree, _scratch["path"], ignore_errors=True)
    return _scratch["path"]


# The profile of the notebook running in this kernel: set by `experiment_results` (the
# notebook's first step), read by `show_answer`.
_session: dict[str, Any] = {}


def experiment_results(name: str, quick: bool) -> tuple[dict[str, Any], Path]:
    """The results of experiment `name` exactly as `answerkey build` gets them (through
    its caches; timings removed) and the folder holding the figures it drew."""
    from answerkey.build import run_experiment
    from answerkey.experiments import Profile

    _session["profile"] = Profile(quick=quick)
    out = scratch_dir() / name
    # Progress bars (which report rates and times) would make the output differ from run
    # to run: keep what the experiment writes to stderr except them.
    with contextlib.redirect_stderr(io.StringIO()) as captured:
        results, _ = run_experiment(name, out, _session["profile"])
    if kept := without_progress_bars(captured.getvalue()):
        print(kept, file=sys.stderr)
    return results, out / "figures"


PROGRESS_BAR = re.compile(r"^[^|]*\d+%\|.*\|")


def without_progress_bars(text: str) -> str:
    """`text` without tqdm's progress lines (each redraw starts with a carriage return)."""
    pieces = re.split(r"[\r\n]", text)
    return "\n".join(p for p in pieces if p.strip() and not PROGRESS_BAR.match(p))


def _cell_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _is_number(text: str) -> bool:
    """Whether a cell reads as a number (a mean with its [min, max] counts): numbers are
    right-aligned, text left-aligned."""
    try:
        float(text.split()[0])
    except (ValueError, IndexError):
        return text in ("—", "")
    return True


def show_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], caption: str = "") -> None:
    """A table as Markdown (and aligned plain text)."""
    rows = [[_cell_text(v) for v in row] for row in rows]
    header = [str(c) for c in columns]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    plain = [
        "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    numeric = [all(_is_number(r[i]) for r in rows) for i in range(len(header))]
    markdown = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if right else ":---" for right in numeric) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    lead = f"*{caption}*\n\n" if caption else ""
    _display(
        {
            "text/markdown": lead + "\n".join(markdown) + "\n",
            "text/plain": (f"{caption}\n" if caption else "") + "\n".join(plain),
        }
    )


def record(key: str, value: Any, text: str | None = None) -> None:
    """State a result: printed for the reader, and kept machine-readable for the tests.

    `value` must be JSON-able; `key` is unique within the notebook.
    """
    value = json.loads(json.dumps(value))
    if text is None:
        text = f"{key} = {_cell_text(value)}"
    _display({"text/plain": text, RESULT_MIME: {"key": key, "value": value}})


def show_answer(part_id: str, heading: str = "Answer", notes: bool = False) -> None:
    """Print a part's written answer, the text the solutions PDF prints (`Answer.text`),
    computed from the cached results; recorded as `answer.<part id>`. With `notes`, the
    part's caveats follow."""
    from answerkey.parts import get_part

    part = get_part(part_id)
    if part.answer is None:
        raise NotebookError(f"part {part_id} has no answer yet")
    text = part.answer(_session["profile"]).text
    show_markdown(f"**{heading} ({part_id}, as in solutions.pdf).**\n\n{text}")
    _display({"text/plain": "", RESULT_MIME: {"key": f"answer.{part_id}", "value": text}})
    if notes and part.notes:
        show_markdown("**Caveats.**\n\n" + "\n".join(f"- {note}" for note in part.notes))


# --- reading executed notebooks ------------------------------------------------------------


def recorded(notebook: Any) -> dict[str, Any]:
    """Every value the notebook `record`ed, by key."""
    found: dict[str, Any] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", ()):
            payload = output.get("data", {}).get(RESULT_MIME)
            if payload is not None:
                found[payload["key"]] = payload["value"]
    return found


def todo_ids(notebook: Any) -> list[str]:
    """The TODO ids of the notebook's code cells, in cell order."""
    return [
        cell.metadata["todo"]
        for cell in notebook.cells
        if cell.cell_type == "code" and "todo" in cell.metadata
    ]


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


# --- converting and executing ------------------------------------------------------------


def source_path(name: str) -> Path:
    return SOURCE_DIR / f"{name}.py"


def load_source(name: str, quick: bool) -> Any:
    """The notebook `name` from its percent script, with the profile injected."""
    import jupytext
    import nbformat

    path = source_path(name)
    if not path.is_file():
        raise NotebookError(f"notebook {name}: its source {path} is missing")
    notebook = jupytext.read(path, fmt="py:percent")
    notebook.metadata.pop("jupytext", None)  # the .ipynb is an output, not a paired file
    notebook.metadata["answerkey"] = {"source": f"notebooks/{name}.py", "quick": quick}
    for index, cell in enumerate(notebook.cells):
        if "parameters" in cell.metadata.get("tags", ()):
            injected = nbformat.v4.new_code_cell(
                f"# Injected by answerkey: the {'quick' if quick else 'full'} profile.\n"
                f"QUICK = {quick}",
                metadata={"tags": ["injected-parameters"]},
            )
            notebook.cells.insert(index + 1, injected)
            break
    else:
        raise NotebookError(f"notebook {name}: no cell tagged 'parameters' sets QUICK")
    for index, cell in enumerate(notebook.cells):
        # Stable cell ids (nbformat ≥ 4.5 wants one per cell; random ones differ per run).
        cell["id"] = f"cell-{index:03d}"
        for key in JUPYTEXT_CELL_KEYS:  # how the script was laid out, not the notebook
            cell.metadata.pop(key, None)
    check_todos(notebook, name)
    return notebook


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


def _cell_label(notebook: Any, index: int | None) -> str:
    if index is None:
        return "before the first cell"
    cell = notebook.cells[index]
    first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
    label = f"TODO {cell.metadata['todo']}" if "todo" in cell.metadata else repr(first_line[:60])
    return f"cell {index + 1} of {len(notebook.cells)} ({label})"


def kernel_env() -> dict[str, str]:
    """The kernel's environment: ours, made deterministic and quiet."""
    env = dict(os.environ)
    env.update(PYTHONHASHSEED="0", MPLBACKEND="Agg", TQDM_DISABLE="1")
    return env


def execute(notebook: Any, name: str, kernel_name: str = KERNEL) -> Any:
    """Run every cell of `notebook` in order on a fresh kernel; raises NotebookError."""
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    current: dict[str, int | None] = {"index": None}

    def on_cell_start(cell: Any, cell_index: int) -> None:
        current["index"] = cell_index

    client = NotebookClient(
        notebook,
        kernel_name=kernel_name,
        timeout=CELL_TIMEOUT_S,
        record_timing=False,
        allow_errors=False,
        resources={"metadata": {"path": str(PROJECT_ROOT)}},
        on_cell_start=on_cell_start,
        # The kernel's own log (e.g. its warning that a local kernel talks over TCP) is not
        # the notebook's business; errors still show.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    try:
        client.execute(env=kernel_env())
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
    if errors := error_outputs(notebook):
        raise NotebookError(f"notebook {name}: error output {errors[0]}")
    return notebook


def build_notebooks(
    folder: Path,
    quick: bool,
    names: Sequence[str] = NOTEBOOKS,
    kernel_name: str = KERNEL,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Execute the notebooks `names`; only if all succeed, write `folder/<name>.ipynb`.

    Returns a summary per notebook (cells, TODOs, figures, the recorded values) and,
    apart, the seconds each took.
    """
    import nbformat

    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    executed: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    for name in names:
        log(f"notebook {name} ({'quick' if quick else 'full'} profile) …")
        notebook = load_source(name, quick)
        start = time.perf_counter()
        executed[name] = execute(notebook, name, kernel_name)
        seconds[name] = round(time.perf_counter() - start, 2)
    summary: dict[str, Any] = {}
    for name, notebook in executed.items():
        nbformat.validate(notebook)
        path = Path(folder) / f"{name}.ipynb"
        write_atomic(path, nbformat.writes(notebook).encode("utf-8"))
        summary[name] = {
            "file": f"notebooks/{name}.ipynb",
            "cells": len(notebook.cells),
            "todos": todo_ids(notebook),
            "figures": figure_count(notebook),
            "results": recorded(notebook),
        }
    return {"profile": "quick" if quick else "full", "notebooks": summary, "timings": seconds}


# --- the experiment -------------------------------------------------------------------------


def _add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--only",
        action="append",
        choices=NOTEBOOKS,
        metavar="NAME",
        help=f"build only this notebook (repeatable; one of {', '.join(NOTEBOOKS)})",
    )
    parser.add_argument(
        "--kernel", default=KERNEL, help=f"the Jupyter kernel to run them on (default {KERNEL})"
    )


def _run(args: Any) -> dict[str, Any]:
    names = [n for n in NOTEBOOKS if n in (getattr(args, "only", None) or NOTEBOOKS)]
    kernel_name = getattr(args, "kernel", KERNEL)
    folder = Path(args.out) / "notebooks"
    results = build_notebooks(folder, args.quick, names, kernel_name)
    if not args.json:
        print(f"{'notebook':<8} {'cells':>5} {'TODOs':>5} {'figures':>7} {'seconds':>8}  file")
        for name, entry in results["notebooks"].items():
            print(
                f"{name:<8} {entry['cells']:>5} {len(entry['todos']):>5} {entry['figures']:>7} "
                f"{results['timings'][name]:>8.1f}  {folder / (name + '.ipynb')}"
            )
    return results


EXPERIMENTS = [
    Experiment(
        "notebooks",
        "execute the solution notebooks q_zkc and q_ae into OUT/notebooks/",
        _run,
        _add_arguments,
        inputs=lambda: [source_path(name) for name in NOTEBOOKS],
    )
]
