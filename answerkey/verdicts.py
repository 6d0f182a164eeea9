"""Verdicts and evidence: what a check established, and how.

A symbolic check ends PROVED, REFUTED or UNKNOWN. REFUTED needs a
counterexample in hand (exact values at which the two sides differ); a
`simplify` that fails to reach zero is UNKNOWN, never REFUTED. A numeric
check ends PASS or FAIL and carries its statistic. A check that raises ends
ERROR. Only PROVED and PASS count as passed.

The evidence kind says exactly what was shown:

- general:        SymPy, for symbolic sizes under the declared assumptions
- exhaustive:     every concrete size in a stated range, plus a checked lemma
- exact instance: rational arithmetic on generated instances
- numeric:        Monte Carlo or floating point, with its statistic
"""

from __future__ import annotations

import contextlib
import random
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    PROVED = "PROVED"
    REFUTED = "REFUTED"
    UNKNOWN = "UNKNOWN"
    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"

    @property
    def passed(self) -> bool:
        return self in (Verdict.PROVED, Verdict.PASS)


class Evidence(StrEnum):
    GENERAL = "general"
    EXHAUSTIVE = "exhaustive"
    EXACT_INSTANCE = "exact instance"
    NUMERIC = "numeric"


@dataclass(frozen=True)
class Outcome:
    """What a check function returns: the verdict and the facts behind it."""

    verdict: Verdict
    detail: str
    counterexample: dict[str, str] | None = None
    statistics: dict[str, Any] | None = None


@dataclass(frozen=True)
class Check:
    """One claim about a part, the kind of evidence its function produces, and that function.

    Build checks with the factories of `answerkey.evidence`, which own the verdict rules.
    `lemma` (exhaustive checks) names the claims of the checked general steps that carry an
    exhaustive range further.
    """

    claim: str
    evidence: Evidence
    run: Callable[[], Outcome]
    timeout_s: float = 60.0
    lemma: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CheckResult:
    part: str
    claim: str
    evidence: Evidence
    verdict: Verdict
    detail: str
    counterexample: dict[str, str] | None = None
    statistics: dict[str, Any] | None = None
    seconds: float = field(default=0.0, compare=False)

    def to_json(self, with_timing: bool = False) -> dict[str, Any]:
        out = {
            "part": self.part,
            "claim": self.claim,
            "evidence": str(self.evidence),
            "verdict": str(self.verdict),
            "detail": self.detail,
            "counterexample": self.counterexample,
            "statistics": self.statistics,
        }
        if with_timing:
            out["seconds"] = round(self.seconds, 3)
        return out


class CheckTimeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise CheckTimeout in the main thread after `seconds` of wall time.

    SymPy is pure Python, so an interval timer interrupts it between bytecodes.
    Off the main thread (where signals cannot be delivered) no limit applies.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        raise CheckTimeout(f"no answer within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_check(part: str, check: Check) -> CheckResult:
    """Run one check under its time limit; a timeout is UNKNOWN, an exception is ERROR."""
    start = time.perf_counter()
    try:
        with time_limit(check.timeout_s):
            outcome = check.run()
    except CheckTimeout as exc:
        outcome = Outcome(Verdict.UNKNOWN, f"timed out: {exc}")
    except Exception as exc:  # a failing check must not stop the others
        last = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"
        outcome = Outcome(Verdict.ERROR, f"{type(exc).__name__}: {exc} ({where})")
    if not isinstance(outcome, Outcome):
        outcome = Outcome(Verdict.ERROR, f"check returned {type(outcome).__name__}, not Outcome")
    if check.evidence is Evidence.NUMERIC and outcome.verdict in (Verdict.PROVED,):
        outcome = Outcome(Verdict.ERROR, "a numeric check cannot prove", None, outcome.statistics)
    return CheckResult(
        part=part,
        claim=check.claim,
        evidence=check.evidence,
        verdict=outcome.verdict,
        detail=outcome.detail,
        counterexample=outcome.counterexample,
        statistics=outcome.statistics,
        seconds=time.perf_counter() - start,
    )


# --- symbolic equality -------------------------------------------------------


def _sample_value(symbol, rng: random.Random):
    """An exact value that satisfies the symbol's SymPy assumptions."""
    import sympy as sp

    if symbol.is_integer:
        low = 1 if symbol.is_positive else (0 if symbol.is_nonnegative else -6)
        return sp.Integer(rng.randint(low, 7))
    numerator = rng.randint(1, 19)
    value = sp.Rational(numerator, rng.randint(1, 7))
    if symbol.is_positive or symbol.is_nonnegative:
        return value
    return value if rng.random() < 0.5 else -value


def find_counterexample(
    difference,
    symbols=None,
    tries: int = 40,
    seed: int = 0,
    sampler: Callable[[Any, random.Random], Any] | None = None,
) -> dict[str, str] | None:
    """Exact values of the free symbols at which `difference` is certainly nonzero.

    Values are drawn to satisfy each symbol's assumptions (positive, integer, ...).
    Only a difference that SymPy decides is nonzero counts; undecided points are skipped.
    """
    import sympy as sp

    rng = random.Random(seed)
    symbols = sorted(difference.free_symbols if symbols is None else symbols, key=str)
    sampler = sampler or _sample_value
    for _ in range(tries):
        point = {s: sampler(s, rng) for s in symbols}
        try:
            value = sp.simplify(difference.subs(point).doit())
        except (ZeroDivisionError, ValueError, TypeError):
            continue
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or value.free_symbols:
            continue
        if value.is_zero is False:
            return {str(s): sp.sstr(v) for s, v in point.items()}
    return None


def prove_equal(lhs, rhs, what: str = "the two sides", tries: int = 40) -> Outcome:
    """PROVED if SymPy reduces lhs - rhs to 0 under the symbols' assumptions;
    REFUTED with exact values where they differ; else UNKNOWN.
    """
    import sympy as sp

    difference = sp.sympify(lhs) - sp.sympify(rhs)
    for reduce in (sp.expand, sp.simplify):
        if reduce(difference.doit()) == 0:
            return Outcome(Verdict.PROVED, f"SymPy reduces the difference of {what} to 0")
    counterexample = find_counterexample(difference, tries=tries)
    if counterexample is not None:
        at = ", ".join(f"{k} = {v}" for k, v in counterexample.items())
        lhs_at = sp.simplify(sp.sympify(lhs).subs(_parse_point(counterexample, difference)).doit())
        rhs_at = sp.simplify(sp.sympify(rhs).subs(_parse_point(counterexample, difference)).doit())
        return Outcome(
            Verdict.REFUTED,
            f"{what} differ at {at}: {sp.sstr(lhs_at)} ≠ {sp.sstr(rhs_at)}",
            counterexample=counterexample,
        )
    return Outcome(
        Verdict.UNKNOWN,
        f"SymPy did not reduce the difference of {what} to 0, "
        f"and {tries} exact sample points found no counterexample",
    )


def _parse_point(point: dict[str, str], expr) -> dict:
    import sympy as sp

    by_name = {str(s): s for s in expr.free_symbols}
    return {by_name[name]: sp.Rational(value) for name, value in point.items()}


def all_proved(outcomes: list[Outcome], summary: str) -> Outcome:
    """Combine the outcomes of the steps of one argument: it is proved only if every step is."""
    for outcome in outcomes:
        if outcome.verdict is not Verdict.PROVED:
            return Outcome(
                outcome.verdict,
                f"{summary}: a step is {outcome.verdict}: {outcome.detail}",
                outcome.counterexample,
                outcome.statistics,
            )
    return Outcome(Verdict.PROVED, summary)


# --- Monte Carlo -------------------------------------------------------------


def z_test(
    estimate, claimed: float, wrong: dict[str, float] | None = None, what: str = "estimate"
) -> Outcome:
    """PASS if the estimate is consistent with the claim at the false-alarm level,
    and (when `wrong` answers are given) inconsistent with every one of them.

    `estimate` is a `numeric.monte_carlo.Estimate`; rejecting the plausible wrong
    answers with the same samples shows the check has the power to catch them.
    """
    from numeric.monte_carlo import FALSE_ALARM, critical_z

    limit = critical_z(FALSE_ALARM)
    z = estimate.z(claimed)
    rejected = {name: round(estimate.z(value), 1) for name, value in (wrong or {}).items()}
    missed = [name for name, zw in rejected.items() if abs(zw) <= limit]
    statistics = {
        **estimate.as_dict(),
        "claimed": claimed,
        "z": round(z, 3),
        "critical_z": round(limit, 2),
        "false_alarm": FALSE_ALARM,
        "wrong_answer_z": rejected,
    }
    summary = (
        f"{what} {estimate.value:.6g} ± {estimate.stderr:.2g} (n = {estimate.n:,}, "
        f"seed {estimate.seed}) vs {claimed:.6g}: z = {z:+.2f}"
    )
    if abs(z) > limit:
        return Outcome(Verdict.FAIL, f"{summary}, beyond ±{limit:.2f}", statistics=statistics)
    if missed:
        return Outcome(
            Verdict.FAIL,
            f"{summary}, but the check cannot tell it from {', '.join(missed)}",
            statistics=statistics,
        )
    if rejected:
        summary += "; rejects " + ", ".join(f"{n} (z = {zw:+g})" for n, zw in rejected.items())
    return Outcome(Verdict.PASS, summary, statistics=statistics)
