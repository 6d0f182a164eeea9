"""answerkey: a verified answer key for EECS 182 HW6.

The core lives here: `parts` (the registry: Part, Answer, Question), `verdicts` (checks
and their verdicts), `verify`, `build`, `cache`, `rubric`, `errors` and the CLI (`cli`,
which nothing below imports). Packages by pipeline:

    questions/     one module per question: the parts (text, answers, checks, notes)
    experiments/   one module per `answerkey run NAME`, and `results(NAME, profile)`
    judging/       `answerkey check` and `grade`: student text → verdict (no torch)
    documents/     the document model and its Typst and LaTeX renderers

The core may import `derivations/`, `numeric/`, `models/` only lazily (inside functions),
so `answerkey list` imports neither SymPy nor torch.
"""

__version__ = "0.1.0"
