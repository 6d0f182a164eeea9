"""The rubric file staff edit: it loads, and its errors name the file and line."""

import pytest

from answerkey.parts import part_ids
from answerkey.rubric import RubricError, load_rubric


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
