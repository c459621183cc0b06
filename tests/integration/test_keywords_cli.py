"""`activecare keywords ...` against the local stack: ops change keywords without a deploy."""

from __future__ import annotations

from pathlib import Path

import pytest

from activecare.cli import main
from activecare.keywords.catalogue import Catalogue, default_catalogue
from activecare.keywords.dynamo import load_catalogue_rows
from infra.local_stack import LocalStack

HEADER = "topic,department,account,kind,term,note\n"


def test_export_then_import_round_trips(stack: LocalStack, tmp_path: Path) -> None:
    out = tmp_path / "keywords.csv"
    assert main(["keywords", "export", str(out)]) == 0
    assert main(["keywords", "import", str(out)]) == 0
    assert Catalogue.from_items(load_catalogue_rows()) == default_catalogue()


def test_an_edit_reaches_the_poller_without_a_deploy(stack: LocalStack, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    small = tmp_path / "small.csv"
    small.write_text(HEADER + "signal,network,signal,keyword,圏外,\nwifi,home_internet,wifi,keyword,ワイファイ,\n",
                     encoding="utf-8")
    assert main(["keywords", "import", str(small)]) == 0
    assert "removed 19 stale topics" in capsys.readouterr().out
    stack.runtime.settings = stack.runtime.settings.model_copy(update={"keyword_cache_s": 0})
    catalogue, _, queries = stack.runtime.listening()
    assert sum(len(t.keywords) for t in catalogue.topics) == 2
    assert len(queries) == 1 and "圏外" in queries[0].query


def test_invalid_file_is_rejected_with_line_and_reason_and_nothing_written(
        stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = load_catalogue_rows()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "signal,network,signal,keyword,圏外,\nsignal,network,sigal,keyword,電波,\n"
                   "wifi,home_internet,wifi,keywrd,ワイファイ,\n", encoding="utf-8")
    assert main(["keywords", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv:3:" in err and "sigal" in err
    assert "bad.csv:4:" in err and "keywrd" in err
    assert load_catalogue_rows() == before
