"""Text from edited files prints as written in both targets, and never runs.

Each hostile string goes into a paragraph, a heading, a table cell, a bullet
and a monospace span of one document; the document must compile, and its PDF
text must hold the string as written.
"""

import re
import shutil
import string
import subprocess

import pytest

from answerkey.documents.escaping import (
    UNKNOWN_CHARACTER,
    escape_latex,
    escape_typst,
    split_math,
    typst_string,
    unprintable_in_latex,
)
from answerkey.documents.latex_render import render_latex
from answerkey.documents.model import (
    Bullets,
    Document,
    Heading,
    Mono,
    Paragraph,
    TableBlock,
    plain,
)
from answerkey.documents.typst_render import compile_pdf

HOSTILE = [
    "#set page(width: 1cm)",
    '#import "@preview/cetz:0.2.0": *',
    "#{1/0} #(panic(1)) #let x = 1",
    "$x^2$ and $$ and $",
    "*bold* _emph_ `raw` ```block```",
    "= Heading",
    "- item",
    "+ item",
    "/ term: x",
    "1. first",
    "<label> @ref",
    "// comment /* block */",
    "[content] {code} (paren)",
    "back\\slash \\ \\u{41} \\n",
    "\"double\" 'single'",
    "a -- b --- c ... d",
    "~ tilde ^ caret",
    "https://example.com/a_b",
    "\\input{/etc/passwd} \\def\\x{y} \\catcode`\\@=11 \\end{document}",
    "% comment & align _ sub # hash",
    "{unbalanced ]unbalanced [ }",
    "!` ?` ligatures",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
]
UNICODE = "μ σ² qᵀk W₁ ‖μ‖ √d ≤ ≥ → — “quoted” … Â = naïve"


def _document(strings: list[str]) -> Document:
    blocks = []
    for s in strings:
        blocks += [
            Heading(2, plain(s)),
            Paragraph(plain(s)),
            Paragraph((Mono(s),)),
            Bullets((plain(s),)),
            TableBlock(header=(plain("h"),), rows=((plain(s),),)),
        ]
    return Document(title="t", subtitle="s", header="h", blocks=blocks)


def _pdf_text(pdf_path) -> str:
    result = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (Debian's poppler-utils) is not installed"
)
needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex is not installed (apt-get install texlive-latex-base "
    "texlive-latex-recommended texlive-fonts-recommended)",
)


@pytest.fixture(scope="module")
def typst_text(tmp_path_factory):
    folder = tmp_path_factory.mktemp("typst")
    pdf, _source, warnings = compile_pdf(_document(HOSTILE + [UNICODE]), folder)
    assert warnings == []
    (folder / "t.pdf").write_bytes(pdf)
    if shutil.which("pdftotext") is None:
        return None
    return _pdf_text(folder / "t.pdf")


@needs_pdftotext
@pytest.mark.parametrize("hostile", HOSTILE + [UNICODE])
def test_typst_prints_hostile_text_as_written(typst_text, hostile):
    # five renderings: heading, paragraph, monospace, bullet, table cell
    assert _squash(typst_text).count(_squash(hostile)) >= 5


def test_typst_escape_leaves_no_markup_character_bare():
    escaped = escape_typst("".join(HOSTILE))
    bare = re.sub(r"\\.", "", escaped)  # drop every escaped pair
    assert not set(bare) & set("\\#$*_`<>@=[]")


def test_typst_escape_makes_one_line():
    assert escape_typst("a\n\n= b\tc\x00d") == "a \\= b c d"


def test_typst_string_literal_escapes_quotes_and_backslashes():
    assert typst_string('a"b\\c') == '"a\\"b\\\\c"'


@needs_pdflatex
@needs_pdftotext
def test_latex_compiles_hostile_text_and_runs_none_of_it(tmp_path):
    tex = render_latex(_document(HOSTILE + [UNICODE]))
    (tmp_path / "t.tex").write_text(tex, encoding="utf-8")
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    text = _pdf_text(tmp_path / "t.pdf")
    assert "root:" not in text  # \input{/etc/passwd} was printed, not run
    # OT1 prints ~ and ^ as accents, ` ' as curly quotes and _ as a rule (no glyph to
    # extract); the rest comes back as written.
    for printed, written in (("˜", "~"), ("ˆ", "^"), ("‘", "`"), ("’", "'")):
        text = text.replace(printed, written)
    for hostile in HOSTILE:
        assert _squash(hostile).replace("_", "") in _squash(text), hostile


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50% & $5", r"50\% \& \$5"),
        ("a_b^c~", r"a\_b\textasciicircum{}c\textasciitilde{}"),
        ("{x}", r"\{x\}"),
        ("\\input", r"\textbackslash{}input"),
        ("--", "-{}-{}"),
        ("[opt]", "{[}opt{]}"),
        ("μ", r"\ensuremath{\mu}"),
        ("qᵀk", r"q\ensuremath{^{\top}}k"),
        ("W₁", r"W\ensuremath{_{1}}"),
        ("‖μ‖²", r"\ensuremath{\|}\ensuremath{\mu}\ensuremath{\|}\ensuremath{^{2}}"),
        # a run of super- or subscripts is one exponent, not one per character
        ("10⁻¹⁶", r"10\ensuremath{^{-16}}"),
        ("x₁₂ y²", r"x\ensuremath{_{12}} y\ensuremath{^{2}}"),
        ("Wᵀ²", r"W\ensuremath{^{\top 2}}"),
        ("x²₁", r"x\ensuremath{^{2}}\ensuremath{_{1}}"),
    ],
)
def test_latex_escape(text, expected):
    assert escape_latex(text) == expected


def test_latex_escape_sets_accents_with_kernel_commands():
    assert escape_latex("Â") == r"\^{A}"
    assert escape_latex("D\u0303") == r"\~{D}"  # no precomposed D-tilde exists
    assert escape_latex("naïve café") == r"na\"{\i}ve caf\'{e}"
    assert escape_latex("pi ij") == "pi ij"


def test_latex_escape_prints_unknown_characters_as_a_question_mark():
    assert escape_latex("a🙂b") == f"a{UNKNOWN_CHARACTER}b"
    assert unprintable_in_latex("a🙂b μ") == {"🙂"}


def test_split_math_finds_inline_formulas_and_leaves_a_lone_dollar():
    assert split_math(r"Give $\mu$ and $d$, costs $5") == [
        ("text", "Give "),
        ("math", r"\mu"),
        ("text", " and "),
        ("math", "d"),
        ("text", ", costs $5"),
    ]


def test_prose_reads_math_and_code_but_plain_reads_nothing():
    from answerkey.documents.model import Math, Mono, Text, prose

    assert prose(r"the `club` split at $\mu$") == (
        Text("the "),
        Mono("club"),
        Text(" split at "),
        Math(r"\mu"),
    )
    assert plain(r"the `club` split at $\mu$") == (Text(r"the `club` split at $\mu$"),)


def test_the_precision_table_prints_one_exponent_per_number_in_both_targets():
    """q3.c.ii's precision table: 1.6 × 10⁻⁷ with one exponent in the .tex (not one
    superscript per character), and an error of 1 or more without "× 10⁰"."""
    from answerkey.documents.content import _figures_and_tables
    from answerkey.documents.typst_render import TypstRenderer
    from answerkey.questions.kernel_attention import precision_table

    scales = [1.0, 300.0]
    values = {(1.0, "float32"): (1.6e-7, 8.6e-8), (1.0, "float64"): (3.1e-16, None),
              (300.0, "float32"): (3.7, 2.2e-3), (300.0, "float64"): (2.9e-7, 3.0e-12)}  # fmt: skip
    rows = [
        {"dtype": dtype, "scale": s, "linear": linear, "quadratic": quadratic}
        for (s, dtype), (linear, quadratic) in values.items()
    ]
    table = precision_table({"config": {"scales": scales}, "rows": rows})
    part = {"id": "q3.c.ii", "answer": {"tables": [
        {"caption": table.caption, "columns": list(table.columns), "rows": list(table.rows)}
    ]}}  # fmt: skip
    block = next(b for b in _figures_and_tables(part) if isinstance(b, TableBlock))
    tex = render_latex(Document(title="t", subtitle="s", header="h", blocks=[block]))
    typst = TypstRenderer().render(Document(title="t", subtitle="s", header="h", blocks=[block]))
    assert r"1.6 \ensuremath{\times} 10\ensuremath{^{-7}}" in tex
    assert r"3.1 \ensuremath{\times} 10\ensuremath{^{-16}}" in tex
    assert r"\ensuremath{^{-}}" not in tex and "^{0}" not in tex
    assert re.search(r"(^|[&{] *)3\.7 *(&|\\\\)", tex, flags=re.M), tex
    for cell in ("1.6 × 10⁻⁷", "3.1 × 10⁻¹⁶", "not finite", "3.7"):
        assert f"[{escape_typst(cell)}]" in typst, cell
    assert "10⁰" not in typst


def test_the_ascii_fast_path_escapes_as_the_character_walk_does():
    import random

    from answerkey.documents.escaping import _latex_pieces

    rng = random.Random(0)
    samples = HOSTILE + [
        "".join(rng.choice(string.printable) for _ in range(60)) for _ in range(300)
    ]
    for text in samples:
        assert escape_latex(text) == "".join(latex for _, latex in _latex_pieces(text)), text
