"""The published report, "We asked, you said, we did": built once (``content.py``) and written as an
accessible HTML page (``html.py``), a Word document (``docx.py``) and a PDF (``pdf.py``)."""
