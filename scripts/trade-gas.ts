/**
 * The trade lifecycle's gas, quickly (issue 15): per operation the gas, the floor and the ratio, and with DETAIL=1
 * each call an `attest` makes, with the gas it used (inclusive) and its cold storage reads, from
 * debug_traceTransaction. `npx hardhat run scripts/trade-gas.ts`; the bench (scripts/bench.ts) is the reference.
 */
import { network } from "hardhat";
import type { TransactionResponse } from "ethers";

import { documentCommitment, newSalt } from "../src/commitments.js";
import { signPermit } from "../src/eip712.js";
import { reasonCode } from "../src/encoding.js";
import {
  EVIDENCE_KINDS,
  NO_FX_QUOTE,
  parseTranches,
  scaledRate,
  signAssignment,
  signAttestation,
  signFxQuote,
  tradeDomainOf,
  type EvidenceKindName,
  type FxQuote,
} from "../src/trade.js";

import { measureTx, sumFigures, type GasFigures } from "./lib/gas.js";
import { fundGlasswareParties, runGlasswareLifecycle } from "./lib/glassware.js";
import { deployWorld } from "./lib/world.js";

interface Step {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}

const connection = await network.create();
const { provider, networkHelpers } = connection;
const world = await deployWorld(connection);
await fundGlasswareParties(world, 12);
const names = new Map<string, string>();
for (const [k, t] of Object.entries(world.contracts.tokens)) names.set((await t.getAddress()).toLowerCase(), k);
for (const [k, v] of Object.entries(world.contracts)) {
  const c = v as { getAddress?: () => Promise<string> };
  if (typeof c.getAddress === "function") names.set((await c.getAddress()).toLowerCase(), k);
}
names.set("0x0000000000000000000000000000000000000001", "ecrecover");
names.set((await world.contracts.trade.checks()).toLowerCase(), "checks");
names.set((await world.contracts.trade.cold()).toLowerCase(), "cold");

function callTree(logs: Step[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < logs.length; i++) {
    const s = logs[i];
    if (!["CALL", "STATICCALL", "DELEGATECALL"].includes(s.op) || s.stack === undefined) continue;
    const to =
      "0x" +
      BigInt(s.stack[s.stack.length - 2])
        .toString(16)
        .padStart(40, "0");
    let j = i + 1;
    while (j < logs.length && logs[j].depth > s.depth) j++;
    const used = j < logs.length ? s.gas - logs[j].gas : NaN;
    let cold = 0;
    for (let k = i + 1; k < j; k++) if (logs[k].op === "SLOAD" && logs[k].gasCost === 2_100) cold++;
    lines.push(`${"  ".repeat(s.depth)}${s.op} ${names.get(to) ?? to}: ${used} gas, ${cold} cold SLOADs`);
  }
  return lines;
}

const flow: GasFigures[] = [];
await runGlasswareLifecycle(world, BigInt(await networkHelpers.time.latest()), async (op, tx) => {
  const f = await measureTx(provider, tx);
  flow.push(f);
  const ratio = (f.gas / f.floor).toFixed(3);
  console.log(`${op}: gas ${f.gas} floor ${f.floor} ratio ${ratio} (new ${f.newSlots}, updated ${f.updatedSlots})`);
  if (process.env.DETAIL !== "1") return;
  if (process.env.SSTORES === "1") {
    const t = (await provider.request({
      method: "debug_traceTransaction",
      params: [tx.hash, { disableMemory: true, disableStack: true, disableStorage: true }],
    })) as { structLogs: Step[] };
    const costs = t.structLogs.filter((s) => s.op === "SSTORE").map((s) => `${s.depth}:${s.gasCost}`);
    console.log(`  SSTOREs (depth:gas): ${costs.join(" ")}`);
  }
  const trace = (await provider.request({
    method: "debug_traceTransaction",
    params: [tx.hash, { disableMemory: true, disableStack: false, disableStorage: true }],
  })) as { structLogs: Step[] };
  const top = trace.structLogs.filter((s) => s.depth === 1 && s.op === "SLOAD" && s.gasCost === 2_100).length;
  console.log(callTree(trace.structLogs).join("\n"));
  console.log(`  cold SLOADs in the settlement itself: ${top}`);
});
const total = sumFigures(flow);
console.log(`lifecycle: gas ${total.gas} floor ${total.floor} ratio ${(total.gas / total.floor).toFixed(3)}`);

// The bench's other trade rows (scripts/bench.ts, same order), after the lifecycle.
const trade = world.contracts.trade;
const tradeAddress = await trade.getAddress();
const ta = world.admins;
const { tokens } = world.contracts;
const fresh4 = world.outsiders[3];
async function record(operation: string, send: Promise<TransactionResponse>): Promise<void> {
  const f = await measureTx(provider, await send);
  console.log(`${operation}: gas ${f.gas} floor ${f.floor} ratio ${(f.gas / f.floor).toFixed(3)}`);
}
const { glasswareOrder } = await import("./lib/glassware.js");
{
  const domainT = await tradeDomainOf(trade);
  const now = async () => BigInt(await networkHelpers.time.latest());
  let quoteNonce = 1_000n;
  /** Huaxia's MXN->CNY quote at 0.38, bound to order `id` and the exporter it pays (item 8). */
  const fx = async (id: bigint) => {
    const q: FxQuote = {
      order: id,
      beneficiary: world.ids.glassworks,
      sellToken: await tokens.MXN.getAddress(),
      buyToken: await tokens.CNY.getAddress(),
      rate: scaledRate("0.38"),
      maxSellAmount: 40_000_000n,
      expiry: (await now()) + 3_600n,
      nonce: ++quoteNonce,
    };
    return { q, sig: await signFxQuote(ta.huaxia, domainT, q) };
  };
  const evidence = async (id: bigint, kind: EvidenceKindName, oracles = [ta.carrier]) => {
    const doc = documentCommitment(`${kind}-${id}`, newSalt());
    const sigs = await Promise.all(oracles.map((o) => signAttestation(o, domainT, id, kind, doc)));
    return { kind: EVIDENCE_KINDS.indexOf(kind), doc, sigs };
  };
  let orders = 1n;
  /**
   * Creates, accepts and funds another order; `payout` CNY converts, MXN does not. The exporter names Huaxia's quotes
   * at 0.38 or better, so that anyone may relay them with the evidence.
   */
  const openOrder = async (payout: "CNY" | "MXN", tranches = "30:Shipped,40:CustomsCleared,30:Delivered") => {
    const terms = await glasswareOrder(world, await now(), `PO-BENCH-${++orders}`);
    const order = { ...terms, payoutToken: await tokens[payout].getAddress(), tranches: parseTranches(tranches) };
    await trade.connect(ta.cristal).createOrder(order);
    await trade.connect(ta.glassworks).accept(orders);
    await trade.connect(ta.glassworks).setFxTerms(orders, world.ids.huaxia, scaledRate("0.38"));
    await tokens.MXN.connect(ta.golfo).approve(tradeAddress, terms.amount);
    await trade.connect(ta.golfo).fund(orders);
    return { id: orders, order };
  };

  // Funding with a permit instead of an approval.
  {
    const terms = await glasswareOrder(world, await now(), `PO-BENCH-${++orders}`);
    await trade.connect(ta.cristal).createOrder(terms);
    await trade.connect(ta.glassworks).accept(orders);
    const deadline = (await now()) + 3_600n;
    const p = await signPermit(tokens.MXN, ta.golfo, tradeAddress, terms.amount as bigint, deadline);
    await record(
      "TradeSettlement.fundWithPermit [ERC-2612, no prior approval]",
      trade.connect(ta.golfo).fundWithPermit(orders, deadline, p.v, p.r, p.s),
    );
  }
  // Same-currency payment; evidence that waits for a quote, then payReleased.
  {
    const { id } = await openOrder("MXN");
    const e = await evidence(id, "Shipped");
    await record(
      "TradeSettlement.attest [Shipped, 1 oracle, pays a tranche without FX]",
      trade.attest(id, e.kind, e.doc, e.sigs, NO_FX_QUOTE, "0x"),
    );
  }
  {
    const { id } = await openOrder("CNY");
    const e = await evidence(id, "Shipped");
    await record(
      "TradeSettlement.attest [Shipped, evidence only: no quote yet]",
      trade.attest(id, e.kind, e.doc, e.sigs, NO_FX_QUOTE, "0x"),
    );
    const { q, sig } = await fx(id);
    await record("TradeSettlement.payReleased [1 tranche in CNY]", trade.payReleased(id, q, sig));
  }
  // Two-of-n evidence.
  {
    await record("TradeSettlement.setThreshold", trade.setThreshold(0, 2));
    const { id } = await openOrder("CNY");
    const e = await evidence(id, "Shipped", [ta.carrier, ta.customs]);
    const sorted = [ta.carrier, ta.customs]
      .map((o, i) => ({ o: BigInt(o.address), sig: e.sigs[i] }))
      .sort((x, y) => (x.o < y.o ? -1 : 1))
      .map((x) => x.sig);
    const { q, sig } = await fx(id);
    await record(
      "TradeSettlement.attest [Shipped, 2 oracles, pays a tranche in CNY]",
      trade.attest(id, e.kind, e.doc, sorted, q, sig),
    );
    await trade.setThreshold(0, 1);
  }
  // Pre-shipment finance the financier signed for (item 7), then a settlement that pays the financier and reports the
  // loan repaid.
  {
    const terms = await glasswareOrder(world, await now(), `PO-BENCH-${++orders}`);
    const id = orders;
    await trade
      .connect(ta.cristal)
      .createOrder({ ...terms, payoutToken: terms.payToken, tranches: parseTranches("100:Shipped") });
    await trade.connect(ta.glassworks).accept(id);
    const assignment = {
      order: id,
      exporter: world.ids.glassworks,
      financier: world.ids.pacific,
      advance: 20_000_000n,
      deadline: (await now()) + 3_600n,
    };
    const signature = await signAssignment(ta.pacific, domainT, assignment);
    await record(
      "TradeSettlement.assignProceeds [financier's signature, reported to the credit registry]",
      trade
        .connect(ta.glassworks)
        .assignProceeds(id, assignment.financier, assignment.advance, assignment.deadline, signature),
    );
    await tokens.MXN.connect(ta.golfo).approve(tradeAddress, terms.amount);
    await trade.connect(ta.golfo).fund(id);
    const e = await evidence(id, "Shipped");
    await record(
      "TradeSettlement.attest [Shipped, pays the financier, reports the loan repaid]",
      trade.attest(id, e.kind, e.doc, e.sigs, NO_FX_QUOTE, "0x"),
    );
  }
  // Dispute after delivery, and the arbiter's split with FX.
  {
    const { id } = await openOrder("CNY", "70:Shipped+Delivered,30:Inspected");
    for (const kind of ["Shipped", "Delivered"] as const) {
      const e = await evidence(id, kind);
      const { q, sig } = await fx(id);
      await trade.attest(id, e.kind, e.doc, e.sigs, q, sig);
    }
    await record("TradeSettlement.dispute", trade.connect(ta.cristal).dispute(id, reasonCode("BROKEN-GLASS")));
    const { q, sig } = await fx(id);
    await record(
      "TradeSettlement.resolve [50% to the exporter in CNY, the rest refunded]",
      trade.connect(ta.regulator).resolve(id, 5_000, q, sig),
    );
  }
  // Time rules, each called by a stranger.
  {
    const unshipped = await openOrder("MXN");
    const objection = await openOrder("MXN", "70:Shipped+Delivered,30:Inspected");
    for (const kind of ["Shipped", "Delivered"] as const) {
      const e = await evidence(objection.id, kind);
      await trade.attest(objection.id, e.kind, e.doc, e.sigs, NO_FX_QUOTE, "0x");
    }
    // Evidence showed the goods moved: at expiry what remains is the exporter's (item 4), no longer a refund.
    const expired = await openOrder("MXN");
    const e = await evidence(expired.id, "Shipped");
    await trade.attest(expired.id, e.kind, e.doc, e.sigs, NO_FX_QUOTE, "0x");
    // A dispute the arbiter leaves undecided past its deadline: what was at stake is refunded at expiry.
    const undecided = await openOrder("MXN", "40:Shipped+Delivered,30:CustomsCleared,30:Inspected");
    for (const kind of ["Shipped", "Delivered"] as const) {
      const ev = await evidence(undecided.id, kind);
      await trade.attest(undecided.id, ev.kind, ev.doc, ev.sigs, NO_FX_QUOTE, "0x");
    }
    await trade.connect(ta.cristal).dispute(undecided.id, reasonCode("SHORT-DELIVERY"));
    const terms = await glasswareOrder(world, await now(), `PO-BENCH-${++orders}`);
    await trade.connect(ta.cristal).createOrder(terms);
    const lapsing = orders;
    await networkHelpers.time.increaseTo(expired.order.expiry as bigint);
    await networkHelpers.time.increase(1);
    const stranger = trade.connect(fresh4);
    await record("TradeSettlement.refundUnshipped [all 3 tranches]", stranger.refundUnshipped(unshipped.id));
    await record(
      "TradeSettlement.releaseAfterObjection [final tranche, no FX]",
      stranger.releaseAfterObjection(objection.id, NO_FX_QUOTE, "0x"),
    );
    await record(
      "TradeSettlement.releaseAfterObjection [at expiry after evidence: 2 tranches, no FX]",
      stranger.releaseAfterObjection(expired.id, NO_FX_QUOTE, "0x"),
    );
    await record(
      "TradeSettlement.refundExpired [2 unpaid tranches, dispute undecided]",
      stranger.refundExpired(undecided.id),
    );
    await record("TradeSettlement.refundExpired [lapse an unfunded order]", stranger.refundExpired(lapsing));
  }
}
