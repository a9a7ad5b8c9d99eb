"""The app's settings, declared once: serve.py builds its flags from SETTINGS, the server serves their values as
/app-config.json, docs/configuration.md's table is checked against it, and app.core.config reads them back."""

from __future__ import annotations

from dataclasses import dataclass

Value = str | int | bool | None


@dataclass(frozen=True)
class Setting:
    key: str  # in /app-config.json, and the ClientConfig field it fills
    flag: str  # serve.py's flag
    default: Value  # what the server sends unless told otherwise; "" or None: derived as PlaceOS would
    help: str
    choices: tuple[str, ...] = ()
    metavar: str = ""
    derived: str = ""  # how a derived default is derived, for --help and the README


SETTINGS = (
    Setting("placeos_base", "--placeos-base", "", "PlaceOS origin the app talks to", (), "URL", "the app's own origin"),
    Setting(
        "redirect_uri", "--redirect-uri", None, "where PlaceOS sends the browser back", (), "URI", "the page's URL"
    ),
    Setting(
        "client_id", "--client-id", None, "the app's registration", (), "ID", "MD5 hex of the lower-cased redirect URI"
    ),
    Setting("scope", "--scope", "public", "the scopes asked for", (), "S"),
    Setting(
        "storage",
        "--storage",
        "session",
        "where the token is kept; `local` keeps kiosks signed in across restarts",
        ("session", "local"),
    ),
    Setting("expiry_warning_s", "--expiry-warning", 300, 'offer "stay signed in?" this long before expiry', (), "S"),
    Setting(
        "kiosk", "--kiosk", False, "a full-screen live board of rooms for a wall display; renews its sign-in by itself"
    ),
    Setting(
        "flow",
        "--flow",
        "implicit",
        "`code` = authorization code with PKCE, for a PlaceOS without implicit",
        ("implicit", "code"),
    ),
    Setting(
        "console",
        "--console",
        True,
        "the in-page Python console for developers (Ctrl+`); off where app-config.json does not say so",
    ),
    Setting(
        "keep_start_up",
        "--keep-start-up",
        True,
        "after a first visit, keep a start-up snapshot, the app's bytecode and the runtime in the browser, so later "
        "starts are fast; --no-keep-start-up for shared or storage-starved devices (every start is then a first one)",
    ),
    Setting(
        "board_zone",
        "--board-zone",
        "",
        "the kiosk board shows the rooms of this zone (a building or level)",
        (),
        "ZONE_ID",
        "all rooms",
    ),
    Setting(
        "board_search", "--board-search", "", "the kiosk board shows the rooms this search finds", (), "Q", "all rooms"
    ),
    Setting(
        "board_rotate_s",
        "--board-rotate",
        15,
        "the kiosk board turns its page this often when rooms don't fit",
        (),
        "S",
    ),
    Setting("board_refresh_s", "--board-refresh", 60, "the kiosk board reads its rooms again this often", (), "S"),
    Setting(
        "board_save_s",
        "--board-save",
        10,
        "the kiosk board keeps what it shows for a reload or reboot at most this late",
        (),
        "S",
    ),
    Setting(
        "board_system",
        "--board-system",
        "",
        "the display's own PlaceOS system: the board tells PlaceOS it is alive (its signage heartbeat)",
        (),
        "SYS_ID",
        "no heartbeat",
    ),
    Setting(
        "board_order",
        "--board-order",
        "name",
        "the kiosk board's tiles: by name, or the rooms free now first on each page",
        ("name", "free-first"),
    ),
    Setting(
        "board_quiet",
        "--board-quiet",
        "",
        "quiet hours (e.g. 20:00-07:00): the kiosk board dims to a clock and its status, and wakes by itself",
        (),
        "HH:MM-HH:MM",
        "none",
    ),
    Setting(
        "board_heartbeat_s",
        "--board-heartbeat",
        60,
        "the kiosk board's heartbeat to PlaceOS, this often (give or take a tenth) while online",
        (),
        "S",
    ),
)
DEFAULTS: dict[str, Value] = {setting.key: setting.default for setting in SETTINGS}


__all__ = ["DEFAULTS", "SETTINGS", "Setting", "Value"]
