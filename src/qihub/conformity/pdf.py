"""Test reports as PDF, with a QR code that opens the public verification page
(the same way metrology prints its certificates)."""

import io
from urllib.parse import urlencode

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


def verification_url(number: str) -> str:
    path = reverse("conformity:verify")
    return (
        f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}?{urlencode({'number': number})}"
    )


def report_pdf(report) -> bytes:
    """One A4 page: the report's data, each result with the engine's verdict,
    and the QR code."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    pdf.setTitle(report.number)
    width, height = A4
    y = height - 25 * mm
    pdf.setFont(FONT, 16)
    pdf.drawString(20 * mm, y, f"{_('Test report')} {report.number}")
    pdf.setFont(FONT, 10)
    lines = [
        (_("Body"), report.body.name),
        (_("Client"), report.client.name if report.client else "-"),
        (_("Product"), report.product),
        (_("Sample"), report.sample or "-"),
        (_("Standards"), ", ".join(s.identifier for s in report.standards.all())),
        (_("Issued on"), report.issued_on.isoformat() if report.issued_on else "-"),
        (_("Conclusion"), report.get_conclusion_display()),
        (_("Status"), report.get_status_display()),
    ]
    y -= 12 * mm
    for label, value in lines:
        pdf.drawString(20 * mm, y, f"{label}: {value}")
        y -= 6 * mm
    y -= 4 * mm
    pdf.setFont(FONT, 11)
    pdf.drawString(20 * mm, y, _("Results"))
    pdf.setFont(FONT, 9)
    y -= 6 * mm
    for row in report.results.all()[:40]:
        unc = f" ± {row.uncertainty}" if row.uncertainty else ""
        pdf.drawString(
            20 * mm,
            y,
            f"{row.parameter}: {row.value}{unc} {row.unit} — {row.get_outcome_display()} {row.requirement}",
        )
        y -= 5 * mm
        if y < 60 * mm:
            break
    img = qrcode.make(verification_url(report.number))
    png = io.BytesIO()
    img.save(png, format="PNG")
    png.seek(0)
    pdf.drawImage(ImageReader(png), width - 60 * mm, 20 * mm, 40 * mm, 40 * mm)
    pdf.setFont(FONT, 8)
    pdf.drawString(20 * mm, 22 * mm, _("Scan the code to verify this report."))
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
