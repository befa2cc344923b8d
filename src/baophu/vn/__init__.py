"""Vietnamese text in one place: display formats, parsing of what users type, NFC, masking of
personal data, and cells that exports write as text.

Submodules: ``cells`` (values made safe for CSV and spreadsheet exports); the others arrive
as the code that formats, parses and masks moves here.
"""
