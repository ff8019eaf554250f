"""Reports as files: an XLSX workbook (openpyxl) and a printable DOCX (python-docx)."""
from __future__ import annotations

import io
from decimal import Decimal

from services.finance.reports import MONTHS


def xlsx(school: str, ie: dict, bs: dict, bva: dict) -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "收支表"
    ws.append([f"{school} 工会经费收支表 {ie['year']} 年"])
    ws.append(["类别", "科目", "名称", *[f"{int(m)}月" for m in MONTHS], "合计"])
    for label, kind in (("收入", "income"), ("支出", "expense")):
        for r in ie[kind]:
            ws.append([label, r["account"], r["name"], *[Decimal(r["months"][m]) for m in MONTHS], Decimal(r["total"])])
    ws.append(["收入合计", "", "", *[""] * 12, Decimal(ie["total_income"])])
    ws.append(["支出合计", "", "", *[""] * 12, Decimal(ie["total_expense"])])
    ws.append(["收支结余", "", "", *[""] * 12, Decimal(ie["surplus"])])
    sheet = wb.create_sheet("资产负债表")
    sheet.append(["项目", "科目", "名称", "余额"])
    for label, key in (("资产", "assets"), ("负债", "liabilities"), ("净资产", "net_assets")):
        for r in bs[key]:
            sheet.append([label, r["account"], r["name"], Decimal(r["balance"])])
    sheet.append(["资产合计", "", "", Decimal(bs["total_assets"])])
    sheet.append(["负债和净资产合计", "", "", Decimal(bs["total_liabilities"]) + Decimal(bs["total_net_assets"])])
    sheet = wb.create_sheet("预算执行")
    sheet.append(["类别", "名称", "预算", "实际", "已占用", "余额", "执行率"])
    for r in bva["items"]:
        sheet.append([r["category"], r["label"], Decimal(r["budget"]), Decimal(r["actual"]), Decimal(r["committed"]),
                      Decimal(r["remaining"]), r["rate"]])
    for s in wb.worksheets:
        for row in s.iter_rows():
            for cell in row:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def docx(school: str, ie: dict, bs: dict, bva: dict) -> bytes:
    from docx import Document
    doc = Document()
    doc.add_heading(f"{school} 工会经费收支情况报告（{ie['year']} 年）", level=1)
    doc.add_paragraph(f"本年收入 {ie['total_income']} 元，支出 {ie['total_expense']} 元，收支结余 {ie['surplus']} 元。")
    for title, kind in (("一、收入", "income"), ("二、支出", "expense")):
        doc.add_heading(title, level=2)
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        table.rows[0].cells[0].text, table.rows[0].cells[1].text, table.rows[0].cells[2].text = "科目", "名称", "金额（元）"
        for r in ie[kind]:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = r["account"], r["name"], r["total"]
    doc.add_heading("三、资产负债", level=2)
    doc.add_paragraph(f"资产合计 {bs['total_assets']} 元；负债合计 {bs['total_liabilities']} 元；"
                      f"净资产合计 {bs['total_net_assets']} 元。")
    doc.add_heading("四、预算执行", level=2)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("类别", "预算", "实际", "执行率")):
        cell.text = text
    for r in bva["items"]:
        for cell, text in zip(table.add_row().cells, (r["label"], r["budget"], r["actual"], r["rate"] or "-")):
            cell.text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
