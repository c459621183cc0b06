"""Build the deployable Lambda artifacts: `sam build` over template.yaml, whose functions use SAM's makefile
builder (functions/Makefile: each function's package, `activecare` and its pinned wheels, cross-installed
for python3.13 x86_64, so this works on any host Python).

    build_functions(force=False)   .aws-sam/build (template.yaml + one directory per function); skipped when
                                   the template, functions/ sources and requirement files are unchanged
    function_dirs(build_dir)       LogicalId -> that function's built directory, from the built template
    build_host_artifacts(force)    the same artifacts for this machine's interpreter (.aws-sam/host/<package>)
                                   and boto3 as the runtime has it, to import and time them here

aws-sam-cli lives in its own venv (.venv-sam, created on demand): its pins clash with the dev venv's.
Run: python -m infra.build [--force]
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
FUNCTIONS_DIR = ROOT / "functions"
SAM_DIR = ROOT / ".aws-sam"
BUILD_DIR = SAM_DIR / "build"
HOST_DIR = SAM_DIR / "host"
SAM_VENV = ROOT / ".venv-sam"
SAM_CLI = "aws-sam-cli==1.170.0"
STAMP = ".inputs.sha256"
RUNTIME_LAYER = "_runtime"  # in build_host_artifacts: what Lambda's python3.13 runtime brings
_SKIP_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def _sources() -> Iterator[Path]:
    """functions/ as the artifacts take it (the operator CLI and the ports' in-memory fakes are not packaged:
    functions/Makefile)."""
    for path in sorted(FUNCTIONS_DIR.rglob("*")):
        rel = path.relative_to(FUNCTIONS_DIR).parts
        if (path.is_file() and not _SKIP_PARTS & set(rel) and not rel[0].endswith(".egg-info")
                and rel[:2] != ("activecare", "cli") and not _is_fake(rel) and path.suffix != ".pyc"):
            yield path


def _is_fake(rel: tuple[str, ...]) -> bool:
    """activecare/<package>/memory.py: an in-memory fake of a port, for tests only."""
    return rel[0] == "activecare" and len(rel) > 2 and rel[-1] == "memory.py"


def inputs_digest() -> str:
    """SHA-256 over what the artifacts are made of: the template, functions/ (sources, data, Makefile,
    requirement files) and this file (the SAM CLI pin, the build's flags)."""
    digest = hashlib.sha256()
    for path in [TEMPLATE, Path(__file__).resolve(), *_sources()]:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@contextmanager
def _locked(name: str) -> Iterator[None]:
    """One build at a time per checkout (tests in parallel processes share the build dir)."""
    SAM_DIR.mkdir(exist_ok=True)
    with (SAM_DIR / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _python(venv_dir: Path) -> Path:
    return venv_dir / "bin" / "python"


def sam_executable() -> Path:
    """The `sam` of .venv-sam, creating the venv and installing the pinned aws-sam-cli on first use."""
    marker = SAM_VENV / ".installed"
    if not (marker.is_file() and marker.read_text() == SAM_CLI):
        with _locked("venv-sam"):
            if not (marker.is_file() and marker.read_text() == SAM_CLI):
                venv.create(SAM_VENV, with_pip=True, clear=True)  # its pip also runs functions/Makefile's installs
                # --no-compile: ~25 s instead of ~2 min 15 s from pip's cache; sam compiles what it imports once.
                subprocess.run([_python(SAM_VENV), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                "--no-compile", SAM_CLI], check=True)
                marker.write_text(SAM_CLI)
    return SAM_VENV / "bin" / "sam"


def _up_to_date(out: Path, digest: str) -> bool:
    stamp = out / STAMP
    return stamp.is_file() and stamp.read_text() == digest


def build_functions(force: bool = False) -> Path:
    """`sam build` into .aws-sam/build unless its inputs are unchanged since the last build; the build dir."""
    digest = inputs_digest()
    with _locked("build"):
        if not force and _up_to_date(BUILD_DIR, digest) and (BUILD_DIR / "template.yaml").is_file():
            return BUILD_DIR
        sam = sam_executable()
        shutil.rmtree(BUILD_DIR, ignore_errors=True)
        env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "PYTHON": str(_python(SAM_VENV))}
        subprocess.run([sam, "build", "--template-file", TEMPLATE, "--build-dir", BUILD_DIR, "--parallel"],
                       cwd=ROOT, env=env, check=True)
        (BUILD_DIR / STAMP).write_text(digest)
    return BUILD_DIR


def _function_resources(template: Path) -> dict[str, dict]:
    doc = yaml_parse(template.read_text(encoding="utf-8"))
    return {k: v for k, v in doc["Resources"].items() if v.get("Type") == "AWS::Serverless::Function"}


def function_dirs(build_dir: Path = BUILD_DIR) -> dict[str, Path]:
    """LogicalId -> the function's artifact directory, as the built template points at it."""
    return {name: (build_dir / res["Properties"]["CodeUri"]).resolve()
            for name, res in _function_resources(build_dir / "template.yaml").items()}


def handler_packages(template: Path = TEMPLATE) -> dict[str, str]:
    """LogicalId -> its handler package (`poller` for `poller.app.handler`)."""
    return {name: res["Properties"]["Handler"].split(".", 1)[0] for name, res in _function_resources(template).items()}


def build_host_artifacts(force: bool = False) -> dict[str, Path]:
    """The same Makefile targets installed for this interpreter instead of python3.13, plus `_runtime`: boto3
    and botocore as the Lambda runtime provides them (on sys.path after the function's code, as in Lambda).
    Package -> directory. Only for running the artifacts here (imports, benchmarks); never deployed."""
    digest = inputs_digest() + sys.version
    out = {pkg: HOST_DIR / pkg for pkg in handler_packages().values()}
    out[RUNTIME_LAYER] = HOST_DIR / RUNTIME_LAYER
    with _locked("host"):
        if force or not _up_to_date(HOST_DIR, digest):
            shutil.rmtree(HOST_DIR, ignore_errors=True)
            for name, pkg in handler_packages().items():
                subprocess.run(["make", "--quiet", f"build-{name}", f"ARTIFACTS_DIR={out[pkg]}",
                                f"PYTHON={sys.executable}", "CROSS_TARGET=--only-binary=:all:"],
                               cwd=FUNCTIONS_DIR, check=True, stdout=subprocess.DEVNULL)
            try:
                boto3 = f"boto3=={metadata.version('boto3')}"
            except metadata.PackageNotFoundError:
                boto3 = "boto3"
            # Compiled, as the runtime's own copy is: only the function's code comes without bytecode.
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "--only-binary=:all:", "--target", out[RUNTIME_LAYER], boto3], check=True)
            (HOST_DIR / STAMP).write_text(digest)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if the inputs are unchanged")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    build_dir = build_functions(force=args.force)
    print(f"{build_dir.relative_to(ROOT)} ready in {time.perf_counter() - start:.1f}s")
    for name, path in function_dirs(build_dir).items():
        print(f"  {name:18} {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
