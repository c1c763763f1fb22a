"""Check constraints validated in Python when they compare the record's own fields.

Django validates a CheckConstraint in `full_clean()` by asking the database:
one SELECT inside a savepoint, three round trips per constraint per save. An
import saves up to 2,000 records through the services' `full_clean()`, so
that was a third of its queries. The constraints of this project are plain
comparisons of a record's fields, which Python answers exactly as the
database does, SQL's NULL included (a CHECK passes when its condition is
unknown). Anything else (joins, functions, text ordering) still goes to the
database.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import router
from django.db.models import CheckConstraint, F, Model, Q

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}
_ORDERED = (int, float, Decimal, date)


class Unsupported(Exception):
    """The condition needs the database."""


def _value(model: type[Model], instance: Model, name: str, exclude: set[str]) -> tuple[Any, bool]:
    """The field's value and whether the column is nullable."""
    if name in exclude:
        raise Unsupported  # Django skips a constraint on an excluded field; the caller does too
    try:
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    except FieldDoesNotExist:
        raise Unsupported from None
    if not field.concrete or field.generated:
        raise Unsupported
    return getattr(instance, field.attname), field.null


def _compare(lookup: str, left: Any, right: Any, *, literal: bool) -> bool | None:
    if lookup == "exact" and right is None and literal:
        return left is None  # Django writes `= None` as IS NULL; `= F(...)` stays `=`
    if left is None or right is None:
        return None
    if lookup != "exact" and not (isinstance(left, _ORDERED) and isinstance(right, _ORDERED)):
        raise Unsupported  # text order depends on the database's collation
    if isinstance(left, str) != isinstance(right, str) or isinstance(left, datetime) != isinstance(
        right, datetime
    ):
        raise Unsupported
    return _COMPARISONS[lookup](left, right)


def _lookup(
    model: type[Model], instance: Model, key: str, rhs: Any, exclude: set[str], negated: bool
) -> bool | None:
    name, _sep, lookup = key.partition("__")
    lookup = lookup or "exact"
    left, left_null = _value(model, instance, name, exclude)
    if lookup == "isnull":
        if not isinstance(rhs, bool):
            raise Unsupported
        return (left is None) == rhs
    if lookup not in _COMPARISONS:
        raise Unsupported
    right_null, literal = False, not isinstance(rhs, F)
    if isinstance(rhs, F):
        rhs, right_null = _value(model, instance, rhs.name, exclude)
    elif hasattr(rhs, "resolve_expression"):
        raise Unsupported
    result = _compare(lookup, left, rhs, literal=literal)
    # Under NOT, Django adds "column IS NOT NULL" for nullable columns, so the
    # comparison is false (not unknown) there: NOT makes it true.
    if negated and result is None and ((left is None and left_null) or (rhs is None and right_null)):
        return False
    return result


def _evaluate(
    model: type[Model], instance: Model, node: Any, exclude: set[str], negated: bool
) -> bool | None:
    if isinstance(node, tuple):
        return _lookup(model, instance, node[0], node[1], exclude, negated)
    if not isinstance(node, Q) or node.connector not in (Q.AND, Q.OR):
        raise Unsupported
    inner_negated = negated != node.negated
    results = [_evaluate(model, instance, child, exclude, inner_negated) for child in node.children]
    if node.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    else:
        result = True if True in results else (None if None in results else False)
    if node.negated and result is not None:
        return not result
    return result


def check_holds(constraint: CheckConstraint, model: type[Model], instance: Model, exclude: set[str]) -> bool:
    """Whether the instance passes the check, as the database would say;
    Unsupported when Python cannot tell."""
    return _evaluate(model, instance, Q(constraint.condition), exclude, False) is not False


class PythonCheckConstraintsMixin:
    """For models saved in bulk through `full_clean()` (imports): their check
    constraints are validated without a database round trip when possible."""

    def validate_constraints(self, exclude: Any = None) -> None:
        exclude = set(exclude or ())
        using = router.db_for_write(self.__class__, instance=self)
        errors: dict = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    self._validate_constraint(constraint, model_class, exclude, using)
                except ValidationError as error:
                    if (
                        getattr(error, "code", None) == "unique"
                        and len(getattr(constraint, "fields", ())) == 1
                    ):
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _validate_constraint(
        self, constraint: Any, model_class: type[Model], exclude: set[str], using: str
    ) -> None:
        if isinstance(constraint, CheckConstraint):
            try:
                holds = check_holds(constraint, model_class, self, exclude)
            except Unsupported:
                pass
            else:
                if not holds:
                    raise ValidationError(
                        constraint.get_violation_error_message(), code=constraint.violation_error_code
                    )
                return
        constraint.validate(model_class, self, exclude=exclude, using=using)
