"""The leadership report: one model of the figures, written as XLSX, HTML and a one-page PDF."""
