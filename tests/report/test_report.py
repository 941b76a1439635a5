"""The HTML report (`clm report`, include/clm/html_report.hpp) in a real browser.

Generates the report on the bundled real data (scripts/crm_to_events.py, model
examples/data/crm-pipeline.json) and on a small generated log of the 13-stage preset
sales6 whose customer ids, managers and reasons hold HTML metacharacters; loads each page
in headless Chromium (--dump-dom, --screenshot) and checks that

* the browser reports no console message and no uncaught exception (the page has no
  script to run: any console line means a broken page, e.g. a blocked resource);
* the DOM holds the SVG charts;
* the numbers in the chart labels and data attributes equal `clm funnel --json`,
  `clm time-in-stage --json`, `clm dynamics --json`, `clm forecast --json`, `clm value --json`
  and `clm plan-actual --json` for the same date, and the embedded JSON equals
  `clm report --json`;
* user data is escaped; the screenshot is not blank.

Run by CTest with CLM_EXE (the built clm) and CLM_SOURCE_DIR set; skipped when Chromium is
not installed (scripts/install-deps.sh installs it). CLM_CHROMIUM names another browser.
"""
import csv
import datetime as dt
import html
import html.parser
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import unittest

CLM = os.environ.get("CLM_EXE", "clm")
SRC = os.environ.get("CLM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
MODEL = os.path.join(SRC, "examples", "data", "crm-pipeline.json")
AS_OF = "2017-12-31"
FROM = "2017-09-30"
CHROMIUM = os.environ.get("CLM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
SKIP = None if CHROMIUM else "chromium is not installed (scripts/install-deps.sh installs it): the browser test cannot run"

# The browser's flags: headless (the new mode of Chromium >= 112), no sandbox (CI runs as
# root), nothing that reaches the network, a fresh profile each run, console to stderr.
BROWSER_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
                 "--enable-logging=stderr", "--v=0"]


def run(*args):
    p = subprocess.run([CLM, *args], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError(f"clm {' '.join(args)} exited {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}")
    return p.stdout


def browser(tmp, url, *extra):
    """Runs headless Chromium on `url` with a fresh profile; returns (stdout, stderr)."""
    profile = tempfile.mkdtemp(prefix="profile-", dir=tmp)
    p = subprocess.run([CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}", *extra, url],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"chromium exited {p.returncode}\nstderr: {p.stderr[-3000:]}")
    return p.stdout, p.stderr


def console_problems(stderr):
    """The console lines of the browser's log: Chromium logs every console message of the
    page (console.log, console.error, CSP violations, failed loads) and every uncaught
    exception as `...:INFO:CONSOLE...] "message", source: URL (LINE)`, all at the same
    log level, so any of them counts: the report runs no script."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], ""

    def cls(self):
        return self.attrs.get("class", "").split()

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()

    def all_text(self):
        return self.text + "".join(c.all_text() for c in self.children)

    def find(self, pred):
        return [e for e in self.iter() if pred(e)]


VOID = {"meta", "link", "br", "img", "input", "hr", "col", "source", "wbr", "area", "base", "embed", "param", "track"}


class DomParser(html.parser.HTMLParser):
    """A small DOM of the browser's serialised DOM (stdlib only)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        e = Element(tag, attrs, self.cur)
        self.cur.children.append(e)
        if tag not in VOID:
            self.cur = e

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Element(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        e = self.cur
        while e is not self.root and e.tag != tag:
            e = e.parent
        if e is not self.root:
            self.cur = e.parent

    def handle_data(self, data):
        self.cur.text += data


def parse_dom(text):
    p = DomParser()
    p.feed(text)
    p.close()
    return p.root


def number(label):
    """A label's number: "8,300" -> 8300, "63.15%" -> 63.15, "51.8 d" -> 51.8."""
    m = re.search(r"-?[\d,]+(?:\.\d+)?", label)
    if not m:
        raise AssertionError(f"no number in label {label!r}")
    return float(m.group(0).replace(",", ""))


def attr_number(v):
    return None if v == "" else json.loads(v)


# ---- a small sales6 log with hostile text -----------------------------------------------

NASTY_ID = "<b>X&Y</b>\"'"
NASTY_MANAGER = "O'Brien <script>alert(1)</script>"


def sales6_log(path, customers=160, seed=7):
    """Writes an event log for preset sales6 (13 stages): random walks along its
    transitions in 2024, with the checklist items its guards require, loss reasons, one
    customer and one manager with HTML metacharacters in their names. Returns the model."""
    model = json.loads(run("show", "sales6", "--format", "json"))
    rng = random.Random(seed)
    items = set()
    for s in model["stages"]:
        items.update(s.get("requirements", []))
    for t in model["transitions"]:
        for g in t.get("guards", []):
            items.update(g.get("items", []))
    out = {}
    for t in model["transitions"]:
        out.setdefault(t["from"], []).append(t)
    weight = {"advance": 8, "close": 8, "resolve": 6, "retry": 3, "resubmit": 5, "invoice_balance": 4,
              "revise": 2, "pay_part": 2, "complain": 1, "refuse": 1, "lose": 1.5, "refund": 0.5}
    managers = ["Ann Lee", "Bo Ruiz", NASTY_MANAGER, "Dana Kim"]
    rows = []
    for c in range(customers):
        cid = NASTY_ID if c == 5 else f"S{c:04d}"
        mgr = managers[c % len(managers)]
        t = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 300))
        rows.append([cid, t.isoformat(), "manager", mgr, "", "", "", "", "", "", ""])
        for item in sorted(items):
            rows.append([cid, t.isoformat(), "check", item, "", "", "", "", "", "", ""])
        stage = "presentation"
        rows.append([cid, t.isoformat(), "stage", stage, "sales6", "", mgr, "", "", "", ""])
        for _ in range(rng.randrange(0, 14)):
            choices = out.get(stage, [])
            if not choices:
                break
            tr = rng.choices(choices, [weight.get(x["event"], 1) for x in choices])[0]
            t += dt.timedelta(days=rng.randrange(1, 30))
            if t > dt.date(2024, 12, 31):
                break
            reason = rng.choice(tr["reasons"]) if tr.get("reasons") else ""
            rows.append([cid, t.isoformat(), "stage", tr["to"], "sales6", "", mgr, "", reason, "", ""])
            rows.append([cid, t.isoformat(), "contact", "reached", "", "phone", mgr, "", "", "", ""])
            stage = tr["to"]
            if stage == "won":
                rows.append([cid, t.isoformat(), "purchase", "service", "", "", mgr,
                             f"{rng.randrange(500, 5000)}.{rng.randrange(0, 100):02d}", "", "", ""])
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer_id", "timestamp", "type", "value", "model", "channel", "manager", "amount", "reason",
                    "due", "note"])
        w.writerows(rows)
    return model


@unittest.skipIf(SKIP, SKIP)
class ReportInBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="clm-report-")
        cls.events = os.path.join(cls.tmp, "events.csv")
        subprocess.run(["python3", os.path.join(SRC, "scripts", "crm_to_events.py"), "-o", cls.events], check=True,
                       timeout=120)
        cls.plan_file = os.path.join(cls.tmp, "plan.json")
        with open(cls.plan_file, "w") as f:
            json.dump({"from": "2017-10-01", "to": "2017-12-31", "threshold": 0.1,
                       "managers": {"Darcel Schlecht": {"active_customers": 60, "new_customers": 100,
                                                        "prospects_contacted": 20, "products_sold": 100,
                                                        "contacts": 300},
                                    "Vicki Laflamme": {"new_customers": 50, "products_sold": 55}}}, f)
        cls.common = ["--model", MODEL, "--events", cls.events, "--as-of", AS_OF]
        cls.report = os.path.join(cls.tmp, "report.html")
        out = run("report", *cls.common, "--from", FROM, "--plan", cls.plan_file, "--policy", "seeds",
                  "--html", cls.report)
        assert out.strip() == cls.report, out
        with open(cls.report, encoding="utf-8") as f:
            cls.source = f.read()
        cls.data = json.loads(run("report", *cls.common, "--from", FROM, "--plan", cls.plan_file, "--policy", "seeds",
                                  "--json"))
        dom, cls.stderr = browser(cls.tmp, "file://" + cls.report, "--dump-dom")
        cls.dom = parse_dom(dom)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def analysis(self, command, *extra):
        return json.loads(run(command, "--model", MODEL, "--events", self.events, "--json", *extra))

    def by_class(self, name):
        return self.dom.find(lambda e: name in e.cls())

    def label(self, group, cls):
        found = group.find(lambda e: e.tag == "text" and cls in e.cls())
        self.assertEqual(len(found), 1, f"one <text class={cls}> in {group.attrs}")
        return found[0].all_text()

    # ---- the browser's view -------------------------------------------------------

    def test_console_detector_catches_a_planted_error(self):
        bad = os.path.join(self.tmp, "bad.html")
        with open(bad, "w") as f:
            f.write('<!DOCTYPE html><html><body><script>console.error("planted console error");'
                    'throw new Error("planted uncaught");</script></body></html>')
        _, stderr = browser(self.tmp, "file://" + bad, "--dump-dom")
        problems = "\n".join(console_problems(stderr))
        self.assertIn("planted console error", problems)
        self.assertIn("Uncaught Error: planted uncaught", problems)

    def test_no_console_errors(self):
        self.assertEqual(console_problems(self.stderr), [])

    def test_self_contained(self):
        # No script to run, nothing fetched: every URL is the SVG namespace or a fragment.
        self.assertEqual(re.findall(r"<script(?![^>]*application/json)", self.source), [])
        for url in re.findall(r"(?:https?:|//)[^\s\"'<>)]*", self.source):
            self.assertEqual(url, "http://www.w3.org/2000/svg")
        self.assertNotRegex(self.source, r"(?i)<(?:link|img|iframe|object|embed)\b")
        self.assertNotRegex(self.source, r"url\((?!#)")
        self.assertIn("Content-Security-Policy", self.source)

    def test_svg_charts_present(self):
        charts = {c for e in self.dom.find(lambda e: e.tag == "svg" and "chart" in e.cls()) for c in e.cls()}
        for chart in ["diagram", "funnel", "conversion", "time", "progress", "matrix", "forecast", "calibration", "shares",
                      "revenue"]:
            self.assertIn(chart, charts)
        nodes = self.by_class("stage-node")
        self.assertEqual([n.attrs["data-stage"] for n in nodes], ["prospecting", "engaging", "won", "lost"])
        self.assertEqual(len(self.dom.find(lambda e: e.tag == "path" and "edge" in e.cls())), 4)

    def test_title_and_sections(self):
        title = self.dom.find(lambda e: e.tag == "title" and e.parent.tag == "head")[0].all_text()
        self.assertIn("CRM sales pipeline", title)
        self.assertIn(AS_OF, title)
        ids = {e.attrs.get("id") for e in self.dom.find(lambda e: e.tag == "section")}
        self.assertEqual(ids, {"lifecycle", "funnel", "time", "dynamics", "plan", "forecast", "value", "recommendations"})

    # ---- the figures --------------------------------------------------------------

    def test_embedded_json_is_the_analyses(self):
        script = self.dom.find(lambda e: e.tag == "script" and e.attrs.get("id") == "clm-data")
        self.assertEqual(len(script), 1)
        self.assertEqual(script[0].attrs.get("type"), "application/json")
        embedded = json.loads(script[0].all_text())
        self.assertEqual(embedded, self.data)
        self.assertEqual(embedded["funnel"], self.analysis("funnel", "--as-of", AS_OF))
        self.assertEqual(embedded["loss_reasons"], self.analysis("funnel", "--as-of", AS_OF, "--reasons"))
        self.assertEqual(embedded["time_in_stage"], self.analysis("time-in-stage", "--as-of", AS_OF))
        self.assertEqual(embedded["dynamics"], self.analysis("dynamics", "--from", FROM, "--to", AS_OF))
        self.assertEqual(embedded["plan_actual"], self.analysis("plan-actual", "--plan", self.plan_file))
        self.assertEqual(embedded["value"], self.analysis("value", "--as-of", AS_OF))
        self.assertEqual(embedded["forecast"], self.analysis("forecast", "--as-of", AS_OF))
        self.assertEqual(embedded["backtest"], self.analysis("backtest", "--as-of", FROM, "--until", AS_OF))
        recs = self.analysis("recommend", "--as-of", AS_OF, "--policy", "seeds", "--limit", "10")
        self.assertEqual(embedded["recommendations"], recs)

    def test_key_figures(self):
        tiles = {t.attrs["data-kpi"]: t for t in self.by_class("tile")}
        for key, want, shown in [("won", 4238, "4,238"), ("lost", 2473, "2,473"), ("customers", 8800, "8,800")]:
            self.assertEqual(attr_number(tiles[key].attrs["data-value"]), want)
            self.assertEqual(tiles[key].find(lambda e: "tile-v" in e.cls())[0].all_text(), shown)
        self.assertAlmostEqual(attr_number(tiles["win-rate"].attrs["data-value"]), 4238 / 6711)
        self.assertEqual(tiles["win-rate"].find(lambda e: "tile-v" in e.cls())[0].all_text(), "63.15%")

    def test_funnel(self):
        want = self.analysis("funnel", "--as-of", AS_OF)
        self.assertEqual((want["won"], want["lost"]), (4238, 2473))
        groups = {g.attrs["data-stage"]: g for g in self.by_class("funnel-stage")}
        self.assertEqual(list(groups), [s["id"] for s in want["stages"]])
        for s in want["stages"]:
            g = groups[s["id"]]
            for key, attr, cls in [("entered", "data-entered", "v-entered"), ("current", "data-current", "v-current"),
                                   ("lost_from", "data-lost-from", "v-lost")]:
                self.assertEqual(attr_number(g.attrs[attr]), s[key], (s["id"], key))
                self.assertEqual(number(self.label(g, cls)), s[key], (s["id"], key))
        self.assertEqual(number(self.label(groups["engaging"], "v-entered")), 8300)
        steps = self.by_class("conv-step")
        self.assertEqual(len(steps), len(want["conversion"]))
        for g, c in zip(steps, want["conversion"]):
            self.assertEqual((g.attrs["data-from"], g.attrs["data-to"]), (c["from"], c["to"]))
            self.assertEqual(attr_number(g.attrs["data-rate"]), c["rate"])
            self.assertEqual(self.label(g, "rate"), f"{c['rate'] * 100:.2f}%")

    def test_time_in_stage(self):
        want = {s["id"]: s for s in self.analysis("time-in-stage", "--as-of", AS_OF)["stages"]}
        groups = {g.attrs["data-stage"]: g for g in self.by_class("tis-stage")}
        self.assertEqual(set(groups), set(want))
        eng = groups["engaging"]
        self.assertEqual(attr_number(eng.attrs["data-median-days"]), 45)
        self.assertEqual(self.label(eng, "v-median"), "45")
        for sid, s in want.items():
            g = groups[sid]
            for key, attr, cls in [("median_days", "data-median-days", "v-median"), ("mean_days", "data-mean-days", "v-mean"),
                                   ("p90_days", "data-p90-days", "v-p90")]:
                self.assertEqual(attr_number(g.attrs[attr]), s[key])
                if s[key] is not None:
                    self.assertAlmostEqual(number(self.label(g, cls)), s[key], delta=0.05)
            self.assertEqual(attr_number(g.attrs["data-stuck"]), len(s["stuck"]))
            self.assertEqual(number(self.label(g, "v-stuck")), len(s["stuck"]))
            self.assertEqual(number(self.label(g, "v-open")), s["open_stays"])
        self.assertEqual(attr_number(eng.attrs["data-stuck"]), 1479)

    def test_dynamics(self):
        want = self.analysis("dynamics", "--from", FROM, "--to", AS_OF)
        bars = {g.attrs["data-progress"]: g for g in self.by_class("dyn-progress")}
        for key, value in want["totals"].items():
            self.assertEqual(attr_number(bars[key].attrs["data-count"]), value)
            self.assertEqual(number(self.label(bars[key], "v")), value)
        cells = {(g.attrs["data-from"], g.attrs["data-to"]): g for g in self.by_class("dyn-cell")}
        n = 0
        for row in want["matrix"]:
            for to, value in row["to"].items():
                g = cells[(row["from"], to)]
                self.assertEqual(attr_number(g.attrs["data-count"]), value)
                self.assertEqual(number(self.label(g, "cell")), value)
                n += 1
        self.assertEqual(len(cells), n)
        managers = {r.attrs["data-manager"]: r for r in self.by_class("manager")}
        self.assertEqual(set(managers), {m["manager"] for m in want["managers"]})

    def test_plan_actual(self):
        want = self.analysis("plan-actual", "--plan", self.plan_file)
        cells = {(c.attrs["data-manager"], c.attrs["data-indicator"]): c for c in self.by_class("pa")}
        flagged = 0
        for m in want["managers"]:
            for name, ind in m["indicators"].items():
                c = cells[(m["manager"], name)]
                self.assertEqual(attr_number(c.attrs["data-plan"]), ind["plan"])
                self.assertEqual(attr_number(c.attrs["data-actual"]), ind["actual"])
                self.assertEqual(attr_number(c.attrs["data-deviation"]), ind["deviation"])
                self.assertEqual(c.attrs["data-flagged"], "true" if ind["flagged"] else "false")
                self.assertEqual("flag" in c.cls(), ind["flagged"])
                if ind["deviation"] is not None:
                    self.assertAlmostEqual(number(c.all_text()), ind["deviation"] * 100, delta=0.051)
                flagged += ind["flagged"]
        self.assertGreater(flagged, 0)

    def test_forecast(self):
        want = self.analysis("forecast", "--as-of", AS_OF)
        groups = {g.attrs["data-stage"]: g for g in self.by_class("fc-stage")}
        open_stages = [s for s in want["stages"] if s["source"] != "absorbing"]
        self.assertEqual(list(groups), [s["id"] for s in open_stages])
        for s in open_stages:
            g = groups[s["id"]]
            self.assertEqual(attr_number(g.attrs["data-p-win"]), s["p_win"])
            self.assertEqual(self.label(g, "v-pwin"), f"{s['p_win'] * 100:.2f}%")
            self.assertEqual(attr_number(g.attrs["data-expected-days"]), s["expected_days_to_win"])
            self.assertAlmostEqual(number(self.label(g, "v-days")), s["expected_days_to_win"], delta=0.05)
        self.assertEqual(self.label(groups["engaging"], "v-pwin"), "63.15%")
        tiles = {t.attrs["data-kpi"]: t for t in self.by_class("tile")}
        self.assertEqual(attr_number(tiles["fc-revenue"].attrs["data-value"]), want["pipeline"]["expected_revenue"])
        self.assertEqual(tiles["fc-revenue"].find(lambda e: "tile-v" in e.cls())[0].all_text(),
                         f"{want['pipeline']['expected_revenue']:,.2f}")

    def test_backtest_calibration(self):
        want = self.analysis("backtest", "--as-of", FROM, "--until", AS_OF)
        for key, cls in [("per_deal", "cal-per_deal"), ("stage_only", "cal-stage_only")]:
            points = self.by_class(cls)
            bins = [b for b in want[key]["calibration"] if b["count"]]
            self.assertEqual(len(points), len(bins))
            for g, b in zip(points, bins):
                self.assertEqual(attr_number(g.attrs["data-count"]), b["count"])
                self.assertEqual(attr_number(g.attrs["data-predicted"]), b["predicted"])
                self.assertEqual(attr_number(g.attrs["data-observed"]), b["observed"])
            self.assertEqual(sum(attr_number(g.attrs["data-count"]) for g in points), want["closed"])
        tiles = {t.attrs["data-kpi"]: t for t in self.by_class("tile")}
        self.assertEqual(attr_number(tiles["bt-auc"].attrs["data-value"]), want["per_deal"]["auc"])
        self.assertEqual(attr_number(tiles["bt-brier-stage"].attrs["data-value"]), want["stage_only"]["brier"])

    def test_customer_value(self):
        want = self.analysis("value", "--as-of", AS_OF)
        shares = {g.attrs["data-share"]: g for g in self.by_class("share")}
        for key, value in [("pareto_share_of_all", want["pareto"]["share_of_all"]),
                           ("pareto_revenue_share", want["pareto"]["revenue_share"]),
                           ("repeat_share", want["repeat"]["share"])]:
            self.assertEqual(attr_number(shares[key].attrs["data-value"]), value)
            self.assertEqual(self.label(shares[key], "v"), f"{value * 100:.2f}%")
        tiles = {t.attrs["data-kpi"]: t for t in self.by_class("tile")}
        self.assertEqual(attr_number(tiles["pareto-customers"].attrs["data-value"]), want["pareto"]["customers"])

    def test_recommendations(self):
        recs = self.analysis("recommend", "--as-of", AS_OF, "--policy", "seeds", "--limit", "10")["recommendations"]
        rows = self.by_class("rec")
        self.assertEqual([r.attrs["data-customer"] for r in rows], [r["customer_id"] for r in recs])

    def test_screenshot(self):
        png = os.path.join(self.tmp, "report.png")
        browser(self.tmp, "file://" + self.report, f"--screenshot={png}", "--window-size=1280,2400")
        with open(png, "rb") as f:
            head = f.read(8)
        self.assertEqual(head, b"\x89PNG\r\n\x1a\n")
        self.assertGreater(os.path.getsize(png), 10_000)

    # ---- 13 stages and hostile text ------------------------------------------------

    def test_sales6_escaped(self):
        events = os.path.join(self.tmp, "sales6.csv")
        sales6_log(events)
        out = os.path.join(self.tmp, "sales6.html")
        run("report", "--model", "sales6", "--events", events, "--as-of", "2024-12-31", "--html", out)
        with open(out, encoding="utf-8") as f:
            source = f.read()
        for nasty in (NASTY_ID, NASTY_MANAGER, "<script>alert"):
            self.assertNotIn(nasty, source)
        self.assertIn(html.escape(NASTY_MANAGER, quote=True).replace("&#x27;", "&#39;"), source)
        dom_text, stderr = browser(self.tmp, "file://" + out, "--dump-dom")
        self.assertEqual(console_problems(stderr), [])
        dom = parse_dom(dom_text)
        self.assertEqual(len(dom.find(lambda e: "stage-node" in e.cls())), 13)
        page_text = dom.all_text()
        self.assertIn(NASTY_MANAGER, page_text)  # shown as text, not run
        data = json.loads(dom.find(lambda e: e.attrs.get("id") == "clm-data")[0].all_text())
        self.assertEqual(data["funnel"], json.loads(run("funnel", "--model", "sales6", "--events", events,
                                                        "--as-of", "2024-12-31", "--json")))
        cells = dom.find(lambda e: "dyn-cell" in e.cls())
        self.assertEqual(len(cells), 14 * 13)


if __name__ == "__main__":
    unittest.main()
