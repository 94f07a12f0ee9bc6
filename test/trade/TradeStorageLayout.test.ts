/**
 * The settlement's storage layout, from the compiler (solc's `storageLayout` for the build's own input), against a
 * committed snapshot: the layout comments in TradeSettlementBase (an order is five slots: `Parties` 1, `Money` 3,
 * the packed tranches 1; the settlement's own counters share the pause slot) cannot drift from the compiled layout
 * again, and TradeSettlementCold, which runs by DELEGATECALL on the settlement's storage, has the very same layout.
 * Refresh the snapshot after a deliberate change: TRADELINE_UPDATE_LAYOUT=1 npx hardhat test mocha --no-compile <this>.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

import { expect } from "chai";

interface StorageItem {
  label: string;
  slot: string;
  offset: number;
  type: string;
}
interface StorageLayout {
  storage: StorageItem[];
  types: Record<string, { label: string; numberOfBytes: string; members?: StorageItem[] }>;
}

const root = new URL("../../", import.meta.url);
const SNAPSHOT = new URL("test/trade/TradeSettlement.storage.json", root);

/** The compiler's storage layouts of `contracts` (name -> source), from the solc input that built the first. */
function layoutsOf(contracts: Record<string, string>): Record<string, StorageLayout> {
  const artifactOf = (name: string) =>
    JSON.parse(readFileSync(new URL(`artifacts/${contracts[name]}/${name}.json`, root), "utf8")) as {
      inputSourceName: string;
      buildInfoId: string;
    };
  const names = Object.keys(contracts);
  const info = JSON.parse(
    readFileSync(new URL(`artifacts/build-info/${artifactOf(names[0]).buildInfoId}.json`, root), "utf8"),
  ) as { solcVersion: string; input: { settings: Record<string, unknown> } };
  const outputSelection: Record<string, Record<string, string[]>> = {};
  for (const name of names) (outputSelection[artifactOf(name).inputSourceName] ??= {})[name] = ["storageLayout"];
  // Only the layout is asked for: solc analyses the sources without generating code (a second or two).
  const input = { ...info.input, settings: { ...info.input.settings, outputSelection } };
  const solc = createRequire(import.meta.url)("solc") as { version(): string; compile(input: string): string };
  expect(solc.version().startsWith(`${info.solcVersion}+`), `solc ${solc.version()}`).to.equal(true);
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { storageLayout: StorageLayout }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error").map((e) => e.formattedMessage);
  expect(errors).to.deep.equal([]);
  return Object.fromEntries(
    names.map((name) => [name, output.contracts[artifactOf(name).inputSourceName][name].storageLayout]),
  );
}

/** A layout without the compiler's AST ids: each variable's slot, offset and type, each struct's size and members. */
function readable(layout: StorageLayout) {
  const clean = (t: string) => t.replace(/\)\d+/g, ")");
  const variables = layout.storage.map((v) => `${v.slot}:${v.offset} ${v.label} ${clean(v.type)}`);
  const structs = Object.fromEntries(
    Object.values(layout.types)
      .filter((t) => t.members !== undefined)
      .map((t) => [
        t.label,
        {
          slots: Number(t.numberOfBytes) / 32,
          members: (t.members ?? []).map((m) => `${m.slot}:${m.offset} ${m.label} ${clean(m.type)}`),
        },
      ]),
  );
  return { variables, structs };
}

describe("TradeSettlement storage layout", function () {
  this.timeout(120_000);
  let layouts: Record<string, StorageLayout>;

  before(function () {
    layouts = layoutsOf({
      TradeSettlement: "contracts/trade/TradeSettlement.sol",
      TradeSettlementCold: "contracts/trade/TradeSettlementCold.sol",
    });
  });

  it("test_storageLayout_anOrderIsFiveSlots_asTheCommentsSay", function () {
    const { structs } = readable(layouts.TradeSettlement);
    expect(structs["struct TradeSettlementBase.Parties"].slots).to.equal(1);
    expect(structs["struct TradeSettlementBase.Money"].slots).to.equal(3);
    const tranches = layouts.TradeSettlement.storage.find((v) => v.label === "_tranches");
    const value = tranches && layouts.TradeSettlement.types[tranches.type];
    expect(value?.label).to.equal("mapping(OrderId => PackedTranches)");
    // The settlement's counters share the pause slot (EmergencyPause's fields come first).
    const slotOf = (label: string) => layouts.TradeSettlement.storage.find((v) => v.label === label)?.slot;
    expect(slotOf("_orderCount")).to.equal(slotOf("_pausedAt"));
    expect(slotOf("_thresholdWord")).to.equal(slotOf("_pausedAt"));
  });

  it("test_storageLayout_coldRunsOnTheSameLayout", function () {
    expect(readable(layouts.TradeSettlementCold)).to.deep.equal(readable(layouts.TradeSettlement));
  });

  it("test_storageLayout_matchesTheSnapshot", function () {
    const now = readable(layouts.TradeSettlement);
    if (process.env.TRADELINE_UPDATE_LAYOUT === "1") writeFileSync(SNAPSHOT, JSON.stringify(now, null, 2) + "\n");
    expect(now).to.deep.equal(JSON.parse(readFileSync(SNAPSHOT, "utf8")));
  });
});
