// Demo content for Codewerf: the expert organisations, the ministry, a fictional
// agency, and the starting draft of the Flemish "code voor en door influencers".
// Section bodies are ProseMirror JSON in tiptap StarterKit's schema, using only:
// doc, paragraph, heading (level 3), bulletList, orderedList, listItem, text;
// marks: bold, italic, link (https: hrefs only). Phone numbers are plain text.

export interface SeedOrganisation {
  slug: string;
  name: string;
  kind: "expert" | "ministry" | "agency";
  fields: string[];
  description: string;
}

// ProseMirror JSON in tiptap StarterKit's schema
export type PMNode = {
  type: string;
  attrs?: Record<string, unknown>;
  content?: PMNode[];
  text?: string;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
};

export interface SeedSection {
  id: string;
  title: string;
  position: number;
  /** organisation slugs */
  reviewers: string[];
  /** type "doc" */
  body: PMNode;
}

// ---------------------------------------------------------------------------
// Organisations
// ---------------------------------------------------------------------------

export const organisations: SeedOrganisation[] = [
  {
    slug: "awel",
    name: "Awel",
    kind: "expert",
    fields: ["kinderen en jongeren", "luisterlijn", "welzijn"],
    description:
      "Awel luistert gratis en anoniem naar kinderen en jongeren met eender welke vraag of zorg, via de telefoonlijn 102, chat, mail en forum.",
  },
  {
    slug: "flega",
    name: "FLEGA",
    kind: "expert",
    fields: ["games", "gamesector", "lootboxen"],
    description:
      "FLEGA is de Vlaamse vereniging van de gamesector en brengt kennis in over games, gamecultuur en aankopen in games.",
  },
  {
    slug: "vlesp",
    name: "VLESP",
    kind: "expert",
    fields: ["suïcidepreventie", "zelfdoding", "veilige berichtgeving"],
    description:
      "VLESP is het Vlaams Expertisecentrum Suïcidepreventie en werkt aan het voorkomen van zelfdoding, onder meer met richtlijnen om veilig over zelfdoding te communiceren.",
  },
  {
    slug: "sensoa",
    name: "SENSOA",
    kind: "expert",
    fields: ["seksuele gezondheid", "relaties", "grenzen", "sexting"],
    description:
      "SENSOA is het Vlaams expertisecentrum voor seksuele gezondheid en werkt rond relaties, seksualiteit, grenzen en seksueel geweld.",
  },
  {
    slug: "vad",
    name: "VAD",
    kind: "expert",
    fields: ["alcohol", "drugs", "psychoactieve medicatie", "gokken"],
    description:
      "VAD is het Vlaams expertisecentrum voor alcohol en andere drugs en werkt aan preventie rond alcohol, illegale drugs, psychoactieve medicatie en gokken.",
  },
  {
    slug: "childfocus",
    name: "Child Focus",
    kind: "expert",
    fields: ["vermiste kinderen", "seksuele uitbuiting", "online veiligheid", "sextortion"],
    description:
      "Child Focus is de Stichting voor Vermiste en Seksueel Uitgebuite Kinderen, bereikbaar op 116 000, en beheert met stopchildporno.be het meldpunt voor beelden van seksueel misbruik van minderjarigen.",
  },
  {
    slug: "gezondleven",
    name: "Gezond Leven",
    kind: "expert",
    fields: ["gezondheidsbevordering", "voeding", "beweging", "tabak", "mentaal welbevinden"],
    description:
      "Gezond Leven is het Vlaams expertisecentrum voor gezondheidsbevordering en preventie, onder meer rond gezonde voeding, beweging, tabak en mentaal welbevinden.",
  },
  {
    slug: "1712",
    name: "1712",
    kind: "expert",
    fields: ["geweld", "misbruik", "kindermishandeling", "hulplijn"],
    description:
      "1712 is de gratis en anonieme Vlaamse hulplijn voor iedereen met vragen over geweld, misbruik en kindermishandeling.",
  },
  {
    slug: "mediawijs",
    name: "Mediawijs",
    kind: "expert",
    fields: ["mediawijsheid", "reclamewijsheid", "desinformatie", "online veiligheid"],
    description:
      "Mediawijs is het Vlaams Kenniscentrum Mediawijsheid en helpt burgers, ouders en leerkrachten om bewust, kritisch en actief met media om te gaan.",
  },
  {
    slug: "ministry",
    name: "Departement Cultuur, Jeugd en Media",
    kind: "ministry",
    fields: ["jeugd", "media", "beleid", "redactie"],
    description:
      "Het Departement Cultuur, Jeugd en Media van de Vlaamse overheid coördineert de code voor en door influencers, beheert de hoofdstukken en publiceert de versies.",
  },
  {
    slug: "agency",
    name: "Lichtkracht Creators",
    kind: "agency",
    fields: ["influencermarketing", "samenwerkingen", "talentbegeleiding"],
    description:
      "Lichtkracht Creators is een (fictief) Vlaams influencermarketingbureau dat creators begeleidt en samenwerkingen met merken opzet.",
  },
];

// ---------------------------------------------------------------------------
// Small builders for ProseMirror JSON
// ---------------------------------------------------------------------------

type Inline = PMNode | string;

function text(value: string): PMNode {
  return { type: "text", text: value };
}

function b(value: string): PMNode {
  return { type: "text", text: value, marks: [{ type: "bold" }] };
}

function i(value: string): PMNode {
  return { type: "text", text: value, marks: [{ type: "italic" }] };
}

function a(value: string, href: string): PMNode {
  return { type: "text", text: value, marks: [{ type: "link", attrs: { href } }] };
}

function inline(parts: Inline[]): PMNode[] {
  return parts
    .filter((part) => (typeof part === "string" ? part.length > 0 : true))
    .map((part) => (typeof part === "string" ? text(part) : part));
}

function p(...parts: Inline[]): PMNode {
  return { type: "paragraph", content: inline(parts) };
}

function h(value: string): PMNode {
  return { type: "heading", attrs: { level: 3 }, content: [text(value)] };
}

function item(parts: Inline | Inline[]): PMNode {
  const list = Array.isArray(parts) ? parts : [parts];
  return { type: "listItem", content: [p(...list)] };
}

function ul(...items: (Inline | Inline[])[]): PMNode {
  return { type: "bulletList", content: items.map(item) };
}

function ol(...items: (Inline | Inline[])[]): PMNode {
  return { type: "orderedList", attrs: { start: 1 }, content: items.map(item) };
}

function doc(...content: PMNode[]): PMNode {
  return { type: "doc", content };
}

// Verified helpline and reporting sites
const AWEL = "https://www.awel.be";
const ZELFMOORDLIJN = "https://www.zelfmoord1813.be";
const TELE_ONTHAAL = "https://www.tele-onthaal.be";
const HULPLIJN_1712 = "https://www.1712.be";
const CHILD_FOCUS = "https://childfocus.be";
const STOPCHILDPORNO = "https://www.stopchildporno.be";
const WAT_WAT = "https://www.watwat.be";

// ---------------------------------------------------------------------------
// Sections of the starting draft
// ---------------------------------------------------------------------------

export const sections: SeedSection[] = [
  {
    id: "voor-en-door",
    title: "Voor en door influencers",
    position: 1,
    reviewers: ["mediawijs"],
    body: doc(
      p(
        "Deze code is geschreven ",
        b("door en voor influencers"),
        ". Creators en agencies schrijven ze samen met expertorganisaties als Awel, Child Focus, SENSOA, VAD, Gezond Leven, 1712, FLEGA, VLESP en Mediawijs, en met het Departement Cultuur, Jeugd en Media van de Vlaamse overheid.",
      ),
      p(
        "Het idee ontstond in 2021. Op 30 maart 2021 zaten de expertorganisaties een eerste keer samen met de Vlaamse minister van Jeugd en Media. De Universiteit Gent en de Artevelde Hogeschool bevroegen daarna 179 Vlaamse influencers, en de grote meerderheid wilde zelf mee aan de pen. Dat gebeurt hier.",
      ),
      p(
        b("De code is geen wet."),
        " Het is een set afspraken waar je zelf voor kiest. Je leest een versie en als je erachter staat, onderteken je ze. Je handtekening hoort altijd bij één bepaalde versie, zodat iedereen weet waar je precies ja tegen zei. Intrekken kan altijd, even zichtbaar als tekenen.",
      ),
      p(
        "De code is ook nooit af. Platformen, trends en problemen veranderen, dus herwerken we de tekst geregeld. Elke wijziging is zichtbaar: je ziet wie wat schreef, welke experten een hoofdstuk goedkeurden en wat er veranderde sinds de vorige versie. Verandert wat je belooft, dan komt er een nieuwe hoofdversie en vragen we je om opnieuw te tekenen.",
      ),
      p(
        "Wil je meeschrijven? Lees de tekst, zet een opmerking bij een zin die beter kan, of vraag om toegelaten te worden tot de ",
        i("schrijfgroep"),
        ".",
      ),
    ),
  },
  {
    id: "reclame",
    title: "Eerlijk over reclame",
    position: 2,
    reviewers: ["mediawijs"],
    body: doc(
      p(
        "Je volgers vertrouwen je. Daarom moeten ze altijd meteen kunnen zien wanneer je iets toont omdat je ervoor betaald wordt of er iets voor kreeg. Dat is niet alleen eerlijk: verborgen reclame is in België ook verboden.",
      ),
      ul(
        [b("Zeg het meteen"), ": in de eerste seconden van je video of de eerste regel van je post, niet verstopt tussen twintig hashtags of helemaal onderaan."],
        "Gebruik de knop of het label van het platform (zoals ‘betaalde samenwerking’) én een duidelijk woord als ‘reclame’ of ‘#reclame’. Vage termen als ‘#sp’, ‘#collab’ of ‘met dank aan’ zijn niet genoeg.",
        "Ook gratis producten, cadeaus, reizen, kortingscodes en links waarmee je per verkoop verdient, tellen mee. Kreeg je iets in ruil, dan meld je het.",
        "Verkoop je je eigen merk of producten? Zeg dat er dan ook bij.",
        "Meld het zo dat je publiek het snapt: in beeld bij een Story, en in een video ook gewoon mondeling.",
      ),
      p(
        "Wees eerlijk in wat je zegt. Prijs geen product aan dat je zelf niet gebruikt hebt, beloof geen resultaten die niemand kan waarmaken en laat je mening niet door het merk schrijven. Een merk mag je briefen, maar ",
        b("jouw oordeel blijft van jou"),
        ".",
      ),
      p("Twijfel je of iets reclame is? Meld het dan gewoon. Te duidelijk zijn kan nooit kwaad."),
    ),
  },
  {
    id: "jong-publiek",
    title: "Als je publiek jong is",
    position: 3,
    reviewers: ["mediawijs", "gezondleven"],
    body: doc(
      p(
        "Kijken er veel kinderen of jonge tieners naar je? Dan draag je extra verantwoordelijkheid. Jonge kinderen zien niet altijd het verschil tussen een leuke video en reclame, en ze zijn gevoeliger voor druk en voor het gevoel er niet bij te horen.",
      ),
      ul(
        [b("Geen druk"), ": zeg niet ‘koop dit nu’, ‘alleen vandaag’ of ‘zeur maar bij je ouders tot je het krijgt’."],
        "Laat niet uitschijnen dat iemand er niet bij hoort zonder een bepaald product, merk of skin.",
        "Werk alleen mee aan reclame voor producten die bij de leeftijd van je publiek passen. Geen energiedranken, dieetproducten, gokspellen of cosmetische ingrepen voor een jong publiek.",
        "Leg reclame uit in eenvoudige woorden, bijvoorbeeld: ‘Dit is reclame, ik krijg geld van dit merk.’",
        "Toon aankopen in games en apps niet als iets vanzelfsprekends. Pronk niet met hoeveel je uitgeeft aan skins, pakketjes of munten.",
        "Bij wedstrijden en weggeefacties: maak de regels duidelijk, vraag zo weinig mogelijk gegevens en vraag volgers onder de 13 om toestemming van een ouder.",
      ),
      p(
        "Je hoeft niet perfect te zijn, maar denk na over wat een twaalfjarige van je video onthoudt. Filters, bewerkte lichamen en dure spullen scheppen snel een beeld dat voor kinderen niet haalbaar is. Zeg gerust eens dat een foto bewerkt is, of dat je iets gewoon niet nodig hebt.",
      ),
    ),
  },
  {
    id: "gevoelige-producten",
    title: "Alcohol, gokken, gezondheid",
    position: 4,
    reviewers: ["vad", "gezondleven", "flega"],
    body: doc(
      p(
        "Sommige producten kunnen schade doen, zeker bij jonge mensen. Voor alcohol, gokken en gezondheid gelden daarom strengere afspraken. Is een deel van je publiek minderjarig, dan ga je ervan uit dat je voor minderjarigen post.",
      ),
      h("Alcohol, tabak en drugs"),
      ul(
        "Maak geen reclame voor alcohol als je publiek (voor een deel) minderjarig is.",
        "Toon drinken nooit als voorwaarde voor plezier, succes of stoer zijn, en nooit in combinatie met rijden, sporten of werken.",
        "Reclame voor tabak en e-sigaretten is in België verboden. Drugsgebruik maak je niet grappig of aantrekkelijk.",
      ),
      h("Gokken en gamen"),
      ul(
        "Reclame voor gokken en weddenschappen is in België grotendeels verboden. Werk er niet aan mee en toon geen winsten of promocodes van goksites.",
        "Betaalde lootboxen worden in België als kansspel beschouwd. Stel ze niet voor als een spannend spelletje voor een jong publiek.",
      ),
      h("Gezondheid en lichaam"),
      ul(
        "Promoot geen afslankthee, dieetpillen, extreme diëten of programma’s die snel resultaat beloven.",
        "Geef geen medisch advies en beweer niet dat een product ziektes voorkomt of geneest.",
        "Toon voor- en nafoto’s alleen als ze echt en onbewerkt zijn, en zeg erbij dat elk lichaam anders is.",
      ),
      p("Twijfel je over een samenwerking? Vraag het na bij je agency of leg het voor aan de schrijfgroep."),
    ),
  },
  {
    id: "hulpvraag",
    title: "Als een volger om hulp vraagt",
    position: 5,
    reviewers: ["awel", "1712"],
    body: doc(
      p(
        "Soms krijg je een bericht dat zwaar is: over pesten, problemen thuis, verdriet of geweld. Dat raakt je, en dat mag. Maar je bent geen hulpverlener en dat hoeft ook niet. Het beste wat je kunt doen, is kort en warm reageren en doorverwijzen naar mensen die hiervoor opgeleid zijn.",
      ),
      ul(
        "Neem het bericht ernstig en bedank de volger voor het vertrouwen.",
        [b("Speel geen therapeut"), " en begin geen lange gesprekken die je niet kunt volhouden."],
        "Beloof niet dat je alles geheimhoudt, en deel het bericht nooit publiek.",
        [b("Is iemand in acuut gevaar?"), " Bel dan meteen 112, of vraag de volger om dat te doen."],
      ),
      h("Waar verwijs je naar?"),
      ul(
        [b("Awel"), " – 102 of ", a("awel.be", AWEL), ": voor kinderen en jongeren met eender welke vraag of zorg."],
        [b("1712"), " – 1712 of ", a("1712.be", HULPLIJN_1712), ": bij geweld, misbruik of kindermishandeling. Niet voor noodsituaties: bel dan 112."],
        [b("Zelfmoordlijn"), " – 1813 of ", a("zelfmoord1813.be", ZELFMOORDLIJN), ": dag en nacht, voor wie aan zelfdoding denkt."],
        [b("Tele-Onthaal"), " – 106 of ", a("tele-onthaal.be", TELE_ONTHAAL), ": dag en nacht, voor iedereen die met iemand wil praten."],
        [b("WAT WAT"), " – ", a("watwat.be", WAT_WAT), ": betrouwbare info voor jongeren over bijna alles."],
      ),
      p(
        "Tip: zet deze hulplijnen vast in je bio of in een highlight, en houd een kort antwoord klaar. Bijvoorbeeld: ",
        i("‘Fijn dat je dit met mij deelt. Ik ben geen hulpverlener, maar bij Awel luisteren ze echt naar je, gratis en anoniem: bel 102 of chat via awel.be.’"),
      ),
    ),
  },
  {
    id: "zelfdoding",
    title: "Veilig posten over zelfdoding en zelfbeschadiging",
    position: 6,
    reviewers: ["awel"],
    body: doc(
      p(
        "Praten over zelfdoding en zelfbeschadiging kan helpen: het doorbreekt het taboe en toont dat hulp zoeken oké is. Maar hoe je erover praat, maakt een groot verschil. Sommige beelden en details brengen iemand die het moeilijk heeft net meer in gevaar.",
      ),
      h("Doe dit"),
      ul(
        "Zet een duidelijke waarschuwing aan het begin van je post of video.",
        [
          b("Vermeld altijd waar je volgers hulp vinden"),
          ": de Zelfmoordlijn op 1813 of ",
          a("zelfmoord1813.be", ZELFMOORDLIJN),
          " (dag en nacht), Awel op 102 voor jongeren, Tele-Onthaal op 106.",
        ],
        "Vertel over hoop en herstel: wat hielp, wie hielp, hoe de weg naar hulp eruitzag.",
        "Spreek over ‘zelfdoding’ of ‘overleden door zelfdoding’, niet over ‘zelfmoord plegen’: het gaat om iemand in nood, niet om een misdaad.",
      ),
      h("Doe dit niet"),
      ul(
        [b("Geef nooit details over een methode, middel of plaats"), ", ook niet in vage woorden of met emoji’s."],
        "Toon geen wonden, littekens of beelden van zelfbeschadiging, ook niet van jezelf.",
        "Stel zelfdoding niet voor als oplossing, als iets moedigs of als het gevolg van één enkele oorzaak.",
        "Deel geen afscheidsberichten van iemand die overleden is.",
      ),
      p(
        "Krijg je foto’s van wonden of een bericht van iemand die aan zelfdoding denkt? Reageer kort en warm, verwijs naar 1813 en deel de beelden niet verder. Is iemand in acuut gevaar, bel dan 112. En praat daarna zelf met iemand: zulke berichten dragen is zwaar.",
      ),
    ),
  },
  {
    id: "commentaarsectie",
    title: "Je commentaarsectie: bots en haat",
    position: 7,
    reviewers: ["childfocus", "mediawijs"],
    body: doc(
      p(
        "Heb je een jong publiek, dan krijg je vaak ongewenste bezoekers in je reacties: bots met seksueel getinte profielfoto’s en links die jongeren naar pornosites of betaalde chats lokken, en mensen die haat verspreiden. Je kunt niet alles tegenhouden, maar je kunt van je commentaarsectie wel een veiligere plek maken.",
      ),
      h("Bots en spam"),
      ul(
        [b("Verwijder reacties van seksspambots zo snel mogelijk"), ", blokkeer het account en meld het bij het platform."],
        "Gebruik de filters van het platform om woorden, emoji’s en links automatisch te verbergen.",
        "Klik nooit zelf op zulke links en deel ze niet, ook niet om te waarschuwen.",
        "Leg je volgers af en toe uit hoe ze nepaccounts herkennen en dat ze nooit op hun links hoeven te klikken.",
      ),
      h("Haat en pesten"),
      ul(
        "Maak duidelijke huisregels en zet ze in je bio of bovenaan in een vastgepinde reactie.",
        "Verberg of verwijder haatberichten, racisme, seksisme en pesterijen, en meld ze bij het platform.",
        "Ga niet in discussie met trollen: elke reactie geeft hen meer bereik.",
        "Veel reacties? Vraag hulp aan een moderator of aan je agency.",
      ),
      p(
        "Zie je dat iemand een minderjarige volger lastigvalt of om foto’s vraagt? Blokkeer en meld dat account, en wijs de volger op Child Focus: 116 000 of ",
        a("childfocus.be", CHILD_FOCUS),
        ".",
      ),
    ),
  },
  {
    id: "grenzen",
    title: "Grenzen, sexting en uitbuiting",
    position: 8,
    reviewers: ["childfocus", "sensoa"],
    body: doc(
      p(
        "Open praten over relaties en seks kan heel waardevol zijn, zeker voor jongeren. Tegelijk zijn er grenzen die je nooit overschrijdt, en moet je weten wat je doet als iemand in de problemen zit.",
      ),
      h("Toestemming"),
      ul(
        "Toestemming is vrijwillig, geldt voor één moment en kan altijd ingetrokken worden.",
        "Wie intieme beelden van iemand verspreidt zonder toestemming, is strafbaar. Deel ze nooit, ook niet ‘voor de grap’.",
        [b("Vraag als creator nooit om intieme foto’s van volgers"), " en stuur zelf geen seksueel getinte berichten naar volgers, zeker niet naar minderjarigen."],
        "Houd privéberichten met jonge volgers kort, vriendelijk en zakelijk.",
      ),
      h("Sextortion: als iemand dreigt met beelden"),
      ol(
        "Betaal niet en stuur niets meer.",
        "Stop het contact, maar verwijder niets: maak screenshots als bewijs.",
        "Meld het account bij het platform en doe aangifte bij de politie.",
        ["Zoek hulp. Minderjarigen kunnen terecht bij Child Focus op 116 000 of via ", a("childfocus.be", CHILD_FOCUS), "."],
      ),
      p(b("Het is nooit de schuld van het slachtoffer."), " Zeg dat ook tegen een volger die je in vertrouwen neemt."),
      h("Beelden van misbruik van minderjarigen"),
      p(
        "Zie je online beelden van seksueel misbruik van minderjarigen? Download ze niet, deel ze niet en stuur ze niet door, ook niet om te waarschuwen. Meld ze anoniem via ",
        a("stopchildporno.be", STOPCHILDPORNO),
        ". Wil je praten over geweld of misbruik, bel dan 1712 of kijk op ",
        a("1712.be", HULPLIJN_1712),
        ".",
      ),
    ),
  },
  {
    id: "kinderen-in-beeld",
    title: "Kinderen in beeld",
    position: 9,
    reviewers: ["childfocus"],
    body: doc(
      p(
        "Komen je kinderen, broertjes, zusjes of andere kinderen in je content? Of is een kind zelf creator? Dan gaat het welzijn van het kind altijd voor views, volgers of een deal. In Nederland telden onderzoekers 339 kidfluenceraccounts met veel bereik en naar schatting 3.000 tot 4.000 kinderen in zulke content.",
      ),
      h("Toestemming van het kind"),
      ul(
        [b("Vraag het kind zelf of het in beeld wil"), ", elke keer opnieuw, en aanvaard een nee zonder discussie."],
        "Een baby of jong kind kan geen toestemming geven. Toon daarom geen kwetsbare momenten: huilen, ziek zijn, in bad, straf of ruzie.",
        "Verklap geen school, adres of herkenbare plekken. Beelden van kinderen kunnen in verkeerde handen belanden.",
      ),
      h("Beperkte werktijd"),
      ul(
        "Zodra er geld of producten tegenover staan, is filmen werk. Spreek vaste, korte opnamemomenten af en film niet elke dag.",
        "School, huiswerk, vrienden, slaap en vrije tijd gaan altijd voor.",
      ),
      h("Geld opzij voor het kind"),
      p(
        "Verdient een kind mee, zet dan een vast deel van de inkomsten opzij op een rekening op naam van het kind, waar het zelf over kan beschikken als het meerderjarig is.",
      ),
      h("Het recht om vergeten te worden"),
      p(
        "Wat vandaag schattig is, kan later pijnlijk zijn. Vraagt een kind, ook jaren later, om beelden te verwijderen? Doe dat dan zo snel mogelijk, en vraag ook merken en partners om ze te wissen.",
      ),
    ),
  },
  {
    id: "zorg-voor-jezelf",
    title: "Zorg voor jezelf",
    position: 10,
    reviewers: ["awel", "1712"],
    body: doc(
      p(
        "Creator zijn is leuk, maar ook zwaar: altijd bereikbaar, cijfers die elke dag veranderen, deadlines van merken en soms een stroom aan haat. Goed zorgen voor je publiek begint bij goed zorgen voor jezelf.",
      ),
      ul(
        "Plan vaste momenten zonder posten en leg je gsm ’s avonds echt weg.",
        "Je hoeft niet elk bericht te lezen. Zet filters aan of laat iemand anders je reacties en privéberichten nakijken.",
        [b("Let op signalen van burn-out"), ": slecht slapen, nergens zin in hebben, prikkelbaar zijn, je leeg voelen. Neem ze ernstig en praat erover met je huisarts."],
        "Maak duidelijke afspraken met merken en je agency over deadlines, aantallen en wat je niet wilt doen.",
        "Word je bedreigd, gestalkt of lastiggevallen? Maak screenshots, blokkeer, meld het bij het platform en doe aangifte bij de politie. In een noodsituatie bel je 112.",
      ),
      h("Hier vind je zelf hulp"),
      ul(
        [b("1712"), " – 1712 of ", a("1712.be", HULPLIJN_1712), ": als je te maken krijgt met geweld of misbruik, online of offline."],
        [b("Awel"), " – 102 of ", a("awel.be", AWEL), ": als je jong bent en wilt praten."],
        [b("Tele-Onthaal"), " – 106 of ", a("tele-onthaal.be", TELE_ONTHAAL), ": dag en nacht, voor iedereen."],
        [b("Zelfmoordlijn"), " – 1813 of ", a("zelfmoord1813.be", ZELFMOORDLIJN), ": dag en nacht, als je aan zelfdoding denkt."],
      ),
      p("Hulp vragen is geen zwakte. Het is hoe je het lang volhoudt."),
    ),
  },
];
