"""The rubric file staff edit: it loads, and its errors name the file and line."""

import pytest

from answerkey.parts import part_ids
from answerkey.rubric import RubricError, load_rubric, same_answer


def test_shipped_rubric_covers_every_part():
    assert set(load_rubric().parts) == set(part_ids())


def test_wrong_answers_earn_less_than_full_credit():
    rubric = load_rubric()
    for entry in rubric.parts.values():
        assert all(w.credit < entry.points for w in entry.wrong)


def test_unknown_part_id_names_file_and_line(tmp_path):
    path = tmp_path / "rubric.toml"
    path.write_text('["q2.a"]\npoints = 2\n\n["q9.z"]\npoints = 1\n')
    with pytest.raises(RubricError, match=r"rubric.toml:4: unknown part id 'q9.z'"):
        load_rubric(path)


def test_malformed_points_names_the_part(tmp_path):
    path = tmp_path / "rubric.toml"
    path.write_text('["q2.a"]\npoints = "two"\n')
    with pytest.raises(RubricError, match=r"rubric.toml:1: part q2.a: points must be a number"):
        load_rubric(path)


def test_toml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "rubric.toml"
    path.write_text('["q2.a"]\npoints = = 2\n')
    with pytest.raises(RubricError, match=r"rubric.toml:2:"):
        load_rubric(path)


# --- one source of credit ------------------------------------------------------------

RUBRIC_HEAD = """["q2.a"]
points = 3
items = [
  { description = "Correct", delta = 0 },
  { description = "Not summed over d", delta = -1 },
  { description = "Linear in mu", delta = -1.5 },
  { description = "Independent of mu", delta = -2 },
]
"""


def _load(tmp_path, wrong: str, accepted: str = ""):
    path = tmp_path / "rubric.toml"
    path.write_text(RUBRIC_HEAD + f"wrong = [{wrong}]\n" + f"accepted = [{accepted}]\n")
    return load_rubric(path)


def test_every_shipped_wrong_answer_names_a_deduction_and_its_credit_follows():
    for entry in load_rubric().parts.values():
        for wrong in entry.wrong:
            assert wrong.items, wrong.answer
            deltas = [entry.items[n - 1].delta for n in wrong.items]
            assert all(d < 0 for d in deltas), (entry.part, wrong.answer)
            assert wrong.credit == entry.points + sum(deltas)


def test_no_shipped_answer_is_both_accepted_and_deducted():
    from answerkey.rubric import same_answer

    for entry in load_rubric().parts.values():
        for reading in entry.accepted:
            assert not any(same_answer(reading.answer, w.answer) for w in entry.wrong)


def test_credit_is_computed_from_the_items(tmp_path):
    wrong = (
        '{ answer = "mu^2", item = 2, feedback = "sum it" }, '
        '{ answer = "mu", item = [2, 3], feedback = "both" }'
    )
    assert [w.credit for w in _load(tmp_path, wrong).parts["q2.a"].wrong] == [2.0, 0.5]


def test_a_typed_credit_is_refused(tmp_path):
    with pytest.raises(RubricError, match=r"rubric.toml:1: .*unknown keys \['credit'\].*computed"):
        _load(tmp_path, '{ answer = "mu^2", item = 2, credit = 1, feedback = "x" }')


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        ('{ answer = "mu^2", feedback = "x" }', "item must name rubric items"),
        ('{ answer = "mu^2", item = 7, feedback = "x" }', "there is no rubric item 7"),
        ('{ answer = "mu^2", item = 1, feedback = "x" }', "item 1 deducts nothing"),
        ('{ answer = "mu^2", item = [2, 2], feedback = "x" }', "names an item twice"),
        ('{ answer = "mu^2", item = [3, 4], feedback = "x" }', "deduct more than 3"),
    ],
)
def test_an_orphan_or_impossible_wrong_answer_is_refused(tmp_path, wrong, message):
    with pytest.raises(RubricError, match=message):
        _load(tmp_path, wrong)


def test_an_answer_both_accepted_and_deducted_is_refused(tmp_path):
    with pytest.raises(RubricError, match="both accepted and deducted"):
        _load(
            tmp_path,
            '{ answer = "d*mu", item = 3, feedback = "squared" }',
            '{ answer = "d * MU", note = "a vector mean" }',
        )


def test_review5_answers_have_one_grade_each():
    """review5's made-up answers (findings 1, 4 and 8): each is listed once, with a credit
    the items give when they add up."""
    parts = load_rubric().parts

    def listed(part_id: str, answer: str):
        return [w for w in parts[part_id].wrong if same_answer(w.answer, answer)]

    (nnn,) = listed("q5.d", "{network network network}")
    assert nnn.credit == 1 and set(nnn.items) == {3, 5}  # no optimum, no reason: both
    (memory,) = listed("q3.c.ii", "time: O(N D^2 M), memory: O(N D^2)")
    assert memory.credit == 2 and set(memory.items) == {4, 6}  # review6: two terms, two items
    correct = parts["q2.b"].items[0]  # the general form is graded under the correct item
    assert correct.delta == 0 and "d(σ⁴ + 2σ²μ²)" in correct.description


def test_q3c_ii_memory_omissions_stack():
    """review6: omitting one memory term costs one item, omitting two costs both."""
    entry = load_rubric().parts["q3.c.ii"]
    credit = {w.answer.split("memory: ")[1]: w.credit for w in entry.wrong if "memory" in w.answer}
    one_term = [credit["O(N D^2 + N M)"], credit["O(N D^2 + D^2 M)"]]
    assert one_term == [2.5, 2.5] and credit["O(N D^2)"] == 2.0


def test_q5_names_the_vocabulary_one_way():
    """review6: Q5 writes the vocabulary size |V| (M is Q3's value width); M appears only
    where the rubric tells a grader that a student may write it."""
    import re

    for part_id, entry in load_rubric().parts.items():
        if not part_id.startswith("q5"):
            continue
        texts = [i.description for i in entry.items] + [w.feedback for w in entry.wrong]
        texts += [f"{a.answer} {a.note}" for a in entry.accepted]
        for text in texts:
            assert not re.search(r"\bM\b", text.replace("M or |Y| for |V|", "")), text


def test_review7_rows_name_every_item_their_answer_shows():
    """review7 (items 7, 8): a q3.b.ii row's credit subtracts every item its answer shows;
    items 5 and 6 (no dimension, no check) grade the whole solution, so a row listing a φ
    alone carries neither while a wrong count carries 5. In q5.b and q5.c one wrong sequence
    of the two costs half the point whatever its cause; both wrong cost the whole point."""
    parts = load_rubric().parts
    feature_map = parts["q3.b.ii"]
    for row in feature_map.wrong:
        if row.answer.startswith("["):
            assert not {5, 6} & set(row.items), row.answer
        else:
            assert 5 in row.items, row.answer
    for item in (5, 6):
        assert "whole solution" in feature_map.items[item - 1].description
    for part_id in ("q5.b", "q5.c"):
        entry = parts[part_id]
        assert entry.points == 1
        for row in entry.wrong:  # every listed row keeps one of the two best
            assert row.credit == 0.5, (part_id, row.answer)
        assert entry.items[-1].delta == -1 and "Neither" in entry.items[-1].description
