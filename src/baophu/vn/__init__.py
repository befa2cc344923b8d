"""Vietnamese text in one place: display formats, parsing of what users type, NFC, masking of
personal data, and cells that exports write as text.

Submodules: ``formats`` (numbers ``1.115.590``, percentages ``95,3%``, money, dates; display
rounding half away from zero), ``parse`` (typed amounts and dates), ``text`` (NFC and folding
for matching), ``masking`` (personal IDs and phones), ``cells`` (values made safe for CSV and
spreadsheet exports).  The package imports nothing else of baophu, so every layer may use it.
"""
