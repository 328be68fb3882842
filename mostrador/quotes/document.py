"""A quote as a PDF document (fpdf2), for sending to the customer as a file: who it is for, the
vehicle, the parts asked for, and the price."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import Quote


def _latin(text: str) -> str:
    # The PDF's built-in fonts cover Latin-1 (Spanish, Portuguese...); anything else (emoji) is
    # dropped rather than failing the send.
    return str(text).encode("latin-1", "ignore").decode("latin-1")


def quote_pdf(quote: Quote) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(_latin(_("Quote #%(number)s") % {"number": quote.pk}))
    pdf.set_creator("Mostrador")
    pdf.add_page()
    pdf.set_margins(18, 18, 18)

    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _latin(_("Quote #%(number)s") % {"number": quote.pk}), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    when = timezone.localtime(timezone.now()).strftime("%d-%m-%Y")
    pdf.cell(0, 6, _latin(f"{quote.inbox.name} · {when}"), new_x="LMARGIN", new_y="NEXT")
    contact = quote.contact
    pdf.cell(0, 6, _latin(_("For: %(name)s") % {"name": contact.name or contact.phone or "-"}), new_x="LMARGIN", new_y="NEXT")
    vehicle = quote.vehicle or {}
    car = " ".join(str(vehicle[k]) for k in ("make", "model", "year") if vehicle.get(k))
    details = [car, _("Plate %(plate)s") % {"plate": vehicle["plate"]} if vehicle.get("plate") else "",
               _("VIN %(vin)s") % {"vin": vehicle["vin"]} if vehicle.get("vin") else ""]
    if any(details):
        pdf.cell(0, 6, _latin(" · ".join(d for d in details if d)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    with pdf.table(col_widths=(110, 35, 25), text_align=("LEFT", "LEFT", "RIGHT")) as table:
        header = table.row()
        for title in (_("Part"), _("Side"), _("Quantity")):
            header.cell(_latin(title))
        for item in quote.items or []:
            row = table.row()
            row.cell(_latin(item.get("description", "")))
            row.cell(_latin(item.get("side", "")))
            row.cell(str(item.get("quantity", 1)))
    if quote.amount is not None:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 13)
        total = f"{quote.amount:,.2f}".replace(",", " ").removesuffix(".00")
        pdf.cell(0, 8, _latin(_("Total: %(amount)s %(currency)s") % {"amount": total, "currency": quote.currency}), align="R")
    return bytes(pdf.output())
