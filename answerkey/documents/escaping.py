"""Text into Typst markup and into LaTeX, so that it prints as written and never runs.

    escape_typst("#let x = $1")   ->  r"\\#let x \\= \\$1"
    escape_latex("50% of μ_i")    ->  r"50\\% of \\ensuremath{\\mu}\\_i"

Rubric text, student answers and feedback come from files staff (and students)
edit: they must not be able to change a document's markup, let alone run
Typst code or TeX macros. One function per target does all of it; both are
tested with hostile strings. Line breaks and control characters become spaces.

`escape_latex` also spells the Unicode the project's prose uses (Greek,
super- and subscripts, ‖, √, ≤, …) in LaTeX, because pdflatex with only
amsmath/amssymb/graphicx/booktabs cannot print them from UTF-8; any other
non-ASCII character prints as `?` (`UNKNOWN_CHARACTER`) rather than break the build.
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")

# Everything Typst markup gives a meaning to, plus the punctuation that starts a list,
# a heading, a label, a reference, a comment or a URL, and the brackets and parentheses
# that could extend a function call before them. A backslash escapes any of them.
_TYPST_SPECIAL = frozenset("\\#$*_`<>@=-+/[](){}~'\".:")


def _clean(text: str) -> str:
    """Control characters and line breaks → one space each run."""
    text = str(text)
    if not text.isprintable():  # most text is: skip the walk over its characters
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return _WHITESPACE.sub(" ", text)


def escape_typst(text: str) -> str:
    """`text` as Typst markup that prints exactly `text` (whitespace runs → one space)."""
    return "".join("\\" + ch if ch in _TYPST_SPECIAL else ch for ch in _clean(text))


def typst_string(text: str) -> str:
    """`text` as a Typst string literal (for code arguments: captions, metadata)."""
    escaped = _clean(text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


_LATEX_ASCII = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\texttt{\char34}",
    "-": "-{}",  # no -- or --- ligatures
    "`": "{`}",  # no ?` or !` ligatures
    "[": "{[}",  # never an optional argument
    "]": "{]}",
}

_GREEK_NAMES = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "varepsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "vartheta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma",
    "ς": "varsigma", "τ": "tau", "υ": "upsilon", "φ": "varphi", "ϕ": "phi", "χ": "chi",
    "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda",
    "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}  # fmt: skip

_MATH_SYMBOLS = {
    "‖": r"\|", "√": r"\surd", "≠": r"\neq", "≤": r"\leq", "≥": r"\geq", "≈": r"\approx",
    "∈": r"\in", "∉": r"\notin", "→": r"\to", "←": r"\leftarrow", "⇒": r"\Rightarrow",
    "⇔": r"\Leftrightarrow", "↔": r"\leftrightarrow", "×": r"\times", "·": r"\cdot",
    "⋅": r"\cdot", "−": "-", "±": r"\pm", "∞": r"\infty", "∝": r"\propto", "⊤": r"\top",
    "∑": r"\sum", "∏": r"\prod", "∂": r"\partial", "∇": r"\nabla", "ℓ": r"\ell",
    "⟨": r"\langle", "⟩": r"\rangle", "⌈": r"\lceil", "⌉": r"\rceil", "⌊": r"\lfloor",
    "⌋": r"\rfloor", "∘": r"\circ", "⊙": r"\odot", "∥": r"\|", "≪": r"\ll", "≫": r"\gg",
    "⊂": r"\subset", "⊆": r"\subseteq", "∀": r"\forall", "∃": r"\exists", "∅": r"\emptyset",
    "∩": r"\cap", "∪": r"\cup", "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}",
    "𝔼": r"\mathbb{E}", "≡": r"\equiv", "∼": r"\sim", "✓": r"\checkmark", "✗": r"\times",
    "°": r"^{\circ}", "′": r"'", "″": r"''", "∣": r"\mid", "⋯": r"\cdots", "⋮": r"\vdots",
}  # fmt: skip

_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵏᵈ", "0123456789+-=()nikd", strict=True))
_SUPERSCRIPTS["ᵀ"] = r"\top"
_SUBSCRIPTS = dict(
    zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ᵢⱼₖₘₙₜₓₐₑₒₚₛₗₕ", "0123456789+-=()ijkmntxaeopslh", strict=True)
)

_TEXT_SYMBOLS = {
    "…": r"\ldots{}", "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''",
    "\u00a0": "~", "\u2009": r"\,", "\u202f": r"\,", "ß": r"\ss{}", "§": r"\S{}",
    "¶": r"\P{}", "†": r"\dag{}", "‡": r"\ddag{}", "•": r"\ensuremath{\bullet}",
    "ı": r"\i{}", "ø": r"\o{}", "Ø": r"\O{}", "æ": r"\ae{}", "Æ": r"\AE{}",
}  # fmt: skip

# Combining marks (after NFD: é is e + U+0301, Â is A + U+0302) as kernel text accents.
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=",
    "\u0306": "u", "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H",
    "\u030c": "v", "\u0327": "c",
}  # fmt: skip

UNKNOWN_CHARACTER = "?"


def _latex_char(ch: str) -> str:
    if ch in _LATEX_ASCII:
        return _LATEX_ASCII[ch]
    if ch.isascii():
        return ch
    if ch in _TEXT_SYMBOLS:
        return _TEXT_SYMBOLS[ch]
    if ch in _GREEK_NAMES:
        return rf"\ensuremath{{\{_GREEK_NAMES[ch]}}}"
    if ch in _MATH_SYMBOLS:
        return rf"\ensuremath{{{_MATH_SYMBOLS[ch]}}}"
    if ch in _SUPERSCRIPTS:
        return rf"\ensuremath{{^{{{_SUPERSCRIPTS[ch]}}}}}"
    if ch in _SUBSCRIPTS:
        return rf"\ensuremath{{_{{{_SUBSCRIPTS[ch]}}}}}"
    return UNKNOWN_CHARACTER


def _latex_pieces(text: str) -> list[tuple[str, str]]:
    """(the characters, their LaTeX) per character with its combining accents."""
    pieces: list[tuple[str, str]] = []
    decomposed = unicodedata.normalize("NFD", _clean(text))
    for position, ch in enumerate(decomposed):
        following = decomposed[position + 1 : position + 2]
        if unicodedata.combining(ch) and pieces:
            written, latex = pieces[-1]
            accent = _ACCENTS.get(ch)
            latex = rf"\{accent}{{{latex}}}" if accent else UNKNOWN_CHARACTER
            pieces[-1] = (written + ch, latex)
        elif ch in "ij" and following and unicodedata.combining(following):
            pieces.append((ch, rf"\{ch}"))  # dotless i and j take accents: na\"{\i}ve
        elif pieces and ch in _SCRIPTS and _same_script(pieces[-1][0], ch):
            # 10⁻¹⁶ → 10\ensuremath{^{-16}}: one exponent, not one superscript per character
            written = pieces[-1][0] + ch
            table, mark = (_SUPERSCRIPTS, "^") if ch in _SUPERSCRIPTS else (_SUBSCRIPTS, "_")
            script = "".join(table[c] + " " * table[c].startswith("\\") for c in written)
            pieces[-1] = (written, rf"\ensuremath{{{mark}{{{script}}}}}")
        else:
            pieces.append((ch, _latex_char(ch)))
    return pieces


def _same_script(previous: str, ch: str) -> bool:
    """Whether `ch` continues a run of super- (or sub-)scripts that `previous` is."""
    for table in (_SUPERSCRIPTS, _SUBSCRIPTS):
        if ch in table and all(c in table for c in previous):
            return True
    return False


_ASCII_TO_LATEX = str.maketrans(_LATEX_ASCII)
_SCRIPTS = frozenset(_SUPERSCRIPTS) | frozenset(_SUBSCRIPTS)


def escape_latex(text: str) -> str:
    """`text` as LaTeX (text mode, OT1 fonts) that prints as `text` and defines nothing."""
    cleaned = _clean(text)
    if cleaned.isascii():  # most text: no accents, scripts or symbols, one table lookup each
        return cleaned.translate(_ASCII_TO_LATEX)
    return "".join(latex for _, latex in _latex_pieces(cleaned))


def unprintable_in_latex(text: str) -> set[str]:
    """The characters of `text` (with their accents) that `escape_latex` prints as `?`."""
    return {
        unicodedata.normalize("NFC", written)
        for written, latex in _latex_pieces(text)
        if latex == UNKNOWN_CHARACTER and written != "?"
    }


# --- project prose with inline math ----------------------------------------------

_INLINE_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")


def split_math(text: str) -> list[tuple[str, str]]:
    """Project-authored prose → [("text", …) | ("math", latex), …] at `$…$` pairs.

    Only the project's own strings (question statements, answers, steps,
    captions) carry inline math; text from rubric.toml is never split.
    An unpaired `$` stays text.
    """
    pieces: list[tuple[str, str]] = []
    position = 0
    for match in _INLINE_MATH.finditer(text):
        if match.start() > position:
            pieces.append(("text", text[position : match.start()]))
        pieces.append(("math", match.group(1)))
        position = match.end()
    if position < len(text):
        pieces.append(("text", text[position:]))
    return pieces
