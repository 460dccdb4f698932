"""
Writes the messy files of the offline analyst's evaluation into a directory, each beside a clean copy that the
expected answers are computed from (so a file read wrongly gives different numbers than its clean twin):

  umsatz.csv            German export: UTF-8 with a BOM, semicolons, decimal commas with thousands dots
                        ("1.234,56"), day-first dates ("31.01.2024"), blank lines and a line of empty fields
  ventes.csv            French export in Windows-1252: semicolons, decimal commas, day-first dates with slashes
  us-orders.csv         US export: "$1,234.56" amounts in quotes, month-first dates, blank rows, "n/a" amounts,
                        a trailing empty column
  ambiguous-dates.csv   day-first dates whose days are all 12 or less, so the values fit both orders
  workbook.xlsx         a workbook with a Sales, a Targets and a Notes sheet

  python3 make_files.py <directory>
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(20240131)


def german_number(value, decimals=2):
    """1234.5 -> "1.234,50"."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


# --- umsatz.csv -------------------------------------------------------------------------------------------------
days = pd.date_range("2024-01-01", "2025-12-31", freq="D")
n = 640
umsatz = pd.DataFrame(
    {
        "Datum": days[rng.integers(0, len(days), n)],
        "Region": rng.choice(["Nord", "Süd", "Ost", "West"], n),
        "Produkt": rng.choice(["Kaffee", "Tee", "Kakao", "Saft", "Wasser"], n),
        "Umsatz": np.round(rng.gamma(2.0, 900.0, n), 2),
        "Menge": rng.integers(1, 40, n) * 50,
    }
).sort_values("Datum", kind="stable")
umsatz.to_csv(out / "umsatz.clean.csv", index=False)
lines = ["Datum;Region;Produkt;Umsatz;Menge"]
for i, row in enumerate(umsatz.itertuples(index=False)):
    lines.append(
        ";".join(
            [
                row.Datum.strftime("%d.%m.%Y"),
                row.Region,
                row.Produkt,
                german_number(row.Umsatz),
                german_number(row.Menge, 0),
            ]
        )
    )
    if i in (100, 400):
        lines.append("")
    if i == 250:
        lines.append(";;;;")
(out / "umsatz.csv").write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8"))

# --- ventes.csv -------------------------------------------------------------------------------------------------
n = 420
ventes = pd.DataFrame(
    {
        "date": pd.date_range("2023-01-01", "2024-12-31", freq="D")[rng.integers(0, 731, n)],
        "catégorie": rng.choice(["Épicerie", "Boissons", "Hygiène", "Crèmerie"], n),
        "montant": np.round(rng.gamma(2.5, 40.0, n), 2),
        "quantité": rng.integers(1, 12, n),
    }
).sort_values("date", kind="stable")
ventes.to_csv(out / "ventes.clean.csv", index=False)
lines = ["date;catégorie;montant;quantité"]
for row in ventes.itertuples(index=False):
    lines.append(";".join([f"{row.date:%d/%m/%Y}", row[1], f"{row.montant:.2f}".replace(".", ","), str(row[3])]))
(out / "ventes.csv").write_bytes(("\n".join(lines) + "\n").encode("cp1252"))

# --- us-orders.csv ----------------------------------------------------------------------------------------------
n = 360
orders = pd.DataFrame(
    {
        "Order Date": pd.date_range("2024-01-01", "2024-12-31", freq="D")[rng.integers(0, 366, n)],
        "Region": rng.choice(["East", "West", "Central", "South"], n),
        "Amount": np.round(rng.gamma(1.5, 1500.0, n), 2),
    }
).sort_values("Order Date", kind="stable")
missing = rng.choice(n, 9, replace=False)
orders.loc[orders.index[missing], "Amount"] = np.nan
orders.to_csv(out / "us-orders.clean.csv", index=False)
lines = ["Order Date,Region,Amount,"]
for i, row in enumerate(orders.itertuples(index=False)):
    amount = "n/a" if pd.isna(row.Amount) else f'"${row.Amount:,.2f}"'
    lines.append(f"{row[0]:%m/%d/%Y},{row.Region},{amount},")
    if i % 97 == 50:
        lines.append(",,,")
(out / "us-orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

# --- ambiguous-dates.csv ----------------------------------------------------------------------------------------
first_days = [d for d in pd.date_range("2024-01-01", "2024-12-31", freq="D") if d.day <= 12]
n = 200
ambiguous = pd.DataFrame(
    {
        "date": np.array(first_days)[rng.integers(0, len(first_days), n)],
        "amount": rng.integers(10, 500, n),
    }
).sort_values("date", kind="stable")
ambiguous.to_csv(out / "ambiguous-dates.clean.csv", index=False)
pd.DataFrame({"date": ambiguous["date"].dt.strftime("%d/%m/%Y"), "amount": ambiguous["amount"]}).to_csv(
    out / "ambiguous-dates.csv", index=False
)

# --- workbook.xlsx ----------------------------------------------------------------------------------------------
n = 150
sales = pd.DataFrame(
    {
        "Date": pd.date_range("2025-01-01", "2025-06-30", freq="D")[rng.integers(0, 181, n)],
        "Region": rng.choice(["Americas", "EMEA", "APAC"], n),
        "Amount": np.round(rng.gamma(2.0, 300.0, n), 2),
    }
).sort_values("Date", kind="stable")
targets = pd.DataFrame({"Region": ["Americas", "EMEA", "APAC"], "Target": [30000, 25000, 15000]})
notes = pd.DataFrame({"Note": ["Figures in EUR", "Targets approved in January"]})
with pd.ExcelWriter(out / "workbook.xlsx") as book:
    sales.to_excel(book, sheet_name="Sales", index=False)
    targets.to_excel(book, sheet_name="Targets", index=False)
    notes.to_excel(book, sheet_name="Notes", index=False)
sales.to_csv(out / "workbook.Sales.clean.csv", index=False)
targets.to_csv(out / "workbook.Targets.clean.csv", index=False)
print("ok")
