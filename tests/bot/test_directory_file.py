"""Reading the account directory file: its header, its rows and the errors reported by line."""

from __future__ import annotations

import pytest

from bot.directory.service import (
    DirectoryRow,
    ImportReport,
    RowError,
)
from tests.bot.test_directory import HATS, HEADER, SHOES, csv, errors_of, parsed_rows

# -- the file ---------------------------------------------------------------------------------


def test_a_row_becomes_an_account_with_lower_cased_emails() -> None:
    rows = parsed_rows(csv(SHOES.replace("ana@", "Ana@").replace(",true,", ",TRUE,"), HATS))

    assert rows[0] == DirectoryRow(
        line=2,
        account_id="7012345",
        account_name="Acme Shoes Ads",
        platform="tiktok_business",
        managed=True,
        account_manager_email="dana@example.com",
        member_emails=("ana@example.com", "raj@example.com"),
    )
    assert rows[1].managed is False
    assert rows[1].account_manager_email is None  # an unmanaged account needs no manager


def test_a_byte_order_mark_is_accepted() -> None:
    assert len(parsed_rows("\ufeff" + csv(SHOES))) == 1


def test_empty_member_emails_and_blank_lines_are_fine() -> None:
    rows = parsed_rows(csv("1,Solo,tiktok_business,false,,", "", ",,,,,"))
    assert rows[0].member_emails == ()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "account_id,account_name,platform,managed,account_manager_email\n" + SHOES + "\n",
        "id,name,platform,managed,manager,members\n" + SHOES + "\n",
        SHOES + "\n",
    ],
    ids=["empty", "missing column", "wrong names", "no header"],
)
def test_a_wrong_or_missing_header_is_one_clear_error(text: str) -> None:
    [error] = errors_of(text)
    assert error.startswith("line 1: ")
    assert HEADER in error


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (SHOES.replace(",true,", ",yes,"), "managed must be true or false (found 'yes')"),
        (SHOES.replace("dana@example.com", ""), "a managed account needs an account_manager_email"),
        (SHOES.replace("dana@example.com", "dana@example"), "'dana@example' is not a valid email"),
        (SHOES.replace("raj@example.com", "raj@@example.com"), "'raj@@example.com' is not a valid"),
        (SHOES.replace("raj@example.com", "raj smith@example.com"), "'raj smith@example.com'"),
        (SHOES.replace("7012345", ""), "account_id is empty"),
        (SHOES.replace("7012345", "7" * 65), "account_id is longer than 64 characters"),
        (SHOES.replace("Acme Shoes Ads", ""), "account_name is empty"),
        (SHOES.replace("Acme Shoes Ads", "A" * 201), "account_name is longer than 200 characters"),
        (SHOES.replace("tiktok_business", ""), "platform is empty"),
        (SHOES.replace("tiktok_business", "TikTok"), "lowercase letters, digits and underscores"),
        (SHOES.replace("tiktok_business", "t" * 65), "platform is longer than 64 characters"),
        (SHOES + ",extra", "expected 6 fields, found 7"),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_reason(row: str, reason: str) -> None:
    [error] = errors_of(csv(HATS, row))
    assert error.startswith("line 3: ")
    assert reason in error


def test_the_same_account_twice_is_an_error_on_the_second_line() -> None:
    again = SHOES.replace("Acme Shoes Ads", "Acme Shoes Ads (again)")
    other_platform = SHOES.replace("tiktok_business", "meta_business")

    assert errors_of(csv(SHOES, HATS, other_platform, again)) == [
        "line 5: account 7012345 on tiktok_business is listed twice (first on line 2)"
    ]


def test_line_numbers_are_physical_lines_even_after_a_quoted_line_break() -> None:
    text = csv('7000001,"Acme\nShoes",tiktok_business,false,,', HATS.replace(",false,", ",maybe,"))

    assert errors_of(text) == ["line 4: managed must be true or false (found 'maybe')"]


def test_the_report_of_a_bad_file_lists_every_line() -> None:
    report = ImportReport(source="a.csv", errors=(RowError(3, "x"), RowError(7, "y")))

    assert report.lines() == ["line 3: x", "line 7: y", "a.csv: nothing was imported (2 bad lines)"]
