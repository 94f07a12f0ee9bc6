import { readFile } from "node:fs/promises";

import { expect } from "chai";

import { LAYOUT_DOC, renderLayouts, storageLayouts } from "../../scripts/lib/layout.js";

/**
 * The storage layout as the compiler lays it out, against docs/storage-layout.md (issue 15: the layout comments had
 * drifted from the compiled layout). A deliberate change runs `npm run layout` and reviews the diff with the
 * contracts' layout comments.
 */
describe("storage layout", function () {
  this.timeout(120_000);
  let layouts: Awaited<ReturnType<typeof storageLayouts>>;
  before(async () => {
    layouts = await storageLayouts();
  });

  it("matches docs/storage-layout.md (run `npm run layout` after a deliberate change)", async () => {
    const documented = await readFile(LAYOUT_DOC, "utf8");
    expect(renderLayouts(layouts)).to.equal(documented);
  });

  // A cold part runs by DELEGATECALL on its hot contract's storage: one layout, slot for slot.
  for (const [hot, cold] of [
    ["CreditRegistry", "CreditRegistryCold"],
    ["TradeSettlement", "TradeSettlementCold"],
  ]) {
    it(`${cold} lays out storage exactly as ${hot}, whose storage it runs on`, () => {
      const strip = (name: string) =>
        layouts.get(name)!.storage.map(({ label, slot, offset, type }) => ({ label, slot, offset, type }));
      expect(layouts.has(hot) && layouts.has(cold), `${hot} and ${cold} both have storage`).to.equal(true);
      expect(strip(cold)).to.deep.equal(strip(hot));
    });
  }
});
