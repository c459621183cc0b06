"""The reports' SES adapter: the shared one (activecare/ses.py), recipients from the To header."""

from activecare.ses import SesMailer, ses_client

__all__ = ["SesMailer", "ses_client"]
