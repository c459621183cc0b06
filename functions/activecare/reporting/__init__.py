"""Twice-daily voice-of-the-customer reports: what customers said since the previous report,
grouped by department and topic, e-mailed once per (window, department) through SES."""
