"""Run every check of the selected parts and record what they established."""

from __future__ import annotations

import json
from collections.abc import Callable

from answerkey import cache
from answerkey.experiments import Profile
from answerkey.parts import Part
from answerkey.verdicts import CheckResult, Evidence, Verdict, run_check

RECORD_NAMESPACE = "verify"


def verify_parts(
    parts: list[Part], profile: Profile, on_result: Callable[[CheckResult], None] | None = None
) -> list[CheckResult]:
    """Every check of every answered part under `profile`, in order. A check that cannot
    even be listed (its part's `checks(profile)` raises: an experiment it reads failed) is
    reported as one ERROR result."""
    results: list[CheckResult] = []
    for part in parts:
        if part.checks is None:
            continue
        try:
            checks = part.checks(profile)
        except Exception as exc:
            results.append(
                CheckResult(
                    part.id,
                    "its checks could be listed",
                    Evidence.GENERAL,
                    Verdict.ERROR,
                    f"{type(exc).__name__}: {exc}",
                )
            )
            if on_result:
                on_result(results[-1])
            continue
        for check in checks:
            results.append(run_check(part.id, check))
            if on_result:
                on_result(results[-1])
    _record(results)
    return results


def _record(results: list[CheckResult]) -> None:
    """Remember each part's outcome under the current code hash, for `answerkey list`."""
    key = cache.code_hash()
    previous = cache.load(RECORD_NAMESPACE, key) or {}
    for part in {r.part for r in results}:
        verdicts = [r.verdict for r in results if r.part == part]
        previous[part] = "verified" if all(v.passed for v in verdicts) else "failed"
    cache.store(RECORD_NAMESPACE, key, previous)


def recorded_status(part: Part, record: dict[str, str]) -> str:
    if not part.answered:
        return "not answered yet"
    if part.checks is None:
        return "answered (nothing to verify)"
    return record.get(part.id, "not verified yet")


def status_record() -> dict[str, str]:
    return cache.load(RECORD_NAMESPACE, cache.code_hash()) or {}


def results_json(results: list[CheckResult]) -> str:
    passed = all(r.verdict.passed for r in results)
    return json.dumps(
        {"passed": passed, "checks": [r.to_json() for r in results]}, indent=2, ensure_ascii=False
    )
