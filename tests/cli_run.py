"""Run the `answerkey` command line in a fresh interpreter, as a user would, and read the
PDFs it writes."""

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


def pdf_text(path) -> str:
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout
