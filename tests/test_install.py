"""The README's two commands run the whole suite: `pip install -e ".[test]"` brings every
package a test imports (nothing is skipped for a missing package; pdflatex and pdftotext
are system tools, not packages), CI installs exactly what the README installs, and the
floors CI tests are the ones pyproject.toml states."""

import ast
import importlib.metadata as metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LOCAL = {"answerkey", "derivations", "numeric", "models", "cli_run", "conftest"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return canonical(re.match(r"[A-Za-z0-9_.-]+", requirement).group(0))


def readme_extras() -> list[str]:
    commands = re.findall(r'pip install -e "\.\[([\w,]+)\]"', (ROOT / "README.md").read_text())
    assert len(commands) == 1, commands
    return commands[0].split(",")


def installed_by(extras: list[str]) -> set[str]:
    """Distributions that `pip install -e ".[extras]"` brings: the requirements and, through
    the installed metadata, everything they require (markers and extras are ignored)."""
    wanted = list(PROJECT["dependencies"])
    for extra in extras:
        wanted += PROJECT["optional-dependencies"][extra]
    seen: set[str] = set()
    todo = [requirement_name(r) for r in wanted]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [requirement_name(r) for r in requires if "extra ==" not in r]
    return seen


def modules_the_tests_import() -> dict[str, str]:
    """Top-level module → the first test file that imports it (or importorskips it)."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "importorskip"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names = [node.args[0].value]
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in LOCAL and top != "__future__":
                    found.setdefault(top, path.name)
    return found


def test_the_readme_installs_the_test_extra():
    assert readme_extras() == ["test"]


def test_ci_installs_exactly_what_the_readme_installs():
    run = (ROOT / ".ci" / "run").read_text()
    main_installs = re.findall(r'\.venv/bin/pip install (?:-q )?-e "\.\[([\w,]+)\]"', run)
    assert main_installs == [",".join(readme_extras())]


def test_every_package_a_test_imports_comes_with_the_readmes_install():
    brought = installed_by(readme_extras())
    providers = metadata.packages_distributions()
    missing = {}
    for module, where in modules_the_tests_import().items():
        distributions = {canonical(d) for d in providers.get(module, [])}
        if not distributions & brought:
            missing[module] = where
    assert not missing, f"imported by tests, not installed by the README's command: {missing}"


def test_the_parity_tests_package_is_in_the_test_extra():
    # The one importorskip in the suite: without transformers the parity tests skip.
    assert modules_the_tests_import()["transformers"] == "test_beam_search_parity.py"
    assert "transformers" in {requirement_name(r) for r in PROJECT["optional-dependencies"]["test"]}


def floors() -> dict[str, str]:
    pins = {}
    for line in (ROOT / ".ci" / "floors.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonical(name)] = version
    return pins


def padded(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in version.split(".")]
    return tuple(parts + [0] * (4 - len(parts)))


def test_every_floor_in_pyproject_is_the_version_ci_tests():
    """Each requirement's `>=` bound is the pin in .ci/floors.txt, the versions .ci/run
    installs into a second venv to run the fast tests and the parity tests on."""
    stated = {}
    for requirement in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement)
        assert match, f"{requirement}: a floor only (>=), no cap"
        stated[canonical(match.group(1))] = match.group(2)
    pinned = floors()
    assert set(stated) == set(pinned)
    for name, version in stated.items():
        assert padded(pinned[name]) == padded(version), (
            f"{name}: pyproject says >= {version}, CI tests {pinned[name]}"
        )
    run = (ROOT / ".ci" / "run").read_text()
    assert re.search(r'-c \.ci/floors\.txt -e "\.\[test\]"', run)
