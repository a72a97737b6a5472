"""The fixed words of the public press pages, per release language (en, fr, id, ms, th).

The release text itself comes from the templates; these are only the frame around it
("Version 2 of 3", "Correction of ...", page numbers). An unknown language falls back to
English. Dates are written ISO 8601 (YYYY-MM-DD, UTC), the same in every language.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

_ENGLISH: Final = MappingProxyType({
    "press_releases": "Press releases",
    "version_of": "Version {n} of {m}",
    "versions": "All versions",
    "current": "current",
    "earlier": "This is an earlier version of this release.",
    "read_current": "Read the current version",
    "published": "Published {date}",
    "updated": "Updated {date}",
    "corrections": "Corrections",
    "correction_of": "Correction of {date}",
    "withdrawn_on": "Withdrawn on {date}",
    "withdrawn": "withdrawn",
    "regional": "Regional release",
    "national": "National release",
    "text": "Plain text",
    "pdf": "PDF",
    "feed": "Atom feed",
    "page_of": "Page {page} of {pages}",
    "none": "No press release has been published yet.",
})

_LABELS: Final = MappingProxyType({
    "en": _ENGLISH,
    "fr": MappingProxyType({
        "press_releases": "Communiqués de presse",
        "version_of": "Version {n} sur {m}",
        "versions": "Toutes les versions",
        "current": "actuelle",
        "earlier": "Ceci est une version antérieure de ce communiqué.",
        "read_current": "Lire la version actuelle",
        "published": "Publié le {date}",
        "updated": "Mis à jour le {date}",
        "corrections": "Rectificatifs",
        "correction_of": "Rectificatif du {date}",
        "withdrawn_on": "Retiré le {date}",
        "withdrawn": "retiré",
        "regional": "Communiqué régional",
        "national": "Communiqué national",
        "text": "Texte brut",
        "pdf": "PDF",
        "feed": "Flux Atom",
        "page_of": "Page {page} sur {pages}",
        "none": "Aucun communiqué n\u2019a encore été publié.",
    }),
    "id": MappingProxyType({
        "press_releases": "Siaran pers",
        "version_of": "Versi {n} dari {m}",
        "versions": "Semua versi",
        "current": "terkini",
        "earlier": "Ini adalah versi sebelumnya dari siaran pers ini.",
        "read_current": "Baca versi terkini",
        "published": "Diterbitkan {date}",
        "updated": "Diperbarui {date}",
        "corrections": "Koreksi",
        "correction_of": "Koreksi tanggal {date}",
        "withdrawn_on": "Ditarik pada {date}",
        "withdrawn": "ditarik",
        "regional": "Siaran pers regional",
        "national": "Siaran pers nasional",
        "text": "Teks biasa",
        "pdf": "PDF",
        "feed": "Umpan Atom",
        "page_of": "Halaman {page} dari {pages}",
        "none": "Belum ada siaran pers yang diterbitkan.",
    }),
    "ms": MappingProxyType({
        "press_releases": "Kenyataan media",
        "version_of": "Versi {n} daripada {m}",
        "versions": "Semua versi",
        "current": "terkini",
        "earlier": "Ini ialah versi terdahulu kenyataan media ini.",
        "read_current": "Baca versi terkini",
        "published": "Diterbitkan {date}",
        "updated": "Dikemas kini {date}",
        "corrections": "Pembetulan",
        "correction_of": "Pembetulan bertarikh {date}",
        "withdrawn_on": "Ditarik balik pada {date}",
        "withdrawn": "ditarik balik",
        "regional": "Kenyataan media serantau",
        "national": "Kenyataan media kebangsaan",
        "text": "Teks biasa",
        "pdf": "PDF",
        "feed": "Suapan Atom",
        "page_of": "Halaman {page} daripada {pages}",
        "none": "Belum ada kenyataan media yang diterbitkan.",
    }),
    "th": MappingProxyType({
        "press_releases": "ข่าวประชาสัมพันธ์",
        "version_of": "ฉบับที่ {n} จาก {m}",
        "versions": "ทุกฉบับ",
        "current": "ฉบับปัจจุบัน",
        "earlier": "นี่คือฉบับก่อนหน้าของข่าวประชาสัมพันธ์นี้",
        "read_current": "อ่านฉบับปัจจุบัน",
        "published": "เผยแพร่เมื่อ {date}",
        "updated": "ปรับปรุงเมื่อ {date}",
        "corrections": "การแก้ไข",
        "correction_of": "แก้ไขเมื่อ {date}",
        "withdrawn_on": "ถอนเมื่อ {date}",
        "withdrawn": "ถอนแล้ว",
        "regional": "ข่าวประชาสัมพันธ์ระดับภูมิภาค",
        "national": "ข่าวประชาสัมพันธ์ระดับประเทศ",
        "text": "ข้อความธรรมดา",
        "pdf": "PDF",
        "feed": "ฟีด Atom",
        "page_of": "หน้า {page} จาก {pages}",
        "none": "ยังไม่มีข่าวประชาสัมพันธ์ที่เผยแพร่",
    }),
})

LANGUAGES: Final = frozenset(_LABELS)


def label(language: str, key: str, **values: object) -> str:
    """The frame word `key` in `language` (primary subtag; English if unknown), formatted."""
    primary = language.split("-", 1)[0].lower()
    table = _LABELS.get(primary, _ENGLISH)
    return table[key].format(**values)
