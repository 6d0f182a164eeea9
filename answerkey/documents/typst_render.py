"""Documents to Typst, and Typst to PDF with the `typst` wheel.

    source = TypstRenderer().render(document)
    pdf = compile_pdf(document, root)          # bytes; images resolve under root

Only Typst's built-in features (no `@preview` packages: they need the
network) and only the fonts inside the wheel (`ignore_system_fonts`), so the
PDF is the same on every machine. The document date is left out, so the
same document compiles to the same bytes.

A formula that cannot be converted, or that Typst rejects, is printed as its
LaTeX source in a monospace font and reported in `warnings`: one odd formula
must not cost the whole key its PDF.
"""

from __future__ import annotations

from pathlib import Path

from answerkey.documents.escaping import escape_typst, typst_string
from answerkey.documents.math_notation import MathError, to_typst
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

FONT = "New Computer Modern"
TONES = {  # frame and fill of a Boxed block
    "answer": ("rgb(43, 87, 151)", "rgb(238, 243, 251)"),
    "missing": ("rgb(150, 150, 150)", "rgb(245, 245, 245)"),
    "warning": ("rgb(190, 40, 30)", "rgb(253, 238, 236)"),
}


# A framed box with more source than this may break across pages (else it moves whole).
BREAKABLE_BOX_CHARACTERS = 1500
# A captioned table of at most this many rows moves to the next page whole.
KEEP_TOGETHER_ROWS = 25


class DocumentError(RuntimeError):
    """Typst could not compile a document (the message says why and where)."""


class TypstRenderer:
    def __init__(self, rejected: frozenset[str] = frozenset()):
        self.rejected = set(rejected)  # LaTeX formulas to print as source
        self.formulas: dict[str, str] = {}  # LaTeX → Typst, every formula converted
        self.warnings: list[str] = []

    # --- math -----------------------------------------------------------------

    def _math(self, latex: str, display: bool) -> str:
        typst = None
        if latex not in self.rejected:
            try:
                typst = to_typst(latex)
                self.formulas[latex] = typst
            except MathError as exc:
                self.rejected.add(latex)
                self.warnings.append(str(exc))
        if typst is None:
            source = f"#raw({typst_string(latex)})"
            return f"#align(center)[{source}]" if display else source
        # `fit` scales a display formula wider than the line down to the line's width.
        return f"#fit($ {typst} $)" if display else f"${typst}$"

    # --- inline ---------------------------------------------------------------

    def inline(self, item: Inline) -> str:
        if isinstance(item, Text):
            return escape_typst(item.text)
        if isinstance(item, Math):
            return self._math(item.latex, display=False)
        if isinstance(item, Strong):
            return f"#strong[{self.inlines(item.content)}]"
        if isinstance(item, Emph):
            return f"#emph[{self.inlines(item.content)}]"
        if isinstance(item, Mono):
            return f"#raw({typst_string(item.text)})"
        raise TypeError(f"not an inline: {item!r}")

    def inlines(self, items: Inlines) -> str:
        return "".join(self.inline(item) for item in items)

    # --- blocks ---------------------------------------------------------------

    def block(self, block: Block) -> str:
        if isinstance(block, Heading):
            return f"{'=' * block.level} {self.inlines(block.content)}\n"
        if isinstance(block, Paragraph):
            return f"{self.inlines(block.content)}\n"
        if isinstance(block, Small):
            return f"#text(size: 8.5pt, fill: luma(70))[{self.inlines(block.content)}]\n"
        if isinstance(block, DisplayMath):
            return self._math(block.latex, display=True) + "\n"
        if isinstance(block, Boxed):
            stroke, fill = TONES[block.tone]
            body = "\n".join(self.block(b) for b in block.blocks)
            # A short box moves whole to the next page rather than leave its title behind.
            breakable = "true" if len(body) > BREAKABLE_BOX_CHARACTERS else "false"
            return (
                f"#block(width: 100%, inset: 8pt, radius: 2pt, breakable: {breakable}, "
                f"stroke: 0.8pt + {stroke}, fill: {fill})[\n"
                f'#text(weight: "bold", fill: {stroke})[{escape_typst(block.title)}]\n\n'
                f"{body}]\n"
            )
        if isinstance(block, Steps):
            items = []
            for text, latex in block.items:
                formula = f"\n{self._math(latex, display=True)}" if latex else ""
                items.append(f"[{self.inlines(text)}{formula}]")
            return f"#enum(spacing: 0.9em, {', '.join(items)})\n"
        if isinstance(block, Bullets):
            items = ", ".join(f"[{self.inlines(item)}]" for item in block.items)
            return f"#list({items})\n"
        if isinstance(block, FigureBlock):
            image = f"image({typst_string(block.path)}, width: {block.width * 100:g}%)"
            # numbering: none — the document numbers its figures (content._number)
            return f"#figure({image}, numbering: none, caption: [{self.inlines(block.caption)}])\n"
        if isinstance(block, TableBlock):
            return self._table(block)
        if isinstance(block, PageBreak):
            return "#pagebreak(weak: true)\n"
        raise TypeError(f"not a block: {block!r}")

    def _table(self, table: TableBlock) -> str:
        if table.widths:
            columns = "(" + ", ".join(f"{w:g}fr" for w in table.widths) + ",)"
        else:
            columns = str(len(table.header))
        header = ", ".join(f"[*{self.inlines(cell)}*]" for cell in table.header)
        cells = ", ".join(f"[{self.inlines(cell)}]" for row in table.rows for cell in row)
        body = (
            f"table(columns: {columns}, align: left, stroke: none, "
            f"inset: (x: 4pt, y: 3.5pt), table.hline(stroke: 0.8pt), "
            f"table.header({header}), table.hline(stroke: 0.4pt), "
            f"{cells}{', ' if cells else ''}table.hline(stroke: 0.8pt))"
        )
        if table.caption:
            caption = self.inlines(table.caption)
            figure = f"#figure({body}, kind: table, numbering: none, caption: [{caption}])"
            if len(table.rows) <= KEEP_TOGETHER_ROWS:  # never a caption alone at a page's foot
                return f"#block(breakable: false)[{figure}]\n"
            return figure + "\n"
        return f"#align(left)[#{body}]\n"

    # --- the document -----------------------------------------------------------

    def render(self, document: Document) -> str:
        stamp = ""
        if document.stamp:
            stamp = (
                ', background: rotate(-35deg, text(size: 64pt, weight: "bold", '
                f"fill: rgb(200, 0, 0, 45))[{escape_typst(document.stamp)}])"
            )
        right = f'#text(fill: red, weight: "bold")[{escape_typst(document.stamp)}]'
        head = (
            f"#text(size: 8pt, fill: luma(90))[{escape_typst(document.header)}"
            f"#h(1fr){right if document.stamp else ''}]"
        )
        foot = (
            "context align(center, text(size: 8pt, fill: luma(90))["
            "Page #counter(page).display() of #counter(page).final().first()])"
        )
        preamble = [
            f"#set document(title: {typst_string(document.title)}, date: none)",
            f'#set page(paper: "us-letter", margin: (x: 2.2cm, top: 2.4cm, bottom: 2.2cm), '
            f"header: [{head}], footer: {foot}{stamp})",
            f'#set text(font: {typst_string(FONT)}, size: 10.5pt, hyphenate: false, lang: "en")',
            "#set par(justify: false, leading: 0.62em, spacing: 1.0em)",
            "#set heading(numbering: none)",
            "#show heading.where(level: 1): set text(size: 15pt)",
            "#show heading.where(level: 2): set text(size: 12.5pt)",
            "#show heading.where(level: 3): set text(size: 10.5pt)",
            "#show heading: set block(above: 1.3em, below: 0.7em)",
            "#show figure: set block(breakable: true)",
            "#show figure.where(kind: table): set figure.caption(position: top)",
            "#show raw: set text(size: 9pt)",
            "#show table: set text(size: 9pt)",
            "#let fit(body) = layout(size => {",
            "  let natural = measure(body).width",
            "  if natural > size.width { scale(size.width / natural * 100%, reflow: true, body) }",
            "  else { body }",
            "})",
            "",
            f'#align(center)[#text(size: 17pt, weight: "bold")[{escape_typst(document.title)}]'
            f" \\ #v(2pt) #text(size: 11pt)[{escape_typst(document.subtitle)}]]",
            "#v(6pt)",
            "",
        ]
        body = "\n".join(self.block(block) for block in document.blocks)
        return "\n".join(preamble) + body


def _compile(source: str, root: Path) -> bytes:
    import typst

    return typst.compile(source.encode(), root=str(root), ignore_system_fonts=True, format="pdf")


def _formula_compiles(typst_math: str, root: Path) -> bool:
    import typst

    try:
        _compile(f"${typst_math}$", root)
    except typst.TypstError:
        return False
    return True


def compile_pdf(document: Document, root: Path) -> tuple[bytes, str, list[str]]:
    """(PDF bytes, Typst source, warnings) for `document`; images resolve under `root`.

    If Typst rejects the source, every formula is compiled on its own and the
    ones Typst rejects are printed as LaTeX source instead; a second failure
    raises DocumentError with Typst's message.
    """
    import typst

    renderer = TypstRenderer()
    source = renderer.render(document)
    try:
        return _compile(source, root), source, renderer.warnings
    except typst.TypstError as first:
        bad = {latex for latex, tm in renderer.formulas.items() if not _formula_compiles(tm, root)}
        if not bad:
            raise DocumentError(f"Typst cannot compile {document.title!r}: {first}") from None
        renderer = TypstRenderer(rejected=frozenset(bad) | frozenset(renderer.rejected))
        source = renderer.render(document)
        warnings = renderer.warnings + [f"Typst rejected the formula {latex!r}" for latex in bad]
        try:
            return _compile(source, root), source, warnings
        except typst.TypstError as second:
            raise DocumentError(f"Typst cannot compile {document.title!r}: {second}") from None
