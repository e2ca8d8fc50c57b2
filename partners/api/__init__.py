"""The partner REST API (/api/v1/) over the directory, the rating policy and webhook subscriptions.

The partner app owns the API's keys, scopes, pagination and error shapes, so its endpoints live here, reading the
apps below through their selectors and serializers; the performance ingest is the data pipeline's own (ingest.api).
"""
