/**
 * The supply-chain finance flow alone, on a fresh chain: each operation's gas against the brief's floor, and the
 * flow's total (the `scf.fullFlow` part of scripts/bench.ts, plus `encumber`), in seconds rather than minutes.
 *
 *   npx hardhat run scripts/bench-scf.ts
 */
import { network } from "hardhat";
import { ZeroAddress, type TransactionReceipt, type TransactionResponse } from "ethers";

import { signQuote } from "../src/eip712.js";
import { invoiceKey } from "../src/keys.js";

import { measureTx, sumFigures, toRow, type GasFigures, type GasRow } from "./lib/gas.js";
import { ephemeralKey } from "./lib/loans.js";
import { deployWorld } from "./lib/world.js";

const connection = await network.create();
const { provider, networkHelpers } = connection;
const key = ephemeralKey();
const world = await deployWorld(connection, undefined, key);
const rows: GasRow[] = [];
const flow: GasFigures[] = [];

interface Step {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
}

/** With SCF_BENCH_TRACE=1: each transaction's storage and call costs by depth, read off its trace. */
async function explain(operation: string, hash: string): Promise<void> {
  if (process.env.SCF_BENCH_TRACE !== "1") return;
  const trace = (await provider.request({
    method: "debug_traceTransaction",
    params: [hash, { disableMemory: true, disableStack: true, disableStorage: true }],
  })) as { structLogs: Step[] };
  const sums = new Map<string, { n: number; gas: number }>();
  for (const step of trace.structLogs) {
    if (!/^(SLOAD|SSTORE|CALL|STATICCALL|DELEGATECALL|LOG\d|KECCAK256|TLOAD|TSTORE)$/.test(step.op)) continue;
    const cost = step.op.endsWith("CALL") ? Math.min(step.gasCost, 2_700) : step.gasCost;
    const key = `d${step.depth} ${step.op} ${step.op.endsWith("CALL") ? (cost >= 2_600 ? "cold" : "warm") : cost}`;
    const sum = sums.get(key) ?? { n: 0, gas: 0 };
    sums.set(key, { n: sum.n + 1, gas: sum.gas + cost });
  }
  const steps = trace.structLogs.length;
  console.log(`-- ${operation}: ${steps} steps`);
  for (const [key, { n, gas }] of [...sums].sort()) console.log(`   ${key.padEnd(28)} x${n} = ${gas}`);
}

async function record(
  operation: string,
  send: Promise<TransactionResponse>,
  inFlow = true,
): Promise<TransactionReceipt> {
  const tx = await send;
  const figures = await measureTx(provider, tx);
  rows.push(toRow(operation, figures));
  await explain(operation, tx.hash);
  if (inFlow) flow.push(figures);
  return (await tx.wait())!;
}

const scf = world.contracts.scf;
const cny = world.contracts.tokens.CNY;
const scfAddress = await scf.getAddress();
const cnyAddress = await cny.getAddress();
const pearl = world.admins.pearl;
const [tier1, tier2, bank] = [world.admins.glassworks, world.admins.precision, world.admins.pacific];
const DAY = 86_400n;
const pearlEntity = await world.contracts.members.entityKeyOf(world.ids.pearl);
let invoiceNo = 0;
const invoice = () => invoiceKey(key, pearlEntity, `INV-${++invoiceNo}`, "2026-11-01");
await scf.connect(pearl).chooseFinancier(cnyAddress, world.ids.huaxia);
await scf.connect(world.admins.huaxia).setCreditLine(world.ids.pearl, cnyAddress, 1_000_000_000n);
await cny.connect(world.issuer).mint(tier1, 1_000_000n); // as in scripts/bench.ts: tier 1 holds CNY already
await cny.connect(world.issuer).mint(pearl, 500_000_000n);
await cny.connect(pearl).approve(scfAddress, 500_000_000n);
await cny.connect(world.issuer).mint(bank, 500_000_000n);
await cny.connect(bank).approve(scfAddress, 500_000_000n);
const maturity = BigInt(await networkHelpers.time.latest()) + 90n * DAY;

await record("issue", scf.connect(pearl).issue(tier1, cnyAddress, 100_000_000n, maturity, [invoice()]));
const root = 1n << 24n;
const child = root + 1n;
if (process.env.SCF_BENCH_TWO_TX !== "1") {
  await record(
    "splitTo [60/40, 40% to tier 2]",
    scf.connect(tier1).splitTo(root, [60_000_000n, 40_000_000n], [ZeroAddress, tier2.address]),
  );
} else {
  await record("split [into two]", scf.connect(tier1).split(root, [60_000_000n, 40_000_000n]));
  await record("transfer [to tier 2]", scf.connect(tier1).transfer(child, tier2));
}
const now = BigInt(await networkHelpers.time.latest());
const q = {
  id: child,
  rateBps: 600,
  dayBase: 360 as const,
  recourse: false,
  seller: world.ids.precision,
  expiry: now + 3_600n,
  nonce: 1n,
};
await record("finance [without recourse]", scf.connect(tier2).finance(q, await signQuote(scf, bank, q)));
await networkHelpers.time.increaseTo(maturity);
await record("repay [at maturity]", scf.connect(pearl).repay(root));
await record("collect [supplier]", scf.connect(tier1).collect(root));
await record("collect [financier]", scf.connect(tier1).collect(child));
const total = sumFigures(flow);

// encumber, outside the flow: a fresh family held by tier 1.
const maturity2 = BigInt(await networkHelpers.time.latest()) + 90n * DAY;
await scf.connect(pearl).issue(tier1, cnyAddress, 10_000_000n, maturity2, [invoice()]);
const root2 = 2n << 24n;
await record("encumber", scf.connect(tier1).encumber(root2, world.ids.huaxia), false);
await record("release", scf.connect(world.admins.huaxia).release(root2), false);
await record("transfer [tier 1 -> tier 2]", scf.connect(tier1).transfer(root2, tier2), false);

for (const r of rows) {
  console.log(`${r.operation.padEnd(34)} ${String(r.gas).padStart(8)} floor ${String(r.floor).padStart(8)} ${r.ratio}`);
}
console.log(`flow ${total.gas} floor ${total.floor} ratio ${(total.gas / total.floor).toFixed(3)}`);
