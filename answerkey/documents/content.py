"""What the two documents say: the solutions and the TA answer key, as blocks.

    solutions(results)   -> Document   (published to students)
    answer_key(results)  -> Document   (staff only)

Both are built from `results`, the dictionary `answerkey.build` writes as
results.json, and from nothing else: every number a document quotes is in
that file, and the same results give the same documents. The blocks are
rendered to Typst (`answerkey.documents.typst_render`) and LaTeX
(`answerkey.documents.latex_render`).

Solutions, per question: the statement, then per part the answer set off in
a frame (its headline first), one line in plain words saying how it was
verified, the derivation steps, the experiment's figures and tables, and the
assumptions. Nothing of the project's insides reaches the solutions: no check
claims (they name code), paths, commands or hashes (tests/test_documents_leaks.py).
TA key: answers at a glance; then per part the final answer, points, rubric
items with point deltas, the wrong answers students commonly give with the item
they fall under, their credit (computed from the items) and feedback, the
readings also accepted, the caveats (Part.notes), the polynomials the solutions
abbreviate to their leading terms, in full, and the detailed evidence (every check
with its verdict). A part not answered yet says so in both.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from answerkey.documents.model import (
    Block,
    Boxed,
    Bullets,
    DisplayMath,
    Document,
    FigureBlock,
    Heading,
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
    plain,
    prose,
)

COURSE = "EECS 182 Deep Neural Networks, Fall 2022"
NOT_ANSWERED = "Not answered yet"
KIND_ORDER = ("general", "exhaustive", "exact instance", "numeric")
PASSED = ("PROVED", "PASS")
TEXT_WIDTH_CM = 17.0  # US letter less two margins of 2.2 cm (Typst) or 1 inch (LaTeX)
FIGURE_MAX_HEIGHT_CM = 14.0
_SUPERSCRIPT_DIGITS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


# --- small formatting helpers ------------------------------------------------------


def points_text(points: float | None) -> str:
    if points is None:
        return "no points set"
    return f"{points:g} point" + ("" if points == 1 else "s")


def delta_text(delta: float) -> str:
    """A rubric delta as graders read it: +0, −1, −0.5."""
    return f"+{delta:g}" if delta >= 0 else f"−{-delta:g}"


def count_text(n: int) -> str:
    """10⁶ for a power of ten from 1000 up, else 20,000."""
    text = str(n)
    if n >= 1000 and text.startswith("1") and set(text[1:]) == {"0"}:
        return "10" + str(len(text) - 1).translate(_SUPERSCRIPT_DIGITS)
    return f"{n:,}"


def scientific_text(value: float, digits: int = 1) -> str:
    """A measured value in the documents' scientific notation, for both renderers (the
    .tex spells a run of superscripts as one exponent): 1.6 × 10⁻⁷, 3.1 × 10⁻¹⁶, and
    3.7 (no "× 10⁰") from 1 up to 10. `digits` after the point."""
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    if int(exponent) == 0:
        return mantissa
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT_DIGITS)}"


def cell_text(value: Any) -> Inlines:
    """A table cell from an experiment's results."""
    if value is None:
        return plain("—")
    if isinstance(value, bool):
        return plain("yes" if value else "no")
    if isinstance(value, int):
        return plain(str(value))
    if isinstance(value, float):
        return plain(f"{value:.4g}")
    return prose(str(value))


def figure_width(figure: dict) -> float:
    """Fraction of the text width a figure prints at: its natural width (`inches`, from
    the PNG's pixels and dpi), so that its fonts print at the size they were set in,
    at most the text width and `FIGURE_MAX_HEIGHT_CM` tall. Without a declared size:
    85 % for a wide figure, less for a tall one."""
    if "pixels" not in figure:
        return 0.8
    width, height = figure["pixels"]
    fraction = FIGURE_MAX_HEIGHT_CM * width / height / TEXT_WIDTH_CM
    natural = figure["inches"][0] * 2.54 / TEXT_WIDTH_CM if "inches" in figure else 0.85
    return round(min(1.0, natural, fraction), 3)


def figure_file(name: str) -> str:
    return name if re.search(r"\.(png|jpe?g|svg|pdf)$", name) else f"{name}.png"


# --- verification evidence ---------------------------------------------------------


def _numeric_segments(group: list[dict]) -> list[str]:
    monte_carlo = [c for c in group if {"n", "z"} <= set(c.get("statistics") or {})]
    other = [c for c in group if c not in monte_carlo]
    segments = []
    if monte_carlo:
        sizes = sorted({c["statistics"]["n"] for c in monte_carlo})
        size = " / ".join(count_text(n) for n in sizes)
        worst = max(abs(c["statistics"]["z"]) for c in monte_carlo)
        settings = f" × {len(monte_carlo)} settings" if len(monte_carlo) > 1 else ""
        segments.append(f"Monte Carlo: n = {size}{settings}, |z| ≤ {worst:.2g}")
    if other:
        segments.append("numeric: " + "; ".join(c["claim"] for c in other))
    return segments


def evidence_line(checks: list[dict]) -> str:
    """One line naming each kind of evidence behind an answer and what it showed.

    e.g. "general: proved — E[qᵀk] = dμ² for every d ≥ 1 · exhaustive: …, d = 1…4 ·
    Monte Carlo: n = 10⁶ × 4 settings, |z| ≤ 1.3". A kind with a check that did not
    pass says so, with the verdicts, before anything else.
    """
    segments = []
    for kind in KIND_ORDER:
        group = [c for c in checks if c["evidence"] == kind]
        if not group:
            continue
        failed = [c for c in group if c["verdict"] not in PASSED]
        if failed:
            tally = Counter(c["verdict"] for c in group)
            verdicts = ", ".join(f"{n} {v}" for v, n in sorted(tally.items()))
            segments.append(f"{kind}: NOT VERIFIED ({verdicts}) — {failed[0]['claim']}")
        elif kind == "general":
            segments.append("general: proved — " + "; ".join(c["claim"] for c in group))
        elif kind == "exhaustive":
            shown = [c["detail"] if len(c["detail"]) <= 90 else c["claim"] for c in group]
            segments.append("exhaustive: " + "; ".join(shown))
        elif kind == "exact instance":
            segments.append("exact instance: " + "; ".join(c["claim"] for c in group))
        else:
            segments.extend(_numeric_segments(group))
    return " · ".join(segments)


_FOR_EVERY = re.compile(r"\bfor ((?:every|all) [^,;()]+?)\s*(?=$|[,;(])")
# A range of sizes an exhaustive check enumerates: "d = 1…4", "N = 1…4 and M = 1…3".
_RANGE = r"[A-Za-z] = \d+…\d+"
_SIZES = re.compile(rf"\b(?:for every |for )({_RANGE}(?: and {_RANGE})?)\b")
_ALL_CASES = re.compile(r"\ball (\d+ [a-z]+)")
# The claims of `answerkey.printed`'s checks start so: they show that the printed answer is
# the verified one, not the answer itself, and no evidence line counts them as such.
PRINTED = "the printed "
# An experiment's written statements are checks whose claims start so (q4.a's, one per
# sentence the answer may print): measured results, each compared with its threshold.
MEASURED = "claim "


def _exhaustive_phrase(checks: list[dict]) -> str:
    """What an exhaustive check enumerated, in words: "checked for every d = 1…4", "checked
    on all 8 sequences", else "checked at every small size"."""
    for c in checks:
        for text in (c["claim"], c["detail"]):
            if m := _SIZES.search(text):
                return f"checked for every {m.group(1)}"
    for c in checks:
        if m := _ALL_CASES.search(c["claim"]):
            return f"checked on all {m.group(1)}"
    return "checked case by case at every small size"


def plain_evidence(checks: list[dict]) -> str:
    """How an answer was verified, in words a student reads: no check claims (they name
    the project's code), only the kinds of evidence, what they covered and their sizes.
    Checks of the printed answer (`PRINTED`) are not evidence for the answer and are left
    out.

    e.g. "Proved for every d ≥ 1; checked for every d = 1…4; confirmed by simulation with
    10⁶ samples."
    """
    if not checks:
        return "A written answer: nothing in it is checked by computation."
    if any(c["verdict"] not in PASSED for c in checks):
        return "Not verified: a check of this answer did not pass."
    checks = [c for c in checks if not c["claim"].startswith(PRINTED)] or checks
    phrases = []
    measured = [c for c in checks if c["claim"].startswith(MEASURED)]
    if measured:
        # The box prints some of them and the text the rest: no one count fits both.
        phrases.append(
            "measured: every statement about the results in this answer holds in the numbers "
            "of the runs shown"
        )
        checks = [c for c in checks if not c["claim"].startswith(MEASURED)]
    general = [c["claim"] for c in checks if c["evidence"] == "general"]
    if general:
        scopes = [m.group(1) for m in map(_FOR_EVERY.search, general) if m]
        phrases.append(f"proved for {scopes[0]}" if scopes else "proved in general")
    exhaustive = [c for c in checks if c["evidence"] == "exhaustive"]
    if exhaustive:
        phrases.append(_exhaustive_phrase(exhaustive))
    if any(c["evidence"] == "exact instance" for c in checks):
        phrases.append("computed exactly on concrete cases")
    numeric = [c for c in checks if c["evidence"] == "numeric"]
    simulated = [c for c in numeric if {"n", "z"} <= set(c.get("statistics") or {})]
    if len(simulated) < len(numeric):
        phrases.append("checked numerically")
    if simulated:
        samples = sorted({c["statistics"]["n"] for c in simulated})
        sizes = " to ".join(map(count_text, dict.fromkeys((samples[0], samples[-1]))))
        phrases.append(f"confirmed by simulation with {sizes} samples")
    text = "; ".join(phrases)
    return text[:1].upper() + text[1:] + "."


def _evidence_block(part: dict) -> Small:
    return Small((Strong(plain("How we know: ")), Text(plain_evidence(part["checks"]))))


# --- blocks shared by both documents -----------------------------------------------


# A headline's graded points follow its first sentence, one a line (as
# `answerkey.experiments.ae.report.POINT` writes them); the box prints them as a list.
POINT = "\n- "
ANSWER_BOX_CHARACTERS = 300
# A marked note in an answer's prose: a paragraph that opens "Note (what it is about)." gets
# that label in bold.
_NOTE = re.compile(r"^(Note \([^)]*\)\.)\s+")


def _paragraph(text: str) -> Paragraph:
    """A paragraph of an answer's prose, its note label (`_NOTE`) in bold."""
    if m := _NOTE.match(text):
        return Paragraph((Strong(plain(m.group(1))), Text(" "), *prose(text[m.end() :])))
    return Paragraph(prose(text))  # about three lines: longer prose follows the box as "Why"


def _answer_box(
    part: dict, title: str = "Answer", evidence: bool = True, short: bool = False
) -> list[Block]:
    """The framed answer, then the evidence line. `short` (the solutions): the frame holds
    the headline or formula and at most ~3 lines of prose; the rest follows it as "Why"."""
    if part.get("error"):
        box = Boxed(
            "Answer could not be computed",
            (Paragraph(plain(part["error"])),),
            tone="warning",
        )
        return [box]
    if not part["answered"]:
        message = "This part is not answered yet: the key has no verified answer for it."
        return [Boxed(NOT_ANSWERED, (Paragraph(plain(message)),), tone="missing")]
    answer = part["answer"]
    body: list[Block] = []
    if answer.get("headline"):
        lead, *points = answer["headline"].split(POINT)
        body.append(Paragraph((Strong(prose(lead)),)))
        if points:
            body.append(Bullets(tuple(prose(p) for p in points)))
    if answer["latex"]:
        body.append(DisplayMath(answer["latex"]))
    paragraphs = [p for p in answer["text"].split("\n\n") if p.strip()]
    why: list[Block] = []
    if short and paragraphs and (body or len(paragraphs[0]) > ANSWER_BOX_CHARACTERS):
        if not body:  # no headline, no formula: the first sentence is the answer
            lead = first_sentence(paragraphs[0])
            body.append(Paragraph((Strong(prose(lead)),)))
        if sum(map(len, paragraphs)) > ANSWER_BOX_CHARACTERS:
            why = [Heading(3, plain("Why")), *map(_paragraph, paragraphs)]
            paragraphs = []
    body.extend(map(_paragraph, paragraphs))
    if not body:
        body.append(Paragraph(plain("(the answer is in the figures and tables below)")))
    box = Boxed(title, tuple(body))
    return [box, *([_evidence_block(part)] if evidence else []), *why]


LONG_TABLE_ROWS = 20  # longer tables go to the solutions' appendix


@dataclass(frozen=True)
class _Reference:
    """A sentence naming figures and tables by their numbers, resolved once the whole
    document is laid out (`_number`)."""

    targets: tuple[Block, ...]
    appendix: tuple[Block, ...] = ()


def _number(blocks: list[Block]) -> list[Block]:
    """Number figures and captioned tables in document order ("Figure 3. …", "Table 2. …";
    the renderers add no numbers of their own, so the .tex and the PDF agree) and turn
    every `_Reference` into the sentence that cites them."""
    numbers: dict[int, str] = {}
    counts = {"Figure": 0, "Table": 0}
    out: list[Block] = []
    for block in blocks:
        kind = "Figure" if isinstance(block, FigureBlock) else "Table"
        if isinstance(block, FigureBlock) or (isinstance(block, TableBlock) and block.caption):
            counts[kind] += 1
            numbers[id(block)] = label = f"{kind} {counts[kind]}"
            numbered = (Strong(plain(label + ".")), Text(" "), *block.caption)
            block = replace(block, caption=numbered)
        out.append(block)
    for index, block in enumerate(out):
        if isinstance(block, _Reference):
            cited = [numbers[id(b)] for b in block.targets if id(b) in numbers]
            later = [numbers[id(b)] for b in block.appendix if id(b) in numbers]
            parts = []
            if cited:
                parts.append(_and(cited) + " below")
            if later:
                parts.append(_and(later) + " in the appendix")
            verb = "shows" if len(cited) + len(later) == 1 else "show"
            sentence = f"{' and '.join(parts)} {verb} the experiment's results."
            out[index] = Paragraph(plain(sentence[:1].upper() + sentence[1:]))
    return out


# A figure named in prose: "[[figure:NAME]]" (NAME as in Figure(NAME, caption)), resolved to
# the solutions' number; the TA key prints no figures, so it says "the solutions' Figure N".
FIGURE_REFERENCE = re.compile(r"\[\[figure:([\w.-]+)\]\]")


def figure_numbers(results: dict) -> dict[str, int]:
    """Each figure's number in the solutions: parts in document order, a missing figure
    unnumbered, as `_number` numbers them."""
    names = [
        figure["name"]
        for question in results["questions"]
        for part in question["parts"]
        for figure in (part.get("answer") or {}).get("figures", [])
        if not figure.get("missing")
    ]
    return {name: number for number, name in enumerate(names, 1)}


def resolve_figure_references(results: dict, students: bool) -> dict:
    """`results` with every "[[figure:NAME]]" in its strings replaced by "Figure N"
    (`students`) or "the solutions' Figure N", and each figure that the prose names marked
    `"cited": True` (the sentence before a part's figures then leaves it out); a figure
    its experiment did not draw is "the missing figure". Raises KeyError for a name that
    no part declares (a reference to nothing)."""
    numbers = figure_numbers(results)
    # cited where the solutions print it: a part's answer and steps (an experiment's
    # claim that the build leaves out cites nothing)
    printed = [
        text
        for question in results["questions"]
        for part in question["parts"]
        for text in [
            *((part.get("answer") or {}).get(key) or "" for key in ("text", "headline", "detail")),
            *(step.get("text", "") for step in part.get("steps") or []),
        ]
    ]
    cited = {m.group(1) for text in printed for m in FIGURE_REFERENCE.finditer(text)}

    declared = {
        figure["name"]
        for question in results["questions"]
        for part in question["parts"]
        for figure in (part.get("answer") or {}).get("figures", [])
    }

    def name(match: re.Match) -> str:
        if match.group(1) not in numbers and match.group(1) in declared:
            return "the missing figure"  # its experiment did not draw it: the build says so
        number = numbers[match.group(1)]
        return f"Figure {number}" if students else f"the solutions' Figure {number}"

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return FIGURE_REFERENCE.sub(name, value) if "[[figure:" in value else value
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(walk(v) for v in value)
        return value

    resolved = walk(results)
    for question in resolved["questions"]:
        for part in question["parts"]:
            for figure in (part.get("answer") or {}).get("figures", []):
                figure["cited"] = figure["name"] in cited
    return resolved


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _figures_and_tables(part: dict, appendix: list[Block] | None = None) -> list[Block]:
    """The part's figures and tables, opened by a sentence that cites them by number;
    with `appendix`, a table longer than `LONG_TABLE_ROWS` rows goes there instead."""
    blocks: list[Block] = []
    answer = part.get("answer") or {}
    for figure in answer.get("figures", []):
        if figure.get("missing"):
            message = f"Figure {figure['name']} is missing: its experiment did not write it."
            blocks.append(Boxed("Missing figure", (Paragraph(plain(message)),), tone="warning"))
        else:
            path = "figures/" + figure_file(figure["name"])
            blocks.append(FigureBlock(path, prose(figure["caption"]), figure_width(figure)))
    # An answer whose text is a headline continues here, after its figures.
    blocks.extend(Paragraph(prose(p)) for p in answer.get("detail", "").split("\n\n") if p.strip())
    moved: list[Block] = []
    for table in answer.get("tables", []):
        block = TableBlock(
            header=tuple(prose(str(c)) for c in table["columns"]),
            rows=tuple(tuple(cell_text(v) for v in row) for row in table["rows"]),
            caption=prose(
                f"{part['id']}: {table['caption']}"
                if appendix is not None and len(table["rows"]) > LONG_TABLE_ROWS
                else table["caption"]
            ),
        )
        if appendix is not None and len(table["rows"]) > LONG_TABLE_ROWS:
            moved.append(block)
        else:
            blocks.append(block)
    if appendix is not None:
        appendix.extend(moved)
    # a figure the prose cites at its claim is not named again in the opening sentence
    named = {id(b) for b, f in zip(blocks, answer.get("figures", []), strict=False)
             if isinstance(b, FigureBlock) and f.get("cited")}  # fmt: skip
    cited = tuple(
        b for b in blocks if isinstance(b, FigureBlock | TableBlock) and id(b) not in named
    )
    if cited or moved:
        blocks.insert(0, _Reference(cited, tuple(moved)))
    return blocks


def _status_blocks(results: dict, students: bool = False) -> list[Block]:
    blocks: list[Block] = []
    if results["profile"] == "quick":
        message = (
            "The experiments ran at reduced sizes and few epochs, so their numbers and "
            "figures are not final. Do not publish this version."
            if students
            else "Built with --quick: the experiments ran at reduced sizes and few epochs, so "
            "their numbers and figures are not the key's. Do not publish this build."
        )
        blocks.append(Boxed("Preview", (Paragraph(plain(message)),), tone="warning"))
    if results["failures"] and students:
        message = "Some answers are not verified yet: this is a draft. Do not publish it."
        blocks.append(Boxed("NOT VERIFIED", (Paragraph(plain(message)),), tone="warning"))
    elif results["failures"]:
        items = tuple(plain(f) for f in results["failures"])
        intro = Paragraph(plain("These checks did not pass; nothing here is verified:"))
        blocks.append(Boxed("NOT VERIFIED", (intro, Bullets(items)), tone="warning"))
    return blocks


def _stamp(results: dict) -> str | None:
    return "NOT VERIFIED" if results["failures"] else None


def _subtitle(results: dict, students: bool = False) -> str:
    if students:
        return f"{COURSE} · Homework 6"
    return f"{COURSE} · Homework 6 · key version {results['code_hash'][:12]}"


# --- the solutions -----------------------------------------------------------------


def solutions(results: dict) -> Document:
    results = resolve_figure_references(results, students=True)
    blocks: list[Block] = [
        Paragraph(
            plain(
                "Each part opens with its answer in a frame, followed by one line saying how "
                "the answer was verified: proved (a symbolic proof for every size, under the "
                "stated assumptions), checked for every case up to a size, computed exactly on "
                "concrete cases (without rounding), checked numerically, confirmed by "
                "simulation (with the number of samples), or, for an experiment, measured (every "
                "statement about the results was checked against the measured numbers). The "
                "derivation and the experiments' figures follow."
            )
        ),
        *_status_blocks(results, students=True),
    ]
    appendix: list[Block] = []
    for number, question in enumerate(results["questions"]):
        if number:
            blocks.append(PageBreak())
        title = f"Question {question['number']}: {question['title']}"
        blocks.append(Heading(1, plain(title)))
        blocks.append(Paragraph(prose(question["intro"])))
        for part in question["parts"]:
            blocks.extend(_solution_part(part, appendix))
    if appendix:
        blocks += [PageBreak(), Heading(1, plain("Appendix: long tables")), *appendix]
    return Document(
        title="Homework 6 — Solutions",
        subtitle=_subtitle(results, students=True),
        header="EECS 182 Fall 2022 · HW6 solutions",
        blocks=_number(blocks),
        stamp=_stamp(results),
    )


def _solution_part(part: dict, appendix: list[Block]) -> list[Block]:
    """Answer first (at most ~3 lines in the frame), how it was verified, why, the
    derivation, the figures and tables, the assumptions."""
    blocks: list[Block] = [
        Heading(2, plain(f"{part['id']}  ({points_text(part['points'])})")),
        Paragraph(prose(part["question"])),
        *_answer_box(part, short=True),
    ]
    if part["steps"]:
        blocks.append(Heading(3, plain("Derivation")))
        blocks.append(Steps(tuple((prose(s["text"]), s["latex"]) for s in part["steps"])))
    blocks.extend(_figures_and_tables(part, appendix))
    if part["assumptions"] and part["answered"]:
        blocks.append(Small(prose("Assumptions: " + "; ".join(part["assumptions"]) + ".")))
    return blocks


# --- the TA answer key -----------------------------------------------------------------


# A sentence ends at ". " unless the period closes a list number ("1. ") or an
# abbreviation ("e.g. ", "vs. ", "eq. ").
_SENTENCE_END = re.compile(r"(?<!\b\d)(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\beq)\.\s")
_LIST_NUMBER = re.compile(r"^\s*\d+\.\s+")


def first_sentence(text: str) -> str:
    """The first real sentence of a prose answer: a leading list number is dropped, and a
    short label before it ("Accuracy vs k.") is skipped."""
    sentences = _SENTENCE_END.split(_LIST_NUMBER.sub("", text.strip()), maxsplit=2)
    first = sentences[0].strip()
    if len(first.split()) <= 4 and len(sentences) > 1:
        first = sentences[1].strip()
    return first if first.endswith(".") else first + "."


def _short_answer(part: dict) -> Inlines:
    """The one-line answer of "Answers at a glance": the headline, else the formula, else
    the first sentence of the prose."""
    if part.get("error"):
        return plain("error: see the part")
    if not part["answered"]:
        return (Strong(plain(NOT_ANSWERED)),)
    answer = part["answer"]
    if answer.get("headline"):
        lead, *points = answer["headline"].split(POINT)
        return prose(f"{lead.rstrip(':')}: {points[0].rstrip(';:.')}." if points else lead)
    if answer["latex"]:
        return (Math(answer["latex"]),)
    text = answer["text"].strip()
    if not text:
        return plain("see figures and tables")
    return prose(first_sentence(text.split("\n")[0]))


def _status_text(part: dict) -> str:
    if part.get("error"):
        return "error"
    if not part["answered"]:
        return "not answered"
    if not part["checks"]:
        return "nothing to check"
    failed = [c for c in part["checks"] if c["verdict"] not in PASSED]
    return f"{len(failed)} check(s) failed" if failed else f"{len(part['checks'])} checks passed"


def _overview(results: dict) -> list[Block]:
    rows = []
    for question in results["questions"]:
        for part in question["parts"]:
            points = "—" if part["points"] is None else f"{part['points']:g}"
            rows.append(
                (plain(part["id"]), plain(points), _short_answer(part), plain(_status_text(part)))
            )
    total = results["rubric"]["total"]
    rows.append((plain("total"), plain(f"{total:g}"), plain(""), plain("")))
    return [
        Heading(1, plain("Answers at a glance")),
        TableBlock(
            header=(plain("Part"), plain("Points"), plain("Final answer"), plain("Status")),
            rows=tuple(rows),
            widths=(1.1, 0.9, 5.2, 2.2),
        ),
    ]


def _rubric_blocks(part: dict) -> list[Block]:
    rubric = part["rubric"]
    if rubric is None:
        return [Paragraph(plain("rubric.toml has no entry for this part."))]
    blocks: list[Block] = []
    if rubric["items"]:
        blocks.append(Heading(3, plain("Rubric items")))
        rows = tuple(
            (plain(str(number)), plain(delta_text(item["delta"])), plain(item["description"]))
            for number, item in enumerate(rubric["items"], start=1)
        )
        header = (plain("#"), plain("Δ points"), plain("Item"))
        blocks.append(TableBlock(header=header, rows=rows, widths=(0.5, 1, 7)))
    else:
        blocks.append(Paragraph(plain(f"Rubric: full credit {points_text(rubric['points'])}.")))
    if rubric["wrong"]:
        blocks.append(Heading(3, plain("Common wrong answers")))
        rows = tuple(
            (
                (Mono(w["answer"]),),
                plain(", ".join(f"#{n}" for n in w["items"])),
                plain(f"{w['credit']:g} of {rubric['points']:g}"),
                plain(w["feedback"]),
            )
            for w in rubric["wrong"]
        )
        header = (plain("Answer"), plain("Item"), plain("Credit"), plain("Feedback"))
        blocks.append(TableBlock(header=header, rows=rows, widths=(2, 0.7, 1.1, 5)))
    if rubric["accepted"]:
        blocks.append(Heading(3, plain("Also accepted (full credit)")))
        rows = tuple(((Mono(a["answer"]),), plain(a["note"])) for a in rubric["accepted"])
        header = (plain("Answer"), plain("Why it is right"))
        blocks.append(TableBlock(header=header, rows=rows, widths=(2, 6)))
    return blocks


def evidence_detail(text: str) -> Inlines:
    """A check's claim and detail as the TA key prints them: the printed formulas it read
    back (`$…$`, from `answerkey.printed`) as math, and one that the math converter does
    not take as code rather than raw LaTeX."""
    from answerkey.documents.escaping import split_math
    from answerkey.documents.math_notation import MathError, to_typst

    out: list = []
    for kind, piece in split_math(text):
        if kind == "text":
            out.append(Text(piece))
            continue
        try:
            to_typst(piece)
        except MathError:
            out.append(Mono(piece))
        else:
            out.append(Math(piece))
    return tuple(out)


def _evidence_table(part: dict) -> list[Block]:
    """Every check of a part with its verdict: the detailed evidence, for staff."""
    if not part["checks"]:
        return []
    rows = tuple(
        (
            plain(c["evidence"]),
            (Strong(plain(c["verdict"])),),
            evidence_detail(c["claim"] + ". " + c["detail"]),
        )
        for c in part["checks"]
    )
    header = (plain("Evidence"), plain("Verdict"), plain("Claim and detail"))
    return [
        Heading(3, plain("Detailed evidence")),
        Small(plain(evidence_line(part["checks"]))),
        TableBlock(header, rows, widths=(1.7, 1.3, 7)),
    ]


def _points_value(part: dict) -> str:
    return "none set" if part["points"] is None else f"{part['points']:g} (full credit)"


def _key_part(part: dict) -> list[Block]:
    """Answer, points, rubric items, common wrong answers, accepted readings, caveats,
    detailed evidence: the order a grader reads them in."""
    blocks: list[Block] = [
        Heading(2, plain(f"{part['id']}  ({points_text(part['points'])})")),
        Paragraph(prose(part["question"])),
        *_answer_box(part, title="Final answer", evidence=False),
        Paragraph((Strong(plain("Points: ")), Text(_points_value(part)))),
        *_rubric_blocks(part),
    ]
    if part["notes"]:
        blocks.append(Heading(3, plain("Caveats")))
        blocks.append(Bullets(tuple(prose(note) for note in part["notes"])))
    blocks.extend(_whole_formulas(part))
    blocks.extend(_evidence_table(part))
    return blocks


def _whole_formulas(part: dict) -> list[Block]:
    """The formulas the solutions' derivation abbreviates (a polynomial as its leading
    term + lower-order terms), whole: for checking a student's exact count."""
    whole = [s for s in part["steps"] if s.get("full")]
    if not whole:
        return []
    return [
        Heading(3, plain("Exact polynomials")),
        Paragraph(plain("The solutions print only the leading terms of these; in full:")),
        Steps(tuple((prose(s["text"]), s["full"]) for s in whole)),
    ]


def answer_key(results: dict) -> Document:
    results = resolve_figure_references(results, students=False)
    blocks: list[Block] = [
        Paragraph(
            plain(
                "Staff only. For each part: the final answer, the points, the rubric items as "
                "point deltas (as grading platforms take them; also exported as rubric.csv), "
                "the wrong answers students commonly give with the items they fall under, the "
                "credit those items leave and feedback, the readings that also earn full "
                "credit, the caveats, and the detailed evidence: every check with its verdict "
                "(PROVED and PASS count as passed; REFUTED comes with a counterexample, "
                "UNKNOWN means SymPy could not decide and never passes). Points and rubric "
                "are edited in the key's rubric file, " + results["rubric"]["file"] + "; the "
                "key version on the title page names the code that built this document. "
                "Rubric items add up: an answer with two listed errors loses both deltas "
                "(never below 0), unless an item says it replaces others."
            )
        ),
        *_status_blocks(results),
        *_overview(results),
    ]
    for question in results["questions"]:
        blocks.append(PageBreak())
        title = f"Question {question['number']}: {question['title']}"
        blocks.append(Heading(1, plain(title)))
        for part in question["parts"]:
            blocks.extend(_key_part(part))
    return Document(
        title="Homework 6 — TA Answer Key",
        subtitle=_subtitle(results),
        header="STAFF ONLY · EECS 182 Fall 2022 · HW6 answer key",
        blocks=blocks,
        stamp=_stamp(results),
    )
