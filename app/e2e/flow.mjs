// The holders' flow in Debian's Chromium (headless, nothing leaves the machine) against
// `lst node --app`: provide liquidity, stake 10 NEAR, instant-unstake 1 lsNEAR, unstake all,
// fast-forward past the unlock epoch, withdraw; a phone-sized screen. Prints what the screens
// showed as JSON; the Rust test (crates/cli/tests/app_browser.rs) checks it against the chain.
import { chromium } from "playwright-core";

const url = process.env.LST_URL;
const shots = process.env.LST_SHOTS;
const epochLength = Number(process.env.LST_EPOCH_LENGTH);
const browser = await chromium.launch({
  executablePath: process.env.LST_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
const errors = [];
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
page.on("pageerror", (e) => errors.push(String(e)));
// Nothing but the node: any other request fails the test.
await page.route("**/*", (route) => (route.request().url().startsWith(url) ? route.continue() : (errors.push(`blocked ${route.request().url()}`), route.abort())));

const seen = {};
const text = (selector) => page.textContent(selector).then((t) => t?.trim());
const shot = (name) => page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
const status = () => text("p[role=status]");
/** Submits and waits for the outcome line (ok or error). */
const outcome = async (action) => {
  const before = await status();
  await action();
  await page.waitForFunction((b) => {
    const line = document.querySelector("p[role=status]");
    return line && line.textContent !== b && !line.textContent.includes("waiting for your signature") && line.className !== "muted";
  }, before, { timeout: 30_000 });
  return status();
};
const rpc = async (method, params) => {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 0, method, params }) });
  return (await response.json()).result;
};

/** A contract view, as the chain answers it (the test compares the screens with these). */
const view = async (method, args) => {
  const args_base64 = Buffer.from(JSON.stringify(args)).toString("base64");
  const result = await rpc("query", { request_type: "call_function", finality: "final", account_id: "lst.near", method_name: method, args_base64 });
  return JSON.parse(Buffer.from(result.result).toString());
};
const me = { account_id: "dev-0.near" };

/** Loads the page and waits for the balances (or fails with what the page says instead). */
const load = async (go) => {
  await go();
  await page.waitForSelector("#near-balance, #app > p.error", { timeout: 60_000 });
  const failed = await page.$("#app > p.error");
  if (failed) throw new Error(`the app did not start: ${await failed.textContent()} ${JSON.stringify(errors)}`);
};

await load(() => page.goto(url));
seen.connected = { account: await page.inputValue("#account"), near: await text("#near-balance"), tokens: await text("#token-balance") };
await shot("1-connected");

// Another holder provides liquidity for instant unstakes.
await page.selectOption("#account", "dev-1.near");
await page.waitForSelector('#app[data-account="dev-1.near"]');
await page.fill("#liquidity-amount", "50");
seen.liquidity = await outcome(() => page.click("#liquidity button[type=submit]"));
await page.selectOption("#account", "dev-0.near");
await page.waitForSelector('#app[data-account="dev-0.near"]');

// A bad amount is refused in words and sends nothing.
await page.fill("#stake-amount", "1,5");
seen.bad_amount = await outcome(() => page.click("#stake button[type=submit]"));

await page.fill("#stake-amount", "10");
seen.stake = await outcome(() => page.click("#stake button[type=submit]"));
seen.stake_tx = await text("#tx-hash");
seen.chain_stake_tx = await rpc("EXPERIMENTAL_tx_status", { tx_hash: seen.stake_tx, sender_account_id: "dev-0.near", wait_until: "FINAL" });
seen.tokens_after_stake = await text("#token-balance");
seen.chain_tokens_after_stake = await view("ft_balance_of", me);
await shot("2-staked");

// The chain refuses in the contract's words, and nothing changes.
await page.fill("#unstake-amount", "100000");
seen.too_much = await outcome(() => page.click("#unstake button[type=submit]"));
seen.tokens_after_refusal = await text("#token-balance");
await page.fill("#instant-amount", "1000000");
await page.waitForFunction(() => (document.querySelector("#quote")?.textContent ?? "").startsWith("Not enough"));
seen.quote_too_big = await text("#quote");
seen.chain_pool_then = await view("get_liquidity_pool", {});

await page.fill("#instant-amount", "1");
await page.waitForFunction(() => (document.querySelector("#quote")?.textContent ?? "").startsWith("You receive"));
seen.quote = await text("#quote");
seen.instant = await outcome(() => page.click("#instant button[type=submit]"));
seen.tokens_after_instant = await text("#token-balance");
seen.chain_tokens_after_instant = await view("ft_balance_of", me);
await shot("3-instant");

seen.unstake = await outcome(() => page.click("#unstake-all"));
seen.claim_waiting = await text("#claim");
seen.chain_holder_after_unstake = await view("get_holder", me);
seen.withdraw_disabled = await page.isDisabled("#withdraw");
await shot("4-unstaked");

await rpc("sandbox_fast_forward", { delta_height: 6 * epochLength });
await load(() => page.reload());
seen.claim_ready = await text("#claim");
seen.withdraw = await outcome(() => page.click("#withdraw"));
seen.claim_after = await text("#claim");
seen.chain_holder_after_withdraw = await view("get_holder", me);
await shot("5-withdrawn");

// The protocol's figures, beside the views they come from.
seen.protocol = {
  apy: await text("#apy"),
  liquidity: await text("#liquidity-depth"),
  fee: await text("#instant-fee"),
  solvency: await text("#solvency"),
  price_range: await text("#price-range"),
  chart: await page.getAttribute("svg.chart polyline", "points"),
  rows: await page.$$eval("#validators tbody tr", (rows) => rows.map((r) => [...r.querySelectorAll("td")].map((d) => d.textContent))),
};
seen.chain_history = await view("get_price_history", {});
seen.chain_pool = await view("get_liquidity_pool", {});
seen.chain_solvency = await view("get_solvency", {});
seen.chain_validators = await view("get_validators", { from_index: 0, limit: 100 });
await page.locator("section[aria-labelledby=protocol-h]").screenshot({ path: `${shots}/6-protocol.png` });

await page.setViewportSize({ width: 375, height: 667 });
seen.phone_overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
await shot("7-phone");

// Keyboard: the stake form is reachable and usable without a mouse.
await page.focus("#stake-amount");
await page.keyboard.type("2");
await page.keyboard.press("Enter");
seen.keyboard_stake = await page.waitForFunction(() => {
  const line = document.querySelector("p[role=status]")?.textContent ?? "";
  return line.startsWith("Staked 2 NEAR") ? line : null;
}, null, { timeout: 30_000 }).then((h) => h.jsonValue());

seen.errors = errors.splice(0);

// A real network: no dev accounts, the wallets through near-wallet-selector's modal (nothing is
// signed: no wallet can reach a local chain, and no request may leave the machine).
await page.setViewportSize({ width: 1100, height: 900 });
await page.route(`${url}/app-config.json`, (route) =>
  route.fulfill({ json: { network: "testnet", contract_id: "lst.near", rpc_url: url, epoch_length: epochLength, block_time_ms: 0, dev_accounts: [] } }),
);
const scripts = [];
page.on("request", (r) => { if (r.resourceType() === "script") scripts.push(new URL(r.url()).pathname); });
await page.reload();
await page.waitForSelector("#connect");
seen.wallet_page = { hint: await text("#connect-hint"), apy: await text("#apy"), scripts: scripts.splice(0) };
await page.click("#connect");
try {
  await page.waitForSelector(".options-list .single-wallet", { timeout: 30_000 });
} catch (error) {
  // Say what the page showed instead, for the test's failure message.
  seen.wallet_failure = { error: String(error), status: await status(), body: (await page.textContent("body"))?.slice(0, 2000) };
}
seen.wallets = await page.$$eval(".options-list .single-wallet", (items) => items.map((i) => i.textContent?.trim()));
seen.wallet_scripts = scripts.splice(0);
await shot("8-wallets");
seen.wallet_errors = errors.splice(0);
await browser.close();
console.log(JSON.stringify(seen));
