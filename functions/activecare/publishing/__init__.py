"""Scheduled posts: the content calendar, a day's plan per account, and the publisher that posts
due slots under atomic daily caps (greeting first, never twice, never outside service hours)."""
