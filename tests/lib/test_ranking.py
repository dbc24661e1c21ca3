from ansinh.lib.ranking import competition_ranks


def test_equal_scores_share_a_rank_and_the_next_skips() -> None:
    assert competition_ranks([9, 7, 7, 5, 5, 5, 1]) == [1, 2, 2, 4, 4, 4, 7]
    assert competition_ranks([(3, 10), (3, 10), (3, 9)]) == [1, 1, 3]
    assert competition_ranks([]) == []
