"""Which sequences an answer says a beam keeps and which it says are dropped (q5.a–c).

Students explain the pruning: "neural network and network neural survive; neural neural
and network network fall off the beam", "we keep the top 2, dropping neural neural",
"network network doesn't make the cut". Each clause is read for its cues — a verb or
phrase that keeps or drops, with its negation ("not kept", "don't survive" drop; "is not
pruned" keeps) — and each cue governs the words on one side of it: a passive or
intransitive cue ("are dropped", "get cut", "survive", "fall off") the words before it in
its clause, an active one ("we keep", "dropping", "the top 2 are", "Kept:") the words
after it. Words no cue governs are neutral (a table of candidates, the working).

Only regular expressions of bounded cost run on the text. Positions are kept (a blanked
character becomes "·", so it still separates words), so the sequences are then found on
the text as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Clauses end at sentence punctuation, a semicolon, a line break, and a contrast.
_CLAUSE_END = re.compile(
    r"[;\n；。！？]|[.!?](?=\s|$)|"
    r"\b(?:but|while|whereas|whilst|however|because|since|pero|mientras|porque)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"(?:\b(?:not|never|no\s+longer|fail(?:s|ed)?\s+to|cannot)|n['’]t)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_BE = r"(?:is|are|was|were|get|gets|got|getting|gotten|being|been|be)"
_DROP_PARTICIPLE = (
    r"dropped|pruned|discarded|removed|eliminated|cut|rejected|excluded|filtered(?:\s+out)?|"
    r"thrown\s+(?:away|out)|kicked\s+out|lost|evicted|truncated|ruled\s+out"
)
_KEEP_PARTICIPLE = r"kept|retained|selected|chosen|preserved|stored|maintained|picked"
# the rest of a label before its colon: words, and a parenthetical "(k = 2)" (not a set's "{(")
_LABEL_REST = r"(?:[^:\n({\[]|\([^():\n{}\[\]]{0,20}\)){0,30}"

# (pattern, keeps, direction): "before" governs the words before the cue, "after" those after.
_CUES = [
    # "X and Y are (not) dropped", "X gets cut": passive, the subject comes first
    (rf"\b{_BE}\s+(?:(?:not|never|then|also|both)\s+)*(?:{_DROP_PARTICIPLE})\b", False, "before"),
    (rf"\b{_BE}\s+(?:(?:not|never|then|also|both)\s+)*(?:{_KEEP_PARTICIPLE})\b", True, "before"),
    # "X is missed", "X is never reached / not found": the beam does not hold X
    (rf"\b{_BE}\s+(?:(?:not|never|also)\s+)*(?:missed|skipped|overlooked)\b", False, "before"),
    # (a keep cue: its "not" makes it a drop)
    (rf"\b{_BE}\s+(?:not|never)\s+(?:found|reached|explored|generated|considered)\b", True,
     "before"),
    # A label that opens its line: "**Stored at t = 3:** X", "Kept (k = 2): X"
    (rf"^[\s*_#>-]*(?:{_DROP_PARTICIPLE})\b{_LABEL_REST}:", False, "after"),
    (rf"^[\s*_#>-]*(?:{_KEEP_PARTICIPLE})\b{_LABEL_REST}:", True, "after"),
    # "**Final beam:** X", "Answer: X", "Beam after step 3: X": what the answer states (not
    # "Beam = {(neural, network): -1.25, …}", whose colons are inside the set)
    (rf"^[\s*_#>-]*(?:final|answer|result|beam|summary|conclusion)\b{_LABEL_REST}:", True,
     "after"),
    # "Pruned: X", "Kept: X", "the kept sequences are X"
    (rf"\b(?:{_DROP_PARTICIPLE})(?=\s*(?::|sequences?\b|ones\b|candidates?\b|beams?\b))", False,
     "after"),
    (rf"\b(?:{_KEEP_PARTICIPLE})(?=\s*(?::|sequences?\b|ones\b|candidates?\b|beams?\b))", True,
     "after"),
    # "A and B kept; C and D pruned": a bare participle follows its subject
    (rf"\b(?:{_DROP_PARTICIPLE})\b", False, "before"),
    (rf"\b(?:{_KEEP_PARTICIPLE})\b", True, "before"),
    # "X fall(s) off / out (of the beam)", "X drop out", "X are out": intransitive
    (r"\b(?:fall|falls|fell|fallen|falling|drop|drops|dropped|dropping)\s+(?:off|out)\b"
     r"(?:\s+of\s+the\s+beam)?|\b(?:is|are|was|were)\s+out\b|\blose\s+out\b|\bdie[sd]?\b",
     False, "before"),
    # German: "X fällt raus / weg / heraus", "fliegt raus", "scheidet aus"
    (r"\b(?:fällt|fallen|fiel|fielen|fliegt|fliegen|flog)\s+(?:raus|heraus|weg|hinaus)\b|"
     r"\b(?:scheidet|scheiden|schied)\s+aus\b",
     False, "before"),
    (r"\b(?:survive[sd]?|surviving|remain(?:s|ed|ing)?|stay(?:s|ed)?|advance[sd]?|"
     r"make(?:s)?\s+(?:it|the\s+cut)|made\s+(?:it|the\s+cut)|move[sd]?\s+on|"
     r"(?:is|are|was|were|stay|stays|remain|remains)\s+in\s+the\s+beam)\b",
     True, "before"),
    # "X and Y score lower", "X is worse": the reason a candidate is pruned
    (r"\b(?:scores?|scored|scoring|ranks?|ranked|ranking|comes?|came)\s+(?:lower|worse|below|"
     r"third|fourth|last)\b|\b(?:is|are|was|were)\s+(?:lower|worse|less\s+likely|too\s+low)\b",
     False, "before"),
    # "we drop X", "dropping X", "discard X": active, the object follows
    # "the beam misses X", "never reaches X", "does not find X", "would need X"
    # "Finding X would need k = 4": what a larger beam would find is not in this one
    (r"\b(?:finding|reaching|to\s+(?:find|reach))\b(?=[^.;\n]{0,80}\bwould\s+(?:need|require))",
     False, "after"),
    (r"\b(?:miss|misses|missing|skips?|skipping|overlooks?|would\s+(?:need|require|"
     r"have\s+to))\b", False, "after"),
    (r"\b(?:never|not)\s+(?:reach|reaches|finds?|explores?|considers?|contains?|holds?|"
     r"keeps?)\b", True, "after"),  # (a keep cue: its "not" makes it a drop)
    (r"\b(?:drop|drops|dropping|prune|prunes|pruning|discard|discards|discarding|remove|"
     r"removes|removing|eliminate|eliminates|eliminating|reject|rejects|rejecting|exclude|"
     r"excludes|excluding|throws?\s+(?:away|out)|lose|loses|losing)\b",
     False, "after"),
    (r"\b(?:keep|keeps|keeping|retain|retains|retaining|hold|holds|holding|contain|contains|"
     r"containing|select|selects|selecting|choose|chooses|choosing|pick|picks|picking|store|"
     r"stores|storing|top[-\s]*(?:2|two|k)|best\s+(?:2|two)|survivors?(?:\s+(?:are|is))?|"
     r"winners?(?:\s+(?:are|is))?)\b",
     True, "after"),
    # other languages: Spanish, German, Chinese (where the text is read as it comes)
    (r"\bse\s+(?:descart|elimin|pod)\w*", False, "after"),
    # participles after their subject: Spanish/Portuguese, German, Italian ("viene
    # scartata"), French ("est éliminée"), Polish ("zostaje odrzucona"), Russian, Vietnamese
    (r"\b(?:descartad|eliminad|podad|verworfen|gestrichen|entfernt|aussortiert|scartat|"
     r"eliminat[aeio]\b|potat|tagliat|éliminé|écarté|rejeté|supprimé|élagué|odrzucon|"
     r"usunięt|wyeliminowan|отброшен|отсечен|удал[её]н|исключ[её]н)\w*|\bbị\s+loại\b",
     False, "before"),
    (r"\b(?:restano|rimangono|restent|zostają(?!\s+(?:odrzucon|usunięt|wyeliminowan))|"
     r"pozostają|остаются|ficam|restam)\b", True, "after"),
    (r"\b(?:se\s+)?(?:mantien|conserv|guard|qued|behalt|bleib)\w*", True, "after"),
    (r"被?(?:剪枝|丢弃|淘汰|舍弃|删除|剪掉)", False, "before"),
    (r"保留|留下", True, "after"),
    # a recap that opens its line after the working: "So: X and Y.", "Therefore X", "→ X"
    (r"^[\s*_#>-]*(?:(?:so|thus|hence|therefore|finally|final|donc|also|ergo|"
     r"所以|因此|故)(?=\s|[:,：，])|→|⇒|=>|∴)[\s:,：，]*", True, "after"),
]  # fmt: skip
_CUE = re.compile("|".join(f"(?P<c{i}>{p})" for i, (p, _, _) in enumerate(_CUES)), re.IGNORECASE)


@dataclass(frozen=True)
class Polarity:
    """The text three ways, each of the same length as the text: `kept` shows only what a
    keep cue governs, `undropped` everything but what a drop cue governs, `dropped` only
    what a drop cue governs (everything else blanked)."""

    kept: str
    undropped: str
    dropped: str


def polarity(text: str) -> Polarity:
    """Read which words `text` says are kept and which dropped (see the module)."""
    scope = [0] * len(text)  # 0 neutral, 1 kept, -1 dropped
    start = 0
    ends = [(m.start(), m.end()) for m in _CLAUSE_END.finditer(text)]
    for end, after in [*ends, (len(text), len(text))]:
        if end > start:
            _read_clause(text, start, end, scope)
        start = after  # past the whole of "because", not one character into it

    def only(wanted) -> str:  # a blanked character still separates the words around it
        return "".join(c if wanted(scope[i]) or c.isspace() else "·" for i, c in enumerate(text))

    return Polarity(only(lambda s: s == 1), only(lambda s: s != -1), only(lambda s: s == -1))


def _read_clause(text: str, start: int, end: int, scope: list[int]) -> None:
    clause = text[start:end]
    cues = []
    for match in _CUE.finditer(clause):
        index = int(match.lastgroup[1:])
        keeps, direction = _CUES[index][1], _CUES[index][2]
        words = match.group(0).lower()
        negated = bool(re.search(r"\b(?:not|never)\b", words)) or bool(
            _NEGATION.search(clause[max(0, match.start() - 30) : match.start()])
        )
        cues.append((match.start(), match.end(), keeps != negated, direction))
    for i, (cue_start, cue_end, keeps, direction) in enumerate(cues):
        if direction == "after":
            stop = cues[i + 1][0] if i + 1 < len(cues) else len(clause)
            if i + 1 < len(cues) and cues[i + 1][3] == "before":
                comma = _last_comma(clause, cue_end, stop)  # "keep A and B, C is dropped"
                stop = comma if comma >= 0 else stop
            span = (cue_end, stop)
        else:
            begin = cues[i - 1][1] if i > 0 else 0
            if i > 0 and cues[i - 1][3] == "after":
                comma = _last_comma(clause, begin, cue_start)
                begin = comma + 1 if comma >= 0 else begin
            span = (begin, cue_start)
        for at in range(start + span[0], start + span[1]):
            scope[at] = 1 if keeps else -1


def _last_comma(clause: str, begin: int, end: int) -> int:
    return max(clause.rfind(",", begin, end), clause.rfind("，", begin, end))


# Working beside the answer: a Markdown table row (the candidates and their scores) and a
# side remark ("Note the beam misses …", "Remark: …", "注意…") that names other sequences.
_WORKING = re.compile(
    r"(?m)^[ \t]*\|.*$|"
    r"(?:^|(?<=[.!?;。；]))[\s*_(]*(?:note|notice|remark|aside|interestingly|by\s+contrast|"
    r"in\s+contrast|for\s+comparison|compare|also\s+note|nota|beachte|注意|注)\b"
    r"(?:[^\n.!?。]|\.(?=\d))*",  # to the sentence's end: "(−1.46)" holds no full stop
    re.IGNORECASE,
)


def without_working(text: str) -> str:
    """`text` with its table rows and side remarks blanked (the same length), for reading the
    sequences an answer states when it names no kept ones."""
    return _WORKING.sub(lambda m: re.sub(r"\S", "·", m.group()), text)
