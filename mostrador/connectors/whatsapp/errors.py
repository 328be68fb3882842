"""What WhatsApp's error codes mean for us: retry, slow down for one recipient, or give up, and
how to explain a failure to a seller."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Transient: the same request can succeed later.
RETRY_CODES = {
    "network",  # no answer at all
    "1", "2",  # unknown / temporary API error
    "4", "80007",  # application or account rate limits
    "130429",  # throughput: too many messages per second for this number
    "131000",  # "something went wrong"
    "131016",  # service unavailable
    "133004",  # server temporarily unavailable
}
# Too many messages to one person in a short time: wait before writing to *them* again.
RECIPIENT_BACKOFF_CODES = {"131056"}

REASONS = {
    "131047": _("More than 24 hours have passed since the customer last wrote. Send an approved template instead."),
    "470": _("More than 24 hours have passed since the customer last wrote. Send an approved template instead."),
    "131026": _("WhatsApp could not deliver this message: the number may not use WhatsApp, or has not accepted the current terms."),
    "131049": _("WhatsApp chose not to deliver this marketing message, to keep the customer's experience healthy."),
    "131050": _("The customer has stopped marketing messages from this business."),
    "131051": _("WhatsApp does not support this kind of message."),
    "131052": _("The media could not be downloaded from WhatsApp."),
    "131053": _("The media could not be uploaded: check its type and size."),
    "131056": _("Too many messages to this customer in a short time. It will be sent again shortly."),
    "130429": _("The number is sending too fast. It will be sent again shortly."),
    "131008": _("A required part of the message is missing."),
    "131009": _("A value in the message is not valid."),
    "131021": _("The recipient is this business's own number."),
    "131031": _("The WhatsApp business account is locked."),
    "131042": _("There is a payment problem with the WhatsApp business account."),
    "131045": _("The phone number is not registered with WhatsApp."),
    "132000": _("The template's parameters do not match its placeholders."),
    "132001": _("This template does not exist in that language."),
    "132005": _("The template text is too long once filled in."),
    "132007": _("The template breaks WhatsApp's content policy."),
    "132012": _("The template's parameters are not in the expected format."),
    "132015": _("The template is paused for low quality."),
    "132016": _("The template is disabled."),
    "190": _("The access token has expired or is not valid. An admin must update the inbox."),
    "100": _("WhatsApp refused a parameter of the request."),
    "network": _("WhatsApp could not be reached."),
}


def classify(code: str, http_status: int) -> str:
    """'retry', 'recipient_backoff' or 'permanent'."""
    if code in RECIPIENT_BACKOFF_CODES:
        return "recipient_backoff"
    if code in RETRY_CODES or http_status == 429 or http_status >= 500 or http_status == 0:
        return "retry"
    return "permanent"


def reason(code: str) -> str | None:
    text = REASONS.get(code)
    return str(text) if text is not None else None
