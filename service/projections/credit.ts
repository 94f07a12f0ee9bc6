/**
 * The credit registry's read model: loans with their funders, each borrower's exposure history, the inquiry log,
 * multi-borrowing flags, disputes and the policy. A borrower's exposure is the chain's own rule applied to the
 * mirrored loans: live loans (Active, Overdue, Defaulted) count with their outstanding and their distinct lenders,
 * retained negative records count as defaults (Defaulted loans, and loans written off or settled after a default
 * until NegativeRecordExpired), and inquiries are the distinct lenders within the rolling
 * window, capped at the registry's INQUIRY_SLOTS.
 */
import {
  CONSENT_PURPOSES,
  FREQUENCIES,
  LOAN_STATUSES,
  POLICY_LIMITS,
  PRODUCT_KINDS,
  SOFT_INQUIRY_PURPOSES,
} from "../../src/credit.js";
import type { Db, Decoded, Projection, TxScope } from "../projections.js";

/** The consent book's purposes, by code: the SDK's list. */
export { CONSENT_PURPOSES, type ConsentPurposeName } from "../../src/credit.js";

/** The registry's ring of inquiring lenders holds this many: the count it reports is exact up to it. */
export const INQUIRY_SLOTS = 8;

const LIVE = ["Active", "Overdue", "Defaulted"];
const text = (v: unknown) => String(v);

export interface MirroredExposure {
  activeLoans: number;
  activeLenders: number;
  outstanding: bigint;
  defaults: number;
  inquiries: number;
}

/** A borrower's exposure from the mirrored loans and inquiries, at time `now` (Unix seconds). */
export async function exposureOf(db: Db, chainId: number, borrowerKey: string, now: number): Promise<MirroredExposure> {
  const loans = await db
    .selectFrom("loans")
    .select(["lender", "status", "outstanding", "negative_retained"])
    .where("chain_id", "=", chainId)
    .where("borrower_key", "=", borrowerKey)
    .execute();
  const live = loans.filter((l) => LIVE.includes(l.status));
  // Defaults are the retained negative records, as the registry counts them: Defaulted loans, and loans written off or
  // settled after a default until their retention ends (their events remain).
  const retained = loans.filter((l) => l.status === "Defaulted" || Number(l.negative_retained) === 1);
  const policy = await db
    .selectFrom("credit_policy")
    .select("inquiry_window")
    .where("chain_id", "=", chainId)
    .executeTakeFirst();
  const window = Number(policy?.inquiry_window ?? 0);
  const recent = await db
    .selectFrom("inquiries")
    .select("lender")
    .distinct()
    .where("chain_id", "=", chainId)
    .where("borrower_key", "=", borrowerKey)
    .where("at", ">", now - window)
    // Soft inquiries (account review, collections) are logged but not counted, as the registry counts them; an
    // inquiry from before the consent book has no purpose code and counts.
    .where((eb) =>
      eb.or([
        eb("purpose_code", "is", null),
        eb(
          "purpose_code",
          "not in",
          SOFT_INQUIRY_PURPOSES.map((p) => CONSENT_PURPOSES.indexOf(p)),
        ),
      ]),
    )
    .execute();
  return {
    activeLoans: live.length,
    activeLenders: new Set(live.map((l) => Number(l.lender))).size,
    outstanding: live.reduce((sum, l) => sum + BigInt(l.outstanding), 0n),
    defaults: retained.length,
    inquiries: Math.min(recent.length, INQUIRY_SLOTS),
  };
}

/** Appends the borrower's aggregates after an event that may have changed them (skipped when nothing changed). */
async function recordExposure(trx: Db, e: Decoded, borrowerKey: string): Promise<void> {
  const x = await exposureOf(trx, e.chainId, borrowerKey, e.timestamp);
  const last = await trx
    .selectFrom("exposure_history")
    .select(["active_loans", "active_lenders", "outstanding", "defaults"])
    .where("chain_id", "=", e.chainId)
    .where("borrower_key", "=", borrowerKey)
    .orderBy("block_number", "desc")
    .orderBy("log_index", "desc")
    .executeTakeFirst();
  const row = {
    active_loans: x.activeLoans,
    active_lenders: x.activeLenders,
    outstanding: x.outstanding.toString(),
    defaults: x.defaults,
  };
  if (
    last !== undefined &&
    Number(last.active_loans) === row.active_loans &&
    Number(last.active_lenders) === row.active_lenders &&
    last.outstanding === row.outstanding &&
    Number(last.defaults) === row.defaults
  ) {
    return;
  }
  await trx
    .insertInto("exposure_history")
    .values({
      chain_id: e.chainId,
      borrower_key: borrowerKey,
      block_number: e.blockNumber,
      log_index: e.logIndex,
      at: e.timestamp,
      tx_hash: e.txHash,
      ...row,
    })
    .execute();
}

/** Notes that this transaction changed `borrowerKey`'s loans: its exposure is recorded once, at the end. */
function touch(tx: TxScope, borrowerKey: string): void {
  const set = tx.get("credit.borrowers") ?? new Set<string>();
  set.add(borrowerKey);
  tx.set("credit.borrowers", set);
}

export const credit: Projection = {
  async afterTransaction(trx: Db, last: Decoded, tx: TxScope) {
    for (const key of tx.get("credit.borrowers") ?? []) await recordExposure(trx, last, key);
  },
  tables: [
    "loans",
    "loan_funders",
    "exposure_history",
    "inquiries",
    "consents",
    "flags",
    "loan_disputes",
    "credit_policy",
  ],
  async apply(trx: Db, e: Decoded, tx: TxScope) {
    if (e.contract === "ConsentBook") return applyConsent(trx, e);
    if (e.contract !== "CreditRegistry") return;
    const a = e.args;
    const at = { chain_id: e.chainId, block_number: e.blockNumber, log_index: e.logIndex, at: e.timestamp };
    const loan = (id: unknown) => trx.updateTable("loans").where("chain_id", "=", e.chainId).where("id", "=", text(id));
    /** The loan row as the events before this one left it (undefined if none). */
    const loanRow = (id: unknown) =>
      trx
        .selectFrom("loans")
        .selectAll()
        .where("chain_id", "=", e.chainId)
        .where("id", "=", text(id))
        .executeTakeFirst();
    switch (e.name) {
      case "PolicyUpdated": {
        const p = a.policy as Record<string, string>;
        const row = { policy: JSON.stringify(p), inquiry_window: Number(p.inquiryWindow), block_number: e.blockNumber };
        await trx
          .insertInto("credit_policy")
          .values({ chain_id: e.chainId, ...row })
          .onConflict((c) => c.column("chain_id").doUpdateSet(row))
          .execute();
        return;
      }
      case "LoanRegistered":
        await trx
          .insertInto("loans")
          .values({
            chain_id: e.chainId,
            id: text(a.id),
            borrower_key: text(a.borrowerKey),
            lender: Number(a.lender),
            reporter: Number(a.reporter),
            loan_ref: text(a.loanRef),
            kind: PRODUCT_KINDS[Number(a.kind)],
            status: "Active",
            principal: text(a.principal),
            outstanding: text(a.outstanding),
            origination_day: Number(a.originationDay),
            maturity_day: Number(a.maturityDay),
            commitment: text(a.commitment),
            registered_block: e.blockNumber,
            registered_log: e.logIndex,
            registered_at: e.timestamp,
          })
          .execute();
        return touch(tx, text(a.borrowerKey));
      case "JointLoanFunded": {
        const funders = a.funders as string[];
        const shares = a.sharesBps as string[];
        for (const [i, member] of funders.entries()) {
          await trx
            .insertInto("loan_funders")
            .values({ chain_id: e.chainId, loan_id: text(a.id), member: Number(member), share_bps: Number(shares[i]) })
            .execute();
        }
        return;
      }
      case "LoanRepaid":
        await loan(a.id)
          .set({ outstanding: text(a.outstanding) })
          .execute();
        return touch(tx, text(a.borrowerKey));
      case "DefaultAdded": {
        // A module's further default under the same record (another piece of the family its financier holds).
        const principal = BigInt((await loanRow(a.id))?.principal ?? "0") + BigInt(text(a.amount));
        await loan(a.id)
          .set({ principal: String(principal), outstanding: text(a.outstanding) })
          .execute();
        return touch(tx, text(a.borrowerKey));
      }
      case "LoanStatusChanged": {
        const from = LOAN_STATUSES[Number(a.from)];
        const to = LOAN_STATUSES[Number(a.to)];
        // A write-off, or a settlement of a Defaulted loan, starts the negative record's retention: a new one, so an
        // earlier retention's end no longer describes it (adversarial review 19, R19-1).
        const retains = (to === "WrittenOff" && from !== "WrittenOff") || (from === "Defaulted" && to === "Repaid");
        await loan(a.id)
          .set(retains ? { status: to, negative_retained: 1, negative_expired_at: null } : { status: to })
          .execute();
        if (to === "Repaid") await loan(a.id).set({ outstanding: "0" }).execute();
        return touch(tx, text(a.borrowerKey));
      }
      case "LoanCorrected": {
        // A Regulator's correction to WrittenOff starts a retention; to any other new status it erases the record.
        // Either way an earlier retention's end no longer describes the record (review 19, R19-1): an erasure is not
        // an expiry.
        const before = await loanRow(a.id);
        const to = LOAN_STATUSES[Number(a.status)];
        const from = before?.status;
        const retained = to === "WrittenOff" && from !== "WrittenOff" ? 1 : to !== from ? 0 : undefined;
        await loan(a.id)
          .set({
            status: to,
            outstanding: text(a.outstanding),
            commitment: text(a.commitment),
            ...(retained === undefined ? {} : { negative_retained: retained, negative_expired_at: null }),
          })
          .execute();
        return touch(tx, text(a.borrowerKey));
      }
      case "CreditInquired": {
        // The old event (before the consent book) carried a free bytes32 purpose and a consent hash; the new one a
        // ConsentPurpose code and the consent book's id. Both stay readable.
        const old = a.consentHash !== undefined;
        await trx
          .insertInto("inquiries")
          .values({
            ...at,
            tx_hash: e.txHash,
            lender: Number(a.lender),
            borrower_key: text(a.borrowerKey),
            purpose: old ? text(a.purpose) : (CONSENT_PURPOSES[Number(a.purpose)] ?? text(a.purpose)),
            consent_hash: old ? text(a.consentHash) : "",
            consent_id: old ? null : text(a.consent),
            purpose_code: old ? null : Number(a.purpose),
          })
          .execute();
        return;
      }
      case "LoanTermsRegistered": {
        const p = a.plan as Record<string, string>;
        const instalments = Number(p.instalments);
        const plan =
          instalments === 0
            ? null
            : JSON.stringify({
                instalments,
                frequency: FREQUENCIES[Number(p.frequency)] ?? text(p.frequency),
                firstDueDay: Number(p.firstDueDay),
                instalment: text(p.instalment),
                finalInstalment: text(p.finalInstalment),
              });
        await loan(a.id)
          .set({ apr_bps: Number(a.aprBps), plan })
          .execute();
        return;
      }
      case "LoanDelinquencyChanged":
        await loan(a.id)
          .set({ bucket: Number(a.toBucket), days_past_due: Number(a.daysPastDue) })
          .execute();
        return touch(tx, text(a.borrowerKey));
      case "NegativeRecordExpired":
        await loan(a.id).set({ negative_expired_at: e.timestamp, negative_retained: 0 }).execute();
        return touch(tx, text(a.borrowerKey));
      case "MultiBorrowingFlagged":
        await trx
          .insertInto("flags")
          .values({
            ...at,
            tx_hash: e.txHash,
            borrower_key: text(a.borrowerKey),
            loan_id: text(a.id),
            limit_name: POLICY_LIMITS[Number(a.limit)],
            value: text(a.value),
            max: text(a.max),
          })
          .execute();
        return;
      case "DisputeOpened":
        await trx
          .insertInto("loan_disputes")
          .values({
            chain_id: e.chainId,
            loan_id: text(a.id),
            opened_block: e.blockNumber,
            opened_log: e.logIndex,
            opened_at: e.timestamp,
            opened_by: Number(a.openedBy),
            reason: text(a.reason),
            state: "Open",
            response: null,
            outcome: null,
            resolved_by: null,
            resolved_at: null,
            resolved_block: null,
            resolved_log: null,
          })
          .execute();
        return;
      case "DisputeAnswered":
      case "DisputeResolved": {
        const open = await trx
          .selectFrom("loan_disputes")
          .select(["opened_block", "opened_log"])
          .where("chain_id", "=", e.chainId)
          .where("loan_id", "=", text(a.id))
          .where("state", "!=", "Resolved")
          .orderBy("opened_block", "desc")
          .orderBy("opened_log", "desc")
          .executeTakeFirst();
        if (open === undefined) return;
        const set =
          e.name === "DisputeAnswered"
            ? { state: "Answered", response: text(a.response) }
            : {
                state: "Resolved",
                outcome: text(a.outcome),
                resolved_by: Number(a.regulator),
                resolved_at: e.timestamp,
                resolved_block: e.blockNumber,
                resolved_log: e.logIndex,
              };
        await trx
          .updateTable("loan_disputes")
          .set(set)
          .where("chain_id", "=", e.chainId)
          .where("loan_id", "=", text(a.id))
          .where("opened_block", "=", open.opened_block)
          .where("opened_log", "=", open.opened_log)
          .execute();
        return;
      }
    }
  },
};

/** The consent book's events: a consent recorded, or withdrawn (at once). */
async function applyConsent(trx: Db, e: Decoded): Promise<void> {
  const a = e.args;
  switch (e.name) {
    case "ConsentRecorded": {
      const row = {
        borrower_key: text(a.borrowerKey),
        holder: Number(a.holder),
        document_hash: text(a.documentHash),
        purpose: CONSENT_PURPOSES[Number(a.purpose)] ?? text(a.purpose),
        expires_at: Number(a.expiresAt),
        covered: JSON.stringify((a.covered as string[]).map(Number)),
        recorded_block: e.blockNumber,
        recorded_log: e.logIndex,
        recorded_at: e.timestamp,
        tx_hash: e.txHash,
        revoked_at: null,
        revoked_by: null,
        revoke_reason: null,
      };
      await trx
        .insertInto("consents")
        .values({ chain_id: e.chainId, id: text(a.id), ...row })
        .onConflict((c) => c.columns(["chain_id", "id"]).doUpdateSet(row))
        .execute();
      return;
    }
    case "ConsentRevoked":
      await trx
        .updateTable("consents")
        .set({ revoked_at: e.timestamp, revoked_by: Number(a.recordedBy), revoke_reason: text(a.reason) })
        .where("chain_id", "=", e.chainId)
        .where("id", "=", text(a.id))
        .execute();
      return;
  }
}
