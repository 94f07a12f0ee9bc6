/**
 * The layout comments of TradeSettlementBase against the compiler's layout (issue 15: they had drifted): an order is
 * five slots (`Parties` 1, `Money` 3, the packed tranches 1) and the settlement's own counters share EmergencyPause's
 * slot. The whole layout is snapshotted in docs/storage-layout.md (test/layout/storage-layout.test.ts, which also
 * checks that TradeSettlementCold lays out storage as the settlement it runs on).
 */
import { expect } from "chai";

import { storageLayouts } from "../../scripts/lib/layout.js";

describe("TradeSettlement storage layout (the comments)", function () {
  this.timeout(120_000);
  let layout: NonNullable<Awaited<ReturnType<typeof storageLayouts>> extends Map<string, infer L> ? L : never>;

  before(async () => {
    layout = (await storageLayouts()).get("TradeSettlement")!;
  });

  const struct = (name: string) =>
    Object.values(layout.types ?? {}).find((t) => t.label === `struct TradeSettlementBase.${name}`);
  const variable = (label: string) => layout.storage.find((v) => v.label === label);

  it("test_storageLayout_anOrderIsFiveSlots_asTheCommentsSay", function () {
    expect(Number(struct("Parties")?.numberOfBytes) / 32).to.equal(1);
    expect(Number(struct("Money")?.numberOfBytes) / 32).to.equal(3);
    const tranches = variable("_tranches");
    expect(tranches && layout.types?.[tranches.type]?.label).to.equal("mapping(OrderId => PackedTranches)");
  });

  it("test_storageLayout_theCountersShareThePauseSlot", function () {
    for (const label of ["_orderCount", "_arbiterWindow", "_thresholdWord"]) {
      expect(variable(label)?.slot, label).to.equal(variable("_pausedAt")?.slot);
    }
  });
});
