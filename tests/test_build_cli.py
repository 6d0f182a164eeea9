"""`answerkey build --quick` end to end on the real key, through the command line.

The key is built once per test session (a fresh cache folder, so the
experiments and checks really run) and then a second time, from the cache,
into the same folder: the two must agree byte for byte in results.json and
word for word in the PDFs.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata

import pytest
from cli_run import answerkey, pdf_text

from answerkey.parts import part_ids

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (Debian's poppler-utils) is not installed"
)
needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex is not installed (apt-get install texlive-latex-base "
    "texlive-latex-recommended texlive-fonts-recommended); .ci/run installs it",
)

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ", "phi": "ϕ",
    "varphi": "φ", "psi": "ψ", "omega": "ω", "pi": "π", "Sigma": "Σ", "Phi": "Φ",
}  # fmt: skip


def squash(text: str) -> str:
    """Whitespace out, math italics to plain letters (𝑑𝜇 → dμ), and hyphens out: pdftotext
    joins a word broken at a line end without its hyphen ("log-prob" → "logprob")."""
    return re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", text))


def letters_of_formula(latex: str) -> str:
    """The letters and digits a formula prints, in order: `d \\mu^{2}` → `dμ2`."""
    latex = re.sub(r"\\([A-Za-z]+)", lambda m: GREEK.get(m.group(1), " "), latex)
    # Decomposed, so an accented letter (Â from \hat A) keeps its base letter.
    return re.sub(r"[^0-9A-Za-zα-ωΑ-Ωϕ]", "", unicodedata.normalize("NFKD", latex))


def formula_pieces(latex: str) -> list[str]:
    """The letter runs a formula prints, split at every LaTeX command: display layout (a
    fraction's numerator over its denominator, Σ's limits below it, a root's radicand under
    its sign) makes text extraction read those apart, but each run between commands stays
    together. Runs of one character say too little alone and are left out."""
    latex = re.sub(r"\\(?:begin|end)\{\w+\}", " ", latex)  # an environment's name prints not
    pieces = re.split(r"\\[A-Za-z]+|\\\\|[{}&]", latex)
    runs = [letters for piece in pieces if len(letters := letters_of_formula(piece)) > 1]
    return runs or [letters_of_formula(latex)]  # a short formula (dμ²) is checked whole


def results(built) -> dict:
    return json.loads(built[3]["results.json"])


def answered_parts(built):
    for question in results(built)["questions"]:
        for part in question["parts"]:
            if part["answered"]:
                yield part


def test_build_succeeds_and_prints_one_json_document(built):
    _, first, _, _ = built
    report = json.loads(first.stdout)
    assert report["verified"] is True
    assert report["documents_written"] is True
    assert {"solutions.pdf", "answer_key.pdf", "solutions.tex", "answer_key.tex"} <= set(
        report["written"]
    )


def test_build_prints_every_formula_and_character(built):
    # a warning means a formula printed as LaTeX source, or a character LaTeX prints as "?"
    assert json.loads(built[1].stdout)["warnings"] == []


def test_build_writes_every_output(built):
    out = built[0]
    for name in ("solutions.pdf", "answer_key.pdf", "solutions.tex", "answer_key.tex"):
        assert (out / name).stat().st_size > 1000, name
    assert (out / "rubric.csv").read_text().startswith("part,item,delta,description,max\n")
    assert json.loads((out / "results.json").read_text())["profile"] == "quick"


@needs_pdftotext
@pytest.mark.parametrize("document", ["solutions.pdf", "answer_key.pdf"])
def test_pdf_holds_every_part_id(built, document):
    text = built[3][document]
    missing = [part for part in part_ids() if not re.search(rf"{re.escape(part)}\b", text)]
    assert missing == []


@needs_pdftotext
@pytest.mark.parametrize("document", ["solutions.pdf", "answer_key.pdf"])
def test_pdf_holds_every_final_answer(built, document):
    text = squash(built[3][document])
    for part in answered_parts(built):
        answer = part["answer"]
        if answer["text"]:
            first_sentence = re.split(r"(?<=\.)\s", answer["text"].strip(), maxsplit=1)[0]
            # Prose between inline formulas verbatim; each formula by its letter runs.
            for number, piece in enumerate(re.split(r"\$([^$]+)\$", first_sentence)):
                if number % 2 == 0:
                    assert squash(piece) in text, (part["id"], first_sentence, piece)
                else:
                    for run in formula_pieces(piece):
                        assert run in letters_of_formula(text), (part["id"], piece, run)
        if answer["latex"]:
            for piece in formula_pieces(answer["latex"]):
                assert piece in letters_of_formula(text), (part["id"], answer["latex"], piece)


@needs_pdftotext
@pytest.mark.parametrize("document", ["solutions.pdf", "answer_key.pdf"])
def test_unanswered_parts_are_marked_not_answered_yet(built, document):
    unanswered = [
        part["id"]
        for question in results(built)["questions"]
        for part in question["parts"]
        if not part["answered"]
    ]
    assert built[3][document].count("Not answered yet") >= len(unanswered)


@needs_pdftotext
def test_a_verified_build_is_not_stamped(built):
    assert "NOT VERIFIED" not in built[3]["solutions.pdf"] + built[3]["answer_key.pdf"]


def test_results_json_holds_no_timings(built):
    def keys(value):
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from keys(item)
        elif isinstance(value, list):
            for item in value:
                yield from keys(item)

    found = set(keys(results(built)))
    assert not found & {"timings", "seconds", "elapsed", "wall_s"}


def test_results_json_holds_every_check_and_its_statistics(built):
    checks = [c for part in answered_parts(built) for c in part["checks"]]
    assert checks
    assert [c for c in checks if c["verdict"] not in ("PROVED", "PASS")] == []
    numeric = [c for c in checks if c["evidence"] == "numeric"]
    assert all(c["statistics"] for c in numeric)


def _same_code(first: str, second: str, built) -> tuple[str, str]:
    """Both texts with the second build's code hash replaced by the first's.

    The hash covers the working tree; where several people edit it while the
    tests run, it may move between the two builds. Everything else must agree."""
    hashes = [json.loads(built[3]["results.json"])["code_hash"]]
    hashes.append(json.loads((built[0] / "results.json").read_text())["code_hash"])
    for length in (64, 12):
        second = second.replace(hashes[1][:length], hashes[0][:length])
    return first, second


def test_a_second_build_gives_byte_identical_results(built):
    out, _, second, kept = built
    assert second.returncode == 0, second.stderr[-2000:]
    first, again = _same_code(
        kept["results.json"].decode(), (out / "results.json").read_text(), built
    )
    assert again.encode() == first.encode()


@needs_pdftotext
@pytest.mark.parametrize("document", ["solutions.pdf", "answer_key.pdf"])
def test_a_second_build_gives_the_same_pdf_text(built, document):
    out, _, _, kept = built
    first, again = _same_code(kept[document], pdf_text(out / document), built)
    assert again == first


@needs_pdflatex
@pytest.mark.parametrize("document", ["solutions", "answer_key"])
def test_tex_compiles_with_pdflatex(built, document, tmp_path):
    folder = tmp_path / "tex"
    shutil.copytree(built[0], folder)
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{document}.tex"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    packages = re.findall(
        r"\\usepackage(?:\[[^]]*\])?\{([^}]*)\}", (folder / f"{document}.tex").read_text()
    )
    assert {p for group in packages for p in group.split(",")} <= {
        "amsmath", "amssymb", "graphicx", "booktabs"
    }  # fmt: skip


def test_rubric_csv_matches_rubric_toml(built):
    import csv

    from answerkey.rubric import load_rubric

    rows = list(csv.DictReader((built[0] / "rubric.csv").open()))
    rubric = load_rubric()
    for part_id, entry in rubric.parts.items():
        mine = [row for row in rows if row["part"] == part_id and row["item"].isdigit()]
        assert len(mine) == max(1, len(entry.items)), part_id
        accepted = [row for row in rows if row["part"] == part_id and row["item"] == "accepted"]
        assert [row["delta"] for row in accepted] == ["0"] * len(entry.accepted), part_id
        assert all(
            a.answer in row["description"] for a, row in zip(entry.accepted, accepted, strict=True)
        )
        wrong = [row for row in rows if row["part"] == part_id and row["item"] == "wrong"]
        assert len(wrong) == len(entry.wrong), part_id
        for row, w in zip(wrong, entry.wrong, strict=True):
            # Empty: the named items carry the deduction; a platform must not apply it twice.
            assert row["delta"] == ""
            assert f"{w.credit:g} of {entry.points:g}" in row["description"]
            assert w.answer in row["description"] and f"#{w.items[0]}" in row["description"]
            assert float(row["max"]) == entry.points
        assert {float(row["max"]) for row in mine} == {entry.points}
        for row, item in zip(mine, entry.items, strict=False):
            assert float(row["delta"]) == item.delta
            assert row["description"].lstrip("'") == item.description
    assert rows[-1]["part"] == "total"
    assert float(rows[-1]["max"]) == rubric.total() == sum(e.points for e in rubric.parts.values())


def test_build_help_names_its_options():
    result = subprocess.run(
        [sys.executable, "-m", "answerkey", "build", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    for option in ("--out", "--quick", "--draft", "--rubric", "--json"):
        assert option in result.stdout


# --- bad input: one line, exit 2, nothing written ---------------------------------------


def _one_line_error(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_an_unwritable_out_is_a_usage_error(tmp_path):
    env = dict(os.environ, ANSWERKEY_CACHE_DIR=str(tmp_path / "cache"))
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    line = _one_line_error(answerkey("build", "--out", str(blocker / "build"), env=env))
    assert line.startswith("answerkey: error: --out ")
    assert "cannot write there" in line


def test_an_out_in_proc_is_a_usage_error(tmp_path):
    env = dict(os.environ, ANSWERKEY_CACHE_DIR=str(tmp_path / "cache"))
    line = _one_line_error(answerkey("build", "--out", "/proc/answerkey-build", env=env))
    assert "/proc/answerkey-build" in line


def test_a_rubric_with_an_unknown_part_names_file_and_line(tmp_path):
    env = dict(os.environ, ANSWERKEY_CACHE_DIR=str(tmp_path / "cache"))
    rubric = tmp_path / "rubric.toml"
    rubric.write_text('["q2.a"]\npoints = 2\n\n["q7.z"]\npoints = 1\n', encoding="utf-8")
    out = tmp_path / "build"
    line = _one_line_error(answerkey("build", "--rubric", str(rubric), "--out", str(out), env=env))
    assert f"{rubric}:4: unknown part id 'q7.z'" in line
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rubric.toml"]


def test_a_rubric_with_malformed_points_names_file_and_line(tmp_path):
    env = dict(os.environ, ANSWERKEY_CACHE_DIR=str(tmp_path / "cache"))
    rubric = tmp_path / "rubric.toml"
    rubric.write_text('["q2.a"]\npoints = 2\n\n["q2.b"]\npoints = "two"\n', encoding="utf-8")
    out = tmp_path / "build"
    line = _one_line_error(answerkey("build", "--rubric", str(rubric), "--out", str(out), env=env))
    assert f"{rubric}:4: part q2.b: points must be a number" in line
    assert not out.exists()
