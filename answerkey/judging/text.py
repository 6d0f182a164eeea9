r"""Student text in and out: normalize what students type, clean what we print.

    normalize("σ² · √d")      ->  r"\sigma ^(2) * \sqrt d"
    printable("d\x1b[2Jμ")     ->  "d[2Jμ"
    csv_cell("=HYPERLINK(…)") ->  "'=HYPERLINK(…)"

`normalize` turns the Unicode students paste (superscripts, subscripts, the
micro sign, Greek letters, middle dots, minus signs, ᵀ, fullwidth forms) into
the plain-ASCII-plus-backslash text the tokenizer reads. Superscripts and
subscripts are rewritten *before* NFKC, which would otherwise turn σ² into σ2.
Nothing here interprets the text; it only respells it.

Everything printed back (the answer as the student gave it, feedback) goes
through `printable` (control, format and bidi characters removed, length
capped); every cell written to a CSV through `csv_cell`, which defuses
spreadsheet formulas.
"""

from __future__ import annotations

import re
import unicodedata

# Hard cap on what we even look at: anything longer is rejected before normalization.
MAX_RAW_CHARS = 20_000

_SUPERSCRIPT = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿⁱᵏᵈᴺᵀ", "0123456789+-()nikdNT", strict=True))
_SUBSCRIPT = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₘₙ", "0123456789ijkmn", strict=True))

# Respellings applied after NFKC: one character → ASCII or a LaTeX-like command.
_RESPELL = {
    "·": "*", "⋅": "*", "∙": "*", "×": "*", "∗": "*", "⨯": "*", "•": "*",
    "÷": "/", "⁄": "/", "∕": "/",
    "−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-", "﹣": "-",
    "√": " \\sqrt ", "∛": " \\cbrt ",
    "⊤": "^T", "ᵀ": "^T",
    "⟨": "<", "⟩": ">", "〈": "<", "〉": ">", "《": "<", "》": ">",
    "‖": "||", "∥": "||",
    "∞": " \\infty ", "π": " \\pi ",
    "≤": "<=", "≥": ">=", "→": "->", "⟶": "->", "⇒": "->", "↦": "->",
    "’": "'", "‘": "'", "′": "'", "“": '"', "”": '"', "…": "...", "⋯": "...",
    "Ο": "O", "ς": " \\sigma ", "ϕ": " \\phi ", "ϵ": " \\epsilon ", "ℓ": "l",
}  # fmt: skip


def _greek(ch: str) -> str | None:
    """μ → " \\mu ", Θ → " \\Theta ": any Greek letter as its LaTeX command."""
    name = unicodedata.name(ch, "")
    for prefix, case in (("GREEK SMALL LETTER ", str.lower), ("GREEK CAPITAL LETTER ", str.title)):
        if name.startswith(prefix) and " " not in name[len(prefix) :]:
            return f" \\{case(name[len(prefix) :])} "
    return None


_GREEK_RUN = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]{2,}")
_GREEK_SHORT_WORDS = {"το", "τα", "να", "με", "σε", "θα", "οι", "ως", "ας", "αν", "ότι"}


def _greek_words(text: str) -> list[bool]:
    """For each character of `text`: is it a letter of a Greek word? A word is a run of
    three or more Greek letters, or a short one that is a word ("το", "με") or carries an
    accent ("ή"); a single letter (μ, σ, Σ) or a pair like "μσ" stays math."""
    marks = [False] * len(text)
    for match in _GREEK_RUN.finditer(text):
        run = match.group()
        accented = any(unicodedata.decomposition(c) for c in run)
        if len(run) >= 3 or run.lower() in _GREEK_SHORT_WORDS or accented:
            marks[match.start() : match.end()] = [True] * len(run)
    return marks


_SQRT_DIGITS = re.compile(r"(?<![A-Za-z\\])sqrt(\d+)(?![\d.])")
# two dots between terms (not "1..D", an index range): the left term is a subscripted or
# raised name, the right one a name or a root
_TWO_DOT_RUN = re.compile(
    r"([A-Za-z]_\w|[A-Za-z]_\{\w+\}|\^\d|\^\{\d\})\s*\.\.(?!\.)\s*(?=[A-Za-z\\√])"
)


# "sum_i f", "sum_{i=1}^d f", "sum over i of f": the ASCII spellings of Σᵢ f
_ASCII_SUM = re.compile(r"(?<![A-Za-z\\])sum(?=\s*_\s*[{a-z])")
_ASCII_SUM_OVER = re.compile(r"(?<![A-Za-z\\])sum over ([a-z])(?: of)?(?![A-Za-z])")


_ASCII_IMPLIES = re.compile(r"(?<![<=!])==?>")


def ascii_shorthand(text: str) -> str:
    """ASCII shorthand spelled out: "sqrt2" is sqrt(2); "q_1..q_D" and "q_1^2..q_D^2" are
    ellipsis runs "q_1, ..., q_D"; "sum_i f" and "sum over i of f" are Σᵢ f (\\sum_i f)."""
    text = _SQRT_DIGITS.sub(r"sqrt(\1)", text)
    text = _ASCII_SUM.sub(r"\\sum", text)
    text = _ASCII_SUM_OVER.sub(r"\\sum_\1 ", text)
    text = _ASCII_IMPLIES.sub(" ⇒ ", text)  # "d/s^2 = 1 => s^2 = d": no '=' of a chain
    return _TWO_DOT_RUN.sub(r"\1, ..., ", text)


def normalize(text: str) -> str:
    """Student text → the tokenizer's alphabet (ASCII, backslash commands, spaces).

    Raises ValueError for text longer than MAX_RAW_CHARS (checked first, so a
    100-kB paste costs nothing).
    """
    if len(text) > MAX_RAW_CHARS:
        raise ValueError(
            f"the answer is {len(text):,} characters long; the limit is {MAX_RAW_CHARS:,}"
        )
    out: list[str] = []
    position = 0
    while position < len(text):
        ch = text[position]
        table = _SUPERSCRIPT if ch in _SUPERSCRIPT else _SUBSCRIPT if ch in _SUBSCRIPT else None
        if table is None:
            out.append(ch)
            position += 1
            continue
        run = []
        while position < len(text) and text[position] in table:
            run.append(table[text[position]])
            position += 1
        if table is _SUPERSCRIPT:
            if run == ["T"]:
                out.append("^T")
            else:
                out.append("^(" + "".join(run) + ")")
        else:
            out.append("_{" + "".join(run) + "}")
            following = text[position] if position < len(text) else ""
            if following.isalpha() and following not in _SUPERSCRIPT:
                out.append(" ")  # "qᵢqⱼ": a product of two subscripted names
    text = unicodedata.normalize("NFKC", "".join(out))  # µ (micro) → μ, ｄ → d, 𝒪 → O
    words = _greek_words(text)
    respelled = []
    for index, ch in enumerate(text):
        if words[index]:
            respelled.append(ch)  # a letter of a Greek word ("δηλαδή"): prose, not a symbol
        elif ch in _RESPELL:
            respelled.append(_RESPELL[ch])
        elif (greek := _greek(ch)) is not None:
            respelled.append(greek)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Zs"):
            # Tabs, newlines, zero-width and bidi controls all read as a space.
            respelled.append(" ")
        else:
            respelled.append(ch)
    return ascii_shorthand(" ".join("".join(respelled).split()))


def printable(text: object, limit: int = 300) -> str:
    """`text` safe to print to a terminal or a report: no control, format or bidi
    characters (ANSI escapes lose their ESC and become harmless), whitespace
    runs → one space, at most `limit` characters."""
    cleaned = []
    for ch in str(text):
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            cleaned.append(" " if ch in "\t\n\r\u2028\u2029" else "")
        else:
            cleaned.append(ch)
    result = " ".join("".join(cleaned).split())
    if len(result) > limit:
        result = result[: limit - 1] + "…"
    return result


# A spreadsheet treats a cell starting with one of these as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: object, limit: int = 2000) -> str:
    """A cell for graded.csv: printable, and a leading formula character defused by
    a leading apostrophe (which spreadsheets show as text and do not evaluate)."""
    text = "" if value is None else printable(value, limit=limit)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text
