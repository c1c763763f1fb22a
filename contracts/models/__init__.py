"""Contracts models, one module per sub-domain; every model is importable from here."""

from contracts.models.account_plans import (  # noqa: F401
    AccountPlan,
    AccountPlanInitiative,
    AccountPlanOwner,
)
from contracts.models.approvals import (  # noqa: F401
    ApprovalDecision,
    ApprovalPolicy,
    ApprovalPolicyStep,
    ApprovalRequest,
    ApprovalStep,
)
from contracts.models.changes import (  # noqa: F401
    ChangeRequest,
    ContractVersion,
)
from contracts.models.competition import (  # noqa: F401
    CHECKLISTS,
    Competitor,
    DealCompetitor,
    DealLoss,
    DealPartner,
    LossReason,
    Partner,
    Review,
    ReviewCondition,
    Threat,
)
from contracts.models.deals import (  # noqa: F401
    ContractType,
    Deal,
    DealSeries,
    DealTransition,
)
from contracts.models.delivery import (  # noqa: F401
    DealAction,
    Milestone,
    PlaybookItem,
    RiskItem,
)
from contracts.models.documents import (  # noqa: F401
    ContractAttachment,
    ContractDocument,
    attachment_path,
)
from contracts.models.fields import (  # noqa: F401
    PERCENT,
    POSITIVE,
    money_field,
    percent_field,
)
from contracts.models.gates import (  # noqa: F401
    GateOverride,
    GateRule,
)
from contracts.models.negotiation import (  # noqa: F401
    Concession,
    LadderStep,
    NegotiationIssue,
    NegotiationPlan,
)
from contracts.models.next_moves import (  # noqa: F401
    NextMoveAcceptance,
    NextMoveDismissal,
)
from contracts.models.pricing import (  # noqa: F401
    CatalogueItem,
    LineItem,
    Quote,
)
from contracts.models.roles import (  # noqa: F401
    BuyingRole,
)
from contracts.models.schedule import (  # noqa: F401
    PaymentInstalment,
)
from contracts.models.snapshots import (  # noqa: F401
    CoverageSnapshot,
    ForecastModel,
)
from contracts.models.templates import (  # noqa: F401
    Clause,
    ClauseTopic,
    ContractClause,
    ContractTemplate,
    RiskFlag,
    RiskPolicy,
    TemplateClause,
)
from contracts.models.tender import (  # noqa: F401
    FabStatement,
    Requirement,
    ScoringCompetitorScore,
    ScoringCriterion,
    ScoringPlan,
    ValueCase,
    ValueLine,
)
from contracts.signing.models import (  # noqa: F401
    Signer,
    SigningEvent,
    SigningRequest,
)
