"""The shapes answers take, and how each is read and compared with the key.

    ScalarForm        an expression (q2.a-c, q3.b.i); setting substitutions, both
                      readings of ambiguous notation, accepted alternatives
    FeatureMapForm    φ(q) as a list at a concrete D, checked by φ(q)ᵀφ(k) = K(q, k);
                      or the feature dimension as an expression in D (q3.b.ii)
    ComplexityForm    O(·) classes, one or several labelled components (q3.c, q5.e)
    SequenceForm      a set of token sequences (q5.a-c)
    ConditionsForm    matrix equations, up to a nonzero factor and transposition (q4.b.i)

Every form has `read(text) -> reading` (raises AnswerError), `compare(reading)
-> Comparison` against the key, `same(a, b) -> bool` (a proof that two readings
are the same answer, for the rubric's known wrong answers and accepted
readings) and `show(reading) -> (plain, latex)`: how the answer was read, built
from SymPy objects and whitelisted names only, never from the student's text.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from answerkey.judging.blocks import expand_blocks
from answerkey.judging.equivalence import Comparison, compare, prove_zero, same
from answerkey.judging.parser import (
    AnswerError,
    Reading,
    TooExpensive,
    Vocabulary,
    parse,
    render,
    respell_constant_sum,
)
from answerkey.judging.polarity import polarity, without_working
from answerkey.judging.text import normalize as _normalize_text
from answerkey.judging.to_sympy import ComplexityClass, Context, build, sized_sides


def normalize(text: str) -> str:
    """`answer_text.normalize`, with an over-long answer as TooExpensive (INVALID INPUT)."""
    try:
        return _normalize_text(text)
    except ValueError as exc:
        raise TooExpensive(str(exc)) from None


_OPEN, _CLOSE = "([{", ")]}"


def _top_level(text: str):
    """(index, character, depth) over `text`, tracking bracket depth."""
    depth = 0
    for index, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        yield index, ch, depth


def split_items(text: str) -> list[str]:
    """Split at top-level ',' and ';' (not inside brackets); empty items dropped."""
    items, start = [], 0
    for index, ch, depth in _top_level(text):
        if ch in ",;" and depth == 0:
            items.append(text[start:index])
            start = index + 1
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


def right_of_equals(text: str) -> tuple[str, bool]:
    """The part after the last top-level '=' ("s = √d" → "√d"), and whether one was cut."""
    cut = None
    for index, ch, depth in _top_level(text):
        if ch == "=" and depth == 0:
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            if before not in "<>!=" and after != "=":
                cut = index
    if cut is None:
        return text, False
    return text[cut + 1 :], True


def sides_of_equals(text: str) -> tuple[str, str] | None:
    """(left, right) of a single top-level '=', or None when there is none."""
    right, cut = right_of_equals(text)
    if not cut:
        return None
    return text[: len(text) - len(right) - 1], right


def _closes_at_end(text: str) -> bool:
    """The bracket that opens `text` is closed by its last character: "[[a, b], [c, d]]",
    not "[a, b], [c, d]"."""
    depth = 0
    for index, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0:
            return index == len(text) - 1 and ch in "]}"
    return False


def _strip_end(text: str) -> str:
    return text.strip().rstrip(".").strip()


def _one(reading_text: str, vocabulary: Vocabulary) -> Reading:
    text, _ = right_of_equals(normalize(reading_text))
    return parse(_strip_end(text), vocabulary)


# --- scalar expressions ----------------------------------------------------------


@dataclass(frozen=True)
class ScalarReading:
    reading: Reading
    value: Any  # the SymPy expression (after the question's setting)
    loose_value: Any = None  # the loose reading's, when it differs
    claim: tuple | None = None  # (left, right) of an equation without the asked quantity
    steps: tuple = ()  # the other members of a chain that the grammar read
    solutions: tuple = ()  # every solution when an equation was solved for the asked quantity
    note: str = ""  # how the equation was read


def members_of(text: str) -> list[str]:
    """The members of a chain "A = B = C" (top-level '=' only; <=, >=, != are not cuts)."""
    members, start = [], 0
    for index, ch, depth in _top_level(text):
        if ch == "=" and depth == 0:
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            if before not in "<>!=" and after != "=":
                members.append(text[start:index])
                start = index + 1
    members.append(text[start:])
    return [_strip_end(m) for m in members]


@dataclass
class ScalarForm:
    """An expression answer. `key()` is the key's expression; `setting()` the
    substitutions the question fixes (q2.b: μ = 0, σ = 1); `alternatives()`
    [(expression, note)] readings that also earn full credit. `asked` names the
    asked quantity: an equation whose left side names it is judged by its right
    side; `unknown` = (name, Symbol) when the grammar reads the asked quantity
    itself (q2.c's s), so that an equation in it is solved for it."""

    vocabulary: Vocabulary
    context: Callable[[], Context]
    key: Callable[[], Any]
    display: dict[str, str]
    assumptions: str
    setting: Callable[[], dict] | None = None
    setting_text: str = ""
    alternatives: Callable[[], list[tuple[Any, str]]] = lambda: []
    asked: Any = None  # extract.Asked
    unknown: Callable[[], tuple[str, Any]] | None = None
    sum_count: str = ""  # Σᵢ runs over this many components (q2: d): Σᵢ f is sum_count·f
    reads_named: ClassVar[bool] = True  # read(text, named=True) is understood

    def _value(self, tree, context=None):
        value = build(tree, context or self.context())
        if isinstance(value, list):
            raise AnswerError("one expression is expected, not a list")
        if isinstance(value, ComplexityClass):
            raise AnswerError("O(...) is a complexity class; this part wants a value")
        if getattr(value, "is_Matrix", False):
            raise AnswerError("a matrix is not an answer here")
        if self.setting is not None:
            value = value.subs(self.setting())
        return value

    def _expression(self, text: str, vocabulary=None, context=None) -> ScalarReading:
        if self.sum_count:
            counts = {n for n, c in self.vocabulary.names.items() if c == self.sum_count}
            text = respell_constant_sum(normalize(text), self.sum_count, counts)
        reading = parse(text, vocabulary or self.vocabulary)
        value = self._value(reading.tree, context)
        loose = None
        if reading.loose is not None:
            try:
                loose = self._value(reading.loose, context)
            except AnswerError:
                loose = None
        return ScalarReading(reading, value, loose)

    def read(self, text: str, named: bool = False) -> ScalarReading:
        """`named`: the words before the text named the asked quantity ("the variance is
        $d \\cdot 1 = d$"), so a chain in it is the value's chain, not a claim."""
        members = members_of(re.split(r"≈|\\approx\b", normalize(text))[0])
        if len(members) == 1 or any(not m for m in members):
            if any(not m for m in members) and len(members) > 1:
                raise AnswerError("an equation with an empty side")
            return self._expression(members[0])
        dropped = self.asked is not None and self.asked.names(members[0])
        if dropped:
            members = members[1:]
        # words that name the asked quantity ("the scale must satisfy s/√d = 1") do not
        # stop an equation in it from being solved for it
        solved = self._solve(members) if not dropped and self.unknown is not None else None
        named = named or dropped
        if solved is not None:
            return solved
        readings: list[ScalarReading | None] = []
        last_error: AnswerError | None = None
        for member in members:
            try:
                readings.append(self._expression(member))
            except AnswerError as exc:
                if _has_prose(member, self.vocabulary):
                    raise AnswerError(f"prose inside the equation: {exc}") from None
                readings.append(None)
                last_error = exc
        final = readings[-1]
        if final is None:
            raise last_error or AnswerError("the answer ends in something unreadable")
        steps = tuple(r.value for r in readings[:-1] if r is not None)
        if named:
            return ScalarReading(
                final.reading,
                final.value,
                final.loose_value,
                None,
                steps,
                note="the left side names the asked quantity; the right side is judged",
            )
        first = readings[0]
        if first is None:
            return ScalarReading(
                final.reading,
                final.value,
                final.loose_value,
                None,
                steps[1:],
                note="a chain whose first member the grammar does not read; "
                "its last member is judged",
            )
        return ScalarReading(
            final.reading,
            final.value,
            None,
            (first.value, final.value),
            note="an equation without the asked quantity: a claim",
        )

    def _solve(self, members: list[str]) -> ScalarReading | None:
        """An equation in the asked quantity (s² = d, d/s² = 1), solved for it under its
        assumptions; None when no member contains it."""
        import sympy as sp

        name, symbol = self.unknown()
        vocabulary = Vocabulary(
            {**self.vocabulary.names, name: name},
            self.vocabulary.kinds,
            self.vocabulary.indexed,
            self.vocabulary.transposes,
            self.vocabulary.classes,
        )
        base = self.context()
        context = Context(
            {**base.symbols, name: symbol},
            base.dots,
            base.norms,
            base.components,
            base.vectors,
            base.identity,
        )
        try:
            readings = [self._expression(m, vocabulary, context) for m in members]
        except AnswerError:
            return None
        if not any(symbol in r.value.free_symbols for r in readings):
            return None
        if len(readings) != 2:
            raise AnswerError(f"a chain of {len(readings)} members in {name}: write {name} = …")
        equation = readings[0].value - readings[1].value
        numerator = sp.numer(sp.together(equation))
        if numerator.is_polynomial(symbol) and sp.degree(numerator, symbol) > 4:
            raise AnswerError(f"an equation of degree above 4 in {name}")
        solutions = [v for v in sp.solve(equation, symbol) if v.is_positive is not False]
        if not solutions:
            raise AnswerError(f"no positive {name} solves the equation")
        shown = " or ".join(sp.sstr(v) for v in solutions)
        note = f"solved for {name} ({name} > 0): {name} = {shown}"
        return ScalarReading(
            readings[-1].reading, solutions[0], None, None, (), tuple(solutions), note
        )

    def _compare_value(self, value) -> Comparison:
        result = compare(value, self.key(), self.display, self.assumptions)
        if result.relation == "equal":
            return result
        for alternative, note in self.alternatives():
            if same(value, alternative):
                return Comparison("equal", f"equal to an accepted reading: {note}", note)
        return result

    def compare(self, reading: ScalarReading) -> Comparison:
        if reading.claim is not None:
            return self._compare_claim(*reading.claim)
        if len(reading.solutions) > 1:
            results = [self._compare_value(v) for v in reading.solutions]
            relations = {r.relation for r in results}
            if len(relations) == 1:
                return results[0]
            return Comparison(
                "unknown",
                reading.note,
                "the equation has several positive solutions and they are not all right",
            )
        result = self._compare_final(reading)
        if reading.note:
            result = Comparison(
                result.relation,
                f"{reading.note}; {result.method}",
                result.detail,
                result.counterexample,
                result.share,
            )
        for step in reading.steps:
            check = compare(step, reading.value, self.display, self.assumptions)
            if check.relation == "different" and result.relation == "equal":
                point = {
                    k: v
                    for k, v in (check.counterexample or {}).items()
                    if k not in ("your answer", "key")
                }
                where = ", ".join(f"{k} = {v}" for k, v in point.items())

                step_text = _shown(step, self.display)
                return Comparison(
                    "unknown",
                    "the final member is right, but a step of the chain is not equal to it",
                    f"the step {step_text} differs from the final member at {where}: "
                    f"{check.counterexample.get('your answer')} vs "
                    f"{check.counterexample.get('key')}",
                    {**point, "step": step_text},
                )
        return result

    def _compare_claim(self, left, right) -> Comparison:

        check = compare(left, right, self.display, self.assumptions)
        shown = f"{_shown(left, self.display)} = {_shown(right, self.display)}"
        method = "an equation without the asked quantity is a claim, not an answer"
        if check.relation == "different":
            point = {
                k: v
                for k, v in (check.counterexample or {}).items()
                if k not in ("your answer", "key")
            }
            where = ", ".join(f"{k} = {v}" for k, v in point.items())
            left_at = check.counterexample.get("your answer")
            right_at = check.counterexample.get("key")
            return Comparison(
                "different",
                method + ": it is false",
                f"{shown} is false at {where}: the left side is {left_at}, the right {right_at}",
                {**point, "left side": left_at, "right side": right_at},
            )
        if check.relation == "equal":
            return Comparison(
                "unknown", method, f"{shown} holds, but it does not say what the part asks for"
            )
        return Comparison("unknown", method, f"{shown}: {check.detail}")

    def _compare_final(self, reading: ScalarReading) -> Comparison:
        result = self._compare_value(reading.value)
        if self.setting_text and (reading.value is not None):
            result = Comparison(
                result.relation,
                f"{result.method} ({self.setting_text})",
                result.detail,
                result.counterexample,
            )
        if reading.loose_value is None or same(reading.value, reading.loose_value):
            return result
        other = self._compare_value(reading.loose_value)
        if other.relation == result.relation:
            return Comparison(
                result.relation,
                result.method + "; the other reading of the notation gives the same verdict",
                result.detail,
                result.counterexample,
            )
        plain, loose = render(reading.reading.tree), render(reading.reading.loose)
        return Comparison(
            "unknown",
            "the notation has two readings with different verdicts",
            f"{plain} is {_relation_word(result.relation)}, but {loose} is "
            f"{_relation_word(other.relation)}: parentheses would settle it",
        )

    def same(self, first: ScalarReading, second: ScalarReading) -> bool:
        return same(first.value, second.value)

    def show(self, reading: ScalarReading) -> tuple[str, str]:

        if reading.claim is not None:
            left, right = reading.claim
            plain = f"{_shown(left, self.display)} = {_shown(right, self.display)}"
            latex = f"{_shown_latex(left, self.display)} = {_shown_latex(right, self.display)}"
            return plain, latex
        if len(reading.solutions) > 1:
            shown = " or ".join(_shown(v, self.display) for v in reading.solutions)
            latex = r" \text{ or } ".join(_shown_latex(v, self.display) for v in reading.solutions)
            return shown, latex
        value = reading.value
        return _shown(value, self.display), _shown_latex(value, self.display)


def _has_prose(text: str, vocabulary: Vocabulary) -> bool:
    """Whether an unreadable member of a chain holds words (a side remark), rather than
    notation the grammar does not cover (Σ_i E[q_i]E[k_i], Var(q_i k_i))."""
    known = vocabulary.known_words() | _NOTATION_WORDS
    bare = re.sub(r"\\[A-Za-z]+", " ", text)
    return any(w not in known and w.lower() not in known for w in re.findall(r"[A-Za-z]{3,}", bare))


_NOTATION_WORDS = {
    "var",
    "cov",
    "std",
    "sum",
    "prod",
    "tr",
    "diag",
    "dim",
    "argmax",
    "softmax",
    "Var",
    "Cov",
    "Std",
    "mean",
}


def _relation_word(relation: str) -> str:
    return {"equal": "right", "different": "wrong", "unknown": "undecided"}[relation]


def _shown(expr, display: dict[str, str]) -> str:
    """`expr` as plain text in the part's notation; a symbol that stands for a product
    (qᵀk) keeps its parentheses as a power's base: (qᵀk)**2, not qᵀk**2."""
    import sympy as sp

    return _unicode(sp.sstr(_grouped(expr, display)), display)


def _shown_latex(expr, display: dict[str, str]) -> str:
    """`expr` as LaTeX, qᵀk as q^{\top} k (parenthesized as a power's base)."""
    import sympy as sp

    return sp.latex(_grouped(expr, display))


def _grouped(expr, display: dict[str, str]):
    """`expr` with each symbol whose shown name is a product (qᵀk) replaced by a symbol
    printed under that name with a product's precedence."""
    grouped = {s: _product_symbol()(shown) for s in getattr(expr, "free_symbols", ())
               if "ᵀ" in (shown := display.get(str(s), ""))}  # fmt: skip
    return expr.xreplace(grouped) if grouped else expr


@functools.cache
def _product_symbol():
    import sympy as sp
    from sympy.printing.precedence import PRECEDENCE

    class ProductSymbol(sp.Symbol):
        """A symbol that prints as a product: a power's base gets parentheses, a factor of
        a product does not (its precedence sits just above Mul's)."""

        precedence = PRECEDENCE["Mul"] + 1
        is_Symbol = False  # LaTeX would wrap a symbol's superscripted name a second time

        def _latex(self, printer):
            return self.name.replace("ᵀ", r"^{\top} ")

    return ProductSymbol


def _unicode(text: str, display: dict[str, str]) -> str:
    for name, shown in sorted(display.items(), key=lambda item: -len(item[0])):
        if name != shown:
            text = re.sub(rf"\b{re.escape(name)}\b", shown, text)
    return text


# --- feature maps ----------------------------------------------------------------


# "… entries: the constant 1, √2 q_i for each i, q_i² for each i and √2 q_i q_j for i<j"
_ENTRIES_LISTED = re.compile(
    r"\b(?:entries|components|features|elements|coordinates|terms)\s*[:：]\s*([^\n]{1,600})",
    re.IGNORECASE,
)


def _entries_as_list(words: str) -> str:
    """φ's entries described in words, as the block list the reader takes:
    "the constant 1, √2 q_i for each i and √2 q_i q_j for i<j" → "1, √2 q_i, √2 q_i q_j (i<j)"."""
    words = re.sub(r"[.;]\s*$", "", words.strip())
    words = re.sub(
        r"\bfor\s+(?:each|every|all|any)\s+[a-z]\b(?!\s*,\s*[a-z]\b)", "", words, flags=re.I
    )
    words = re.sub(r"\bfor\s+([a-z]\s*<\s*[a-z])", r"(\1)", words, flags=re.I)
    words = re.sub(r"\b(?:and|plus)\b", ",", words, flags=re.I)
    words = re.sub(r"\b(?:the|a|constant|linear|terms?|squares?|cross)\b", "", words, flags=re.I)
    return re.sub(r",\s*,", ",", words)


@dataclass(frozen=True)
class FeatureMapReading:
    components: tuple  # SymPy expressions in the base's components (None for a dimension)
    base: str
    size: int
    dimension: Any = None  # an expression in D when the answer is the feature count
    general: bool = False  # written for general D ("x_1, …, x_D"), read at GENERAL_SIZE
    blocks: bool = False  # written in blocks ("√2 x", "vec(xxᵀ)"), spelled out (`blocks`)


_COLUMN = re.compile(
    r"(?:\^\s*\{?\s*(?:\\math(?:sf|rm|bf|it)\s*\{?\s*)?(?:T|\\top|\\intercal)\s*\}?\s*\}?"
    r"|(?<=[\])])\s*['′])\s*$"
)
_SUBSCRIPT = re.compile(r"([A-Za-z])_(\{[^{}]*\}|[A-Za-z0-9])")
_ELLIPSIS = {"...", "\\ldots", "\\dots", "\\cdots", "\\vdots", "⋯", "⋮", "…"}
GENERAL_SIZE = 4  # φ written for general D ("x_1, …, x_D") is checked at this size


def _index(text: str, size: int) -> int | None:
    """A subscript's value at D = size: "3", "D", "{D-1}" → int; None if it is not one."""
    text = text.strip("{} ").replace(" ", "")
    match = re.fullmatch(r"(\d+)|D(?:([+-])(\d+))?", text)
    if match is None:
        return None
    if match.group(1):
        return int(match.group(1))
    shift = int(match.group(3) or 0)
    return size - shift if match.group(2) == "-" else size + shift


def expand_ellipses(body: str, size: int = GENERAL_SIZE) -> str | None:
    """A list written for general D ("[1, √2 x_1, …, √2 x_D, x_1x_2, …, x_{D-1}x_D]") at
    D = size: each "first, …, last" run is filled in from its first and last items, with
    one index (1 … D) or a pair (diagonal, i < j, or every ordered pair, in lexicographic
    order). None when the body has no run or a run it cannot fill."""
    items = split_items(body[1:-1])
    if not any(item in _ELLIPSIS for item in items):
        return None
    out: list[str] = []
    position = 0
    while position < len(items):
        item = items[position]
        position += 1
        if item not in _ELLIPSIS:
            out.append(item)
            continue
        if not out:
            return None
        first = out.pop()
        ones = list(_SUBSCRIPT.finditer(first))
        starts = [_index(m.group(2), size) for m in ones]
        if position < len(items):
            last = items[position]
            position += 1  # the run's last item is written from the first's template
            stops = [_index(m.group(2), size) for m in _SUBSCRIPT.finditer(last)]
        else:  # "…, √2 q_1 q_2, …]": an open run goes on to its natural end at D
            stops = _open_end(starts, size)
        if not ones or len(ones) != len(stops) or None in starts or None in stops:
            return None
        if len(ones) == 1:
            tuples = [(i,) for i in range(starts[0], stops[0] + 1)]
        elif len(ones) == 2 and starts[0] == starts[1] and stops[0] == stops[1]:
            tuples = [(i, i) for i in range(starts[0], stops[0] + 1)]
        elif len(ones) == 2 and starts[0] < starts[1] and stops[0] < stops[1]:
            pairs = [(i, j) for i in range(1, size + 1) for j in range(i + 1, size + 1)]
            if tuple(starts) not in pairs or tuple(stops) not in pairs:
                return None
            tuples = pairs[pairs.index(tuple(starts)) : pairs.index(tuple(stops)) + 1]
        elif len(ones) == 2 and tuple(starts) < tuple(stops):
            # "q_1q_1, q_1q_2, …, q_Dq_D": every ordered pair, in lexicographic order
            pairs = [(i, j) for i in range(1, size + 1) for j in range(1, size + 1)]
            if tuple(starts) not in pairs or tuple(stops) not in pairs:
                return None
            tuples = pairs[pairs.index(tuple(starts)) : pairs.index(tuple(stops)) + 1]
        else:
            return None
        for values in tuples:
            filled, at = [], 0
            for match, value in zip(ones, values, strict=True):
                filled += [first[at : match.start(2)], f"{{{value}}}"]
                at = match.end(2)
            out.append("".join(filled) + first[at:])
    return body[0] + ", ".join(out) + body[-1]


def _open_end(starts: list[int | None], size: int) -> list[int]:
    """Where a run that closes the list with "…" ends: one index runs to D, a diagonal
    pair (q_1², q_1q_1) to (D, D), a pair i < j to (D-1, D)."""
    if len(starts) == 1:
        return [size]
    if len(starts) == 2 and starts[0] is not None and starts[0] == starts[1]:
        return [size, size]
    if len(starts) == 2 and None not in starts and starts[0] < starts[1]:
        return [size - 1, size]
    return [None] * len(starts)  # nothing the run could mean: no fill


def _enclosed(text: str) -> bool:
    """Whether `text` is one bracketed group: "[…]", "(…)" ("(a)(b)" is two)."""
    if not text or text[0] not in "([{":
        return False
    depth = 0
    for index, ch in enumerate(text):
        depth += (ch in "([{") - (ch in ")]}")
        if depth == 0:
            return index == len(text) - 1
    return False


@dataclass
class FeatureMapForm:
    """φ(q) at a concrete size D, written as a list in q_1 … q_D (or x_1 …), or for general
    D with runs "q_1, …, q_D" (`expand_ellipses` fills them in at D = 4), checked by
    the identity φ(q)ᵀφ(k) = K(q, k); or the number of features, an expression in D."""

    vocabulary: Vocabulary
    component: Callable[[str, int], Any]  # (base, index) → Symbol
    kernel: Callable[[list, list], Any]  # K at concrete vectors
    alternative_kernel: Callable[[list, list], Any] | None
    alternative_note: str
    dimension_form: ScalarForm
    key_map: Callable[[int], list] | None = None
    # words of block notation that `blocks.expand_blocks` spells out (not the grammar's)
    words: ClassVar[tuple[str, ...]] = ("vec", "flatten", "i", "j")

    def read(self, text: str) -> FeatureMapReading:
        normalized = re.sub(r"\\[,;:! ]", " ", normalize(text))  # \, is a space, not a comma
        # "q_iq_j": two subscripted names glued are a product, q_i q_j
        normalized = re.sub(r"(_\s*\{?\s*[ij]\s*\}?)(?=[A-Za-z]_)", r"\1 ", normalized)
        size = None
        declared = re.match(r"^\s*(?:for\s+)?D\s*=\s*(\d+)\s*[:,]?\s*", normalized)
        if declared:
            size = int(declared.group(1))
            normalized = normalized[declared.end() :]
        # "[1, √2 q1, …]   (D = 2)": the size declared after the list
        after = re.search(r"[,;]?\s*\(\s*(?:for\s+)?D\s*=\s*(\d+)\s*\)\s*\.?\s*$", normalized)
        if after and size is None:
            size = int(after.group(1))
            normalized = normalized[: after.start()]
        body, cut = right_of_equals(normalized)
        left = normalized[: len(normalized) - len(body)] if cut else ""
        body = _strip_end(re.split(r"\\in(?![A-Za-z])|∈", body)[0])  # "∈ R^{1+D+D²}"
        # a column: "]ᵀ", "]^{\top}", "]^{\mathsf T}", "]′"
        body = re.sub(_COLUMN, "", body).strip()
        block = re.search(r"⊗|\\otimes|\b(?:vec|flatten)\s*\(|_\s*\{?\s*[ij]\b", body)
        if block and not _enclosed(body):  # "q ⊗ q", "(q_i q_j) for all i, j": one block
            body = f"[{body}]"
        items = len(split_items(body[1:-1]))
        if not body.startswith(("[", "(", "{")) or items < 2 and not block:
            dimension = self.dimension_form.read(body)
            return FeatureMapReading((), "", 0, dimension)
        argument = re.search(r"(?:phi|psi)\s*\(\s*([qxkuz])\s*\)", left)
        blocks = expand_blocks(body, argument and argument.group(1), size or GENERAL_SIZE)
        if blocks is not None:
            body, size = blocks[0], size or GENERAL_SIZE
        general = expand_ellipses(body, size or GENERAL_SIZE) if size is None or blocks else None
        if general is not None:
            body, size = general, size or GENERAL_SIZE
        written_out = blocks is not None or general is not None
        reading = parse(body, self.vocabulary)
        tree = reading.tree
        if tree.op != "list":
            raise AnswerError("write φ(q) as a list of components, e.g. [1, √2 q_1, …]")
        bases = set()
        largest = 0
        for node in _walk(tree):
            if node.op == "comp":
                bases.add(node.value[0])
                largest = max(largest, node.value[1])
        if len(bases) > 1:
            raise AnswerError(f"φ mixes {' and '.join(sorted(bases))}: use one vector's components")
        if not bases:
            raise AnswerError("φ(q) must use the components q_1, …, q_D")
        base = bases.pop()
        size = size or largest
        if largest > size:
            raise AnswerError(f"D = {size} but the answer uses {base}_{largest}")
        context = Context({}, components={base: lambda i, b=base: self.component(b, i)})
        values = build(tree, context)
        for value in values:
            if isinstance(value, list | ComplexityClass):
                raise AnswerError("each component must be one expression")
        return FeatureMapReading(
            tuple(values), base, size, general=written_out, blocks=blocks is not None
        )

    def stated_map(self, spans, reading: FeatureMapReading, text: str = ""):
        """The φ list an answer states besides its feature count ("φ(q) = (1, q_1, …), so
        dim φ = 1 + D + D²", or in words: "(D+1)(D+2)/2 entries: the constant 1, √2 q_i for
        each i, …"): a count alone must not accept a wrong map. Returns the map's reading,
        None when the answer states no map, or the AnswerError met reading it."""
        if reading.dimension is None:
            return None
        for span in reversed(spans):
            right, cut = right_of_equals(normalize(span))
            if not cut or not right.strip().startswith(("[", "(", "{")):
                continue
            left = normalize(span)[: -len(right)] if right else ""
            if not re.search(r"phi|psi|φ|ϕ|ψ", span):
                continue
            if len(re.findall(r"phi|psi|φ|ϕ|ψ", left)) > 1:
                continue  # "φ(q)ᵀφ(k) = (qᵀk + 1)²": the kernel identity does not state φ
            try:
                stated = self.read(span)
            except AnswerError as exc:
                return exc
            if stated.dimension is None:
                return stated
        described = _ENTRIES_LISTED.search(text)
        if described is None:
            return None
        try:
            stated = self.read("φ(q) = [" + _entries_as_list(described.group(1)) + "]")
        except AnswerError as exc:
            return exc
        return stated if stated.dimension is None else None

    def _vectors(self, size: int):
        q = [self.component("q", i) for i in range(1, size + 1)]
        k = [self.component("k", i) for i in range(1, size + 1)]
        return q, k

    def _as_q(self, reading: FeatureMapReading) -> list:
        swap = {self.component(reading.base, i): self.component("q", i) for i in range(1, 9)}
        return [c.xreplace(swap) for c in reading.components]

    def compare(self, reading: FeatureMapReading) -> Comparison:
        import sympy as sp

        if reading.dimension is not None:
            return self.dimension_form.compare(reading.dimension)
        size = reading.size
        q, k = self._vectors(size)
        phi_q = self._as_q(reading)
        to_k = dict(zip(q, k, strict=True))
        inner = sp.Add(*[c * c.xreplace(to_k) for c in phi_q])
        kernel = self.kernel(q, k)
        names = {str(s): str(s) for s in (*q, *k)}
        result = compare(inner, kernel, names, "q, k real vectors")
        at = f"at D = {size}, the size you wrote"
        if reading.blocks:
            at = f"at D = {size}, your blocks written out component by component"
        elif reading.general:
            at = f"at D = {size}, your runs “…” filled in"
        if result.relation == "equal":
            note = " (D = 1 has no cross terms: a TA may want D ≥ 2)" if size == 1 else ""
            return Comparison(
                "equal", f"φ(q)ᵀφ(k) = K(q, k) {at}: {result.method}{note}", result.detail
            )
        if self.alternative_kernel is not None:
            other = self.alternative_kernel(q, k)
            if prove_zero(inner - other, simplify=False):
                return Comparison(
                    "equal",
                    f"φ(q)ᵀφ(k) = (qᵀk)² {at}: {self.alternative_note}",
                    self.alternative_note,
                )
        if result.relation == "different":
            point = result.counterexample or {}
            q_at = ", ".join(point.get(str(s), "?") for s in q)
            k_at = ", ".join(point.get(str(s), "?") for s in k)
            detail = (
                f"at q = ({q_at}), k = ({k_at}): φ(q)ᵀφ(k) = {point.get('your answer')} "
                f"but K(q, k) = {point.get('key')}"
            )
            witness = {"q": f"({q_at})", "k": f"({k_at})", "φ(q)ᵀφ(k)": point.get("your answer"),
                       "K(q, k)": point.get("key")}  # fmt: skip
            return Comparison("different", f"φ(q)ᵀφ(k) ≠ K(q, k) {at}", detail, witness)
        return Comparison("unknown", f"{result.method} {at}", result.detail)

    def same(self, first: FeatureMapReading, second: FeatureMapReading) -> bool:
        if (first.dimension is None) != (second.dimension is None):
            return False
        if first.dimension is not None:
            return self.dimension_form.same(first.dimension, second.dimension)
        if first.size != second.size or len(first.components) != len(second.components):
            return False
        return all(same(a, b) for a, b in zip(self._as_q(first), self._as_q(second), strict=True))

    def show(self, reading: FeatureMapReading) -> tuple[str, str]:
        import sympy as sp

        if reading.dimension is not None:
            return self.dimension_form.show(reading.dimension)
        values = self._as_q(reading)
        plain = "φ(q) = [" + ", ".join(sp.sstr(v) for v in values) + f"] at D = {reading.size}"
        latex = r"\varphi(q) = \left(" + ", ".join(sp.latex(v) for v in values) + r"\right)"
        return plain, latex


def _walk(node):
    yield node
    for child in node.args:
        yield from _walk(child)


# --- complexity classes ---------------------------------------------------------

_LABEL_WORDS = {
    "time": ("time", "runtime", "run time", "compute", "computation", "computational cost",
             "computational", "cost", "flops", "operations", "work"),
    "memory": ("memory", "space", "storage", "mem", "memory requirement"),
}  # fmt: skip


# one class stated for every component: "both are O(N²)", "each is", "beide", "ambos"
_BOTH = re.compile(
    r"\b(?:both|each|either|beide|beides|ambos|ambas|entrambi|les\s+deux|tous\s+deux)\b|两者|都",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ComplexityReading:
    components: dict[str, Any]  # component name → SymPy expression inside O(·)


@dataclass
class ComplexityForm:
    """O(·) answers. `components` names what the part asks for, in the order an
    unlabelled answer gives them (("time", "memory") for q3.c; ("time",) for
    q5.e); `key()` maps each to the key's class expression; `accepted()` maps
    each to [(expression, note)] classes that also earn full credit."""

    vocabulary: Vocabulary
    context: Callable[[], Context]
    variables: Callable[[], list]
    names: list[str]
    components: tuple[str, ...]
    key: Callable[[], dict[str, Any]]
    accepted: Callable[[], dict[str, list[tuple[Any, str]]]] = lambda: {}
    # Sizes the part orders, (small, large, ratio): q5.e's k ≤ M. The large one is written
    # as small · ratio (ratio ≥ 1, a free size) before comparing, so that classes equal
    # under the order are equal: O(T k M log(kM)) = O(T k M log M) when k ≤ M.
    ordered: Callable[[], tuple[Any, Any, Any]] | None = None

    def _sizes(self) -> tuple[list, list[str], Callable[[Any], Any]]:
        """(variables, their names, the rewrite applied to every class) for comparing."""
        variables, names = list(self.variables()), list(self.names)
        if self.ordered is None:
            return variables, names, lambda expr: expr
        small, large, ratio = self.ordered()
        at = variables.index(large)
        names[at] = f"({names[at]}/{names[variables.index(small)]})"
        variables[at] = ratio
        return variables, names, lambda expr: expr.subs(large, small * ratio)

    def _label(self, item: str) -> tuple[str | None, str]:
        lowered = item.lower()
        for component, words in _LABEL_WORDS.items():
            for word in sorted(words, key=len, reverse=True):
                pattern = rf"^\s*{re.escape(word)}(?:\s+complexity)?\s*(?:[:=]|\bis\b)?\s*"
                match = re.match(pattern, lowered)
                if match and not lowered[match.end() :].startswith("("):
                    return component, item[match.end() :]
                pattern = rf"\s*(?:\bfor\b\s*)?\b{re.escape(word)}\b(?:\s+complexity)?\s*$"
                match = re.search(pattern, lowered)
                if match and match.start() > 0:
                    return component, item[: match.start()]
        return None, item

    def read(self, text: str) -> ComplexityReading:
        normalized = normalize(text)
        pieces = []
        for item in split_items(normalized):
            pieces.extend(p for p in re.split(r"\s+and\s+", item) if p.strip())
        if not pieces:
            raise AnswerError("the answer is empty")
        labelled: dict[str, Any] = {}
        unlabelled = []
        for piece in pieces:
            label, rest = self._label(piece)
            rest, _ = right_of_equals(rest)
            rest = _strip_end(rest)
            if label is not None and label not in self.components:
                raise AnswerError(
                    f"this part asks for {' and '.join(self.components)}, not {label}"
                )
            value = self._class(rest)
            if label is None:
                unlabelled.append(value)
            elif label in labelled:
                raise AnswerError(f"{label} is given twice")
            else:
                labelled[label] = value
        missing = [c for c in self.components if c not in labelled]
        if len(unlabelled) > len(missing):
            raise AnswerError(
                f"{len(pieces)} classes for {len(self.components)} asked "
                f"({', '.join(self.components)})"
            )
        if len(unlabelled) < len(missing):
            example = ", ".join(f"{c}: O(…)" for c in self.components)
            raise AnswerError(f"give {' and '.join(missing)} too, e.g. “{example}”")
        labelled.update(zip(missing, unlabelled, strict=True))
        return ComplexityReading({c: labelled[c] for c in self.components})

    def read_free(self, text: str, asked) -> ComplexityReading:
        """The O(…) classes in free text, each with the label before it."""
        from answerkey.judging import extract

        try:
            found, where = extract.classes(text, asked, self.vocabulary.known_words())
        except ValueError as exc:
            raise TooExpensive(str(exc)) from None
        self.last_found = where
        if not found:  # "T times k squared times log k": the class in words
            found, where = extract.classes_in_words(text, asked, self.vocabulary.known_words())
            self.last_found = where
        if not found:
            error = AnswerError("no O(…) class found in the answer")
            error.found = where
            raise error
        if len(self.components) == 1:
            timed = [c for label, c in found if label == "time"]
            chosen = (timed or [c for _, c in found])[-1]
            return self.read(chosen)
        labelled = {}
        unlabelled = []
        for label, value in found:
            if label in self.components:
                labelled[label] = value  # the last one of each label wins
            else:
                unlabelled.append(value)
        missing = [c for c in self.components if c not in labelled]
        given = set(labelled.values()) | set(unlabelled)
        if missing and len(given) == 1 and _BOTH.search(text):
            # "Both are O(N²)", "time and memory are both O(N²(D+M))": one class for each
            labelled.update({c: next(iter(given)) for c in missing})
            unlabelled, missing = [], []
        parts = [f"{label}: {value}" for label, value in labelled.items()]
        parts += unlabelled[-len(missing) :] if missing and unlabelled else []
        try:
            return self.read(", ".join(parts))
        except AnswerError as exc:
            exc.found = where
            raise

    def _class(self, text: str):
        reading = parse(text, self.vocabulary)
        value = build(reading.tree, self.context())
        if isinstance(value, ComplexityClass):
            value = value.expr
        if isinstance(value, list):
            raise AnswerError("one class per component")
        return value

    def compare(self, reading: ComplexityReading) -> Comparison:
        from answerkey.judging.complexity import ClassComparison, compare_classes

        variables, names, rewrite = self._sizes()
        key = self.key()
        accepted = self.accepted()
        methods, details, counterexample = [], [], {}
        relations = []
        right = 0
        for component in self.components:
            mine = rewrite(reading.components[component])
            result = compare_classes(mine, rewrite(key[component]), variables, names)
            note = ""
            if result.relation != "equal":
                for alternative, text in accepted.get(component, []):
                    if (
                        compare_classes(mine, rewrite(alternative), variables, names).relation
                        == "equal"
                    ):
                        result, note = ClassComparison("equal", text), text
                        break
            label = f"{component}: " if len(self.components) > 1 else ""
            relations.append(result.relation)
            if result.relation == "equal":
                right += 1
                methods.append(f"{label}same class" + (f" (accepted: {note})" if note else ""))
            elif result.relation == "different":
                methods.append(f"{label}a different class")
                details.append(f"{label}{result.detail}")
                name = component if len(self.components) > 1 else "growth"
                counterexample[name] = _direction_text(result.direction)
            else:
                methods.append(f"{label}undecided")
                details.append(f"{label}{result.detail}")
        share = right / len(self.components)
        method = "growth-class comparison: " + "; ".join(methods)
        if "different" in relations:
            return Comparison("different", method, "; ".join(details), counterexample, share)
        if "unknown" in relations:
            return Comparison("unknown", method, "; ".join(details), None, share)
        return Comparison("equal", method, "; ".join(details), None, 1.0)

    def same(self, first: ComplexityReading, second: ComplexityReading) -> bool:
        from answerkey.judging.complexity import compare_classes

        variables, names, rewrite = self._sizes()
        return all(
            compare_classes(
                rewrite(first.components[c]), rewrite(second.components[c]), variables, names
            ).relation
            == "equal"
            for c in self.components
        )

    def show(self, reading: ComplexityReading) -> tuple[str, str]:
        import sympy as sp

        display = dict(zip(map(str, self.variables()), self.names, strict=True))
        shown_as = {v: n for v, n in zip(self.variables(), self.names, strict=True) if n != str(v)}
        plain = ", ".join(
            (f"{c}: " if len(self.components) > 1 else "") + f"O({_unicode(sp.sstr(v), display)})"
            for c, v in reading.components.items()
        )
        latex = r",\quad ".join(
            (rf"\text{{{c}: }}" if len(self.components) > 1 else "")
            + rf"O\left({sp.latex(v, symbol_names=shown_as)}\right)"
            for c, v in reading.components.items()
        )
        return plain, latex


def _direction_text(direction: dict[str, int]) -> str:
    """{"N": 0, "D": 1} → "D = t → ∞ (N fixed)"."""
    moving = [f"{n} = t^{w}" if w > 1 else f"{n} = t" for n, w in direction.items() if w]
    fixed = [n for n, w in direction.items() if not w]
    return ", ".join(moving) + " → ∞" + (f" ({', '.join(fixed)} fixed)" if fixed else "")


# --- sequence sets ----------------------------------------------------------------

_START_WORDS = {"<s>", "start", "bos", "<bos>", "<start>", "[start]", "sos"}


@dataclass(frozen=True)
class SequenceReading:
    sequences: tuple[tuple[str, ...], ...]
    scores: dict[tuple[str, ...], float] = field(default_factory=dict)
    dropped_only: bool = False  # the answer names only sequences it says are dropped
    # sequences whose stated sum does not add up ("−0.73 − 0.60 = −1.43"), beam or not:
    # false arithmetic in the working is a wrong step
    bad_sums: tuple[tuple[str, ...], ...] = ()


def _rounding(score: float) -> float:
    """How far a stated log-probability may be from the key: half a unit of its last
    decimal when it has one (−1.3 for −1.25), else 0.0051 (the tree's two decimals)."""
    decimals = getattr(score, "decimals", None)  # "-1.30": two decimals, as written
    if decimals == 1 or (
        decimals is None
        and abs(score - round(score, 1)) < 1e-9
        and abs(score - round(score)) > 1e-9
    ):
        return 0.05 + 1e-9
    return 0.0051


def _score_agrees(stated: float, log_probability: float) -> bool:
    """A stated score against the key's log-probability. A positive score is a probability
    (a log-probability is never positive): "neural network (p ≈ 0.287)" is exp(−1.25) =
    0.2865 to its stated precision, half a unit of its last decimal, widened by what the
    tree's two-decimal log-probabilities leave open (a relative 0.51%). NaN disagrees."""
    if stated > 0:
        decimals = getattr(stated, "decimals", None)
        if decimals is None:
            decimals = next((d for d in range(7) if abs(stated - round(stated, d)) < 1e-12), 6)
        wanted = math.exp(log_probability)
        return abs(stated - wanted) <= 0.5 * 10.0**-decimals + 0.0051 * wanted + 1e-12
    return abs(stated - log_probability) <= _rounding(stated)


@dataclass
class SequenceForm:
    """The set of sequences a beam holds: "neural network, network neural",
    "{(neural, network), (network, neural)}", with optional log-probabilities."""

    key: Callable[[], list[tuple[tuple[str, ...], float]]]
    vocabulary: Callable[[], tuple[str, ...]]
    length: Callable[[], int]
    strict_needs_pure: ClassVar[bool] = True  # the strict reader skips what it cannot read

    def _token(self, word: str) -> str:
        lowered = word.lower()
        matches = [t for t in self.vocabulary() if t.lower() == lowered]
        if not matches and len(lowered) >= 3:
            matches = [t for t in self.vocabulary() if t.lower().startswith(lowered)]
        if len(matches) != 1:
            known = ", ".join(self.vocabulary())
            shown = word if len(word) <= 20 else word[:19] + "…"
            raise AnswerError(f"{shown!r} is not one of the tokens ({known})")
        return matches[0]

    def read(self, text: str) -> SequenceReading:
        normalized = normalize(text)
        if len(normalized) > 2000:
            raise AnswerError("the answer is too long")
        groups = self._groups(normalized)
        sequences, scores = [], {}
        for group in groups:
            words = re.findall(r"<?\[?[A-Za-z]+\]?>?|[-+]?\d*\.?\d+", group)
            tokens, numbers = [], []
            for word in words:
                if re.fullmatch(r"[-+]?\d*\.?\d+", word):
                    numbers.append(float(word))
                elif word.lower() in _START_WORDS or word.lower() in {"and", "p", "log", "logp"}:
                    continue
                else:
                    tokens.append(self._token(word))
            if not tokens:
                if numbers:
                    raise AnswerError("a score without its sequence")
                continue
            sequence = tuple(tokens)
            if sequence in sequences:
                continue  # a set: listing a sequence twice does not add it twice
            sequences.append(sequence)
            if len(numbers) == 1:
                scores[sequence] = numbers[0]
            elif len(numbers) > 1:
                raise AnswerError(f"more than one score for {' '.join(sequence)}")
        if not sequences:
            raise AnswerError("no sequences found")
        if len(sequences) > 16:
            raise AnswerError("more than 16 sequences")
        return SequenceReading(tuple(sequences), scores)

    def read_free(self, text: str, asked) -> SequenceReading:
        """Sequences named in prose: the runs of token words of the beam's length at this
        step, each with the log-probability written after it."""
        from answerkey.judging import extract

        if len(text) > extract.MAX_RAW_CHARS:
            raise TooExpensive("the answer is longer than 20,000 characters")
        boxed = extract._boxed(text)
        body = boxed if boxed is not None else text
        length = self.length()

        def runs_in(shown: str):
            found = extract.token_runs(shown, self.vocabulary(), length)
            return [(w, s) for w, s in found if len(w) == length]

        said = polarity(body)  # sequences said to be kept win over ones merely mentioned
        runs, how = runs_in(said.kept), "token words the answer says are kept"
        if not runs:  # the table of candidates and side remarks are working, not the beam
            runs, how = runs_in(without_working(said.undropped)), "token words in the answer"
        if not runs:
            runs = runs_in(said.undropped)
        dropped_only = not runs
        if dropped_only:
            runs, how = runs_in(said.dropped), "token words the answer says are dropped"
        spans = tuple(" ".join(w) for w, _ in runs)
        self.last_found = extract.Found(spans, extract._line_of(text, 0), how)
        if not runs:
            error = AnswerError(f"no sequence of {length} token(s) found")
            error.found = self.last_found
            raise error
        sequences, scores = [], {}
        for words, score in runs:
            if words not in sequences:
                sequences.append(words)
            if score is not None:
                scores.setdefault(words, score)
        # a score stated anywhere (the working included) is a claim about its sequence
        bad_sums = []
        for words, score in extract.token_runs(body, self.vocabulary(), length):
            if score is None or len(words) != length:
                continue
            if math.isnan(score):
                scores[words] = score if words in sequences else scores.get(words, score)
                if words not in bad_sums:
                    bad_sums.append(words)
            elif words in sequences:
                scores.setdefault(words, score)
        scores = {w: s for w, s in scores.items() if w in sequences}
        return SequenceReading(tuple(sequences[:16]), scores, dropped_only, tuple(bad_sums))

    @staticmethod
    def _groups(text: str) -> list[str]:
        """Inner groups "(a, b), (c, d)" when there are any, else top-level items."""
        stripped = text.strip()
        while len(stripped) > 1 and stripped[0] in "[{" and _closes_at_end(stripped):
            inner = stripped[1:-1].strip()
            if not inner:
                break
            stripped = inner
        inner_groups = re.findall(r"[(\[{]([^()\[\]{}]*)[)\]}]", stripped)
        outside = re.sub(r"[(\[{][^()\[\]{}]*[)\]}]", " ", stripped)
        outside = re.sub(r"\band\b", " ", outside)
        # a sum or equation outside ("[neural, network]: -0.65 + (-0.60) = -1.25") makes
        # the parentheses arithmetic, not groups
        if inner_groups and not re.search(r"[A-Za-z]{3,}|[=+]", outside):
            merged: list[str] = []
            for group in inner_groups:  # "{neural network} (-1.25)": the score joins its group
                if merged and not re.search(r"[A-Za-z]", group):
                    merged[-1] += " " + group
                else:
                    merged.append(group)
            return merged
        return re.split(r"[,;|]|\band\b", stripped)

    def compare(self, reading: SequenceReading) -> Comparison:
        key = self.key()
        wanted = {tuple(tokens): score for tokens, score in key}
        if reading.dropped_only:
            return self._compare_dropped(reading, wanted)
        given = set(reading.sequences)
        length = self.length()
        wrong_length = [s for s in given if len(s) != length]
        missing = [s for s in wanted if s not in given]
        extra = [s for s in reading.sequences if s not in wanted]
        if not missing and not extra:
            notes = []
            for sequence, score in reading.scores.items():
                if not _score_agrees(score, wanted[sequence]):
                    notes.append(
                        f"{' '.join(sequence)} has {_key_score(wanted[sequence], score)}, "
                        f"not {_score_text(score)}"
                    )
            notes += [
                f"the sum stated for {' '.join(w)} does not add up"
                for w in reading.bad_sums
                if w not in reading.scores
            ]
            if notes:  # a stated score is a claim: a wrong one is not a right answer
                return Comparison(
                    "different",
                    "the sets of sequences, then each stated log-probability",
                    "the sequences are right, but " + "; ".join(notes),
                    None,
                    0.5,  # of the two things asked, the sequences and their scores
                )
            return Comparison(
                "equal", "exact comparison of the sets of sequences (order does not matter)"
            )
        parts = []
        if missing:
            parts.append("missing " + "; ".join(" ".join(s) for s in missing))
        if extra:
            parts.append("not in the beam " + "; ".join(" ".join(s) for s in extra))
        if wrong_length:
            parts.append(f"the beam holds sequences of length {length} at this step")
        witness = {}
        if missing:
            witness["missing"] = " ".join(missing[0])
        if extra:
            witness["extra"] = " ".join(extra[0])
        return Comparison(
            "different", "exact comparison of the sets of sequences", "; ".join(parts), witness
        )

    @staticmethod
    def _compare_dropped(reading: SequenceReading, wanted: dict) -> Comparison:
        """An answer that names only the sequences it says are pruned: wrong when one of
        them is in the beam; otherwise it does not say what the beam holds (the kept set
        by exclusion depends on the candidates the student expanded), so a TA reads it."""
        named = "; ".join(" ".join(s) for s in reading.sequences)
        kept = [s for s in reading.sequences if s in wanted]
        if kept:
            return Comparison(
                "different",
                "the sequences the answer says are dropped, against the beam",
                "the answer drops " + "; ".join(" ".join(s) for s in kept) + ", which the beam "
                "keeps",
                {"in the beam": " ".join(kept[0])},
            )
        return Comparison(
            "unknown",
            "the answer names only the sequences it says are dropped",
            f"it drops {named} (rightly) but does not say which sequences the beam keeps",
        )

    def same(self, first: SequenceReading, second: SequenceReading) -> bool:
        if first.dropped_only != second.dropped_only:
            return False
        return set(first.sequences) == set(second.sequences)

    def show(self, reading: SequenceReading) -> tuple[str, str]:
        plain = "{" + ", ".join(" ".join(s) for s in reading.sequences) + "}"
        latex = (
            r"\{" + ",\\ ".join(r"\text{" + r"\ ".join(s) + "}" for s in reading.sequences) + r"\}"
        )
        if reading.dropped_only:
            return f"dropped: {plain}", r"\text{dropped: }" + latex
        return plain, latex


# --- matrix conditions ------------------------------------------------------------


_ROW_OR_ENVIRONMENT = re.compile(r"\\\\(?:\[[^\]]*\])?|\\(?:begin|end)\{[A-Za-z]*\*?\}")


@dataclass(frozen=True)
class ConditionsReading:
    expressions: tuple  # each equation as left − right (a matrix expression)
    # per expression, the gradient its left side names ("dL/dW2 = …"), else None: a
    # stated gradient is a claim, right only up to the loss's 1/n (a staff rule)
    named: tuple = ()


@dataclass
class ConditionsForm:
    """First-order conditions as matrix equations (q4.b.i). CORRECT when each of the
    key's conditions is, by SymPy, a nonzero multiple of one of the answer's
    equations or of its transpose; otherwise CANNOT TELL, for a TA to read."""

    vocabulary: Vocabulary
    context: Callable[[], Context]
    key: Callable[[], list]
    labels: tuple[str, ...] = ("∂L/∂W₁ = 0", "∂L/∂W₂ = 0")
    joins_spans: bool = True  # in free text, every equation found is a condition

    def read(self, text: str) -> ConditionsReading:
        # "$$… = 0,\qquad … = 0$$" read whole: the delimiters and spacing are no part of it
        normalized = re.sub(r"\$\$|\$|\\[\[\]()]", " ; ", normalize(text))  # each display its own
        normalized = re.sub(r"\\q?quad(?![A-Za-z])", " ", normalized)
        # the rows of an align* are conditions of their own ("… = 0, \\ … = 0.")
        normalized = re.sub(_ROW_OR_ENVIRONMENT, " ; ", normalized)
        # LaTeX spacing ("-\tfrac{2}{n}\,W_2^\top"): its comma is no list's comma
        normalized = re.sub(r"(?<!\\)\\[,;:!]", " ", normalized)
        normalized = re.sub(r"&\s*(?=[=<>])", "", normalized)
        items = []
        for item in split_items(normalized):
            for piece in _conditions_of(item):
                # "∂L/∂W₁ = 0 ⇔ W₂ᵀ(…)Xᵀ = 0": the condition is what the arrow leads to
                items.extend(p for p in _IMPLIES.split(piece) if p.strip())
        items = [i for i in items if not _GRADIENT_IS_ZERO.match(i)] or items
        # "L = (1/n) tr(…)", "∇_{W₂}L = −(2/n) R (W₁X)ᵀ" beside "… = 0": the loss and the
        # gradients are working; when they do not read, the equations set to zero are the answer
        conditions = [i for i in items if _ZERO_SIDE.search(_strip_end(i))]
        expressions, named = [], []
        for item in items:
            if conditions and item not in conditions:
                try:
                    self.read(item)
                except AnswerError:
                    continue
            members = members_of(_strip_end(item))
            gradient = members[0].strip() if len(members) > 1 else ""
            named.append(gradient if _GRADIENT_NAME.fullmatch(gradient) else None)
            if len(members) > 2:  # "∂L/∂W₁ = −(2/n)W₂ᵀ(…)Xᵀ = 0": the label member is dropped
                members = members[-2:]
            if len(members) == 1:
                left, right = members[0], "0"
            elif _GRADIENT_NAME.fullmatch(members[0]) and not _ZERO_SIDE.search(item.strip()):
                # "∂L/∂W₁ = −(2/n)W₂ᵀ(…)Xᵀ" with no "= 0": the gradient stated is the
                # condition that it vanish (a staff decision)
                left, right = members[1], "0"
            else:
                left, right = members
                left = _lhs_after_label(left)
            context = self.context()
            left_value = build(parse(left, self.vocabulary).tree, context)
            right_value = build(parse(_strip_end(right), self.vocabulary).tree, context)
            left_value, right_value = sized_sides(left_value, right_value)  # W₂W₁ = I
            if right_value == 0:
                value = left_value
            elif left_value == 0:
                value = right_value
            else:
                value = left_value - right_value
            if not getattr(value, "is_Matrix", False):
                raise AnswerError("each condition is a matrix equation, e.g. W₂ᵀ(X − W₂W₁X)Xᵀ = 0")
            expressions.append(value)
        if not expressions:
            raise AnswerError("the answer is empty")
        return ConditionsReading(tuple(expressions), tuple(named))

    def _multiple(self, mine, theirs) -> str | None:
        """How `mine` is a nonzero multiple of `theirs` (or of its transpose), or None."""
        import sympy as sp

        for target, how in ((theirs, ""), (theirs.T, " of the transpose")):
            if mine.shape != target.shape:
                continue
            ratio = _ratio(mine, target)
            if ratio is None or ratio == 0:
                continue
            method = prove_zero(sp.expand((mine - ratio * target).doit()))
            if method:
                return f"{sp.sstr(ratio)} times{how} the key's, by {method}"
        return None

    def _misstated_gradient(self, reading: ConditionsReading) -> str | None:
        """The first gradient the answer names ("dL/dW2 = (1/n)(X − W₂W₁X)XᵀW₁ᵀ") that is
        not the true gradient up to the loss's 1/n (a ratio of 1 or n, a staff rule): a
        wrong factor or sign is a wrong step. None when every named one is right."""
        import sympy as sp

        n = self.context().symbols.get("n")
        keys = self.key()
        for mine, name in zip(reading.expressions, reading.named, strict=False):
            if name is None:
                continue
            index = _gradient_index(name)
            for position, theirs in enumerate(keys):
                if index is not None and position != index or mine.shape != theirs.shape:
                    continue
                ratio = _ratio(mine, theirs)
                if ratio is None or ratio == 0:
                    continue
                if not prove_zero(sp.expand((mine - ratio * theirs).doit())):
                    continue
                if ratio == 1 or (n is not None and sp.simplify(ratio - n) == 0):
                    break
                return (
                    f"the gradient stated as {name} is {sp.sstr(ratio)} times the true "
                    f"gradient {sp.sstr(theirs)} (only the loss's 1/n may differ)"
                )
        return None

    def compare(self, reading: ConditionsReading) -> Comparison:
        found = []
        unmatched = list(reading.expressions)
        for label, theirs in zip(self.labels, self.key(), strict=True):
            for mine in unmatched:
                how = self._multiple(mine, theirs)
                if how:
                    found.append(f"{label}: {how}")
                    unmatched.remove(mine)
                    break
            else:
                return Comparison(
                    "unknown",
                    "matrix conditions, up to a nonzero factor and transposition",
                    f"SymPy found no equation in the answer equivalent to {label}: a TA "
                    "should read it",
                )
        misstated = self._misstated_gradient(reading)
        if misstated:  # the conditions are right, a step stating them is not
            return Comparison(
                "unknown",
                "matrix conditions, up to a nonzero factor and transposition: " + "; ".join(found),
                misstated + ": a wrong step, for a TA to read",
            )
        extra = f"; {len(unmatched)} further equation(s) not judged" if unmatched else ""
        return Comparison(
            "equal",
            "matrix conditions, up to a nonzero factor and transposition: " + "; ".join(found),
            extra.lstrip("; "),
        )

    def same(self, first: ConditionsReading, second: ConditionsReading) -> bool:
        if len(first.expressions) != len(second.expressions):
            return False
        if self._misstated_gradient(first) or self._misstated_gradient(second):
            return False  # a wrong stated gradient matches no rubric reading
        return all(any(self._multiple(a, b) for b in second.expressions) for a in first.expressions)

    def show(self, reading: ConditionsReading) -> tuple[str, str]:
        import sympy as sp

        plain = "; ".join(
            f"{sp.sstr(e)} = 0".replace(".T", "ᵀ").replace("W_1", "W₁").replace("W_2", "W₂")
            for e in reading.expressions
        )
        latex = r",\quad ".join(f"{sp.latex(e)} = 0" for e in reading.expressions)
        return plain, latex


_IMPLIES = re.compile(
    r"⇔|⟺|⇒|⟹|<->|<=>|->|=>|\\(?:iff|Leftrightarrow|Longleftrightarrow|Rightarrow|implies)\b"
)
_ZERO_SIDE = re.compile(r"(?<![=<>!])=\s*0\s*\.?\s*$|^\s*0\s*=(?!=)")
_GRADIENT = (
    r"\s*(?:(?:∂|\\partial|∇|\\nabla|d)\s*\S*(?:\s+[A-Za-z]{1,3})?"
    r"\s*(?:/\s*(?:∂|\\partial|d)\s*\S+)?"
    r"|\\frac\s*\{\s*(?:∂|\\partial|d)[^{}]*\}\s*\{\s*(?:∂|\\partial|d)[^{}]*\})"  # \frac{∂L}{∂W_1}
)
_GRADIENT_IS_ZERO = re.compile(_GRADIENT + r"\s*=\s*0\s*\.?\s*$")  # a label, not a condition
# "∂L/∂W₁", "dL/dW1", "∇_{W₁}L", "\frac{\partial L}{\partial W_1}": a gradient's name
_GRADIENT_NAME = re.compile(_GRADIENT + r"\s*")
# "and" between two conditions, in the languages answers come in: und, et, en, e, y, i, ve…
_AND = re.compile(r"\s+(?:and|und|et|en|e|y|i|ve|och|og|dan|và|και|и)\s+", re.IGNORECASE)


def _gradient_index(name: str) -> int | None:
    """0 for a gradient named in W₁ ("dL/dW1", "∇_{W₁}L"), 1 for W₂, None when unclear."""
    ones, twos = re.search(r"W\W*_?\W*(?:1|₁)", name), re.search(r"W\W*_?\W*(?:2|₂)", name)
    if bool(ones) == bool(twos):
        return None
    return 0 if ones else 1


def _conditions_of(item: str) -> list[str]:
    """`item` cut at each "and" (in any of several languages) that joins two equations:
    "W₂ᵀ(…)Xᵀ = 0 e (…)XᵀW₁ᵀ = 0" is two conditions; a piece with no "=" stays with the
    one before it (a single-letter "e" or "y" inside an expression is no conjunction)."""
    pieces: list[str] = []
    position = 0
    for match in _AND.finditer(item):
        before, after = item[position : match.start()], item[match.end() :]
        if "=" in before and "=" in after:
            pieces.append(before)
            position = match.end()
    pieces.append(item[position:])
    return [p for p in pieces if p.strip()]


def _lhs_after_label(text: str) -> str:
    """ "∂L/∂W1: W2^T(...)" → the expression after a label ending in ':'."""
    if ":" in text:
        return text.rsplit(":", 1)[1]
    return text


def _ratio(mine, theirs):
    """The scalar c with mine ≈ c·theirs, read off the first term of each expansion."""
    import sympy as sp

    def first_term(expr):
        expanded = sp.expand(expr.doit())
        terms = expanded.args if isinstance(expanded, sp.MatAdd) else (expanded,)
        by_factors = {}
        for term in terms:
            coefficient, matrices = term.as_coeff_mmul()
            by_factors[matrices] = by_factors.get(matrices, 0) + coefficient
        return by_factors

    try:
        a, b = first_term(mine), first_term(theirs)
    except (AttributeError, TypeError, ValueError):
        return None
    for factors, coefficient in b.items():
        if factors in a and coefficient != 0:
            return sp.simplify(a[factors] / coefficient)
    return None


def _score_text(score: float) -> str:
    """A stated log-probability; NaN is a sum chain whose members disagree."""
    return "a sum whose members disagree" if math.isnan(score) else f"{score:g}"


def _key_score(log_probability: float, stated: float) -> str:
    """The key's score in the form the answer stated it (a probability when positive)."""
    if stated > 0:
        return f"probability exp({log_probability:.2f}) = {math.exp(log_probability):.4f}"
    return f"log-probability {log_probability:.2f}"


def _rank_score(score: float | None) -> float:
    """A stated score as a log-probability for ranking (a positive one is a probability)."""
    if score is None or math.isnan(score):
        return float("-inf")
    return math.log(score) if score > 0 else score


# --- does beam search find the optimum? (q5.d) ------------------------------------------


@dataclass(frozen=True)
class OptimumReading:
    says: str | None  # "yes" or "no", the first one the answer gives
    named: tuple[tuple[str, ...], ...]  # sequences of the full length the answer names
    scores: dict[tuple[str, ...], float] = field(default_factory=dict)
    # the answer says a named sequence is the most likely ("best", "optimal"), not only
    # better than the beam's output ("is better", "scores higher")
    claims_best: bool = True
    # stated sums that do not add up ("−0,65 − 0,80 − 0,01 = −1,36"): a wrong step
    bad_sums: tuple[str, ...] = ()


# "network network network (−1.54) is better": a counterexample, claimed better than the
# beam's output; "the most likely", "the best", "optimal" claim the optimum itself
_BETTER = re.compile(
    r"\b(?:better|higher|more\s+(?:likely|probable)|beats?|exceeds?|outscores?|larger|"
    r"greater|above|besser|höher|meilleure?|mieux|mejor|migliore|meglio|lepsz[ay]|"
    r"tốt\s+hơn|cao\s+hơn|лучше|больше|выше|更好|更高|更大)\b",
    re.IGNORECASE,
)
_BEST = re.compile(
    r"\b(?:best|most\s+(?:likely|probable)|optimal|optimum|highest|maximum|argmax|global|"
    r"beste|meilleure?s?\s+(?:séquence|solution)|la\s+plus|el\s+más|am\s+besten)\b",
    re.IGNORECASE,
)


# "no" and "yes" as whole words (so "sekwencja" holds no "ja"), in the languages answers
# come in: nein, non, nie (Polish), nee (Dutch), nej, não, hayır, không, tidak, όχι, нет
_NO = re.compile(
    r"(?<!\w)(?:no|not|never|doesn'?t|does\s+not|cannot|can't|fails|nein|non|nie|nee|nej|"
    r"não|hayır|không|tidak|bukan|όχι|нет|не)(?!\w)|否|不|没有",
    re.IGNORECASE,
)
_YES = re.compile(
    r"(?<!\w)(?:yes|yeah|yep|always|does|oui|ja|sí|tak|sim|evet|có|ναι|да)(?!\w)|是的|对",
    re.IGNORECASE,
)


_QUESTION = re.compile(r"(?m)^[ \t]*>.*$|[^.!?:\n]*\?")


@dataclass
class OptimumForm:
    """q5.d: "does beam search return the most likely sequence?": the yes/no, and, if the
    answer names them, the most likely sequence and its log-probability, against the
    key ({"beam": (tokens, logp), "optimum": (tokens, logp), "found_optimum": bool})."""

    key: Callable[[], dict]
    vocabulary: Callable[[], tuple[str, ...]]

    def read(self, text: str) -> OptimumReading:
        from answerkey.judging import extract

        if len(text) > extract.MAX_RAW_CHARS:
            raise TooExpensive("the answer is longer than 20,000 characters")
        length = len(self.key()["optimum"][0])
        # the question restated (a Markdown quote, a sentence ending in "?") is no answer
        answer = _QUESTION.sub(" ", text)
        text = answer if _NO.search(answer) or _YES.search(answer) else text
        no, yes = _NO.search(text), _YES.search(text)
        says = None
        if no and (not yes or no.start() <= yes.start()):
            says = "no"
        elif yes:
            says = "yes"
        runs = [
            (w, s)
            for w, s in extract.token_runs(text, self.vocabulary(), length)
            if len(w) == length
        ]
        if says is None and not runs:
            raise AnswerError("neither a yes/no nor a sequence found")
        named: list[tuple[str, ...]] = []
        scores: dict[tuple[str, ...], float] = {}
        for words, score in runs:
            if words not in named:
                named.append(words)
            if score is not None:
                scores.setdefault(words, score)
        claims_best = bool(_BEST.search(text)) or not _BETTER.search(text)
        bad_sums = tuple(extract.false_sums(text))
        return OptimumReading(says, tuple(named), scores, claims_best, bad_sums)

    def read_free(self, text: str, asked=None) -> OptimumReading:
        return self.read(text)

    def compare(self, reading: OptimumReading) -> Comparison:
        key = self.key()
        beam, beam_lp = tuple(key["beam"][0]), key["beam"][1]
        optimum, optimum_lp = tuple(key["optimum"][0]), key["optimum"][1]
        right = "yes" if key["found_optimum"] else "no"
        method = "the yes/no and the named sequences against the exhaustive ranking"
        opt_text = f"{' '.join(optimum)} ({optimum_lp:.2f})"
        if reading.says is not None and reading.says != right:
            return Comparison(
                "different",
                method,
                f"the answer is {right}: the most likely "
                f"sequence is {opt_text}, the beam returns {' '.join(beam)} "
                f"({beam_lp:.2f})",
                {"most likely": opt_text},
            )
        if reading.bad_sums:  # a stated score is a claim: false arithmetic is a wrong step
            return Comparison(
                "different",
                method,
                f"the stated sum {reading.bad_sums[0]} does not add up",
                {"most likely": opt_text},
            )
        others = [s for s in reading.named if s != beam]
        if reading.scores:
            ranked = sorted(others, key=lambda s: -_rank_score(reading.scores.get(s)))
            others = ranked
        if others and others[0] != optimum and optimum not in others:
            named = " ".join(others[0])
            counterexample = self._counterexample(reading, others[0], beam_lp)
            if counterexample is not None:
                return Comparison(counterexample[0], method, counterexample[1])
            return Comparison(
                "different",
                method,
                f"{named} is not the most likely sequence: {opt_text} is",
                {"named": named, "most likely": opt_text},
            )
        if optimum in reading.named and optimum in reading.scores:
            stated = reading.scores[optimum]
            if not _score_agrees(stated, optimum_lp):  # NaN: a chain that disagrees
                return Comparison(
                    "different",
                    method,
                    f"{' '.join(optimum)} has {_key_score(optimum_lp, stated)}, "
                    f"not {_score_text(stated)}",
                    {"log-probability": f"{optimum_lp:.2f}"},
                )
        if optimum in reading.named and reading.says in (None, right):
            return Comparison("equal", method, f"names the most likely sequence {opt_text}")
        return Comparison(
            "unknown",
            method,
            f"says {reading.says} but names no better sequence "
            f"(the key: {opt_text}); a TA reads the reason",
        )

    def _counterexample(self, reading: OptimumReading, named, beam_lp: float):
        """(relation, detail) for "no" with a sequence claimed better than the beam's
        output, not claimed the most likely: a valid counterexample is a full reason (a
        staff decision) when its log-probability is above the beam's output's and its
        stated score, if any, is right; None when the answer claims more."""
        if reading.says != "no" or reading.claims_best:
            return None
        ranking = {tuple(w): lp for w, lp in self.key().get("ranking", ())}
        if named not in ranking:
            return None
        true_lp, shown = ranking[named], " ".join(named)
        stated = reading.scores.get(named)
        if stated is not None and not _score_agrees(stated, true_lp):
            return (
                "different",
                f"{shown} has {_key_score(true_lp, stated)}, not {_score_text(stated)}",
            )
        if true_lp <= beam_lp:
            return (
                "different",
                f"{shown} ({true_lp:.2f}) is not more likely than the beam's output "
                f"({beam_lp:.2f})",
            )
        return (
            "equal",
            f"a valid counterexample: {shown} ({true_lp:.2f}) is more likely than the "
            f"beam's output ({beam_lp:.2f})",
        )

    def same(self, first: OptimumReading, second: OptimumReading) -> bool:
        return (
            first.says == second.says
            and set(first.named) == set(second.named)
            and first.claims_best == second.claims_best
            and first.bad_sums == second.bad_sums
        )

    def show(self, reading: OptimumReading) -> tuple[str, str]:
        named = "; ".join(" ".join(s) for s in reading.named)
        plain = (reading.says or "(no yes/no)") + (f", naming {named}" if named else "")
        latex = r"\text{" + plain.replace("_", " ") + "}"
        return plain, latex
