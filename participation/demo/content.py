"""The Bäckby demo's content: goals, themes, partners, the survey and its placements, in every language."""

from __future__ import annotations

from datetime import date
from typing import Any

from participation.surveys.starter_backby import BACKBY

# Every text is a mapping from language code to text. The demo is complete in all seven
# shipped languages; drafts still waiting for a native speaker's review are listed in
# translations/STATUS.md.

PARTNERS = [
    {"name": "Bäckby Ungdomsförening", "kind": "youth_organisation"},
    {"name": "Bostadsbolaget Västerås", "kind": "housing_company"},
    {"name": "Västerås stad", "kind": "city"},
    {"name": "Bäckby Livs", "kind": "retailer"},
]

GOALS: list[dict[str, Any]] = [
    {
        "slug": "democracy",
        "name": {
            "sv": "Unga i Bäckby har inflytande",
            "en": "Young people in Bäckby have influence",
            "ar": "للشباب في Bäckby تأثير",
            "fa-AF": "جوانان در Bäckby تأثیر دارند",
            "so": "Dhallinyarada Bäckby waxay leeyihiin saameyn",
            "ti": "መንእሰያት ኣብ Bäckby ጽልዋ ኣለዎም",
            "fi": "Bäckbyn nuorilla on vaikutusvaltaa",
        },
    },
    {
        "slug": "employment",
        "name": {
            "sv": "Unga i Bäckby har en väg till arbete",
            "en": "Young people in Bäckby have a path to work",
            "ar": "للشباب في Bäckby طريق إلى العمل",
            "fa-AF": "جوانان در Bäckby راهی به سوی کار دارند",
            "so": "Dhallinyarada Bäckby waxay leeyihiin waddo ay shaqo ku helaan",
            "ti": "መንእሰያት ኣብ Bäckby ናብ ስራሕ ዘብጽሕ መገዲ ኣለዎም",
            "fi": "Bäckbyn nuorilla on polku työelämään",
        },
    },
]

THEMES: list[dict[str, Any]] = [
    {
        "slug": "jobs",
        "goal": "employment",
        "colour": "#1f6f43",
        "name": {
            "sv": "Jobb och sommarjobb",
            "en": "Jobs and summer jobs",
            "ar": "العمل والعمل الصيفي",
            "fa-AF": "کار و کار تابستانی",
            "so": "Shaqo iyo shaqada xagaaga",
            "ti": "ስራሕን ናይ ሓጋይ ስራሕን",
            "fi": "Työt ja kesätyöt",
        },
    },
    {
        "slug": "school",
        "goal": "employment",
        "colour": "#7a4b00",
        "name": {
            "sv": "Skola och läxhjälp",
            "en": "School and homework help",
            "ar": "المدرسة والمساعدة في الواجبات",
            "fa-AF": "مکتب و کمک در کارخانگی",
            "so": "Dugsiga iyo caawinta casharrada guriga",
            "ti": "ቤት ትምህርትን ሓገዝ ዕዮ ገዛን",
            "fi": "Koulu ja läksyapu",
        },
    },
    {
        "slug": "leisure",
        "goal": "democracy",
        "colour": "#1d4f91",
        "name": {
            "sv": "Fritid och mötesplatser",
            "en": "Leisure and meeting places",
            "ar": "وقت الفراغ وأماكن اللقاء",
            "fa-AF": "اوقات فراغت و جاهای دیدار",
            "so": "Waqtiga firaaqada iyo meelaha lagu kulmo",
            "ti": "ናይ ዕረፍቲ ግዜን ቦታታት ምርኻብን",
            "fi": "Vapaa-aika ja kohtaamispaikat",
        },
    },
    {
        "slug": "safety",
        "goal": "democracy",
        "colour": "#8a1c1c",
        "name": {
            "sv": "Trygghet",
            "en": "Safety",
            "ar": "الأمان",
            "fa-AF": "امنیت",
            "so": "Nabadgelyo",
            "ti": "ድሕንነት",
            "fi": "Turvallisuus",
        },
    },
    {
        "slug": "influence",
        "goal": "democracy",
        "colour": "#5b2a86",
        "name": {
            "sv": "Inflytande och att bli lyssnad på",
            "en": "Influence and being listened to",
            "ar": "التأثير وأن يُسمَع صوتك",
            "fa-AF": "تأثیر و شنیده شدن صدای تان",
            "so": "Saameyn iyo in lagu dhegaysto",
            "ti": "ጽልዋን ድምጺ መንእሰያት ምስማዕን",
            "fi": "Vaikuttaminen ja kuulluksi tuleminen",
        },
    },
    {
        "slug": "health",
        "goal": "democracy",
        "colour": "#005f6b",
        "name": {
            "sv": "Hälsa",
            "en": "Health",
            "ar": "الصحة",
            "fa-AF": "صحت",
            "so": "Caafimaad",
            "ti": "ጥዕና",
            "fi": "Terveys",
        },
    },
]

# The demo's survey is the Bäckby starter that staff can also start a survey from.
SURVEY = BACKBY

PLACEMENTS: list[dict[str, Any]] = [
    {"code": "FRITID", "place": "Fritidsgården, entré", "language": None},
    {"code": "TVATT12", "place": "Tvättstuga Bäckbyvägen 12", "language": None},
    {"code": "SKOLAN", "place": "Skolan, uppehållsrum", "language": None},
    {"code": "CENTRUM", "place": "Bäckby centrum, anslagstavla", "language": None},
    {"code": "ARABISKA", "place": "Fritidsgården, arabisk läxhjälp", "language": "ar"},
]

ACTIONS: list[dict[str, Any]] = [
    {
        "status": "decided",
        "partner": "youth_organisation",
        "decided_on": date(2026, 10, 20),
        "themes": ["leisure"],
        "title": {
            "sv": "Tjejkväll på fritidsgården varje onsdag",
            "en": "Girls' evening at the youth centre every Wednesday",
            "ar": "أمسية للفتيات في مركز الشباب كل أربعاء",
            "fa-AF": "شب دختران در مرکز جوانان هر چهارشنبه",
            "so": "Habeen gabdhaha xarunta dhallinyarada Arbaco kasta",
            "ti": "ምሸት ኣዋልድ ኣብ ማእከል መንእሰያት ኩሉ ረቡዕ",
            "fi": "Tyttöjen ilta nuorisotalolla joka keskiviikko",
        },
        "text": {
            "sv": "Ni röstade fram ett eget rum. Från januari är ett rum på fritidsgården bara för tjejer på onsdagar.",
            "en": "You voted for a room of your own. From January one room at the youth centre is for girls only on Wednesdays.",
        },
    },
    {
        "status": "in_progress",
        "partner": "housing_company",
        "decided_on": date(2026, 11, 2),
        "themes": ["safety"],
        "title": {
            "sv": "Ny belysning vid gångtunneln",
            "en": "New lighting by the underpass",
            "ar": "إضاءة جديدة عند النفق",
            "fa-AF": "چراغ‌های نو در کنار تونل پیاده‌رو",
            "so": "Nal cusub oo ag marinka hoose ah",
            "ti": "ሓድሽ መብራህቲ ኣብ ጥቓ ናይ እግሪ መሕለፊ ትሕቲ መሬት",
            "fi": "Uusi valaistus alikulkutunneliin",
        },
        "text": {
            "sv": "Bostadsbolaget byter lamporna vid tunneln under november.",
            "en": "The housing company is replacing the lights by the underpass in November.",
        },
    },
    {
        "status": "not_possible",
        "partner": "city",
        "decided_on": date(2026, 11, 10),
        "themes": ["jobs"],
        "title": {
            "sv": "Sommarjobb för 15-åringar genom kommunen",
            "en": "Summer jobs for 15-year-olds through the city",
            "ar": "وظائف صيفية لمن هم في الخامسة عشرة عن طريق البلدية",
            "fa-AF": "کار تابستانی برای نوجوانان ۱۵ ساله از طریق شاروالی",
            "so": "Shaqooyin xagaa oo loogu talagalay 15 jirrada iyada oo loo marayo degmada",
            "ti": "ናይ ሓጋይ ስራሕ ንደቂ 15 ዓመት ብመንገዲ ምምሕዳር ከተማ",
            "fi": "Kesätyöt 15-vuotiaille kaupungin kautta",
        },
        "text": {"sv": "", "en": ""},
        "reason": {
            "sv": "Kommunens sommarjobb är från 16 år enligt arbetsmiljöreglerna. Fritidsgården hjälper 15-åringar att söka praktik i stället.",
            "en": "The city's summer jobs start at 16 under the work environment rules. The youth centre helps 15-year-olds find work experience instead.",
        },
    },
]
