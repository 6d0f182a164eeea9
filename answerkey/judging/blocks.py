r"""φ written in blocks, as people write feature maps, spelled out at a concrete D.

    expand_blocks("[1; \sqrt 2 x; vec(xx^T)]", "x", 2)
        ->  ("[1, \sqrt 2 x_{1}, \sqrt 2 x_{2}, x_{1} x_{1}, x_{1} x_{2}, x_{2} x_{1},
              x_{2} x_{2}]", "x")

A block is a list item in the bare vector (`√2 x`: D components), an outer product
(`vec(xxᵀ)`, `x ⊗ x`, `x^{⊗2}`, `xxᵀ` flattened: every ordered pair i, j), an
elementwise square (`x ⊙ x`, `x^{∘2}`, `x²`: one per coordinate), or an item with
symbolic indices and a range (`√2 x_i x_j (i < j)`, `{x_i^2}_{i=1}^D`,
`x_i x_j for all i, j`). Two indices without a range mean the pairs i < j when the list
writes the squares itself, else every ordered pair (i, j). A run
"√2 x_1, …" that ends at such an item runs to D.

Only respelling: the output is the same list with the blocks written out, still read by
the whitelisted grammar (`parser`); nothing here evaluates the student's text.
"""

from __future__ import annotations

import re

from answerkey.judging.parser import AnswerError

MAX_COMPONENTS = 100  # after expansion: 1 + D + D² = 21 at D = 4; more is not a feature map

BASES = "qxkuz"
_ELLIPSES = {"...", "\\ldots", "\\dots", "\\cdots", "\\vdots", "⋯", "⋮", "…"}
_T = r"\^\s*\{?\s*(?:T|\\top|\\intercal)\s*\}?"
_OTIMES = r"(?:⊗|\\otimes)"
_ODOT = r"(?:⊙|\\odot|∘|\\circ)"
_SQUARE = rf"\^\s*(?:\{{\s*{_ODOT}?\s*2\s*\}}|\(\s*{_ODOT}?\s*2\s*\)|{_ODOT}?\s*2)(?![0-9])"
_INDEX = r"_\s*\{?\s*([ij])\s*\}?(?![A-Za-z0-9])"
_LE = r"(?:<=|≤|\\leq?(?![A-Za-z])|\\leqslant)"
_LT = r"(?:<(?!=)|\\lt(?![A-Za-z]))"
_NE = r"(?:!=|≠|\\neq?(?![A-Za-z]))"
# "i < j", "1 ≤ i < j ≤ D", "i ≤ j", "i ≠ j", "i, j", "i, j = 1", "all i, j", "i = 1"
_RANGE = (
    rf"(?:for\s+)?(?:all\s+)?(?:1\s*(?:{_LE}|{_LT})\s*)?i\s*(?P<rel>{_LE}|{_LT}|{_NE}|&)\s*j"
    rf"(?:\s*(?:{_LE}|{_LT}|=)\s*(?:D|1))?(?:\s*{_LE}\s*D)?"
    rf"|(?:for\s+)?(?:all\s+)?[ij]\s*=\s*1(?:\s*(?:\.\.|to)\s*D)?|(?:for\s+)?all\s+[ij]"
)
_ANY_RANGE = _RANGE.replace("?P<rel>", "?:")


def _bare(base: str) -> str:
    """The base vector itself: `x`, not `x_1`, `x1`, `x_i` or a letter of a longer word."""
    return rf"(?<![A-Za-z\\_]){base}(?![A-Za-z_0-9])"


def _respell_item(item: str, base: str) -> tuple[str, str | None]:
    """(item with blocks in symbolic indices, the pair range it implies or None)."""
    b = _bare(base)
    pair = f" {base}_{{i}} {base}_{{j}} "
    item = re.sub(
        r"\\(?:mathrm|operatorname|text|mathbf|boldsymbol)\s*\{\s*(\w+)\s*\}",
        r"\1",
        item,
    )
    item = re.sub(rf"{_T}\s*$", "", item.strip()).strip()  # a block transposed to a row
    xx = rf"(?<![A-Za-z\\_]){base}\s*{base}(?![A-Za-z_0-9])"  # "xx" or "x x"
    outer = [
        rf"(?:vec|flatten)\s*\(\s*{xx}\s*{_T}\s*\)",
        rf"(?:vec|flatten)\s*\(\s*{b}\s*{_OTIMES}\s*{b}\s*\)",
        rf"{b}\s*{_OTIMES}\s*{b}",
        rf"{b}\s*\^\s*\{{\s*{_OTIMES}\s*2\s*\}}",
        rf"{xx}\s*{_T}",
    ]
    implied = None
    for pattern in outer:
        item, count = re.subn(pattern, pair, item)
        if count:
            implied = "all"
    square = f" {base}_{{i}}^2 "
    item = re.sub(rf"{b}\s*{_ODOT}\s*{b}", square, item)
    item = re.sub(rf"{b}\s*{_SQUARE}", square, item)
    item = re.sub(rf"{b}(?:\s*{_T})?", f" {base}_{{i}} ", item)
    return item, implied


def _range_of(text: str) -> str | None:
    """The pair range a qualifier states: "<", "<=", "!=", "all", or None (one index)."""
    match = re.search(_RANGE, text)
    if match is None:
        return None
    rel = match.group("rel")
    if rel is None:
        return "all" if re.search(r"all", match.group()) else None
    if re.fullmatch(_LT, rel):
        return "<"
    if re.fullmatch(_LE, rel):
        return "<="
    if re.fullmatch(_NE, rel):
        return "!="
    return "all"


def _split_qualifier(item: str) -> tuple[str, str | None]:
    """(the item without its range, the range's text): "{√2 x_i x_j}_{i<j}",
    "√2 x_i x_j (i < j)", "x_i x_j for all i & j", "(x_i^2)_{i=1}^D"."""
    item = item.replace("\\{", "{").replace("\\}", "}").strip()
    group = re.fullmatch(r"([{(\[])(.*)([})\]])\s*_\s*\{([^{}]*)\}(?:\s*\^\s*\{?\s*D\s*\}?)?", item)
    if group is not None:
        return group.group(2), group.group(4)
    tail = re.search(rf"\s*(?:\(\s*(?:{_ANY_RANGE})\s*\)|[,:\s]\s*(?:{_ANY_RANGE}))\s*$", item)
    if tail is not None and tail.start() > 0:
        return item[: tail.start()], tail.group()
    return item, None


def _pairs(relation: str, size: int) -> list[tuple[int, int]]:
    keep = {
        "<": lambda i, j: i < j,
        "<=": lambda i, j: i <= j,
        "!=": lambda i, j: i != j,
        "all": lambda i, j: True,
    }[relation]
    return [(i, j) for i in range(1, size + 1) for j in range(1, size + 1) if keep(i, j)]


def _has_squares(items: list[str], base: str) -> bool:
    """Whether the list writes the squares x_i² itself (then x_i x_j means i ≠ j pairs)."""
    square = rf"{base}_\s*\{{?\s*(?:[1ij]|D)\s*\}}?\s*\^\s*[{{(]?\s*2|{base}_\{{i\}}\^2"
    return any(re.search(square, item) for item in items)


def _indices_of(item: str, base: str) -> list[str]:
    return re.findall(rf"(?<![A-Za-z\\]){base}{_INDEX}", item)


def _fill(item: str, base: str, values: dict[str, int]) -> str:
    return re.sub(
        rf"(?<![A-Za-z\\]){base}{_INDEX}", lambda m: f"{base}_{{{values[m.group(1)]}}}", item
    )


def expand_blocks(body: str, base: str | None, size: int) -> tuple[str, str] | None:
    """`body` ("[…]" or "(…)") with its blocks written out at D = `size`, and the base
    vector; None when it has no block. Raises AnswerError when the blocks spell out more
    than MAX_COMPONENTS components."""
    from answerkey.judging.forms import split_items

    text = re.sub(r"\bi\s*,\s*j\b", "i & j", body[1:-1])  # "for all i, j" is one range
    items = split_items(text)
    if base is None:
        bare = [b for b in BASES if any(re.search(_bare(b), it) for it in items)]
        indexed = [b for b in BASES if any(re.search(rf"{b}_", it) for it in items)]
        candidates = bare or indexed
        if len(candidates) != 1:
            return None
        base = candidates[0]
    # A range written as its own item ("√2 x_i x_j, i < j") belongs to the item before it.
    joined: list[str] = []
    for item in items:
        if joined and re.fullmatch(rf"\(?\s*(?:{_ANY_RANGE})\s*\)?", item.strip()):
            joined[-1] += f" ({item.strip()})"
        else:
            joined.append(item)
    squares = _has_squares(joined, base)
    out: list[str] = []
    changed = False
    for position, raw in enumerate(joined):
        stripped = raw.strip()
        if stripped in _ELLIPSES:
            after = joined[position + 1] if position + 1 < len(joined) else ""
            if _symbolic(after, base) and out and not out[-1].startswith("\0"):
                # "√2 x_1, …, x_i x_j": the run before a block runs to D
                end = re.sub(rf"({base}_)\s*\{{?\s*1\s*\}}?(?![0-9])", rf"\g<1>{{{size}}}", out[-1])
                if end != out[-1]:
                    out += [stripped, end]
                changed = True
                continue
            if out and out[-1].startswith("\0") or _symbolic(after, base):
                changed = True  # "…, √2 x_i x_j, …": the block is the run
                continue
            out.append(stripped)
            continue
        inner, qualifier = _split_qualifier(raw)
        inner = re.sub(r"^\s*(?:\.\.\.|\\[lc]?dots|…|⋯)|(?:\.\.\.|\\[lc]?dots|…|⋯)\s*$", "", inner)
        respelled, implied = _respell_item(inner, base)
        letters = sorted(set(_indices_of(respelled, base)))
        if not letters:
            out.append(raw.strip())
            continue
        changed = True
        relation = implied or (_range_of(qualifier) if qualifier else None)
        if len(letters) == 1:
            filled = [_fill(respelled, base, {letters[0]: i}) for i in range(1, size + 1)]
        else:
            if relation is None:
                relation = "<" if squares else "all"
            filled = [_fill(respelled, base, {"i": i, "j": j}) for i, j in _pairs(relation, size)]
        out += ["\0" + f for f in filled]
        if len(out) > MAX_COMPONENTS:
            raise AnswerError(f"φ's blocks spell out more than {MAX_COMPONENTS} components")
    if not changed:
        return None
    return body[0] + ", ".join(o.lstrip("\0").strip() for o in out) + body[-1], base


def _symbolic(item: str, base: str) -> bool:
    respelled, _ = _respell_item(_split_qualifier(item)[0], base)
    return bool(_indices_of(respelled, base))
