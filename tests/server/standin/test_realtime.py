"""The stand-in's websocket (/api/engine/v2/systems/control): PlaceOS's protocol, the token checked at the upgrade
and watched afterwards, and rooms whose state changes with the stand-in's clock."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.standin.container import STANDIN
from server.standin.realtime import CONTROL_PATH, RequestError, parse_request
from server.standin.rooms import PERIOD_S, Binding
from tests.standin_helpers import CLIENT_ID, SAME_ORIGIN, FakeClock, implicit_token


async def connect(client: Any, token: str) -> aiohttp.ClientWebSocketResponse:
    return await client.ws_connect(f"{CONTROL_PATH}?bearer_token={token}")


async def receive_json(ws: aiohttp.ClientWebSocketResponse, timeout: float = 3) -> dict[str, Any]:
    message = await asyncio.wait_for(ws.receive(), timeout)
    assert message.type == aiohttp.WSMsgType.TEXT, message
    data: dict[str, Any] = json.loads(message.data)
    return data


def a_room(client: Any) -> dict[str, Any]:
    systems = client.server.app[STANDIN].systems.systems
    return next(s for s in systems if len(s["modules"]) >= 1)


def bind(room: dict[str, Any], request_id: int = 1, name: str = "status") -> str:
    return json.dumps({"id": request_id, "cmd": "bind", "sys": room["id"], "mod": "Bookings", "index": 1, "name": name})


@pytest.mark.parametrize("token", ["", "nonsense", "eyJhbGciOiJSUzI1NiJ9.e30.x"])
async def test_a_bad_token_gets_401_and_no_socket(client: Any, token: str) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await connect(client, token)
    assert refused.value.status == 401


async def test_ping_pong_and_bind_then_notify_with_stringified_json(client: Any) -> None:
    token = await implicit_token(client)
    ws = await connect(client, token)
    await ws.send_str("ping")
    assert (await asyncio.wait_for(ws.receive(), 3)).data == "pong"
    room = a_room(client)
    await ws.send_str(bind(room))
    success = await receive_json(ws)
    assert success == {
        "id": 1,
        "type": "success",
        "meta": {"sys": room["id"], "mod": "Bookings", "index": 1, "name": "status"},
    }
    notify = await receive_json(ws)
    assert notify["type"] == "notify" and notify["meta"]["name"] == "status"
    assert json.loads(notify["value"]) in ("free", "pending", "busy")
    await ws.close()


async def test_bound_values_change_with_the_clock_and_unbind_stops_them(client: Any, clock: FakeClock) -> None:
    token = await implicit_token(client)
    ws = await connect(client, token)
    rooms = client.server.app[STANDIN].systems.systems[:6]
    for n, room in enumerate(rooms):
        await ws.send_str(bind(room, n + 1, "people_count"))
        await receive_json(ws)
        await receive_json(ws)
    clock.advance(PERIOD_S * 3)  # within the token's life: several rooms change
    changed = await receive_json(ws)
    assert changed["type"] == "notify" and changed["meta"]["name"] == "people_count"
    assert isinstance(json.loads(changed["value"]), int)
    await ws.close()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{nope", 0),
        ("[]", 0),
        ('{"id": 1, "cmd": "explode"}', 4),
        ('{"id": "x", "cmd": "bind"}', 1),
        ('{"id": 2, "cmd": "bind", "sys": "sys-NOPE", "mod": "Bookings", "index": 1, "name": "status"}', 5),
        ("[" * 20_000, 1),  # past the frame limit, and nested too deep to parse anyway
    ],
)
async def test_bad_requests_get_placeos_error_codes(client: Any, frame: str, code: int) -> None:
    ws = await connect(client, await implicit_token(client))
    await ws.send_str(frame)
    error = await receive_json(ws)
    assert error["type"] == "error" and error["code"] == code and error["msg"]
    await ws.close()


async def test_a_frame_past_the_socket_limit_closes_it_as_too_big(client: Any) -> None:
    ws = await connect(client, await implicit_token(client))
    await ws.send_str("[" * 100_000)
    await _closed_with(ws)
    assert ws.close_code == 1009  # RFC 6455 §7.4.1: message too big; never a crash


async def test_a_module_the_room_does_not_have_is_mod_not_found(client: Any) -> None:
    ws = await connect(client, await implicit_token(client))
    room = a_room(client)
    await ws.send_str(
        json.dumps({"id": 3, "cmd": "bind", "sys": room["id"], "mod": "Bookings", "index": 9, "name": "x"})
    )
    assert (await receive_json(ws))["code"] == 6
    await ws.close()


def call(room: dict[str, Any], request_id: int, name: str, args: list[Any], mod: str = "Bookings") -> str:
    return json.dumps(
        {"id": request_id, "cmd": "exec", "sys": room["id"], "mod": mod, "index": 1, "name": name, "args": args}
    )


async def test_exec_calls_the_room_s_bookings_module_and_its_bound_status_follows(client: Any) -> None:
    simulator = client.server.app[STANDIN].simulator
    room = next(
        s
        for s in client.server.app[STANDIN].systems.systems
        if simulator.missing(Binding(s["id"], "Bookings", 1, "status")) is None
        and simulator.value(Binding(s["id"], "Bookings", 1, "status")) == "free"
    )
    ws = await connect(client, await implicit_token(client))
    await ws.send_str(bind(room))
    await receive_json(ws)
    assert json.loads((await receive_json(ws))["value"]) == "free"
    await ws.send_str(call(room, 2, "book_now", [1800, "Ad hoc"]))
    answer = await receive_json(ws)
    assert answer["id"] == 2 and answer["type"] == "success" and json.loads(answer["value"]) is True
    changed = await receive_json(ws)  # the watcher sees the simulated room change
    assert changed["type"] == "notify" and json.loads(changed["value"]) == "busy"
    await ws.send_str(call(room, 3, "book_now", [1800]))  # booked now: the driver refuses
    refused = await receive_json(ws)
    assert refused["type"] == "error" and refused["code"] == 3 and "booked" in refused["msg"]
    await ws.send_str(call(room, 4, "explode", []))
    assert (await receive_json(ws))["code"] == 3
    await ws.send_str(call(room, 5, "book_now", [], mod="Nope"))
    assert (await receive_json(ws))["code"] == 6
    await ws.close()


async def _closed_with(ws: aiohttp.ClientWebSocketResponse) -> str:
    while True:
        message = await asyncio.wait_for(ws.receive(), 3)
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            return str(message.extra or "")


async def test_the_socket_closes_when_its_token_is_revoked(client: Any) -> None:
    token = await implicit_token(client)
    ws = await connect(client, token)
    await client.post("/auth/oauth/revoke", data={"token": token, "client_id": CLIENT_ID})
    assert "revoked" in await _closed_with(ws)
    assert ws.close_code == 4001


async def test_the_socket_closes_when_its_user_logs_out(client: Any) -> None:
    token = await implicit_token(client)
    ws = await connect(client, token)
    await client.get("/auth/logout", headers=SAME_ORIGIN, allow_redirects=False)
    assert "logged out" in await _closed_with(ws)


async def test_the_socket_closes_when_its_token_expires(client: Any, clock: FakeClock) -> None:
    token = await implicit_token(client)
    ws = await connect(client, token)
    clock.advance(7201)
    assert "expired" in await _closed_with(ws)
    realtime = client.server.app[STANDIN].realtime
    for _ in range(50):  # the server's side finishes its handler just after the close frame
        if realtime.open_sockets == 0:
            break
        await asyncio.sleep(0.02)
    assert realtime.open_sockets == 0


@pytest.mark.property
@given(
    st.one_of(
        st.text(max_size=200),
        st.binary(max_size=100).map(lambda b: b.decode("latin-1")),
        st.recursive(
            st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)),
            lambda children: st.one_of(
                st.lists(children, max_size=3),
                st.dictionaries(
                    st.sampled_from(["id", "cmd", "sys", "mod", "index", "name", "args"]), children, max_size=7
                ),
            ),
            max_leaves=15,
        ).map(json.dumps),
    )
)
def test_any_frame_parses_or_is_a_coded_refusal(frame: str) -> None:
    try:
        request_id, command, binding, args = parse_request(frame)
    except RequestError as error:
        assert 0 <= error.code <= 7 and str(error)
        return
    assert isinstance(request_id, int) and command in ("bind", "unbind", "exec", "debug", "ignore")
    assert isinstance(args, list)
    if binding is not None:
        assert binding.sys and binding.mod and binding.name and 1 <= binding.index <= 100


async def test_a_server_shutting_down_tells_open_sockets_it_is_going_away_at_once(client: Any) -> None:
    token = await implicit_token(client)
    ws = await connect(client, token)
    app = client.server.app
    # The server's stop waits for every handler (up to 60 s): an open socket must end in the shutdown step.
    await asyncio.wait_for(app.shutdown(), 3)
    message = await asyncio.wait_for(ws.receive(), 3)
    assert message.type == aiohttp.WSMsgType.CLOSE and message.data == aiohttp.WSCloseCode.GOING_AWAY
    for _ in range(50):
        if app[STANDIN].realtime.open_sockets == 0:
            break
        await asyncio.sleep(0.02)
    assert app[STANDIN].realtime.open_sockets == 0
