from django import template
from django.utils.translation import gettext as _

register = template.Library()

RING_CIRCUMFERENCE = 2 * 3.14159 * 34  # r=34 in the score ring's viewBox


@register.inclusion_tag("relationships/_score_ring.html")
def score_ring(score: int, level: str, size: int = 84) -> dict:
    """An SVG ring for a 0–100 score; attributes, not inline styles, so a strict CSP allows it."""
    filled = RING_CIRCUMFERENCE * max(0, min(score, 100)) / 100
    return {
        "score": score,
        "level": level,
        "size": size,
        "dash": f"{filled:.1f} {RING_CIRCUMFERENCE:.1f}",
    }


@register.filter
def scoring_rows(customer) -> list[tuple[str, int, object]]:  # noqa: ANN001
    """The bid scoring weights with who scores each, for display."""
    return [
        (_("Technical"), customer.weight_technical, customer.scorer_technical),
        (_("Commercial"), customer.weight_commercial, customer.scorer_commercial),
        (_("Brand"), customer.weight_brand, customer.scorer_brand),
    ]
