"""Winning the tender: requirements and the quote gate, FAB/V, the value case, the scoring plan."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts import services
from contracts.models import (
    BuyingRole,
    Competitor,
    Deal,
    DealCompetitor,
    FabStatement,
    GateOverride,
    GateRule,
    Quote,
    Requirement,
    ScoringCompetitorScore,
    ScoringCriterion,
    ValueLine,
)
from contracts.tender import (
    concession_values,
    payback_months,
    plain,
    scoring_plan_of,
    tender_risks,
    value_case_of,
    value_figures,
)
from contracts.tests.factories import BuyingRoleFactory, ConcessionFactory, DealFactory, LineItemFactory
from relationships.models import PainPoint
from relationships.tests.factories import ContactFactory, PainPointFactory

D = Decimal


def _rival(user, name: str = "Rival AG") -> Competitor:  # noqa: ANN001
    return Competitor.objects.filter(name=name).first() or services.competitor_create(
        acting_user=user, name=name
    )


@pytest.fixture
def deal(rep):
    deal = DealFactory(owner=rep, state=Deal.State.BIDDING, contract_type="product", currency="CNY")
    LineItemFactory(deal=deal, quantity=D("10"), unit_price=D("10000.00"))  # net 100,000.00
    deal.refresh_from_db()
    Deal.objects.filter(pk=deal.pk).update(amount=D("100000.00"))
    deal.refresh_from_db()
    return deal


def _requirement(deal, rep, priority=Requirement.Priority.HIGH, **links) -> Requirement:
    return services.requirement_save(
        requirement=Requirement(deal=deal, stated="24/7 remote monitoring", priority=priority),
        acting_user=rep,
        **links,
    )


def _quote(deal, rep) -> Quote:
    return services.quote_create(
        deal=deal, acting_user=rep, valid_until=timezone.localdate() + timedelta(days=30)
    )


# --- Requirements and the quote gate -----------------------------------------------


@pytest.mark.django_db
def test_unmet_high_priority_requirement_blocks_issuing_a_quote(deal, rep):
    GateRule.objects.create(contract_type="product", transition="issue_quote", kind="requirements_met")
    _requirement(deal, rep)

    with pytest.raises(ValidationError, match="24/7 remote monitoring"):
        _quote(deal, rep)
    assert not deal.quotes.exists()


@pytest.mark.django_db
def test_a_requirement_met_by_a_line_item_lets_the_quote_through(deal, rep):
    GateRule.objects.create(contract_type="product", transition="issue_quote", kind="requirements_met")
    requirement = _requirement(deal, rep)
    services.requirement_save(
        requirement=requirement, acting_user=rep, line_items=list(deal.line_items.all())
    )

    assert _quote(deal, rep).version == 1


@pytest.mark.django_db
def test_a_low_priority_gap_does_not_block_and_no_rule_means_no_gate(deal, rep):
    _requirement(deal, rep)
    assert _quote(deal, rep).version == 1  # no rule: the gate is off
    GateRule.objects.create(contract_type="product", transition="issue_quote", kind="requirements_met")
    Requirement.objects.update(priority=Requirement.Priority.LOW)
    assert _quote(deal, rep).version == 2


@pytest.mark.django_db
def test_a_managers_override_passes_the_gate_once(deal, rep, manager):
    GateRule.objects.create(contract_type="product", transition="issue_quote", kind="requirements_met")
    _requirement(deal, rep)

    with pytest.raises(PermissionDenied):
        services.quote_gate_override(deal=deal, reason="Customer waived it", acting_user=rep)
    with pytest.raises(ValidationError):
        services.quote_gate_override(deal=deal, reason=" ", acting_user=manager)
    override = services.quote_gate_override(deal=deal, reason="Customer waived it", acting_user=manager)

    assert _quote(deal, rep).version == 1
    override.refresh_from_db()
    assert override.used_at is not None
    with pytest.raises(ValidationError):
        _quote(deal, rep)  # used: the next quote is checked again
    assert GateOverride.objects.filter(used_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_requirement_links_must_belong_to_the_deal(deal, rep):
    other = DealFactory(owner=rep)
    foreign_line = LineItemFactory(deal=other)
    foreign_point = PainPointFactory()
    foreign_role = BuyingRoleFactory(deal=other)

    with pytest.raises(ValidationError) as error:
        _requirement(
            deal, rep, line_items=[foreign_line], pain_points=[foreign_point], holders=[foreign_role]
        )
    assert set(error.value.message_dict) == {"line_items", "pain_points", "holders"}


@pytest.mark.django_db
def test_an_outsider_cannot_write_requirements(deal, outsider):
    with pytest.raises(PermissionDenied):
        _requirement(deal, outsider)


# --- FAB/V -------------------------------------------------------------------------


@pytest.mark.django_db
def test_fab_statements_are_created_updated_and_deleted_per_role_holder(deal, rep):
    requirement = _requirement(deal, rep)
    role = BuyingRoleFactory(deal=deal, role=BuyingRole.Role.USER)
    statement = services.fab_statement_save(
        statement=FabStatement(requirement=requirement, buying_role=role, feature="Edge alarms"),
        acting_user=rep,
    )
    statement.value = "No night shifts on call: 3 fewer overtime hours a week"
    services.fab_statement_save(statement=statement, acting_user=rep)
    assert FabStatement.objects.get().value.startswith("No night shifts")

    with pytest.raises(ValidationError):  # one statement per requirement and role holder
        services.fab_statement_save(
            statement=FabStatement(requirement=requirement, buying_role=role), acting_user=rep
        )
    services.fab_statement_delete(statement=statement, acting_user=rep)
    assert not FabStatement.objects.exists()


@pytest.mark.django_db
def test_a_fab_statement_needs_a_role_holder_of_the_same_deal(deal, rep):
    requirement = _requirement(deal, rep)
    stranger = BuyingRoleFactory(deal=DealFactory(owner=rep))
    with pytest.raises(ValidationError):
        services.fab_statement_save(
            statement=FabStatement(requirement=requirement, buying_role=stranger), acting_user=rep
        )


# --- Value case --------------------------------------------------------------------


def test_payback_by_hand():
    # (100,000.00 − 10,000.00) ÷ 48,000.00 × 12 = 22.5 months
    assert payback_months(price=D("100000.00"), annual=D("48000.00"), one_off=D("10000.00")) == D("22.5")
    # 100,000 ÷ 70,000 × 12 = 17.142… → 17.1 (half up, once)
    assert payback_months(price=D("100000.00"), annual=D("70000.00"), one_off=D("0")) == D("17.1")
    assert payback_months(price=D("5000"), annual=D("0"), one_off=D("6000")) == D("0.0")
    assert payback_months(price=D("5000"), annual=D("0"), one_off=D("0")) is None


def test_only_agreed_lines_count():
    lines = [
        ValueLine(kind=ValueLine.Kind.ANNUAL, amount=D("30000.50"), agreed=True),
        ValueLine(kind=ValueLine.Kind.ANNUAL, amount=D("17999.50"), agreed=True),
        ValueLine(kind=ValueLine.Kind.ANNUAL, amount=D("99999.00"), agreed=False),
        ValueLine(kind=ValueLine.Kind.ONE_OFF, amount=D("10000.00"), agreed=True),
    ]
    figures = value_figures(lines, D("100000.00"))
    assert (figures.annual, figures.one_off, figures.payback_months) == (
        D("48000.00"),
        D("10000.00"),
        D("22.5"),
    )


@pytest.mark.django_db
def test_value_case_prefills_hidden_costs_in_the_deals_currency_once(deal, rep):
    PainPointFactory(
        customer=deal.customer, kind=PainPoint.Kind.HIDDEN, hidden_cost=D("36000.00"), currency="CNY"
    )
    PainPointFactory(
        customer=deal.customer, kind=PainPoint.Kind.HIDDEN, hidden_cost=D("500.00"), currency="USD"
    )
    PainPointFactory(customer=deal.customer, kind=PainPoint.Kind.EXPLICIT)

    services.value_case_prefill(deal=deal, acting_user=rep)
    services.value_case_prefill(deal=deal, acting_user=rep)

    case = value_case_of(deal)
    assert [(line.amount, line.agreed) for line in case.lines.all()] == [(D("36000.00"), False)]
    assert case.figures.annual == 0  # not agreed yet
    ValueLine.objects.update(agreed=True)
    assert value_case_of(deal).figures.payback_months == D("33.3")  # 100,000 ÷ 36,000 × 12 = 33.33…


@pytest.mark.django_db
def test_value_case_save_replaces_lines_and_refuses_a_foreign_pain_point(deal, rep):
    services.value_case_save(
        deal=deal,
        acting_user=rep,
        assumptions="Two shifts",
        lines=[{"description": "Overtime", "amount": D("1200.00"), "agreed": True}],
    )
    with pytest.raises(ValidationError):
        services.value_case_save(
            deal=deal,
            acting_user=rep,
            lines=[{"description": "X", "amount": D("1"), "pain_point": PainPointFactory()}],
        )
    with pytest.raises(ValidationError):
        services.value_case_save(deal=deal, acting_user=rep, lines=[{"description": "X", "amount": D("-1")}])
    assert list(ValueLine.objects.values_list("description", flat=True)) == ["Overtime"]


@pytest.mark.django_db
def test_each_concession_is_shown_against_the_value(deal, rep):
    services.value_case_save(
        deal=deal,
        acting_user=rep,
        lines=[{"description": "Downtime", "amount": D("48000.00"), "agreed": True}],
    )
    first = ConcessionFactory(deal=deal, discount_step=D("2"))
    ConcessionFactory(deal=deal, discount_step=D("1"), party="customer")
    second = ConcessionFactory(deal=deal, discount_step=D("3"))

    values = concession_values(
        deal, list(deal.concessions.order_by("date", "pk")), value_case_of(deal).figures
    )

    # subtotal 100,000.00: 2% = 2,000.00 = 4.17% of 48,000; payback 25.0 → 24.5 months
    assert (values[first.pk].amount, values[first.pk].share_of_annual) == (D("2000.00"), D("4.17"))
    assert (values[first.pk].payback_after, values[first.pk].payback_change) == (D("24.5"), D("-0.5"))
    # then 3% = 3,000.00 = 6.25%; payback 24.5 → (100,000 − 5,000) ÷ 48,000 × 12 = 23.75 → 23.8
    assert (values[second.pk].amount, values[second.pk].share_of_annual) == (D("3000.00"), D("6.25"))
    assert values[second.pk].payback_after == D("23.8")
    assert len(values) == 2  # the customer's concession is not ours to weigh


@pytest.mark.django_db
def test_a_priced_concession_counts_what_it_moved_the_price(deal, rep):
    services.value_case_save(
        deal=deal,
        acting_user=rep,
        lines=[{"description": "Downtime", "amount": D("48000.00"), "agreed": True}],
    )
    priced = ConcessionFactory(
        deal=deal, discount_step=D("2"), price_before=D("113000.00"), price_after=D("110740.00")
    )
    values = concession_values(deal, [priced], value_case_of(deal).figures)
    assert values[priced.pk].amount == D("2260.00")


# --- Scoring plan ------------------------------------------------------------------


@pytest.fixture
def scored(deal, rep):
    customer = deal.customer
    scorer = ContactFactory(customer=customer)
    customer.scorer_technical = scorer
    customer.save()
    evaluator = BuyingRoleFactory(deal=deal, contact=scorer, role=BuyingRole.Role.EVALUATOR)
    plan = services.scoring_plan_prefill(deal=deal, acting_user=rep)
    return plan, evaluator


@pytest.mark.django_db
def test_the_plan_is_prefilled_from_the_customers_scoring_card(scored):
    plan, evaluator = scored
    criteria = list(plan.criteria.order_by("position"))
    assert [(c.name, c.weight) for c in criteria] == [("Technical", 50), ("Commercial", 40), ("Brand", 10)]
    assert list(criteria[0].evaluators.all()) == [evaluator]
    assert not criteria[1].evaluators.exists()


@pytest.mark.django_db
def test_weighted_totals_and_the_behind_on_risk(deal, rep, scored):
    plan, _evaluator = scored
    technical, commercial, brand = plan.criteria.order_by("position")
    for criterion, ours in ((technical, 80), (commercial, 90), (brand, 70)):
        criterion.our_score = ours
        services.scoring_criterion_save(criterion=criterion, acting_user=rep)
    rival = _rival(rep)
    for criterion, theirs in ((technical, 92), (commercial, 75), (brand, 70)):
        services.competitor_score_save(
            score=ScoringCompetitorScore(criterion=criterion, competitor=rival, score=theirs),
            acting_user=rep,
        )

    standing = scoring_plan_of(deal).standing

    # us: 50×80 + 40×90 + 10×70 = 4000 + 3600 + 700 → 83.0; Rival: 4600 + 3000 + 700 → 83.0
    assert standing.our_total == D("83.0")
    assert standing.competitor_totals == {"Rival AG": D("83.0")}
    assert [row.gap for row in standing.rows] == [D("-6.0"), D("6.0"), D("0.0")]
    assert tender_risks(deal) == ["We are behind on Technical (−6) against Rival AG."]


@pytest.mark.django_db
def test_a_competitor_score_is_updated_not_duplicated(deal, rep, scored):
    plan, _evaluator = scored
    criterion = plan.criteria.first()
    rival = _rival(rep)
    for score in (60, 65):
        services.competitor_score_save(
            score=ScoringCompetitorScore(criterion=criterion, competitor=rival, score=score),
            acting_user=rep,
        )
    assert list(ScoringCompetitorScore.objects.values_list("score", flat=True)) == [65]


@pytest.mark.django_db
def test_scoring_a_competitor_not_on_the_deal_puts_them_on_it_once(deal, rep, scored):
    plan, _evaluator = scored
    rival = _rival(rep)
    for criterion in plan.criteria.all():
        services.competitor_score_save(
            score=ScoringCompetitorScore(criterion=criterion, competitor=rival, score=70), acting_user=rep
        )
    assert list(DealCompetitor.objects.filter(deal=deal).values_list("competitor", flat=True)) == [rival.pk]


@pytest.mark.django_db
def test_an_archived_competitor_not_on_the_deal_cannot_be_scored_and_nothing_is_written(
    deal, rep, manager, scored
):
    plan, _evaluator = scored
    rival = _rival(rep)
    services.directory_entry_archive(entry=rival, acting_user=manager)
    with pytest.raises(ValidationError):
        services.competitor_score_save(
            score=ScoringCompetitorScore(criterion=plan.criteria.first(), competitor=rival, score=70),
            acting_user=rep,
        )
    assert not ScoringCompetitorScore.objects.exists()
    assert not DealCompetitor.objects.exists()


@pytest.mark.django_db
def test_a_scored_competitor_cannot_be_removed_from_the_deal(deal, rep, scored):
    plan, _evaluator = scored
    rival = _rival(rep)
    services.competitor_score_save(
        score=ScoringCompetitorScore(criterion=plan.criteria.first(), competitor=rival, score=70),
        acting_user=rep,
    )
    with pytest.raises(ValidationError):
        services.deal_competitor_remove(entry=DealCompetitor.objects.get(deal=deal), acting_user=rep)


@pytest.mark.django_db
def test_merging_competitors_moves_their_scores_and_keeps_the_kept_ones(deal, rep, manager, scored):
    plan, _evaluator = scored
    technical, commercial, _brand = plan.criteria.order_by("position")
    kept, duplicate = _rival(rep), _rival(rep, "Rival Aktiengesellschaft")
    for criterion, competitor, score in (
        (technical, kept, 90),
        (technical, duplicate, 50),
        (commercial, duplicate, 60),
    ):
        services.competitor_score_save(
            score=ScoringCompetitorScore(criterion=criterion, competitor=competitor, score=score),
            acting_user=rep,
        )
    services.competitor_merge(competitor=duplicate, into=kept, acting_user=manager)
    scores = ScoringCompetitorScore.objects.order_by("criterion__position")
    assert [(s.criterion, s.competitor, s.score) for s in scores] == [
        (technical, kept, 90),
        (commercial, kept, 60),
    ]


@pytest.mark.django_db
def test_plan_save_needs_weights_adding_up_to_100_and_keeps_criteria_by_name(deal, rep, scored):
    plan, evaluator = scored
    technical = plan.criteria.get(name="Technical")
    with pytest.raises(ValidationError):
        services.scoring_plan_save(deal=deal, acting_user=rep, criteria=[{"name": "Technical", "weight": 90}])
    services.scoring_plan_save(
        deal=deal,
        acting_user=rep,
        criteria=[
            {"name": "Technical", "weight": 60, "our_score": 70, "evaluators": [evaluator]},
            {
                "name": "Price",
                "weight": 40,
                "competitor_scores": [{"competitor": _rival(rep), "score": 90}],
            },
        ],
    )
    assert ScoringCriterion.objects.get(name="Technical").pk == technical.pk
    assert set(ScoringCriterion.objects.values_list("name", flat=True)) == {"Technical", "Price"}
    assert tender_risks(deal) == ["We are behind on Price (−36) against Rival AG."]


@pytest.mark.django_db
def test_an_influence_action_becomes_a_next_step_on_the_customers_timeline(deal, rep, scored):
    plan, _evaluator = scored
    criterion = plan.criteria.first()
    due = timezone.localdate() + timedelta(days=7)
    interaction = services.scoring_action_create(
        criterion=criterion, next_step="Site visit to the reference plant", due=due, acting_user=rep
    )
    assert (interaction.deal, interaction.next_step_due, interaction.next_step_owner) == (deal, due, rep)
    assert list(criterion.actions.all()) == [interaction]


def test_plain_figures():
    assert [plain(D("-6.0")), plain(D("-6.5")), plain(D("60")), plain(D("3.10"))] == [
        "−6",
        "−6.5",
        "60",
        "3.1",
    ]


@pytest.mark.parametrize(("language", "downtime"), [("en", "Unplanned downtime"), ("zh-hans", "非计划停机")])
@pytest.mark.django_db
def test_the_contract_pdf_carries_a_one_page_value_summary(deal, rep, language, downtime):
    import io

    from django.utils import translation
    from pypdf import PdfReader

    from contracts.pdf import contract_html, html_to_pdf
    from contracts.services import terms_snapshot
    from contracts.tests.factories import version_for

    services.value_case_save(
        deal=deal,
        acting_user=rep,
        in_documents=True,
        lines=[
            {"description": downtime, "kind": "annual", "amount": D("48000.00"), "agreed": True},
            {"description": "Not agreed yet", "kind": "annual", "amount": D("99999.00"), "agreed": False},
        ],
    )
    version = version_for(deal)
    version.terms_snapshot = terms_snapshot(deal)
    version.save()
    with translation.override(language):
        heading, annual = translation.gettext("Value summary"), translation.gettext("Annual value")

    pages = PdfReader(io.BytesIO(html_to_pdf(contract_html(version, language=language)))).pages
    last = pages[-1].extract_text()

    assert heading in last
    assert annual in last
    assert downtime in last
    assert "48,000.00" in last
    assert "25" in last.replace("48,000.00", "").replace(
        "100,000.00", ""
    )  # 100,000 ÷ 48,000 × 12 = 25.0 months
    assert "Not agreed yet" not in last
    assert heading not in "".join(page.extract_text() for page in pages[:-1])  # a page of its own


@pytest.mark.django_db
def test_without_the_choice_the_pdf_has_no_value_summary(deal, rep):
    from contracts.pdf import contract_html
    from contracts.tests.factories import version_for

    services.value_case_save(
        deal=deal, acting_user=rep, lines=[{"description": "X", "amount": D("1"), "agreed": True}]
    )
    assert '<section class="value-summary">' not in contract_html(version_for(deal))


@pytest.mark.django_db
def test_the_demo_deal_has_a_gap_a_value_case_and_trails_on_one_criterion(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    deal = Deal.objects.get(number="DEMO-004")

    # The price after the demo's negotiation: (283,100 − 30,000) ÷ 240,000 × 12 = 12.655 → 12.7
    assert value_case_of(deal).figures.payback_months == D("12.7")
    risks = tender_risks(deal)
    assert [line for line in risks if line.startswith("We are behind on")] == [
        "We are behind on Technical (−7.2) against Nordic Drives AB."
    ]
    # The scoring plan and the competition tab name the same two rivals.
    scored = set(
        ScoringCompetitorScore.objects.filter(criterion__plan__deal=deal).values_list("competitor", flat=True)
    )
    assert scored == set(deal.competitors.values_list("competitor", flat=True))
    assert {c.name for c in Competitor.objects.filter(pk__in=scored)} == {
        "Nordic Drives AB",
        "Shanghai Pump Works",
    }
    assert any("SAP PM" in line for line in risks)
    assert GateRule.objects.filter(transition="issue_quote", kind="requirements_met").exists()
