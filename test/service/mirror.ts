/**
 * The read model against the chain: every mirrored row compared, field by field, with the contracts' own views.
 * A view the read model cannot rebuild fails here.
 */
import { expect } from "chai";
import type { Kysely } from "kysely";

import type { World } from "../../scripts/lib/world.js";
import { LOAN_STATUSES, PRODUCT_KINDS } from "../../src/credit.js";
import { FAMILY_STATES, PIECE_STATES } from "../../src/scf.js";
import { statusName } from "../../src/members.js";
import { exposureOf } from "../../service/projections/credit.js";
import { pausedSeconds } from "../../service/projections/scf.js";
import type { Tables } from "../../service/schema.js";

export interface MirrorCounts {
  members: number;
  balances: number;
  loans: number;
  borrowers: number;
  pieces: number;
  families: number;
  lines: number;
}

export async function checkMirror(
  db: Kysely<Tables>,
  world: World,
  chainId: number,
  now: number,
): Promise<MirrorCounts> {
  const { members, credit, scf, tokens } = world.contracts;
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
    for (const o of operators) expect(await members.memberOf(o.operator)).to.equal(BigInt(r.id));
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
  return {
    members: memberRows.length,
    balances: balances.length,
    loans: loans.length,
    borrowers: borrowers.length,
    pieces: pieces.length,
    families: families.length,
    lines: lines.length,
  };
}
