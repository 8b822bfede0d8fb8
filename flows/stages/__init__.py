"""The per-document stages: extract the main text from HTML, clean boilerplate out of it (rules and
the line model), and read its metadata (dates, credits, language). Pure functions, no Prefect."""
