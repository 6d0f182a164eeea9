"""The typed contracts hold: each experiment's results have exactly the keys of its
TypedDict (`answerkey.experiments.contracts`), and each part's Answer.value has the shape
the table in `answerkey.parts.Answer` states (what the judge and results.json read).

The experiments are checked on the golden quick build's results.json (what a build
writes); the values on the golden file and, for the cheap symbolic parts, live.
"""

import json
import typing
from pathlib import Path

import pytest
import sympy as sp

from answerkey import experiments
from answerkey.experiments.contracts import CONTRACTS
from answerkey.parts import get_part

GOLDEN = json.loads((Path(__file__).parent / "golden" / "results.json").read_text())
ADDED_BY_EXECUTE = {"figures"}


def _mismatches(value, contract, where: str) -> list[str]:
    """Where `value` (JSON) lacks a required key of the TypedDict `contract`, has a key it
    does not declare, or holds a nested TypedDict's value of another shape."""
    hints = typing.get_type_hints(contract)
    problems = []
    missing = contract.__required_keys__ - set(value)
    extra = set(value) - set(hints)
    if missing:
        problems.append(f"{where}: missing {sorted(missing)}")
    if extra:
        problems.append(f"{where}: not in {contract.__name__}: {sorted(extra)}")
    for key, hint in hints.items():
        if key not in value:
            continue
        inner = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.NotRequired else hint
        if typing.is_typeddict(inner):
            problems += _mismatches(value[key], inner, f"{where}.{key}")
        elif typing.get_origin(inner) is dict and typing.is_typeddict(typing.get_args(inner)[1]):
            for name, item in value[key].items():
                problems += _mismatches(item, typing.get_args(inner)[1], f"{where}.{key}.{name}")
    return problems


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_each_experiments_results_have_exactly_its_contracts_keys(name):
    recorded = GOLDEN["experiments"][name]
    results = {k: v for k, v in recorded.items() if k not in ADDED_BY_EXECUTE}
    assert _mismatches(results, CONTRACTS[name], name) == []
    assert results["version"] == experiments.get(name).VERSION


def test_a_missing_key_is_reported():
    recorded = GOLDEN["experiments"]["beam"]
    results = {k: v for k, v in recorded.items() if k not in ADDED_BY_EXECUTE | {"rnn"}}
    assert _mismatches(results, CONTRACTS["beam"], "beam") == ["beam: missing ['rnn']"]


def _golden_value(part_id: str):
    for question in GOLDEN["questions"]:
        for part in question["parts"]:
            if part["id"] == part_id:
                return part["answer"]["value"]
    raise KeyError(part_id)


DICT_VALUES = {
    "q1.1": {
        "test_accuracy",
        "expected_test_accuracy",
        "leak_test_accuracy",
        "misclassified_test",
        "labels",
        "adjacency",
        "epochs",
        "gradients",
    },
    "q1.2": {
        "semi_supervised_mean_accuracy",
        "semi_supervised_accuracy",
        "always_missed",
        "miss_counts",
        "zachary_min_cut_misplaced",
    },
    "q3.a": {"conditions"},
    "q3.b.ii": {"feature_map", "dimension_merged", "dimension_ordered"},
    "q3.b.iii": {"numerator", "denominator"},
    "q3.c.i": {"time", "memory", "time_O", "memory_O", "matmul_flops"},
    "q3.c.ii": {"time", "memory", "time_O", "memory_O", "matmul_flops"},
    "q4.a": {"rows", "baselines"},
    "q5.d": {"beam", "optimum", "found_optimum", "pruned_at_step"},
    "q5.e": {"in_T_k", "accepted"},
}


@pytest.mark.parametrize("part_id", sorted(DICT_VALUES))
def test_dict_valued_answers_have_the_documented_keys(part_id):
    assert set(_golden_value(part_id)) == DICT_VALUES[part_id]


@pytest.mark.parametrize("part_id", ["q6"])
def test_prose_answers_have_no_value(part_id):
    assert _golden_value(part_id) is None


def test_the_symbolic_values_live():
    profile = experiments.FULL
    for part_id in ("q2.a", "q2.b", "q2.c", "q3.b.i"):
        assert isinstance(get_part(part_id).answer(profile).value, sp.Expr), part_id
    for part_id in ("q3.c.i", "q3.c.ii"):
        value = get_part(part_id).answer(profile).value
        assert set(value) == DICT_VALUES[part_id]
        assert all(isinstance(v, sp.Expr) for v in value.values())
    merged = get_part("q3.b.ii").answer(profile).value
    assert set(merged) == DICT_VALUES["q3.b.ii"] and callable(merged["feature_map"])


def test_the_figure2_values_live():
    for part_id in ("q5.a", "q5.b", "q5.c"):
        value = get_part(part_id).answer(experiments.FULL).value
        assert value and all(
            isinstance(words, tuple)
            and all(isinstance(w, str) for w in words)
            and isinstance(score, float)
            for words, score in value
        ), part_id
