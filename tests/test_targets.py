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


def amounts(text: str) -> list[tuple[float, str, float | None]]:
    """What the rules find in `text` (before the model decides which are targets)."""
    from accord.extract.lexicon import load_yaml
    from accord.extract.targets import TargetReader

    return [(a.value, a.unit, a.high) for a in TargetReader(load_yaml("targets.yaml")).amounts(text, [])]


def test_counted_things_behind_names_and_abbreviations() -> None:
    assert amounts("The airline will order 12 Boeing jets.") == [(12, "jets", None)]
    assert amounts("Procurement of 40 U.K. helicopters was approved.") == [(40, "helicopters", None)]
    assert amounts("Both navies will get 6 new Nordic-built patrol boats, and the coast guard 4.") == [
        (6, "boats", None)]


def test_a_count_left_out_after_more_is_the_last_counted_noun() -> None:
    assert amounts("Oslo may lease three research vessels to Accra, with the option of two more if needed.") == [
        (3, "vessels", None), (2, "vessels", None)]
    assert amounts("They will buy 20 trucks and five more later.") == [(20, "trucks", None), (5, "trucks", None)]
    assert amounts("The talks will go on for two more days.") == []  # "days" is never counted
    assert amounts("They will buy 20 trucks and five buses.") == [(20, "trucks", None), (5, "buses", None)]


def test_a_change_from_one_level_to_another_is_not_a_range() -> None:
    assert amounts("Trade should grow from $4 billion to $9 billion.") == [(4e9, "USD", None), (9e9, "USD", None)]
    assert amounts("The bank will lend $6 to $10 million.") == [(6e6, "USD", 1e7)]
    assert amounts("Ringgit trade rose to RM3.5bil.") == [(3.5e9, "MYR", None)]


def test_signals_name_the_time_of_an_amount() -> None:
    from accord.extract.lexicon import load_yaml
    from accord.extract.targets import TargetReader

    reader = TargetReader(load_yaml("targets.yaml"))

    def signals(text: str) -> list[str]:
        found = reader.amounts(text, [])
        assert len(found) == 1, found
        return reader.signals_of(text, found[0])

    gone = signals("Since 2019 the agency has spent $5 million on wells in the north.")
    assert {"past:clause", "year-gone"} <= set(gone) and "future:clause" not in gone
    ahead = signals("The agency will spend $5 million on wells by 2030.")
    assert {"future:clause", "future:near", "year-ahead"} <= set(ahead) and "past:clause" not in ahead
    assert "verb-ed:near" in signals("Last spring the fund disbursed $5 million.")
    assert "infinitive:near" in signals("The fund agreed to disburse $5 million.")
    assert "from-to:start" in signals("Spending rises from $5 million to next year's budget.")


def test_a_range_keeps_its_top_as_max_in_the_output() -> None:
    from accord.extract import extract_text

    text = "Zambia and Chile agreed to raise the share of renewable power to 20-25 percent by 2030.\n"
    [statement] = extract_text(text)
    [target] = [t.to_dict() for t in statement.targets]
    assert (target["value"], target["max"], target["unit"], target["deadline"]) == (20, 25, "%", "by 2030")
    assert text[target["start"]:target["end"]] == "20-25 percent"
    plain = "Norway will train 200 Chilean engineers in offshore wind by 2027.\n"
    assert all("max" not in t.to_dict() for s in extract_text(plain) for t in s.targets)  # no range, no max
