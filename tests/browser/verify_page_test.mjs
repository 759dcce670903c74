// Browser tests of the verification page (web/verify.html) in Debian's Chromium, driven by
// playwright-core, against a real local network (run.sh starts it and runs the worked example).
// Prints "N passed, M failed" and exits non-zero on any failure. Screenshots go to $MBL_ARTIFACTS.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const node = process.env.MBL_NODE_URL;            // one node of the network
const otherNode = process.env.MBL_OTHER_NODE_URL;  // another node of it
const code = process.env.MBL_EXIT_CODE;           // a worked-example exit: quantities not disclosed
const disclosedCode = process.env.MBL_DISCLOSED_CODE;  // an exit whose author disclosed quantities
const chainId = process.env.MBL_CHAIN_ID;
const mbl = process.env.MBL_CLI;                  // the mbl binary, for the case-by-case comparison
const root = process.env.MBL_SOURCE_DIR;
const artifacts = process.env.MBL_ARTIFACTS;
fs.mkdirSync(artifacts, { recursive: true });
const vectorDir = path.join(root, "tests/vectors/exit");
const readVector = file => JSON.parse(fs.readFileSync(path.join(vectorDir, file), "utf8"));
const STORAGE_KEY = "mbl.verify-checkpoint.v1";

let passed = 0, failed = 0;
function check(name, ok, detail = "") {
  if (ok) { passed++; console.log(`  ok    ${name}`); }
  else { failed++; console.log(`  FAIL  ${name} ${detail}`); }
}

const browser = await chromium.launch({
  executablePath: process.env.MBL_CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
try {
  const page = await browser.newPage();
  const result = () => page.locator("#result");
  // Polls through locators, not page functions: the served page's Content-Security-Policy forbids
  // the eval that page.waitForFunction may use.
  async function waitForVerdict() {
    for (let i = 0; i < 400; i++) {
      const kind = await result().getAttribute("class");
      const text = await result().innerText();
      const settled = (await result().getAttribute("class")) === kind && (await result().innerText()) === text;
      if (settled && ["verified", "failed", "info"].includes(kind) && !text.startsWith("Checking")) return { kind, text };
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    throw new Error("no verdict on the page within 20 s");
  }
  async function visit(url, screenshot) {
    await page.goto(url);
    const verdict = await waitForVerdict();
    if (screenshot) await page.screenshot({ path: path.join(artifacts, screenshot), fullPage: true });
    return verdict;
  }
  const stored = () => page.evaluate(key => localStorage.getItem(key), STORAGE_KEY);
  const store = value => page.evaluate(([key, v]) => localStorage.setItem(key, v), [STORAGE_KEY, value]);
  const physical = /contains recycled|physically contains|is made of recycled/i;

  // 1. A valid code, from the node's own page, nothing pinned: trusted on first use, said loudly.
  let verdict = await visit(`${node}/verify?code=${code}`, "01-verified-first-use.png");
  check("a valid code shows verified", verdict.kind === "verified" && verdict.text.includes("Verified"), verdict.text);
  check("it says what was verified, in plain language",
        verdict.text.includes("Cu 8.0 MIX") && verdict.text.includes("part or component") &&
        verdict.text.includes("cannot be guaranteed to be physically present") &&
        verdict.text.includes("Nordic Certification AB (cb)") && verdict.text.includes("2026"), verdict.text);
  check("an exit without disclosed quantities shows none, and says its record is withheld",
        !verdict.text.includes("Credits retired") && verdict.text.includes("withheld"), verdict.text);
  check("the first use of an unpinned ledger is said loudly",
        verdict.text.includes("not pinned") && verdict.text.includes("first claim"), verdict.text);
  check("nothing claims physical content", !physical.test(verdict.text));
  const cold = /checked in (\d+) ms/.exec(verdict.text);
  console.log(`  info  first verification on a fresh page (keys imported, fetch excluded): ${cold ? cold[1] : "?"} ms`);
  const first = JSON.parse(await stored() || "null");
  check("the browser keeps the chain's validator set, height and block",
        first && first.trusted_chain === chainId && first.chains[chainId] &&
        first.chains[chainId].validators.length === 4 && first.chains[chainId].height > 0 &&
        /^[0-9a-f]{64}$/.test(first.chains[chainId].block_id), JSON.stringify(first));

  // 2. An exit whose author disclosed its quantities: the record itself is checked and named.
  verdict = await visit(`${node}/verify?code=${disclosedCode}`, "02-verified-record.png");
  check("a disclosed exit shows its signed record's author and its quantities",
        verdict.kind === "verified" && verdict.text.includes("Computer Brand Inc (brand)") &&
        verdict.text.includes("Credits retired") && verdict.text.includes("Cu RE MIX"), verdict.text);
  check("the second time the ledger is the one trusted on first use",
        verdict.text.includes("trusted the first time"), verdict.text);
  check("no upstream company is named on the page",
        !/smelter|wire ?maker/i.test(verdict.text), verdict.text);

  // 3. Pinned by the QR link's ?chain=.
  verdict = await visit(`${node}/verify?chain=${chainId}&code=${code}`, "03-verified-pinned.png");
  check("a link with ?chain= pins the ledger", verdict.kind === "verified" &&
        verdict.text.includes("the link pinned") && !verdict.text.includes("not pinned"), verdict.text);

  // 4. The same code, typed in, with the node's answer tampered with on the way.
  await page.route("**/v1/exit/**", async route => {
    const response = await route.fetch();
    const body = await response.json();
    const leaf = body.proof.result.leaf;
    body.proof.result.leaf = leaf.replace(/6c6170746f7073/, "7365727665727320");  // "laptops" -> "servers "
    if (body.proof.result.leaf === leaf) body.proof.result.leaf = leaf.slice(0, -2) + "00";
    await route.fulfill({ response, json: body });
  });
  await page.goto(`${node}/verify`);
  await page.fill("#code", code.toLowerCase());
  await page.click("#check");
  verdict = await waitForVerdict();
  await page.screenshot({ path: path.join(artifacts, "04-tampered.png"), fullPage: true });
  check("a tampered bundle shows NOT verified", verdict.kind === "failed" && verdict.text.includes("NOT verified"), verdict.text);
  await page.unroute("**/v1/exit/**");

  // 5. An unknown code, and a malformed one.
  verdict = await visit(`${node}/verify?code=MBL-0000-0000-0000`, "05-unknown.png");
  check("an unknown code gets a clear message", verdict.kind === "info" && verdict.text.includes("Unknown code"), verdict.text);
  verdict = await visit(`${node}/verify?code=HELLO`);
  check("a malformed code says what a code looks like", verdict.kind === "failed" && verdict.text.includes("MBL-"), verdict.text);

  // 6. The checkpoint kept in localStorage: a node behind it, or another block at its height.
  const good = await stored();
  const kept = JSON.parse(good);
  const entry = kept.chains[chainId];
  await store(JSON.stringify({ ...kept, chains: { ...kept.chains, [chainId]: { ...entry, height: entry.height + 1000 } } }));
  const rolledBack = await stored();
  verdict = await visit(`${node}/verify?code=${code}`, "06-rollback.png");
  check("a node below the kept checkpoint is refused (rollback)", verdict.kind === "failed" && verdict.text.includes("[rollback]"), verdict.text);
  check("a refused bundle leaves the kept checkpoint as it was", (await stored()) === rolledBack);
  await store(JSON.stringify({ ...kept, chains: { ...kept.chains, [chainId]: { ...entry, height: 3, block_id: "ab".repeat(32) } } }));
  verdict = await visit(`${node}/verify?code=${code}`, "07-fork.png");
  check("a node with another block at the kept height is refused (fork)", verdict.kind === "failed" && verdict.text.includes("[fork]"), verdict.text);
  await store(good);

  // 7. Another ledger's bundle never overwrites this ledger's checkpoint.
  const single = readVector("03-valid-single-validator.json").bundle;
  await page.route("**/v1/exit/**", route => route.fulfill({ json: { proof: single } }));
  verdict = await visit(`${node}/verify?code=${single.exit_code}`, "08-other-ledger-unpinned.png");
  check("nothing pinned, a bundle of another ledger than the trusted one is refused",
        verdict.kind === "failed" && verdict.text.includes("[wrong-genesis]"), verdict.text);
  check("... and the kept checkpoint is unchanged", (await stored()) === good);
  verdict = await visit(`${node}/verify?chain=${single.chain_id}&code=${single.exit_code}`);
  const both = JSON.parse(await stored());
  check("pinned, another ledger's bundle verifies and is kept beside, not over, the trusted one",
        verdict.kind === "verified" && both.trusted_chain === chainId &&
        JSON.stringify(both.chains[chainId]) === JSON.stringify(kept.chains[chainId]) && both.chains[single.chain_id] !== undefined,
        verdict.text + JSON.stringify(both));
  await page.unroute("**/v1/exit/**");
  const otherChain = readVector("30-wrong-chain-id-pinned.json").chain;
  verdict = await visit(`${node}/verify?chain=${otherChain}&code=${code}`, "09-wrong-pinned-ledger.png");
  check("a link pinning another ledger refuses this one", verdict.kind === "failed" && verdict.text.includes("[wrong-genesis]"), verdict.text);

  // 8. The page as a file opened from disk, asking another node (its own storage: first use).
  verdict = await visit(`file://${path.join(root, "web/verify.html")}?node=${encodeURIComponent(otherNode)}&code=${code}`, "10-from-disk.png");
  check("the page opened from disk verifies against another node", verdict.kind === "verified", verdict.text);

  // 9. The same vectors as `mbl verify`, case by case.
  for (const file of fs.readdirSync(vectorDir).filter(f => f.endsWith(".json")).sort()) {
    const vector = readVector(file);
    const genesisFile = vector.genesis_file ? path.join(vectorDir, vector.genesis_file) : null;
    const genesis = genesisFile ? JSON.parse(fs.readFileSync(genesisFile, "utf8")) : null;
    const browserReason = await page.evaluate(async ([v, g]) => {
      const options = {};
      if (g) options.pinnedGenesisPayload = Uint8Array.from(atob(g.payload), c => c.charCodeAt(0));
      if (v.chain) options.pinnedChainId = v.chain;
      if (v.checkpoint) options.checkpoints = v.checkpoint;
      try { await window.mblVerifyBundle(v.bundle, options); return "verified"; }
      catch (e) { return e.reason || `exception: ${e.message}`; }
    }, [vector, genesis]);
    const tmp = fs.mkdtempSync("/tmp/mbl-vector-");
    fs.writeFileSync(path.join(tmp, "bundle.json"), JSON.stringify(vector.bundle));
    const args = ["verify", path.join(tmp, "bundle.json"), "--json"];
    if (genesisFile) args.push("--genesis", genesisFile);
    if (vector.chain) args.push("--chain", vector.chain);
    if (vector.checkpoint) { fs.writeFileSync(path.join(tmp, "checkpoint.json"), JSON.stringify(vector.checkpoint)); args.push("--checkpoint", path.join(tmp, "checkpoint.json")); }
    let cli;
    try { cli = JSON.parse(execFileSync(mbl, args, { encoding: "utf8" })); }
    catch (e) { cli = JSON.parse(e.stdout); }
    fs.rmSync(tmp, { recursive: true });
    const cliReason = cli.verified ? "verified" : cli.reason.slice(1, cli.reason.indexOf("]"));
    check(`vector ${file}: page and mbl verify agree (${vector.expect})`,
          browserReason === vector.expect && cliReason === vector.expect, `page=${browserReason} cli=${cliReason}`);
  }

  // 10. How long the page takes to verify a bundle (a figure for docs/benchmarks.md, not a test).
  for (const file of ["01-valid-pinned-genesis.json", "03-valid-single-validator.json"]) {
    const valid = readVector(file);
    const ms = await page.evaluate(async v => {
      const times = [];
      for (let i = 0; i < 20; i++) { const t = performance.now(); await window.mblVerifyBundle(v.bundle, {}); times.push(performance.now() - t); }
      times.sort((a, b) => a - b);
      return { median: times[10], max: times[19] };
    }, valid);
    console.log(`  info  ${file}: verification in the page median ${ms.median.toFixed(1)} ms, max ${ms.max.toFixed(1)} ms (20 runs)`);
  }
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
