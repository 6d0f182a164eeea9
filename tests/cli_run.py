"""Run the `answerkey` command line in a fresh interpreter, as a user would."""

import subprocess
import sys


def answerkey(*args, env=None, timeout=None):
    return subprocess.run(
        [sys.executable, "-m", "answerkey", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
