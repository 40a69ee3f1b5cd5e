"""Metadata from the text itself: datelines in every house style, headlines, bylines, language."""

import time
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.ingest import Metadata, detect_metadata

BODY = "\nThe two sides agreed to expand trade and investment cooperation in the coming years.\n"


@pytest.mark.parametrize(
    ("first_line", "outlet", "published", "place"),
    [
        ("date 2025-12-02 HÀ NỘI - Việt Nam and Laos issued a joint statement.", None, date(2025, 12, 2), "Hà Nội"),
        (" date 2025-12-02 HÀ NỘI - Việt Nam and Laos issued a joint statement.", None, date(2025, 12, 2), "Hà Nội"),
        ("VOV.VN - Top leaders of Vietnam and Laos agreed to elevate relations.", "VOV.VN", None, None),
        ("VIENTIANE, Dec 1 (Reuters) - Laos and Vietnam signed seven agreements.", "Reuters", None, "Vientiane"),
        ("VIENTIANE, Dec 1, 2025 (Reuters) - Laos and Vietnam signed agreements.", "Reuters", date(2025, 12, 1),
         "Vientiane"),
        ("BEIJING, April 9, 2024 (Xinhua) -- China and Laos held talks.", "Xinhua", date(2024, 4, 9), "Beijing"),
        ("Hanoi (VNA) – Vietnam and Laos agreed to boost trade.", "VNA", None, "Hà Nội"),
        ("WASHINGTON, D.C. — The United States and Japan agreed to upgrade command structures.", None, None,
         "Washington, D.C."),
        ("PHNOM PENH, December 2, 2025 - Cambodia welcomed the ceasefire.", None, date(2025, 12, 2), "Phnom Penh"),
        ("Phnom Penh, 2 December 2025 - Cambodia welcomed the ceasefire.", None, date(2025, 12, 2), "Phnom Penh"),
        ("BANGKOK, Dec. 2, 2025 (AP) — Thailand said it would reopen the border.", "AP", date(2025, 12, 2),
         "Bangkok"),
        ("HANOI—The two sides agreed on a new roadmap.", None, None, "Hà Nội"),
        ("VNA - The two sides agreed on a new roadmap.", "VNA", None, None),
    ],
)
def test_datelines(first_line: str, outlet: str | None, published: date | None, place: str | None) -> None:
    meta = detect_metadata(first_line + BODY)
    assert (meta.outlet, meta.published, meta.place) == (outlet, published, place)
    assert meta.title is None  # a dateline sentence is no headline


def test_dateline_on_the_line_after_the_headline() -> None:
    meta = detect_metadata("Vietnam and Laos strengthen strategic connectivity\nVOV.VN - Top leaders met." + BODY)
    assert meta == Metadata(title="Vietnam and Laos strengthen strategic connectivity", outlet="VOV.VN",
                            language="en")


def test_a_year_is_never_invented() -> None:
    meta = detect_metadata("VIENTIANE, Dec 1 (Reuters) - Laos signed." + BODY)
    assert meta.published is None


def test_a_yearless_dateline_takes_the_year_its_source_states() -> None:
    line = "OSLO, Mar. 4 (Fjord Post) -- Norway and Chile signed a fisheries accord on Tuesday."
    assert detect_metadata(line + BODY, source_month=(2026, 3)).published == date(2026, 3, 4)
    assert detect_metadata(line + BODY, source_month=(2026, 4)).published is None  # the months disagree
    assert detect_metadata(line + BODY).published is None  # no source month: no year is invented


def test_a_lead_that_dates_its_own_talks() -> None:
    lead = "Minister Solberg on March 4, 2026 held talks with her Chilean counterpart in Oslo."
    assert detect_metadata("Norway and Chile meet\n" + lead + BODY).published == date(2026, 3, 4)
    back = "President Ruto arrived back in Nairobi on 9 May 2026, ending a visit to Santiago."
    assert detect_metadata("Ruto wraps up Chile visit\n" + back + BODY).published == date(2026, 5, 9)
    # A date of something else in the lead dates nothing.
    old = "The ministers discussed the accord that Norway signed on 4 March 2010 with Chile."
    assert detect_metadata("Norway and Chile meet\n" + old + BODY).published is None


def test_an_impossible_date_is_no_date() -> None:
    meta = detect_metadata("HANOI, February 30, 2025 - The talks ended." + BODY)
    assert (meta.place, meta.published) == ("Hà Nội", None)


@pytest.mark.parametrize(
    "first_line",
    [
        "The talks - held in Siem Reap - ended with a joint communique.",
        "Prime Minister Hun Manet – who arrived on Monday – said the talks went well.",
        "Thailand - which hosted the talks - proposed a joint patrol.",
        "On December 2, 2025 - a Tuesday - the ministers met again.",
        "UPDATE - The ministers will meet again next week.",
        "The Hanoi–Vientiane expressway will be built by 2030.",
        "The ministers met in HANOI and agreed - after long talks - to continue.",
    ],
)
def test_a_dash_in_a_sentence_is_no_dateline(first_line: str) -> None:
    meta = detect_metadata("Ministers meet again\n" + first_line + BODY)
    assert (meta.outlet, meta.published, meta.place) == (None, None, None)


def test_a_dateline_far_down_the_text_is_ignored() -> None:
    text = "Ministers meet again\n" + "The two sides met in the capital for talks.\n" * 10 + "HANOI - Later news."
    assert detect_metadata(text).place is None


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Thailand and Cambodia agree to reopen border checkpoints" + BODY,
         "Thailand and Cambodia agree to reopen border checkpoints"),
        ("\n\n  Will the ceasefire hold?  \n" + BODY, "Will the ceasefire hold?"),
        ("The two sides agreed to reopen the border checkpoints." + BODY, None),  # ends with a full stop
        (" ".join(["word"] * 26) + BODY, None),  # too long for a headline
        ("The two sides agreed on the following:" + BODY, None),
        ("Thailand and Cambodia agree to reopen border checkpoints", None),  # nothing under it
        ("", None),
    ],
)
def test_headline(text: str, title: str | None) -> None:
    assert detect_metadata(text).title == title


@pytest.mark.parametrize(
    ("ending", "outlet"),
    [
        (" The visit was a success. VNA/VNS", "VNA/VNS"),
        ("\nVNA/VNS\n", "VNA/VNS"),
        ("\n— Reuters", "Reuters"),
        ("\n(Kyodo)", "Kyodo"),
        ("\nSource: the ministry of foreign affairs.", None),
        ("\nThe Lao leader accepted the invitation with pleasure.", None),
        ("\nBoth sides will meet again at ASEAN", None),
    ],
)
def test_closing_byline(ending: str, outlet: str | None) -> None:
    assert detect_metadata("Talks end" + BODY + ending).outlet == outlet


def test_the_dateline_outlet_wins_over_the_byline() -> None:
    text = "Hanoi (VNA) – The two sides met." + BODY + "— Reuters"
    assert detect_metadata(text).outlet == "VNA"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The two sides agreed to expand trade and investment cooperation and to build a new railway line.", "en"),
        ("Hai bên nhất trí mở rộng hợp tác thương mại và đầu tư, xây dựng tuyến đường sắt mới.", "vi"),
        ("Les deux parties sont convenues de renforcer la coopération commerciale et les investissements.", "fr"),
        ("", None),
        ("   \n ", None),
        ("2025 — 12 — 02", None),
    ],
)
def test_language(text: str, language: str | None) -> None:
    assert detect_metadata(text).language == language


def test_language_is_repeatable() -> None:
    text = "Ministers met. Trade grew. Both sides agreed."
    assert len({detect_metadata(text).language for _ in range(5)}) == 1


def test_or_else_keeps_what_is_known() -> None:
    known = Metadata(title="From the page", published=date(2025, 1, 2))
    fallback = Metadata(title="From the text", outlet="VNA", place="Hanoi", published=date(2024, 1, 1))
    assert known.or_else(fallback) == Metadata(title="From the page", outlet="VNA", published=date(2025, 1, 2),
                                               place="Hanoi")


# --- places in the gazetteer's spelling -------------------------------------------------------

@pytest.mark.parametrize(
    ("first_line", "place"),
    [
        ("HÀ NỘI - The two sides signed a plan.", "Hà Nội"),
        (unicodedata.normalize("NFD", "HÀ NỘI") + " - The two sides signed a plan.", "Hà Nội"),  # decomposed
        ("HA NOI - The two sides signed a plan.", "Hà Nội"),
        ("DA NANG, March 5, 2018 - The two sides signed a plan.", "Đà Nẵng"),
        ("Danang, 5 March 2018 - The two sides signed a plan.", "Đà Nẵng"),
        ("NEW RIVERTON - The two sides signed a plan.", "New Riverton"),  # unknown: title case
        ("PORT O'KELLAN - The two sides signed a plan.", "Port O'kellan"),
        ("Riverton (KPL) - The two sides signed a plan.", "Riverton"),  # unknown, not capitals: as written
    ],
)
def test_place_in_the_gazetteers_spelling(first_line: str, place: str) -> None:
    assert detect_metadata(first_line + BODY).place == place


# --- more dateline styles ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("first_line", "outlet", "published", "place"),
    [
        ("MOSCOW, March 3. /TASS/. The two presidents signed a road map.", "TASS", None, "Moscow"),
        ("MOSCOW, March 3, 2019. /TASS/. The two presidents signed a road map.", "TASS", date(2019, 3, 3),
         "Moscow"),
        ("DUBAI: The two countries signed a trade pact on Friday.", None, None, "Dubai"),
        ("SEOUL, March 5: Both governments will resume talks.", None, None, "Seoul"),
        ("NAIROBI, July 8-9, 2021 - The summit ended with a declaration.", None, date(2021, 7, 9), "Nairobi"),
        ("GENEVA, 30 November – 2 December 2021 (AFP) - The talks closed.", "AFP", date(2021, 12, 2), "Geneva"),
        ("(VOVWORLD) - The two presidents agreed to raise trade.", "VOVWorld", None, None),
        ("JAKARTA, Tuesday, 5 March 2018 (ANTARA) - Indonesia and Japan agreed to talks.", "Antara",
         date(2018, 3, 5), "Jakarta"),
    ],
)
def test_more_dateline_styles(first_line: str, outlet: str | None, published: date | None, place: str) -> None:
    meta = detect_metadata(first_line + BODY)
    assert (meta.outlet, meta.published, meta.place) == (outlet, published, place)


@pytest.mark.parametrize(
    "first_line",
    [
        "FACT SHEET: Chile and Peru launch a new water partnership.",
        "EXPANDING MARKETS AND JOBS: Today the two leaders announced new deals.",
        "Full text: Communiqué of the two foreign ministers",
        "FACT SHEET - Chile and Peru launch a new water partnership.",
    ],
)
def test_a_run_in_heading_is_no_dateline(first_line: str) -> None:
    meta = detect_metadata("Leaders meet\n" + first_line + BODY)
    assert (meta.outlet, meta.published, meta.place) == (None, None, None)


def test_a_place_and_date_alone_on_a_line() -> None:
    meta = detect_metadata("Joint Communiqué of the Ministers\nCanberra, 5 March 2018\n" + BODY)
    assert meta == Metadata(title="Joint Communiqué of the Ministers", published=date(2018, 3, 5),
                            place="Canberra", language="en")


# --- credit lines: bylines, date lines, sources, mastheads ------------------------------------

@pytest.mark.parametrize(
    ("lead", "outlet", "published", "place"),
    [
        ("By Jane Doe, Reuters\n", "Reuters", None, None),
        ("By Jane Doe and John Roe, Kyodo News\n", "Kyodo News", None, None),
        ("Reported by Kyodo | Osaka | Posted: 14 Jan 2019, 11:05 JST\n", "Kyodo", date(2019, 1, 14), "Osaka"),
        ("By Jane Doe | Published 2019-01-14 at 10:30 GMT+7\n", None, date(2019, 1, 14), None),
        ("Tuesday, 5 March 2018\n", None, date(2018, 3, 5), None),
        ("March 5th, 2018\n", None, date(2018, 3, 5), None),
        ("Updated: Dec. 2, 2025, 9:41 a.m.\n", None, date(2025, 12, 2), None),
        ("Last updated on 20-21 April 2023\n", None, date(2023, 4, 21), None),
        ("Date: the 5th of March 2018\n", None, None, None),  # "the" is no date line
        ("Date: 5th of March 2018\n", None, date(2018, 3, 5), None),
        ("Source: Xinhua\n", "Xinhua", None, None),
        ("Source: Ministry of Foreign Affairs\n", "Ministry of Foreign Affairs", None, None),
        ("Source: Reuters, AFP\n", "Reuters/AFP", None, None),
        ("THE WHITE HOUSE\nFOR IMMEDIATE RELEASE\n", "The White House", None, None),
        ("Manila | Dec 1\n", None, None, "Manila"),  # a date without a year is no date
    ],
)
def test_credit_lines_under_the_headline(lead: str, outlet: str | None, published: date | None,
                                         place: str | None) -> None:
    meta = detect_metadata("Leaders agree on new roadmap\n" + lead + BODY.lstrip("\n"))
    assert (meta.title, meta.outlet, meta.published, meta.place) == (
        "Leaders agree on new roadmap", outlet, published, place)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("THE WHITE HOUSE\nOffice of the Press Secretary\nFOR IMMEDIATE RELEASE\nLeaders agree on a roadmap" + BODY,
         "Leaders agree on a roadmap"),
        ("12 May 2022\nLeaders agree on a roadmap" + BODY, "Leaders agree on a roadmap"),
        ("By Jane Doe\nSEOUL (Yonhap) -- The two sides met." + BODY, None),
        ("Hanoi | Vientiane" + BODY, "Hanoi | Vientiane"),  # places alone are no credit line
    ],
)
def test_credit_lines_are_no_headline(text: str, title: str | None) -> None:
    assert detect_metadata(text).title == title


@pytest.mark.parametrize(
    "line",
    [
        "By 2030, the two sides will double their trade.",
        "By the end of the year the railway will open.",
        "Source: the ministry of foreign affairs said the talks went well.",
        "May 5 deadline looms for the border talks",
    ],
)
def test_sentences_are_no_credit_lines(line: str) -> None:
    meta = detect_metadata("Leaders meet\n" + line + BODY)
    assert (meta.outlet, meta.published, meta.place) == (None, None, None)


def test_the_dateline_date_wins_over_a_date_line() -> None:
    text = "Leaders meet\nUpdated: 9 March 2018\nBANGKOK, March 5, 2018 (AP) - The talks ended." + BODY
    assert detect_metadata(text).published == date(2018, 3, 5)


def test_closing_source_line() -> None:
    assert detect_metadata("Talks end" + BODY + "\nSource: VNA").outlet == "VNA"


# --- the headline's date ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("headline", "published"),
    [
        ("Joint Statement of the Foreign Ministers, 12 May 2022", date(2022, 5, 12)),
        ("7-8 June 2019 — Declaration of the Leaders", date(2019, 6, 8)),
        ("Leaders' statement (March 5, 2018)", date(2018, 3, 5)),
        ("Ten years on from the 12 May 2012 accord, trade has tripled", None),  # inside the headline
        ("Joint Statement of the Foreign Ministers, 12 May", None),
    ],
)
def test_headline_date(headline: str, published: date | None) -> None:
    assert detect_metadata(headline + BODY).published == published


# --- the lead sentences' date -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("lead", "published"),
    [
        # government statement: the sentence opens with its date
        ("On 12 May 2022, both leaders met in Vientiane.", date(2022, 5, 12)),
        ("On Tuesday, 5 March 2018, the two foreign ministers held talks.", date(2018, 3, 5)),
        ("HANOI - On 12 May 2022, the leaders met.", date(2022, 5, 12)),
        ("On 9 November 2019 the summit opened in Manila.", date(2019, 11, 9)),
        ("On 9 November 2019 - a Saturday - the summit opened.", None),
        # newspaper: a weekday with its date in brackets
        ("The Prime Minister said on Tuesday (May 12, 2022) that trade would double.", date(2022, 5, 12)),
        ("The Prime Minister said on Friday (Oct 4) that trade would double.", None),
        # joint declaration: the occasion held on a date
        ("We, the leaders, met on 21–22 June 2021 in Brussels.", date(2021, 6, 22)),
        ("We gather for the first summit, held in Kisumu, Kenya, on 9-10 March 2020.", date(2020, 3, 10)),
        ("The forum was held at the Lakeside Hall in Kisumu from 14-15 October 2019.", date(2019, 10, 15)),
        ("The minister was invited to visit Seoul from 8 to 11 October 2019 for the fair.", date(2019, 10, 11)),
        ("Both premiers participated in a Business Forum on 09 July 2021.", date(2021, 7, 9)),
        ("The talks took place on Tuesday, 5 March 2018 in Manila.", date(2018, 3, 5)),
        # dates of something else
        ("The two sides reviewed the agreement signed on 12 May 2010.", None),
        ("The ministers met to review the agreement signed on 12 May 2010.", None),
        ("The leaders, who first met on 12 May 2010, agreed to raise trade.", None),
        ("Trade has grown since the summit of 12 May 2010.", None),
        ("The leaders met on 12 May in Vientiane.", None),  # a year is never guessed
        ("On 12 May, the leaders met in Vientiane.", None),
        ("The leaders met in Vientiane last year and will meet again.", None),
    ],
)
def test_lead_sentence_date(lead: str, published: date | None) -> None:
    assert detect_metadata("Leaders meet again\n" + lead + BODY).published == published


def test_a_date_late_in_the_text_is_not_the_lead() -> None:
    text = "Leaders meet again\n" + "The two sides talked about trade and rail. " * 20 + "They met on 12 May 2022."
    assert detect_metadata(text).published is None


def test_the_dateline_wins_over_the_lead_sentence() -> None:
    text = "BANGKOK, March 5, 2018 (AP) - The leaders met on 12 May 2010 at the border." + BODY
    assert detect_metadata(text).published == date(2018, 3, 5)


# --- impossible and hostile dates -------------------------------------------------------------

@pytest.mark.parametrize(
    "line",
    [
        "HANOI, 31 February 2022 - The talks ended.",
        "HANOI, 99-100 May 2022 - The talks ended.",
        "HANOI, 13-12 May 2022 - The talks ended.",
        "HANOI, 0 May 2022 - The talks ended.",
        "HANOI, May 32, 2022 - The talks ended.",
        "HANOI, 2022-13-01 - The talks ended.",
        "HANOI, 12 May 2150 - The talks ended.",
        "HANOI, １２ May ２０２２ - The talks ended.",  # full-width digits are not read as digits
        "HANOI, 05/03/2018 - The talks ended.",  # day and month would be a guess
    ],
)
def test_impossible_or_ambiguous_dates_are_no_date(line: str) -> None:
    assert detect_metadata(line + BODY).published is None


@pytest.mark.parametrize(
    "text",
    [
        "HANOI - " + "x" * 1_000_000,
        "x" * 1_000_000 + "\nHANOI - talks.",
        "\n" * 200_000 + "HANOI - talks.",
        "By " + "Jane " * 200_000,
        "On 12 May 2022, " + "met " * 100_000,
        "met " * 50_000 + "on 12 May 2022",
        "|" * 100_000,
        "\u200b\u202e\ufeffHANOI\u200d - talks \U0001F600." + BODY,
        "\ud800 HANOI - talks." + BODY,
        "Ｈａｎｏｉ (VNA) – talks." + BODY,
    ],
)
def test_hostile_text_is_read_quickly_without_error(text: str) -> None:
    began = time.perf_counter()
    meta = detect_metadata(text)
    assert time.perf_counter() - began < 2.0
    assert meta.published is None or meta.published.year == 2022


def test_a_huge_dateline_line_still_gives_its_place() -> None:
    assert detect_metadata("HANOI - " + "x" * 1_000_000).place == "Hà Nội"


def test_a_huge_first_line_is_no_headline() -> None:
    assert detect_metadata("a " * 500_000 + BODY).title is None


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([*"0123456789", " ", "-", "–", ",", ".", ":", "(", ")", "|", "/", "\n", "May",
                                  "Dec.", "On ", "Tuesday", "met on ", "HANOI", "20", "19", "By ", "Updated: "]),
                max_size=60).map("".join))
def test_a_year_is_never_invented_in_any_text(text: str) -> None:
    published = detect_metadata(text).published
    assert published is None or str(published.year) in text


# --- the outlet of a web address --------------------------------------------------------------

@pytest.mark.parametrize(
    ("url", "text", "outlet"),
    [
        ("https://www.whitehouse.gov/briefing-room/statements/2023/05/01/a/", BODY, "The White House"),
        ("https://en.vietnamplus.vn/some-story/1.vnp", BODY, "VietnamPlus"),
        ("https://WWW.REUTERS.COM/world/", BODY, "Reuters"),
        ("https://news.example.org/story", BODY, "news.example.org"),  # unknown host: as the outlet
        ("https://news.example.org/story", "BANGKOK (AP) - Talks ended." + BODY, "AP"),  # ...after the text's
        ("https://www.whitehouse.gov/x", "BANGKOK (AP) - Talks ended." + BODY, "The White House"),  # publisher
        ("http://127.0.0.1:8000/story", BODY, None),
        ("http://localhost/story", BODY, None),
        ("http://[::1", BODY, None),
    ],
)
def test_outlet_of_the_web_address(url: str, text: str, outlet: str | None) -> None:
    assert detect_metadata(text, url=url).outlet == outlet


def test_an_explicit_outlet_wins() -> None:
    given_outlet = Metadata(outlet="Mekong Daily")
    found = detect_metadata("BANGKOK (AP) - Talks ended." + BODY, url="https://www.whitehouse.gov/x")
    assert given_outlet.or_else(found).outlet == "Mekong Daily"
