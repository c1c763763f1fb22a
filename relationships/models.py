"""The client organisation: customers and their profile layers, org charts,
contacts, coaches, relationships, interactions and pain points (DOMAIN.md §1).
Buying roles are per deal and live in contracts."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import scope_users
from core.constraints import PythonCheckConstraintsMixin
from core.currencies import CurrencyCodeField

CURRENCY_DEFAULT = "CNY"
NAME_MAX_LENGTH = 120
PERSON_NAME_MAX_LENGTH = 80


class Layer(models.TextChoices):
    OPERATIONAL = "operational", _("Operational")
    MANAGEMENT = "management", _("Management")
    DECISION = "decision", _("Decision")


class SocialStyle(models.TextChoices):
    CONTROLLING = "controlling", _("Controlling")
    ANALYTICAL = "analytical", _("Analytical")
    ADVOCATING = "advocating", _("Advocating")
    AMIABLE = "amiable", _("Amiable")


SOCIAL_STYLE_HINTS = {
    SocialStyle.CONTROLLING: _("Fast and results-driven: be brief, lead with the outcome."),
    SocialStyle.ANALYTICAL: _("Slow and precise: bring details, data and logic; give time."),
    SocialStyle.ADVOCATING: _("Fast and enthusiastic: share the vision, give recognition."),
    SocialStyle.AMIABLE: _("Slow and warm: build personal trust first, never rush."),
}


class RelationshipType(models.TextChoices):
    GENERAL = "general", _("General")
    KEY = "key", _("Key")
    ORGANISATIONAL = "organisational", _("Organisational")


class CustomerQuerySet(models.QuerySet):
    def active(self) -> CustomerQuerySet:
        return self.exclude(status=Customer.Status.ARCHIVED)

    def visible_to(self, user: User) -> CustomerQuerySet:
        """Customers `user` may see: owned within their scope, or the customer of
        a deal they see — the same rule as contracts.selectors.deal_list (its
        owner in their scope, or they are on its iron triangle), so whoever
        opens a deal can open its customer and org chart. Everything for
        admin, finance and legal. One subquery over deals, whatever the data."""
        if user.has_role(Role.ADMIN, Role.FINANCE, Role.LEGAL):
            return self
        people = scope_users(user=user)
        # The deals app sits above this one: reached through the reverse relation, not imported.
        deals = self.model._meta.get_field("deals").related_model.objects.filter(
            Q(owner__in=people) | Q(solution_owner=user) | Q(delivery_owner=user)
        )
        return self.filter(Q(owner__in=people) | Q(pk__in=deals.values("customer_id")))


class Customer(PythonCheckConstraintsMixin, models.Model):
    """A counterparty: a client company, or a supplier or partner (by `kind`).

    Carries the master data and the two company-level profile layers
    (environment and organisation conditions); the interpersonal and personal
    layers belong to each contact.
    """

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        SUPPLIER = "supplier", _("Supplier")
        PARTNER = "partner", _("Partner")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        ARCHIVED = "archived", _("Archived")

    class Segment(models.TextChoices):
        STRATEGIC = "strategic", _("Strategic")
        KEY = "key", _("Key account")
        GROWTH = "growth", _("Growth")
        STANDARD = "standard", _("Standard")

    class CustomerType(models.TextChoices):
        ENTERPRISE = "enterprise", _("Private enterprise")
        STATE_OWNED = "state_owned", _("State-owned enterprise")
        GOVERNMENT = "government", _("Government")
        INSTITUTION = "institution", _("Public institution")
        FOREIGN = "foreign", _("Foreign-invested enterprise")
        CHANNEL = "channel", _("Distributor / channel")

    # Master data. The longest real company names are well under 120 characters.
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CUSTOMER)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROSPECT)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices, default=Segment.STANDARD)
    customer_type = models.CharField(
        _("customer type"), max_length=20, choices=CustomerType.choices, default=CustomerType.ENTERPRISE
    )
    relationship_type = models.CharField(
        _("relationship type"),
        max_length=20,
        choices=RelationshipType.choices,
        default=RelationshipType.GENERAL,
        help_text=_("General goodwill, key people for a project, or company-to-company."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    supplier_rating = models.PositiveSmallIntegerField(
        _("supplier rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Performance as a supplier, 1 (poor) to 5 (excellent)."),
    )
    supplier_rating_notes = models.TextField(_("rating notes"), blank=True)

    # Layer 1: environment conditions (RFI / key information)
    env_product_needs = models.TextField(_("product needs"), blank=True)
    env_procurement_cost = models.TextField(_("procurement cost"), blank=True)
    env_supply_conditions = models.TextField(_("supply conditions"), blank=True)
    env_lead_times = models.TextField(_("lead times"), blank=True)
    env_technical = models.TextField(_("technical capability and parameters"), blank=True)
    env_regulation = models.TextField(_("regulation"), blank=True)
    env_qualified_vendors = models.PositiveSmallIntegerField(_("qualified vendors"), null=True, blank=True)

    # Layer 2: organisation conditions
    org_business_goals = models.TextField(_("shared business goals"), blank=True)
    org_policies = models.TextField(_("internal policies"), blank=True)
    org_procurement_process = models.TextField(_("procurement / tender process"), blank=True)
    org_entry_criteria = models.TextField(_("vendor entry criteria"), blank=True)
    org_meets_entry_criteria = models.BooleanField(_("we meet the entry criteria"), null=True, blank=True)
    org_structure_notes = models.TextField(_("organisation structure notes"), blank=True)
    weight_technical = models.PositiveSmallIntegerField(
        _("technical score weight (%)"), default=50, validators=[MaxValueValidator(100)]
    )
    weight_commercial = models.PositiveSmallIntegerField(
        _("commercial score weight (%)"), default=40, validators=[MaxValueValidator(100)]
    )
    weight_brand = models.PositiveSmallIntegerField(
        _("brand score weight (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    scorer_technical = models.ForeignKey(
        "relationships.Contact",
        verbose_name=_("technical scorer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    scorer_commercial = models.ForeignKey(
        "relationships.Contact",
        verbose_name=_("commercial scorer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    scorer_brand = models.ForeignKey(
        "relationships.Contact",
        verbose_name=_("brand scorer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_technical__lte=100)
                & Q(weight_commercial__lte=100)
                & Q(weight_brand__lte=100),
                name="customer_weights_are_percentages",
            ),
            models.CheckConstraint(
                condition=Q(supplier_rating__isnull=True) | Q(supplier_rating__gte=1, supplier_rating__lte=5),
                name="customer_supplier_rating_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"]), models.Index(fields=["segment", "region"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        total = (self.weight_technical or 0) + (self.weight_commercial or 0) + (self.weight_brand or 0)
        if total != 100:
            raise ValidationError(
                {
                    "weight_brand": _(
                        "The technical, commercial and brand weights must add up to 100 (now %(total)s)."
                    )
                    % {"total": total}
                }
            )


class OrgUnit(models.Model):
    """A department of the client; units form a tree per customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="org_units")
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "parent", "name"], name="orgunit_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Contact(PythonCheckConstraintsMixin, models.Model):
    """A person at a customer, with the interpersonal and personal layers."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contacts")
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
    )
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
    )
    name = models.CharField(_("name"), max_length=PERSON_NAME_MAX_LENGTH)
    title = models.CharField(_("title"), max_length=120, blank=True)
    layer = models.CharField(_("layer"), max_length=20, choices=Layer.choices, default=Layer.OPERATIONAL)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("still at the customer"), default=True)
    social_style = models.CharField(_("social style"), max_length=20, choices=SocialStyle.choices, blank=True)

    # Layer 3: interpersonal conditions
    power_status = models.TextField(_("power and status"), blank=True)
    risk_orientation = models.TextField(_("risk orientation"), blank=True)
    empathy = models.TextField(_("empathy / mutual understanding"), blank=True)
    interests = models.TextField(_("interests and hobbies"), blank=True)
    hometown = models.CharField(_("hometown"), max_length=100, blank=True)
    character = models.TextField(_("character"), blank=True)

    # Layer 4: personal conditions
    career_positioning = models.TextField(_("career positioning"), blank=True)
    life_goals = models.TextField(_("life goals"), blank=True)
    values = models.TextField(_("values"), blank=True)

    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(reports_to=models.F("id")), name="contact_not_own_manager"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def style_hint(self) -> str:
        return SOCIAL_STYLE_HINTS.get(self.social_style, "")


class ContactNeed(models.Model):
    """A need of a contact: company or personal, at the economic, business or social level."""

    class Scope(models.TextChoices):
        COMPANY = "company", _("Company")
        PERSONAL = "personal", _("Personal")

    class Level(models.TextChoices):
        ECONOMIC = "economic", _("Economic")
        BUSINESS = "business", _("Business")
        SOCIAL = "social", _("Social")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="needs")
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    description = models.CharField(_("description"), max_length=300)
    addressed = models.BooleanField(_("addressed by us"), default=False)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["scope", "level"]

    def __str__(self) -> str:
        return self.description


class CoachAssessment(models.Model):
    """The three coach criteria for one contact, each with its evidence.

    A contact is a coach only when all three hold; otherwise a candidate.
    """

    class Status(models.TextChoices):
        COACH = "coach", _("Coach")
        CANDIDATE = "candidate", _("Coach candidate")
        NONE = "none", _("Not a coach")
        UNRELIABLE = "unreliable", _("Unreliable coach")

    class Unreliable(models.TextChoices):
        DEALS_LOST = "deals_lost", _("Deals lost on their guidance")
        WRONG_INFORMATION = "wrong_information", _("Information proved wrong")

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="coach_assessment")
    influence = models.BooleanField(_("large influence and a broad network"), default=False)
    influence_evidence = models.TextField(_("evidence of influence"), blank=True)
    seniority = models.BooleanField(_("seniority, well informed"), default=False)
    seniority_evidence = models.TextField(_("evidence of seniority"), blank=True)
    win_win = models.BooleanField(_("a win-win motive"), default=False)
    win_win_evidence = models.TextField(_("evidence of a win-win motive"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)
    # Blank while the coach is trusted; the history keeps who marked it and when.
    unreliable = models.CharField(
        _("marked unreliable"), max_length=20, choices=Unreliable.choices, blank=True
    )
    unreliable_note = models.TextField(_("why unreliable"), blank=True)
    history = HistoricalRecords()

    CRITERIA = (
        ("influence", "influence_evidence"),
        ("seniority", "seniority_evidence"),
        ("win_win", "win_win_evidence"),
    )

    class Meta:
        verbose_name = _("coach assessment")
        verbose_name_plural = _("coach assessments")

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_status_display()})"

    def clean(self) -> None:
        errors = {
            evidence: _("A criterion only counts with its evidence.")
            for met, evidence in self.CRITERIA
            if getattr(self, met) and not getattr(self, evidence).strip()
        }
        if self.unreliable and not self.unreliable_note.strip():
            errors["unreliable_note"] = _("Say what happened: deals lost, or which information proved wrong.")
        if errors:
            raise ValidationError(errors)

    @property
    def criteria_met(self) -> int:
        return sum(
            1 for met, evidence in self.CRITERIA if getattr(self, met) and getattr(self, evidence).strip()
        )

    @property
    def is_reliable(self) -> bool:
        return not self.unreliable

    @property
    def status(self) -> str:
        if self.unreliable:
            return self.Status.UNRELIABLE
        met = self.criteria_met
        if met == len(self.CRITERIA):
            return self.Status.COACH
        return self.Status.CANDIDATE if met else self.Status.NONE

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)


class Stage(models.IntegerChoices):
    """Relationship stages, in order; the numbers make them comparable."""

    ACQUAINTANCE = 1, _("Acquaintance")
    MEETING = 2, _("Meeting")
    TRUST = 3, _("Trust")
    ALLIANCE = 4, _("Alliance")


class Relationship(models.Model):
    """One of our people and one contact: how far the relationship has come."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our person"),
        on_delete=models.PROTECT,
        related_name="relationships",
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="relationships"
    )
    stage = models.PositiveSmallIntegerField(_("stage"), choices=Stage.choices, default=Stage.ACQUAINTANCE)
    type = models.CharField(
        _("type"), max_length=20, choices=RelationshipType.choices, default=RelationshipType.GENERAL
    )
    since = models.DateField(_("since"), default=timezone.localdate)
    # Maintained by the interaction service: the day of the latest interaction
    # both people took part in. Cooling is measured from it (relationships/cooling.py).
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    cooling_proposed_on = models.DateField(_("downgrade proposed"), null=True, blank=True)
    cooling_dismissed_on = models.DateField(_("downgrade dismissed"), null=True, blank=True)
    cooling_lowered_on = models.DateField(_("lowered for cooling"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [models.UniqueConstraint(fields=["user", "contact"], name="relationship_unique_pair")]

    def __str__(self) -> str:
        return f"{self.user} – {self.contact}: {self.get_stage_display()}"

    @property
    def cooling_clock_from(self) -> date:
        """The day the cooling clock last restarted: a contact, or the owner's answer to a proposal."""
        return max(
            d
            for d in (self.since, self.last_contact_on, self.cooling_dismissed_on, self.cooling_lowered_on)
            if d
        )


class StageChange(models.Model):
    """The dated history of a relationship's stage; written only by the service."""

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.PositiveSmallIntegerField(_("from"), choices=Stage.choices, null=True)
    to_stage = models.PositiveSmallIntegerField(_("to"), choices=Stage.choices)
    changed_on = models.DateField(_("date"), default=timezone.localdate)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["-changed_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()} ({self.changed_on})"


class Interaction(models.Model):
    """A visit, call, meeting, sample, admission test, event or e-mail."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        CALL = "call", _("Call")
        MEETING = "meeting", pgettext_lazy("interaction kind", "Meeting")
        SAMPLE = "sample", _("Sample")
        ADMISSION_TEST = "admission_test", _("Admission test")
        EVENT = "event", _("Event")
        EMAIL = "email", _("E-mail")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="interactions")
    deal = models.ForeignKey(
        "contracts.Deal",
        verbose_name=_("deal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEETING)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    subject = models.CharField(_("subject"), max_length=200)
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("their side"), related_name="interactions", blank=True
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("our side"), related_name="interactions", blank=True
    )
    outcome = models.TextField(_("outcome"), blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_due = models.DateField(_("next step due"), null=True, blank=True)
    next_step_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("next step owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    next_step_done_at = models.DateTimeField(_("next step done"), null=True, blank=True)

    # SPIN discovery notes
    spin_situation = models.TextField(_("situation questions"), blank=True)
    spin_problem = models.TextField(_("problem questions"), blank=True)
    spin_implication = models.TextField(_("implication questions"), blank=True)
    spin_need_payoff = models.TextField(_("need-payoff questions"), blank=True)
    # FAB/V pitch notes
    fab_feature = models.TextField(_("feature"), blank=True)
    fab_advantage = models.TextField(_("advantage"), blank=True)
    fab_benefit = models.TextField(_("benefit"), blank=True)
    fab_value = models.TextField(_("value"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"]),
            models.Index(
                fields=["next_step_due"],
                name="interaction_open_next_step",
                condition=Q(next_step_done_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_step_due__isnull=True) | ~Q(next_step=""),
                name="interaction_due_needs_next_step",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        if self.next_step_due and not self.next_step.strip():
            raise ValidationError({"next_step": _("Say what the next step is, since it has a due date.")})

    @property
    def has_spin(self) -> bool:
        return any((self.spin_situation, self.spin_problem, self.spin_implication, self.spin_need_payoff))

    @property
    def has_fab(self) -> bool:
        return any((self.fab_feature, self.fab_advantage, self.fab_benefit, self.fab_value))


class PainPoint(models.Model):
    """An explicit problem, or a hidden one behind it with its estimated hidden cost."""

    class Kind(models.TextChoices):
        EXPLICIT = "explicit", _("Explicit problem")
        HIDDEN = "hidden", _("Hidden problem")

    class CostCategory(models.TextChoices):
        SAFETY = "safety", _("Safety incidents")
        OUTSOURCING = "outsourcing", _("Outsourcing")
        CHURN = "churn", _("Staff churn")
        OVERTIME = "overtime", _("Overtime")
        TRAINING = "training", _("Training")
        DOWNTIME = "downtime", _("Downtime")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="pain_points")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.EXPLICIT)
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    behind = models.ForeignKey(
        "self",
        verbose_name=_("behind the explicit problem"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hidden_problems",
        limit_choices_to={"kind": "explicit"},
    )
    cost_category = models.CharField(
        _("hidden cost category"), max_length=20, choices=CostCategory.choices, blank=True
    )
    hidden_cost = models.DecimalField(
        _("estimated hidden cost"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = CurrencyCodeField(_("currency"), default=CURRENCY_DEFAULT)
    raised_by = models.ForeignKey(
        Contact,
        verbose_name=_("raised by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pain point")
        verbose_name_plural = _("pain points")
        ordering = ["kind", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_cost__isnull=True) | Q(hidden_cost__gte=0), name="painpoint_cost_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.kind == self.Kind.EXPLICIT and self.behind_id:
            raise ValidationError({"behind": _("Only a hidden problem lies behind an explicit one.")})
