"""The REST API under /api/v1/ (URL namespace "api"): every resource of every app.

What every resource shares, one concern a module: ``viewsets`` (the base viewset: reads,
audited writes), ``pagination`` (keyset cursors), ``filters`` (ordering), ``permissions``,
``serializers`` (validation by the model, links by uuid), ``renderers`` and ``parsers``,
``caching`` (ETags) and ``schema`` (OpenAPI). ``actors``, ``events`` and ``sources`` hold each
app's serializers and viewsets; ``urls`` puts them on one router; ``deleted`` is the deletions
feed read from the audit trail.
"""
