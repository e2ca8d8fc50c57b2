"""Service ValidationErrors (Django's) surfaced as API 400s in the stable error shape, codes kept."""
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ErrorDetail, ValidationError


def _details(errors) -> list[ErrorDetail]:
    return [ErrorDetail(message, code=error.code or "invalid") for error in errors for message in error.messages]


@contextmanager
def django_errors_as_drf():
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            detail = {("non_field_errors" if name == NON_FIELD_ERRORS else name): _details(errors)
                      for name, errors in exc.error_dict.items()}
        else:
            detail = {"non_field_errors": _details(exc.error_list)}
        raise ValidationError(detail) from None
