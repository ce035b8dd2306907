"""The results report as files: the PDF (pdf: the document and its tables; charts: its
drawings; style: page, colours, font) and the tables every export shares (tables). Pure:
reportlab only, no Django; labels arrive in the reader's language inside the data.
"""
