# The names of the browser's global scope that app/browser/ uses, as Pyodide exposes them. Each is a JsProxy:
# typed Any beyond its name, so a misspelt or new global fails type checking here rather than in the page.
from typing import Any

document: Any
window: Any
location: Any
history: Any
localStorage: Any
sessionStorage: Any
console: Any
BroadcastChannel: Any
EventSource: Any
WebSocket: Any
Object: Any
navigator: Any
URL: Any
Promise: Any
Intl: Any
fetch: Any

def setInterval(handler: Any, milliseconds: int) -> int: ...
