"""Provides the word lists the deterministic seed draws names from."""

from __future__ import annotations

FIRST_NAMES = (
    "Jane", "Omar", "Priya", "Lucas", "Maria", "Ethan", "Aisha", "Noah", "Chloe", "Diego",
    "Hannah", "Kenji", "Fatima", "Liam", "Sofia", "Mateo", "Grace", "Arjun", "Emma", "Samuel",
    "Zoe", "Daniel", "Leah", "Marcus", "Olivia", "Ravi", "Isabel", "Tomas", "Nora", "Caleb",
    "Elena", "Jonah", "Mei", "Adrian", "Ruth", "Felix", "Amara", "Owen", "Lucia", "Victor",
    "Ingrid", "Malik", "Paige", "Hugo", "Tessa", "Andre", "Yara", "Simon", "Leila", "Graham",
)
LAST_NAMES = (
    "Doe", "Patel", "Nguyen", "Garcia", "Smith", "Kowalski", "Okafor", "Johansson", "Rossi",
    "Chen", "Murphy", "Schmidt", "Alvarez", "Kim", "Dubois", "Haddad", "Novak", "Tanaka",
    "Oconnor", "Silva", "Fischer", "Baker", "Reyes", "Larsen", "Mendes", "Hughes", "Ibrahim",
    "Walsh", "Moreau", "Costa", "Bennett", "Lindqvist", "Yamamoto", "Ortiz", "Brennan", "Adeyemi",
    "Foster", "Sato", "Keller", "Varga",
)

NORTHWIND_CUSTOMERS = (
    # (org name, email domain, active users, individually deactivated users)
    ("BrightSmile Dental", "brightsmile-dental.example", 6, 1),
    ("Keller & Voss Law", "kellervoss-law.example", 5, 1),
    ("Pinecrest Accounting", "pinecrest-cpa.example", 5, 0),
    ("Ridgeline Architects", "ridgeline-arch.example", 6, 0),
    ("Maple Street Veterinary", "maplestreet-vet.example", 3, 0),
    ("Summit Physical Therapy", "summit-pt.example", 3, 0),
    ("Blue Heron Realty", "blueheron-realty.example", 3, 0),
    ("Oakridge Family Medicine", "oakridge-medical.example", 4, 0),
    ("Cedar & Pine Interiors", "cedarpine-interiors.example", 2, 0),
    ("Lakeside Insurance Agency", "lakeside-insurance.example", 3, 0),
    ("Greenfield Engineering", "greenfield-eng.example", 2, 0),
    ("Copperleaf Bakery", "copperleaf-bakery.example", 0, 0),
)
NORTHWIND_CHILD = ("Greenfield Engineering - Field Office", "greenfield-eng.example", 1)
"""A child org of a customer org (against the vendor's best practice)."""
NORTHWIND_DEACTIVATED_ORG = "Copperleaf Bakery"
"""A customer org that left; its one user was deactivated with it."""

HARBOR_CUSTOMERS = (
    ("Seaside Chiropractic", "seaside-chiro.example", 4, 1),
    ("Anchor Point Title", "anchorpoint-title.example", 4, 0),
    ("Driftwood Design Studio", "driftwood-design.example", 3, 0),
    ("Lighthouse Tax Services", "lighthouse-tax.example", 2, 0),
)

LARGE_PREFIXES = (
    "Acme", "Birch", "Canyon", "Delta", "Elm", "Falcon", "Granite", "Hillside", "Iron", "Juniper",
    "Keystone", "Lantern", "Meridian", "North Star", "Orchard", "Prairie", "Quarry", "Redwood",
    "Silver", "Timber", "Union", "Valley", "Willow", "Summit", "Beacon",
)
LARGE_KINDS = (
    "Dental", "Law Group", "Accounting", "Architects", "Veterinary", "Realty", "Family Medicine",
    "Insurance", "Engineering", "Bakery", "Auto Repair", "Plumbing", "Chiropractic", "Title Co",
    "Design Studio", "Landscaping", "Pharmacy", "Logistics", "Consulting", "Optometry",
)

OS_VERSIONS = {
    "win": ("10.0.19045", "10.0.22631", "10.0.26100"),
    "mac": ("13.6.7", "14.5", "15.1"),
    "linux": ("5.15.0-105-generic", "6.5.0-35-generic", "6.8.0-40-generic"),
}
PRODUCT_VERSIONS = ("11.2.1", "11.3.0", "11.4.1")
TIME_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
DEVICE_KINDS = {
    "win": ("DESKTOP", "LAPTOP", "FRONTDESK", "RECEPTION", "WS"),
    "mac": ("MacBook-Pro", "MacBook-Air", "iMac", "Mac-mini"),
    "linux": ("srv", "nas", "ubuntu-ws"),
}
