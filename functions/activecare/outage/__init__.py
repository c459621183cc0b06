"""Outage radar and crisis mode: complaint signals per minute, the STA/LTA detector, incidents, alerts and the
desk's incident handling. See README.md in this folder for why the detector is a scheduled function."""
