"""What a person at a browser reads: the systems list and a system's detail, loaded for the place in the URL.
Answers to requests the person has since moved away from are dropped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ApiError, AuthRequired
from .model import PAGE_SIZE

if TYPE_CHECKING:
    from .controller import App


class Browse:
    def __init__(self, app: App) -> None:
        self._app = app
        self._generation = 0

    async def refresh(self) -> None:
        app, model = self._app, self._app.model
        self._generation += 1
        generation = self._generation
        place = model.place
        model.loading = True
        model.list_error = ""
        app.show()
        try:
            if model.user is None:
                model.user = await app.api.current_user()
            if place.system:
                model.detail = None
                detail = await app.api.system(place.system)
                if generation != self._generation:
                    return
                model.detail = detail
            else:
                page = await app.api.systems(q=place.q, offset=place.offset, limit=PAGE_SIZE)
                if generation != self._generation:
                    return
                model.systems, model.total = page.items, page.total
                model.has_next = page.next_url is not None
            await app.live.follow(place)
            app.session.signed_in_ok()
        except AuthRequired:
            if generation == self._generation:
                app.upkeep.auth_required("PlaceOS no longer accepts your sign-in.")
        except ApiError as error:
            if generation == self._generation:
                reference = f" (reference {error.request_id})" if error.request_id else ""
                model.list_error = f"{error}{reference}"
        finally:
            if generation == self._generation:
                model.loading = False
                app.show("detail-title" if place.system and model.detail else None)


__all__ = ["Browse"]
