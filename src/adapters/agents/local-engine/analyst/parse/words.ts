/**
 * Word-level helpers shared by column matching and request parsing: tokenizing, singular forms, and the
 * vocabulary of requests (connectors, aggregation and chart words) that should not be read as column names.
 */

/** Lowercase word tokens; `;` marks a barrier (punctuation or a part of the question already used). */
export function tokenize(text: string): string[] {
  return (
    text
      .replace(/([a-z])([A-Z])/g, "$1 $2")
      .toLowerCase()
      .replace(/[,;:!?()[\]{}]/g, " ; ")
      .match(/[\p{L}\p{N}]+|;/gu) ?? []
  );
}

/** A crude singular: "regions" → "region", "categories" → "category"; applied alike to names and questions. */
export function singular(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith("ies") && word.length > 4) return word.slice(0, -3) + "y";
  if (/(ss|us|is|ous)$/.test(word)) return word;
  if (/(ches|shes|xes|sses|zes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("s")) return word.slice(0, -1);
  return word;
}

/** Words that carry no meaning of their own in a request. */
const FILLER = new Set(
  (
    "a an the of by per for in on at to from with and or vs versus against over across each every all " +
    "me my our us i we you please can could would show make draw plot give create display get see want need " +
    "chart charts graph graphs plot plots diagram visualize visualise visualization table list " +
    "what which is are was were how much many do does did there it its this that these those as be " +
    "some any data dataset file sheet value values column columns row rows record records entry entries " +
    "broken down split grouped group colored coloured now only instead same again also just then too"
  ).split(" "),
);

/** Words that name an aggregation, a chart or a time grain: a column only when its name matches closely. */
const KEYWORDS = new Set(
  (
    "sum total average avg mean median count number min minimum max maximum lowest highest largest smallest " +
    "biggest most least top bottom best worst unique distinct longest shortest greatest fewest " +
    "line bar column pie donut doughnut scatter area histogram heatmap distribution correlation correlations trend " +
    "time series daily weekly monthly quarterly yearly annual annually day week month quarter year over"
  ).split(" "),
);

export function isFiller(word: string): boolean {
  return FILLER.has(word);
}

export function isKeyword(word: string): boolean {
  return KEYWORDS.has(word) || KEYWORDS.has(singular(word));
}

/**
 * Words a question may carry without changing what it asks: politeness, verbs of showing, and nouns for the
 * answer itself. Any other word the parser cannot place makes it decline rather than guess.
 */
const HARMLESS = new Set(
  (
    "please pls thanks thank kindly hey hi hello ok okay so let lets us like i'd id would love just quick " +
    "quickly simple simply nice good pretty clear clean nicely overall also again now then instead actually " +
    "show shows showing give giving draw drawing plot plotting chart charting graph graphing visualize " +
    "visualise visualization visualisation display tell find compute calculate work out compare comparing " +
    "breakdown summary summarize summarise figure figures number numbers stat stats statistic statistics " +
    "info information report view look see picture diagram table tables list listing " +
    "had has have having got get gets getting did do does doing been being was were is are am will " +
    "what whats which who where when how much many there here it its this that these those them they " +
    "across throughout overall entire whole total in during within each every all one ones between matrix about type types kind kinds sort sorts"
  ).split(" "),
);

export function isHarmless(word: string): boolean {
  return HARMLESS.has(word) || HARMLESS.has(singular(word));
}
