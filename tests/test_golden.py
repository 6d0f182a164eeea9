"""Golden outputs: the quick build's results.json, both .tex documents and rubric.csv,
compared with the copies committed in tests/golden/.

Any change to what the key says shows here as a diff. An intended change updates the
golden files in the same commit:

    .venv/bin/python -m pytest tests/test_golden.py --update-golden

What varies from machine to machine is masked before comparing (and in the committed
copies): the code hash, library versions, and peak-memory readings (resident-set sizes
depend on the allocator and the machine's state). Everything else must match exactly.
"""

import difflib
import json
import re
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
FILES = ("results.json", "solutions.tex", "answer_key.tex", "rubric.csv")
# Statistics of the peak-memory checks: machine readings, not computed results.
MEASURED_KEYS = {"peak_bytes", "peak_over_saved"}
MASKS = (
    # the code hash, whole or shortened
    (re.compile(r"\b[0-9a-f]{64}\b"), "<code hash>"),
    (re.compile(r"(code |key version )[0-9a-f]{12}\b"), r"\1<code hash>"),
    # the peak-memory checks' detail line, in results.json and in the TA key
    (re.compile(r"peak growth [0-9., ]+ MiB"), "peak growth <measured> MiB"),
    (re.compile(r"log-(\{\})?log slope [0-9.]+"), "log-log slope <measured>"),
    (re.compile(r"peak / derived saved bytes [0-9., ]+"), "peak / derived saved bytes <measured> "),
)


def _mask_json(value, parent=None):
    if isinstance(value, dict):
        peak_check = "peak_bytes" in value
        return {
            k: "<measured>"
            if k in MEASURED_KEYS or (peak_check and k == "slope")
            else "<version>"
            if parent == "libraries"
            else _mask_json(v, k)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_json(v, parent) for v in value]
    return value


def normalize(name: str, text: str) -> str:
    if name.endswith(".json"):
        text = json.dumps(
            _mask_json(json.loads(text)), indent=2, sort_keys=True, ensure_ascii=False
        )
        text += "\n"
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def _built_text(built, name: str) -> str:
    out, first, _, kept = built
    assert first.returncode == 0, first.stderr[-2000:]
    if name == "results.json":
        return kept["results.json"].decode()
    return (out / name).read_text()


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_the_quick_build_matches_its_golden_copy(built, name, request):
    got = normalize(name, _built_text(built, name))
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got)
        return
    assert golden.exists(), f"no golden copy of {name}: run with --update-golden"
    want = golden.read_text()
    if got != want:
        diff = difflib.unified_diff(
            want.splitlines(), got.splitlines(), f"golden/{name}", f"build/{name}", lineterm="", n=2
        )
        lines = list(diff)
        shown = "\n".join(lines[:200])
        more = f"\n… {len(lines) - 200} more diff lines" if len(lines) > 200 else ""
        pytest.fail(
            f"{name} differs from its golden copy ({len(lines)} diff lines); if the change is "
            f"intended, rerun with --update-golden and commit tests/golden/:\n{shown}{more}",
            pytrace=False,
        )


def test_masking_keeps_computed_numbers_and_hides_machine_readings():
    record = {
        "code_hash": "ab" * 32,
        "libraries": {"torch": "2.14.1"},
        "statistics": {"peak_bytes": [1, 2], "slope": 1.9, "sizes": [2048]},
        "fit": {"slope": 2.0},
    }
    masked = json.loads(normalize("results.json", json.dumps(record)))
    assert masked["code_hash"] == "<code hash>"
    assert masked["libraries"] == {"torch": "<version>"}
    assert masked["statistics"] == {
        "peak_bytes": "<measured>",
        "slope": "<measured>",
        "sizes": [2048],
    }
    assert masked["fit"] == {"slope": 2.0}
