"""The follow + retweet campaign lottery: collect retweeters who follow the account, draw N winners
fairly and reproducibly (a publishable certificate), notify each winner by exactly one DM.

This package is the only place the system sends direct messages (see `x.py`)."""
