"""The documents: what the solutions and the TA key say, and how they are typeset.

    model          the blocks both documents are made of (written once, rendered twice)
    content        what each document says, as blocks, from results.json alone
    typst_render   blocks → Typst markup → PDF, through the `typst` wheel
    latex_render   blocks → the .tex sources TAs paste into their own files
    math_notation  math written once in LaTeX, converted to Typst; symbol names
    escaping       text into Typst and LaTeX so that it prints as written and never runs

May import: the core (`parts`, `rubric`, `errors`) and SymPy's printer. Never torch,
the experiments or the judging pipeline: a document is rendered from results.json.
"""
