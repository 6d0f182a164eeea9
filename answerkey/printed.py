"""Checks that read a part's printed answer back and prove it is the claimed object.

The documents print `Answer.latex` (the displayed answer) and `Answer.text` (the written
answer, whose `$…$` formulas state it again). Hand-written displays are kept where they
read better than a printer's output; each such display, and each formula of the prose
that states the answer, is read back here with the project's own answer parser (the
judge of `answerkey check`, whose key is the part's `Answer.value`) and must be judged
CORRECT. `READERS` says, per part, which pieces of the printed answer state it and how
they are put into the judge's plain reading (dropping labels such as "time" or
"∂L/∂W₁ ="). Parts the judge does not read have their own readers: `RENDERED` (q1.1's
gradients, q3.a's conditions, q3.b.iii's eq. 5: the printed formulas must be the claimed
object's rendering by the question's printer), `RENDERED_FROM_RESULTS` (q4.a's written
answer from the results, every claim decided again), `RESTATED` (q1.2: the numbers its
prose states, read back against the claimed value), and q4.b.ii's point and conditions,
read by the judge's conditions form at the claimed point. A part with no reader has none
of these checks.

    printed_checks(part, profile) -> [Check]   (run by `answerkey verify` after the part's own)

Every claim here starts with `PRINTED` ("the printed "; test_documents_leaks checks it): the
documents' plain evidence line counts these checks as what they are, the printed answer
matching the verified one, not as evidence for the answer itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from answerkey import evidence as ev
from answerkey.experiments import Profile
from answerkey.parts import Answer, Part
from answerkey.verdicts import Check

_MATH_SPAN = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")
_TEXT_LABEL = re.compile(r"\\text\{\s*(time|memory|beam = optimum: |beam: |optimum: )\s*\}")
_SIZING = re.compile(r"\\(?:big|Big|bigg|Bigg|left|right)(?![A-Za-z])|\\!")
_PARTIAL_LABEL = re.compile(r"\\frac\{\\partial L\}\{\\partial W_\d\}\s*=")
_LISTED = re.compile(r"\\text\{([a-z ]+)\}\\ \((−|-)?(\d+\.\d+)\)")


def math_spans(text: str) -> list[str]:
    """The inline `$…$` formulas of a written answer, in order."""
    return [m.group(1) for m in _MATH_SPAN.finditer(text)]


def _plain(latex: str) -> str:
    """A display without its sizing commands and word labels."""
    latex = _SIZING.sub("", latex)
    return _TEXT_LABEL.sub(" ", latex).strip()


def _first_span(answer: Answer) -> list[tuple[str, str]]:
    """The prose's first formula; in a chain `label = A = B` each of A and B."""
    pieces = math_spans(answer.text)[0].split("=")
    pieces = pieces[1:] if len(pieces) > 1 else pieces
    return [("the written answer's first formula", p) for p in pieces]


def _display(answer: Answer) -> list[tuple[str, str]]:
    return [("the displayed answer", _plain(answer.latex))]


def _costs(answer: Answer) -> list[tuple[str, str]]:
    """Time and memory: each O(…) the display equates, and the prose's Time/Memory."""
    time, memory = (_plain(piece) for piece in answer.latex.split(r",\quad"))
    readings = [
        (f"the displayed answer ({i + 1} of the time's forms)", f"{form.strip()}, {memory}")
        for i, form in enumerate(time.split("="))
    ]
    stated = [re.search(rf"{label} \$(.+?)\$", answer.text) for label in ("Time", "Memory")]
    readings.append(
        ("the written answer's Time and Memory", ", ".join(m.group(1) if m else "" for m in stated))
    )
    return readings


def _conditions(answer: Answer) -> list[tuple[str, str]]:
    display = _PARTIAL_LABEL.sub("", answer.latex).replace(r"\qquad", " ")
    spans = math_spans(answer.text)
    prose = ", ".join(_PARTIAL_LABEL.sub("", s.replace(r"\partial L / \partial W_1 =", "")
                                         .replace(r"\partial L / \partial W_2 =", ""))
                      for s in spans[:2])  # fmt: skip
    return [("the displayed conditions", display), ("the written answer's conditions", prose)]


def _listing(answer: Answer) -> list[tuple[str, str]]:
    """`\\text{neural network}\\ (−1.25)` items, as the judge's `neural network (-1.25)`."""
    items = [f"{words} (-{number})" if sign else f"{words} ({number})"
             for words, sign, number in _LISTED.findall(answer.latex)]  # fmt: skip
    return [("the displayed beam", ", ".join(items))]


def _both(*readers: Callable[[Answer], list[tuple[str, str]]]):
    return lambda answer: [reading for reader in readers for reading in reader(answer)]


# Which printed pieces state each judged part's answer.
READERS: dict[str, Callable[[Answer], list[tuple[str, str]]]] = {
    "q2.a": _both(_display, _first_span),
    "q2.b": _both(_display, _first_span),
    "q2.c": _both(_display, _first_span),
    "q3.b.i": _both(_display, _first_span),
    "q3.c.i": _costs,
    "q3.c.ii": _costs,
    "q4.b.i": _conditions,
    "q5.a": _listing,
    "q5.b": _listing,
    "q5.c": _listing,
    "q5.e": _both(_display, _first_span),
}


def read_back(part: Part, profile: Profile) -> ev.Argument:
    """Judge every printed piece of `part`'s answer against its claimed object: each is a
    fact, refuted with the judge's reading when INCORRECT, undecided when unreadable."""
    from answerkey.judging.judge import judge

    answer = part.answer(profile)
    facts = []
    for where, text in READERS[part.id](answer):
        judgement = judge(part.id, text)
        verdict = str(judgement.verdict)
        holds = True if verdict == "CORRECT" else (False if verdict == "INCORRECT" else None)
        facts.append(ev.Fact(
            holds, f"{where} ${text}$: {verdict}",
            None if holds else {"printed": text, "read as": judgement.read_as or "?",
                                "key": str(answer.value), "why": judgement.detail},
        ))  # fmt: skip
    return ev.Argument("; ".join(fact.what for fact in facts), facts)


def _beam_verdict(part: Part, profile: Profile) -> ev.Instances:
    """q5.d: the verdict word follows `found_optimum`; the display lists the claimed beam
    answer and optimum, words and log-probs (to the printed two decimals)."""
    answer = part.answer(profile)
    value = answer.value
    word = "Yes." if value["found_optimum"] else "No."
    listed = [(tuple(w.split()), -float(n) if sign else float(n))
              for w, sign, n in _LISTED.findall(answer.latex)]  # fmt: skip
    claimed = [value["beam"]] if value["found_optimum"] else [value["beam"], value["optimum"]]
    same = len(listed) == len(claimed) and all(
        w == tuple(cw) and abs(s - cs) <= 0.005
        for (w, s), (cw, cs) in zip(listed, claimed, strict=False)
    )
    violations = []
    if not answer.text.startswith(word + " "):
        violations.append({"opens": answer.text[:4], "found_optimum": str(value["found_optimum"])})
    if not same:
        violations.append({"display lists": str(listed), "claimed": str(claimed)})
    return ev.Instances(
        f"the answer opens {answer.text[:4]!r} (found_optimum {value['found_optimum']}); the "
        f"display lists {listed}, claimed {claimed}",
        checked=2,
        violations=violations,
    )


_DIMENSION_DISPLAY = re.compile(r"\\operatorname\{dim\}\\phi = (.+?)\\ \\ \(")
_DIMENSION_PROSE = re.compile(r"with \$([^$]+)\$ component")


def _feature_map_dimensions(part: Part, profile: Profile) -> ev.Argument:
    """q3.b.ii: the merged map's dimension as displayed, and each dimension the prose
    states (merged, then ordered pairs), read by the answer parser and proved equal to the
    claimed ones."""
    from answerkey.judging.forms import ScalarForm
    from answerkey.judging.judge import judge_with
    from answerkey.judging.parser import Vocabulary
    from answerkey.judging.to_sympy import Context
    from derivations.kernel_attention import D

    answer = part.answer(profile)
    value = answer.value
    display = _DIMENSION_DISPLAY.search(answer.latex)
    prose = _DIMENSION_PROSE.findall(answer.text)
    readings = [("the displayed dimension", display.group(1) if display else "", "merged")]
    readings += [(f"the prose's {kind} dimension", text, kind)
                 for text, kind in zip(prose, ("merged", "ordered"), strict=False)]  # fmt: skip
    found = f"one displayed and two stated dimensions: {len(readings)} pieces found"
    facts = [ev.Fact(True if len(readings) == 3 else None, found)]
    for where, text, kind in readings:
        form = ScalarForm(
            vocabulary=Vocabulary({"D": "D", "d": "D"}),
            context=lambda: Context({"D": D}),
            key=lambda kind=kind: value[f"dimension_{kind}"],
            display={},
            assumptions="D a positive integer",
        )
        verdict = str(judge_with(form, text).verdict)
        holds = True if verdict == "CORRECT" else (False if verdict == "INCORRECT" else None)
        claimed = str(value[f"dimension_{kind}"])
        facts.append(
            ev.Fact(holds, f"{where} ${text}$: {verdict}", {where: text, "claimed": claimed})
        )
    return ev.Argument("φ's dimensions as printed, against the claimed ones", facts)


# --- prose parts: the printed formulas are the claimed object's rendering ------------------
#
# A part with no judge (q3.a, q3.b.iii) prints formulas rendered from its claimed object by
# its question's printer. Each reader below renders them again from `Answer.value` and
# pairs them with what the answer prints; a formula edited after rendering, or printed from
# something else, differs.


def _conditions_rendered(answer: Answer) -> list[tuple[str, str, str]]:
    """q3.a: the display, and each condition in the prose, from the claimed conditions."""
    from answerkey.questions.kernel_attention import conditions_display, conditions_latex

    conditions = answer.value["conditions"]
    pairs = [("the displayed conditions", answer.latex, conditions_display(conditions))]
    for rendered in conditions_latex(conditions):
        pairs.append(_in_prose(answer, "the prose's condition", rendered))
    return pairs


def _linearized_rendered(answer: Answer) -> list[tuple[str, str, str]]:
    """q3.b.iii: the display and the prose's two forms, from eq. 3 and the claimed eq. 5."""
    from answerkey.questions.kernel_attention import (
        derivation,
        linearized_display,
        linearized_prose,
    )

    forms = {**derivation().associativity_general()}
    forms["eq5_num"], forms["eq5_den"] = answer.value["numerator"], answer.value["denominator"]
    pairs = [("the displayed eq. 3 and eq. 5", answer.latex, linearized_display(forms))]
    for where, kind in (("eq. 3", "eq3"), ("eq. 5", "eq5")):
        pairs.append(_in_prose(answer, f"the prose's {where}", linearized_prose(forms, kind)))
    return pairs


def _in_prose(answer: Answer, where: str, rendered: str) -> tuple[str, str, str]:
    """(where, rendered or what is missing, rendered): the prose states `rendered` as one of
    its formulas, or the pair differs."""
    found = rendered in math_spans(answer.text)
    return (where, rendered if found else f"no formula of the prose is {rendered}", rendered)


def _stationary_point(part: Part, profile: Profile) -> ev.Argument:
    """q4.b.ii: the display's point is the claimed (W₁, W₂), and its two conditions, and
    the prose's chains (each member that names no Λ_k, encoder and decoder side by side),
    read by the answer parser, are q4.b.i's stated conditions at that point."""
    from answerkey.judging.forms import ConditionsForm
    from answerkey.judging.judge import judge_with
    from answerkey.judging.parser import Vocabulary
    from answerkey.judging.to_sympy import Context
    from answerkey.questions.autoencoders import conditions_at, derivation, point_latex

    D = derivation()
    answer = part.answer(profile)
    label, _ = point_latex(answer.value)
    shown_label, _, shown = answer.latex.partition(r":\quad ")
    facts = [
        ev.Fact(True, f"the displayed point ${label}$")
        if shown_label == label
        else ev.Fact(False, "the displayed point is not the claimed one",
                     {"printed": shown_label, "claimed": label})
    ]  # fmt: skip
    form = ConditionsForm(
        vocabulary=Vocabulary(
            names={"U_k": "U", "U": "U", "X": "X", "n": "n", "I": "I"},
            kinds={"U": "matrix", "X": "matrix", "I": "matrix"},
            transposes=True,
        ),
        context=lambda: Context({"U": D.U, "X": D.X, "n": D.n}, identity=True),
        key=lambda: conditions_at(answer.value),
    )
    # The encoder's and the decoder's chains `condition = … = 0`: the spans that are equations
    # of the residual (the others state U_kᵀU_k = I, the eigen-equation, the loss).
    spans = [s for s in math_spans(answer.text) if r"(X - U_k U_k^\top X)" in s][:2]
    chains = [[m.strip() for m in span.split("=")[:-1]] for span in spans]
    readings = [("the displayed conditions", _plain(shown))]
    readings += [
        (f"the prose's conditions, member {number}", f"{encoder} = 0, {decoder} = 0")
        for number, (encoder, decoder) in enumerate(zip(*chains, strict=False), start=1)
        if r"\Lambda" not in encoder + decoder
    ]
    for where, text in readings:
        judgement = judge_with(form, text)
        verdict = str(judgement.verdict)
        holds = True if verdict == "CORRECT" else (False if verdict == "INCORRECT" else None)
        facts.append(ev.Fact(holds, f"{where} ${text}$: {verdict}",
                             {"printed": text, "read as": judgement.read_as or "?"}))  # fmt: skip
    return ev.Argument("; ".join(fact.what for fact in facts), facts)


def _nodes(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def _karate_prose(answer: Answer) -> list[tuple[str, object, object]]:
    """q1.2: the numbers the headline and the written answer state, against the claimed
    value (member numbers, miss counts, the mean accuracy as printed)."""
    value = answer.value
    mean = value["semi_supervised_mean_accuracy"]
    pieces = [
        ("the headline's share of members", r"for (\d+%) of the members", answer.headline,
         lambda m: m.group(1), f"{mean:.0%}"),
        ("the headline's member always missed", r"always missed \(member ([\d, ]+)\)",
         answer.headline, lambda m: _nodes(m.group(1)), value["always_missed"]),
        ("the mean accuracy", r"right on ([\d.]+%) of them", answer.text,
         lambda m: m.group(1), f"{mean:.1%}"),
        ("the miss counts", r"Missed \(seeds out of \d+\): (.+?)\.(?:\s|$)", answer.text,
         lambda m: {a: int(b) for a, b in re.findall(r"(\d+) \((\d+)/\d+\)", m.group(1))},
         value["miss_counts"]),
        ("the member the min cut misplaces", r"joined except ([\d, ]+) \(", answer.text,
         lambda m: _nodes(m.group(1)), value["zachary_min_cut_misplaced"]),
        ("Zachary's numbering", r"Zachary's individual ([\d, ]+);", answer.text,
         lambda m: _nodes(m.group(1)), [n + 1 for n in value["zachary_min_cut_misplaced"]]),
        ("the member whose friends are counted", r"Where it fails, and why: member (\d+)",
         answer.text, lambda m: _nodes(m.group(1)), value["always_missed"]),
    ]  # fmt: skip
    out = []
    for where, pattern, text, read, claimed in pieces:
        found = re.search(pattern, text)
        out.append((where, read(found) if found else f"not found: {pattern}", claimed))
    return out


# Parts whose prose states numbers of their claimed value: (where, as printed, claimed).
RESTATED: dict[str, Callable[[Answer], list[tuple[str, object, object]]]] = {
    "q1.2": _karate_prose,
}


def _restated_instances(part: Part, profile: Profile) -> ev.Instances:
    """Each number the prose states, read back, against the claimed value."""
    pairs = RESTATED[part.id](part.answer(profile))
    return ev.Instances(
        "; ".join(f"{where}: {printed}" for where, printed, _ in pairs),
        checked=len(pairs),
        violations=[{"where": where, "printed": str(printed), "claimed": str(claimed)}
                    for where, printed, claimed in pairs if printed != claimed],
    )  # fmt: skip


def _gradients_rendered(answer: Answer) -> list[tuple[str, str, str]]:
    """q1.1: the display, the prose's ∂L/∂Â and the value's plain formulas, from the claimed
    gradients (`derivations.karate_club.claimed_gradients`, which its checks differentiate)."""
    from answerkey.questions.karate_club import gradient_display, gradient_latex, gradient_plain

    printed = gradient_latex()
    dA = rf"\partial L / \partial \hat A = {printed['A']}"
    return [
        ("the displayed gradients", answer.latex, gradient_display(printed)),
        _in_prose(answer, "the prose's ∂L/∂Â", dA),
        ("the value's formulas", str(answer.value["gradients"]), str(gradient_plain(printed))),
    ]


RENDERED: dict[str, Callable[[Answer], list[tuple[str, str, str]]]] = {
    "q1.1": _gradients_rendered,
    "q3.a": _conditions_rendered,
    "q3.b.iii": _linearized_rendered,
}


def _ae_written(answer: Answer, profile: Profile) -> list[tuple[str, str, str]]:
    """q4.a: the headline and the detail are the written answer of the experiment's results,
    with every claim decided again on them (a sentence prints only while its claim holds)."""
    from answerkey.experiments import results
    from answerkey.experiments.ae import report

    summary = results("ae", profile)
    written = report.written_answer({**summary, "claims": report.evaluate_claims(summary)})
    return [
        ("the framed headline", answer.headline, written["boxed"]),
        ("the opening after it", answer.text, written["opening"]),
        ("the detail", answer.detail, written["detail"]),
    ]


# Parts whose printed prose is rendered from the experiment's results (with the profile).
RENDERED_FROM_RESULTS = {"q4.a": _ae_written}


def rendered_again(part: Part, profile: Profile) -> ev.Argument:
    """Each printed formula of `part` against its rendering from the claimed object."""
    try:
        if part.id in RENDERED_FROM_RESULTS:
            pairs = RENDERED_FROM_RESULTS[part.id](part.answer(profile), profile)
        else:
            pairs = RENDERED[part.id](part.answer(profile))
    except (ValueError, KeyError, TypeError) as exc:  # a claim the printer cannot render
        fact = ev.Fact(None, f"the claimed object cannot be rendered: {exc}")
        return ev.Argument(fact.what, [fact])
    facts = [
        ev.Fact(True, f"{where}: the claim's rendering")
        if printed == rendered
        else ev.Fact(False, f"{where} is not the claim's rendering",
                     {"printed": printed, "rendered from the claim": rendered})
        for where, printed, rendered in pairs
    ]  # fmt: skip
    return ev.Argument("; ".join(fact.what for fact in facts), facts)


def _as_instances(argument: ev.Argument) -> ev.Instances:
    """An argument of exact comparisons as instances: each step one, a failed one a violation."""
    violations = [dict(step.counterexample or {"undecided": step.what})
                  for step in argument.steps if step.holds is not True]  # fmt: skip
    return ev.Instances(argument.summary, checked=len(argument.steps), violations=violations)


def printed_checks(part: Part, profile: Profile) -> list[Check]:
    if part.id == "q4.b.ii" and part.answer is not None:
        return [
            ev.symbolic(
                "the printed point and conditions (display and prose), read back by the answer "
                "parser, are the claimed point and q4.b.i's conditions there",
                lambda: _stationary_point(part, profile),
            )
        ]
    if part.id in RESTATED and part.answer is not None:
        return [
            ev.exact_instances(
                "the printed numbers of the written answer, read back, are the claimed ones",
                lambda: _restated_instances(part, profile),
            )
        ]
    if part.id in RENDERED and part.answer is not None:
        return [
            ev.symbolic(
                "the printed formulas (display and prose) are the claimed object's rendering",
                lambda: rendered_again(part, profile),
            )
        ]
    if part.id in RENDERED_FROM_RESULTS and part.answer is not None:
        return [
            ev.exact_instances(
                "the printed prose is the written answer of the results' claims, decided again",
                lambda: _as_instances(rendered_again(part, profile)),
            )
        ]
    if part.id == "q3.b.ii" and part.answer is not None:
        return [
            ev.symbolic(
                "the printed dimensions of φ (display and prose), read back by the answer "
                "parser, equal the claimed ones",
                lambda: _feature_map_dimensions(part, profile),
            )
        ]
    if part.id == "q5.d" and part.answer is not None:
        return [
            ev.exact_instances(
                "the printed verdict word follows the search's result; the display lists the "
                "claimed beam answer and optimum",
                lambda: _beam_verdict(part, profile),
            )
        ]
    if part.id not in READERS or part.answer is None:
        return []
    return [
        ev.symbolic(
            "the printed answer (display and the prose's formulas), read back by the answer "
            "parser, equals the claimed object",
            lambda: read_back(part, profile),
            # The answer may first run its experiment (q3.c.ii's prose quotes the attention
            # timings): the time the measurement checks are allowed, not a proof's 60 s.
            timeout_s=300,
        )
    ]
