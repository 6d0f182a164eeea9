"""The import rules of the layout, checked on the import graph itself (every `import`
statement, at module level or inside a function), not only by importing and looking.

- the judging path never reaches torch, matplotlib or the models;
- the documents never reach torch, the experiments or the judging pipeline;
- the experiments never reach the documents, the judging pipeline, the question modules
  or the CLI (questions read experiments, never the other way round);
- derivations/ imports neither numpy nor torch; numeric/ never the documents;
- derivations/, numeric/ and models/ know nothing of answerkey;
- the question modules never reach the judging pipeline, the build or the CLI;
- nothing below the CLI imports the CLI.
"""

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("answerkey", "derivations", "numeric", "models")


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


@cache
def imports_of(name: str) -> frozenset[str]:
    """Every module `name` names in an import statement, resolved to absolute names."""
    path = _module_file(name)
    if path is None:
        return frozenset()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            # `from answerkey import parts` imports the submodule answerkey.parts
            found.update(f"{base}.{a.name}" for a in node.names if _module_file(f"{base}.{a.name}"))
    return frozenset(found)


def reachable(start: str) -> set[str]:
    """Every module reachable from `start` (project modules followed, others recorded)."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name.split(".")[0] in PACKAGES:
            todo.extend(imports_of(name))
    return seen


def modules_under(package: str) -> list[str]:
    folder = ROOT / package.replace(".", "/")
    names = []
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _offending(start: str, banned: tuple[str, ...]) -> list[str]:
    return sorted(
        m for m in reachable(start) if any(m == b or m.startswith(b + ".") for b in banned)
    )


@pytest.mark.parametrize("module", modules_under("answerkey.judging"))
def test_the_judging_path_never_reaches_torch_or_matplotlib(module):
    assert _offending(module, ("torch", "matplotlib", "models", "answerkey.cli")) == []


@pytest.mark.parametrize("module", modules_under("answerkey.documents"))
def test_the_documents_never_reach_torch_experiments_or_judging(module):
    banned = ("torch", "models", "answerkey.judging", "answerkey.experiments", "answerkey.cli")
    assert _offending(module, banned) == []


@pytest.mark.parametrize("module", modules_under("answerkey.experiments"))
def test_the_experiments_never_reach_documents_judging_questions_or_cli(module):
    banned = (
        "answerkey.documents",
        "answerkey.judging",
        "answerkey.questions",
        "answerkey.cli",
    )
    assert _offending(module, banned) == []


def test_importing_an_experiment_module_imports_neither_torch_nor_matplotlib():
    # `answerkey list` and `--help` import every experiment module: the heavy libraries
    # stay inside the functions that run and draw. Runner modules are imported only by a
    # run (inside its functions), so they import torch and the models at the top, where
    # the notebook that inlines their functions can see what they use.
    runners = (
        "answerkey.experiments.zkc.runner",
        "answerkey.experiments.ae.protocol",
        "answerkey.experiments.ae.references",
    )
    for module in modules_under("answerkey.experiments"):
        if module in runners:
            continue
        path = _module_file(module)
        top = [
            node
            for node in ast.parse(path.read_text()).body
            if isinstance(node, ast.Import | ast.ImportFrom)
        ]
        names = {a.name for n in top if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in top if isinstance(n, ast.ImportFrom)}
        heavy = {n for n in names if n.split(".")[0] in ("torch", "matplotlib", "models")}
        assert heavy == set(), module


@pytest.mark.parametrize("module", modules_under("answerkey.questions"))
def test_the_questions_never_reach_judging_build_or_cli(module):
    banned = ("answerkey.judging", "answerkey.build", "answerkey.cli")
    assert _offending(module, banned) == []


@pytest.mark.parametrize("module", modules_under("derivations"))
def test_derivations_import_neither_numpy_nor_torch(module):
    assert _offending(module, ("numpy", "torch", "answerkey")) == []


@pytest.mark.parametrize("module", modules_under("numeric"))
def test_numeric_never_imports_the_documents_or_answerkey(module):
    assert _offending(module, ("answerkey",)) == []


@pytest.mark.parametrize("module", modules_under("models"))
def test_models_know_nothing_of_answerkey(module):
    assert _offending(module, ("answerkey",)) == []


@pytest.mark.parametrize(
    "module",
    [m for m in modules_under("answerkey") if m not in ("answerkey.cli", "answerkey.__main__")],
)
def test_nothing_below_the_cli_imports_the_cli(module):
    assert "answerkey.cli" not in imports_of(module)


def test_the_graph_sees_imports_inside_functions():
    # Power: judge.py imports answerkey.parts inside a function body.
    assert "answerkey.parts" in imports_of("answerkey.judging.judge")
