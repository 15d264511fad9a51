from datetime import date

import pytest

from press.models import Event
from press.results import place


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        (1, "1st place"),
        (2, "2nd place"),
        (3, "3rd place"),
        (4, "4th place"),
        (11, "11th place"),
        (12, "12th place"),
        (13, "13th place"),
        (21, "21st place"),
        (22, "22nd place"),
        (23, "23rd place"),
        (101, "101st place"),
        (111, "111th place"),
    ],
)
def test_english_ordinals(position, expected):
    assert place(position, "en") == expected


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        (1, "1:a plats"),
        (2, "2:a plats"),
        (3, "3:e plats"),
        (11, "11:e plats"),
        (12, "12:e plats"),
        (21, "21:a plats"),
        (22, "22:a plats"),
        (25, "25:e plats"),
    ],
)
def test_swedish_ordinals(position, expected):
    assert place(position, "sv") == expected


def test_other_languages():
    assert place(3, "de") == "3. Platz"
    assert place(3, "fi") == "3. sija"
    assert place(1, "fr") == "1re place"
    assert place(2, "fr") == "2e place"
    assert place(3, "xx") == "3rd place"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2022, 5, 13), date(2022, 5, 15), "13–15 May 2022"),
        (date(2022, 5, 30), date(2022, 6, 1), "30 May–1 June 2022"),
        (date(2022, 12, 31), date(2023, 1, 1), "31 December 2022–1 January 2023"),
        (date(2022, 6, 3), date(2022, 6, 3), "3 June 2022"),
    ],
)
def test_event_dates_read_compactly(start, end, expected):
    assert Event(starts_on=start, ends_on=end).date_range == expected
