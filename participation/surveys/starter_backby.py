"""The Bäckby starter: a survey with every question kind, complete in all seven shipped languages.

Staff can start from it in the builder; the demo loads it as its survey. Drafts still waiting for a
native speaker's review are listed in translations/STATUS.md.
"""

from __future__ import annotations

from typing import Any

from participation.surveys.starter_scales import ends

BACKBY: dict[str, Any] = {
    "slug": "backby-din-rost",
    "base_language": "sv",
    "profile_fields": ["age_band", "gender", "lives_in_area"],
    "title": {
        "sv": "Bäckby – din röst",
        "en": "Bäckby – your voice",
        "ar": "Bäckby – صوتك",
        "fa-AF": "Bäckby – صدای شما",
        "so": "Bäckby – codkaaga",
        "ti": "Bäckby – ድምጽኹም",
        "fi": "Bäckby – sinun äänesi",
    },
    "intro": {
        "sv": "Åtta korta frågor om hur det är att vara ung i Bäckby. Det tar två minuter. "
        "Du är anonym: vi frågar aldrig efter ditt namn.",
        "en": "Eight short questions about being young in Bäckby. It takes two minutes. "
        "You are anonymous: we never ask for your name.",
        "ar": "ثمانية أسئلة قصيرة عن حياة الشباب في Bäckby. تحتاج إلى دقيقتين فقط. "
        "أنت مجهول الهوية: لا نسأل أبدًا عن اسمك.",
        "fa-AF": "هشت سوال کوتاه در مورد جوان بودن در Bäckby. دو دقیقه وقت می‌گیرد. "
        "شما ناشناس می‌مانید: ما هیچ وقت نام تان را نمی‌پرسیم.",
        "so": "Siddeed su'aalood oo gaagaaban oo ku saabsan nolosha dhallinyarada Bäckby. "
        "Waxay qaadanaysaa laba daqiiqo. "
        "Magac la'aan ayaad ka qayb qaadanaysaa: marnaba ma weydiinno magacaaga.",
        "ti": "ሸሞንተ ሓጸርቲ ሕቶታት ብዛዕባ ኣብ Bäckby መንእሰይ ምዃን። ክልተ ደቒቕ ጥራይ ይወስድ። "
        "መንነትኩም ኣይፍለጥን እዩ፤ ስምኩም ፈጺምና ኣይንሓትትን ኢና።",
        "fi": "Kahdeksan lyhyttä kysymystä siitä, millaista on olla nuori Bäckbyssä. "
        "Vastaaminen vie kaksi minuuttia. "
        "Vastaat nimettömänä: emme koskaan kysy nimeäsi.",
    },
    "thanks": {
        "sv": "Tack! Det du har sagt går till fritidsgården, bostadsbolaget och kommunen. "
        "Skanna gärna igen om en tid och se vad som har hänt.",
        "en": "Thank you! What you said goes to the youth centre, the housing company and the city. "
        "Scan again in a while to see what has happened.",
        "ar": "شكرًا! ما قلته سيصل إلى مركز الشباب وشركة السكن والبلدية. "
        "امسح الرمز مرة أخرى بعد فترة لترى ماذا حدث.",
        "fa-AF": "تشکر! آنچه گفتید به مرکز جوانان، شرکت مسکن و شاروالی می‌رسد. "
        "بعد از مدتی دوباره اسکن کنید و ببینید چه شده است.",
        "so": "Mahadsanid! Waxa aad sheegtay waxaa loo gudbinayaa xarunta dhallinyarada, "
        "shirkadda guryaha iyo dowladda hoose. "
        "Mar kale iskaan garee muddo kadib si aad u aragto waxa dhacay.",
        "ti": "የቐንየልና! ዝበልኩምዎ ናብ ማእከል መንእሰያት፣ ትካል ገዛውቲን ምምሕዳር ከተማን ይበጽሕ። "
        "ድሕሪ ቁሩብ ግዜ እንደገና ስካን ግበሩ እሞ እንታይ ከም ዝተገብረ ርኣዩ።",
        "fi": "Kiitos! Se, mitä kerroit, menee nuorisotalolle, asuntoyhtiölle ja kaupungille. "
        "Skannaa koodi uudelleen jonkin ajan päästä ja katso, mitä on tapahtunut.",
    },
    "questions": [
        {
            "key": "better",
            "kind": "single_choice",
            "required": True,
            "prompt": {
                "sv": "Vad skulle göra Bäckby bättre för unga?",
                "en": "What would make Bäckby better for young people?",
                "ar": "ما الذي سيجعل Bäckby أفضل للشباب؟",
                "fa-AF": "چه چیزی Bäckby را برای جوانان بهتر می‌سازد؟",
                "so": "Maxaa Bäckby uga dhigi lahaa meel ka wanaagsan dhallinyarada?",
                "ti": "Bäckby ንመንእሰያት ዝሓሸት ንክትከውን እንታይ ይሕግዝ?",
                "fi": "Mikä tekisi Bäckbystä paremman nuorille?",
            },
            "options": [
                {
                    "key": "summer_jobs",
                    "themes": ["jobs"],
                    "label": {
                        "sv": "Fler sommarjobb",
                        "en": "More summer jobs",
                        "ar": "المزيد من فرص العمل الصيفي",
                        "fa-AF": "کارهای تابستانی بیشتر",
                        "so": "Shaqooyin xagaa oo dheeraad ah",
                        "ti": "ዝያዳ ናይ ሓጋይ ስራሕ",
                        "fi": "Lisää kesätöitä",
                    },
                },
                {
                    "key": "meeting_places",
                    "themes": ["leisure"],
                    "label": {
                        "sv": "Fler ställen att träffas på",
                        "en": "More places to meet",
                        "ar": "المزيد من الأماكن للقاء",
                        "fa-AF": "جاهای بیشتر برای دیدار با هم",
                        "so": "Meelo dheeraad ah oo lagu kulmo",
                        "ti": "ዝያዳ ቦታታት ምርኻብ",
                        "fi": "Lisää kohtaamispaikkoja",
                    },
                },
                {
                    "key": "safer",
                    "themes": ["safety"],
                    "label": {
                        "sv": "Tryggare ute på kvällen",
                        "en": "Safer outside in the evening",
                        "ar": "أمان أكثر في الخارج مساءً",
                        "fa-AF": "امنیت بیشتر در بیرون در وقت شام",
                        "so": "Ammaan badan oo dibadda ah fiidkii",
                        "ti": "ምሸት ኣብ ደገ ዝያዳ ድሕንነት",
                        "fi": "Turvallisempaa ulkona iltaisin",
                    },
                },
                {
                    "key": "homework",
                    "themes": ["school"],
                    "label": {
                        "sv": "Läxhjälp",
                        "en": "Homework help",
                        "ar": "المساعدة في الواجبات المدرسية",
                        "fa-AF": "کمک در کارخانگی",
                        "so": "Caawimaad casharrada guriga",
                        "ti": "ሓገዝ ዕዮ ገዛ",
                        "fi": "Läksyapu",
                    },
                },
                {
                    "key": "listened_to",
                    "themes": ["influence"],
                    "label": {
                        "sv": "Att vuxna lyssnar på unga",
                        "en": "Adults listening to young people",
                        "ar": "أن يستمع الكبار إلى الشباب",
                        "fa-AF": "بزرگسالان به جوانان گوش بدهند",
                        "so": "In dadka waaweyn ay dhegaystaan dhallinyarada",
                        "ti": "ዓበይቲ ንመንእሰያት ክሰምዑ",
                        "fi": "Aikuiset kuuntelevat nuoria",
                    },
                },
            ],
        },
        {
            "key": "job_help",
            "kind": "multiple_choice",
            "required": False,
            "max_choices": 2,
            "show_if": ("better", "summer_jobs"),
            "prompt": {
                "sv": "Vilken hjälp för att hitta jobb vill du ha? Välj högst två.",
                "en": "What help to find a job would you like? Choose at most two.",
                "ar": "ما المساعدة التي تريدها لإيجاد عمل؟ اختر اثنين على الأكثر.",
                "fa-AF": "برای پیدا کردن کار چه کمکی می‌خواهید؟ حد اکثر دو مورد را انتخاب کنید.",
                "so": "Caawimaad noocee ah ayaad rabtaa si aad shaqo u hesho? Dooro ugu badnaan laba.",
                "ti": "ስራሕ ንምርካብ እንታይ ሓገዝ ትደልዩ? ክሳብ ክልተ ጥራይ ምረጹ።",
                "fi": "Millaista apua haluaisit työn löytämiseen? Valitse enintään kaksi.",
            },
            "options": [
                {
                    "key": "cv",
                    "themes": ["jobs"],
                    "label": {
                        "sv": "Hjälp att skriva CV",
                        "en": "Help writing a CV",
                        "ar": "مساعدة في كتابة السيرة الذاتية",
                        "fa-AF": "کمک در نوشتن خلص سوانح (CV)",
                        "so": "Caawimaad qorista CV-ga",
                        "ti": "ኣብ ምጽሓፍ CV ሓገዝ",
                        "fi": "Apua CV:n kirjoittamiseen",
                    },
                },
                {
                    "key": "internship",
                    "themes": ["jobs"],
                    "label": {
                        "sv": "Praktik hos ett företag",
                        "en": "An internship at a company",
                        "ar": "تدريب عملي في شركة",
                        "fa-AF": "کارآموزی در یک شرکت",
                        "so": "Tababar shaqo oo lagu qabto shirkad",
                        "ti": "ልምምድ ስራሕ ኣብ ትካል",
                        "fi": "Harjoittelupaikka yrityksessä",
                    },
                },
                {
                    "key": "interview",
                    "themes": ["jobs"],
                    "label": {
                        "sv": "Öva på jobbintervjuer",
                        "en": "Practising job interviews",
                        "ar": "التدرّب على مقابلات العمل",
                        "fa-AF": "تمرین برای مصاحبه‌های کاری",
                        "so": "Ku tababarashada waraysiyada shaqada",
                        "ti": "ልምምድ ቃለ-መጠይቕ ስራሕ",
                        "fi": "Työhaastattelujen harjoittelu",
                    },
                },
                {
                    "key": "contacts",
                    "themes": ["jobs"],
                    "label": {
                        "sv": "Kontakter med arbetsgivare",
                        "en": "Contacts with employers",
                        "ar": "التواصل مع أصحاب العمل",
                        "fa-AF": "ارتباط با کارفرمایان",
                        "so": "Xiriir la leh loo-shaqeeyayaasha",
                        "ti": "ርክብ ምስ ኣስራሕቲ",
                        "fi": "Yhteyksiä työnantajiin",
                    },
                },
            ],
        },
        {
            "key": "safety_evening",
            "kind": "scale",
            **ends("safe"),
            "required": True,
            "themes": ["safety"],
            "prompt": {
                "sv": "Hur tryggt känns det att vara ute i Bäckby på kvällen?",
                "en": "How safe does it feel to be outside in Bäckby in the evening?",
                "ar": "ما مدى شعورك بالأمان عندما تكون في الخارج في Bäckby مساءً؟",
                "fa-AF": "وقتی شام‌ها در Bäckby بیرون هستید، چقدر احساس امنیت می‌کنید؟",
                "so": "Intee in le'eg ayaad ammaan dareentaa marka aad fiidkii dibadda ku joogto Bäckby?",
                "ti": "ምሸት ኣብ Bäckby ኣብ ደገ ክትህልዉ ከለኹም ክንደይ ውሑስ ኮይኑ ይስመዓኩም?",
                "fi": "Kuinka turvalliselta tuntuu olla ulkona Bäckbyssä iltaisin?",
            },
        },
        {
            "key": "know_summer_job_help",
            "kind": "yes_no",
            "required": True,
            "themes": ["jobs"],
            "prompt": {
                "sv": "Vet du var du kan få hjälp att hitta ett sommarjobb?",
                "en": "Do you know where you can get help to find a summer job?",
                "ar": "هل تعرف أين يمكنك أن تجد مساعدة للحصول على عمل صيفي؟",
                "fa-AF": "آیا می‌دانید برای پیدا کردن کار تابستانی از کجا کمک گرفته می‌توانید؟",
                "so": "Ma taqaanaa meesha aad ka heli karto caawimaad si aad shaqo xagaa u hesho?",
                "ti": "ናይ ሓጋይ ስራሕ ንምርካብ ካበይ ሓገዝ ክትረኽቡ ከም ትኽእሉ ትፈልጡ ዶ?",
                "fi": "Tiedätkö, mistä saat apua kesätyön löytämiseen?",
            },
        },
        {
            "key": "priorities",
            "kind": "ranking",
            "required": False,
            "max_choices": 3,
            "prompt": {
                "sv": "Välj upp till tre saker som är viktigast för dig och ordna dem.",
                "en": "Pick up to three things that matter most to you and put them in order.",
                "ar": "اختر حتى ثلاثة أشياء هي الأهم بالنسبة لك ورتّبها.",
                "fa-AF": "تا سه چیزی را که برای تان از همه مهم‌تر است انتخاب کنید و آن‌ها را به ترتیب بگذارید.",
                "so": "Dooro ilaa saddex shay oo adiga kuu ugu muhiimsan, kadibna kala horreysii.",
                "ti": "ክሳብ ሰለስተ ንዓኹም ኣዝዮም ኣገደስቲ ዝኾኑ ነገራት ምረጹ እሞ ብቕደም ተኸተል ስርዑዎም።",
                "fi": "Valitse enintään kolme sinulle tärkeintä asiaa ja laita ne järjestykseen.",
            },
            "options": [
                {
                    "key": "work",
                    "themes": ["jobs"],
                    "label": {
                        "sv": "Jobb",
                        "en": "Work",
                        "ar": "العمل",
                        "fa-AF": "کار",
                        "so": "Shaqo",
                        "ti": "ስራሕ",
                        "fi": "Työ",
                    },
                },
                {
                    "key": "safety",
                    "themes": ["safety"],
                    "label": {
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
                    "key": "leisure",
                    "themes": ["leisure"],
                    "label": {
                        "sv": "Fritid",
                        "en": "Leisure",
                        "ar": "وقت الفراغ",
                        "fa-AF": "اوقات فراغت",
                        "so": "Waqtiga firaaqada",
                        "ti": "ናይ ዕረፍቲ ግዜ",
                        "fi": "Vapaa-aika",
                    },
                },
                {
                    "key": "school",
                    "themes": ["school"],
                    "label": {
                        "sv": "Skola",
                        "en": "School",
                        "ar": "المدرسة",
                        "fa-AF": "مکتب",
                        "so": "Dugsiga",
                        "ti": "ቤት ትምህርቲ",
                        "fi": "Koulu",
                    },
                },
                {
                    "key": "influence",
                    "themes": ["influence"],
                    "label": {
                        "sv": "Inflytande",
                        "en": "Influence",
                        "ar": "التأثير",
                        "fa-AF": "تأثیر",
                        "so": "Saameyn",
                        "ti": "ጽልዋ",
                        "fi": "Vaikuttaminen",
                    },
                },
                {
                    "key": "health",
                    "themes": ["health"],
                    "label": {
                        "sv": "Hälsa",
                        "en": "Health",
                        "ar": "الصحة",
                        "fa-AF": "صحت",
                        "so": "Caafimaad",
                        "ti": "ጥዕና",
                        "fi": "Terveys",
                    },
                },
            ],
        },
        {
            "key": "influence_feel",
            "kind": "scale",
            **ends("influence"),
            "required": True,
            "themes": ["influence"],
            "prompt": {
                "sv": "Hur mycket känner du att unga får vara med och bestämma i Bäckby?",
                "en": "How much do you feel young people get a say in Bäckby?",
                "ar": "إلى أي حد تشعر أن للشباب رأيًا في القرارات في Bäckby؟",
                "fa-AF": "فکر می‌کنید جوانان در Bäckby چقدر در تصمیم‌ها سهم دارند؟",
                "so": "Intee in le'eg ayaad dareemaysaa in dhallinyaradu ka qayb qaataan go'aannada Bäckby?",
                "ti": "ኣብ Bäckby መንእሰያት ኣብ ውሳነታት ክንደይ ተሳትፎ ከም ዘለዎም ይስመዓኩም?",
                "fi": "Kuinka paljon koet, että nuoret saavat vaikuttaa asioihin Bäckbyssä?",
            },
        },
        {
            "key": "centre_hours",
            "kind": "number",
            "required": False,
            "min_value": 0,
            "max_value": 80,
            "prompt": {
                "sv": "Hur många timmar i veckan är du på fritidsgården?",
                "en": "How many hours a week do you spend at the youth centre?",
                "ar": "كم ساعة في الأسبوع تقضي في مركز الشباب؟",
                "fa-AF": "در یک هفته چند ساعت را در مرکز جوانان می‌گذرانید؟",
                "so": "Immisa saacadood ayaad toddobaadkii joogtaa xarunta dhallinyarada?",
                "ti": "ኣብ ሰሙን ክንደይ ሰዓት ኣብ ማእከል መንእሰያት ተሕልፉ?",
                "fi": "Montako tuntia viikossa vietät nuorisotalolla?",
            },
        },
        {
            "key": "change",
            "kind": "free_text",
            "required": False,
            "prompt": {
                "sv": "Vad är det viktigaste vi borde ändra?",
                "en": "What is the most important thing we should change?",
                "ar": "ما أهم شيء يجب أن نغيّره؟",
                "fa-AF": "مهم‌ترین چیزی که باید تغییر بدهیم چیست؟",
                "so": "Waa maxay waxa ugu muhiimsan ee ay tahay inaan beddelno?",
                "ti": "እቲ ክንቕይሮ ዘሎና ኣዝዩ ኣገዳሲ ነገር እንታይ እዩ?",
                "fi": "Mikä on tärkein asia, jota meidän pitäisi muuttaa?",
            },
        },
    ],
}
