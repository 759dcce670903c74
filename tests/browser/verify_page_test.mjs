// Browser tests of the verification page (web/verify.html) in Debian's Chromium, driven by
// playwright-core, against a real local network (run.sh starts it and runs the worked example).
// Prints "N passed, M failed" and exits non-zero on any failure. Screenshots go to $MBL_ARTIFACTS.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
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
      if (settled && ["verified", "unrecognized", "failed", "info"].includes(kind) && !text.startsWith("Checking")) return { kind, text };
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

  // 1. A valid code, from the node's own page: the node's list recognizes its ledger.
  const scheme = "Copper mass balance (local test network)";
  let verdict = await visit(`${node}/verify?code=${code}`, "01-verified-recognized.png");
  check("a valid code shows verified", verdict.kind === "verified" && verdict.text.includes("Verified"), verdict.text);
  check("the recognized scheme is named, with its publisher",
        verdict.text.includes(`Recorded on the ledger of ${scheme}, published by Copper Mass Balance Consortium`) &&
        (await page.locator("#scheme").innerText()).includes(scheme), verdict.text);
  check("it says what was verified, in plain language",
        verdict.text.includes("Cu 8.0 MIX") && verdict.text.includes("part or component") &&
        verdict.text.includes("cannot be guaranteed to be physically present") &&
        verdict.text.includes("Nordic Certification AB (cb)") && verdict.text.includes("2026"), verdict.text);
  check("an exit without disclosed quantities shows none, and says its record is withheld",
        !verdict.text.includes("Credits retired") && verdict.text.includes("withheld"), verdict.text);
  check("the withheld record is described in the page's own words, not the node's",
        verdict.text.includes("the exit's author did not disclose its quantities, which the record holds"), verdict.text);
  check("nothing claims physical content", !physical.test(verdict.text));
  const cold = /checked in (\d+) ms/.exec(verdict.text);
  console.log(`  info  first verification on a fresh page (keys imported, fetch excluded): ${cold ? cold[1] : "?"} ms`);
  const first = JSON.parse(await stored() || "null");
  check("the browser keeps the chain's validator set, height and block, and trusts nothing on first use",
        first && first.trusted_chain === "" && first.chains[chainId] &&
        first.chains[chainId].validators.length === 4 && first.chains[chainId].height > 0 &&
        /^[0-9a-f]{64}$/.test(first.chains[chainId].block_id), JSON.stringify(first));

  // 2. An exit whose author disclosed its quantities: the record itself is checked and named.
  verdict = await visit(`${node}/verify?code=${disclosedCode}`, "02-verified-record.png");
  check("a disclosed exit shows its signed record's author and its quantities",
        verdict.kind === "verified" && verdict.text.includes("Computer Brand Inc (brand)") &&
        verdict.text.includes("Credits retired") && verdict.text.includes("Cu RE MIX"), verdict.text);
  check("no upstream company is named on the page",
        !/smelter|wire ?maker/i.test(verdict.text), verdict.text);

  // 3. A QR link's ?chain= selects one of the recognized ledgers.
  verdict = await visit(`${node}/verify?chain=${chainId}&code=${code}`, "03-verified-link-selects.png");
  check("a link with ?chain= of a recognized ledger verifies on it", verdict.kind === "verified" &&
        verdict.text.includes(scheme), verdict.text);

  // 3a. A hostile node answering every code with one genuine bundle of another exit.
  const genuine = await (await fetch(`${node}/v1/exit/${disclosedCode}`)).json();
  const asked = [];
  const hostile = http.createServer((request, response) => {
    asked.push(request.url);
    response.writeHead(200, { "Content-Type": "application/json", "Access-Control-Allow-Origin": "*" });
    response.end(JSON.stringify(genuine));
  });
  await new Promise(resolve => hostile.listen(0, "127.0.0.1", resolve));
  const hostileUrl = `http://127.0.0.1:${hostile.address().port}`;
  try {
    verdict = await visit(`${node}/verify?code=${code}&node=${encodeURIComponent(hostileUrl)}`, "03a-hostile-node-other-exit.png");
    check("a node answering a code with another exit's genuine bundle is NOT verified (code-mismatch)",
          verdict.kind === "failed" && verdict.text.includes("[code-mismatch]") && asked.some(u => u.includes(code)), verdict.text);
    verdict = await visit(`${node}/verify?code=${disclosedCode}&node=${encodeURIComponent(hostileUrl)}`);
    check("... while the same bundle verifies for its own code", verdict.kind === "verified", verdict.text);
  } finally { hostile.close(); }

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

  // 7. A ledger the page does not recognize (a counterfeiter's own): never green, whatever the link says.
  const single = readVector("03-valid-single-validator.json").bundle;
  await page.route("**/v1/exit/**", route => route.fulfill({ json: { proof: single } }));
  verdict = await visit(`${node}/verify?code=${single.exit_code}`, "08-unrecognized-ledger.png");
  const unrecognized = v => v.kind === "unrecognized" && v.text.includes("Recorded on a ledger this page does not recognize") &&
    v.text.includes("Do not rely on this claim") && !v.text.includes("✔") && v.text.includes(single.chain_id);
  check("a valid bundle of a ledger the page does not recognize is shown as such, not as verified", unrecognized(verdict), verdict.text);
  check("... and still shows what was checked", verdict.text.includes("What was checked") && verdict.text.includes("cannot be guaranteed"), verdict.text);
  check("... in a style distinct from the verified one",
        (await result().evaluate(e => getComputedStyle(e).borderStyle)) === "dashed");
  verdict = await visit(`${node}/verify?chain=${single.chain_id}&code=${single.exit_code}`, "08b-unrecognized-ledger-linked.png");
  check("a label's link naming its own ledger does not make it recognized", unrecognized(verdict), verdict.text);
  const both = JSON.parse(await stored());
  check("another ledger's checkpoint is kept beside, not over, this ledger's",
        JSON.stringify(both.chains[chainId]) === JSON.stringify(kept.chains[chainId]) && both.chains[single.chain_id] !== undefined,
        JSON.stringify(both));
  await page.unroute("**/v1/exit/**");
  const otherChain = readVector("30-wrong-chain-id-pinned.json").chain;
  verdict = await visit(`${node}/verify?chain=${otherChain}&code=${code}`, "09-wrong-pinned-ledger.png");
  check("a link pinning another ledger refuses this one", verdict.kind === "failed" && verdict.text.includes("[wrong-genesis]"), verdict.text);

  // 8. The page as a file opened from disk, asking another node: its built-in list recognizes no ledger.
  verdict = await visit(`file://${path.join(root, "web/verify.html")}?node=${encodeURIComponent(otherNode)}&code=${code}`, "10-from-disk.png");
  check("the page opened from disk checks the proof against another node, and says it recognizes no ledger",
        verdict.kind === "unrecognized" && verdict.text.includes(chainId) &&
        (await page.locator("#scheme").innerText()).includes("recognizes no ledger"), verdict.text);

  // 9. The same vectors as `mbl verify`, case by case.
  for (const file of fs.readdirSync(vectorDir).filter(f => f.endsWith(".json")).sort()) {
    const vector = readVector(file);
    const genesisFile = vector.genesis_file ? path.join(vectorDir, vector.genesis_file) : null;
    const genesis = genesisFile ? JSON.parse(fs.readFileSync(genesisFile, "utf8")) : null;
    const browserReason = await page.evaluate(async ([v, g]) => {
      const options = {};
      if (g) options.pinnedGenesisPayload = Uint8Array.from(atob(g.payload), c => c.charCodeAt(0));
      if (v.chain) options.pinnedChainId = v.chain;
      if (v.asked_code) options.askedExitCode = v.asked_code;
      if (v.checkpoint) options.checkpoints = v.checkpoint;
      try { await window.mblVerifyBundle(v.bundle, options); return "verified"; }
      catch (e) { return e.reason || `exception: ${e.message}`; }
    }, [vector, genesis]);
    const tmp = fs.mkdtempSync("/tmp/mbl-vector-");
    fs.writeFileSync(path.join(tmp, "bundle.json"), JSON.stringify(vector.bundle));
    const args = ["verify", path.join(tmp, "bundle.json"), "--json"];
    if (genesisFile) args.push("--genesis", genesisFile);
    if (vector.chain) args.push("--chain", vector.chain);
    if (vector.asked_code) args.push("--code", vector.asked_code);
    if (vector.checkpoint) { fs.writeFileSync(path.join(tmp, "checkpoint.json"), JSON.stringify(vector.checkpoint)); args.push("--checkpoint", path.join(tmp, "checkpoint.json")); }
    let cli;
    try { cli = JSON.parse(execFileSync(mbl, args, { encoding: "utf8" })); }
    catch (e) { cli = JSON.parse(e.stdout); }
    fs.rmSync(tmp, { recursive: true });
    const cliReason = cli.verified ? "verified" : cli.reason.slice(1, cli.reason.indexOf("]"));
    check(`vector ${file}: page and mbl verify agree (${vector.expect})`,
          browserReason === vector.expect && cliReason === vector.expect, `page=${browserReason} cli=${cliReason}`);
  }

  // 9a. What the page shows comes from certified bytes only: alter any field of each valid vector,
  // or leave out any member, and it fails or shows exactly the same.
  await page.goto(`${node}/verify`);
  for (const file of fs.readdirSync(vectorDir).filter(f => f.endsWith(".json")).sort()) {
    const vector = readVector(file);
    if (vector.expect !== "verified") continue;
    const genesisFile = vector.genesis_file ? path.join(vectorDir, vector.genesis_file) : null;
    const genesis = genesisFile ? JSON.parse(fs.readFileSync(genesisFile, "utf8")) : null;
    const outcome = await page.evaluate(async ([v, g]) => {
      const options = () => {
        const o = {};
        if (g) o.pinnedGenesisPayload = Uint8Array.from(atob(g.payload), c => c.charCodeAt(0));
        if (v.chain) o.pinnedChainId = v.chain;
        if (v.asked_code) o.askedExitCode = v.asked_code;
        if (v.checkpoint) o.checkpoints = v.checkpoint;
        return o;
      };
      const shown = async bundle => {
        try { return window.mblDescribe(await window.mblVerifyBundle(bundle, options()), 0).html; } catch (e) { return null; }
      };
      const baseline = await shown(v.bundle);
      const leaves = [];
      const walk = (value, at) => {
        if (value !== null && typeof value === "object") for (const key of Object.keys(value)) walk(value[key], [...at, Array.isArray(value) ? Number(key) : key]);
        if (at.length) leaves.push(at);
      };
      walk(v.bundle, []);
      let tried = 0, same = 0;
      const differ = [];
      for (const at of leaves) {
        const parentOf = b => at.slice(0, -1).reduce((o, k) => o[k], b), last = at[at.length - 1];
        const original = parentOf(v.bundle)[last], variants = [];
        if (typeof original === "string") {
          if (/^[0-9a-f]+$/.test(original)) variants.push(original.slice(0, -1) + (original.endsWith("0") ? "1" : "0"));
          variants.push(original + "x", "\u001b[2K\rVERIFIED: all good");
        } else if (typeof original === "number") variants.push(original + 1);
        else if (typeof original === "boolean") variants.push(!original);
        const edits = variants.map(value => b => { parentOf(b)[last] = value; });
        if (!Array.isArray(parentOf(v.bundle))) edits.push(b => { delete parentOf(b)[last]; });
        for (const edit of edits) {
          const changed = JSON.parse(JSON.stringify(v.bundle));
          edit(changed);
          tried++;
          const html = await shown(changed);
          if (html === null) continue;
          same++;
          if (html !== baseline) differ.push(at.join("/"));
        }
      }
      return { baseline: baseline !== null, tried, same, differ };
    }, [vector, genesis]);
    check(`vector ${file}: every altered field fails or shows exactly the same (${outcome.tried} tried, ${outcome.same} verified)`,
          outcome.baseline && outcome.tried > 50 && outcome.differ.length === 0, outcome.differ.join(", "));
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
