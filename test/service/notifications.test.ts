import { expect } from "chai";

import { parseRoles } from "../../service/auth.js";
import { kindsVisibleTo, maySee, notificationOf, parseCursor } from "../../service/notifications.js";
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
    expect(kindsVisibleTo(parseRoles("operator"))).to.deep.equal([]);
    // A token event, an undecoded log, or a name from another contract makes no notification.
    expect(notificationOf(row("TokenCNY", "Transfer", {}))).to.equal(undefined);
    expect(notificationOf({ ...row("CreditRegistry", "LoanRegistered", {}), name: null })).to.equal(undefined);
    expect(notificationOf(row("ReceivableLedger", "TranchePaid", {}))).to.equal(undefined);
    expect(parseCursor("17:4")).to.deep.equal({ block: 17, logIndex: 4 });
    for (const bad of ["", "17", "17:", "-1:0", "1e3:0", "17:4:1"]) expect(parseCursor(bad), bad).to.equal(undefined);
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
