"""Points and rubric, read from the one TOML file staff edit (`answerkey/rubric.toml`).

Every error names the file and the line, so a typo is a one-line fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from answerkey.errors import UsageError
from answerkey.parts import part_ids

RUBRIC_PATH = Path(__file__).with_name("rubric.toml")


class RubricError(UsageError):
    """A malformed rubric file: the message is `FILE:LINE: what is wrong`."""


@dataclass(frozen=True)
class RubricItem:
    description: str
    delta: float


@dataclass(frozen=True)
class WrongAnswer:
    """A common wrong answer and the rubric items it falls under (1-based numbers into
    the part's items). Its credit is computed from those items' deltas, never typed."""

    answer: str
    items: tuple[int, ...]
    credit: float
    feedback: str


@dataclass(frozen=True)
class AcceptedReading:
    answer: str
    note: str


@dataclass(frozen=True)
class PartRubric:
    part: str
    points: float
    items: tuple[RubricItem, ...] = ()
    wrong: tuple[WrongAnswer, ...] = ()
    accepted: tuple[AcceptedReading, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # (spelling, the part's own name) for the judge


@dataclass
class Rubric:
    path: Path
    parts: dict[str, PartRubric] = field(default_factory=dict)

    def points(self, part_id: str) -> float | None:
        entry = self.parts.get(part_id)
        return None if entry is None else entry.points

    def total(self) -> float:
        return sum(entry.points for entry in self.parts.values())


def _line_of(text: str, part_id: str) -> int:
    header = f'["{part_id}"]'
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(header) or line.strip().startswith(f'[["{part_id}"'):
            return number
    return 1


def _number(value, where: str, low: float | None = None, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where} must be a number, not {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{where} = {value} is outside [{low}, {high}]")
    return float(value)


def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty string")
    return value


def _parse_part(part_id: str, table) -> PartRubric:
    if not isinstance(table, dict):
        raise ValueError("must be a table")
    unknown = set(table) - {"points", "items", "wrong", "accepted", "aliases"}
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    if "points" not in table:
        raise ValueError("has no points")
    points = _number(table["points"], "points", low=0)
    items = tuple(
        RubricItem(
            _text(it.get("description"), "item description"),
            _number(it.get("delta"), "item delta", low=-points, high=points),
        )
        for it in table.get("items", [])
    )
    wrong = tuple(_wrong_answer(w, items, points) for w in table.get("wrong", []))
    accepted = tuple(
        AcceptedReading(_text(a.get("answer"), "accepted answer"), _text(a.get("note"), "note"))
        for a in table.get("accepted", [])
    )
    aliases = table.get("aliases", {})
    if not isinstance(aliases, dict):
        raise ValueError("aliases must be a table of spelling = name")
    aliases = tuple((_text(k, "alias"), _text(v, f"alias {k!r}")) for k, v in aliases.items())
    _no_overlap(wrong, accepted)
    return PartRubric(part_id, points, items, wrong, accepted, aliases)


def _wrong_answer(entry, items: tuple[RubricItem, ...], points: float) -> WrongAnswer:
    """A `wrong` entry: `answer`, `item` (one number or a list) and `feedback`; its credit
    is full credit plus the named items' deltas, which must leave something in [0, points)."""
    answer = _text(entry.get("answer"), "wrong answer")
    unknown = set(entry) - {"answer", "item", "feedback"}
    if unknown:
        hint = " (credit is computed from the item's delta)" if "credit" in unknown else ""
        raise ValueError(f"wrong answer {answer!r}: unknown keys {sorted(unknown)}{hint}")
    named = entry.get("item")
    numbers = named if isinstance(named, list) else [named]
    if not numbers or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        raise ValueError(f"wrong answer {answer!r}: item must name rubric items by number")
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"wrong answer {answer!r}: item {numbers} names an item twice")
    for number in numbers:
        if not 1 <= number <= len(items):
            raise ValueError(f"wrong answer {answer!r}: there is no rubric item {number}")
        if items[number - 1].delta >= 0:
            raise ValueError(
                f"wrong answer {answer!r}: item {number} deducts nothing "
                f"({items[number - 1].description!r})"
            )
    credit = points + sum(items[n - 1].delta for n in numbers)
    if credit < 0:
        raise ValueError(f"wrong answer {answer!r}: items {numbers} deduct more than {points:g}")
    return WrongAnswer(answer, tuple(numbers), credit, _text(entry.get("feedback"), "feedback"))


def same_answer(a: str, b: str) -> bool:
    """Two answers as a grader compares them: case, spaces and `*` ignored."""

    def key(text: str) -> str:
        return re.sub(r"[\s*]+", "", text).casefold()

    return key(a) == key(b)


def _no_overlap(wrong, accepted) -> None:
    for reading in accepted:
        for answer in wrong:
            if same_answer(reading.answer, answer.answer):
                raise ValueError(
                    f"{reading.answer!r} is both accepted and deducted for: one source of "
                    "credit per answer"
                )


def load_rubric(path: Path | str = RUBRIC_PATH) -> Rubric:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"{path}: cannot read the rubric: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's message ends "(at line L, column C)"; 3.14 adds exc.lineno.
        found = re.search(r"at line (\d+)", str(exc))
        line = found.group(1) if found else "1"
        raise RubricError(f"{path}:{line}: {exc}") from None
    known = set(part_ids())
    rubric = Rubric(path)
    for part_id, table in data.items():
        line = _line_of(text, part_id)
        if part_id not in known:
            raise RubricError(f"{path}:{line}: unknown part id {part_id!r}")
        try:
            rubric.parts[part_id] = _parse_part(part_id, table)
        except (ValueError, AttributeError, TypeError) as exc:
            raise RubricError(f"{path}:{line}: part {part_id}: {exc}") from None
    return rubric
