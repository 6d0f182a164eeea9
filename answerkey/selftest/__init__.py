"""`answerkey selftest`: mutants that each part's `verify` must catch.

A mutant changes one thing the key rests on — the claim, the printed answer, the data or
transcription under it, or the implementation it is checked against — in process, by
patching attributes (`unittest.mock.patch`), never by writing to the tree. Each mutant
runs against a fresh result cache and with every in-process cache of the project's
modules cleared, so a result computed before the mutation cannot hide it. The part's
checks then run as `answerkey verify` runs them; the mutant is *caught* when one of them
does not pass (PROVED/PASS), and `by` names the first such check. Checks run in order and
stop at the first that fails, so a mutant caught early never pays for the experiments
behind the later checks.

The declared mutants live in `answerkey.selftest.mutants` (`MUTANTS`, by part).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from unittest import mock

if TYPE_CHECKING:
    from answerkey.experiments import Profile

# Modules whose functools caches hold computed answers and results.
PROJECT_PACKAGES = ("answerkey", "derivations", "numeric", "models")


class MutantDoesNotApply(AssertionError):
    """A mutant found nothing to change (the text or object it edits has changed): it
    survives, whatever its part's checks then say, so that a stale mutant is not counted
    as caught."""


class Kind(StrEnum):
    CLAIM = "claim"  # the stated answer object
    PRINTED = "printed"  # what the documents display
    DATA = "data"  # a number or label typed from the homework, or the data it rests on
    IMPLEMENTATION = "implementation"  # the code the answer is computed or checked by


class Patch:
    """The patches one mutant applies; each is undone when the mutant's run ends."""

    def __init__(self, stack: contextlib.ExitStack):
        self._stack = stack

    def attr(self, target: Any, name: str, value: Any) -> None:
        """Replace `target.name` (a module's function, a constant, an object's field)."""
        self._stack.enter_context(mock.patch.object(target, name, value))

    def wrap(self, target: Any, name: str, change: Callable[..., Any]) -> None:
        """Replace `target.name` by `lambda *a, **k: change(original, *a, **k)`."""
        original = getattr(target, name)

        @functools.wraps(original)
        def wrapped(*args, **kwargs):
            return change(original, *args, **kwargs)

        self.attr(target, name, wrapped)

    def items(self, mapping: dict, values: dict) -> None:
        """Set entries of `mapping` in place (for dicts bound as default arguments)."""
        self._stack.enter_context(mock.patch.dict(mapping, values))

    def answer(self, part_id: str, change: Callable[[Any], Any]) -> None:
        """Replace part `part_id`'s printed Answer by `change(answer)` (a new Answer)."""
        from answerkey.parts import get_part

        part = get_part(part_id)
        original = part.answer
        self.attr(part, "answer", lambda *args, **kwargs: change(original(*args, **kwargs)))


@dataclass(frozen=True)
class Mutant:
    """One declared change to part `part`, expected to make `verify part` fail.

    `apply(patch)` makes the change through `patch`. `fast` mutants run in the default
    test suite; the rest (those that retrain or rerun an experiment) under the `mutants`
    marker."""

    part: str
    name: str
    kind: Kind
    apply: Callable[[Patch], None]
    fast: bool = True


@dataclass
class MutantResult:
    name: str
    kind: Kind
    caught: bool
    by: str | None  # the claim of the first check that did not pass
    verdict: str | None = None  # that check's verdict
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": str(self.kind), "caught": self.caught, "by": self.by}


@dataclass
class PartReport:
    part: str
    mutants: list[MutantResult] = field(default_factory=list)

    @property
    def survivors(self) -> list[MutantResult]:
        return [m for m in self.mutants if not m.caught]


def clear_caches() -> None:
    """Forget every functools cache in the project's loaded modules, and the experiments'
    in-process results."""
    from answerkey import experiments

    experiments.forget()
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in PROJECT_PACKAGES:
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and hasattr(value, "cache_info"):
                value.cache_clear()


@contextlib.contextmanager
def fresh_state() -> Iterator[None]:
    """A new, empty result cache and no in-process caches, inside and after."""
    with tempfile.TemporaryDirectory(prefix="answerkey-selftest-") as cache_dir:
        clear_caches()
        try:
            with mock.patch.dict(os.environ, {"ANSWERKEY_CACHE_DIR": cache_dir}):
                yield
        finally:
            clear_caches()


def first_failure(part_id: str, profile: Profile):
    """Run part `part_id`'s checks under `profile` in order as `verify` does; the first
    CheckResult that does not pass, or None when every check passes."""
    from answerkey.parts import get_part
    from answerkey.verdicts import CheckResult, Evidence, Verdict, run_check
    from answerkey.verify import LISTING_CLAIM, part_checks

    part = get_part(part_id)
    try:
        checks = part_checks(part, profile)
    except Exception as exc:  # verify reports this as one ERROR result
        return CheckResult(
            part_id, LISTING_CLAIM, Evidence.GENERAL, Verdict.ERROR, f"{type(exc).__name__}: {exc}"
        )
    for check in checks:
        result = run_check(part_id, check)
        if not result.verdict.passed:
            return result
    return None


def run_mutant(mutant: Mutant, profile: Profile) -> MutantResult:
    """Apply `mutant`, run its part's checks against a fresh cache, undo it."""
    with fresh_state(), contextlib.ExitStack() as stack:
        mutant.apply(Patch(stack))
        failure = first_failure(mutant.part, profile)
    if failure is None:
        return MutantResult(mutant.name, mutant.kind, False, None)
    if MutantDoesNotApply.__name__ in failure.detail:
        return MutantResult(mutant.name, mutant.kind, False, None, str(failure.verdict),
                            failure.detail)  # fmt: skip
    return MutantResult(
        mutant.name, mutant.kind, True, failure.claim, str(failure.verdict), failure.detail
    )


def selected_mutants(parts: list[str], fast_only: bool = False) -> dict[str, list[Mutant]]:
    """The declared mutants of the given parts (ids or prefixes; all when empty)."""
    from answerkey.parts import select_parts
    from answerkey.selftest.mutants import MUTANTS

    chosen = {}
    for part in select_parts(parts):
        mutants = [m for m in MUTANTS.get(part.id, ()) if m.fast or not fast_only]
        if mutants:
            chosen[part.id] = mutants
    return chosen


def run_selftest(
    parts: list[str],
    profile: Profile,
    fast_only: bool = False,
    on_result: Callable[[str, MutantResult], None] | None = None,
) -> list[PartReport]:
    """Run the declared mutants of `parts` (all parts when empty), part by part."""
    reports = []
    for part_id, mutants in selected_mutants(parts, fast_only).items():
        report = PartReport(part_id)
        for mutant in mutants:
            report.mutants.append(run_mutant(mutant, profile))
            if on_result:
                on_result(part_id, report.mutants[-1])
        reports.append(report)
    return reports


def reports_json(reports: list[PartReport]) -> dict[str, Any]:
    return {
        "passed": all(not r.survivors for r in reports),
        "parts": {r.part: {"mutants": [m.to_json() for m in r.mutants]} for r in reports},
    }
