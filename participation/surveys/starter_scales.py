"""The end words of the scale questions in the Bäckby starter and the LUPP templates, in all seven languages.

Drafts beyond Swedish and English wait for a native speaker's review (translations/STATUS.md).
"""

from __future__ import annotations

# A scale's own words for its lowest and highest face, per kind of question.
SCALE_ENDS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "safe": (
        {
            "sv": "Inte alls trygg",
            "en": "Not safe at all",
            "ar": "غير آمن على الإطلاق",
            "fa-AF": "اصلاً امن نیست",
            "so": "Haba yaraatee ammaan ma aha",
            "ti": "ፈጺሙ ውሑስ ኣይኮነን",
            "fi": "Ei lainkaan turvallinen",
        },
        {
            "sv": "Mycket trygg",
            "en": "Very safe",
            "ar": "آمن جدًا",
            "fa-AF": "بسیار امن",
            "so": "Aad u ammaan ah",
            "ti": "ኣዝዩ ውሑስ",
            "fi": "Erittäin turvallinen",
        },
    ),
    "influence": (
        {
            "sv": "Inget inflytande",
            "en": "No say at all",
            "ar": "لا تأثير على الإطلاق",
            "fa-AF": "هیچ تأثیری ندارند",
            "so": "Saameyn la'aan",
            "ti": "ፈጺሙ ጽልዋ የብሎምን",
            "fi": "Ei lainkaan vaikutusvaltaa",
        },
        {
            "sv": "Mycket inflytande",
            "en": "A lot of say",
            "ar": "تأثير كبير جدًا",
            "fa-AF": "تأثیر بسیار زیاد",
            "so": "Saameyn badan",
            "ti": "ብዙሕ ጽልዋ",
            "fi": "Paljon vaikutusvaltaa",
        },
    ),
    "want": (
        {
            "sv": "Inte alls gärna",
            "en": "Not at all",
            "ar": "لا أريد أبدًا",
            "fa-AF": "اصلاً نمی‌خواهم",
            "so": "Haba yaraatee ma rabo",
            "ti": "ፈጺመ ኣይደልን",
            "fi": "En lainkaan",
        },
        {
            "sv": "Mycket gärna",
            "en": "Very much",
            "ar": "أريد كثيرًا",
            "fa-AF": "خیلی زیاد می‌خواهم",
            "so": "Aad baan u rabaa",
            "ti": "ኣዝየ እደሊ",
            "fi": "Erittäin mielelläni",
        },
    ),
    "chances": (
        {
            "sv": "Mycket små",
            "en": "Very poor",
            "ar": "ضعيفة جدًا",
            "fa-AF": "بسیار کم",
            "so": "Aad u yar",
            "ti": "ኣዝዩ ውሑድ",
            "fi": "Erittäin huonot",
        },
        {
            "sv": "Mycket stora",
            "en": "Very good",
            "ar": "جيدة جدًا",
            "fa-AF": "بسیار زیاد",
            "so": "Aad u wanaagsan",
            "ti": "ኣዝዩ ጽቡቕ",
            "fi": "Erittäin hyvät",
        },
    ),
    "happy": (
        {
            "sv": "Inte alls nöjd",
            "en": "Not happy at all",
            "ar": "غير راضٍ على الإطلاق",
            "fa-AF": "اصلاً راضی نیستم",
            "so": "Haba yaraatee kuma qanacsani",
            "ti": "ፈጺመ ዕጉብ ኣይኮንኩን",
            "fi": "En lainkaan tyytyväinen",
        },
        {
            "sv": "Mycket nöjd",
            "en": "Very happy",
            "ar": "راضٍ جدًا",
            "fa-AF": "بسیار راضی",
            "so": "Aad baan ugu qanacsanahay",
            "ti": "ኣዝየ ዕጉብ",
            "fi": "Erittäin tyytyväinen",
        },
    ),
    "easy": (
        {
            "sv": "Mycket svårt",
            "en": "Very hard",
            "ar": "صعب جدًا",
            "fa-AF": "بسیار سخت",
            "so": "Aad u adag",
            "ti": "ኣዝዩ ከቢድ",
            "fi": "Erittäin vaikeaa",
        },
        {
            "sv": "Mycket lätt",
            "en": "Very easy",
            "ar": "سهل جدًا",
            "fa-AF": "بسیار آسان",
            "so": "Aad u fudud",
            "ti": "ኣዝዩ ቀሊል",
            "fi": "Erittäin helppoa",
        },
    ),
}


def ends(kind: str) -> dict[str, dict[str, str]]:
    """The spec entries of a scale's end words of one kind."""
    low, high = SCALE_ENDS[kind]
    return {"scale_low": low, "scale_high": high}
