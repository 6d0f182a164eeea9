"""The verdict model: what each verdict requires, and that nothing passes silently."""

import time

import sympy as sp

from answerkey.verdicts import (
    Check,
    Evidence,
    Outcome,
    Verdict,
    all_proved,
    find_counterexample,
    prove_equal,
    run_check,
)

x = sp.Symbol("x", positive=True)
n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)


def test_true_identity_is_proved():
    assert prove_equal((x + 1) ** 2, x**2 + 2 * x + 1).verdict is Verdict.PROVED


def test_wrong_claim_is_refuted():
    assert prove_equal((x + 1) ** 2, x**2 + 1).verdict is Verdict.REFUTED


def test_refutation_carries_a_counterexample_where_the_sides_differ():
    outcome = prove_equal((x + 1) ** 2, x**2 + 1)
    at = sp.Rational(outcome.counterexample["x"])
    assert ((at + 1) ** 2) != at**2 + 1


def test_counterexample_respects_assumptions():
    # d - |d| vanishes for every positive d: no counterexample may be drawn from d ≤ 0.
    d = sp.Symbol("d", positive=True)
    assert find_counterexample(d - sp.Abs(d)) is None


def test_true_claim_sympy_cannot_reduce_is_unknown_not_proved():
    # Σ_{k≤n} 1/k² = π²/6 − ψ′(n+1) is true, but SymPy does not reduce it.
    outcome = prove_equal(sp.Sum(1 / k**2, (k, 1, n)), sp.pi**2 / 6 - sp.polygamma(1, n + 1))
    assert outcome.verdict is Verdict.UNKNOWN


def test_claim_about_an_unspecified_function_is_unknown_not_refuted():
    f = sp.Function("f")
    outcome = prove_equal(f(x), f(1 / x))
    assert outcome.verdict is Verdict.UNKNOWN
    assert outcome.counterexample is None


def test_timeout_is_unknown():
    def hangs():
        time.sleep(5)
        return Outcome(Verdict.PROVED, "never reached")

    result = run_check("q0", Check("hangs", Evidence.GENERAL, hangs, timeout_s=0.2))
    assert result.verdict is Verdict.UNKNOWN
    assert "timed out" in result.detail


def test_raising_check_is_an_error_and_names_the_exception():
    def raises():
        raise ZeroDivisionError("boom")

    result = run_check("q0", Check("raises", Evidence.GENERAL, raises))
    assert result.verdict is Verdict.ERROR
    assert "ZeroDivisionError: boom" in result.detail


def test_a_numeric_check_cannot_prove():
    result = run_check(
        "q0", Check("mc", Evidence.NUMERIC, lambda: Outcome(Verdict.PROVED, "claims proof"))
    )
    assert result.verdict is Verdict.ERROR


def test_only_proved_and_pass_count_as_passed():
    assert {v for v in Verdict if v.passed} == {Verdict.PROVED, Verdict.PASS}


def test_an_argument_is_proved_only_if_every_step_is():
    steps = [Outcome(Verdict.PROVED, "a"), Outcome(Verdict.UNKNOWN, "b")]
    assert all_proved(steps, "argument").verdict is Verdict.UNKNOWN
