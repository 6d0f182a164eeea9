"""A whitelisted grammar for students' answers, parsed into the project's own tree.

    parse("d mu^2", vocabulary)        ->  Node("mul", (name d, pow(name mu, 2)))
    parse(r"\\frac{1}{\\sqrt d}", vocab) ->  Node("div", (1, call sqrt(name d)))

Nothing here executes or evaluates the text: the tokenizer knows a fixed
alphabet, the parser a fixed grammar, and a name is accepted only if the
part's `Vocabulary` (its variables and their usual spellings), the short list
of functions (sqrt, exp, log, max, min, abs, binom) or the constants (π, e)
know it. The result is a tree of `Node`s, bounded in size, depth, number
sizes, exponents and factorials *before* anything builds a SymPy object
(`check_cost`).

Grammar (precedence low → high; implicit multiplication is a product):

    items    := item ((',' | ';') item)*            top level: a list of answers
    expr     := term (('+' | '-') term)*
    term     := unary (('*' | '/' | juxtaposition) unary)*
    unary    := ('+' | '-') unary | power
    power    := postfix (('^' | '**') unary)?      right-associative; ^T is a transpose
    postfix  := atom ('!' | "'")*
    atom     := number | name | function arg | '(' expr ')' | '[' items ']' | '{' … '}'
              | '|' expr '|' | '||' expr '||' | '<' expr ',' expr '>'
              | \\frac g g | \\sqrt[n] g | \\binom g g | O(expr) | Θ(expr)

Two readings are kept where students' notation is ambiguous: `1/2d` reads as
(1/2)·d by the usual convention and as 1/(2d) in the *loose* reading, where
juxtaposition binds tighter than '/' and `d^1/2` is d^(1/2). `judge` decides
both and says so when they disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from answerkey.judging.text import normalize

# --- limits, checked before any SymPy object exists ------------------------------
MAX_CHARS = 2000  # after normalization
MAX_TOKENS = 600
MAX_DEPTH = 40
MAX_NODES = 400
MAX_DIGITS = 15  # in one number literal
MAX_EXPONENT = 100  # |constant exponent|
MAX_EXPONENT_DENOMINATOR = 12
MAX_DEGREE = 64  # polynomial degree bound: bounds the cost of expanding
MAX_BITS = 20_000  # bound on log2 |value| at the judge's sample points
MAX_FACTORIAL = 200
SAMPLE_BITS = 7  # the judge samples every variable with |value| < 2**7


class AnswerError(ValueError):
    """The text is not an answer we can read (INVALID INPUT); the message says why."""


class TooExpensive(AnswerError):
    """The answer reads, but judging it could not be bounded (INVALID INPUT)."""


class IllTyped(AnswerError):
    """The answer reads, but a product or sum of its matrices is not defined (W₁ᵀ(I − W₁W₂)
    with W₁ k×m, W₂ m×k): a wrong answer (INCORRECT), not an unreadable one."""


FUNCTIONS = {
    "sqrt": "sqrt", "cbrt": "cbrt", "exp": "exp", "log": "log", "ln": "log", "lg": "log",
    "log2": "log", "log_2": "log", "log10": "log", "log_10": "log", "log_e": "log",
    "max": "max", "min": "min", "abs": "abs", "binom": "binom", "choose": "binom",
    "O": "O", "Theta": "O", "Omega": "O", "bigO": "O", "factorial": "factorial",
}  # fmt: skip
# log bases only scale by a constant; every reading above is exact for equality except
# that log2/log10 are compared as ln: which is why they are only accepted inside O(...).
_BASED_LOGS = {"lg", "log2", "log_2", "log10", "log_10"}
CONSTANTS = {"pi": "pi", "e": "e"}
CLASS_FUNCTIONS = {"O"}

# LaTeX commands: what each one is to the tokenizer.
_LATEX_SPACING = {",", ";", ":", "!", " ", "quad", "qquad", "left", "right", "big", "Big",
                  "bigl", "bigr", "Bigl", "Bigr", "displaystyle", "limits"}  # fmt: skip
_LATEX_WRAPPERS = {"mathbf", "boldsymbol", "bm", "vec", "mathit", "mathrm", "mathcal", "mathbb",
                   "operatorname", "text", "textrm", "textit", "mathsf", "hat"}  # fmt: skip
_LATEX_OPERATORS = {"cdot": "*", "times": "*", "ast": "*", "div": "/", "top": "T",
                    "intercal": "T", "langle": "<", "rangle": ">", "|": "||", "lVert": "||",
                    "rVert": "||", "Vert": "||", "lvert": "|", "rvert": "|", "vert": "|",
                    "{": "{", "}": "}", "ldots": "...", "cdots": "...", "dots": "...",
                    "vdots": "...", "to": "->", "rightarrow": "->", "le": "<=",
                    "leq": "<="}  # fmt: skip
_LATEX_FUNCTIONS = {"sqrt", "frac", "dfrac", "tfrac", "binom", "log", "ln", "lg", "exp",
                    "max", "min", "cbrt"}  # fmt: skip


@dataclass(frozen=True)
class Vocabulary:
    """What names mean in one part.

    `names` maps every accepted spelling to a canonical variable name;
    `kinds` gives each canonical name's kind: "scalar", "vector" or "matrix";
    `indexed` lists bases whose subscripted names (q_1, q_{12}, q1) are vector
    components (at most `max_index`); `transposes` lets ^T, ^\\top and ' mean a
    transpose; `classes` allows O(...) and based logarithms.
    """

    names: dict[str, str]
    kinds: dict[str, str] = field(default_factory=dict)
    indexed: frozenset[str] = frozenset()
    transposes: bool = False
    classes: bool = False
    max_index: int = 8

    def kind(self, name: str) -> str:
        return self.kinds.get(name, "scalar")

    def known_words(self) -> set[str]:
        words = set(self.names) | set(FUNCTIONS)
        words |= {c for c in CONSTANTS if c not in self.names}
        if self.transposes and "T" not in self.names:
            words.add("T")  # q^Tk: the T of a transpose
        return words


# --- the tree ----------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One node of an answer: `op` is one of num, name, comp, const, add, neg, mul, div,
    pow, call, fact, transpose, dot, norm, abs, root, list; `value` holds a number
    (Fraction), a name, a function name or a (base, index) pair."""

    op: str
    args: tuple[Node, ...] = ()
    value: object = None

    def __str__(self) -> str:
        return render(self)


def num(value) -> Node:
    return Node("num", (), Fraction(value))


def render(node: Node) -> str:
    """A plain, fully parenthesized spelling: how the answer was read."""
    op, args = node.op, node.args
    if op == "num":
        value = node.value
        return str(value.numerator) if value.denominator == 1 else f"({value})"
    if op in ("name", "const"):
        return str(node.value)
    if op == "comp":
        base, index = node.value
        return f"{base}_{index}"
    if op == "add":
        return "(" + " + ".join(render(a) for a in args) + ")"
    if op == "neg":
        return f"(-{render(args[0])})"
    if op == "mul":
        return "(" + "*".join(render(a) for a in args) + ")"
    if op == "div":
        return f"({render(args[0])}/{render(args[1])})"
    if op == "pow":
        return f"{render(args[0])}^{render(args[1])}"
    if op == "fact":
        return f"{render(args[0])}!"
    if op == "transpose":
        return f"{render(args[0])}^T"
    if op == "dot":
        return f"<{render(args[0])}, {render(args[1])}>"
    if op == "norm":
        return f"||{render(args[0])}||"
    if op == "abs":
        return f"|{render(args[0])}|"
    if op == "root":
        return f"root({render(args[0])}, {render(args[1])})"
    if op == "list":
        return "[" + ", ".join(render(a) for a in args) + "]"
    if op == "call":
        return f"{node.value}(" + ", ".join(render(a) for a in args) + ")"
    raise AssertionError(op)


# --- tokens ------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # num, name, comp, func, const, op
    text: str
    value: object = None


_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_IDENT = re.compile(r"[A-Za-z]+\d*")
_SUBSCRIPT = re.compile(r"_(?:\{\s*([A-Za-z0-9,\s]+?)\s*\}|([A-Za-z0-9]))")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_OPERATORS = ("**", "||", "->", "<=", ">=", "...", "+", "-", "*", "/", "^", "(", ")", "[",
              "]", "{", "}", ",", ";", ":", "!", "'", "|", "<", ">", "=", ".")  # fmt: skip


def _split_word(word: str, known: set[str]) -> list[str] | None:
    """Split a run of letters into known words, longest first ("dmu" → d, mu).

    Returns None when no split exists. Splits by dynamic programming so that
    "sigmad" finds sigma·d even though "s" might be known too.
    """
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[len(word)] = []
    for start in range(len(word) - 1, -1, -1):
        for end in range(len(word), start, -1):
            piece = word[start:end]
            if piece in known and best[end] is not None:
                best[start] = [piece, *best[end]]
                break
    return best[0]


def tokenize(text: str, vocabulary: Vocabulary) -> list[Token]:
    """Normalized text → tokens. Unknown characters, names and commands are errors."""
    tokens: list[Token] = []
    known = vocabulary.known_words()
    position = 0
    while position < len(text):
        ch = text[position]
        if ch.isspace():
            position += 1
            continue
        if len(tokens) > MAX_TOKENS:
            raise TooExpensive(f"more than {MAX_TOKENS} symbols: too long to judge")
        match = _NUMBER.match(text, position)
        if match:
            digits = match.group().replace(".", "")
            if len(digits.lstrip("0")) > MAX_DIGITS:
                raise TooExpensive(f"a number with more than {MAX_DIGITS} digits")
            tokens.append(Token("num", match.group(), Fraction(match.group())))
            position = match.end()
            continue
        if ch == "\\":
            match = _COMMAND.match(text, position)
            if match is None:
                raise AnswerError("a backslash with no command after it")
            command = match.group(1)
            position = match.end()
            tokens.extend(_command_tokens(command, vocabulary))
            continue
        match = _IDENT.match(text, position)
        if match and _transpose_mark(tokens, match.group(), vocabulary):
            tokens.append(Token("op", "T"))  # X^TW_1: the T of a transpose, then W_1
            position += 1
            continue
        if match:
            position = match.end()
            subscript = _SUBSCRIPT.match(text, position)
            sub = None
            if subscript:
                sub = (subscript.group(1) or subscript.group(2)).replace(" ", "")
                position = subscript.end()
            tokens.extend(_word_tokens(match.group(), sub, vocabulary, known))
            continue
        for op in _OPERATORS:
            if text.startswith(op, position):
                tokens.append(Token("op", op))
                position += len(op)
                break
        else:
            raise AnswerError(f"unexpected character {ch!r}")
    return tokens


def _transpose_mark(tokens: list[Token], word: str, vocabulary: Vocabulary) -> bool:
    """Whether the identifier after '^' starts with the T of a transpose."""
    return (
        vocabulary.transposes
        and "T" not in vocabulary.names
        and word.startswith("T")
        and len(word) > 1
        and bool(tokens)
        and tokens[-1].kind == "op"
        and tokens[-1].text in ("^", "**")
    )


def _command_tokens(command: str, vocabulary: Vocabulary) -> list[Token]:
    if command in _LATEX_SPACING:
        return []
    if command in _LATEX_WRAPPERS:
        return [Token("op", "\\wrap", command)]
    if command in _LATEX_OPERATORS:
        return [Token("op", _LATEX_OPERATORS[command])]
    if command in ("frac", "dfrac", "tfrac"):
        return [Token("op", "\\frac")]
    if command in ("sqrt", "cbrt", "binom"):
        return [Token("op", "\\" + command)]
    if command in ("log", "ln", "lg", "exp", "max", "min"):
        return [Token("func", command, FUNCTIONS[command])]
    if command in ("Theta", "Omega"):
        return [Token("func", command, "O")]
    if command == "pi" and "pi" not in vocabulary.names:
        return [Token("const", "pi", "pi")]
    if command == "infty":
        raise AnswerError("∞ is not an answer here")
    # Greek letters and other names: \mu is the name "mu" if the part knows it.
    if command.isalpha() and command in vocabulary.names:
        return _word_tokens(command, None, vocabulary, vocabulary.known_words())
    raise AnswerError(f"unknown command \\{command}")


def _word_tokens(word: str, sub: str | None, vocabulary: Vocabulary, known: set[str]):
    """One identifier (with its subscript) → name / component / function tokens.

    "W_1", "d_k", "log_2" are names as spelled; "q_3" and "q3" are components of
    an indexed base; any other run of letters is split into known words
    ("dmu" → d, mu; "Tklogk" → T, k, log, k), the subscript going to the last.
    """
    names = vocabulary.names
    full = f"{word}_{sub}" if sub is not None else word
    if full in names:
        return [Token("name", full, names[full])]
    if full in FUNCTIONS:
        return [Token("func", full, FUNCTIONS[full])]
    if sub is not None and word in vocabulary.indexed:
        return [_component(word, sub, vocabulary)]
    letters = word.rstrip("0123456789")
    if letters != word:
        if sub is None and letters in vocabulary.indexed:
            return [_component(letters, word[len(letters) :], vocabulary)]
        raise AnswerError(f"unknown name {_shown(full)}" + _known_names(vocabulary))
    pieces = [word] if word in known else _split_word(word, known)
    if pieces is None:
        raise AnswerError(f"unknown name {_shown(full)}" + _known_names(vocabulary))
    tokens = [_known_word(piece, vocabulary) for piece in pieces]
    if sub is not None:
        last = pieces[-1]
        if f"{last}_{sub}" in names:
            tokens[-1] = Token("name", f"{last}_{sub}", names[f"{last}_{sub}"])
        elif last in vocabulary.indexed:
            tokens[-1] = _component(last, sub, vocabulary)
        elif f"{last}_{sub}" in FUNCTIONS:
            tokens[-1] = Token("func", f"{last}_{sub}", FUNCTIONS[f"{last}_{sub}"])
        else:
            raise AnswerError(f"unknown name {_shown(last + '_' + sub)}" + _known_names(vocabulary))
    return tokens


def _component(base: str, index: str, vocabulary: Vocabulary) -> Token:
    if not index.isdigit():
        raise AnswerError(
            f"{base}_{index}: write the components at a concrete size, e.g. {base}_1, {base}_2"
        )
    value = int(index)
    if not 1 <= value <= vocabulary.max_index:
        raise AnswerError(f"{base}_{index}: indices run from 1 to at most {vocabulary.max_index}")
    return Token("comp", f"{base}_{value}", (base, value))


def _known_word(word: str, vocabulary: Vocabulary) -> Token:
    if word in vocabulary.names:
        return Token("name", word, vocabulary.names[word])
    if word in FUNCTIONS:
        return Token("func", word, FUNCTIONS[word])
    if word == "T":
        return Token("op", "T")
    return Token("const", word, CONSTANTS[word])


def _shown(name: str) -> str:
    return repr(name if len(name) <= 30 else name[:29] + "…")


def _known_names(vocabulary: Vocabulary) -> str:
    canonical = sorted(set(vocabulary.names.values()))
    if vocabulary.indexed:
        canonical += [f"{b}_1, {b}_2, …" for b in sorted(vocabulary.indexed)]
    return f"; this part's variables are {', '.join(canonical)}" if canonical else ""


# --- the parser --------------------------------------------------------------------

_ATOM_START_OPS = {"(", "[", "{", "|", "||", "<", "\\frac", "\\sqrt", "\\cbrt", "\\binom", "\\wrap"}


class Parser:
    """Recursive descent over the tokens; `loose` selects the second reading."""

    def __init__(self, tokens: list[Token], vocabulary: Vocabulary, loose: bool = False):
        self.tokens = tokens
        self.vocabulary = vocabulary
        self.loose = loose
        self.position = 0
        self.depth = 0
        self.bars: list[str] = []  # open | and || groups, innermost last
        self.ambiguous = False  # set when the loose reading could differ

    # helpers
    def peek(self, offset: int = 0) -> Token | None:
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def at(self, *ops: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text in ops

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise AnswerError("the answer ends too early")
        self.position += 1
        return token

    def expect(self, op: str) -> None:
        token = self.peek()
        if token is None or token.kind != "op" or token.text != op:
            found = "the end" if token is None else repr(token.text)
            raise AnswerError(f"expected {op!r} but found {found}")
        self.position += 1

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooExpensive(f"nested more than {MAX_DEPTH // 2} levels deep")

    def leave(self) -> None:
        self.depth -= 1

    # grammar
    def parse_all(self) -> Node:
        if not self.tokens:
            raise AnswerError("the answer is empty")
        node = self.items(closing=None)
        if self.position != len(self.tokens):
            raise AnswerError(f"unexpected {self.peek().text!r}")
        return node

    def items(self, closing: str | None) -> Node:
        """expr (, expr)* up to `closing`: one expression, or a list when commas occur."""
        found = [self.expr()]
        while self.at(",", ";"):
            self.take()
            if closing is not None and self.at(closing) or self.peek() is None:
                break  # a trailing comma
            found.append(self.expr())
        return found[0] if len(found) == 1 else Node("list", tuple(found))

    def expr(self) -> Node:
        terms = [self.term()]
        while self.at("+", "-"):
            sign = self.take().text
            term = self.term()
            terms.append(term if sign == "+" else Node("neg", (term,)))
        return terms[0] if len(terms) == 1 else Node("add", tuple(terms))

    def term(self) -> Node:
        node = self.implicit_product() if self.loose else self.unary()
        while True:
            if self.at("*", "."):  # q.k and d.mu: a product (a dot product for vectors)
                self.take()
                right = self.implicit_product() if self.loose else self.unary()
                node = _mul(node, right)
            elif self.at("/"):
                self.take()
                right = self.implicit_product() if self.loose else self.unary()
                if not self.loose and self.starts_atom():
                    self.ambiguous = True  # "1/2d": (1/2)d here, 1/(2d) when loose
                node = Node("div", (node, right))
            elif not self.loose and self.starts_atom():
                node = _mul(node, self.power())
            else:
                break
        return node

    def implicit_product(self) -> Node:
        """loose reading: a run of juxtaposed factors, bound tighter than * and /."""
        node = self.unary()
        while self.starts_atom():
            node = _mul(node, self.power())
        return node

    def starts_atom(self) -> bool:
        token = self.peek()
        if token is None:
            return False
        if token.kind in ("num", "name", "comp", "func", "const"):
            return True
        if token.kind != "op" or token.text not in _ATOM_START_OPS:
            return False
        if token.text in ("|", "||"):
            return not self.bars or self.bars[-1] != token.text
        return True

    def unary(self) -> Node:
        if self.at("-", "+"):
            sign = self.take().text
            self.enter()  # a run of signs nests like parentheses
            inner = self.unary()
            self.leave()
            return Node("neg", (inner,)) if sign == "-" else inner
        return self.power()

    def power(self) -> Node:
        self.enter()  # exponents nest: d^d^d^…
        base = self.postfix()
        if self.at("^", "**"):
            self.take()
            if self.transpose_follows():
                base = Node("transpose", (base,))
                while self.at("'", "!"):
                    base = self.postfix_op(base)
                if self.at("^", "**"):
                    self.take()
                    base = Node("pow", (base, self.exponent()))
            else:
                base = Node("pow", (base, self.exponent()))
        self.leave()
        return base

    def exponent(self) -> Node:
        node = self.unary()
        # "d^1/2": d^1 / 2 by convention, d^(1/2) in the loose reading.
        if node.op == "num" and self.at("/") and self.peek(1) and self.peek(1).kind == "num":
            if self.loose:
                self.take()
                return Node("div", (node, num(self.take().value)))
            self.ambiguous = True
        return node

    def transpose_follows(self) -> bool:
        token = self.peek()
        if not self.vocabulary.transposes or token is None:
            return False
        if token.kind == "op" and token.text == "T":
            self.take()
            return True
        if token.kind == "op" and token.text == "{":
            inner = self.peek(1)
            closing = self.peek(2)
            if (
                inner is not None
                and inner.kind == "op"
                and inner.text == "T"
                and closing is not None
                and closing.kind == "op"
                and closing.text == "}"
            ):
                self.position += 3
                return True
        return False

    def postfix(self) -> Node:
        node = self.atom()
        while self.at("!", "'"):
            node = self.postfix_op(node)
        return node

    def postfix_op(self, node: Node) -> Node:
        op = self.take().text
        if op == "!":
            return Node("fact", (node,))
        if not self.vocabulary.transposes:
            raise AnswerError("a prime (') has no meaning in this part")
        return Node("transpose", (node,))

    def group(self) -> Node:
        """A LaTeX argument: {expr} or a single token (\\frac12, \\sqrt d)."""
        if self.at("{"):
            self.take()
            node = self.items(closing="}")
            self.expect("}")
            return node
        token = self.peek()
        if (
            token is not None
            and token.kind == "num"
            and len(token.text) > 1
            and token.text.isdigit()
        ):
            # \frac12 is \frac{1}{2}: split the digits.
            self.tokens[self.position] = Token("num", token.text[1:], Fraction(token.text[1:]))
            return num(token.text[0])
        return self.power()

    def atom(self) -> Node:
        self.enter()
        token = self.take()
        kind = token.kind
        if kind == "num":
            node = num(token.value)
        elif kind == "name":
            node = Node("name", (), token.value)
        elif kind == "comp":
            node = Node("comp", (), token.value)
        elif kind == "const":
            node = Node("const", (), token.value)
        elif kind == "func":
            node = self.function(token)
        else:
            node = self.bracketed(token.text)
        self.leave()
        return node

    def function(self, token: Token) -> Node:
        name = token.value
        if name == "O" and not self.vocabulary.classes:
            raise AnswerError(f"{token.text}(...) is a complexity class; this part wants a value")
        if token.text in _BASED_LOGS and not self.vocabulary.classes:
            raise AnswerError(f"{token.text}: write log base e (log or ln) in this part")
        if self.at("("):
            self.take()
            args = self.items(closing=")")
            self.expect(")")
        elif self.at("{"):
            args = self.group()
        elif self.at("_") or self.at("^"):
            raise AnswerError(f"{token.text}: write the argument in parentheses")
        else:
            if name in ("max", "min", "binom", "O"):
                raise AnswerError(f"{token.text} needs its arguments in parentheses")
            args = self.power()  # sqrt d, log k^2 (= log(k^2)), exp x
        arguments = args.args if args.op == "list" else (args,)
        expected = {"max": None, "min": None, "binom": 2}.get(name, 1)
        if expected is not None and len(arguments) != expected:
            raise AnswerError(f"{token.text} takes {expected} argument(s), got {len(arguments)}")
        if expected is None and len(arguments) < 2:
            raise AnswerError(f"{token.text} needs at least two arguments")
        if name == "factorial":
            return Node("fact", (arguments[0],))
        if name in ("sqrt", "cbrt"):
            root = 2 if name == "sqrt" else 3
            return Node("root", (arguments[0], num(root)))
        if name == "abs":
            return Node("abs", arguments)
        return Node("call", tuple(arguments), name)

    def bracketed(self, op: str) -> Node:
        if op in ("(", "[", "{"):
            closing = {"(": ")", "[": "]", "{": "}"}[op]
            node = self.items(closing=closing)
            self.expect(closing)
            return node
        if op in ("|", "||"):
            self.bars.append(op)
            inner = self.expr()
            self.bars.pop()
            self.expect(op)
            return Node("abs" if op == "|" else "norm", (inner,))
        if op == "<":
            left = self.expr()
            self.expect(",")
            right = self.expr()
            self.expect(">")
            return Node("dot", (left, right))
        if op == "\\frac":
            numerator = self.group()
            denominator = self.group()
            return Node("div", (numerator, denominator))
        if op in ("\\sqrt", "\\cbrt"):
            degree = num(2 if op == "\\sqrt" else 3)
            if op == "\\sqrt" and self.at("["):
                self.take()
                degree = self.expr()
                self.expect("]")
            return Node("root", (self.group(), degree))
        if op == "\\binom":
            top = self.group()
            bottom = self.group()
            return Node("call", (top, bottom), "binom")
        if op == "\\wrap":
            return self.wrapped()
        raise AnswerError(f"unexpected {op!r}")

    def wrapped(self) -> Node:
        """\\mathbf{q}, \\mathcal{O}(…), \\text{…}: the wrapper itself means nothing."""
        if not self.at("{"):
            return self.atom()
        self.take()
        start = self.position
        depth = 1
        while depth:
            token = self.take()
            if token.kind == "op" and token.text == "{":
                depth += 1
            elif token.kind == "op" and token.text == "}":
                depth -= 1
        inner = self.tokens[start : self.position - 1]
        # Re-insert the inner tokens in place of the group and read on.
        self.tokens[start - 1 : self.position] = inner
        self.position = start - 1
        return self.postfix()


def _mul(left: Node, right: Node) -> Node:
    if left.op == "mul":
        return Node("mul", (*left.args, right))
    return Node("mul", (left, right))


# --- entry points ------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """An answer's tree, and the loose reading when it differs."""

    tree: Node
    loose: Node | None = None


# Σᵢ qᵢkᵢ, \sum_{i=1}^D q_i k_i: a dot product written as its sum, respelled qᵀk (the
# index bounds, if any, are the vectors' own length).
_INDEXED_DOT = re.compile(
    r"(?:\\sum|\\Sigma|∑|Σ)\s*(?:_\s*\{?\s*[a-z]\s*(?:=\s*1\s*)?\}?|[ᵢⱼₖ])?"  # Σ_{i=1}
    r"\s*(?:\^\s*(?:\{[^{}]{1,8}\}|\w))?"  # ^D, ^{D}
    r"\s*(?P<a>[a-z])\s*(?:_\s*\{?\s*(?P<j>[a-z])\s*\}?|(?P<u>[ᵢⱼₖ]))"  # q_i, qᵢ
    r"\s*[*·]?\s*(?P<b>[a-z])\s*(?:_\s*\{?\s*(?P=j)\s*\}?|(?P=u))"  # k_i, kᵢ
)


def respell_indexed_dot(text: str) -> str:
    """Σᵢ qᵢkᵢ → (q^T k): the sum over a shared index of two vectors' components."""
    return _INDEXED_DOT.sub(lambda m: f" ({m.group('a')}^T {m.group('b')}) ", text)


# Σᵢ f, \sum_{i=1}^{d} f with f free of the index: f added once per component, count·f.
_SUM_HEAD = re.compile(
    r"(?:\\sum|\\Sigma|∑|Σ)\s*_\s*(?:\{\s*(?P<braced>[a-z])\s*(?:=\s*1\s*)?\}|(?P<bare>[a-z]))"
    r"(?:\s*\^\s*(?:\{\s*(?P<top>[A-Za-z_{}]{1,12})\s*\}|(?P<top1>[A-Za-z])))?\s*"
)


def respell_constant_sum(text: str, count: str, counts: set[str]) -> str:
    """Σᵢ f → count·(f) when f does not contain the index i (q2: Σᵢ (μ² + σ²) is
    d(μ² + σ²), since i runs over the d components). `counts`: the names an upper
    bound may have (d, d_k, …); a sum with another bound, or whose summand holds the
    index (Σᵢ E[qᵢ]E[kᵢ]), is left as it is. The summand runs to the first '+', '-'
    or '=' outside brackets."""
    if len(text) > MAX_CHARS:  # parse refuses it anyway; this bounds the scan
        return text
    out, position = [], 0
    for match in _SUM_HEAD.finditer(text):
        if match.start() < position:
            continue
        top = match.group("top") or match.group("top1")
        if top is not None and re.sub(r"[{}]", "", top) not in counts:
            continue
        index = match.group("braced") or match.group("bare")
        depth, end = 0, match.end()
        while end < len(text):
            ch = text[end]
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif ch in "+-=" and depth == 0 and end > match.end():
                break
            end += 1
        summand = text[match.end() : end].strip()
        if not summand or re.search(rf"(?<![A-Za-z\\]){index}(?![A-Za-z])", summand):
            continue
        out.append(text[position : match.start()])
        out.append(f" {count}*({summand}) ")
        position = end
    out.append(text[position:])
    return "".join(out)


def parse(text: str, vocabulary: Vocabulary) -> Reading:
    """Student text → its reading(s), cost-checked. Raises AnswerError (or TooExpensive)."""
    try:
        normalized = normalize(text)
    except ValueError as exc:
        raise TooExpensive(str(exc)) from None
    if len(normalized) > MAX_CHARS:
        raise TooExpensive(f"the answer is {len(normalized):,} characters long; the limit is 2,000")
    if not normalized:
        raise AnswerError("the answer is empty")
    normalized = respell_indexed_dot(normalized)
    tokens = tokenize(normalized, vocabulary)
    parser = Parser(list(tokens), vocabulary)
    tree = parser.parse_all()
    check_cost(tree)
    loose = None
    if parser.ambiguous:
        second = Parser(list(tokens), vocabulary, loose=True)
        try:
            loose = second.parse_all()
            check_cost(loose)
        except AnswerError:
            loose = None
        if loose == tree:
            loose = None
    return Reading(tree, loose)


# --- cost bounds -------------------------------------------------------------------


@dataclass
class _Cost:
    nodes: int = 0


def check_cost(tree: Node) -> None:
    """Raise TooExpensive unless the tree is small, shallow, and its numbers, exponents,
    factorials and polynomial degree are bounded (see the MAX_* limits)."""
    cost = _Cost()
    _measure(tree, cost, 0)


def constant_value(node: Node) -> Fraction | None:
    """The exact value of a constant rational subtree, or None (not constant / irrational).

    Only called on subtrees whose magnitude `_measure` has bounded."""
    op, args = node.op, node.args
    if op == "num":
        return node.value
    if op == "neg":
        inner = constant_value(args[0])
        return None if inner is None else -inner
    if op in ("add", "mul"):
        values = [constant_value(a) for a in args]
        if any(v is None for v in values):
            return None
        total = Fraction(0) if op == "add" else Fraction(1)
        for v in values:
            total = total + v if op == "add" else total * v
        return total
    if op == "div":
        top, bottom = constant_value(args[0]), constant_value(args[1])
        if top is None or bottom is None or bottom == 0:
            return None
        return top / bottom
    if op == "pow":
        base, exponent = constant_value(args[0]), constant_value(args[1])
        if base is None or exponent is None or exponent.denominator != 1:
            return None
        if base == 0 and exponent < 0:
            return None
        return base ** int(exponent)
    return None


def _bits(value: Fraction) -> float:
    return max(abs(value.numerator), value.denominator, 1).bit_length()


def _measure(node: Node, cost: _Cost, depth: int) -> tuple[float, float]:
    """(bits, degree): bounds on log2|value| at sample points and on polynomial degree."""
    cost.nodes += 1
    if cost.nodes > MAX_NODES:
        raise TooExpensive(f"more than {MAX_NODES} terms and factors: too large to judge")
    if depth > 2 * MAX_DEPTH:
        raise TooExpensive(f"nested more than {MAX_DEPTH // 2} levels deep")
    op, args = node.op, node.args
    if op == "num":
        return _bits(node.value), 0
    if op in ("name", "comp", "const"):
        return SAMPLE_BITS, 1 if op != "const" else 0
    parts = [_measure(a, cost, depth + 1) for a in args]
    if op in ("add", "list"):
        return max(b for b, _ in parts) + len(parts).bit_length(), max(g for _, g in parts)
    if op in ("neg", "transpose", "abs", "norm"):
        return parts[0]
    if op in ("mul", "dot"):
        bits, degree = sum(b for b, _ in parts), sum(g for _, g in parts)
    elif op == "div":
        bits, degree = parts[0][0] + parts[1][0], parts[0][1] + parts[1][1]
    elif op == "pow":
        bits, degree = _measure_power(node, parts)
    elif op == "root":
        index = constant_value(args[1])
        if index is None or index.denominator != 1 or not 2 <= index <= MAX_EXPONENT_DENOMINATOR:
            raise TooExpensive(
                f"roots must have a small whole index (2…{MAX_EXPONENT_DENOMINATOR})"
            )
        bits, degree = parts[0]
    elif op == "fact":
        bits, degree = _measure_factorial(node, parts)
    elif op == "call":
        bits, degree = _measure_call(node, parts)
    else:
        raise AssertionError(op)
    if bits > MAX_BITS:
        raise TooExpensive("numbers in this answer would have more than 20,000 bits")
    if degree > MAX_DEGREE:
        raise TooExpensive(f"polynomial degree above {MAX_DEGREE}: too large to judge")
    return bits, degree


def _measure_power(node: Node, parts) -> tuple[float, float]:
    (base_bits, base_degree), (exp_bits, exp_degree) = parts
    if exp_degree == 0 and exp_bits <= 64:
        exponent = constant_value(node.args[1])
        if exponent is not None:
            if abs(exponent) > MAX_EXPONENT:
                raise TooExpensive(f"exponent {exponent} is larger than {MAX_EXPONENT}")
            if exponent.denominator > MAX_EXPONENT_DENOMINATOR:
                raise TooExpensive(f"exponent {exponent} has too large a denominator")
            size = float(abs(exponent))
            return base_bits * max(size, 1), base_degree * size
    # A symbolic or irrational exponent: bound its value at the sample points.
    if exp_bits > 10:
        raise TooExpensive("an exponent that could exceed 1000 at the sample points")
    bound = 2.0**exp_bits
    return base_bits * bound, MAX_DEGREE if base_degree else 0


def _walk(node: Node):
    yield node
    for child in node.args:
        yield from _walk(child)


def _measure_factorial(node: Node, parts) -> tuple[float, float]:
    (bits, degree) = parts[0]
    value = constant_value(node.args[0])
    if value is not None:
        if value.denominator != 1 or value < 0:
            raise AnswerError("a factorial needs a whole number ≥ 0")
        if value > MAX_FACTORIAL:
            raise TooExpensive(f"factorial of {value}: only up to {MAX_FACTORIAL}! is judged")
        return max(1.0, float(value) * max(1, int(value).bit_length())), 0
    if bits > SAMPLE_BITS + 1 or degree > 1:
        raise TooExpensive("a factorial of something other than a number or a variable")
    # k! is not a polynomial: SymPy never expands it, so it adds nothing to the degree bound.
    return 2.0**bits * (bits + 1), 0


def _measure_call(node: Node, parts) -> tuple[float, float]:
    name = node.value
    if name == "exp":
        # SymPy keeps exp(n) symbolic, so only its argument's size matters; no exp of
        # an exp or of a power tower, whose evaluation could not be bounded.
        bits, degree = parts[0]
        if bits > 24 or any(n.op == "call" and n.value == "exp" for n in _walk(node.args[0])):
            raise TooExpensive("exp of something that could be too large to evaluate")
        return bits + 2.0, 0  # exp is never expanded: no polynomial degree
    if name == "log":
        bits, degree = parts[0]
        return max(1.0, bits.bit_length() if isinstance(bits, int) else float(bits)), degree
    if name in ("max", "min", "O"):
        return max(b for b, _ in parts), max(g for _, g in parts)
    if name == "binom":
        (top_bits, top_degree), _ = parts
        bottom = constant_value(node.args[1])
        if bottom is None or bottom.denominator != 1 or not 0 <= bottom <= 20:
            raise TooExpensive("binom(n, k) is judged for a whole k from 0 to 20")
        return top_bits * max(1, int(bottom)), top_degree * max(1, int(bottom))
    raise AssertionError(name)
