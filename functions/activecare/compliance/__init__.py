"""Deletions on X honoured within 24 hours: the daily compliance sweep over the tweet and user ids we hold, and
the erasure every other path (a read that found a tweet gone, an account activity event) calls."""
