from collections.abc import Mapping
from typing import Any

class FetchResponse:
    status: int
    headers: Mapping[str, str]
    async def string(self) -> str: ...

async def pyfetch(url: str, **kwargs: Any) -> FetchResponse: ...
