"""Clock times written out in words around the digits: "9:40 in the morning", "1:15 in the
afternoon Eastern time". Sentences are written for the tests, in the styles of several kinds of
organization."""

from __future__ import annotations

import pytest

from ingest.normalise import normalise
from ingest.pipeline import extract
from ingest.read import source_from_bytes


def incident(text: str) -> dict:
    [result] = extract(normalise(source_from_bytes("x.txt", text.encode())))
    return result


@pytest.mark.parametrize(
    "sentence, expected",
    [
        # a small invoicing SaaS's plain-prose note
        ("On Tuesday, March 4, 2025, from about 9:40 in the morning until 1:15 in the afternoon Eastern time, every email was refused.",
         ("2025-03-04T14:40", "2025-03-04T18:15")),
        # a council's customer notice
        ("On 12 June 2025 the payments page was down from 8:05 in the morning to 6:30 in the evening UK time.",
         ("2025-06-12T07:05", "2025-06-12T17:30")),
    ],
)
def test_in_the_morning_afternoon_and_evening_are_am_and_pm(sentence, expected):
    windows = [(w["start"][:16], w["end"][:16]) for w in incident(f"Email outage\n\n{sentence}\n")["impact_windows"]]
    assert windows == [expected]


def test_a_clock_in_the_evening_alone_in_its_sentence_is_pm():
    # a game studio's forum post
    text = "Login outage\n\nOn 3 May 2025 the login servers fell over at 7:45 in the evening UTC and stayed down for an hour.\n"
    assert "2025-05-03T19:45" in [e["at"][:16] for e in incident(text)["timeline"]]


@pytest.mark.parametrize(
    "text, expected",
    [
        # a courier firm's internal report in Singapore time
        ("POD upload failures\n\nAll times SGT (UTC+8).\n\nOn Tue 4th March 2025, drivers could not upload photos between 0742hrs and 1128hrs.\n",
         ("2025-03-03T23:42", "2025-03-04T03:28")),
        # a utility's outage notice with the clock written as hours
        ("Billing portal outage\n\nOn 9 October 2025 the billing portal was unavailable from 1405 hours to 1550 hours UTC.\n",
         ("2025-10-09T14:05", "2025-10-09T15:50")),
    ],
)
def test_a_four_digit_clock_with_hrs_or_hours_is_a_24_hour_time(text, expected):
    windows = [(w["start"][:16], w["end"][:16]) for w in incident(text)["impact_windows"]]
    assert windows == [expected]


def test_a_four_digit_number_of_hours_is_no_clock():
    text = "Storage outage\n\nOn 9 October 2025 at 14:05 UTC the array failed; rebuilding took 1200 hours of disk time.\n"
    assert [e["at"][:16] for e in incident(text)["timeline"]] == ["2025-10-09T14:05"]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        # a translation agency's headingless letter
        ("On Tuesday 4 February 2025, from twenty past two in the afternoon, Central European Time, until a quarter past six that evening, nobody could open a file.",
         ("2025-02-04T13:20", "2025-02-04T17:15")),
        # a parish council's notice
        ("On 9 July 2025 the booking page was down from half past nine in the morning until eleven o'clock in the morning UK time.",
         ("2025-07-09T08:30", "2025-07-09T10:00")),
    ],
)
def test_clocks_in_words_make_a_window(sentence, expected):
    windows = [(w["start"][:16], w["end"][:16]) for w in incident(f"Outage\n\n{sentence}\n")["impact_windows"]]
    assert windows == [expected]


@pytest.mark.parametrize(
    "sentence",
    [
        "On 9 July 2025 we scaled from ten to twelve servers to absorb the load.",
        "On 9 July 2025 about half past incidents were closed within a day.",
        "On 9 July 2025 five past outages were reviewed again.",
    ],
)
def test_numbers_in_words_are_no_clock(sentence):
    stamps = [e["at"] for e in incident(f"Review\n\n{sentence}\n")["timeline"]]
    assert all("T" not in s for s in stamps)


@pytest.mark.parametrize(
    "sentence, day",
    [
        ("On Tuesday the fourth of February 2025 the server locked itself.", "2025-02-04"),  # a translation agency's letter
        ("The card had expired on the thirty-first of January 2025, and nobody noticed.", "2025-01-31"),  # a charity's newsletter
        ("We were told on the twenty-first of March 2025 that the feed would move.", "2025-03-21"),
    ],
)
def test_ordinal_days_in_words(sentence, day):
    from ingest.time_mentions import scan

    assert [m.date.isoformat() for m in scan(sentence) if m.date] == [day]


def test_the_second_of_two_is_no_day():
    from ingest.time_mentions import scan

    assert not [m for m in scan("The second of the two servers restarted; the first of many retries failed.") if m.date]


def test_a_bare_clock_inside_the_stated_afternoon_is_pm():
    # prose that states the afternoon once, then tells the story in bare clocks
    text = ("Licence outage\n\nOn Tuesday 4 February 2025, from twenty past two in the afternoon until a quarter past six that evening, "
            "Central European Time, nobody could open a file.\n\nOur project managers noticed first, at about twenty to three. "
            "By four o'clock the consultant had found the licence message.\n")
    stamps = {e["at"][:16] for e in incident(text)["timeline"]}
    assert {"2025-02-04T13:40", "2025-02-04T15:00"} <= stamps


def test_yesterday_is_the_day_before_the_post_was_written():
    # a GitHub-Discussions post: its byline dates it, and "yesterday" counts back from there
    text = ("# Catalogue stuck on old data\n\n**hollis** started this conversation in Announcements · Mar 11, 2025\n\n"
            "The export stopped early on Sunday, March 9, 2025.\n\nYesterday around 3pm Eastern, a volunteer noticed the stale lots.\n")
    assert "2025-03-10T19:00" in {e["at"][:16] for e in incident(text)["timeline"]}


def test_counted_minutes_and_the_second_pass_of_a_repeated_hour():
    # a community radio's notice, the night the clocks went back in Sydney
    text = ("Dead air on the stream\n\nAll times are Sydney time. On Sunday 6 April 2025 you will have heard nothing at all from two o'clock on "
            "Sunday morning (standard time, the second time round) until twelve minutes past six.\n")
    windows = [(w["start"][:16], w["end"][:16]) for w in incident(text)["impact_windows"]]
    assert windows == [("2025-04-05T16:00", "2025-04-05T20:12")]


def test_the_first_pass_of_a_repeated_hour_is_daylight_time():
    text = "Dead air\n\nAll times are Sydney time. On Sunday 6 April 2025 the stream was silent from 02:10 until 02:40.\n"
    assert [(w["start"][:16], w["end"][:16]) for w in incident(text)["impact_windows"]] == [("2025-04-05T15:10", "2025-04-05T15:40")]


def test_minutes_to_a_number_is_a_duration():
    from ingest.time_mentions import scan

    assert not [m for m in scan("In April 2025 we raised this threshold from two minutes to five.") if m.has_clock]
