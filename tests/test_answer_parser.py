"""The whitelisted grammar: what students type reads as one tree; nothing else does."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from answerkey.judging.parser import (
    MAX_DEPTH,
    AnswerError,
    TooExpensive,
    Vocabulary,
    parse,
    render,
)
from answerkey.judging.text import csv_cell, normalize, printable

V = Vocabulary(names={"d": "d", "d_k": "d", "mu": "mu", "sigma": "sigma"})
VECTORS = Vocabulary(
    names={"q": "q", "k": "k", "D": "D"}, kinds={"q": "vector", "k": "vector"}, transposes=True
)
SIZES = Vocabulary(names={"N": "N", "D": "D", "M": "M"}, classes=True)
INDEXED = Vocabulary(names={"D": "D"}, indexed=frozenset({"q"}))


def read(text, vocabulary=V):
    return render(parse(text, vocabulary).tree)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("sqrt(d)", "root(d, 2)"),
        ("d^(1/2)", "d^(1/2)"),
        ("d**0.5", "d^(1/2)"),
        ("d*mu^2", "(d*mu^2)"),
        ("mu**2 d", "(mu^2*d)"),
        ("2dmu^2", "(2*d*mu^2)"),
        ("(d)(mu)^2", "(d*mu^2)"),
        ("√d", "root(d, 2)"),
        ("μ²d", "(mu^2*d)"),
        ("µ²d", "(mu^2*d)"),  # the micro sign reads as μ
        ("σ²", "sigma^2"),
        ("d·μ²", "(d*mu^2)"),
        ("d × μ²", "(d*mu^2)"),
        ("d_k μ²", "(d*mu^2)"),
        ("d−μ", "(d + (-mu))"),  # Unicode minus
        ("ｄ", "d"),  # fullwidth
        (r"\sqrt{d}", "root(d, 2)"),
        (r"d\mu^2", "(d*mu^2)"),
        (r"\frac{1}{\sqrt d}", "(1/root(d, 2))"),
        (r"\frac12 d", "((1/2)*d)"),
        (r"\dfrac{d}{2}", "(d/2)"),
        (r"d \cdot \mu^{2}", "(d*mu^2)"),
        (r"\left(d\right)^{2}", "d^2"),
        (r"\sqrt[3]{d}", "root(d, 3)"),
        (r"\mathbf{d}", "d"),
        ("d^-1", "d^(-1)"),
        ("-d^2", "(-d^2)"),
        ("d^2^3", "d^2^3"),
        ("|mu|^2", "|mu|^2"),
        ("log d", "log(d)"),
        ("exp(mu)", "exp(mu)"),
        ("e^mu", "e^mu"),
        ("d!", "d!"),
        ("max(d, 2)", "max(d, 2)"),
    ],
)
def test_what_students_type_reads_as_one_tree(text, expected):
    assert read(text) == expected


def test_juxtaposition_after_a_division_keeps_both_readings():
    reading = parse("1/2d", V)
    assert render(reading.tree) == "((1/2)*d)"
    assert render(reading.loose) == "(1/(2*d))"


def test_a_bare_exponent_fraction_keeps_both_readings():
    reading = parse("d^1/2", V)
    assert render(reading.tree) == "(d^1/2)"
    assert render(reading.loose) == "d^(1/2)"


def test_unambiguous_text_has_one_reading():
    assert parse("d/2", V).loose is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("q^T k", "(q^T*k)"),
        ("qᵀk", "(q^T*k)"),
        ("q^Tk", "(q^T*k)"),
        (r"q^\top k", "(q^T*k)"),
        ("q^{T}k", "(q^T*k)"),
        ("q'k", "(q^T*k)"),
        ("q·k", "(q*k)"),
        ("q.k", "(q*k)"),
        ("⟨q, k⟩", "<q, k>"),
        (r"\langle q, k \rangle", "<q, k>"),
        ("<q,k>", "<q, k>"),
    ],
)
def test_dot_product_notations(text, expected):
    assert read(text, VECTORS) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("O(N^2 D + N^2 M)", "O(((N^2*D) + (N^2*M)))"),
        (r"\mathcal{O}(N^2)", "O(N^2)"),
        ("Θ(N²)", "O(N^2)"),
        ("O(N^2 max(D, M))", "O((N^2*max(D, M)))"),
        ("O(NlogN)", "O((N*log(N)))"),
        ("O(N log_2 N)", "O((N*log(N)))"),
    ],
)
def test_complexity_classes(text, expected):
    assert read(text, SIZES) == expected


def test_classes_are_refused_where_a_value_is_wanted():
    with pytest.raises(AnswerError, match="complexity class"):
        parse("O(d)", V)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[1, q_1, q_{2}]", "[1, q_1, q_2]"),
        ("(1, q1, q₂)", "[1, q_1, q_2]"),
        ("[1, √2 q_1]", "[1, (root(2, 2)*q_1)]"),
    ],
)
def test_components_and_lists(text, expected):
    assert read(text, INDEXED) == expected


def test_symbolic_components_ask_for_a_concrete_size():
    with pytest.raises(AnswerError, match="concrete size"):
        parse("[q_i]", INDEXED)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("d +", "ends too early"),
        ("d mu ^^", "unexpected"),
        ("(d", r"expected '\)'"),
        ("x", "unknown name 'x'"),
        ("dx", "unknown name"),
        ("sqrt(d, mu)", "takes 1 argument"),
        ("max(d)", "at least two"),
        ("q^T k", "unknown name"),  # q is not a name in Q2
        (r"\input{/etc/passwd}", r"unknown command \\input"),
        (r"\def\x{1}", r"unknown command \\def"),
        ("d ≠ 2", "unexpected character"),
    ],
)
def test_bad_text_is_an_answer_error_saying_why(text, message):
    with pytest.raises(AnswerError, match=message):
        parse(text, V)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('echo pwned')",
        "d.__class__.__mro__",
        "().__class__.__bases__[0].__subclasses__()",
        "lambda: d",
        "(lambda x: x)(d)",
        "f'{d}'",
        "'%s' % d",
        "'{0.__class__}'.format(d)",
        "exec('1')",
        "eval('d')",
        "open('/etc/passwd')",
        "import os",
        "d; import os",
        "globals()",
        "`d`",
        "$(rm -rf /)",
        "${7*7}",
    ],
)
def test_code_is_never_an_answer(text):
    with pytest.raises(AnswerError):
        parse(text, V)


@pytest.mark.parametrize(
    "text, message",
    [
        ("9^9^9^9", "exponent"),
        ("2^2^2^2^2^2", "exponent"),
        ("d^(10^10)", "exponent"),
        ("d^100000000000", "digits|exponent"),
        ("mu^(d^(d^d))", "exponent"),
        ("1000!", "factorial"),
        ("(10!)!", "factorial"),
        ("d!!!", "factorial"),
        ("exp(exp(exp(d)))", "exp"),
        ("123456789012345678901234567890", "digits"),
        ("(d+mu+sigma)^500", "exponent"),
        ("((d+1)^50)^50", "degree|bits"),
        ("(" * 200 + "d" + ")" * 200, "nested"),
        ("-" * 500 + "d", "nested"),
        ("d" * 100_000, "characters"),
        ("d+" * 1000 + "d", "characters|symbols|terms"),
        ("binom(d, 10000)", "binom"),
    ],
)
def test_costly_answers_are_refused_before_sympy(text, message):
    with pytest.raises(TooExpensive, match=message):
        parse(text, V)


def test_nesting_up_to_the_limit_still_reads():
    depth = MAX_DEPTH // 2 - 1
    assert read("(" * depth + "d" + ")" * depth) == "d"
    assert read("\\frac{1}{" * 8 + "d" + "}" * 8)


def test_a_nul_byte_is_a_space():
    assert read("d\x00mu") == "(d*mu)"


def test_template_syntax_is_only_arithmetic():
    assert read("{{7*7}}") == "(7*7)"


def test_the_parser_builds_no_sympy_objects():
    import subprocess
    import sys

    code = (
        "import sys; from answerkey.judging.parser import parse, Vocabulary;"
        "parse('d mu^2 + sqrt(d)', Vocabulary(names={'d': 'd', 'mu': 'mu'}));"
        "print('sympy' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False"


# --- normalization and output -------------------------------------------------------


def test_superscripts_are_read_before_nfkc():
    assert normalize("σ²") == r"\sigma ^(2)"


def test_transpose_sign():
    assert normalize("qᵀk") == "q^Tk"


def test_zero_width_and_bidi_characters_are_spaces():
    assert normalize("d\u200b\u202emu") == "d mu"


def test_printable_strips_control_and_bidi_characters():
    assert printable("d\x1b[2J\x07\u202eμ\x00") == "d[2Jμ"


def test_printable_truncates():
    assert len(printable("d" * 1000, limit=50)) == 50


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "＝1"])
def test_formula_cells_are_defused(cell):
    assert csv_cell(cell).startswith("'")


def test_ordinary_cells_are_kept():
    assert csv_cell("d mu^2") == "d mu^2"


# --- fuzzing ------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("dmusigaqkTNDM0123456789+-*/^()[]{}!,.'|<>_ =\\")
    + ["mu", "sigma", "sqrt", "log", "exp", "max", "\\frac", "\\sqrt", "√", "²", "μ", "·", "ᵀ"]
    + ["**", "^T", "\\mu", "O(", "⟨", "⟩", "‖", "\x00", "\u202e", "é", "𝒪", "∞"]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_fuzzed_text_parses_or_fails_cleanly(text):
    for vocabulary in (V, VECTORS, SIZES, INDEXED):
        try:
            reading = parse(text, vocabulary)
        except AnswerError:
            continue
        assert render(reading.tree)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_unicode_parses_or_fails_cleanly(text):
    try:
        parse(text, V)
    except AnswerError:
        pass
