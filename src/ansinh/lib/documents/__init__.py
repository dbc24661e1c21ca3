"""Document builders shared by every app (ARCHITECTURE.md, "Documents"): safe text cells for XLSX
(``xlsx``). No Django here."""
