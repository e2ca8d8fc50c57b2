"""Pieces with no domain that every app may use: chunked queries, spreadsheet-safe CSV, admin building blocks.

Nothing here imports a project app; it sits below all of them (docs/architecture.md).
"""
