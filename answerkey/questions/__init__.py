"""One module per homework question: it assembles the question's parts from
the derivations, numeric checks and models that answer them.

A module defines QUESTION near its top (its parts: text, answer, assumptions, steps,
checks, notes; the functions reached by name when called). Long check lists live beside it
in `<question>_checks.py` (karate_club, kernel_attention, autoencoders, beam_search),
imported when a part's checks are first built; every check is built by an
`answerkey.evidence` factory, which decides its verdict.
Answers and checks take the `Profile`; an experiment's numbers are read with
`answerkey.experiments.results(NAME, profile)`, never computed here.

May import: the core (`parts`, `verdicts`, `evidence`, `errors`), `answerkey.experiments`
(light at import), `answerkey.documents.math_notation` (to spell SymPy objects as the
documents do), and `derivations/`, `numeric/`, `models/`, torch, matplotlib lazily.
Never the judging pipeline, the build or the CLI (tests/test_import_rules.py).
"""
