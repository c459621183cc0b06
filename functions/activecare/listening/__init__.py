"""Listening: poll X for keywords and mentions, queue matches, turn them into inquiries."""
