/**
 * Gas of every state-changing operation, against the brief's floor. Writes bench/results.json and prints a table.
 *
 *   make bench       (or: npm run bench)
 */
import { spawn } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

import { network } from "hardhat";
import { toBeHex, Wallet, ZeroAddress, type TransactionReceipt, type TransactionResponse } from "ethers";

import { commitment, consentCommitment, documentCommitment, newSalt } from "../src/commitments.js";
import {
  consentPurpose,
  dayOf,
  DEFAULT_SCORECARD,
  isoDate,
  loanRef,
  loanStatus,
  productKind,
  type LoanInput,
} from "../src/credit.js";
import { newSignatureNonce, signConfirmation, signPermit, signQuote } from "../src/eip712.js";
import { currencyCode, reasonCode, legalIdHash, jurisdictionCode } from "../src/encoding.js";
import { invoiceKey } from "../src/keys.js";
import { entityKey, roleMask } from "../src/members.js";
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
import { amortisingPlan, dueDay, Frequency, totalDue } from "../src/schedule.js";
import { eventArg, mined } from "../src/tx.js";
import { formatTable } from "../tasks/lib/members.js";

import { calldataGas, measureCallsTo, measureTx, sumFigures, toRow, type GasFigures, type GasRow } from "./lib/gas.js";
import { fundGlasswareParties, glasswareOrder, runGlasswareLifecycle } from "./lib/glassware.js";
import { ephemeralKey, sampleLoan, syntheticId } from "./lib/loans.js";
import {
  beyondFloor,
  formatBeyondFloor,
  formatItem,
  type BeyondFloor,
  type KnownContract,
} from "./lib/beyond-floor.js";
import { storageLayouts } from "./lib/layout.js";
import { formatProfile, profileTx, type GasProfile } from "./lib/profile.js";
import { contractSizes, EIP170_LIMIT } from "./lib/sizes.js";
import { deployWorld } from "./lib/world.js";
import { EVM_VERSION } from "../hardhat.config.js";

/** Hardhat's command line (its `bin`, which the package does not export as a module path). */
const hardhatCli = fileURLToPath(new URL("../node_modules/hardhat/dist/src/cli.js", import.meta.url));
/**
 * With TRADELINE_BENCH_REPLAY=1 the script runs its scenarios only, for test/service/bench-replay.test.ts, which
 * imports it and replays the chain's events into the read model: the registry is filled to 1,000 borrowers (not
 * 10,000), and there is no JSON-RPC run, no results file and no table.
 */
const REPLAY = process.env.TRADELINE_BENCH_REPLAY === "1";
export const connection = await network.create();
const { provider, networkHelpers } = connection;
const rows: GasRow[] = [];

/** Each deployed contract's address (lower case) to its name in the world, for the profiles. */
async function contractNames(): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const [name, c] of Object.entries(world.contracts)) {
    const addressable = c as { getAddress?: () => Promise<string> };
    if (typeof addressable.getAddress === "function") names[(await addressable.getAddress()).toLowerCase()] = name;
  }
  for (const [currency, token] of Object.entries(world.contracts.tokens)) {
    names[(await token.getAddress()).toLowerCase()] = `token ${currency}`;
  }
  return names;
}

/** A signer for `address`, impersonated and funded: a fresh key the bench links as an operator accepts its link. */
async function impersonated(address: string) {
  await networkHelpers.impersonateAccount(address);
  await networkHelpers.setBalance(address, 10n ** 20n);
  return connection.ethers.getSigner(address);
}

/** Above this ratio to the floor, a row's trace profile is recorded: where the gas over the floor went. */
const PROFILE_ABOVE = 1.3;
/** The supply-chain finance flow's target: 2x cheaper than the peer's 1,015,054 (issue 15). */
const SCF_TARGET = 507_000;
const profiles: { operation: string; profile: GasProfile }[] = [];
/** Transactions of this much gas or more (the batches of 100) are not itemised. */
const ITEMISE_BELOW = 1_000_000;
/** The transactions whose gas beyond the floor is itemised at the end: those above 1.3x, and every flow's. */
const itemised: { operation: string; tx: TransactionResponse; gas: number; floor: number; flow?: string }[] = [];

async function record(
  operation: string,
  send: Promise<TransactionResponse>,
  /** The flow the transaction belongs to ("scf", "trade"): itemised whatever its ratio, and summed in its bound. */
  inFlow?: string,
): Promise<TransactionReceipt> {
  const tx = await send;
  const row = toRow(operation, await measureTx(provider, tx));
  rows.push(row);
  const receipt = (await tx.wait())!;
  if (!REPLAY && row.ratio > PROFILE_ABOVE) {
    profiles.push({ operation, profile: await profileTx(provider, tx.hash, tx.data, Number(receipt.gasUsed)) });
  }
  // A batch's trace with memory would not fit in memory: its per-record items are those of the single operation.
  if (!REPLAY && (inFlow !== undefined || row.ratio > PROFILE_ABOVE) && row.gas < ITEMISE_BELOW) {
    itemised.push({ operation, tx, gas: row.gas, floor: row.floor, flow: inFlow });
  }
  return receipt;
}

/** The world's contracts by address, with the storage layout that names the slots of those that hold state. */
async function knownContracts(): Promise<Map<string, KnownContract>> {
  const layouts = await storageLayouts();
  const kinds: Record<string, string> = {
    members: "MemberRegistry",
    consents: "ConsentBook",
    credit: "CreditRegistry",
    score: "CreditScore",
    scf: "ReceivableLedger",
    trade: "TradeSettlement",
  };
  const known = new Map<string, KnownContract>();
  for (const [address, name] of Object.entries(await contractNames())) {
    // "token CNY" is a SettlementToken, shown as "SettlementToken CNY".
    const currency = /^token (\w+)$/.exec(name)?.[1];
    const kind = currency === undefined ? kinds[name] : "SettlementToken";
    const shown = currency === undefined ? (kind ?? name) : `${kind} ${currency}`;
    known.set(address, { name: shown, layout: kind === undefined ? undefined : layouts.get(kind) });
  }
  const { trade, scf, credit } = world.contracts;
  for (const [name, address] of [
    ["TradeChecks", await trade.checks()],
    ["TradeSettlementCold", await trade.cold()],
    ["ReceivableLedgerCold", await scf.cold()],
    ["CreditRegistryCold", await credit.cold()],
  ]) {
    known.set(address.toLowerCase(), { name, split: true });
  }
  return known;
}

/**
 * The module API of the credit registry is called only by the listed modules, inside their own operations: these rows
 * are the registry's call frames measured in the module transactions below (the module rows show the whole
 * transaction). They are placed in the credit registry's section of the table.
 */
const moduleRows: GasRow[] = [];
let moduleRowsAt = 0;
/**
 * Measures the calls `receipt` made into the credit registry, one row per label, and fails if their number differs
 * (a report the registry refused would be deferred by the module, and measure nothing).
 */
async function recordCreditCalls(receipt: TransactionReceipt, within: string, labels: string[]): Promise<void> {
  const frames = await measureCallsTo(provider, receipt.hash, await world.contracts.credit.getAddress());
  const deferred = receipt.logs.filter((l) => l.topics[0] === deferredTopic).length;
  if (frames.length !== labels.length || deferred !== 0) {
    throw new Error(
      `bench: ${within}: ${frames.length} credit registry calls (${deferred} deferred), expected ${labels.length}`,
    );
  }
  for (const [i, label] of labels.entries()) moduleRows.push(toRow(label, frames[i], within));
}

// ─── MemberRegistry ─────────────────────────────────────────────────────────

export const world = await deployWorld(connection);
const deferredTopic = world.contracts.scf.interface.getEvent("CreditReportDeferred").topicHash;
const { members, tokens } = world.contracts;
const [fresh1, fresh2, fresh3, fresh4] = world.outsiders;
const glassworks = world.admins.glassworks;
const reason = reasonCode("AML-2026-0042");

/** Admits a new member with legal id `lei` and one role, whose admin is a new funded key: the key and the member id. */
async function admitFundedMember(lei: string, jurisdiction: string, role: string) {
  const admin = Wallet.createRandom().connect(connection.ethers.provider);
  await networkHelpers.setBalance(admin.address, 10n ** 18n);
  await members.admit(
    legalIdHash(lei),
    entityKey(world.key, lei),
    jurisdictionCode(jurisdiction),
    roleMask([role]),
    admin,
  );
  return { admin, id: await members.memberForKey(admin) };
}

await record(
  "MemberRegistry.admit",
  members.admit(
    legalIdHash("TLBENCHBANK00000001"),
    entityKey(world.key, "TLBENCHBANK00000001"),
    jurisdictionCode("BR"),
    roleMask(["Lender"]),
    fresh1,
  ),
);
const benchId = await members.memberForKey(fresh1);
await record("MemberRegistry.grantRoles", members.grantRoles(benchId, roleMask(["Financier"])));
await record("MemberRegistry.removeRoles", members.removeRoles(benchId, roleMask(["Financier"])));
await record("MemberRegistry.addLegalId", members.addLegalId(benchId, legalIdHash("TLBENCHBIC000000001")));
await record("MemberRegistry.addOperator [offer]", members.connect(fresh1).addOperator(benchId, fresh3));
await record("MemberRegistry.cancelOperatorOffer", members.connect(fresh1).cancelOperatorOffer(benchId, fresh3));
await mined(await members.connect(fresh1).addOperator(benchId, fresh2));
await record("MemberRegistry.acceptOperatorOffer", members.connect(fresh2).acceptOperatorOffer(benchId));
await record("MemberRegistry.setPayoutAccount", members.connect(fresh1).setPayoutAccount(benchId, fresh2));
await record("MemberRegistry.setAdmin [existing operator]", members.connect(fresh1).setAdmin(benchId, fresh2));
await record("MemberRegistry.removeOperator", members.connect(fresh2).removeOperator(benchId, fresh1));
// The governor's key recovery waits RECOVERY_DELAY, during which the member's admin may cancel it (item 22).
await members.proposeAdminRecovery(benchId, Wallet.createRandom().address);
await record("MemberRegistry.cancelAdminRecovery [by the admin]", members.connect(fresh2).cancelAdminRecovery(benchId));
await record("MemberRegistry.proposeAdminRecovery [new operator]", members.proposeAdminRecovery(benchId, fresh3));
await networkHelpers.time.increase(await members.RECOVERY_DELAY());
await record("MemberRegistry.completeAdminRecovery [new operator]", members.completeAdminRecovery(benchId));
await record("MemberRegistry.suspend", members.suspend(benchId, reason));
await record("MemberRegistry.reinstate", members.reinstate(benchId, reason));
await record("MemberRegistry.revoke", members.revoke(benchId, reason));

// ─── SettlementToken ────────────────────────────────────────────────────────

const cny = tokens.CNY;
await record("SettlementToken.mint [new holder]", cny.connect(world.issuer).mint(glassworks, 1_000_000n));
await record("SettlementToken.mint [existing holder]", cny.connect(world.issuer).mint(glassworks, 1_000_000n));
{
  // The first mint above found the issuer in the registry and kept it in its word: a later one at the same
  // membership epoch, to a holder new to the token, does not ask the registry for the issuer's role.
  const newcomer = await impersonated(Wallet.createRandom().address);
  await mined(await members.connect(glassworks).addOperator(world.ids.glassworks, newcomer));
  await mined(await members.connect(newcomer).acceptOperatorOffer(world.ids.glassworks));
  await record(
    "SettlementToken.mint [new holder, the issuer already found at this epoch]",
    cny.connect(world.issuer).mint(newcomer, 1_000n),
  );
}
await record("SettlementToken.transfer [new holder]", cny.connect(glassworks).transfer(world.admins.cristal, 500n));
await record(
  "SettlementToken.transfer [existing holder]",
  cny.connect(glassworks).transfer(world.admins.cristal, 500n),
);
await record("SettlementToken.approve", cny.connect(glassworks).approve(world.admins.huaxia, 10_000n));
await record(
  "SettlementToken.transferFrom",
  cny.connect(world.admins.huaxia).transferFrom(glassworks, world.admins.cristal, 700n),
);
{
  const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
  const p = await signPermit(cny, glassworks, world.admins.golfo.address, 9_000n, deadline);
  await record(
    "SettlementToken.permit",
    cny.connect(fresh4).permit(p.owner, p.spender, p.value, p.deadline, p.v, p.r, p.s),
  );
}
await cny.connect(world.issuer).mint(world.issuer, 5_000n);
await record("SettlementToken.burn", cny.connect(world.issuer).burn(2_000n));
await record("SettlementToken.freeze", cny.freeze(world.admins.cristal, reason));
await record("SettlementToken.unfreeze", cny.unfreeze(world.admins.cristal, reason));
await record("SettlementToken.setSystemAccount", cny.setSystemAccount(fresh4, true));
await record("SettlementToken.pause", cny.pause());
await record("SettlementToken.unpause", cny.unpause());

// ─── CreditRegistry ─────────────────────────────────────────────────────────

const credit = world.contracts.credit;
const key = ephemeralKey();
const asHuaxia = credit.connect(world.admins.huaxia);
const asPacific = credit.connect(world.admins.pacific);
let borrowers = 0;
/** `count` loans, each to a borrower new to the registry, with references unique to the run. */
const newLoans = (count: number, prefix: string): LoanInput[] =>
  Array.from({ length: count }, () => {
    borrowers += 1;
    return sampleLoan(key, { loanRef: `${prefix}-${borrowers}`, idNumber: syntheticId(borrowers) });
  });
const consents = world.contracts.consents;
const purpose = consentPurpose("NewCredit");
/** Records a consent of `borrowerKey` for `lender`'s inquiries (90 days), measured as a row when `label` is given. */
async function consentOf(
  lender: keyof typeof world.admins,
  borrowerKey: string,
  label?: string,
  given = purpose,
): Promise<string> {
  const expiresAt = (await networkHelpers.time.latest()) + 90 * 86_400;
  const documentHash = consentCommitment(`borrower authorization, bench ${borrowerKey} ${lender}`, newSalt());
  const send = consents.connect(world.admins[lender]).recordConsent({
    borrowerKey,
    documentHash,
    purpose: given,
    expiresAt,
    covered: [],
  });
  if (label === undefined) await (await send).wait();
  else await record(label, send);
  return consents.consentId(world.ids[lender], documentHash);
}
const scaling: { borrowers: number; registerLoan: number; inquire: number }[] = [];
/** The credit flow the issue compares with a peer's: record a consent, register a new borrower's loan, inquire. */
const creditFlowRows: GasRow[] = [];

/** Fills the registry (from another lender) up to `target` borrowers, then measures at that size. */
async function measureAtSize(target: number): Promise<void> {
  while (borrowers < target - 1) await asPacific.registerLoans(newLoans(Math.min(100, target - 1 - borrowers), "FILL"));
  const [known] = newLoans(1, `KNOWN-${target}`);
  await asPacific.registerLoan(known);
  const size = Number(await credit.borrowerCount());
  const label = size.toLocaleString("en-US");
  const [fresh] = newLoans(1, `SIZE-${target}`);
  const consent = await consentOf(
    "huaxia",
    known.borrowerKey as string,
    target === 1 ? "ConsentBook.recordConsent [the holder only]" : undefined,
  );
  await record(`CreditRegistry.registerLoan [new borrower; registry ${label}]`, asHuaxia.registerLoan(fresh));
  await record(
    `CreditRegistry.inquire [under a consent; registry ${label}]`,
    asHuaxia.inquire(known.borrowerKey, purpose, consent),
  );
  const [reg, inq] = rows.slice(-2);
  if (target === 1) creditFlowRows.push(rows.at(-3)!, reg, inq);
  if (target === 1) {
    // The inquiry ring (item 15): a repeat by the same lender refreshes its entry; another lender takes the next one.
    await record(
      "CreditRegistry.inquire [under a consent; repeat by the same lender]",
      asHuaxia.inquire(known.borrowerKey, purpose, consent),
    );
    const golfoConsent = await consentOf("golfo", known.borrowerKey as string);
    await record(
      "CreditRegistry.inquire [under a consent; second distinct lender]",
      credit.connect(world.admins.golfo).inquire(known.borrowerKey, purpose, golfoConsent),
    );
  }
  scaling.push({ borrowers: size, registerLoan: reg.gas, inquire: inq.gas });
}
for (const size of REPLAY ? [1, 1_000] : [1, 1_000, 10_000]) await measureAtSize(size);

/** 100 single registrations against one batch of 100, for the same kind of records. */
const batches: { scenario: string; singleAverage: number; batchPerRecord: number; ratio: number }[] = [];
async function compareBatch(scenario: string, make: (prefix: string) => Promise<LoanInput[]>): Promise<void> {
  let singles = 0;
  for (const loan of await make("SINGLE"))
    singles += Number((await (await asHuaxia.registerLoan(loan)).wait())!.gasUsed);
  await record(`CreditRegistry.registerLoans [100 ${scenario}]`, asHuaxia.registerLoans(await make("BATCH")));
  const batchGas = rows[rows.length - 1].gas;
  batches.push({
    scenario,
    singleAverage: Math.round(singles / 100),
    batchPerRecord: Math.round(batchGas / 100),
    ratio: Number((batchGas / singles).toFixed(3)),
  });
}
await compareBatch("new borrowers", async (prefix) => newLoans(100, prefix));
await compareBatch("borrowers known at another lender", async (prefix) => {
  const loans = newLoans(100, `${prefix}-PEER`);
  await asPacific.registerLoans(loans);
  return loans.map((l, i) => ({ ...l, loanRef: loanRef(`${prefix}-OWN-${borrowers}-${i}`) }));
});

// Lifecycle of single loans.
const [life] = newLoans(1, "LIFE");
await asHuaxia.registerLoan(life);
const lifeRef = life.loanRef;
await record("CreditRegistry.fileLoanRepayment [partial]", asHuaxia.fileLoanRepayment(lifeRef, 100_000n));
await record(
  "CreditRegistry.fileLoanStatus [Active -> Overdue]",
  asHuaxia.fileLoanStatus(lifeRef, loanStatus("Overdue")),
);
await record(
  "CreditRegistry.fileLoanStatus [Overdue -> Defaulted]",
  asHuaxia.fileLoanStatus(lifeRef, loanStatus("Defaulted")),
);
await record(
  "CreditRegistry.fileLoanStatus [Defaulted -> WrittenOff]",
  asHuaxia.fileLoanStatus(lifeRef, loanStatus("WrittenOff")),
);
{
  // A written-off debt still owed is collected: a soft look-up naming the loan (review 34, C3).
  const collections = await consentOf("huaxia", life.borrowerKey as string, undefined, consentPurpose("Collections"));
  await record(
    "CreditRegistry.collectionInquiry [a written-off loan]",
    asHuaxia.collectionInquiry(life.borrowerKey, lifeRef, collections),
  );
}
const [paid] = newLoans(1, "PAID");
await asHuaxia.registerLoan(paid);
await record(
  "CreditRegistry.fileLoanRepayment [in full -> Repaid]",
  asHuaxia.fileLoanRepayment(paid.loanRef, paid.outstanding),
);
{
  const loans = newLoans(100, "REPAY");
  await asHuaxia.registerLoans(loans);
  const lines = loans.map((l) => ({ loanRef: l.loanRef, amount: 1_000n }));
  await record("CreditRegistry.fileLoanRepayments [100 partial]", asHuaxia.fileLoanRepayments(lines));
}
{
  const quicklend = world.ids.quicklend;
  const [joint] = newLoans(1, "JOINT");
  const funders = [
    { member: world.ids.huaxia, shareBps: 7_000 },
    { member: quicklend, shareBps: 3_000 },
  ];
  await record(
    "CreditRegistry.registerJointLoan [bank 70% + platform 30%]",
    asHuaxia.registerJointLoan({ ...joint, kind: productKind("JointLoan") }, funders),
  );
}
{
  // A funder named in a joint loan has the reference claimed for it (item 11): one claim per other funder.
  const [joint3] = newLoans(1, "JOINT3");
  await record(
    "CreditRegistry.registerJointLoan [bank 50% + bank 20% + platform 30%: 2 claims]",
    asHuaxia.registerJointLoan({ ...joint3, kind: productKind("JointLoan") }, [
      { member: world.ids.huaxia, shareBps: 5_000 },
      { member: world.ids.golfo, shareBps: 2_000 },
      { member: world.ids.quicklend, shareBps: 3_000 },
    ]),
  );
  // A Regulator frees a reference claimed in a funder's name by mistake, so that the funder can book it itself.
  await record(
    "CreditRegistry.releaseJointLoanClaim [by a Regulator]",
    credit
      .connect(world.admins.regulator)
      .releaseJointLoanClaim(world.ids.golfo, joint3.loanRef, reasonCode("CLAIMED-IN-ERROR")),
  );
}
// The module API rows (reportExposure, reportDefault, closeExposure) go here; they are measured in the modules.
moduleRowsAt = rows.length;
{
  const asRegulator = credit.connect(world.admins.regulator);
  const huaxiaId = world.ids.huaxia;
  const [disputed] = newLoans(1, "DISPUTE");
  await asHuaxia.registerLoan(disputed);
  await record(
    "CreditRegistry.openDispute",
    asRegulator.openDispute(huaxiaId, disputed.loanRef, reasonCode("BORROWER-CLAIM-77")),
  );
  await record(
    "CreditRegistry.answerDispute",
    asHuaxia.answerDispute(disputed.loanRef, commitment("dispute-answer", "lender answer", newSalt())),
  );
  await record(
    "CreditRegistry.correctLoan",
    asRegulator.correctLoan(
      huaxiaId,
      disputed.loanRef,
      {
        status: loanStatus("Active"),
        outstanding: 2_500_000n,
        commitment: commitment("document", "corrected record", newSalt()),
      },
      reasonCode("RULING-2026-031"),
    ),
  );
  await record("CreditRegistry.resolveDispute", asRegulator.resolveDispute(huaxiaId, disputed.loanRef, reason));
}
await record(
  "CreditRegistry.setPolicy",
  credit.setPolicy({
    maxLenders: 4,
    maxInquiries: 6,
    inquiryWindow: 30 * 86_400,
    maxOutstanding: 0,
    maxPlatformShareBps: 3_000,
    mode: 1,
    maxAprBps: 3_600,
    graceDays: 15,
  }),
);
await record("CreditRegistry.pause", credit.pause());
await record("CreditRegistry.unpause", credit.unpause());

// ─── ReceivableLedger ───────────────────────────────────────────────────────

const scf = world.contracts.scf;
const scfAddress = await scf.getAddress();
const pearl = world.admins.pearl;
const [tier1, tier2, bank] = [world.admins.glassworks, world.admins.precision, world.admins.pacific];
const DAY = 86_400n;
const flow: GasFigures[] = [];
/** Records one operation and adds it to the full flow's total. */
async function step(operation: string, send: Promise<TransactionResponse>): Promise<void> {
  await record(operation, send, "scf");
  const r = rows[rows.length - 1];
  flow.push({ gas: r.gas, newSlots: r.newSlots, updatedSlots: r.updatedSlots, floor: r.floor });
}
let invoiceNo = 0;
const pearlEntity = await world.contracts.members.entityKeyOf(world.ids.pearl);
const invoice = () => invoiceKey(key, pearlEntity, `INV-${++invoiceNo}`, "2026-11-01");
const cnyAddress = await cny.getAddress();
const asHuaxiaScf = scf.connect(world.admins.huaxia);
// The debtor chooses the bank of its CNY line (item 9); only that bank sets and freezes the line.
await record("ReceivableLedger.chooseFinancier", scf.connect(pearl).chooseFinancier(cnyAddress, world.ids.huaxia));
await record("ReceivableLedger.setCreditLine", asHuaxiaScf.setCreditLine(world.ids.pearl, cnyAddress, 1_000_000_000n));
await cny.connect(world.issuer).mint(pearl, 500_000_000n);
await cny.connect(pearl).approve(scfAddress, 500_000_000n);
await cny.connect(world.issuer).mint(bank, 500_000_000n);
await cny.connect(bank).approve(scfAddress, 500_000_000n);
const maturity = BigInt(await networkHelpers.time.latest()) + 90n * DAY;
/** The root of the family a `request` or `issue` created. */
function rootIn(receipt: TransactionReceipt): bigint {
  for (const log of receipt.logs) {
    const parsed = scf.interface.parseLog(log);
    if (parsed?.name === "ReceivableRequested") return parsed.args.id as bigint;
  }
  throw new Error("bench: no ReceivableRequested event");
}

// The full flow: issue and confirm, split, transfer, discount, repay, and each holder paid.
await step(
  "ReceivableLedger.issue [confirmed to tier 1, 1 invoice]",
  scf.connect(pearl).issue(tier1, cnyAddress, 100_000_000n, maturity, [invoice()]),
);
const root = 1n << 24n; // the first family's root
if ((await scf.getPiece(root)).holder !== world.ids.glassworks) throw new Error("bench: unexpected first receivable");
// One transaction splits 60/40 and hands the 40% piece to tier 2 (split and transfer apart are measured below).
await step(
  "ReceivableLedger.splitTo [60/40, the 40% piece to tier 2]",
  scf.connect(tier1).splitTo(root, [60_000_000n, 40_000_000n], [ZeroAddress, tier2.address]),
);
const child = root + 1n;
{
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
  await step(
    "ReceivableLedger.finance [without recourse]",
    scf.connect(tier2).finance(q, await signQuote(scf, bank, q)),
  );
}
await networkHelpers.time.increaseTo(maturity);
await step("ReceivableLedger.repay [at maturity]", scf.connect(pearl).repay(root));
await step("ReceivableLedger.collect [supplier]", scf.connect(tier1).collect(root));
await step("ReceivableLedger.collect [financier]", scf.connect(tier1).collect(child));
const scfFlow = sumFigures(flow);

// The other operations.
{
  const maturity2 = BigInt(await networkHelpers.time.latest()) + 90n * DAY;
  // Split and transfer as two transactions, as the full flow did before splitTo.
  const apart = rootIn(
    await mined(await scf.connect(pearl).issue(tier1, cnyAddress, 100_000_000n, maturity2, [invoice()])),
  );
  await record("ReceivableLedger.split [into two]", scf.connect(tier1).split(apart, [60_000_000n, 40_000_000n]));
  await record("ReceivableLedger.transfer [to tier 2]", scf.connect(tier1).transfer(apart + 1n, tier2));
  const requested = rootIn(
    await record(
      "ReceivableLedger.request",
      scf.connect(tier1).request(world.ids.pearl, cnyAddress, 50_000_000n, maturity2, [invoice()]),
    ),
  );
  await record("ReceivableLedger.confirm", scf.connect(pearl).confirm(requested));
  const relayed = rootIn(
    await mined(await scf.connect(tier1).request(world.ids.pearl, cnyAddress, 50_000_000n, maturity2, [invoice()])),
  );
  const signed = await signConfirmation(scf, pearl, relayed, maturity2);
  await record(
    "ReceivableLedger.confirmWithSignature [relayed]",
    scf
      .connect(fresh4)
      .confirmWithSignature(
        relayed,
        signed.graceSeconds,
        signed.penaltyRateBps,
        signed.nonce,
        signed.deadline,
        signed.signature,
      ),
  );
  // A request reserves nothing (item 10): the debtor rejects one, and another lapses at its maturity.
  const rejected = rootIn(
    await mined(await scf.connect(tier1).request(world.ids.pearl, cnyAddress, 10_000_000n, maturity2, [invoice()])),
  );
  await record("ReceivableLedger.reject [by the debtor]", scf.connect(pearl).reject(rejected));
  const lapsing = rootIn(
    await mined(await scf.connect(tier1).request(world.ids.pearl, cnyAddress, 10_000_000n, maturity2, [invoice()])),
  );
  await record(
    "ReceivableLedger.split [into four]",
    scf.connect(tier1).split(requested, [20_000_000n, 10_000_000n, 10_000_000n, 10_000_000n]),
  );
  const now = BigInt(await networkHelpers.time.latest());
  const q = {
    id: requested + 1n,
    rateBps: 600,
    dayBase: 365 as const,
    recourse: true,
    seller: world.ids.glassworks,
    expiry: now + 3_600n,
    nonce: 2n,
  };
  const recourse = await record(
    "ReceivableLedger.finance [with recourse: reported to the credit registry]",
    scf.connect(tier1).finance(q, await signQuote(scf, bank, q)),
  );
  await recordCreditCalls(recourse, "ReceivableLedger.finance [with recourse]", [
    "CreditRegistry.reportExposure [module: recourse finance of a receivable]",
  ]);
  await record("ReceivableLedger.encumber", scf.connect(tier1).encumber(requested + 2n, world.ids.huaxia));
  await record("ReceivableLedger.release", asHuaxiaScf.release(requested + 2n));
  // A second piece of the family financed by the same bank, so that its default is added to the bank's record.
  const q2 = { ...q, id: requested + 2n, recourse: false, nonce: 77n };
  await mined(await scf.connect(tier1).finance(q2, await signQuote(scf, bank, q2)));
  await record("ReceivableLedger.cancelNonce", scf.connect(bank).cancelNonce(99n));
  await record("ReceivableLedger.freeze", scf.connect(world.admins.regulator).freeze(requested + 3n, true, reason));
  await record("ReceivableLedger.freezeCreditLine", asHuaxiaScf.freezeCreditLine(world.ids.pearl, cnyAddress, true));
  await record(
    "ReceivableLedger.reassignCreditLine [by the governor]",
    scf.reassignCreditLine(world.ids.pearl, cnyAddress, world.ids.golfo),
  );
  await networkHelpers.time.increaseTo(maturity2 + 8n * DAY);
  await record("ReceivableLedger.lapse [unconfirmed request at maturity]", scf.connect(fresh4).lapse(lapsing));
  await record("ReceivableLedger.markOverdue", scf.connect(fresh4).markOverdue(requested));
  const defaulted = await record(
    "ReceivableLedger.declareDefault [reported to the credit registry]",
    scf.connect(bank).declareDefault(requested + 1n),
  );
  await recordCreditCalls(defaulted, "ReceivableLedger.declareDefault", [
    "CreditRegistry.reportDefault [module: a financed piece in default]",
  ]);
  // One default per family and financier (review 4, A1): the bank's second piece is added to its record.
  const added = await record(
    "ReceivableLedger.declareDefault [a second piece of the same financier: added to its default record]",
    scf.connect(bank).declareDefault(requested + 2n),
  );
  await recordCreditCalls(added, "ReceivableLedger.declareDefault [second piece]", [
    "CreditRegistry.reportDefault [module: added to the financier's default record of the family]",
  ]);
  await record("ReceivableLedger.repay [late, with penalty]", scf.connect(pearl).repay(relayed));
  await record("ReceivableLedger.collect [with penalty share]", scf.connect(tier1).collect(relayed));
  // A default leaves the payment path open (item 3): the debtor repays, and each holder collects.
  await record("ReceivableLedger.repay [after a default]", scf.connect(pearl).repay(requested));
  const closed = await record(
    "ReceivableLedger.collect [financier: closes the recourse and default records]",
    scf.connect(tier1).collect(requested + 1n),
  );
  await recordCreditCalls(closed, "ReceivableLedger.collect [financier, recourse piece in default]", [
    "CreditRegistry.closeExposure [module: recourse record repaid]",
    "CreditRegistry.closeExposure [module: default record repaid]",
  ]);
  // Payouts follow the member (item 2): a payout the token refuses is parked, and claimed later.
  await cny.freeze(tier1, reason);
  await record("ReceivableLedger.collect [payee's account frozen: parked]", scf.connect(fresh4).collect(requested));
  await cny.unfreeze(tier1, reason);
  await record("ReceivableLedger.claimOwed", scf.connect(fresh4).claimOwed(world.ids.glassworks, cnyAddress));
  await record("ReceivableLedger.setTerms", scf.setTerms(10 * 86_400, 2_000));
  await record("ReceivableLedger.pause", scf.pause());
  await record("ReceivableLedger.unpause", scf.unpause());
}

// ─── TradeSettlement ────────────────────────────────────────────────────────

const trade = world.contracts.trade;
const tradeAddress = await trade.getAddress();
const ta = world.admins;
await fundGlasswareParties(world, 12);
const tradeFlow: GasFigures[] = [];
const lifecycleStart = BigInt(await networkHelpers.time.latest());
await runGlasswareLifecycle(world, lifecycleStart, async (operation, tx) => {
  await record(operation, Promise.resolve(tx), "trade");
  const r = rows[rows.length - 1];
  tradeFlow.push({ gas: r.gas, newSlots: r.newSlots, updatedSlots: r.updatedSlots, floor: r.floor });
});
const tradeLifecycle = sumFigures(tradeFlow);
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
   * Creates, accepts and funds another order; `payout` CNY converts, MXN does not. On an order that converts, the
   * exporter names Huaxia's quotes at 0.38 or better, so that anyone may relay them with the evidence.
   */
  const openOrder = async (payout: "CNY" | "MXN", tranches = "30:Shipped,40:CustomsCleared,30:Delivered") => {
    const terms = await glasswareOrder(world, await now(), `PO-BENCH-${++orders}`);
    const order = { ...terms, payoutToken: await tokens[payout].getAddress(), tranches: parseTranches(tranches) };
    await trade.connect(ta.cristal).createOrder(order);
    await trade.connect(ta.glassworks).accept(orders);
    if (payout === "CNY") await trade.connect(ta.glassworks).setFxTerms(orders, world.ids.huaxia, scaledRate("0.38"));
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
    // The provider withdraws a quote it signed, before it expires.
    await record("TradeSettlement.cancelNonce", trade.connect(ta.huaxia).cancelNonce(99n));
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
  /**
   * An accepted order of one tranche (paid on shipment), and the exporter's assignment of its proceeds to Pacific for
   * an advance of 200,000.00 MXN, with Pacific's signature: `assign()` sends it.
   */
  const assignableOrder = async () => {
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
      nonce: newSignatureNonce(),
    };
    const signature = await signAssignment(ta.pacific, domainT, assignment);
    const assign = () =>
      trade
        .connect(ta.glassworks)
        .assignProceeds(id, assignment.financier, assignment.advance, assignment.deadline, assignment.nonce, signature);
    return { id, terms, assign };
  };
  // Pre-shipment finance the financier signed for (item 7), then a settlement that pays the financier and reports the
  // loan repaid.
  {
    const { id, terms, assign } = await assignableOrder();
    const assigned = await record(
      "TradeSettlement.assignProceeds [financier's signature, reported to the credit registry]",
      assign(),
    );
    await recordCreditCalls(assigned, "TradeSettlement.assignProceeds", [
      "CreditRegistry.reportExposure [module: pre-shipment finance of an order]",
    ]);
    await tokens.MXN.connect(ta.golfo).approve(tradeAddress, terms.amount);
    await trade.connect(ta.golfo).fund(id);
    const e = await evidence(id, "Shipped");
    const settled = await record(
      "TradeSettlement.attest [Shipped, pays the financier, reports the loan repaid]",
      trade.attest(id, e.kind, e.doc, e.sigs, NO_FX_QUOTE, "0x"),
    );
    await recordCreditCalls(settled, "TradeSettlement.attest [pays the financier, settles the order]", [
      "CreditRegistry.closeExposure [module: pre-shipment finance repaid]",
    ]);
  }
  // Recovery paths: a credit report the paused registry refused, delivered later by anyone; a payout the token
  // refused (the financier's account frozen), parked and claimed.
  {
    const { id, terms, assign } = await assignableOrder();
    const credit = world.contracts.credit;
    await credit.pause();
    const deferred = await mined(await assign());
    await credit.unpause();
    const ref = deferred.logs.map((l) => trade.interface.parseLog(l)).find((l) => l?.name === "CreditReportDeferred")!
      .args.ref as string;
    await record(
      "TradeSettlement.retryCreditReports [one report the paused registry refused]",
      trade.connect(fresh4).retryCreditReports(ref, 10),
    );
    await tokens.MXN.connect(ta.golfo).approve(tradeAddress, terms.amount);
    await trade.connect(ta.golfo).fund(id);
    const e = await evidence(id, "Shipped");
    await tokens.MXN.freeze(ta.pacific, reason);
    await mined(await trade.attest(id, e.kind, e.doc, e.sigs, NO_FX_QUOTE, "0x"));
    await tokens.MXN.unfreeze(ta.pacific, reason);
    await record(
      "TradeSettlement.claimOwed [a payout the frozen account refused]",
      trade.connect(fresh4).claimOwed(world.ids.pacific, await tokens.MXN.getAddress()),
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
    // Pre-shipment finance of an order never shipped: the refund leaves the advance's record open for the financier.
    const advanced = await assignableOrder();
    await mined(await advanced.assign());
    await tokens.MXN.connect(world.issuer).mint(ta.golfo, advanced.terms.amount);
    await tokens.MXN.connect(ta.golfo).approve(tradeAddress, advanced.terms.amount);
    await trade.connect(ta.golfo).fund(advanced.id);
    await networkHelpers.time.increaseTo(expired.order.expiry as bigint);
    await networkHelpers.time.increase(1);
    const stranger = trade.connect(fresh4);
    await record("TradeSettlement.refundUnshipped [all 3 tranches]", stranger.refundUnshipped(unshipped.id));
    await record(
      "TradeSettlement.refundUnshipped [assigned: the advance's record left open]",
      stranger.refundUnshipped(advanced.id),
    );
    await record(
      "TradeSettlement.closeAdvance [the financier: repaid outside the order, reported to the credit registry]",
      trade.connect(ta.pacific).closeAdvance(advanced.id),
    );
    await record(
      "TradeSettlement.releaseAfterObjection [final tranche, no FX]",
      stranger.releaseAfterObjection(objection.id, NO_FX_QUOTE, "0x"),
    );
    await record(
      "TradeSettlement.releaseAfterObjection [at expiry after shipment evidence: the 2 tranches it did not release refunded]",
      stranger.releaseAfterObjection(expired.id, NO_FX_QUOTE, "0x"),
    );
    await record(
      "TradeSettlement.refundExpired [2 unpaid tranches, dispute undecided]",
      stranger.refundExpired(undecided.id),
    );
    await record("TradeSettlement.refundExpired [lapse an unfunded order]", stranger.refundExpired(lapsing));
  }
  await record("TradeSettlement.pause", trade.connect(ta.regulator).pause());
  await record("TradeSettlement.unpause", trade.connect(ta.regulator).unpause());
  // A payout to an exporter revoked after it shipped: the token refuses it, the settlement parks it, and the governor
  // sends it where the consortium decides. Last of the trade rows: the revocation moves the membership epoch.
  {
    const { admin: exporter, id: exporterId } = await admitFundedMember("TLBENCHEXPORTER0004", "CN", "Exporter");
    const mxn = await tokens.MXN.getAddress();
    const terms = await glasswareOrder(world, await now(), `PO-BENCH-${++orders}`);
    const order = { ...terms, exporter: exporterId, payoutToken: mxn, tranches: parseTranches("100:Shipped") };
    await trade.connect(ta.cristal).createOrder(order);
    await trade.connect(exporter).accept(orders);
    await tokens.MXN.connect(ta.golfo).approve(tradeAddress, terms.amount);
    await trade.connect(ta.golfo).fund(orders);
    const e = await evidence(orders, "Shipped");
    await members.revoke(exporterId, reasonCode("BENCH-REVOKE"));
    await mined(await trade.attest(orders, e.kind, e.doc, e.sigs, NO_FX_QUOTE, "0x"));
    await record(
      "TradeSettlement.redirectOwed [a revoked exporter's parked payout]",
      trade.redirectOwed(exporterId, mxn, ta.cristal, reasonCode("BENCH-REDIRECT")),
    );
  }
}

// ─── Consumer credit (near the end: it moves the chain's clock) ──────────────

{
  // A consumer loan of 12,000.00 on 12 monthly instalments at 18% a year, registered with its APR.
  const today = dayOf(await networkHelpers.time.latest());
  const principal = 1_200_000n;
  const plan = amortisingPlan({
    principal,
    annualRateBps: 1_800,
    instalments: 12,
    frequency: Frequency.Monthly,
    firstDueDay: today + 30,
  });
  borrowers += 1;
  const record12 = {
    loanRef: `PLAN-${borrowers}`,
    idNumber: syntheticId(borrowers),
    principal,
    outstanding: totalDue(plan),
    originated: isoDate(today),
    matures: isoDate(dueDay(plan, 11)),
    plan,
  };
  const planned = sampleLoan(key, record12);
  await record(
    "CreditRegistry.registerLoan [consumer loan, 12 monthly instalments, APR]",
    asHuaxia.registerLoan(planned),
  );
  await record(
    "CreditRegistry.fileLoanRepayment [an instalment of a plan loan]",
    asHuaxia.fileLoanRepayment(planned.loanRef, plan.instalment),
  );
  const id = await credit.loanId(world.ids.huaxia, planned.loanRef);
  // The second instalment is missed: 30 days after it fell due (grace 15), a stranger moves the loan to Overdue.
  await networkHelpers.time.increaseTo((dueDay(plan, 1) + 30) * 86_400);
  const stranger = credit.connect(world.outsiders[world.outsiders.length - 1]); // never a member
  await record("CreditRegistry.ageLoan [missed instalment -> Overdue, by a stranger]", stranger.ageLoan(id));
  await networkHelpers.time.increaseTo((dueDay(plan, 1) + 45) * 86_400);
  await record("CreditRegistry.ageLoan [bucket 1-30 -> 31-60]", stranger.ageLoan(id));
  const score = world.contracts.score;
  const scoreGas = await score.scoreOf.estimateGas(planned.borrowerKey);
  const scoreCall = score.interface.encodeFunctionData("scoreOf", [planned.borrowerKey]);
  const scoreFloor = 21_000 + calldataGas(scoreCall);
  rows.push({
    operation: "CreditScore.scoreOf [view, eth_estimateGas]",
    gas: Number(scoreGas),
    newSlots: 0,
    updatedSlots: 0,
    floor: scoreFloor,
    ratio: Number((Number(scoreGas) / scoreFloor).toFixed(3)),
  });
  // A written-off loan's negative record ends five years on.
  await asHuaxia.fileLoanStatus(planned.loanRef, loanStatus("Defaulted"));
  await asHuaxia.fileLoanStatus(planned.loanRef, loanStatus("WrittenOff"));
  const terms = await credit.termsOf(id);
  await networkHelpers.time.increaseTo(Number(terms.negativeUntil) * 86_400);
  await record("CreditRegistry.ageLoan [negative record past retention]", stranger.ageLoan(id));
  const consent = await consentOf("huaxia", planned.borrowerKey as string);
  await record(
    "ConsentBook.revokeConsent [by its holder]",
    consents.connect(world.admins.huaxia).revokeConsent(consent, reasonCode("WITHDRAWN")),
  );
  creditFlowRows.push(rows.at(-1)!);
  await record("CreditScore.setScorecard", score.setScorecard(DEFAULT_SCORECARD));
}

// Token recovery, after the flows (it moves the registry's membership epoch), by the governor: a key its member
// removed, back to an operator of that member; a revoked member's balance, where the governor names.
{
  const cny = tokens.CNY;
  const spare = await impersonated(Wallet.createRandom().address);
  await members.connect(glassworks).addOperator(world.ids.glassworks, spare);
  await members.connect(spare).acceptOperatorOffer(world.ids.glassworks);
  await cny.connect(world.issuer).mint(spare, 3_000n);
  await members.connect(glassworks).removeOperator(world.ids.glassworks, spare);
  await record(
    "SettlementToken.recoverBalance [a removed key's, to an operator of its member]",
    cny.recoverBalance(spare, glassworks, reasonCode("BENCH-RECOVER")),
  );
  const lei = "TLBENCHBANK00000002";
  const leaving = Wallet.createRandom().address;
  await members.admit(
    legalIdHash(lei),
    entityKey(world.key, lei),
    jurisdictionCode("BR"),
    roleMask(["Lender"]),
    leaving,
  );
  await cny.connect(world.issuer).mint(leaving, 2_000n);
  await members.revoke(await members.memberForKey(leaving), reasonCode("BENCH-REVOKE"));
  await record(
    "SettlementToken.recoverBalance [a revoked member's, where the governor names]",
    cny.recoverBalance(leaving, world.admins.cristal, reasonCode("BENCH-REDIRECT")),
  );
}

/** After the flows: the bank of the debtor's CNY line as the SCF rows left it (reassigned by the governor) unfreezes
 *  it and leaves room for `face` more. */
async function reopenPearlLine(face: bigint): Promise<void> {
  const line = await scf.creditLineOf(world.ids.pearl, cnyAddress);
  const lineBank = Object.entries(world.ids).find(([, id]) => id === line.financier)![0] as keyof typeof world.admins;
  const asLineBank = scf.connect(world.admins[lineBank]);
  if (line.frozen) await asLineBank.freezeCreditLine(world.ids.pearl, cnyAddress, false);
  await asLineBank.setCreditLine(world.ids.pearl, cnyAddress, line.used + face);
}

// The ledger's recovery paths, after the flows: a credit report the registry refused while paused, delivered by
// anyone once it runs again; and a payout parked for a supplier since revoked, sent where the governor names.
{
  const cny = tokens.CNY;
  const { admin: supplier, id: supplierId } = await admitFundedMember("TLBENCHSUPPLIER0003", "MX", "Supplier");
  await reopenPearlLine(20_000_000n);
  const due = BigInt(await networkHelpers.time.latest()) + 30n * DAY;
  const root = rootIn(await mined(await scf.connect(pearl).issue(supplier, cnyAddress, 20_000_000n, due, [invoice()])));
  await mined(await scf.connect(supplier).split(root, [10_000_000n, 10_000_000n]));
  const q = {
    id: root + 1n,
    rateBps: 600,
    dayBase: 365 as const,
    recourse: true,
    seller: supplierId,
    expiry: BigInt(await networkHelpers.time.latest()) + 3_600n,
    nonce: 3n,
  };
  const credit = world.contracts.credit;
  await credit.pause();
  await mined(await scf.connect(supplier).finance(q, await signQuote(scf, bank, q)));
  await credit.unpause();
  await record(
    "ReceivableLedger.retryCreditReports [one report the paused registry refused]",
    scf.connect(fresh4).retryCreditReports(toBeHex(root + 1n, 32), 10),
  );
  // The seller made the bank whole outside the ledger: the bank closes the recourse record (review 4, A2).
  await record(
    "ReceivableLedger.closeRecourse [the financier: the seller made it whole, reported to the credit registry]",
    scf.connect(bank).closeRecourse(root + 1n),
  );
  await networkHelpers.time.increaseTo(due);
  await cny.connect(pearl).approve(scfAddress, 20_000_000n);
  await mined(await scf.connect(pearl).repay(root));
  await members.revoke(supplierId, reasonCode("BENCH-REVOKE"));
  await mined(await scf.connect(fresh4).collect(root));
  await record(
    "ReceivableLedger.redirectOwed [a revoked supplier's parked payout]",
    scf.redirectOwed(supplierId, cnyAddress, world.admins.cristal, reasonCode("BENCH-REDIRECT")),
  );
}

// Defaults the financier books on a module's own record, after the flows (they move the clock): the seller's recourse
// on an overdue piece, and an advance an unshipped order left open past its expiry.
{
  const { admin: supplier, id: supplierId } = await admitFundedMember("TLBENCHSUPPLIER0004", "MX", "Supplier");
  await reopenPearlLine(10_000_000n);
  const due = BigInt(await networkHelpers.time.latest()) + 30n * DAY;
  const root = rootIn(await mined(await scf.connect(pearl).issue(supplier, cnyAddress, 10_000_000n, due, [invoice()])));
  const q = {
    id: root,
    rateBps: 600,
    dayBase: 365 as const,
    recourse: true,
    seller: supplierId,
    expiry: BigInt(await networkHelpers.time.latest()) + 3_600n,
    nonce: 4n,
  };
  await mined(await scf.connect(supplier).finance(q, await signQuote(scf, bank, q)));
  await networkHelpers.time.increaseTo(due + BigInt((await scf.getFamily(root)).graceSeconds) + 1n);
  const recourseDefaulted = await record(
    "ReceivableLedger.defaultRecourse [the financier: the seller did not make it whole, reported to the credit registry]",
    scf.connect(bank).defaultRecourse(root),
  );
  await recordCreditCalls(recourseDefaulted, "ReceivableLedger.defaultRecourse", [
    "CreditRegistry.defaultExposure [module: the seller's recourse record Defaulted]",
  ]);
  // A Regulator holds the bank's piece; the debtor repays, and anyone closes the seller's record (review 10, R10-1).
  await mined(await scf.connect(world.admins.regulator).freeze(root, true, reason));
  await mined(await tokens.CNY.connect(pearl).approve(scfAddress, 20_000_000n));
  await mined(await scf.connect(pearl).repay(root));
  await record(
    "ReceivableLedger.settleCreditRecords [a frozen piece of a repaid family: the seller's recourse record closed]",
    scf.connect(fresh4).settleCreditRecords(root),
  );

  const trade = world.contracts.trade;
  const terms = await glasswareOrder(world, BigInt(await networkHelpers.time.latest()), "PO-BENCH-ADVANCE-DEFAULT");
  const created = await mined(
    await trade
      .connect(ta.cristal)
      .createOrder({ ...terms, payoutToken: terms.payToken, tranches: parseTranches("100:Shipped") }),
  );
  const id = eventArg<bigint>(trade, created, "OrderCreated", "id");
  await mined(await trade.connect(ta.glassworks).accept(id));
  const assignment = {
    order: id,
    exporter: world.ids.glassworks,
    financier: world.ids.pacific,
    advance: 20_000_000n,
    deadline: BigInt(await networkHelpers.time.latest()) + 3_600n,
    nonce: newSignatureNonce(),
  };
  const signature = await signAssignment(ta.pacific, await tradeDomainOf(trade), assignment);
  await mined(
    await trade
      .connect(ta.glassworks)
      .assignProceeds(id, assignment.financier, assignment.advance, assignment.deadline, assignment.nonce, signature),
  );
  // Never funded, it lapses at its shipment deadline, leaving the advance open; unpaid at expiry, it is booked.
  await networkHelpers.time.increaseTo(BigInt(terms.shipmentDeadline) + 1n);
  await mined(await trade.connect(fresh4).refundExpired(id));
  await networkHelpers.time.increaseTo(BigInt(terms.expiry) + 1n);
  const advanceDefaulted = await record(
    "TradeSettlement.defaultAdvance [the financier: the exporter did not repay, reported to the credit registry]",
    trade.connect(ta.pacific).defaultAdvance(id),
  );
  await recordCreditCalls(advanceDefaulted, "TradeSettlement.defaultAdvance", [
    "CreditRegistry.defaultExposure [module: an unpaid advance's record Defaulted]",
  ]);
}

// Listings by the governor, after the flows: a token issuer, a settlement token and a reporter module, each set and
// cleared (the listed contracts are a spare token bound to the world's registry and the world's own scorecard, so
// nothing else changes).
{
  const cny = tokens.CNY;
  await record("SettlementToken.setIssuer [grant]", cny.setIssuer(world.ids.golfo, true));
  await record("SettlementToken.setIssuer [revoke]", cny.setIssuer(world.ids.golfo, false));
  const scoreAddress = await world.contracts.score.getAddress();
  const spare = await connection.ethers.deployContract("SettlementToken", [
    "Tradeline Digital SGD",
    "tSGD",
    currencyCode("SGD"),
    2,
    await members.getAddress(),
  ]);
  await record("MemberRegistry.setSettlementToken [list]", members.setSettlementToken(spare, true));
  await record("MemberRegistry.setSettlementToken [delist]", members.setSettlementToken(spare, false));
  const credit = world.contracts.credit;
  await record("CreditRegistry.setReporterModule [list]", credit.setReporterModule(scoreAddress, true));
  await record("CreditRegistry.setReporterModule [delist]", credit.setReporterModule(scoreAddress, false));
}

// Governance seat, last: it moves the registry's governor.
await record("MemberRegistry.transferOwnership", members.transferOwnership(fresh4));
await record("MemberRegistry.acceptOwnership", members.connect(fresh4).acceptOwnership());

if (!REPLAY) {
  // The same lifecycle over JSON-RPC: a `hardhat node` of our own, wall time from the first transaction sent to the
  // last payment mined (automining, so each transaction is its own block).
  const RPC_PORT = 8_646;
  const RPC_RUNS = 5;
  const rpcWall: number[] = [];
  // Ignition journals a JSON-RPC deployment; this one is the bench's own and is removed afterwards.
  const rpcDeploymentId = `bench-rpc-${Date.now()}`;
  {
    const node = spawn(process.execPath, [hardhatCli, "node", "--port", String(RPC_PORT)], {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("bench: hardhat node did not start in 120 s")), 120_000);
        node.stdout.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("Started HTTP")) {
            clearTimeout(timer);
            resolve();
          }
        });
        node.on("exit", (code) => reject(new Error(`bench: hardhat node exited with ${code}`)));
      });
      const rpc = await network.create({ network: "localhost", override: { url: `http://127.0.0.1:${RPC_PORT}` } });
      const rpcWorld = await deployWorld(rpc, rpcDeploymentId);
      await fundGlasswareParties(rpcWorld, RPC_RUNS);
      for (let run = 0; run < RPC_RUNS; run++) {
        const start = BigInt((await rpc.ethers.provider.getBlock("latest"))!.timestamp);
        const t0 = performance.now();
        const pending: Promise<unknown>[] = [];
        await runGlasswareLifecycle(rpcWorld, start, async (_operation, tx) => {
          pending.push(tx.wait());
        });
        await Promise.all(pending);
        rpcWall.push(performance.now() - t0);
      }
    } finally {
      process.kill(-node.pid!, "SIGTERM");
      await rm(new URL(`../ignition/deployments/${rpcDeploymentId}`, import.meta.url), {
        recursive: true,
        force: true,
      });
    }
  }
  const sortedWall = [...rpcWall].sort((x, y) => x - y);
  const rpcFigures = {
    transport: `JSON-RPC to hardhat node on 127.0.0.1:${RPC_PORT} (automine)`,
    transactions: tradeFlow.length + 1,
    runs: RPC_RUNS,
    wallMs: {
      min: Math.round(sortedWall[0]),
      median: Math.round(sortedWall[Math.floor(RPC_RUNS / 2)]),
      max: Math.round(sortedWall[RPC_RUNS - 1]),
    },
  };

  // ─── Output ─────────────────────────────────────────────────────────────────

  rows.splice(moduleRowsAt, 0, ...moduleRows);

  const known = await knownContracts();
  const beyond: ({ operation: string } & BeyondFloor)[] = [];
  /** Each flow's bound: the sum of its transactions' (floor + the reads they need, before any execution). */
  const bounds = new Map<string, number>();
  for (const t of itemised) {
    const b = await beyondFloor(provider, { hash: t.tx.hash, from: t.tx.from, to: t.tx.to }, t.gas, t.floor, known);
    beyond.push({ operation: t.operation, ...b });
    if (t.flow !== undefined) bounds.set(t.flow, (bounds.get(t.flow) ?? 0) + b.bound);
  }

  const hardfork = (connection.networkConfig as { hardfork?: string }).hardfork ?? "unknown";
  const sizes = await contractSizes();
  const flowOf = (name: string, parts: readonly GasFigures[], target: number, ratioTarget?: number, key?: string) => {
    const f = sumFigures(parts);
    const bound = key === undefined ? undefined : bounds.get(key);
    return {
      flow: name,
      transactions: parts.length,
      ...f,
      ratio: Number((f.gas / f.floor).toFixed(3)),
      target,
      ratioTarget,
      // The floor plus the reads the flow's transactions need: no implementation of these reads goes below it.
      ...(bound === undefined ? {} : { bound, boundRatio: Number((bound / f.floor).toFixed(3)) }),
    };
  };
  const flows = [
    flowOf(
      "supply-chain finance: issue a confirmed receivable, split 60/40 handing 40% to tier 2, finance, repay, collect x2",
      flow,
      SCF_TARGET,
      undefined,
      "scf",
    ),
    flowOf("credit: record a consent, register a new borrower's loan, inquire, revoke the consent", creditFlowRows, 0),
    flowOf("trade: order, accept, fund, three evidence-paid tranches with FX", tradeFlow, 700_000, 1.3, "trade"),
  ];
  await mkdir(new URL("../bench/", import.meta.url), { recursive: true });
  // The service's and the console's figures are written by scripts/bench-service.ts and scripts/bench-console.ts:
  // kept as they are.
  const kept = await readFile(new URL("../bench/results.json", import.meta.url), "utf8")
    .then((text) => JSON.parse(text) as { service?: unknown; console?: unknown })
    .catch(() => ({}) as { service?: unknown; console?: unknown });
  await writeFile(
    new URL("../bench/results.json", import.meta.url),
    `${JSON.stringify(
      {
        network: { hardfork, evmVersion: EVM_VERSION },
        sizes,
        flows,
        rows,
        profiles: profiles.map((p) => ({ operation: p.operation, ...p.profile })),
        // One line per item, so that the file stays readable: "read 2100 MemberRegistry _payoutTo[9]".
        beyondFloor: beyond.map((b) => ({ ...b, items: b.items.map((it) => formatItem(it).replace(/ +/g, " ")) })),
        credit: { scaling, batches },
        scf: { fullFlow: { ...scfFlow, ratio: Number((scfFlow.gas / scfFlow.floor).toFixed(3)), target: SCF_TARGET } },
        trade: {
          lifecycle: {
            operations: tradeFlow.length,
            ...tradeLifecycle,
            ratio: Number((tradeLifecycle.gas / tradeLifecycle.floor).toFixed(3)),
          },
          lifecycleOverJsonRpc: rpcFigures,
        },
        ...(kept.service === undefined ? {} : { service: kept.service }),
        ...(kept.console === undefined ? {} : { console: kept.console }),
      },
      null,
      2,
    )}\n`,
  );
  const table = [
    ["operation", "gas", "new", "upd", "floor", "ratio"],
    ...rows.map((r) => [
      r.operation,
      String(r.gas),
      String(r.newSlots),
      String(r.updatedSlots),
      String(r.floor),
      r.ratio.toFixed(3),
    ]),
  ];
  console.log(`measured on the simulated network's hardfork ${hardfork} (contracts compiled for ${EVM_VERSION})\n`);
  for (const line of formatTable(table)) console.log(line);
  console.log(`\nflows (target: gas at most; ratio: to the floor; bound: the floor plus the reads the flow needs)`);
  for (const line of formatTable([
    ["flow", "txs", "gas", "floor", "ratio", "bound", "target"],
    ...flows.map((f) => [
      f.flow,
      String(f.transactions),
      String(f.gas),
      String(f.floor),
      f.ratio.toFixed(3),
      f.bound === undefined ? "" : `${f.bound} (${f.boundRatio!.toFixed(3)}x)`,
      [f.target ? `<= ${f.target}` : "", f.ratioTarget ? `<= ${f.ratioTarget}x` : ""].filter(Boolean).join(", "),
    ]),
  ])) {
    console.log(line);
  }
  console.log(`\nruntime bytecode (EIP-170: ${EIP170_LIMIT} bytes)`);
  for (const line of formatTable([
    ["contract", "bytes", "headroom", "%"],
    ...sizes.map((z) => [z.contract, String(z.bytes), String(z.headroom), (z.headroomShare * 100).toFixed(1)]),
  ])) {
    console.log(line);
  }
  console.log(`\nwhere the gas over ${PROFILE_ABOVE}x the floor goes (debug_traceTransaction)`);
  const names = await contractNames();
  for (const p of profiles) console.log(formatProfile(p.operation, p.profile, names));
  console.log(
    `\nbeyond the floor, item by item: cold accounts, cold reads of slots not written, ecrecover, warm calls reaching them (trace)`,
  );
  for (const b of beyond) for (const line of formatBeyondFloor(b.operation, b)) console.log(line);
  console.log("\ncredit registry: gas at registry size");
  for (const line of formatTable([
    ["borrowers", "registerLoan", "inquire"],
    ...scaling.map((r) => [r.borrowers.toLocaleString("en-US"), String(r.registerLoan), String(r.inquire)]),
  ])) {
    console.log(line);
  }
  console.log("\ncredit registry: batch of 100 against 100 single registrations");
  for (const line of formatTable([
    ["records", "single (avg)", "batch per record", "batch / singles"],
    ...batches.map((b) => [b.scenario, String(b.singleAverage), String(b.batchPerRecord), b.ratio.toFixed(3)]),
  ])) {
    console.log(line);
  }
  console.log(
    `\nsupply-chain full flow (issue+confirm, split and hand on in one transaction, discount, repay, 2 payouts): ` +
      `${scfFlow.gas} gas (target <= ${SCF_TARGET}), floor ${scfFlow.floor}, ratio ${(scfFlow.gas / scfFlow.floor).toFixed(3)}`,
  );
  console.log(
    `\ntrade lifecycle (create, accept, fund, 3 evidence-paid tranches in CNY): ${tradeLifecycle.gas} gas, ` +
      `floor ${tradeLifecycle.floor}, ratio ${(tradeLifecycle.gas / tradeLifecycle.floor).toFixed(3)}`,
  );
  console.log(
    `trade lifecycle over JSON-RPC (${rpcFigures.transactions} transactions incl. the approval, ${RPC_RUNS} runs): ` +
      `median ${rpcFigures.wallMs.median} ms (min ${rpcFigures.wallMs.min}, max ${rpcFigures.wallMs.max})`,
  );
  console.log(`\n${rows.length} rows written to bench/results.json`);
}
