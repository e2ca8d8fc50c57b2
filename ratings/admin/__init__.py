"""The ratings admin, one module per concern: moderation, policy versions, the engine's output, the graders' panel.

Every action parses a form, checks a permission and calls one service in `ratings.services`; the rules live there.
Roles (Graders, Moderators, Data stewards) are groups made by providers/migrations/0005_roles.py.
"""
from . import engine, grading, moderation, policy  # noqa: F401  (each registers its ModelAdmins)
