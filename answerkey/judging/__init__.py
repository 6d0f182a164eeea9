"""Judging students' answers: `answerkey check` and `answerkey grade`.

The pipeline, one module a step:

    text          normalize what students type; clean what is printed back
    parser        a whitelisted grammar → the project's own tree (never sympify/eval)
    to_sympy      that tree → SymPy objects, from a fixed table of constructors
    equivalence   proof, counterexample or neither for "is this the key's expression?"
    complexity    asymptotic classes: is O(f) the class of O(g)?
    forms         the shapes answers take (scalar, feature map, big-O pair, conditions)
    judged_parts  which parts are judged, with what vocabulary and key
    judge         one answer → a verdict, its method and reason
    grade         a CSV of answers → verdicts and credit, in parallel workers
    sandbox       killable worker processes with CPU-time and memory limits

May import: the core (`parts`, `verdicts`, `rubric`, `errors`, `cache`), the `Profile`
of `answerkey.experiments` (the key is read at the full profile; no judged part reads an
experiment) and SymPy.
Never torch or matplotlib (tests/test_import_rules.py checks the import graph).
"""
