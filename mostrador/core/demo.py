"""Realistic demo data: an auto-parts shop in Santiago with sellers, teams, inboxes and chats in
every state. Built through the actions, so it carries the same events real traffic would."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from mostrador.accounts.models import Role, Team, User
from mostrador.inbox import actions
from mostrador.inbox.actions.inboxes import create_inbox, update_inbox
from mostrador.inbox.models import Inbox

PASSWORD = "mostrador"
USERS = [
    ("admin@demo.mostrador.app", "Carla Muñoz", Role.ADMIN),
    ("supervisora@demo.mostrador.app", "Sofía Pérez", Role.SUPERVISOR),
    ("ana@demo.mostrador.app", "Ana Rojas", Role.AGENT),
    ("bruno@demo.mostrador.app", "Bruno Díaz", Role.AGENT),
]
SHOP_INBOX = "Repuestos Web"
AI_INBOX = "Asistente IA"

# (name, phone, [(minutes ago, text)], then: None | "reply" | "resolve"); "reply" and "resolve"
# chats also get a quote request (Por cotizar), to quote and won.
CHATS = [
    ("Jorge Fuentes", "+56 9 8123 4567", [(24, "Hola, necesito pastillas de freno delanteras para un Yaris 2016"), (22, "¿Tienen stock?")], None),
    ("María José Soto", "+56 9 7654 3210", [(9, "Buenas tardes, ¿cuánto sale el filtro de aire para Hyundai Accent 2019?")], None),
    ("Transportes Lircay", "+56 2 2345 6789", [(3, "Necesitamos cotizar 4 amortiguadores para camioneta Hilux 2018, patente KXLT-21")], None),
    ("Pedro Alarcón", "+56 9 6111 2233", [(1, "¿Despachan a Rancagua?")], None),
    ("Camila Reyes", "+56 9 5222 3344", [(40, "Hola! el foco trasero izquierdo de un Spark GT 2015"), (38, "chasis KL1CM6CD0FC123456")], "reply"),
    ("Luis Henríquez", "+56 9 4333 4455", [(180, "Gracias, ya lo retiré en tienda 👍")], "resolve"),
    ("Francisca Vera", "+56 9 3444 5566", [(95, "¿Tienen correa de distribución para Peugeot 208?")], "reply"),
]
AI_CHATS = [
    ("Ignacio Tapia", "+56 9 2555 6677", [(0, "Hola, quiero cotizar un espejo lateral derecho para Mazda 3 2017")], None),
]


def load_demo() -> bool:
    """Create the demo once. Returns False when it was already there (the command is idempotent)."""
    if Inbox.objects.filter(name=SHOP_INBOX).exists():
        return False
    with transaction.atomic():
        users = {}
        for email, name, role in USERS:
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email, PASSWORD, name=name, role=role, uses_demo_password=True
            )
            users[email] = user
        sales, _ = Team.objects.get_or_create(name="Ventas")
        parts, _ = Team.objects.get_or_create(name="Repuestos")
        sales.members.add(users["ana@demo.mostrador.app"])
        parts.members.add(users["bruno@demo.mostrador.app"])
        shop = create_inbox(SHOP_INBOX, "api", {"wait_target_seconds": 900, "team_ids": [sales.pk, parts.pk]})
        ai = create_inbox(AI_INBOX, "api", {"ai_enabled": True, "ai_window_seconds": 60, "wait_target_seconds": 600})
        agents = [users["ana@demo.mostrador.app"], users["bruno@demo.mostrador.app"]]
        shop.members.set(agents)
        ai.members.set(agents)
    now = timezone.now()
    seller = users["ana@demo.mostrador.app"]
    for inbox, chats in ((shop, CHATS), (ai, AI_CHATS)):
        for i, (name, phone, lines, then) in enumerate(chats):
            message = None
            for minutes, text in lines:
                message, _ = actions.receive_customer_message(
                    inbox,
                    actions.InboundMessage(
                        contact_external_id=f"demo-{phone}",
                        contact_name=name,
                        contact_phone=phone,
                        text=text,
                        external_id=f"demo-{phone}-{minutes}",
                        sent_at=now - timedelta(minutes=minutes),
                    ),
                )
            conv = message.conversation
            if i % 3 == 1:
                actions.assign(conv, actions.Actor.person(seller), user=seller)
            if then in ("reply", "resolve"):
                actions.send_message(
                    conv,
                    actions.Actor.person(seller),
                    actions.OutboundContent(text="¡Hola! Sí, tenemos. Te envío la cotización en un momento."),
                )
            if then == "resolve":
                actions.resolve(conv, actions.Actor.person(seller))
            if then and apps.is_installed("mostrador.quotes"):
                _demo_quote(conv, seller, won=then == "resolve")
    if apps.is_installed("mostrador.canned"):
        _demo_saved_answers(users["admin@demo.mostrador.app"], shop)
    return True


def _demo_saved_answers(admin: User, shop: Inbox) -> None:
    """A few saved answers, so "/" in the reply box shows something on the first day."""
    from mostrador.canned import service

    everyone, this_shop = service.Scope(), service.Scope(inbox_id=shop.pk)
    for shortcode, text, scope in (
        ("saludo", "Hola {{contact.first_name}}, te escribe {{agent.name}} de {{inbox.name}}. ¿En qué te ayudo?", everyone),
        ("stock", "Sí, tenemos stock. Te envío la cotización en un momento.", this_shop),
        ("patente", "¿Me confirmas la patente del vehículo? Tengo anotada {{fields.patente}}.", this_shop),
        ("despacho", "Despachamos a todo Chile; llega en 2 a 4 días hábiles.", everyone),
        ("horario", "Atendemos de lunes a viernes de 9:00 a 18:30 y los sábados de 10:00 a 14:00.", everyone),
    ):
        service.create(admin, shortcode=shortcode, text=text, scope=scope)


def _demo_quote(conv, seller, won: bool) -> None:
    from decimal import Decimal

    from mostrador.quotes import actions as quotes
    from mostrador.quotes.wiring import prefill
    from mostrador.rules.quotes import Stage

    quote = quotes.create_quote(conv, actions.Actor.person(seller), prefill(conv))
    if won:
        quotes.update_quote(quote.pk, actions.Actor.person(seller), quotes.Details(amount=Decimal("18990"), currency="CLP"))
        quotes.move_quote(quote.pk, actions.Actor.person(seller), Stage.QUOTED)
        quotes.move_quote(quote.pk, actions.Actor.person(seller), Stage.WON)


def demo_routes_bot() -> dict:
    """The demo's menu bot: quote a part (plate, chassis, side → Repuestos team) or track an order."""
    parts = Team.objects.filter(name="Repuestos").values_list("pk", flat=True).first()
    sales = Team.objects.filter(name="Ventas").values_list("pk", flat=True).first()
    return {
        "kind": "routes",
        "name": "Asistente Tienda",
        "greeting": "¡Hola! 👋 Soy el asistente de la tienda. ¿En qué te ayudamos?",
        "menu": "buttons",
        "routes": [
            {"key": "cotizar", "title": "Cotizar repuesto", "keywords": ["foco", "parachoque", "espejo", "repuesto"],
             "team_id": parts, "tags": ["cotización"],
             "questions": [
                 {"field": "patente", "prompt": "¿Cuál es la patente del vehículo? (por ejemplo BCDF12)", "validate": "cl_plate"},
                 {"field": "chasis", "prompt": "¿Y el número de chasis (VIN, 17 caracteres)?", "validate": "vin"},
                 {"field": "lado", "prompt": "¿Lado izquierdo o derecho?", "validate": "side"},
             ],
             "done_text": "¡Gracias! Un vendedor te enviará la cotización en breve.", "creates_quote": True},
            {"key": "pedido", "title": "Estado de mi pedido", "keywords": ["pedido", "despacho", "envío"],
             "team_id": sales, "tags": ["postventa"],
             "questions": [{"field": "pedido", "prompt": "¿Cuál es tu número de pedido?"}],
             "done_text": "Gracias, revisamos tu pedido y te contamos."},
            {"key": "vendedor", "title": "Hablar con alguien", "keywords": ["vendedor", "persona", "humano"],
             "team_id": sales},
        ],
        "faq": [
            {"question": "¿Cuál es el horario de atención?", "answer": "Atendemos de lunes a viernes de 9:00 a 19:00 y sábados de 10:00 a 14:00.",
             "keywords": ["horario", "hora", "abren", "cierran", "atienden", "sábado", "domingo", "feriado"]},
            {"question": "¿Dónde queda la tienda?", "answer": "Estamos en Av. Irarrázaval 1234, Ñuñoa. ¡Te esperamos!",
             "keywords": ["dirección", "ubicación", "local"]},
        ],
        "faq_min_confidence": 0.6,
    }


def ensure_demo_bot(inbox: Inbox) -> None:
    """Give a demo sandbox inbox the menu bot, once: an admin's later changes are kept."""
    if inbox.setting("ai_agent") is None:
        update_inbox(inbox, raw_settings={"ai_enabled": True, "ai_window_seconds": 180, "ai_agent": demo_routes_bot()})


def ensure_sandboxes(base_url: str) -> list[Inbox]:
    """Each channel's demo inbox, wired to its offline sandbox on this server, with the menu bot."""
    from mostrador.connectors.base import channels, connector_class

    inboxes = [inbox for channel in channels() if (inbox := connector_class(channel).demo(base_url.rstrip("/")))]
    for inbox in inboxes:
        ensure_demo_bot(inbox)
    return inboxes


def logins() -> list[tuple[str, str, str]]:
    return [(email, PASSWORD, role.value) for email, _, role in USERS]
