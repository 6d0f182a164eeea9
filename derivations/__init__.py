"""SymPy derivations, one module per question. Pure functions that derive each
answer and return it with its steps; no numpy, no torch, no answerkey."""
