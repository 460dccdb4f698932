/**
 * The questions of the offline analyst's evaluation, asked as a newcomer would, over public datasets (the
 * vega-datasets package) and generated messy files. Each chain is one conversation: its first turn shares the
 * file (with the question, or alone when `share` is set), later turns are follow-ups. The expected answer of
 * every turn is computed independently by expected.py under the same id.
 */

export type EvalClass =
  | "reading"
  | "aggregation"
  | "grouping"
  | "ranking"
  | "filters"
  | "follow-ups"
  | "charts"
  | "relations"
  | "conversation"
  | "unanswerable";

export interface EvalTurn {
  id: string;
  ask: string;
  class: EvalClass;
}

export interface EvalChain {
  /** A file of vega-datasets, or one that make_files.py writes. */
  file: string;
  /** The file is shared without a question first; that turn is checked under this id. */
  share?: string;
  turns: EvalTurn[];
}

const turn = (id: string, cls: EvalClass, ask: string): EvalTurn => ({ id, ask, class: cls });
const one = (file: string, id: string, cls: EvalClass, ask: string): EvalChain => ({
  file,
  turns: [turn(id, cls, ask)],
});

const W = "seattle-weather.csv";
const CARS = "cars.json";
const MOVIES = "movies.json";
const PENGUINS = "penguins.json";
const GAP = "gapminder.json";
const STOCKS = "stocks.csv";
const IOWA = "iowa-electricity.csv";
const DISASTERS = "disasters.csv";
const AIRPORTS = "airports.csv";
const POPULATION = "population.json";
const GITHUB = "github.csv";
const BARLEY = "barley.json";
const WEATHER2 = "weather.csv";
const BIRDS = "birdstrikes.csv";
const EMPLOYMENT = "us-employment.csv";
const RIOTS = "la-riots.csv";
const STATES = "population_engineers_hurricanes.csv";
const SP500 = "sp500.csv";
const CO2 = "co2-concentration.csv";

export const CHAINS: EvalChain[] = [
  // Seattle weather: dates, numbers and one text column.
  one(W, "weather.mean-temp-by-weather", "aggregation", "average temp_max by weather"),
  one(W, "weather.total-precipitation-by-year", "aggregation", "total precipitation by year"),
  one(W, "weather.trend-temp-by-year", "aggregation", "trend of temp_max by year"),
  one(W, "weather.median-wind-by-weather", "aggregation", "median wind by weather"),
  one(W, "weather.max-temp-by-year", "aggregation", "highest temp_max per year"),
  one(W, "weather.days-of-each-weather", "grouping", "how many days of each weather"),
  one(W, "weather.rainy-days-per-month-2014", "grouping", "number of rainy days per month in 2014"),
  one(W, "weather.top-5-wettest-months", "ranking", "top 5 months by precipitation"),
  one(W, "weather.windiest-weather", "ranking", "which weather has the highest average wind"),
  one(W, "weather.coldest-days", "ranking", "which date has the lowest temp_min"),
  one(W, "weather.mean-temp-july-2015", "filters", "average temp_max in July 2015"),
  one(W, "weather.rain-and-warm", "filters", "total precipitation where weather is rain and temp_max > 20"),
  one(W, "weather.hot-days", "filters", "how many days had temp_max above 30"),
  one(W, "weather.sunny-wind", "filters", "average wind on sunny days"),
  one(W, "weather.corr-temps", "relations", "correlation between temp_max and temp_min"),
  one(W, "weather.hist-wind", "relations", "histogram of wind"),
  one(W, "weather.pie-precip-by-month", "charts", "pie chart of precipitation by month"),
  one(W, "weather.line-temp-by-date", "charts", "line chart of temp_max by date"),
  one(W, "weather.hist-precip", "charts", "histogram of precipitation"),
  {
    file: W,
    turns: [
      turn("weather.chain.precip-by-month", "follow-ups", "total precipitation by month"),
      turn("weather.chain.only-2014", "follow-ups", "now only 2014"),
      turn("weather.chain.as-bars", "follow-ups", "as a bar chart"),
      turn("weather.chain.only-rain", "follow-ups", "only rain"),
    ],
  },
  {
    file: W,
    turns: [
      turn("weather.chain2.temp-by-weather", "follow-ups", "average temp_max by weather"),
      turn("weather.chain2.from-2013", "follow-ups", "from 2013 on"),
      turn("weather.chain2.sun-and-fog", "follow-ups", "only sun and fog"),
    ],
  },
  {
    file: W,
    turns: [
      turn("weather.chain3.by-weather-series", "follow-ups", "precipitation by month for each weather"),
      turn("weather.chain3.line-only-rain", "follow-ups", "as a line chart, only rain"),
      turn("weather.chain3.show-code", "conversation", "show the code"),
    ],
  },
  {
    file: W,
    turns: [
      turn("weather.chain4.wind-by-month", "follow-ups", "average wind by month"),
      turn("weather.chain4.rain-2013-2014", "follow-ups", "only rain between 2013 and 2014"),
      turn("weather.chain4.by-year", "follow-ups", "by year instead"),
    ],
  },
  one(W, "weather.no-humidity", "unanswerable", "average humidity by weather"),
  one(W, "weather.no-country", "unanswerable", "average temp_max by country"),
  one(W, "weather.forecast", "unanswerable", "forecast precipitation for 2016"),
  one(W, "weather.unknown-operator", "unanswerable", "total precipitation where wind is roughly 3"),
  one(W, "weather.why", "unanswerable", "why was 2014 so wet"),
  one(W, "weather.no-revenue", "unanswerable", "total revenue by weather"),

  // Cars (JSON records): names that repeat, whole-number columns, yearly dates.
  one(CARS, "cars.mean-hp-by-origin", "aggregation", "average horsepower by origin"),
  one(CARS, "cars.count-by-origin", "grouping", "how many cars of each origin"),
  one(CARS, "cars.count-by-cylinders", "grouping", "number of cars per cylinders"),
  one(CARS, "cars.mpg-by-year", "aggregation", "average miles per gallon by year"),
  one(CARS, "cars.median-weight-by-cylinders", "aggregation", "median weight by cylinders"),
  one(CARS, "cars.top-5-hp", "ranking", "top 5 cars by horsepower"),
  one(CARS, "cars.top-6-hp-ties", "ranking", "top 6 cars by horsepower"),
  one(CARS, "cars.best-mpg-origin", "ranking", "which origin has the highest average mpg"),
  one(CARS, "cars.japan-4-cyl", "filters", "average acceleration where cylinders is 4 and origin is Japan"),
  one(CARS, "cars.corr-weight-mpg", "relations", "correlation between weight and mpg"),
  one(CARS, "cars.scatter-mpg-hp", "relations", "scatter of mpg vs horsepower"),
  one(CARS, "cars.hist-hp", "relations", "histogram of horsepower"),
  one(CARS, "cars.hp-by-cyl-for-origin", "aggregation", "average horsepower by cylinders for each origin"),
  {
    file: CARS,
    turns: [
      turn("cars.chain.mpg-by-origin", "follow-ups", "average mpg by origin"),
      turn("cars.chain.after-1975", "follow-ups", "only after 1975"),
      turn("cars.chain.8-cyl", "follow-ups", "and only cars with 8 cylinders"),
    ],
  },
  one(CARS, "cars.no-price", "unanswerable", "average price by origin"),
  one(CARS, "cars.no-brand", "unanswerable", "average mpg by brand"),
  one(CARS, "cars.cluster", "unanswerable", "cluster the cars by weight"),

  // Movies: titles that repeat, many missing values, an additive measure with no telling name.
  one(MOVIES, "movies.top-5-directors-gross", "ranking", "top 5 directors by worldwide gross"),
  one(MOVIES, "movies.top-10-titles-gross", "ranking", "top 10 titles by worldwide gross"),
  one(
    MOVIES,
    "movies.best-genre-min-50",
    "ranking",
    "which major genre has the highest average imdb rating, with at least 50 movies",
  ),
  one(MOVIES, "movies.count-by-rating", "grouping", "how many movies of each mpaa rating"),
  one(MOVIES, "movies.mean-runtime-by-genre", "aggregation", "average running time by major genre"),
  one(MOVIES, "movies.most-movies-distributor", "ranking", "which distributor has the most movies"),
  one(
    MOVIES,
    "movies.corr-budget-gross",
    "relations",
    "correlation between production budget and worldwide gross",
  ),
  one(
    MOVIES,
    "movies.top-3-genres-since-2000",
    "ranking",
    "top 3 major genres by worldwide gross since 2000",
  ),
  one(MOVIES, "movies.us-gross-by-year", "aggregation", "total us gross by year"),
  {
    file: MOVIES,
    turns: [
      turn("movies.chain.directors", "follow-ups", "top 5 directors by worldwide gross"),
      turn("movies.chain.only-comedy", "follow-ups", "only Comedy"),
      turn("movies.chain.from-2005", "follow-ups", "from 2005 on"),
    ],
  },
  one(MOVIES, "movies.no-studio", "unanswerable", "average box office by studio"),
  one(MOVIES, "movies.no-actors", "unanswerable", "top 5 actors by worldwide gross"),

  // Penguins: units in names, missing values.
  one(PENGUINS, "penguins.mass-by-species", "aggregation", "average body mass by species"),
  one(
    PENGUINS,
    "penguins.flipper-by-species-sex",
    "aggregation",
    "average flipper length by species for each sex",
  ),
  one(PENGUINS, "penguins.count-by-island", "grouping", "how many penguins on each island"),
  one(PENGUINS, "penguins.longest-beak", "ranking", "which species has the longest average beak length"),
  one(PENGUINS, "penguins.female-mass", "filters", "median body mass of female penguins"),
  one(
    PENGUINS,
    "penguins.corr-flipper-mass",
    "relations",
    "correlation between flipper length and body mass",
  ),
  one(PENGUINS, "penguins.no-wingspan", "unanswerable", "average wingspan by species"),

  // Gapminder: a whole-number year, countries repeated once per year.
  one(GAP, "gap.pop-by-year", "aggregation", "total population by year"),
  one(GAP, "gap.life-by-year", "aggregation", "average life expectancy by year"),
  one(GAP, "gap.top-5-pop-2005", "ranking", "top 5 countries by population in 2005"),
  one(GAP, "gap.fertility-by-cluster", "aggregation", "average fertility by cluster"),
  one(GAP, "gap.longest-life-2005", "ranking", "which country had the highest life expectancy in 2005"),
  {
    file: GAP,
    turns: [
      turn("gap.chain.life-by-year", "follow-ups", "average life expectancy by year"),
      turn("gap.chain.only-china", "follow-ups", "now only China"),
      turn("gap.chain.from-1980", "follow-ups", "from 1980 on"),
    ],
  },
  one(GAP, "gap.no-gdp", "unanswerable", "total gdp by country"),

  // Stocks: month-name dates, one row per symbol and month.
  one(STOCKS, "stocks.mean-by-symbol", "aggregation", "average price by symbol"),
  one(STOCKS, "stocks.max-by-symbol", "aggregation", "maximum price by symbol"),
  one(STOCKS, "stocks.by-year-each-symbol", "aggregation", "average price by year for each symbol"),
  one(STOCKS, "stocks.aapl-by-year", "filters", "average price of AAPL by year"),
  {
    file: STOCKS,
    turns: [
      turn("stocks.chain.by-year", "follow-ups", "average price by year for each symbol"),
      turn("stocks.chain.msft-ibm", "follow-ups", "only MSFT and IBM"),
      turn("stocks.chain.from-2005", "follow-ups", "from 2005 on"),
    ],
  },
  one(STOCKS, "stocks.predict", "unanswerable", "predict the price of AAPL in 2011"),

  // Iowa electricity, disasters, airports, population, GitHub, barley.
  one(IOWA, "iowa.total-by-source", "aggregation", "total net generation by source"),
  one(IOWA, "iowa.by-year-each-source", "aggregation", "net generation by year for each source"),
  one(IOWA, "iowa.top-source-2016", "ranking", "which source had the highest net generation in 2016"),
  one(
    DISASTERS,
    "disasters.earthquake-by-year",
    "filters",
    "total deaths by year where entity is Earthquake",
  ),
  one(DISASTERS, "disasters.top-3-drought-years", "ranking", "top 3 years by deaths for Drought"),
  one(AIRPORTS, "airports.count-by-state", "grouping", "how many airports per state"),
  one(AIRPORTS, "airports.top-5-states", "ranking", "top 5 states by number of airports"),
  one(AIRPORTS, "airports.count-tx", "filters", "how many airports in TX"),
  one(POPULATION, "population.by-year", "aggregation", "total people by year"),
  one(POPULATION, "population.by-age-2000", "filters", "total people by age in 2000"),
  one(GITHUB, "github.by-month", "aggregation", "total count by month"),
  one(BARLEY, "barley.yield-by-site", "aggregation", "average yield by site"),
  one(BARLEY, "barley.yield-1932-by-variety", "filters", "total yield by variety in 1932"),

  // Messy files: the numbers are only right when the file was read right.
  {
    file: "umsatz.csv",
    share: "umsatz.overview",
    turns: [
      turn("umsatz.total-by-region", "reading", "total Umsatz by Region"),
      turn("umsatz.by-month", "reading", "Umsatz by month"),
      turn("umsatz.only-nord", "follow-ups", "only Nord"),
      turn("umsatz.from-2025", "follow-ups", "from 2025 on"),
    ],
  },
  one("umsatz.csv", "umsatz.mean-menge-by-produkt", "reading", "average Menge by Produkt"),
  one("umsatz.csv", "umsatz.march-2025", "reading", "total Umsatz in March 2025"),
  one("umsatz.csv", "umsatz.no-kunde", "unanswerable", "total Umsatz by Kunde"),
  one("ventes.csv", "ventes.total-by-categorie", "reading", "total montant by catégorie"),
  one("ventes.csv", "ventes.by-quarter", "reading", "total montant by quarter"),
  one("ventes.csv", "ventes.mean-quantite", "reading", "average quantité by catégorie"),
  {
    file: "us-orders.csv",
    share: "orders.overview",
    turns: [
      turn("orders.total-by-region", "reading", "total amount by region"),
      turn("orders.by-month", "reading", "amount by month"),
      turn("orders.west-mean", "filters", "average amount where region is West"),
    ],
  },
  {
    file: "ambiguous-dates.csv",
    share: "ambiguous.overview",
    turns: [
      turn("ambiguous.by-month", "reading", "total amount by month"),
      turn("ambiguous.day-first", "reading", "dates are day-first"),
      turn("ambiguous.by-month-day-first", "reading", "total amount by month"),
    ],
  },
  {
    file: "workbook.xlsx",
    share: "workbook.overview",
    turns: [
      turn("workbook.amount-by-region", "reading", "total amount by region"),
      turn("workbook.target-by-region", "reading", "target by region"),
    ],
  },

  // A second set, written after the first had been run and never tuned against: other tables, other phrasings.
  one(WEATHER2, "weather2.temp-by-location", "aggregation", "average temp_max by location"),
  one(
    WEATHER2,
    "weather2.precip-by-year-location",
    "aggregation",
    "total precipitation by year for each location",
  ),
  one(WEATHER2, "weather2.sunny-seattle", "filters", "how many sunny days in Seattle"),
  one(WEATHER2, "weather2.wind-new-york", "filters", "average wind in New York by month"),
  one(WEATHER2, "weather2.percent-rainy", "unanswerable", "percentage of rainy days"),
  one(WEATHER2, "weather2.cumulative", "unanswerable", "cumulative precipitation by month"),
  {
    file: WEATHER2,
    turns: [
      turn("weather2.chain.temp-by-month", "follow-ups", "average temp_max by month"),
      turn("weather2.chain.only-seattle", "follow-ups", "only Seattle"),
      turn("weather2.chain.as-line", "follow-ups", "as a line chart"),
      turn("weather2.chain.top-3", "follow-ups", "top 3 only"),
    ],
  },
  one(BIRDS, "birds.count-by-phase", "grouping", "how many strikes by phase of flight"),
  one(BIRDS, "birds.speed-by-time-of-day", "aggregation", "average speed by time of day"),
  one(BIRDS, "birds.strikes-per-year", "grouping", "number of strikes per year"),
  one(BIRDS, "birds.ambiguous-cost", "unanswerable", "average cost by wildlife size"),
  one(BIRDS, "birds.total-cost-by-size", "aggregation", "total Cost Total $ by Wildlife Size"),
  one(EMPLOYMENT, "employment.construction-by-year", "aggregation", "average construction by year"),
  one(EMPLOYMENT, "employment.max-manufacturing", "aggregation", "maximum manufacturing by year"),
  one(RIOTS, "riots.age-by-gender", "aggregation", "average age by gender"),
  one(RIOTS, "riots.rows-by-type", "grouping", "number of rows by type"),
  one(STATES, "states.top-5-engineers", "ranking", "top 5 states by engineers"),
  one(STATES, "states.corr", "relations", "correlation between population and engineers"),
  one(SP500, "sp500.by-year", "aggregation", "average price by year"),
  one(CO2, "co2.by-year", "aggregation", "average CO2 by year"),
  one(CO2, "co2.decade", "unanswerable", "max CO2 by decade"),
  one(CARS, "cars2.weight-for-each-origin", "aggregation", "average weight for each origin"),
  one(CARS, "cars2.more-than-6-cyl", "filters", "how many cars with more than 6 cylinders"),
  one(CARS, "cars2.japanese-hp", "filters", "median horsepower of japanese cars"),
  one(CARS, "cars2.hist-acceleration", "relations", "histogram of acceleration"),
  one(CARS, "cars2.mpg-not-usa", "filters", "average mpg by cylinders where origin is not USA"),
  one(CARS, "cars2.per-liter", "unanswerable", "average mpg per liter"),
  {
    file: CARS,
    turns: [
      turn("cars2.chain.hp-by-origin", "follow-ups", "average horsepower by origin"),
      turn("cars2.chain.weight", "follow-ups", "what about weight"),
      turn("cars2.chain.europe", "follow-ups", "now only cars from Europe"),
    ],
  },
  one(MOVIES, "movies2.imdb-by-mpaa", "aggregation", "average imdb rating by mpaa rating"),
  one(MOVIES, "movies2.gross-by-year-2000", "filters", "total worldwide gross by year since 2000"),
  one(MOVIES, "movies2.top-3-distributors", "ranking", "top 3 distributors by number of movies"),
  one(PENGUINS, "penguins2.species-on-biscoe", "filters", "how many penguins of each species on Biscoe"),
  one(PENGUINS, "penguins2.mass-island-sex", "aggregation", "average body mass by island for each sex"),
  {
    file: PENGUINS,
    turns: [
      turn("penguins2.chain.mass", "follow-ups", "average body mass by species"),
      turn("penguins2.chain.by-island", "follow-ups", "by island instead"),
      turn("penguins2.chain.female", "follow-ups", "only female"),
    ],
  },
  one(GAP, "gap2.life-2000-by-cluster", "filters", "average life expectancy in 2000 by cluster"),
  one(GAP, "gap2.year-most-pop", "ranking", "which year had the highest total population"),
  one(STOCKS, "stocks2.lowest-ibm", "filters", "lowest price of IBM"),
  one(STOCKS, "stocks2.amzn-since-2005", "filters", "average price of AMZN since 2005"),
  one(STOCKS, "stocks2.growth", "unanswerable", "year over year growth of price"),
  {
    file: STOCKS,
    turns: [
      turn("stocks2.chain.max", "follow-ups", "max price by symbol"),
      turn("stocks2.chain.2008", "follow-ups", "in 2008"),
      turn("stocks2.chain.pie", "charts", "as a pie chart"),
    ],
  },
  one(GITHUB, "github.weekday", "unanswerable", "average count by weekday"),
  one(DISASTERS, "disasters2.flood-after-1950", "filters", "total deaths for Flood after 1950"),
  one("umsatz.csv", "umsatz2.german-question", "unanswerable", "durchschnittlicher Umsatz nach Region"),
  one("umsatz.csv", "umsatz2.by-produkt-region", "reading", "Umsatz by Produkt for each Region"),
  one("ventes.csv", "ventes2.monthly-2024", "reading", "average montant by month in 2024"),
  one("us-orders.csv", "orders2.last-month", "unanswerable", "total sales last month"),
  one("workbook.xlsx", "workbook2.sales-sheet", "reading", "average amount by region in the Sales sheet"),
];
