"""The skill standards file: every problem at once as file:line: reason; the packaged file; deterministic sampling."""

from __future__ import annotations

import pytest

from activecare.qa.standards import StandardsError, default_standards, from_rows, parse_standards

HEADER = "kind,key,name,value,description\n"


def test_the_packaged_standards_have_the_seven_criteria_and_round_trip() -> None:
    std = default_standards()
    assert [c.name for c in std.criteria] == ["名乗り・挨拶", "共感", "正確さ", "個人情報の配慮", "敬語・トーン",
                                              "簡潔さ", "案内の適切さ"]
    assert all(c.description and (c.low, c.high) == (1, 5) for c in std.criteria)
    assert (std.share, std.trainee_share) == (0.2, 1.0)
    assert from_rows(std.rows()) == std


def test_every_problem_is_named_with_its_line() -> None:
    text = ("# コメント\n" + HEADER + "criterion,Greet,挨拶,1-5,説明\ncriterion,tone,,5-1,\n"
            "criterion,tone2,トーン,1-5,説明,余分\nsampling,share,,1.5,\nsampling,trainees,,半分,\nfoo,a,b,c,d\n")
    with pytest.raises(StandardsError) as caught:
        parse_standards(text.encode(), "s.csv")
    lines = str(caught.value).splitlines()
    assert "s.csv:3: criterion key 'Greet' must be a-z, 0-9 and _ (starting with a letter)" in lines
    assert "s.csv:4: criterion tone: scale '5-1' must be MIN-MAX, whole numbers 0-10, MIN < MAX" in lines
    assert "s.csv:4: criterion tone: a name of 1-40 characters is needed" in lines
    assert "s.csv:5: 6 fields; a row has 5 (kind,key,name,value,description)" in lines
    assert "s.csv:6: sampling share: '1.5' is not a share between 0 and 1" in lines
    assert "s.csv:7: sampling trainees: '半分' is not 'all' or a share between 0 and 1" in lines
    assert "s.csv:8: unknown kind 'foo'; a row is a criterion or a sampling rule" in lines
    with pytest.raises(StandardsError, match=r"s.csv:1: the header must be"):
        parse_standards("kind,key\n", "s.csv")
    with pytest.raises(StandardsError, match=r"s.csv:1: not valid UTF-8"):
        parse_standards(b"kind\xff\n", "s.csv")


def test_sampling_is_a_deterministic_share_and_all_of_a_trainees() -> None:
    std = default_standards()
    picks = [std.samples(str(1000 + n), "sato", "2026-11-25", trainee=False) for n in range(2000)]
    assert picks == [std.samples(str(1000 + n), "sato", "2026-11-25", trainee=False) for n in range(2000)]
    assert 0.17 < sum(picks) / len(picks) < 0.23
    assert all(std.samples(str(n), "tanaka", "2026-11-25", trainee=True) for n in range(50))
