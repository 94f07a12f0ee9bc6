import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

const WRAPPER = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../tradeline");

/** Runs `./tradeline` with `args`; the refusals below exit before Hardhat starts. */
function run(args: string[]) {
  const r = spawnSync("bash", [WRAPPER, ...args], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe("./tradeline wrapper", function () {
  it("test_wrapper_refusesEveryFormOfNegativeNumberOnOneLine", function () {
    for (const value of ["-100", "-5.", "-.5", "-1e3", "-0x10", "-1,000", "-5 ", " -7", "-0"]) {
      for (const args of [
        ["credit:repay", "--ref", "HX-1", "--amount", value],
        ["credit:repay", "--ref", "HX-1", `--amount=${value}`],
      ]) {
        const r = run(args);
        expect(r.status, `${args.join(" ")}`).to.equal(1);
        expect(r.stdout).to.equal("");
        expect(r.stderr).to.equal(
          `error: --amount "${value}" is negative: amounts, rates, ids and counts are positive numbers, e.g. 1250.50\n`,
        );
      }
    }
  });

  it("test_wrapper_passesEverythingElseToHardhat", function () {
    // Anything else reaches Hardhat unchanged.
    const r = run(["--help"]);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.match(/Usage: hardhat/);
  });
});
