import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from relationships import services
from relationships.models import Customer, Stage, StageChange
from relationships.tests.factories import (
    ContactFactory,
    CustomerFactory,
    InteractionFactory,
    OrgUnitFactory,
)


@pytest.fixture
def customer(rep):
    return CustomerFactory(owner=rep)


@pytest.fixture
def chain(customer):
    """boss <- middle <- worker"""
    boss = ContactFactory(customer=customer, name="Boss")
    middle = ContactFactory(customer=customer, name="Middle", reports_to=boss)
    worker = ContactFactory(customer=customer, name="Worker", reports_to=middle)
    return boss, middle, worker


@pytest.mark.django_db
def test_reports_to_cycle_is_refused_with_the_loop_named(chain, rep):
    boss, middle, worker = chain

    with pytest.raises(ValidationError) as exc:
        services.contact_move(contact=boss, reports_to=worker, acting_user=rep)

    message = exc.value.message_dict["reports_to"][0]
    assert "Worker already reports, directly or indirectly, to Boss" in message
    assert "Worker → Middle → Boss" in message
    boss.refresh_from_db()
    assert boss.reports_to is None


@pytest.mark.django_db
def test_reporting_to_oneself_is_refused(chain, rep):
    boss, _middle, _worker = chain

    with pytest.raises(ValidationError):
        services.contact_move(contact=boss, reports_to=boss, acting_user=rep)


@pytest.mark.django_db
def test_a_legal_move_changes_manager_and_unit(chain, rep, customer):
    boss, middle, worker = chain
    unit = OrgUnitFactory(customer=customer)

    services.contact_move(contact=worker, reports_to=boss, org_unit=unit, acting_user=rep)

    worker.refresh_from_db()
    assert (worker.reports_to, worker.org_unit) == (boss, unit)


@pytest.mark.django_db
def test_manager_at_another_customer_is_refused(chain, rep):
    _boss, _middle, worker = chain
    stranger = ContactFactory(customer=CustomerFactory(owner=rep))

    with pytest.raises(ValidationError) as exc:
        services.contact_move(contact=worker, reports_to=stranger, acting_user=rep)

    assert "reports_to" in exc.value.message_dict


@pytest.mark.django_db
def test_contact_who_left_hands_reports_to_their_manager(chain, rep):
    boss, middle, worker = chain

    services.contact_mark_left(contact=middle, acting_user=rep)

    worker.refresh_from_db()
    middle.refresh_from_db()
    assert worker.reports_to == boss
    assert middle.is_active is False


@pytest.mark.django_db
def test_org_unit_cycle_and_delete_with_dependants_are_refused(customer, rep):
    top = OrgUnitFactory(customer=customer, name="Top")
    sub = OrgUnitFactory(customer=customer, name="Sub", parent=top)
    ContactFactory(customer=customer, org_unit=sub, name="Ann")

    top.parent = sub
    with pytest.raises(ValidationError):
        services.org_unit_save(unit=top, acting_user=rep)
    with pytest.raises(ValidationError) as exc:
        services.org_unit_delete(unit=sub, acting_user=rep)
    assert "Ann" in exc.value.messages[0]


@pytest.mark.django_db
def test_stage_changes_are_dated_and_kept(customer, rep):
    contact = ContactFactory(customer=customer)

    services.relationship_set_stage(contact=contact, user=rep, stage=Stage.ACQUAINTANCE, acting_user=rep)
    services.relationship_set_stage(
        contact=contact, user=rep, stage=Stage.TRUST, acting_user=rep, note="POC passed"
    )
    services.relationship_set_stage(contact=contact, user=rep, stage=Stage.TRUST, acting_user=rep)

    changes = list(StageChange.objects.order_by("created_at").values_list("from_stage", "to_stage", "note"))
    assert changes == [(None, Stage.ACQUAINTANCE, ""), (Stage.ACQUAINTANCE, Stage.TRUST, "POC passed")]


@pytest.mark.django_db
def test_scoring_weights_must_add_up_to_100(rep):
    customer = Customer(name="X", owner=rep, weight_technical=50, weight_commercial=30, weight_brand=10)

    with pytest.raises(ValidationError) as exc:
        services.customer_save(customer=customer, acting_user=rep)

    assert "weight_brand" in exc.value.message_dict


@pytest.mark.django_db
def test_coach_criterion_without_evidence_is_refused(customer, rep):
    from relationships.models import CoachAssessment

    assessment = CoachAssessment(
        contact=ContactFactory(customer=customer), influence=True, influence_evidence=""
    )

    with pytest.raises(ValidationError) as exc:
        services.coach_assessment_save(assessment=assessment, acting_user=rep)

    assert "influence_evidence" in exc.value.message_dict


@pytest.mark.django_db
def test_next_step_completes_once(customer, rep):
    interaction = InteractionFactory(customer=customer, next_step="Call back")

    services.interaction_complete_next_step(interaction=interaction, acting_user=rep)
    first = interaction.next_step_done_at
    services.interaction_complete_next_step(interaction=interaction, acting_user=rep)

    assert first is not None
    assert interaction.next_step_done_at == first


@pytest.mark.django_db
def test_rep_cannot_hand_their_customer_to_someone_else(customer, rep, teammate):
    customer.owner = teammate

    with pytest.raises(ValidationError) as exc:
        services.customer_save(customer=customer, acting_user=rep)

    assert "owner" in exc.value.message_dict


@pytest.mark.django_db
def test_finance_cannot_change_relationships(customer, finance):
    with pytest.raises(PermissionDenied):
        services.contact_save(contact=ContactFactory.build(customer=customer), acting_user=finance)
