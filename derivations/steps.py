"""A derivation step: one sentence and the math it states."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """`text` in prose; `latex` the formula it states (LaTeX, may be empty). `full`: the
    formula whole where `latex` abbreviates it (a polynomial as its leading term +
    lower-order terms), printed in the TA key only; empty when `latex` is complete."""

    text: str
    latex: str = ""
    full: str = ""
