"""Judge one student answer against the key: a verdict, the method, the reason.

    judge("q2.a", "μ² d")     ->  CORRECT      (SymPy's expand reduces answer − key to 0)
    judge("q2.a", "d mu")     ->  INCORRECT    at d = 4, μ = 9/2: 18 vs 81 (+ rubric feedback)
    judge("q2.a", "d mu^2 +") ->  INVALID INPUT (the answer ends too early)

Verdicts:

    CORRECT        SymPy shows the answer equals the key (or an accepted reading)
                   under the part's assumptions
    INCORRECT      a counterexample is in hand: values of the part's variables
                   where the two differ (a missing/extra sequence, a growth direction)
    CANNOT TELL    neither; agreement at random points lands here, never at CORRECT
    INVALID INPUT  the text is not an answer we can read, or is too costly to judge

Credit: CORRECT earns the part's points; INCORRECT the credit of the rubric's
matching wrong answer (with its feedback), else the share of components that
are right (q3.c asks for time and memory) times the points, else 0; CANNOT TELL
and INVALID INPUT leave credit empty for a TA (an empty answer earns 0).

Which parts are judged, and how, is `FORMS`; parts whose answer is prose, a
notebook or a proof (q1.*, q3.a, q3.b.iii, q4.a, q4.b.ii, q5.d, q6) are not.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from functools import cache
from typing import Any

from answerkey.errors import UsageError
from answerkey.judging.equivalence import Comparison
from answerkey.judging.judged_parts import FORMS, NOT_CHECKABLE, NotCheckable, asked
from answerkey.judging.parser import AnswerError, IllTyped, TooExpensive, respell_indexed_dot
from answerkey.judging.text import printable


class Verdict(StrEnum):
    CORRECT = "CORRECT"
    INCORRECT = "INCORRECT"
    CANNOT_TELL = "CANNOT TELL"
    INVALID_INPUT = "INVALID INPUT"


@dataclass
class Judgement:
    part: str
    answer: str  # as given, printable and truncated
    verdict: Verdict
    method: str = ""
    detail: str = ""
    read_as: str = ""  # how the answer was read, built from SymPy (never the raw text)
    read_as_latex: str = ""
    counterexample: dict[str, str] | None = None
    credit: float | None = None
    points: float | None = None
    feedback: str = ""
    matched: str = ""  # the rubric's wrong answer or accepted reading it matched
    extracted: str = ""  # the span(s) of the student's text that were judged
    found_in: str = ""  # the line it came from, and how it was found
    assumed: str = ""  # substitutions made before judging (aliases, inline definitions)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["verdict"] = str(self.verdict)
        for name, value in out.items():
            if isinstance(value, str):
                out[name] = printable(value, limit=1000)
        if self.counterexample:
            out["counterexample"] = {
                printable(k, 100): printable(v, 300) for k, v in self.counterexample.items()
            }
        return out


# --- the parts that are judged ----------------------------------------------------------


@cache
def form_for(part_id: str):
    """The part's form; raises UnknownPart or NotCheckable."""
    from answerkey.parts import get_part

    get_part(part_id)  # UnknownPart for ids that do not exist
    if part_id in NOT_CHECKABLE:
        raise NotCheckable(
            f"{part_id} has no answer check can judge: it is {NOT_CHECKABLE[part_id]}"
        )
    if part_id not in FORMS:
        raise NotCheckable(f"{part_id} is not judged yet")
    try:
        return FORMS[part_id]()
    except ImportError as exc:  # the question's derivation has not landed
        raise NotCheckable(f"{part_id}'s key answer has not landed yet ({exc})") from None


def checkable_parts() -> list[str]:
    return list(FORMS)


# --- the rubric's known answers -------------------------------------------------------


@dataclass
class _Known:
    points: float | None
    wrong: list = field(default_factory=list)  # (WrongAnswer, reading)
    signed: list = field(default_factory=list)  # (WrongAnswer, reading) given with ±
    accepted: list = field(default_factory=list)  # (AcceptedReading, reading)
    items: tuple = ()  # the rubric's items (RubricItem)


@cache
def _known(part_id: str) -> _Known:
    from answerkey.rubric import load_rubric

    rubric = load_rubric()
    entry = rubric.parts.get(part_id)
    known = _Known(None if entry is None else entry.points)
    if entry is None:
        return known
    known.items = tuple(entry.items)
    form = form_for(part_id)
    for wrong in entry.wrong:
        try:
            reading, signed = read_rubric_answer(form, wrong.answer)
        except AnswerError:
            continue  # tests/test_judge.py checks that every rubric answer reads
        (known.signed if signed else known.wrong).append((wrong, reading))
    for accepted in entry.accepted:
        try:
            known.accepted.append((accepted, form.read(accepted.answer)))
        except AnswerError:
            continue
    return known


def read_rubric_answer(form, answer: str):
    """A rubric answer, read as a student's is: (reading, whether it was given with ±)."""
    return _read_signed(form, answer)


def prepare(part_id: str) -> None:
    """Load the key and the rubric's answers for a part (before forking workers)."""
    form = form_for(part_id)
    _known(part_id)
    key = getattr(form, "key", None)
    if callable(key):
        key()


# --- judging ----------------------------------------------------------------------------


def judge(part_id: str, text: str) -> Judgement:
    """The verdict on one answer. Raises UnknownPart / NotCheckable for the part
    (a usage error, not a verdict on the answer)."""
    return judge_with(form_for(part_id), text, part_id, _known(part_id))


def judge_with(form, text: str, part_id: str = "", known: _Known | None = None) -> Judgement:
    """The verdict on one answer by a given form (and the rubric's known answers)."""
    known = known or _Known(None)
    shown = printable(text, limit=300)
    base = Judgement(part_id, shown, Verdict.INVALID_INPUT, points=known.points)
    if not text or not text.strip():
        base.detail = "no answer given"
        base.feedback = "No answer."
        base.credit = 0.0 if known.points is not None else None
        return base
    if _SPREADSHEET.match(text):
        base.method = "reading the answer"
        base.detail = "a spreadsheet formula, not an answer"
        base.feedback = "Could not read the answer: it is a spreadsheet formula."
        return base
    try:
        attempt = read_answer(form, text, part_id)
    except IllTyped as exc:
        return _ill_typed(base, exc, known)
    except AnswerError as exc:
        base.method = "reading the answer"
        base.detail = str(exc)
        base.feedback = f"Could not read the answer: {exc}."
        extracted = getattr(exc, "found", None)
        if extracted is not None:
            _note_found(base, extracted)
        return base
    except RecursionError:
        base.detail = "nested too deeply to read"
        return base
    _note_found(base, attempt.found)
    reading = attempt.readings[0]
    try:
        shown = [form.show(r) for r in attempt.readings]
        base.read_as = " or ".join(p for p, _ in shown)
        base.read_as_latex = r" \text{ or } ".join(t for _, t in shown)
    except Exception:  # showing is a courtesy; a failure must not lose the verdict
        base.read_as = ""
    try:
        comparisons = [form.compare(r) for r in attempt.readings]
    except AnswerError as exc:  # found only when building the comparison
        base.method = "reading the answer"
        base.detail = str(exc)
        return base
    except (Exception, RecursionError) as exc:  # SymPy can fail in ways no test foresaw
        return _judge_failed(base, "the judge failed", exc)
    negation = getattr(attempt.found, "negated", "")
    if negation:  # "s = √d is not right": never CORRECT
        base.verdict = Verdict.CANNOT_TELL
        base.method = "reading the answer"
        base.detail = f"the answer denies what it states (“{negation}”): a TA should read it"
        base.feedback = "A TA should read this answer: it denies what it states."
        return base
    stated = _judge_stated_map(base, form, attempt)
    if stated is not None:
        return stated
    if len(comparisons) > 1:
        # "dμ², equivalently ‖μ‖² if μ is read as the vector (μ, …, μ)": an alternative
        # equal to a reading the rubric accepts (under its own condition) agrees
        comparisons = [
            _as_accepted(form, known, r, c)
            for r, c in zip(attempt.readings, comparisons, strict=True)
        ]
    comparison = comparisons[0]
    if len({c.relation for c in comparisons}) > 1:
        named = ", ".join(
            f"{shown[i][0] if i < len(shown) else '?'} is "
            f"{ {'equal': 'right', 'different': 'wrong', 'unknown': 'undecided'}[c.relation] }"
            for i, c in enumerate(comparisons)
        )
        comparison = Comparison(
            "unknown", "several answers in one, judged each", f"they disagree: {named}"
        )
    elif len(comparisons) > 1:
        comparison = Comparison(
            comparison.relation,
            f"several answers in one, judged each; all agree: {comparison.method}",
            comparison.detail,
            comparison.counterexample,
            comparison.share,
        )
    if comparison.relation == "equal" and len(attempt.readings) == 1:
        comparison = (
            _working_disagrees(form, text, reading)
            or _false_working(form, text, reading, known)
            or comparison
        )
    if attempt.sign and comparison.relation == "equal":
        return _both_signs(base, form, reading, known)
    base.method = comparison.method
    base.detail = comparison.detail
    if comparison.relation == "equal":
        base.verdict = Verdict.CORRECT
        base.credit = known.points
        base.feedback = "Correct." + (f" {comparison.detail}" if comparison.detail else "")
        return base
    for accepted, other in known.accepted:
        if form.same(reading, other):
            base.verdict = Verdict.CORRECT
            base.method = "equal to an accepted reading of the rubric"
            base.detail = accepted.note
            base.counterexample = None
            base.credit = known.points
            base.matched = accepted.answer
            base.feedback = f"Correct (accepted reading): {accepted.note}."
            return base
    match = next(((w, r) for w, r in known.wrong if form.same(reading, r)), None)
    if comparison.relation == "different":
        base.verdict = Verdict.INCORRECT
        base.counterexample = comparison.counterexample
        if match is not None:
            base.matched = match[0].answer
            base.credit = match[0].credit
            base.feedback = match[0].feedback
        else:
            base.credit = (
                None if known.points is None else round(known.points * comparison.share, 2)
            )
            base.feedback = (
                f"Not equal to the key: {comparison.detail}." if comparison.detail else ""
            )
        return base
    base.verdict = Verdict.CANNOT_TELL
    base.feedback = "A TA should read this answer."
    if match is not None:
        base.matched = match[0].answer
        base.feedback += (
            f" It matches a known wrong answer: {match[0].feedback}"
            f" (the rubric gives it {match[0].credit:g})"
        )
    return base


_WORKING_CLAUSE = re.compile(
    r"[,;\n]|\$|\\[()\[\]]|⇒|=>|→|\\(?:Rightarrow|implies|quad|qquad)\b|"
    r"\b(?:so|hence|thus|therefore|then|and|gives|giving|which|i\.e\.)\b",
    re.IGNORECASE,
)


def _working_disagrees(form, text: str, reading) -> Comparison | None:
    """A right final answer after working that solves for the asked quantity differently
    ("Var(qᵀk/s) = d/s = 1, so s = √d": d/s = 1 gives s = d): CANNOT TELL with the step,
    as for a wrong step of a chain. Only forms that solve for the asked quantity (q2.c's
    s); each equation of two adjacent members is read, at most 12 of them."""
    unknown = getattr(form, "unknown", None)
    if unknown is None:
        return None
    name = unknown()[0]
    tried = 0
    for clause in _WORKING_CLAUSE.split(text):
        if "=" not in clause or not re.search(rf"(?<![A-Za-z\\]){name}(?![A-Za-z])", clause):
            continue
        members = [m.strip() for m in re.split(r"(?<![<>!=])=(?!=)", clause)]
        members[0] = re.sub(r"^(?:[A-Za-z]{2,}\s+)+", "", members[0])  # "we need d/s² = 1"
        members[-1] = re.sub(r"(?:\s+[A-Za-z]{2,})+\s*\.?$", "", members[-1])
        for left, right in itertools.pairwise(members):
            if not left or not right or tried >= 12:
                continue
            tried += 1
            try:
                step = form.read(f"{left} = {right}")
            except (AnswerError, RecursionError):
                continue
            if not step.note.startswith("solved for") or form.same(step, reading):
                continue
            shown = form.show(step)[0]
            return Comparison(
                "unknown",
                "the final answer is right, but a step of the working solves for it differently",
                f"the step {left} = {right} gives {name} = {shown}",
                {"step": f"{left} = {right}"},
            )
    return None


# a term of the sum the asked quantity is: E[qᵢkᵢ], Var(qᵢkᵢ) (Σᵢ of it is E[qᵀk], Var(qᵀk))
_COMPONENT_TERM = re.compile(
    r"^(?P<op>\\mathbb\{E\}|\\mathrm\{Var\}|\\operatorname\{Var\}|E|Var)\s*"
    r"(?P<open>[\[(])\s*q_\{?i\}?\s*\*?\s*k_\{?i\}?\s*(?P<close>[\])])$"
)
_LEADING_WORDS = re.compile(r"^(?:[^\W\d_]{2,}[\s,:]+)+")
_TRAILING_WORDS = re.compile(r"(?:\s+[^\W\d_]{2,})+\s*\.?$")


# an arrow after a closed list or vector starts a clause of its own (in Q2/Q3, where no
# arrow joins a sequence's tokens): what follows is a consequence, its own span
_ARROW_AFTER_BRACKET = re.compile(r"(?<=\])[ \t]*(?:->|→|⇒|⟹|=>)[ \t]*")
# a parenthesized note in \text{…} beside a display's row ("\qquad \text{(independence)}")
_TEXT_REMARK = re.compile(r"\\(?:text|textrm|mathrm)\s*\{\s*\([^{}()]*\)\s*\}")


def _false_working(form, text: str, reading, known: _Known) -> Comparison | None:
    """A right final answer after a false step anywhere in the working, whatever prose
    separates the chains ("E[qᵢkᵢ] = E[qᵢ]E[kᵢ] = μ² + σ², toplarsak E[qᵀk] = dμ²"):
    CANNOT TELL with the step, as for a wrong step of the answer's own chain. Every clause
    with an equation is split into its members; a member the grammar reads, a member that
    names the asked quantity (its value is the answer's) and a term of the asked sum
    (E[qᵢkᵢ]: the answer over the count) are compared in turn, at most 24 members read.
    A bare name or number on one side ("for d = 64") is an instance, not a step."""
    from answerkey.judging import extract
    from answerkey.judging.equivalence import compare, same
    from answerkey.judging.forms import members_of, normalize

    asked_names = getattr(form, "asked", None)
    if asked_names is None or not hasattr(form, "_expression"):
        return None
    import sympy as sp

    words = _known_words(form)
    count = sp.Symbol(form.sum_count, positive=True, integer=True) if form.sum_count else None
    if count is not None:
        count = next((s for s in reading.value.free_symbols if s.name == form.sum_count), count)
    budget = 24
    for clause in _WORKING_CLAUSE.split(extract.without_asides(text)):
        if "=" not in clause or budget <= 0:
            continue
        try:
            members = members_of(extract._prose_cut(normalize(clause), words))
        except AnswerError:
            continue
        if len(members) < 2:
            continue
        members[0] = _LEADING_WORDS.sub("", re.sub(r"^.*:\s", "", members[0]))  # "Step 2: …"
        members[-1] = _TRAILING_WORDS.sub("", members[-1])
        values: list[tuple[str, Any]] = []
        for member in members:
            if not member or budget <= 0:
                continue
            term = _COMPONENT_TERM.match(member)
            budget -= 1  # each member read or compared costs a step of the budget
            if term is not None and count is not None:
                whole = f"{term['op']}{term['open']}q^T k{term['close']}"
                if asked_names.names(whole):
                    values.append((member, reading.value / count))
                continue
            if asked_names.names(member):
                values.append((member, reading.value))
                continue
            try:
                values.append((member, form._expression(member).value))
            except (AnswerError, RecursionError, ValueError, TypeError):
                continue
        for (left, a), (right, b) in itertools.pairwise(values):
            if getattr(a, "is_Atom", False) or getattr(b, "is_Atom", False):
                if not (_COMPONENT_TERM.match(left) or _COMPONENT_TERM.match(right)):
                    continue
            check = compare(a, b, form.display, form.assumptions)
            if check.relation != "different":
                continue
            named = [v for m, v in ((left, b), (right, a)) if asked_names.names(m)]
            if named and (
                form._compare_value(named[0]).relation == "equal"
                or any(same(named[0], r.value) for _, r in known.accepted)
            ):
                continue  # "E[qᵀk] = ‖μ‖²": a reading the part accepts, not a false step
            point = {
                k: v
                for k, v in (check.counterexample or {}).items()
                if k not in ("your answer", "key")
            }
            where = ", ".join(f"{k} = {v}" for k, v in point.items())
            return Comparison(
                "unknown",
                "the final answer is right, but a step of the working is false",
                f"the step {left} = {right} is false at {where}",
                {**point, "step": f"{left} = {right}"},
            )
    return None


def _ill_typed(base: Judgement, exc: IllTyped, known: _Known) -> Judgement:
    """An answer that reads but multiplies or adds matrices whose shapes do not fit: a
    wrong answer (a TA marks it so), INCORRECT with the reason; the credit is the rubric's
    item for mismatched shapes when the part has one, else 0."""
    base.verdict = Verdict.INCORRECT
    base.method = "matrix shapes checked"
    base.detail = str(exc)
    extracted = getattr(exc, "found", None)
    if extracted is not None:
        _note_found(base, extracted)
    item = next(
        (i for i in known.items if "shapes do not match" in i.description and i.delta < 0),
        None,
    )
    if known.points is None:
        base.credit = None
    else:
        base.credit = max(0.0, known.points + item.delta) if item is not None else 0.0
    base.feedback = f"Not a valid equation: {exc}." + (
        f" ({item.description}, {item.delta:g})" if item is not None else ""
    )
    return base


def _judge_failed(base: Judgement, method: str, exc: BaseException) -> Judgement:
    """`base` as CANNOT TELL for a TA, when SymPy failed on a reading."""
    base.verdict = Verdict.CANNOT_TELL
    base.method = method
    base.detail = f"{type(exc).__name__}: {printable(exc, 200)}"
    base.feedback = "A TA should read this answer."
    return base


def _judge_stated_map(base: Judgement, form, attempt: Attempt) -> Judgement | None:
    """The φ an answer states beside the feature count it is judged on: every stated part
    is judged, so a wrong map is INCORRECT and an unreadable one goes to a TA, whatever the
    count. None when the map is right (or none is stated): the count decides."""
    stated = attempt.stated
    if stated is None:
        return None
    if isinstance(stated, AnswerError):
        base.verdict = Verdict.CANNOT_TELL
        base.method = "the answer states φ, and the stated φ could not be read"
        base.detail = str(stated)
        base.feedback = "A TA should read this answer: the count is not judged without its φ."
        return base
    try:
        comparison = form.compare(stated)
        shown = form.show(stated)[0]
    except (Exception, RecursionError) as exc:  # SymPy can fail in ways no test foresaw
        return _judge_failed(base, "the judge failed on the stated φ", exc)
    base.read_as = f"{shown}; {base.read_as}" if base.read_as else shown
    if comparison.relation == "equal":
        return None
    base.method = f"the stated φ: {comparison.method}"
    base.detail = comparison.detail
    if comparison.relation == "different":
        base.verdict = Verdict.INCORRECT
        base.counterexample = comparison.counterexample
        base.credit = None if base.points is None else 0.0
        base.feedback = f"The stated φ is wrong: {comparison.detail}."
    else:
        base.verdict = Verdict.CANNOT_TELL
        base.feedback = "A TA should read this answer: the stated φ was not decided."
    return base


# --- reading free text --------------------------------------------------------------------


@dataclass
class Attempt:
    readings: list  # one per answer given (several: "√d or d^{1/2}")
    found: Any = None  # extract.Found, or None when the whole text read as it is
    sign: bool = False  # the answer was given with ± (both signs)
    stated: Any = None  # q3.b.ii: the φ stated beside the count (a reading or AnswerError)


# Python's spellings of the functions the grammar reads: np.sqrt(d), math.log(k)
_MODULE_PREFIX = re.compile(
    r"(?<![\w.])(?:np|numpy|math|torch|jnp|sp|sympy)\.(?=(?:sqrt|log2?|exp|abs|max|min)\s*\()"
)
_FLOOR_DIVISION = re.compile(r"(?<=[\w)\]])\s*//\s*(?=[\w(])")
# Python/numpy spellings: "a @ b" the matrix product, "X.T" the transpose, "==" an equation,
# "**" a power (the grammar reads it); a "# …" comment after code, or on its own line in an
# answer written as code, is a remark ("# simulation gave ~64.1" is not the answer)
_SIZED_FRAC = re.compile(r"\\[dt]frac(?![A-Za-z])")
_MATMUL = re.compile(r"(?<=[\w)\]])[ \t]*@[ \t]*(?=[\w(\[])")
_TRANSPOSE = re.compile(r"(?<=[\w)\]])\.T(?![\w(])")
_DOUBLE_EQUALS = re.compile(r"(?<![=!<>])==(?!=)")
_INLINE_COMMENT = re.compile(r"(?m)(?<=\S)[ \t]+#[ \t][^\n]*$")
_COMMENT_LINE = re.compile(r"(?m)^[ \t]*#[ \t][^\n]*(?:\n|$)")
_CODE = re.compile(
    r"==|[\w)](?:\*\*|[ \t]\*\*[ \t])[\w(]|[\w)\]][ \t]*@[ \t]*[\w(]|\.T(?![\w(])"
    r"|(?<![\w.])(?:np|numpy|math|torch)\.\w"
)


_LAMBDA = re.compile(r"\b(\w+)\s*=\s*lambda\s+(\w+)\s*:")
_OUTER = re.compile(r"(?<![\w.])(?:np\.|numpy\.|torch\.)?outer\(\s*(\w+)\s*,\s*(\w+)\s*\)")
_FLATTENED = re.compile(r"(\([^()]*\)|\b\w+)\.(?:ravel|flatten)\(\)|\.reshape\(\s*-1\s*\)")
_STACK = re.compile(r"(?<![\w.])(?:np\.|numpy\.|torch\.)?(?:concatenate|hstack|cat)\(")
_ONE_ITEM = re.compile(r"\[\s*([-+]?[\w.]+)\s*\]")


def _vec(match: re.Match) -> str:
    """`(q ⊗ q).ravel()` → `vec(q ⊗ q)`; `.reshape(-1)` after a name is dropped."""
    flat = match.group(1)
    if flat is None:
        return ""
    return f"vec{flat}" if flat.startswith("(") else f"vec({flat})"


def _stacked(text: str) -> str:
    """`np.concatenate((a, b, c))` → `[a, b, c]` (the blocks of one vector)."""
    while match := _STACK.search(text):
        depth, end = 0, None
        for i in range(match.end() - 1, len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                end = i
                break
        if end is None:
            return text
        inner = text[match.end() : end].strip()
        if inner[:1] in "([" and inner[-1:] in ")]":
            inner = inner[1:-1]
        inner = _ONE_ITEM.sub(r"\1", inner)  # "[1.0]": a block of one entry
        text = f"{text[: match.start()]}[{inner}]{text[end + 1 :]}"
    return text


def python_code(text: str) -> str:
    """`text` with Python's notation read as math: comments dropped (inline ones always,
    whole-line ones when the answer is code), `@` a product, `.T` a transpose, `==` `=`."""
    code = "\n".join(line for line in text.split("\n") if not re.match(r"[ \t]*#", line))
    inline = _INLINE_COMMENT.search(text) is not None
    text = _INLINE_COMMENT.sub("", text)
    if inline or _CODE.search(code):
        text = _COMMENT_LINE.sub("", text)
    text = _LAMBDA.sub(r"\1(\2) =", text)  # "phi = lambda q: …" defines φ(q)
    text = _OUTER.sub(r"(\1 ⊗ \2)", text)
    text = _FLATTENED.sub(_vec, text)
    text = _stacked(text)
    text = _MATMUL.sub(" ", text)
    text = _TRANSPOSE.sub("^T", text)
    return _DOUBLE_EQUALS.sub("=", text)


# a gradient written with d or in words names the same thing as ∂L/∂W₁
_W = r"(?P<w>W_?\{?[0-9₀-₉]\}?)"
_D_GRADIENT = re.compile(rf"(?<![A-Za-z\\])d\s*L\s*/\s*d\s*{_W}")
_GRADIENT_WORDS = re.compile(
    rf"\b(?:the\s+)?gradients?\s+(?:of\s+(?:the\s+loss|L)\s+)?"
    rf"(?:wrt\.?|w\.r\.t\.?|with\s+respect\s+to)\s+{_W}\s*(?:is|:|=)",
    re.IGNORECASE,
)
_SPREADSHEET = re.compile(r"\s*[=@]\s*[A-Za-z_.]+\s*\(")  # =HYPERLINK(…), @SUM(…)
_PLUS_MINUS = re.compile(r"±|∓|\\pm\b|\\mp\b|\+-|\+/-")


def read_answer(form, text: str, part_id: str = "") -> Attempt:
    """The answer(s) in `text`, read by `form`: the whole text when it has no prose and
    reads as it is (or respelled: delimiters, Markdown and LaTeX wrappers removed), else
    the span(s) `extract.find` picks from the prose; forms with their own free reading
    (O(…) classes, sequences, q5.d) use it. Raises AnswerError (with `.found` set when a
    span was found but did not read)."""
    from answerkey.judging import extract

    if len(text) > extract.MAX_RAW_CHARS:
        raise TooExpensive(f"the answer is {len(text):,} characters long; the limit is 20,000")
    ask, known = asked(part_id), _known_words(form)
    text = python_code(text)  # "d * mu**2  # sigma cancels": code and its comments
    text = extract.tables(text)  # a Markdown table: each cell under its column's name
    text = _SIZED_FRAC.sub(r"\\frac", text)  # "\tfrac{(D+1)(D+2)}{2}" in prose: a fraction
    text = extract.RESTATED.sub(r" = \1", text)  # "s = √d (= d^{1/2})": a chain
    text = _TEXT_REMARK.sub(" ", text)  # "\qquad \text{(independence)}": a margin note
    text = extract.SIGN_CONDITION.sub(" ", text)  # "s = sqrt(d) (s>0)": the root it takes
    text = extract.own_part(text, part_id)  # "(a) … (b) … (c) …": this part's answer only
    text = respell_indexed_dot(text)  # Σᵢ qᵢkᵢ is qᵀk, before the spans are found
    text = _MODULE_PREFIX.sub("", text)  # "np.sqrt(d)", "math.log(k)": the function itself
    text = _FLOOR_DIVISION.sub("/", text)  # "(D+1)*(D+2)//2": Python's integer division
    if part_id.startswith(("q2", "q3")):  # "φ(q) = […] -> (D+1)(D+2)/2 dims": a consequence
        text = _ARROW_AFTER_BRACKET.sub("; ", text)
    if getattr(form, "joins_spans", False):  # q4.b.i: "dL/dW1 =", "the gradient wrt W1 is"
        text = _GRADIENT_WORDS.sub(r"∂L/∂\g<w> =", _D_GRADIENT.sub(r"∂L/∂\g<w>", text))
    if not hasattr(form, "read_free"):
        text = extract.unnumber(text)  # "1. … 2. …": every item is the answer
    pure = extract.all_math(text, ask, known)  # no prose: the text is the answer
    if hasattr(form, "read_free"):
        if pure or not getattr(form, "strict_needs_pure", False):
            whole = _try(form, text)
            if whole is not None:
                return Attempt([whole[0]], None, whole[1])
        return Attempt([form.read_free(text, ask)], getattr(form, "last_found", None))
    error = AnswerError("no answer found in the text")
    if pure:
        try:
            whole = _read_signed(form, text)
            return Attempt([whole[0]], None, whole[1])
        except AnswerError as exc:
            error = exc
    prepared, shown = extract.prepare(text, ask)
    if prepared != text and "\n" not in text.strip() and extract.all_math(prepared, ask, known):
        whole = _try(form, prepared)
        if whole is not None:
            how = "the whole answer, respelled"
            found = extract.Found((prepared,), text.strip(), how, shown, (prepared,))
            return Attempt([whole[0]], found, whole[1])
    if pure and not re.search(r"\\boxed|\$|\\\(|\\\[|\\begin\{", text):
        raise error  # no prose around it: the answer itself does not read
    found = extract.find(text, ask, known)
    joined = getattr(form, "joins_spans", False)
    if joined and found.all_math:  # every condition is judged, so every one is shown
        equations = tuple(m for m in found.all_math if "=" in m)  # not "the gradient of $L$"
        found = replace(
            found, spans=equations or found.all_math, all_math=equations or found.all_math
        )
    spans = ["; ".join(found.all_math)] if joined and found.all_math else list(found.spans)
    readings, sign = [], False
    for span in spans:
        try:
            reading, signed = _read_signed(form, span, found.named)
        except AnswerError as exc:
            if found.how == "the whole answer" and not isinstance(exc, (TooExpensive, IllTyped)):
                exc = AnswerError(f"no expression this part reads was found in the text ({exc})")
            exc.found = found
            raise exc from None
        readings.append(reading)
        sign = sign or signed
    stated_map = getattr(form, "stated_map", None)
    stated = stated_map(found.all_math, readings[0], text) if stated_map and readings else None
    return Attempt(readings, found, sign, stated)


def _try(form, text: str):
    try:
        return _read_signed(form, text)
    except (AnswerError, RecursionError):
        return None


def _read_signed(form, text: str, named: bool = False):
    read = form.read
    if named and getattr(form, "reads_named", False):
        read = functools.partial(form.read, named=True)
    if _PLUS_MINUS.search(text):
        return read(_PLUS_MINUS.sub("+", text)), True
    return read(text), False


def _known_words(form) -> set[str]:
    vocabulary = getattr(form, "vocabulary", None)
    if callable(vocabulary):  # token words, and their prefixes of 3 letters or more
        words = set(vocabulary())
        return words | {w[:n] for w in words for n in range(3, len(w))} | {"and"}
    known = set(vocabulary.known_words()) if vocabulary is not None else set()
    if vocabulary is not None:
        known |= set(vocabulary.indexed)
    known |= set(getattr(form, "words", ()))  # notation the form respells itself (vec, ⊗)
    if getattr(form, "unknown", None) is not None:
        known.add(form.unknown()[0])
    if getattr(form, "classes", False) or (vocabulary is not None and vocabulary.classes):
        known.add("O")
    return known


def _note_found(judgement: Judgement, found) -> None:
    if found is None:
        return
    judgement.extracted = printable(" | ".join(found.spans), 300)
    judgement.found_in = printable(f"{found.how}: {found.line}", 300)
    judgement.assumed = printable("; ".join(found.substitutions), 300)


def _as_accepted(form, known, reading, comparison: Comparison) -> Comparison:
    """`comparison`, or "equal" when `reading` is one of the rubric's accepted readings."""
    if comparison.relation == "equal":
        return comparison
    for accepted, other in known.accepted:
        if form.same(reading, other):
            return Comparison("equal", f"equal to an accepted reading: {accepted.note}", "")
    return comparison


def _both_signs(base: Judgement, form, reading, known: _Known) -> Judgement:
    """±(the right answer): the part asks for the positive value. The rubric's wrong
    answer given with ± (q2.c's `±sqrt(d)`, under its sign item) sets the credit and the
    feedback; without one a TA decides."""
    base.verdict = Verdict.CANNOT_TELL
    base.method = "both signs given (±): the positive root is the key"
    base.detail = "the part asks for a positive quantity; the + sign alone is right"
    match = next((w for w, r in known.signed if form.same(reading, r)), None)
    if match is not None:
        base.verdict = Verdict.INCORRECT
        base.credit = match.credit
        base.feedback = match.feedback
        base.matched = match.answer
    else:
        base.feedback = (
            "The + root is right, but ± gives a negative value too: the rubric has no item "
            "for it here, so a TA decides."
        )
    return base


# --- one answer from the command line ----------------------------------------------------


def check_one(part_id: str, text: str, cpu_seconds: float = 5.0) -> Judgement:
    """Judge one answer in a limited child process (`answerkey check`)."""
    from answerkey.judging.sandbox import Finished, Limits, run_one
    from answerkey.parts import UnknownPart

    try:
        prepare(part_id)
    except UnknownPart as exc:
        raise UsageError(str(exc)) from None
    except NotCheckable as exc:
        raise UsageError(str(exc)) from None
    outcome = run_one(judge, (part_id, text), Limits(cpu_seconds=cpu_seconds))
    if isinstance(outcome, Finished):
        return outcome.value
    return Judgement(
        part_id,
        printable(text),
        Verdict.CANNOT_TELL,
        method="judging stopped",
        detail=outcome.reason,
        points=_known(part_id).points,
        feedback="A TA should read this answer: judging it hit a resource limit.",
    )


def format_judgement(judgement: Judgement) -> str:
    """The human-readable report `answerkey check` prints (every field printable)."""
    j = judgement.to_json()
    lines = [f"{j['part']}: {j['verdict']}", f"  answer     {j['answer']}"]
    if j["read_as"]:
        lines.append(f"  read as    {j['read_as']}")
    if j["method"]:
        lines.append(f"  method     {j['method']}")
    if j["detail"]:
        lines.append(f"  detail     {j['detail']}")
    if j["counterexample"]:
        shown = ", ".join(f"{k} = {v}" for k, v in j["counterexample"].items())
        lines.append(f"  witness    {shown}")
    if j["extracted"]:
        lines.append(f"  extracted  {j['extracted']}")
        lines.append(f"  found in   {j['found_in']}")
    if j["assumed"]:
        lines.append(f"  assumed    {j['assumed']}")
    if j["matched"]:
        lines.append(f"  matches    {j['matched']}")
    if j["feedback"]:
        lines.append(f"  feedback   {j['feedback']}")
    if j["points"] is not None:
        credit = "for a TA" if j["credit"] is None else f"{j['credit']:g}"
        lines.append(f"  credit     {credit} / {j['points']:g}")
    return "\n".join(lines)


EXIT_BY_VERDICT = {
    Verdict.CORRECT: 0,
    Verdict.INCORRECT: 1,
    Verdict.CANNOT_TELL: 1,
    Verdict.INVALID_INPUT: 2,
}
