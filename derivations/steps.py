"""A derivation step: one sentence and the math it states."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """`text` in prose; `latex` the formula it states (LaTeX, may be empty)."""

    text: str
    latex: str = ""
