"""The message templates every sandbox number has, as Meta lists them."""

TEMPLATES = [
    {
        "id": "910000000000001",
        "name": "bienvenida",
        "language": "es",
        "status": "APPROVED",
        "category": "UTILITY",
        "components": [
            {"type": "BODY", "text": "Hola {{1}}, gracias por escribir a {{2}}. ¿En qué te podemos ayudar?"}
        ],
    },
    {
        "id": "910000000000002",
        "name": "seguimiento_cotizacion",
        "language": "es",
        "status": "APPROVED",
        "category": "MARKETING",
        "components": [
            {"type": "BODY", "text": "Hola {{1}}, ¿pudiste revisar la cotización {{2}}? Quedamos atentos."},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "Sí, me interesa"},
                    {"type": "QUICK_REPLY", "text": "Más adelante"},
                ],
            },
        ],
    },
    {
        "id": "910000000000003",
        "name": "pedido_listo",
        "language": "es",
        "status": "APPROVED",
        "category": "UTILITY",
        "components": [{"type": "BODY", "text": "Tu pedido {{1}} está listo para retiro en nuestra tienda."}],
    },
    {
        "id": "910000000000004",
        "name": "order_ready",
        "language": "en",
        "status": "APPROVED",
        "category": "UTILITY",
        "components": [{"type": "BODY", "text": "Your order {{1}} is ready for pickup."}],
    },
    {
        "id": "910000000000005",
        "name": "promo_invierno",
        "language": "es",
        "status": "PENDING",
        "category": "MARKETING",
        "components": [{"type": "BODY", "text": "Descuentos de invierno en toda la tienda."}],
    },
]


def find(name: str, language: str) -> dict | None:
    return next((t for t in TEMPLATES if t["name"] == name and t["language"] == language), None)
