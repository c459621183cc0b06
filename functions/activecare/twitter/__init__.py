"""The Twitter (X) side: domain types, the port, and the tweepy gateway."""
