"""The parsed answer tree → SymPy objects, from a fixed table of constructors.

    build(parse("d mu^2", V).tree, context)  ->  d*mu**2   (context's d, mu)

Only `check_cost`-bounded trees reach here, and only these constructors run:
Rational, the part's own Symbols / MatrixSymbols, +, *, /, ** (with the
exponent bounded), sqrt/root, exp, log, Max, Min, Abs, factorial, binomial.
No string ever reaches SymPy.

Vectors: in a part whose variables include vectors (q3.b.i: q and k), a
product of two vectors, qᵀk, q·k, ⟨q, k⟩ or kᵀq, is their dot product and
becomes the part's dot-product symbol; any other use of a vector is an error
the student can act on. Matrices (q4.b.i) multiply in order, transposes
apply, and shapes must agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from answerkey.judging.parser import AnswerError, IllTyped, Node


@dataclass(frozen=True)
class Vector:
    """A vector variable inside an expression; `transposed` after ᵀ."""

    name: str
    transposed: bool = False


@dataclass(frozen=True)
class Identity:
    """I: an identity matrix whose size comes from what it is added to or multiplies
    (−I, as in W₂W₁ − I, keeps its sign until then)."""

    sign: int = 1


@dataclass(frozen=True)
class ComplexityClass:
    """O(expr) / Θ(expr): the class of `expr`."""

    expr: Any


@dataclass
class Context:
    """What the names of one part are in SymPy.

    `symbols`: canonical name → Symbol or MatrixSymbol; `dots`: frozenset of two
    vector names → the Symbol standing for their dot product; `norms`: name → the
    Symbol standing for its Euclidean norm; `components`: base → function of
    the index returning that component's Symbol.
    """

    symbols: dict[str, Any]
    dots: dict[frozenset, Any] = field(default_factory=dict)
    norms: dict[str, Any] = field(default_factory=dict)
    components: dict[str, Any] = field(default_factory=dict)
    vectors: frozenset[str] = frozenset()
    identity: bool = False  # whether I is the identity matrix


def build(node: Node, context: Context):
    """The SymPy object (or list, or ComplexityClass) a bounded tree stands for."""
    import sympy as sp

    try:
        value = _build(node, context, sp)
    except (AnswerError, RecursionError):
        raise
    except (TypeError, ValueError, AttributeError, ArithmeticError, NotImplementedError) as exc:
        # ShapeError is a ValueError; SymPy refuses some combinations with TypeError.
        raise AnswerError(f"this expression does not make sense here: {_short(exc)}") from None
    return value


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _scalar(value, what: str = "this"):
    if isinstance(value, Vector):
        raise AnswerError(
            f"{value.name} is a vector here: write its dot product, e.g. qᵀk, q·k or ⟨q, k⟩"
        )
    if isinstance(value, ComplexityClass):
        raise AnswerError("O(...) can only enclose the whole answer")
    if isinstance(value, list):
        raise AnswerError("a list cannot be part of an expression")
    if isinstance(value, Identity):
        raise AnswerError("I needs a matrix beside it to give it a size")
    return value


def _build(node: Node, context: Context, sp):
    op, args = node.op, node.args
    if op == "num":
        return sp.Rational(node.value.numerator, node.value.denominator)
    if op == "name":
        name = node.value
        if name in context.vectors:
            return Vector(name)
        if name == "I" and context.identity:
            return Identity()
        if name not in context.symbols:
            raise AnswerError(f"{name} does not belong in this answer")
        return context.symbols[name]
    if op == "comp":
        base, index = node.value
        return context.components[base](index)
    if op == "const":
        return sp.pi if node.value == "pi" else sp.E
    if op == "list":
        return [_build(a, context, sp) for a in args]
    if op == "call" and node.value == "O":
        inner = _scalar(_build(args[0], context, sp))
        return ComplexityClass(inner)
    if op == "mul":
        return _product(_sized([_build(a, context, sp) for a in args], sp, adding=False), context)
    if op == "dot":
        left, right = (_build(a, context, sp) for a in args)
        return _dot(left, right, context)
    if op == "transpose":
        inner = _build(args[0], context, sp)
        if isinstance(inner, Vector):
            return Vector(inner.name, not inner.transposed)
        inner = _scalar(inner)
        return inner.T if getattr(inner, "is_Matrix", False) else inner
    if op == "norm":
        inner = args[0]
        if inner.op == "name" and inner.value in context.norms:
            return context.norms[inner.value]
        value = _scalar(_build(inner, context, sp))
        if getattr(value, "is_Matrix", False):
            raise AnswerError("matrix norms are not part of this answer")
        return sp.Abs(value)
    built = [_build(a, context, sp) for a in args]
    if op == "neg" and isinstance(built[0], Identity):
        return Identity(-built[0].sign)
    if op == "add" or op == "neg":
        built = _sized(built, sp, adding=True)
    values = [_scalar(v) for v in built]
    if op == "add":
        return reduce(_plus, values)
    if op == "neg":
        return -values[0]
    if op == "div":
        if getattr(values[1], "is_Matrix", False):
            raise AnswerError("division by a matrix")
        if values[1] == 0:
            raise AnswerError("division by zero")
        return values[0] / values[1]
    if op == "pow":
        base, exponent = values
        if getattr(base, "is_Matrix", False) or getattr(exponent, "is_Matrix", False):
            raise AnswerError("powers of matrices are not part of this answer")
        if base == 0 and exponent.is_negative:
            raise AnswerError("division by zero")
        return base**exponent
    if op == "root":
        return sp.root(values[0], values[1])
    if op == "fact":
        return sp.factorial(values[0])
    if op == "abs":
        return sp.Abs(values[0])
    if op == "call":
        name = node.value
        if name == "exp":
            return sp.exp(values[0])
        if name == "log":
            if values[0] == 0:
                raise AnswerError("log(0)")
            return sp.log(values[0])
        if name == "max":
            return sp.Max(*values)
        if name == "min":
            return sp.Min(*values)
        if name == "binom":
            return sp.expand_func(sp.binomial(values[0], values[1]))
    raise AnswerError(f"{op} is not part of this answer")


def sized_sides(left, right) -> tuple:
    """The two sides of a matrix equation with a bare I sized by the other side
    (W₂W₁ = I); raises AnswerError when I has nothing to take its size from."""
    import sympy as sp

    left, right = _sized([left, right], sp, adding=True)
    return _scalar(left) if isinstance(left, Identity) else left, (
        _scalar(right) if isinstance(right, Identity) else right
    )


def _sized(values: list, sp, adding: bool) -> list:
    """Replace I by the identity of the size its neighbours need."""
    if not any(isinstance(v, Identity) for v in values):
        return values
    matrices = [v for v in values if getattr(v, "is_Matrix", False)]
    out = []
    for index, value in enumerate(values):
        if not isinstance(value, Identity):
            out.append(value)
            continue
        size = None
        if adding:
            square = [m for m in matrices if m.shape[0] == m.shape[1]]
            size = square[0].shape[0] if square else None
        else:
            after = next((v for v in values[index + 1 :] if getattr(v, "is_Matrix", False)), None)
            before = next(
                (v for v in reversed(values[:index]) if getattr(v, "is_Matrix", False)), None
            )
            size = after.shape[0] if after is not None else before.shape[1] if before else None
        out.append(value if size is None else value.sign * sp.Identity(size))
    return out


def _dot(left, right, context: Context):
    if not (isinstance(left, Vector) and isinstance(right, Vector)):
        raise AnswerError("⟨·,·⟩ needs two vectors")
    key = frozenset((left.name, right.name))
    if key not in context.dots:
        raise AnswerError(f"the dot product of {left.name} and {right.name} is not in this part")
    return context.dots[key]


def _product(values: list, context: Context):
    """Multiply in order; two adjacent vectors (the first possibly transposed) make
    a dot product. A lone vector, or three in a row, is an error."""
    factors = []
    index = 0
    while index < len(values):
        value = values[index]
        if isinstance(value, Vector):
            following = values[index + 1] if index + 1 < len(values) else None
            if not isinstance(following, Vector) or following.transposed:
                _scalar(value)
            factors.append(_dot(value, following, context))
            index += 2
            continue
        factors.append(_scalar(value))
        index += 1
    return reduce(_times, factors)


def _is_matrix(value) -> bool:
    return bool(getattr(value, "is_Matrix", False))


def _shape(value) -> str:
    return "×".join(str(side) for side in value.shape)


def _times(left, right):
    """A product, with matrix shapes checked structurally (the sizes are symbols, and
    SymPy lets k×m times k×m through because k might equal m)."""
    if _is_matrix(left) and _is_matrix(right) and left.shape[1] != right.shape[0]:
        raise IllTyped(
            f"shapes do not match, so the product is not defined: {left} is {_shape(left)} "
            f"and {right} is {_shape(right)}"
        )
    return left * right


def _plus(left, right):
    if _is_matrix(left) != _is_matrix(right):
        raise AnswerError("a matrix plus a scalar")
    if _is_matrix(left) and left.shape != right.shape:
        raise IllTyped(
            f"shapes do not match, so the sum is not defined: {left} is {_shape(left)} "
            f"and {right} is {_shape(right)}"
        )
    return left + right
