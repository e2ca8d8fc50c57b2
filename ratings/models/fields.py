"""Field shorthands of the ratings models."""
from django.db import models


def decimal_field(max_digits: int, places: int, label, **kw) -> models.DecimalField:
    return models.DecimalField(label, max_digits=max_digits, decimal_places=places, **kw)
