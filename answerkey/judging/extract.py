r"""Find the final answer in free text: what a student or a language model wrote.

    find(r"**Answer.** so $\mathrm{Var}(q^\top k) = d$.", asked)
        ->  Found(spans=(r"\mathrm{Var}(q^\top k) = d",), line=…, how="labelled answer")

Real answers are prose with math in it (plain, Markdown, LaTeX, Unicode). The
order of preference follows Hugging Face's math-verify (its extraction finds
`\boxed{}` first, then LaTeX spans, then plain expressions, the last one
winning): the last `\boxed{…}`; else the math after the last label ("Answer",
"Final answer", "(c)", a **bold** span); else, among the math spans — `$…$`,
`$$…$$`, `\(…\)`, `\[…\]` when there are any, runs of math-like words in the
prose otherwise — the last whose left side or words before it name the asked
quantity; else the last span that is not a side remark ("where d is the
dimension", "each variance = 1", "for D = 2").

Only the *finding* is borrowed: nothing here evaluates anything. A span is a
substring of the student's text, respelled (Markdown and LaTeX wrappers
removed, "d squared" → "d^2", inline definitions substituted); the form reads
it with the project's own whitelisted grammar (`parser`), inside the same
limited worker as before.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, replace

from answerkey import parts
from answerkey.judging.text import MAX_RAW_CHARS, ascii_shorthand

MAX_SPANS = 100  # math spans considered, counted from the end of the answer


@dataclass(frozen=True)
class Asked(parts.Asked):
    """A part's `answerkey.parts.Asked` (how people name what it asks for), with the
    matching the extraction does."""

    @classmethod
    def of(cls, declared: parts.Asked, aliases: dict[str, str] | None = None) -> Asked:
        """`declared` with extra `aliases` (the rubric's) added to its own."""
        fields = {f.name: getattr(declared, f.name) for f in dataclasses.fields(declared)}
        fields["aliases"] = {**declared.aliases, **(aliases or {})}
        return cls(**fields)

    def names(self, left: str) -> bool:
        """Whether an equation's left side names the asked quantity."""
        return bool(re.fullmatch(self.lhs, _squash(left), flags=re.IGNORECASE))


@dataclass(frozen=True)
class Found:
    """The answer's span(s) (several when the student gave alternatives: "√d or d^{1/2}"),
    the line it came from, how it was found, and the substitutions made."""

    spans: tuple[str, ...]
    line: str
    how: str
    substitutions: tuple[str, ...] = ()
    all_math: tuple[str, ...] = ()  # every math span in scope (for several-part answers)
    named: bool = False  # the words before the span named the asked quantity
    negated: str = ""  # the negation said of the span ("s = √d is not right"), if any


# --- respelling ----------------------------------------------------------------------

_WRAPPERS = r"mathrm|operatorname|text|textrm|textbf|textit|mathbf|mathit|mathsf|mathbb|mathcal|boldsymbol|bm|rm|bf|emph"  # noqa: E501
_SPACING = re.compile(
    r"\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big|displaystyle|quad|qquad)(?![A-Za-z])|\\[,;!:]"
)
_WORD_OPS = [
    (r"\b(?:the\s+)?square\s+root\s+of\b", r" \\sqrt "),
    (r"\bsqrt\s+of\b", " sqrt "),
    (r"\broot\s+(?=[A-Za-z(\\])", r" \\sqrt "),
    (r"\b(?:the\s+)?cube\s+root\s+of\b", r" \\cbrt "),
    (r"\s+squared\b", "^2 "),
    (r"\s+cubed\b", "^3 "),
    (r"\s+to\s+the\s+power\s+(?:of\s+)?([\d./]+|[A-Za-z]+)", r"^(\1)"),
    (r"\bdivided\s+by\b", " / "),
    (r"\bmultiplied\s+by\b", " * "),
    (r"\btimes\b", " * "),
    (r"\bover\b", " / "),
    (r"\bplus\b", " + "),
    (r"\bminus\b", " - "),
    (r"\blog\s+of\b", " log "),
]
_OP_WORDS = {"sqrt"}


def respell_words(text: str) -> str:
    """Words for operations → symbols: "square root of d" → "\\sqrt d", "d squared" → "d^2"."""
    text = re.sub(r"[ \t]{2,}", " ", text)  # one space: a pattern that starts with \s+ stays linear
    for pattern, replacement in _WORD_OPS:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    return text


def _unwrap(text: str) -> str:
    r"""\mathrm{Var} → Var, \text{ where …} → a break (prose inside math), \left( → (."""

    def one(match: re.Match) -> str:
        inner = match.group(2)
        if match.group(1).startswith("text") and re.search(r"[A-Za-z]{2,}\s+[A-Za-z]", inner):
            return " ;; "  # a sentence inside \text{}: a break
        if match.group(1) == "mathcal" and inner.strip() == "O":
            return "O"
        return f" {inner} " if match.group(1).startswith("text") else inner

    previous = None
    while previous != text:
        previous = text
        text = re.sub(rf"\\({_WRAPPERS})\s*\{{([^{{}}]*)\}}", one, text)
    text = _SPACING.sub(" ", text)
    text = re.sub(r"\\(?:dfrac|tfrac)", r"\\frac", text)
    text = re.sub(r"\\(?:approx|simeq|sim)(?![A-Za-z])|≈", " ≈ ", text)
    text = re.sub(r"\\(?:pm|mp)(?![A-Za-z])", "±", text)
    text = _MATRIX.sub(_matrix_as_list, text)
    text = re.sub(r"\\(?:begin|end)\{[^}]*\}|\\\\|&", " ", text)
    return text


_MATRIX = re.compile(
    r"\\begin\{([pbBvV]?matrix|array)\}(?:\{[^{}]*\})?(.*?)\\end\{\1\}", flags=re.DOTALL
)


def _matrix_as_list(match: re.Match) -> str:
    r"""\begin{bmatrix} 1 \\ \sqrt{2}x \end{bmatrix} → [1; \sqrt{2}x]: a column vector's
    entries (rows) and a row vector's (cells) as a list."""
    rows = [row.strip() for row in re.split(r"\\\\", match.group(2)) if row.strip()]
    entries = "; ".join(", ".join(c.strip() for c in row.split("&")) for row in rows)
    return f" ({entries}) " if match.group(1) == "pmatrix" else f" [{entries}] "


def _squash(text: str) -> str:
    text = _unwrap(text)
    text = re.sub(r"\\mathbb\s*E|\\mathbb\{E\}", "E", text)
    text = re.sub(r"\\(top|intercal)\b", "T", text)
    text = text.replace("ᵀ", "^T").replace("⊤", "^T").replace("·", ".").replace("\\cdot", ".")
    text = re.sub(r"\^\{?T\}?", "^T", text)
    text = re.sub(r"\\(?=[A-Za-z])", "", text)
    return re.sub(r"[\s{}*$]", "", text)


def _markdown(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Markdown emphasis and code marks removed; the bold spans' places, as labels."""
    bold = []
    out = []
    position = 0
    for match in re.finditer(r"\*\*(.+?)\*\*|__(.+?)__", text, flags=re.DOTALL):
        out.append(text[position : match.start()])
        start = sum(len(p) for p in out)
        inner = match.group(1) or match.group(2)
        out.append(inner)
        bold.append((start, start + len(inner)))
        position = match.end()
    out.append(text[position:])
    cleaned = "".join(out)
    cleaned = re.sub(r"`+", " ", cleaned)
    cleaned = re.sub(
        r"(?m)^\s{0,3}(?:#{1,6}\s+|[-*+]\s+|>\s*)", lambda m: " " * len(m.group()), cleaned
    )
    return cleaned, bold


_TABLE = re.compile(
    r"(?m)^[ \t]*\|.*\|[ \t]*\n[ \t]*\|[ \t:|-]*-[ \t:|-]*\|[ \t]*\n(?:[ \t]*\|.*\|[ \t]*(?:\n|$))+"
)


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def tables(text: str) -> str:
    """Markdown tables as lines that pair each cell with its column's header: under
    "| | Time | Memory |" the row "| softmax | O(a) | O(b) |" is "softmax, Time: O(a);
    Memory: O(b)"; a table of one data column keeps "label: cell" ("| Memory | O(b) |")."""

    def one(match: re.Match) -> str:
        rows = match.group().strip("\n").split("\n")
        header, lines = _cells(rows[0]), []
        for row in rows[2:]:
            cells = _cells(row)
            if len(cells) == 2 or len(cells) != len(header):
                lines.append(": ".join(c for c in cells if c))
                continue
            paired = "; ".join(
                f"{h}: {c}" if h else c for h, c in zip(header[1:], cells[1:], strict=True)
            )
            lines.append(f"{cells[0]}, {paired}" if cells[0] else paired)
        return "\n".join(lines) + "\n"

    return _TABLE.sub(one, text)


def _boxed(text: str) -> str | None:
    """The content of the last \\boxed{…} (or \\fbox{…}), braces matched."""
    starts = [m.end() for m in re.finditer(r"\\(?:boxed|fbox)\s*\{", text)]
    if not starts:
        return None
    start = starts[-1]
    depth = 1
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start:index]
    return None


# --- spans ---------------------------------------------------------------------------

_DELIMITED = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\$(.+?)\$|\\\((.+?)\\\)", flags=re.DOTALL)
_LABEL = re.compile(
    r"(?im)(?:^|(?<=[\s.:;]))(?:final\s+answer|the\s+answer|answer|ans\.|result|solution|"
    r"答案|答|réponse|respuesta|antwort|ответ)\s*(?:\(?[a-e](?:\.[ivx]+)?\)|\([ivx]+\))?\s*[:：.=]?"
    r"|^\s*(?:part\s*)?\(?[a-e]\)(?:\s*\(?[ivx]+\))?\s*[:.]?|^\s*q?\d\.?[a-e]?\s*[:.)]"
)
_CLAUSE = re.compile(
    r"[.;:!?。，；：,]\s|[。，；：]|\b(?:so|hence|thus|therefore|then|and|because|since|but)\b",
    flags=re.IGNORECASE,
)
_ALTERNATIVE = re.compile(
    r"^[\s,(;)]*(?:(?:or|equivalently|i\.\s?e\.?|ie|that\s+is|namely|aka|"
    r"which\s+is(?:\s+the\s+same\s+as)?|also\s+written)[\s,:()]*)+$",
    flags=re.IGNORECASE,
)
_GENERIC_REMARK = (
    "where",
    "for",
    "with",
    "when",
    "if",
    "at",
    "eg",
    "example",
    "each",
    "every",
    "per",
    "single",
    "one term",
    "assuming",
    "given",
    "step",
    "cada",  # Spanish, Portuguese, Italian: each
    "donde",  # Spanish: where
    "con",  # Spanish, Italian: with ("con c=1 y γ=1": the kernel's constants)
    "avec",  # French: with
    "mit",  # German: with
    "com",  # Portuguese: with
    "chaque",  # French: each
)
_TOKEN = re.compile(
    r"\\[A-Za-z]+|[A-Za-z]+\d*(?:_\{[^{}]*\}|_[A-Za-z0-9]+)?|\d+(?:\.\d+)?|\s+|.", flags=re.DOTALL
)
_MATH_CHARS = set("+-*/^=()[]{}|<>,!'._√∛∞²³¹⁰⁴⁵⁶⁷⁸⁹ᵀ⊤·×−⟨⟩‖∥∑Σ±πμσφϕ∙⋅⁻⁽⁾ⁿᵢⱼₖ₀₁₂₃₄₅₆₇₈₉≤≥⊗⊙∘")
_LATEX_MATH = {
    "frac",
    "sqrt",
    "cdot",
    "times",
    "mu",
    "sigma",
    "top",
    "langle",
    "rangle",
    "binom",
    "log",
    "ln",
    "exp",
    "phi",
    "varphi",
    "pi",
    "max",
    "min",
    "mathcal",
    "mathrm",
    "operatorname",
    "mathbf",
    "left",
    "right",
    "intercal",
    "lVert",
    "rVert",
    "Vert",
    "sum",
    "mathbb",
    "cbrt",
    "Theta",
    "ast",
    "prime",
    "otimes",
    "odot",
    "pm",
    "mp",
    "circ",
    "in",
}


@dataclass
class _Span:
    text: str
    start: int
    end: int
    left: str  # the words before it in its clause
    delimited: bool
    right: str = ""  # the words after it, to the end of its clause


_SUBSCRIPTED_NAME = re.compile(r"[A-Za-z]+_(?:\{[A-Za-z0-9]+\}|[A-Za-z0-9])|[A-Za-z]+$")
_SUBSCRIPTED_RUN = re.compile(r"(?:[A-Za-z]+_(?:\{[A-Za-z0-9]+\}|[A-Za-z0-9]))+[A-Za-z]*")


def _is_math_word(word: str, known: set[str]) -> bool:
    if word in known or word.lower() in _OP_WORDS or re.sub(r"[{}]", "", word) in known:
        return True
    pieces = _SUBSCRIPTED_NAME.findall(word) if _SUBSCRIPTED_RUN.fullmatch(word) else []
    if len(pieces) > 1:  # "W_2W_1": W_2 times W_1, each a known name
        *named, last = pieces
        # the tokenizer cuts "W_2W_1" as "W_2W" + "_1": a bare last piece starts a name
        last_ok = _is_math_word(last, known) or (
            "_" not in last and any(k.startswith(last + "_") for k in known)
        )
        if last_ok and all(_is_math_word(p, known) for p in named):
            return True
    base = re.sub(r"_(?:\{[^{}]*\}|[A-Za-z0-9]+)$|(?<=[A-Za-z])\d+$", "", word)
    if base != word and (base in known or word in known):
        return True
    if base != word and 1 < len(base) <= 6 and base.isalpha():  # "CW_{1}": C times W_1
        head, last = base[:-1], word[len(base) - 1 :]
        if _splits(head, known) and _is_math_word(last, known):
            return True
    if len(word) > 6 or not word.isalpha():
        return False
    return _splits(word, known)


def _splits(word: str, known: set[str]) -> bool:
    """A short run of letters that is a product of known names ("dmu", "Tk"), no constants."""
    names = {w for w in known if w not in ("e", "pi") and len(w) <= 5}
    reachable = [False] * (len(word) + 1)
    reachable[0] = True
    for start in range(len(word)):
        if not reachable[start]:
            continue
        for end in range(start + 1, len(word) + 1):
            if word[start:end] in names:
                reachable[end] = True
    return reachable[len(word)]


def _bare_spans(text: str, offset: int, known: set[str]) -> list[_Span]:
    """Runs of math-like tokens in prose: names the part knows, numbers, operators."""
    spans = []
    current: list[tuple[int, str]] = []
    depth = 0

    def close():
        nonlocal current
        while current and (current[-1][1].isspace() or current[-1][1] in "=,.:;'([{"):
            current.pop()
        while current and (current[0][1].isspace() or current[0][1] in "=,.:;)]}"):
            current.pop(0)
        body = "".join(t for _, t in current)
        while current and _depth(body) < 0 and current[-1][1] in ")]}":
            current.pop()
            body = "".join(t for _, t in current)
        while current and _depth(body) > 0 and current[0][1] in "([{":
            current.pop(0)
            body = "".join(t for _, t in current)
        if not _balanced(body):
            # "dμ²（σ不影响结果）": a bracket the prose opened after the math; the math ends there
            unmatched = []
            for index, (_, token) in enumerate(current):
                if token in "([{":
                    unmatched.append(index)
                elif token in ")]}" and unmatched:
                    unmatched.pop()
            if unmatched and unmatched[0] > 0:
                current = current[: unmatched[0]]
                while current and current[-1][1].isspace():
                    current.pop()
                body = "".join(t for _, t in current)
        if re.search(r"[A-Za-z0-9√∞πμσ]", body) and _balanced(body):
            start = current[0][0]
            spans.append(_Span(body, offset + start, offset + start + len(body), "", False))
        current = []

    for match in _TOKEN.finditer(text):
        token = match.group()
        if token.isspace():
            if current:
                current.append((match.start(), token))
            continue
        if token[0] == "\\":
            math = token[1:] in _LATEX_MATH or token[1:] in known or token in known  # \Sigma := …
        elif token[0].isalpha() and token[0].isascii():
            math = _is_math_word(token, known)
        elif token[0].isdigit():
            math = True
        else:
            math = token in _MATH_CHARS or token.isalpha() and token in known
            if token in ",;" and depth == 0:
                math = False
            elif token == ";":
                math = True  # [1; √2 x; vec(xxᵀ)]: a column written with semicolons
            if token in "([{⟨":
                depth += 1
            elif token in ")]}⟩":
                depth = max(0, depth - 1)
        if math:
            current.append((match.start(), token))
        elif current:
            close()
            depth = 0
    if current:
        close()
    return spans


# CJK (and Korean) letters: prose. Math glued to them ("所以E[qᵀk]=dμ²，与σ无关") is set
# apart by a space, so that "E[qᵀk]" names the asked quantity and "σ" stands in prose.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_CJK_GLUED = re.compile(
    rf"(?<=[{_CJK}])(?=[^\s{_CJK}\u3000-\u303f\uff00-\uffef.,;:!?)\]}}])|"
    rf"(?<=[^\s{_CJK}\u3000-\u303f\uff00-\uffef(\[{{])(?=[{_CJK}])"
)


def spaced_cjk(text: str) -> str:
    """`text` with a space between a CJK letter and math glued to it."""
    return _CJK_GLUED.sub(" ", text)


def _depth(text: str) -> int:
    return sum(ch in "([{" for ch in text) - sum(ch in ")]}" for ch in text)


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _clause_before(text: str) -> str:
    """The words of `text`'s last clause (what introduces the span that follows)."""
    pieces = _CLAUSE.split(text)
    return pieces[-1] if pieces else text


_EXAMPLE = re.compile(
    r"\b(?:e\.\s?g\b|eg\b|for\s+(?:example|instance)|say\b|z\.\s?b\b|por\s+ejemplo|"
    r"par\s+exemple|zum\s+beispiel)",
    re.IGNORECASE,
)


def _in_example(text: str, span: _Span) -> bool:
    """The span is part of an example ("e.g. for d = 64, s = 8"): an example marker in
    the 60 characters before it on its line."""
    before = text[max(0, span.start - 60) : span.start]
    return bool(_EXAMPLE.search(before.rsplit("\n", 1)[-1]))


# "Obs: se σ fosse 2, seria s = 4√d": a remark after "Note:"/"Obs:" on the span's line, or a
# hypothetical ("if σ were 2", "se σ fosse", "si σ fuera", "wenn σ … wäre"), is no answer
_ASIDE = re.compile(
    r"(?:^|[.;!?。]\s)\s*[*_]*(?:obs|obs\.|note|nota|remark|n\.\s?b\.?|p\.?s\.?|observação|"
    r"observación|remarque|anmerkung|hinweis|bemerkung|uwaga|примечание|not|σημείωση)[*_]*\s*:"
    r"[^\n]*$|\b(?:if|se|si|wenn|falls|jeśli|если|eğer)\s[^.;\n]{0,40}?\b(?:were|was|would|"
    r"fosse|fossem|fuera|fuese|fuesen|était|étaient|wäre|wären|byłoby|была|было|был|olsaydı)\b"
    r"[^.;\n]*$",
    re.IGNORECASE,
)


_ASIDE_OPEN = re.compile(_ASIDE.pattern.replace("[^\\n]*$", "").replace("[^.;\\n]*$", ""), re.I)


def without_asides(text: str) -> str:
    """`text` with its remarks ("Obs: …" to the line's end) and hypotheticals ("if σ were
    2, …" to the sentence's end) cut out: working there states no step of the answer."""

    def cut(line: str) -> str:
        found = _ASIDE_OPEN.search(line)
        if found is None:
            return line
        if re.match(r"\W*(?:if|se|si|wenn|falls|jeśli|если|eğer)\b", found.group(), re.I):
            end = re.search(r"[.;!?。](?:\s|$)", line[found.end() :])
            rest = line[found.end() + end.end() :] if end else ""
            return line[: found.start()] + " " + cut(rest)
        return line[: found.start()]

    return "\n".join(cut(line) for line in text.split("\n"))


def _in_aside(text: str, span: _Span) -> bool:
    """The span stands in a remark ("Obs: …", "Note: …") or a hypothetical ("if σ were 2,
    s would be 4√d") on its line, before it."""
    return bool(_ASIDE.search(text[max(0, span.start - 200) : span.start].rsplit("\n", 1)[-1]))


_REASON_CLAUSE = re.compile(
    r"(?:^|[,;，；(])\s*(?:since|because|as\s+(?=\S+\s*=)|weil|da|car|puisque|porque|"
    r"ya\s+que|poiché|perché|pois|já\s+que|dato\s+che|αφού|επειδή|διότι|γιατί|так\s+как|"
    r"поскольку|çünkü|因为|由于|因為)(?:\s|$)[^.;。；\n]*$",
    re.IGNORECASE,
)


def _in_reason(text: str, span: _Span) -> bool:
    """The span stands in a clause giving a reason (", since …", ", because …", "，因为…")
    on its line: the 200 characters before it, from its clause's opening word."""
    before = text[max(0, span.start - 200) : span.start].rsplit("\n", 1)[-1]
    return bool(_REASON_CLAUSE.search(before))


# a symbol said not to matter ("sigma doesnt matter", "σ drops out") is named in a remark
_DISMISSED = re.compile(
    r"\s*(?:does\s*n[o']?t|doesn[’']?t|do\s*n[o']?t|don[’']?t|has\s+no|have\s+no|plays?\s+no|"
    r"is\s+irrelevant|are\s+irrelevant|is\s+not\s+needed|drops?\s+out|cancels?\b)",
    flags=re.IGNORECASE,
)


# "… và không phụ thuộc vào μ", "unabhängig von σ": the symbol after it is a remark
_INDEPENDENT_OF = re.compile(
    r"(?:independent\s+of|does\s*n[o']?t\s+depend\s+on|regardless\s+of|"
    r"không\s+phụ\s+thuộc(?:\s+vào)?|indépendante?\s+de|ne\s+dépend\s+pas\s+de|"
    r"unabhängig\s+von|independiente\s+de|no\s+depende\s+de|indipendente\s+da|"
    r"non\s+dipende\s+da|не\s+зависит\s+от|nie\s+zależy\s+od|niezależn\w*\s+od|"
    r"não\s+depende\s+de)\s*$",
    flags=re.IGNORECASE,
)


def _remark(span: _Span, asked: Asked) -> bool:
    """A side remark: introduced by "where", "for", "with", "each"…, or naming another
    quantity (q2.c's "the variance is 1"), or followed by "each"/"per term", or said not
    to matter ("sigma doesnt matter")."""
    lowered = " " + span.left.lower() + " "
    if re.match(r"\s*(?:each|apiece|per\b|for\s+each|for\s+every|for\s+one)", span.right.lower()):
        return True
    if _DISMISSED.match(span.right) or _INDEPENDENT_OF.search(span.left):
        return True
    if re.search(r"\b(?:each|every|per|single|one\s+term)\b", lowered):
        return True
    if any(re.search(rf"(?:^|\W){re.escape(w)}(?:\W|$)", lowered) for w in _GENERIC_REMARK):
        return True
    if any(re.search(rf"(?:^|\W){re.escape(w)}(?:\W|$)", lowered) for w in asked.words):
        return False
    return any(re.search(rf"(?:^|\W){re.escape(w)}(?:\W|$)", lowered) for w in asked.other)


_BARE_NUMBER = re.compile(r"\s*[-+]?\d+(?:\.\d+)?\s*")


def _named_by_lhs(span: _Span, asked: Asked) -> bool:
    left = _top_level_left(span.text)
    return left is not None and asked.names(left) and not _second_factor(span)


def _second_factor(span: _Span) -> bool:
    """The span starts after a transpose: "φ(q)ᵀ φ(k) = …" is a product, and φ(k) is its
    second factor, not the asked φ."""
    return bool(re.search(r"(?:\^\s*\{?\s*(?:T|\\top|\\intercal)?\s*\}?|ᵀ|⊤)\s*$", span.left))


def _named(span: _Span, asked: Asked) -> bool:
    lowered = " " + span.left.lower() + " "
    if any(re.search(rf"(?:^|\W){re.escape(w)}(?:\W|$)", lowered) for w in asked.words):
        return True
    following = re.match(r"\s*([A-Za-z]+)", span.right)
    if following and following.group(1).lower() in asked.after:  # "(D+1)(D+2)/2 entries"
        return True
    return _named_by_lhs(span, asked)


def _top_level_left(text: str) -> str | None:
    depth = 0
    for index, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "=" and depth == 0 and text[index - 1 : index] not in ("<", ">", "!"):
            return text[:index]
    return None


# --- definitions ---------------------------------------------------------------------

_DEFINITION = re.compile(
    r"(?:defin\w*|let|with|where|denote\w*|set(?:ting)?|writing|call|mit|avec|con|com|met|令|设|設)"
    r"\s+\$?\s*"
    r"([A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?|\\[A-Za-z]+)\s*\$?\s*(?::=|=|≔|\bbe\b|\bas\b|\bdenote\b)\s*"
    r"(?:the\s+)?([^:;\n]*?)\s*(?=[:;\n]|,\s|\.\s|\.$|\s+(?:features?|components?|be|is|as|"
    r"denotes?|for|where)\b|$)",
    flags=re.IGNORECASE,
)


# "p = dim φ = O(D²)." opening a line: a name the part does not know, defined
_LEADING_DEFINITION = re.compile(
    r"(?m)^[ \t]*\$?\s*([A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?)\s*\$?\s*(?::=|=|≔)\s*"
    r"([^:;\n]*?)\s*(?=[:;\n]|,\s|\.\s|\.$|$)"
)


def _definitions(
    text: str, known: set[str], asked: Asked, override: bool = False
) -> tuple[dict[str, str], list[str]]:
    """Names the answer defines for itself: "defining C = XXᵀ", "let P be the feature
    dimension", "p = dim φ" → {name: replacement}; only names the part does not know."""
    found: dict[str, str] = {}
    shown = []
    # "E_qk = d * mu**2" alone is the answer: a name opening a line defines something
    # only when the answer uses it elsewhere ("p = dim φ … time O(Np)")
    leading = [
        m
        for m in _LEADING_DEFINITION.finditer(text)
        if m.group(1)[0] in (text[: m.start(1)] + text[m.end() :])
    ]
    matches = [*_DEFINITION.finditer(text), *leading]
    for match in matches:
        name, value = match.group(1), match.group(2).strip().strip("$").strip()
        # "P = (D+1)(D+2)/2 = O(D²)", "p = dim φ = O(D²)": the value is the first member
        value = re.split(r"(?<![<>!=])=(?!=)", value)[0].strip()
        # `override` (O(…) classes): "Let F = (D+1)(D+2)/2" redefines a size the key does
        # not use by an expression in others; a bare number or prose never does
        redefines = (
            override
            and name in known
            and re.search(r"[A-Za-z]", value) is not None
            and re.search(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", value) is None
            and re.fullmatch(r"[\sA-Za-z0-9+\-*/^()]+", value) is not None
        )
        if (name in known and not redefines) or name in found or not value:
            continue
        replacement = None
        lowered = value.lower()
        for phrase, expression in asked.phrases.items():
            if phrase in lowered:  # "let P be the feature dimension": before prose is cut
                replacement = expression
                break
        # "Mit Σ = (1/n) X Xᵀ lauten die Bedingungen …": the value ends where prose begins
        for word in re.finditer(r"(?<=\s)[^\W\d_]{4,}\b", value):
            if word.group().lower() not in _NOT_PROSE | _NOTATION:
                value = value[: word.start()].strip()
                break
        if not value:
            continue
        if replacement is None and re.fullmatch(r"[^A-Za-z]*(?:[A-Za-z][^A-Za-z]*)*", value):
            if len(value) <= 200 and not re.search(r"[A-Za-z]{4,}", _unwrap(value)):
                replacement = value
        if replacement is not None:
            found[name] = replacement
            shown.append(f"{name} := {replacement}")
    return found, shown


def _respell_line(line: str) -> str:
    """Unicode sub- and superscripts, Greek letters and symbols in the parser's spelling."""
    from answerkey.judging.text import normalize

    line = line.replace("≈", " \\approx ").replace("±", " \\pm ")
    # fullwidth ，：；！？ end a clause; NFKC alone would make "，即" a "," with no space
    line = re.sub(r"[，：；！？]", lambda m: unicodedata.normalize("NFKC", m.group()) + " ", line)
    line = normalize(line)
    return respell_words(re.sub(r"\^T(?=[A-Za-z\\])", "^T ", line))


def _substitute(text: str, names: dict[str, str]) -> str:
    for name, value in names.items():
        if len(name) == 1:  # "NPM" with P defined: a product of one-letter names

            def spread(match: re.Match, name: str = name, value: str = value) -> str:
                word = match.group()
                if len(word) > 4:
                    return word
                spread = "".join(f"({value})" if c == name else f" {c} " for c in word)
                return spread.rstrip() if word[-1] != name else spread  # "CW_1": W keeps _1

            # "CW_1" is C times W_1: the word may end at a subscript
            text = re.sub(rf"\b[A-Za-z]*{name}[A-Za-z]*(?![A-Za-z0-9])", spread, text)
            continue
        pattern = re.escape(name).replace("_", r"_\{?") + (r"\}?" if "_" in name else "")
        text = re.sub(
            rf"(?<![A-Za-z\\_]){pattern}(?![A-Za-z0-9_])", lambda _, v=value: f"({v})", text
        )
    return text


def _apply_aliases(text: str, asked: Asked) -> tuple[str, list[str]]:
    shown = []
    for alias, name in sorted(asked.aliases.items(), key=lambda a: -len(a[0])):
        if " " in alias or not alias[0].isalpha():
            pattern = re.escape(alias)
        else:
            pattern = rf"(?<![A-Za-z\\_]){re.escape(alias)}(?![A-Za-z0-9_{{])"
        new = re.sub(pattern, f" {name} ", text, flags=re.IGNORECASE if " " in alias else 0)
        if new != text:
            shown.append(f"{alias} → {name}")
            text = new
    return text, shown


# --- the entry point -----------------------------------------------------------------


_ENVIRONMENT = re.compile(
    r"\\begin\{(align|aligned|alignat|eqnarray|gather|gathered|split|multline)(\*?)\}(?:\{\d+\})?"
    r"(.*?)\\end\{\1\2\}",
    flags=re.DOTALL,
)
_ALIGN_ENV = re.compile(
    r"\\(?:begin|end)\{(?:align|aligned|alignat|eqnarray|gather|gathered|split|multline)\*?\}"
)


def _aligned(text: str) -> str:
    r"""An align*/aligned environment as displays, one per equation: a row that opens with
    "&=" goes on the row before it ("A &= B \\ &= C" is the chain "A = B = C"); a row
    with its own left side is an equation of its own ("d/s² &= 1 \\ s &= √d")."""
    if not _ALIGN_ENV.search(text):
        return text
    out, position = [], 0
    for match in _ENVIRONMENT.finditer(text):
        body = re.sub(r"\\\\(?:\[[^\]]*\])?\s*&\s*(?=[=<>≤≥])", " ", match.group(3))
        body = re.sub(r"&\s*(?=[=<>≤≥])", "", body)
        rows = [r for r in re.split(r"\\\\(?:\[[^\]]*\])?", body) if r.strip()]
        rows = [re.sub(r"[\s,;.]+$", "", row) for row in rows]  # "… = 0, \\": the row's comma
        before = text[: match.start()]
        inside = before.count("$$") % 2 == 1 or before.rfind("\\[") > before.rfind("\\]")
        joined = " $$ $$ ".join(rows)
        out.append(text[position : match.start()])
        out.append(f" {joined} " if inside else f" $$ {joined} $$ ")
        position = match.end()
    out.append(text[position:])
    return "".join(out)


_SPACED_DASHES = re.compile(r"(?<=[^\S\n])--(?=[^\S\n])")


def find(text: str, asked: Asked, known: set[str]) -> Found:
    """The answer's span(s) in `text`. `known` is the part's vocabulary (names,
    functions): words outside it are prose. Raises ValueError for text longer than
    MAX_RAW_CHARS."""
    if len(text) > MAX_RAW_CHARS:
        raise ValueError(f"the answer is {len(text):,} characters long; the limit is 20,000")
    text = text.replace("\r\n", "\n").replace("—", " ;; ").replace("\u2003", " ")
    text = _SPACED_DASHES.sub(" ;; ", text)  # ' -- ', the ASCII em dash: a remark follows
    text = ascii_shorthand(text)
    text = _aligned(text)
    text = spaced_cjk(text)
    text, substitutions = _apply_aliases(text, asked)
    text = re.sub(
        r"\bi\.\s?e\.|\be\.\s?g\.", lambda m: " ie " if "i" in m.group() else " eg ", text
    )
    text = _THAT_IS.sub(" ie ", text)
    text = _open_alternatives(text)
    text = _FOR.sub(lambda m: " for all " if m.group(1) else " for ", text)
    text = _WORD_BEFORE_INDEX.sub(lambda m: f" for {m.group(2) or ''} ", text)
    text = _WORD_AFTER_INDEX.sub(r" for \1", text)
    text = _INDEX_RANGE.sub(lambda m: f"for all {m.group('indices')}", text)
    text = _INDEX_PAIRS.sub(lambda m: f"for all {m.group('indices')}", text)
    text = "\n".join(_respell_line(line) for line in text.split("\n"))
    names = known | set(asked.aliases.values())
    definitions, shown = _definitions(text, names, asked)
    substitutions += shown
    boxed = _boxed(text)
    if boxed is not None:
        return _finish(
            [boxed],
            _line_of(text, text.rfind("\\boxed")),
            "the last \\boxed{}",
            substitutions,
            definitions,
            [boxed],
        )
    cleaned, bold = _markdown(text)
    scope_start, how = 0, "the last math span"
    cleaned = unnumber(cleaned)
    labels = [m.end() for m in _LABEL.finditer(cleaned)]
    if labels:
        scope_start, how = labels[-1], "the labelled answer"
    spans = _spans(cleaned, scope_start, names | set(definitions), asked)
    if not spans and labels:  # a label with nothing after it on the way to the end
        spans, how = _spans(cleaned, 0, names | set(definitions), asked), "the last math span"
    if not spans and bold:
        start, end = bold[-1]
        spans = [_Span(cleaned[start:end], start, end, "", False)]
        how = "the bold text"
    if not spans:
        body = cleaned.strip()
        return _finish([body], body, "the whole answer", substitutions, definitions, [body])
    spans = spans[-MAX_SPANS:]  # the answer is near the end; this bounds the cost
    in_bold = [s for s in spans if any(a <= s.start and s.end <= b for a, b in bold)]
    if in_bold and not labels:
        spans, how = in_bold, "the bold answer"
    spans = [s for s in spans if not _defines(s.text, definitions)] or spans
    usable = [s for s in spans if _named_by_lhs(s, asked) or not _remark(s, asked)] or spans
    # "Var(qᵀk) = d, since Var(qᵢkᵢ) = E[qᵢ²]E[kᵢ²] = 1": the clause after "since" is a reason
    # (also when no span names it: "$dμ^2$, αφού $E[q_i k_i] = μ^2$" answers with the first)
    stated = [s for s in usable if not _in_reason(cleaned, s)]
    if stated and (
        any(_named_by_lhs(s, asked) for s in stated)
        or not any(_named_by_lhs(s, asked) for s in usable)
    ):
        usable = stated
    # "s = d^(1/2), e.g. for d = 64 we get s = 8": an example instantiates the answer
    usable = [s for s in usable if not _in_example(cleaned, s)] or usable
    usable = [s for s in usable if not _in_aside(cleaned, s)] or usable
    named = [s for s in usable if _named(s, asked)]
    if any(_named_by_lhs(s, asked) for s in named):
        # "sim(q,k) = (qᵀk + 1)², taking the kernel's constants to be 1": a bare number in
        # the prose after an equation naming the asked quantity is a remark on it
        named = [s for s in named if _named_by_lhs(s, asked) or not _BARE_NUMBER.fullmatch(s.text)]
    # "Scale by √d — this is the 1/√d factor of the paper": after a dash a remark follows;
    # a span there named only by its words does not override the answer stated before it
    named = [s for s in named if not _dash_remark(cleaned, s, named, asked)] or named
    chosen = named[-1] if named else usable[-1]
    if named:
        how += " naming the asked quantity"
    group = _alternatives(cleaned, spans, chosen)
    # "scale by 1/√d, i.e. s = √d": the member that names the asked quantity is the answer;
    # but "s = √d or d" offers two answers, and each is judged
    offered = any(
        re.search(r"\bor\b", cleaned[a.end : b.start], flags=re.IGNORECASE)
        for a, b in itertools.pairwise(group)
    )
    if not offered:  # what follows the named member restates it ("s = √d, ie d^{1/2}")
        first = next((i for i, s in enumerate(group) if _named_by_lhs(s, asked)), 0)
        group = group[first:]
    found = _finish(
        [s.text for s in group],
        _line_of(cleaned, chosen.start),
        how,
        substitutions,
        definitions,
        [s.text for s in usable],
    )
    by_words = any(
        re.search(rf"(?:^|\W){re.escape(w)}(?:\W|$)", chosen.left.lower()) for w in asked.words
    )
    negation = next((n for n in (_negation(cleaned, s) for s in group) if n), "")
    return replace(found, named=by_words, negated=negation)


# a negation in the languages answers come in ("not", "nicht", "değil", "не", "不是" …)
_NEGATION_WORD = (
    r"not|no|nicht|kein|non|nie|não|nao|değil|не|нет|ne|isn['’]t|wrong|incorrect|false|falsch|"
    r"faux|fausse|incorrecto|incorrecta|errado|errada|sbagliato|sbagliata|błędne|błędny|yanlış|"
    r"неверно|неправильно|không|tidak|bukan|όχι"
)
# "… is not right", "… değil", "…, no es correcto", "… ist falsch": the span is said to be wrong
_NEGATED_AFTER = re.compile(
    r"^[\s,;:)*_]*(?:(?:is|it['’]s|that['’]s|this\s+is|ist|est|es|é|è|jest|je|это)\s+)?"
    rf"(?:{_NEGATION_WORD})"
    r"(?:\s+(?:the|a|an|la|el|le|die|der|das|a|o|il|case|right|correct|true|valid|accurate|so|"
    r"ok|es|est|ist|richtig|korrekt|correcto|correcta|juste|vrai|corretto|giusto|certo|correto|"
    r"doğru|poprawne|prawda|верно|правильно|it|answer|solution|respuesta|solución|réponse|"
    r"antwort|lösung|resposta|solução|risposta|soluzione|odpowiedź|cevap|ответ|ответом))*"
    r"[\s)*_]*$",
    flags=re.IGNORECASE,
)
# "s is not √d", "the answer is not s = √d", "nicht √d": the span is what is denied
_NEGATED_BEFORE = re.compile(
    r"(?<!\w)(?:not|isn['’]t|nicht|kein|non|nie|não|не|never|değil)\s*"
    r"(?:equal\s+to|gleich|égal\s+à|igual\s+a)?\s*[:=]?\s*[*_$]*\s*$",
    flags=re.IGNORECASE,
)


def _negation(text: str, span: _Span) -> str:
    """The words that deny `span` in its sentence ("s = √d is not right", "s is not √d"),
    or ""; a negation of something else after it ("s = √d, not d") is none."""
    after = text[span.end : span.end + 80].lstrip(" \t,;:)*_$")
    after = re.split(r"[,.;!?\n]", after)[0]
    if _NEGATED_AFTER.match(after):
        return after.strip(" ,;:")
    before = re.split(r"[.;!?,:\n]", text[max(0, span.start - 60) : span.start])[-1]
    match = _NEGATED_BEFORE.search(before)
    return match.group().strip() if match else ""


_LIST_ITEM = re.compile(r"(?m)(?:^[ \t]*|(?<=\S)[ \t]{2,}|(?<=[;,])[ \t]*)(\d)[.)][ \t]")


# (not "d)" of "sqrt(d)": a bare "b)" opens no bracket of its own)
_PART_LABEL = re.compile(  # "(b)", "b)", "**(b)**", "Part (b):", "q2.b:", "(ii)"
    r"(?:(?<=^)|(?<=[\s*_>|(\[]))(?:part\s*)?(?:\(([a-h]|iii|ii|iv|i)\)|(?<!\()([a-h]|iii|ii|iv|i)\))"
    r"|(?<=\([a-h]\))\((iii|ii|iv|i)\)"  # "(c)(i)": a sub-part glued to its part
    r"|(?:(?<=^)|(?<=[\s*_>|]))q\d\.([a-h])(?:\.(iii|ii|iv|i))?\s*[:)]",
    re.IGNORECASE | re.MULTILINE,
)
_TIME_WORD = re.compile(r"\b(?:time|cost|runtime|compute|computation)\b", re.IGNORECASE)
_MEMORY_WORD = re.compile(r"\b(?:memory|space|storage)\b", re.IGNORECASE)
_AFTER_LABEL = re.compile(r"[\s*_:.]*")


def own_part(text: str, part_id: str) -> str:
    """`text` with the answers to other parts blanked, when it answers several at once
    ("(a) E[qᵀk] = dμ²  (b) Var(qᵀk) = d  (c) s = √d"): only the segment labelled with
    this part's letter (then its roman numeral) is kept, up to the next label. Applies
    only when at least two different labels are there and this part's is one of them.
    Same length as `text`, so offsets still point into it."""
    pieces = part_id.split(".")
    letter = pieces[1] if len(pieces) > 1 else None
    roman = pieces[2] if len(pieces) > 2 else None
    labels = []
    for match in _PART_LABEL.finditer(text):
        found = match.group(1) or match.group(2) or match.group(3) or match.group(4) or ""
        found, sub = found.lower(), (match.group(5) or "").lower()
        if found in ("i", "ii", "iii", "iv"):
            labels.append((match.start(), match.end(), "roman", found))
        else:
            labels.append((match.start(), match.end(), "letter", found))
            if sub:
                labels.append((match.end(), match.end(), "roman", sub))
    begin, end = 0, len(text)
    for level, wanted in (("letter", letter), ("roman", roman)):
        here = [lab for lab in labels if lab[2] == level and begin <= lab[0] < end]
        if wanted is None or len({lab[3] for lab in here}) < 2:
            continue
        mine = [lab for lab in here if lab[3] == wanted]
        if not mine:
            continue
        start = mine[-1]
        after = [lab[0] for lab in here if lab[0] > start[0] and lab[3] != wanted]
        stop = after[0] if after else end
        segment = text[start[1] : stop]
        if level == "roman" and bool(_TIME_WORD.search(segment)) != bool(
            _MEMORY_WORD.search(segment)
        ):
            continue  # "(i) time … (ii) memory …": the components, not the sub-parts
        while stop > start[1] and text[stop - 1] in " \t*_#>(\n":  # "**(d)**" ends it
            stop -= 1
        begin, end = _AFTER_LABEL.match(text, start[1]).end(), stop
    if (begin, end) == (0, len(text)):
        return text
    return "".join(c if begin <= i < end or c == "\n" else " " for i, c in enumerate(text))


def unnumber(text: str) -> str:
    """A numbered list "1. …\n2. …" (or "1. … = 0  2. … = 0") with its markers made
    clause breaks: each item is part of the answer, and "2." is no answer label. Same
    length as `text`, so offsets still point into it."""
    markers = list(_LIST_ITEM.finditer(text))
    if [int(m.group(1)) for m in markers[:2]] != [1, 2]:
        return text
    out = list(text)
    for match in markers:
        out[match.start(1)] = ";"
        out[match.start(1) + 1] = " "
    return "".join(out)


def _defines(span: str, definitions: dict[str, str]) -> bool:
    left = _top_level_left(span)
    return left is not None and left.strip().strip("$ ") in definitions


def _spans(text: str, start: int, known: set[str], asked: Asked | None = None) -> list[_Span]:
    region = text[start:]
    delimited = []
    for match in _DELIMITED.finditer(region):
        body = next(g for g in match.groups() if g is not None)
        left = _clause_before(region[: match.start()][-200:])
        right = re.split(r"[.;:!?,]|\$", region[match.end() : match.end() + 80])[0]
        delimited.append(
            _Span(body, start + match.start(), start + match.end(), left.strip(), True, right)
        )
    delimited = _joined_by_words(text, delimited)
    if delimited:
        chains = _chains_outside(region, start, delimited, asked, known)
        return sorted(delimited + chains, key=lambda s: s.start)
    spans = []
    for segment in _segments(region):
        seg_start, seg_text = segment
        for span in _bare_spans(_unwrap_keep(seg_text), start + seg_start, known):
            relative = span.start - start
            span.left = _clause_before(region[max(0, relative - 200) : relative]).strip()
            after = region[relative + len(span.text) : relative + len(span.text) + 80]
            span.right = re.split(r"[.;:!?,]", after)[0]
            spans.append(span)
    return _with_chains(region, start, spans, asked, known) if asked is not None else spans


_JOINING_WORD = re.compile(
    r"\s*(times|over|plus|minus|divided\s+by|multiplied\s+by|\*|\\cdot|\\times|×|·|\+)\s*",
    flags=re.IGNORECASE,
)


def _joined_by_words(text: str, spans: list[_Span]) -> list[_Span]:
    r""" "$d$ times $\mu^2$" (respelled "$d$ * $\mu^2$"): delimited spans joined by an
    operation, in words or symbols, are one."""
    out: list[_Span] = []
    for span in spans:
        if out and _JOINING_WORD.fullmatch(text[out[-1].end : span.start]):
            last = out[-1]
            word = _JOINING_WORD.fullmatch(text[last.end : span.start]).group(1)
            body = f"({last.text}) {word} ({span.text})"
            out[-1] = dataclasses.replace(last, text=body, end=span.end, right=span.right)
        else:
            out.append(span)
    return out


# CJK punctuation ends a clause with no space after it (respelling makes "，" a ",").
_SENTENCE = re.compile(
    r"(?<=[.;!?。；])\s|\n|,\s+(?=[A-Za-z]{3,}\s)|\s(?:so|hence|thus|therefore|where|since|"
    r"because|and|et|und|và|и|then|or|equivalently|with|mit|avec|con|com|wobei|où|donde)\s|[：:]\s|[，、。；：！？]|(?<=[\u3000-\u9fff]),|,?\s(?:ie|eg)\s",
    flags=re.IGNORECASE,
)


def _chains_outside(
    region: str, start: int, delimited: list[_Span], asked, known: set[str]
) -> list[_Span]:
    r"""Chains naming the asked quantity written outside the delimiters, as in
    "φ(q) = [1, √2 q_1, …], then $φ(q)^\top φ(k) = (q^\top k + 1)^2$": the answer is
    the plain text, the delimited formula a check. A chain that runs into a delimited
    span ("s = $\sqrt{d}$") is that span's left side, not an answer of its own."""
    if asked is None:
        return []
    blanked = _DELIMITED.sub(lambda m: " " * len(m.group()), region)
    chains = []
    for chain in _with_chains(blanked, start, [], asked, known):
        right = chain.text[len(_top_level_left(chain.text) or "") + 1 :]
        touches = any(chain.start <= d.start <= chain.end + 2 for d in delimited)
        if right.strip() and not touches and not _remark(chain, asked):
            chains.append(chain)
    return chains


def _sentences(region: str) -> list[tuple[int, str]]:
    """(offset, text) of `region`'s sentences and clauses; a break inside brackets
    ("[1; √2 x; vec(xxᵀ)]") is not one."""
    out, start, depth, scanned = [], 0, 0, 0
    for match in _SENTENCE.finditer(region):
        depth += _depth(region[scanned : match.start()])  # counted once: linear in the text
        scanned = match.start()
        if match.group() != "\n" and depth > 0:
            continue
        out.append((start, region[start : match.start()]))
        start = scanned = match.end()
        depth = 0
    out.append((start, region[start:]))
    return out


# a parenthesized group, one level of brackets inside it allowed ("(1 + D + D^(2) entries)")
_PARENTHESIZED = re.compile(r"(?<!=)(?<!=\s)\((?:[^()]|\([^()]*\))*\)")
_PROSE_PAIR = re.compile(r"\b[A-Za-z]{2,}[\s:,;]+[A-Za-z]{2,}\b")


def _drop_remark(match: re.Match) -> str:
    """A remark in parentheses (two words of prose in a row, or two words of prose around
    math: "(the (qᵀk)² reading)") vanishes; not the answer "= (…)" itself, which the
    pattern's look-behind keeps."""
    inner = re.sub(r"\\[A-Za-z]+", " ", match.group()[1:-1])
    words = [w for w in re.findall(r"\b[A-Za-z]{3,}\b", inner) if w.lower() not in _NOT_PROSE]
    return " " if _PROSE_PAIR.search(inner) or len(words) >= 2 else match.group()


# words inside brackets that are math, not prose ("(sqrt d times mu)", "(for all i, j)")
_NOT_PROSE = {"sqrt", "times", "over", "plus", "minus", "squared", "cubed", "vec", "flatten"}
_NOT_PROSE |= {"log", "exp", "max", "min", "for", "all", "root", "square", "divided"}


# a word: a run of two or more letters of any script, not a LaTeX command's name or a
# subscript ("\\sqrt", "W_dec"); "così" is one word, not "cos" and "ì"
# (a letter: one of any script, or a vowel sign of an Indic script, "लेना" being one word)
_LETTER = r"(?:[^\W\d_]|[\u0300-\u036f\u0900-\u0dff])"
_WORD = re.compile(rf"(?<!{_LETTER})(?<![\\_]){_LETTER}{{2,}}")
# words of notation on the right side of an equation that the part's names do not cover
_NOTATION = {"for", "all", "var", "cov", "std", "sum", "prod", "tr", "trace", "diag", "dim"}
_NOTATION |= {"vec", "flatten", "argmax", "softmax", "mean", "sin", "cos", "tan", "sim", "phi"}
_NOTATION |= {"dots", "ldots", "cdots", "vdots"}
# one-letter names of constants, not variables: alone before prose they are words
_CONSTANT_LETTERS = {"e"}
# a one-letter word standing alone after the math, before more words ("dμ² e o σ não
# entra", "√d i wariancja"): Portuguese, Italian, Spanish, Polish "e", "o", "y", "i", "a"
_LONE_LETTER = re.compile(
    r"(?<=[\s,])([^\W\d_])(?=\s+(?:[^\W\d_]|\\[A-Za-z])|\.[^\W\d_]\.?(?![^\W\d_]))"
)  # ... or an abbreviation of one-letter words ("т.е.", "d.h.", "v.v.")


def _prose_cut(body: str, known: set[str]) -> str:
    """`body` up to the first word of prose on its right side: a word that is no name the
    part knows, no function, no notation ("E[qᵀk] = dμ², così la varianza …" → "E[qᵀk] =
    dμ²", "s = √d, bo Var = d" → "s = √d"), in any language; the left side is kept."""
    equals = body.find("=")
    if equals < 0:
        return body
    lone = next(
        (
            m.start()
            for m in _LONE_LETTER.finditer(body, equals + 1)
            if m.group(1) not in known or m.group(1) in _CONSTANT_LETTERS
        ),
        None,
    )
    for match in _WORD.finditer(body, equals + 1):
        if lone is not None and lone < match.start():
            return body[:lone].rstrip(" \t,;:(").rstrip()
        word = match.group()
        lowered = word.lower()
        if (
            word in known
            or lowered in _NOTATION
            or lowered in _NOT_PROSE
            or word in _LATEX_MATH
            or (word.isascii() and _is_math_word(word, known))
        ):
            continue
        cut = match.start()
        if cut >= 2 and body[cut - 1] == "-" and not body[cut - 2].isspace():
            # a compound word ("a D²-dimensional vector"): the math glued to it is prose too
            cut = max(body.rfind(sep, equals + 1, cut - 1) for sep in " ,;") + 1
        head = body[:cut].rstrip(" \t,;:(").rstrip()
        # an article or other one-letter word of prose left before the cut ("…, a"); a
        # constant's letter standing alone before prose is a word too ("s = √d e a
        # variância": Portuguese "e", and, not Euler's e)
        while (article := re.search(r"[\s,;:(]([^\W\d_])$", head)) and (
            article.group(1) not in known or article.group(1) in _CONSTANT_LETTERS
        ):
            head = head[: article.start()].rstrip(" \t,;:(").rstrip()
        return head
    return body if lone is None else body[:lone].rstrip(" \t,;:(").rstrip()


def _with_chains(
    region: str, start: int, spans: list[_Span], asked: Asked, known: set[str] = frozenset()
) -> list[_Span]:
    """Chains that start with the asked quantity ("E[qᵀk] = Σᵢ E[qᵢ]E[kᵢ] = dμ²") as one
    span, so that the notation the grammar does not read (Σ, E[·]) stays a member of the
    chain instead of cutting it: the form drops the left side and checks the members."""
    chains = []
    done = set()  # the sentences that gave a chain: their later clauses are not tried
    for sentence, at, piece in _clauses_with_equations(region):
        if sentence in done:
            continue
        left = _top_level_left(piece)
        words = left.split()
        for take in range(1, min(4, len(words)) + 1):
            candidate = " ".join(words[-take:])
            if asked.names(candidate):
                if take < len(words) and re.search(r"(?:\^\{?(?:T|\\top)\}?|ᵀ)$", words[-take - 1]):
                    break  # "φ(q)ᵀ φ(k) = …": the second factor of a product, not the asked one
                inside = left.rfind(candidate)  # the left side ends the words before "="
                offset = at + inside
                body = piece[inside:]
                body = re.split(r"[\u2e80-\uffff]", body)[0]  # prose in another script
                body = re.sub(r"[(\[{]\s*$", "", body)  # "(qᵀk + 1)²（常数 c = 1）": cut there
                body = _PARENTHESIZED.sub(_drop_remark, body)
                # a remark in parentheses that a clause break cut before its ")"
                body = re.sub(r"\(\s*[A-Za-z]{2,}[\s:,;]+[A-Za-z]{2,}[^()]*$", " ", body)
                if asked.after:  # "φ(q) = (…), D² components": the count is a remark on it
                    after = "|".join(asked.after)
                    body = re.sub(rf",[^,=]*\b(?:{after})\b[^=]*$", "", body)
                body = _prose_cut(body, known) if known else body
                body = body.strip().rstrip(",.;")
                prose = " ".join(words[:-take])
                chains.append(_Span(body, start + offset, start + offset + len(body), prose, False))
                done.add(sentence)
                break
    if not chains:
        return spans
    kept = [s for s in spans if not any(c.start <= s.start < c.end for c in chains)]
    return sorted(kept + chains, key=lambda s: s.start)


def _clauses_with_equations(region: str) -> list[tuple[int, int, str]]:
    """(sentence offset, offset, text) of each sentence with an equation, then of what
    follows each comma at its top level after an equation ("Under sim(q,k) = (qᵀk)²,
    φ(q) = …": "φ(q) = …" starts a clause of its own)."""
    out = []
    for at, piece in _sentences(region):
        if _top_level_left(piece) is None:
            continue
        out.append((at, at, piece))
        depth, seen = 0, False
        for index, ch in enumerate(piece):
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            elif ch == "=":
                seen = True
            elif ch == "," and depth == 0 and seen and "=" in piece[index:]:
                if _top_level_left(piece[index + 1 :]) is not None:
                    out.append((at, at + index + 1, piece[index + 1 :]))
    return out


def _unwrap_keep(text: str) -> str:
    """Same length as `text`: wrappers blanked so that offsets still point into it."""
    return re.sub(
        r"\\(?:" + _WRAPPERS + r")\s*\{([^{}]*)\}",
        lambda m: " " * (len(m.group()) - len(m.group(1)) - 1) + m.group(1) + " ",
        text,
    )  # noqa: E501


def _segments(text: str):
    """Prose segments; parenthesized remarks that hold prose become their own segments
    only when they offer an alternative ("(equivalently d^{1/2})"), else vanish."""
    out = []
    position = 0
    for match in re.finditer(r"\(([^()]*)\)", text):
        inner = match.group(1)
        if re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{2,}|^\s*[A-Za-z]{4,}\b", inner) and not re.match(
            r"\s*(?:or|equivalently|i\.\s?e\.?|that\s+is|namely)\b", inner, flags=re.IGNORECASE
        ):
            if re.search(r"[A-Za-z]{4,}", inner) and not re.fullmatch(r"\s*[A-Za-z]+\s*,.*", inner):
                out.append((position, text[position : match.start()]))
                out.append((match.end(), ""))
                position = match.end()
    out.append((position, text[position:]))
    return [(s, t) for s, t in out if t]


def _dash_remark(text: str, span: _Span, named: list[_Span], asked: Asked) -> bool:
    """Whether `span`, named by words only, follows a dash (' ;; ' after find's rewrite)
    that follows another named span on its line: "scale by √d ;; the 1/√d factor"."""
    if _named_by_lhs(span, asked):
        return False
    line_start = text.rfind("\n", 0, span.start) + 1
    return any(
        line_start <= other.start
        and other.end <= span.start
        and ";;" in text[other.end : span.start]
        for other in named
        if other is not span
    )


def _alternatives(text: str, spans: list[_Span], chosen: _Span) -> list[_Span]:
    index = spans.index(chosen)
    group = [chosen]
    low = index
    while low > 0 and _ALTERNATIVE.match(text[spans[low - 1].end : spans[low].start]):
        low -= 1
        group.insert(0, spans[low])
    high = index
    while high + 1 < len(spans) and _ALTERNATIVE.match(
        text[spans[high].end : spans[high + 1].start]
    ):
        high += 1
        group.append(spans[high])
    return group


# "for" (and "for all") in other languages: "√2 q_i q_j para i < j", "pour tout i, j"
_FOR = re.compile(
    r"(?:\b(?:para|pour|für)\b|对于)(\s*(?:todos?|todas?|tous|toutes?|tout|alle|所有)\b)?"
)


# Any word (any script) right before an index condition is a "for": "√2 q_i q_j برای i<j",
# "для i ≠ j", "के लिए i < j", "pro i, j = 1..D", "where i<j"; a non-Latin word right after a
# whole condition is one too: "(i<j について)", "i < j 에 대해".
_LETTERS = rf"{_LETTER}+"
_FOREIGN = r"(?:[^\W\d_A-Za-z]|[\u0300-\u036f\u0900-\u0dff])+"
_LT_LE = r"(?:<=|<|≤|\\leq?(?![A-Za-z])|\\lt(?![A-Za-z]))"
_REL = rf"(?:{_LT_LE}|≠|!=|\\neq?(?![A-Za-z]))"
_INDEX_CONDITION = (
    rf"(?:1\s*{_LT_LE}\s*)?[ij]\s*(?:{_REL}\s*[ij]|,\s*[ij]\b|=\s*1|∈|\\in(?![A-Za-z]))"
)
_WORD_BEFORE_INDEX = re.compile(
    rf"(?<![\w\\])(?!(?:for|all|each|every|and|or)\b)"
    rf"((?:{_FOREIGN}\s+)?{_LETTERS})(\s*\}})?\s+(?={_INDEX_CONDITION})",
    flags=re.IGNORECASE,
)
_WORD_AFTER_INDEX = re.compile(
    rf"(?<![\w\\])((?:1\s*{_LT_LE}\s*)?[ij]\s*{_REL}\s*[ij](?:\s*{_LT_LE}\s*D)?)"
    rf"\s*{_FOREIGN}(?:\s+{_FOREIGN})?(?=\s*(?:[),;}}\]]|$))",
    flags=re.MULTILINE,
)


# "for i, j = 1..D", "for i = 1, …, D", "for i, j ∈ {1, …, D}", "for 1 ≤ i, j ≤ D": every
# index over its whole range, "for all i, j" (an '=' here would cut the chain)
_INDEX_RANGE = re.compile(
    r"\bfor\s+(?:all\s+|every\s+|each\s+)?(?:1\s*(?:≤|<=|\\leq?)\s*)?(?P<indices>[ij](?:\s*,\s*[ij])?)"
    r"\s*(?:(?:=|∈|\\in\b)\s*(?:\{\s*)?1\s*(?:\.\.\.?|…|,\s*(?:\.\.\.|…|\\[lc]?dots)\s*,|\s+to\s+)\s*D"
    r"(?:\s*\})?|(?:≤|<=|\\leq?)\s*D)"
)


# "for all ordered pairs (i, j)", "for every pair i, j": an index condition in words
_INDEX_PAIRS = re.compile(
    r"\bfor\s+(?:all|every|each)\s+(?:(?:ordered|unordered|index)\s+)?pairs?\s*(?:of\s+indices\s*)?"
    r"\(?\s*(?P<indices>[ij]\s*,\s*[ij])\s*\)?",
    re.IGNORECASE,
)


# "i.e." in other languages
# "s = sqrt(d) (s>0)", "(since s ≥ 0)": a sign condition in parentheses picks the root, an
# assumption stated beside the answer, not part of it (an index condition "(i<j)" stays)
SIGN_CONDITION = re.compile(
    r"\(\s*(?:since\s+|as\s+|with\s+|taking\s+|for\s+)?\\?[A-Za-zα-ωΑ-Ω_{}]+\s*"
    r"(?:>=?|≥|\\geq?\b|\\gt\b)\s*0\s*\)"
)
# "s = √d (= d^{1/2})": a parenthesis opening with "=" restates the value: a chain member
RESTATED = re.compile(r"(?<=[\w)}\]])\s*\(\s*=\s*([^()=]+?)\s*\)")
_THAT_IS = re.compile(
    r"\bc['’]est-à-dire\b|\bes\s+decir\b|\bo\s+sea\b|\bd\.\s?h\.|\bdas\s+heißt\b|\bcioè\b",
    flags=re.IGNORECASE,
)
_ALTERNATIVE_WORDS = r"(?:or|equivalently|ie|that\s+is|namely|aka)"
_OPENS_ALTERNATIVE = re.compile(rf"\(\s*{_ALTERNATIVE_WORDS}\b", flags=re.IGNORECASE)
_LEADING_ALTERNATIVES = re.compile(rf"^(?:[\s,]*{_ALTERNATIVE_WORDS}\b)+[\s,:]*", re.IGNORECASE)


def _open_alternatives(text: str) -> str:
    """ "√d (equivalently d^{1/2}, ie sqrt(d))": the brackets of a remark that offers
    equivalent forms are opened (nested brackets included), so that each form is a
    span of its own, judged like "√d, equivalently d^{1/2}"."""
    closing: dict[int, int] = {}  # "(" → its ")" on the same line, in one pass
    stack: list[int] = []
    for index, ch in enumerate(text):
        if ch == "(":
            stack.append(index)
        elif ch == ")" and stack:
            closing[stack.pop()] = index
        elif ch == "\n":
            stack = []
    out, position = [], 0
    for match in _OPENS_ALTERNATIVE.finditer(text):
        end = closing.get(match.start())
        if match.start() < position or end is None:
            continue
        inner = text[match.start() + 1 : end]
        # "(or, that is, …)": the words that offer the alternative, without the commas
        lead = _LEADING_ALTERNATIVES.match(inner)
        words = re.sub(r"[\s,:]+", " ", lead.group()).strip() if lead else ""
        out.append(text[position : match.start()] + f", {words} ")
        out.append(inner[lead.end() if lead else 0 :] + " ")
        position = end + 1
    out.append(text[position:])
    return "".join(out)


def _line_of(text: str, position: int) -> str:
    start = text.rfind("\n", 0, max(position, 0)) + 1
    end = text.find("\n", max(position, 0))
    return text[start : end if end >= 0 else len(text)].strip()


def _finish(spans, line, how, substitutions, definitions, all_math) -> Found:
    def clean(span: str) -> str:
        span = _unwrap(span)
        span = span.split(";;")[0]
        span = span.split("≈")[0]
        span = respell_words(span)
        span = _substitute(span, definitions)
        return span.strip().rstrip(".。,;").strip()  # "$$φ(q) = […],$$": the sentence's comma

    cleaned = tuple(c for c in (clean(s) for s in spans) if c)
    return Found(
        cleaned or tuple(spans),
        line,
        how,
        tuple(dict.fromkeys(substitutions)),
        tuple(c for c in (clean(s) for s in all_math) if c),
    )


def all_math(text: str, asked: Asked, known: set[str]) -> bool:
    """Whether the answer has no prose: every word is a name the part knows, a function,
    a LaTeX command or a word for an operation (then an error reading it is the error)."""
    text, _ = _apply_aliases(text, asked)
    text = respell_words(text)
    # An unknown command's argument (\input{x}) is not prose: the command makes it unreadable.
    text = re.sub(r"\\(?!text|mathrm|operatorname|textbf)[A-Za-z]+\{[^{}]*\}", " ", text)
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token[0].isalpha() and token[0].isascii() and not _is_math_word(token, known):
            return False
        if len(token) == 1 and token.isalpha() and not token.isascii() and token not in "μσφϕπθΘ":
            return False  # non-Latin letters: prose in another script
    return True


def prepare(text: str, asked: Asked) -> tuple[str, tuple[str, ...]]:
    """The whole answer respelled, for an answer that is all math: aliases applied,
    delimiters, Markdown and LaTeX wrappers removed, words for operations read, and the
    trailing full stop dropped. Returns (text, substitutions made)."""
    if len(text) > MAX_RAW_CHARS:
        raise ValueError(f"the answer is {len(text):,} characters long; the limit is 20,000")
    text, shown = _apply_aliases(text, asked)
    text, _ = _markdown(text)
    text = re.sub(r"\$\$|\$|\\\[|\\\]|\\\(|\\\)", " ", text)
    text = respell_words(_unwrap(text))
    text = text.split("≈")[0]
    return text.strip().rstrip(".。").strip(), tuple(shown)


_CLASS_START = re.compile(
    r"(?:\\mathcal\s*\{\s*O\s*\}|\\mathcal\s*O|\\(?:Theta|Omega)|(?<![A-Za-z0-9_\\])O|Θ|Ο|𝒪)\s*(?=\()"
)
_CLASS_LABELS = {
    "time": (
        "time",
        "runtime",
        "run time",
        "cost",
        "costo",
        "coste",
        "coût",
        "tiempo",
        "temps",
        "zeit",
        "rechen",
        "时间",
        "计算",
        "compute",
        "computation",
        "flops",
        "operations",
        "work",
    ),
    "memory": (
        "memory",
        "space",
        "storage",
        "memoria",
        "mémoire",
        "speicher",
        "内存",
        "显存",
        "空间",
    ),
}


_CLASS_AFTER = re.compile(
    r"[ \t]*(?:of[ \t]+|in[ \t]+)?(?:the[ \t]+)?(time|runtime|compute|flops|memory|space|storage)\b"
    r"(?!\s*(?:[:=]|is\b|O\s*\())",
    flags=re.IGNORECASE,
)
_CLASS_PLUS = re.compile(r"\bplus\b|\+|\bas\s+well\s+as\b|\bin\s+addition\b|\bextra\b")


# growth in words: "linear in T" is O(T), "quadratic in N" O(N²)
_GROWTH = (
    (r"(?:log-?linear|linearithmic)(?:ly)?", r"\1 log(\1)"),
    (r"linear(?:ly)?", r"\1"),
    (r"quadratic(?:ally)?", r"(\1)^2"),
    (r"cubic(?:ally)?", r"(\1)^3"),
    (r"logarithmic(?:ally)?", r"log(\1)"),
)
# what one step costs: "k² log k per step", times the steps
_PER_STEP = re.compile(
    r"^\s*(?:per|each|every|a|for\s+each|at\s+each)\s+(?:time\s*)?(?:step|token|iteration)\b",
    flags=re.IGNORECASE,
)


def classes_in_words(
    text: str, asked: Asked, known: set[str]
) -> tuple[list[tuple[str | None, str]], Found]:
    """The class of an answer that gives it without O(…): "T times k squared times log k",
    "it's T k^2 log k operations", "linear in T, and k² log k per step" (the steps times
    what one step costs), "quadratic in N" — the last sentence that holds an expression in
    the part's sizes; its label ("time", "memory") as in `classes`. [] when none."""
    if len(text) > MAX_RAW_CHARS:
        raise ValueError(f"the answer is {len(text):,} characters long; the limit is 20,000")
    text, shown = _apply_aliases(text, asked)
    text, _ = _markdown(text)
    text = re.sub(r"\$\$|\$|\\\[|\\\]|\\\(|\\\)", " ", _unwrap(text))
    text = _without_reasons(text)
    # "both big-O", "in big-Theta": the name of the notation, no size in it
    text = re.sub(r"\bbig[-\s]?(?:O|Oh|Theta|Θ)\b", " ", text, flags=re.IGNORECASE)
    text = "\n".join(_respell_line(line) for line in text.split("\n"))
    for words, factor in _GROWTH:
        text = re.sub(
            rf"\b{words}\s+(?:in|with)\s+([A-Za-z](?:_\w+)?)\b(?!\s*[(^])",
            lambda m, f=factor: " " + m.expand(f) + " ",
            text,
            flags=re.IGNORECASE,
        )
    sizes = {w for w in known if len(w) == 1 and w.isupper() or w in ("k", "log", "lg", "ln")}

    def owner(match: re.Match) -> str:
        # "N squared for the attention matrix plus N(D + M) for Q, K and V": what a term
        # is for names no size, and is blanked; "for each of the T steps" keeps its T
        named = re.findall(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])", match.group()[4:])
        return match.group() if any(n in sizes for n in named) else " " * len(match.group())

    text = _FOR_REMARK.sub(owner, text)
    found: list[tuple[str | None, str]] = []
    where = None
    for at, sentence in reversed(_sentences_of(text)):
        got = _classes_of_sentence(text, at, sentence, sizes)
        if got is None:
            continue
        labels = {label for label, _ in got}
        if found and (None in labels or labels & {label for label, _ in found}):
            continue  # a class for a component already given, or an unlabelled one
        found = got + found
        where = where if where is not None else at
        # "Time is N² (D + M). Memory is N² plus N(D + M).": each label its sentence
        if None in labels or {"time", "memory"} <= {label for label, _ in found}:
            break
    if found:
        line = _line_of(text, where)
        how = "the growth stated in words (no O(…) in the answer)"
        shown_classes = tuple(c for _, c in found)
        return found, Found(shown_classes, line, how, tuple(shown), shown_classes)
    return [], Found((), "", "no O(…) class found", tuple(shown), ())


_FOR_REMARK = re.compile(
    r"\bfor\s+(?:the\s+|a\s+|an\s+)?[A-Za-z][^.;:+\n]*?(?=\s+plus\b|\s*\+|[.;:\n]|$)"
)


def _classes_of_sentence(text: str, at: int, sentence: str, sizes: set[str]):
    """[(label, "O(…)")] that one sentence states in words, or None."""
    spans = [
        s
        for s in _bare_spans(sentence, at, sizes | {"log", "log2", "lg", "ln"})
        if re.search(r"[A-Za-z]", s.text) and not re.fullmatch(r"\s*log\s*", s.text)
    ]
    # "big O of T times k squared times log k: at each of the T steps we sort the k
    # squared candidates": what follows a colon after the class explains it
    colon = re.search(r":\s", sentence)
    explains = colon is not None and re.match(
        r"\s*[A-Za-z]{2,}\s+[A-Za-z]{2,}\b", sentence[colon.end() :]
    )
    if explains and any(s.end <= at + colon.start() for s in spans):
        spans = [s for s in spans if s.end <= at + colon.start()]
    if not spans:
        return None
    last = spans[-1]
    factors = [last.text]
    following = text[last.end : last.end + 40]
    if _PER_STEP.match(following) and len(spans) > 1:  # "linear in T, and k² log k per step"
        factors = [s.text for s in spans]
    body = " * ".join(f"({f})" for f in factors)
    found = [(_label_in(sentence[: last.start - at]), f"O({body})")]
    # "the cost is N² (D + M) and the memory is N² + N (D + M)": one class per label
    labelled = {}
    for span in spans:
        labelled[_label_in(sentence[: span.start - at])] = f"O({span.text})"
    if None not in labelled and len(labelled) > 1:
        found = list(labelled.items())
    return found


def _label_in(before: str) -> str | None:
    """The component ("time", "memory") whose word comes last in `before`, or None."""
    before = before.lower()
    label, best = None, -1
    for component, names in _CLASS_LABELS.items():
        for word in names:
            hits = [m.start() for m in re.finditer(r"\b" + re.escape(word), before)]
            if hits and hits[-1] > best:
                best, label = hits[-1], component
    return label


def _sentences_of(text: str) -> list[tuple[int, str]]:
    """(offset, text) of the sentences of `text`: a full stop, ";", "!", "?" or a line
    break ends one."""
    out, start = [], 0
    for match in re.finditer(r"[.;!?](?=\s|$)|\n", text):
        out.append((start, text[start : match.start()]))
        start = match.end()
    out.append((start, text[start:]))
    return [(a, t) for a, t in out if t.strip()]


# "on the order of n² (D + M)", "of order T k² log k", "it's order k": O(…) in words
_ORDER = re.compile(
    r"\b(?:(?:on|in|of)\s+(?:the\s+)?)?order\s+(?:of\s+)?(?!(?:to|the|in|that)\b)"
    r"(?=[A-Za-z0-9(√\\])",
    flags=re.IGNORECASE,
)
# what ends the expression after "order of": a clause break, a unit, a reason, a label
_ORDER_END = re.compile(
    r"[,;:!?\n]|\.(?:\s|$)|\s(?:operations|ops|flops|time|memory|space|storage|steps|work|"
    r"because|since|as|and|for|per|in|with|when|where|which|to)\b",
    flags=re.IGNORECASE,
)
# a reason after the answer: "…, because every step sorts k² candidates" (to the sentence's
# end); a sentence that opens with "Since …," keeps it (its answer comes after the comma)
_REASON = re.compile(
    r"(?:,\s*|\s)(?:because|since|weil|porque|parce\s+que|puisque|perché|poiché|denn|omdat|"
    r"ponieważ|потому\s+что|так\s+как|因为|なぜなら)(?=\s|$)"
    r"|,\s*(?:as|da|car|bo|pois|dato\s+che)\s",
    flags=re.IGNORECASE,
)


# a reason runs to its sentence's end, or to the next answer joined on ("…, and memory is")
_REASON_END = re.compile(
    r"[;!?\n]|\.(?:\s|$)|,\s*(?:and|while|whereas|but)\b|,\s*(?=(?:the\s+)?(?:time|runtime|"
    r"memory|space|storage|cost)\b)",
    flags=re.IGNORECASE,
)


def _orders_as_classes(text: str) -> str:
    """ "memory on the order of n squared plus n(D + M)" → "memory O(n squared plus n(D + M))":
    the expression runs to a clause break, a unit ("operations") or a reason."""
    out, position = [], 0
    for match in _ORDER.finditer(text):
        if match.start() < position:
            continue
        depth, end = 0, len(text)
        for index in range(match.end(), len(text)):
            depth += text[index] in "([{"
            depth -= text[index] in ")]}"
            if depth < 0 or depth == 0 and _ORDER_END.match(text, index):
                end = index
                break
        body = text[match.end() : end].strip()
        if not body:
            continue
        out.append(f"{text[position : match.start()]} O({body})")
        position = end
    out.append(text[position:])
    return "".join(out)


def _without_reasons(text: str) -> str:
    """`text` with each reason given after the answer cut to the end of its sentence."""
    out, position = [], 0
    for match in _REASON.finditer(text):
        if match.start() < position:
            continue
        end = _REASON_END.search(text, match.end())
        stop = end.start() if end else len(text)
        out.append(text[position : match.start()])
        position = stop
    out.append(text[position:])
    return "".join(out)


# "O(\begin{cases} Tk² log k & \text{sorting} \\ Tk² & \text{linear-time selection}
# \end{cases})": one class per case, its first column; the rest names when it holds
_CLASS_OF_CASES = re.compile(
    r"(O\s*(?:\\left\s*)?\(\s*)?\\begin\{cases\}(.*?)\\end\{cases\}(\s*(?:\\right\s*)?\))?",
    flags=re.DOTALL,
)


def _cases_as_classes(match: re.Match) -> str:
    rows = [row.split("&")[0].strip() for row in re.split(r"\\\\", match.group(2))]
    rows = [row for row in rows if row]
    if match.group(1) and match.group(3):
        return " or ".join(f"O({row})" for row in rows)
    return " or ".join(rows)


def classes(text: str, asked: Asked, known: set[str]) -> tuple[list[tuple[str | None, str]], Found]:
    """Every O(…) in the answer with the label before it ("time", "memory"):
    [(label or None, "O(…)")], and where they were found. Inline definitions
    ("with P = (D+1)(D+2)/2") are substituted into each class."""
    if len(text) > MAX_RAW_CHARS:
        raise ValueError(f"the answer is {len(text):,} characters long; the limit is 20,000")
    boxed = _boxed(text)
    text = boxed if boxed is not None else text
    text = _CLASS_OF_CASES.sub(_cases_as_classes, text)
    text, shown = _apply_aliases(text, asked)
    definitions, defined = _definitions(text, known, asked, override=True)
    text, _ = _markdown(text)
    text = re.sub(r"\$\$|\$|\\\[|\\\]|\\\(|\\\)", " ", _unwrap(text))
    text = _orders_as_classes(_without_reasons(text))
    found: list[tuple[str | None, str]] = []
    previous = 0
    for match in _CLASS_START.finditer(text):
        if match.start() < previous:
            continue
        depth, end = 0, None
        for index in range(match.end(), len(text)):
            depth += text[index] == "("
            depth -= text[index] == ")"
            if depth == 0:
                end = index + 1
                break
        if end is None:
            break
        before = re.sub(r"\\[A-Za-z]+", " ", text[previous : match.start()]).lower()  # \times
        before = re.sub(r"\b(?:memory|space|storage)\s+(?:cost|complexity)", "memory", before)
        label = None
        best = -1
        for component, words in _CLASS_LABELS.items():
            for word in words:
                start = r"\b" if word.isascii() else ""
                hits = [m.start() for m in re.finditer(start + re.escape(word), before)]
                if hits and hits[-1] > best:
                    best, label = hits[-1], component
        following = _CLASS_AFTER.match(re.sub(r"\\[A-Za-z]+", " ", text[end : end + 40]))
        if following:  # "O(N²(D+M)) time and O(N² + N(D+M)) memory": the label follows
            word = following.group(1).lower()
            label = next(c for c, words in _CLASS_LABELS.items() if word in words)
        inner = _substitute(respell_words(text[match.end() : end]), definitions)
        if found and label is None and _CLASS_PLUS.search(before):
            # "memory O(N²) for the attention matrix plus O(N(D+M)) for Q, K, V": one class
            last_label, last = found.pop()
            found.append((last_label, f"O({last[1:]} + {inner})"))
        else:
            if label is None and found and found[-1][0] and not re.search(r"\n\s*\n", before):
                label = found[-1][0]  # "costs O(N²D), … Total: O(N²(D+M))": the label runs on
            found.append((label, "O" + inner))
        previous = end
    line = _line_of(text, text.find("O(")) if found else ""
    how = "the last \\boxed{}" if boxed is not None else "the O(…) classes in the answer"
    spans = tuple(c for _, c in found)
    return found, Found(spans, line, how, tuple(shown) + tuple(defined), spans)


_SCORE_WORDS = {
    "has",
    "a",
    "log",
    "probability",
    "prob",
    "logprob",
    "of",
    "with",
    "score",
    "is",
    "at",
    "lp",
    "p",
    "logp",
    "total",
    "sum",
    # French, Spanish, German: "avec une log-probabilité de −1,46", "mit −1,85"
    "avec",
    "une",
    "un",
    "de",
    "du",
    "est",
    "probabilité",
    "con",
    "una",
    "es",
    "tiene",
    "probabilidad",
    "mit",
    "hat",
    "ist",
    "einer",
    "von",
    "wahrscheinlichkeit",
}


_BRACKETED = re.compile(r"[\[{]([^()\[\]{}]*)[\]}]")


def _words_of_one_sequence(match: re.Match, length: int | None) -> str:
    """[neural, network, network] (as many single words as a sequence has) → one
    sequence; {neural network, network neural} and {neural, network} at length 1 stay
    sets of sequences."""
    items = [item.strip(" '\"") for item in match.group(1).split(",")]
    words = [item for item in items if re.fullmatch(r"[A-Za-z]+", item)]
    numbers = [item for item in items if re.fullmatch(r"[-+−]?\d*\.?\d+", item)]
    # ["neural", "network", -1.25]: a sequence with its score
    if len(words) == length > 1 and len(numbers) <= 1 and len(words) + len(numbers) == len(items):
        return " " + " ".join(words) + "".join(f" ({n})" for n in numbers) + " "
    return match.group()


# A comma between digits with none after it is a decimal comma in a score ("−1,46", also
# before the sentence's own comma: "a −1,46, plus probable"); a list of integers ("1,2,3")
# is not one.
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])([-+−]?\d+),(\d+)(?!\d|,\d)")


_HYPHENATED = re.compile(r"(?<![\w-])[A-Za-z]+(?:-[A-Za-z]+)+(?![\w-])")
_ARROW = re.compile(r"[ \t]*(?:→|⟶|->)[ \t]*")

# "\text{neural}", "\mathrm{network}", "\texttt{neural}": a token in LaTeX is its word
_TEXT_COMMAND = re.compile(
    r"\\(?:text|textrm|texttt|textit|textbf|textsf|mathrm|mathtt|mathit|mathsf|mathbf|"
    r"operatorname|emph)\s*\{([^{}]*)\}"
)
# full-width punctuation (Chinese, Japanese) read as its ASCII counterpart
_FULL_WIDTH = str.maketrans({"（": "(", "）": ")", "，": ",", "、": ",", "：": ":", "；": ";"})
# A word is a run of one script's letters: "和network" is 和 and network
_LATIN = "A-Za-z\u00c0-\u024f"
_PIECES = re.compile(rf"[{_LATIN}]+|[^\W\d_{_LATIN}]+|[-+−]?\d*\.\d+|[-+−]?\d+|[^\w\s]|_")


def token_runs(
    text: str, tokens: tuple[str, ...], length: int | None = None
) -> list[tuple[tuple[str, ...], float | None]]:
    """Runs of vocabulary words ("neural network network") in prose, each with the number
    that follows it in parentheses or after a colon, if any: [(words, score)]. A word
    matches a token exactly or by a prefix of at least 3 letters."""
    lowered = {t.lower(): t for t in tokens}
    text = _TEXT_COMMAND.sub(r" \1 ", text.translate(_FULL_WIDTH))
    text = _DECIMAL_COMMA.sub(r"\1.\2", text)  # "(−1,85)": French, German, Spanish
    text = _ARROW.sub(" ", text)  # "neural → network → network": one sequence
    # "neural-neural-neural": a hyphen between two tokens joins them like a space
    text = _HYPHENATED.sub(
        lambda m: (
            m.group().replace("-", " ")
            if all(w.lower() in lowered for w in m.group().split("-"))
            else m.group()
        ),
        text,
    )
    text = _BRACKETED.sub(lambda m: _words_of_one_sequence(m, length), text)
    found: list[tuple[tuple[str, ...], float | None]] = []
    current: list[str] = []
    pieces = _PIECES.findall(text)
    pending = None
    sentence_start = 0  # the first run of the current sentence
    depth = 0  # inside parentheses: (neural, network, network) is one sequence
    skip_to = 0
    for at, piece in enumerate(pieces):
        if at < skip_to:  # the rest of a score's arithmetic chain
            continue
        word = piece.lower()
        if piece == "(":
            depth += 1
        elif piece == ")":
            depth = max(0, depth - 1)
        elif piece == "," and depth > 0 and current:
            continue
        token = lowered.get(word) or next(
            (t for w, t in lowered.items() if len(word) >= 3 and w.startswith(word)), None
        )
        if token is not None and piece.isalpha():
            current.append(token)
            continue
        if current:
            found.append((tuple(current), None))
            current = []
            pending = len(found) - 1
        if piece in _SENTENCE_END:
            # a score stands beside its sequence: none reaches across a sentence's end, nor
            # past blanked working, whose masked sign would make "−1.46" read as 0.46 > 0
            pending = None
            sentence_start = len(found)
            continue
        listed = _score_list(pieces, at) if _NUMBER.fullmatch(piece) else []
        unscored = [i for i in range(sentence_start, len(found)) if found[i][1] is None]
        if len(listed) >= 2 and len(listed) == len(unscored):
            # "keeps {neural network, network neural} with scores -1.25 and -1.4": a list
            # of scores pairs, in order, with the list of sequences before it
            for index, score in zip(unscored, listed, strict=True):
                found[index] = (found[index][0], score)
            pending, skip_to = None, at + 2 * len(listed) - 1
            continue
        if re.fullmatch(r"[-+−]?\d*\.?\d+", piece) and pending is not None:
            score, skip_to = _score_chain(pieces, at)
            if found[pending][1] is None:
                found[pending] = (found[pending][0], score)
            pending = None
        elif piece.isalpha() and piece.lower() not in _SCORE_WORDS:
            pending = None
    if current:
        found.append((tuple(current), None))
    return found


def false_sums(text: str) -> list[str]:
    """The stated sums of scores in `text` that do not add up ("−0,65 − 0,80 − 0,01 =
    −1,36", decimal commas read as points), wherever they stand: false arithmetic is a
    wrong step even when no sequence owns the score. A chain counts when it has a
    decimal number, an operator and "="; each is shown as written (its pieces joined)."""
    text = _DECIMAL_COMMA.sub(r"\1.\2", text.translate(_FULL_WIDTH))
    pieces = _PIECES.findall(text)
    false, index = [], 0
    while index < len(pieces):
        if not _NUMBER.fullmatch(pieces[index]):
            index += 1
            continue
        score, end = _score_chain(pieces, index)
        chain = pieces[index:end]
        if math.isnan(score) and any("." in piece for piece in chain):
            false.append(" ".join(chain))
        index = max(end, index + 1)
    return false


_NUMBER = re.compile(r"[-+−]?\d*\.?\d+")
_LIST_JOINS = {",", ";", "and", "&", "et", "y", "und", "e", "i", "и", "ve", "và", "/"}


class Stated(float):
    """A score as written: its value and its decimals ("-1.30" has two, unlike -1.3), so
    that its precision is the one the answer stated."""

    decimals: int

    def __new__(cls, text: str):
        value = super().__new__(cls, float(text.replace("−", "-")))
        value.decimals = len(text.split(".", 1)[1]) if "." in text else 0
        return value


def _score_list(pieces: list[str], at: int) -> list[float]:
    """The numbers of a list that starts at `pieces[at]` ("-1.25 and -1.4", "−1.25,
    −1.40"), one join between each two; [] when a number is followed by arithmetic."""
    scores, index = [], at
    while index < len(pieces) and _NUMBER.fullmatch(pieces[index]):
        scores.append(Stated(pieces[index]))
        after = pieces[index + 1] if index + 1 < len(pieces) else ""
        if after in ("+", "-", "−", "=") or (after and _NUMBER.fullmatch(after)):
            return []  # a sum, not a list
        if after.lower() not in _LIST_JOINS:
            break
        index += 2
    return scores


_SENTENCE_END = {".", "!", "?", "。", "！", "？", "·"}


def _score_chain(pieces: list[str], at: int) -> tuple[float, int]:
    """The score that starts at `pieces[at]`, read as a chain of sums
    ("−0.65 − 0.80 − 0.01 = −1.46", "-0.65 + (-0.60) = -1.25"): its last member when
    every member agrees with it (to the rounding of its terms), NaN when they disagree
    (the compare reports that the chain does not add up). Returns (score, next piece)."""

    def number(text: str) -> float:
        return float(text.replace("−", "-"))

    members, total, terms, index = [], number(pieces[at]), 1, at + 1
    while index < len(pieces):
        piece, rest = pieces[index], pieces[index + 1 : index + 4]
        if _NUMBER.fullmatch(piece) and piece[0] in "-+−":  # "−0.65−0.80": signed
            total, terms, index = total + number(piece), terms + 1, index + 1
        elif piece in ("+", "-", "−") and rest and _NUMBER.fullmatch(rest[0]):
            sign = -1 if piece != "+" else 1
            total, terms, index = total + sign * number(rest[0]), terms + 1, index + 2
        elif piece in ("+", "-", "−") and rest[1:2] and rest[0] == "(" and rest[2:3] == [")"]:
            if not _NUMBER.fullmatch(rest[1]):
                break
            sign = -1 if piece != "+" else 1
            total, terms, index = total + sign * number(rest[1]), terms + 1, index + 4
        elif piece == "=" and rest and _NUMBER.fullmatch(rest[0]):
            members.append((total, terms))
            total, terms, index = number(rest[0]), 1, index + 2
        else:
            break
    last = total
    if any(abs(value - last) > 0.0051 * max(count, 1) for value, count in members):
        return float("nan"), index
    if not members and terms == 1:  # a plain number: its decimals as written
        return Stated(pieces[at]), index
    return last, index
