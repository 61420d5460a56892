"""Income dependence on made-up portfolios with known answers."""

from __future__ import annotations

from decimal import Decimal

from partnerwise.partnerships.income import Participant, Stake, dependence, our_part

US, COUNCIL, PRIME, OTHER, TRUST, HOST = 1, 2, 3, 4, 5, 6


def p(org: int, role: str, share: str | None = None) -> Participant:
    names = {US: "Us", COUNCIL: "Council", PRIME: "Prime", OTHER: "Other", TRUST: "Trust"}
    return Participant(org, names.get(org, "Host"), role, Decimal(share) if share else None)


def test_supply_chain_counts_our_quarter_once_from_the_prime() -> None:
    chain = Stake(
        10,
        "Restart",
        Decimal(3_200_000),
        [p(COUNCIL, "commissioner"), p(PRIME, "prime", "75"), p(US, "subcontractor", "25")],
    )
    result = dependence([chain], us=US)
    assert [(s.name, s.amount, s.share) for s in result.sources] == [
        ("Prime", Decimal("800000.00"), Decimal("100.0"))
    ]
    assert result.total == Decimal("800000.00")
    assert result.hhi == 10_000
    assert "100.0% of our partnership income comes from Prime" in result.warning


def test_shares_of_several_sources_add_up_to_100_and_hhi_is_known() -> None:
    stakes = [
        # We hold the contract alone: the whole £600k, from the council.
        Stake(
            1, "Floating support", Decimal(600_000), [p(COUNCIL, "commissioner"), p(US, "prime")]
        ),
        # A consortium where we have 20% of £1m: £200k from the trust.
        Stake(
            2,
            "Consortium",
            Decimal(1_000_000),
            [p(TRUST, "commissioner"), p(US, "member", "20"), p(OTHER, "member", "80")],
        ),
        # Sub-contract at 50% of £400k: £200k from the prime.
        Stake(
            3,
            "Sub",
            Decimal(400_000),
            [p(COUNCIL, "commissioner"), p(PRIME, "prime", "50"), p(US, "subcontractor", "50")],
        ),
    ]
    result = dependence(stakes, us=US)
    assert [(s.name, s.amount, s.share) for s in result.sources] == [
        ("Council", Decimal(600_000), Decimal("60.0")),
        ("Prime", Decimal("200000.00"), Decimal("20.0")),
        ("Trust", Decimal("200000.00"), Decimal("20.0")),
    ]
    assert sum(s.share for s in result.sources) == 100
    assert result.hhi == 60 * 60 + 20 * 20 + 20 * 20  # 4,400
    assert result.equivalent_sources == Decimal("2.3")
    assert result.warning.startswith("60.0% of our partnership income comes from Council")


def test_spread_income_gives_no_warning() -> None:
    stakes = [
        Stake(i, f"Grant {i}", Decimal(100_000), [p(100 + i, "commissioner"), p(US, "prime")])
        for i in range(5)
    ]
    result = dependence(stakes, us=US)
    assert result.hhi == 2000
    assert result.top is not None and result.top.share == Decimal("20.0")
    assert result.warning == ""


def test_unknown_shares_and_no_payer_are_listed_not_guessed() -> None:
    stakes = [
        Stake(
            1,
            "Unknown share",
            Decimal(500_000),
            [p(COUNCIL, "commissioner"), p(PRIME, "prime"), p(US, "subcontractor")],
        ),
        Stake(2, "No value", None, [p(COUNCIL, "commissioner"), p(US, "prime")]),
        Stake(3, "Coalition", None, [p(HOST, "host"), p(US, "member")]),
        Stake(4, "We commission it", Decimal(9), [p(US, "commissioner"), p(OTHER, "prime")]),
        Stake(5, "Not ours", Decimal(9), [p(COUNCIL, "commissioner"), p(OTHER, "prime")]),
    ]
    result = dependence(stakes, us=US)
    assert result.sources == [] and result.total == 0 and result.hhi is None
    assert result.warning == ""
    assert [(u.name, u.reason) for u in result.uncounted] == [
        ("Unknown share", "our share is not recorded and others deliver it with us"),
        ("No value", "no value recorded"),
        ("Coalition", "no one pays us in it"),
    ]


def test_as_prime_our_money_comes_from_the_commissioner_and_our_share_is_used() -> None:
    stake = Stake(
        1,
        "Lead contract",
        Decimal(1_000_000),
        [p(COUNCIL, "commissioner"), p(US, "prime", "70"), p(OTHER, "subcontractor", "30")],
    )
    assert our_part(stake, US) == (Decimal("700000.00"), "")
    result = dependence([stake], us=US)
    assert [(s.name, s.amount) for s in result.sources] == [("Council", Decimal("700000.00"))]


def test_without_our_organisation_nothing_is_counted() -> None:
    stake = Stake(1, "X", Decimal(1), [p(COUNCIL, "commissioner"), p(US, "prime")])
    assert dependence([stake], us=None).sources == []
