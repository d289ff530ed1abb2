"""The duplicate-page check of admin uploads (``bot.admin.pages``), on real files.

A page name that differs from one on disk only in case or character width (full-width
letters and digits, as Chinese input methods type them) *is* that page: the upload must be
offered as a replacement of the file on disk, never saved as a second copy of its articles.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests_paths import SECOND_PAGE, SEEDS

from bot.admin.pages import Rejected, check_upload, page_key, safe_page_name, same_page

SHIPPED = "000_1137eb7e6b31fe41.txt"
FULL_WIDTH = "０００_１１３７ＥＢ７Ｅ６Ｂ３１ＦＥ４１.txt"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    directory = tmp_path / "seeds"
    shutil.copytree(SEEDS, directory)
    return directory


@pytest.mark.parametrize(
    "sent",
    [
        SHIPPED,
        "000_1137EB7E6B31FE41.txt",
        "000_1137Eb7e6B31fE41.TXT",
        FULL_WIDTH,
        "０００＿１１３７ｅｂ７ｅ６ｂ３１ｆｅ４１.txt",  # full-width low line too
    ],
)
def test_an_upload_named_like_a_page_on_disk_is_that_page(seeds: Path, sent: str) -> None:
    before = sorted(p.name for p in seeds.iterdir())
    name = safe_page_name(sent)
    page = check_upload(seeds, name, (SEEDS / SHIPPED).read_bytes())
    assert page.exists, f"{sent!r} was not recognised as {SHIPPED}"
    assert page.name == SHIPPED  # a confirmed overwrite replaces the file on disk
    assert sorted(p.name for p in seeds.iterdir()) == before  # checking writes nothing


@pytest.mark.parametrize(
    "sent", ["000_1137EB7E6B31FE41.md", "０００_１１３７ｅｂ７ｅ６ｂ３１ｆｅ４１.md"]
)
def test_another_suffix_of_the_same_stem_in_another_case_is_refused(
    seeds: Path, sent: str
) -> None:
    with pytest.raises(Rejected) as caught:
        check_upload(seeds, safe_page_name(sent), (SEEDS / SHIPPED).read_bytes())
    assert caught.value.key == "admin_upload_stem_taken"
    assert caught.value.values["other"] == SHIPPED


def test_a_new_page_is_still_new(seeds: Path) -> None:
    raw = (SECOND_PAGE / "001_second_page.txt").read_bytes()
    page = check_upload(seeds, "001_second_page.txt", raw)
    assert (page.exists, page.name) == (False, "001_second_page.txt")


def test_an_exact_match_wins_over_a_case_variant_on_disk(seeds: Path) -> None:
    shutil.copy(seeds / SHIPPED, seeds / "000_1137EB7E6B31FE41.txt")  # made by hand, earlier
    assert same_page(seeds, "000_1137EB7E6B31FE41.txt") == "000_1137EB7E6B31FE41.txt"
    assert same_page(seeds, SHIPPED) == SHIPPED
    assert same_page(seeds, FULL_WIDTH) in {SHIPPED, "000_1137EB7E6B31FE41.txt"}
    assert same_page(seeds, "999_other.txt") is None


def test_page_key_folds_case_and_width_only() -> None:
    assert page_key(FULL_WIDTH) == page_key("000_1137eb7e6b31fe41.TXT") == SHIPPED
    assert page_key("湖南日报.txt") == "湖南日报.txt"
    assert page_key("a.txt") != page_key("b.txt")
