"""Checks built by evidence kind: factories that own the verdict rules.

A check function returns what it measured; the factory decides the verdict and
writes the detail line, in one wording per kind:

- `symbolic`:        an `Argument` (identities and decided facts) → PROVED,
                     REFUTED (only with a counterexample) or UNKNOWN
- `exhaustive`:      the same, over every case of a stated range, plus the
                     checked lemma that carries it beyond (or none, when the
                     range is the whole space)
- `exact_instances`: `Instances` → REFUTED with the first violation as the
                     counterexample, else PROVED (never on zero instances)
- `exact_witness`:   a `Witness` for a claim that something exists → PROVED
                     when the exact instance shows it, else UNKNOWN (a witness
                     that fails refutes nothing)
- `within_tolerance`: a `Measurement` of readings, each with the interval the
                     claim allows → PASS or FAIL, never PROVED
- `monte_carlo`:     a `Sample` (an Estimate against the claim and the plausible
                     wrong answers) → `verdicts.z_test`'s PASS or FAIL

The rules themselves are the ones `answerkey.verdicts` states; no check writes
its own verdict.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from answerkey.verdicts import Check, Evidence, Outcome, Verdict, all_proved, prove_equal, z_test

# --- what symbolic and exhaustive checks measure ------------------------------------------


@dataclass(frozen=True)
class Identity:
    """`derived = claimed`, for SymPy to prove (`verdicts.prove_equal`)."""

    derived: Any
    claimed: Any
    what: str


@dataclass(frozen=True)
class Fact:
    """A property SymPy or exact arithmetic decided: `holds` is True, False or None
    (undecided). False refutes only with a counterexample; without one it is UNKNOWN."""

    holds: bool | None
    what: str
    counterexample: dict[str, str] | None = None


@dataclass(frozen=True)
class Argument:
    """The steps an argument rests on, and the sentence that states what they show."""

    summary: str
    steps: Sequence[Identity | Fact]


def _step_outcome(step: Identity | Fact) -> Outcome:
    if isinstance(step, Identity):
        return prove_equal(step.derived, step.claimed, step.what)
    if step.holds is True:
        return Outcome(Verdict.PROVED, step.what)
    if step.holds is False and step.counterexample:
        return Outcome(Verdict.REFUTED, f"fails: {step.what}", step.counterexample)
    undecided = "undecided" if step.holds is None else "not established"
    return Outcome(Verdict.UNKNOWN, f"{undecided}: {step.what}")


def _judge_argument(argument: Argument, summary: str) -> Outcome:
    if not argument.steps:
        return Outcome(Verdict.UNKNOWN, f"{summary}: the argument has no steps")
    for step in argument.steps:  # stop at the first step that is not proved
        outcome = _step_outcome(step)
        if outcome.verdict is not Verdict.PROVED:
            return all_proved([outcome], summary)
    return Outcome(Verdict.PROVED, summary)


def symbolic(claim: str, argue: Callable[[], Argument], timeout_s: float = 60.0) -> Check:
    """A general check: every step of `argue()` proved for symbolic sizes → PROVED."""

    def run() -> Outcome:
        argument = argue()
        return _judge_argument(argument, argument.summary)

    return Check(claim, Evidence.GENERAL, run, timeout_s)


def exhaustive(
    claim: str,
    over: str,
    argue: Callable[[], Argument],
    lemma: str | tuple[str, ...] | None,
    timeout_s: float = 60.0,
) -> Check:
    """An exhaustive check: every case of the range `over` (e.g. "D = 1…8"), each a step of
    `argue()`. `lemma` is the claim (or claims) of the part's checked general steps that
    carry the result beyond the range; None only where the range is the whole space. The
    detail states the range; the statistics record the range and the lemma."""
    lemmas = (lemma,) if isinstance(lemma, str) else tuple(lemma or ())
    scope = {"range": over, "lemma": list(lemmas) or None}

    def run() -> Outcome:
        argument = argue()
        outcome = _judge_argument(argument, f"{argument.summary}, for every {over}")
        return Outcome(outcome.verdict, outcome.detail, outcome.counterexample, scope)

    return Check(claim, Evidence.EXHAUSTIVE, run, timeout_s, lemma=lemmas or None)


# --- exact instances -------------------------------------------------------------------------


@dataclass(frozen=True)
class Instances:
    """Exact instances checked against the claim: how many, and the ones that violate it,
    each as the values that show it (a counterexample)."""

    summary: str
    checked: int
    violations: Sequence[dict[str, str]] = ()
    statistics: dict[str, Any] | None = None


def _judge_instances(found: Instances) -> Outcome:
    if found.checked <= 0:
        return Outcome(Verdict.UNKNOWN, f"{found.summary}: no instance was checked")
    if found.violations:
        first = found.violations[0]
        at = ", ".join(f"{k} = {v}" for k, v in first.items())
        return Outcome(
            Verdict.REFUTED,
            f"{found.summary}: {len(found.violations)} of {found.checked} instances violate "
            f"the claim, first at {at}",
            counterexample=dict(first),
            statistics=found.statistics,
        )
    every = "the instance" if found.checked == 1 else f"all {found.checked:,} instances"
    return Outcome(
        Verdict.PROVED, f"{found.summary}: holds in {every}", statistics=found.statistics
    )


def exact_instances(claim: str, measure: Callable[[], Instances], timeout_s: float = 60.0) -> Check:
    """An exact-instance check: a violation in hand → REFUTED with it, else PROVED."""
    return Check(claim, Evidence.EXACT_INSTANCE, lambda: _judge_instances(measure()), timeout_s)


@dataclass(frozen=True)
class Witness:
    """An exact instance offered for a claim that something exists (a second optimum, a
    tie): `shown` is whether it has the property the claim asks for."""

    summary: str
    shown: bool
    instance: dict[str, str]


def _judge_witness(found: Witness) -> Outcome:
    if found.shown:
        return Outcome(Verdict.PROVED, found.summary)
    at = ", ".join(f"{k} = {v}" for k, v in found.instance.items())
    return Outcome(Verdict.UNKNOWN, f"{found.summary}: the instance does not show it ({at})")


def exact_witness(claim: str, find: Callable[[], Witness], timeout_s: float = 60.0) -> Check:
    """An existence check on one exact instance: shown → PROVED, else UNKNOWN."""
    return Check(claim, Evidence.EXACT_INSTANCE, lambda: _judge_witness(find()), timeout_s)


# --- numeric, within a tolerance -------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """A measured number and the interval the claim allows it, low ≤ value ≤ high (NaN is
    never inside). Build it with `at_most`, `at_least`, `near` or `between`."""

    what: str
    value: float
    low: float = -math.inf
    high: float = math.inf
    spec: str = ".3g"
    target: float | None = None  # for `near`: printed as target ± tolerance

    @property
    def ok(self) -> bool:
        return self.low <= self.value <= self.high

    def __str__(self) -> str:
        value = format(self.value, self.spec)
        if self.target is not None:
            allowed = f"expect {self.target:g} ± {self.high - self.target:.2g}"
        elif self.low == -math.inf:
            allowed = f"≤ {self.high:g}"
        elif self.high == math.inf:
            allowed = f"≥ {self.low:g}"
        else:
            allowed = f"within [{self.low:g}, {self.high:g}]"
        return f"{self.what} {value} ({allowed})"


def at_most(what: str, value: float, limit: float, spec: str = ".1e") -> Reading:
    return Reading(what, float(value), high=limit, spec=spec)


def at_least(what: str, value: float, limit: float, spec: str = ".3g") -> Reading:
    return Reading(what, float(value), low=limit, spec=spec)


def near(what: str, value: float, target: float, tolerance: float, spec: str = ".3f") -> Reading:
    return Reading(
        what, float(value), target - tolerance, target + tolerance, spec=spec, target=target
    )


def between(what: str, value: float, low: float, high: float, spec: str = ".3g") -> Reading:
    return Reading(what, float(value), low, high, spec=spec)


@dataclass(frozen=True)
class Observed:
    """A measured value that must equal the claimed one exactly (a list of nodes, a flag)."""

    what: str
    value: Any
    expected: Any

    @property
    def ok(self) -> bool:
        return self.value == self.expected

    def __str__(self) -> str:
        if isinstance(self.expected, bool):  # a condition: its statement, or its failure
            return self.what if self.ok else f"{self.what}: not so"
        if self.ok:
            return f"{self.what} {self.value}"
        return f"{self.what} {self.value} (claimed {self.expected})"


@dataclass(frozen=True)
class Measurement:
    """What a numeric check measured: how (`summary`), its readings, and its statistics."""

    summary: str
    readings: Sequence[Reading | Observed]
    statistics: dict[str, Any] | None = None


def _judge_measurement(measured: Measurement) -> Outcome:
    shown = "; ".join(map(str, measured.readings))
    detail = f"{measured.summary}: {shown}" if measured.summary else shown
    failed = [r.what for r in measured.readings if not r.ok]
    if not measured.readings:
        return Outcome(Verdict.FAIL, f"{measured.summary}: nothing was measured")
    # A numeric check always reports its statistic: the readings, where none was given.
    statistics = measured.statistics or {r.what: r.value for r in measured.readings}
    if failed:
        detail += f" — outside the claim: {', '.join(failed)}"
        return Outcome(Verdict.FAIL, detail, statistics=statistics)
    return Outcome(Verdict.PASS, detail, statistics=statistics)


def within_tolerance(
    claim: str, measure: Callable[[], Measurement], timeout_s: float = 60.0
) -> Check:
    """A numeric check: PASS when every reading is inside its interval, else FAIL."""
    return Check(claim, Evidence.NUMERIC, lambda: _judge_measurement(measure()), timeout_s)


# --- Monte Carlo ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """A Monte Carlo estimate (`numeric.monte_carlo.Estimate`) against the claimed value,
    and the plausible wrong answers the same samples must reject."""

    estimate: Any
    claimed: float
    wrong: dict[str, float]
    what: str


def monte_carlo(claim: str, sample: Callable[[], Sample], timeout_s: float = 60.0) -> Check:
    """A Monte Carlo check: `verdicts.z_test` decides PASS or FAIL."""

    def run() -> Outcome:
        s = sample()
        return z_test(s.estimate, s.claimed, s.wrong, s.what)

    return Check(claim, Evidence.NUMERIC, run, timeout_s)
