"""Is the contract text complete enough to ask for approval?

Two findings, each naming the clause it is about:

- placeholders left unfilled: a `{name}` still in the text, or a library
  placeholder that was filled with nothing ("delivers to  by .");
- payment terms that contradict each other or the deal: two clauses with
  different payment days or different triggers (invoice, delivery,
  acceptance), or days other than the deal's payment terms.

`contract_gaps` is read by the `contract_complete` transition condition
and by the clause risk check, so the button and the risk list agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from contracts.models import ContractClause, Deal

PLACEHOLDER = re.compile(r"\{(\w+)\}")

# Payment sentences: "pay ... within 30 days of acceptance", "验收后30日内付款".
PAYMENT_WORDS = ("pay", "付款", "支付", "结算")
DAYS_EN = re.compile(
    r"within\s+(\d+)\s+(?:calendar\s+|working\s+|business\s+)?days?"
    r"(?:\s+(?:of|after|from|following)\s+(?:the\s+)?(?:date\s+of\s+)?(?:the\s+)?([a-z]+))?",
    re.IGNORECASE,
)
DAYS_ZH = re.compile(r"(?:(发票|交付|交货|验收)\S{0,4}?)?(\d+)\s*(?:个工作日|个自然日|日|天)内")
TRIGGERS = {
    "invoice": "invoice",
    "invoicing": "invoice",
    "发票": "invoice",
    "delivery": "delivery",
    "交付": "delivery",
    "交货": "delivery",
    "acceptance": "acceptance",
    "验收": "acceptance",
}


@dataclass
class ContractGaps:
    # clause title -> the placeholder labels it lacks
    unfilled: dict[str, list[str]] = field(default_factory=dict)
    # (clause title, days, trigger or "") for every payment term found
    payment_terms: list[tuple[str, int, str]] = field(default_factory=list)
    payment_conflict: str = ""
    clauses_unfilled: list[ContractClause] = field(default_factory=list)
    clauses_conflicting: list[ContractClause] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.unfilled or self.payment_conflict)

    def messages(self) -> dict[str, str]:
        """{code: sentence} as transition conditions report them."""
        found = {}
        if self.unfilled:
            parts = [f"“{title}”: {', '.join(names)}" for title, names in self.unfilled.items()]
            found["contract_placeholders"] = _(
                "Fill in the contract's blanks on the deal and draft the text again (or edit the clause): %(gaps)s."
            ) % {"gaps": "; ".join(parts)}
        if self.payment_conflict:
            found["payment_terms"] = self.payment_conflict
        return found


def placeholder_label(name: str) -> str:
    from contracts.models import Deal

    labels = {
        "customer": _("customer"),
        "deal_number": _("deal number"),
        "deal_name": _("deal name"),
        "net": _("net value"),
        "gross": _("gross value"),
    }
    if name in labels:
        return str(labels[name])
    try:
        return str(Deal._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - any unknown name is shown as written
        return "{%s}" % name  # noqa: UP031


def _skeleton(body: str) -> re.Pattern[str] | None:
    """The library text as a pattern whose groups capture what each placeholder became."""
    names = PLACEHOLDER.findall(body)
    if not names:
        return None
    pattern, last = "", 0
    for index, match in enumerate(PLACEHOLDER.finditer(body)):
        pattern += re.escape(body[last : match.start()]) + f"(?P<p{index}>.*?)"
        last = match.end()
    pattern += re.escape(body[last:])
    return re.compile(pattern, re.DOTALL)


def unfilled_placeholders(clause: ContractClause) -> list[str]:
    """Placeholder names the clause text still lacks."""
    missing = PLACEHOLDER.findall(clause.text)
    body = clause.source.body if clause.source_id and clause.source else ""
    skeleton = _skeleton(body)
    matched = skeleton.fullmatch(clause.text.strip()) if skeleton else None
    if matched is not None:
        names = PLACEHOLDER.findall(body)
        missing += [names[i] for i, value in enumerate(matched.groups()) if not value.strip()]
    return list(dict.fromkeys(missing))


def payment_terms(text: str) -> list[tuple[int, str]]:
    """(days, trigger) of every payment term in the text; trigger "" when none is named."""
    found = []
    for sentence in re.split(r"(?<=[.;。；])\s*", text):
        if not any(word in sentence.lower() for word in PAYMENT_WORDS):
            continue
        for match in DAYS_EN.finditer(sentence):
            found.append((int(match[1]), TRIGGERS.get((match[2] or "").lower(), "")))
        for match in DAYS_ZH.finditer(sentence):
            found.append((int(match[2]), TRIGGERS.get(match[1] or "", "")))
    return found


def contract_gaps(deal: Deal, clauses: list[ContractClause] | None = None) -> ContractGaps:
    """What the latest contract version leaves blank or contradicts."""
    if clauses is None:
        version = deal.versions.order_by("-number").first()
        clauses = list(version.clauses.select_related("source")) if version else []
    gaps = ContractGaps()
    for clause in clauses:
        missing = unfilled_placeholders(clause)
        if missing:
            gaps.unfilled[clause.title] = [placeholder_label(name) for name in missing]
            gaps.clauses_unfilled.append(clause)
        for days, trigger in payment_terms(clause.text):
            gaps.payment_terms.append((clause.title, days, trigger))
            if clause not in gaps.clauses_conflicting:
                gaps.clauses_conflicting.append(clause)
    gaps.payment_conflict = _payment_conflict(deal, gaps.payment_terms)
    if not gaps.payment_conflict:
        gaps.clauses_conflicting = []
    return gaps


def _payment_conflict(deal: Deal, terms: list[tuple[str, int, str]]) -> str:
    wrong_days = [(title, days) for title, days, _trigger in terms if days != deal.payment_days]
    if wrong_days:
        title, days = wrong_days[0]
        return _(
            "Clause “%(title)s” sets payment within %(days)s days, the deal's payment terms are %(deal_days)s days."
        ) % {"title": title, "days": days, "deal_days": deal.payment_days}
    triggers = {trigger for _title, _days, trigger in terms if trigger}
    if len(triggers) > 1:
        return _("The payment terms contradict each other: payment counts from %(triggers)s.") % {
            "triggers": " / ".join(str(TRIGGER_LABELS[t]) for t in sorted(triggers))
        }
    return ""


TRIGGER_LABELS = {
    "invoice": gettext_lazy("the invoice"),
    "delivery": gettext_lazy("delivery"),
    "acceptance": gettext_lazy("acceptance"),
}
