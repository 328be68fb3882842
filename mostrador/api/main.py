from ninja import NinjaAPI

from . import errors
from .auth import BearerToken
from .contacts import contact_fields, contacts
from .conversations import router as conversations
from .inboxes import router as inboxes

api = NinjaAPI(
    title="Mostrador API",
    version="1",
    description=(
        "The REST API of Mostrador. Authenticate with `Authorization: Bearer <token>` "
        "(`mostrador token create`). Errors are `{\"detail\", \"code\"}`; lists are "
        "`{\"items\", \"next_cursor\"}` and take `limit` and `cursor`."
    ),
    auth=BearerToken(),
    urls_namespace="api",
    parser=errors.BodyParser(),
)
errors.install(api)
api.add_router("/inboxes", inboxes)
api.add_router("/conversations", conversations)
api.add_router("/contacts", contacts)
api.add_router("/contact_fields", contact_fields)


_added: set[str] = set()


def add_router(prefix: str, router) -> None:
    """Where a capability adds its paths (from its AppConfig.ready()); once per prefix."""
    if prefix not in _added:
        _added.add(prefix)
        api.add_router(prefix, router)
