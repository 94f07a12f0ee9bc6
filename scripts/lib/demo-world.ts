/**
 * The demo's world: members, loans, a receivable down three tiers, and two trade orders, told as four chapters.
 * `make demo` prints the story; `make up SEED=demo` and the service's replay test build the same world silently.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import type { NetworkConnection } from "hardhat/types/network";

import { decodeCode, formatAmount, parseAmount } from "../../src/encoding.js";
import { describeError } from "../../src/errors.js";
import {
  accept,
  applyTimeRule,
  attest,
  createOrder,
  formatUetr,
  fund,
  pacs008,
  scaledRate,
  setFxTerms,
  tradeDomainOf,
  type TranchePayment,
} from "../../src/trade.js";
import { roleNames, statusName } from "../../src/members.js";
import { age, check, consent, register, report, score, status } from "../../tasks/lib/credit.js";
import { connect } from "../../src/deployment.js";
import { isoDate, loanIdOf } from "../../src/credit.js";
import { formatTable } from "../../tasks/lib/members.js";
import * as scf from "../../tasks/lib/scf.js";

import { CAST } from "./cast.js";
import { GLASSWARE_EVIDENCE, fundGlasswareParties, glasswareOrder, signGlasswareEvidence } from "./glassware.js";
import { actAs, type World } from "./world.js";

/** Where the story's lines go: the console for `make demo`, nowhere for a silent seed. */
export type Out = (line?: string) => void;

function heading(out: Out, title: string): void {
  out(`\n== ${title} ${"=".repeat(Math.max(0, 72 - title.length))}\n`);
}

async function chapterMembers(world: World, out: Out): Promise<void> {
  heading(out, "1. Banks join the consortium");
  const { members } = world.contracts;
  const rows = [["id", "institution", "country", "status", "roles"]];
  const names = new Map<bigint, string>([[await members.memberForKey(world.issuer), "Settlement issuer (Ignition)"]]);
  for (const member of CAST) names.set(world.ids[member.key], member.name);
  for (const [id, name] of names) {
    const m = await members.getMember(id);
    rows.push([String(id), name, decodeCode(m.jurisdiction), statusName(m.status), roleNames(m.roles).join(", ")]);
  }
  for (const line of formatTable(rows)) out(`  ${line}`);

  out("\n  Tokenized deposits, one per currency; only members may hold them:");
  const { CNY, MXN } = world.contracts.tokens;
  const glassworks = world.admins.glassworks;
  await (await CNY.connect(world.issuer).mint(glassworks, parseAmount("25000.00", 2))).wait();
  await (await MXN.connect(world.issuer).mint(world.admins.golfo, parseAmount("400000.00", 2))).wait();
  out(
    `  - ${CAST[5].name} holds ${formatAmount(await CNY.balanceOf(glassworks), 2)} ${decodeCode(await CNY.currency())}`,
  );
  out(`  - Banco del Golfo holds ${formatAmount(await MXN.balanceOf(world.admins.golfo), 2)} MXN`);
  const refused = await CNY.connect(glassworks)
    .transfer(world.outsiders[0], 1n)
    .then(() => "accepted (unexpected)")
    .catch((e: unknown) => `refused, ${describeError(e)}`);
  out(`  - a transfer to an unlicensed outsider: ${refused}`);
}

/** The consent id printed by `credit:consent` (its "consent id:" line). */
function consentIdIn(lines: string[]): string {
  const line = lines.find((l) => l.includes("consent id:"));
  if (line === undefined) throw new Error(`no consent id in: ${lines.join(" | ")}`);
  return line.split("consent id:")[1].trim();
}

async function chapterCredit(world: World, connection: NetworkConnection, out: Out): Promise<void> {
  heading(out, "2. A borrower is caught multi-borrowing");
  const key = world.key;
  const as = (who: string) => actAs(world, who, key);
  const name = (who: string) => CAST.find((m) => m.key === who)?.name ?? who;
  const show = (lines: string[]) => lines.forEach((l) => out(`  ${l}`));
  const borrower = { borrowerType: "USCC", borrowerId: "91990000SYNTH00003" };
  const loan = {
    ...borrower,
    product: "SmeLoan",
    outstanding: "",
    originated: "2026-09-01",
    matures: "2027-09-01",
    salt: "",
    funders: "",
  };
  const policy = await world.contracts.credit.policy();
  out(
    `  Borrowers appear on the chain only as HMAC keys. Policy: at most ${policy.maxLenders} lenders per borrower, ` +
      `flag mode.\n`,
  );
  for (const [who, ref, principal, product] of [
    ["huaxia", "HX-SME-0917", "300000.00", "SmeLoan"],
    ["pacific", "PT-TF-5521", "150000.00", "TradeFinance"],
    ["golfo", "BG-SME-0042", "200000.00", "SmeLoan"],
  ]) {
    const s = as(who);
    const lines = await register(s.contracts, { ...loan, ref, principal, product }, s.session);
    out(`  ${name(who)}: ${lines[0]}`);
  }

  const chainDay = async () => Math.floor((await connection.networkHelpers.time.latest()) / 86_400);
  const inDays = async (days: number) => isoDate((await chainDay()) + days);
  out(`\n  ${name("quicklend")} is asked for 80000.00 CNY. It records the borrower's signed consent, then checks:`);
  const quicklend = as("quicklend");
  const qlConsent = consentIdIn(
    await consent(
      quicklend.contracts,
      { ...borrower, document: "borrower authorization QL-A-7781", purpose: "NewCredit", expires: await inDays(30) },
      quicklend.session,
    ),
  );
  show(
    await check(
      quicklend.contracts,
      { ...borrower, purpose: "NewCredit", consent: qlConsent, amount: "80000.00" },
      quicklend.session,
    ),
  );
  out("\n  It lends anyway; the registry lets it pass in flag mode and tells the regulator:");
  const flagged = await register(
    quicklend.contracts,
    { ...loan, ref: "QL-2026-7781", principal: "80000.00", product: "ConsumerLoan" },
    quicklend.session,
  );
  show(flagged.filter((l) => !l.includes("salt:") && !l.includes("tx:")));

  out(`\n  A joint loan: ${name("huaxia")} 70% + ${name("quicklend")} (platform) 30%, one record:`);
  const joint = await register(
    as("huaxia").contracts,
    {
      ...loan,
      ref: "HX-JOINT-0001",
      principal: "100000.00",
      product: "JointLoan",
      funders: `${world.ids.huaxia}:7000,${world.ids.quicklend}:3000`,
    },
    as("huaxia").session,
  );
  show(joint.filter((l) => !l.includes("salt:") && !l.includes("tx:")));
  out("  (5 loans, still 4 lenders: the joint loan counts once, under its reporting bank)");

  const golfo = as("golfo");
  out(`\n  ${name("golfo")} reports its loan overdue, then defaulted:`);
  show(await status(golfo.contracts, { ref: "BG-SME-0042", to: "Overdue" }, golfo.session).then((l) => l.slice(0, 1)));
  show(
    await status(golfo.contracts, { ref: "BG-SME-0042", to: "Defaulted" }, golfo.session).then((l) => l.slice(0, 1)),
  );
  out(`\n  The next lender's check (a new-credit application, under its own consent) shows the default in the totals:`);
  const pacific = as("pacific");
  const ptConsent = consentIdIn(
    await consent(
      pacific.contracts,
      {
        ...borrower,
        document: "borrower authorization PT-R-1203",
        purpose: "NewCredit",
        expires: await inDays(30),
      },
      pacific.session,
    ),
  );
  show(
    (
      await check(
        pacific.contracts,
        { ...borrower, purpose: "NewCredit", consent: ptConsent, amount: "" },
        pacific.session,
      )
    ).filter((l) => !l.includes("tx:")),
  );

  heading(out, "2b. Consumer credit: instalments, APR, a missed payment, the score");
  const consumer = { borrowerType: "CN-RIC", borrowerId: "990000000000000077X" };
  const huaxia = as("huaxia");
  const policyNow = await world.contracts.credit.policy();
  out(
    `  ${name("quicklend")} lends 6000.00 CNY on 12 monthly instalments at 24% a year (APR cap ` +
      `${Number(policyNow.maxAprBps) / 100}%, grace ${policyNow.graceDays} days):`,
  );
  const firstDue = await inDays(30);
  const consumerLoan = await register(
    quicklend.contracts,
    {
      ...consumer,
      ref: "QL-CONS-0412",
      product: "ConsumerLoan",
      principal: "6000.00",
      outstanding: "",
      originated: await inDays(0),
      matures: "",
      salt: "",
      funders: "",
      instalments: "12",
      frequency: "monthly",
      firstDue,
      amortiseRateBps: "2400",
    },
    quicklend.session,
  );
  show(consumerLoan.filter((l) => !l.includes("salt:") && !l.includes("tx:")));
  const before = await score(huaxia.contracts, consumer, huaxia.session);
  out(`\n  The shared score, as every member computes it:`);
  show(before);

  out(`\n  ${name("huaxia")} records a consent for a new loan, valid 7 days, and does not use it yet.`);
  const hxConsent = consentIdIn(
    await consent(
      huaxia.contracts,
      { ...consumer, document: "borrower authorization HX-C-0412", purpose: "NewCredit", expires: await inDays(7) },
      huaxia.session,
    ),
  );

  out(
    `\n  The first instalment (due ${firstDue}) is missed. 20 days after it fell due, past the grace, a stranger ` +
      `(not even a member) ages the loan:`,
  );
  await connection.networkHelpers.time.increase(50 * 86_400); // 30 days to the first due day, then 20
  const stranger = connect(world.deployment, world.outsiders[0]);
  const loanId = loanIdOf(world.ids.quicklend, "QL-CONS-0412");
  show((await age(stranger, { loanId })).filter((l) => !l.includes("tx:")));
  out(`\n  The score falls, with its reasons, most points lost first:`);
  show(await score(huaxia.contracts, consumer, huaxia.session));

  out(`\n  ${name("huaxia")} now inquires under its consent, which expired meanwhile:`);
  const refused = await check(
    huaxia.contracts,
    { ...consumer, purpose: "NewCredit", consent: hxConsent, amount: "5000.00" },
    huaxia.session,
  )
    .then(() => "accepted (unexpected)")
    .catch((e: unknown) => `refused, ${describeError(e)}`);
  out(`  ${refused}`);

  out(`\n  The borrower asks for its own report (credit:report):`);
  show(await report(huaxia.contracts, consumer, huaxia.session));
}

async function chapterScf(world: World, connection: NetworkConnection, out: Out): Promise<void> {
  heading(out, "3. A receivable goes down three supplier tiers and is discounted");
  const key = world.key;
  const as = (who: string) => actAs(world, who, key);
  const name = (who: string) => CAST.find((m) => m.key === who)?.name ?? who;
  const show = (lines: string[]) => lines.filter((l) => !l.includes("tx:")).forEach((l) => out(`  ${l}`));
  const { CNY } = world.contracts.tokens;
  for (const who of ["pearl", "pacific"]) {
    await (await CNY.connect(world.issuer).mint(world.admins[who], parseAmount("2000000.00", 2))).wait();
  }
  const today = new Date((await connection.networkHelpers.time.latest()) * 1000);
  const maturity = new Date(today.getTime() + 90 * 86_400_000).toISOString().slice(0, 10);
  const addr = (who: string) => world.admins[who].address;

  out(`  ${name("pearl")} chooses ${name("huaxia")} as the bank of its CNY credit line, which grants it:`);
  const pearl = as("pearl");
  show(
    await scf.line(
      pearl.contracts,
      { debtor: "", limit: "", currency: "CNY", freeze: "", financier: String(world.ids.huaxia) },
      pearl.session,
    ),
  );
  const huaxia = as("huaxia");
  show(
    await scf.line(huaxia.contracts, {
      debtor: String(world.ids.pearl),
      limit: "5000000.00",
      currency: "CNY",
      freeze: "",
    }),
  );
  out(`\n  ${name("pearl")} confirms what it owes its tier-1 supplier, ${name("glassworks")}:`);
  const invoices = { invoices: "PRA-2026-1101,PRA-2026-1102", issueDate: "2026-11-01" };
  show(
    await scf.issue(
      pearl.contracts,
      { supplier: addr("glassworks"), debtor: "", face: "1000000.00", currency: "CNY", maturity, ...invoices },
      pearl.session,
    ),
  );
  const root = "R1.0";
  out("\n  Tier 1 splits it and pays its tier-2 supplier with a piece; tier 2 does the same with tier 3:");
  const glass = as("glassworks");
  show(await scf.split(glass.contracts, { id: root, faces: "600000.00,400000.00" }));
  show(await scf.transfer(glass.contracts, { id: "R1.1", to: addr("precision") }));
  const precision = as("precision");
  show(await scf.split(precision.contracts, { id: "R1.1", faces: "250000.00,150000.00" }));
  show(await scf.transfer(precision.contracts, { id: "R1.2", to: addr("silica") }));

  out(`\n  ${name("silica")} needs cash now and sells its piece to ${name("pacific")}:`);
  const pacific = as("pacific");
  const dir = await mkdtemp(path.join(tmpdir(), "tradeline-demo-"));
  const quoteFile = path.join(dir, "quote.json");
  show(
    await scf.quote(
      pacific.contracts,
      {
        id: "R1.2",
        rateBps: "600",
        dayBase: "360",
        recourse: "false",
        validFor: "3600",
        out: quoteFile,
      },
      pacific.session,
    ),
  );
  // A second bank's quote for the same piece, while it is still for sale: the seller holds both.
  const huaxiaQuote = path.join(dir, "quote-huaxia.json");
  await scf.quote(
    huaxia.contracts,
    {
      id: "R1.2",
      rateBps: "500",
      dayBase: "360",
      recourse: "false",
      validFor: "3600",
      out: huaxiaQuote,
    },
    huaxia.session,
  );
  const silica = as("silica");
  const before = await CNY.balanceOf(addr("silica"));
  show(await scf.finance(silica.contracts, { quote: quoteFile }));
  out(
    `  ${name("silica")}'s CNY balance: ${formatAmount(before, 2)} -> ${formatAmount(await CNY.balanceOf(addr("silica")), 2)}`,
  );

  out("\n  A second financing of the same invoice is refused, at any bank:");
  const again = await scf
    .issue(
      as("pearl").contracts,
      { supplier: addr("glassworks"), debtor: "", face: "150000.00", currency: "CNY", maturity, ...invoices },
      pearl.session,
    )
    .then(() => "accepted (unexpected)")
    .catch((e: unknown) => `refused, ${describeError(e)}`);
  out(`  - the invoices backing a new receivable: ${again}`);
  const twice = await scf
    .finance(silica.contracts, { quote: huaxiaQuote })
    .then(() => "accepted (unexpected)")
    .catch((e: unknown) => `refused, ${describeError(e)}`);
  out(`  - the sold piece at ${name("huaxia")}: ${twice}`);

  out("\n  The regulator rebuilds the tree from events alone (scf:trace):");
  show(await scf.traceTask(world.contracts, { id: "R1.2" }));

  out(`\n  At maturity ${name("pearl")} pays the face once; every holder is paid:`);
  await connection.networkHelpers.time.increaseTo(BigInt(Date.parse(`${maturity}T00:00:00Z`) / 1000));
  show(await scf.repay(pearl.contracts, { id: root }, pearl.session));
}

async function chapterTrade(world: World, connection: NetworkConnection, out: Out): Promise<void> {
  heading(out, "4. Glassware from China to Mexico: paid in CNY in the block of the evidence");
  const { tokens } = world.contracts;
  const a = world.admins;
  const tradeAs = (who: string) => world.contracts.trade.connect(a[who]);
  const name = (who: string) => CAST.find((m) => m.key === who)?.name ?? who;
  const { chainId } = await connection.ethers.provider.getNetwork();
  const domain = await tradeDomainOf(world.contracts.trade);
  const now = async () => BigInt(await connection.networkHelpers.time.latest());
  await fundGlasswareParties(world, 2);
  const terms = await glasswareOrder(world, await now(), "PO CC-2026-0042: 12,000 hand-blown tumblers");
  const cnyBefore = await tokens.CNY.balanceOf(a.glassworks);
  const { id } = await createOrder(tradeAs("cristal"), terms);
  await accept(tradeAs("glassworks"), id);
  // The exporter names the FX provider whose quotes anyone may relay for its payments, and a floor rate.
  await setFxTerms(tradeAs("glassworks"), id, world.ids.huaxia, scaledRate("0.38"));
  await fund(tradeAs("golfo"), tokens.MXN.connect(a.golfo), id);
  out(`  ${name("cristal")} orders 400,000.00 MXN of glassware from ${name("glassworks")}, 30/40/30 on`);
  out(`  shipped, customs cleared and delivered. ${name("golfo")} locks the MXN in escrow (order ${id}).`);
  out(`  Each piece of evidence is relayed with a fresh MXN->CNY quote from ${name("huaxia")} at 0.38.\n`);
  let delivery: { block: number; time: number } | undefined;
  let final: { payment: TranchePayment; time: number } | undefined;
  for (const [index, [kind, oracle, doc]] of GLASSWARE_EVIDENCE.entries()) {
    const e = await signGlasswareEvidence(world, domain, id, terms, index, (await now()) + 300n);
    // Anyone may relay: here the exporter's bank does.
    const { payments, receipt } = await attest(tradeAs("huaxia"), id, kind, e.documentHash, [e.signature], e.fx);
    const time = (await connection.ethers.provider.getBlock(receipt.blockNumber))!.timestamp;
    if (kind === "Delivered") delivery = { block: receipt.blockNumber, time };
    for (const payment of payments) {
      out(
        `  ${kind} (${name(oracle)} signs ${doc}): tranche ${payment.tranche + 1} paid ` +
          `${formatAmount(payment.payout, 2)} CNY in block ${payment.blockNumber}, UETR ${formatUetr(payment.uetr)}`,
      );
      final = { payment, time };
    }
  }
  if (delivery === undefined || final === undefined) throw new Error("the delivery evidence paid nothing");
  const blocks = final.payment.blockNumber! - delivery.block;
  const seconds = final.time - delivery.time;
  out(
    `\n  From the delivery evidence (block ${delivery.block}) to the final payment (block ` +
      `${final.payment.blockNumber}): ${blocks} blocks, ${seconds} seconds.`,
  );
  out("  The final payment as a pacs.008-like record:");
  const record = pacs008(final.payment, {
    messageId: `TL-${chainId}-${final.payment.blockNumber}-${final.payment.tranche}`,
    createdAt: new Date(final.time * 1000),
    settlementCurrency: "CNY",
    instructedCurrency: "MXN",
    settlementDecimals: 2,
    instructedDecimals: 2,
    debtorAgent: world.ids.golfo,
    creditorAgent: world.ids.huaxia,
    debtor: world.ids.cristal,
    creditor: world.ids.glassworks,
  });
  for (const line of JSON.stringify(record, null, 2).split("\n")) out(`    ${line}`);
  const received = (await tokens.CNY.balanceOf(a.glassworks)) - cnyBefore;
  out(`  ${name("glassworks")} received ${formatAmount(received, 2)} CNY for the order, fees shared (SHAR).`);

  // A second order misses its shipment deadline; a stranger's call refunds the importer's bank.
  const second = await createOrder(tradeAs("cristal"), await glasswareOrder(world, await now(), "PO CC-2026-0043"));
  await accept(tradeAs("glassworks"), second.id);
  await fund(tradeAs("golfo"), tokens.MXN.connect(a.golfo), second.id);
  const stranger = world.outsiders[0];
  const early = await applyTimeRule(world.contracts.trade.connect(stranger), second.id, "unshipped").then(
    () => "no error",
    (e: unknown) => describeError(e),
  );
  const deadline = (await world.contracts.trade.getOrder(second.id)).shipmentDeadline;
  await connection.networkHelpers.time.increaseTo(deadline + 1n);
  const before = await tokens.MXN.balanceOf(a.golfo);
  await applyTimeRule(world.contracts.trade.connect(stranger), second.id, "unshipped");
  const back = (await tokens.MXN.balanceOf(a.golfo)) - before;
  out(`\n  Order ${second.id} is never shipped. Before its deadline a refund is refused (${early});`);
  out(
    `  after it, a stranger (${stranger.address.slice(0, 10)}…) applies the rule and ${name("golfo")} gets ` +
      `${formatAmount(back, 2)} MXN back.`,
  );
}

/** Runs the four chapters on a freshly deployed world. */
export async function runDemo(world: World, connection: NetworkConnection, out: Out = console.log): Promise<void> {
  await chapterMembers(world, out);
  await chapterCredit(world, connection, out);
  await chapterScf(world, connection, out);
  await chapterTrade(world, connection, out);
}
