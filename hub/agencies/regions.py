"""The ten RIEC regions and the municipalities (CBS codes) the hub knows to lie in each.

The list is deliberately partial: it covers the demo and the larger municipalities. A signal
from a municipality not listed here keeps its code and has no region until the list grows.
"""

RIEC_REGIONS: dict[str, str] = {
    "amsterdam-amstelland": "Amsterdam-Amstelland",
    "noord-holland": "Noord-Holland",
    "midden-nederland": "Midden-Nederland",
    "oost-nederland": "Oost-Nederland",
    "noord-nederland": "Noord-Nederland",
    "limburg": "Limburg",
    "zeeland-west-brabant": "Zeeland-West-Brabant",
    "oost-brabant": "Oost-Brabant",
    "rotterdam": "Rotterdam",
    "den-haag": "Den Haag",
}

MUNICIPALITIES: dict[str, tuple[str, str]] = {
    # code: (name, RIEC region)
    "GM0358": ("Aalsmeer", "amsterdam-amstelland"),
    "GM0362": ("Amstelveen", "amsterdam-amstelland"),
    "GM0363": ("Amsterdam", "amsterdam-amstelland"),
    "GM0384": ("Diemen", "amsterdam-amstelland"),
    "GM0437": ("Ouder-Amstel", "amsterdam-amstelland"),
    "GM0451": ("Uithoorn", "amsterdam-amstelland"),
    "GM0392": ("Haarlem", "noord-holland"),
    "GM0394": ("Haarlemmermeer", "noord-holland"),
    "GM0479": ("Zaanstad", "noord-holland"),
    "GM0361": ("Alkmaar", "noord-holland"),
    "GM0344": ("Utrecht", "midden-nederland"),
    "GM0307": ("Amersfoort", "midden-nederland"),
    "GM0202": ("Arnhem", "oost-nederland"),
    "GM0268": ("Nijmegen", "oost-nederland"),
    "GM0193": ("Zwolle", "oost-nederland"),
    "GM0153": ("Enschede", "oost-nederland"),
    "GM0014": ("Groningen", "noord-nederland"),
    "GM0080": ("Leeuwarden", "noord-nederland"),
    "GM0935": ("Maastricht", "limburg"),
    "GM0983": ("Venlo", "limburg"),
    "GM0917": ("Heerlen", "limburg"),
    "GM0758": ("Breda", "zeeland-west-brabant"),
    "GM0855": ("Tilburg", "zeeland-west-brabant"),
    "GM0772": ("Eindhoven", "oost-brabant"),
    "GM0796": ("'s-Hertogenbosch", "oost-brabant"),
    "GM0599": ("Rotterdam", "rotterdam"),
    "GM0606": ("Schiedam", "rotterdam"),
    "GM0622": ("Vlaardingen", "rotterdam"),
    "GM0505": ("Dordrecht", "rotterdam"),
    "GM0518": ("'s-Gravenhage", "den-haag"),
    "GM0546": ("Leiden", "den-haag"),
    "GM0503": ("Delft", "den-haag"),
    "GM1783": ("Westland", "den-haag"),
}


def region_of(municipality: str | None) -> str | None:
    """The RIEC region of a municipality code, if the hub knows it."""
    if municipality is None:
        return None
    entry = MUNICIPALITIES.get(municipality)
    return entry[1] if entry else None
