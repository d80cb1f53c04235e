// The pictures and pages sandtrap makes, in a real browser (Debian's Chromium, driven by
// playwright-core, offline): the HTML report, the documentation site, and every Mermaid diagram
// rendered by the real Mermaid library. Run by scripts/test-browser.sh, which prepares WORK:
//   report.html, map.json        the report and the map of the bundled example
//   site/                        the documentation site (`sandtrap debug site`)
//   diagrams/*.mmd               Mermaid diagrams to render (the example, a 50-stack app, the
//                                blocks of the Markdown report)
//   summary.html                 the Markdown report rendered by cmark-gfm
// Screenshots go to WORK/screenshots; with UPDATE=1 the pictures in REPO/docs/images are rewritten.
// The script runs from WORK (copied there), so `playwright-core` resolves from WORK/node_modules.
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const work = process.argv[2];
const repo = process.env.REPO;
const shots = path.join(work, "screenshots");
fs.mkdirSync(shots, { recursive: true });
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "  ok  " : "  FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
// Offline: nothing leaves the machine. The documentation site's published address is served
// from the site just built, so a link sandtrap emits opens the page the release publishes.
// DOCS_URL: the site's address (scripts/test-browser.sh derives it from Cargo.toml's repository).
const docsUrl = process.env.DOCS_URL;
if (!docsUrl) throw new Error("DOCS_URL is not set");
const site = path.join(work, "site");
const requested = [];
await context.route("**/*", (route) => {
  const url = route.request().url();
  if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
  if (url.startsWith(docsUrl)) {
    let rel = url.slice(docsUrl.length).split(/[?#]/)[0];
    if (rel === "" || rel.endsWith("/")) rel += "index.html";
    else if (!path.extname(rel)) rel += "/index.html";
    const file = path.join(site, rel);
    if (fs.existsSync(file)) return route.fulfill({ path: file });
    requested.push(`missing page ${url}`);
    return route.fulfill({ status: 404, body: "not in the built site" });
  }
  requested.push(url);
  return route.abort();
});

const page = await context.newPage();
const errors = [];
page.on("pageerror", (err) => errors.push(String(err)));
page.on("console", (msg) => { if (msg.type() === "error") errors.push(msg.text()); });

// --- the HTML report -------------------------------------------------------------------------
console.log("== the HTML report");
const map = JSON.parse(fs.readFileSync(path.join(work, "map.json"), "utf8"));
const senders = map.accounts.flatMap((a) => a.regions).reduce((n, r) => n + r.senders.length, 0);
await page.goto(pathToFileURL(path.join(work, "report.html")).href);
const drawn = await page.locator("svg.map g.node.sender").count();
check(drawn === senders && senders > 0, `the map is drawn: ${drawn} sender nodes for ${senders} senders`);
const box = await page.locator("svg.map").boundingBox();
check(box && box.width > 200 && box.height > 50, `the map has a size (${box && Math.round(box.width)}×${box && Math.round(box.height)})`);
await page.screenshot({ path: path.join(shots, "report.png"), fullPage: true });
const total = await page.locator("article.finding").count();
await page.locator('input[name=severity][value=error]').uncheck();
const visibleAfter = await page.locator("article.finding:visible").count();
const errorsTotal = await page.locator('article.finding[data-severity=error]').count();
check(errorsTotal > 0 && visibleAfter === total - errorsTotal, `unchecking "error" hides the ${errorsTotal} error findings (${visibleAfter} of ${total} left)`);
check((await page.locator(".shown").textContent()).startsWith(`${visibleAfter} of ${total}`), "the filter says how many are shown");
await page.locator('input[name=severity][value=error]').check();
const code = await page.locator("article.finding").first().getAttribute("data-code");
await page.locator(`input[name=code][value=${code}]`).uncheck();
check(await page.locator(`article.finding[data-code=${code}]:visible`).count() === 0, `unchecking ${code} hides its findings`);
await page.locator(`input[name=code][value=${code}]`).check();
await page.locator("button.doc").first().click();
check(await page.locator(`dialog#doc-${code}[open]`).count() === 1, `the embedded documentation of ${code} opens`);
await page.keyboard.press("Escape");
await page.locator("a.rule").first().click();
await page.waitForLoadState();
const ruleTitle = await page.title();
check(ruleTitle.startsWith(`${code} `), `the rule link opens its page on the documentation site ("${ruleTitle}")`);
await page.screenshot({ path: path.join(shots, "rule-page.png"), fullPage: false });

// --- the documentation site --------------------------------------------------------------------
console.log("== the documentation site");
await page.goto(pathToFileURL(path.join(site, "index.html")).href);
const rows = await page.locator("table.rules tbody tr").count();
check(rows >= 20, `the home page lists the rules (${rows})`);
await page.fill("#search", "sandbox region");
const hits = await page.locator("#search-results li a").count();
check(hits > 0, `searching "sandbox region" finds pages (${hits})`);
await page.screenshot({ path: path.join(shots, "site-search.png") });
await page.fill("#search", "ST209");
await page.press("#search", "Enter");
await page.waitForLoadState();
check((await page.title()).startsWith("ST209 "), `Enter opens the first hit ("${await page.title()}")`);
for (const rule of fs.readdirSync(path.join(site, "rules")).filter((d) => d.startsWith("ST"))) {
  await page.goto(pathToFileURL(path.join(site, "rules", rule, "index.html")).href);
  const sections = await page.locator("main h2").allTextContents();
  for (const want of ["What it does", "Why is this bad?", "Example", "Use instead", "References"]) {
    if (!sections.includes(want)) check(false, `${rule}: no section "${want}"`);
  }
}
check(true, "every rule page has its five sections");

// --- Mermaid -----------------------------------------------------------------------------------
console.log("== Mermaid (the real library, in Chromium)");
const mermaidJs = path.join(work, "node_modules", "mermaid", "dist", "mermaid.min.js");
await page.goto(pathToFileURL(path.join(work, "blank.html")).href);
await page.addScriptTag({ path: mermaidJs });
await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", flowchart: { htmlLabels: false } }));
const diagrams = fs.readdirSync(path.join(work, "diagrams")).filter((f) => f.endsWith(".mmd")).sort();
for (const [index, name] of diagrams.entries()) {
  const text = fs.readFileSync(path.join(work, "diagrams", name), "utf8");
  const result = await page.evaluate(async ({ text, id }) => {
    try {
      const { svg } = await window.mermaid.render(id, text);
      document.body.innerHTML = svg;
      return { svg, nodes: document.querySelectorAll("g.node").length, clusters: document.querySelectorAll("g.cluster").length };
    } catch (err) {
      return { error: String(err && err.message || err) };
    }
  }, { text, id: `diagram${index}` });
  const expected = (text.match(/^\s+[sic]\d+\[/gm) || []).length;
  check(!result.error && result.nodes === expected, `${name}: renders, ${result.nodes} nodes of ${expected}${result.error ? ` (${result.error})` : ""}`);
  if (!result.error) {
    await page.locator("svg").first().screenshot({ path: path.join(shots, name.replace(/\.mmd$/, ".png")) });
  }
}

// --- the Markdown report as GitHub renders it ---------------------------------------------------
console.log("== the Markdown report (cmark-gfm)");
await page.goto(pathToFileURL(path.join(work, "summary.html")).href);
check(await page.locator("table").count() >= 2, "the job summary's tables render as tables");
const findingRows = await page.locator("table").nth(1).locator("tbody tr").count();
check(findingRows === total, `the findings table has one row per finding (${findingRows} of ${total})`);
check(await page.locator('pre[lang="mermaid"], code.language-mermaid').count() === 1, "the map is a fenced mermaid block");

check(errors.length === 0, `no script error (${errors.join("; ")})`);
check(requested.length === 0, `nothing requested from the network (${requested.join(", ")})`);
await browser.close();

if (process.env.UPDATE === "1") {
  fs.copyFileSync(path.join(shots, "map-example.png"), path.join(repo, "docs", "images", "map-example.png"));
  for (const name of ["report.png", "site-search.png"]) {
    fs.copyFileSync(path.join(shots, name), path.join(repo, "docs", "images", name));
  }
  console.log("updated docs/images");
}
if (failures.length) {
  console.error(`test-browser: ${failures.length} check(s) failed`);
  process.exit(1);
}
console.log(`test-browser: all checks passed; screenshots in ${shots}`);
