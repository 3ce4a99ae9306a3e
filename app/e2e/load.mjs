// First-load time of the app on `lst node --app` in Debian's Chromium: for each of LST_RUNS
// loads, from navigation start to the holder's balances on screen, with a cold cache (a fresh
// browser context) and then warm (the same context reloaded); and the bytes of JavaScript the
// cold load transferred. Prints JSON; `cargo bench -p lst --bench app_load` reports it.
import { chromium } from "playwright-core";

const url = process.env.LST_URL;
const runs = Number(process.env.LST_RUNS ?? 10);
const browser = await chromium.launch({
  executablePath: process.env.LST_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

/** Milliseconds from navigation start until the balances are drawn. */
const loaded = async (page) => {
  await page.waitForFunction(() => document.querySelector("#near-balance") !== null, null, { polling: "raf", timeout: 60_000 });
  return page.evaluate(() => performance.now());
};

const cold = [];
const warm = [];
let scriptBytes = 0;
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "commit" });
  cold.push(await loaded(page));
  scriptBytes = await page.evaluate(() =>
    performance.getEntriesByType("resource").filter((r) => r.initiatorType === "script" || r.name.endsWith(".js")).reduce((sum, r) => sum + r.transferSize, 0),
  );
  await page.reload({ waitUntil: "commit" });
  warm.push(await loaded(page));
  await context.close();
}
await browser.close();
console.log(JSON.stringify({ cold, warm, scriptBytes }));
