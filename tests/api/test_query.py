"""Query parameters as the documents declare them: one reading of a yes/no parameter and of a
whole number for every route of both APIs, so no spelling is taken by one route and refused,
or read the other way, by the next."""

from __future__ import annotations

import pytest

from jupyterlab_mlplat.api.errors import status_for
from jupyterlab_mlplat.api.openapi import Query
from jupyterlab_mlplat.core.kernel.errors import QueryNotBoolean, QueryNotInteger

ALL = Query("all", "Everyone's (admins only).", enum=("true", "false"))


def test_a_flag_is_exactly_true_or_false_and_absent_is_false() -> None:
    assert (ALL.flag("true"), ALL.flag("false"), ALL.flag(None)) == (True, False, False)


@pytest.mark.parametrize("spelling", ["True", "TRUE", "1", "yes", "", " true", "x" * 100])
def test_any_other_spelling_of_a_flag_is_a_400_naming_it(spelling: str) -> None:
    with pytest.raises(QueryNotBoolean) as refused:
        ALL.flag(spelling)
    assert status_for(refused.value) == 400
    assert refused.value.reason == "query_not_boolean"
    assert refused.value.params == {"name": "all", "value": spelling[:40]}


def test_a_whole_number_keeps_its_own_reason() -> None:
    since = Query("since", type="integer", minimum=1, maximum=10)
    assert since.integer("7") == 7
    with pytest.raises(QueryNotInteger) as refused:
        since.integer("11")
    assert refused.value.params == {"name": "since", "minimum": 1, "maximum": 10}
