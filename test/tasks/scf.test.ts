import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import {
  claim,
  closeRecourse,
  confirm,
  declareDefault,
  defaultRecourse,
  finance,
  issue,
  line,
  quote,
  reject,
  repay,
  settleCreditRecords,
  split,
  traceTask,
  transfer,
} from "../../tasks/lib/scf.js";
import { ephemeralKey } from "../../scripts/lib/loans.js";
import { actAs, deployWorld } from "../../scripts/lib/world.js";
import { failure } from "../helpers/failure.js";
import { linkOperator } from "../helpers/operators.js";
import { parseAmount, reasonCode } from "../../src/encoding.js";
import { parseReceivable } from "../../src/scf.js";

const connection = await network.create();
const { networkHelpers } = connection;
const key = ephemeralKey();

async function fixture() {
  const world = await deployWorld(connection);
  const as = (who: string) => actAs(world, who, key);
  const cny = world.contracts.tokens.CNY;
  for (const who of ["pearl", "pacific"]) await cny.connect(world.issuer).mint(world.admins[who], 1_000_000_00n);

  const dir = await mkdtemp(path.join(tmpdir(), "tradeline-scf-"));
  /** Pearl chooses Pacific as the bank of its CNY line, which Pacific opens at 5,000.00. */
  const pearlLineAtPacific = async () => {
    const pearl = as("pearl");
    const financier = String(world.ids.pacific);
    await line(pearl.contracts, { debtor: "", limit: "", currency: "CNY", freeze: "", financier }, pearl.session);
    await line(as("pacific").contracts, {
      debtor: String(world.ids.pearl),
      limit: "5000",
      currency: "CNY",
      freeze: "",
    });
  };
  return { world, as, dir, addr: (who: string) => world.admins[who].address, pearlLineAtPacific };
}

const ISSUE = {
  supplier: "",
  debtor: "",
  face: "1000.00",
  currency: "CNY",
  maturity: "2027-02-20",
  invoices: "A-1,A-2",
  issueDate: "2026-11-01",
};

describe("scf tasks", function () {
  it("test_scfTasks_lineIssueSplitTransferQuoteFinanceTraceRepay", async function () {
    const { world, as, dir, addr } = await networkHelpers.loadFixture(fixture);
    const pearlId = String(world.ids.pearl);
    const pearl = as("pearl");
    expect(
      (
        await line(
          pearl.contracts,
          { debtor: "", limit: "", currency: "cny", freeze: "", financier: String(world.ids.huaxia) },
          pearl.session,
        )
      )[0],
    ).to.equal(`CNY credit line of member ${pearlId} now belongs to financier member ${world.ids.huaxia}`);
    expect(
      (await line(as("huaxia").contracts, { debtor: pearlId, limit: "5000", currency: "cny", freeze: "" }))[0],
    ).to.equal(`CNY credit line of member ${pearlId}: 5000.00 (used 0.00)`);
    const issued = await issue(pearl.contracts, { ...ISSUE, supplier: addr("glassworks") }, pearl.session);
    expect(issued[0]).to.equal(`issued R1.0 to ${addr("glassworks")}: 1000.00 CNY, maturing 2027-02-20`);
    expect(issued[1]).to.equal("  credit line used 1000.00 of 5000.00");
    const glass = as("glassworks");
    expect((await split(glass.contracts, { id: "R1.0", faces: "600,400" }))[0]).to.equal(
      "split R1.0 into R1.0 600.00 CNY, R1.1 400.00 CNY",
    );
    expect((await transfer(glass.contracts, { id: "R1.1", to: addr("precision") }))[0]).to.equal(
      `transferred R1.1 to ${addr("precision")} (tier 2)`,
    );
    const out = path.join(dir, "q.json");
    // A rate is whole basis points (the quote holds a uint16): neither rounded nor read as another notation.
    const terms = { id: "R1.1", rateBps: "600", dayBase: "365", recourse: "true", validFor: "600", out };
    for (const [field, value, message] of [
      ["rateBps", "12.5", '--rate-bps "12.5" is not a whole number up to 65535'],
      ["rateBps", "1e3", '--rate-bps "1e3" is not a whole number up to 65535'],
      ["rateBps", "65536", '--rate-bps "65536" is not a whole number up to 65535'],
      ["dayBase", "0x168", '--day-base "0x168" must be 360 or 365'],
    ]) {
      expect(
        await failure(quote(as("pacific").contracts, { ...terms, [field]: value }, as("pacific").session)),
      ).to.equal(message);
    }
    const quoted = await quote(
      as("pacific").contracts,
      {
        id: "R1.1",
        rateBps: "600",
        dayBase: "365",
        recourse: "true",
        validFor: String(2 * 86_400),
        out,
      },
      as("pacific").session,
    );
    // Approved for the price at the quote's expiry: a discount shrinks daily, so a quote taken later costs more.
    expect(quoted[2]).to.match(/^ {2}raised the ledger's allowance by 39\d\.\d\d CNY/);
    const [, now, most] = new RegExp(
      `^quote for R1\\.1: 600 bps/year on a 365-day base, with recourse, from member ${world.ids.precision}; ` +
        `price now (39\\d\\.\\d\\d) CNY, at most (39\\d\\.\\d\\d) CNY by its expiry$`,
    ).exec(quoted[0])!;
    expect(Number(most)).to.be.greaterThan(Number(now));
    expect(quoted[2]).to.include(`by ${most} CNY`);
    // A second open quote of the same financier raises the allowance by its own most, on top of the first's.
    const ledger = await world.contracts.scf.getAddress();
    const allowance = () => world.contracts.tokens.CNY.allowance(addr("pacific"), ledger);
    const before = await allowance();
    const second = await quote(
      as("pacific").contracts,
      {
        id: "R1.0",
        rateBps: "600",
        dayBase: "365",
        recourse: "",
        validFor: String(2 * 86_400),
        out: path.join(dir, "q2.json"),
      },
      as("pacific").session,
    );
    const most2 = parseAmount(/at most (\d+\.\d\d) CNY/.exec(second[0])![1], 2);
    expect(await allowance()).to.equal(before + most2);
    expect(JSON.parse(await readFile(out, "utf8")).signature).to.match(/^0x[0-9a-f]{130}$/);
    // Taken a day and a half later, within the quote's life: the price has risen, and the approval covers it.
    await networkHelpers.time.increase(36 * 3600);
    const sold = await finance(as("precision").contracts, { quote: out });
    const [, soldFor] = new RegExp(
      `^sold R1\\.1 to member ${world.ids.pacific} for (39\\d\\.\\d\\d) CNY, paid in the same transaction$`,
    ).exec(sold[0])!;
    expect(Number(soldFor)).to.be.greaterThan(Number(now)).and.at.most(Number(most));
    // What is left still covers the second quote, which its holder may take until it expires.
    expect(await allowance()).to.be.at.least(most2);
    expect(await failure(finance(as("precision").contracts, { quote: out }))).to.equal(
      `reverted: ScfUnexpectedPieceState(id=R1.1, current=Financed, expectedStates=Held)`,
    );
    const tree = await traceTask(world.contracts, { id: "R1.1" });
    expect(tree[0]).to.equal(`R1.0: debtor member ${pearlId}, 1000.00 CNY, matures 2027-02-20, Confirmed`);
    expect(tree[1]).to.equal(`  R1.0  600.00 CNY  tier 1  held by member ${world.ids.glassworks}`);
    expect(tree[2]).to.equal(`    R1.1  400.00 CNY  tier 2  financed by member ${world.ids.pacific}`);
    await networkHelpers.time.increaseTo(Date.parse("2027-02-20T23:59:59Z") / 1000);
    const paid = await repay(pearl.contracts, { id: "R1.1" }, pearl.session);
    expect(paid[0]).to.match(/^ {2}approved the ledger to draw 100000 minor units \(tx 0x[0-9a-f]{64}\)$/);
    expect(paid[1]).to.equal("repaid R1.0: 1000.00 CNY (penalty 0.00)");
    expect(paid.slice(3)).to.deep.equal([
      `  paid 600.00 CNY to member ${world.ids.glassworks} for R1.0`,
      `  paid 400.00 CNY to member ${world.ids.pacific} for R1.1`,
    ]);
    expect(await repay(pearl.contracts, { id: "R1.0" }, pearl.session)).to.deep.equal([]);
  });

  it("test_scfTasks_splitWithTo_handsPartsOnInOneTransaction", async function () {
    const { world, as, addr } = await networkHelpers.loadFixture(fixture);
    const pearl = as("pearl");
    const financier = String(world.ids.huaxia);
    await line(pearl.contracts, { debtor: "", limit: "", currency: "CNY", freeze: "", financier }, pearl.session);
    await line(as("huaxia").contracts, { debtor: String(world.ids.pearl), limit: "5000", currency: "CNY", freeze: "" });
    await issue(pearl.contracts, { ...ISSUE, supplier: addr("glassworks") }, pearl.session);
    const glass = as("glassworks");
    expect(await failure(split(glass.contracts, { id: "R1.0", faces: "600,400", to: addr("precision") }))).to.equal(
      "--to names 1 recipients for 2 faces: one each",
    );
    const out = await split(glass.contracts, { id: "R1.0", faces: "600,400", to: `,${addr("precision")}` });
    expect(out[0]).to.equal(`split R1.0 into R1.0 600.00 CNY, R1.1 400.00 CNY to ${addr("precision")}`);
    const piece = await world.contracts.scf.getPiece((1n << 24n) + 1n);
    expect([piece.holder, piece.tier]).to.deep.equal([world.ids.precision, 2n]);
  });

  it("test_scfTasks_requestConfirmAndFreeze", async function () {
    const { world, as, addr } = await networkHelpers.loadFixture(fixture);
    const pearlId = String(world.ids.pearl);
    const financier = String(world.ids.huaxia);
    await line(
      as("pearl").contracts,
      { debtor: "", limit: "", currency: "CNY", freeze: "", financier },
      as("pearl").session,
    );
    await line(as("huaxia").contracts, { debtor: pearlId, limit: "5000", currency: "CNY", freeze: "" });
    const glass = as("glassworks");
    const asked = await issue(glass.contracts, { ...ISSUE, debtor: pearlId }, glass.session);
    expect(asked[0]).to.equal(`requested R1.0 from member ${pearlId}: 1000.00 CNY`);
    expect((await confirm(as("pearl").contracts, { id: "R1.0" }))[0]).to.equal("confirmed R1.0");
    expect(
      (await line(as("huaxia").contracts, { debtor: pearlId, limit: "", currency: "CNY", freeze: "true" }))[0],
    ).to.equal(`CNY credit line of member ${pearlId} frozen`);
    expect(
      await failure(
        issue(as("pearl").contracts, { ...ISSUE, supplier: addr("glassworks"), invoices: "B-1" }, as("pearl").session),
      ),
    ).to.equal(`reverted: ScfCreditLineFrozen(debtor=${pearlId})`);
    // The debtor hands its admin seat to a new key: its invoices keep their keys, which name its entity key, not an
    // address. The same invoices again are refused however they come in.
    const newAdmin = connection.ethers.Wallet.createRandom().address;
    await linkOperator(connection, world.contracts.members, world.admins.pearl, world.ids.pearl, newAdmin);
    await world.contracts.members.connect(world.admins.pearl).setAdmin(world.ids.pearl, newAdmin);
    expect((await world.contracts.members.getMember(world.ids.pearl)).admin).to.equal(newAdmin);
    expect(await failure(issue(glass.contracts, { ...ISSUE, debtor: pearlId }, glass.session))).to.match(
      /^reverted: ScfInvoiceAlreadyUsed\(invoiceKey=0x[0-9a-f]{64}, existing=R1\.0\)$/,
    );
  });

  it("test_scfTasks_reportBadInputReadably", async function () {
    const { as, dir } = await networkHelpers.loadFixture(fixture);
    const pearl = as("pearl");
    expect(await failure(issue(pearl.contracts, { ...ISSUE, supplier: "0xabc" }, pearl.session))).to.equal(
      '--supplier "0xabc" is not an address',
    );
    expect(await failure(issue(pearl.contracts, { ...ISSUE }, pearl.session))).to.equal(
      "--supplier (or --debtor to request) is required",
    );
    expect(await failure(issue(pearl.contracts, { ...ISSUE, maturity: "2027-13-01" }, pearl.session))).to.equal(
      '--maturity "2027-13-01" is not a valid YYYY-MM-DD date',
    );
    expect(await failure(issue(pearl.contracts, { ...ISSUE, currency: "EUR" }, pearl.session))).to.match(
      /^no settlement token for "EUR"/,
    );
    expect(await failure(split(pearl.contracts, { id: "X1", faces: "1,2" }))).to.equal(
      'receivable "X1" is not an id like R3.1',
    );
    expect(await failure(split(pearl.contracts, { id: "R9.0", faces: "1,2" }))).to.equal("no receivable R9.0");
    expect(
      await failure(line(as("huaxia").contracts, { debtor: "1", limit: "", currency: "CNY", freeze: "maybe" })),
    ).to.equal('--freeze "maybe" must be true or false');
    const bad = path.join(dir, "bad.json");
    await writeFile(bad, "{}");
    expect(await failure(finance(pearl.contracts, { quote: bad }))).to.equal(`${bad} is not a quote file`);
    expect(await failure(finance(pearl.contracts, { quote: path.join(dir, "missing.json") }))).to.match(
      /^cannot read /,
    );
  });

  it("test_scfCloseRecourse_byTheFinancierOnly_once_withTheRefusalNamed", async function () {
    const { world, as, dir, pearlLineAtPacific } = await networkHelpers.loadFixture(fixture);
    const pearl = as("pearl");
    await pearlLineAtPacific();
    await issue(pearl.contracts, { ...ISSUE, supplier: world.admins.glassworks.address }, pearl.session);
    const out = path.join(dir, "recourse.json");
    const pacific = as("pacific");
    await quote(
      pacific.contracts,
      { id: "R1.0", rateBps: "600", dayBase: "360", recourse: "true", validFor: "600", out },
      pacific.session,
    );
    // A yes-or-no option is true or false, nothing else: "yes", "TRUE" or "1" never signs a quote without recourse
    // (adversarial review 14, R14-3), and nothing is written.
    for (const recourse of ["yes", "TRUE", "1"]) {
      const refused = path.join(dir, `refused-${recourse}.json`);
      const args = { id: "R1.0", rateBps: "600", dayBase: "360", recourse, validFor: "600", out: refused };
      expect(await failure(quote(pacific.contracts, args, pacific.session))).to.equal(
        `--recourse "${recourse}" must be true or false`,
      );
      expect(await failure(readFile(refused))).to.match(/ENOENT/);
    }
    expect(await failure(reject(pearl.contracts, { id: "R1.0", lapse: "yes" }))).to.equal(
      '--lapse "yes" must be true or false',
    );
    const glass = as("glassworks");
    await finance(glass.contracts, { quote: out });
    // The seller cannot close its own recourse record; the financier closes it once.
    expect(await failure(closeRecourse(glass.contracts, { id: "R1.0" }))).to.match(/ScfNotFinancier/);
    expect(await closeRecourse(pacific.contracts, { id: "R1.0" })).to.deep.include(
      "closed the recourse record of R1.0: the seller made it whole outside the ledger",
    );
    expect(await failure(closeRecourse(pacific.contracts, { id: "R1.0" }))).to.match(/ScfNoRecourse/);
  });

  it("test_scfDefaultRecourse_onceOverdue_byTheFinancierOnly_once_withTheRefusalNamed", async function () {
    const { world, as, dir, pearlLineAtPacific } = await networkHelpers.loadFixture(fixture);
    const pearl = as("pearl");
    await pearlLineAtPacific();
    await issue(pearl.contracts, { ...ISSUE, supplier: world.admins.glassworks.address }, pearl.session);
    const out = path.join(dir, "recourse.json");
    const pacific = as("pacific");
    await quote(
      pacific.contracts,
      { id: "R1.0", rateBps: "600", dayBase: "360", recourse: "true", validFor: "600", out },
      pacific.session,
    );
    await finance(as("glassworks").contracts, { quote: out });
    expect(await failure(defaultRecourse(pacific.contracts, { id: "R1.0" }))).to.match(/ScfNotOverdue/);
    await networkHelpers.time.increaseTo(Date.parse("2027-03-10T00:00:00Z") / 1000);
    expect(await failure(defaultRecourse(as("glassworks").contracts, { id: "R1.0" }))).to.match(/ScfNotFinancier/);
    expect(await defaultRecourse(pacific.contracts, { id: "R1.0" })).to.deep.include(
      "declared the seller's recourse on R1.0 in default: its credit record is Defaulted",
    );
    expect(await failure(defaultRecourse(pacific.contracts, { id: "R1.0" }))).to.match(/ScfRecourseAlreadyDefaulted/);
    // Review 10, R10-1: a Regulator holds the piece; the debtor's repayment still closes the seller's recourse record.
    expect(await failure(settleCreditRecords(as("pacific").contracts, { id: "R1.0" }))).to.match(
      /ScfUnexpectedFamilyState/,
    );
    await world.contracts.scf
      .connect(world.admins.regulator)
      .freeze(parseReceivable("R1.0"), true, reasonCode("AML-HOLD"));
    expect(await repay(pearl.contracts, { id: "R1.0" }, pearl.session)).to.include(
      "  R1.0 is frozen, not collected: closed the credit records its collection would close",
    );
    expect(await failure(settleCreditRecords(as("pacific").contracts, { id: "R1.0" }))).to.match(/ScfNoCreditRecords/);
  });

  it("test_scfTasks_rejectDefaultRepayAfterDefaultAndClaim", async function () {
    const { world, as, dir, pearlLineAtPacific } = await networkHelpers.loadFixture(fixture);
    const pearlId = String(world.ids.pearl);
    const pearl = as("pearl");
    await pearlLineAtPacific();
    const glass = as("glassworks");
    await issue(glass.contracts, { ...ISSUE, debtor: pearlId, invoices: "C-1" }, glass.session);
    expect((await reject(pearl.contracts, { id: "R1.0", lapse: "false" }))[0]).to.equal("rejected request R1.0");
    await issue(pearl.contracts, { ...ISSUE, supplier: world.admins.glassworks.address }, pearl.session);
    const out = path.join(dir, "q2.json");
    const pacific = as("pacific");
    await quote(
      pacific.contracts,
      { id: "R2.0", rateBps: "600", dayBase: "360", recourse: "false", validFor: "600", out },
      pacific.session,
    );
    await finance(glass.contracts, { quote: out });
    await networkHelpers.time.increaseTo(Date.parse("2027-03-10T00:00:00Z") / 1000);
    expect((await declareDefault(pacific.contracts, { id: "R2.0" }))[0]).to.equal(
      `declared R2.0 in default (debtor member ${pearlId})`,
    );
    // The defaulted family is still repaid; the financier's share is parked while it is suspended, then claimed.
    await world.contracts.members.suspend(world.ids.pacific, `0x${"00".repeat(32)}`);
    const paid = await repay(pearl.contracts, { id: "R2.0" }, pearl.session);
    expect(paid[1]).to.match(/^repaid R2\.0: 10\d\d\.\d\d CNY \(penalty \d+\.\d\d\)$/);
    expect(paid[3]).to.match(
      new RegExp(`^ {2}parked 10\\d\\d\\.\\d\\d CNY for member ${world.ids.pacific} for R2\\.0 \\(scf:claim\\)$`),
    );
    await world.contracts.members.reinstate(world.ids.pacific, `0x${"00".repeat(32)}`);
    expect((await claim(pearl.contracts, { member: String(world.ids.pacific), currency: "CNY" }))[0]).to.match(
      new RegExp(`^paid 10\\d\\d\\.\\d\\d CNY parked for member ${world.ids.pacific}$`),
    );
  });
});
