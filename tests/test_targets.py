"""Targets: goals with metric, value, unit and deadline; reported figures are not targets."""

from accord.extract import extract_text


def targets(text: str) -> list[dict[str, object]]:
    return [
        {k: v for k, v in t.to_dict().items() if k in ("metric", "value", "unit", "deadline")}
        for s in extract_text(text) for t in s.targets
    ]


def test_staged_trade_targets_with_and_without_deadline() -> None:
    text = "They set a goal to raise two-way trade to US$3 billion in the near future and toward US$6 billion."
    assert targets(text) == [
        {"metric": "bilateral trade", "value": 3_000_000_000, "unit": "USD", "deadline": "in the near future"},
        {"metric": "bilateral trade", "value": 6_000_000_000, "unit": "USD"},
    ]


def test_deadline_year_and_other_currencies() -> None:
    assert targets("Both sides aim to increase bilateral trade to 50 billion euros by 2030.") == [
        {"metric": "bilateral trade", "value": 50_000_000_000, "unit": "EUR", "deadline": "by 2030"},
    ]


def test_percent_target() -> None:
    assert targets("The partners pledged to cut methane emissions by at least 30 percent by 2030.") == [
        {"metric": "emissions reduction", "value": 30, "unit": "%", "deadline": "by 2030"},
    ]


def test_reported_figure_is_not_a_target() -> None:
    assert targets("Two-way trade reached US$2.3 billion in 2025, up 12 percent.") == []


def test_a_count_of_documents_is_not_a_target() -> None:
    assert targets("The leaders witnessed the signing of 12 cooperation documents.") == []


def test_target_offsets_point_at_the_amount() -> None:
    text = "They agreed to double rice trade to VND 5 trillion in the coming time."
    statement = extract_text(text)[0]
    target = statement.targets[0]
    assert text[target.start : target.end] == "VND 5 trillion"
    assert target.value == 5e12 and target.unit == "VND"
    assert target.deadline_start is not None and target.deadline_end is not None
    assert text[target.deadline_start : target.deadline_end] == "in the coming time"


def test_number_words_and_regional_units() -> None:
    assert targets("Japan aims to raise investment in India to five trillion yen by 2027.") == [
        {"metric": "bilateral investment", "value": 5e12, "unit": "JPY", "deadline": "by 2027"},
    ]
    assert targets("The two sides aim to lift trade to Rs 50,000 crore.") == [
        {"metric": "bilateral trade", "value": 5e11, "unit": "INR"},
    ]
    assert targets("They agreed to raise two-way trade to $25bn by 2030.") == [
        {"metric": "bilateral trade", "value": 2.5e10, "unit": "USD", "deadline": "by 2030"},
    ]


def test_provided_quantities_are_targets_named_by_what_they_count() -> None:
    assert targets("China will provide 2,000 scholarships to Cambodian students over the next five years.") == [
        {"metric": "scholarships", "value": 2000, "unit": "scholarships", "deadline": "over the next five years"},
    ]
    assert targets("The United States will provide $150 million to the Pacific Islands by 2030.") == [
        {"metric": "funding", "value": 150_000_000, "unit": "USD", "deadline": "by 2030"},
    ]
