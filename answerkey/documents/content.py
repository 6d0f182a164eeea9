"""What the two documents say: the solutions and the TA answer key, as blocks.

    solutions(results)   -> Document   (published to students)
    answer_key(results)  -> Document   (staff only)

Both are built from `results`, the dictionary `answerkey.build` writes as
results.json, and from nothing else: every number a document quotes is in
that file, and the same results give the same documents. The blocks are
rendered to Typst (`answerkey.documents.typst_render`) and LaTeX
(`answerkey.documents.latex_render`).

Solutions, per question: the statement, then per part the answer set off in
a frame, one line of verification evidence naming its kind under it, the
derivation steps, the experiment's figures and tables, and the assumptions.
TA key, per part: the final answer, points, rubric items with point deltas,
the wrong answers students commonly give with credit and feedback, the
readings also accepted, and the caveats (Part.notes); then the full
verification record. A part not answered yet says so in both.
"""

from __future__ import annotations

import re
from collections import Counter
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
FIGURE_MAX_HEIGHT_CM = 9.0
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


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
    """Fraction of the text width: 85 % for a wide figure, less for a tall one, so that
    no figure is taller than `FIGURE_MAX_HEIGHT_CM` on a `TEXT_WIDTH_CM` line."""
    if "pixels" not in figure:
        return 0.8
    width, height = figure["pixels"]
    fraction = FIGURE_MAX_HEIGHT_CM * width / height / TEXT_WIDTH_CM
    return round(min(0.85, fraction), 3)


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


def _evidence_block(part: dict) -> Small:
    if part["checks"]:
        return Small((Strong(plain("Verification")), Text(" — " + evidence_line(part["checks"]))))
    return Small(plain("Verification — none: nothing in this answer can be checked."))


# --- blocks shared by both documents -----------------------------------------------


def _answer_box(part: dict, title: str = "Answer") -> list[Block]:
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
    if answer["latex"]:
        body.append(DisplayMath(answer["latex"]))
    if answer["text"]:
        body.extend(Paragraph(prose(p)) for p in answer["text"].split("\n\n") if p.strip())
    if not body:
        body.append(Paragraph(plain("(the answer is in the figures and tables below)")))
    return [Boxed(title, tuple(body)), _evidence_block(part)]


def _figures_and_tables(part: dict) -> list[Block]:
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
    for table in answer.get("tables", []):
        blocks.append(
            TableBlock(
                header=tuple(prose(str(c)) for c in table["columns"]),
                rows=tuple(tuple(cell_text(v) for v in row) for row in table["rows"]),
                caption=prose(table["caption"]),
            )
        )
    return blocks


def _status_blocks(results: dict) -> list[Block]:
    blocks: list[Block] = []
    if results["profile"] == "quick":
        message = (
            "Built with --quick: the experiments ran at reduced sizes and few epochs, so "
            "their numbers and figures are not the key's. Do not publish this build."
        )
        blocks.append(Boxed("Quick profile", (Paragraph(plain(message)),), tone="warning"))
    if results["failures"]:
        items = tuple(plain(f) for f in results["failures"])
        intro = Paragraph(plain("These checks did not pass; nothing here is verified:"))
        blocks.append(Boxed("NOT VERIFIED", (intro, Bullets(items)), tone="warning"))
    return blocks


def _stamp(results: dict) -> str | None:
    return "NOT VERIFIED" if results["failures"] else None


def _subtitle(results: dict) -> str:
    return f"{COURSE} · Homework 6 · code {results['code_hash'][:12]}"


# --- the solutions -----------------------------------------------------------------


def solutions(results: dict) -> Document:
    blocks: list[Block] = [
        Paragraph(
            plain(
                "Every answer below is the object the project's checks verified. The line under "
                "each answer names the kind of evidence behind it: general (SymPy, for symbolic "
                "sizes under the stated assumptions: a proof), exhaustive (every size in a "
                "stated range, with the lemma that carries it further), exact instance (exact "
                "rational arithmetic on generated instances), numeric (floating point or Monte "
                "Carlo, with its statistic: n samples, |z| the largest z-score against the "
                "stated answer)."
            )
        ),
        *_status_blocks(results),
    ]
    for number, question in enumerate(results["questions"]):
        if number:
            blocks.append(PageBreak())
        title = f"Question {question['number']}: {question['title']}"
        blocks.append(Heading(1, plain(title)))
        blocks.append(Paragraph(prose(question["intro"])))
        for part in question["parts"]:
            blocks.extend(_solution_part(part))
    return Document(
        title="Homework 6 — Solutions",
        subtitle=_subtitle(results),
        header="EECS 182 Fall 2022 · HW6 solutions",
        blocks=blocks,
        stamp=_stamp(results),
    )


def _solution_part(part: dict) -> list[Block]:
    blocks: list[Block] = [
        Heading(2, plain(f"{part['id']}  ({points_text(part['points'])})")),
        Paragraph(prose(part["question"])),
        *_answer_box(part),
    ]
    if part["steps"]:
        blocks.append(Heading(3, plain("Derivation")))
        blocks.append(Steps(tuple((prose(s["text"]), s["latex"]) for s in part["steps"])))
    blocks.extend(_figures_and_tables(part))
    if part["assumptions"] and part["answered"]:
        blocks.append(Small(prose("Assumptions: " + "; ".join(part["assumptions"]) + ".")))
    return blocks


# --- the TA answer key -----------------------------------------------------------------


def _short_answer(part: dict) -> Inlines:
    if part.get("error"):
        return plain("error: see the part")
    if not part["answered"]:
        return (Strong(plain(NOT_ANSWERED)),)
    answer = part["answer"]
    if answer["latex"]:
        return (Math(answer["latex"]),)
    text = answer["text"].strip()
    if not text:
        return plain("see figures and tables")
    sentence = re.split(r"(?<=\.)\s", text, maxsplit=1)[0]
    return prose(sentence)


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
            (plain(delta_text(item["delta"])), plain(item["description"]))
            for item in rubric["items"]
        )
        blocks.append(
            TableBlock(header=(plain("Δ points"), plain("Item")), rows=rows, widths=(1, 7))
        )
    else:
        blocks.append(Paragraph(plain(f"Rubric: full credit {points_text(rubric['points'])}.")))
    if rubric["wrong"]:
        blocks.append(Heading(3, plain("Common wrong answers")))
        rows = tuple(
            (
                (Mono(w["answer"]),),
                plain(f"{w['credit']:g} / {rubric['points']:g}"),
                plain(w["feedback"]),
            )
            for w in rubric["wrong"]
        )
        header = (plain("Answer"), plain("Credit"), plain("Feedback"))
        blocks.append(TableBlock(header=header, rows=rows, widths=(2, 1.1, 5)))
    if rubric["accepted"]:
        blocks.append(Heading(3, plain("Also accepted (full credit)")))
        rows = tuple(((Mono(a["answer"]),), plain(a["note"])) for a in rubric["accepted"])
        header = (plain("Answer"), plain("Why it is right"))
        blocks.append(TableBlock(header=header, rows=rows, widths=(2, 6)))
    return blocks


def _key_part(part: dict) -> list[Block]:
    blocks: list[Block] = [
        Heading(2, plain(f"{part['id']}  ({points_text(part['points'])})")),
        Paragraph(prose(part["question"])),
        *_answer_box(part, title="Final answer"),
        *_rubric_blocks(part),
    ]
    if part["notes"]:
        blocks.append(Heading(3, plain("Caveats")))
        blocks.append(Bullets(tuple(prose(note) for note in part["notes"])))
    return blocks


def _verification_record(results: dict) -> list[Block]:
    blocks: list[Block] = [
        PageBreak(),
        Heading(1, plain("Verification record")),
        Paragraph(
            plain(
                "Every check of every answered part, with its verdict and what it established. "
                "PROVED and PASS count as passed; REFUTED comes with a counterexample, UNKNOWN "
                "means SymPy could not decide (it never passes)."
            )
        ),
    ]
    for question in results["questions"]:
        for part in question["parts"]:
            if not part["checks"]:
                continue
            rows = tuple(
                (
                    plain(c["evidence"]),
                    (Strong(plain(c["verdict"])),),
                    plain(c["claim"] + ". " + c["detail"]),
                )
                for c in part["checks"]
            )
            header = (plain("Evidence"), plain("Verdict"), plain("Claim and detail"))
            caption = plain(f"Checks of {part['id']}")
            blocks.append(TableBlock(header, rows, caption=caption, widths=(1.7, 1.3, 7)))
    return blocks


def answer_key(results: dict) -> Document:
    blocks: list[Block] = [
        Paragraph(
            plain(
                "Staff only. For each part: the final answer with its verification evidence, "
                "the points, the rubric items as point deltas (as grading platforms take them; "
                "also exported as rubric.csv), the wrong answers students commonly give with "
                "their credit and feedback, the readings that also earn full credit, and the "
                "caveats. Points and rubric come from " + results["rubric"]["file"] + "."
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
    blocks.extend(_verification_record(results))
    return Document(
        title="Homework 6 — TA Answer Key",
        subtitle=_subtitle(results),
        header="STAFF ONLY · EECS 182 Fall 2022 · HW6 answer key",
        blocks=blocks,
        stamp=_stamp(results),
    )
