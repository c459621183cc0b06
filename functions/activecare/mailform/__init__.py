"""The e-mail form and the e-mail that follows: a single-use link per inquiry in the desk's e-mail-form reply,
the public form, the submission (personal fields KMS-encrypted) joined to the inquiry, the desk's e-mail answers
and call-backs, and the customer's e-mail answers coming back through SES receiving."""
