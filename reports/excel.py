"""The dashboard's tables as spreadsheets (TODO: helper fills in every panel)."""


from exports.registry import BadExport, exporter

TABLES = {}


@exporter
def dashboard_table(user, params):
    raise BadExport("TODO")
