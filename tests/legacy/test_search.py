"""The legacy system's own name search: a case-insensitive prefix of any word of the full name,
ordered by CustomerID; no ё/е folding, no typo tolerance, no substrings."""

from __future__ import annotations

import httpx
import pytest

from tests.legacy.conftest import API, BASE, LegacyRows


async def _found(api: httpx.AsyncClient, name: str) -> list[int]:
    response = await api.get(f"{BASE}/customers", params={"name": name}, headers=API)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["Total"] == len(page["Rows"])
    return [row["CustomerID"] for row in page["Rows"]]


# customer n of LegacyRows, T the tag: 0 "Tов Иван Петрович", 1 "ООО «TСтрой»",
# 2 "Tёв Семён Ильич", 3 "ИП Tев А. Б.", 4 "Петров Tин", 5 "Зинаида Без Заказов"
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{t}", [0, 1, 2, 3, 4]),
        ("{T}", [0, 1, 2, 3, 4]),
        ("{t}ов", [0]),
        ("{T}ОВ иван", [0]),
        ("{t}ов петрович", []),  # several words must follow one another
        ("{t}строй", [1]),
        ("«{t}строй»", [1]),
        ("{t}ёв", [2]),
        ("{t}ев", [3]),
        ("{t}ев а. б.", [3]),
        ("{t}ин", [4]),
    ],
)
async def test_prefix_of_any_word_in_any_case(
    legacy_api: httpx.AsyncClient, legacy_rows: LegacyRows, query: str, expected: list[int]
) -> None:
    name = query.format(t=legacy_rows.tag, T=legacy_rows.tag.upper())
    assert await _found(legacy_api, name) == [legacy_rows.customer(n) for n in expected]


async def test_no_substrings_and_no_typo_tolerance(
    legacy_api: httpx.AsyncClient, legacy_rows: LegacyRows
) -> None:
    tag = legacy_rows.tag
    assert await _found(legacy_api, tag[2:]) == [], "the middle of a word is no prefix"
    swapped = tag[:3] + tag[4] + tag[3] + tag[5:]
    if swapped != tag:
        assert await _found(legacy_api, swapped) == [], "a typo finds nothing"
    assert await _found(legacy_api, tag + "овв") == []


async def test_yo_and_ye_are_different_letters(
    legacy_api: httpx.AsyncClient, legacy_rows: LegacyRows
) -> None:
    tag = legacy_rows.tag
    assert await _found(legacy_api, f"{tag}ёв") == [legacy_rows.customer(2)]
    assert await _found(legacy_api, f"{tag}ев") == [legacy_rows.customer(3)]
    assert await _found(legacy_api, f"{tag}ЁВ семен") == [], "Семён is not Семен"
    assert await _found(legacy_api, f"{tag}ёв семён") == [legacy_rows.customer(2)]


async def test_a_name_without_letters_or_digits_filters_nothing(
    legacy_api: httpx.AsyncClient,
) -> None:
    everyone = (await legacy_api.get(f"{BASE}/customers", headers=API)).json()["Total"]
    params = {"name": " «» "}
    answer = (await legacy_api.get(f"{BASE}/customers", params=params, headers=API)).json()
    assert answer["Total"] == everyone
