"""The student solutions hold nothing of the project's insides.

The quick build's solutions.pdf (its extracted text) and solutions.tex must not
name a path, a command or flag, a hash, a cache or build word, a file of the
project, or any module, class or function the project's packages define; those
belong in the TA key. The pattern list is kept here; the identifiers are read
from the packages' source with `ast`, so a new function's name is covered the day
it is written.
"""

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("answerkey", "derivations", "numeric", "models")

# What a student must not meet, with why.
PATTERNS = {
    "a file path": r"\b[\w.-]+/[\w./-]*\.(?:py|md|json|toml|csv|txt|pt|npz)\b",
    "a Python file": r"\b\w+\.py\b",
    "a project file": r"\b(?:HW6|DESIGN|README)\.md\b|\bresults\.json\b|\brubric\.(?:csv|toml)\b",
    "the command": r"\banswerkey\b|\bpython -m\b|\bpytest\b|\bpip install\b",
    "a flag": r"(?<![\w-])--[a-z][a-z-]+",
    "a hash": r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{10,}\b",
    "a cache or build word": r"\bcach(?:e|ed|ing)\b|\bbuild(?:s|ing)?\b|\bbuild machine\b",
    "the key's voice": r"\bthe key(?:'s)? accepts?\b|\bthe key's\b|\bTA key\b",
    "a library API": r"\bgradcheck\b|\bFlopCounterMode\b|\bnetworkx\b",
    # a derivation does the mathematics; it does not cite the tool that checked it
    "a tool doing the math": r"\bSymPy\b|\bmlxtend\b|\bwheel\b",
    "an option's value as a word": r"'(?:notebook|binary|weighted|club)'",
    "an unexplained data-set name": r"\bembedded (?:training )?digits\b",
    "a verification kind's jargon": r"\bexhaustively at small sizes\b|\bexact instance\b",
}


def _code_shaped(name: str) -> bool:
    """snake_case or CamelCase with two humps: a word no prose uses by accident."""
    if len(name) < 5 or name.startswith("__"):
        return False
    return "_" in name.strip("_") or re.search(r"[a-z][A-Z]", name) is not None


def project_identifiers() -> set[str]:
    """Modules, classes, functions and module-level names defined in the packages."""
    names: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            names.add(path.stem)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    names.add(node.name)
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else []
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return {name.strip("_") for name in names if _code_shaped(name)}


def leaks(text: str, identifiers: set[str]) -> list[str]:
    found = []
    for why, pattern in PATTERNS.items():
        found += [f"{why}: {m.group(0)!r}" for m in re.finditer(pattern, text)]
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    found += [f"a project identifier: {name!r}" for name in sorted(words & identifiers)]
    return found


def test_the_identifier_list_is_real():
    identifiers = project_identifiers()
    assert {"GCNLayerFunction", "plain_evidence", "load_rubric", "karate_club"} <= identifiers
    assert "the" not in identifiers and "Answer" not in identifiers


def test_the_patterns_catch_what_the_review_found():
    identifiers = project_identifiers()
    review = (
        "Implemented in models/karate_club.py · answerkey run zkc · unless --mnist-dir · "
        "as in HW6.md · GCNLayerFunction passes gradcheck · FlopCounterMode's · "
        "which the key accepts · Measured on the build machine · code e6192475e5b4 · "
        "The derivative of tanh, by SymPy · labels: the 'notebook' set · not the 400 that 10 "
        "passes over the embedded digits make · checked exhaustively at small sizes"
    )
    assert len(leaks(review, identifiers)) >= 14
    clean = (
        "Proved for every d ≥ 1; confirmed by simulation with 10⁶ samples. Implement all "
        "the TODOs in q_zkc.ipynb. Figure 2 of the homework; softmax(QKᵀ/√D)V, O(N²D)."
    )
    assert leaks(clean, identifiers) == []


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_the_solutions_name_nothing_internal(built):
    out, first, _, kept = built
    assert first.returncode == 0, first.stderr[-2000:]
    identifiers = project_identifiers()
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(out / "solutions.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {
        "solutions.pdf": leaks(pdf, identifiers),
        # the .tex less its preamble's LaTeX commands
        "solutions.tex": leaks(_tex_body(out / "solutions.tex"), identifiers),
    }
    assert found == {"solutions.pdf": [], "solutions.tex": []}


def _tex_body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    body = text.split(r"\begin{document}", 1)[-1]
    # LaTeX's own commands and environments are not the project's words.
    return re.sub(r"\\[A-Za-z]+\*?|\\begin\{\w+\}|\\end\{\w+\}", " ", body)
