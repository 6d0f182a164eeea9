"""The blocks both documents are made of, written once and rendered twice.

`answerkey.documents.content` says what the solutions and the TA key contain, as a
`Document` of blocks; `answerkey.documents.typst_render` renders it to Typst (the
PDFs) and `answerkey.documents.latex_render` to LaTeX (the .tex sources). Text comes
in two kinds: `prose(s)` is the project's own writing, where `$…$` is LaTeX
math and backticks mark code; `plain(s)` is text from files people edit
(rubric.toml, answers), which is printed exactly as written and never
interpreted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from answerkey.documents.escaping import split_math


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Math:
    latex: str


@dataclass(frozen=True)
class Strong:
    content: tuple[Inline, ...]


@dataclass(frozen=True)
class Emph:
    content: tuple[Inline, ...]


@dataclass(frozen=True)
class Mono:
    """Verbatim text in a monospace font (answers in the judge's grammar, LaTeX source)."""

    text: str


Inline = Text | Math | Strong | Emph | Mono
Inlines = tuple[Inline, ...]


_CODE = re.compile(r"`([^`]+)`")


def _code_spans(text: str) -> list[Inline]:
    """Text with `code` spans (Markdown's backticks) as Mono."""
    pieces: list[Inline] = []
    for number, piece in enumerate(_CODE.split(text)):
        if piece:
            pieces.append(Mono(piece) if number % 2 else Text(piece))
    return pieces


def prose(text: str) -> Inlines:
    """The project's own prose: `$…$` is inline LaTeX math, `` `x` `` is code."""
    out: list[Inline] = []
    for kind, piece in split_math(text):
        out.extend([Math(piece)] if kind == "math" else _code_spans(piece))
    return tuple(out)


def plain(text: str) -> Inlines:
    """Text from an edited file: printed as written, `$` included."""
    return (Text(text),)


@dataclass(frozen=True)
class Heading:
    level: int  # 1 question, 2 part, 3 a part's section
    content: Inlines


@dataclass(frozen=True)
class Paragraph:
    content: Inlines


@dataclass(frozen=True)
class Small:
    """A line in small type: the verification evidence under an answer."""

    content: Inlines


@dataclass(frozen=True)
class DisplayMath:
    latex: str


@dataclass(frozen=True)
class Boxed:
    """Blocks set off in a frame. `tone` is "answer", "missing" or "warning"."""

    title: str
    blocks: tuple[Block, ...]
    tone: str = "answer"


@dataclass(frozen=True)
class Steps:
    """A numbered derivation: each step is a sentence and an optional formula."""

    items: tuple[tuple[Inlines, str], ...]


@dataclass(frozen=True)
class Bullets:
    items: tuple[Inlines, ...]


@dataclass(frozen=True)
class FigureBlock:
    path: str  # relative to the document, e.g. figures/zkc_embedding.png
    caption: Inlines
    width: float = 0.8  # fraction of the text width


@dataclass(frozen=True)
class TableBlock:
    header: tuple[Inlines, ...]
    rows: tuple[tuple[Inlines, ...], ...]
    caption: Inlines = ()
    widths: tuple[float, ...] | None = None  # relative column widths; None: natural


@dataclass(frozen=True)
class PageBreak:
    pass


Block = (
    Heading | Paragraph | Small | DisplayMath | Boxed | Steps | Bullets | FigureBlock | TableBlock
) | PageBreak


@dataclass
class Document:
    title: str
    subtitle: str
    header: str  # printed on every page
    blocks: list[Block] = field(default_factory=list)
    stamp: str | None = None  # "NOT VERIFIED" on every page of a draft
