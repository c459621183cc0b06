"""What every command group shares: the usage error, and the runtime the command works on, built from the
environment (as the functions get it) or, with --stack / ACTIVECARE_STACK, from the deployed stack's outputs."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from activecare.cli.errors import CliError
from activecare.errors import AppError

__all__ = ["CliError", "remote_error", "report_app_error", "require_stack", "runtime", "settings", "target"]

if TYPE_CHECKING:
    from activecare.cli.outputs import Stack
    from activecare.settings import Settings
    from activecare.wiring import Runtime


class _Target:
    """The stack named on the command line (loaded on first use, so offline commands never call AWS)."""

    def __init__(self) -> None:
        self.configure("", None, None)

    def configure(self, stack_name: str, region: str | None, profile: str | None) -> None:
        """Called once per command. An explicit profile also becomes boto3's default session: explicit, it wins
        over access keys in the environment, as with the AWS CLI's --profile."""
        self.stack_name, self.region, self.profile = stack_name, region, profile
        self._stack: Stack | None = None
        if profile:
            import boto3

            boto3.setup_default_session(profile_name=profile, region_name=region)

    def stack(self) -> Stack | None:
        if self.stack_name and self._stack is None:
            from activecare.cli.outputs import load_stack
            from activecare.wiring import reset_runtime

            self._stack = load_stack(self.stack_name, self.region, self.profile)
            reset_runtime(self._stack.settings())
        return self._stack


target = _Target()


def runtime() -> Runtime:
    """The composition root the command runs on: the stack's settings with --stack, else the environment's."""
    from activecare.wiring import runtime as current

    target.stack()
    return current()


def settings() -> Settings:
    return runtime().settings


def require_stack(what: str) -> Stack:
    stack = target.stack()
    if stack is None:
        raise CliError(f"{what} needs the deployed stack: give --stack NAME or set ACTIVECARE_STACK")
    return stack


def report_app_error(exc: AppError) -> int:
    """A refusal of the one error model: `error (409 claimed): reason`, then any extras as JSON (an e-mail
    form offer is shown as text, as the agent would paste it). Exit code 1: the request was understood."""
    print(f"error ({exc.status} {exc.code}): {exc.reason}", file=sys.stderr)
    extra = dict(exc.extra)
    offer = extra.pop("offer", None)
    if isinstance(offer, dict):
        print(f"代わりにこちらをどうぞ [{offer.get('template')}]:\n{offer.get('text')}", file=sys.stderr)
    if extra:
        print(json.dumps(extra, ensure_ascii=False, default=str), file=sys.stderr)
    return 1


def remote_error(body: dict[str, Any]) -> AppError:
    """The AppError a remote API or function answered with (the shape of `AppError.as_dict`)."""
    known = {"error", "code", "status", "ok"}
    return AppError(str(body.get("error", "")), code=str(body.get("code") or "bad_request"),
                    status=int(body.get("status") or 400), **{k: v for k, v in body.items() if k not in known})


def cognito_client(region: str | None = None) -> Any:
    """boto3's cognito-idp client for the stack's region (or the environment's); the local stack's moto when
    ACTIVECARE_COGNITO_ENDPOINT is set."""
    import boto3

    current = settings()
    return boto3.client("cognito-idp", region_name=region or current.region,
                        endpoint_url=current.cognito_endpoint or None)


def stack_or_setting(output: str, value: str, env: str) -> str:
    """A stack output with --stack, else the setting read from the environment variable `env`."""
    stack = target.stack()
    if stack is not None:
        return stack.output(output)
    if not value:
        raise CliError(f"give --stack NAME (its output {output}) or set {env}")
    return value
