"""Parts of the homework and the registry that holds them.

A part (`q2.a`, `q3.b.ii`, ...) carries its question, its answer, the
assumptions the answer holds under, the derivation steps, the checks that
verify it, and the written answer and TA notes the documents print. Each
question's parts are assembled in one module of `answerkey.questions`, from
the objects that `derivations/`, `numeric/` and `models/` compute: an answer
appears in a document only as the object a check verified.

Points and rubric items live in `answerkey/rubric.toml`, which staff edit.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from answerkey.verdicts import Check
from derivations.steps import Step

if TYPE_CHECKING:
    from answerkey.experiments import Profile

PART_ID = re.compile(r"^q\d+(\.[a-z0-9]+)*$")

# Question modules in homework order; each defines QUESTION and PARTS.
QUESTION_MODULES = (
    "answerkey.questions.karate_club",
    "answerkey.questions.scaled_attention",
    "answerkey.questions.kernel_attention",
    "answerkey.questions.autoencoders",
    "answerkey.questions.beam_search",
    "answerkey.questions.homework_process",
)


@dataclass(frozen=True)
class Figure:
    """A figure an experiment wrote: `name` is its file under `<out>/figures/` (PNG)."""

    name: str
    caption: str


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass
class Answer:
    """A part's final answer.

    `latex` is how documents print it; `value` is the verified object it was
    printed from and is what answer checking (`answerkey.judging`) compares against;
    `text` is the written answer in prose. `headline` is the answer in one or two
    sentences for a prose part (printed first, and in the TA key's "Answers at a glance").
    `figures` and `tables` come from the part's experiment (its cached results).

    `value`, part by part (the contract the judge and results.json read; SymPy symbols
    are those the question's `derivations` module exports; VALUE_VERSION below):

        q1.1      dict: test_accuracy, expected_test_accuracy, leak_test_accuracy (float),
                  misclassified_test (list[int]), labels, adjacency (str), epochs (int),
                  gradients (dict[str, str]: S, dW, dX, dA)
        q1.2      dict: semi_supervised_mean_accuracy (float), semi_supervised_accuracy
                  (dict), always_missed (list[int]), miss_counts (dict[str, int]),
                  zachary_min_cut_misplaced (list[int])
        q2.a–c    sympy.Expr in d, mu, sigma
        q3.a      dict: conditions (tuple of two sympy relations x ⋈ 0: the score s_j, the
                  sum S; derivations.kernel_attention.CONDITIONS)
        q3.b.i    sympy.Expr: (qk + 1)**2 in the Symbol qk (qᵀk)
        q3.b.ii   dict: feature_map (D → list[Expr] in vector_symbols("q", D)),
                  dimension_merged, dimension_ordered (Expr in D)
        q3.b.iii  dict: numerator, denominator (MatMul of MatrixSymbols PhiQ, PhiK, V, 1,
                  grouped as claimed: ΦQ(ΦKᵀV), ΦQ(ΦKᵀ1); derivations.kernel_attention)
        q3.c.i/ii dict: time, memory, time_O, memory_O, matmul_flops (Expr in N, D, M)
        q4.a      dict: rows, baselines (the ae experiment's summary, JSON-able)
        q4.b.i    list[Expr]: [∂L/∂W₁, ∂L/∂W₂] in MatrixSymbols W1 (k×m), W2 (m×k), X (m×n)
        q4.b.ii   tuple[Expr, Expr]: (W₁, W₂) = (Uᵀ, U) in the MatrixSymbol U (m×k)
        q5.a–c    list[tuple[tuple[str, ...], float]]: (words, log-prob), best first
        q5.d      dict: beam, optimum ((words, log-prob)), found_optimum (bool),
                  pruned_at_step (int | None)
        q5.e      dict: in_T_k (Expr), accepted (list[Expr]) in T, k, M
        q6        None (student-specific)

    `tests/test_contracts.py` holds every part's value to this table.
    """

    latex: str = ""
    value: Any = None
    text: str = ""
    headline: str = ""
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    detail: str = ""  # prose the documents print after the figures (text is the headline)


VALUE_VERSION = 2  # bump with any change to the table in Answer's docstring


def signed(value: float, spec: str = ".2f") -> str:
    """A number for prose (`Answer.text`, notes), formatted by `spec`, with a true minus
    sign: −0.42, not -0.42."""
    return format(value, spec).replace("-", "−")


@dataclass(frozen=True)
class Asked:
    """How people name what a part asks for: the judge's reading of free-text answers
    (`answerkey check` / `grade`, docs/grading.md), declared with the part.

    `lhs` is a regex (full match, case-insensitive, on a left side with spaces
    and LaTeX wrappers removed) for the asked quantity written as an equation's
    left side ("E[q^Tk]", "Var(q·k)", "s", "K(q,k)"); `words` are words before a
    span that name it ("variance", "divide by"); `other` are words that name
    another quantity, so that a span after them is a side remark ("each term has
    variance 1" in q2.c); `solve` is the name of the asked quantity when the
    grammar reads it (q2.c's s: an equation in s is solved for it);
    `aliases` maps spellings people use to the part's own ("d_k" → "d",
    "vocabulary size" → "M"; `answerkey/rubric.toml` may add more per part);
    `phrases` maps phrases that name a quantity to an expression in the part's
    variables ("feature dimension" → "(D+1)(D+2)/2"); `after` are words right after
    a span that name it ("φ has (D+1)(D+2)/2 entries").
    """

    lhs: str = r"$^"
    words: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    other: tuple[str, ...] = ()
    solve: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)


@dataclass
class Part:
    id: str
    question: str
    # Computed on demand so that `answerkey list` does not pay for SymPy or torch. Answers
    # and checks take the profile (quick or full, device, data): an experiment's numbers
    # depend on it; the derivation's steps do not.
    answer: Callable[[Profile], Answer] | None = None
    assumptions: tuple[str, ...] = ()
    steps: Callable[[], list[Step]] | None = None
    checks: Callable[[Profile], list[Check]] | None = None
    notes: tuple[str, ...] = ()  # caveats and TA notes printed with the answer
    experiment: str | None = None  # name of the `answerkey run` experiment it draws on
    asked: Asked | None = None  # how answers name what it asks for, when the judge reads it

    def __post_init__(self) -> None:
        if not PART_ID.match(self.id):
            raise ValueError(f"malformed part id {self.id!r}")

    @property
    def answered(self) -> bool:
        return self.answer is not None


@dataclass
class Question:
    number: int
    title: str
    intro: str
    parts: list[Part] = field(default_factory=list)


@dataclass(frozen=True)
class Experiment:
    """A runnable experiment behind `answerkey run NAME`, in the form not yet moved into
    `answerkey.experiments` (`ae`, `notebooks`; registered there as `Legacy`).

    `add_arguments(parser)` declares its own options; `run(args)` returns a
    JSON-able dict of results (figures are written into `args.out`). `inputs()`
    names the files outside the project's Python packages that its results
    depend on (a notebook's source), so that a build replays its cached output
    only while they are unchanged.
    """

    name: str
    help: str
    run: Callable[[Any], dict]
    add_arguments: Callable[[Any], None] | None = None
    inputs: Callable[[], Iterable[Path]] | None = None


@cache
def questions() -> tuple[Question, ...]:
    return tuple(importlib.import_module(name).QUESTION for name in QUESTION_MODULES)


def all_parts() -> list[Part]:
    return [part for question in questions() for part in question.parts]


def part_ids() -> list[str]:
    return [part.id for part in all_parts()]


class UnknownPart(KeyError):
    def __init__(self, wanted: str):
        self.wanted = wanted
        super().__init__(wanted)

    def __str__(self) -> str:
        return f"unknown part {self.wanted!r}; known parts: {', '.join(part_ids())}"


def get_part(part_id: str) -> Part:
    for part in all_parts():
        if part.id == part_id:
            return part
    raise UnknownPart(part_id)


def select_parts(wanted: list[str]) -> list[Part]:
    """Parts by id or by prefix (`q3` selects every part of question 3)."""
    if not wanted:
        return all_parts()
    chosen: list[Part] = []
    for item in wanted:
        matches = [p for p in all_parts() if p.id == item or p.id.startswith(item + ".")]
        if not matches:
            raise UnknownPart(item)
        chosen.extend(p for p in matches if p not in chosen)
    return chosen
