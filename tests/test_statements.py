"""Statement types, actors and confidence from sentence structure, in several house styles."""

import pytest

from accord.extract import extract_text


def reading(text: str) -> tuple[str, float]:
    statements = extract_text(text)
    assert len(statements) == 1, [s.text for s in statements]
    return statements[0].type, statements[0].confidence


@pytest.mark.parametrize(
    "text",
    [
        "The two sides agreed to promote people-to-people exchanges.",
        "Cambodia and China pledged to complete the Funan Techo canal feasibility review.",
        "The leaders affirmed their determination to hold the first 2+2 dialogue.",
        "Thailand welcomes Malaysia's decision to reopen the Sadao rail link.",
        "They set a goal of raising bilateral trade to US$20 billion by 2030.",
        "India and Japan will continue to cooperate on semiconductor supply chains.",
        "The ministers affirmed that they will soon conclude the extradition treaty.",
        "We commit to establishing a maritime dialogue at the ministerial level.",
        "The two countries reached consensus on measures to raise rice exports.",
        "President Lula expressed his intention to visit Hanoi next year.",
        "Joint research in agriculture will also be expanded.",
        "Both sides are committed to deepening cooperation in renewable energy.",
    ],
)
def test_commitments(text: str) -> None:
    assert reading(text)[0] == "commitment"


@pytest.mark.parametrize(
    "text",
    [
        "The two sides reaffirmed their consistent stance on resolving disputes by peaceful means.",
        "They affirmed the view that the security of one country is linked to that of the other.",
        "Both leaders stressed the need to remove barriers to investment.",
        "They affirmed that the partnership will serve as a foundation for regional stability.",
        "India consistently supports a free and open Indo-Pacific.",
        "The leaders reiterated their commitment to the principles of the UN Charter.",
    ],
)
def test_positions(text: str) -> None:
    assert reading(text)[0] == "position"


@pytest.mark.parametrize(
    "text",
    [
        "The two sides highly valued the regular exchange of delegations.",
        "Prime Minister Hun Manet congratulated Laos on its successful ASEAN chairmanship.",
        "The Thai side expressed appreciation for Japan's support in flood relief.",
        "The two sides expressed their belief that the partnership will continue to flourish.",
        "Indonesia will never forget the help of its neighbours.",
    ],
)
def test_assessments(text: str) -> None:
    assert reading(text)[0] == "assessment"


@pytest.mark.parametrize(
    "text",
    [
        "The two leaders held talks in New Delhi on Tuesday.",
        "Afterwards they witnessed the signing of nine cooperation documents.",
        "President Prabowo extended an invitation to President Macron to visit Indonesia.",
        "The Malaysian leader accepted the invitation with pleasure.",
    ],
)
def test_events(text: str) -> None:
    assert reading(text)[0] == "event"


def test_headline_is_other() -> None:
    statements = extract_text("Japan and the Philippines boost maritime ties\nThe two sides agreed to hold drills.")
    assert [s.type for s in statements] == ["other", "commitment"]
    assert statements[0].pillars == []


def test_confidence_ranks_plain_cues_above_guesses() -> None:
    sure = reading("The two sides agreed to open a consulate in Da Nang.")[1]
    unsure = reading("The delegation toured the industrial park near Busan.")[1]
    assert 0 <= unsure < sure <= 1


def test_actors_both_parties_resolved_to_the_document_parties() -> None:
    text = (
        "Cambodia and Thailand held talks in Bangkok.\n"
        "The two sides agreed to reopen border checkpoints. Thailand will fund a new bridge."
    )
    statements = extract_text(text)
    assert {a.name for a in statements[1].actors} == {"Cambodia", "Thailand"}
    assert [a.name for a in statements[2].actors] == ["Thailand"]
    actor = statements[2].actors[0]
    assert text[actor.start : actor.end] == "Thailand"


def test_welcomed_decision_is_undertaken_by_the_decider() -> None:
    statements = extract_text("Singapore welcomes Vietnam's decision to build the Long Thanh airport link.")
    assert statements[0].type == "commitment"
    assert [a.name for a in statements[0].actors] == ["Vietnam"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # news agency, reported speech
        ("Xi said China is willing to work with Cambodia to advance the Belt and Road Initiative.", "commitment"),
        ("Wang said China would continue to support ASEAN centrality.", "commitment"),
        ("BEIJING, Dec. 5 (Xinhua) -- Chinese and Lao leaders held talks in Beijing on Thursday.", "event"),
        # foreign-ministry communiqués
        ("The two leaders concurred to launch negotiations on an economic partnership agreement.", "commitment"),
        ("The Prime Ministers directed their officials to finalise the roadmap within six months.", "commitment"),
        ("The sides shared the view that unilateral sanctions harm global trade.", "position"),
        ("The Prime Minister spoke highly of the contribution of the Indian diaspora.", "assessment"),
        ("The two leaders spoke by phone on Friday.", "event"),
        # wire copy
        ("VIENTIANE, Dec 1 (Reuters) - Vietnam and Laos pledged on Monday to double trade.", "commitment"),
    ],
)
def test_house_styles(text: str, expected: str) -> None:
    assert reading(text)[0] == expected


def test_would_with_a_non_party_subject_is_no_commitment() -> None:
    """The rules tell the model who the subject of a will/would is: a party or not."""
    from accord.extract.lexicon import load_yaml
    from accord.extract.statements import StatementClassifier

    classifier = StatementClassifier(load_yaml("statements.yaml"))
    attack = classifier.classify("An armed attack on either party would invoke mutual defence commitments.", [])
    assert [c.kind for c in attack.cues if c.kind != "cue"] == ["modal-other"]
    fund = "The minister said Thailand would fund the bridge."
    assert [c.kind for c in classifier.classify(fund, [(18, 26, "place")]).cues if c.kind != "cue"] == ["modal-party"]
    assert reading(fund)[0] == "commitment"


def test_dateline_is_not_an_actor() -> None:
    statements = extract_text("MANILA, July 8 (Reuters) - The Philippines and Japan agreed to hold joint drills.")
    assert [a.name for a in statements[0].actors] == ["Philippines", "Japan"]


def test_what_others_are_called_on_to_do_is_no_commitment_of_the_parties() -> None:
    text = "The leaders condemned terrorism and called upon all countries to work together to end it."
    assert reading(text)[0] == "position"


def test_will_with_a_non_party_subject_is_a_claim() -> None:
    assert reading("Closer ties will strengthen stability across the region.")[0] == "position"
    assert reading("Urgent action is required to protect the reefs.")[0] == "position"


def test_list_items_read_with_their_lead_in() -> None:
    text = ("The two sides agreed to:\n- open a consulate in Da Nang;\n- expand direct flights; and\n"
            "- hold annual talks on trade.\nThey held talks in Seoul.\n- a stray item after a plain sentence.")
    statements = extract_text(text)
    assert [s.text for s in statements[1:4]] == [
        "open a consulate in Da Nang;", "expand direct flights; and", "hold annual talks on trade."]
    assert [s.type for s in statements[:5]] == ["commitment"] * 4 + ["event"]
    assert statements[5].type != "commitment" and statements[5].cue is None  # no lead-in: nothing to inherit
    assert statements[2].cue == "list under “agreed to”" and statements[2].pillars == ["infrastructure_transport"]
    for s in statements:
        assert text[s.start : s.end] == s.text


def test_a_bare_lead_in_is_other() -> None:
    assert reading("WE HEREBY DECLARE:")[0] == "other"
