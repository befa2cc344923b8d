"""Data contracts: the canonical tables, their columns, keys and Vietnamese headers."""

from baophu.contracts.model import Column, Contract, fold_header
from baophu.contracts.tables import CONTRACTS, IMPORT_ORDER

__all__ = ["CONTRACTS", "IMPORT_ORDER", "Column", "Contract", "fold_header"]
