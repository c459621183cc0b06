"""X's account activity webhook on the local stack: the webhook function served on loopback as API Gateway
serves it (template.yaml's WebhookApi routes, no authorizer, infra/local_api.py), its consumer secret in moto's
Secrets Manager, and the fake X registered to deliver to it (CRC check first, infra/fake_twitter/webhooks.py).

    with local_webhook(stack) as (front, hooks):
        stack.twitter.add_tweets([...a mention of @ac_help...])   # POSTed, signed, to front.url/webhooks/x
        hooks.wait_idle()
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import boto3

from activecare.accounts import DEFAULT_ACCOUNTS
from infra.fake_twitter.webhooks import FakeWebhooks
from infra.local_api import LocalDeskApi, template_routes
from infra.local_stack import REGION, LocalStack

CONSUMER_SECRET = "local-consumer-secret-ウェブフック"
PATH = "/webhooks/x"


def webhook_secret(stack: LocalStack) -> str:
    """The webhook's own secret in moto (made once per stack); the stack's and the functions' settings name it."""
    secrets = boto3.client("secretsmanager", region_name=REGION)
    name = "activecare/twitter-webhook"
    try:
        arn = secrets.describe_secret(SecretId=name)["ARN"]
    except secrets.exceptions.ResourceNotFoundException:
        arn = secrets.create_secret(Name=name, SecretString=json.dumps({"consumer_secret": CONSUMER_SECRET}))["ARN"]
    stack.configure(webhook_secret_id=arn)
    return arn


def webhook_front(stack: LocalStack) -> LocalDeskApi:
    from webhook.app import handler

    webhook_secret(stack)
    return LocalDeskApi(None, handler, routes=template_routes(api="WebhookApi"), function_name="webhook",
                        clock=stack.clock)


@contextmanager
def local_webhook(stack: LocalStack) -> Iterator[tuple[LocalDeskApi, FakeWebhooks]]:
    """The webhook front started and the fake X delivering to it for the three support accounts (on an access
    level that offers webhooks, as the template makes them only there)."""
    if not stack.settings.offers_activity_webhooks:
        raise ValueError(f"X offers no account activity webhooks on {stack.settings.access_level}")
    front = webhook_front(stack)
    hooks = FakeWebhooks(stack.twitter, CONSUMER_SECRET)
    with front:
        try:
            hooks.register(front.url + PATH)
            hooks.subscribe([a.user_id for a in DEFAULT_ACCOUNTS])
            yield front, hooks
        finally:
            hooks.stop()
