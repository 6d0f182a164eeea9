"""Every command stops quietly when the reader of its output goes away
(`answerkey check q2.a "d mu^2" | head -2`): no BrokenPipeError traceback, and the exit
status a shell reports for git or grep killed by SIGPIPE (141)."""

import os
import subprocess
import sys

import pytest

from answerkey.cli import EXIT_PIPE

ANSWERS = 'id,part,answer\ns1,q2.a,"d mu^2"\ns2,q2.a,sqrt(d)\ns3,q2.b,1/sqrt(d)\n'


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    # stdout block-buffered, as for a user: with PYTHONUNBUFFERED argparse's --help
    # swallows the failed write itself and exits 0 (quietly too).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return dict(env, ANSWERKEY_CACHE_DIR=str(tmp_path_factory.mktemp("cache")))


def run_with_reader_gone(args, env, cwd):
    """Run `python -m answerkey ARGS` with stdout a pipe whose read end is closed before
    the command writes anything, so its first write to stdout fails (EPIPE)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "answerkey", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
    )
    process.stdout.close()
    stderr = process.stderr.read().decode()
    return process.wait(timeout=600), stderr


COMMANDS = {
    "list": ["list"],
    "list --json": ["list", "--json"],
    "verify": ["verify", "q2.a"],
    "run": ["run", "zkc", "--quick", "--json", "--out", "run-out"],
    "build --help": ["build", "--help"],
    "check": ["check", "q2.a", "d mu^2"],
    "check --json": ["check", "q2.a", "d mu^2", "--json"],
    "grade": ["grade", "answers.csv", "--out", "graded.csv", "--no-progress"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_closed_pipe_ends_the_command_quietly(name, env, tmp_path):
    (tmp_path / "answers.csv").write_text(ANSWERS)
    status, stderr = run_with_reader_gone(COMMANDS[name], env, tmp_path)
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr
    assert status == EXIT_PIPE, stderr


def test_a_reader_that_stays_sees_the_whole_output(env, tmp_path):
    """The guard changes nothing when the reader stays: the normal exit code and output."""
    result = subprocess.run(
        [sys.executable, "-m", "answerkey", "check", "q2.a", "d mu^2"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith(": CORRECT")
    assert result.stderr == ""
