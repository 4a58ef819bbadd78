"""core.customers on a small warehouse: survivorship, opt-out wins, consent basis, jurisdiction."""

import duckdb
import pytest

from pipeline.identity import resolve_identities
from pipeline.store.reference_files import load_all
from pipeline.store.schema import migrate
from pipeline.store.sql_models import build, discover

MODELS = {m.table: m for m in discover()}
COLUMNS = (
    "id, business_id, email, phone, given_name, family_name, loyalty_id, region, country, "
    "optout, updated_at"
)


def _table(con, name, id_column, optout_column, rows):
    values = ", ".join(
        "(" + ", ".join("NULL" if v is None else repr(v) for v in row) + ")" for row in rows
    )
    con.execute(
        f"CREATE TABLE staging.{name} AS SELECT id AS {id_column}, * EXCLUDE (id, optout, "
        f"updated_at), CAST(optout AS BOOLEAN) AS {optout_column}, "
        f"CAST(updated_at AS TIMESTAMPTZ) AS updated_at FROM (VALUES {values}) AS t({COLUMNS})"
    )


@pytest.fixture
def con():
    con = duckdb.connect()
    migrate(con)
    for name, frame in load_all().items():
        con.register("_ref", frame.replace({"": None}))
        con.execute(f"CREATE TABLE ref.{name} AS SELECT * FROM _ref")
        con.unregister("_ref")
    # Dana: HubSpot says subscribed, Square recorded an unsubscribe; address in Oregon.
    # Lee: only a Square profile abroad (Canada), never opted out.
    # Sam: no address anywhere, no email.
    _table(
        con,
        "stg_hubspot__contacts",
        "hubspot_contact_id",
        "email_optout",
        [
            (
                "h1",
                "cafe",
                "Dana.Cho@Example.com",
                None,
                "Dana",
                "Cho",
                None,
                None,
                None,
                "false",
                "2026-03-01",
            ),
        ],
    )
    _table(
        con,
        "stg_square__customers",
        "square_customer_id",
        "email_unsubscribed",
        [
            (
                "s1",
                "cafe",
                "dana.cho@example.com",
                "2064821937",
                "Dana",
                "Cho-Park",
                None,
                "OR",
                "US",
                "true",
                "2026-06-01",
            ),
            (
                "s2",
                "cafe",
                "lee@example.ca",
                None,
                "Lee",
                "Tran",
                None,
                "ON",
                "CA",
                "false",
                "2026-06-01",
            ),
            (
                "s3",
                "cafe",
                None,
                "3125550111",
                "Sam",
                "Ode",
                None,
                None,
                None,
                "false",
                "2026-06-01",
            ),
        ],
    )
    con.execute(
        "CREATE TABLE staging.stg_xero__contacts AS SELECT * FROM "
        "staging.stg_square__customers WHERE FALSE"
    )
    con.execute(
        "ALTER TABLE staging.stg_xero__contacts RENAME square_customer_id TO xero_contact_id"
    )
    records = con.execute(
        "SELECT business_id, 'hubspot' AS source, hubspot_contact_id AS source_id, email, phone, "
        "given_name, family_name FROM staging.stg_hubspot__contacts UNION ALL "
        "SELECT business_id, 'square', square_customer_id, email, phone, given_name, family_name "
        "FROM staging.stg_square__customers"
    ).fetch_df()
    identity = resolve_identities(records)
    identity["postcode_normalized"] = identity["postcode_normalized"].astype(object)
    con.register("_identity", identity)
    con.execute("CREATE TABLE core.identity_map AS SELECT * FROM _identity")
    build(con, MODELS["core.customers"])
    return con


def _customer(con, given_name_like):
    frame = con.execute("SELECT * FROM core.customers").fetch_df()
    rows = frame[frame["sources"].map(len) > 0]
    return rows[
        rows["email"].fillna("").str.startswith(given_name_like)
        | rows["given_name"].eq(given_name_like)
    ].iloc[0]


def test_an_opt_out_anywhere_wins_and_crm_names_survive(con):
    dana = _customer(con, "dana")
    assert dana["source_records"] == 2
    assert not dana["consent_email"]
    assert dana["consent_basis"] == "opted_out"
    # HubSpot outranks Square for every field it has; Square fills the phone it lacks.
    assert (dana["given_name"], dana["family_name"]) == ("Dana", "Cho")
    assert dana["email"] == "dana.cho@example.com"
    assert dana["phone"] == "+12064821937"
    assert (dana["jurisdiction"], dana["jurisdiction_source"]) == ("US-OR", "address")


def test_outside_the_us_email_consent_needs_an_opt_in(con):
    lee = _customer(con, "lee")
    assert (lee["jurisdiction"], lee["consent_basis"]) == ("CA-ON", "needs_opt_in")
    assert not lee["consent_email"]


def test_without_an_address_the_home_location_decides(con):
    sam = _customer(con, "Sam")
    assert (sam["jurisdiction"], sam["jurisdiction_source"]) == ("US-NY", "home_location")
    assert sam["consent_basis"] == "no_email" and not sam["consent_sms"]
