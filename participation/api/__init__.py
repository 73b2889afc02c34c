"""The API for partners' systems: read-only aggregates behind a bearer token, with an OpenAPI document."""
