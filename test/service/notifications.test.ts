import { expect } from "chai";

import { parseRoles } from "../../service/auth.js";
import { openDatabase } from "../../service/db.js";
import { migrate } from "../../service/migrations.js";
import {
  kindsVisibleTo,
  notificationOf,
  parseCursor,
  rolesMaySee as maySee,
  visible,
  type Notification,
} from "../../service/notifications.js";
import { specialRange, webhookTargetRefusal } from "../../service/notify.js";
import { project } from "../../service/projections.js";
import { PROJECTIONS } from "../../service/projections/index.js";
import type { EventRow } from "../../service/schema.js";
import { signWebhook, verifyWebhookSignature } from "../../service/webhook-signature.js";

function row(contract: string, name: string, args: Record<string, unknown>): EventRow {
  return {
    chain_id: 31337,
    block_hash: "0x" + "ab".repeat(32),
    log_index: 4,
    block_number: 17,
    block_timestamp: 1_800_000_000,
    tx_hash: "0x" + "cd".repeat(32),
    tx_index: 0,
    address: "0x" + "11".repeat(20),
    contract,
    name,
    signature: null,
    args: JSON.stringify(args),
  };
}

describe("notifications from event rows", function () {
  it("test_notificationOf_disputesGoToTheirModulesRoles_andOtherEventsMakeNone", function () {
    const trade = notificationOf(row("TradeSettlement", "DisputeResolved", { id: "3", exporterShareBps: "5000" }));
    const credit = notificationOf(row("CreditRegistry", "DisputeResolved", { id: "0x01" }));
    expect([trade?.kind, trade?.module, trade?.id, trade?.data.exporterShareBps]).to.deep.equal([
      "dispute.resolved",
      "trade",
      "17:4",
      "5000",
    ]);
    expect([credit?.kind, credit?.module]).to.deep.equal(["dispute.resolved", "credit"]);
    // A dispute the arbiter let expire ends it too, for the same parties.
    const expired = notificationOf(row("TradeSettlement", "DisputeExpired", { id: "3" }));
    expect([expired?.kind, expired?.module]).to.deep.equal(["dispute.resolved", "trade"]);
    const exporter = parseRoles("exporter");
    const desk = parseRoles("lender-desk");
    const regulator = parseRoles("regulator");
    // The same kind, but a trade dispute is the trade parties' and a loan dispute the lender desks'.
    expect([maySee(exporter, trade!), maySee(desk, trade!), maySee(regulator, trade!)]).to.deep.equal([
      true,
      false,
      true,
    ]);
    expect([maySee(exporter, credit!), maySee(desk, credit!), maySee(regulator, credit!)]).to.deep.equal([
      false,
      true,
      true,
    ]);
    expect(kindsVisibleTo(parseRoles("supply-chain-desk"))).to.deep.equal(["receivable.overdue"]);
    // An advance an ended order left open is the financier's treasury's (and the regulator's), not the exporter's.
    const open = notificationOf(row("TradeSettlement", "AdvanceLeftOpen", { id: "3", financier: "4" }));
    expect([open?.kind, open?.module, open?.data.financier]).to.deep.equal(["advance.open", "trade", "4"]);
    expect([
      maySee(parseRoles("bank-treasury"), open!),
      maySee(regulator, open!),
      maySee(exporter, open!),
    ]).to.deep.equal([true, true, false]);
    expect(kindsVisibleTo(parseRoles("operator"))).to.deep.equal([]);
    // A token event, an undecoded log, or a name from another contract makes no notification.
    expect(notificationOf(row("TokenCNY", "Transfer", {}))).to.equal(undefined);
    expect(notificationOf({ ...row("CreditRegistry", "LoanRegistered", {}), name: null })).to.equal(undefined);
    expect(notificationOf(row("ReceivableLedger", "TranchePaid", {}))).to.equal(undefined);
    expect(parseCursor("17:4")).to.deep.equal({ block: 17, logIndex: 4 });
    for (const bad of ["", "17", "17:", "-1:0", "1e3:0", "17:4:1"]) expect(parseCursor(bad), bad).to.equal(undefined);
  });

  it("test_visible_loanRegistered_onlyAnotherLendersLoanToABorrowerTheMemberLentToBefore_sameBlockByLogIndex", async function () {
    const database = openDatabase(":memory:", "");
    try {
      await migrate(database.db as never, database.engine);
      const operator = "0x" + "aB".repeat(20);
      let tx = 0;
      const at = (block: number, logIndex: number, contract: string, name: string, args: Record<string, unknown>) => ({
        ...row(contract, name, args),
        block_number: block,
        log_index: logIndex,
        block_hash: "0x" + block.toString(16).padStart(64, "0"),
        tx_hash: "0x" + (++tx).toString(16).padStart(64, "0"),
      });
      const loan = (block: number, logIndex: number, lender: number, borrower: string) =>
        at(block, logIndex, "CreditRegistry", "LoanRegistered", {
          id: "0x" + (block * 100 + logIndex).toString(16).padStart(64, "0"),
          borrowerKey: "0x" + borrower.repeat(64),
          lender: String(lender),
          reporter: String(lender),
          loanRef: "0x" + "00".repeat(32),
          kind: "0",
          principal: "1000",
          outstanding: "1000",
          originationDay: "20000",
          maturityDay: "20365",
          commitment: "0x" + "00".repeat(32),
        });
      // Member 2 signs with `operator`; borrowers 1 and 2 (keys 0x11… and 0x22…).
      const rows = [
        at(9, 0, "MemberRegistry", "OperatorAdded", { id: "2", operator }),
        loan(10, 0, 3, "1"), // before member 2 lent to borrower 1
        loan(10, 1, 2, "1"), // member 2's own
        loan(10, 2, 4, "1"), // after it, in the same block: heard of
        loan(11, 0, 3, "2"), // a borrower member 2 never lent to
        loan(12, 0, 3, "1"), // a later block: heard of
        at(12, 1, "CreditRegistry", "MultiBorrowingFlagged", {
          id: "0x01",
          borrowerKey: "0x" + "1".repeat(64),
          limit: "0",
          value: "3",
          max: "2",
        }),
      ];
      await database.db.insertInto("events").values(rows).execute();
      await project(database.db, PROJECTIONS, rows);
      const notes = rows.map(notificationOf).filter((n): n is Notification => n !== undefined);
      const desk = parseRoles("lender-desk");
      const ids = async (op: string | undefined, roles = desk) =>
        (await visible(database.db, 31337, op, roles, notes)).map((n) => n.id);
      expect(await ids(operator)).to.deep.equal(["10:2", "12:0", "12:1"]);
      // The operator's address in another case is the same operator.
      expect(await ids(operator.toLowerCase())).to.deep.equal(["10:2", "12:0", "12:1"]);
      // A service of no member, or of an operator no member has: the flag only.
      expect(await ids(undefined)).to.deep.equal(["12:1"]);
      expect(await ids("0x" + "cd".repeat(20))).to.deep.equal(["12:1"]);
      // The regulator sees the flag, not the loans; an exporter nothing.
      expect(await ids(operator, parseRoles("regulator"))).to.deep.equal(["12:1"]);
      expect(await ids(operator, parseRoles("exporter"))).to.deep.equal([]);
    } finally {
      await database.close();
    }
  });

  it("test_specialRange_namesEveryNonPublicAddress_andWebhookTargetRefusal_refusesThem", async function () {
    const special: [string, string][] = [
      ["127.0.0.1", "loopback"],
      ["127.8.9.10", "loopback"],
      ["::1", "loopback"],
      ["::ffff:127.0.0.1", "loopback"],
      ["10.0.0.1", "private"],
      ["172.31.255.255", "private"],
      ["192.168.0.1", "private"],
      ["fd12:3456::1", "uniqueLocal"],
      ["fc00::1", "uniqueLocal"],
      ["169.254.169.254", "linkLocal"],
      ["fe80::1", "linkLocal"],
      ["0.0.0.0", "unspecified"],
      ["::", "unspecified"],
      ["224.0.0.1", "multicast"],
      ["ff02::1", "multicast"],
      ["100.64.0.1", "carrierGradeNat"],
      ["255.255.255.255", "broadcast"],
      // IPv4-compatible (::/96) and any other IPv6 outside global unicast, 2000::/3 (review 34, S3).
      ["::a9fe:a9fe", "non-global"],
      ["::7f00:1", "non-global"],
      ["4000::1", "non-global"],
    ];
    for (const [address, range] of special) expect(specialRange(address), address).to.equal(range);
    for (const address of ["93.184.215.14", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"]) {
      expect(specialRange(address), address).to.equal(undefined);
    }
    // A URL: its host as written (brackets, a number for an address), or as the name resolves (localhost).
    expect((await webhookTargetRefusal(new URL("http://[fe80::1]/")))?.detail).to.equal(
      "fe80::1 is a linkLocal address",
    );
    expect((await webhookTargetRefusal(new URL("http://2130706433/")))?.detail).to.equal(
      "127.0.0.1 is a loopback address",
    );
    // A name's refusal does not say what it resolved to, nor whether it resolved at all (it would map internal
    // names for any token holder); the log's reason does.
    const local = await webhookTargetRefusal(new URL("http://localhost/"));
    expect(local?.detail).to.equal("localhost does not resolve to public addresses only");
    expect(local?.reason).to.contain("127.0.0.1 (loopback)");
    // A public address is taken as it is (nothing is sent to it here).
    expect(await webhookTargetRefusal(new URL("https://93.184.215.14/hooks"))).to.equal(undefined);
  });

  it("test_verifyWebhookSignature_refusesAnotherSecret_anotherBody_andAStaleTimestamp", function () {
    const secret = "whsec_test";
    const body = '{"id":"17:4"}';
    const header = signWebhook(secret, body, 1_800_000_000);
    expect(verifyWebhookSignature(secret, header, body, 300, 1_800_000_100)).to.equal(true);
    expect(verifyWebhookSignature("whsec_other", header, body, 300, 1_800_000_100)).to.equal(false);
    expect(verifyWebhookSignature(secret, header, '{"id":"17:5"}', 300, 1_800_000_100)).to.equal(false);
    // A captured delivery replayed later is refused, and so is one dated in the future.
    expect(verifyWebhookSignature(secret, header, body, 300, 1_800_000_301)).to.equal(false);
    expect(verifyWebhookSignature(secret, header, body, 300, 1_799_999_699)).to.equal(false);
    // Another timestamp with the same MAC, a missing part, or no header at all.
    expect(
      verifyWebhookSignature(secret, header.replace("t=1800000000", "t=1800000001"), body, 300, 1_800_000_000),
    ).to.equal(false);
    expect(verifyWebhookSignature(secret, header.split(",")[1], body, 300, 1_800_000_000)).to.equal(false);
    expect(verifyWebhookSignature(secret, undefined, body, 300, 1_800_000_000)).to.equal(false);
    // During a rotation, a header with the old and the new secret's signatures passes with either.
    const both = `${header},v1=${signWebhook("whsec_new", body, 1_800_000_000).split("v1=")[1]}`;
    expect(verifyWebhookSignature("whsec_new", both, body, 300, 1_800_000_000)).to.equal(true);
  });
});
