"""Survey metrics against hand computations."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.metrics.scores import mean_score, net_promoter_score, top_box_share


def test_nps_is_percent_promoters_minus_percent_detractors():
    # 10 answers: promoters 9,10,10,9 (4); passives 7,8 (2); detractors 0,6,5,3 (4).
    scores = [9, 10, 10, 9, 7, 8, 0, 6, 5, 3]
    result = net_promoter_score(scores)
    assert result.value == pytest.approx(100 * 4 / 10 - 100 * 4 / 10)
    assert result.n == 10


def test_nps_of_all_promoters_is_100_and_all_detractors_is_minus_100():
    assert net_promoter_score([9, 10]).value == 100
    assert net_promoter_score([0, 6, 3]).value == -100


def test_nps_of_one_response():
    assert net_promoter_score([8]).value == 0
    assert net_promoter_score([8]).n == 1


def test_nps_of_no_responses_is_no_value():
    result = net_promoter_score([])
    assert result.value is None and result.n == 0


def test_nps_hand_example_with_passives():
    # 3 promoters, 5 passives, 2 detractors of 10: 30% - 20% = 10.
    assert net_promoter_score([9, 9, 10, 7, 7, 8, 8, 7, 6, 1]).value == pytest.approx(10)


def test_csat_counts_the_top_two_boxes_of_five():
    # 4 and 5 are satisfied: 3 of 5 answers -> 60%.
    result = top_box_share([5, 4, 3, 4, 1], scale_max=5, top_boxes=2)
    assert result.value == pytest.approx(60)
    assert result.n == 5


def test_csat_with_a_seven_point_scale_and_one_top_box():
    result = top_box_share([7, 6, 7, 1], scale_max=7, top_boxes=1)
    assert result.value == pytest.approx(50)


def test_mean_score():
    assert mean_score([1, 2, 3, 4]).value == pytest.approx(2.5)
    assert mean_score([]).value is None


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=300))
def test_nps_is_always_between_minus_100_and_100_and_counts_every_answer(scores):
    result = net_promoter_score(scores)
    assert -100 <= result.value <= 100 and result.n == len(scores)
    promoters = len([s for s in scores if s >= 9])
    detractors = len([s for s in scores if s <= 6])
    assert result.value == pytest.approx(100 * (promoters - detractors) / len(scores))


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=300))
def test_csat_is_a_share_between_0_and_100(scores):
    assert 0 <= top_box_share(scores, scale_max=5, top_boxes=2).value <= 100


def test_each_score_carries_the_spread_of_its_answers_by_hand():
    # NPS as a mean of +100 / 0 / -100: 4 promoters, 2 passives, 4 detractors of 10.
    # Mean 0; mean of squares 10000·8/10 = 8000; variance 8000 - 0² = 8000.
    nps = net_promoter_score([9, 10, 10, 9, 7, 8, 0, 6, 5, 3])
    assert nps.variance == pytest.approx(8000)
    # 3 promoters, 1 detractor of 4: NPS 50; 10000·4/4 - 50² = 7500.
    assert net_promoter_score([9, 9, 10, 2]).variance == pytest.approx(7500)
    # Top box 3 of 4 (75 %): each answer 100 or 0, variance 75·25 = 1875.
    assert top_box_share([5, 4, 4, 2], 5, 2).variance == pytest.approx(1875)
    # Mean of 2, 4, 6: 4; squared deviations 4, 0, 4 over 3 answers.
    assert mean_score([2, 4, 6]).variance == pytest.approx(8 / 3)
    assert net_promoter_score([]).variance is None
