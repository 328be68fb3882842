"""The composer as a fast seller uses it: several short messages in a row, nothing typed lost."""

import json
import re

import httpx
from playwright.sync_api import expect

from mostrador.inbox.actions.inboxes import create_inbox
from tests.browser.conftest import customer_writes, login, pending_rows, seller_opens_a_new_chat


def test_what_is_typed_while_a_reply_travels_is_kept(page, live_url, agent, shop):
    seller_opens_a_new_chat(page, live_url, agent, shop, "Jorge Fuentes", "Hola, ¿tienen pastillas de freno?")

    travelling = []
    page.route("**/ui/c/*/reply", lambda route: travelling.append(route))
    composer = page.locator("[data-testid=composer]")
    composer.fill("Hola Jorge, sí tenemos.")
    composer.press("Enter")
    # The box empties as the message leaves, and she starts the next one while it travels.
    expect(composer).to_have_value("")
    waited = 0
    while not travelling:
        assert waited < 10_000, "the reply never left"
        page.wait_for_timeout(20)
        waited += 20
    composer.type("¿Para qué año es el auto?")
    travelling[0].continue_()

    expect(page.locator(".msg-agent").last).to_contain_text("sí tenemos")
    expect(page.locator("[data-testid=composer]")).to_have_value("¿Para qué año es el auto?")
    page.unroute("**/ui/c/*/reply")
    page.locator("[data-testid=composer]").press("Enter")
    expect(page.locator(".msg-agent").last).to_contain_text("¿Para qué año es el auto?")
    expect(page.locator("[data-testid=composer]")).to_have_value("")


def test_a_closed_window_offers_the_chosen_templates_fields_only(page, live_url, agent):
    from mostrador.connectors.whatsapp.connector import signature_of
    from mostrador.inbox.models import Conversation, MessageTemplate
    from tests.whatsapp.conftest import APP_SECRET, PHONE_NUMBER_ID, fixture
    from tests.whatsapp.fake_graph import TOKEN, FakeGraph

    graph = FakeGraph()
    graph.templates = [
        {"name": "seguimiento", "language": "es", "status": "APPROVED", "category": "MARKETING", "id": "1",
         "components": [{"type": "BODY", "text": "Hola {{1}}, ¿pudiste revisar la cotización {{2}}?"}]},
        {"name": "pedido_listo", "language": "es", "status": "APPROVED", "category": "UTILITY", "id": "2",
         "components": [{"type": "BODY", "text": "Tu pedido {{1}} está listo."}]},
    ]
    try:
        whatsapp = create_inbox("WhatsApp Tienda", "whatsapp", {
            "phone_number_id": PHONE_NUMBER_ID, "business_account_id": "204060801234567",
            "graph_api_url": graph.graph_api_url, "access_token": TOKEN, "app_secret": APP_SECRET,
        })
        whatsapp.members.add(agent)
        raw = json.dumps(fixture("text")).encode()
        answer = httpx.post(f"{live_url}/webhooks/whatsapp", content=raw,
                            headers={"X-Hub-Signature-256": signature_of(APP_SECRET, raw), "Content-Type": "application/json"})
        assert answer.status_code == 200

        login(page, live_url, agent.email)
        # The message is stored and the templates sync, both in the background.
        waited = 0
        while not (MessageTemplate.objects.filter(inbox=whatsapp).count() == 2 and Conversation.objects.exists()):
            assert waited < 15_000, "the message or the templates never arrived"
            page.wait_for_timeout(100)
            waited += 100
        # A day later, the 24-hour window has closed.
        Conversation.objects.update(customer_last_message_at="2020-01-01T00:00:00Z")
        pending_rows(page).first.click()
        composer = page.locator("[data-testid=template-composer]")
        expect(composer).to_be_visible()
        # Only the chosen template's text and fields show, not every template's at once.
        expect(composer.locator("input[name=param]:visible")).to_have_count(0)
        composer.locator("[data-testid=template-select]").select_option("seguimiento|es")
        expect(composer.locator("input[name=param]:visible")).to_have_count(2)
        expect(composer.get_by_text("¿pudiste revisar la cotización")).to_be_visible()
        expect(composer.get_by_text("Tu pedido {{1}} está listo.")).to_be_hidden()
    finally:
        graph.close()


def test_note_mode_stays_until_changed_and_looks_like_a_note(page, live_url, agent, shop):
    from mostrador.inbox.models import Message, Note

    seller_opens_a_new_chat(page, live_url, agent, shop, "Marta Vidal", "¿Hacen envíos a Temuco?")
    composer = page.locator("#composer")
    composer.locator("[data-testid=mode-note]").check()
    expect(composer).to_have_class(re.compile(r"\bcomposer-note\b"))
    expect(composer.locator("[data-testid=note-banner]")).to_be_visible()
    expect(composer.locator("[data-testid=send]")).to_have_text("Agregar nota")
    area = page.locator("[data-testid=composer]")
    area.fill("cliente mayorista, ojo con el precio")
    area.press("Enter")
    expect(page.locator(".note").last).to_contain_text("cliente mayorista")
    # The composer came back still writing notes: the second one stays inside the team too.
    expect(page.locator("#composer")).to_have_class(re.compile(r"\bcomposer-note\b"))
    expect(page.locator("[data-testid=mode-note]")).to_be_checked()
    page.locator("[data-testid=composer]").fill("pedir RUT para factura")
    page.locator("[data-testid=composer]").press("Enter")
    expect(page.locator(".note").last).to_contain_text("pedir RUT")
    assert Note.objects.count() == 2
    assert not Message.objects.filter(direction="out").exists()
    page.locator("[data-testid=mode-reply]").check()
    expect(page.locator("[data-testid=note-banner]")).to_be_hidden()
    expect(page.locator("[data-testid=send]")).to_have_text("Enviar")


def test_a_chosen_file_shows_its_name_and_can_be_removed(page, live_url, agent, shop, tmp_path):
    from mostrador.inbox.models import Message

    seller_opens_a_new_chat(page, live_url, agent, shop, "Pía Lagos", "¿Me mandas la ficha?")
    sheet = tmp_path / "ficha-pastillas-yaris.pdf"
    sheet.write_bytes(b"%PDF-1.4 ficha")
    chip = page.locator("[data-testid=attachment]")
    expect(chip).to_be_hidden()
    page.locator("[data-testid=attach]").set_input_files(str(sheet))
    expect(chip).to_be_visible()
    expect(chip).to_contain_text("ficha-pastillas-yaris.pdf")
    chip.get_by_role("button", name="Quitar el adjunto").click()
    expect(chip).to_be_hidden()
    page.locator("[data-testid=composer]").fill("Te la mando en un rato")
    page.locator("[data-testid=composer]").press("Enter")
    expect(page.locator(".msg-agent").last).to_contain_text("Te la mando")
    assert list(Message.objects.filter(direction="out").values_list("type", flat=True)) == ["text"]


def test_each_chat_keeps_its_own_draft(page, live_url, agent, shop):
    seller_opens_a_new_chat(page, live_url, agent, shop, "Raúl Soto", "Hola, ¿tienen filtros?")
    customer_writes(live_url, shop, "Inés Mora", "¿Abren el domingo?")
    expect(pending_rows(page)).to_have_count(2)
    area = page.locator("[data-testid=composer]")
    area.fill("Raúl, sí tenemos filtros de aceite para")
    page.locator(".row", has_text="Inés Mora").click()
    expect(page.locator("#timeline")).to_contain_text("¿Abren el domingo?")
    expect(area).to_have_value("")
    page.locator("[data-testid=mode-note]").check()
    area.fill("preguntar por sucursal")
    page.locator(".row", has_text="Raúl Soto").click()
    expect(page.locator("#timeline")).to_contain_text("¿tienen filtros?")
    expect(area).to_have_value("Raúl, sí tenemos filtros de aceite para")
    expect(page.locator("[data-testid=mode-reply]")).to_be_checked()
    page.reload()
    expect(page.locator("[data-testid=composer]")).to_have_value("Raúl, sí tenemos filtros de aceite para")
    page.locator(".row", has_text="Inés Mora").click()
    expect(area).to_have_value("preguntar por sucursal")
    expect(page.locator("[data-testid=mode-note]")).to_be_checked()


def test_a_chat_drawn_in_a_background_tab_is_not_seen_until_looked_at(page, live_url, agent, shop):
    from mostrador.inbox.models import Message

    login(page, live_url, agent.email)
    # The seller's tab is in the background (another window has the focus).
    page.evaluate("""() => {
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
        document.hasFocus = () => false;
    }""")
    customer_writes(live_url, shop, "Tomás Ruiz", "¿Tienen batería 70Ah?")
    expect(pending_rows(page)).to_have_count(1)
    pending_rows(page).first.click()
    expect(page.locator("#timeline")).to_contain_text("batería 70Ah")
    customer_writes(live_url, shop, "Tomás Ruiz", "¿Y la instalan?")
    expect(page.locator("#timeline")).to_contain_text("¿Y la instalan?")
    page.wait_for_load_state("networkidle")
    assert set(Message.objects.filter(direction="in").values_list("status", flat=True)) == {"received"}
    # She comes back to the tab: now the customer gets the blue ticks. It is still pending.
    page.evaluate("""() => {
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
        document.hasFocus = () => true;
        document.dispatchEvent(new Event("visibilitychange"));
    }""")
    deadline = 100
    while set(Message.objects.filter(direction="in").values_list("status", flat=True)) != {"read"}:
        assert deadline, "the messages were never marked seen"
        page.wait_for_timeout(50)
        deadline -= 1
    expect(pending_rows(page)).to_have_count(1)


def _photo(width, height) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def test_the_timeline_lands_on_the_newest_message_however_late_photos_load(page, live_url, agent, shop):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from mostrador.inbox.media import image_size
    from mostrador.inbox.models import Conversation, Message

    customer_writes(live_url, shop, "Rosa Díaz", "Le mando fotos del repuesto")
    conv = Conversation.objects.get()
    for n, (width, height) in enumerate([(1200, 1600), (1600, 900), (900, 900), (800, 1400), (1000, 700), (700, 1200)]):
        content = _photo(width, height)
        path = default_storage.save(f"media/test/foto-{n}.png", ContentFile(content))
        # The last photo came from before sizes were kept: its room is a fixed box.
        size = image_size(content) if n < 5 else {}
        Message.objects.create(conversation=conv, inbox=shop, direction="in", author_kind="customer", type="image",
                               media={"path": path, "mime_type": "image/png", "size": len(content), **size})
    customer_writes(live_url, shop, "Rosa Díaz", "¿Cuál de estos les sirve?")
    # The photos are held back until the chat is drawn and has landed on its newest message.
    held = []
    page.route("**/media/*", lambda route: held.append(route))
    login(page, live_url, agent.email)
    pending_rows(page).first.click()
    last = page.locator("#timeline .msg").last
    expect(last).to_contain_text("¿Cuál de estos les sirve?")
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the browser never asked for a photo"
    page.wait_for_load_state("networkidle")
    asked = len(held)
    for route in held:
        route.continue_()
    page.unroute("**/media/*")
    # Every photo the browser asked for has loaded and taken its room...
    for _ in range(200):
        loaded = page.locator("#timeline img").evaluate_all("imgs => imgs.filter(img => img.complete && img.naturalWidth > 0).length")
        if loaded >= asked:
            break
        page.wait_for_timeout(20)
    assert loaded >= asked
    # ...and the newest message is still in view, at once (no later refresh to rescue it).
    box = last.bounding_box()
    timeline = page.locator("#timeline").bounding_box()
    assert box["y"] + box["height"] <= timeline["y"] + timeline["height"] + 1, (box, timeline)
    assert page.locator("#timeline img[width]").count() == 5
    # She scrolls up to look at the first photo; a new message does not pull her down.
    page.locator("#timeline").evaluate("el => { el.scrollTop = 0; }")
    customer_writes(live_url, shop, "Rosa Díaz", "El de la izquierda es el original")
    expect(page.locator("#timeline .msg").last).to_contain_text("El de la izquierda")
    page.wait_for_load_state("networkidle")
    assert page.locator("#timeline").evaluate("el => el.scrollTop") < 50
    expect(page.locator("#timeline .msg").last).not_to_be_in_viewport()
