"""Metadata from the text itself: datelines in every house style, headlines, bylines, language."""

from datetime import date

import pytest

from accord.ingest import Metadata, detect_metadata

BODY = "\nThe two sides agreed to expand trade and investment cooperation in the coming years.\n"


@pytest.mark.parametrize(
    ("first_line", "outlet", "published", "place"),
    [
        ("date 2025-12-02 HÀ NỘI - Việt Nam and Laos issued a joint statement.", None, date(2025, 12, 2), "HÀ NỘI"),
        (" date 2025-12-02 HÀ NỘI - Việt Nam and Laos issued a joint statement.", None, date(2025, 12, 2), "HÀ NỘI"),
        ("VOV.VN - Top leaders of Vietnam and Laos agreed to elevate relations.", "VOV.VN", None, None),
        ("VIENTIANE, Dec 1 (Reuters) - Laos and Vietnam signed seven agreements.", "Reuters", None, "VIENTIANE"),
        ("VIENTIANE, Dec 1, 2025 (Reuters) - Laos and Vietnam signed agreements.", "Reuters", date(2025, 12, 1),
         "VIENTIANE"),
        ("BEIJING, April 9, 2024 (Xinhua) -- China and Laos held talks.", "Xinhua", date(2024, 4, 9), "BEIJING"),
        ("Hanoi (VNA) – Vietnam and Laos agreed to boost trade.", "VNA", None, "Hanoi"),
        ("WASHINGTON, D.C. — The United States and Japan agreed to upgrade command structures.", None, None,
         "WASHINGTON, D.C."),
        ("PHNOM PENH, December 2, 2025 - Cambodia welcomed the ceasefire.", None, date(2025, 12, 2), "PHNOM PENH"),
        ("Phnom Penh, 2 December 2025 - Cambodia welcomed the ceasefire.", None, date(2025, 12, 2), "Phnom Penh"),
        ("BANGKOK, Dec. 2, 2025 (AP) — Thailand said it would reopen the border.", "AP", date(2025, 12, 2),
         "BANGKOK"),
        ("HANOI—The two sides agreed on a new roadmap.", None, None, "HANOI"),
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


def test_an_impossible_date_is_no_date() -> None:
    meta = detect_metadata("HANOI, February 30, 2025 - The talks ended." + BODY)
    assert (meta.place, meta.published) == ("HANOI", None)


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
