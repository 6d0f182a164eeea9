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

from answerkey.document_model import (
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
from answerkey.escaping import escape_latex

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


def _table(table: TableBlock) -> str:
    n = len(table.header)
    if table.widths:
        total = sum(table.widths)
        # p{} columns wrap long feedback; the widths share the line (minus column gaps).
        spec = "".join(
            rf"p{{\dimexpr {w / total:.3f}\linewidth-2\tabcolsep\relax}}" for w in table.widths
        )
    else:
        spec = "l" * n
    lines = [r"\begin{center}"]
    if table.caption:
        lines.append(rf"{{\small {inlines(table.caption)}}}\\[3pt]")
    lines += [rf"\begin{{tabular}}{{{spec}}}", r"\toprule"]
    lines.append(" & ".join(rf"\textbf{{{inlines(cell)}}}" for cell in table.header) + r" \\")
    lines.append(r"\midrule")
    for row in table.rows:
        lines.append(" & ".join(inlines(cell) for cell in row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{center}"]
    return "\n".join(lines)


def block(item: Block) -> str:
    if isinstance(item, Heading):
        return f"{_HEADINGS[item.level]}{{{inlines(item.content)}}}"
    if isinstance(item, Paragraph):
        return inlines(item.content) + "\n"
    if isinstance(item, Small):
        return rf"{{\small {inlines(item.content)}\par}}"
    if isinstance(item, DisplayMath):
        return rf"\[ {item.latex} \]"
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
            formula = rf" \[ {latex} \]" if latex else ""
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
