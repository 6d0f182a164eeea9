"""Q3 end to end: `answerkey verify q3`, `answerkey run attention`, the answers' shapes,
the rubric's Q3 answers through the judge, and bad input."""

import json
import os
import re

import pytest
import sympy as sp
from cli_run import answerkey

from answerkey.experiments import FULL
from answerkey.judging.judge import Verdict, judge
from answerkey.parts import get_part
from answerkey.rubric import load_rubric
from derivations import kernel_attention as KA


@pytest.fixture
def cache_env(tmp_path):
    return dict(os.environ, ANSWERKEY_CACHE_DIR=str(tmp_path / "cache"))


def test_verify_q3_passes_with_every_evidence_kind(cache_env):
    result = answerkey("verify", "q3", "--json", env=cache_env)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    report = json.loads(result.stdout)
    assert report["passed"] is True
    parts = {c["part"] for c in report["checks"]}
    assert parts == {"q3.a", "q3.b.i", "q3.b.ii", "q3.b.iii", "q3.c.i", "q3.c.ii"}
    kinds = {c["evidence"] for c in report["checks"]}
    assert kinds == {"general", "exhaustive", "exact instance", "numeric"}
    claims = " ".join(c["claim"] for c in report["checks"])
    for needle in ("FlopCounterMode", "operation counter", "saved for backward", "peak memory"):
        assert needle in claims


def test_run_attention_json_is_one_document_with_timings_apart(cache_env, tmp_path):
    out = tmp_path / "out"
    args = ["run", "attention", "--quick", "--sizes", "32", "64", "128", "--json"]
    result = answerkey(*args, "--out", str(out), env=cache_env)
    assert result.returncode == 0, result.stderr
    r = json.loads(result.stdout)
    assert r["config"]["sizes"] == [32, 64, 128]
    assert r["counts_match_flop_counter"] is True
    assert r["flop_slopes"] == {"softmax": 2.0, "linear": 1.0}
    assert set(r["timings"]) >= {"seconds", "peak_bytes", "time_slopes", "crossover_time"}
    assert all(len(v) == 3 for v in r["timings"]["seconds"].values())
    # No build path in results.json; the precision figure comes with the scaling one.
    assert r["figures"] == ["attention_scaling.png", "attention_precision.png"]
    for name in r["figures"]:
        assert (out / "figures" / name).stat().st_size > 10_000
    # The counts are the derived polynomials' values (deterministic), not measurements.
    assert r["counts"]["linear"]["flops"] == [
        int(KA.costs("linear")["flops"].subs({KA.N: n, KA.D: 8, KA.M: 8})) for n in (32, 64, 128)
    ]
    assert r["derived_crossover"] == {"flops": 48, "operations": 47, "saved": 103}


@pytest.mark.parametrize(
    "sizes, message",
    [(["0", "64"], "must lie in"), (["64"], "at least two"), (["64", "99999999"], "must lie in")],
)
def test_run_attention_bad_sizes_are_one_line_usage_errors(cache_env, tmp_path, sizes, message):
    result = answerkey("run", "attention", "--sizes", *sizes, "--out", str(tmp_path), env=cache_env)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_q3_part_is_a_usage_error(cache_env):
    result = answerkey("verify", "q3.z", env=cache_env)
    assert result.returncode == 2
    assert "unknown part 'q3.z'" in result.stderr and "q3.b.ii" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_check_that_raises_is_an_error_and_the_rest_still_run(monkeypatch):
    from answerkey.questions import kernel_attention_checks as C
    from answerkey.verdicts import Verdict as V
    from answerkey.verify import verify_parts

    def boom():
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(C, "_argue_kernel", boom)
    results = verify_parts([get_part("q3.b.i")], FULL)
    # The rest: the kernel's PSD check and the printed answer read back.
    assert [r.verdict for r in results] == [V.ERROR, V.PASS, V.PROVED]
    assert "broken on purpose" in results[0].detail


# --- the answers' shapes (the contracts `answerkey check` relies on) -------------------------


def test_answer_values_follow_the_contracts():
    assert get_part("q3.a").answer(FULL).value == {
        "conditions": (sp.Ge(KA.SCORE, 0), sp.Gt(KA.TOTAL, 0))
    }
    linearized = get_part("q3.b.iii").answer(FULL).value
    assert set(linearized) == {"numerator", "denominator"}
    assert linearized["numerator"].doit() == KA.PHI_Q * KA.PHI_K.T * KA.VALUES
    assert get_part("q3.b.i").answer(FULL).value == (KA.qk + 1) ** 2
    value = get_part("q3.b.ii").answer(FULL).value
    assert value["feature_map"](2) == KA.feature_map(2)
    assert sp.expand(value["dimension_merged"] - (KA.D + 1) * (KA.D + 2) / 2) == 0
    assert sp.expand(value["dimension_ordered"] - (1 + KA.D + KA.D**2)) == 0
    N, D, M = KA.N, KA.D, KA.M
    soft, lin = get_part("q3.c.i").answer(FULL).value, get_part("q3.c.ii").answer(FULL).value
    assert soft["time_O"] == N**2 * D + N**2 * M and soft["memory_O"] == N**2 + N * D + N * M
    assert lin["time_O"] == N * D**2 * M and lin["memory_O"] == N * D**2 + N * M + D**2 * M
    assert sp.expand(soft["time"] - KA.costs("softmax")["operations"]) == 0
    assert sp.expand(lin["memory"] - KA.costs("linear")["saved"]) == 0


def test_measured_numbers_stay_out_of_the_answers():
    answer = get_part("q3.c.ii").answer(FULL)
    assert answer.figures[0].name == "attention_scaling.png"
    assert "Measured" in answer.figures[0].caption
    assert answer.tables[0].rows[0][0] == "256"
    for part in ("q3.c.i", "q3.c.ii"):
        text = get_part(part).answer(FULL).text
        assert not re.search(r"\d\s*(s|ms|µs|MiB|GiB|×)\b", text), text


def test_every_answered_q3_part_has_notes_or_steps():
    for part_id in ("q3.a", "q3.b.i", "q3.b.ii", "q3.c.i", "q3.c.ii"):
        part = get_part(part_id)
        assert part.notes and part.steps()


def test_the_hw6_caveats_are_stated():
    notes = " ".join(get_part("q3.a").notes + get_part("q3.b.i").notes + get_part("q3.b.ii").notes)
    assert r"$Q_i^\top K_j = -1$" in notes
    assert r"$\varepsilon$" in notes
    assert r"$(q^\top k)^2$" in notes
    assert "$(D+1)(D+2)/2$" in notes
    assert "$1 + D + D^2$" in notes


# --- the rubric's Q3 answers through the judge ------------------------------------------------


@pytest.mark.parametrize("part", ["q3.b.i", "q3.b.ii", "q3.c.i", "q3.c.ii"])
def test_q3_rubric_wrong_answers_match_themselves_and_accepted_ones_are_correct(part):
    entry = load_rubric().parts[part]
    assert entry.items and entry.wrong and entry.accepted
    for wrong in entry.wrong:
        result = judge(part, wrong.answer)
        assert result.verdict is Verdict.INCORRECT, (part, wrong.answer)
        assert result.matched == wrong.answer
        assert result.credit == wrong.credit
    for accepted in entry.accepted:
        assert judge(part, accepted.answer).verdict is Verdict.CORRECT, accepted.answer


@pytest.mark.parametrize(
    "part, answer",
    [
        ("q3.b.i", "(qᵀk+1)²"),
        ("q3.b.i", "1 + 2 q·k + (q·k)^2"),
        ("q3.b.ii", "[1, √2 q_1, √2 q_2, q_1², q_2², √2 q_1 q_2]"),
        ("q3.b.ii", "(D^2 + 3D + 2)/2"),
        ("q3.c.i", "O(N²(D+M)), O(N² + N(D+M))"),
        ("q3.c.ii", "time: O(n d^2 m), memory: O(n d^2 + n m + d^2 m)"),
    ],
)
def test_right_q3_answers_are_correct(part, answer):
    assert judge(part, answer).verdict is Verdict.CORRECT


def test_prose_parts_are_not_judged():
    from answerkey.judging.judge import form_for
    from answerkey.judging.judged_parts import NotCheckable

    for part in ("q3.a", "q3.b.iii"):
        with pytest.raises(NotCheckable):
            form_for(part)
