"""The repeat matcher's vocabulary: how people write a problem (informal Indonesian, English,
slang, word forms) mapped to one canonical word per meaning, and what kind of word each
canonical word is. The rules that use these tables live in storage/matching.py.

Review rule for WORDS and PHRASES: an entry may only map spellings of one meaning to one word.
Two different problems must never share a canonical word (print is not printer, outlook is not
email, masuk is not login): where a word is ambiguous, a phrase decides ("bisa masuk" is a
login, "email ga masuk" is mail arriving)."""

from __future__ import annotations

from itertools import combinations

NEG = "tidak"
CAN = "bisa"


def _forms(table: dict[str, str]) -> dict[str, str]:
    """{"canonical": "form form …"} → {form: canonical}."""
    out: dict[str, str] = {}
    for canonical, forms in table.items():
        for form in forms.split():
            out[form] = canonical
    return out


# Words whose meaning is the same whatever the context: spelling → canonical word(s).
# A value of "" drops the word; a value may be several words ("cant" → "tidak bisa").
WORDS: dict[str, str] = {
    **_forms(
        {
            NEG: "ga gak gk g nggak ngga nggk enggak engga tdk tak nda ndak kagak ora not no "
            "nope never dont doesnt didnt isnt arent wasnt werent wont belum blm blom blum "
            "bukan none nothing",
            CAN: "bs bsa bisaa can could able",
            "tidak bisa": "cant cannot couldnt unable gabisa gbs gbisa tdkbisa gakbisa",
            # working, fixed, fine: what the second clause of "bisa X tapi …" says about X
            "jalan": "works work working worked berfungsi fungsi function functioning jalan "
            "berjalan pake pakai dipakai dipake usable",
            "respond": "respon respond responds responding response merespon",
            "aman": "aman normal lancar fine ok oke okay berhasil sukses succeeded bener benar "
            "beres",
            # actions that can fail
            "buka": "buka open opens opened opening launch launching bukain",
            "tutup": "tutup close closes closing closed",
            "kirim": "kirim send sends sending sent ngirim",
            "terima": "terima receive receives receiving received nerima incoming",
            "masuk": "masuk",
            "login": "login logon signin log-in sign-in logged",
            "logout": "logout logoff signout log-out sign-out",
            "scan": "scan scans scanning scanned",
            "print": "print prints printing printed cetak ngeprint ngeprin ngeprinting nyetak mencetak",
            "copy": "copy fotokopi fotocopy photocopy xerox",
            "duplex": "duplex",
            "upload": "upload uploads uploading uploaded unggah ngupload",
            "download": "download downloads downloading downloaded unduh ngedownload",
            "share": "share shares sharing bagikan ngeshare",
            "sync": "sync syncs syncing synced sinkron sinkronisasi synchronize nyinkron",
            "update": "update updates updating updated upgrade upgrading pembaruan perbarui",
            "install": "install installs installing installed instal pasang",
            "connect": "connect connects connecting connected konek konak nyambung sambung "
            "hubung terhubung tersambung",
            "putus": "putus disconnect disconnects disconnected disconnecting dc drop drops "
            "dropping dropped terputus",
            "akses": "akses access accessed accessing reach",
            "remote": "remote remot rdp",
            "ssh": "ssh",
            "ping": "ping pings pinging",
            "timeout": "timeout timeouts rto",
            "join": "join joins joining joined gabung",
            "pull": "pull pulls pulling",
            "push": "push pushes pushing pushed",
            "clone": "clone cloning",
            "commit": "commit commits",
            "merge": "merge merging",
            "submit": "submit submits submitting ajukan ajuin mengajukan apply",
            "dobel": "dobel double duplicate duplikat",
            "attach": "attach attaching lampirkan melampirkan",
            "comment": "comment comments commenting komen komentar",
            "create": "create creating bikin buatkan dibuatkan buatin bikinin dibikinin",
            "call": "call calls calling nelpon nelfon menelpon dial panggilan",
            "tidak connect": "offline",
            "deskphone": "telepon telephone telp telpon",
            "cast": "cast casting mirroring mirror",
            "reset": "reset",
            "ganti": "ganti change changing ubah",
            "lupa": "lupa forgot forget forgotten",
            "hapus": "hapus delete deleting remove",
            "tulis": "tulis nulis write writing",
            "simpan": "simpan save saving saved nyimpen",
            "baca": "baca read reading",
            "ketik": "ketik ngetik type typing",
            "klik": "klik click clicking ngeklik",
            "gerak": "gerak move moves moving bergerak",
            "cas": "cas charge charging ngecas ngisi",
            "deteksi": "deteksi detect detects detected detecting kedetect kedeteksi recognized "
            "recognised kebaca terbaca",
            "nyala": "nyala hidup menyala boot booting nyalain",
            "shutdown": "shutdown matiin dimatiin matikan dimatikan mematikan",
            "restart": "restart restarts restarting restarted reboot rebooting",
            "muncul": "muncul nongol appear appears appearing show shows showing tampil keluar",
            "suara": "suara sound sounds audio bunyi voice",
            "dengar": "dengar denger hear heard",
            "gambar": "gambar picture image video",
            "sinyal": "sinyal signal",
            # things going wrong by themselves
            "lambat": "lambat lemot lelet lola slow slower pelan lag laggy lagging ngelag lama telat "
            "delay delayed buffering",
            "loading": "loading",
            "mati": "mati dead down off padam",
            "hang": "hang hangs hung ngehang freeze freezes freezing frozen ngefreeze",
            "macet": "macet ngadat",
            "nyangkut": "nyangkut jammed tersangkut",
            "crash": "crash crashes crashed crashing quit quits quitting fc mental kelempar",
            "bsod": "bsod bluescreen",
            "pudar": "pudar luntur faded fade bergaris garis belang blur buram",
            "berisik": "berisik noisy noise bising",
            "kembung": "kembung bengkak swollen",
            "tumpah": "tumpah ketumpahan spilled spill basah",
            "readonly": "readonly",
            "aktivasi": "aktivasi activate activation activated",
            "rekam": "rekam record recording merekam",
            "kunci": "kunci kekunci terkunci locked lock lockout blokir blocked diblokir terblokir "
            "suspend suspended disabled",
            "expired": "expired expire expires kadaluarsa kedaluwarsa kadaluwarsa",
            "habis": "habis abis",
            "denied": "denied ditolak tolak rejected reject forbidden",
            "penuh": "penuh full kepenuhan",
            "hilang": "hilang ilang missing lost gone lenyap kehapus terhapus",
            "kosong": "kosong blank empty",
            "kedip": "kedip berkedip kedap-kedip flicker flickers flickering flickery blink "
            "blinking",
            "retak": "retak pecah crack cracked",
            "panas": "panas overheat overheating hot kepanasan",
            "boros": "boros drain drains draining",
            "pixel": "pixel pixels",
            "error": "error errors eror erorr err gagal fail fails failed failing failure",
            "rusak": "rusak broken break breaks patah jebol kerusakan corrupt corrupted copot",
            "masalah": "masalah bermasalah problem problems trouble aneh weird strange",
            "stuck": "stuck",
            # subjects (see SUBJECTS for their kinds and groups)
            "vpn": "vpn forticlient fortinet globalprotect anyconnect openvpn wireguard",
            "wifi": "wifi wi-fi wlan wireless hotspot",
            "internet": "internet inet",
            "jaringan": "jaringan network",
            "koneksi": "koneksi connection conn",
            "lan": "lan ethernet",
            "router": "router modem",
            "bluetooth": "bluetooth bt",
            "email": "email e-mail emails mail mails surel",
            "inbox": "inbox mailbox",
            "outlook": "outlook",
            "gmail": "gmail",
            "calendar": "calendar kalender",
            "teams": "teams",
            "zoom": "zoom",
            "meet": "gmeet",
            "slack": "slack",
            "telegram": "telegram",
            "webex": "webex",
            "skype": "skype",
            "acrobat": "acrobat adobe",
            "autocad": "autocad",
            "vscode": "vscode",
            "docker": "docker",
            "jenkins": "jenkins",
            "notion": "notion",
            "trello": "trello",
            "figma": "figma",
            "canva": "canva",
            "dropbox": "dropbox",
            "database": "database db",
            "crm": "crm salesforce",
            "powerbi": "powerbi tableau metabase",
            "anydesk": "anydesk",
            "teamviewer": "teamviewer",
            "citrix": "citrix",
            "msoffice": "msoffice o365 m365",
            "whatsapp": "whatsapp wa",
            "jira": "jira",
            "confluence": "confluence",
            "sap": "sap",
            "hris": "hris",
            "erp": "erp",
            "absensi": "absensi absen attendance presensi",
            "sharepoint": "sharepoint",
            "onedrive": "onedrive",
            "gdrive": "gdrive",
            "excel": "excel",
            "word": "word",
            "powerpoint": "powerpoint ppt",
            "chrome": "chrome",
            "firefox": "firefox",
            "edge": "edge",
            "browser": "browser",
            "windows": "windows win",
            "macos": "macos macbook",
            "github": "github git",
            "gitlab": "gitlab",
            "intranet": "intranet",
            "antivirus": "antivirus defender kaspersky eset mcafee symantec",
            "app": "app apps aplikasi application applications program software",
            "akun": "akun account accounts",
            "password": "password passwd pw sandi katasandi pass",
            "ad": "ad",
            "mfa": "mfa 2fa otp authenticator",
            "sso": "sso",
            "bitlocker": "bitlocker",
            "laptop": "laptop leptop notebook",
            "pc": "pc komputer computer desktop cpu",
            "phone": "handphone ponsel smartphone iphone android hp",
            "tablet": "tablet ipad",
            "monitor": "monitor",
            "layar": "layar screen display lcd",
            "keyboard": "keyboard keyboad",
            "mouse": "mouse",
            "touchpad": "touchpad trackpad",
            "kursor": "kursor cursor pointer",
            "headset": "headset headphone headphones earphone earphones earbuds airpods",
            "speaker": "speaker speakers",
            "mic": "mic mik microphone mikrofon",
            "kamera": "kamera camera webcam cam",
            "cctv": "cctv",
            "printer": "printer printers",
            "scanner": "scanner",
            "proyektor": "proyektor projector infocus",
            "tv": "tv",
            "dock": "dock docking",
            "charger": "charger adaptor adapter casan",
            "baterai": "baterai battery batre batere",
            "kipas": "kipas fan",
            "usb": "usb flashdisk fd",
            "lampu": "lampu light lights",
            "ac": "ac",
            "kursi": "kursi chair",
            "fingerprint": "fingerprint",
            "ups": "ups",
            "server": "server servers srv",
            "nas": "nas",
            "disk": "disk hdd ssd harddisk storage",
            # context words kept as content
            "kertas": "kertas paper",
            "lampiran": "lampiran attachment attachments",
            "tiket": "tiket ticket tickets issue issues",
            "ruang": "ruang ruangan room r",
            "lantai": "lantai lt floor fl",
            "meja": "meja desk",
            "kantor": "kantor office",
            "lokal": "lokal local",
            "file": "file files berkas",
            "web": "web website situs site portal",
            "kabel": "kabel cable",
            "lisensi": "lisensi license licence",
            "transaksi": "transaksi transaction transactions t-code tcode",
            "pesan": "pesan message messages notif notifikasi notification popup",
            # nags, politeness, time and tries: say nothing about the problem
            "": "tolong tolongin mohon please pls plz bantu dibantu help asap urgent segera "
            "dong donk ya yah yaa sih nih deh kok kah lho loh lah aja saja banget bgt bngt "
            "parah sangat very really so too amat halo hai hi hello pak bu ibu bapak mas mbak "
            "kak min gan bro sis masih still tetep tetap lagi again juga also terus mulu melulu "
            "selalu always keeps keep kept sering often kadang sometimes tiap every setiap each "
            "pas saat waktu ketika when whenever kalo kalau if sejak since dari from tadi pagi "
            "siang sore malam malem kemarin kemaren yesterday hari today sekarang now barusan "
            "seharian semalem semalam sampe sampai until the a an my our your to is it i me we "
            "for on in of at with and or this that be am are was were been have has had just "
            "by its there any all only di ke yang yg dan atau dengan dgn utk untuk buat karena "
            "krn soalnya jadi jd jg saya aku sy gue gw kami kita mereka dia anda nya itu ini "
            "tsb gimana gmn gmana bagaimana how what kapan status kabar progress eskalasi "
            "escalation escalate deadline lapor report reported reporting time eta follow "
            "followup fu total dibenerin diperbaiki dibetulin fixed dibenahi benerin perbaiki "
            "kenapa why udh sdh udah sudah already coba nyoba dicoba tried try trying sempet "
            "sempat kali times x tapi tp but namun cuma cuman padahal sedangkan however although "
            "though meskipun walaupun whereas sendiri itself himself own mau ingin want wants "
            "ada sama sekali same harus must need needs kill end task manager tetapi up station "
            "jam tulisan tulisannya rumah home wfh",
        }
    ),
}

# Words handled by the clause rules (they must survive until then).
TRY = frozenset({"udah", "sudah", "udh", "sdh", "already", "coba", "nyoba", "tried", "dicoba"})
BREAKS = frozenset(
    {
        "tapi",
        "tp",
        "tetapi",
        "but",
        "namun",
        "cuma",
        "cuman",
        "padahal",
        "sedangkan",
        "however",
        "although",
        "though",
        "meskipun",
        "walaupun",
        "whereas",
    }
)
# What one tries before reporting ("udah restart"): context, not the problem.
TRIED = frozenset(
    {
        "restart",
        "colok",
        "dicolok",
        "ganti",
        "cas",
        "install",
        "reinstall",
        "uninstall",
        "clear",
        "update",
        "reset",
        "logout",
        "cabut",
        "pasang",
        "cek",
        "ulang",
        "refresh",
        "shutdown",
        "nyala",
        "login",
    }
)

# Multi-word expressions, matched on canonical words (longest first; the result is matched
# again, so "tidak" + "turn on" → "tidak nyala" → "mati").
PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    (NEG, CAN, "nyala"): ("mati",),
    (NEG, "nyala"): ("mati",),
    ("turn", "on"): ("nyala",),
    ("turns", "on"): ("nyala",),
    ("power", "on"): ("nyala",),
    ("turn", "mati"): ("shutdown",),
    ("shut", "mati"): ("shutdown",),
    ("shut", "down"): ("shutdown",),
    ("turning", "mati"): ("matisendiri",),
    ("turns", "mati"): ("matisendiri",),
    ("shuts", "mati"): ("matisendiri",),
    ("mati", "sendiri"): ("matisendiri",),
    ("shutdown", "sendiri"): ("matisendiri",),
    ("restart", "sendiri"): ("restart",),
    ("tutup", "sendiri"): ("crash",),
    ("muncul", "sendiri"): ("crash",),
    ("force", "tutup"): ("crash",),
    ("keeps", "tutup"): ("crash",),
    ("tutup", "by"): ("crash",),
    (NEG, "respond"): ("hang",),
    ("kertas", "jam"): ("kertas", "nyangkut"),
    ("printer", "jam"): ("printer", "nyangkut"),
    ("muncul", "pesan"): ("pesan",),
    ("muncul", "error"): ("error",),
    ("kertas", "macet"): ("kertas", "nyangkut"),
    ("log", "in"): ("login",),
    ("log", "into"): ("login",),
    ("sign", "in"): ("login",),
    ("get", "into"): ("login",),
    ("get", "in"): ("login",),
    ("log", "out"): ("logout",),
    ("sign", "out"): ("logout",),
    (CAN, "masuk"): (CAN, "login"),
    ("absensi", "masuk"): ("absensi", "clockin"),
    ("clock", "in"): ("clockin",),
    ("coming", "in"): ("terima",),
    ("come", "in"): ("terima",),
    ("masuk",): ("terima",),
    ("timed", "out"): ("timeout",),
    ("time", "out"): ("timeout",),
    ("timing", "out"): ("timeout",),
    ("request", "timeout"): ("timeout",),
    ("remote", "desktop"): ("remote",),
    ("one", "drive"): ("onedrive",),
    ("share", "point"): ("sharepoint",),
    ("google", "drive"): ("gdrive",),
    ("google", "meet"): ("meet",),
    ("ms", "teams"): ("teams",),
    ("microsoft", "teams"): ("teams",),
    ("kata", "password"): ("password",),
    ("kata", "kunci"): ("password",),
    ("dead", "pixel"): ("pixel",),
    ("mati", "pixel"): ("pixel",),
    ("layar", "laptop"): ("laptopscreen",),
    ("laptop", "layar"): ("laptopscreen",),
    ("ruang", "server"): ("serverroom",),
    ("server", "ruang"): ("serverroom",),
    ("kamera", "cctv"): ("cctv",),
    ("cctv", "kamera"): ("cctv",),
    ("bolak", "balik"): ("duplex",),
    ("cepat", "habis"): ("boros",),
    ("baterai", "putus"): ("baterai", "boros"),
    ("blue", "layar"): ("bsod",),
    ("layar", "biru"): ("bsod",),
    ("read", "only"): ("readonly",),
    ("share", "layar"): ("sharescreen",),
    ("layar", "share"): ("sharescreen",),
    ("ms", "office"): ("msoffice",),
    ("microsoft", "office"): ("msoffice",),
    ("office", "365"): ("msoffice",),
    ("google", "chrome"): ("chrome",),
    ("power", "bi"): ("powerbi",),
    ("sidik", "jari"): ("fingerprint",),
    ("cepet", "habis"): ("boros",),
    (NEG, "ada"): (NEG,),
    (NEG, "mau"): (NEG,),
    ("has", NEG): (NEG,),
    ("have", NEG): (NEG,),
    ("sama", "sekali"): (),
    ("any", "update"): (),
    ("ada", "update"): (),
    ("gmn", "update"): (),
    ("gimana", "update"): (),
    ("update", "dong"): (),
    ("follow", "up"): (),
    ("all", "tidak"): (NEG,),
    ("diem",): (NEG, "gerak"),
    ("diam",): (NEG, "gerak"),
    ("unreachable",): (NEG, "akses"),
    ("not", "reachable"): (NEG, "akses"),
    ("permission", "denied"): ("denied",),
    ("dark",): ("mati",),
    (NEG, "layar"): (NEG, "gambar"),
    ("laptop", "phone"): ("laptop",),
    ("printer", "phone"): ("printer",),
    ("pc", "phone"): ("pc",),
    ("apa", "apa"): (),
}

# Subjects: what a report is about. kind: software, network, account, device, peripheral,
# facility, part. groups: two subjects are the same thing when their groups meet (outlook is
# mail and calendar, so it matches email and calendar, which do not match each other).
SUBJECTS: dict[str, tuple[str, frozenset[str]]] = {}


def _subject(kind: str, names: str, groups: str = "") -> None:
    for name in names.split():
        SUBJECTS[name] = (kind, frozenset((groups or name).split()))


for _name in [
    "teams",
    "zoom",
    "meet",
    "slack",
    "whatsapp",
    "jira",
    "confluence",
    "sap",
    "hris",
    "erp",
    "absensi",
    "sharepoint",
    "onedrive",
    "gdrive",
    "excel",
    "word",
    "powerpoint",
    "chrome",
    "firefox",
    "edge",
    "windows",
    "macos",
    "github",
    "gitlab",
    "intranet",
    "antivirus",
    "telegram",
    "webex",
    "skype",
    "acrobat",
    "autocad",
    "vscode",
    "docker",
    "jenkins",
    "notion",
    "trello",
    "figma",
    "canva",
    "dropbox",
    "database",
    "crm",
    "powerbi",
    "anydesk",
    "teamviewer",
    "citrix",
]:
    _subject("software", _name)
_subject("software", "email inbox", "mail outlook gmail")
_subject("software", "outlook", "outlook calendar")
_subject("software", "gmail", "gmail")
_subject("software", "calendar", "calendar")
_subject("software", "browser", "chrome firefox edge")
_subject("software", "app", "*software")
_subject("software", "msoffice", "msoffice excel word powerpoint outlook teams")
_subject("network", "vpn")
_subject("network", "wifi internet jaringan koneksi lan router", "net")
_subject("network", "bluetooth")
_subject("account", "akun", "akun password ad mfa sso")
_subject("account", "password", "password akun")
_subject("account", "ad", "ad akun")
_subject("account", "mfa", "mfa akun")
_subject("account", "sso", "sso akun")
_subject("account", "bitlocker")
_subject("device", "laptop", "laptop pc")
_subject("device", "pc", "pc laptop")
_subject("device", "phone tablet deskphone fingerprint")
_subject("device", "server nas", "server")
_subject("device", "printer scanner", "printer")
_subject("device", "proyektor tv")
_subject("peripheral", "monitor", "monitor")
_subject("peripheral", "laptopscreen", "laptopscreen laptop")
_subject("peripheral", "layar", "monitor laptopscreen proyektor tv")
_subject("peripheral", "keyboard headset speaker mic kamera dock usb")
_subject("peripheral", "mouse", "mouse")
_subject("peripheral", "touchpad", "touchpad")
_subject("peripheral", "kursor", "mouse touchpad")
_subject("part", "charger baterai", "power")
_subject("part", "kipas disk")
_subject("facility", "cctv serverroom lampu ac kursi ups")

# Kinds whose subjects exclude each other: "jira lemot" and "confluence lemot" are two problems.
RIVAL_KINDS = frozenset({"software", "network", "account", "device", "peripheral", "facility"})

# Things that can fail, each one specific: two reports whose failing functions share nothing
# (and are not COMPATIBLE) are about different problems.
FUNCTIONS = frozenset(
    [
        "buka",
        "tutup",
        "kirim",
        "terima",
        "login",
        "logout",
        "scan",
        "print",
        "copy",
        "duplex",
        "upload",
        "download",
        "share",
        "sync",
        "update",
        "install",
        "connect",
        "putus",
        "akses",
        "remote",
        "ssh",
        "ping",
        "timeout",
        "join",
        "pull",
        "push",
        "clone",
        "commit",
        "merge",
        "submit",
        "dobel",
        "attach",
        "comment",
        "create",
        "call",
        "cast",
        "reset",
        "lupa",
        "hapus",
        "tulis",
        "simpan",
        "baca",
        "ketik",
        "klik",
        "gerak",
        "cas",
        "deteksi",
        "nyala",
        "shutdown",
        "restart",
        "muncul",
        "suara",
        "dengar",
        "gambar",
        "sinyal",
        "lambat",
        "loading",
        "mati",
        "hang",
        "macet",
        "nyangkut",
        "crash",
        "kunci",
        "expired",
        "habis",
        "denied",
        "penuh",
        "hilang",
        "kosong",
        "kedip",
        "retak",
        "panas",
        "boros",
        "pixel",
        "matisendiri",
        "clockin",
        "bsod",
        "pudar",
        "berisik",
        "kembung",
        "tumpah",
        "readonly",
        "aktivasi",
        "rekam",
        "ganti",
        "sharescreen",
    ]
)
# Words that say something is wrong without saying what (never conflict with a function).
GENERIC = frozenset({"error", "rusak", "masalah", "stuck", "jalan"})
# Functions that are a problem by themselves, without a negation.
SYMPTOMS = frozenset(
    [
        "lambat",
        "loading",
        "mati",
        "hang",
        "macet",
        "nyangkut",
        "crash",
        "kunci",
        "expired",
        "habis",
        "denied",
        "penuh",
        "hilang",
        "kosong",
        "kedip",
        "retak",
        "panas",
        "boros",
        "pixel",
        "matisendiri",
        "putus",
        "timeout",
        "bsod",
        "pudar",
        "berisik",
        "kembung",
        "tumpah",
        "readonly",
        "dobel",
    ]
) | (GENERIC - {"jalan"})
# A clause that says something works ("bisa dibuka", "udah jalan", "email sih aman").
POSITIVE = frozenset({CAN, "jalan", "aman"})

_COMPATIBLE_GROUPS = (
    # reaching a system: any of these is "I can't get to it"
    "akses buka remote ssh ping timeout connect login mati denied",
    "macet hang",
    "bsod crash restart matisendiri",
    "readonly simpan tulis",
    "sharescreen cast",
    "reset ganti",
    "macet nyangkut",
    "hang crash klik gerak loading",
    "lambat loading",
    "suara dengar",
    "gambar sinyal mati",
    "gambar muncul",
    "muncul deteksi",
    "berisik suara",
    "muncul kosong hilang",
    "matisendiri restart",
    "sync update",
    "habis expired",
    "reset lupa",
    "penuh tulis simpan",
    "attach upload",
    "nyala mati",
    "deteksi connect",
)
COMPATIBLE: frozenset[frozenset[str]] = frozenset(
    frozenset(pair) for group in _COMPATIBLE_GROUPS for pair in combinations(group.split(), 2)
)
# For "udah bisa X, tapi …": saying X works now answers a report that X is dead.
FIXES: dict[str, str] = {"nyala": "mati", "jalan": "rusak"}

# Nouns after which a single letter or a name is a label ("ruang meeting A", "meja 3B").
PLACES = frozenset(
    {
        "ruang",
        "r",
        "meeting",
        "rapat",
        "lantai",
        "meja",
        "gedung",
        "building",
        "gd",
        "kamar",
        "lab",
        "kelas",
        "blok",
        "block",
        "tower",
        "wing",
        "pintu",
        "gate",
        "rak",
        "rack",
        "cabang",
        "branch",
        "zona",
        "zone",
        "studio",
        "loket",
        "ext",
        "extension",
        "drive",
        "partisi",
        "port",
        "vlan",
    }
)
# Rooms named by a word ("ruang training"): that word is a label too.
NAMED_ROOMS = frozenset({"ruang", "r"})
# A number followed by one of these is an amount, not an identifier ("tiap 5 menit").
UNITS = frozenset(
    [
        "menit",
        "mnt",
        "min",
        "mins",
        "minute",
        "minutes",
        "detik",
        "dtk",
        "sec",
        "secs",
        "second",
        "seconds",
        "jam",
        "jm",
        "hour",
        "hours",
        "hr",
        "hrs",
        "hari",
        "days",
        "day",
        "minggu",
        "week",
        "weeks",
        "bulan",
        "month",
        "months",
        "tahun",
        "year",
        "years",
        "kali",
        "x",
        "times",
        "time",
        "orang",
        "people",
        "user",
        "users",
        "mb",
        "gb",
        "kb",
        "tb",
        "persen",
        "percent",
        "mbps",
        "kbps",
    ]
)
# A number after one of these is an amount too ("jam 2", "tiap 10").
BEFORE_AMOUNTS = frozenset({"jam", "pukul", "tiap", "every", "setiap", "sekitar", "about"})
ABBREVIATIONS = frozenset({"r", "lt", "no", "gd", "jl", "dr", "mr", "ms", "bpk", "ext", "st"})
