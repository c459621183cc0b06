"""Local stand-ins for the cloud and for X: the fake Twitter API v2 server, seed data and
deploy helpers. Never imported by the Lambda handlers."""
