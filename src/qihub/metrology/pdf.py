"""Calibration certificates as PDF, with a QR code that opens the public
verification page."""

import io

import qrcode
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"


def verification_url(event) -> str:
    """The public page that confirms a certificate (printed as a QR code)."""
    path = reverse("metrology:certificate_verify", args=[event.certificate_number])
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}?h={event.verify_hash}"


def certificate_pdf(event) -> bytes:
    """One A4 page: the certificate's data, results and its QR code."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    pdf.setTitle(event.certificate_number)
    width, height = A4
    y = height - 25 * mm
    pdf.setFont(FONT, 16)
    title = (
        _("Verification certificate")
        if event.kind == "verification"
        else _("Calibration certificate")
    )
    pdf.drawString(20 * mm, y, f"{title} {event.certificate_number}")
    pdf.setFont(FONT, 10)
    item = event.item
    lines = [
        (_("Item"), f"{item.code} {item.name}"),
        (_("Laboratory"), event.laboratory.name),
        (
            _("Reference standard"),
            str(event.reference_standard) if event.reference_standard else "-",
        ),
        (_("Performed on"), event.performed_on.isoformat()),
        (_("Next due"), event.valid_until.isoformat()),
        (_("Conformity"), event.get_conformity_display()),
        (_("Status"), event.get_status_display()),
    ]
    y -= 12 * mm
    for label, value in lines:
        pdf.drawString(20 * mm, y, f"{label}: {value}")
        y -= 6 * mm
    y -= 4 * mm
    pdf.setFont(FONT, 11)
    pdf.drawString(20 * mm, y, _("Measurement results"))
    pdf.setFont(FONT, 9)
    y -= 6 * mm
    for row in event.results.all()[:40]:
        unc = (
            f" U = {row.expanded_uncertainty:g} (k = {row.coverage_factor:g})"
            if row.expanded_uncertainty is not None
            else ""
        )
        pdf.drawString(20 * mm, y, f"{row.name}: {row.value:g} {row.unit}{unc}")
        y -= 5 * mm
        if y < 60 * mm:
            break
    img = qrcode.make(verification_url(event))
    png = io.BytesIO()
    img.save(png, format="PNG")
    png.seek(0)
    pdf.drawImage(ImageReader(png), width - 60 * mm, 20 * mm, 40 * mm, 40 * mm)
    pdf.setFont(FONT, 8)
    pdf.drawString(20 * mm, 22 * mm, _("Scan the code to verify this certificate."))
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
