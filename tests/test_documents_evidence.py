"""The solutions' "How we know" line: each kind of evidence said in words that fit what the
part's checks did (review finding: "checked exhaustively at small sizes" for a Gaussian
expectation, "Proved in general" for numbers read off one fixed tree)."""

from __future__ import annotations

import ast
from pathlib import Path

from answerkey.documents.content import PRINTED, plain_evidence


def _check(evidence: str, claim: str, detail: str = "", **statistics) -> dict:
    return {"evidence": evidence, "claim": claim, "detail": detail, "verdict": "PROVED",
            "statistics": statistics or None}  # fmt: skip


READ_BACK = _check("general", PRINTED + "answer, read back by the answer parser, equals the claim")


def test_a_gaussian_moment_says_which_sizes_were_expanded():
    checks = [
        _check("general", "E[qᵀk] = dμ² for every d ≥ 1"),
        _check(
            "exhaustive",
            "E[qᵀk] = dμ² by full expansion",
            "full polynomial expansion with normal moments, for every d = 1…4",
        ),  # fmt: skip
        _check("numeric", "Monte Carlo E[qᵀk] = dμ²", n=1_000_000, z=0.2),
        READ_BACK,
    ]
    assert plain_evidence(checks) == (
        "Proved for every d ≥ 1; checked for every d = 1…4; confirmed by simulation with "
        "10⁶ samples."
    )


def test_a_fixed_tree_is_computed_not_proved():
    """q5.a–c: the only symbolic check reads the printed answer back; it proves nothing
    about beam search, so the line must not say "proved"."""
    checks = [
        _check("exact instance", "the beam at step 1 equals textbook beam search"),
        _check("numeric", "the tree's sibling probabilities sum to 1"),
        READ_BACK,
    ]
    line = plain_evidence(checks)
    assert line == "Computed exactly on concrete cases; checked numerically."
    assert "roved" not in line


def test_an_enumeration_names_what_it_enumerated():
    checks = [_check("exhaustive", "the optimum, by scoring all 8 sequences")]
    assert plain_evidence(checks) == "Checked on all 8 sequences."
    bare = [_check("exhaustive", "both gradients entry by entry", "every (k, m, n) listed")]
    assert plain_evidence(bare) == "Checked case by case at every small size."


def test_every_printed_check_is_marked_as_one():
    """Each check `answerkey.printed` adds (a string literal passed as a claim to an
    evidence factory) starts with PRINTED, so the evidence line can leave it out."""
    source = Path(__file__).parents[1] / "answerkey" / "printed.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    claims = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in (
            "symbolic", "exact_instances", "within_tolerance", "exhaustive"
        ):  # fmt: skip
            first = node.args[0]
            claims.append(first.value if isinstance(first, ast.Constant) else None)
    assert len(claims) >= 7
    assert all(c is not None and c.startswith(PRINTED) for c in claims), claims
