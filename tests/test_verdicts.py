"""The verdict model: what each verdict requires, and that nothing passes silently."""

import time

import sympy as sp

from answerkey.evidence import (
    Argument,
    Fact,
    Identity,
    Instances,
    Measurement,
    Observed,
    Sample,
    Witness,
    at_least,
    at_most,
    between,
    exact_instances,
    exact_witness,
    exhaustive,
    monte_carlo,
    near,
    symbolic,
    within_tolerance,
)
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


# --- the evidence factories: each owns its kind's verdict rule ------------------------------


def test_symbolic_proves_only_when_every_step_is_proved():
    argument = Argument(
        "both", [Identity((x + 1) ** 2, x**2 + 2 * x + 1, "square"), Fact(True, "t")]
    )
    outcome = symbolic("c", lambda: argument).run()
    assert outcome.verdict is Verdict.PROVED
    assert outcome.detail == "both"
    assert symbolic("c", lambda: argument).evidence is Evidence.GENERAL


def test_symbolic_refutes_a_wrong_identity_with_its_counterexample():
    wrong = Argument("arg", [Fact(True, "t"), Identity((x + 1) ** 2, x**2 + 1, "square")])
    outcome = symbolic("c", lambda: wrong).run()
    assert outcome.verdict is Verdict.REFUTED
    at = sp.Rational(outcome.counterexample["x"])
    assert (at + 1) ** 2 != at**2 + 1


def test_symbolic_false_fact_without_counterexample_is_unknown_not_refuted():
    outcome = symbolic("c", lambda: Argument("arg", [Fact(False, "SymPy shows w ≥ 0")])).run()
    assert outcome.verdict is Verdict.UNKNOWN
    assert outcome.counterexample is None


def test_symbolic_false_fact_with_counterexample_is_refuted():
    fact = Fact(False, "degree 2", {"degree": "3"})
    outcome = symbolic("c", lambda: Argument("arg", [fact])).run()
    assert outcome.verdict is Verdict.REFUTED
    assert outcome.counterexample == {"degree": "3"}


def test_symbolic_undecided_fact_or_irreducible_identity_is_unknown():
    f = sp.Function("f")
    for step in (Fact(None, "sign of w"), Identity(f(x), f(1 / x), "f")):
        assert symbolic("c", lambda s=step: Argument("a", [s])).run().verdict is Verdict.UNKNOWN


def test_symbolic_argument_without_steps_proves_nothing():
    assert symbolic("c", lambda: Argument("a", [])).run().verdict is Verdict.UNKNOWN


def test_exhaustive_states_its_range_and_lemma():
    cases = Argument("expanded", [Identity(n * (n + 1), n**2 + n, f"n = {i}") for i in range(3)])
    check = exhaustive("c", "n = 1…3", lambda: cases, lemma="the general identity")
    outcome = check.run()
    assert check.evidence is Evidence.EXHAUSTIVE
    assert check.lemma == ("the general identity",)
    assert outcome.verdict is Verdict.PROVED
    assert outcome.detail == "expanded, for every n = 1…3"
    assert outcome.statistics == {"range": "n = 1…3", "lemma": ["the general identity"]}


def test_exhaustive_refutes_at_the_failing_case():
    cases = Argument(
        "expanded",
        [Identity(sp.Integer(4), sp.Integer(4), "n = 2"), Fact(False, "n = 3", {"n": "3"})],
    )
    outcome = exhaustive("c", "n = 2…3", lambda: cases, lemma=None).run()
    assert outcome.verdict is Verdict.REFUTED
    assert outcome.counterexample == {"n": "3"}


def test_exact_instances_refute_with_the_first_violation():
    found = Instances("ratios", checked=10, violations=[{"i": "3"}, {"i": "7"}])
    outcome = exact_instances("c", lambda: found).run()
    assert outcome.verdict is Verdict.REFUTED
    assert outcome.counterexample == {"i": "3"}
    assert "2 of 10" in outcome.detail


def test_exact_instances_without_violation_prove():
    outcome = exact_instances("c", lambda: Instances("ratios", checked=10)).run()
    assert outcome.verdict is Verdict.PROVED
    assert exact_instances("c", lambda: Instances("r", 1)).evidence is Evidence.EXACT_INSTANCE


def test_exact_instances_prove_nothing_from_no_instance():
    outcome = exact_instances("c", lambda: Instances("ratios", checked=0)).run()
    assert outcome.verdict is Verdict.UNKNOWN


def test_exact_witness_proves_existence_and_never_refutes():
    shown = exact_witness("c", lambda: Witness("a second optimum", True, {"basis": "B"}))
    assert shown.evidence is Evidence.EXACT_INSTANCE
    assert shown.run().verdict is Verdict.PROVED
    missed = exact_witness("c", lambda: Witness("a second optimum", False, {"basis": "B"}))
    outcome = missed.run()
    assert outcome.verdict is Verdict.UNKNOWN  # a failed witness is no counterexample
    assert "basis = B" in outcome.detail


def test_within_tolerance_passes_never_proves():
    measured = Measurement("diff", [at_most("largest difference", 1e-15, 1e-12)])
    check = within_tolerance("c", lambda: measured)
    outcome = check.run()
    assert check.evidence is Evidence.NUMERIC
    assert outcome.verdict is Verdict.PASS
    assert outcome.detail == "diff: largest difference 1.0e-15 (≤ 1e-12)"
    assert outcome.statistics == {"largest difference": 1e-15}  # never without its statistic


def test_within_tolerance_fails_on_any_reading_outside_and_names_it():
    readings = [
        near("slope", 2.01, 2, 0.25),
        between("ratio", 5.0, 0.9, 4),
        at_least("count", 3, 1),
        Observed("missed", [8], [8]),
    ]
    outcome = within_tolerance("c", lambda: Measurement("m", readings)).run()
    assert outcome.verdict is Verdict.FAIL
    assert outcome.detail.endswith("outside the claim: ratio")


def test_within_tolerance_fails_on_nan_and_on_a_wrong_observation():
    for reading in (at_most("err", float("nan"), 1e-12), Observed("missed", [8, 9], [8])):
        outcome = within_tolerance("c", lambda r=reading: Measurement("m", [r])).run()
        assert outcome.verdict is Verdict.FAIL


def test_within_tolerance_with_nothing_measured_fails():
    assert within_tolerance("c", lambda: Measurement("m", [])).run().verdict is Verdict.FAIL


def test_monte_carlo_passes_and_fails_by_the_z_test():
    from numeric.monte_carlo import Estimate

    estimate = Estimate(value=4.001, stderr=0.01, n=10_000, seed=0)
    passes = monte_carlo("c", lambda: Sample(estimate, 4.0, {"√d": 2.0}, "mean"))
    assert passes.evidence is Evidence.NUMERIC
    assert passes.run().verdict is Verdict.PASS
    far = monte_carlo("c", lambda: Sample(estimate, 5.0, {}, "mean"))
    assert far.run().verdict is Verdict.FAIL
    # the claim holds, but the samples cannot tell it from a wrong answer: no power, FAIL
    blind = monte_carlo("c", lambda: Sample(estimate, 4.0, {"d + ε": 4.002}, "mean"))
    assert blind.run().verdict is Verdict.FAIL


def test_every_exhaustive_check_names_a_checked_general_lemma_of_its_part():
    """An exhaustive range says nothing beyond itself unless a general step carries it:
    each exhaustive check's lemma is the claim of a general check of the same part (or it
    has none, covering the whole space — q5.d's 8 sequences)."""
    from answerkey.experiments import QUICK
    from answerkey.parts import all_parts

    seen = 0
    for part in all_parts():
        checks = part.checks(QUICK) if part.checks else []
        general = {c.claim for c in checks if c.evidence is Evidence.GENERAL}
        for check in checks:
            if check.evidence is Evidence.EXHAUSTIVE:
                seen += 1
                assert set(check.lemma or ()) <= general, (part.id, check.claim)
                assert check.lemma or part.id == "q5.d", (part.id, check.claim)
    assert seen >= 8
