"""Importing payments (经费拨付) from Excel: check every row, then write all or nothing.

A row names an organization and a policy by their codes; with the chosen year
they name one allocation, which the payment is recorded against. Every row is
checked before anything is written, and every problem is reported with its row
and column. Only when the whole file passes are the payments written, in one
transaction, by `services.disbursements_bulk_record`.

The file's columns are those of the payment export (views/disbursements.py
writes the same headers), so an exported file can be edited and imported back;
the export's 合计 row is skipped. Extra columns (组织名称, 经费标准, 录入人) are
ignored.

A fixed number of queries whatever the number of rows: organizations, policies,
allocations and vouchers already recorded are each looked up in one query.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError
from django.utils.translation import gettext as _

from orgs.models import MANAGING_ROLES, Organization
from orgs.scoping import scope_q
from partybuild.xlsx import (
    BadValue,
    CellError,
    XlsxRejected,
    cell_text,
    decimal_value,
    formula_message,
    is_formula,
    open_xlsx_upload,
    parse_date,
    read_sheet,
)

from . import services
from .models import MONEY, ZERO, Allocation, Disbursement, FundingPolicy

# field -> header. The order is the import template's column order.
HEADERS = {
    "org_code": "组织代码",
    "policy_code": "经费标准代码",
    "paid_on": "拨付日期",
    "amount": "金额",
    "voucher_no": "凭证号",
    "note": "备注",
}
REQUIRED = ("org_code", "policy_code", "paid_on", "amount", "voucher_no")
TOTAL_LABEL = "合计"  # the export's last row, in its 拨付日期 column
MAX_ROWS = 5_000
MAX_AMOUNT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])
VOUCHER_MAX = Disbursement._meta.get_field("voucher_no").max_length
NOTE_MAX = Disbursement._meta.get_field("note").max_length
# check_payment's error keys -> the file's columns.
PAYMENT_FIELDS = {"paid_on": "paid_on", "amount": "amount", "voucher_no": "voucher_no"}


@dataclass
class ImportResult:
    """What an import did: `errors` (nothing written) or `created` payments of `total` yuan."""

    year: int
    errors: list = field(default_factory=list)
    created: int = 0
    total: Decimal = ZERO

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    org_code: str = ""
    policy_code: str = ""
    paid_on: object = None
    amount: Decimal | None = None
    voucher_no: str = ""
    note: str = ""


class _Check:
    """The checks of one file: rows read from cells, then the lookups done in bulk."""

    def __init__(self, sheet, *, year, user):
        self.sheet, self.year, self.user = sheet, year, user
        self.errors: list[CellError] = []
        self.rows: list[_Row] = []

    def error(self, row: int, name: str, message: str, code: str):
        self.errors.append(
            CellError(row, HEADERS[name], message, code, self.sheet.letters.get(name, ""))
        )

    # ---------------------------------------------------------- cells

    def read(self):
        for sheet_row in self.sheet.rows:
            cells = sheet_row.cells
            if _is_total_row(cells):
                continue
            row = _Row(sheet_row.number)
            for name in HEADERS:
                cell = cells.get(name)
                if cell is not None and is_formula(cell):
                    self.error(row.number, name, formula_message(), "formula")
                    continue
                value = cell.value if cell is not None else None
                try:
                    setattr(row, name, self.parse(name, value))
                except BadValue as exc:
                    self.error(row.number, name, exc.message, exc.code)
            self.rows.append(row)

    def parse(self, name, value):
        if name in ("org_code", "policy_code"):
            text = cell_text(value)
            if not text:
                raise BadValue(_("This column is required."), "required")
            return text
        if name == "paid_on":
            if value is None or cell_text(value) == "":
                raise BadValue(_("This column is required."), "required")
            try:
                return parse_date(value)
            except ValueError:
                raise BadValue(
                    _("Enter a date such as %(example)s.") % {"example": f"{self.year}-03-15"},
                    "not_a_date",
                ) from None
        if name == "amount":
            if value is None or cell_text(value) == "":
                raise BadValue(_("This column is required."), "required")
            bad = BadValue(_("Enter the amount in yuan as a number, such as 1234.50."), "not_a_number")
            if isinstance(value, str):
                value = value.replace(",", "").replace("，", "")  # 1,234.50 typed as text
            amount = decimal_value(value, bad)
            if abs(amount) >= MAX_AMOUNT:
                raise BadValue(_("The amount is too large."), "too_large")
            return amount
        if name == "voucher_no":
            text = cell_text(value)
            if len(text) > VOUCHER_MAX:
                raise BadValue(
                    _("At most %(n)s characters.") % {"n": VOUCHER_MAX}, "too_long"
                )
            return text
        text = cell_text(value)  # note
        if len(text) > NOTE_MAX:
            raise BadValue(_("At most %(n)s characters.") % {"n": NOTE_MAX}, "too_long")
        return text

    # ---------------------------------------------------------- lookups

    def look_up(self) -> list[Disbursement]:
        """Check each row against the database; the payments to write, if all is well."""
        org_codes = {r.org_code for r in self.rows if r.org_code}
        policy_codes = {r.policy_code for r in self.rows if r.policy_code}
        # An organization outside the user's manageable scope reads as unknown:
        # the message must not tell whether the code exists elsewhere.
        orgs = dict(
            Organization.objects.filter(scope_q(self.user, roles=MANAGING_ROLES))
            .filter(code__in=org_codes).order_by().values_list("code", "pk")
        )
        known_policies = set(
            FundingPolicy.objects.visible_to(self.user).filter(code__in=policy_codes)
            .order_by().values_list("code", flat=True)
        )
        allocations = defaultdict(list)  # (org pk, policy code) -> [allocation pk]
        for pk, org_id, code in (
            Allocation.objects.filter(
                year=self.year, organization_id__in=orgs.values(), policy__code__in=known_policies
            ).order_by().values_list("pk", "organization_id", "policy__code")
        ):
            allocations[org_id, code].append(pk)
        vouchers = {r.voucher_no for r in self.rows if r.voucher_no}
        taken = set(
            Disbursement.objects.filter(voucher_no__in=vouchers).values_list("voucher_no", flat=True)
        )
        rows_by_voucher = defaultdict(list)
        for r in self.rows:
            if r.voucher_no:
                rows_by_voucher[r.voucher_no].append(r.number)

        payments = []
        for r in self.rows:
            allocation_id = self._allocation(r, orgs, known_policies, allocations)
            self._payment_rules(r)
            self._voucher(r, taken, rows_by_voucher)
            if allocation_id is not None:
                payments.append(Disbursement(
                    allocation_id=allocation_id, paid_on=r.paid_on, amount=r.amount,
                    voucher_no=r.voucher_no, note=r.note,
                ))
        return payments

    def _allocation(self, r: _Row, orgs, known_policies, allocations):
        org_id = orgs.get(r.org_code) if r.org_code else None
        if r.org_code and org_id is None:
            self.error(
                r.number, "org_code",
                _("Unknown organization code %(code)s.") % {"code": r.org_code}, "unknown_org",
            )
        if r.policy_code and r.policy_code not in known_policies:
            self.error(
                r.number, "policy_code",
                _("Unknown funding policy code %(code)s.") % {"code": r.policy_code},
                "unknown_policy",
            )
        if org_id is None or r.policy_code not in known_policies:
            return None
        found = allocations.get((org_id, r.policy_code), [])
        if not found:
            self.error(
                r.number, "policy_code",
                _("%(org)s has no allocation under %(policy)s for %(year)s: generate the "
                  "year's allocations first.")
                % {"org": r.org_code, "policy": r.policy_code, "year": self.year},
                "no_allocation",
            )
            return None
        if len(found) > 1:  # two issuers' policies share the code; rare, so just refuse
            self.error(
                r.number, "policy_code",
                _("The code %(code)s names more than one policy for this organization; "
                  "record this payment on the allocation's page.") % {"code": r.policy_code},
                "ambiguous_policy",
            )
            return None
        return found[0]

    def _payment_rules(self, r: _Row):
        """The payment form's rules (services.check_payment) for the amount and the date.

        The voucher is passed empty and its error dropped: check_payment would look
        each voucher up with a query of its own, so `_voucher` checks them all at once,
        in the same words.
        """
        if r.amount is None and r.paid_on is None:
            return
        errors = services.check_payment(
            allocation=Allocation(year=self.year), paid_on=r.paid_on, amount=r.amount,
            voucher_no="",
        )
        for key, message in errors.items():
            name = PAYMENT_FIELDS[key]
            if name == "voucher_no" or getattr(r, name) is None:
                continue  # unread cell: already reported
            self.error(r.number, name, message, "paid_on" if name == "paid_on" else "amount")

    def _voucher(self, r: _Row, taken, rows_by_voucher):
        if not r.voucher_no:
            if not any(e.row == r.number and e.column == HEADERS["voucher_no"] for e in self.errors):
                self.error(r.number, "voucher_no", _("Enter the voucher number."), "required")
            return
        rows = rows_by_voucher[r.voucher_no]
        if len(rows) > 1:
            self.error(
                r.number, "voucher_no",
                _("Voucher number %(voucher)s appears more than once in the file: rows %(rows)s.")
                % {"voucher": r.voucher_no, "rows": "、".join(str(n) for n in rows)},
                "duplicate_in_file",
            )
        if r.voucher_no in taken:
            self.error(
                r.number, "voucher_no",
                _("Voucher number %(voucher)s is already recorded.") % {"voucher": r.voucher_no},
                "duplicate",
            )

    def sorted_errors(self):
        order = list(HEADERS.values())
        return sorted(
            self.errors,
            key=lambda e: (e.row or 0, order.index(e.column) if e.column in order else -1),
        )


def _is_total_row(cells) -> bool:
    """The export's 合计 row: 合计 in 拨付日期 and no organization or voucher."""
    def text(name):
        cell = cells.get(name)
        return cell_text(cell.value) if cell is not None and not is_formula(cell) else ""

    return text("paid_on") == TOTAL_LABEL and not text("org_code") and not text("voucher_no")


def import_disbursements(*, workbook_file, year: int, user) -> ImportResult:
    """Check an uploaded .xlsx of payments for `year` and record them all, or none.

    `user` must be staff who manage money (the view checks); rows naming an
    organization outside the subtrees they manage are refused as unknown codes.
    """
    result = ImportResult(year=year)
    try:
        workbook = open_xlsx_upload(workbook_file)
        try:
            sheet = read_sheet(workbook, headers=HEADERS, required=REQUIRED, max_rows=MAX_ROWS)
        finally:
            workbook.close()
    except XlsxRejected as exc:
        result.errors = [CellError(None, "", exc.message, "file")]
        return result

    check = _Check(sheet, year=year, user=user)
    check.read()
    payments = check.look_up()
    if not check.rows:  # only a 合计 row
        check.errors.append(CellError(None, "", _("The sheet has no payments to import."), "empty"))
    if check.errors:
        result.errors = check.sorted_errors()
        return result
    try:
        result.created = services.disbursements_bulk_record(rows=payments, by=user)
    except IntegrityError:
        # Someone recorded one of these vouchers since the check; the transaction rolled back.
        result.errors = [CellError(
            None, "", _("A voucher number in the file was recorded meanwhile. Upload the file "
                        "again to see which."), "race",
        )]
        return result
    result.total = sum((p.amount for p in payments), ZERO)
    return result
