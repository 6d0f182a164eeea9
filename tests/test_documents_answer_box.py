"""The framed answer as a reader finds it (review6, 1 and 2): a headline's graded points print
as a list inside the frame, "Answers at a glance" shows the headline and its first point on
one line, and a marked note's label is bold."""

from __future__ import annotations

from answerkey.documents.content import POINT, _answer_box, _paragraph, _short_answer
from answerkey.documents.model import Boxed, Bullets, Paragraph, Strong, Text


def _part(headline: str, text: str = "", latex: str = "") -> dict:
    return {
        "id": "q9.z",
        "answered": True,
        "checks": [],
        "answer": {"headline": headline, "latex": latex, "text": text},
    }


HEADLINE = "A correct submission shows:" + POINT + "accuracy 1.0;" + POINT + "the plot's line."


def test_points_print_as_a_list_inside_the_frame():
    box, *_ = _answer_box(_part(HEADLINE, latex="x = 1"), short=True)
    assert isinstance(box, Boxed)
    lead, points, *rest = box.blocks
    assert lead == Paragraph((Strong((Text("A correct submission shows:"),)),))
    assert isinstance(points, Bullets)
    assert [item[0].text for item in points.items] == ["accuracy 1.0;", "the plot's line."]
    assert len(rest) == 1  # the formula, after the points


def test_a_headline_without_points_is_one_bold_paragraph():
    box, *_ = _answer_box(_part("The answer is 4."), short=True)
    assert box.blocks == (Paragraph((Strong((Text("The answer is 4."),)),)),)


def test_the_glance_shows_the_lead_and_its_first_point_as_one_sentence():
    (line,) = _short_answer(_part(HEADLINE))
    assert line.text == "A correct submission shows: accuracy 1.0."
    (line,) = _short_answer(_part("Do this:" + POINT + "It holds." + POINT + "Another."))
    assert line.text == "Do this: It holds."


def test_a_marked_notes_label_is_bold_and_other_paragraphs_are_not():
    note = _paragraph("Note (test labels in training). The helper also uses them.")
    assert note.content[0] == Strong((Text("Note (test labels in training)."),))
    assert "".join(i.text for i in note.content[2:]) == "The helper also uses them."
    plain = _paragraph("Notes on the run (two of them). Nothing bold.")
    assert not any(isinstance(i, Strong) for i in plain.content)
