"""NumPy/SciPy cross-checks, one module per question: Monte Carlo estimators with
confidence bounds and exact numeric checks. Independent of the SymPy derivations."""
