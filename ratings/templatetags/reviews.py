"""Template helpers of reviews: personal data masked in anything shown publicly."""
from django import template

from ratings.masking import mask_personal_data

register = template.Library()


@register.filter
def masked(text: str) -> str:
    """{{ review.body|masked|linebreaks }}: phone numbers, WeChat IDs, e-mail and addresses hidden."""
    return mask_personal_data(text or "")
