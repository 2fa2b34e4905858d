"""The bulletin as a PDF, through the HTML template that WeasyPrint prints."""

from django.template.loader import render_to_string

from zongzhi.analytics.bulletins.structure import (
    BulletinLayout,
)

PDF_TYPE = "application/pdf"


def bulletin_html(layout: BulletinLayout) -> str:
    return render_to_string("analytics/bulletin_pdf.html", {"doc": layout})


def bulletin_pdf(layout: BulletinLayout) -> bytes:
    from weasyprint import HTML  # heavy import (cairo, pango): only when a PDF is asked for

    pdf = HTML(string=bulletin_html(layout)).write_pdf()
    assert pdf is not None
    return bytes(pdf)
