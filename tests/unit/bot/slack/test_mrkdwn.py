"""Slack mrkdwn: text from outside is shown as typed; the bot's own mentions and links stay markup."""

from __future__ import annotations

import pytest

from bot.slack.mrkdwn import cut_lines, escape, link, mention


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<https://evil.example|click>", "&lt;https://evil.example|click&gt;"),
        ("a & b", "a &amp; b"),
        ("&lt;", "&amp;lt;"),
        ("*bold* and `code`", "*bold* and `code`"),
    ],
)
def test_escape(raw: str, expected: str) -> None:
    assert expected == escape(raw)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("U0123ABCD", "<@U0123ABCD>"),
        ("W0AB", "<@W0AB>"),
        ("rule:cpu-hot", "`rule:cpu-hot`"),
        ("<!here>", "`&lt;!here&gt;`"),
    ],
)
def test_mention_only_for_user_ids(actor: str, expected: str) -> None:
    assert expected == mention(actor)


def test_a_link_escapes_its_parts_and_cannot_be_closed_early_by_its_label() -> None:
    assert "<https://grafana.example/d?a=1&amp;b=2|web-1 ¦ &lt;x&gt;>" == link(
        "https://grafana.example/d?a=1&b=2", "web-1 | <x>"
    )


def test_short_text_is_not_cut() -> None:
    assert "one\ntwo" == cut_lines("one\ntwo", 100)


def test_long_text_is_cut_at_a_line_with_the_count_of_lines_left_out() -> None:
    text = "\n".join(f"line {i:02d}" for i in range(20))

    cut = cut_lines(text, 60)

    assert "line 00\nline 01\nline 02\nline 03\nline 04\n… 15 more lines" == cut


def test_a_single_overlong_line_is_cut_inside_with_the_marker() -> None:
    cut = cut_lines("x" * 500, 100)

    assert 100 == len(cut)
    assert cut.endswith("\n… 1 more line")
