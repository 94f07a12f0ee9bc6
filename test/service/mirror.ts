/**
 * The read model against the chain: every mirrored row compared, field by field, with the contracts' own views.
 * A view the read model cannot rebuild fails here.
 */
import { expect } from "chai";
import type { Kysely } from "kysely";
import type { Provider } from "ethers";

import type { World } from "../../scripts/lib/world.js";
import { LOAN_STATUSES, PRODUCT_KINDS } from "../../src/credit.js";
import { FAMILY_STATES, PIECE_STATES } from "../../src/scf.js";
import { EVIDENCE_KINDS, ORDER_STATES } from "../../src/trade.js";
import { statusName } from "../../src/members.js";
import { CONSENT_PURPOSES, exposureOf } from "../../service/projections/credit.js";
import { pausedSeconds } from "../../service/projections/scf.js";
import type { Tables } from "../../service/schema.js";
import { openDatabase } from "../../service/db.js";
import { Indexer, type ChainRpc } from "../../service/indexer.js";
import { migrate } from "../../service/migrations.js";
import { project, rebuild } from "../../service/projections.js";
import { PROJECTIONS } from "../../service/projections/index.js";

/**
 * Indexes every event of `deployment` from genesis into a fresh read model at `database` (every projection), up to
 * the chain's head, and gives it to `use`; the database is closed afterwards.
 */
export async function withReadModel<T>(
  database: string,
  deployment: World["deployment"],
  provider: Provider & ChainRpc,
  use: (db: Kysely<Tables>, chainId: number) => Promise<T>,
): Promise<T> {
  const { db, engine, close } = openDatabase(database, ":memory:");
  try {
    await migrate(db as never, engine);
    const chainId = Number((await provider.getNetwork()).chainId);
    const indexer = new Indexer({
      db,
      provider,
      chainId,
      deployment,
      fromBlock: 0,
      onEvents: (trx, rows) => project(trx, PROJECTIONS, rows),
      onRollback: (trx) => rebuild(trx, PROJECTIONS, chainId),
    });
    for (let r = await indexer.step(); r.indexed < r.head; r = await indexer.step());
    return await use(db, chainId);
  } finally {
    await close();
  }
}

/**
 * Replays every event of `world`'s deployment from genesis into a fresh read model at `database` (every projection),
 * then compares it with the chain's views (`checkMirror`); returns what it counted.
 */
export async function replayAndCheck(
  database: string,
  world: World,
  provider: Provider & ChainRpc,
  now: number,
): Promise<MirrorCounts> {
  return withReadModel(database, world.deployment, provider, (db, chainId) => checkMirror(db, world, chainId, now));
}

export interface MirrorCounts {
  members: number;
  balances: number;
  loans: number;
  borrowers: number;
  pieces: number;
  families: number;
  lines: number;
  orders: number;
  tranches: number;
  payments: number;
}

export async function checkMirror(
  db: Kysely<Tables>,
  world: World,
  chainId: number,
  now: number,
): Promise<MirrorCounts> {
  const { members, credit, scf, tokens, consents } = world.contracts;
  const memberRows = await db.selectFrom("members").selectAll().where("chain_id", "=", chainId).orderBy("id").execute();
  expect(memberRows.length, "members").to.equal(Number(await members.memberCount()));
  for (const r of memberRows) {
    const m = await members.getMember(r.id);
    const mirrored = [
      r.legal_id_hash,
      r.jurisdiction,
      BigInt(r.roles),
      r.status,
      r.admin,
      r.payout ?? "0x" + "0".repeat(40),
    ];
    expect(mirrored, `member ${r.id}`).to.deep.equal([
      m.legalIdHash,
      Buffer.from(m.jurisdiction.slice(2), "hex").toString("latin1"),
      m.roles,
      statusName(m.status),
      m.admin,
      m.payout,
    ]);
    const operators = await db
      .selectFrom("member_operators")
      .select("operator")
      .where("chain_id", "=", chainId)
      .where("member_id", "=", r.id)
      .execute();
    expect(BigInt(operators.length), `operators of member ${r.id}`).to.equal(m.operatorCount);
    for (const o of operators) expect(await members.memberForKey(o.operator)).to.equal(BigInt(r.id));
  }
  const balances = await db.selectFrom("balances").selectAll().where("chain_id", "=", chainId).execute();
  for (const b of balances) {
    const token = tokens[b.currency];
    expect(BigInt(b.balance), `${b.currency} balance of ${b.account}`).to.equal(await token.balanceOf(b.account));
    expect(b.frozen === 1, `${b.currency} freeze of ${b.account}`).to.equal(await token.isFrozen(b.account));
  }
  for (const token of Object.values(tokens)) {
    const total = balances.filter((b) => b.token === token.target).reduce((s, b) => s + BigInt(b.balance), 0n);
    expect(total, `total supply of ${String(token.target)}`).to.equal(await token.totalSupply());
  }

  const loans = await db.selectFrom("loans").selectAll().where("chain_id", "=", chainId).execute();
  // The mirror holds a row for every record the chain's events create: none missed, none extra.
  const count = async (contract: typeof credit | typeof scf, name: string) =>
    (await contract.queryFilter(contract.getEvent(name as never), 0)).length;
  expect(loans.length, "loans").to.equal(await count(credit, "LoanRegistered"));
  expect((await db.selectFrom("inquiries").select("lender").execute()).length, "inquiries").to.equal(
    await count(credit, "CreditInquired"),
  );
  expect((await db.selectFrom("flags").select("loan_id").execute()).length, "flags").to.equal(
    await count(credit, "MultiBorrowingFlagged"),
  );
  expect((await db.selectFrom("loan_disputes").select("loan_id").execute()).length, "disputes").to.equal(
    await count(credit, "DisputeOpened"),
  );
  expect((await db.selectFrom("families").select("family").execute()).length, "families").to.equal(
    await count(scf, "ReceivableRequested"),
  );
  for (const row of loans) {
    const chain = await credit.getLoan(row.id);
    expect(
      [
        row.borrower_key,
        BigInt(row.lender),
        row.kind,
        row.status,
        BigInt(row.principal),
        BigInt(row.outstanding),
        BigInt(row.origination_day),
        BigInt(row.maturity_day),
      ],
      `loan ${row.id}`,
    ).to.deep.equal([
      chain.borrowerKey,
      chain.lender,
      PRODUCT_KINDS[Number(chain.kind)],
      LOAN_STATUSES[Number(chain.status)],
      chain.principal,
      chain.outstanding,
      chain.originationDay,
      chain.maturityDay,
    ]);
  }
  // Each loan's consumer-credit terms and delinquency bucket, as the registry holds them.
  for (const row of loans) {
    const terms = await credit.termsOf(row.id);
    const plan = row.plan === null ? null : (JSON.parse(row.plan) as { instalments: number; instalment: string });
    expect(
      [BigInt(row.apr_bps ?? 0), BigInt(row.bucket), BigInt(plan?.instalments ?? 0), BigInt(plan?.instalment ?? 0)],
      `terms of loan ${row.id}`,
    ).to.deep.equal([terms.aprBps, terms.bucket, terms.plan.instalments, terms.plan.instalment]);
  }
  // Every consent the book recorded, with its holder, purpose, expiry and withdrawal.
  const consentRows = await db.selectFrom("consents").selectAll().where("chain_id", "=", chainId).execute();
  expect(consentRows.length, "consents").to.equal(
    (await consents.queryFilter(consents.filters.ConsentRecorded(), 0)).length,
  );
  for (const c of consentRows) {
    const chain = await consents.getConsent(c.id);
    expect(
      [c.borrower_key, BigInt(c.holder), c.purpose, BigInt(c.expires_at), BigInt(c.revoked_at ?? 0)],
      `consent ${c.id}`,
    ).to.deep.equal([
      chain.borrowerKey,
      chain.holder,
      CONSENT_PURPOSES[Number(chain.purpose)],
      chain.expiresAt,
      chain.revokedAt,
    ]);
    expect((JSON.parse(c.covered) as number[]).map(BigInt), `covered by consent ${c.id}`).to.deep.equal([
      ...chain.covered,
    ]);
  }
  const borrowers = [
    ...new Set([
      ...loans.map((l) => l.borrower_key),
      ...(await db.selectFrom("inquiries").select("borrower_key").execute()).map((i) => i.borrower_key),
    ]),
  ];
  for (const key of borrowers) {
    const chain = await credit.exposureOf(key);
    const m = await exposureOf(db, chainId, key, now);
    expect(
      [BigInt(m.activeLoans), BigInt(m.activeLenders), m.outstanding, BigInt(m.defaults), BigInt(m.inquiries)],
      `exposure of ${key}`,
    ).to.deep.equal([chain.activeLoans, chain.activeLenders, chain.outstanding, chain.defaults, chain.inquiries]);
  }

  const pieces = await db.selectFrom("pieces").selectAll().where("chain_id", "=", chainId).execute();
  for (const p of pieces) {
    const chain = await scf.getPiece(p.id);
    expect(
      [
        BigInt(p.holder),
        BigInt(p.face),
        BigInt(p.tier),
        p.state,
        p.frozen === 1,
        p.encumbered === 1,
        p.recourse === 1,
        p.defaulted === 1,
        BigInt(p.pledgee),
      ],
      `piece ${p.id}`,
    ).to.deep.equal([
      chain.holder,
      chain.face,
      chain.tier,
      PIECE_STATES[Number(chain.state)],
      chain.frozen,
      chain.encumbered,
      chain.recourse,
      chain.defaulted,
      chain.pledgee,
    ]);
  }
  const families = await db.selectFrom("families").selectAll().where("chain_id", "=", chainId).execute();
  const paused = await pausedSeconds(db, chainId, "ReceivableLedger", now);
  for (const f of families) {
    const chain = await scf.getFamily(f.root);
    expect(
      [
        BigInt(f.debtor),
        f.token,
        BigInt(f.maturity_active + paused),
        BigInt(f.pieces),
        BigInt(f.face),
        BigInt(f.paid),
        f.state,
        BigInt(f.repaid_at),
        BigInt(f.grace_seconds),
        BigInt(f.penalty_rate_bps),
      ],
      `family ${f.root}`,
    ).to.deep.equal([
      chain.debtor,
      chain.token,
      chain.maturity,
      chain.pieces,
      chain.face,
      chain.paid,
      FAMILY_STATES[Number(chain.state)],
      chain.repaidAt,
      chain.graceSeconds,
      chain.penaltyRateBps,
    ]);
  }
  expect(
    (await scf.getFamily(BigInt(families.length + 1) << 24n)).debtor,
    "a family the mirror does not know",
  ).to.equal(0n);
  const lines = await db.selectFrom("credit_lines").selectAll().where("chain_id", "=", chainId).execute();
  for (const l of lines) {
    const chain = await scf.creditLineOf(l.debtor, l.token);
    expect(
      [BigInt(l.financier), BigInt(l.limit), BigInt(l.used), l.frozen === 1],
      `line of ${l.debtor} in ${l.token}`,
    ).to.deep.equal([chain.financier, chain.limit, chain.used, chain.frozen]);
  }
  const trading = await checkTrade(db, world, chainId, now);
  return {
    ...trading,
    members: memberRows.length,
    balances: balances.length,
    loans: loans.length,
    borrowers: borrowers.length,
    pieces: pieces.length,
    families: families.length,
    lines: lines.length,
  };
}

/** Orders, tranches, evidence, payments and the settings new orders take, against the settlement's views. */
export async function checkTrade(
  db: Kysely<Tables>,
  world: World,
  chainId: number,
  now: number,
): Promise<{ orders: number; tranches: number; payments: number }> {
  const { trade } = world.contracts;
  const count = async (name: string) => (await trade.queryFilter(trade.getEvent(name as never), 0)).length;
  const settings = await db.selectFrom("trade_settings").selectAll().where("chain_id", "=", chainId).executeTakeFirst();
  expect(BigInt(settings?.arbiter_window ?? 0), "arbiter window").to.equal(await trade.arbiterWindow());
  for (const [kind] of EVIDENCE_KINDS.entries()) {
    const k = (((settings?.threshold_word ?? 0) >> (4 * kind)) & 0xf) + 1;
    expect(BigInt(k), `threshold of ${EVIDENCE_KINDS[kind]}`).to.equal(await trade.evidenceThreshold(kind));
  }
  const orders = await db
    .selectFrom("trade_orders")
    .selectAll()
    .where("chain_id", "=", chainId)
    .orderBy("id")
    .execute();
  expect(orders.length, "orders").to.equal(await count("OrderCreated"));
  const paused = await pausedSeconds(db, chainId, "TradeSettlement", now);
  // PostgreSQL returns bigint columns as strings: compare as numbers.
  const wall = (active: number | string) => BigInt(Number(active) === 0 ? 0 : Number(active) + paused);
  let trancheCount = 0;
  for (const o of orders) {
    const chain = await trade.getOrder(o.id);
    const tranches = await db
      .selectFrom("trade_tranches")
      .selectAll()
      .where("chain_id", "=", chainId)
      .where("order_id", "=", o.id)
      .orderBy("tranche")
      .execute();
    trancheCount += tranches.length;
    expect(
      [
        BigInt(o.importer),
        BigInt(o.exporter),
        BigInt(o.importer_bank),
        BigInt(o.exporter_bank),
        o.state,
        BigInt(o.evidence_done),
        BigInt(o.settled_tranches),
        BigInt(o.importer_bank_fee_bps),
        BigInt(o.exporter_bank_fee_bps),
        wall(o.shipment_deadline_active),
        o.pay_token,
        BigInt(o.amount),
        o.payout_token,
        wall(o.expiry_active),
        BigInt(o.objection_window),
        wall(o.delivered_at_active),
        wall(o.dispute_deadline_active),
        BigInt(o.financier),
        Number(o.advance_open) === 1,
        tranches.map((t) => [BigInt(t.share_bps), BigInt(t.evidence)]),
      ],
      `order ${o.id}`,
    ).to.deep.equal([
      chain.importer,
      chain.exporter,
      chain.importerBank,
      chain.exporterBank,
      ORDER_STATES[Number(chain.state)],
      chain.evidenceDone,
      chain.settledTranches,
      chain.importerBankFeeBps,
      chain.exporterBankFeeBps,
      chain.shipmentDeadline,
      chain.payToken,
      chain.amount,
      chain.payoutToken,
      chain.expiry,
      chain.objectionWindow,
      chain.deliveredAt,
      chain.disputeDeadline,
      chain.financier,
      chain.advanceOpen,
      chain.tranches.map((t) => [t.shareBps, t.evidence]),
    ]);
    for (const t of tranches) {
      expect(t.settled, `tranche ${t.tranche} of order ${o.id}`).to.equal(
        Number((chain.settledTranches >> BigInt(t.tranche)) & 1n),
      );
    }
    const [provider, minRate] = await trade.fxTermsOf(o.id);
    expect([BigInt(o.fx_provider), BigInt(o.fx_min_rate)], `FX terms of order ${o.id}`).to.deep.equal([
      provider,
      minRate,
    ]);
    for (const [kind, name] of EVIDENCE_KINDS.entries()) {
      expect(BigInt(((o.threshold_word >> (4 * kind)) & 0xf) + 1), `${name} threshold of order ${o.id}`).to.equal(
        await trade.orderThreshold(o.id, kind),
      );
    }
    // What the escrow still holds: the gross of the unpaid tranches while funded or disputed (the last tranche
    // takes the rounding remainder, as the contract computes it).
    const amount = BigInt(o.amount);
    const gross = tranches.map((t, i) => (i + 1 < tranches.length ? (amount * BigInt(t.share_bps)) / 10_000n : 0n));
    gross[gross.length - 1] = amount - gross.reduce((s, g) => s + g, 0n);
    // An arbiter's award held for an FX quote stays in escrow too (review 28, F1).
    const escrow =
      o.state === "Funded" || o.state === "Disputed"
        ? tranches.reduce((s, t, i) => (t.settled === 1 ? s : s + gross[i]), BigInt(o.held_award))
        : 0n;
    expect(escrow, `escrow of order ${o.id}`).to.equal(await trade.escrowOf(o.id));
  }
  await expect(trade.getOrder(orders.length + 1), "an order the mirror does not know").to.be.revertedWithCustomError(
    trade,
    "TradeUnknownOrder",
  );
  const evidence = await db.selectFrom("trade_evidence").select("order_id").where("chain_id", "=", chainId).execute();
  expect(evidence.length, "attestations").to.equal(await count("EvidenceAttested"));
  const payments = await db.selectFrom("trade_payments").selectAll().where("chain_id", "=", chainId).execute();
  expect(payments.length, "payments and refunds").to.equal((await count("TranchePaid")) + (await count("Refunded")));
  for (const p of payments) {
    const [log] = await trade.queryFilter(
      p.tranche === 255
        ? trade.filters.Refunded(p.order_id, undefined, undefined, p.uetr)
        : trade.filters.TranchePaid(p.order_id, undefined, undefined, p.uetr),
      0,
    );
    expect(log?.transactionHash, `payment ${p.uetr}`).to.equal(p.tx_hash);
  }
  return { orders: orders.length, tranches: trancheCount, payments: payments.length };
}
