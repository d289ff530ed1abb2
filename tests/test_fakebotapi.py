"""Tests of the fake Telegram Bot API server itself (tests/fakebotapi.py).

Why: the bot's end-to-end tests trust this fake to refuse what Telegram refuses and to accept what
Telegram accepts. If the fake were too lenient, bugs would reach production; if it were too
strict or wrong, the bot would be bent around a fake. So its validation, its wire formats and
its fault injection are pinned here, mostly over raw HTTP (httpx), and once through the real
python-telegram-bot ``Bot`` and ``Application`` to prove that PTB sees what it would see from
Telegram.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
import telegram
from fakebotapi import (
    EntityParseError,
    FakeBotAPI,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
    utf16_len,
)
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

Call = Callable[..., httpx.Response]


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as http:
        yield http


def ptb_form(params: dict[str, Any]) -> dict[str, str]:
    """Encode params the way PTB's HTTPXRequest does: strings verbatim, the rest as JSON."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}


@pytest.fixture
def api(fake: FakeBotAPI, client: httpx.Client) -> Call:
    """POST a Bot API method form-encoded, exactly like PTB does without files."""

    def call(method: str, **params: Any) -> httpx.Response:
        return client.post(f"{fake.base_url}{fake.token}/{method}", data=ptb_form(params))

    return call


def error_of(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["ok"] is False
    assert body["error_code"] == response.status_code
    return response.status_code, body["description"]


# ------------------------------------------------------------------------------ URL and params


def test_get_me_any_http_method_and_case(fake: FakeBotAPI, client: httpx.Client) -> None:
    for response in (
        client.get(f"{fake.base_url}{fake.token}/getMe"),
        client.post(f"{fake.base_url}{fake.token}/GETME"),
        client.post(f"{fake.base_url}{fake.token}/getme", json={}),
    ):
        assert response.status_code == 200
        me = response.json()["result"]
        assert me["id"] == fake.bot_id
        assert me["is_bot"] is True
        assert me["username"] == "newsbot_test_bot"
    assert [r.method for r in fake.requests] == ["getMe"] * 3
    assert fake.rejected() == []


def test_wrong_token_unknown_and_unimplemented_methods(
    fake: FakeBotAPI, client: httpx.Client
) -> None:
    wrong = client.post(f"{fake.base_url}999:WRONG/getMe")
    assert error_of(wrong) == (401, "Unauthorized")
    unknown = client.post(f"{fake.base_url}{fake.token}/sendMesage")
    assert error_of(unknown) == (404, "Not Found")
    unimplemented = client.post(f"{fake.base_url}{fake.token}/sendPhoto")
    assert unimplemented.status_code == 501
    assert [(m, d) for m, _p, d in fake.rejected()] == [
        ("getMe", "Unauthorized"),
        ("sendMesage", "Not Found"),
        ("sendPhoto", "Not Implemented: the fake Bot API has no sendPhoto"),
    ]


def test_params_round_trip_in_every_encoding(fake: FakeBotAPI, client: httpx.Client) -> None:
    fake.add_chat(1001)
    url = f"{fake.base_url}{fake.token}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a:1"}]]}
    expected = {
        "chat_id": 1001,
        "text": "123",
        "disable_notification": True,
        "reply_markup": markup,
    }
    ptb_style = ptb_form(expected)
    assert ptb_style["text"] == "123" and ptb_style["chat_id"] == "1001"
    responses = [
        client.post(url, data=ptb_style),
        client.post(url, json=expected),
        client.post(url, json={**expected, "reply_markup": json.dumps(markup)}),
        client.post(url, data=ptb_style, files={"unused": ("x.txt", b"x", "text/plain")}),
        client.get(url, params=ptb_style),
    ]
    for response in responses:
        assert response.status_code == 200, response.text
        message = response.json()["result"]
        assert message["text"] == "123"
        assert message["reply_markup"] == markup
    for params in fake.calls("sendMessage"):
        params.pop("unused", None)
        assert params == expected
    assert fake.rejected() == []


# ------------------------------------------------------------------------------ HTML parsing


def test_parse_html_plain_text_and_utf16_entities() -> None:
    text, entities = parse_html(
        '😀 <b>粗<i>体</i></b> &lt;&gt;&amp;&quot;&#65;&#x1F600; <a href="https://e.com/?a=1&b=2">链接</a>'
    )
    assert text == '😀 粗体 <>&"A😀 链接'
    assert utf16_len(text) == 16
    assert entities == [
        {"type": "bold", "offset": 3, "length": 2},
        {"type": "italic", "offset": 4, "length": 1},
        {"type": "text_link", "offset": 14, "length": 2, "url": "https://e.com/?a=1&b=2"},
    ]


def test_parse_html_all_supported_tags() -> None:
    html = (
        "<strong>b</strong><em>i</em><u>u</u><ins>u</ins><s>s</s><strike>s</strike><del>s</del>"
        '<tg-spoiler>p</tg-spoiler><span class="tg-spoiler">p</span><code>c</code>'
        '<pre><code class="language-python">x = 1</code></pre><pre>raw</pre>'
        "<blockquote>q</blockquote><blockquote expandable>e</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><a href="tg://user?id=42">m</a>'
    )
    text, entities = parse_html(html)
    assert text == "biuusssppcx = 1rawqe👍m"
    types = [(e["type"], e.get("language")) for e in entities]
    assert types == [
        ("bold", None),
        ("italic", None),
        ("underline", None),
        ("underline", None),
        ("strikethrough", None),
        ("strikethrough", None),
        ("strikethrough", None),
        ("spoiler", None),
        ("spoiler", None),
        ("code", None),
        ("pre", "python"),
        ("pre", None),
        ("blockquote", None),
        ("expandable_blockquote", None),
        ("custom_emoji", None),
        ("text_mention", None),
    ]
    assert entities[-2]["custom_emoji_id"] == "5368324170671202286"
    assert entities[-1]["user"]["id"] == 42


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("hello world <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 12'),
        ("新闻 <p>x</p>", 'Unsupported start tag "p" at byte offset 7'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x" =y>z</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        (
            "<a href>z</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        ),
        ("<tg-emoji emoji-id=abc>x</tg-emoji>", "Invalid custom emoji identifier specified"),
        ("AT&T", 'Unescaped "&" at byte offset 2; use "&amp;" for a literal "&"'),
        ("a&nbsp;b", 'Unescaped "&" at byte offset 1; use "&amp;" for a literal "&"'),
        ("&amp x", 'Unterminated character reference "&amp" at byte offset 0; add ";"'),
        ("3 > 2", 'Unescaped ">" at byte offset 2; use "&gt;" for a literal ">"'),
        ("<a>https://e.com</a>", 'Tag "a" must have an "href" attribute at byte offset 0'),
        ('<a href="javascript:x">z</a>', 'Invalid URL "javascript:x" in tag "a" at byte offset 0'),
    ],
)
def test_parse_html_refusals(html: str, message: str) -> None:
    with pytest.raises(EntityParseError) as info:
        parse_html(html)
    assert str(info.value) == message


def test_parse_html_non_strict_is_as_lenient_as_telegram() -> None:
    text, entities = parse_html("AT&T 3 > 2 &nbsp; <a>https://e.com</a>", strict=False)
    assert text == "AT&T 3 > 2 &nbsp; https://e.com"
    assert entities == [{"type": "text_link", "offset": 18, "length": 13, "url": "https://e.com"}]


def test_markdown_parsers() -> None:
    text, entities = parse_markdown_v2(r"*b* _i_ __u__ ~s~ ||p|| `c` [l](https://e.com) 1\.5")
    assert text == "b i u s p c l 1.5"
    assert [e["type"] for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
    ]
    with pytest.raises(EntityParseError, match=r"Character '\.' is reserved"):
        parse_markdown_v2("1.5")
    with pytest.raises(EntityParseError, match="Can't find end of Bold entity at byte offset 0"):
        parse_markdown_v2("*bold")
    assert parse_markdown("*b* _i_ [l](https://e.com)")[0] == "b i l"
    with pytest.raises(EntityParseError, match="starting at byte offset 2"):
        parse_markdown("a *b")


# ------------------------------------------------------------------------------ sendMessage


def test_send_message_builds_a_telegram_message(fake: FakeBotAPI, api: Call) -> None:
    update = fake.push_message("你好")
    assert update["message"]["message_id"] == 1
    markup = {"inline_keyboard": [[{"text": "更多", "callback_data": "more"}]]}
    html = "<b>答案</b>：见 /help 与 https://e.com/x\n<blockquote>原文</blockquote>  \n"
    response = api("sendMessage", chat_id=1001, text=html, parse_mode="HTML", reply_markup=markup)
    message = response.json()["result"]
    assert message["message_id"] == 2  # ids are per chat, shared with the user's messages
    assert message["from"] == fake.bot_user
    assert message["chat"] == {
        "id": 1001,
        "type": "private",
        "first_name": "Tester",
        "username": "tester",
    }
    assert isinstance(message["date"], int)
    assert message["text"] == "答案：见 /help 与 https://e.com/x\n原文"  # trailing space trimmed
    assert message["entities"] == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "bot_command", "offset": 5, "length": 5},
        {"type": "url", "offset": 13, "length": 15},
        {"type": "blockquote", "offset": 29, "length": 2},
    ]
    assert message["reply_markup"] == markup
    assert "html" not in message
    sent = fake.sent_messages(1001)
    assert len(sent) == 1
    assert sent[0]["html"] == html
    assert sent[0]["parse_mode"] == "HTML"
    assert sent[0]["deleted"] is False
    assert fake.sent_messages(2002) == []
    assert fake.rejected() == []


def test_send_message_refuses_bad_html(fake: FakeBotAPI, api: Call) -> None:
    fake.add_chat(1001)
    response = api("sendMessage", chat_id=1001, text="hello world <foo>", parse_mode="HTML")
    assert error_of(response) == (
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 12',
    )
    response = api("sendMessage", chat_id=1001, text="<b>x<i>y</b></i>", parse_mode="html")
    assert "Unmatched end tag at byte offset 8" in error_of(response)[1]
    response = api("sendMessage", chat_id=1001, text="<b>x", parse_mode="HTML")
    assert error_of(response)[1].startswith("Bad Request: can't parse entities: Can't find end")
    response = api("sendMessage", chat_id=1001, text="x", parse_mode="XML")
    assert error_of(response) == (400, "Bad Request: unsupported parse_mode")
    assert [m for m, _p, _d in fake.rejected()] == ["sendMessage"] * 4
    assert fake.sent_messages() == []


def test_send_message_length_is_counted_after_parsing_in_utf16(
    fake: FakeBotAPI, api: Call
) -> None:
    fake.add_chat(1001)
    long_raw_short_text = "<b>新</b>" * 1000  # 8,000 characters of HTML, 1,000 of text
    ok = api("sendMessage", chat_id=1001, text=long_raw_short_text, parse_mode="HTML")
    assert ok.status_code == 200
    assert len(ok.json()["result"]["text"]) == 1000
    assert api("sendMessage", chat_id=1001, text="新" * 4096).status_code == 200
    assert api("sendMessage", chat_id=1001, text="😀" * 2048).status_code == 200
    too_long = [
        api("sendMessage", chat_id=1001, text="新" * 4097),
        api("sendMessage", chat_id=1001, text="😀" * 2049),  # 2,049 characters, 4,098 units
        api("sendMessage", chat_id=1001, text="<i>" + "&amp;" * 4097 + "</i>", parse_mode="HTML"),
    ]
    for response in too_long:
        assert error_of(response) == (400, "Bad Request: message is too long")
    for empty in ("", "   \n ", "<b> </b>"):
        response = api("sendMessage", chat_id=1001, text=empty, parse_mode="HTML")
        assert error_of(response) == (400, "Bad Request: message text is empty")
    assert len(fake.rejected()) == 6


@pytest.mark.parametrize(
    ("button", "description"),
    [
        ({"text": "x", "callback_data": "a" * 65}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "x", "callback_data": "新" * 22}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "x", "callback_data": ""}, "Bad Request: BUTTON_DATA_INVALID"),
        (
            {"text": "x"},
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in "
            "the inline keyboard",
        ),
        (
            {"callback_data": "a"},
            "Bad Request: can't parse inline keyboard button: "
            'Field "text" must be of type String',
        ),
        (
            {"text": "x", "url": "ftp://e.com"},
            "Bad Request: inline keyboard button URL 'ftp://e.com' is invalid: Unsupported URL "
            "protocol",
        ),
        (
            {"text": "x", "url": "http://localhost:8000/a"},
            "Bad Request: inline keyboard button URL 'http://localhost:8000/a' is invalid: "
            "Wrong HTTP URL",
        ),
    ],
)
def test_inline_keyboard_refusals(
    fake: FakeBotAPI, api: Call, button: dict[str, Any], description: str
) -> None:
    fake.add_chat(1001)
    markup = {"inline_keyboard": [[button]]}
    response = api("sendMessage", chat_id=1001, text="x", reply_markup=markup)
    assert error_of(response) == (400, description)
    assert len(fake.rejected()) == 1


def test_inline_keyboard_limits(fake: FakeBotAPI, api: Call) -> None:
    fake.add_chat(1001)
    exactly_64 = "新" * 21 + "a"
    rows = [[{"text": str(i), "callback_data": exactly_64}] for i in range(100)]
    ok = api("sendMessage", chat_id=1001, text="x", reply_markup={"inline_keyboard": rows})
    assert ok.status_code == 200
    rows.append([{"text": "101", "url": "https://e.com"}])
    too_many = api("sendMessage", chat_id=1001, text="x", reply_markup={"inline_keyboard": rows})
    assert error_of(too_many) == (400, "Bad Request: REPLY_MARKUP_TOO_LONG")
    two_actions = {
        "inline_keyboard": [[{"text": "x", "callback_data": "a", "url": "https://e.com"}]]
    }
    response = api("sendMessage", chat_id=1001, text="x", reply_markup=two_actions)
    assert "exactly one of the optional fields" in error_of(response)[1]


def test_other_keyboards_are_accepted_but_not_echoed(fake: FakeBotAPI, api: Call) -> None:
    fake.add_chat(1001)
    for markup in (
        {"keyboard": [["是", {"text": "否"}]], "resize_keyboard": True},
        {"remove_keyboard": True},
        {"force_reply": True},
    ):
        response = api("sendMessage", chat_id=1001, text="x", reply_markup=markup)
        assert "reply_markup" not in response.json()["result"]
    assert fake.sent_messages()[0]["reply_markup"]["keyboard"][0][0] == "是"
    bad = api("sendMessage", chat_id=1001, text="x", reply_markup="{not json")
    assert error_of(bad) == (400, "Bad Request: can't parse reply keyboard markup JSON object")


def test_replies_and_unknown_chats(fake: FakeBotAPI, api: Call) -> None:
    question = fake.push_message("问题")["message"]
    reply = api(
        "sendMessage",
        chat_id=1001,
        text="答",
        reply_parameters={"message_id": question["message_id"]},
        link_preview_options={"is_disabled": True},
    ).json()["result"]
    assert reply["reply_to_message"]["text"] == "问题"
    assert reply["link_preview_options"] == {"is_disabled": True}
    legacy = api("sendMessage", chat_id=1001, text="答", reply_to_message_id=1)
    assert legacy.status_code == 200
    missing = api("sendMessage", chat_id=1001, text="x", reply_parameters={"message_id": 99})
    assert error_of(missing) == (400, "Bad Request: message to be replied not found")
    allowed = api(
        "sendMessage",
        chat_id=1001,
        text="x",
        reply_parameters={"message_id": 99, "allow_sending_without_reply": True},
    )
    assert "reply_to_message" not in allowed.json()["result"]
    unknown = api("sendMessage", chat_id=5555, text="x")
    assert error_of(unknown) == (400, "Bad Request: chat not found")
    assert error_of(api("sendMessage", text="x")) == (400, "Bad Request: chat_id is empty")


# ------------------------------------------------------------------------------ edits, deletes


def test_edit_message_text(fake: FakeBotAPI, api: Call) -> None:
    fake.add_chat(1001)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    sent = api(
        "sendMessage", chat_id=1001, text="<b>x</b>", parse_mode="HTML", reply_markup=markup
    )
    message_id = sent.json()["result"]["message_id"]
    same = api(
        "editMessageText",
        chat_id=1001,
        message_id=message_id,
        text="<strong>x</strong>",  # different HTML, same text and entities
        parse_mode="HTML",
        reply_markup=markup,
    )
    assert error_of(same) == (
        400,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    # Without reply_markup Telegram removes the keyboard: that is a modification.
    edited = api(
        "editMessageText", chat_id=1001, message_id=message_id, text="<b>x</b>", parse_mode="HTML"
    )
    assert edited.status_code == 200
    result = edited.json()["result"]
    assert "reply_markup" not in result
    assert isinstance(result["edit_date"], int)
    again = api("editMessageReplyMarkup", chat_id=1001, message_id=message_id)
    assert error_of(again)[1].startswith("Bad Request: message is not modified")
    keyboard = api(
        "editMessageReplyMarkup", chat_id=1001, message_id=message_id, reply_markup=markup
    )
    assert keyboard.json()["result"]["reply_markup"] == markup
    missing = api("editMessageText", chat_id=1001, message_id=999, text="y")
    assert error_of(missing) == (400, "Bad Request: message to edit not found")
    user_message = fake.push_message("mine")["message"]["message_id"]
    theirs = api("editMessageText", chat_id=1001, message_id=user_message, text="y")
    assert error_of(theirs) == (400, "Bad Request: message can't be edited")
    current = fake.sent_messages(1001)[0]
    assert current["text"] == "x"
    assert current["reply_markup"] == markup


def test_delete_message(fake: FakeBotAPI, api: Call) -> None:
    fake.add_chat(1001)
    message_id = api("sendMessage", chat_id=1001, text="x").json()["result"]["message_id"]
    assert api("deleteMessage", chat_id=1001, message_id=message_id).json()["result"] is True
    again = api("deleteMessage", chat_id=1001, message_id=message_id)
    assert error_of(again) == (400, "Bad Request: message to delete not found")
    assert fake.sent_messages(1001)[0]["deleted"] is True
    group_message = fake.push_message("hi", chat_id=-100, chat_type="group")["message"]
    refused = api("deleteMessage", chat_id=-100, message_id=group_message["message_id"])
    assert error_of(refused) == (400, "Bad Request: message can't be deleted")
    fake.set_chat_admins(-100, {fake.bot_id})
    ok = api("deleteMessage", chat_id=-100, message_id=group_message["message_id"])
    assert ok.status_code == 200


# ------------------------------------------------------------------------------ chat state


def test_blocked_chat_is_refused_but_not_rejected(fake: FakeBotAPI, api: Call) -> None:
    fake.add_chat(1001)
    fake.block(1001)
    response = api("sendMessage", chat_id=1001, text="x")
    assert error_of(response) == (403, "Forbidden: bot was blocked by the user")
    assert error_of(api("sendChatAction", chat_id=1001, action="typing"))[0] == 403
    assert fake.rejected() == []
    assert fake.requests[0].outcome == "refused"
    fake.unblock(1001)
    assert api("sendMessage", chat_id=1001, text="x").status_code == 200
    fake.push_my_chat_member(1001, new_status="kicked")
    assert api("sendMessage", chat_id=1001, text="x").status_code == 403
    fake.push_message("/start")  # writing to the bot again means the user unblocked it
    assert api("sendMessage", chat_id=1001, text="x").status_code == 200


def test_migrated_group(fake: FakeBotAPI, api: Call) -> None:
    fake.push_message("hi", chat_id=-200, chat_type="group", chat_title="新闻群")
    fake.migrate(-200, -1001234567890)
    response = api("sendMessage", chat_id=-200, text="x")
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": -1001234567890},
    }
    assert fake.rejected() == []
    new = api("sendMessage", chat_id=-1001234567890, text="x").json()["result"]
    assert new["chat"] == {"id": -1001234567890, "type": "supergroup", "title": "新闻群"}
    kinds = [next(k for k in u if k != "update_id") for u in fake.pending_updates()]
    assert kinds == ["message", "message", "message"]
    assert fake.pending_updates()[1]["message"]["migrate_to_chat_id"] == -1001234567890


def test_chat_members_and_chat_info(fake: FakeBotAPI, api: Call) -> None:
    fake.push_message("hi", chat_id=-300, user_id=7, chat_type="supergroup")
    fake.set_chat_admins(-300, {8}, creator=9)
    statuses = {
        uid: api("getChatMember", chat_id=-300, user_id=uid).json()["result"]["status"]
        for uid in (7, 8, 9)
    }
    assert statuses == {7: "member", 8: "administrator", 9: "creator"}
    unknown = api("getChatMember", chat_id=-300, user_id=12345)
    assert error_of(unknown) == (400, "Bad Request: user not found")
    admins = api("getChatAdministrators", chat_id=-300).json()["result"]
    assert [a["user"]["id"] for a in admins] == [9, 8]
    info = api("getChat", chat_id=-300).json()["result"]
    assert info["type"] == "supergroup"
    assert info["accent_color_id"] == 0


# ------------------------------------------------------------------------------ queries


def test_answer_callback_query(fake: FakeBotAPI, api: Call) -> None:
    fake.add_chat(1001)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    api("sendMessage", chat_id=1001, text="x", reply_markup=markup)
    message = fake.sent_messages(1001)[0]
    update = fake.push_callback(message, "a")
    query = update["callback_query"]
    assert query["message"]["reply_markup"] == markup
    assert query["data"] == "a"
    with pytest.raises(ValueError, match="no button"):
        fake.push_callback(message, "zzz")
    too_long = api("answerCallbackQuery", callback_query_id=query["id"], text="长" * 201)
    assert error_of(too_long) == (400, "Bad Request: MESSAGE_TOO_LONG")
    ok = api("answerCallbackQuery", callback_query_id=query["id"], text="长" * 200)
    assert ok.json()["result"] is True
    twice = api("answerCallbackQuery", callback_query_id=query["id"])
    invalid = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert error_of(twice) == (400, invalid)
    assert error_of(api("answerCallbackQuery", callback_query_id="123")) == (400, invalid)


def article(result_id: str, text: str = "答", **extra: Any) -> dict[str, Any]:
    return {
        "type": "article",
        "id": result_id,
        "title": "标题",
        "input_message_content": {"message_text": text, "parse_mode": "HTML"},
        **extra,
    }


def test_answer_inline_query(fake: FakeBotAPI, api: Call) -> None:
    query_id = fake.push_inline_query("长沙")["inline_query"]["id"]

    def answer(results: list[dict[str, Any]]) -> httpx.Response:
        return api("answerInlineQuery", inline_query_id=query_id, results=results)

    too_many = answer([article(str(i)) for i in range(51)])
    assert error_of(too_many) == (400, "Bad Request: RESULTS_TOO_MUCH")
    assert error_of(answer([article("1"), article("1")])) == (
        400,
        "Bad Request: RESULT_ID_DUPLICATE",
    )
    assert error_of(answer([article("x" * 65)])) == (400, "Bad Request: RESULT_ID_INVALID")
    no_title = {**article("1"), "title": ""}
    assert "title" in error_of(answer([no_title]))[1]
    bad_html = answer([article("1", text="<b>x")])
    assert error_of(bad_html)[1].startswith("Bad Request: can't parse entities")
    bad_button = article(
        "1", reply_markup={"inline_keyboard": [[{"text": "x", "callback_data": "a" * 65}]]}
    )
    assert error_of(answer([bad_button])) == (400, "Bad Request: BUTTON_DATA_INVALID")
    assert len(fake.rejected()) == 6
    assert answer([article(str(i)) for i in range(50)]).json()["result"] is True
    invalid = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert error_of(answer([article("1")])) == (400, invalid)


# ------------------------------------------------------------------------------ commands


def test_commands_per_scope_and_language(fake: FakeBotAPI, api: Call) -> None:
    zh = [{"command": "start", "description": "开始"}, {"command": "help", "description": "帮助"}]
    assert api("setMyCommands", commands=zh, language_code="zh").status_code == 200
    admin_scope = {"type": "all_chat_administrators"}
    api(
        "setMyCommands", commands=[{"command": "reload", "description": "重载"}], scope=admin_scope
    )
    assert api("getMyCommands", language_code="zh").json()["result"] == zh
    assert api("getMyCommands").json()["result"] == []
    assert fake.commands(admin_scope) == [{"command": "reload", "description": "重载"}]
    api("deleteMyCommands", language_code="zh")
    assert fake.commands(language_code="zh") == []
    refusals = {
        "BOT_COMMAND_INVALID": [{"command": "Start", "description": "x"}],
        "BOT_COMMAND_DESCRIPTION_INVALID": [{"command": "start", "description": ""}],
        "BOT_COMMANDS_TOO_MUCH": [{"command": f"c{i}", "description": "x"} for i in range(101)],
    }
    for description, commands in refusals.items():
        response = api("setMyCommands", commands=commands)
        assert error_of(response) == (400, f"Bad Request: {description}")
    long_description = [{"command": "start", "description": "x" * 257}]
    assert api("setMyCommands", commands=long_description).status_code == 400
    bad_language = api("setMyCommands", commands=zh, language_code="zh-hans")
    assert error_of(bad_language) == (400, "Bad Request: invalid language code specified")


# ------------------------------------------------------------------------------ getUpdates


def test_get_updates_offset_limit_and_allowed_updates(fake: FakeBotAPI, api: Call) -> None:
    for i in range(3):
        fake.push_message(f"m{i}")
    updates = api("getUpdates", limit=2).json()["result"]
    assert [u["message"]["text"] for u in updates] == ["m0", "m1"]
    first = updates[0]["update_id"]
    updates = api("getUpdates", offset=first + 1).json()["result"]
    assert [u["message"]["text"] for u in updates] == ["m1", "m2"]
    assert len(fake.pending_updates()) == 2  # m0 was confirmed and dropped
    assert api("getUpdates", offset=-1).json()["result"][0]["message"]["text"] == "m2"
    assert len(fake.pending_updates()) == 1
    api("getUpdates", offset=updates[-1]["update_id"] + 1, allowed_updates=["callback_query"])
    fake.push_message("ignored")
    assert api("getUpdates").json()["result"] == []
    api("getUpdates", allowed_updates=[])
    fake.push_message("wanted")
    assert api("getUpdates").json()["result"][0]["message"]["text"] == "wanted"


def test_long_poll_wakes_on_push_and_times_out(fake: FakeBotAPI, api: Call) -> None:
    started = time.monotonic()
    assert api("getUpdates", timeout=0.2).json()["result"] == []
    assert 0.15 < time.monotonic() - started < 2
    timer = threading.Timer(0.1, fake.push_message, args=("late",))
    timer.start()
    started = time.monotonic()
    updates = api("getUpdates", timeout=5).json()["result"]
    timer.join()
    assert updates[0]["message"]["text"] == "late"
    assert time.monotonic() - started < 2


def test_two_live_pollers_conflict(fake: FakeBotAPI) -> None:
    url = f"{fake.base_url}{fake.token}/getUpdates"
    with httpx.Client() as first, httpx.Client() as second, ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(first.post, url, data={"timeout": "5"})
        deadline = time.monotonic() + 2
        while not any(r.outcome == "pending" for r in fake.requests):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert second.post(url, data={"timeout": "0"}).json()["result"] == []
        conflicted = waiting.result(timeout=5)
    assert error_of(conflicted) == (
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running",
    )
    assert [m for m, _p, _d in fake.rejected()] == ["getUpdates"]


def test_stop_does_not_hang_on_a_long_poll(client: httpx.Client) -> None:
    fake = FakeBotAPI()
    fake.start()
    url = f"{fake.base_url}{fake.token}/getUpdates"
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(client.post, url, data={"timeout": "30"})
        while not fake.requests:
            time.sleep(0.01)
        started = time.monotonic()
        fake.stop()
        assert time.monotonic() - started < 2
        assert waiting.result(timeout=5).json() == {"ok": True, "result": []}


# ------------------------------------------------------------------------------ webhook


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str | None, dict[str, Any]]] = []  # noqa: RUF012 - test-only sink

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(
            (self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body))
        )
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


async def test_webhook_delivery_and_conflict(fake: FakeBotAPI, api: Call) -> None:
    _Receiver.received = []
    receiver = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        bad_secret = api("setWebhook", url=hook, secret_token="a+b")
        assert error_of(bad_secret) == (
            400,
            "Bad Request: secret token contains unallowed characters",
        )
        remote_http = api("setWebhook", url="http://example.com/hook")
        assert error_of(remote_http) == (
            400,
            "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
        )
        response = api("setWebhook", url=hook, secret_token="s3cret_-")
        assert response.json() == {"ok": True, "result": True, "description": "Webhook was set"}
        fake.push_message("/start")
        await fake.wait_for(lambda: len(_Receiver.received) == 1, timeout=5)
        secret, update = _Receiver.received[0]
        assert secret == "s3cret_-"
        assert update["message"]["text"] == "/start"
        await fake.wait_for(lambda: not fake.pending_updates(), timeout=5)
        conflict = api("getUpdates")
        assert error_of(conflict) == (
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook "
            "to delete the webhook first",
        )
        info = api("getWebhookInfo").json()["result"]
        assert info["url"] == hook
        assert info["pending_update_count"] == 0
        api("deleteWebhook")
        fake.push_message("polled")
        assert api("getUpdates").json()["result"][0]["message"]["text"] == "polled"
    finally:
        receiver.shutdown()
        receiver.server_close()
        thread.join()


# ------------------------------------------------------------------------------ faults


@pytest.mark.parametrize(
    ("kind", "status", "description"),
    [
        ("429", 429, "Too Many Requests: retry after 7"),
        ("500", 500, "Internal Server Error"),
        ("403", 403, "Forbidden: bot was blocked by the user"),
        (
            "409",
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running",
        ),
        (
            "400-not-modified",
            400,
            "Bad Request: message is not modified: specified new message content and reply "
            "markup are exactly the same as a current content and reply markup of the message",
        ),
    ],
)
def test_fault_answers(
    fake: FakeBotAPI, api: Call, kind: str, status: int, description: str
) -> None:
    fake.add_chat(1001)
    fake.fail_next("sendMessage", kind, retry_after=7)
    response = api("sendMessage", chat_id=1001, text="x")
    assert error_of(response) == (status, description)
    if kind == "429":
        assert response.json()["parameters"] == {"retry_after": 7}
    assert api("sendMessage", chat_id=1001, text="x").status_code == 200  # consumed
    assert fake.rejected() == []
    assert [r.outcome for r in fake.requests] == ["fault", "ok"]
    assert len(fake.sent_messages()) == 1  # the faulted request was not executed


def test_fault_502_reset_and_matching(fake: FakeBotAPI, api: Call) -> None:
    fake.add_chat(1001)
    fake.add_chat(2002)
    fake.fail_next("sendmessage", "502")
    response = api("sendMessage", chat_id=1001, text="x")
    assert response.status_code == 502
    assert "502 Bad Gateway" in response.text
    fake.fail_next("sendMessage", "reset")
    with pytest.raises(httpx.RemoteProtocolError):
        api("sendMessage", chat_id=1001, text="x")
    fake.fail_next("sendMessage", "500", count=2, chat_id=2002)
    assert api("sendMessage", chat_id=1001, text="x").status_code == 200
    assert api("sendMessage", chat_id=2002, text="x").status_code == 500
    assert api("sendMessage", chat_id=2002, text="x").status_code == 500
    assert api("sendMessage", chat_id=2002, text="x").status_code == 200
    fake.fail_next("*", "500")
    assert api("getMe").status_code == 500
    with pytest.raises(ValueError, match="unknown fault kind"):
        fake.fail_next("getMe", "418")
    assert fake.rejected() == []


def test_fault_for_a_while_answers_401_and_404(fake: FakeBotAPI, api: Call) -> None:
    """An outage (a self-hosted Bot API server or proxy restarting): every matching request
    fails until the time is up or the faults are cleared; other methods are untouched."""
    fake.fail_for("getUpdates", "404", 60)
    for _ in range(3):
        assert error_of(api("getUpdates", timeout=0)) == (404, "Not Found")
    assert api("getMe").status_code == 200
    fake.clear_faults()
    assert api("getUpdates", timeout=0).status_code == 200
    fake.fail_for("getUpdates", "401", 60)
    assert error_of(api("getUpdates", timeout=0)) == (401, "Unauthorized")
    fake.clear_faults()
    fake.fail_for("getUpdates", "401", 0)  # already over
    assert api("getUpdates", timeout=0).status_code == 200
    assert [r.fault for r in fake.requests].count("404") == 3
    assert fake.rejected() == []


def test_fault_timeout(fake: FakeBotAPI) -> None:
    fake.add_chat(1001)
    url = f"{fake.base_url}{fake.token}/sendMessage"
    fake.fail_next("sendMessage", "timeout", delay=0.3)
    with httpx.Client(timeout=httpx.Timeout(5.0, read=0.1)) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            impatient.post(url, data={"chat_id": "1001", "text": "x"})
        assert impatient.post(url, data={"chat_id": "1001", "text": "x"}).status_code == 200
    fake.fail_next("sendMessage", "timeout")  # the default 30 s: stop() must not wait for it
    with httpx.Client(timeout=5.0) as patient, ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(patient.post, url, data={"chat_id": "1001", "text": "x"})
        while len(fake.requests) < 3:
            time.sleep(0.01)
        started = time.monotonic()
        fake.stop()
        assert time.monotonic() - started < 2
        with pytest.raises(httpx.RemoteProtocolError):
            waiting.result(timeout=5)


def test_fail_rate_is_deterministic(api: Call) -> None:
    patterns = []
    for _ in range(2):
        with FakeBotAPI() as fake, httpx.Client() as http:
            fake.fail_rate("getMe", "500", 0.5, seed=42)
            url = f"{fake.base_url}{fake.token}/getMe"
            patterns.append([http.post(url).status_code for _ in range(20)])
    assert patterns[0] == patterns[1]
    assert set(patterns[0]) == {200, 500}


# ------------------------------------------------------------------------------ files


def test_files_upload_get_file_and_download(fake: FakeBotAPI, client: httpx.Client) -> None:
    fake.add_chat(1001)
    pushed = fake.push_document("新闻.txt", "头版".encode(), caption="/add 新闻")
    document = pushed["message"]["document"]
    assert document["file_name"] == "新闻.txt"
    assert pushed["message"]["caption_entities"][0]["type"] == "bot_command"
    base = f"{fake.base_url}{fake.token}"
    file = client.post(f"{base}/getFile", data={"file_id": document["file_id"]}).json()["result"]
    content = client.get(f"{fake.base_file_url}{fake.token}/{file['file_path']}")
    assert content.content == "头版".encode()
    assert client.get(f"{fake.base_file_url}wrong/{file['file_path']}").status_code == 401
    assert client.get(f"{fake.base_file_url}{fake.token}/documents/nope.txt").status_code == 404
    bad = client.post(f"{base}/getFile", data={"file_id": "nope"})
    assert error_of(bad) == (400, "Bad Request: invalid file_id")
    sent = client.post(
        f"{base}/sendDocument",
        data={"chat_id": "1001", "caption": "<b>报告</b>", "parse_mode": "HTML"},
        files={"document": ("报告.txt", b"report", "text/plain")},
    ).json()["result"]
    assert sent["document"]["file_name"] == "报告.txt"
    assert sent["caption"] == "报告"
    assert fake.calls("sendDocument")[0]["document"] == {
        "upload": "报告.txt",
        "size": 6,
        "mime_type": "text/plain",
    }
    assert fake.requests[-1].files["document"].content == b"report"
    assert len(fake.rejected()) == 3  # the two bad downloads and the bad file_id


# ------------------------------------------------------------------------------ pushing


def test_pushed_messages_look_like_telegram(fake: FakeBotAPI) -> None:
    update = fake.push_message("/start@newsbot_test_bot 你好 @someone")
    message = update["message"]
    assert message["from"]["language_code"] == "zh-hans"
    assert message["entities"] == [
        {"type": "bot_command", "offset": 0, "length": 23},
        {"type": "mention", "offset": 27, "length": 8},
    ]
    assert "entities" not in fake.push_message("/start你好")["message"]  # not a command
    reply = fake.push_message("对", reply_to_message_id=message["message_id"])["message"]
    assert reply["reply_to_message"]["text"] == message["text"]
    with pytest.raises(ValueError, match="no message 99"):
        fake.push_message("x", reply_to_message_id=99)
    topic = fake.push_message(
        "x", chat_id=-1009, chat_type="supergroup", message_thread_id=5, is_topic_message=True
    )["message"]
    assert topic["chat"]["is_forum"] is True
    assert topic["is_topic_message"] is True
    kinds = {
        "sticker": fake.push_sticker()["message"],
        "photo": fake.push_photo(caption="图")["message"],
        "location": fake.push_location()["message"],
        "voice": fake.push_voice()["message"],
    }
    assert all(kind in message for kind, message in kinds.items())
    assert fake.push_channel_post("公告")["channel_post"]["sender_chat"]["type"] == "channel"
    edited = fake.push_edited_message(message, "/help")["edited_message"]
    assert edited["text"] == "/help"
    ids = [u["update_id"] for u in fake.pending_updates()]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


async def test_wait_for_reports_what_happened(fake: FakeBotAPI, api: Call) -> None:
    fake.add_chat(1001)
    api("sendMessage", chat_id=1001, text="<foo>", parse_mode="HTML")
    with pytest.raises(AssertionError) as info:
        await fake.wait_for_messages(1001, 1, timeout=0.05)
    report = str(info.value)
    assert "1 message(s) sent to chat 1001" in report
    assert "Unsupported start tag" in report


# ------------------------------------------------------------------------------ real PTB


async def test_real_bot_against_the_fake(
    fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB 22 warns (an error under filterwarnings=error) when RetryAfter.retry_after is an int.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    bot = telegram.Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)
    async with bot:
        me = await bot.get_me()
        assert (me.id, me.username) == (fake.bot_id, fake.bot_username)

        fake.push_message("/subscribe 经济")
        (update,) = await bot.get_updates(timeout=1)
        assert update.message is not None
        assert update.message.entities[0].type == telegram.constants.MessageEntityType.BOT_COMMAND
        assert update.message.text == "/subscribe 经济"

        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("全文", callback_data="p:1")]])
        sent = await bot.send_message(
            1001, "<b>要点</b> &lt;3", parse_mode="HTML", reply_markup=keyboard
        )
        assert sent.text == "要点 <3"
        assert sent.reply_markup == keyboard
        assert sent.from_user is not None and sent.from_user.id == fake.bot_id

        fake.push_callback(fake.sent_messages(1001)[0], "p:1")
        (update,) = await bot.get_updates(offset=update.update_id + 1, timeout=1)
        assert update.callback_query is not None
        assert await bot.answer_callback_query(update.callback_query.id, text="好") is True

        fake.push_document("稿件.md", "# 标题".encode(), mime_type="text/markdown")
        (update,) = await bot.get_updates(offset=update.update_id + 1, timeout=1)
        assert update.message is not None and update.message.document is not None
        file = await update.message.document.get_file()
        assert bytes(await file.download_as_bytearray()) == "# 标题".encode()

        await bot.send_document(1001, io.BytesIO(b"abc"), filename="摘要.txt")
        assert fake.sent_messages(1001)[-1]["document"]["file_name"] == "摘要.txt"

        fake.fail_next("sendMessage", "429", retry_after=3)
        with pytest.raises(telegram.error.RetryAfter) as retry:
            await bot.send_message(1001, "x")
        assert retry.value.retry_after.total_seconds() == 3  # type: ignore[union-attr]

        with pytest.raises(telegram.error.BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(1001, "<b>x", parse_mode="HTML")
        fake.block(1001)
        with pytest.raises(telegram.error.Forbidden, match="blocked"):
            await bot.send_message(1001, "x")
        fake.push_message("hi", chat_id=-400, chat_type="group")
        fake.migrate(-400, -1004000000000)
        with pytest.raises(telegram.error.ChatMigrated) as migrated:
            await bot.send_message(-400, "x")
        assert migrated.value.new_chat_id == -1004000000000
    assert [m for m, _p, _d in fake.rejected()] == ["sendMessage"]  # only the bad HTML


async def test_real_application_polling(fake: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        more = InlineKeyboardMarkup([[InlineKeyboardButton("更多", callback_data="more")]])
        await update.message.reply_html("<b>你好</b>", reply_markup=more)

    async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()
        await update.callback_query.edit_message_text("已展开")

    app = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(more))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=5, poll_interval=0)
        fake.push_message("/start")
        (message,) = await fake.wait_for_messages(1001, 1)
        assert message["text"] == "你好"
        fake.push_callback(message, "more")
        await fake.wait_for(lambda: fake.sent_messages(1001)[0]["text"] == "已展开")
        await app.updater.stop()
        await app.stop()
    assert fake.calls("answerCallbackQuery")
    assert fake.rejected() == []
    # The long poll cancelled by stop() is not a conflict, and nothing is left pending.
    assert {r.outcome for r in fake.requests} <= {"ok", "abandoned"}


def test_channels_need_the_bot_as_an_admin_allowed_to_post(fake: FakeBotAPI, api: Call) -> None:
    channel = -1001555000111
    fake.add_chat(channel, "channel", title="频道", username="hn_news")
    refused = api("sendMessage", chat_id=channel, text="x")
    assert error_of(refused) == (400, "Bad Request: need administrator rights in the channel chat")
    fake.set_chat_admins(channel, {7, fake.bot_id})
    found = api("getChat", chat_id="@hn_news").json()["result"]
    assert (found["id"], found["type"]) == (channel, "channel")
    member = api("getChatMember", chat_id=channel, user_id=fake.bot_id).json()["result"]
    assert member["status"] == "administrator" and member["can_post_messages"] is True
    assert api("sendMessage", chat_id=channel, text="x").status_code == 200
    fake.set_channel_rights(channel, fake.bot_id, can_post=False)
    member = api("getChatMember", chat_id=channel, user_id=fake.bot_id).json()["result"]
    assert member["can_post_messages"] is False
    assert api("sendMessage", chat_id=channel, text="x").status_code == 400
    assert error_of(api("getChat", chat_id="@nobody")) == (400, "Bad Request: chat not found")
    forwarded = fake.push_forwarded("转发", from_chat=channel)["message"]
    assert forwarded["forward_origin"]["chat"]["id"] == channel
    assert fake.rejected() == []  # chat state and unknown names are answers, not bot mistakes
