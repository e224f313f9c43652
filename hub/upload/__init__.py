"""`hub upload`: a partner's bulk upload of CSV, XLSX or NDJSON rows over the hub's public API.

A partner's tool, not part of the server: it talks HTTP to `/oauth/token` and
`/api/v1/signals/batch` only, with the partner's own credentials.
"""
