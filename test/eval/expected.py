"""
The expected answers of the offline analyst's evaluation, computed with plain pandas from the public data and
from the clean twins of the generated messy files. Written apart from the analyst: nothing here is shared with
the code it generates. Prints one JSON object: question id -> expectation.

  python3 expected.py <vega-datasets data dir> <directory make_files.py wrote>

Expectations:
  value     one number                                   {"value": x}
  table     a number per group                           {"rows": {label: x}, "agg", "parts", "top", "order", "lead"}
  frame     a number per group and series                {"rows": {label: {series: x}}}
  rows      a ranking of rows whose labels may repeat   {"rows": [[label, x], ...], "top", "order"}
  r         a Pearson correlation                        {"value": r, "points": n}
  stats     a distribution's statistics                  {"values": {"Mean": x, ...}}
  overview  a table's overview                           {"rows": n}
  code      the code behind the last answer              {"contains": [...]}
  decline   a question the analyst should decline
Any expectation may carry "mentions": patterns the answer must contain (case-insensitive).
"""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

vega = Path(sys.argv[1])
made = Path(sys.argv[2])


def records(name):
    with open(vega / name, encoding="utf-8") as f:
        return pd.json_normalize(json.load(f))


weather = pd.read_csv(vega / "seattle-weather.csv", parse_dates=["date"])
cars = records("cars.json")
cars["Year"] = pd.to_datetime(cars["Year"])
movies = records("movies.json")
movies["Release Date"] = pd.to_datetime(movies["Release Date"], format="%b %d %Y")
penguins = records("penguins.json")
gap = records("gapminder.json")
stocks = pd.read_csv(vega / "stocks.csv")
stocks["date"] = pd.to_datetime(stocks["date"], format="%b %d %Y")
iowa = pd.read_csv(vega / "iowa-electricity.csv", parse_dates=["year"])
disasters = pd.read_csv(vega / "disasters.csv")
airports = pd.read_csv(vega / "airports.csv")
population = records("population.json")
github = pd.read_csv(vega / "github.csv")
github["time"] = pd.to_datetime(github["time"], format="%Y/%m/%d %H:%M:%S")
barley = records("barley.json")
umsatz = pd.read_csv(made / "umsatz.clean.csv", parse_dates=["Datum"])
ventes = pd.read_csv(made / "ventes.clean.csv", parse_dates=["date"])
orders = pd.read_csv(made / "us-orders.clean.csv", parse_dates=["Order Date"])
ambiguous = pd.read_csv(made / "ambiguous-dates.clean.csv", parse_dates=["date"])
sales = pd.read_csv(made / "workbook.Sales.clean.csv", parse_dates=["Date"])
targets = pd.read_csv(made / "workbook.Targets.clean.csv")


def plain(x):
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return None
    return x.item() if hasattr(x, "item") else x


def label(key, grain=None):
    if isinstance(key, pd.Timestamp):
        if grain == "year":
            return f"{key.year}"
        if grain == "quarter":
            return f"{key.year} Q{(key.month - 1) // 3 + 1}"
        if grain == "month":
            return f"{key.year}-{key.month:02d}"
        return key.strftime("%Y-%m-%d")
    if isinstance(key, (float, np.floating)) and float(key).is_integer():
        return str(int(key))
    return str(key)


def by_grain(frame, column, grain):
    return frame[column].dt.to_period({"year": "Y", "quarter": "Q", "month": "M", "day": "D"}[grain]).dt.start_time


def value(x, **extra):
    return {"kind": "value", "value": plain(x), **extra}


def table(series, agg, grain=None, parts=None, **extra):
    rows = {label(k, grain): plain(v) for k, v in series.items() if not pd.isna(v)}
    out = {"kind": "table", "rows": rows, "agg": agg, **extra}
    if parts is not None:
        out["parts"] = {label(k, grain): [plain(s), plain(c)] for k, (s, c) in parts.iterrows()}
    return out


def grouped(frame, keys, column, agg, grain=None, **extra):
    """frame grouped by keys: the aggregate per group, with sums and counts so an "Other" can be checked."""
    groups = frame.groupby(keys)[column] if column else frame.groupby(keys)
    series = groups.size() if agg == "count" else getattr(groups, agg)()
    parts = None
    if column and agg in ("mean", "sum"):
        parts = pd.DataFrame({"sum": groups.sum(), "count": groups.count()})
    elif agg == "count":
        parts = pd.DataFrame({"sum": series, "count": series})
    return table(series, agg, grain, parts, **extra)


def frame(table_, grain=None):
    rows = {}
    for key, row in table_.iterrows():
        rows[label(key, grain)] = {str(c): plain(v) for c, v in row.items() if not pd.isna(v)}
    return {"kind": "frame", "rows": rows}


def ranking_rows(frame_, label_column, column, top, order="desc", **extra):
    ranked = frame_.dropna(subset=[column]).sort_values(column, ascending=order == "asc", kind="stable")
    rows = [[str(a), plain(b)] for a, b in zip(ranked[label_column], ranked[column])]
    return {"kind": "rows", "rows": rows, "top": top, "order": order, **extra}


def correlation(frame_, x, y):
    pair = frame_[[x, y]].dropna()
    return {"kind": "r", "value": plain(pair[x].corr(pair[y])), "points": len(pair)}


def stats(series):
    s = series.dropna()
    return {
        "kind": "stats",
        "values": {
            "Values": len(s),
            "Mean": plain(s.mean()),
            "Minimum": plain(s.min()),
            "Median": plain(s.median()),
            "Maximum": plain(s.max()),
        },
    }


DECLINE = {"kind": "decline"}
E = {}
w = weather

# Seattle weather
E["weather.mean-temp-by-weather"] = grouped(w, "weather", "temp_max", "mean")
E["weather.total-precipitation-by-year"] = grouped(w.assign(y=by_grain(w, "date", "year")), "y", "precipitation", "sum", "year")
E["weather.trend-temp-by-year"] = grouped(w.assign(y=by_grain(w, "date", "year")), "y", "temp_max", "mean", "year")
E["weather.median-wind-by-weather"] = grouped(w, "weather", "wind", "median")
E["weather.max-temp-by-year"] = grouped(w.assign(y=by_grain(w, "date", "year")), "y", "temp_max", "max", "year")
E["weather.days-of-each-weather"] = grouped(w, "weather", None, "count")
rain14 = w[(w.weather == "rain") & (w.date.dt.year == 2014)]
E["weather.rainy-days-per-month-2014"] = grouped(rain14.assign(m=by_grain(rain14, "date", "month")), "m", None, "count", "month")
E["weather.top-5-wettest-months"] = grouped(w.assign(m=by_grain(w, "date", "month")), "m", "precipitation", "sum", "month", top=5, order="desc")
E["weather.windiest-weather"] = grouped(w, "weather", "wind", "mean", lead="desc")
E["weather.coldest-days"] = grouped(w, "date", "temp_min", "mean", "day", lead="asc")
E["weather.mean-temp-july-2015"] = value(w[(w.date.dt.year == 2015) & (w.date.dt.month == 7)].temp_max.mean())
E["weather.rain-and-warm"] = value(w[(w.weather == "rain") & (w.temp_max > 20)].precipitation.sum())
E["weather.hot-days"] = value(int((w.temp_max > 30).sum()))
E["weather.sunny-wind"] = value(w[w.weather == "sun"].wind.mean())
E["weather.corr-temps"] = correlation(w, "temp_max", "temp_min")
E["weather.hist-wind"] = stats(w.wind)
E["weather.pie-precip-by-month"] = grouped(w.assign(m=by_grain(w, "date", "month")), "m", "precipitation", "sum", "month")
E["weather.line-temp-by-date"] = grouped(w, "date", "temp_max", "mean", "day")
E["weather.hist-precip"] = stats(w.precipitation)
monthly = w.assign(m=by_grain(w, "date", "month"))
E["weather.chain.precip-by-month"] = grouped(monthly, "m", "precipitation", "sum", "month")
E["weather.chain.only-2014"] = grouped(monthly[monthly.date.dt.year == 2014], "m", "precipitation", "sum", "month")
E["weather.chain.as-bars"] = E["weather.chain.only-2014"]
only = monthly[(monthly.date.dt.year == 2014) & (monthly.weather == "rain")]
E["weather.chain.only-rain"] = grouped(only, "m", "precipitation", "sum", "month")
E["weather.chain2.temp-by-weather"] = grouped(w, "weather", "temp_max", "mean")
E["weather.chain2.from-2013"] = grouped(w[w.date.dt.year >= 2013], "weather", "temp_max", "mean")
E["weather.chain2.sun-and-fog"] = grouped(
    w[(w.date.dt.year >= 2013) & w.weather.isin(["sun", "fog"])], "weather", "temp_max", "mean"
)
E["weather.chain3.by-weather-series"] = frame(
    monthly.groupby(["m", "weather"])["precipitation"].sum().unstack("weather"), "month"
)
E["weather.chain3.line-only-rain"] = grouped(monthly[monthly.weather == "rain"], "m", "precipitation", "sum", "month")
E["weather.chain3.show-code"] = {"kind": "code", "contains": ["groupby", "precipitation"]}
E["weather.chain4.wind-by-month"] = grouped(monthly, "m", "wind", "mean", "month")
rain1314 = monthly[(monthly.weather == "rain") & monthly.date.dt.year.between(2013, 2014)]
E["weather.chain4.rain-2013-2014"] = grouped(rain1314, "m", "wind", "mean", "month")
E["weather.chain4.by-year"] = grouped(rain1314.assign(y=by_grain(rain1314, "date", "year")), "y", "wind", "mean", "year")
for name in ["no-humidity", "no-country", "forecast", "unknown-operator", "why", "no-revenue"]:
    E[f"weather.{name}"] = DECLINE

# Cars
cars_year = cars.assign(y=by_grain(cars, "Year", "year"))
E["cars.mean-hp-by-origin"] = grouped(cars, "Origin", "Horsepower", "mean")
E["cars.count-by-origin"] = grouped(cars, "Origin", None, "count")
E["cars.count-by-cylinders"] = grouped(cars, "Cylinders", None, "count")
E["cars.mpg-by-year"] = grouped(cars_year, "y", "Miles_per_Gallon", "mean", "year")
E["cars.median-weight-by-cylinders"] = grouped(cars, "Cylinders", "Weight_in_lbs", "median")
E["cars.top-5-hp"] = ranking_rows(cars, "Name", "Horsepower", 5)
E["cars.top-6-hp-ties"] = ranking_rows(cars, "Name", "Horsepower", 6, mentions=["tie"])
E["cars.best-mpg-origin"] = grouped(cars, "Origin", "Miles_per_Gallon", "mean", lead="desc")
E["cars.japan-4-cyl"] = value(cars[(cars.Cylinders == 4) & (cars.Origin == "Japan")].Acceleration.mean())
E["cars.corr-weight-mpg"] = correlation(cars, "Weight_in_lbs", "Miles_per_Gallon")
E["cars.scatter-mpg-hp"] = correlation(cars, "Horsepower", "Miles_per_Gallon")
E["cars.hist-hp"] = stats(cars.Horsepower)
E["cars.hp-by-cyl-for-origin"] = frame(cars.groupby(["Cylinders", "Origin"])["Horsepower"].mean().unstack("Origin"))
E["cars.chain.mpg-by-origin"] = grouped(cars, "Origin", "Miles_per_Gallon", "mean")
late = cars[cars.Year.dt.year > 1975]
E["cars.chain.after-1975"] = grouped(late, "Origin", "Miles_per_Gallon", "mean")
E["cars.chain.8-cyl"] = grouped(late[late.Cylinders == 8], "Origin", "Miles_per_Gallon", "mean")
for name in ["no-price", "no-brand", "cluster"]:
    E[f"cars.{name}"] = DECLINE

# Movies
m = movies
E["movies.top-5-directors-gross"] = grouped(m, "Director", "Worldwide Gross", "sum", top=5, order="desc")
E["movies.top-10-titles-gross"] = grouped(m, "Title", "Worldwide Gross", "sum", top=10, order="desc")
genre = m.groupby("Major Genre")
big = genre.size()
big = big[big >= 50].index
E["movies.best-genre-min-50"] = grouped(m[m["Major Genre"].isin(big)], "Major Genre", "IMDB Rating", "mean", lead="desc")
E["movies.count-by-rating"] = grouped(m, "MPAA Rating", None, "count")
E["movies.mean-runtime-by-genre"] = grouped(m, "Major Genre", "Running Time min", "mean")
E["movies.most-movies-distributor"] = grouped(m, "Distributor", None, "count", lead="desc")
E["movies.corr-budget-gross"] = correlation(m, "Production Budget", "Worldwide Gross")
E["movies.top-3-genres-since-2000"] = grouped(
    m[m["Release Date"].dt.year >= 2000], "Major Genre", "Worldwide Gross", "sum", top=3, order="desc"
)
E["movies.us-gross-by-year"] = grouped(m.assign(y=by_grain(m, "Release Date", "year")), "y", "US Gross", "sum", "year")
E["movies.chain.directors"] = E["movies.top-5-directors-gross"]
comedy = m[m["Major Genre"] == "Comedy"]
E["movies.chain.only-comedy"] = grouped(comedy, "Director", "Worldwide Gross", "sum", top=5, order="desc")
E["movies.chain.from-2005"] = grouped(
    comedy[comedy["Release Date"].dt.year >= 2005], "Director", "Worldwide Gross", "sum", top=5, order="desc"
)
E["movies.no-studio"] = DECLINE
E["movies.no-actors"] = DECLINE

# Penguins
p = penguins
E["penguins.mass-by-species"] = grouped(p, "Species", "Body Mass (g)", "mean")
E["penguins.flipper-by-species-sex"] = frame(p.groupby(["Species", "Sex"])["Flipper Length (mm)"].mean().unstack("Sex"))
E["penguins.count-by-island"] = grouped(p, "Island", None, "count")
E["penguins.longest-beak"] = grouped(p, "Species", "Beak Length (mm)", "mean", lead="desc")
E["penguins.female-mass"] = value(p[p.Sex == "FEMALE"]["Body Mass (g)"].median())
E["penguins.corr-flipper-mass"] = correlation(p, "Flipper Length (mm)", "Body Mass (g)")
E["penguins.no-wingspan"] = DECLINE

# Gapminder
g = gap
E["gap.pop-by-year"] = grouped(g, "year", "pop", "sum")
E["gap.life-by-year"] = grouped(g, "year", "life_expect", "mean")
E["gap.top-5-pop-2005"] = grouped(g[g.year == 2005], "country", "pop", "sum", top=5, order="desc")
E["gap.fertility-by-cluster"] = grouped(g, "cluster", "fertility", "mean")
E["gap.longest-life-2005"] = grouped(g[g.year == 2005], "country", "life_expect", "mean", lead="desc")
E["gap.chain.life-by-year"] = grouped(g, "year", "life_expect", "mean")
china = g[g.country == "China"]
E["gap.chain.only-china"] = grouped(china, "year", "life_expect", "mean")
E["gap.chain.from-1980"] = grouped(china[china.year >= 1980], "year", "life_expect", "mean")
E["gap.no-gdp"] = DECLINE

# Stocks
s = stocks.assign(y=by_grain(stocks, "date", "year"))
E["stocks.mean-by-symbol"] = grouped(s, "symbol", "price", "mean")
E["stocks.max-by-symbol"] = grouped(s, "symbol", "price", "max")
E["stocks.by-year-each-symbol"] = frame(s.groupby(["y", "symbol"])["price"].mean().unstack("symbol"), "year")
E["stocks.aapl-by-year"] = grouped(s[s.symbol == "AAPL"], "y", "price", "mean", "year")
E["stocks.chain.by-year"] = E["stocks.by-year-each-symbol"]
two = s[s.symbol.isin(["MSFT", "IBM"])]
E["stocks.chain.msft-ibm"] = frame(two.groupby(["y", "symbol"])["price"].mean().unstack("symbol"), "year")
two = two[two.date.dt.year >= 2005]
E["stocks.chain.from-2005"] = frame(two.groupby(["y", "symbol"])["price"].mean().unstack("symbol"), "year")
E["stocks.predict"] = DECLINE

# The rest of the public tables
iowa_y = iowa.assign(y=by_grain(iowa, "year", "year"))
E["iowa.total-by-source"] = grouped(iowa, "source", "net_generation", "sum")
E["iowa.by-year-each-source"] = frame(iowa_y.groupby(["y", "source"])["net_generation"].sum().unstack("source"), "year")
E["iowa.top-source-2016"] = grouped(iowa[iowa.year.dt.year == 2016], "source", "net_generation", "sum", lead="desc")
quake = disasters[disasters.Entity == "Earthquake"]
E["disasters.earthquake-by-year"] = grouped(quake, "Year", "Deaths", "sum")
E["disasters.top-3-drought-years"] = grouped(disasters[disasters.Entity == "Drought"], "Year", "Deaths", "sum", top=3, order="desc")
E["airports.count-by-state"] = grouped(airports, "state", None, "count")
E["airports.top-5-states"] = grouped(airports, "state", None, "count", top=5, order="desc")
E["airports.count-tx"] = value(int((airports.state == "TX").sum()))
E["population.by-year"] = grouped(population, "year", "people", "sum")
E["population.by-age-2000"] = grouped(population[population.year == 2000], "age", "people", "sum")
E["github.by-month"] = grouped(github.assign(m=by_grain(github, "time", "month")), "m", "count", "sum", "month")
E["barley.yield-by-site"] = grouped(barley, "site", "yield", "mean")
E["barley.yield-1932-by-variety"] = grouped(barley[barley.year == 1932], "variety", "yield", "sum")

# Messy files, computed from their clean twins
u = umsatz.assign(m=by_grain(umsatz, "Datum", "month"))
E["umsatz.overview"] = {"kind": "overview", "rows": len(umsatz), "mentions": ["decimal comma", "day-first"]}
E["umsatz.total-by-region"] = grouped(u, "Region", "Umsatz", "sum")
E["umsatz.by-month"] = grouped(u, "m", "Umsatz", "sum", "month")
E["umsatz.only-nord"] = grouped(u[u.Region == "Nord"], "m", "Umsatz", "sum", "month")
E["umsatz.from-2025"] = grouped(u[(u.Region == "Nord") & (u.Datum.dt.year >= 2025)], "m", "Umsatz", "sum", "month")
E["umsatz.mean-menge-by-produkt"] = grouped(umsatz, "Produkt", "Menge", "mean")
E["umsatz.march-2025"] = value(umsatz[(umsatz.Datum.dt.year == 2025) & (umsatz.Datum.dt.month == 3)].Umsatz.sum())
E["umsatz.no-kunde"] = DECLINE
v = ventes
E["ventes.total-by-categorie"] = grouped(v, "catégorie", "montant", "sum")
E["ventes.by-quarter"] = grouped(v.assign(q=by_grain(v, "date", "quarter")), "q", "montant", "sum", "quarter")
E["ventes.mean-quantite"] = grouped(v, "catégorie", "quantité", "mean")
o = orders.assign(m=by_grain(orders, "Order Date", "month"))
E["orders.overview"] = {"kind": "overview", "rows": len(orders), "mentions": ["\\$"]}
E["orders.total-by-region"] = grouped(o, "Region", "Amount", "sum")
E["orders.by-month"] = grouped(o, "m", "Amount", "sum", "month")
E["orders.west-mean"] = value(o[o.Region == "West"].Amount.mean())
a = ambiguous
month_first = pd.to_datetime(a["date"].dt.strftime("%d/%m/%Y"), format="%m/%d/%Y")
E["ambiguous.overview"] = {"kind": "overview", "rows": len(a), "mentions": ["day-first", "month-first"]}
E["ambiguous.by-month"] = grouped(
    a.assign(m=month_first.dt.to_period("M").dt.start_time), "m", "amount", "sum", "month", mentions=["month-first"]
)
E["ambiguous.day-first"] = {"kind": "overview", "rows": len(a), "mentions": ["day-first"]}
E["ambiguous.by-month-day-first"] = grouped(a.assign(m=by_grain(a, "date", "month")), "m", "amount", "sum", "month")
E["workbook.overview"] = {"kind": "overview", "rows": len(sales), "mentions": ["Targets"]}
E["workbook.amount-by-region"] = grouped(sales, "Region", "Amount", "sum")
E["workbook.target-by-region"] = grouped(targets, "Region", "Target", "sum")

# The second set
w2 = pd.read_csv(vega / "weather.csv", parse_dates=["date"])
birds = pd.read_csv(vega / "birdstrikes.csv", parse_dates=["Flight Date"])
employment = pd.read_csv(vega / "us-employment.csv", parse_dates=["month"])
riots = pd.read_csv(vega / "la-riots.csv")
states = pd.read_csv(vega / "population_engineers_hurricanes.csv")
sp500 = pd.read_csv(vega / "sp500.csv")
sp500["date"] = pd.to_datetime(sp500["date"], format="%b %d %Y")
co2 = pd.read_csv(vega / "co2-concentration.csv", parse_dates=["Date"])
E["weather2.temp-by-location"] = grouped(w2, "location", "temp_max", "mean")
E["weather2.precip-by-year-location"] = frame(
    w2.assign(y=by_grain(w2, "date", "year")).groupby(["y", "location"])["precipitation"].sum().unstack("location"), "year"
)
E["weather2.sunny-seattle"] = value(int(((w2.weather == "sun") & (w2.location == "Seattle")).sum()))
ny = w2[w2.location == "New York"]
E["weather2.wind-new-york"] = grouped(ny.assign(m=by_grain(ny, "date", "month")), "m", "wind", "mean", "month")
E["weather2.percent-rainy"] = DECLINE
E["weather2.cumulative"] = DECLINE
w2m = w2.assign(m=by_grain(w2, "date", "month"))
E["weather2.chain.temp-by-month"] = grouped(w2m, "m", "temp_max", "mean", "month")
E["weather2.chain.only-seattle"] = grouped(w2m[w2m.location == "Seattle"], "m", "temp_max", "mean", "month")
E["weather2.chain.as-line"] = E["weather2.chain.only-seattle"]
E["weather2.chain.top-3"] = grouped(w2m[w2m.location == "Seattle"], "m", "temp_max", "mean", "month", top=3, order="desc")
E["birds.count-by-phase"] = grouped(birds, "Phase of flight", None, "count")
E["birds.speed-by-time-of-day"] = grouped(birds, "Time of day", "Speed IAS in knots", "mean")
E["birds.strikes-per-year"] = grouped(birds.assign(y=by_grain(birds, "Flight Date", "year")), "y", None, "count", "year")
E["birds.ambiguous-cost"] = DECLINE
E["birds.total-cost-by-size"] = grouped(birds, "Wildlife Size", "Cost Total $", "sum")
emp = employment.assign(y=by_grain(employment, "month", "year"))
E["employment.construction-by-year"] = grouped(emp, "y", "construction", "mean", "year")
E["employment.max-manufacturing"] = grouped(emp, "y", "manufacturing", "max", "year")
E["riots.age-by-gender"] = grouped(riots, "gender", "age", "mean")
E["riots.rows-by-type"] = grouped(riots, "type", None, "count")
E["states.top-5-engineers"] = grouped(states, "state", "engineers", "sum", top=5, order="desc")
E["states.corr"] = correlation(states, "population", "engineers")
E["sp500.by-year"] = grouped(sp500.assign(y=by_grain(sp500, "date", "year")), "y", "price", "mean", "year")
E["co2.by-year"] = grouped(co2.assign(y=by_grain(co2, "Date", "year")), "y", "CO2", "mean", "year")
E["co2.decade"] = DECLINE
E["cars2.weight-for-each-origin"] = grouped(cars, "Origin", "Weight_in_lbs", "mean")
E["cars2.more-than-6-cyl"] = value(int((cars.Cylinders > 6).sum()))
E["cars2.japanese-hp"] = value(cars[cars.Origin == "Japan"].Horsepower.median())
E["cars2.hist-acceleration"] = stats(cars.Acceleration)
E["cars2.mpg-not-usa"] = grouped(cars[cars.Origin != "USA"], "Cylinders", "Miles_per_Gallon", "mean")
E["cars2.per-liter"] = DECLINE
E["cars2.chain.hp-by-origin"] = grouped(cars, "Origin", "Horsepower", "mean")
E["cars2.chain.weight"] = grouped(cars, "Origin", "Weight_in_lbs", "mean")
E["cars2.chain.europe"] = grouped(cars[cars.Origin == "Europe"], "Origin", "Weight_in_lbs", "mean")
E["movies2.imdb-by-mpaa"] = grouped(m, "MPAA Rating", "IMDB Rating", "mean")
late_movies = m[m["Release Date"].dt.year >= 2000]
E["movies2.gross-by-year-2000"] = grouped(
    late_movies.assign(y=by_grain(late_movies, "Release Date", "year")), "y", "Worldwide Gross", "sum", "year"
)
E["movies2.top-3-distributors"] = grouped(m, "Distributor", None, "count", top=3, order="desc")
E["penguins2.species-on-biscoe"] = grouped(p[p.Island == "Biscoe"], "Species", None, "count")
E["penguins2.mass-island-sex"] = frame(p.groupby(["Island", "Sex"])["Body Mass (g)"].mean().unstack("Sex"))
E["penguins2.chain.mass"] = grouped(p, "Species", "Body Mass (g)", "mean")
E["penguins2.chain.by-island"] = grouped(p, "Island", "Body Mass (g)", "mean")
E["penguins2.chain.female"] = grouped(p[p.Sex == "FEMALE"], "Island", "Body Mass (g)", "mean")
E["gap2.life-2000-by-cluster"] = grouped(g[g.year == 2000], "cluster", "life_expect", "mean")
E["gap2.year-most-pop"] = grouped(g, "year", "pop", "sum", lead="desc")
E["stocks2.lowest-ibm"] = value(stocks[stocks.symbol == "IBM"].price.min())
E["stocks2.amzn-since-2005"] = value(stocks[(stocks.symbol == "AMZN") & (stocks.date.dt.year >= 2005)].price.mean())
E["stocks2.growth"] = DECLINE
E["stocks2.chain.max"] = grouped(s, "symbol", "price", "max")
E["stocks2.chain.2008"] = grouped(s[s.date.dt.year == 2008], "symbol", "price", "max")
E["stocks2.chain.pie"] = E["stocks2.chain.2008"]
E["github.weekday"] = DECLINE
E["disasters2.flood-after-1950"] = value(disasters[(disasters.Entity == "Flood") & (disasters.Year > 1950)].Deaths.sum())
E["umsatz2.german-question"] = DECLINE
E["umsatz2.by-produkt-region"] = frame(umsatz.groupby(["Produkt", "Region"])["Umsatz"].sum().unstack("Region"))
v24 = ventes[ventes.date.dt.year == 2024]
E["ventes2.monthly-2024"] = grouped(v24.assign(m=by_grain(v24, "date", "month")), "m", "montant", "mean", "month")
E["orders2.last-month"] = DECLINE
E["workbook2.sales-sheet"] = grouped(sales, "Region", "Amount", "mean")

print(json.dumps(E))
