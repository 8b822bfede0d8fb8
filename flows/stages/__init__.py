"""The per-document stages: extract the main text from HTML, clean boilerplate out of it (rules and
the line model), and read its metadata (dates, credits, language). Pure functions, no Prefect.

Every stage has one shape (document.py): `stage(state) -> state | Rejection`. process.py names the
stages in order in DOCUMENT_STAGES and runs them; adding a stage means adding its module and
naming it there."""
