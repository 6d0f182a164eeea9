"""Documents to LaTeX: the .tex sources TAs paste into their own solution files.

    tex = render_latex(document)

Only amsmath, amssymb, graphicx and booktabs, so the source compiles with
pdflatex from any TeX installation and pastes into any course template.
Formulas are the project's LaTeX as written; text goes through
`escape_latex`. Nothing floats: figures and tables stay where the document
puts them. Page style, margins and the "NOT VERIFIED" stamp of a draft use
kernel commands only.
"""

from __future__ import annotations

from answerkey.documents.escaping import escape_latex
from answerkey.documents.model import (
    Block,
    Boxed,
    Bullets,
    DisplayMath,
    Document,
    Emph,
    FigureBlock,
    Heading,
    Inline,
    Inlines,
    Math,
    Mono,
    PageBreak,
    Paragraph,
    Small,
    Steps,
    Strong,
    TableBlock,
    Text,
)

PACKAGES = ("amsmath", "amssymb", "graphicx", "booktabs")
_HEADINGS = {1: r"\section*", 2: r"\subsection*", 3: r"\subsubsection*"}


def _mono(text: str) -> str:
    return rf"\texttt{{{escape_latex(text)}}}"


def inline(item: Inline) -> str:
    if isinstance(item, Text):
        return escape_latex(item.text)
    if isinstance(item, Math):
        return f"${item.latex}$"
    if isinstance(item, Strong):
        return rf"\textbf{{{inlines(item.content)}}}"
    if isinstance(item, Emph):
        return rf"\emph{{{inlines(item.content)}}}"
    if isinstance(item, Mono):
        return _mono(item.text)
    raise TypeError(f"not an inline: {item!r}")


def inlines(items: Inlines) -> str:
    return "".join(inline(item) for item in items)


# A tabular cannot break across pages (longtable is not among our packages): a long
# table is set as several, each with its header, of at most this many rows.
ROWS_PER_TABULAR = 20
# A line of \\small text holds about this many characters (for choosing column widths).
LINE_CHARACTERS = 90


def _length(items: Inlines) -> int:
    """About how many characters a cell prints."""
    total = 0
    for item in items:
        if isinstance(item, Text | Mono):
            total += len(item.text)
        elif isinstance(item, Math):
            total += max(1, len(item.latex) // 2)
        else:
            total += _length(item.content)
    return total


def _longest_word(items: Inlines) -> int:
    words = []
    for item in items:
        if isinstance(item, Text | Mono):
            words += item.text.split()
        elif isinstance(item, Math):
            words.append("x" * max(1, len(item.latex) // 2))
        else:
            words.append("x" * _longest_word(item.content))
    return max((len(w) for w in words), default=1)


def _widths(table: TableBlock) -> tuple[float, ...] | None:
    """Relative column widths, or None where every column fits at its natural width.

    Each column gets at least its longest word (so no word sticks out into the next
    column), and the rest of the line in proportion to its longest cell."""
    if table.widths is not None:
        return table.widths
    columns = list(zip(table.header, *table.rows, strict=True))
    longest = [max(_length(cell) for cell in column) for column in columns]
    if sum(longest) + 2 * len(columns) <= LINE_CHARACTERS:
        return None
    # Header words are bold, about a fifth wider.
    need = [
        max(1.2 * _longest_word(column[0]), *(_longest_word(c) for c in column[1:])) + 2
        for column in columns
    ]
    want = [max(n, min(60, m + 2)) for n, m in zip(need, longest, strict=True)]
    spare = max(0, LINE_CHARACTERS - sum(need))
    extra = [w - n for w, n in zip(want, need, strict=True)]
    scale = min(1.0, spare / sum(extra)) if sum(extra) else 0.0
    return tuple(n + e * scale for n, e in zip(need, extra, strict=True))


def _table(table: TableBlock) -> str:
    widths = _widths(table)
    if widths is None:
        spec, cell, end = "l" * len(table.header), "", r" \\"
    else:
        total = sum(widths)
        # p{} columns wrap; 0.98 of the line leaves room for rounding. Cells are set
        # ragged right, which redefines \\, so rows end with \tabularnewline.
        spec = "".join(
            rf"p{{\dimexpr {0.98 * w / total:.3f}\linewidth-2\tabcolsep\relax}}" for w in widths
        )
        cell, end = r"\raggedright ", r" \tabularnewline"
    header = " & ".join(rf"{cell}\textbf{{{inlines(c)}}}" for c in table.header) + end
    chunks = [
        table.rows[start : start + ROWS_PER_TABULAR]
        for start in range(0, len(table.rows), ROWS_PER_TABULAR)
    ] or [()]
    lines = [r"\begin{center}\small"]
    if table.caption:
        # One unbreakable box, and no page break after it: the caption stays with its table.
        lines.append(rf"\parbox{{\linewidth}}{{\centering {inlines(table.caption)}}}\\*[3pt]")
    for number, rows in enumerate(chunks):
        if number:
            lines.append(r"\end{tabular}\\[6pt]")
        lines += [rf"\begin{{tabular}}{{{spec}}}", r"\toprule", header, r"\midrule"]
        lines += [" & ".join(cell + inlines(c) for c in row) + end for row in rows]
        lines.append(r"\bottomrule")
    lines += [r"\end{tabular}", r"\end{center}"]
    return "\n".join(lines)


# A display formula with more source than this is scaled down if wider than the line.
LONG_FORMULA_CHARACTERS = 100


def display_math(latex: str) -> str:
    if len(latex) <= LONG_FORMULA_CHARACTERS:
        return rf"\[ {latex} \]"
    # graphicx's \resizebox, only when the formula is wider than the line.
    width = r"\ifdim\width>\linewidth\linewidth\else\width\fi"
    return rf"\begin{{center}}\resizebox{{{width}}}{{!}}{{$\displaystyle {latex}$}}\end{{center}}"


def block(item: Block) -> str:
    if isinstance(item, Heading):
        return f"{_HEADINGS[item.level]}{{{inlines(item.content)}}}"
    if isinstance(item, Paragraph):
        return inlines(item.content) + "\n"
    if isinstance(item, Small):
        return rf"{{\small {inlines(item.content)}\par}}"
    if isinstance(item, DisplayMath):
        return display_math(item.latex)
    if isinstance(item, Boxed):
        body = "\n".join(block(b) for b in item.blocks)
        width = r"\dimexpr\linewidth-2\fboxsep-2\fboxrule\relax"
        return (
            rf"\par\noindent\fbox{{\begin{{minipage}}{{{width}}}"
            "\n"
            rf"\textbf{{{escape_latex(item.title)}}}\par\smallskip"
            f"\n{body}\n"
            r"\end{minipage}}\par\medskip"
        )
    if isinstance(item, Steps):
        lines = [r"\begin{enumerate}"]
        for text, latex in item.items:
            formula = " " + display_math(latex) if latex else ""
            lines.append(rf"\item {inlines(text)}{formula}")
        lines.append(r"\end{enumerate}")
        return "\n".join(lines)
    if isinstance(item, Bullets):
        lines = [r"\begin{itemize}"] + [rf"\item {inlines(i)}" for i in item.items]
        return "\n".join(lines + [r"\end{itemize}"])
    if isinstance(item, FigureBlock):
        return (
            r"\begin{center}"
            rf"\includegraphics[width={item.width:g}\linewidth]{{{item.path}}}\\[2pt]"
            "\n"
            rf"{{\small {inlines(item.caption)}}}"
            r"\end{center}"
        )
    if isinstance(item, TableBlock):
        return _table(item)
    if isinstance(item, PageBreak):
        return r"\clearpage"
    raise TypeError(f"not a block: {item!r}")


def render_latex(document: Document) -> str:
    stamp = ""
    if document.stamp:
        stamp = rf"\textbf{{{escape_latex(document.stamp)}}}"
    preamble = [
        r"\documentclass[10pt]{article}",
        rf"\usepackage{{{','.join(PACKAGES)}}}",
        # US letter, about 1 inch margins, without the geometry package.
        r"\setlength{\textwidth}{6.5in}\setlength{\oddsidemargin}{0in}",
        r"\setlength{\evensidemargin}{0in}\setlength{\textheight}{8.8in}",
        r"\setlength{\topmargin}{-0.4in}\setlength{\headheight}{14pt}",
        r"\setlength{\parindent}{0pt}\setlength{\parskip}{0.5em}",
        r"\makeatletter",
        r"\def\ps@answerkey{%",
        rf"  \def\@oddhead{{\footnotesize {escape_latex(document.header)}\hfil {stamp}}}%",
        r"  \def\@oddfoot{\hfil\footnotesize Page \thepage\hfil}%",
        r"  \let\@evenhead\@oddhead\let\@evenfoot\@oddfoot}",
        r"\makeatother",
        r"\pagestyle{answerkey}",
        r"\begin{document}",
        r"\begin{center}",
        rf"{{\Large\bfseries {escape_latex(document.title)}}}\\[4pt]",
        rf"{{\large {escape_latex(document.subtitle)}}}",
        r"\end{center}",
        "",
    ]
    body = "\n\n".join(block(b) for b in document.blocks)
    return "\n".join(preamble) + body + "\n\n\\end{document}\n"
