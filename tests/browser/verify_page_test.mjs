// Browser tests of the verification page (web/verify.html) in Debian's Chromium, driven by
// playwright-core, against a real local network (run.sh starts it and runs the worked example).
// Prints "N passed, M failed" and exits non-zero on any failure. Screenshots go to $MBL_ARTIFACTS.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const node = process.env.MBL_NODE_URL;           // one node of the network
const otherNode = process.env.MBL_OTHER_NODE_URL; // another node of it
const code = process.env.MBL_EXIT_CODE;          // an exit code of the worked example
const mbl = process.env.MBL_CLI;                 // the mbl binary, for the case-by-case comparison
const root = process.env.MBL_SOURCE_DIR;
const artifacts = process.env.MBL_ARTIFACTS;
fs.mkdirSync(artifacts, { recursive: true });

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
  async function waitForVerdict() {
    await page.waitForFunction(() => ["verified", "failed", "info"].includes(document.getElementById("result").className) &&
                                      !document.getElementById("result").textContent.startsWith("Checking"), null, { timeout: 20000 });
    return { kind: await result().getAttribute("class"), text: await result().innerText() };
  }

  // 1. A valid code, from the node's own page.
  await page.goto(`${node}/verify?code=${code}`);
  let verdict = await waitForVerdict();
  await page.screenshot({ path: path.join(artifacts, "01-verified.png"), fullPage: true });
  check("a valid code shows verified", verdict.kind === "verified" && verdict.text.includes("Verified"), verdict.text);
  check("it says what was verified, in plain language",
        verdict.text.includes("Cu 8.0 MIX") && verdict.text.includes("part or component") &&
        verdict.text.includes("cannot be guaranteed to be physically present") && verdict.text.includes("cb"), verdict.text);
  check("nothing claims physical content", !/contains recycled|physically contains/i.test(verdict.text));

  // 2. The same code, typed in, with the node's answer tampered with on the way.
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
  await page.screenshot({ path: path.join(artifacts, "02-tampered.png"), fullPage: true });
  check("a tampered bundle shows NOT verified", verdict.kind === "failed" && verdict.text.includes("NOT verified"), verdict.text);
  await page.unroute("**/v1/exit/**");

  // 3. An unknown code.
  await page.goto(`${node}/verify?code=MBL-0000-0000-0000`);
  verdict = await waitForVerdict();
  await page.screenshot({ path: path.join(artifacts, "03-unknown.png"), fullPage: true });
  check("an unknown code gets a clear message", verdict.kind === "info" && verdict.text.includes("Unknown code"), verdict.text);
  await page.goto(`${node}/verify?code=HELLO`);
  verdict = await waitForVerdict();
  check("a malformed code says what a code looks like", verdict.kind === "failed" && verdict.text.includes("MBL-"), verdict.text);

  // 4. The page as a file opened from disk, asking another node.
  const fileUrl = `file://${path.join(root, "web/verify.html")}?node=${encodeURIComponent(otherNode)}&code=${code}`;
  await page.goto(fileUrl);
  verdict = await waitForVerdict();
  await page.screenshot({ path: path.join(artifacts, "04-from-disk.png"), fullPage: true });
  check("the page opened from disk verifies against another node", verdict.kind === "verified", verdict.text);

  // 5. The same vectors as `mbl verify`, case by case.
  const dir = path.join(root, "tests/vectors/exit");
  for (const file of fs.readdirSync(dir).filter(f => f.endsWith(".json")).sort()) {
    const vector = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    const browserReason = await page.evaluate(async v => {
      const options = {};
      if (v.genesis) options.pinnedGenesisPayload = Uint8Array.from(atob(v.genesis.payload), c => c.charCodeAt(0));
      if (v.checkpoint) options.checkpoint = v.checkpoint;
      try { await window.mblVerifyBundle(v.bundle, options); return "verified"; }
      catch (e) { return e.reason || `exception: ${e.message}`; }
    }, vector);
    const tmp = fs.mkdtempSync("/tmp/mbl-vector-");
    fs.writeFileSync(path.join(tmp, "bundle.json"), JSON.stringify(vector.bundle));
    const args = ["verify", path.join(tmp, "bundle.json"), "--json"];
    if (vector.genesis) { fs.writeFileSync(path.join(tmp, "genesis.json"), JSON.stringify(vector.genesis)); args.push("--genesis", path.join(tmp, "genesis.json")); }
    if (vector.checkpoint) { fs.writeFileSync(path.join(tmp, "checkpoint.json"), JSON.stringify(vector.checkpoint)); args.push("--checkpoint", path.join(tmp, "checkpoint.json")); }
    let cli;
    try { cli = JSON.parse(execFileSync(mbl, args, { encoding: "utf8" })); }
    catch (e) { cli = JSON.parse(e.stdout); }
    fs.rmSync(tmp, { recursive: true });
    const cliReason = cli.verified ? "verified" : cli.reason.slice(1, cli.reason.indexOf("]"));
    check(`vector ${file}: page and mbl verify agree (${vector.expect})`,
          browserReason === vector.expect && cliReason === vector.expect, `page=${browserReason} cli=${cliReason}`);
  }

  // 6. How long the page takes to verify a bundle (a figure for docs/benchmarks.md, not a test).
  const valid = JSON.parse(fs.readFileSync(path.join(dir, "01-valid.json"), "utf8"));
  const ms = await page.evaluate(async v => {
    const times = [];
    for (let i = 0; i < 20; i++) { const t = performance.now(); await window.mblVerifyBundle(v.bundle, {}); times.push(performance.now() - t); }
    times.sort((a, b) => a - b);
    return { median: times[10], max: times[19] };
  }, valid);
  console.log(`  info  bundle verification in the page: median ${ms.median.toFixed(1)} ms, max ${ms.max.toFixed(1)} ms (20 runs)`);
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
