"""People's names as varied as a large firm's address book, from a fixed seed.

The demo seed (app/services/demo.py) draws from a few hundred words, so 100,000 demo
contacts share about 8,600 distinct names: any index looks fast on that. Real directories
are long-tailed: a few common first and family names, and tens of thousands of rare family
names. This generator combines real names of ten language areas (accents, `ß`, `ł`, `ø`,
`ı`, Vietnamese diacritics) with family names built from each area's syllables, drawn
with Zipf weights, plus double family names and second given names. At 100,000 people
about nine names in ten are distinct, and same-name pairs still occur.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass

SEED = 5


@dataclass(frozen=True)
class Area:
    first: tuple[str, ...]
    family: tuple[str, ...]
    #: Syllables for made-up family names: starts, middles, endings.
    starts: tuple[str, ...]
    middles: tuple[str, ...]
    endings: tuple[str, ...]
    domain: str


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


AREAS: tuple[Area, ...] = (
    Area(
        _t(
            "Hans Jürgen Anna Lukas Sophie Jörg Günther Ute Katrin Matthias Sabine Felix Lea "
            "Maximilian Björn Dörte Klaus Till Paul Marie Jonas Lena Leon Emma Finn Mia Elias "
            "Hannah Noah Lina Ben Clara Moritz Greta Friedrich Käthe Heinz Gisela Wolfgang"
        ),
        _t(
            "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer "
            "Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger "
            "Hofmann Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Köhler Weiß Groß"
        ),
        _t("Berg Stein Wald Hof Brand Lind Rosen Kirch Mühl Bach Feld Haus Sonn Eich Buch Lö"),
        _t("en er el ing au ü ö ä ie ei"),
        _t("mann er berg feld hof hausen bach meier ner inger stätter brück thal"),
        "example.de",
    ),
    Area(
        _t(
            "Jean François Hélène Chloé Zoé Léa Mathieu Amélie Benoît Céline Jérôme Gaëlle "
            "Noël Élodie Thierry Louis Camille Hugo Manon Théo Inès Raphaël Maëlle Gabriel "
            "Océane Étienne Agnès Cécile Sébastien Anaïs Loïc Aurélie Rémi Joël"
        ),
        _t(
            "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon "
            "Laurent Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard "
            "André Lefèbvre Mercier Dupont Lambert Bonnet François Martinez Rousseau Fontaine"
        ),
        _t("Beau Mont Val Ro Char Cha Dé Bou Gi Lé Fon Mar Ver Bel Cour"),
        _t("ch ill an el er é on"),
        _t("ier eau ard et ot in aux ière ville court mont lac"),
        "example.fr",
    ),
    Area(
        _t(
            "José María Ángel Lucía Sofía Martín Jesús Inés Raúl Álvaro Begoña Íñigo Nuria "
            "Pilar Javier Carmen Manuel Dolores Alejandro Rocío Sergio Elena Andrés Marta "
            "Joaquín Mónica Rubén Beatriz Óscar Ramón"
        ),
        _t(
            "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín "
            "Jiménez Ruiz Hernández Díaz Moreno Muñoz Álvarez Romero Alonso Gutiérrez Navarro "
            "Torres Domínguez Vázquez Ramos Gil Ramírez Serrano Blanco Suárez Ibáñez Núñez"
        ),
        _t("Al Bar Cas Ven Gal Mon Ri Que Ber Zu Ur Ola Ech Mu Ta"),
        _t("e o a i ar er ul"),
        _t("ez ero ado ino eda illa ano uela ón año ínez"),
        "example.es",
    ),
    Area(
        _t(
            "Łukasz Jan Jana Krzysztof Agnieszka Małgorzata Paweł Michał Zofia Wojciech "
            "Katarzyna Tomasz Magdalena Piotr Anna Grzegorz Joanna Marek Ewa Bartłomiej "
            "Dorota Jędrzej Błażej Stanisław Urszula"
        ),
        _t(
            "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński "
            "Szymański Woźniak Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk "
            "Piotrowski Grabowski Nowakowski Pawłowski Michalski Król Wieczorek Jabłoński"
        ),
        _t("Kow Now Wiś Zie Lew Dąb Kam Szym Woź Koz Jan Maz Kraw Grab Paw Brz Chrz Żur"),
        _t("al el ic an ow ie ęb"),
        _t("ski ska cki icz ak ek czyk owski ewski iński uk"),
        "example.pl",
    ),
    Area(
        _t(
            "Emre Mehmet Ayşe Fatma Mustafa Zeynep Elif Hüseyin Çağla Gökhan Ömer Şule İbrahim "
            "Özge Ahmet Büşra Cem Deniz Yusuf Ebru Oğuz Gül Burak Merve"
        ),
        _t(
            "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan "
            "Kılıç Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Korkmaz Erdoğan Güneş"
        ),
        _t("Ak Kar Öz Gün Ay Yıl Dem Er Kıl Tok Bal Çak Sar Taş Ul"),
        _t("a e ı ü an ar"),
        _t("oğlu soy kan er türk han dağ taş gül can"),
        "example.com.tr",
    ),
    Area(
        _t(
            "Văn Thị Minh Anh Hùng Lan Dũng Hương Tuấn Phương Quang Ngọc Thảo Đức Hải Linh "
            "Khánh Trang Long Mai"
        ),
        _t(
            "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh "
            "Trương Lâm Mạc"
        ),
        _t("Ng Tr Ph Th Kh Qu Đ H L V"),
        _t("ư ô ơ â ê"),
        _t("uyễn ần ạm oàng ương iêu ang inh ạc"),
        "example.vn",
    ),
    Area(
        _t(
            "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David "
            "Susan Richard Jessica Joseph Sarah Thomas Karen Charles Nancy Siobhán Niamh "
            "Seán Aoife Oliver Amelia George Isla Harry Ava"
        ),
        _t(
            "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas "
            "Moore Jackson White Harris Clark Lewis Robinson Walker Young O'Brien O'Connor "
            "Murphy Kelly Walsh Byrne Ryan Evans Hughes Roberts"
        ),
        _t("Ash Brad Chad Whit Hart Ken Lang Mor Pem Ral Stan Thorn Wes Cart Fair"),
        _t("ing er ley ton ham"),
        _t("ton ford ley worth wood field shaw brook by well wick"),
        "example.co.uk",
    ),
    Area(
        _t("Søren Åsa Mette Lars Ingrid Jørgen Sigrún Ástríður Bjørn Kåre Ørjan Æsa Sølvi Nils"),
        _t("Jørgensen Lindqvist Ångström Nørgaard Sørensen Håkansson Hansen Johansson Berg"),
        _t("Lind Holm Dahl Berg Sjö Ny Ek Ström Fjell Øst Vik Sand"),
        _t("e a ø å"),
        _t("qvist gren ström sen son dahl vik lund gård holm"),
        "example.no",
    ),
    Area(
        _t(
            "Giuseppe Giovanni Antonio Mario Luca Francesca Giulia Chiara Alessandro Matteo "
            "Lorenzo Sofia Martina Niccolò Federica Andrea Paola Simone"
        ),
        _t(
            "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno "
            "Gallo Conti De Luca Mancini Costa Giordano Rizzo Lombardi Moretti"
        ),
        _t("Bel Car Ros Fer Gal Mar Pel Ser Ven Tor Bon Gra"),
        _t("a i o el ar"),
        _t("ini elli etti ucci one ino ato esi ardi"),
        "example.it",
    ),
    Area(
        _t(
            "Jiří Petr Tomáš Lucie Tereza Kateřina Ondřej Jakub Zdeněk Věra Dušan Milena "
            "Ivana Goran Dragan Željko"
        ),
        _t(
            "Novák Svoboda Novotný Dvořák Černý Procházka Kučera Veselý Horák Němec Jovanović "
            "Petrović Nikolić Marković Đorđević Popović"
        ),
        _t("Dvo Pro Kuč Hor Ně Jov Pet Nik Mar Pop Mil Stoj"),
        _t("ř č š ž a o e"),
        _t("ák ová ský ovič ić ek ík ný"),
        "example.cz",
    ),
)


def _zipf_cum(n: int, s: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank**s) for rank in range(1, n + 1)))


class NameGenerator:
    """Deterministic people: (first name, last name) pairs with a long tail."""

    def __init__(self, seed: int = SEED, made_up_per_area: int = 9_000) -> None:
        self.rng = random.Random(seed)
        self.areas = AREAS
        self.first_cum = [_zipf_cum(len(a.first), 0.9) for a in AREAS]
        self.made_up = [self._made_up(a, made_up_per_area) for a in AREAS]
        self.real_cum = [_zipf_cum(len(a.family), 0.9) for a in AREAS]
        self.made_up_cum = [_zipf_cum(len(m), 0.6) for m in self.made_up]

    def _made_up(self, area: Area, count: int) -> list[str]:
        rng = random.Random(f"{SEED}-{area.domain}")
        names: dict[str, None] = {}
        attempts = 0
        while len(names) < count and attempts < count * 20:
            attempts += 1
            parts = [rng.choice(area.starts)]
            for _ in range(rng.choice((0, 1, 1, 2))):
                parts.append(rng.choice(area.middles))
            parts.append(rng.choice(area.endings))
            name = "".join(parts)
            name = name[0].upper() + name[1:]
            names.setdefault(name, None)
        return list(names)

    def _pick(self, items, cum) -> str:
        x = self.rng.random() * cum[-1]
        return items[bisect.bisect_left(cum, x)]

    def person(self) -> tuple[str, str, str]:
        """(first name, last name, email domain)."""
        rng = self.rng
        area_index = rng.randrange(len(self.areas))
        area = self.areas[area_index]
        # One in six family names comes from another language area.
        family_index = rng.randrange(len(self.areas)) if rng.random() < 0.17 else area_index
        first = self._pick(area.first, self.first_cum[area_index])
        if rng.random() < 0.08:
            first = f"{first} {self._pick(area.first, self.first_cum[area_index])}"
        last = self._family(family_index)
        if rng.random() < 0.06:
            last = f"{last} {self._family(family_index)}"
        return first, last, self.areas[family_index].domain

    def _family(self, index: int) -> str:
        if self.rng.random() < 0.45:
            return self._pick(self.areas[index].family, self.real_cum[index])
        return self._pick(self.made_up[index], self.made_up_cum[index])

    def people(self, count: int):
        for _ in range(count):
            yield self.person()
