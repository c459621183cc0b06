"""activecare: Twitter (X) active customer support for a Japanese mobile carrier.

The domain library shared by every Lambda handler. Handlers stay thin; AWS and
Twitter are reached through one small gateway each.
"""
