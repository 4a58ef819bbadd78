"""Vocabulary for generating people: names (with nicknames), companies, home regions.

Fictional and generic; phone area codes are real ones for each store's metro so generated numbers
pass libphonenumber validation.
"""

from __future__ import annotations

from dataclasses import dataclass

# fmt: off
# (formal name, common nickname or None): nicknames make "Robert" in Square "Bob" in HubSpot.
GIVEN_NAMES: tuple[tuple[str, str | None], ...] = (
    ("Robert", "Bob"), ("Katherine", "Kate"), ("William", "Bill"), ("Elizabeth", "Liz"),
    ("Michael", "Mike"), ("James", "Jim"), ("Jennifer", "Jen"), ("Christopher", "Chris"),
    ("Margaret", "Maggie"), ("Daniel", "Dan"), ("Thomas", "Tom"), ("Alexander", "Alex"),
    ("Samantha", "Sam"), ("Jonathan", "Jon"), ("Patricia", "Trish"), ("Richard", "Rick"),
    ("Joseph", "Joe"), ("Anthony", "Tony"), ("Nicholas", "Nick"), ("Rebecca", "Becky"),
    ("Matthew", "Matt"), ("Andrew", "Andy"), ("Benjamin", "Ben"), ("Victoria", "Vicky"),
    ("Jessica", "Jess"), ("Stephanie", "Steph"), ("Timothy", "Tim"), ("Gregory", "Greg"),
    ("Deborah", "Deb"), ("Susan", "Sue"), ("Olivia", None), ("Sophia", None), ("Emma", None),
    ("Ava", None), ("Mia", None), ("Noah", None), ("Liam", None), ("Ethan", None),
    ("Lucas", None), ("Mason", None), ("Priya", None), ("Wei", None), ("Mateo", None),
    ("Aisha", None), ("Hiroshi", None), ("Fatima", None), ("Diego", None), ("Chloe", None),
    ("Grace", None), ("Hannah", None), ("Isaac", None), ("Jasmine", None), ("Kevin", None),
    ("Laura", None), ("Maya", None), ("Nathan", None), ("Oscar", None), ("Rachel", None),
    ("Sean", None), ("Tara", None), ("Uma", None), ("Vikram", None), ("Yuki", None),
    ("Zoe", None), ("Carlos", None), ("Elena", None), ("Omar", None), ("Leah", None),
    ("Caleb", None), ("Nora", None),
)

FAMILY_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson",
    "Brooks", "Chavez", "Wood", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price",
    "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
    "O'Connor", "Okafor", "Novak", "Schmidt", "Larsen", "Yamamoto", "Haddad", "Kowalski",
)

# Studio Nine's corporate clients (workshop deals, invoiced to the company in Xero).
COMPANY_NAMES: tuple[str, ...] = (
    "Lakeshore Analytics", "Prairie Ventures", "Wicker Park Design Co", "Loop Legal Partners",
    "North Branch Logistics", "Fulton Market Media", "Riverwalk Dental", "Lincoln Square Labs",
    "Midway Robotics", "Ravenswood Architects", "Calumet Insurance", "Pilsen Print Works",
    "Gold Coast Realty", "Hyde Park Tutoring", "Bucktown Brewing", "Streeterville Health",
    "West Loop Software", "Andersonville Books", "Logan Square Fitness", "Navy Pier Events",
)
# fmt: on


@dataclass(frozen=True)
class Region:
    city: str
    state: str
    zips: tuple[str, ...]
    area_codes: tuple[str, ...]


# A person's home store decides their city, zip codes and phone area codes.
REGIONS: dict[str, Region] = {
    "LCAFE01": Region("Brooklyn", "NY", ("11215", "11217", "11238", "11231", "11218"),
                      ("718", "347", "917", "646")),
    "LBTQSEA": Region("Seattle", "WA", ("98103", "98107", "98122", "98115", "98117"),
                      ("206", "425", "253")),
    "LBTQPDX": Region("Portland", "OR", ("97209", "97214", "97202", "97232", "97211"),
                      ("503", "971")),
    "LSTUDIO": Region("Chicago", "IL", ("60614", "60622", "60647", "60657", "60610"),
                      ("312", "773", "872")),
}  # fmt: skip
