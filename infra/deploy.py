"""Deploy template.yaml as `sam package` + `sam deploy` would, offline, into a CloudFormation endpoint
(moto in server mode in tests; the code is not moto-specific).

    transform_template(code_uris)            SAM template -> plain CloudFormation JSON (no credentials)
    deploy_stack(name, code_dirs=..., ...)   zip each function's code dir, upload, create the stack, wait,
                                             return the stack's outputs

The SAM transform runs in-process (samtranslator), because CloudFormation's own transform is a
service moto does not have. moto then creates what it knows (Lambda, IAM, DynamoDB, SQS, SNS,
CloudWatch, Events rules, event source mappings) and silently skips the rest
(`AWS::Scheduler::Schedule`, `AWS::SecretsManager::Secret`, SES identities, the HTTP API, Cognito): those are
checked in the transformed JSON instead (see tests/integration/test_deploy_stack.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
ARTIFACT_BUCKET = "activecare-artifacts"
_SKIP_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache"}


class _OfflinePolicies:
    """The translator asks for AWS managed policy ARNs; the template uses none."""

    def load(self) -> dict[str, str]:
        return {}


_parsed: dict[Path, tuple[tuple[int, int], dict[str, Any]]] = {}


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The parsed template, a fresh copy each call (callers may change it). The YAML is parsed once per file
    version (~0.5 s; the local stack reads it for every staff pool and desk front): keyed on mtime and size."""
    import copy

    stat = path.stat()
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _parsed.get(path)
    if cached is None or cached[0] != version:
        from samtranslator.yaml_helper import yaml_parse

        cached = _parsed[path] = (version, yaml_parse(path.read_text(encoding="utf-8")))
    return copy.deepcopy(cached[1])


def function_code_dirs(template: dict[str, Any] | None = None, root: Path = ROOT) -> dict[str, Path]:
    """LogicalId -> the source directory of every AWS::Serverless::Function (its CodeUri, or the Globals one).
    `infra.build.build_functions()` gives the built directories instead (.aws-sam/build/<LogicalId>/)."""
    tpl = template if template is not None else load_template()
    default = tpl.get("Globals", {}).get("Function", {}).get("CodeUri")
    dirs: dict[str, Path] = {}
    for name, res in tpl["Resources"].items():
        if res["Type"] == "AWS::Serverless::Function":
            uri = res.get("Properties", {}).get("CodeUri", default)
            if not isinstance(uri, str):
                raise ValueError(f"{name}: CodeUri {uri!r} is not a local directory")
            dirs[name] = root / uri
    return dirs


def with_code_uris(template: dict[str, Any], code_uris: str | Mapping[str, str]) -> dict[str, Any]:
    """A copy of the template whose functions' CodeUri are the packaged S3 locations (`s3://bucket/key`):
    one for every function, or LogicalId -> location."""
    tpl = json.loads(json.dumps(template))
    functions = [n for n, r in tpl["Resources"].items() if r["Type"] == "AWS::Serverless::Function"]
    uris = {n: code_uris for n in functions} if isinstance(code_uris, str) else dict(code_uris)
    missing = sorted(set(functions) - set(uris))
    if missing:
        raise ValueError(f"no code location for {', '.join(missing)}")
    tpl.get("Globals", {}).get("Function", {}).pop("CodeUri", None)
    for name in functions:
        tpl["Resources"][name].setdefault("Properties", {})["CodeUri"] = uris[name]
    return tpl


def transform_template(code_uris: str | Mapping[str, str] = f"s3://{ARTIFACT_BUCKET}/code.zip",
                       template: dict[str, Any] | None = None, *, region: str = "ap-northeast-1") -> dict[str, Any]:
    """The SAM template as plain CloudFormation JSON, transformed offline (samtranslator)."""
    from samtranslator.translator.transform import transform

    packaged = with_code_uris(template if template is not None else load_template(), code_uris)
    saved = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = region  # the translator reads the region (and partition) from here
    try:
        return json.loads(json.dumps(transform(packaged, {}, _OfflinePolicies())))
    finally:
        if saved is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = saved


def zip_dir(directory: Path) -> bytes:
    """A deterministic zip of a directory (sorted entries, fixed timestamps, no caches)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(directory.rglob("*")):
            rel = path.relative_to(directory)
            if path.is_dir() or _SKIP_PARTS & set(rel.parts) or path.suffix == ".pyc":
                continue
            info = zipfile.ZipInfo(rel.as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return buf.getvalue()


def package(code_dirs: Mapping[str, Path], s3: Any, bucket: str = ARTIFACT_BUCKET) -> dict[str, str]:
    """Zip and upload each function's directory (content-addressed, so a shared directory is uploaded
    once, as `sam package` does); LogicalId -> `s3://bucket/key`."""
    uploaded: dict[Path, str] = {}
    uris: dict[str, str] = {}
    for name, directory in code_dirs.items():
        directory = Path(directory).resolve()
        if directory not in uploaded:
            if not directory.is_dir():
                raise FileNotFoundError(f"{name}: code directory {directory} does not exist")
            body = zip_dir(directory)
            key = f"{hashlib.sha256(body).hexdigest()}.zip"
            s3.put_object(Bucket=bucket, Key=key, Body=body)
            uploaded[directory] = f"s3://{bucket}/{key}"
        uris[name] = uploaded[directory]
    return uris


def _ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
    except Exception:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})


def stack_parameters(template: dict[str, Any], overrides: Mapping[str, str]) -> list[dict[str, str]]:
    """CloudFormation Parameters for `overrides`; an unknown name is an error, as in `sam deploy`."""
    unknown = sorted(set(overrides) - set(template.get("Parameters", {})))
    if unknown:
        raise ValueError(f"unknown template parameters: {', '.join(unknown)}")
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in overrides.items()]


def deploy_stack(stack_name: str, *, code_dirs: Mapping[str, Path] | None = None,
                 parameters: Mapping[str, str] | None = None, region: str = "ap-northeast-1",
                 bucket: str = ARTIFACT_BUCKET, session: Any = None, timeout_s: float = 120.0) -> dict[str, str]:
    """Package, transform and create the stack; wait for CREATE_COMPLETE; return its outputs.

    `code_dirs` maps each function's LogicalId to its code directory (default: the template's CodeUri;
    after a build, `infra.build.build_functions()`'s directories). The endpoint comes from boto3's own
    configuration (AWS_ENDPOINT_URL for the local stack)."""
    import boto3

    session = session or boto3.session.Session(region_name=region)
    template = load_template()
    s3 = session.client("s3", region_name=region)
    _ensure_bucket(s3, bucket, region)
    uris = package(code_dirs if code_dirs is not None else function_code_dirs(template), s3, bucket)
    body = transform_template(uris, template, region=region)
    cfn = session.client("cloudformation", region_name=region)
    cfn.create_stack(StackName=stack_name, TemplateBody=json.dumps(body),
                     Parameters=stack_parameters(template, parameters or {}),
                     Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
    deadline = time.monotonic() + timeout_s
    while True:
        stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
        status = stack["StackStatus"]
        if status == "CREATE_COMPLETE":
            return {o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs", [])}
        if not status.endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            events = cfn.describe_stack_events(StackName=stack_name)["StackEvents"]
            failed = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}" for e in events
                      if e["ResourceStatus"].endswith("FAILED")]
            raise RuntimeError(f"stack {stack_name} is {status}: {'; '.join(failed) or 'no reason given'}")
        time.sleep(0.2)


__all__ = ["ARTIFACT_BUCKET", "deploy_stack", "function_code_dirs", "load_template", "package",
           "transform_template", "with_code_uris", "zip_dir"]
