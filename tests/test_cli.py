"""The command line end to end, through the installed console script."""

import json
import subprocess
import sys

import pytest
from cli_run import answerkey

from answerkey.parts import part_ids

HW6_PART_IDS = [
    "q1.1", "q1.2", "q2.a", "q2.b", "q2.c", "q3.a", "q3.b.i", "q3.b.ii", "q3.b.iii",
    "q3.c.i", "q3.c.ii", "q4.a", "q4.b.i", "q4.b.ii", "q5.a", "q5.b", "q5.c", "q5.d", "q5.e",
    "q6",
]  # fmt: skip


@pytest.fixture
def cache_env(tmp_path, monkeypatch):
    import os

    env = dict(os.environ, ANSWERKEY_CACHE_DIR=str(tmp_path))
    return env


def test_registry_knows_every_part_of_hw6():
    assert part_ids() == HW6_PART_IDS


def test_list_json_has_every_part(cache_env):
    result = answerkey("list", "--json", env=cache_env)
    assert result.returncode == 0
    assert [row["part"] for row in json.loads(result.stdout)["parts"]] == HW6_PART_IDS


def test_list_does_not_import_heavy_modules():
    code = (
        "import sys; from answerkey.cli import main; main(['list', '--json']);"
        "heavy = [m for m in ('torch', 'matplotlib', 'sympy') if m in sys.modules];"
        "sys.stderr.write(repr(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stderr.strip().endswith("[]")


def test_verify_q2_passes_and_prints_one_json_document(cache_env):
    result = answerkey("verify", "q2", "--json", env=cache_env)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["passed"] is True
    assert {c["part"] for c in report["checks"]} == {"q2.a", "q2.b", "q2.c"}
    assert {c["evidence"] for c in report["checks"]} >= {"general", "exhaustive", "numeric"}


def test_verify_records_status_for_list(cache_env):
    answerkey("verify", "q2.c", env=cache_env)
    rows = json.loads(answerkey("list", "--json", env=cache_env).stdout)["parts"]
    assert {row["part"]: row["status"] for row in rows}["q2.c"] == "verified"


def test_unknown_part_is_a_usage_error_naming_the_known_parts(cache_env):
    result = answerkey("verify", "q9.z", env=cache_env)
    assert result.returncode == 2
    assert "unknown part 'q9.z'" in result.stderr
    assert "q2.a" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_explains_every_command():
    result = answerkey("--help")
    assert result.returncode == 0
    for command in ("list", "verify", "run"):
        assert command in result.stdout
