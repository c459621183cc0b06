"""The deployable artifacts build here: `sam build` (infra/build.py, functions/Makefile) gives each function
its own directory, cross-installed for python3.13 x86_64, with only what that function needs.

The first run installs aws-sam-cli into .venv-sam and builds (about a minute); later runs reuse the build
while template.yaml and functions/ are unchanged."""

from __future__ import annotations

import ast
import subprocess
import sys
import sysconfig
import time
import zipfile
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from infra.build import build_functions, build_host_artifacts, function_dirs, handler_packages

FUNCTIONS = ("PollerFunction", "WorkerFunction", "DeskFunction", "ReporterFunction", "PublisherFunction",
             "CampaignFunction", "WebhookFunction", "ComplianceFunction",
             "FormFunction", "MailinFunction",  # these two: the e-mail form (issue #19)
             "OutageFunction")
# The functions whose services reach X (activecare/wiring.py: Runtime.twitter / poster / campaign's adapter).
CALLS_X = {"PollerFunction", "WorkerFunction", "DeskFunction", "PublisherFunction", "CampaignFunction",
           "ComplianceFunction", "OutageFunction"}
# In Lambda's python3.13 runtime (/var/runtime): boto3, botocore and their dependencies.
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
# Lambda allows 250 MB unzipped; the measured artifacts are ~13 MB (reporter) and ~17 MB (the X callers).
BUDGET_MB = 30
LAMBDA_ENV = {"PATH": "/usr/bin:/bin", "AWS_REGION": "ap-northeast-1", "AWS_DEFAULT_REGION": "ap-northeast-1"}
PY313_LINUX = {"python_version": "3.13", "python_full_version": "3.13.0", "implementation_name": "cpython",
               "platform_python_implementation": "CPython", "sys_platform": "linux", "platform_system": "Linux",
               "platform_machine": "x86_64", "os_name": "posix", "extra": ""}


@pytest.fixture(scope="module")
def artifacts() -> dict[str, Path]:
    start = time.perf_counter()
    build_dir = build_functions()
    print(f"\nbuild_functions(): {time.perf_counter() - start:.1f}s -> {build_dir}")
    return function_dirs(build_dir)


def _size(path: Path) -> tuple[int, int]:
    """(unzipped, zipped) bytes, zipped as `sam package` does (deflate)."""
    files = [p for p in sorted(path.rglob("*")) if p.is_file()]
    unzipped = sum(p.stat().st_size for p in files)
    zip_path = path.parent / f".{path.name}.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in files:
            zf.write(p, p.relative_to(path).as_posix())
    zipped = zip_path.stat().st_size
    zip_path.unlink()
    return unzipped, zipped


def test_the_built_template_points_each_function_at_its_own_artifact(artifacts: dict[str, Path]) -> None:
    assert set(artifacts) == set(FUNCTIONS)
    assert len(set(artifacts.values())) == len(FUNCTIONS)
    for name, path in artifacts.items():
        assert path.name == name and path.is_dir(), path


def test_each_artifact_holds_its_handler_and_the_domain_package(artifacts: dict[str, Path]) -> None:
    packages = handler_packages()
    for name, path in artifacts.items():
        assert (path / packages[name] / "app.py").is_file(), name
        assert (path / "activecare" / "wiring.py").is_file(), name
        for data in ("keywords.csv", "content_calendar.csv", "reply_templates.json", "report_routing.json"):
            assert (path / "activecare" / "data" / data).is_file(), (name, data)
        assert not (path / "activecare" / "cli").exists(), f"{name}: the operator CLI is not deployed"
        others = set(packages.values()) - {packages[name]}
        assert not [p for p in others if (path / p).exists()], f"{name} carries another function's handler"


@cache
def _activecare_imports(source: str) -> tuple[str, ...]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
    return tuple(m for m in found if m.split(".")[0] == "activecare")


def test_no_in_memory_fake_is_deployed(artifacts: dict[str, Path]) -> None:
    """The ports' fakes (activecare/*/memory.py) are for tests: no runtime code imports them (the next test
    would find such an import unresolved), and no artifact carries one."""
    for name, path in artifacts.items():
        fakes = sorted(p.relative_to(path).as_posix() for p in (path / "activecare").rglob("memory.py"))
        assert not fakes, f"{name} carries the in-memory fakes {fakes}"


def test_every_activecare_import_resolves_inside_the_artifact(artifacts: dict[str, Path]) -> None:
    """Every `activecare.*` import, also the lazy ones inside functions, names a packaged module."""
    for name, path in artifacts.items():
        for source in [*(path / "activecare").rglob("*.py"), *(path / handler_packages()[name]).rglob("*.py")]:
            for module in _activecare_imports(source.read_text(encoding="utf-8")):
                base = path.joinpath(*module.split("."))
                assert base.with_suffix(".py").is_file() or (base / "__init__.py").is_file(), \
                    f"{name}: {source.relative_to(path)} imports {module}, which is not packaged"


def test_tweepy_only_where_x_is_called(artifacts: dict[str, Path]) -> None:
    with_tweepy = {name for name, path in artifacts.items() if (path / "tweepy").is_dir()}
    assert with_tweepy == CALLS_X
    assert not (artifacts["ReporterFunction"] / "requests").exists()


def test_no_runtime_provided_or_development_files(artifacts: dict[str, Path]) -> None:
    for name, path in artifacts.items():
        for pkg in ("boto3", "botocore", "s3transfer"):
            assert not (path / pkg).exists(), f"{name} packages {pkg}, which the runtime has"
        for pattern in ("__pycache__", "*.pyc", "tests", "test", "*.egg-info", "bin"):
            found = [p.relative_to(path).as_posix() for p in path.rglob(pattern)]
            assert not found, f"{name}: {found[:5]}"


def test_packaged_requirements_are_met_for_python313(artifacts: dict[str, Path]) -> None:
    """The pinned --no-deps installs are a closed set: every requirement of every packaged distribution is
    packaged in a matching version or comes with the runtime."""
    for name, path in artifacts.items():
        dists = {d.metadata["Name"].lower().replace("_", "-"): d for d in metadata.distributions(path=[str(path)])}
        assert {"aws-lambda-powertools", "pydantic", "pydantic-core", "pynamodb"} <= set(dists), name
        for dist in dists.values():
            for spec in dist.requires or []:
                req = Requirement(spec)
                if req.marker and not req.marker.evaluate(PY313_LINUX):
                    continue
                key = req.name.lower().replace("_", "-")
                if key in dists:
                    assert req.specifier.contains(dists[key].version, prereleases=True), (name, dist.name, spec)
                else:
                    assert key in RUNTIME_PROVIDED, f"{name}: {dist.metadata['Name']} needs {spec}, not packaged"


def test_binary_wheels_are_cp313_manylinux_x86_64(artifacts: dict[str, Path]) -> None:
    for name, path in artifacts.items():
        (core,) = path.glob("pydantic_core/_pydantic_core*.so")
        assert core.name.endswith(".cpython-313-x86_64-linux-gnu.so"), core.name
        elf = core.read_bytes()[:20]
        assert elf[:4] == b"\x7fELF" and int.from_bytes(elf[18:20], "little") == 0x3E, "not an x86_64 ELF"
        (wheel,) = path.glob("pydantic_core-*.dist-info/WHEEL")
        assert "Tag: cp313-cp313-manylinux_2_17_x86_64" in wheel.read_text(), wheel.read_text()
        for so in path.rglob("*.so"):  # any other extension module too
            assert so.name.endswith((".cpython-313-x86_64-linux-gnu.so", ".abi3.so")), f"{name}: {so}"


def test_each_artifact_is_far_under_lambdas_limit(artifacts: dict[str, Path]) -> None:
    for name, path in artifacts.items():
        unzipped, zipped = _size(path)
        print(f"{name:18} {unzipped / 1e6:5.1f} MB unzipped, {zipped / 1e6:4.1f} MB zipped")
        assert unzipped < BUDGET_MB * 1e6, f"{name}: {unzipped / 1e6:.1f} MB"


def test_handlers_import_from_their_own_artifact_alone() -> None:
    """The same pins built for this interpreter (the 3.13 wheels cannot load on 3.11): each handler imports
    with nothing on sys.path but its artifact and the runtime's boto3, and the reporter wires its service
    without loading X's client."""
    dirs = build_host_artifacts()
    stdlib = {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
    for name, pkg in handler_packages().items():
        code = (
            "import sys\n"
            f"sys.path[:0] = [{str(dirs[pkg])!r}, {str(dirs['_runtime'])!r}]\n"
            f"import {pkg}.app\n"
            + ("from activecare.wiring import runtime\nruntime().reporter()\n" if pkg == "reporter" else "")
            + "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
            "print('FILES', *sorted({getattr(m, '__file__', None) or '' for m in list(sys.modules.values())}),"
            " sep='\\n')\n"
        )
        # -I -S: no site-packages, no PYTHONPATH; bytecode cached beside, never inside, the artifacts.
        pycache = f"pycache_prefix={dirs[pkg].parent / '_pycache' / pkg}"
        out = subprocess.run([sys.executable, "-I", "-S", "-X", pycache, "-c", code], env={**LAMBDA_ENV,
                             "POWERTOOLS_SERVICE_NAME": pkg}, capture_output=True, text=True, check=False)
        assert out.returncode == 0, f"{name}:\n{out.stderr[-3000:]}"
        tops, files = out.stdout.split("FILES\n")
        roots = (str(dirs[pkg]), str(dirs["_runtime"]), *stdlib)
        strays = [f for f in files.splitlines() if f and not f.startswith(roots)]
        assert not strays, f"{name} imported from outside its artifact: {strays[:5]}"
        if name not in CALLS_X:
            assert not {"tweepy", "requests"} & set(tops.split()), f"{name} loads X's client"
